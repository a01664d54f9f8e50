"""Indicator math (indicators.md): pure functions over DataFrames, no file I/O.

A ward count is the sum over the khóm included in the run; a ward rate is the ward numerator
over the ward denominator, never an average of khóm rates. Rates stay unrounded; a rate over
a zero denominator is NaN (shown `—`).

Codes beyond indicators.md (issue 7), in its style. The agency codes exist for a khóm where the
ward workbook's `Số liệu ngành` has its row, and for the ward only when every included khóm has:

| code | name | numerator |
| --- | --- | --- |
| `HO_NGHEO_LDTBXH` | Hộ nghèo theo LĐTBXH (beside the register's `HO_NGHEO`) | `ho_ngheo` |
| `HO_CAN_NGHEO_LDTBXH` | Hộ cận nghèo theo LĐTBXH | `ho_can_ngheo` |
| `NGUOI_VI_PHAM` | Người vi phạm pháp luật (Công an) | `nguoi_vi_pham` |
| `KHOM_YTE` | Khóm đạt tiêu chí y tế, dân số: 1/0 per khóm, count for the ward | `y_te` |
| `KHOM_QS` | Khóm hoàn thành nghĩa vụ quân sự: 1/0 per khóm, count for the ward | `nvqs` |
| `KHOM_TONG` | Số khóm của phường (configuration), ward only; `KHOM` < it: partial data | |

Ward verdicts rest on every khóm of the ward: one without a valid workbook makes a verdict
`Chưa đủ căn cứ` unless it is decided whatever that khóm turns out to be (see `ward_title`,
`khom_verdict`, `target_table`); `PHUONG_VMDT` then has no row rather than a 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import registry, titles
from .config import RuleSet
from .periods import Period
from .results import (
    CHUA_DAT,
    CHUA_DU,
    DAT,
    DATA_COLUMNS,
    TARGET_COLUMNS,
    TITLE_COLUMNS,
    Coverage,
    Results,
)
from .spec import TARGETS, UNIT_TYPES, Field, Kind, worded
from .units import DEFAULT_CHILD, DEFAULT_PARENT, LEVEL, mixed

# The order of `Dữ liệu`, the rates and the self-assessed figures: declared in `registry`.
ORDER = list(registry.ORDER)
RATES = registry.RATES
FROM_KHOM_SHEET = list(registry.sources(registry.SelfAssessed))
# What the agencies report per khóm in the ward workbook's `Số liệu ngành`. Marks count 1/0 per
# khóm (a khóm with an agency row and no mark is 0). A khóm has these only where the ward
# workbook gives its row; a ward total over some khóm only would understate, so the ward has
# none unless every included khóm has one.
AGENCY = registry.sources(registry.Agency)
AGENCY_CODES = tuple(AGENCY)


def children_noun(caps: Iterable[str]) -> str:
    """The word for a ward's children of these kinds: `khóm`, `ấp`, `khóm/ấp`."""
    levels = tuple(dict.fromkeys(LEVEL[c] for c in caps if c in LEVEL))
    return mixed(levels).noun if levels else DEFAULT_CHILD.noun


def worded_targets(cap: str, child_caps: Iterable[str]) -> tuple[Field, ...]:
    """The `Chỉ tiêu` fields in the words of a `cap` unit with children of these kinds."""
    levels = tuple(dict.fromkeys(LEVEL[c] for c in child_caps if c in LEVEL))
    child = mixed(levels) if levels else DEFAULT_CHILD
    parent = LEVEL.get(cap, DEFAULT_PARENT)
    return worded(Kind.PHUONG, child, parent).sheet(TARGETS.name).fields  # type: ignore[union-attr]


@dataclass
class KhomData:
    """One included khóm: its register (spec codes as columns) and its `Khóm` sheet values."""

    code: str
    name: str
    households: pd.DataFrame
    values: Mapping[str, object] = field(default_factory=dict)


