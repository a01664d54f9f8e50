"""The history's row building and L02–L05 checks as they were before issue 11 made them
column-wise (commit c5b5067), kept only as the reference the faster code must match value for
value, type for type and finding for finding (tests/test_history_same.py).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from tqd_sheets import catalog
from tqd_sheets.findings import Finding
from tqd_sheets.history import HOUSEHOLD_COLUMNS, MARKS, RunRecord, connect
from tqd_sheets.parse import ROW
from tqd_sheets.periods import Period
from tqd_sheets.results import DATA_COLUMNS
from tqd_sheets.spec import HOUSEHOLDS

SHEET = HOUSEHOLDS.name


def nullable(v: object) -> object:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return v


def household_rows(khom: str, frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    out["ma_khom"] = khom
    for col in HOUSEHOLD_COLUMNS[1:]:
        out[col] = frame[col] if col in frame.columns else None
    for col in MARKS:
        out[col] = out[col].map(lambda v: bool(v) if isinstance(v, bool) else False)
    out["ma_ho"] = out["ma_ho"].map(lambda v: "" if nullable(v) is None else str(v))
    for col in ("to", "nhan_khau", "nam_lien_tuc"):
        out[col] = pd.to_numeric(out[col], errors="coerce")
    return out[out.ma_ho != ""].reset_index(drop=True)


def _sql(v: object) -> object:
    v = nullable(v)
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def record(
    path: Path, rec: RunRecord, data: pd.DataFrame, households: pd.DataFrame | None = None
) -> int | None:
    """One run (or import) in one transaction, rows built cell by cell."""
    with connect(path, write=True) as con:
        assert con is not None
        try:
            con.execute("BEGIN IMMEDIATE")
            if rec.khoa is not None:
                seen = con.execute("SELECT id FROM lan_chay WHERE khoa = ?", (rec.khoa,))
                if seen.fetchone() is not None:
                    con.execute("ROLLBACK")
                    return None
            cur = con.execute(
                "INSERT INTO lan_chay (thoi_gian, phien_ban, ky, ma_don_vi, ma_thoat, nguon,"
                " dau_vao, khoa) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    rec.thoi_gian,
                    rec.phien_ban,
                    rec.ky,
                    rec.ma_don_vi,
                    rec.ma_thoat,
                    rec.nguon,
                    json.dumps([list(x) for x in rec.dau_vao], ensure_ascii=False),
                    rec.khoa,
                ),
            )
            run_id = int(cur.lastrowid or 0)
            con.executemany(
                "INSERT INTO du_lieu VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (run_id, *(nullable(v) for v in row))
                    for row in data[DATA_COLUMNS].itertuples(index=False, name=None)
                ),
            )
            if households is not None and len(households):
                con.executemany(
                    "INSERT INTO ho VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        (run_id, rec.ky, *(_sql(v) for v in row))
                        for row in households[HOUSEHOLD_COLUMNS].itertuples(index=False, name=None)
                    ),
                )
            con.execute("COMMIT")
            return run_id
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise


def current_households(used: Sequence[object]) -> pd.DataFrame:
    frames = []
    for c in used:
        t = c.wb.tables.get(HOUSEHOLDS.name)  # type: ignore[attr-defined]
        if t is None or not len(t.frame):
            continue
        listed = t.frame[t.frame["ma_ho"].map(lambda v: nullable(v) not in (None, ""))]
        df = household_rows(c.wb.khom, listed)  # type: ignore[attr-defined]
        rows = [int(r) for r in listed[ROW]]
        df["tep"] = c.name  # type: ignore[attr-defined]
        df["dong"] = rows
        df["o_ma"] = [t.ref("ma_ho", r) for r in rows]
        has_nam = "nam_lien_tuc" in t.columns
        df["o_nam"] = [t.ref("nam_lien_tuc", r) if has_nam else "" for r in rows]
        frames.append(df)
    if not frames:
        cols = [*HOUSEHOLD_COLUMNS, "tep", "dong", "o_ma", "o_nam"]
        return pd.DataFrame(columns=cols)
    return pd.concat(frames, ignore_index=True)


def rows_of(past: pd.DataFrame, regs: pd.DataFrame) -> pd.DataFrame:
    key = list(zip(past.ky, past.ma_khom, strict=True))
    want = set(zip(regs.ky, regs.ma_khom, strict=True))
    return past.loc[np.array([k in want for k in key], dtype=bool)]


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
