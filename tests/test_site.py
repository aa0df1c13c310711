"""The static site: vendored assets as pinned, and a page per lesson with its widgets' state and nothing from the network."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import ipywidgets
import nbformat
import pytest
from site_tools import LESSONS, REPO, built_site, builder_progress_file, css_class, reachable, widget_state, widget_views

from oud_course import site

MANIFEST = REPO / "vendor" / "web-assets.json"
VENDORED = REPO / "vendor" / "web"
PACKAGES = json.loads(MANIFEST.read_text(encoding="utf-8"))["packages"]
# Attributes through which a page makes the browser fetch something as it loads.
FETCHED = {("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"), ("source", "src"),
           ("audio", "src"), ("video", "src"), ("embed", "src"), ("object", "data")}
HELP = ("1-800-662-4357", "988", "911")


class _Links(HTMLParser):
    """Every (tag, attribute, value) of a page's src, href and data attributes, and its inline <script>/<style> text."""

    def __init__(self) -> None:
        super().__init__()
        self.attrs: list[tuple[str, str, str]] = []
        self.inline: list[str] = []
        self._tag = ""

    def handle_starttag(self, tag, attrs):
        self._tag = tag
        self.attrs += [(tag, name, value or "") for name, value in attrs if name in ("src", "href", "data")]

    def handle_data(self, data):
        if self._tag in ("script", "style"):
            self.inline.append(data)


def links(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def _lesson_ids() -> list[str]:
    return [path.stem for path in LESSONS]


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory) -> Path:
    return built_site(tmp_path_factory)


# --- vendored assets (offline) ---


def test_vendored_files_match_the_manifest():
    """Does every file in vendor/web/ have the sha256 the manifest recorded when it came out of its npm tarball?"""
    for package in PACKAGES:
        for entry in package["files"]:
            path = VENDORED / package["folder"] / Path(entry["path"]).name
            assert path.is_file(), f"{path.relative_to(REPO)} is missing; run scripts/vendor-web-assets"
            assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], f"{path.relative_to(REPO)} changed"


def test_vendor_folder_holds_only_what_the_manifest_lists():
    """Is every file under vendor/web/ one the manifest lists (nothing added by hand, unpinned)?"""
    listed = {f"{p['folder']}/{Path(e['path']).name}" for p in PACKAGES for e in p["files"]}
    present = {path.relative_to(VENDORED).as_posix() for path in VENDORED.rglob("*") if path.is_file()}
    assert present == listed


def test_manifest_pins_exact_versions_of_npm_tarballs():
    """Does each package name an exact version, its registry.npmjs.org tarball, a sha512 integrity and a licence?"""
    assert PACKAGES
    for package in PACKAGES:
        name, version = package["name"], package["version"]
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name}: {version} is not an exact version"
        assert package["tarball"] == f"https://registry.npmjs.org/{name}/-/{name.rsplit('/', 1)[-1]}-{version}.tgz"
        algorithm, _, digest = package["integrity"].partition("-")
        assert algorithm == "sha512" and len(base64.b64decode(digest)) == 64, f"{name}: not a sha512 integrity"
        assert package["licence"], f"{name}: no licence recorded"
        assert any(e["path"] in ("LICENSE", "package.json") for e in package["files"]), f"{name}: no licence file taken"


def test_widget_renderer_matches_the_installed_ipywidgets():
    """Is the vendored html-manager inside the range ipywidgets itself asks for (``__html_manager_version__``)?"""
    wanted = ipywidgets._version.__html_manager_version__
    match = re.fullmatch(r"\^(\d+)\.(\d+)\.(\d+)", wanted)
    assert match, f"ipywidgets asks for {wanted!r}, which this test does not parse"
    (manager,) = [p for p in PACKAGES if p["name"] == "@jupyter-widgets/html-manager"]
    have = tuple(int(n) for n in manager["version"].split("."))
    low = tuple(int(n) for n in match.groups())
    assert have[0] == low[0] and have >= low, f"html-manager {manager['version']} is outside {wanted}"


# --- the build's pieces (no kernel) ---


def test_lesson_links_become_pages_and_other_notebooks_open_on_binder(tmp_path):
    """Does a link to another lesson point at its page, and a link to a check (not in the site) at Binder?"""
    (tmp_path / "notebooks").mkdir()
    lesson = tmp_path / "notebooks" / "03-x.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "[next](04-y.ipynb#key-points), [check](../release/03-x/03-x-check.ipynb), [web](https://example.org/a.ipynb)"
    )])
    site.link_pages(nb, lesson, tmp_path, {"03-x.html", "04-y.html"}, "https://mybinder.org/v2/gh/o/r/HEAD")
    assert nb.cells[0].source == (
        "[next](04-y.html#key-points), "
        "[check](https://mybinder.org/v2/gh/o/r/HEAD?urlpath=lab/tree/release/03-x/03-x-check.ipynb), "
        "[web](https://example.org/a.ipynb)"
    )


def test_page_title_is_the_lessons_first_heading():
    """Is a page's title its lesson's first heading ("3. The dependence cycle"), not the file name?"""
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("# not a heading"),
        nbformat.v4.new_markdown_cell("Intro\n\n# 3. The dependence cycle\n\n## Later"),
    ])
    assert site.first_heading(nb) == "3. The dependence cycle"


# --- the built site ---