def _marked(df: pd.DataFrame, col: str) -> np.ndarray:
    if df.empty or col not in df:
        return np.zeros(len(df), dtype=bool)
    s = df[col]
    if isinstance(s.dtype, np.dtype) and s.dtype == bool:  # a parsed checkbox column as is
        return s.to_numpy()
    if isinstance(s.dtype, np.dtype) and s.dtype.kind == "f":  # missing: not marked
        a = s.to_numpy()
        return ~np.isnan(a) & (a != 0)
    return s.fillna(False).astype(bool).to_numpy()


def _numbers(s: pd.Series) -> np.ndarray:
    """Numbers of a column, anything else 0 (as `pd.to_numeric(errors="coerce")` then 0)."""
    if isinstance(s.dtype, np.dtype) and s.dtype.kind in "iub":  # numpy's own: never missing
        return s.to_numpy()
    if isinstance(s.dtype, np.dtype) and s.dtype.kind == "f":
        return np.nan_to_num(s.to_numpy(), nan=0.0, posinf=np.inf, neginf=-np.inf)
    return pd.to_numeric(s, errors="coerce").fillna(0).to_numpy()


REGISTER_SOURCES = (
    registry.Rows,
    registry.Sum,
    registry.Marked,
    registry.Choice,
    registry.MarkedAtLeast,
)


def _from_register(df: pd.DataFrame, source: registry.Source) -> int:
    """One registry source evaluated over a register (or several concatenated)."""
    if df.empty:
        return 0
    if isinstance(source, registry.Rows):
        return len(df)
    if isinstance(source, registry.Sum):
        return int(_numbers(df[source.column]).sum())
    if isinstance(source, registry.Marked):
        return int(_marked(df, source.column).sum())
    if isinstance(source, registry.Choice):
        return int((df[source.column] == source.value).sum())
    if isinstance(source, registry.MarkedAtLeast):
        years = _numbers(df[source.years_column])
        return int((_marked(df, source.column) & (years >= source.years)).sum())
    raise TypeError(f"not a register source: {source!r}")


def household_counts(df: pd.DataFrame) -> dict[str, int]:
    """Every register-sourced indicator (registry) over one register or several concatenated."""
    return {
        i.code: _from_register(df, i.source)
        for i in registry.INDICATORS
        if isinstance(i.source, REGISTER_SOURCES)
    }


def roll_up(children: Sequence[Values]) -> dict[str, float]:
    """A parent's counts from its children's values (code → (tu_so, mau_so, gia_tri)): each
    count, flag and rate part summed over the children (rates are then recomputed by
    `with_rates`, never averaged). A count some child lacks (an agency figure not given for
    it) has no parent total: a sum over some children only would understate."""
    out: dict[str, float] = {}
    for ind in registry.INDICATORS:
        if ind.is_rate:
            continue
        have = [vals[ind.code][0] for vals in children if ind.code in vals]
        if have and len(have) == len(children):
            out[ind.code] = float(sum(have))
    return out


def rate(num: float, den: float) -> float:
    return num / den if den else math.nan


def with_rates(counts: Mapping[str, float]) -> dict[str, tuple[float, float, float]]:
    """code → (tu_so, mau_so, gia_tri) for the counts given and every rate they allow."""
    out: dict[str, tuple[float, float, float]] = {
        k: (float(v), math.nan, float(v)) for k, v in counts.items()
    }
    for code, (num, den) in RATES.items():
        if num in counts and den in counts:
            out[code] = (float(counts[num]), float(counts[den]), rate(counts[num], counts[den]))
    return out


Values = Mapping[str, tuple[float, float, float]]


def data_rows(
    period: Period,
    units: Sequence[tuple[str, str, str, str, Values]],
    breakdowns: Mapping[str, Mapping[str, Values]],
) -> pd.DataFrame:
    """`Dữ liệu`: for each (code, name, cap, parent code, values) unit, its indicators in the
    registry's order; after a total broken down by loại (`breakdowns`: unit → loại → values),
    one row per loại with `phan_loai` set."""
    records = []
    for unit, name, cap, parent, vals in units:
        for code in ORDER:
            if code not in vals:
                continue
            records.append((period.id, unit, name, cap, parent, code, "", *vals[code]))
            for loai, by_loai in breakdowns.get(unit, {}).items():
                if code in by_loai:
                    records.append((period.id, unit, name, cap, parent, code, loai, *by_loai[code]))
    return pd.DataFrame.from_records(records, columns=DATA_COLUMNS)


