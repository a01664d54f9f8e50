"""A parent's run (levels.md): a unit whose children are units one level down (a city's phường
and xã, a province's cities or, after the 2025 reform, its phường and xã) consolidates their
outputs into the same `Results` a ward's run builds, so every writer renders it as is.

Numbers: the children's own total rows are kept as they are, the parent's are
`indicators.roll_up` of them (numerators and denominators summed, rates recomputed, a figure
some child lacks left out), the DV_* rows broken down by loại the same way per loại.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from . import catalog, units
from .children import (
    ChildOutput,
    check_alone,
    check_in_run,
    other_output,
    read_output,
    records,
)
from .config import Config
from .findings import Finding, Tallied
from .indicators import Values, data_rows, roll_up, with_rates
from .periods import Period
from .read import ignore_reason
from .results import (
    CHUA_DAT,
    CHUA_DU,
    CHUA_NOP,
    CO_LOI,
    DA_TONG_HOP,
    DAT,
    TARGET_COLUMNS,
    TITLE_COLUMNS,
    Results,
)
from .spec import UNIT_TYPES

UNIT_COLUMNS = ["loai", "DV", "DV_DK", "DV_DAT", "DV_HT", "DV_ANTT"]
OUTPUT_SUFFIXES = (".xlsx", ".xlsm", ".csv")
# The title a phường/xã holds, a 1/0 flag in its total rows; a count of such units above it.
TITLE_FLAG = "PHUONG_VMDT"


class NoPeriod(Exception):
    """No one period for the run: `periods` are those the outputs hold (none, or several)."""

    def __init__(self, periods: list[Period]) -> None:
        super().__init__(periods)
        self.periods = periods


def is_parent(config: Config) -> bool:
    """The configuration's children are units that run the tool themselves (not khóm/ấp)."""
    return any(k.level.rank >= 1 for k in config.khom)


@dataclass
class Intake(Tallied):
    """One inbox file of a parent's run."""

    path: Path
    child: ChildOutput | None = None
    findings: list[Finding] = field(default_factory=list)
    ignored: str = ""
    unit: str = ""  # whose file this is, when known
    # The U checks that need no run (`children.check_alone`), made where the file was read
    # (a worker process, or kept in the cache); None until then.
    alone: list[Finding] | None = None
    # Never a grid: here so that `cache.Cache.put`, which drops a workbook's grid before
    # keeping an entry, keeps an intake as it keeps a khóm's file.
    raw: None = None

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def usable(self) -> bool:
        return self.child is not None and self.child.readable and not self.ignored


def intake(path: Path) -> Intake:
    """Read one file (its reading findings only; `check` adds the U checks)."""
    reason = ignore_reason(path) or other_output(path)
    if reason:
        return Intake(path, ignored=reason, findings=[catalog.make("F02", file=path.name,
                                                                    detail=reason)])  # fmt: skip
    if path.suffix.lower() not in OUTPUT_SUFFIXES:
        detail = (
            f"tệp {path.suffix}; kết quả của đơn vị cấp dưới là BaoCao_….xlsx hoặc DuLieu_….csv"
        )
        return Intake(path, findings=[catalog.make("U04", file=path.name, detail=detail)])
    child = read_output(path)
    return Intake(path, child, list(child.findings), unit=child.unit)


def read_checked(path: Path) -> Intake:
    """One file read, with every check that needs no run (what a worker does, what the cache
    keeps): the run adds those against its period and expected children (`check`)."""
    item = intake(path)
    if item.child is not None and item.child.readable:
        item.alone = check_alone(item.child)
    return item


def check(item: Intake, expected: Mapping[str, str], period: Period | None) -> None:
    """The U checks of one file read, against the children expected in the run's period
    (`period` None: checked alone, nothing to compare with)."""
    if item.child is not None and item.child.readable:
        alone = item.alone if item.alone is not None else check_alone(item.child)
        item.findings = [
            *item.child.findings,
            *check_in_run(item.child, expected, period),
            *alone,
        ]


def check_output_file(path: Path, config: Config, today: date | None = None) -> Intake:
    """What `tqd-sheets check` prints for a child's output, against the children configured
    on `today`."""
    cfg = config.on(today or date.today())
    item = read_checked(path)
    check(item, {k.ma: k.ten for k in cfg.khom}, None)
    return item


def run_period(items: Sequence[Intake], wanted: Period | None) -> Period | None:
    """The run's period: as asked, else the one all readable outputs share (None: several or
    none, for the caller to word)."""
    if wanted is not None:
        return wanted
    found = sorted({i.child.period for i in items if i.child and i.child.period and i.unit})
    return found[0] if len(found) == 1 else None


