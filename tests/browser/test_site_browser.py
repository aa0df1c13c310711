"""The static site in headless chromium, offline: each page opened from file://, every other request refused.

The widgets must render from the state embedded in the page (roots, figures, labelled controls,
button icons in the vendored font), formulas must be typeset by the vendored MathJax, and nothing
may fail to load or log an error. test-artifacts/site-<page>.png shows each page as a reader sees it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import lab
import pytest
from site_tools import LESSONS, built_site, reachable, widget_state, widget_views

pytestmark = pytest.mark.browser

PAGES = [*(path.stem for path in LESSONS), "index"]
MATH_LESSONS = [path.stem for path in LESSONS if "$$" in path.read_text(encoding="utf-8")]
RENDER_TIMEOUT_MS = 60_000  # embed-amd.js is 3.6 MB of JavaScript; a slow CI machine parses it in seconds
BUTTONS = ("ButtonModel", "ToggleButtonModel")
TEXT_ONLY = ("HTMLModel", "HTMLMathModel", "LabelModel")  # their description is not a control's label

_FACTS_JS = """() => ({
    roots: Array.from(document.querySelectorAll('.jupyter-widgets'), e => e.className),
    images: Array.from(document.querySelectorAll('img.oud-figure, .oud-figure img'),
                       i => ({complete: i.complete, width: i.naturalWidth})),
    labels: Array.from(document.querySelectorAll('.jupyter-widgets label, .jupyter-widgets button'), e => e.innerText),
    icons: document.querySelectorAll('.jupyter-widgets button i.fa').length,
    fonts: Array.from(document.fonts, f => ({family: f.family.replace(/"/g, ''), status: f.status})),
    math: document.querySelectorAll('mjx-container').length,
    markdown: Array.from(document.querySelectorAll('.jp-RenderedMarkdown'), e => e.innerText).join('\\n'),
})"""


@dataclass
class Visit:
    """What one page did and showed: requests refused or failed, errors, and facts read from its DOM."""

    name: str
    html: str
    refused: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    facts: dict = field(default_factory=dict)

    @property
    def state(self) -> dict[str, dict]:
        return widget_state(self.html)

    def shown_models(self) -> list[dict]:
        """The embedded models under the page's widget views."""
        return [self.state[m] for m in reachable(self.state, widget_views(self.html)) if m in self.state]


def _root_classes(visit: Visit) -> Counter:
    """How many widgets of each course class (oud-...) the page's views should render."""
    return Counter(
        c for m in widget_views(visit.html) for c in visit.state[m]["state"].get("_dom_classes", []) if c.startswith("oud-")
    )


def _open(page, url: str, visit: Visit) -> None:
    """Go to ``url`` with every request that is not file:// refused, and everything that goes wrong recorded."""

    def route(request_route):
        if request_route.request.url.startswith("file://"):
            request_route.continue_()
        else:
            visit.refused.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.on("requestfailed", lambda r: r.url.startswith("file://") and visit.failed.append(f"{r.url}: {r.failure}"))
    page.on("console", lambda m: m.type == "error" and visit.errors.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: visit.errors.append(f"page error: {e}"))
    page.goto(url)


def _wait_until_rendered(page, visit: Visit) -> None:
    """Wait for every expected widget root, every figure's image, the fonts in use and MathJax's first typeset."""
    page.wait_for_function(
        """(wanted) => Object.entries(wanted).every(([c, n]) => document.querySelectorAll(`.jupyter-widgets.${c}`).length >= n)
                       && Array.from(document.querySelectorAll('img.oud-figure, .oud-figure img')).every(i => i.complete)""",
        arg=dict(_root_classes(visit)),
        timeout=RENDER_TIMEOUT_MS,
        polling=100,
    )
    page.evaluate(
        "async () => { await document.fonts.ready; if (window.MathJax && MathJax.startup) await MathJax.startup.promise; }"
    )


def _visit(browser, site_dir: Path, name: str) -> Visit:
    """Open one page of the site offline, record what happened, read its facts and screenshot it."""
    path = site_dir / f"{name}.html"
    visit = Visit(name=name, html=path.read_text(encoding="utf-8"))
    page = lab.new_page(browser)
    try:
        _open(page, path.as_uri(), visit)
        _wait_until_rendered(page, visit)
        visit.facts = page.evaluate(_FACTS_JS)
    finally:
        lab.screenshot(page, f"site-{name}")
        page.context.close()
    return visit


@pytest.fixture(scope="module")
def site_dir(browser, tmp_path_factory) -> Path:
    """The built site (asks for the browser first, so a missing chromium skips before the build)."""
    return built_site(tmp_path_factory)


@pytest.fixture(scope="module")
def visit(browser, site_dir):
    """``visit(name)``: the page's Visit, each page opened once per module."""
    seen: dict[str, Visit] = {}

    def visit_page(name: str) -> Visit:
        if name not in seen:
            seen[name] = _visit(browser, site_dir, name)
        return seen[name]

    return visit_page


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_only_its_own_files_without_errors(visit, name):
    """Offline, does the page ask for nothing outside the site, load every file it asks for, and log no error?"""
    seen = visit(name)
    assert seen.refused == [], f"{name} asked the network for: {seen.refused}"
    assert seen.failed == [], f"{name} could not load: {seen.failed}"
    assert seen.errors == [], f"{name}: {seen.errors}"


@pytest.mark.parametrize("name", PAGES[:-1])
def test_every_embedded_widget_renders(visit, name):
    """Does each widget the page embeds appear, as a rendered widget with its course class?"""
    seen = visit(name)
    wanted = _root_classes(seen)
    assert wanted, f"{name} embeds no course widget"
    rendered = Counter(c for classes in seen.facts["roots"] for c in classes.split() if c in wanted)
    assert rendered == wanted


@pytest.mark.parametrize("name", PAGES[:-1])
def test_every_figure_shows_its_image(visit, name):
    """Does every figure embedded in the page show as a decoded image (naturalWidth > 0)?"""
    seen = visit(name)
    figures = [m for m in seen.shown_models() if "oud-figure" in m["state"].get("_dom_classes", [])]
    assert len(seen.facts["images"]) == len(figures)
    assert all(image["complete"] and image["width"] > 0 for image in seen.facts["images"]), seen.facts["images"]


@pytest.mark.parametrize("name", PAGES[:-1])
def test_controls_show_their_labels(visit, name):
    """Does every control show its description: as its label (menus, sliders, checkboxes) or its text (buttons)?"""
    seen = visit(name)
    wanted = Counter(
        " ".join(m["state"]["description"].split())
        for m in seen.shown_models()
        if m["state"].get("description") and m["model_name"] not in TEXT_ONLY
    )
    shown = Counter(" ".join(text.split()) for text in seen.facts["labels"])
    assert wanted - shown == Counter(), f"{name}: labels not shown: {sorted((wanted - shown).elements())}"


@pytest.mark.parametrize("name", PAGES[:-1])
def test_button_icons_come_from_the_vendored_font(visit, name):
    """Does each button icon the state asks for show, drawn in the Font Awesome font loaded from the site?"""
    seen = visit(name)
    icons = [m for m in seen.shown_models() if m["model_name"] in BUTTONS and m["state"].get("icon")]
    assert seen.facts["icons"] == len(icons)
    if icons:
        loaded = {f["family"] for f in seen.facts["fonts"] if f["status"] == "loaded"}
        assert "Font Awesome 5 Free" in loaded, f"{name}: icon font not loaded: {seen.facts['fonts']}"


@pytest.mark.parametrize("name", MATH_LESSONS)
def test_formulas_are_typeset(visit, name):
    """Is every $$...$$ formula of the lesson typeset by MathJax, none left as raw TeX?"""
    seen = visit(name)
    source = (lab.REPO / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8")
    assert seen.facts["math"] == len(re.findall(r"\$\$(.+?)\$\$", source))
    assert "$$" not in seen.facts["markdown"]


def test_some_lessons_have_formulas_to_typeset():
    """Did the formula test find lessons with TeX (a rewording of them would silently skip it)?"""
    assert MATH_LESSONS
