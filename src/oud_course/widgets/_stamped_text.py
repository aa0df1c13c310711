"""StampedText: a matplotlib Text rendered to pixels once per look, then stamped wherever it is drawn."""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
from matplotlib.artist import allow_rasterization
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.colors import to_rgba
from matplotlib.text import Text
from matplotlib.transforms import IdentityTransform

_PAD = 2  # pixels kept round the text, for antialiasing that reaches past its extent
_LOOKS_KEPT = 64  # pictures kept per text: a few KB each for a label, more for a long title


class StampedText(Text):
    """A Text drawn from a saved picture of itself: for texts that a blitted figure redraws on every change.

    Matplotlib lays out and renders text glyph by glyph on every draw, which makes a few labels the slowest part of
    redrawing a figure's animated artists. A StampedText renders each look it takes (wording, font, colour,
    alignment, box) once into a small transparent picture, then composites that picture at its anchor, snapped to
    a whole pixel. Use it for texts whose wording, position and visibility change but whose other properties are
    set once (path effects and font features are not part of a look).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._stamps: OrderedDict[tuple, tuple[np.ndarray, int, int]] = OrderedDict()

    def _look(self, dpi: float) -> tuple:
        """Everything that decides the picture's pixels, apart from where it goes."""
        box = self.get_bbox_patch()
        box_look = None if box is None else (str(box.get_boxstyle()), tuple(box.get_facecolor()),
                                             tuple(box.get_edgecolor()), box.get_linewidth())
        return (self.get_text(), self.get_fontproperties(), to_rgba(self.get_color(), self.get_alpha()),
                self.get_horizontalalignment(), self.get_verticalalignment(), self._get_multialignment(),
                self.get_rotation(), self.get_linespacing(), self.get_antialiased(), box_look, dpi)

    def _render(self, dpi: float) -> tuple[np.ndarray, int, int]:
        """This text drawn with its anchor at the origin: the RGBA picture and the offset of its lower-left corner."""
        copy = Text(0, 0, self.get_text())
        copy.update_from(self)  # the look; then drop what places and clips the original in its axes
        copy.set_transform(IdentityTransform())
        copy.set_clip_on(False)
        copy.set_figure(self.get_figure(root=True))
        box = self.get_bbox_patch()
        if box is not None:
            copy.set_bbox({"boxstyle": box.get_boxstyle(), "facecolor": box.get_facecolor(),
                           "edgecolor": box.get_edgecolor(), "linewidth": box.get_linewidth()})
        probe = RendererAgg(1, 1, dpi)
        extent = copy.get_window_extent(probe)
        if box is not None:
            copy.update_bbox_position_size(probe)
            extent = extent.union([extent, copy.get_bbox_patch().get_window_extent(probe)])
        left, bottom = math.floor(extent.x0) - _PAD, math.floor(extent.y0) - _PAD
        width, height = math.ceil(extent.x1) + _PAD - left, math.ceil(extent.y1) + _PAD - bottom
        renderer = RendererAgg(width, height, dpi)
        renderer.clear()  # transparent: only the text's own pixels are composited later
        copy.set_position((-left, -bottom))
        copy.draw(renderer)
        return np.asarray(renderer.buffer_rgba())[::-1].copy(), left, bottom

    @allow_rasterization
    def draw(self, renderer) -> None:
        if renderer is None or not self.get_visible() or not self.get_text():
            return
        look = self._look(renderer.dpi)
        stamp = self._stamps.get(look)
        if stamp is None:
            stamp = self._stamps[look] = self._render(renderer.dpi)
            while len(self._stamps) > _LOOKS_KEPT:
                self._stamps.popitem(last=False)
        else:
            self._stamps.move_to_end(look)
        picture, left, bottom = stamp
        x, y = self.get_transform().transform(self.get_unitless_position())
        gc = renderer.new_gc()
        self._set_gc_clip(gc)
        renderer.draw_image(gc, round(x) + left, round(y) + bottom, picture)
        gc.restore()
        self.stale = False
