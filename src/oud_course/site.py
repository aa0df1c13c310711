"""The course as a static website: every lesson run once, exported with its widgets' state, readable without a kernel.

Usage: ``python -m oud_course.site [--out build/site] [--root DIR]``

Each lesson in notebooks/ runs top to bottom in a fresh kernel (nbclient, widget state stored in
the notebook), then nbconvert's lab template writes it as ``<lesson>.html``; ``index.html`` is the
course map. The browser assets (require.js, the widget renderer and its icon fonts, MathJax) are
copied from vendor/web/ (see scripts/vendor-web-assets): building and reading the site needs no network.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbconvert import HTMLExporter

COURSE_TITLE = "Understanding Opioid Dependence"
ASSETS = "assets"  # the folder of vendored files in the site, next to the pages
REQUIRE_JS = f"{ASSETS}/requirejs/require.js"
WIDGET_ASSETS = f"{ASSETS}/html-manager"  # embed-amd.js and the icon fonts it loads from its own folder
WIDGET_RENDERER = f"{WIDGET_ASSETS}/embed-amd.js"
MATHJAX = f"{ASSETS}/mathjax/tex-svg.js"
CELL_TIMEOUT = 300  # seconds; a cold kernel imports ipywidgets and matplotlib in the first cell

# The lab template, with MathJax 3 from the site instead of MathJax 2 from a CDN, no mermaid
# (no lesson has a diagram; its loader names a CDN), and the read-only note at the top of the page.
TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{%- block html_head_js_mathjax -%}
<script>
window.MathJax = {
  tex: {inlineMath: [['$', '$'], ['\\(', '\\)']], displayMath: [['$$', '$$'], ['\\[', '\\]']],
        processEscapes: true, processEnvironments: true},
  svg: {fontCache: 'global'}
};
</script>
<script src="{{ resources.mathjax_url }}"></script>
<script>
// ipywidgets typesets its labels through MathJax 2's API: MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]).
MathJax.Hub = {Queue: function (job) {
  MathJax.startup.promise.then(function () { return MathJax.typesetPromise([job[2]]); });
}};
</script>
{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_requirejs -%}
{{ super() }}
<script>
// The widget renderer loads its icon fonts from the folder of its AMD modules' URLs: its own folder.
require.config({paths: {"@jupyter-widgets/html-manager/dist": "{{ resources.widget_assets }}",
                        "@jupyter-widgets": "{{ resources.widget_assets }}"}});
</script>
{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}
<style type="text/css">
/* JupyterLab sets the interface font on the body; the widgets' labels and texts inherit it. */
body { font-family: var(--jp-ui-font-family); }
.oud-site-note a { color: var(--jp-content-link-color); text-decoration: underline; }
.oud-site-note {
  margin: 0 0 1.5em; padding: 0.6em 1em; border-left: 4px solid #0072B2; background: #eef5fb;
  font-family: var(--jp-ui-font-family); font-size: var(--jp-content-font-size1); line-height: 1.5;
}
</style>
{%- endblock extra_css -%}
{%- block body_header -%}
{{ super() }}
<aside class="oud-site-note" role="note" aria-label="About this page">{{ resources.oud_site_note }}</aside>
{%- endblock body_header -%}
"""


@dataclass(frozen=True)
class Page:
    """One lesson of the site: its notebook, its title (the first heading) and its page's file name."""

    notebook: Path
    title: str

    @property
    def filename(self) -> str:
        return f"{self.notebook.stem}.html"


