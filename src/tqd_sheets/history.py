"""History (history.md): every consolidation remembered in one SQLite file per running unit.

The store is the shell's; what it answers is computed by pure functions over DataFrames:
the latest figures of a period, the same period one year earlier mapped to this run's units
(closed units → their successor across the 2025 reform), the trend over every year held, and
what changed since the previous run of the same period.

Nothing here may stop a run or change a figure: every failure of the file is a `HistoryError`
(worded for the officer) that the shell turns into a warning finding.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

import numpy as np
import pandas as pd

from . import registry, units
from .history_checks import cells, is_text_dtype
from .oserrors import in_vietnamese
from .periods import Period
from .results import DATA_COLUMNS

SCHEMA_VERSION = 1
FOLDER = "lich-su"  # beside the configuration, like `noi-bo/`: it holds personal data
ENV_FOLDER = "TQD_LICH_SU"  # a folder that replaces the default one (tests, a shared drive)
BUSY_SECONDS = 5.0  # how long a write waits for another run holding the file

RUN, IMPORT = "chay", "nhap"  # lan_chay.nguon: a consolidation, or `history import`

# `ho`: one row per household and period, as consolidated (history.md).
HOUSEHOLD_COLUMNS = [
    "ma_khom",
    "ma_ho",
    "chu_ho",
    "to",
    "dia_chi",
    "nhan_khau",
    "ngheo",
    "dk_gdvh",
    "dat_gdvh",
    "nam_lien_tuc",
    "gd_hoc_tap",
    "gd_the_thao",
    "vi_pham",
]
MARKS = ("dk_gdvh", "dat_gdvh", "gd_hoc_tap", "gd_the_thao", "vi_pham")

_SCHEMA = """
CREATE TABLE lan_chay (
    id INTEGER PRIMARY KEY,
    thoi_gian TEXT NOT NULL,
    phien_ban TEXT NOT NULL,
    ky TEXT NOT NULL,
    ma_don_vi TEXT NOT NULL,
    ma_thoat INTEGER,
    nguon TEXT NOT NULL,
    dau_vao TEXT NOT NULL,
    khoa TEXT UNIQUE
);
CREATE INDEX lan_chay_ky ON lan_chay (ky, ma_don_vi);
CREATE TABLE du_lieu (
    lan_chay INTEGER NOT NULL REFERENCES lan_chay (id),
    ky TEXT NOT NULL,
    ma_don_vi TEXT NOT NULL,
    ten_don_vi TEXT NOT NULL,
    cap TEXT NOT NULL,
    ma_don_vi_cha TEXT NOT NULL,
    ma_chi_tieu TEXT NOT NULL,
    phan_loai TEXT NOT NULL,
    tu_so REAL,
    mau_so REAL,
    gia_tri REAL
);
CREATE INDEX du_lieu_lan_chay ON du_lieu (lan_chay);
CREATE TABLE ho (
    lan_chay INTEGER NOT NULL REFERENCES lan_chay (id),
    ky TEXT NOT NULL,
    ma_khom TEXT NOT NULL,
    ma_ho TEXT NOT NULL,
    chu_ho TEXT,
    "to" INTEGER,
    dia_chi TEXT,
    nhan_khau INTEGER,
    ngheo TEXT,
    dk_gdvh INTEGER NOT NULL,
    dat_gdvh INTEGER NOT NULL,
    nam_lien_tuc INTEGER,
    gd_hoc_tap INTEGER NOT NULL,
    gd_the_thao INTEGER NOT NULL,
    vi_pham INTEGER NOT NULL
);
CREATE INDEX ho_so ON ho (ky, ma_khom, lan_chay);
"""


class HistoryError(Exception):
    """The history file cannot be used; the message says why and what to do, in Vietnamese."""


# ── where the file is ──────────────────────────────────────────────────────────────────────


def store_path(unit_code: str, config_file: Path, configured: str = "") -> Path:
    """`[lich_su] tep` when set (relative to the configuration), else `lich-su/<ma>.sqlite`
    beside the configuration, or in the folder `TQD_LICH_SU` names."""
    if configured.strip():
        p = Path(configured.strip())
        return p if p.is_absolute() else config_file.parent / p
    folder = os.environ.get(ENV_FOLDER, "").strip()
    base = Path(folder) if folder else config_file.parent / FOLDER
    return base / f"{unit_code}.sqlite"


def sibling(path: Path, unit_code: str) -> Path:
    """Another unit's file in the same folder (a closed unit's history, read-only)."""
    return path.parent / f"{unit_code}.sqlite"


# ── the file ───────────────────────────────────────────────────────────────────────────────


def _why(path: Path, exc: BaseException) -> HistoryError:
    if isinstance(exc, HistoryError):
        return exc
    if isinstance(exc, OSError):
        return HistoryError(f"không mở được tệp lịch sử {path}: {in_vietnamese(exc)}")
    text = str(exc).casefold()
    if "locked" in text or "busy" in text:
        return HistoryError(f"tệp lịch sử {path} đang được một lần chạy khác sử dụng (tệp bị khóa)")
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return HistoryError(f"không ghi được vào tệp lịch sử {path} (không có quyền ghi)")
    return HistoryError(f"tệp lịch sử {path} bị hỏng hoặc không phải tệp lịch sử của phần mềm")


@contextmanager
def connect(path: Path, *, write: bool) -> Iterator[sqlite3.Connection | None]:
    """The store, its schema created on first write; None when reading a file that does not
    exist yet or holds nothing. Every failure is a `HistoryError`."""
    if not write and not path.exists():
        yield None
        return
    con: sqlite3.Connection | None = None
    try:
        if write:
            path.parent.mkdir(parents=True, exist_ok=True)
            con = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
        else:
            uri = f"{path.resolve().as_uri()}?mode=ro"
            con = sqlite3.connect(uri, uri=True, timeout=BUSY_SECONDS, isolation_level=None)
        ready = _schema(con, path, write)
        yield con if ready else None
    except (sqlite3.Error, OSError) as exc:
        raise _why(path, exc) from None
    finally:
        if con is not None:
            con.close()


def _schema(con: sqlite3.Connection, path: Path, write: bool) -> bool:
    """Whether the file holds our tables (created now when writing to a new file)."""
    version = con.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise HistoryError(
            f"tệp lịch sử {path} do phiên bản mới hơn của phần mềm tạo: cập nhật phần mềm"
        )
    if version == SCHEMA_VERSION:
        return True
    tables = con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if tables:
        raise HistoryError(f"tệp {path} là một cơ sở dữ liệu khác, không phải tệp lịch sử")
    if not write:
        return False
    con.executescript(f"BEGIN IMMEDIATE;{_SCHEMA}PRAGMA user_version = {SCHEMA_VERSION};COMMIT;")
    return True


def check_usable(path: Path) -> None:
    """Raise `HistoryError` unless the file can be read and written now (checked before a
    run's outputs, so that a problem is a finding of this run's report)."""
    with connect(path, write=True) as con:
        assert con is not None
        con.execute("BEGIN IMMEDIATE")
        con.execute("SELECT count(*) FROM lan_chay").fetchone()
        con.execute("ROLLBACK")


@dataclass(frozen=True)
class RunRecord:
    ky: str
    ma_don_vi: str
    thoi_gian: str  # ISO, with the offset
    phien_ban: str
    nguon: str = RUN
    ma_thoat: int | None = None
    dau_vao: tuple[tuple[str, str | None], ...] = ()  # (file name, SHA-256)
    khoa: str | None = None  # an imported file's SHA-256: the same file is imported once


def nullable(v: object) -> object:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return v


def household_rows(khom: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A parsed register (spec codes, any extra columns) as `ho` rows of khóm `khom`."""
    return _rows(pd.Series(khom, index=frame.index), frame)


