"""Helpers for driving JupyterLab 4 and the course's widgets from Playwright (sync API).

Playwright is imported only for type checking, so a machine without it still collects the tests
(the `browser` fixture then skips them, or fails them under CI).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, TypeVar
from urllib.parse import quote

if TYPE_CHECKING:
    import pytest
    from playwright.sync_api import Browser, Locator, Page

T = TypeVar("T")

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
DEFAULT_TIMEOUT_MS = 30_000
KERNEL_TIMEOUT_MS = 90_000  # kernel start on a cold machine (imports ipywidgets and matplotlib)
RUN_ALL_TIMEOUT_MS = 180_000

_NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"
_CODE_PROMPTS = f"{_NOTEBOOK} .jp-CodeCell .jp-InputArea-prompt"
_NOT_RUN = "[?]:"  # written into every code prompt before Run All; JupyterLab overwrites it on execution
_ERROR_SELECTOR = (
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]'
)


def new_page(browser: Browser) -> Page:
    """A page in a fresh browser context with a 1280x900 viewport and the default timeout."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return context.new_page()


def has_failed(request: pytest.FixtureRequest) -> bool:
    """Whether the requesting test failed in setup or call (reports kept by conftest's hook)."""
    reports = (getattr(request.node, f"report_{when}", None) for when in ("setup", "call"))
    return any(report is not None and report.failed for report in reports)


