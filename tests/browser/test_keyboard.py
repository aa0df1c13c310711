"""Every course widget from the keyboard alone, in JupyterLab in headless chromium.

Each lesson that shows widgets is opened and run by keyboard (the command palette's Run All Cells).
From then on only ``page.keyboard`` acts: the arrow keys select a widget's cell, Tab and Shift+Tab
move the focus, Space and Enter press, the arrow keys move sliders and choose in drop-down menus,
Escape goes back to the notebook. No test clicks, fills, selects an option or dispatches an event on a
control: scripts in the page read what it shows, and none touches a control. The course's JupyterLab shortcut settings
(jupyter-config/lab/settings/overrides.d/oud-course.json5, installed with the package) are what let
the arrow keys and letters reach a focused control instead of moving between cells.
"""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import json5
import lab
import pytest
from course_tools import LESSONS

from oud_course.colours import GRAPHICS_CONTRAST, contrast_ratio
from oud_course.widgets import __all__ as WIDGET_NAMES

pytestmark = pytest.mark.browser

SETTINGS = lab.REPO / "jupyter-config/lab/settings/overrides.d/oud-course.json5"
SHORTCUTS_PLUGIN = "@jupyterlab/shortcuts-extension:shortcuts"


def _widget_calls(notebook: Path) -> list[str]:
    """The course widgets a notebook shows, one per code cell that calls one, in order."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    calls = [re.match(r"\s*(\w+)\(", "".join(c["source"])) for c in cells if c["cell_type"] == "code"]
    return [call.group(1) for call in calls if call and call.group(1) in WIDGET_NAMES]


WIDGET_LESSONS = {path.relative_to(lab.REPO).as_posix(): _widget_calls(path) for path in LESSONS}
WIDGET_LESSONS = {relpath: calls for relpath, calls in WIDGET_LESSONS.items() if calls}

# What Tab can stop on inside a widget (scripts only read this list).
_TABBABLES = """(root) => Array.from(root.querySelectorAll(
        'button, select, input, textarea, a[href], summary, [tabindex], [contenteditable="true"]'))
    .filter(e => !e.disabled && e.tabIndex >= 0 && e.getClientRects().length > 0)"""
_STOP = f"(root) => ({_TABBABLES})(root).indexOf(document.activeElement)"  # -1: the focus is not on a control of root
_KIND = """(e) => {
    if (e.tagName === 'SELECT') return 'menu';
    if (e.tagName === 'INPUT' && e.type === 'checkbox') return 'checkbox';
    if (e.classList.contains('noUi-handle')) return 'slider';
    if (e.classList.contains('widget-readout')) return 'readout';
    if (e.tagName === 'SUMMARY') return 'summary';
    if (e.tagName === 'BUTTON' && e.closest('.widget-toggle-buttons')) return 'choice';
    if (e.tagName === 'BUTTON' && e.classList.contains('widget-toggle-button')) return 'toggle';
    if (e.tagName === 'BUTTON') return 'button';
    if (e.tagName === 'A') return 'link';
    return 'other ' + e.outerHTML.slice(0, 80);
}"""
_CONTROL = f"""() => {{
    const e = document.activeElement;
    const kind = ({_KIND})(e);
    const owner = e.closest('.jupyter-widgets');
    const box = e.closest('label') || (owner && owner.querySelector('label'));
    const name = kind === 'checkbox' && box ? box.innerText
        : e.tagName === 'BUTTON' || !box ? e.innerText || e.title || '' : box.innerText;
    const slider = e.closest('.widget-slider, .jupyter-widget-slider');
    const handle = slider && slider.querySelector('.noUi-handle');
    return {{kind: kind, name: name.trim(), index: e.selectedIndex, last: e.options ? e.options.length - 1 : null,
             checked: e.checked, pressed: e.classList.contains('mod-active'),
             open: e.tagName === 'SUMMARY' ? e.parentElement.open : null,
             value: handle && handle.getAttribute('aria-valuenow'), min: handle && handle.getAttribute('aria-valuemin'),
             max: handle && handle.getAttribute('aria-valuemax'),
             readout: slider && slider.querySelector('.widget-readout').innerText.trim()}};
}}"""
# What a widget shows: its figures, their text alternatives, and its other HTML outputs.
_SHOWS = """(root) => JSON.stringify({
    images: Array.from(root.querySelectorAll('img'), i => i.src),
    words: Array.from(root.querySelectorAll('.oud-text-alternative'), e => e.innerText),
    html: Array.from(root.querySelectorAll('.widget-html:not(.oud-text-alternative):not(.oud-focus-ring)'),
                     e => e.innerText)})"""
_RING = """(e) => {
    const style = getComputedStyle(e);
    let background = 'rgb(255, 255, 255)';
    for (let up = e.parentElement; up; up = up.parentElement) {  // the ring is drawn outside the element
        const colour = getComputedStyle(up).backgroundColor;
        if (colour && colour !== 'transparent' && colour !== 'rgba(0, 0, 0, 0)') { background = colour; break; }
    }
    // Boxes that hide what overflows them cut off a ring that reaches past their inside edge.
    const reach = parseFloat(style.outlineOffset) + parseFloat(style.outlineWidth);
    const r = e.getBoundingClientRect();
    const cut = [];
    for (let up = e.parentElement; up && !up.classList.contains('jp-Cell'); up = up.parentElement) {
        const box = getComputedStyle(up);
        const b = up.getBoundingClientRect();
        const [left, right] = [b.left + parseFloat(box.borderLeftWidth), b.right - parseFloat(box.borderRightWidth)];
        const [top, bottom] = [b.top + parseFloat(box.borderTopWidth), b.bottom - parseFloat(box.borderBottomWidth)];
        if ((box.overflowX !== 'visible' && (r.left - reach < left - 0.5 || r.right + reach > right + 0.5))
            || (box.overflowY !== 'visible' && (r.top - reach < top - 0.5 || r.bottom + reach > bottom + 0.5)))
            cut.push(up.className);
    }
    return {visible: e.matches(':focus-visible'), style: style.outlineStyle, width: parseFloat(style.outlineWidth),
            colour: style.outlineColor, background: background, cut: cut};
}"""
_IN_ROOT = "(e, root) => root.contains(e) && e !== root"
OWN_TEST = ".oud-myth-or-fact"  # its buttons enable and disable one another: test_myth_or_fact_round_from_the_keyboard


def shows(root) -> str:
    return root.evaluate(_SHOWS)


def effect(before: str, figure: bool, strict: bool = True):
    """A test for what a widget shows after a change: a figure widget redraws an image and rewrites a text
    alternative; a widget of text and tables rewrites some of its words. Not ``strict``: anything changes."""
    old = json.loads(before)

    def changed(now_text: str) -> bool:
        now = json.loads(now_text)
        if not strict:
            return now != old
        if figure:
            return now["images"] != old["images"] and now["words"] != old["words"]
        return now["words"] != old["words"] or now["html"] != old["html"]
    return changed


def wait_for_effect(root, before: str, what: str, strict: bool = True) -> str:
    """What the widget shows once it answered the key just pressed (fails, saying ``what``, if it did not)."""
    figure = root.locator("img.oud-figure, .oud-figure img").count() > 0
    try:
        return lab.wait_for_change(root, before, effect(before, figure, strict), read=shows)
    except AssertionError as error:
        wanted = "change" if not strict else "redraw" if figure else "change its words"
        raise AssertionError(f"{what}: the widget did not {wanted}") from error


def control(page) -> dict:
    """The focused control: its kind, its label, and the state a key can change."""
    return page.evaluate(_CONTROL)


def stop(root) -> int:
    """Which of the widget's controls has the focus (its place in Tab order), or -1."""
    return root.evaluate(_STOP)


