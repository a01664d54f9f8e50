"""Printing Vietnamese on any console: a Windows console in cp1258 or cp1252, a pipe in ASCII.

An officer's terminal is not always UTF-8. A letter the console cannot show becomes the nearest
letter it can (`ố` → `ố` decomposed in cp1258, `o` in ASCII, `đ` → `d`), never an exception.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import sys
import unicodedata

HANDLER = "tqd-gan-dung"

# Letters without a decomposition, and punctuation the tool prints, in plain ASCII.
_PLAIN = {"đ": "d", "Đ": "D", "“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-",
          "…": "...", "→": "->", "«": "<<", "»": ">>", "×": "x", "✓": "x"}  # fmt: skip


def _fits(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def nearest(ch: str, encoding: str) -> str:
    """What to print for `ch` when `encoding` cannot hold it."""
    decomposed = unicodedata.normalize("NFD", ch)
    # cp1258 holds `ô` whole but the tone mark apart: keep as many marks composed as fit.
    for k in range(len(decomposed) - 1, 0, -1):
        candidate = unicodedata.normalize("NFC", decomposed[:k]) + decomposed[k:]
        if _fits(candidate, encoding):
            return candidate
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    for candidate in (base, _PLAIN.get(base, ""), _PLAIN.get(ch, "")):
        if candidate and _fits(candidate, encoding):
            return candidate
    return "?"


def handler_for(encoding: str) -> str:
    """The name of an error handler writing the nearest letters `encoding` holds.

    Bound to the encoding: single-byte codecs such as cp1258 report themselves as "charmap"."""
    name = f"{HANDLER}-{codecs.lookup(encoding).name}"
    try:
        codecs.lookup_error(name)
    except LookupError:

        def handler(exc: UnicodeError) -> tuple[str, int]:
            if not isinstance(exc, UnicodeEncodeError):
                raise exc
            text = exc.object[exc.start : exc.end]
            return "".join(nearest(ch, encoding) for ch in text), exc.end

        codecs.register_error(name, handler)
    return name


def make_safe(stream: object) -> object:
    """`stream`, writing what its encoding cannot hold as the nearest letters."""
    if isinstance(stream, io.TextIOWrapper):
        with contextlib.suppress(ValueError, OSError, LookupError):
            stream.reconfigure(errors=handler_for(stream.encoding))
    return stream


def install() -> None:
    """Make `print` to stdout and stderr safe for the rest of the process."""
    make_safe(sys.stdout)
    make_safe(sys.stderr)
