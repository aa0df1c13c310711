"""What several widgets share: when their observers may draw, checks of their traits, and a group + item picker."""

from __future__ import annotations

from collections.abc import Collection

import ipywidgets as widgets


class Ready:
    """A widget whose observers draw only once its constructor has built what they draw.

    The constructor sets ``self._ready = True`` once the figure or table exists, then draws the first picture itself.
    """

    _ready = False  # observers fire while the constructor sets traits, before what they draw exists


def one_of(name: str, value, known: Collection, empty_ok: bool = False):
    """``value`` if it is in ``known`` (or is ``""`` where ``empty_ok``); else a ValueError naming trait ``name``."""
    if value in known or (empty_ok and value == ""):
        return value
    choices = f"'' or one of {sorted(known)}" if empty_ok else f"one of {sorted(known)}"
    raise ValueError(f"{name} must be {choices}, not {value!r}")


def between(name: str, value: int, low: int, high: int) -> int:
    """``value`` if ``low <= value <= high``; else a ValueError naming trait ``name``."""
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}")
    return value


class GroupedItems(Ready):
    """One item of one group on show: a group trait, an item trait (the item's 0-based index in the group), and a
    dropdown listing the group's items, in step with the item trait.

    The widget declares and validates both traits, calls :meth:`_follow` in its constructor, and provides
    ``_show_group()`` (whatever a new group redraws, including :meth:`_fill_items`) and ``_highlight()`` (draws
    the item on show and picks it in the dropdown). A new group starts at its first item.
    """

    _filling = False

    def _follow(self, group: str, item: str, dropdown: widgets.Dropdown) -> None:
        """Redraw when ``group`` or ``item`` changes (once ready), and make a pick in ``dropdown`` set ``item``."""
        self._item_trait, self._item_dropdown = item, dropdown
        self.observe(self._on_group, group)
        self.observe(self._on_item, item)
        dropdown.observe(self._on_pick, "index")

    def _fill_items(self, labels: list[str]) -> None:
        """List ``labels`` in the dropdown; its own index changes meanwhile are not choices."""
        self._filling = True
        try:
            self._item_dropdown.options = labels
        finally:
            self._filling = False

    def _on_group(self, change) -> None:
        if change["old"] == change["new"] or not self._ready:
            return
        self._show_group()
        if getattr(self, self._item_trait) == 0:
            self._highlight()  # the item did not change, so its observer will not redraw
        else:
            setattr(self, self._item_trait, 0)

    def _on_item(self, change) -> None:
        if self._ready:
            self._highlight()

    def _on_pick(self, change) -> None:
        if change["new"] is not None and not self._filling:  # new options briefly leave nothing picked
            setattr(self, self._item_trait, change["new"])

    def _show_group(self) -> None:
        raise NotImplementedError

    def _highlight(self) -> None:
        raise NotImplementedError
