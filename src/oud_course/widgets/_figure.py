"""A matplotlib figure shown as a PNG image widget, with a text alternative that changes with it."""

from __future__ import annotations

import html
from io import BytesIO

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

# Okabe-Ito colours: distinguishable with the common forms of colour blindness.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
    "grey": "#6B6B6B",
}


class FigureView(widgets.VBox):
    """One matplotlib figure drawn without pyplot and shown as PNG bytes, plus its words.

    Callers change the figure's artists, then call :meth:`show` with the text alternative.
    Drawing without pyplot keeps figures out of the inline backend and out of memory leaks.
    """

    def __init__(self, figsize: tuple[float, float] = (7.0, 4.0), dpi: int = 80, label: str = "Figure"):
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        FigureCanvasAgg(self.figure)
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", height="auto"))
        self.image.add_class("oud-figure")
        self.text_alternative = widgets.HTML(layout=widgets.Layout(max_width="46em"))
        self.text_alternative.add_class("oud-text-alternative")
        self._label = label
        super().__init__([self.image, self.text_alternative])

    def render_png(self) -> bytes:
        """Return the figure as PNG bytes (no timestamp, so equal figures give equal bytes)."""
        buffer = BytesIO()
        self.figure.savefig(buffer, format="png", metadata={"Software": None})
        return buffer.getvalue()

    def show(self, description: str) -> None:
        """Redraw the image and replace the text alternative with ``description``."""
        self.image.value = self.render_png()
        self.text_alternative.value = (
            f'<p role="status" aria-live="polite"><b>{html.escape(self._label)}, in words:</b> '
            f"{html.escape(description)}</p>"
        )