def khom_title(
    c: Mapping[str, object], rs: RuleSet, cap: str = DEFAULT_CHILD.cap
) -> tuple[str, str]:
    """(status, reasons) of one child for the title of its kind under the rule set."""
    return titles.judge_child(c, rs, cap)


def shortfall(target: float, num_: float, den: float) -> int:
    """The fewest more units that bring num/den up to the target (0 when already met)."""
    if not den:
        return 0
    n = max(0, math.ceil(target * den - num_ - 1e-9))
    while n > 0 and (num_ + n - 1) / den >= target:
        n -= 1
    while (num_ + n) / den < target and num_ + n < den:
        n += 1
    return n


def units_by_type(units: pd.DataFrame | None) -> pd.DataFrame:
    cols = ["loai", "DV", "DV_DK", "DV_DAT", "DV_HT", "DV_ANTT"]
    if units is None:
        return pd.DataFrame(columns=cols)
    rows = []
    for loai in UNIT_TYPES:
        u = units[units["loai"] == loai] if not units.empty else units
        rows.append(
            {
                "loai": loai,
                "DV": len(u),
                "DV_DK": int(_marked(u, "dk_vh").sum()),
                "DV_DAT": int(_marked(u, "dat_vh").sum()),
                "DV_HT": int(_marked(u, "don_vi_hoc_tap").sum()),
                "DV_ANTT": int(_marked(u, "antt").sum()),
            }
        )
    return pd.DataFrame(rows, columns=cols)


def default_targets(khom_count: int) -> dict[str, float]:
    out = {f.code: 1.0 if f.default == "có" else float(f.default or 0) for f in TARGETS.fields}
    out["KHOM_VMDT"] = float(khom_count)
    return out


