"""Checks of this period's registers against earlier ones (history.md, ward level): family L.

Pure functions over DataFrames. `current`: one row per household of the registers consolidated
now, columns ma_khom, ma_ho, chu_ho, dat_gdvh (bool), nam_lien_tuc (number or NaN), tep (the
file), dong (worksheet row), o_ma / o_nam (A1 cells of Mã hộ and Số năm liên tục). `past`:
`ho` rows of earlier registers (history.HOUSEHOLD_COLUMNS, plus ky).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd

from . import catalog
from .findings import Finding
from .periods import Period
from .spec import HOUSEHOLDS

SHEET = HOUSEHOLDS.name


def _years(ys: Sequence[int]) -> str:
    return ", ".join(str(y) for y in sorted(ys))


def _claimed(v: object) -> int:
    """The typed Số năm liên tục; empty is 0 (the template's own rule)."""
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0
    return 0 if math.isnan(f) else int(f)


def streaks(current: pd.DataFrame, by_year: Mapping[int, pd.DataFrame], year: int) -> list[Finding]:
    """L02 where a household Đạt this year claims a number of consecutive years that the
    registers of earlier years contradict (a year it was not Đạt, or more Đạt years than it
    claims), L03 where the number is empty and earlier years show a streak.

    `by_year`: for each earlier year, the `ho` rows standing for it (one register per khóm)."""
    dat_in: dict[int, dict[str, bool]] = {
        y: dict(zip(df.ma_ho.astype(str), df.dat_gdvh.astype(bool), strict=True))
        for y, df in by_year.items()
    }
    out = []
    for h in current.itertuples(index=False):
        if not bool(h.dat_gdvh):
            continue  # R09 speaks of a number without Đạt
        ma = str(h.ma_ho)
        streak = []  # earlier years, latest first, held and Đạt without a break
        y = year - 1
        while y in dat_in and dat_in[y].get(ma) is True:
            streak.append(y)
            y -= 1
        broken = y in dat_in and ma in dat_in[y]  # the streak ends at a year known Not Đạt
        n = _claimed(h.nam_lien_tuc)
        place = dict(file=h.tep, sheet=SHEET, cell=h.o_nam, row=h.dong, khom=h.ma_khom, key=ma)
        if n == 0:
            if streak:
                out.append(
                    catalog.make(
                        "L03", value="", years=_years(streak), expected=1 + len(streak), **place
                    )
                )
            continue
        claimed_years = range(year - n + 1, year)
        against = [c for c in claimed_years if c in dat_in and dat_in[c].get(ma) is False]
        if against:
            exact = 1 + len(streak) if broken else None
            problem = f"danh sách hộ năm {_years(against)} ghi hộ chưa đạt GĐVH"
            out.append(
                catalog.make(
                    "L02",
                    value=n,
                    found=n,
                    problem=problem,
                    expected=exact if exact is not None else "số năm đúng",
                    **place,
                )
            )
        elif n < 1 + len(streak):
            problem = f"danh sách hộ các năm {_years(streak)} đều ghi hộ đạt GĐVH"
            out.append(
                catalog.make(
                    "L02",
                    value=n,
                    found=n,
                    problem=problem,
                    expected=f"ít nhất {1 + len(streak)}",
                    **place,
                )
            )
    return out


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
    now = set(current.ma_ho.astype(str))
    judged = last[last.ma_khom.isin(files.keys())]
    for h in judged.itertuples(index=False):
        ma = str(h.ma_ho)
        if ma in now:
            continue
        before = Period.parse(str(h.ky)).words
        to = "" if pd.isna(h.to) else f", tổ {int(h.to)}"
        out.append(
            catalog.make(
                "L04",
                file=files[h.ma_khom],
                sheet=SHEET,
                khom=h.ma_khom,
                value=ma,
                key=ma,
                name=f"{h.chu_ho or ''}{to}",
                before=before,
                khom_name=names.get(h.ma_khom, h.ma_khom),
            )
        )
    if len(last):
        ends = last.ky.map(lambda k: Period.parse(str(k)).end)
        latest = last.assign(_end=ends).sort_values("_end", kind="stable")
        where = dict(
            zip(latest.ma_ho.astype(str), zip(latest.ma_khom, latest.ky, strict=True), strict=True)
        )
    else:
        where = {}
    pairs = set(zip(current.ma_ho.astype(str), current.ma_khom, strict=True))
    for h in current.itertuples(index=False):
        ma = str(h.ma_ho)
        if ma not in where:
            continue
        was, ky = where[ma]
        if was == h.ma_khom or (ma, was) in pairs:
            continue  # the same khóm, or on both registers now (R06 says so)
        out.append(
            catalog.make(
                "L05",
                file=h.tep,
                sheet=SHEET,
                cell=h.o_ma,
                row=h.dong,
                khom=h.ma_khom,
                value=ma,
                key=ma,
                before=Period.parse(str(ky)).words,
                other=names.get(was, was),
                here=names.get(h.ma_khom, h.ma_khom),
            )
        )
    return out
