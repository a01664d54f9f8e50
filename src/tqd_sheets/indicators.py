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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from . import registry
from .config import RuleSet
from .periods import Period
from .results import CHUA_DAT, CHUA_DU, DAT, DATA_COLUMNS, TARGET_COLUMNS, Results
from .spec import TARGETS, UNIT_TYPES

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


@dataclass(frozen=True)
class Coverage:
    """How many of the ward's khóm a ward-level verdict rests on."""

    expected: int  # khóm in configuration
    included: int  # khóm consolidated (valid workbook)
    dat: int  # included khóm whose title is Đạt
    unsure: int  # included khóm whose title is Chưa đủ căn cứ

    @property
    def missing(self) -> int:
        """Khóm with no valid workbook (Chưa nộp or Có lỗi)."""
        return self.expected - self.included

    @property
    def partial(self) -> bool:
        return self.missing > 0

    @property
    def text(self) -> str:
        return f"Tổng hợp {self.included}/{self.expected} khóm"

    @property
    def unsure_verdict(self) -> str:
        """`Chưa đủ căn cứ`, with the coverage when khóm are missing."""
        return f"{CHUA_DU} ({self.text})" if self.partial else CHUA_DU

    @property
    def best(self) -> int:
        """Khóm đạt if every unsure and missing khóm turned out to pass."""
        return self.dat + self.unsure + self.missing


@dataclass
class KhomData:
    """One included khóm: its register (spec codes as columns) and its `Khóm` sheet values."""

    code: str
    name: str
    households: pd.DataFrame
    values: Mapping[str, object] = field(default_factory=dict)


def _marked(df: pd.DataFrame, col: str) -> pd.Series:
    if df.empty or col not in df:
        return pd.Series([], dtype=bool)
    return df[col].fillna(False).astype(bool)


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
        return int(pd.to_numeric(df[source.column], errors="coerce").fillna(0).sum())
    if isinstance(source, registry.Marked):
        return int(_marked(df, source.column).sum())
    if isinstance(source, registry.Choice):
        return int((df[source.column] == source.value).sum())
    if isinstance(source, registry.MarkedAtLeast):
        years = pd.to_numeric(df[source.years_column], errors="coerce").fillna(0)
        return int((_marked(df, source.column) & (years >= source.years)).sum())
    raise TypeError(f"not a register source: {source!r}")


def household_counts(df: pd.DataFrame) -> dict[str, int]:
    """Every register-sourced indicator (registry) over one register or several concatenated."""
    return {
        i.code: _from_register(df, i.source)
        for i in registry.INDICATORS
        if isinstance(i.source, REGISTER_SOURCES)
    }


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


def _criteria_failures(c: Mapping[str, object], rs: RuleSet) -> tuple[list[str], list[str]]:
    """The khóm VMĐT criteria that fail, and those that cannot be assessed."""
    fails, unknown = [], []
    tl = c["GDVH_DAT_TL"]
    if not isinstance(tl, float) or math.isnan(tl):
        fails.append("Chưa có hộ trong danh sách")
    elif tl < rs.khom_gdvh_dat_tl:
        fails.append(f"Tỷ lệ hộ đạt GĐVH {pct(tl)} thấp hơn {pct(rs.khom_gdvh_dat_tl)}")
    if c["ANTT"] is None:
        unknown.append("Chưa có xác nhận An toàn về ANTT của Công an")
    elif not c["ANTT"]:
        fails.append("Công an chưa xác nhận An toàn về ANTT")
    if not c["NGAY_HOI"]:
        fails.append("Chưa tổ chức Ngày hội Đại đoàn kết toàn dân tộc")
    if not c["QUY_UOC"]:
        fails.append("Chưa thực hiện tốt Quy ước khóm")
    diem = c["DIEM"]
    if not isinstance(diem, int | float) or diem < rs.khom_diem:
        fails.append(f"Điểm tự chấm {num(diem)} thấp hơn {num(rs.khom_diem)}")
    return fails, unknown


