"""The browser-test machinery on its own: JupyterLab runs a widget notebook and the keyboard drives it."""

from __future__ import annotations

import json
import re
import urllib.request

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


def test_server_uses_the_test_settings(lab_server):
    """Does the test server render every cell (windowing off) and stay quiet (no news, no update check)?"""

    def user_settings(plugin: str) -> dict:
        request = urllib.request.Request(
            f"{lab_server.url}/lab/api/settings/{plugin}", headers={"Authorization": f"token {lab_server.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)["settings"]

    assert user_settings("@jupyterlab/notebook-extension:tracker")["windowingMode"] == "none"
    notification = user_settings("@jupyterlab/apputils-extension:notification")
    assert notification["fetchNews"] == "false" and notification["checkForUpdates"] is False
