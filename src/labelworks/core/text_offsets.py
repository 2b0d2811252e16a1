"""Character offsets in code points (Python's ``str`` indices, what Labelworks stores) and in UTF-16
code units (JavaScript's string indices, what Ground Truth's browser elements count). The two differ
only after an astral character (emoji, many CJK extension letters), which is two UTF-16 units."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["astral_positions", "code_points_to_utf16", "utf16_to_code_points", "offset_converter"]


def astral_positions(text: str) -> list[int]:
    return [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]


def code_points_to_utf16(text: str, offset: int) -> int:
    """The UTF-16 offset of code point ``offset`` in ``text``."""
    return offset + sum(1 for i in astral_positions(text) if i < offset)


def utf16_to_code_points(text: str, offset: int) -> int | None:
    """The code point offset of UTF-16 offset ``offset``, or None when it splits a surrogate pair."""
    units = 0
    for i, ch in enumerate(text):
        if units >= offset:
            return i if units == offset else None
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(text) if units == offset else None


def offset_converter(text: str, to_utf16: bool) -> Callable[[int], int | None]:
    """A fast offset map for one text (identity when it has no astral character); converting from
    UTF-16, an offset inside a surrogate pair maps to None."""
    astral = astral_positions(text)
    if not astral:
        return lambda o: o
    if to_utf16:
        return lambda o: o + sum(1 for i in astral if i < o)
    table: dict[int, int] = {}
    units = 0
    for i, ch in enumerate(text):
        table[units] = i
        units += 2 if ord(ch) > 0xFFFF else 1
    table[units] = len(text)
    return table.get
