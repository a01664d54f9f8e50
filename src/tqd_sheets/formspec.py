"""The forms of `BaoCao_P.xlsx`, declared as data: sheet, title, rows, columns, notes.

A column is either a registry indicator (its code is the indicator's code; the registry says
whether it is a count, money or a rate and which two columns make the rate) or a column of
another declared role: a row label, a title criterion, a target, a verdict, a gap, or last
year's figure / the change of an indicator. The renderer (`forms`) draws what is declared
here; it decides nothing.

Number formats look the same on an en-US and a vi-VN machine: the thousands dot and the
decimal comma are literal characters of the format, never the machine's separators, and a rate
is held in percent units (94.34 for 94,34 %) so that `0","00%` shows it with two decimals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from . import registry


class Role(StrEnum):
    INDICATOR = "indicator"  # a registry code
    LABEL = "label"  # STT, the row's name
    CRITERION = "criterion"  # Biểu 02: a criterion of the child's title
    TARGET = "target"  # the year's target of `of`
    VERDICT = "verdict"  # Đạt / Chưa đạt of `of` against its target
    SHORT = "short"  # households still needed to reach the target of `of`
    PREVIOUS = "previous"  # `of` in the same period one year earlier
    CHANGE = "change"  # `of` now minus `of` one year earlier (points for a rate)
    TEXT = "text"  # Biểu 02/04: result, reasons, target wording


class Rows(StrEnum):
    CHILDREN = "children"  # each expected child, then the unit's total
    UNIT_TYPES = "unit_types"  # each loại cơ quan, đơn vị, then the total
    TARGETS = "targets"  # each target of `Chỉ tiêu`


@dataclass(frozen=True)
class Col:
    code: str
    top: str  # header text of the first header row (shared by a group)
    sub: str | None = None  # second header row; None: the header spans both rows
    width: float = 8
    role: Role = Role.INDICATOR
    of: str = ""  # the indicator a TARGET/VERDICT/SHORT/PREVIOUS/CHANGE column is about
    only_with_previous: bool = False  # drawn only when history holds last year's figures
    fill: bool = False  # widened to the printable width when other columns are left out


@dataclass(frozen=True)
class Form:
    sheet: str
    title: str  # with `units.words` placeholders; upper-cased when printed
    rows: Rows
    columns: tuple[Col, ...]
    notes: tuple[str, ...] = ()  # printed under the table, in the run's words
    count_row: bool = False  # Biểu 02: a last row counting the children đạt
    criteria_notes: tuple[str, ...] = ()  # printed first when title criteria are drawn


def _label(code: str, top: str, width: float) -> Col:
    return Col(code, top, None, width, Role.LABEL)


def _prev(of: str, sub: str, width: float = 8) -> Col:
    return Col(f"TRUOC_{of}", "Cùng kỳ năm trước", sub, width, Role.PREVIOUS, of, True)


def _change(of: str, sub: str, width: float = 8) -> Col:
    return Col(f"TANG_{of}", "Tăng (+), giảm (−) so với cùng kỳ", sub, width, Role.CHANGE, of, True)


STT = _label("STT", "STT", 4)
TEN = _label("TEN", "", 12)  # the children's kind (Khóm, Ấp) from the run

B01 = Form(
    "Biểu 01",
    "TỔNG HỢP KẾT QUẢ XÂY DỰNG GIA ĐÌNH VĂN HÓA",
    Rows.CHILDREN,
    (
        STT,
        _label("TEN", "", 10),
        Col("HO", "Tổng số hộ", None, 7),
        Col("GDVH_DK", "Hộ đăng ký xây dựng GĐVH", "Số hộ", 7),
        Col("GDVH_DK_TL", "Hộ đăng ký xây dựng GĐVH", "Tỷ lệ", 7),
        Col("GDVH_DAT", "Hộ đạt chuẩn GĐVH", "Số hộ", 7),
        Col("GDVH_DAT_TL", "Hộ đạt chuẩn GĐVH", "Tỷ lệ", 7),
        Col("GDVH_3NAM", "Hộ đạt GĐVH 3 năm liên tục", None, 8),
        _prev("GDVH_DAT_TL", "Tỷ lệ hộ đạt", 7),
        _change("GDVH_DAT", "Số hộ đạt", 7),
        _change("GDVH_DAT_TL", "Tỷ lệ hộ đạt", 11),
        # The target is one number for every row: printed in the sub-header cell the
        # verdicts compare with ("Chỉ tiêu 94,00%").
        Col("DG_GDVH_DK_TL", "Đánh giá hộ đăng ký", "", 10, Role.VERDICT, "GDVH_DK_TL"),
        Col("DG_GDVH_DAT_TL", "Đánh giá hộ đạt GĐVH", "", 10, Role.VERDICT, "GDVH_DAT_TL"),
        Col(
            "THIEU_GDVH_DAT_TL",
            "Còn thiếu so với chỉ tiêu",
            None,
            8,
            Role.SHORT,
            "GDVH_DAT_TL",
        ),
    ),
    (
        "Ghi chú: tỷ lệ tính trên tổng số hộ; “—”: không có hộ để tính tỷ lệ; "
        "chỉ tiêu theo kế hoạch năm của {cha}.",
    ),
)
B01B = Form(
    "Biểu 01b",
    "TỔNG HỢP GIA ĐÌNH HỌC TẬP, GIA ĐÌNH THỂ THAO, HỘ NGHÈO",
    Rows.CHILDREN,
    (
        STT,
        _label("TEN", "", 16),
        Col("HO", "Tổng số hộ", None, 10),
        Col("GDHT", "Gia đình học tập", "Số hộ", 10),
        Col("GDHT_TL", "Gia đình học tập", "Tỷ lệ", 10),
        Col("GDTT", "Gia đình thể thao", "Số hộ", 10),
        Col("GDTT_TL", "Gia đình thể thao", "Tỷ lệ", 10),
        Col("HO_NGHEO", "Hộ nghèo", "Số hộ", 10),
        Col("HO_NGHEO_TL", "Hộ nghèo", "Tỷ lệ", 10),
        Col("HO_CAN_NGHEO", "Hộ cận nghèo", "Số hộ", 10),
        Col("HO_CAN_NGHEO_TL", "Hộ cận nghèo", "Tỷ lệ", 10),
    ),
    ("Ghi chú: tỷ lệ tính trên tổng số hộ; “—”: không có hộ để tính tỷ lệ.",),
)
B02 = Form(
    "Biểu 02",
    "KẾT QUẢ XÂY DỰNG {CON} ĐẠT {DAT_CON}",
    Rows.CHILDREN,
    (
        STT,
        _label("TEN", "", 13),
        Col("DIEM", "Tiêu chí xét", "Điểm tự chấm", 8, Role.CRITERION),
        Col("GDVH_DAT_TL", "Tiêu chí xét", "Tỷ lệ hộ đạt GĐVH", 8),
        Col("ANTT", "Tiêu chí xét", "ANTT (Công an xác nhận)", 9, Role.CRITERION),
        Col("NGAY_HOI", "Tiêu chí xét", "Ngày hội Đại đoàn kết", 9, Role.CRITERION),
        Col("QUY_UOC", "Tiêu chí xét", "Quy ước", 8, Role.CRITERION),
        Col("CD_HOC_TAP", "Tiêu chí xét", "Cộng đồng học tập", 8, Role.CRITERION),
        Col("KET_QUA", "Kết quả xét", None, 10, Role.TEXT),
        Col("TRUOC_KET_QUA", "Cùng kỳ năm trước", None, 8, Role.PREVIOUS, "KHOM_VMDT", True),
        Col("LY_DO", "Lý do chưa đạt", None, 24, Role.TEXT, fill=True),
    ),
    ("“Chưa đủ căn cứ”: thiếu số liệu để đánh giá.",),
    count_row=True,
    criteria_notes=(
        "Ghi chú: cột (1)–(6): tiêu chí xét; x: đạt, có; “—”: chưa có xác nhận của Công an;",
    ),
)
B03 = Form(
    "Biểu 03",
    "KẾT QUẢ XÂY DỰNG CƠ QUAN, ĐƠN VỊ ĐẠT CHUẨN VĂN HÓA",
    Rows.UNIT_TYPES,
    (
        STT,
        _label("LOAI", "Loại cơ quan, đơn vị", 26),
        Col("DV", "Tổng số cơ quan, đơn vị", None, 12),
        Col("DV_DK", "Đăng ký đạt chuẩn văn hóa", None, 12),
        Col("DV_DAT", "Đạt chuẩn văn hóa", "Số đơn vị", 11),
        Col("DV_DAT_TL", "Đạt chuẩn văn hóa", "Tỷ lệ so với số đăng ký", 12),
        Col("DV_HT", "Đơn vị học tập", None, 12),
        Col("DV_ANTT", "An toàn về ANTT", None, 12),
    ),
    ("Ghi chú: tỷ lệ đạt chuẩn văn hóa tính trên số đơn vị đăng ký.",),
)
B04 = Form(
    "Biểu 04",
    "KẾT QUẢ THỰC HIỆN CHỈ TIÊU KẾ HOẠCH",
    Rows.TARGETS,
    (
        STT,
        _label("NOI_DUNG", "Nội dung chỉ tiêu", 34),
        Col("DON_VI", "Đơn vị tính", None, 9, Role.TEXT),
        Col("CHI_TIEU", "Chỉ tiêu kế hoạch năm", None, 12, Role.TARGET),
        Col("KET_QUA", "Kết quả thực hiện kỳ này", None, 12, Role.TEXT),
        Col("DANH_GIA", "Đánh giá kết quả so với chỉ tiêu", None, 17, Role.VERDICT),
        Col("CON_THIEU", "Cần thêm để đạt chỉ tiêu", None, 26, Role.TEXT),
    ),
    (
        "Ghi chú: kết quả thực hiện lấy từ dòng Tổng cộng của các biểu 01, 02, 03; "
        "“Chưa đủ căn cứ”: thiếu số liệu để đánh giá.",
    ),
)
B05 = Form(
    "Biểu 05",
    "KẾT QUẢ HOẠT ĐỘNG CỦA PHONG TRÀO",
    Rows.CHILDREN,
    (
        STT,
        _label("TEN", "", 13),
        Col("TT_BUOI", "Tuyên truyền, vận động", "Số buổi", 8),
        Col("TT_LUOT", "Tuyên truyền, vận động", "Lượt người dự", 9),
        Col("HOA_GIAI", "Hòa giải ở cơ sở", "Số vụ việc", 8),
        Col("HOA_GIAI_THANH", "Hòa giải ở cơ sở", "Hòa giải thành", 8),
        Col("HOA_GIAI_TL", "Hòa giải ở cơ sở", "Tỷ lệ thành", 8),
        Col("GUONG_TOT", "Gương người tốt, việc tốt", None, 9),
        Col("KINH_PHI", "Kinh phí (đồng)", "Đã sử dụng", 12),
        Col("XA_HOI_HOA", "Kinh phí (đồng)", "Xã hội hóa", 12),
        Col("HO_VI_PHAM", "Hộ có người vi phạm pháp luật", None, 9),
    ),
    ("Ghi chú: tỷ lệ hòa giải thành tính trên số vụ việc hòa giải.",),
)
# What the agencies report, from the unit's own workbook (`Số liệu ngành`).
B05B = Form(
    "Biểu 05b",
    "SỐ LIỆU CÁC NGÀNH",
    Rows.CHILDREN,
    (
        STT,
        _label("TEN", "", 13),
        Col("NGUOI_VI_PHAM", "Người vi phạm pháp luật (Công an)", None, 9),
        Col("HO_NGHEO_LDTBXH", "Hộ nghèo, cận nghèo (LĐTBXH)", "Hộ nghèo", 9),
        Col("HO_CAN_NGHEO_LDTBXH", "Hộ nghèo, cận nghèo (LĐTBXH)", "Hộ cận nghèo", 9),
        Col("LAO_DONG", "Lao động, việc làm", "Trong độ tuổi lao động", 10),
        Col("VIEC_LAM", "Lao động, việc làm", "Có việc làm", 9),
        Col("VIEC_LAM_TL", "Lao động, việc làm", "Tỷ lệ", 9),
        Col("KHOM_YTE", "{dat_cot}", "Tiêu chí y tế, dân số", 9),
        Col("KHOM_QS", "{dat_cot}", "Nghĩa vụ quân sự", 9),
    ),
    (
        "Ghi chú: tỷ lệ có việc làm tính trên số người trong độ tuổi lao động.",
        "Số liệu ngành theo biểu của {cha} (Công an, LĐTBXH, Trạm Y tế, Ban Chỉ huy Quân "
        "sự); {dat_cot_note}",
    ),
)

FORMS: tuple[Form, ...] = (B01, B01B, B02, B03, B04, B05, B05B)
BY_SHEET: dict[str, Form] = {f.sheet: f for f in FORMS}
FORM_SHEETS: tuple[str, ...] = tuple(f.sheet for f in FORMS)

# Every column each form can show (comparison columns included).
COLUMNS: dict[str, tuple[Col, ...]] = {f.sheet: f.columns for f in FORMS}

# Codes of the columns that show no registry indicator themselves.
NOT_INDICATORS = frozenset(c.code for f in FORMS for c in f.columns if c.role is not Role.INDICATOR)


def columns(form: Form, with_previous: bool) -> tuple[Col, ...]:
    """The columns a run draws: comparison columns only when last year's figures exist."""
    return tuple(c for c in form.columns if with_previous or not c.only_with_previous)