def compute(
    period: Period,
    ward_code: str,
    ward_name: str,
    expected: Sequence[tuple[str, str]],
    khom: Sequence[KhomData],
    rules: RuleSet,
    agency: pd.DataFrame | None = None,
    units: pd.DataFrame | None = None,
    targets: Mapping[str, float] | None = None,
    cap: str = DEFAULT_PARENT.cap,
    child_caps: Mapping[str, str] | None = None,
    parent_code: str = "",
) -> Results:
    """Every indicator for each included khóm and for the ward.

    `cap` is the ward's kind and `child_caps` each child's (code → "Khóm", "Ấp"…; "Khóm" when
    not given): each is judged for the title of its own kind under `rules`, and `Dữ liệu`
    names each unit's kind; `parent_code` is the ward's own parent there."""
    kinds = {code: (child_caps or {}).get(code, DEFAULT_CHILD.cap) for code, _ in expected}
    agency_by = (
        {str(r["ma_khom"]): r for _, r in agency.iterrows() if r["ma_khom"]}
        if agency is not None
        else {}
    )
    by_code = {k.code: k for k in khom}
    order = [code for code, _ in expected if code in by_code]
    unit_rows: list[tuple[str, str, dict[str, tuple[float, float, float]]]] = []
    titles = []
    for code in order:
        k = by_code[code]
        counts: dict[str, float] = dict(household_counts(k.households))
        for c in FROM_KHOM_SHEET:
            v = k.values.get(c)
            counts[c] = float(v) if isinstance(v, int | float) else 0.0
        ag = agency_by.get(code)
        if ag is not None:
            for c, ind in AGENCY.items():
                v = ag.get(ind.source.column)  # type: ignore[union-attr]
                present = v is not None and not pd.isna(v)
                if ind.kind is registry.Kind.FLAG:
                    counts[c] = 1.0 if present and bool(v) else 0.0
                elif present:
                    counts[c] = float(v)
        police = bool(ag["antt"]) if ag is not None else None
        criteria = {
            "GDVH_DAT_TL": rate(counts["GDVH_DAT"], counts["HO"]),
            "ANTT": police,
            "NGAY_HOI": bool(k.values.get("NGAY_HOI")),
            "QUY_UOC": bool(k.values.get("QUY_UOC")),
            "CD_HOC_TAP": bool(k.values.get("CD_HOC_TAP")),
            "DIEM": k.values.get("DIEM"),
        }
        status, reasons = khom_title(criteria, rules, kinds[code])
        titles.append(
            {"ma_khom": code, "ten_khom": k.name, **criteria, "ket_qua": status, "ly_do": reasons}
        )
        counts["KHOM"] = 1
        counts["KHOM_VMDT"] = 1 if status == DAT else 0
        counts["KHOM_CDHT"] = 1 if criteria["CD_HOC_TAP"] else 0
        counts["KHOM_ANTT"] = (
            1 if (police if police is not None else bool(k.values.get("ANTT"))) else 0
        )
        unit_rows.append((code, k.name, with_rates(counts)))
    ward_counts = roll_up([vals for _, _, vals in unit_rows])
    for c in ("HO", "KHOM", "KHOM_VMDT"):
        ward_counts.setdefault(c, 0)
    # Every khóm of the ward, consolidated or not: beside KHOM (those consolidated) it tells a
    # reader of Dữ liệu (and the city's roll-up) that the ward's totals are partial.
    ward_counts["KHOM_TONG"] = len(expected)
    by_type = units_by_type(units)
    if units is not None:
        for c in ("DV", "DV_DK", "DV_DAT", "DV_HT", "DV_ANTT"):
            ward_counts[c] = int(by_type[c].sum())
    ward = with_rates(ward_counts)
    cover = Coverage(
        expected=len(expected),
        included=len(order),
        dat=sum(1 for t in titles if t["ket_qua"] == DAT),
        unsure=sum(1 for t in titles if t["ket_qua"] == CHUA_DU),
        noun=children_noun(kinds.values()),
    )
    missing_names = [name for code, name in expected if code not in by_code]
    ward_status, ward_reasons = ward_title(
        ward, cover, rules, missing_names, cap, [kinds[code] for code, _ in expected]
    )
    if ward_status != CHUA_DU:
        # Unknown is no row at all: a 0 would read as "not met" when it may yet be met.
        ward["PHUONG_VMDT"] = (float(ward_status == DAT), math.nan, float(ward_status == DAT))
    unit_rows.append((ward_code, ward_name, ward))

    caps = {**kinds, ward_code: cap}
    breakdown = {
        str(r["loai"]): with_rates(r.drop("loai").to_dict()) for _, r in by_type.iterrows()
    }
    data = data_rows(
        period,
        [
            (unit, name, caps.get(unit, ""), parent_code if unit == ward_code else ward_code, vals)
            for unit, name, vals in unit_rows
        ],
        {ward_code: breakdown} if units is not None else {},
    )
    tgt = dict(targets) if targets else default_targets(len(expected))
    return Results(
        period=period,
        ward_code=ward_code,
        children=cover.noun,
        expected=[c for c, _ in expected],
        included=order,
        has_ward_workbook=agency is not None,
        data=data,
        khom_titles=pd.DataFrame(
            titles,
            columns=TITLE_COLUMNS,
        ),
        ward_title=ward_status,
        ward_title_reasons=ward_reasons,
        targets=target_table(
            tgt,
            ward,
            has_units=units is not None,
            cover=cover,
            fields=worded_targets(cap, kinds.values()),
        ),
        units_by_type=by_type if units is not None else by_type.iloc[0:0],
    )


