"""Keyboard use of the course's widgets: a focus ring a learner can see on whichever control has the focus."""

from __future__ import annotations

import ipywidgets as widgets

# ipywidgets marks a focused button with a 1-pixel light blue line (1.9:1 on its grey) and a focused
# drop-down menu only by its border colour. The ring is 3 px in JupyterLab's own focus colour (4.6:1 on
# the light theme's white), drawn 2 px outside the control so it sits on the page whatever the control's
# colours; :focus-visible shows it for the keyboard, not for mouse clicks.
FOCUS_RING_CSS = (
    ".oud-widget :focus-visible {"
    " outline: 3px solid var(--jp-brand-color1, #1976D2) !important;"
    " outline-offset: 2px !important; }"
)


def show_keyboard_focus(root: widgets.Box) -> None:
    """Mark ``root`` as a course widget and add the (invisible) style sheet that rings its focused control."""
    root.add_class("oud-widget")
    sheet = widgets.HTML(f"<style>{FOCUS_RING_CSS}</style>", layout=widgets.Layout(display="none"))
    sheet.add_class("oud-focus-ring")
    root.children = (*root.children, sheet)