@pytest.mark.slow
def test_a_page_per_lesson_and_an_index_linking_them_in_order(site_dir):
    """Is there a page per lesson, and does index.html link to each, in lesson order, under its first heading?"""
    assert [path.stem for path in LESSONS] == sorted(_lesson_ids()) and len(LESSONS) >= 10
    for lesson in LESSONS:
        assert (site_dir / f"{lesson.stem}.html").is_file()
    index = (site_dir / "index.html").read_text(encoding="utf-8")
    linked = re.findall(r'<a href="([^"]+\.html)">([^<]+)</a>', index)
    expected = [(f"{p.stem}.html", site.first_heading(nbformat.read(p, as_version=4))) for p in LESSONS]
    assert linked == expected


@pytest.mark.slow
@pytest.mark.parametrize("lesson", _lesson_ids())
def test_every_widget_a_lesson_shows_has_its_state_in_the_page(site_dir, lesson):
    """Does the page embed a view, with its model and every model under it, for each widget the lesson's cells call?"""
    source = nbformat.read(REPO / "notebooks" / f"{lesson}.ipynb", as_version=4)
    calls = [m.group(1) for c in source.cells if c.cell_type == "code" for m in [re.match(r"([A-Z]\w*)\(", c.source)] if m]
    page = (site_dir / f"{lesson}.html").read_text(encoding="utf-8")
    state, views = widget_state(page), widget_views(page)
    assert len(views) >= len(calls)
    missing = [model_id for model_id in reachable(state, views) if model_id not in state]
    assert not missing, f"{lesson}: models shown but not embedded: {missing}"
    shown = [state[v]["state"].get("_dom_classes", []) for v in views]
    for widget in calls:
        assert any(css_class(widget) in classes for classes in shown), f"{lesson}: no embedded {widget} ({shown})"
    for model_id in views:
        assert any(c.startswith("oud-") for c in state[model_id]["state"].get("_dom_classes", [])), (
            f"{lesson}: a view of {state[model_id]['model_name']} that is not a course widget"
        )


@pytest.mark.slow
def test_embedded_models_come_from_modules_the_vendored_renderer_defines(site_dir):
    """Is every widget model module in the pages bundled in the vendored embed-amd.js (so none is fetched from a CDN)?"""
    bundled = set(re.findall(r'define\("([^"]+)"', (VENDORED / "html-manager" / "embed-amd.js").read_text(encoding="utf-8")))
    used = {
        (model["model_module"], model["model_module_version"])
        for page in site_dir.glob("*.html")
        for model in widget_state(page.read_text(encoding="utf-8")).values()
    }
    assert used, "no page embeds any widget state"
    assert {module for module, _ in used} <= bundled
    assert {version for _, version in used} == {"2.0.0"}, "ipywidgets 8 models (2.0.0), which html-manager 1.x renders"


@pytest.mark.slow
def test_no_page_loads_anything_from_the_network(site_dir):
    """Does every script, stylesheet, image or frame a page fetches come from a file in the site, never http(s)?"""
    for page in sorted(site_dir.glob("*.html")):
        found = links(page)
        for tag, attribute, value in found.attrs:
            if (tag, attribute) not in FETCHED or value.startswith(("data:", "#")):
                continue
            assert not urlparse(value).scheme and not value.startswith("//"), f"{page.name}: <{tag} {attribute}={value}>"
            assert (site_dir / unquote(value)).is_file(), f"{page.name}: <{tag} {attribute}={value}> is not in the site"
        for text in found.inline:
            assert not re.search(r"""(@import|url\(|import\()\s*['"]?(https?:)?//""", text), f"{page.name} imports from the network"


@pytest.mark.slow
def test_links_between_pages_stay_in_the_site(site_dir):
    """Does every relative link lead to a page or file of the site, and no link to a bare .ipynb except on Binder?"""
    for page in sorted(site_dir.glob("*.html")):
        for tag, attribute, value in links(page).attrs:
            if tag != "a" or attribute != "href" or value.startswith(("#", "data:", "mailto:")):
                continue
            url = urlparse(value)
            if url.scheme:
                assert not url.path.endswith(".ipynb") or url.netloc == "mybinder.org", f"{page.name}: {value}"
            else:
                assert (site_dir / unquote(url.path)).is_file(), f"{page.name}: broken link {value}"


@pytest.mark.slow
@pytest.mark.parametrize("lesson", _lesson_ids())
def test_each_page_says_it_is_read_only_and_opens_the_lesson_live(site_dir, lesson):
    """Does the page start with the read-only note, linking this lesson on Binder and naming `make lab`?"""
    page = (site_dir / f"{lesson}.html").read_text(encoding="utf-8")
    body = page.split("<body", 1)[1]
    note = re.search(r'<aside[^>]*class="oud-site-note"[^>]*>(.*?)</aside>', body, flags=re.DOTALL)
    assert note and body.index("<aside") < body.index("jp-Cell"), "the note is not at the top of the page"
    assert "read-only" in note.group(1) and "make lab" in note.group(1)
    assert "mybinder.org/v2/" in note.group(1) and f"urlpath=lab/tree/notebooks/{lesson}.ipynb" in note.group(1)


@pytest.mark.slow
@pytest.mark.parametrize("page", [*_lesson_ids(), "index"])
def test_pages_keep_the_help_resources(site_dir, page):
    """Does each page still show the help lines its lesson shows (SAMHSA, 988, 911)?"""
    text = (site_dir / f"{page}.html").read_text(encoding="utf-8")
    for number in HELP:
        assert re.search(rf"\b{re.escape(number)}\b", text), f"{page}: {number} is missing"


@pytest.mark.slow
def test_building_leaves_the_builders_progress_file_alone(site_dir):
    """Do the lessons' self-checks record in a scratch file, so no builder's progress is published in a page?"""
    assert not builder_progress_file(site_dir).exists()