def khom_verdict(target: float, cover: Coverage) -> tuple[bool | None, str]:
    """Whether the ward has `target` khóm đạt, and what is missing in words.

    Met once the khóm already đạt reach the target; not met ("Chưa đạt") only when even every
    unsure or missing khóm passing could not reach it; otherwise it cannot be judged yet.
    """
    if cover.dat >= target:
        return True, ""
    if cover.best < target:
        if cover.partial:
            return False, (
                f"nhiều nhất {cover.best}/{cover.expected} {cover.noun} có thể đạt, "
                f"không đủ {titles.num(target)} {cover.noun} ({cover.text})"
            )
        return False, f"còn {math.ceil(target - cover.dat)} {cover.noun} chưa đạt"
    parts = [f"đã có {cover.dat}/{cover.expected} {cover.noun} đạt"]
    if cover.missing:
        parts.append(f"{cover.missing} {cover.noun} chưa tổng hợp")
    if cover.unsure:
        parts.append(f"{cover.unsure} {cover.noun} chưa đủ căn cứ đánh giá")
    return None, "; ".join(parts)


def ward_title(
    ward: Mapping[str, tuple[float, float, float]],
    cover: Coverage,
    rs: RuleSet,
    missing_names: Sequence[str] = (),
    cap: str = DEFAULT_PARENT.cap,
    child_caps: Sequence[str] = (DEFAULT_CHILD.cap,),
) -> tuple[str, str]:
    """The ward's title (`titles.judge_parent`): its children's share over every configured
    child (never only the consolidated ones) and the ward's `GDVH_DAT_TL`, unknown while a
    child is missing. Returns (status, reasons)."""
    return titles.judge_parent(ward, cover, rs, cap, child_caps, missing_names)


def target_table(
    targets: Mapping[str, float],
    ward: Mapping[str, tuple[float, float, float]],
    has_units: bool,
    cover: Coverage,
    fields: Sequence[Field] = TARGETS.fields,
) -> pd.DataFrame:
    """Biểu 04: each target (`fields`: the `Chỉ tiêu` sheet in the unit's words) with its
    result, verdict (`dat` True/False/None and `danh_gia`, the words printed) and what is
    missing. A ward figure over consolidated children only is no ground for a verdict or a
    gap: with a child missing, household rates are `Chưa đủ căn cứ`."""
    rows = []
    for f in fields:
        t = float(targets.get(f.code, math.nan))
        result, dat, missing, unit = math.nan, None, "", ""
        verdict_unknown = CHUA_DU
        if f.code in ("GDVH_DK_TL", "GDVH_DAT_TL", "DV_DAT_TL"):
            unit = "%"
            by_khom = f.code != "DV_DAT_TL"
            if f.code in ward and not (f.code == "DV_DAT_TL" and not has_units):
                tu, mau, result = ward[f.code]
                if by_khom and cover.partial:
                    verdict_unknown = cover.unsure_verdict
                    missing = f"chưa tính được ({cover.missing} {cover.noun} chưa tổng hợp)"
                elif not math.isnan(result):
                    dat = result >= t
                    n = shortfall(t, tu, mau)
                    noun = "đơn vị" if f.code == "DV_DAT_TL" else "hộ"
                    missing = f"còn thiếu {n} {noun}" if n else ""
        elif f.code == "KHOM_VMDT":
            unit = cover.noun
            result = ward["KHOM_VMDT"][2]
            dat, missing = khom_verdict(t, cover)
            verdict_unknown = cover.unsure_verdict
        elif f.code == "PHUONG_VMDT":
            result = ward["PHUONG_VMDT"][2] if "PHUONG_VMDT" in ward else math.nan
            if not math.isnan(result):
                dat = result >= t
                missing = "" if dat else "chưa đạt danh hiệu"
            verdict_unknown = cover.unsure_verdict
        rows.append(
            {
                "ma": f.code,
                "noi_dung": f.label,
                "don_vi": unit,
                "chi_tieu": t,
                "ket_qua": result,
                "dat": dat,
                "danh_gia": verdict_unknown if dat is None else DAT if dat else CHUA_DAT,
                "con_thieu": missing,
            }
        )
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)
