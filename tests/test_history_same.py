"""The column-wise history (issue 11) stores and finds exactly what the cell-by-cell one did.

Each test runs the frozen copy of the old code (`history_before.py`) and the new code on the same
generated registers, full of empty cells, NaN, empty and odd text, bools, whole and fractional
floats, ints and mixed columns, and compares every stored value with its SQLite type, every
frame with its dtypes and cell types, and every L02–L05 finding.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import history_before as before
from tqd_sheets import history, history_checks
from tqd_sheets.parse import ROW, Table
from tqd_sheets.results import DATA_COLUMNS
from tqd_sheets.spec import HOUSEHOLDS

SEEDS = range(40)
NAN = float("nan")
ODD = ["", " ", "  a ", "Nguyễn Văn Ánh", "0001", "１２", "x'y\"z", "a\tb", "dòng\nhai", "nan"]
ODD += ["None", "True", "3", "3.0", "-0", "1e3", "🙂", "Nghèo", "Cận nghèo"]


def _pick(rng: np.random.Generator, pool: list[object], n: int) -> list[object]:
    return [pool[i] for i in rng.integers(0, len(pool), n)]


def _text(rng: np.random.Generator, n: int) -> pd.Series:
    """A text column: the parser's str dtype, or an object column of anything a cell holds."""
    if rng.random() < 0.5:
        return pd.Series(_pick(rng, [*ODD, None, NAN], n), dtype="str")
    pool = [*ODD, None, NAN, np.nan, 3.0, 2.5, 7, 0, True, False, np.float64(4.0), -1.5, 1e16]
    return pd.Series(_pick(rng, pool, n), dtype=object)


def _number(rng: np.random.Generator, n: int) -> pd.Series:
    kind = rng.integers(0, 4)
    if kind == 0:
        return pd.Series(rng.integers(-3, 50, n), dtype="int64")
    if kind == 1:
        return pd.Series(_pick(rng, [1.0, 2.0, 0.5, NAN, -0.0, 1e18, 12.0, 2.0**60, np.inf], n))
    if kind == 2:
        return pd.Series(_pick(rng, ["3", "x", None, True, 4, 2.5, NAN, "", "7.0"], n))
    return pd.Series(_pick(rng, [*ODD, None], n), dtype="str")


def _mark(rng: np.random.Generator, n: int) -> pd.Series:
    kind = rng.integers(0, 4)
    if kind == 0:
        return pd.Series(rng.random(n) < 0.6)
    if kind == 1:
        pool = [True, False, None, "x", 1, 1.0, 0, np.bool_(True), NAN, ""]
        return pd.Series(_pick(rng, pool, n), dtype=object)
    if kind == 2:
        return pd.Series(_pick(rng, [1.0, 0.0, NAN], n))
    return pd.Series(_pick(rng, ["x", "", None], n), dtype="str")


def _code(rng: np.random.Generator, n: int, pool: list[str]) -> pd.Series:
    kind = rng.integers(0, 3)
    if kind == 0:
        return pd.Series(_pick(rng, [*pool, "", None, " ", f" {pool[0]} ", "a\tb"], n), dtype="str")
    if kind == 1:
        odd = [*pool, "", " ", None, NAN, 17, 3.0, 2.5, True, np.float64(9.0)]
        return pd.Series(_pick(rng, odd, n), dtype=object)
    return pd.Series(_pick(rng, pool, n), dtype="str")


def register(rng: np.random.Generator, n: int, pool: list[str] | None = None) -> pd.DataFrame:
    """A parsed register as the parser could give it (some columns missing, odd indexes)."""
    pool = pool or [f"{i:04d}" for i in range(n + 5)]
    cols: dict[str, pd.Series] = {
        ROW: pd.Series(np.arange(4, 4 + n), dtype="int64"),
        "ma_ho": _code(rng, n, pool),
        "chu_ho": _text(rng, n),
        "to": _number(rng, n),
        "dia_chi": _text(rng, n),
        "nhan_khau": _number(rng, n),
        "ngheo": _text(rng, n),
        "nam_lien_tuc": _number(rng, n),
        "ghi_chu": _text(rng, n),
    }
    for m in history.MARKS:
        cols[m] = _mark(rng, n)
    drop = [c for c in list(cols)[2:] if rng.random() < 0.08]
    frame = pd.DataFrame({k: v.reset_index(drop=True) for k, v in cols.items() if k not in drop})
    if rng.random() < 0.3:
        frame.index = rng.permutation(np.arange(100, 100 + n))
    return frame


