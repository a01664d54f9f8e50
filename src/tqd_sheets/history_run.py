"""The shell around the history store: a run's comparisons and checks, its record, imports.

`attach` fills the `Results` fields from history and adds the L findings before the outputs
are written; `remember` records the run after. A history file that cannot be used is one
warning (L01) of the run, never a stopped run or a changed figure.
"""

from __future__ import annotations

import csv
import io
import math
import os
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__, catalog, history, history_checks, units
from .config import Config
from .findings import Finding, Severity
from .forms import DATA_SHEET
from .parse import ROW, Table
from .periods import Period
from .pipeline import Checked, Run, check_file, sha256
from .read import read_workbook
from .results import DATA_COLUMNS, Results
from .spec import HOUSEHOLDS, KHOM_INFO, Kind


def store_of(config: Config, config_file: Path) -> Path:
    return history.store_path(config.don_vi.ma, config_file, config.lich_su.tep)


def unit_of(config: Config, results: Results) -> history.Unit:
    w = config.don_vi
    return history.Unit(w.ma, f"{w.cap} {w.ten}", w.cap, w.ma_cha, tuple(results.expected))


def now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


# ── before the outputs: comparisons and checks ─────────────────────────────────────────────


@dataclass
class Compared:
    previous: history.Figures | None
    previous_period: Period
    trend: pd.DataFrame | None
    changes: pd.DataFrame | None


def _held(paths: Sequence[Path], wanted: set[str]) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    """(runs, their Dữ liệu) of each store, only the latest run per (period, unit) of the
    periods `wanted` (the other runs are never compared)."""
    out = []
    for path in paths:
        runs = history.load_runs(path)
        runs = runs[runs.ky.isin(wanted)]
        if not len(runs):
            continue
        latest = history.ordered(runs).groupby(["ky", "ma_don_vi"]).tail(1)
        out.append((runs, history.load_data(path, latest.id)))
    return out


def compare(unit: history.Unit, period: Period, data: pd.DataFrame, path: Path) -> Compared:
    """Everything the forms compare with, from the unit's store and those of the old units
    it replaced (same folder, read only)."""
    before = history.year_before(period)
    olds = {s.ma_cu for s in units.predecessors(unit.ma) if s.whole and s.hieu_luc <= period.end}
    paths = [path, *(history.sibling(path, c) for c in sorted(olds) if c != unit.ma)]
    own_runs = history.load_runs(path)
    years = {
        Period.parse(str(k)).year
        for p in paths
        for k in (own_runs if p == path else history.load_runs(p)).ky
        if _same_kind(str(k), period)
    }
    wanted = {Period(y, period.kind, period.number).id for y in years if y < period.year}
    held = _held(paths, wanted | {period.id})
    previous = history.figures(unit, before, period, held)
    trend = None
    if years and min(years) < period.year:
        trend = history.trend(unit, period, data, held, min(years))
    changes = None
    last = history.latest_run(own_runs, period.id, unit.ma)
    if last is not None:
        old = history.load_data(path, [int(last.id)])
        changes = history.changes(old, data, str(last.thoi_gian))
    return Compared(previous, before, trend, changes)


def _same_kind(ky: str, period: Period) -> bool:
    try:
        p = Period.parse(ky)
    except ValueError:
        return False
    return p.kind == period.kind and p.number == period.number


def _consolidated(run: Run) -> list[Checked]:
    r = run.results
    return [
        c
        for c in run.checked
        if c.parsed is not None
        and c.parsed.kind is Kind.KHOM
        and c.parsed.khom in r.included
        and not c.ignored
        and not c.errors
    ]