def without(form: Form, codes: set[str]) -> Form:
    return replace(form, columns=tuple(c for c in form.columns if c.code not in codes))


def rate_parts(cols: tuple[Col, ...]) -> dict[str, tuple[str, str]]:
    """rate column → (numerator column, denominator column), from the registry."""
    codes = {c.code for c in cols}
    return {
        c.code: registry.RATES[c.code]
        for c in cols
        if c.role is Role.INDICATOR
        and c.code in registry.RATES
        and set(registry.RATES[c.code]) <= codes
    }


def title(form: Form, words: Mapping[str, str]) -> str:
    """A form's title in the run's words."""
    w = {**words, **{k.upper(): v.upper() for k, v in words.items()}}
    return form.title.format_map(w).upper()


# --- number formats (the same on every machine: literal separators) -----------------------

COUNT_FMT = '[>=1000000]#"."###"."##0;[>=1000]#"."##0;0'
MONEY_FMT = COUNT_FMT
RATE_FMT = '0","00%'  # a rate in percent units: 94.34 → 94,34%
# A change of a rate, in points: 1.8 → `+1,80 điểm %` (the % scales the digits, see above).
POINTS_FMT = '+0","00" điểm "%;"−"0","00" điểm "%;0","00" điểm "%'
CHANGE_FMT = '+0;"−"0;0'  # a change of a count: +12, −3
SHORT_FMT = '0" hộ";;""'  # households still needed; nothing when the target is met
TARGET_FMT = RATE_FMT
PERCENT = 100  # rates are drawn in percent units


def number_format(code: str) -> str:
    ind = registry.BY_CODE.get(code)
    if ind is None:
        return COUNT_FMT
    if ind.is_rate:
        return RATE_FMT
    return MONEY_FMT if ind.format is registry.Format.MONEY else COUNT_FMT