def parsed_register(
    rng: np.random.Generator, n: int, pool: list[str] | None = None
) -> pd.DataFrame:
    """A register of the parser's usual types (text, bool marks, int or float numbers), so that
    registers are converted joined; text columns sometimes of another type."""
    pool = pool or [f"{i:04d}" for i in range(n + 5)]
    frame = register(rng, n, pool)
    frame["ma_ho"] = pd.Series(
        _pick(rng, [*pool, "", None, " "], n), dtype="str", index=frame.index
    )
    for m in history.MARKS:
        frame[m] = rng.random(n) < 0.6
    for c in ("to", "nhan_khau", "nam_lien_tuc"):
        whole = rng.integers(0, 30, n)
        frame[c] = whole if rng.random() < 0.5 else np.where(rng.random(n) < 0.2, NAN, whole)
    for c in ("chu_ho", "dia_chi", "ngheo"):
        if c not in frame:
            frame[c] = pd.Series(_pick(rng, ODD, n), dtype="str", index=frame.index)
    return frame


@pytest.mark.parametrize("seed", SEEDS)
def test_registers_joined_are_the_registers_one_by_one(seed: int):
    rng = np.random.default_rng(seed)
    make = parsed_register if seed % 4 else register
    regs = [(f"K{k}", make(rng, int(rng.integers(1, 40)))) for k in range(int(rng.integers(1, 6)))]
    assert history.alike([f for _, f in regs]) == (make is parsed_register)
    old = pd.concat([before.household_rows(k, f) for k, f in regs], ignore_index=True)
    _same_frame(history.registers_rows(regs), old)


def _cells(df: pd.DataFrame) -> dict[str, list[tuple[str, str]]]:
    return {c: [(type(v).__name__, repr(v)) for v in df[c]] for c in df.columns}


def _same_frame(new: pd.DataFrame, old: pd.DataFrame) -> None:
    assert list(new.columns) == list(old.columns)
    assert new.dtypes.to_dict() == old.dtypes.to_dict()
    assert new.index.equals(old.index)
    assert _cells(new) == _cells(old)


@pytest.mark.parametrize("seed", SEEDS)
def test_household_rows_are_the_same_frame(seed: int):
    rng = np.random.default_rng(seed)
    for n in (0, 1, int(rng.integers(2, 60))):
        frame = register(rng, n)
        _same_frame(history.household_rows("K1", frame), before.household_rows("K1", frame))
    _same_frame(
        history.household_rows("K", pd.DataFrame()), before.household_rows("K", pd.DataFrame())
    )


def test_pandas_own_types_are_the_same_frame_and_rows(tmp_path: Path):
    """Nullable and categorical columns (not what the parser gives, but a frame may hold them)."""
    frame = pd.DataFrame(
        {
            ROW: [4, 5, 6],
            "ma_ho": pd.array(["a", None, "c"], dtype="string"),
            "dk_gdvh": pd.array([True, None, False], dtype="boolean"),
            "dat_gdvh": pd.Categorical([True, False, True]),
            "to": pd.array([1, None, 3], dtype="Int64"),
            "nhan_khau": pd.array([1.5, None, 3], dtype="Float64"),
            "gd_hoc_tap": pd.array([1, 0, 1], dtype="Int64"),
            "chu_ho": pd.array(["x", None, "z"], dtype="string"),
        }
    )
    rec, empty = history.RunRecord("2020", "W", "t", "v"), pd.DataFrame(columns=DATA_COLUMNS)
    whole = frame.assign(
        to=pd.array([1, 2, 3], dtype="Int64"),
        nhan_khau=pd.array([1.5, 2, 3], dtype="Float64"),
        chu_ho=pd.array(["x", "y", "z"], dtype="string"),
    )
    outcomes = []
    for i, f in enumerate((frame, whole)):  # pd.NA cannot be stored: both fail alike
        new, old = history.household_rows("K", f), before.household_rows("K", f)
        _same_frame(new, old)
        got = _outcome(history.record, tmp_path / f"n{i}.sqlite", rec, empty, new)
        assert got == _outcome(before.record, tmp_path / f"o{i}.sqlite", rec, empty, old)
        assert _dump(tmp_path / f"n{i}.sqlite") == _dump(tmp_path / f"o{i}.sqlite")
        outcomes.append(got)
    assert outcomes == [(None, "HistoryError"), (1, "")]