def _stamp(item: Intake) -> None:
    if item.unit:
        item.findings = [f if f.khom else replace(f, khom=item.unit) for f in item.findings]


def select(items: Sequence[Intake], config: Config) -> dict[str, Intake]:
    """Which output of each child the run uses: of two, the later run (file time; the
    workbook, which carries the marker, before a CSV of the same time), the other listed (U05)
    and its own problems dropped; the one used counts only without errors. Returns child
    code → item, in configuration order."""
    groups: dict[str, list[Intake]] = {}
    for item in items:
        if item.usable and item.unit in config.khom_codes:
            groups.setdefault(item.unit, []).append(item)
    chosen: dict[str, Intake] = {}
    for code, group in groups.items():
        group.sort(key=lambda i: (_run_time(i), i.path.suffix.lower() != ".csv"))
        used = group[-1]
        for other in group[:-1]:
            other.ignored = f"có kết quả mới hơn: {used.name}"
            other.findings = [
                catalog.make(
                    "U05",
                    file=other.name,
                    key=f"{config.child_level(code).noun} {code}",
                    used=used.name,
                    used_date=_when(used),
                    other=other.name,
                    other_date=_when(other),
                    khom=code,
                )
            ]
        if not used.errors:
            chosen[code] = used
    return {k.ma: chosen[k.ma] for k in config.khom if k.ma in chosen}


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _run_time(item: Intake) -> float:
    """When the child's run wrote the output: its marker's `thoi_gian` (ISO) where the marker
    has one, else the file's modification time."""
    text = item.child.marker.get("thoi_gian", "") if item.child else ""
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return _mtime(item.path)


def _made_on(item: Intake | None) -> date | None:
    """The day the child's run made its report (its marker's `thoi_gian`): what KiemTra
    shows as its Ngày lập. None without a marker time (a CSV, an older output): a file's
    own time is when it was copied, not when the report was made."""
    text = item.child.marker.get("thoi_gian", "") if item and item.child else ""
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        return None


def _when(item: Intake) -> str:
    t = _run_time(item)
    return datetime.fromtimestamp(t).strftime("%H:%M %d/%m/%Y") if t else "—"


def own_values(child: ChildOutput) -> tuple[dict[str, tuple[float, float, float]], dict]:
    """A child's own total values (code → tu_so, mau_so, gia_tri) and its breakdown by loại
    (loại → the same)."""
    totals: dict[str, tuple[float, float, float]] = {}
    by_loai: dict[str, dict[str, tuple[float, float, float]]] = {}
    for r in records(child.own):
        vals = (float(r.tu_so), float(r.mau_so), float(r.gia_tri))
        if r.phan_loai:
            by_loai.setdefault(str(r.phan_loai), {})[str(r.ma_chi_tieu)] = vals
        else:
            totals[str(r.ma_chi_tieu)] = vals
    return totals, by_loai


def parent_totals(
    children: Sequence[Values], breakdowns: Sequence[Mapping[str, Values]]
) -> tuple[dict[str, tuple[float, float, float]], dict[str, dict[str, tuple[float, float, float]]]]:
    """The parent's totals and its breakdown by loại, rolled up from its children's."""
    total = with_rates(roll_up(children))
    loai = [*UNIT_TYPES, *sorted({k for b in breakdowns for k in b} - set(UNIT_TYPES))]
    by_loai = {}
    for name in loai:
        summed = roll_up([b.get(name, {}) for b in breakdowns])
        if summed:
            by_loai[name] = with_rates(summed)
    return total, by_loai


def _below(child: ChildOutput) -> tuple[units.Level, ...]:
    """The kinds of the child's own children, as its rows name them."""
    rows, unit = child.rows, child.unit
    caps = [
        cap
        for cap, up, code in zip(
            rows.cap.tolist(), rows.ma_don_vi_cha.tolist(), rows.ma_don_vi.tolist(), strict=True
        )
        if up == unit and code != unit
    ]
    return tuple(dict.fromkeys(units.LEVEL[c] for c in caps if c in units.LEVEL))