def registers_rows(registers: Sequence[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """`pd.concat([household_rows(khom, frame) for khom, frame in registers])`, index 0…n-1.

    Registers whose columns allow it (a parsed register's usual types) are joined first and
    converted once: a few pandas calls per register cost more than their rows."""
    if not registers:
        raise ValueError("no registers")
    frames = [f for _, f in registers]
    if not alike(frames):
        rows = [household_rows(k, f) for k, f in registers]
        return pd.concat(rows, ignore_index=True)
    whole = pd.concat(frames, ignore_index=True, sort=False)
    khoms = np.repeat(np.array([k for k, _ in registers], dtype=object), [len(f) for f in frames])
    return joined_rows(khoms.tolist(), whole)


def joined_rows(khoms: list[str], whole: pd.DataFrame) -> pd.DataFrame:
    """`ho` rows of registers joined into one frame (registers `alike`), `khoms` the khóm of
    each row: what joining each register's `household_rows` gives."""
    return _rows(pd.Series(khoms, index=whole.index, dtype="str"), whole[HOUSEHOLD_COLUMNS[1:]])


def alike(frames: Sequence[pd.DataFrame]) -> bool:
    """Whether converting the registers joined gives what converting each did: none empty,
    every column there, Mã hộ text, marks bool, numbers numeric (joined int and float are
    float either way); the other columns pass through unchanged, whatever their type."""
    for f in frames:
        if not len(f) or not f.columns.is_unique:
            return False
        dtypes = dict(zip(f.columns, f.dtypes, strict=True))
        if any(c not in dtypes for c in HOUSEHOLD_COLUMNS[1:]):
            return False
        if not is_text_dtype(dtypes["ma_ho"]) or any(dtypes[c] != np.dtype(bool) for c in MARKS):
            return False
        for c in ("to", "nhan_khau", "nam_lien_tuc"):
            if not (isinstance(dtypes[c], np.dtype) and dtypes[c].kind in "iuf"):
                return False
    return True


def _rows(khom: pd.Series, frame: pd.DataFrame) -> pd.DataFrame:
    cols = {"ma_khom": khom}
    for col in HOUSEHOLD_COLUMNS[1:]:
        cols[col] = (
            frame[col]
            if col in frame.columns
            else pd.Series([None] * len(frame), index=frame.index, dtype=object)
        )
    for col in MARKS:
        cols[col] = _marks(cols[col])
    cols["ma_ho"] = _codes(cols["ma_ho"])
    for col in ("to", "nhan_khau", "nam_lien_tuc"):
        cols[col] = pd.to_numeric(cols[col], errors="coerce")
    # One frame built at once: a column inserted at a time cost more than all the rest.
    out = pd.DataFrame(cols, index=frame.index)
    return out[out.ma_ho != ""].reset_index(drop=True)


def _mark(v: object) -> bool:
    return bool(v) if isinstance(v, bool) else False


def _marks(col: pd.Series) -> pd.Series:
    """Each cell that is a Python bool as itself, anything else False (a bool column).

    Whole columns where their type decides (a parsed register's are bool); an empty column
    goes through `.map`, whose result type for nothing is its own."""
    if not len(col):
        return col.map(_mark)
    if col.dtype == bool:
        return col
    if (isinstance(col.dtype, np.dtype) and col.dtype.kind in "iuf") or _is_text(col):
        return pd.Series(np.zeros(len(col), dtype=bool), index=col.index, name=col.name)
    if not (isinstance(col.dtype, np.dtype) and col.dtype.kind == "O"):
        return col.map(_mark)  # pandas' own types (boolean, category…) keep theirs
    marked = [v is True for v in cells(col)]
    return pd.Series(np.array(marked, dtype=bool), index=col.index, name=col.name)


def has_code(col: pd.Series) -> pd.Series:
    """Which cells of a Mã hộ column hold a code (neither empty nor blank text)."""
    if len(col) and _is_text(col):
        return col.notna() & (col != "")
    return col.map(lambda v: nullable(v) not in (None, ""))


def _code(v: object) -> str:
    return "" if nullable(v) is None else str(v)


def _codes(col: pd.Series) -> pd.Series:
    """Mã hộ as text, "" where empty (the rows then left out)."""
    if len(col) and _is_text(col):
        return col.fillna("")
    return col.map(_code)


def _is_text(col: pd.Series) -> bool:
    return is_text_dtype(col.dtype)


_PLAIN = frozenset({str, int, type(None)})  # sqlite receives these as they are


def _nullable_column(col: pd.Series) -> list[object]:
    """`[nullable(v) for v in col]`, a column at a time."""
    dtype = col.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        values = col.to_numpy()
        out = values.astype(object)
        out[np.isnan(values)] = None
        return out.tolist()
    values = cells(col)
    kinds = set(map(type, values))
    if kinds <= _PLAIN | {bool}:
        return values
    if kinds <= _PLAIN | {bool, float}:
        # pd.isna over these types is exactly None and float NaN
        out = np.array(values, dtype=object)
        out[pd.isna(out)] = None
        return out.tolist()
    return [nullable(v) for v in values]


def _sql_column(col: pd.Series) -> list[object]:
    """`[_sql(v) for v in col]`, a column at a time: the same Python values, so sqlite stores
    the same values with the same types."""
    dtype = col.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "b":
        return col.to_numpy().astype(np.int64).tolist()
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        return _sql_floats(col.to_numpy())
    values = cells(col)
    types = list(map(type, values))
    kinds = set(types)
    if kinds <= _PLAIN:
        return values
    if kinds <= _PLAIN | {float}:
        out = np.array(values, dtype=object)
        empty = pd.isna(out)  # exactly None and float NaN among these types
        if types.count(float) == int(empty.sum()) - types.count(type(None)):
            out[empty] = None  # every float is NaN: nothing else changes
            return out.tolist()
    return [_sql(v) for v in values]


def _sql_floats(values: np.ndarray) -> list[object]:
    """A float column as `_sql` gives it: NaN → None, a whole number → int, else the float."""
    out = values.astype(object)
    whole = np.isfinite(values) & (values == np.trunc(values))
    small = whole & (np.abs(values) < 2.0**63)
    out[small] = values[small].astype(np.int64).astype(object)
    for i in np.flatnonzero(whole & ~small):
        out[i] = int(values[i])
    out[np.isnan(values)] = None
    return out.tolist()


def record(
    path: Path,
    rec: RunRecord,
    data: pd.DataFrame,
    households: pd.DataFrame | Iterable[pd.DataFrame] | None = None,
) -> int | None:
    """Write one run (or import) in one transaction; the run's id, or None when `rec.khoa`
    was imported before (nothing changes). `households`: one frame of `ho` rows, or frames
    made one after another inside the transaction (a province's registers, a batch at a
    time: memory holds one batch's rows, not a million)."""
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
            # Rows built a column at a time; each holds the Python values `nullable` / `_sql`
            # give cell by cell, so what sqlite stores is the same.
            figures = [_nullable_column(data[c]) for c in DATA_COLUMNS]
            con.executemany(
                "INSERT INTO du_lieu VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                zip(repeat(run_id), *figures),
            )
            batches = [households] if isinstance(households, pd.DataFrame) else households
            for batch in batches or ():
                if not len(batch):
                    continue
                columns = [_sql_column(batch[c]) for c in HOUSEHOLD_COLUMNS]
                con.executemany(
                    "INSERT INTO ho VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    zip(repeat(run_id), repeat(rec.ky), *columns),
                )
                del columns
            con.execute("COMMIT")
            return run_id
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise


def _sql(v: object) -> object:
    v = nullable(v)
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def imported(path: Path, digest: str) -> bool:
    """Whether the file with SHA-256 `digest` was imported before."""
    with connect(path, write=False) as con:
        if con is None:
            return False
        return (
            con.execute("SELECT 1 FROM lan_chay WHERE khoa = ?", (digest,)).fetchone() is not None
        )


# ── reading ────────────────────────────────────────────────────────────────────────────────

RUN_COLUMNS = ["id", "thoi_gian", "ky", "ma_don_vi", "nguon"]


def load_runs(path: Path) -> pd.DataFrame:
    """Every run and import the file holds (small: one row per run)."""
    with connect(path, write=False) as con:
        if con is None:
            return pd.DataFrame(columns=RUN_COLUMNS)
        return pd.read_sql_query(f"SELECT {', '.join(RUN_COLUMNS)} FROM lan_chay", con)


def load_data(path: Path, run_ids: Iterable[int]) -> pd.DataFrame:
    """The `Dữ liệu` rows of the given runs, with their run id (`lan_chay`)."""
    ids = sorted({int(i) for i in run_ids})
    empty = pd.DataFrame(columns=["lan_chay", *DATA_COLUMNS])
    if not ids:
        return empty
    with connect(path, write=False) as con:
        if con is None:
            return empty
        marks = ",".join("?" * len(ids))
        df = pd.read_sql_query(
            f"SELECT * FROM du_lieu WHERE lan_chay IN ({marks})", con, params=ids
        )
    for col in ("tu_so", "mau_so", "gia_tri"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    return df


def load_register_index(path: Path) -> pd.DataFrame:
    """Which run holds which khóm's register of which period: lan_chay, ky, ma_khom, so_ho."""
    with connect(path, write=False) as con:
        if con is None:
            return pd.DataFrame(columns=["lan_chay", "ky", "ma_khom", "so_ho", "thoi_gian"])
        return pd.read_sql_query(
            "SELECT h.lan_chay, h.ky, h.ma_khom, count(*) AS so_ho, l.thoi_gian FROM ho h"
            " JOIN lan_chay l ON l.id = h.lan_chay GROUP BY h.lan_chay, h.ky, h.ma_khom",
            con,
        )


def load_households(
    path: Path, registers: pd.DataFrame, columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """The `ho` rows of the chosen registers (rows of `latest_registers`): ky and `columns`
    (every household column when None; fewer are read faster)."""
    cols = ["ky", *(HOUSEHOLD_COLUMNS if columns is None else columns)]
    if not len(registers):
        return pd.DataFrame(columns=cols)
    with connect(path, write=False) as con:
        if con is None:
            return pd.DataFrame(columns=cols)
        con.execute("CREATE TEMP TABLE chon (lan_chay INTEGER, ma_khom TEXT)")
        con.executemany(
            "INSERT INTO chon VALUES (?, ?)",
            ((int(r.lan_chay), str(r.ma_khom)) for r in registers.itertuples()),
        )
        picked = ", ".join(f'h."{c}"' for c in cols)
        df = pd.read_sql_query(
            f"SELECT {picked} FROM ho h JOIN chon c ON c.lan_chay = h.lan_chay"
            " AND c.ma_khom = h.ma_khom ORDER BY h.rowid",
            con,
        )
    for col in MARKS:
        if col in df.columns:
            df[col] = df[col].astype(bool)
    return df


# ── pure queries ───────────────────────────────────────────────────────────────────────────


def year_before(period: Period) -> Period:
    """2020Q2 → 2019Q2, 2020 → 2019."""
    return Period(period.year - 1, period.kind, period.number)


def ordered(runs: pd.DataFrame) -> pd.DataFrame:
    """Runs oldest first: by time, then by the order they were written."""
    return runs.sort_values(["thoi_gian", "id"], kind="stable")


def latest_run(runs: pd.DataFrame, ky: str, unit: str) -> pd.Series | None:
    """The run whose figures are period `ky`'s current ones for `unit` (its latest)."""
    mine = runs[(runs.ky == ky) & (runs.ma_don_vi == unit)]
    return None if not len(mine) else ordered(mine).iloc[-1]


def rows_of(past: pd.DataFrame, registers: pd.DataFrame) -> pd.DataFrame:
    """The rows of `past` (`ho` rows with ky) that belong to the given registers (ky, ma_khom)."""
    wanted = set(zip(registers.ky, registers.ma_khom, strict=True))
    keys = zip(cells(past.ky), cells(past.ma_khom), strict=True)
    # A boolean array, never a list: an empty list would select no columns, not no rows.
    return past.loc[np.fromiter(map(wanted.__contains__, keys), dtype=bool, count=len(past))]


def latest_registers(index: pd.DataFrame) -> pd.DataFrame:
    """Per (ky, ma_khom), the latest run holding that register."""
    if not len(index):
        return index
    by_time = index.sort_values(["thoi_gian", "lan_chay"], kind="stable")
    return by_time.groupby(["ky", "ma_khom"], as_index=False).tail(1).reset_index(drop=True)


def _is_rate(code: str) -> bool:
    ind = registry.BY_CODE.get(code)
    return ind is not None and ind.is_rate


# Indicators that are one unit's own verdict: the sum over several old units means nothing
# for the unit that replaced them.
_OWN_VERDICTS = frozenset(
    i.code for i in registry.INDICATORS if i.parent_only and i.kind is registry.Kind.FLAG
)


def merge_units(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Old units' own total rows as the one unit that replaced them: counts and the parts of
    rates summed, rates recomputed, never averaged; an indicator some unit lacks is left out,
    and so is each old unit's own verdict (its title is not the new unit's)."""
    both = pd.concat(frames, ignore_index=True)
    out = []
    for (code, loai), g in both.groupby(["ma_chi_tieu", "phan_loai"], sort=False):
        if len(g) < len(frames) or code in _OWN_VERDICTS:
            continue
        tu, mau = float(g.tu_so.sum(min_count=1)), float(g.mau_so.sum(min_count=1))
        if _is_rate(str(code)):
            value = tu / mau if mau else math.nan
        else:
            value = float(g.gia_tri.sum(min_count=1))
            mau = math.nan
        out.append(
            {"ma_chi_tieu": code, "phan_loai": loai, "tu_so": tu, "mau_so": mau, "gia_tri": value}
        )
    return pd.DataFrame(out, columns=["ma_chi_tieu", "phan_loai", "tu_so", "mau_so", "gia_tri"])


@dataclass(frozen=True)
class Unit:
    """The running unit as the comparison names it."""

    ma: str
    ten: str  # `Phường Sa Đéc`
    cap: str
    ma_cha: str
    children: tuple[str, ...] = ()


def sources_for(unit: Unit, earlier: Period, now: Period) -> list[units.Succession]:
    """The old units whose figures of `earlier` stand for `unit` in `now`: those replaced by
    it between the two periods (the merged unit may keep one of their codes); [] when the unit
    did not change."""
    return [
        s for s in units.predecessors(unit.ma) if earlier.end < s.hieu_luc <= now.end and s.whole
    ]


def as_unit(frame: pd.DataFrame, unit: Unit, ky: str) -> pd.DataFrame:
    """Rows of `frame` (ma_chi_tieu, phan_loai, tu_so, mau_so, gia_tri) as `unit`'s own."""
    out = frame[["ma_chi_tieu", "phan_loai", "tu_so", "mau_so", "gia_tri"]].copy()
    out.insert(0, "ma_don_vi_cha", unit.ma_cha)
    out.insert(0, "cap", unit.cap)
    out.insert(0, "ten_don_vi", unit.ten)
    out.insert(0, "ma_don_vi", unit.ma)
    out.insert(0, "ky", ky)
    return out[DATA_COLUMNS].reset_index(drop=True)


def successor_note(
    unit: Unit,
    earlier: Period,
    used: Sequence[units.Succession],
    missing: Sequence[units.Succession],
) -> str:
    """What a reader of the comparison must know: which old units it sums, on what basis."""

    def name(s: units.Succession) -> str:
        old = units.unit(s.ma_cu, earlier.end)
        return f"{old.full_name if old else s.ma_cu} ({s.ma_cu})"

    basis = "; ".join(dict.fromkeys(s.can_cu for s in [*used, *missing]))
    day = min(s.hieu_luc for s in [*used, *missing]).strftime("%d/%m/%Y")
    parts = ", ".join(name(s) for s in used)
    summed = (
        f"tổng của {parts} (cộng tử số, mẫu số rồi tính lại tỷ lệ)"
        if len(used) > 1
        else f"số liệu của {parts}"
    )
    text = (
        f"Cùng kỳ năm trước ({earlier.words}): {unit.ten} ({unit.ma}) được thành lập từ "
        f"{day} ({basis}) trên cơ sở các đơn vị cũ; số liệu năm trước là {summed}."
    )
    if missing:
        text += (
            " Lịch sử chưa có số liệu của "
            + ", ".join(name(s) for s in missing)
            + ": so sánh chỉ gồm các đơn vị đã có."
        )
    return text + " Các đơn vị trực thuộc không so sánh được vì mã đã thay đổi."


@dataclass(frozen=True)
class Figures:
    """One period's figures found in history: rows (DATA_COLUMNS), the run's time, a note."""

    rows: pd.DataFrame
    thoi_gian: str
    note: str = ""


def figures(
    unit: Unit,
    wanted: Period,
    now: Period,
    held: Sequence[tuple[pd.DataFrame, pd.DataFrame]],
) -> Figures | None:
    """Period `wanted`'s latest figures mapped to `unit` as it is in `now`.

    `held`: (runs, du_lieu of those runs) of each store to search, own first. Across the
    reform the old units' own totals are merged into `unit`'s; otherwise the unit's rows and
    those of its children now (codes unchanged) are taken as they were."""
    olds = sources_for(unit, wanted, now)
    if not olds:
        for runs, data in held:
            run = latest_run(runs, wanted.id, unit.ma)
            if run is None:
                continue
            rows = data[data.lan_chay == run.id]
            keep = rows.ma_don_vi.isin({unit.ma, *unit.children})
            rows = rows[keep][DATA_COLUMNS].reset_index(drop=True)
            return Figures(rows, str(run.thoi_gian))
        return None
    used, frames, times = [], [], []
    for s in olds:
        for runs, data in held:
            run = latest_run(runs, wanted.id, s.ma_cu)
            if run is None:
                continue
            rows = data[(data.lan_chay == run.id) & (data.ma_don_vi == s.ma_cu)]
            used.append(s)
            frames.append(rows)
            times.append(str(run.thoi_gian))
            break
    if not frames:
        return None
    missing = [s for s in olds if s not in used]
    merged = as_unit(merge_units(frames), unit, wanted.id)
    return Figures(merged, max(times), successor_note(unit, wanted, used, missing))


def trend(
    unit: Unit,
    now: Period,
    current: pd.DataFrame,
    held: Sequence[tuple[pd.DataFrame, pd.DataFrame]],
    first_year: int,
) -> pd.DataFrame:
    """ky, ma_don_vi, ma_chi_tieu, gia_tri of the totals of every year held for the same
    period of the year (2018Q2, 2019Q2, 2020Q2…), this run's own last."""
    frames = []
    for year in range(first_year, now.year):
        found = figures(unit, Period(year, now.kind, now.number), now, held)
        if found is not None:
            frames.append(found.rows)
    frames.append(current)
    both = pd.concat(frames, ignore_index=True)
    both = both[(both.phan_loai == "") & both.ma_don_vi.isin({unit.ma, *unit.children})]
    return both[["ky", "ma_don_vi", "ma_chi_tieu", "gia_tri"]].reset_index(drop=True)


def _same(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


CHANGE_COLUMNS = ["ma_don_vi", "ten_don_vi", "ma_chi_tieu", "phan_loai", "cu", "moi", "lan_truoc"]


def changes(old: pd.DataFrame, new: pd.DataFrame, when: str) -> pd.DataFrame:
    """Every figure (unit × indicator × breakdown) whose value differs between the earlier
    run `old` and this run `new` (a row only one side has is a change too), as old → new."""
    key = ["ma_don_vi", "ma_chi_tieu", "phan_loai"]
    a = old[[*key, "ten_don_vi", "gia_tri"]].rename(columns={"gia_tri": "cu", "ten_don_vi": "t0"})
    b = new[[*key, "ten_don_vi", "gia_tri"]].rename(columns={"gia_tri": "moi"})
    both = a.merge(b, on=key, how="outer", sort=False, indicator=True)
    cu = pd.to_numeric(both["cu"], errors="coerce").astype(float)
    moi = pd.to_numeric(both["moi"], errors="coerce").astype(float)
    one_side = both["_merge"] != "both"
    differ = [o or not _same(c, m) for o, c, m in zip(one_side, cu, moi, strict=True)]
    out = both[differ].copy()
    out["cu"], out["moi"] = cu[differ], moi[differ]
    out["ten_don_vi"] = out.ten_don_vi.where(out.ten_don_vi.notna(), out.t0)
    out["lan_truoc"] = when
    order = {c: i for i, c in enumerate(registry.ORDER)}
    units_order = {u: i for i, u in enumerate(dict.fromkeys([*new.ma_don_vi, *old.ma_don_vi]))}
    out["_u"] = out.ma_don_vi.map(units_order)
    out["_c"] = out.ma_chi_tieu.map(lambda c: order.get(c, len(order)))
    out = out.sort_values(["_u", "_c", "phan_loai"], kind="stable")
    return out[CHANGE_COLUMNS].reset_index(drop=True)


# ── registers across years (ward level) ────────────────────────────────────────────────────


def year_registers(registers: pd.DataFrame, before: Period) -> dict[int, pd.DataFrame]:
    """For each year before `before`'s, the registers that stand for it: per khóm, its yearly
    register, else its latest-ending one of that year (rows of `latest_registers`)."""
    if not len(registers):
        return {}
    p = registers.ky.map(lambda k: Period.parse(str(k)))
    df = registers.assign(
        _year=p.map(lambda x: x.year),
        _end=p.map(lambda x: x.end),
        _whole=p.map(lambda x: x.is_year),
    )
    df = df[df._year < before.year].sort_values(["_end", "_whole"], kind="stable")
    df = df.groupby(["_year", "ma_khom"]).tail(1)
    helpers = ["_year", "_end", "_whole"]
    return {int(y): g.drop(columns=helpers) for y, g in df.groupby("_year")}


def last_registers(registers: pd.DataFrame, before: Period) -> pd.DataFrame:
    """Per khóm, its latest register of a period that ended before `before` began."""
    rows = [
        r for r in registers.itertuples(index=False) if Period.parse(str(r.ky)).end < before.start
    ]
    if not rows:
        return registers.iloc[0:0]
    df = pd.DataFrame(rows, columns=registers.columns)
    df["_end"] = df.ky.map(lambda k: Period.parse(str(k)).end)
    df = df.sort_values(["_end", "thoi_gian", "lan_chay"], kind="stable")
    return df.groupby("ma_khom", as_index=False).tail(1).drop(columns="_end")
