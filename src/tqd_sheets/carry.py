"""Carry forward (history.md): a period's blank arrives with the child's households listed.

`tqd-sheets template --period P` writes every blank; then, for each child whose register
history holds, its blank is written again from the same spec with the latest register of a
period up to P pre-filled: Mã hộ, chủ hộ, tổ, địa chỉ, số nhân khẩu, hộ nghèo/cận nghèo and
Số năm liên tục; the marks are left empty for this period.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import history
from .atomic import write_atomic
from .config import Config
from .periods import Period
from .spec import HOUSEHOLDS, CodeSheet, Kind, LabelSheet
from .template import Context, Filled, TableFill, khom_template_name, open_book, workbook_spec

# The columns carried; every other column of the list (the marks, Ghi chú) starts empty.
CARRIED = ("ma_ho", "chu_ho", "to", "dia_chi", "nhan_khau", "ngheo", "nam_lien_tuc")


@dataclass(frozen=True)
class Carried:
    code: str  # the child
    path: Path  # its blank, now pre-filled
    households: int
    source: Period  # the register it came from


def latest_before(index: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Per child, its latest register of a period that ends no later than `period`."""
    if not len(index):
        return index
    index = history.latest_registers(index)
    ends = index.ky.map(lambda k: Period.parse(str(k)).end)
    ok = index[ends <= period.end].assign(_end=ends[ends <= period.end])
    ok = ok.sort_values(["_end", "thoi_gian", "lan_chay"], kind="stable")
    return ok.groupby("ma_khom", as_index=False).tail(1).drop(columns="_end")


def years_if_dat_again(nam: object, dat: bool, source: Period, period: Period) -> int | None:
    """Số năm liên tục as it will stand if the household is Đạt GĐVH again: one more across a
    year, the same within it; empty for a household that was not Đạt (the khóm types 1)."""
    try:
        n = float(nam)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        n = math.nan
    if not dat:
        return None
    n = 1.0 if math.isnan(n) or n < 1 else n
    return int(n) + (period.year - source.year if period.year > source.year else 0)


def table_rows(households: pd.DataFrame, source: Period, period: Period) -> list[list[object]]:
    """The `Danh sách hộ` rows, in the spec's column order, households in the list's order."""
    codes = [f.code for f in HOUSEHOLDS.fields]
    rows = []
    for i, h in enumerate(households.itertuples(index=False), start=1):
        values: dict[str, object] = {
            "stt": i,
            **{c: _plain(getattr(h, c)) for c in CARRIED if c != "nam_lien_tuc"},
            "nam_lien_tuc": years_if_dat_again(h.nam_lien_tuc, bool(h.dat_gdvh), source, period),
        }
        rows.append([values.get(c) for c in codes])
    return rows


def _plain(v: object) -> object:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def write_carried(path: Path, config: Config, period: Period, code: str, rows: list) -> Path:
    """Child `code`'s blank for `period` with `rows` in its household list."""
    ctx = Context(config, period, Kind.KHOM, code)
    wb_spec = workbook_spec(config, Kind.KHOM, code)
    values: dict[str, object] = dict(ctx.prefill())
    defaults = ctx.defaults()
    for sheet in wb_spec.sheets:
        if isinstance(sheet, LabelSheet | CodeSheet):
            for f in sheet.fields:
                if f.code not in values:
                    values[f.code] = defaults.get(f.code, f.default)
    filled = Filled(values, {HOUSEHOLDS.name: TableFill(rows)})

    def write(tmp: Path) -> None:
        open_book(tmp, wb_spec, ctx, filled).workbook.close()

    return write_atomic(path, write)


def carry_forward(out_dir: Path, config: Config, period: Period, store: Path) -> list[Carried]:
    """Pre-fill the blanks in `out_dir` of every child whose register history holds."""
    index = history.load_register_index(store)
    chosen = latest_before(index, period)
    chosen = chosen[chosen.ma_khom.isin(config.khom_codes)]
    if not len(chosen):
        return []
    households = history.load_households(store, chosen)
    done = []
    for k in config.khom:
        mine = chosen[chosen.ma_khom == k.ma]
        if not len(mine):
            continue
        source = Period.parse(str(mine.ky.iloc[0]))
        hh = households[(households.ma_khom == k.ma) & (households.ky == source.id)]
        path = out_dir / khom_template_name(k.ma, period, k.level.cap)
        write_carried(path, config, period, k.ma, table_rows(hh, source, period))
        done.append(Carried(k.ma, path, len(hh), source))
    return done