def child_title(
    level: units.Level, vals: Values, child: ChildOutput
) -> tuple[str, str, float, float]:
    """(ket_qua, ly_do, titled units, of how many) of one child at this level: a phường or xã
    its own title from its flag row; a city the count of its titled phường/xã."""
    flag = vals.get(TITLE_FLAG)
    cover = child.coverage
    partial = "" if child.complete or cover is None else f" (tổng hợp {cover[0]}/{cover[1]})"
    if level.rank <= 1:
        if flag is None or math.isnan(flag[2]):
            return CHUA_DU, f"chưa đủ căn cứ đánh giá{partial}", math.nan, 1.0
        ok = flag[2] >= 1
        done, total = vals.get("KHOM_VMDT"), vals.get("KHOM_TONG")
        reason = ""
        if done and total:
            kids = units.nouns(_below(child)) if _below(child) else "đơn vị"
            reason = f"{_n(done[2])}/{_n(total[2])} {kids} đạt"
        return (DAT if ok else CHUA_DAT), reason, float(ok), 1.0
    kids = units.nouns(_below(child))
    of = float(cover[1]) if cover else math.nan
    if flag is None or math.isnan(flag[2]):
        return CHUA_DU, f"chưa đủ căn cứ đánh giá{partial}", math.nan, of
    count = f"{_n(flag[2])}/{_n(of)}" if not math.isnan(of) else _n(flag[2])
    return f"{count} {kids} đạt", partial.strip(" ()"), flag[2], of


def _n(x: float) -> str:
    return str(int(x)) if not math.isnan(x) and float(x).is_integer() else f"{x:g}"


def build_results(
    period: Period,
    config: Config,
    chosen: Mapping[str, Intake],
) -> Results:
    """The parent's `Results` from the outputs chosen for each child (configuration order)."""
    me = config.don_vi
    included = [k.ma for k in config.khom if k.ma in chosen]
    values, breakdowns, titles = [], [], []
    unit_rows = []
    titled, of, unsure = 0.0, 0.0, False
    for code in included:
        child = chosen[code].child
        assert child is not None
        vals, by_loai = own_values(child)
        values.append(vals)
        breakdowns.append(by_loai)
        level = config.child_level(code)
        status, reason, n, m = child_title(level, vals, child)
        titled += 0.0 if math.isnan(n) else n
        of += 0.0 if math.isnan(m) else m
        # A city's count of titled phường/xã is a floor while some of them are missing.
        unsure = (
            unsure or math.isnan(n) or math.isnan(m) or (level.rank >= 2 and not child.complete)
        )
        rate = vals.get("GDVH_DAT_TL")
        titles.append(
            {
                "ma_khom": code,
                "ten_khom": config.khom_name(code),
                "DIEM": math.nan,
                "GDVH_DAT_TL": rate[2] if rate else math.nan,
                "ANTT": None,
                "NGAY_HOI": None,
                "QUY_UOC": None,
                "CD_HOC_TAP": None,
                "ket_qua": status,
                "ly_do": reason,
            }
        )
        unit_rows.append((code, config.khom_name(code), level.cap, me.ma, vals))
    total, by_loai = parent_totals(values, breakdowns)
    own_name = f"{me.cap} {me.ten}"
    unit_rows.append((me.ma, own_name, me.cap, me.ma_cha, total))
    split = {code: b for code, b in zip(included, breakdowns, strict=True) if b}
    if by_loai:
        split[me.ma] = by_loai
    data = data_rows(period, unit_rows, split)
    missing = [k for k in config.khom if k.ma not in chosen]
    # A missing phường/xã counts once; a missing city, an unknown number of them.
    of += sum(1.0 if k.level.rank <= 1 else math.nan for k in missing)
    unsure = unsure or bool(missing) or math.isnan(of)
    lowest = _lowest_words(config, [chosen[c].child for c in included])  # type: ignore[misc]
    title = f"{_n(titled)}/{_n(of) if not math.isnan(of) else '?'} {lowest} đạt"
    reasons = []
    if missing:
        reasons.append(f"chưa tổng hợp: {', '.join(k.ten for k in missing)}")
    pending = [t["ten_khom"] for t in titles if t["ket_qua"] == CHUA_DU]
    if pending:
        reasons.append(f"chưa đủ căn cứ: {', '.join(pending)}")
    if unsure:
        title = f"{CHUA_DU}: {title}"
    return Results(
        period=period,
        ward_code=me.ma,
        expected=list(config.khom_codes),
        included=included,
        has_ward_workbook="DV" in total,
        data=data,
        khom_titles=pd.DataFrame(titles, columns=TITLE_COLUMNS),
        ward_title=title,
        ward_title_reasons="; ".join(reasons),
        targets=pd.DataFrame(columns=TARGET_COLUMNS),
        units_by_type=by_type(by_loai),
        children=units.mixed(config.child_levels).noun,
        complete={code: chosen[code].child.complete for code in included},  # type: ignore[union-attr]
    )