def widget_roots(page) -> list:
    """The course widgets on the page, in notebook order."""
    roots = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .oud-widget")
    roots.first.wait_for(state="visible")
    return [roots.nth(i) for i in range(roots.count())]


def cell_of(root) -> int:
    """The index of the notebook cell showing ``root``."""
    return root.evaluate("(root) => Array.from(root.closest('.jp-Notebook').querySelectorAll('.jp-Cell'))"
                         ".indexOf(root.closest('.jp-Cell'))")


def go_to_cell(page, index: int) -> None:
    """Make cell ``index`` the active cell with the arrow keys, as in command mode (Escape first if need be)."""
    if not lab.notebook_state(page)["cell_focused"]:
        page.keyboard.press("Escape")  # out of a widget control (the course's shortcut) or out of the editor
    state = lab.notebook_state(page)
    assert state["cell_focused"] and state["mode"] == "command", f"Escape did not return to the notebook: {state}"
    for _ in range(abs(index - state["active"])):
        page.keyboard.press("ArrowDown" if index > state["active"] else "ArrowUp")
    assert lab.notebook_state(page)["active"] == index


def enter(root) -> int:
    """From the widget's cell, Tab into the widget; return how many presses it took."""
    go_to_cell(root.page, cell_of(root))
    return lab.press_until(root.page, "Tab", _IN_ROOT, root.element_handle(), most=15)