def pct(x: float) -> str:
    return f"{x * 100:.2f}".replace(".", ",") + "%"


def num(x: object) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x).replace(".", ",")


def khom_title(c: Mapping[str, object], rs: RuleSet) -> tuple[str, str]:
    fails, unknown = _criteria_failures(c, rs)
    if fails:
        return CHUA_DAT, "; ".join(fails + unknown)
    if unknown:
        return CHUA_DU, "; ".join(unknown)
    return DAT, ""


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
    caps: Mapping[str, str] | None = None,
    parent_code: str = "",
) -> Results:
    """Every indicator for each included khóm and for the ward. `caps` gives each unit's kind
    (khóm code or ward code → `Khóm`, `Phường`…) and `parent_code` the ward's own parent, for
    the extended `Dữ liệu`."""
    agency_by = (
        {str(r["ma_khom"]): r for _, r in agency.iterrows() if r["ma_khom"]}
        if agency is not None
        else {}
    )
    by_code = {k.code: k for k in khom}
    order = [code for code, _ in expected if code in by_code]
    unit_rows: list[tuple[str, str, dict[str, tuple[float, float, float]]]] = []
    titles = []
    ward_counts: dict[str, float] = {}
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
        status, reasons = khom_title(criteria, rules)
        titles.append(
            {"ma_khom": code, "ten_khom": k.name, **criteria, "ket_qua": status, "ly_do": reasons}
        )
        counts["KHOM"] = 1
        counts["KHOM_VMDT"] = 1 if status == DAT else 0
        counts["KHOM_CDHT"] = 1 if criteria["CD_HOC_TAP"] else 0
        counts["KHOM_ANTT"] = (
            1 if (police if police is not None else bool(k.values.get("ANTT"))) else 0
        )
        for c, v in counts.items():
            ward_counts[c] = ward_counts.get(c, 0) + v
        unit_rows.append((code, k.name, with_rates(counts)))
    for c in ("HO", "KHOM", "KHOM_VMDT"):
        ward_counts.setdefault(c, 0)
    for c in AGENCY_CODES:
        if not all(c in u[2] for u in unit_rows):
            # A ward total over only some khóm would understate; report none rather than part.
            ward_counts.pop(c, None)
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
    )
    missing_names = [name for code, name in expected if code not in by_code]
    ward_status, ward_reasons = ward_title(ward, cover, rules, missing_names)
    if ward_status != CHUA_DU:
        # Unknown is no row at all: a 0 would read as "not met" when it may yet be met.
        ward["PHUONG_VMDT"] = (float(ward_status == DAT), math.nan, float(ward_status == DAT))
    unit_rows.append((ward_code, ward_name, ward))

    caps = caps or {}
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
        expected=[c for c, _ in expected],
        included=order,
        has_ward_workbook=agency is not None,
        data=data,
        khom_titles=pd.DataFrame(
            titles,
            columns=[
                "ma_khom",
                "ten_khom",
                "DIEM",
                "GDVH_DAT_TL",
                "ANTT",
                "NGAY_HOI",
                "QUY_UOC",
                "CD_HOC_TAP",
                "ket_qua",
                "ly_do",
            ],
        ),
        ward_title=ward_status,
        ward_title_reasons=ward_reasons,
        targets=target_table(tgt, ward, has_units=units is not None, cover=cover),
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
                f"nhiều nhất {cover.best}/{cover.expected} khóm có thể đạt, "
                f"không đủ {num(target)} khóm ({cover.text})"
            )
        return False, f"còn {math.ceil(target - cover.dat)} khóm chưa đạt"
    parts = [f"đã có {cover.dat}/{cover.expected} khóm đạt"]
    if cover.missing:
        parts.append(f"{cover.missing} khóm chưa tổng hợp")
    if cover.unsure:
        parts.append(f"{cover.unsure} khóm chưa đủ căn cứ đánh giá")
    return None, "; ".join(parts)