def _data(rng: np.random.Generator, n: int) -> pd.DataFrame:
    rows = {c: _pick(rng, ["2020", "29917", "K1", "", "Phường"], n) for c in DATA_COLUMNS[:7]}
    df = pd.DataFrame(rows)
    if rng.random() < 0.5:
        df["ten_don_vi"] = pd.Series(_pick(rng, ["Khóm 1", "", 5, True, 2.5, 4.0], n), dtype=object)
    for c in ("tu_so", "mau_so", "gia_tri"):
        df[c] = _pick(rng, [1.0, 0.25, NAN, 3.0, -0.0, 1e20], n)
    if rng.random() < 0.3:
        df["gia_tri"] = pd.Series(_pick(rng, [1, 2.5, None, NAN, True, "x"], n), dtype=object)
    return df


def _raw_households(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """`ho` rows given as they are (an import's): any bindable cell in any column."""
    pool = [*ODD, None, NAN, 3.0, 2.5, 7, True, False, np.float64(6.0), np.float64(0.5), -(2.0**62)]
    df = pd.DataFrame({c: _pick(rng, pool, n) for c in history.HOUSEHOLD_COLUMNS})
    if n:
        df["to"] = pd.Series(_pick(rng, [1.0, NAN, 2.5], n))
        df["vi_pham"] = rng.random(n) < 0.5
        df["chu_ho"] = pd.Series(_pick(rng, [*ODD, None], n), dtype="str")
        for m in history.MARKS[:-1]:  # NOT NULL: no None nor NaN
            df[m] = _pick(rng, [True, False, 1, 0, 1.0, "x", 2.5, np.float64(0.0)], n)
    return df


def _outcome(write: object, *args: object) -> tuple[object, str]:
    """What a write returned, or the error it raised (a number beyond SQLite's 64-bit
    integers fails both the old and the new way: the same error, nothing stored)."""
    try:
        return write(*args), ""  # type: ignore[operator]
    except (OverflowError, history.HistoryError) as exc:
        return None, type(exc).__name__


def _dump(path: Path) -> list[list[tuple[object, ...]]]:
    con = sqlite3.connect(path)
    try:
        out = []
        for table in ("lan_chay", "du_lieu", "ho"):
            cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
            typed = ", ".join(f'"{c}", typeof("{c}")' for c in cols)
            out.append(con.execute(f"SELECT rowid, {typed} FROM {table} ORDER BY rowid").fetchall())
        return out
    finally:
        con.close()


@pytest.mark.parametrize("seed", SEEDS)
def test_record_stores_the_same_values_and_types(seed: int, tmp_path: Path):
    rng = np.random.default_rng(seed)
    new, old = tmp_path / "new.sqlite", tmp_path / "old.sqlite"
    outcomes: set[str] = set()
    for run in range(3):
        frames = [register(rng, int(rng.integers(0, 40))) for _ in range(3)]
        data = _data(rng, int(rng.integers(0, 30)))
        rec = history.RunRecord(f"202{run}", "29917", f"2021-01-0{run + 1}T08:00:00+07:00", "v")
        if run == 2:
            raw = _raw_households(rng, int(rng.integers(0, 40)))
            got = _outcome(history.record, new, rec, data, raw)
            assert got == _outcome(before.record, old, rec, data, raw)
        else:
            mine = [history.household_rows(f"K{i}", f) for i, f in enumerate(frames)]
            theirs = [before.household_rows(f"K{i}", f) for i, f in enumerate(frames)]
            got = _outcome(history.record, new, rec, data, pd.concat(mine, ignore_index=True))
            assert got == _outcome(
                before.record, old, rec, data, pd.concat(theirs, ignore_index=True)
            )
        outcomes.add(got[1])
    assert _dump(new) == _dump(old)
    assert sum(len(t) for t in _dump(new)[1:]) > 0, outcomes


def test_a_number_beyond_sqlite_fails_alike(tmp_path: Path):
    """A whole number past 2⁶³ cannot be stored: the old code raised OverflowError, so does
    the new one, and neither stores part of the run."""
    frame = pd.DataFrame({"ma_ho": ["01", "02"], "nhan_khau": [3.0, 1e300]})
    rec = history.RunRecord("2020", "W", "t", "v")
    empty = pd.DataFrame(columns=DATA_COLUMNS)
    for path, write, rows in (
        (tmp_path / "n.sqlite", history.record, history.household_rows("K1", frame)),
        (tmp_path / "o.sqlite", before.record, before.household_rows("K1", frame)),
    ):
        with pytest.raises(OverflowError):
            write(path, rec, empty, rows)
    assert _dump(tmp_path / "n.sqlite") == _dump(tmp_path / "o.sqlite") == [[], [], []]


def test_record_keeps_every_sqlite_type(tmp_path: Path):
    """The types sqlite gave the old rows, spelled out: a whole float is an integer, a bool an
    integer, NaN and None are NULL, text stays text even when it looks like a number where the
    column has no numeric affinity."""
    frame = pd.DataFrame(
        {
            "ma_ho": pd.Series(["01", "02", "03"], dtype="str"),
            "chu_ho": pd.Series(["A", None, "3"], dtype="str"),
            "to": [1.0, NAN, 2.5],
            "dia_chi": pd.Series([4.0, "x", None], dtype=object),
            "nhan_khau": [3, 4, 5],
            "ngheo": pd.Series([True, NAN, 1.5], dtype=object),
            "dk_gdvh": [True, False, True],
            "dat_gdvh": pd.Series([True, None, "x"], dtype=object),
            "nam_lien_tuc": [2.0, NAN, 7.0],
        }
    )
    rows = history.household_rows("K1", frame)
    for path, write in (
        (tmp_path / "n.sqlite", history.record),
        (tmp_path / "o.sqlite", before.record),
    ):
        write(
            path, history.RunRecord("2020", "W", "t", "v"), pd.DataFrame(columns=DATA_COLUMNS), rows
        )
    assert _dump(tmp_path / "n.sqlite") == _dump(tmp_path / "o.sqlite")
    con = sqlite3.connect(tmp_path / "n.sqlite")
    got = con.execute(
        'SELECT "to", typeof("to"), dia_chi, typeof(dia_chi), ngheo, typeof(ngheo), chu_ho,'
        " typeof(chu_ho), dat_gdvh, typeof(dat_gdvh), nam_lien_tuc, typeof(nam_lien_tuc)"
        " FROM ho ORDER BY rowid"
    ).fetchall()
    con.close()
    # A number in a TEXT column is stored as its text; a whole float as an integer.
    assert got == [
        (1, "integer", "4", "text", "1", "text", "A", "text", 1, "integer", 2, "integer"),
        (None, "null", "x", "text", None, "null", None, "null", 0, "integer", None, "null"),
        (2.5, "real", None, "null", "1.5", "text", "3", "text", 0, "integer", 7, "integer"),
    ]


def _checked(rng: np.random.Generator, k: int, pool: list[str]) -> SimpleNamespace:
    make = parsed_register if rng.random() < 0.6 else register
    frame = make(rng, int(rng.integers(0, 50)), pool)
    if "nam_lien_tuc" in frame and rng.random() < 0.7 and make is register:
        # The old check walked every claimed year: only claims it could finish.
        claims = [NAN, None, 0, 1, 2.0, 3, 4.5, -1, 9, 40, "2", "x", 1e6]
        if rng.random() < 0.1:
            claims.append(np.inf)
        frame["nam_lien_tuc"] = pd.Series(_pick(rng, claims, len(frame)), dtype=object).values
    elif "nam_lien_tuc" in frame:
        frame["nam_lien_tuc"] = rng.integers(0, 7, len(frame))
    letters = {"ma_ho": "B", "nam_lien_tuc": "J"} if rng.random() < 0.8 else {"ma_ho": "C"}
    table = Table(HOUSEHOLDS.name, frame, letters)
    wb = SimpleNamespace(
        tables={HOUSEHOLDS.name: table} if rng.random() < 0.95 else {}, khom=f"K{k}"
    )
    return SimpleNamespace(wb=wb, name=f"K{k}_2020.xlsx")


@pytest.mark.parametrize("seed", SEEDS)
def test_current_households_are_the_same_frame(seed: int):
    from tqd_sheets.history_run import current_households

    rng = np.random.default_rng(seed)
    pool = [f"{i:03d}" for i in range(60)]
    used = [_checked(rng, k, pool) for k in range(int(rng.integers(0, 5)))]
    _same_frame(current_households(used), before.current_households(used))


def _past(
    rng: np.random.Generator, kys: list[str], khoms: list[str], pool: list[str]
) -> pd.DataFrame:
    rows = []
    for ky in kys:
        for k in khoms:
            for ma in _pick(rng, pool, int(rng.integers(0, 25))):
                rows.append(
                    {
                        "ky": ky,
                        "ma_khom": k,
                        "ma_ho": ma,
                        "chu_ho": _pick(rng, ["Lê Văn Tám", None, ""], 1)[0],
                        "to": _pick(rng, [1.0, NAN, 12.0], 1)[0],
                        "dat_gdvh": bool(rng.random() < 0.7),
                    }
                )
    cols = ["ky", "ma_khom", "ma_ho", "chu_ho", "to", "dat_gdvh"]
    df = pd.DataFrame(rows, columns=cols)
    return df.astype({"ky": "str", "ma_khom": "str", "ma_ho": "str", "chu_ho": "str"})


@pytest.mark.parametrize("seed", SEEDS)
def test_rows_of_registers_are_the_same(seed: int):
    rng = np.random.default_rng(seed)
    past = _past(rng, ["2019", "2020Q1", "2020"], ["K1", "K2", "K3"], ["a", "b", "c"])
    regs = past[["ky", "ma_khom"]].drop_duplicates().sample(frac=0.5, random_state=seed)
    for want in (regs, regs.iloc[0:0]):
        _same_frame(history.rows_of(past, want), before.rows_of(past, want))
    _same_frame(history.rows_of(past.iloc[0:0], regs), before.rows_of(past.iloc[0:0], regs))


CODES_SEEN: set[str] = set()


def _found(check: object, *args: object) -> list[object]:
    try:
        return list(check(*args))  # type: ignore[operator]
    except OverflowError as exc:
        return [type(exc).__name__]


@pytest.mark.parametrize("seed", SEEDS)
def test_l02_to_l05_are_the_same_findings(seed: int):
    from tqd_sheets.history_run import current_households

    rng = np.random.default_rng(seed)
    pool = [f"{i:03d}" for i in range(40)]
    used = [_checked(rng, k, pool) for k in range(1, int(rng.integers(2, 5)))]
    current = current_households(used)
    year = 2024
    by_year = {
        y: _past(rng, [str(y)], ["K1", "K2", "K3", "K4"], pool)
        for y in range(year - int(rng.integers(0, 6)), year)
        if rng.random() < 0.85
    }
    # A claim of infinitely many years stops both (attach reports L01), the same way.
    new = _found(history_checks.streaks, current, by_year, year)
    assert new == _found(before.streaks, current, by_year, year)
    last = _past(rng, ["2023", "2023Q4", "2022"], ["K1", "K2", "K3", "K5"], pool)
    files = {c.wb.khom: c.name for c in used}
    names = {"K1": "Khóm Một", "K5": "Khóm Năm"}
    moved = history_checks.lost_and_moved(current, last, files, names)
    assert moved == before.lost_and_moved(current, last, files, names)
    empty = last.iloc[0:0]
    assert history_checks.lost_and_moved(current, empty, files, names) == before.lost_and_moved(
        current, empty, files, names
    )
    CODES_SEEN.update(f.code for f in [*new, *moved] if not isinstance(f, str))


def test_the_generated_cases_reach_every_finding():
    """Run after the comparisons above: they met every code, so they compared something."""
    for seed in SEEDS[:10]:
        test_l02_to_l05_are_the_same_findings(seed)
    assert {"L02", "L03", "L04", "L05"} <= CODES_SEEN
