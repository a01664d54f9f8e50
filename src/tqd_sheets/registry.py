"""Every indicator, declared once: its code, name, kind, where it comes from, how it shows.

`Dữ liệu`'s row order, the rates and their fractions, the number formats of the forms and the
roll-up of children into their parent all read this list. Adding an indicator is one row here
(plus, for a new input, one field in `spec`, and a form column where it is shown).

A *source* says how the lowest unit that has the indicator gets it:

- `Rows()` — households in the register; `Sum(col)` — a register column summed;
  `Marked(col)` — households marked in a column; `Choice(col, value)` — households whose choice
  column holds `value`; `MarkedAtLeast(col, years_col, n)` — marked and `years_col` ≥ n;
- `SelfAssessed(code)` — a value of the khóm's self-assessment sheet;
- `Agency(col)` — a figure the ward enters per child on `Số liệu ngành`;
- `Expected()` — the children the configuration expects, consolidated or not;
- `Title(name)` — 1 when the child's title rule holds (a count of such children above it);
- `Units(col)` — the ward's cơ quan/đơn vị (all, or marked in `col`), broken down by loại;
- `Ratio(num, den)` — a rate: numerator and denominator are summed up the chain, never the rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    COUNT = "count"  # a number of households, people, events, đồng
    RATE = "rate"  # a fraction tu_so / mau_so, kept unrounded
    FLAG = "flag"  # 1 or 0 for one unit (a title held); a count of units above it


class Format(StrEnum):
    COUNT = "count"  # #,##0
    MONEY = "money"  # #,##0 đồng
    RATE = "rate"  # 0.00 %


@dataclass(frozen=True)
class Rows:
    pass


@dataclass(frozen=True)
class Sum:
    column: str


@dataclass(frozen=True)
class Marked:
    column: str


@dataclass(frozen=True)
class Choice:
    column: str
    value: str


@dataclass(frozen=True)
class MarkedAtLeast:
    column: str
    years_column: str
    years: int


@dataclass(frozen=True)
class SelfAssessed:
    code: str


@dataclass(frozen=True)
class Agency:
    column: str


@dataclass(frozen=True)
class Title:
    name: str


@dataclass(frozen=True)
class Expected:
    """The children the configuration expects, consolidated or not."""


@dataclass(frozen=True)
class Units:
    column: str | None = None  # None: every unit listed


@dataclass(frozen=True)
class Ratio:
    numerator: str
    denominator: str


Source = (
    Rows
    | Sum
    | Marked
    | Choice
    | MarkedAtLeast
    | SelfAssessed
    | Agency
    | Title
    | Expected
    | Units
    | Ratio
)


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str  # with `units.words` placeholders ({con}, {Con}, {cha}…) where a unit is named
    kind: Kind
    source: Source
    format: Format = Format.COUNT
    parent_only: bool = False  # exists for the unit that runs, not for its children

    @property
    def is_rate(self) -> bool:
        return self.kind is Kind.RATE


def _rate(code: str, name: str, num: str, den: str, **kw: object) -> Indicator:
    return Indicator(code, name, Kind.RATE, Ratio(num, den), Format.RATE, **kw)  # type: ignore[arg-type]


C, F = Kind.COUNT, Kind.FLAG

# In the order of `Dữ liệu` (indicators.md).
INDICATORS: tuple[Indicator, ...] = (
    Indicator("HO", "Tổng số hộ", C, Rows()),
    Indicator("NK", "Tổng số nhân khẩu", C, Sum("nhan_khau")),
    Indicator("GDVH_DK", "Hộ đăng ký xây dựng GĐVH", C, Marked("dk_gdvh")),
    _rate("GDVH_DK_TL", "Tỷ lệ hộ đăng ký xây dựng GĐVH", "GDVH_DK", "HO"),
    Indicator("GDVH_DAT", "Hộ đạt chuẩn GĐVH", C, Marked("dat_gdvh")),
    _rate("GDVH_DAT_TL", "Tỷ lệ hộ đạt chuẩn GĐVH", "GDVH_DAT", "HO"),
    _rate("GDVH_DAT_DK_TL", "Tỷ lệ hộ đạt GĐVH so với số hộ đăng ký", "GDVH_DAT", "GDVH_DK"),
    Indicator(
        "GDVH_3NAM",
        "Hộ đạt GĐVH 3 năm liên tục trở lên",
        C,
        MarkedAtLeast("dat_gdvh", "nam_lien_tuc", 3),
    ),
    _rate("GDVH_3NAM_TL", "Tỷ lệ hộ đạt GĐVH 3 năm liên tục trở lên", "GDVH_3NAM", "HO"),
    Indicator("GDHT", "Gia đình học tập", C, Marked("gd_hoc_tap")),
    _rate("GDHT_TL", "Tỷ lệ gia đình học tập", "GDHT", "HO"),
    Indicator("GDTT", "Gia đình thể thao", C, Marked("gd_the_thao")),
    _rate("GDTT_TL", "Tỷ lệ gia đình thể thao", "GDTT", "HO"),
    Indicator("HO_NGHEO", "Hộ nghèo", C, Choice("ngheo", "Nghèo")),
    _rate("HO_NGHEO_TL", "Tỷ lệ hộ nghèo", "HO_NGHEO", "HO"),
    Indicator("HO_CAN_NGHEO", "Hộ cận nghèo", C, Choice("ngheo", "Cận nghèo")),
    _rate("HO_CAN_NGHEO_TL", "Tỷ lệ hộ cận nghèo", "HO_CAN_NGHEO", "HO"),
    Indicator("HO_VI_PHAM", "Hộ có thành viên vi phạm pháp luật", C, Marked("vi_pham")),
    Indicator("TT_BUOI", "Buổi tuyên truyền, vận động", C, SelfAssessed("TT_BUOI")),
    Indicator("TT_LUOT", "Lượt người dự tuyên truyền", C, SelfAssessed("TT_LUOT")),
    Indicator("HOA_GIAI", "Vụ việc hòa giải", C, SelfAssessed("HOA_GIAI")),
    Indicator("HOA_GIAI_THANH", "Vụ việc hòa giải thành", C, SelfAssessed("HOA_GIAI_THANH")),
    _rate("HOA_GIAI_TL", "Tỷ lệ hòa giải thành", "HOA_GIAI_THANH", "HOA_GIAI"),
    Indicator(
        "GUONG_TOT", "Gương người tốt, việc tốt được biểu dương", C, SelfAssessed("GUONG_TOT")
    ),
    Indicator(
        "KINH_PHI", "Kinh phí Phong trào đã sử dụng", C, SelfAssessed("KINH_PHI"), Format.MONEY
    ),
    Indicator(
        "XA_HOI_HOA", "Kinh phí vận động xã hội hóa", C, SelfAssessed("XA_HOI_HOA"), Format.MONEY
    ),
    Indicator("HO_NGHEO_LDTBXH", "Hộ nghèo theo LĐTBXH", C, Agency("ho_ngheo")),
    Indicator("HO_CAN_NGHEO_LDTBXH", "Hộ cận nghèo theo LĐTBXH", C, Agency("ho_can_ngheo")),
    Indicator("NGUOI_VI_PHAM", "Người vi phạm pháp luật (Công an)", C, Agency("nguoi_vi_pham")),
    Indicator("LAO_DONG", "Người trong độ tuổi lao động", C, Agency("lao_dong")),
    Indicator("VIEC_LAM", "Người có việc làm", C, Agency("co_viec_lam")),
    _rate("VIEC_LAM_TL", "Tỷ lệ người có việc làm", "VIEC_LAM", "LAO_DONG"),
    Indicator("KHOM_TONG", "Số {con} của {cha}", C, Expected(), parent_only=True),
    Indicator("KHOM", "Số {con}", F, Title("don_vi")),
    Indicator("KHOM_VMDT", "{Con} đạt chuẩn {chuan_con}", F, Title("van_minh")),
    _rate("KHOM_VMDT_TL", "Tỷ lệ {con} đạt chuẩn {chuan_con}", "KHOM_VMDT", "KHOM"),
    Indicator("KHOM_CDHT", "{Con} đạt Cộng đồng học tập", F, Title("cong_dong_hoc_tap")),
    Indicator("KHOM_ANTT", "{Con} an toàn về ANTT", F, Title("an_toan")),
    Indicator("KHOM_YTE", "{Con} đạt tiêu chí y tế, dân số", F, Agency("y_te")),
    Indicator("KHOM_QS", "{Con} hoàn thành nghĩa vụ quân sự", F, Agency("nvqs")),
    Indicator("DV", "Tổng số cơ quan, đơn vị", C, Units(), parent_only=True),
    Indicator("DV_DK", "Đơn vị đăng ký đạt chuẩn văn hóa", C, Units("dk_vh"), parent_only=True),
    Indicator("DV_DAT", "Đơn vị đạt chuẩn văn hóa", C, Units("dat_vh"), parent_only=True),
    _rate("DV_DAT_TL", "Tỷ lệ đơn vị đạt chuẩn văn hóa", "DV_DAT", "DV_DK", parent_only=True),
    Indicator("DV_HT", "Đơn vị học tập", C, Units("don_vi_hoc_tap"), parent_only=True),
    Indicator("DV_ANTT", "Đơn vị an toàn về ANTT", C, Units("antt"), parent_only=True),
    Indicator("PHUONG_VMDT", "{Cha} đạt chuẩn {chuan_cha}", F, Title("van_minh"), parent_only=True),
)

BY_CODE: dict[str, Indicator] = {i.code: i for i in INDICATORS}
ORDER: tuple[str, ...] = tuple(i.code for i in INDICATORS)
RATES: dict[str, tuple[str, str]] = {
    i.code: (i.source.numerator, i.source.denominator)
    for i in INDICATORS
    if isinstance(i.source, Ratio)
}


def sources(kind: type) -> dict[str, Indicator]:
    """The indicators whose source is of `kind` (e.g. `SelfAssessed`), in order."""
    return {i.code: i for i in INDICATORS if isinstance(i.source, kind)}