def ward_title(
    ward: Mapping[str, tuple[float, float, float]],
    cover: Coverage,
    rs: RuleSet,
    missing_names: Sequence[str] = (),
) -> tuple[str, str]:
    """Phường văn minh đô thị: `KHOM_VMDT_TL` over every khóm of the ward (never only the
    consolidated ones) and the ward's `GDVH_DAT_TL`, which is unknown while a khóm is missing.
    Returns (status, reasons)."""
    fails: list[str] = []
    unknown: list[str] = []
    if cover.partial:
        unknown.append(
            f"Chưa có số liệu hợp lệ của {cover.missing}/{cover.expected} khóm"
            + (f" ({', '.join(missing_names)})" if missing_names else "")
            + ": chưa tính được tỷ lệ hộ đạt GĐVH của phường"
        )
    else:
        gdvh = ward["GDVH_DAT_TL"][2]
        if math.isnan(gdvh) or gdvh < rs.phuong_gdvh_dat_tl:
            fails.append(
                "Tỷ lệ hộ đạt GĐVH của phường "
                f"{'—' if math.isnan(gdvh) else pct(gdvh)} thấp hơn "
                f"{pct(rs.phuong_gdvh_dat_tl)}"
            )
    if not cover.expected:
        fails.append("Chưa có khóm nào được tổng hợp")
    elif cover.dat / cover.expected >= rs.phuong_khom_vmdt_tl:
        pass
    elif cover.best / cover.expected < rs.phuong_khom_vmdt_tl:
        low = cover.best if cover.partial or cover.unsure else cover.dat
        fails.append(
            f"Tỷ lệ khóm đạt văn minh đô thị {'nhiều nhất ' if low != cover.dat else ''}"
            f"{low}/{cover.expected} ({pct(low / cover.expected)}) "
            f"thấp hơn {pct(rs.phuong_khom_vmdt_tl)}"
        )
    else:
        unknown.append(
            f"Đã có {cover.dat}/{cover.expected} khóm đạt văn minh đô thị "
            f"({pct(cover.dat / cover.expected)}), cần {pct(rs.phuong_khom_vmdt_tl)}"
        )
        if cover.unsure:
            unknown.append(f"{cover.unsure} khóm chưa đủ căn cứ đánh giá")
    if fails:
        return CHUA_DAT, "; ".join(fails)
    if unknown:
        return CHUA_DU, "; ".join(unknown)
    return DAT, ""


def target_table(
    targets: Mapping[str, float],
    ward: Mapping[str, tuple[float, float, float]],
    has_units: bool,
    cover: Coverage,
) -> pd.DataFrame:
    """Biểu 04: each target with its result, verdict (`dat` True/False/None and `danh_gia`, the
    words printed) and what is missing. A ward figure over consolidated khóm only is no ground
    for a verdict or a gap: with a khóm missing, household rates are `Chưa đủ căn cứ`."""
    rows = []
    for f in TARGETS.fields:
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
                    missing = f"chưa tính được ({cover.missing} khóm chưa tổng hợp)"
                elif not math.isnan(result):
                    dat = result >= t
                    n = shortfall(t, tu, mau)
                    noun = "đơn vị" if f.code == "DV_DAT_TL" else "hộ"
                    missing = f"còn thiếu {n} {noun}" if n else ""
        elif f.code == "KHOM_VMDT":
            unit = "khóm"
            result = ward["KHOM_VMDT"][2]
            dat, missing = khom_verdict(t, cover)
            verdict_unknown = cover.unsure_verdict
        elif f.code == "PHUONG_VMDT":
            result = ward["PHUONG_VMDT"][2] if "PHUONG_VMDT" in ward else math.nan
            if not math.isnan(result):
                dat = result >= t
                missing = "" if dat else "phường chưa đạt chuẩn văn minh đô thị"
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
