"""Keyboard use of the course's widgets: a focus ring a learner can see on whichever control has the focus."""

from __future__ import annotations

import ipywidgets as widgets

# ipywidgets marks a focused button with a 1-pixel light blue line (1.9:1 on its grey) and a focused
# drop-down menu only by its border colour. The ring is 2 px in JupyterLab's own focus colour (4.6:1 on
# the light theme's white) just outside the control: ipywidgets leaves 2 px round each control, and its
# boxes hide what overflows them, so a wider or farther ring would be cut off. A checkbox sits at the
# very edge of its label (which hides overflow too): 2 px of padding make room. :focus-visible shows the
# ring for the keyboard, not for mouse clicks.
FOCUS_RING_CSS = (
    ".oud-widget :focus-visible {"
    " outline: 2px solid var(--jp-brand-color1, #1976D2) !important;"
    " outline-offset: 0 !important; }"
    " .oud-widget .widget-label-basic { padding-left: 2px; }"
)


def show_keyboard_focus(root: widgets.Box) -> None:
    """Mark ``root`` as a course widget and add the (invisible) style sheet that rings its focused control."""
    root.add_class("oud-widget")
    sheet = widgets.HTML(f"<style>{FOCUS_RING_CSS}</style>", layout=widgets.Layout(display="none"))
    sheet.add_class("oud-focus-ring")
    root.children = (*root.children, sheet)
