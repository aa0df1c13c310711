"""StampedText: a text drawn from a saved picture of itself looks like the text, and is rendered once per look."""

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from oud_course.widgets._stamped_text import StampedText

LOOKS = [
    {},
    {"ha": "right", "va": "center", "color": "#C25500"},
    {"fontweight": "bold", "bbox": {"boxstyle": "square,pad=0.1", "facecolor": "#F0E442", "edgecolor": "none"}},
]


def drawn(cls, **look) -> np.ndarray:
    """The pixels of a small figure with a grid and one two-line text of class ``cls`` on it."""
    figure = Figure(figsize=(3, 1.2), dpi=80)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.1, 0.1, 0.8, 0.8))
    axes.grid(True)
    axes.add_artist(cls(0.45, 0.5, "Short-acting opioids\nClinical review (2017)", fontsize=8, clip_on=False, **look))
    figure.canvas.draw()
    return np.asarray(figure.canvas.buffer_rgba())[..., :3].astype(int)


def ink(pixels: np.ndarray, background: np.ndarray) -> tuple[np.ndarray, float]:
    """Where ``pixels`` differ from ``background`` (rows and columns of the box round them) and how much in all."""
    changed = np.abs(pixels - background).sum(axis=-1)
    rows, columns = np.nonzero(changed)
    return np.array([rows.min(), rows.max(), columns.min(), columns.max()]), changed.sum()


@pytest.mark.parametrize("look", LOOKS)
def test_stamp_puts_the_same_ink_where_the_text_would(look):
    """Does a stamped text cover the same box as the plain text (to a pixel) with about the same amount of ink?"""
    background = drawn(Text, **{**look, "visible": False})
    plain_box, plain_ink = ink(drawn(Text, **look), background)
    stamped_box, stamped_ink = ink(drawn(StampedText, **look), background)
    assert np.abs(stamped_box - plain_box).max() <= 1
    assert stamped_ink == pytest.approx(plain_ink, rel=0.05)


def test_each_look_is_rendered_once(monkeypatch):
    """Is a text rendered once per look, reused when drawn again or moved, and rendered anew for a new wording?"""
    figure = Figure(figsize=(3, 1.2), dpi=80)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.1, 0.1, 0.8, 0.8))
    text = axes.add_artist(StampedText(0.2, 0.5, "3", fontsize=8))
    rendered = []
    render = text._render
    monkeypatch.setattr(text, "_render", lambda dpi: rendered.append(text.get_text()) or render(dpi))
    figure.canvas.draw()
    text.set_position((0.6, 0.3))
    figure.canvas.draw()
    text.set_text("4")
    figure.canvas.draw()
    text.set_text("3")
    figure.canvas.draw()
    assert rendered == ["3", "4"]
