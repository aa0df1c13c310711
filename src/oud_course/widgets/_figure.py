"""A matplotlib figure shown as a PNG image widget, with a text alternative that changes with it."""

from __future__ import annotations

import html
from collections import OrderedDict
from collections.abc import Hashable
from io import BytesIO

import ipywidgets as widgets
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

# Okabe-Ito hues, darkened in CIELAB (hue kept) to meet WCAG contrast where used (tests/test_accessibility_colours.py).
# Orange, vermillion and purple are both text and lines on white and fills under black labels, so each sits at
# relative luminance 0.18, where both pairs reach 4.5:1. Sky and yellow (under 3:1 on white) are for fills with an
# edge or a label only. Orange and vermillion look alike with red-green colour blindness: figures that show both
# must also tell them apart by line style, hatch or a label.
PALETTE = {
    "blue": "#0072B2",  # 5.2:1 on white
    "orange": "#9E6C02",  # Okabe-Ito #E69F00; 4.6:1 on white, black on it 4.6:1
    "green": "#006649",  # Okabe-Ito #009E73; 7.0:1 on white
    "vermillion": "#C25500",  # Okabe-Ito #D55E00; 4.6:1 on white, black on it 4.6:1
    "purple": "#AB5B88",  # Okabe-Ito #CC79A7; 4.6:1 on white, black on it 4.6:1
    "sky": "#56B4E9",  # fills only
    "yellow": "#F0E442",  # fills only
    "black": "#000000",
    "grey": "#6B6B6B",  # 5.3:1 on white
    "highlight": "#FCD68A",  # pale orange for a lit box: black text on it 14:1, always with a black edge
}

# A full-size background is about 1 MB of RGBA; a few cover every widget's static states.
_BACKGROUNDS_KEPT = 6


def encode_png(canvas: FigureCanvasAgg) -> bytes:
    """The canvas's pixels as PNG bytes: fast compression, no timestamp, so equal pictures give equal bytes."""
    width, height = canvas.get_width_height(physical=True)
    picture = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = BytesIO()
    picture.save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


class FigureView(widgets.VBox):
    """One matplotlib figure drawn without pyplot and shown as PNG bytes, plus its words.

    Callers change the figure's artists, then call :meth:`show` with the text alternative.
    Drawing without pyplot keeps figures out of the inline backend and out of memory leaks.

    A widget whose changes move only a few artists marks them with :meth:`animate` and names the
    state of everything else with ``show(..., background=key)``: the rest is drawn once per key
    and reused (Agg blitting), which makes a redraw several times faster than drawing it all.
    """

    def __init__(self, figsize: tuple[float, float] = (7.0, 4.0), dpi: int = 80, label: str = "Figure"):
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        FigureCanvasAgg(self.figure)
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", height="auto"))
        self.image.add_class("oud-figure")
        self.text_alternative = widgets.HTML(layout=widgets.Layout(max_width="46em"))
        self.text_alternative.add_class("oud-text-alternative")
        self._label = label
        self._moving: list[Artist] = []
        self._backgrounds: OrderedDict[Hashable, object] = OrderedDict()
        self.full_draws = 0  # how often everything was drawn: tests check constructors draw once
        super().__init__([self.image, self.text_alternative])

    def animate(self, *artists: Artist) -> None:
        """Mark ``artists`` as the ones that change; they are drawn over a saved background."""
        for artist in artists:
            artist.set_animated(True)
            self._moving.append(artist)
        self._moving.sort(key=lambda artist: artist.get_zorder())

    def render_png(self, background: Hashable | None = None) -> bytes:
        """Return the figure as PNG bytes.

        With animated artists and a ``background`` key, the static layer is drawn only the first
        time that key is seen; ``None`` means the static layer may have changed, so draw it again.
        """
        canvas = self.figure.canvas
        saved = self._backgrounds.get(background) if background is not None else None
        if saved is None:
            self._draw_everything_static()
            if self._moving and background is not None:
                self._backgrounds[background] = canvas.copy_from_bbox(self.figure.bbox)
                while len(self._backgrounds) > _BACKGROUNDS_KEPT:
                    self._backgrounds.popitem(last=False)
        else:
            self._backgrounds.move_to_end(background)
            canvas.restore_region(saved)
        for artist in self._moving:
            if artist.get_visible():
                self.figure.draw_artist(artist)
        return encode_png(canvas)

    def _draw_everything_static(self) -> None:
        self.figure.canvas.draw()  # animated artists are skipped here and drawn on top afterwards
        self.full_draws += 1
        if self._moving:
            # Saved backgrounds must line up with artists drawn later: lay the figure out once, then keep it.
            self.figure.set_layout_engine("none")

    def show(self, description: str, background: Hashable | None = None) -> None:
        """Redraw the image and replace the text alternative with ``description``."""
        self.image.value = self.render_png(background)
        self.text_alternative.value = (
            f'<p role="status" aria-live="polite"><b>{html.escape(self._label)}, in words:</b> '
            f"{html.escape(description)}</p>"
        )