def lesson_notebooks(root: Path) -> list[Path]:
    """The lessons in notebooks/, in course order (their names start with the lesson number)."""
    return sorted((root / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def first_heading(nb: nbformat.NotebookNode) -> str:
    """The text of the notebook's first markdown heading (the lesson's title, "3. The dependence cycle")."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#+\s+(.+?)\s*$", cell.source, flags=re.MULTILINE)
            if match:
                return match.group(1)
    raise ValueError("the notebook has no markdown heading to take its title from")


def binder_base(root: Path) -> str:
    """The Binder launch URL of the course, without its urlpath, from the README's badge."""
    match = re.search(r"\((https://mybinder\.org/v2/[^)?\s]+)", (root / "README.md").read_text(encoding="utf-8"))
    if not match:
        raise ValueError(f"{root / 'README.md'} has no mybinder.org link to point learners at")
    return match.group(1)


def live_url(binder: str, relpath: str) -> str:
    """The Binder URL that opens ``relpath`` (relative to the course folder) in JupyterLab."""
    return f"{binder}?urlpath={quote(f'lab/tree/{relpath}')}"


def link_pages(nb: nbformat.NotebookNode, notebook: Path, root: Path, pages: set[str], binder: str) -> None:
    """Point markdown links to notebooks at their pages in the site, or on Binder when the site has none."""

    def relink(match: re.Match) -> str:
        target, anchor = match.group(1), match.group(2) or ""
        resolved = (notebook.parent / target).resolve()
        page = f"{resolved.stem}.html"
        if resolved.parent == notebook.parent.resolve() and page in pages:
            return f"]({page}{anchor})"
        return f"]({live_url(binder, resolved.relative_to(root.resolve()).as_posix())}{anchor})"

    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = re.sub(r"\]\((?!https?:)([^)#\s]+\.ipynb)(#[^)\s]*)?\)", relink, cell.source)


def execute(nb: nbformat.NotebookNode, folder: Path, scratch: Path) -> None:
    """Run every cell of ``nb`` in a fresh kernel started in ``folder``, keeping the widgets' state in its metadata.

    The kernel talks over IPC sockets in ``scratch`` (a short path) and records self-checks there,
    never in the builder's own progress file, which a lesson's summary would otherwise publish.
    """
    kernel = AsyncKernelManager(
        kernel_name="python3", transport="ipc", connection_file=str(scratch / "kernel.json"), ip=str(scratch / "k")
    )
    client = NotebookClient(
        nb,
        km=kernel,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
        store_widget_state=True,
        record_timing=False,
    )
    env = {**os.environ, "OUD_COURSE_PROGRESS": str(scratch / "progress.json"), "MPLBACKEND": "agg"}
    client.execute(env=env, cleanup_kc=True)  # cleanup_kc: shut the kernel down, though nbclient did not make its manager


def site_note(live: str, course_map: bool) -> str:
    """The note at the top of each page: a read-only copy, and where to use the figures live."""
    what = "the course" if course_map else "this lesson"
    back = "" if course_map else ' <a href="index.html">Back to the course map</a>.'
    return (
        "<strong>A read-only copy.</strong> The interactive figures on these pages show their first "
        f'state and do not respond. To use them, open <a href="{html.escape(live)}">{what} on Binder</a>, '
        "or run <code>make lab</code> in a copy of the course." + back
    )


def exporter() -> HTMLExporter:
    """nbconvert's lab-template HTML exporter, with every asset URL pointing into the site.

    A check cell's source (its self-check key) is left out, as JupyterLab collapses it: the page shows its verdict.
    """
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(
        template_name="lab",
        raw_template=TEMPLATE,
        theme="light",
        require_js_url=REQUIRE_JS,
        widget_renderer_url=WIDGET_RENDERER,
        mathjax_url=MATHJAX,
    )
    exporter.register_preprocessor(TagRemovePreprocessor(remove_input_tags={"oud-check"}), enabled=True)
    return exporter


def render(nb: nbformat.NotebookNode, title: str, note: str) -> str:
    """The page of ``nb`` as HTML."""
    nb.metadata["title"] = title
    body, _ = exporter().from_notebook_node(nb, resources={"oud_site_note": note, "widget_assets": WIDGET_ASSETS})
    return body


def course_map(pages: list[Page]) -> nbformat.NotebookNode:
    """The index page's notebook: the lessons in order, then where to get help."""
    lessons = "\n".join(f"- [{page.title}]({page.filename})" for page in pages)
    return nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(
                f"# {COURSE_TITLE}\n\nAn open course on opioid dependence and opioid use disorder (OUD). "
                "Work through the lessons in order; each builds on the ones before.\n\n"
                f"## Lessons\n\n{lessons}"
            ),
            nbformat.v4.new_markdown_cell(
                "## Where to get help\n\nThis course is education, not medical advice. "
                "If you or someone you know needs help:\n\n"
                "- SAMHSA National Helpline: **1-800-662-4357** (free, confidential, 24/7)\n"
                "- Call or text **988** in a crisis\n"
                "- Call **911** in an emergency\n"
                "- Find treatment at [FindTreatment.gov](https://findtreatment.gov)"
            ),
        ]
    )


def copy_assets(root: Path, out: Path) -> None:
    """Copy vendor/web/ into the site's asset folder (the vendored files and their licences)."""
    vendored = root / "vendor" / "web"
    if not (vendored / "html-manager" / "embed-amd.js").is_file():
        raise FileNotFoundError(f"{vendored} is incomplete; run scripts/vendor-web-assets")
    shutil.rmtree(out / ASSETS, ignore_errors=True)
    shutil.copytree(vendored, out / ASSETS)


def write_lesson(path: Path, root: Path, out: Path, filenames: set[str], binder: str, scratch: Path) -> Page:
    """Run the lesson at ``path`` and write its page into ``out``; return the page."""
    nb = nbformat.read(path, as_version=4)
    page = Page(notebook=path, title=first_heading(nb))
    link_pages(nb, path, root, filenames, binder)
    execute(nb, path.parent, scratch)
    note = site_note(live_url(binder, path.relative_to(root).as_posix()), course_map=False)
    (out / page.filename).write_text(render(nb, page.title, note), encoding="utf-8")
    return page


def build(root: Path, out: Path) -> list[Path]:
    """Write the site into ``out``: a page per lesson, index.html and the assets; return the pages written."""
    notebooks = lesson_notebooks(root)
    if not notebooks:
        raise FileNotFoundError(f"no lessons in {root / 'notebooks'}")
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(root, out)
    binder = binder_base(root)
    filenames = {f"{path.stem}.html" for path in notebooks}
    pages = []
    with tempfile.TemporaryDirectory(prefix="oud-site-") as scratch:  # a short path: IPC sockets live in it
        for path in notebooks:
            pages.append(write_lesson(path, root, out, filenames, binder, Path(scratch)))
            print(f"site: {pages[-1].filename}", flush=True)
    welcome = live_url(binder, notebooks[0].relative_to(root).as_posix())
    (out / "index.html").write_text(
        render(course_map(pages), COURSE_TITLE, site_note(welcome, course_map=True)), encoding="utf-8"
    )
    return [*(out / page.filename for page in pages), out / "index.html"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m oud_course.site", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="course folder (holds notebooks/ and vendor/web/)")
    parser.add_argument("--out", type=Path, help="site folder (default: <root>/build/site)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    out = (args.out or root / "build" / "site").resolve()
    pages = build(root, out)
    print(f"site: {len(pages)} pages in {out}; open {out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