def current_households(used: Sequence[Checked]) -> pd.DataFrame:
    """The registers of this run as `history_checks` reads them (with files and cells)."""
    tables = []
    for c in used:
        t = c.wb.tables.get(HOUSEHOLDS.name)
        if t is not None and len(t.frame):
            tables.append((c, t))
    if not tables:
        cols = [*history.HOUSEHOLD_COLUMNS, "tep", "dong", "o_ma", "o_nam"]
        return pd.DataFrame(columns=cols)
    frames = [t.frame for _, t in tables]
    if history.alike(frames):
        # Registers of the usual types: joined once, listed rows picked once.
        whole = pd.concat(frames, ignore_index=True, sort=False)
        listed = history.has_code(whole["ma_ho"]).to_numpy(dtype=bool)
        starts = np.cumsum([0, *(len(f) for f in frames[:-1])])
        counts = np.add.reduceat(listed.astype(np.int64), starts)
        if counts.all():
            return _joined(tables, whole[listed], counts)
    parts = []
    for c, t in tables:
        picked = t.frame[history.has_code(t.frame["ma_ho"])]
        df = history.household_rows(c.wb.khom, picked)
        rows = [int(r) for r in history_checks.cells(picked[ROW])]
        df["tep"] = c.name
        df["dong"] = rows
        df["o_ma"], df["o_nam"] = _cells_of(t, rows)
        parts.append(df)
    return pd.concat(parts, ignore_index=True)


def _cells_of(t: Table, rows: list[int]) -> tuple[list[str], list[str]]:
    """Mã hộ's and Số năm liên tục's cells of these rows as `t.ref` names them."""
    ma = t.columns.get("ma_ho", "A")
    if "nam_lien_tuc" not in t.columns:
        return [f"{ma}{r}" for r in rows], [""] * len(rows)
    nam = t.columns["nam_lien_tuc"]
    return [f"{ma}{r}" for r in rows], [f"{nam}{r}" for r in rows]


def _joined(
    tables: list[tuple[Checked, Table]], listed: pd.DataFrame, counts: np.ndarray
) -> pd.DataFrame:
    """The frame the one-register-at-a-time way builds, from the registers' listed rows joined
    (`counts` of them from each register, in order)."""

    def each(values: list[object]) -> list[object]:
        return np.repeat(np.array(values, dtype=object), counts).tolist()

    df = history.joined_rows(each([c.wb.khom for c, _ in tables]), listed)
    rows = [int(r) for r in history_checks.cells(listed[ROW])]
    numbers = np.array([str(r) for r in rows], dtype=object)
    ma = np.array(each([t.columns.get("ma_ho", "A") for _, t in tables]), dtype=object)
    nam = np.array(each([t.columns.get("nam_lien_tuc", "") for _, t in tables]), dtype=object)
    has_nam = np.array(each(["nam_lien_tuc" in t.columns for _, t in tables]), dtype=bool)
    df["tep"] = each([c.name for c, _ in tables])
    df["dong"] = rows
    df["o_ma"] = (ma + numbers).tolist()
    df["o_nam"] = np.where(has_nam, nam + numbers, "").tolist()
    return df


def check_registers(run: Run, config: Config, path: Path) -> list[Finding]:
    """L02–L05 over this run's registers and the earlier ones history holds."""
    if any(lv.rank != 0 for lv in config.child_levels):
        return []  # only a unit whose children keep household registers
    used = _consolidated(run)
    if not used:
        return []
    index = history.latest_registers(history.load_register_index(path))
    if not len(index):
        return []
    period = run.period
    by_year_regs = history.year_registers(index, period)
    last_regs = history.last_registers(index, period)
    chosen = pd.concat([*by_year_regs.values(), last_regs], ignore_index=True)
    chosen = chosen.drop_duplicates(["lan_chay", "ma_khom"]) if len(chosen) else chosen
    # Only what the checks read: the rest of each row would double the reading.
    past = history.load_households(path, chosen, history_checks.PAST_COLUMNS)

    current = current_households(used)
    by_year = {y: history.rows_of(past, regs) for y, regs in by_year_regs.items()}
    found = history_checks.streaks(current, by_year, period.year)
    files = {c.wb.khom: c.name for c in used}
    names = {k.ma: k.ten for k in config.khom}
    found += history_checks.lost_and_moved(current, history.rows_of(past, last_regs), files, names)
    return found