def write_notebook(path: Path, *code_cells: str) -> Path:
    """Write a minimal Python 3 notebook holding ``code_cells``; returns ``path``."""
    notebook = {
        "cells": [
            {"cell_type": "code", "execution_count": None, "id": f"cell-{i}", "metadata": {}, "outputs": [],
             "source": source}
            for i, source in enumerate(code_cells)
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    return path


# The notebook panel on show, found through window.jupyterapp (the server runs with
# --LabApp.expose_app_in_browser). The toolbar's execution indicator is not enough: it reads "idle"
# before the kernel has even started, and again before the websocket is connected.
_CURRENT_PANEL_JS = """() => {
    const app = window.jupyterapp;
    if (!app || !app.shell) return null;
    for (const widget of app.shell.widgets('main')) {
        if (widget.node.classList.contains('jp-NotebookPanel') && widget.isVisible) return widget;
    }
    return null;
}"""
_NOTEBOOK_READY_JS = f"""() => {{
    const panel = ({_CURRENT_PANEL_JS})();
    if (!panel || !panel.context.isReady || !panel.sessionContext.isReady) return false;
    const cells = panel.content.model ? panel.content.model.cells.length : -1;
    return panel.node.querySelectorAll('.jp-Notebook .jp-Cell').length === cells;
}}"""
_KERNEL_IDLE_JS = f"""() => {{
    const panel = ({_CURRENT_PANEL_JS})();
    const kernel = panel && panel.sessionContext.session && panel.sessionContext.session.kernel;
    return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}}"""


def open_notebook(page: Page, server: Any, relpath: str) -> Locator:
    """Open ``relpath`` (under the server root) in a new workspace; wait for every cell and an idle kernel."""
    workspace = f"test-{uuid.uuid4().hex[:12]}"  # a new workspace restores no tabs from earlier pages
    page.goto(f"{server.url}/lab/workspaces/{workspace}/tree/{quote(relpath)}?token={server.token}")
    page.wait_for_function(_NOTEBOOK_READY_JS, timeout=KERNEL_TIMEOUT_MS, polling=100)
    wait_kernel_idle(page)
    return page.locator(_NOTEBOOK)


def wait_kernel_idle(page: Page, timeout: float = KERNEL_TIMEOUT_MS) -> None:
    """Wait until the open notebook's kernel is connected and idle."""
    page.wait_for_function(_KERNEL_IDLE_JS, timeout=timeout, polling=50)


def run_all_cells(page: Page, timeout: float = RUN_ALL_TIMEOUT_MS, by_keyboard: bool = False) -> None:
    """Run > Run All Cells from the menu bar (or the command palette, by keyboard); wait until every code cell
    ran (or one failed) and all is idle."""
    # Mark every prompt so that "finished" cannot be confused with "not started yet", whatever
    # execution counts the notebook was saved with: each executed cell's prompt becomes [n]:.
    page.evaluate(
        "([selector, mark]) => document.querySelectorAll(selector).forEach(p => { p.textContent = mark; })",
        [_CODE_PROMPTS, _NOT_RUN],
    )
    if by_keyboard:
        page.keyboard.press("Control+Shift+C")  # the command palette
        page.locator(".lm-CommandPalette-input").wait_for(state="visible")
        page.keyboard.type("Run All Cells")
        chosen = page.locator(".lm-CommandPalette-item.lm-mod-active .lm-CommandPalette-itemLabel")
        if text(chosen) != "Run All Cells":
            raise AssertionError(f"the command palette offers {text(chosen)!r} first, not 'Run All Cells'")
        page.keyboard.press("Enter")
    else:
        page.locator(".lm-MenuBar-item", has=page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$"))).click()
        page.locator(
            ".lm-Menu-item:not(.lm-mod-disabled)",
            has=page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")),
        ).click()
    try:
        page.wait_for_function(
            f"""([prompts, errors, notebook]) => {{
                const texts = Array.from(document.querySelectorAll(prompts), p => p.textContent.trim());
                if (texts.some(t => t === '[*]:')) return false;           // still running or queued
                const failed = document.querySelector(`${{notebook}} :is(${{errors}})`) !== null;
                if (!failed && !texts.every(t => /^\\[\\d+\\]:$/.test(t))) return false;  // not all ran yet
                return ({_KERNEL_IDLE_JS})();
            }}""",
            arg=[_CODE_PROMPTS, _ERROR_SELECTOR, _NOTEBOOK],
            timeout=timeout,
            polling=100,
        )
    except Exception as error:
        raise AssertionError(f"Run All Cells did not finish: {_run_state(page)}") from error


def notebook_state(page: Page) -> dict:
    """The open notebook as JupyterLab holds it: ``active`` cell index, ``mode`` ("command" or "edit"),
    whether the active cell itself has the focus (``cell_focused``), and each cell's type and source (``cells``)."""
    return page.evaluate(
        f"""() => {{
            const notebook = ({_CURRENT_PANEL_JS})().content;
            const cell = notebook.activeCell;
            return {{active: notebook.activeCellIndex, mode: notebook.mode,
                     cell_focused: !!cell && document.activeElement === cell.node,
                     cells: notebook.model.sharedModel.cells.map(c => `${{c.cell_type}}: ${{c.getSource()}}`)}};
        }}"""
    )


def shut_down_kernel(page: Page) -> None:
    """Shut down the open notebook's kernel, so that notebooks opened one after another do not pile kernels up."""
    page.evaluate(f"async () => {{ const panel = ({_CURRENT_PANEL_JS})(); if (panel) await panel.sessionContext.shutdown(); }}")


def _run_state(page: Page) -> str:
    """The code cells' prompts and the kernel status, for failure messages."""
    prompts = page.locator(_CODE_PROMPTS).all_inner_texts()
    status = page.evaluate(
        f"() => {{ const p = ({_CURRENT_PANEL_JS})(); const k = p && p.sessionContext.session"
        f" && p.sessionContext.session.kernel; return k ? `${{k.connectionStatus}}/${{k.status}}` : 'no kernel'; }}"
    )
    return f"prompts {[p.strip() for p in prompts]}, kernel {status}"


def error_outputs(page: Page) -> list[str]:
    """The text of every stderr or error output in the open notebook, and of widgets that failed to show."""
    return page.evaluate(
        """([notebook, errors]) => {
            const found = Array.from(document.querySelectorAll(`${notebook} :is(${errors})`), e => e.innerText);
            for (const output of document.querySelectorAll(`${notebook} .jp-OutputArea-output`)) {
                if (output.innerText.includes('Error displaying widget')) found.push(output.innerText);
            }
            return found;
        }""",
        [_NOTEBOOK, _ERROR_SELECTOR],
    )


_SELECT_OPEN_JS = "s => { try { return s.matches(':open'); } catch (e) { return null; } }"  # null: no :open


def choose_by_keyboard(select: Locator, steps: int) -> None:
    """Move a <select> ``steps`` options down (negative: up) as a keyboard user does in JupyterLab."""
    # Plain arrows do not work: in command mode JupyterLab takes ArrowUp/ArrowDown (and letters) on a
    # focused <select> as notebook shortcuts and moves to another cell. Alt+ArrowDown opens the list,
    # the arrows move within it, and Enter chooses. Each step waits for the list to be open or shut,
    # so that no key reaches the closed <select> (and JupyterLab) on a slow machine.
    start = select.evaluate("s => s.selectedIndex")
    select.focus()
    select.press("Alt+ArrowDown")
    if select.evaluate(_SELECT_OPEN_JS) is not None:
        select.page.wait_for_function(f"s => ({_SELECT_OPEN_JS})(s)", arg=select.element_handle(), polling=50)
    for _ in range(abs(steps)):
        select.press("ArrowDown" if steps > 0 else "ArrowUp")
    select.press("Enter")
    select.page.wait_for_function(f"s => !({_SELECT_OPEN_JS})(s)", arg=select.element_handle(), polling=50)
    end = select.evaluate("s => s.selectedIndex")
    if end != start + steps:
        raise AssertionError(f"the keyboard moved the <select> from option {start} to {end}, not {start + steps}")


def options(select: Locator) -> list[str]:
    """The option labels of a <select>, in order, spaces normalised (ipywidgets writes no-break spaces)."""
    return [" ".join(label.split()) for label in select.locator("option").all_inner_texts()]


def choose_option(select: Locator, label: str) -> None:
    """Choose the option reading ``label`` in a <select> with the keyboard; nothing happens if it is chosen already."""
    labels = options(select)
    assert label in labels, f"{label!r} is not among {labels}"
    steps = labels.index(label) - select.evaluate("s => s.selectedIndex")
    if steps:
        choose_by_keyboard(select, steps)


def choose_neighbour(select: Locator) -> None:
    """Choose the next option of a <select> with the keyboard, or the one before if the last is chosen."""
    last = select.evaluate("s => s.selectedIndex === s.options.length - 1")
    choose_by_keyboard(select, -1 if last else 1)


def press_until(page: Page, key: str, reached: str, arg: Any = None, most: int = 40) -> int:
    """Press ``key`` until the JS predicate ``reached`` (called with the focused element and ``arg``) holds.

    Returns how many presses it took; fails after ``most`` presses, naming where the focus went.
    """
    test = f"([arg]) => ({reached})(document.activeElement, arg)"
    for presses in range(1, most + 1):
        page.keyboard.press(key)
        if page.evaluate(test, [arg]):
            return presses
    where = page.evaluate("() => { const e = document.activeElement; return e ? e.outerHTML.slice(0, 200) : null; }")
    raise AssertionError(f"{most} presses of {key} did not reach the element; the focus is on {where}")


def toggle_by_keyboard(box: Locator) -> bool:
    """Tick or untick a checkbox with Space as a keyboard user does; wait for the flip; return whether it is ticked."""
    was = box.is_checked()
    box.focus()
    box.page.keyboard.press("Space")
    box.page.wait_for_function("([el, was]) => el.checked !== was", arg=[box.element_handle(), was], polling=50)
    return not was


def widget(page: Page, selector: str) -> Locator:
    """The first element matching ``selector`` (a course widget's root), once visible and scrolled into view."""
    root = page.locator(selector).first
    root.wait_for(state="visible")  # widgets render after their cell has run
    root.scroll_into_view_if_needed()
    return root


def labelled(root: Locator, kind: str, label: str) -> Locator:
    """The widget of class ``widget-<kind>`` in ``root`` whose description label reads ``label`` exactly."""
    return root.locator(f".widget-{kind}", has=root.page.locator("label", has_text=re.compile(f"^{re.escape(label)}$")))


def dropdown(root: Locator, label: str) -> Locator:
    """The <select> of the Dropdown in ``root`` labelled ``label``."""
    return labelled(root, "dropdown", label).locator("select")


def checkbox(root: Locator, name: str) -> Locator:
    """The checkbox in ``root`` whose label reads ``name`` exactly."""
    return root.get_by_role("checkbox", name=re.compile(rf"^\s*{re.escape(name)}\s*$"))


def button(root: Locator, name: str) -> Locator:
    """The button in ``root`` named ``name`` (its accessible name may start with an icon glyph)."""
    return root.get_by_role("button", name=re.compile(rf"^\W*{re.escape(name)}$"))


def text(element: Locator) -> str:
    """The element's text as shown, with runs of spaces, line breaks and no-break spaces made one space."""
    return " ".join(element.inner_text().split())


def _settled(
    page: Page, read: Callable[[], T], ready: Callable[[T], bool], settle_ms: int, timeout: float, what: str
) -> T:
    """``read()`` once it is ``ready``, unchanged for ``settle_ms`` and the kernel idle; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    last, since = read(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now = read()
        if now != last:
            last, since = now, time.monotonic()
        elif (time.monotonic() - since) * 1000 >= settle_ms and ready(last):
            wait_kernel_idle(page)
            if read() == last:
                return last
    raise AssertionError(f"{what} kept changing (or never showed) for {timeout} s; last read: {str(last)[:400]!r}")


def settled_text(
    element: Locator, read: Callable[[Locator], str] = text, settle_ms: int = 100, timeout: float = 15.0
) -> str:
    """``read(element)`` once it is not empty, has not changed for ``settle_ms`` and the kernel is idle."""
    return _settled(element.page, lambda: read(element), bool, settle_ms, timeout, "the text")


def wait_for_change(
    element: Locator,
    before: str | None,
    matches: Callable[[str], bool] = lambda text: True,
    read: Callable[[Locator], str] = text,
    timeout: float = 15.0,
) -> str:
    """Wait until ``read(element)`` differs from ``before`` (None: any) and passes ``matches``; return it settled."""
    deadline = time.monotonic() + timeout
    wanted = lambda text: (before is None or text != before) and matches(text)  # noqa: E731
    now = read(element)
    while time.monotonic() < deadline:
        if wanted(now):
            now = settled_text(element, read, timeout=max(deadline - time.monotonic(), 5.0))
            if wanted(now):  # still wanted once it stopped changing
                return now
        time.sleep(0.05)
        now = read(element)
    raise AssertionError(
        f"the text did not change as expected within {timeout} s\n"
        f"  before: {(before or '')[:400]!r}\n  now:    {now[:400]!r}"
    )


_FETCH_IMAGE = """async (element) => {
    const img = element.tagName === 'IMG' ? element : element.querySelector('img');
    if (img === null || !img.getAttribute('src')) return null;
    const src = img.src;
    try {
        const buffer = new Uint8Array(await (await fetch(src)).arrayBuffer());
        let binary = '';
        for (let i = 0; i < buffer.length; i += 0x8000) {
            binary += String.fromCharCode.apply(null, buffer.subarray(i, i + 0x8000));
        }
        return {src, data: btoa(binary)};
    } catch (error) {
        return {src, data: null};  // a blob: URL revoked because the widget redrew meanwhile
    }
}"""


def image_bytes(locator: Locator, attempts: int = 5) -> bytes:
    """The bytes an <img> shows (the locator, or the first <img> in it), fetched from its blob: src."""
    for _ in range(attempts):
        result = locator.evaluate(_FETCH_IMAGE)
        if result is None:
            raise AssertionError("no <img> with a src in the widget")
        if result["data"] is not None:
            return base64.b64decode(result["data"])
        time.sleep(0.05)
    raise AssertionError(f"could not fetch the image at {result['src']}")


@dataclass(frozen=True)
class FigureState:
    """What a course figure shows at one moment: the image's src and bytes, and the text alternative."""

    src: str
    png: bytes
    text: str

    @property
    def digest(self) -> str:
        """A short SHA-256 of the image bytes, for messages."""
        return hashlib.sha256(self.png).hexdigest()[:16]


def figure(root: Locator) -> Locator:
    """The figure image of a course widget: the element with class oud-figure (or the <img> inside it)."""
    return root.locator("img.oud-figure, .oud-figure img").first


def text_alternative(root: Locator) -> Locator:
    """The text alternative of a course widget's figure."""
    return root.locator(".oud-text-alternative").first


def _snapshot(root: Locator) -> tuple[str, str]:
    """The figure's src and the text alternative's text, read together."""
    return tuple(
        root.evaluate(
            """(root) => {
                const img = root.querySelector('img.oud-figure, .oud-figure img');
                const text = root.querySelector('.oud-text-alternative');
                return [img ? img.src : '', text ? text.innerText : ''];
            }"""
        )
    )


def figure_state(root: Locator, settle_ms: int = 300, timeout: float = 30.0) -> FigureState:
    """The widget's figure once it has stopped changing for ``settle_ms`` and the kernel is idle."""
    has_image = lambda snapshot: bool(snapshot[0])  # noqa: E731
    src, words = _settled(root.page, lambda: _snapshot(root), has_image, settle_ms, timeout, "the figure")
    return FigureState(src=src, png=image_bytes(figure(root)), text=words)


def wait_for_figure_change(
    root: Locator,
    before: FigureState,
    text_matches: Callable[[str], bool] = lambda text: True,
    timeout: float = 30.0,
) -> FigureState:
    """The settled new state once the image src and the text both changed and ``text_matches`` the text."""
    deadline = time.monotonic() + timeout
    src, text = _snapshot(root)
    while time.monotonic() < deadline:
        if src != before.src and text != before.text and text_matches(text):
            return figure_state(root)
        time.sleep(0.05)
        src, text = _snapshot(root)
    raise AssertionError(
        f"the figure did not change as expected within {timeout} s\n"
        f"  src changed: {src != before.src}\n  text before: {before.text!r}\n  text now:    {text!r}"
    )


def assert_redrawn(before: FigureState, after: FigureState) -> None:
    """The figure is a PNG, and its bytes and its text alternative both differ from ``before``."""
    assert after.png[:8] == b"\x89PNG\r\n\x1a\n", "the figure is not a PNG"
    assert after.png != before.png, f"the figure's bytes did not change (sha256 {after.digest})"
    assert after.text != before.text, "the text alternative did not change"


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as test-artifacts/<name>.png (name made file-safe); returns its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / (re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") + ".png")
    page.screenshot(path=str(path), full_page=True)
    return path
