"""Checks of this period's registers against earlier ones (history.md, ward level): family L.

Pure functions over DataFrames. `current`: one row per household of the registers consolidated
now, columns ma_khom, ma_ho, chu_ho, dat_gdvh (bool), nam_lien_tuc (number or NaN), tep (the
file), dong (worksheet row), o_ma / o_nam (A1 cells of Mã hộ and Số năm liên tục). `past`:
`ho` rows of earlier registers (history.HOUSEHOLD_COLUMNS, plus ky).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from itertools import repeat

import numpy as np
import pandas as pd

from . import catalog
from .findings import Finding
from .periods import Period
from .spec import HOUSEHOLDS

SHEET = HOUSEHOLDS.name
PAST_COLUMNS = ("ma_khom", "ma_ho", "chu_ho", "to", "dat_gdvh")  # what the checks read of `past`


def _years(ys: Sequence[int]) -> str:
    return ", ".join(str(y) for y in sorted(ys))


def _claimed(v: object) -> int:
    """The typed Số năm liên tục; empty is 0 (the template's own rule)."""
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0
    return 0 if math.isnan(f) else int(f)


def is_text_dtype(dtype: object) -> bool:
    """The default text type: str cells, NaN where empty."""
    return (
        isinstance(dtype, pd.StringDtype) and dtype.storage == "python" and dtype.na_value is np.nan  # type: ignore[comparison-overlap]
    )


def cells(col: pd.Series) -> list[object]:
    """The column's cells exactly as iterating it yields them (Python scalars), built a whole
    column at a time instead of one `.item()` or `__getitem__` call per cell."""
    dtype = col.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "biufcO":
        return col.to_numpy().tolist()
    if is_text_dtype(dtype):
        return col.to_numpy(dtype=object).tolist()
    return list(col)


def _lookup(codes: Sequence[str], df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """For each code, whether `df` (`ho` rows) holds it and whether its last row is Đạt: the
    answers of the dict code → Đạt built from the rows in order, asked at C speed."""
    dat = dict(zip(_keys(df.ma_ho), cells(df.dat_gdvh.astype(bool)), strict=True))
    found = np.fromiter(map(dat.get, codes, repeat(None)), dtype=object, count=len(codes))
    return found != None, found == True  # noqa: E711, E712 (elementwise, on Python bools)


def _texts(col: pd.Series) -> list[str]:
    """`[str(v) for v in col]` (what `itertuples` then `str` gave)."""
    values = cells(col)
    if set(map(type, values)) <= {str}:
        return values  # type: ignore[return-value]
    return [str(v) for v in values]


def _keys(col: pd.Series) -> list[object]:
    """The cells of `col.astype(str)` (what the checks keyed their dicts and sets by)."""
    return cells(col.astype(str))


def streaks(current: pd.DataFrame, by_year: Mapping[int, pd.DataFrame], year: int) -> list[Finding]:
    """L02 where a household Đạt this year claims a number of consecutive years that the
    registers of earlier years contradict (a year it was not Đạt, or more Đạt years than it
    claims), L03 where the number is empty and earlier years show a streak.

    `by_year`: for each earlier year, the `ho` rows standing for it (one register per khóm).
    Whole columns at a time; one Python step per finding, not per household."""
    if not len(current):
        return []
    marks = current.dat_gdvh
    dat = (
        marks.to_numpy(dtype=bool)
        if marks.dtype == bool
        else np.array([bool(v) for v in cells(marks)], dtype=bool)
    )
    at = np.flatnonzero(dat)  # R09 speaks of a number without Đạt
    if not len(at):
        return []
    every = _texts(current.ma_ho)
    codes = [every[i] for i in at]
    seen = {y: _lookup(codes, df) for y, df in by_year.items()}  # (held, Đạt) per code
    streak = np.zeros(len(at), dtype=np.int64)  # earlier years held and Đạt, without a break
    alive = np.ones(len(at), dtype=bool)
    broken = np.zeros(len(at), dtype=bool)  # the streak ends at a year known Not Đạt
    y = year - 1
    while y in seen and alive.any():
        held, yes = seen[y]
        broken |= alive & ~yes & held
        alive &= yes
        streak += alive
        y -= 1
    claims, n = _claims(np.asarray(cells(current.nam_lien_tuc), dtype=object)[at])
    against_in = {
        y: held & ~yes & (y >= year - n + 1) for y, (held, yes) in seen.items() if y < year
    }
    against = np.zeros(len(at), dtype=bool)
    for flags in against_in.values():
        against |= flags
    l03 = (n == 0) & (streak > 0)
    l02 = (n != 0) & (against | (n < 1 + streak))
    flagged = np.flatnonzero(l03 | l02)
    if not len(flagged):
        return []
    tep, o_nam = cells(current.tep), cells(current.o_nam)
    dong, khom = cells(current.dong), cells(current.ma_khom)
    runs = streak.tolist()
    out = []
    for j in flagged.tolist():
        i, ma, k = int(at[j]), codes[j], runs[j]
        place = dict(file=tep[i], sheet=SHEET, cell=o_nam[i], row=dong[i], khom=khom[i], key=ma)
        years = range(year - k, year)
        if l03[j]:
            out.append(catalog.make("L03", value="", years=_years(years), expected=1 + k, **place))
            continue
        c = claims[j]
        if against[j]:
            bad = [y for y, flags in against_in.items() if flags[j]]
            problem = f"danh sách hộ năm {_years(bad)} ghi hộ chưa đạt GĐVH"
            expected: object = 1 + k if broken[j] else "số năm đúng"
        else:
            problem = f"danh sách hộ các năm {_years(years)} đều ghi hộ đạt GĐVH"
            expected = f"ít nhất {1 + k}"
        out.append(
            catalog.make("L02", value=c, found=c, problem=problem, expected=expected, **place)
        )
    return out


def _claims(values: np.ndarray) -> tuple[list[int], np.ndarray]:
    """`_claimed` of each value (computed once per distinct value; empty ones are 0), and the
    same clipped to ±10⁹ for comparing with years (a larger claim compares alike)."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    each = [_claimed(u) for u in uniques] + [0]
    clipped = np.array([max(-(10**9), min(10**9, c)) for c in each], dtype=np.int64)
    return [each[c] for c in codes.tolist()], clipped[codes]


def lost_and_moved(
    current: pd.DataFrame,
    last: pd.DataFrame,
    files: Mapping[str, str],
    names: Mapping[str, str],
) -> list[Finding]:
    """L04: a household on a khóm's latest earlier register that no register of this run
    holds; L05: a household now on one khóm's register that the latest earlier registers put
    in another khóm (a move is real; a mistyped Mã hộ is not).

    `last`: `ho` rows of each khóm's latest earlier register (with ky); `files`: khóm → this
    run's file of that khóm (only khóm consolidated now are judged); `names`: khóm → name."""
    out: list[Finding] = []
    now = set(_keys(current.ma_ho))
    judged = last[last.ma_khom.isin(files.keys())]
    words = _period_words()
    if len(judged):
        ma_ho, ky = _texts(judged.ma_ho), cells(judged.ky)
        lost = np.flatnonzero([ma not in now for ma in ma_ho])
        to, chu_ho, khom = (cells(judged[c]) for c in ("to", "chu_ho", "ma_khom"))
        for i in lost.tolist():
            ma = ma_ho[i]
            tổ = "" if pd.isna(to[i]) else f", tổ {int(to[i])}"  # type: ignore[arg-type]
            out.append(
                catalog.make(
                    "L04",
                    file=files[khom[i]],
                    sheet=SHEET,
                    khom=khom[i],
                    value=ma,
                    key=ma,
                    name=f"{chu_ho[i] or ''}{tổ}",
                    before=words(ky[i]),
                    khom_name=names.get(khom[i], khom[i]),
                )
            )
    if not len(last) or not len(current):
        return out
    # Where each code was last: the row of the latest-ending register (a dict's last write).
    kys = cells(last.ky)
    ends = {k: Period.parse(str(k)).end.toordinal() for k in dict.fromkeys(kys)}
    order = np.argsort(np.array([ends[k] for k in kys], dtype=np.int64), kind="stable")
    was_codes = np.asarray(_keys(last.ma_ho), dtype=object)[order].tolist()
    where = dict(zip(was_codes, range(len(was_codes)), strict=True))  # the last row wins
    was_khom = np.asarray(cells(last.ma_khom), dtype=object)[order]
    was_ky = np.asarray(kys, dtype=object)[order]
    now_codes = _texts(current.ma_ho)
    at = np.fromiter(map(where.get, now_codes, repeat(-1)), dtype=np.int64, count=len(now_codes))
    khom_now = np.asarray(cells(current.ma_khom), dtype=object)
    held = at >= 0
    was = np.where(held, was_khom[np.where(held, at, 0)], None)
    moved = held.copy()
    moved[held] = ~(was[held] == khom_now[held]).astype(bool)
    if moved.any():
        # on both registers now (R06 says so): the pairs of this run
        pairs = set(zip(_keys(current.ma_ho), khom_now.tolist(), strict=True))
        for i in np.flatnonzero(moved).tolist():
            if (now_codes[i], was[i]) in pairs:
                moved[i] = False
    flagged = np.flatnonzero(moved)
    if not len(flagged):
        return out
    tep, o_ma, dong = (cells(current[c]) for c in ("tep", "o_ma", "dong"))
    for i in flagged.tolist():
        ma, here, other = now_codes[i], khom_now[i], was[i]
        out.append(
            catalog.make(
                "L05",
                file=tep[i],
                sheet=SHEET,
                cell=o_ma[i],
                row=dong[i],
                khom=here,
                value=ma,
                key=ma,
                before=words(was_ky[at[i]]),
                other=names.get(other, other),
                here=names.get(here, here),
            )
        )
    return out


def _period_words() -> Callable[[object], str]:
    """`Period.parse(str(ky)).words`, parsed once per period."""
    seen: dict[object, str] = {}

    def words(ky: object) -> str:
        if ky not in seen:
            seen[ky] = Period.parse(str(ky)).words
        return seen[ky]

    return words