def attach(run: Run, config: Config, path: Path) -> bool:
    """Fill `run.results`' history fields and add the L findings. Returns whether the run
    may be recorded afterwards (the file can be used, and the run is not on sample data)."""
    r = run.results
    try:
        history.check_usable(path)
        unit = unit_of(config, r)
        got = compare(unit, run.period, r.data, path)
        found = check_registers(run, config, path)
    except history.HistoryError as exc:
        _add(run, [catalog.make("L01", detail=str(exc))])
        return False
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # a fault of ours must not cost the officer the run
        if os.environ.get("TQD_DEBUG"):
            traceback.print_exception(exc)
        detail = f"lỗi nội bộ khi đọc lịch sử ({type(exc).__name__})"
        _add(run, [catalog.make("L01", detail=detail)])
        return False
    if got.previous is not None:
        r.previous = got.previous.rows
        r.previous_period = got.previous_period
        r.previous_note = got.previous.note
    r.trend = got.trend
    r.changes = got.changes
    _add(run, found)
    return not r.sample_data


def _add(run: Run, found: Sequence[Finding]) -> None:
    """New findings into the run's report, their files' lists and the overview's counts."""
    if not found:
        return
    r = run.results
    by_file = {c.name: c for c in run.checked}
    for f in found:
        c = by_file.get(f.file)
        if c is not None:
            c.findings.append(f)
            if f.severity is Severity.WARNING and len(r.overview) and "tep" in r.overview:
                r.overview.loc[r.overview.tep == f.file, "canh_bao"] += 1
    r.findings = sorted([*r.findings, *found], key=Finding.sort_key)


# ── after the outputs: the record ──────────────────────────────────────────────────────────


RECORD_BATCH = 50  # registers joined and written at a time (about 40,000 households)


def remember(run: Run, config: Config, path: Path, files: Iterable[Path]) -> str:
    """Record the run in one transaction; "" when done, else why not (for the terminal:
    the outputs are already written)."""
    r = run.results
    inputs = []
    for p in files:
        try:
            inputs.append((p.name, sha256(p) if p.is_file() else None))
        except OSError:
            inputs.append((p.name, None))
    registers = [
        (c.wb.khom, c.wb.households()) for c in _consolidated(run) if len(c.wb.households())
    ]
    rec = history.RunRecord(
        run.period.id,
        config.don_vi.ma,
        now_iso(),
        __version__,
        history.RUN,
        run.exit_code,
        tuple(inputs),
    )
    try:
        batches = (
            history.registers_rows(registers[i : i + RECORD_BATCH])
            for i in range(0, len(registers), RECORD_BATCH)
        )
        history.record(path, rec, r.data, batches)
    except history.HistoryError as exc:
        return str(exc)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # e.g. a number too big for SQLite: the outputs stand, no trace
        if os.environ.get("TQD_DEBUG"):
            traceback.print_exception(exc)
        return f"lỗi nội bộ khi ghi lịch sử ({type(exc).__name__}); không có gì được ghi"
    return ""


# ── `tqd-sheets history import` ────────────────────────────────────────────────────────────


class NotImported(Exception):
    """One file cannot be imported; the message says why."""


def _number(v: object) -> float:
    if v is None:
        return math.nan
    if isinstance(v, int | float):
        return float(v)
    text = str(v).strip()
    if not text:
        return math.nan
    try:
        return float(text)
    except ValueError:
        raise NotImported(f"giá trị “{text}” không phải số") from None


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def data_frame(rows: Sequence[Sequence[object]], name: str) -> pd.DataFrame:
    """A `Dữ liệu` table (header row first) as DATA_COLUMNS rows."""
    if not rows:
        raise NotImported(f"{name} không có dòng nào")
    head = [_text(h) for h in rows[0]]
    missing = [c for c in DATA_COLUMNS if c not in head]
    if missing:
        raise NotImported(
            f"{name} không có các cột của sheet Dữ liệu ({', '.join(missing)}): không phải kết "
            "quả của phần mềm"
        )
    at = {c: head.index(c) for c in DATA_COLUMNS}
    records = []
    for r in rows[1:]:
        cells = list(r) + [None] * (len(head) - len(r))
        if not _text(cells[at["ma_don_vi"]]):
            continue
        rec = {c: _text(cells[at[c]]) for c in DATA_COLUMNS[:7]}
        rec["ten_don_vi"] = rec["ten_don_vi"].removeprefix("'")
        for c in ("tu_so", "mau_so", "gia_tri"):
            rec[c] = _number(cells[at[c]])
        records.append(rec)
    if not records:
        raise NotImported(f"{name} không có số liệu")
    return pd.DataFrame(records, columns=DATA_COLUMNS)


