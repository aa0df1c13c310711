"""The browser-test machinery on its own: JupyterLab runs a widget notebook and the keyboard drives it."""

from __future__ import annotations

import re

import lab
import pytest

pytestmark = pytest.mark.browser

SMOKE_CELL = """\
import ipywidgets as widgets

slider = widgets.IntSlider(value=3, min=0, max=10, description="Amount:")
label = widgets.Label(value="value is 3")
label.add_class("smoke-echo")
slider.observe(lambda change: setattr(label, "value", f"value is {change['new']}"), "value")
widgets.VBox([slider, label])
"""


def test_keyboard_moves_slider_and_label_echoes_it(lab_server, page):
    """Does a widget notebook run in JupyterLab, and does ArrowRight on the slider update the label from the kernel?"""
    lab.write_notebook(lab_server.root / "smoke" / "slider.ipynb", SMOKE_CELL)
    lab.open_notebook(page, lab_server, "smoke/slider.ipynb")
    lab.run_all_cells(page)
    assert lab.error_outputs(page) == []

    echo = page.locator(".smoke-echo")
    echo.wait_for(state="visible")
    assert echo.inner_text().strip() == "value is 3"

    handle = page.locator(".widget-slider").get_by_role("slider")
    handle.focus()
    for _ in range(2):
        handle.press("ArrowRight")
    page.wait_for_function(
        "el => el.innerText.trim() === 'value is 5'", arg=echo.element_handle(), timeout=lab.DEFAULT_TIMEOUT_MS
    )
    assert re.fullmatch(r"value is 5", echo.inner_text().strip())