def _lowest_words(config: Config, children: Sequence[ChildOutput]) -> str:
    """The kind whose title this level counts: phường/xã (the children, or theirs)."""
    levels: list[units.Level] = []
    for k in config.khom:
        if k.level.rank <= 1:
            levels.append(k.level)
    for child in children:
        levels += [lv for lv in _below(child) if lv.rank == 1]
    return units.nouns(tuple(dict.fromkeys(levels)))


def by_type(by_loai: Mapping[str, Values]) -> pd.DataFrame:
    """`units_by_type` from the parent's DV rows by loại (empty when its children gave none)."""
    if not by_loai:
        return pd.DataFrame(columns=UNIT_COLUMNS)
    rows = []
    for loai in [*UNIT_TYPES, *(k for k in by_loai if k not in UNIT_TYPES)]:
        vals = by_loai.get(loai, {})
        rows.append(
            {"loai": loai} | {c: int(vals[c][2]) if c in vals else 0 for c in UNIT_COLUMNS[1:]}
        )
    return pd.DataFrame(rows, columns=UNIT_COLUMNS)


def overview(config: Config, items: Sequence[Intake], chosen: Mapping[str, Intake]) -> pd.DataFrame:
    """`Tổng quan`: one row per expected child, then the unit's own."""
    rows = []
    for k in config.khom:
        used = chosen.get(k.ma)
        mine = [i for i in items if i.unit == k.ma]
        shown = used or (mine[0] if mine else None)
        ho = math.nan
        if used is not None and used.child is not None:
            ho = own_values(used.child)[0].get("HO", (math.nan,) * 3)[2]
        rows.append(
            {
                "loai": k.level.cap,
                "ma": k.ma,
                "ten": k.ten,
                "tep": shown.name if shown else "",
                "ngay_lap": _made_on(shown),
                "so_ho": None if math.isnan(ho) else int(ho),
                "loi": shown.errors if shown else 0,
                "canh_bao": shown.warnings if shown else 0,
                "trang_thai": DA_TONG_HOP if used else (CO_LOI if shown else CHUA_NOP),
                "nop_tre": False,
            }
        )
    me = config.don_vi
    rows.append(
        {
            "loai": me.cap,
            "ma": me.ma,
            "ten": f"{me.cap} {me.ten}",
            "tep": "",
            "ngay_lap": None,
            "so_ho": None,
            "loi": 0,
            "canh_bao": 0,
            "trang_thai": DA_TONG_HOP if chosen else CHUA_NOP,
            "nop_tre": False,
        }
    )
    return pd.DataFrame(rows)


def consolidate(
    items: Sequence[Intake], config: Config, period: Period | None
) -> tuple[Period, list[Intake], Results]:
    """The parent's run over the files of its inbox, each read (`read_checked`, in the
    inbox's order): (period, every file, results). Raises `NoPeriod` when the files share no
    one period and none was asked."""
    items = list(items)
    chosen_period = run_period(items, period)
    if chosen_period is None:
        raise NoPeriod(sorted({i.child.period for i in items if i.child and i.child.period}))
    cfg = config.on(chosen_period.end)
    expected = {k.ma: k.ten for k in cfg.khom}
    for item in items:
        check(item, expected, chosen_period)
        if not item.unit and not item.ignored:
            item.unit = _unit_from_name(item.name, cfg.khom_codes)
    chosen = select(items, cfg)
    inbox: list[Finding] = []
    for k in cfg.khom:
        if not any(i.unit == k.ma and not i.ignored for i in items):
            inbox.append(catalog.make("I03", key=k.ma, name=k.ten, khom=k.ma))
    for item in items:
        _stamp(item)
        if item.unit and item.unit in expected and item.unit not in chosen and not item.ignored:
            item.ignored = _why_left_out(item)
    results = build_results(chosen_period, cfg, chosen)
    results.findings = sorted([f for i in items for f in i.findings] + inbox, key=Finding.sort_key)
    results.overview = overview(cfg, items, chosen)
    results.ignored = pd.DataFrame(
        [(i.name, i.ignored or _why_left_out(i)) for i in items if i not in chosen.values()],
        columns=["tep", "ly_do"],
    )
    return chosen_period, items, results


def _why_left_out(item: Intake) -> str:
    first = next((f for f in item.findings if f.is_error), None)
    return f"không dùng được ({first.code}): {first.message}" if first else "không dùng được"


def _unit_from_name(name: str, codes: Sequence[str]) -> str:
    """The one configured code a file's name holds as a word (`BaoCao_2020_29917.xlsx`)."""
    stem = Path(name).stem
    found = [c for c in codes if re.search(rf"(?<![A-Za-z0-9]){re.escape(c)}(?![A-Za-z0-9])", stem)]
    return found[0] if len(found) == 1 else ""