def running_unit(data: pd.DataFrame) -> str:
    """The unit whose output this is: the one its other rows name as their parent."""
    codes = list(dict.fromkeys(data.ma_don_vi))
    parents = set(data.ma_don_vi_cha)
    own = [c for c in codes if c in parents]
    return own[0] if own else codes[0]


def _mtime(path: Path) -> str:
    stamp = datetime.fromtimestamp(path.stat().st_mtime).astimezone()
    return stamp.isoformat(timespec="seconds")


def import_file(path: Path, config: Config, store: Path) -> str:
    """Import one earlier output or khóm workbook; the line to print. Raises NotImported
    (this file) or HistoryError (the store)."""
    if not path.is_file():
        raise NotImported("không tìm thấy tệp")
    digest = sha256(path)
    if history.imported(store, digest):
        return _again(path)
    if path.suffix.lower() == ".csv":
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
        data = data_frame(list(csv.reader(io.StringIO(text))), path.name)
        return _import_data(path, digest, data, store)
    raw, found = read_workbook(path)
    if raw is not None and raw.sheet(DATA_SHEET) is not None:
        data = data_frame(raw.sheet(DATA_SHEET).rows, path.name)  # type: ignore[union-attr]
        return _import_data(path, digest, data, store)
    if raw is None:
        first = next((f for f in found if f.is_error), None)
        raise NotImported(first.message if first else "không mở được tệp")
    return _import_register(path, digest, config, store)


def _again(path: Path) -> str:
    return f"{path.name}: đã nhập trước đây, không nhập lại."


def _import_data(path: Path, digest: str, data: pd.DataFrame, store: Path) -> str:
    kys = sorted(set(data.ky))
    if len(kys) != 1:
        raise NotImported(f"tệp có số liệu của nhiều kỳ ({', '.join(kys)})")
    try:
        period = Period.parse(kys[0])
    except ValueError:
        raise NotImported(f"kỳ “{kys[0]}” không hợp lệ") from None
    unit = running_unit(data)
    rec = history.RunRecord(
        period.id,
        unit,
        _mtime(path),
        __version__,
        history.IMPORT,
        None,
        ((path.name, digest),),
        digest,
    )
    if history.record(store, rec, data) is None:
        return _again(path)
    name = data[data.ma_don_vi == unit].ten_don_vi.iloc[0]
    return f"{path.name}: đã nhập số liệu của {name} ({unit}), {period.words}, {len(data)} dòng."


def _import_register(path: Path, digest: str, config: Config, store: Path) -> str:
    c = check_file(path, config)
    p = c.parsed
    if p is None or p.kind is not Kind.KHOM:
        raise NotImported(
            "không phải kết quả tổng hợp (BaoCao_…xlsx, DuLieu_….csv) hay biểu của đơn vị con"
        )
    # The list and who/when it is for must be right; the self-assessment is not imported.
    blocking = [
        f for f in c.findings if f.is_error and f.sheet in ("", KHOM_INFO.name, HOUSEHOLDS.name)
    ]
    if blocking or c.period is None or not p.khom:
        raise NotImported(
            f"biểu còn {len(blocking)} lỗi ở danh sách hộ hoặc thông tin chung: kiểm tra bằng "
            "lệnh tqd-sheets check, sửa rồi nhập lại"
        )
    households = history.household_rows(p.khom, p.households())
    empty = pd.DataFrame(columns=DATA_COLUMNS)
    rec = history.RunRecord(
        c.period.id,
        p.khom,  # the register's own unit: never taken for the ward's figures
        _mtime(path),
        __version__,
        history.IMPORT,
        None,
        ((path.name, digest),),
        digest,
    )
    if history.record(store, rec, empty, households) is None:
        return _again(path)
    return (
        f"{path.name}: đã nhập danh sách {len(households)} hộ của {config.khom_name(p.khom)}, "
        f"{c.period.words}."
    )