def assert_ring(page, where: str) -> None:
    """The focused element shows a focus ring: an outline at least 2 px wide and 3:1 against what is behind it
    (or the browser's own focus ring, outline-style auto), which no box around it cuts off."""
    ring = page.evaluate(f"() => ({_RING})(document.activeElement)")
    assert ring["visible"], f"{where}: the focus is not :focus-visible"
    assert ring["style"] not in ("none", "hidden"), f"{where}: no focus outline ({ring})"
    if ring["style"] != "auto":
        ratio = contrast_ratio(ring["colour"], ring["background"])
        assert ring["width"] >= 2 and ratio >= GRAPHICS_CONTRAST, f"{where}: a faint focus ring ({ring}, {ratio:.2f}:1)"
    assert not ring["cut"], f"{where}: the focus ring is cut off by {ring['cut']}"


@pytest.fixture(scope="module", params=sorted(WIDGET_LESSONS), ids=lambda relpath: Path(relpath).stem)
def lesson(request: pytest.FixtureRequest, browser, lab_server):
    """A page with one lesson open and run by keyboard, shared by this module's tests of that lesson (conftest's
    ``lesson``, for every lesson with widgets in turn; its autouse fixture screenshots failures)."""
    page = lab.new_page(browser)
    try:
        lab.open_notebook(page, lab_server, request.param)
        lab.run_all_cells(page, by_keyboard=True)
        assert lab.error_outputs(page) == []
    except Exception:
        lab.screenshot(page, f"keyboard-{Path(request.param).stem}-setup")
        page.context.close()
        raise
    yield page
    lab.shut_down_kernel(page)
    page.context.close()


def test_every_course_widget_is_in_a_lesson_tested_here():
    """Does some lesson tested here show each widget of oud_course.widgets (so a new widget cannot go untested)?"""
    shown = {name for calls in WIDGET_LESSONS.values() for name in calls}
    assert shown == set(WIDGET_NAMES), f"no lesson shows {sorted(set(WIDGET_NAMES) - shown)}"


