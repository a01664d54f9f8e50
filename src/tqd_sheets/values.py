"""Cell values as officers type them → typed Python values (inputs.md §Values).

Each parser returns `(value, None)` or `(None, problem)`; an empty cell is `(None, None)`.
Nothing here guesses: a value that fits no reading is a problem, never silently empty.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, datetime

from .periods import KY_LABELS
from .spec import Field, VType, norm

Parsed = tuple[object, str | None]

YES = frozenset({"x", "có", "1", "✓", "true"})
NO = frozenset({"", "không", "0", "false"})

# ASCII digits only: `int()` and `float()` also read Arabic-Indic or full-width digits, `1_000`,
# `1e5`, `nan` and `inf`, none of which an officer means as a count.
_INT = re.compile(r"^[+-]?[0-9]+$")
_DECIMAL = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")
_MONEY = re.compile(r"^[0-9]{1,3}(?:\.[0-9]{3})+$")
_DATE = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")
# No figure of a ward form comes near 10^15 (Excel keeps 15 significant digits); anything
# larger is a typing accident, and refusing it keeps every sum far from overflow and keeps
# `int()` away from its 4,300-digit limit.
MAX_MAGNITUDE = 10**15
_MAX_DIGITS = 15


def is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def text(raw: object) -> str:
    """What was typed, as text: stripped and NFC-normalised; `0012` stays `0012`."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime):
        return (
            raw.strftime("%d/%m/%Y %H:%M")
            if raw.time() != datetime.min.time()
            else (raw.strftime("%d/%m/%Y"))
        )
    if isinstance(raw, date):
        return raw.strftime("%d/%m/%Y")
    return unicodedata.normalize("NFC", str(raw)).strip()


def _sane(value: float) -> Parsed:
    """A number a form can hold: finite and below `MAX_MAGNITUDE` (NaN fails every range
    check silently, so it must never get that far)."""
    if math.isfinite(value) and abs(value) < MAX_MAGNITUDE:
        return value, None
    return None, "bad"


def _digits(s: str) -> int:
    return sum(ch.isdigit() for ch in s)


def parse_integer(raw: object) -> Parsed:
    if isinstance(raw, bool):
        return None, "bad"
    if isinstance(raw, int):
        return (raw, None) if abs(raw) < MAX_MAGNITUDE else (None, "bad")
    if isinstance(raw, float):
        if not math.isfinite(raw) or not raw.is_integer():
            return None, "bad"
        return (int(raw), None) if _sane(raw)[1] is None else (None, "bad")
    s = text(raw)
    if not _INT.match(s) or _digits(s) > _MAX_DIGITS:
        return None, "bad"
    return int(s), None


def _decimal(s: str) -> Parsed:
    s = s.replace(",", ".")
    if not _DECIMAL.match(s) or _digits(s) > 2 * _MAX_DIGITS:
        return None, "bad"
    return _sane(float(s))


def parse_number(raw: object) -> Parsed:
    if isinstance(raw, bool):
        return None, "bad"
    if isinstance(raw, int):
        return _sane(float(raw)) if abs(raw) < MAX_MAGNITUDE else (None, "bad")
    if isinstance(raw, float):
        return _sane(raw)
    return _decimal(text(raw))


def parse_money(raw: object) -> Parsed:
    s = text(raw)
    if isinstance(raw, str) and _MONEY.match(s):
        return parse_integer(s.replace(".", ""))
    return parse_integer(raw)


def parse_mark(raw: object) -> Parsed:
    if isinstance(raw, bool):
        return raw, None
    if isinstance(raw, int | float):
        return (True, None) if raw == 1 else (False, None) if raw == 0 else (None, "bad")
    s = text(raw).casefold()
    if s in YES:
        return True, None
    if s in NO:
        return False, None
    return None, "bad"


def parse_date(raw: object) -> Parsed:
    if isinstance(raw, datetime):
        return raw.date(), None
    if isinstance(raw, date):
        return raw, None
    m = _DATE.match(text(raw))
    if not m:
        return None, "bad"
    day, month, year = (int(g) for g in m.groups())
    try:
        return date(year, month, day), None
    except ValueError:
        return None, "bad"


def parse_rate(raw: object) -> Parsed:
    if isinstance(raw, bool | int | float):
        return parse_number(raw)
    s = text(raw)
    if s.endswith("%"):
        value, problem = _decimal(s[:-1].strip())
        return (None, problem) if problem else (value / 100, None)  # type: ignore[operator]
    return _decimal(s)


def parse_choice(raw: object, choices: Sequence[str]) -> Parsed:
    key = norm(text(raw))
    for choice in choices:
        if norm(choice) == key:
            return choice, None
    return None, "bad"


_PARSERS: dict[VType, Callable[[object], Parsed]] = {
    VType.INTEGER: parse_integer,
    VType.NUMBER: parse_number,
    VType.MONEY: parse_money,
    VType.MARK: parse_mark,
    VType.DATE: parse_date,
    VType.RATE: parse_rate,
    VType.KY: lambda raw: parse_choice(raw, KY_LABELS),
}


def parse(raw: object, spec: Field, khom_codes: Sequence[str] = ()) -> Parsed:
    """Parse one cell for `spec`; range checks (min/max) included."""
    if spec.type is VType.MARK:
        return parse_mark(raw)
    if is_blank(raw):
        return None, None
    if spec.type is VType.TEXT:
        return text(raw), None
    if spec.type is VType.CHOICE:
        return parse_choice(raw, spec.choices)
    if spec.type is VType.KHOM_CODE:
        return parse_choice(raw, khom_codes)
    value, problem = _PARSERS[spec.type](raw)
    if problem:
        return None, problem
    if isinstance(value, int | float) and not isinstance(value, bool):
        if spec.min is not None and value < spec.min:
            return None, "range"
        if spec.max is not None and value > spec.max:
            return None, "range"
    return value, None
