"""Text an officer typed, made safe to write into an .xlsx cell.

A Word line break (vertical tab) or any other control character makes an .xlsx that Excel
repairs or refuses; a text longer than Excel's 32,767-character cell limit is dropped by
xlsxwriter with an English warning on the terminal. Here both become plain, visible text.
"""

from __future__ import annotations

import re

CELL_LIMIT = 32_767  # characters Excel holds in one cell

# Line and page breaks pasted from Word become line breaks; other C0/C1 controls go.
_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n", "\r": ""})
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _number(n: int) -> str:
    return f"{n:,}".replace(",", ".")  # 32.767, as Vietnamese write thousands


def cut_note(length: int) -> str:
    """The visible note ending a cut text."""
    return (
        f" …[đã cắt bớt: ô gốc dài {_number(length)} ký tự, quá giới hạn "
        f"{_number(CELL_LIMIT)} ký tự của một ô Excel]"
    )


def cell_text(text: str, limit: int = CELL_LIMIT) -> str:
    """`text` without control characters, cut to `limit` characters with a visible note."""
    if len(text) <= limit and _UNSAFE.search(text) is None:
        return text
    text = _CONTROL.sub("", text.translate(_BREAKS))
    if len(text) <= limit:
        return text
    note = cut_note(len(text))
    return text[: limit - len(note)] + note