def test_the_lab_serves_the_course_shortcuts(lab_server):
    """Does the JupyterLab under test run with the course's keyboard shortcuts, as installed with the package?"""
    request = urllib.request.Request(f"{lab_server.url}/lab/api/settings/{SHORTCUTS_PLUGIN}",
                                     headers={"Authorization": f"token {lab_server.token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        served = json.load(response)["schema"]["properties"]["shortcuts"]["default"]
    wanted = json5.loads(SETTINGS.read_text(encoding="utf-8"))[SHORTCUTS_PLUGIN]["shortcuts"]
    missing = [s for s in wanted if s not in served]
    assert not missing, (f"JupyterLab does not serve {len(missing)} of the course's shortcuts, such as {missing[0]}: "
                         "reinstall the course (`make test` does) so that share/jupyter/lab/settings/overrides.d has "
                         f"the current {SETTINGS.name}")


def test_tab_reaches_every_control_with_a_visible_focus_ring(lesson):
    """From a widget's cell, does Tab reach the widget, stop on each of its controls in order with a focus ring
    one can see, and does Shift+Tab walk back to the first control?"""
    for root in widget_roots(lesson):
        enter(root)
        controls = root.evaluate(f"(root) => ({_TABBABLES})(root).length")
        assert controls > 0 and stop(root) == 0, "Tab did not arrive at the widget's first control"
        for place in range(controls):
            if place:
                lesson.keyboard.press("Tab")
            found = control(lesson)
            assert stop(root) == place, f"Tab skipped or repeated a control before {found}"
            assert_ring(lesson, f"{found['kind']} {found['name']!r}")
        lesson.keyboard.press("Tab")
        assert stop(root) == -1, "Tab did not leave the widget after its last control"
        # Back in: the cell now active outside the widget may show its toolbar's buttons on the way.
        lab.press_until(lesson, "Shift+Tab", _IN_ROOT, root.element_handle(), most=15)
        for place in reversed(range(controls)):
            if place < controls - 1:
                lesson.keyboard.press("Shift+Tab")
            assert stop(root) == place, "Shift+Tab did not walk back through the controls in order"


def _menu(page, root, found: dict, opener: str | None) -> None:
    """Move a drop-down menu one option and back: plain arrow keys, or (with ``opener``) open the list, arrow, Enter.

    Going back must change what the widget shows, not necessarily redraw it: COWSScorer's "None: score it
    yourself" keeps the practice case's scores on the chart and only takes its story away.
    """
    name = found["name"]
    down = found["index"] < found["last"]
    for step, key in enumerate(("ArrowDown", "ArrowUp") if down else ("ArrowUp", "ArrowDown")):
        before, start = shows(root), control(page)["index"]
        if opener and step == 1:  # the way back through the opened list
            page.keyboard.press(opener)
            page.wait_for_function("() => document.activeElement.matches(':open')", polling=50)
            page.keyboard.press(key)
            page.keyboard.press("Enter")
            page.wait_for_function("() => !document.activeElement.matches(':open')", polling=50)
        else:
            page.keyboard.press(key)
        now = control(page)
        assert now["kind"] == "menu", f"{key} took the focus off menu {name!r} (to {now['kind']}): a notebook key?"
        moved = now["index"]
        assert moved == start + (1 if key == "ArrowDown" else -1), f"{key} left menu {name!r} at option {moved}"
        wait_for_effect(root, before, f"menu {name!r}, {opener + ' then ' if opener and step else ''}{key}",
                        strict=step == 0)


def _flip(page, root, found: dict, keys: tuple[str, str], state: str) -> None:
    """Press a checkbox or a toggle button twice (one key each), checking that it flips and the widget answers."""
    for key in keys:
        before, was = shows(root), control(page)[state]
        page.keyboard.press(key)
        page.wait_for_function(f"(was) => {{ const c = ({_CONTROL})(); return c.{state} !== was; }}", arg=was)
        wait_for_effect(root, before, f"{found['kind']} {found['name']!r}, {key}")


def _operate(page, root, found: dict, presses: int, menus: int, typed: str | None) -> None:
    """Use the focused control as a keyboard user would, and check that the widget answers each key.

    ``presses`` and ``menus`` count the buttons and menus used so far (to vary the keys); ``typed`` is what to
    type in a slider's number box (the number the slider showed before the last arrow key).
    """
    kind, name = found["kind"], found["name"]
    press = ("Enter", "Space")[presses % 2]  # buttons take both: use each in turn
    if kind == "menu":
        _menu(page, root, found, opener=(None, "Alt+ArrowDown", "Space")[min(menus, 2)])
    elif kind == "checkbox":
        _flip(page, root, found, ("Space", "Space"), "checked")
    elif kind == "toggle":
        _flip(page, root, found, ("Space", "Enter"), "pressed")
    elif kind == "choice" and not found["pressed"]:  # the chosen option of a group does nothing when pressed
        before = shows(root)
        page.keyboard.press(press)
        page.wait_for_function(f"() => ({_CONTROL})().pressed")
        wait_for_effect(root, before, f"option {name!r}, {press}")
    elif kind == "button":
        before = shows(root)
        page.keyboard.press(press)
        wait_for_effect(root, before, f"button {name!r}, {press}")
    elif kind == "slider":  # a step with an arrow key, then to both ends, ending where it did not start
        at_max = float(found["value"]) >= float(found["max"])
        for key in ("ArrowLeft", "End", "Home") if at_max else ("ArrowRight", "Home", "End"):
            before, was = shows(root), control(page)["value"]
            page.keyboard.press(key)
            page.wait_for_function(f"(was) => ({_CONTROL})().value !== was", arg=was)
            wait_for_effect(root, before, f"slider {name!r}, {key}")
            now = control(page)
            end = {"Home": "min", "End": "max"}.get(key)
            assert end is None or float(now["value"]) == float(now[end]), f"{key} left slider {name!r} at {now['value']}"
    elif kind == "readout" and typed is not None:  # type back the number the slider showed before its arrow key
        before = shows(root)
        page.keyboard.press("Control+A")
        page.keyboard.type(typed)
        page.keyboard.press("Enter")
        page.wait_for_function(f"(was) => ({_CONTROL})().value !== was", arg=found["value"])
        wait_for_effect(root, before, f"the number box of slider {name!r}, {typed} typed and Enter")
    elif kind == "summary":  # a table behind <details>: open it, then close it
        for _ in range(2):
            was = control(page)["open"]
            page.keyboard.press("Enter")
            page.wait_for_function(f"(was) => ({_CONTROL})().open !== was", arg=was)
    elif kind not in ("choice", "link"):
        raise AssertionError(f"no keyboard action known for {kind} {name!r}")


def test_every_control_works_from_the_keyboard(lesson):
    """Does each control of each widget, reached by Tab, do its job from the keyboard, with the figure redrawn
    and its words rewritten (or, in a widget of text, its words rewritten)?

    Menus move with the arrow keys (the first of a widget also through its list opened with Alt+Down, the
    second with Space), checkboxes flip with Space, toggle buttons with Space and Enter, buttons and options
    take Enter or Space, sliders an arrow key, Home and End, and the number box beside a slider a typed number
    and Enter.
    MythOrFact has its own test: its buttons enable and disable one another.
    """
    for root in widget_roots(lesson):
        if root.evaluate(f"(root) => root.matches({OWN_TEST!r})"):
            continue
        enter(root)
        controls = root.evaluate(f"(root) => ({_TABBABLES})(root).length")
        presses = menus = 0
        typed = None
        for place in range(controls):
            if place:
                lesson.keyboard.press("Tab")
            assert stop(root) == place, f"Tab did not reach control {place + 1} of {controls}"
            found = control(lesson)
            _operate(lesson, root, found, presses, menus, typed)
            assert stop(root) == place, f"{found['kind']} {found['name']!r} lost the focus when used"
            presses += found["kind"] in ("button", "choice")
            menus += found["kind"] == "menu"
            typed = found["readout"] if found["kind"] == "slider" else None


def test_escape_returns_to_the_notebook(lesson):
    """From a control inside a widget (and from an open menu list, after the Escape that closes it), does Escape
    put the focus back on the widget's cell in command mode, where the arrow keys move between cells again?"""
    for root in widget_roots(lesson):
        cell = cell_of(root)
        enter(root)
        if control(lesson)["kind"] == "menu":  # an open list first: Escape closes it, the next one leaves
            lesson.keyboard.press("Alt+ArrowDown")
            lesson.wait_for_function("() => document.activeElement.matches(':open')", polling=50)
            lesson.keyboard.press("Escape")
            lesson.wait_for_function("() => !document.activeElement.matches(':open')", polling=50)
            assert stop(root) == 0, "Escape on the open list did not leave the focus on its menu"
        lesson.keyboard.press("Escape")
        state = lab.notebook_state(lesson)
        assert (state["active"], state["mode"], state["cell_focused"]) == (cell, "command", True), state
        lesson.keyboard.press("ArrowDown")
        assert lab.notebook_state(lesson)["active"] == cell + 1, "ArrowDown after Escape did not move to the next cell"
        lesson.keyboard.press("ArrowUp")
        assert lab.notebook_state(lesson)["active"] == cell


def test_notebook_keys_stay_out_of_widget_controls(lesson):
    """With a widget control focused, do the notebook's command-mode keys (A and B add cells, D D deletes one,
    M makes it Markdown, the arrows move between cells, 0 0 restarts the kernel...) leave the notebook alone?"""
    keys = ["a", "b", "d", "d", "m", "y", "r", "x", "c", "v", "z", "Shift+M", "Shift+ArrowDown", "j", "k",
            "ArrowDown", "ArrowUp", "ArrowLeft", "ArrowRight", "o", "0", "0", "i", "i"]
    for root in widget_roots(lesson):
        enter(root)
        lesson.keyboard.press("Tab")  # the second control: a menu, a checkbox or a button, in every widget
        before, place = lab.notebook_state(lesson), stop(root)
        for key in keys:
            lesson.keyboard.press(key)
        lesson.wait_for_timeout(1200)  # past JupyterLab's wait for a chord's second key
        after = lab.notebook_state(lesson)
        assert after["cells"] == before["cells"], "a key changed the notebook's cells"
        assert after["active"] == before["active"] and stop(root) == place, "a key moved the focus out of the control"
        assert lesson.locator(".jp-Dialog").count() == 0, "a key opened a dialog (such as Restart Kernel)"


MYTHS = [p for p, calls in WIDGET_LESSONS.items() if "MythOrFact" in calls]


@pytest.mark.parametrize("lesson", MYTHS, indirect=True, ids=lambda relpath: Path(relpath).stem)
def test_myth_or_fact_round_from_the_keyboard(lesson):
    """In MythOrFact, does Enter on a verdict show the feedback and move the focus to Next statement, Space there
    show the next statement with the focus back on Myth, and, after the last, Start again go back to statement 1?"""
    root = lab.widget(lesson, OWN_TEST)
    enter(root)
    statement = root.locator(".oud-myth-statement")
    statements = int(re.search(r"of (\d+)", lab.text(statement)).group(1))
    if "Statement 1 of" not in lab.text(statement) or "you answered" in lab.text(root):
        lab.press_until(lesson, "Tab", "(e) => e.innerText.trim() === 'Start again'")
        before = shows(root)
        lesson.keyboard.press("Enter")
        wait_for_effect(root, before, "Start again")
        enter(root)
    for number in range(1, statements + 1):
        assert f"Statement {number} of" in lab.text(statement)
        assert control(lesson)["name"] == "Myth", f"statement {number}: the focus is not on Myth"
        verdict = ("Myth", "Fact", "Partly true")[number % 3]
        if verdict != "Myth":
            lab.press_until(lesson, "Tab", f"(e) => e.innerText.trim() === {verdict!r}", most=2)
        before = shows(root)
        lesson.keyboard.press("Enter")
        wait_for_effect(root, before, f"verdict {verdict}")
        assert re.search(r"(Right|Not quite): you answered", lab.text(root.locator(".oud-myth-feedback")))
        after = "Next statement" if number < statements else "Start again"
        lesson.wait_for_function(f"() => document.activeElement.innerText.trim() === {after!r}")
        assert_ring(lesson, after)
        if number < statements:
            before = shows(root)
            lesson.keyboard.press("Space")
            wait_for_effect(root, before, "Next statement")
            lesson.wait_for_function("() => document.activeElement.innerText.trim() === 'Myth'")
    before = shows(root)
    lesson.keyboard.press("Enter")
    wait_for_effect(root, before, "Start again")
    assert "Statement 1 of" in lab.text(statement) and "Score: 0 right out of 0" in lab.text(root)


def test_progress_link_downloads_by_keyboard(lab_server, page):
    """In the welcome lesson, do Tab and Enter alone save the progress file from the summary's download link?"""
    relpath = "notebooks/00-welcome.ipynb"
    lab.open_notebook(page, lab_server, relpath)
    try:
        lab.run_all_cells(page, by_keyboard=True)
        link = page.locator(".oud-progress-download a")
        link.wait_for(state="visible")
        go_to_cell(page, cell_of(link))
        lab.press_until(page, "Tab", "(e, link) => e === link", link.element_handle(), most=15)
        assert_ring(page, "the download link")
        with page.expect_download() as info:
            page.keyboard.press("Enter")
        assert info.value.suggested_filename == "oud-course-progress.json"
    finally:
        lab.shut_down_kernel(page)
