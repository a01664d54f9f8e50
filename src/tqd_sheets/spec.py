"""The two workbooks, declared once as data.

The template generator, the parser, the validator and the `Hướng dẫn` sheet all read these
declarations, so a column cannot be renamed in one place and forgotten in another.
"""

from __future__ import annotations

import pickle
import unicodedata
from enum import StrEnum
from functools import cache

from pydantic import BaseModel, ConfigDict

from .units import DEFAULT_CHILD, DEFAULT_PARENT, LEVELS, ND122, TITLE_NAMES, Level, words
from .units import mixed as units_mixed

TEMPLATE_VERSION = 1
MARKER_SHEET = "_tqd"  # hidden sheet holding kind and template version
OUTPUT_KIND = "bao_cao"  # the marker's `loai` in a BaoCao output (a parent's input)
HELP_SHEET = "Hướng dẫn"
SAMPLE_NOTE = "DỮ LIỆU MẪU"  # Thông tin › Ghi chú of the shipped sample workbooks
SERIAL = "stt"  # the table column the blank pre-fills 1 … capacity (as template.SERIAL)


class Kind(StrEnum):
    KHOM = "khom"
    PHUONG = "phuong"


class VType(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    MONEY = "money"  # integer đồng, text with `.` thousands separators accepted
    MARK = "mark"
    DATE = "date"
    CHOICE = "choice"
    RATE = "rate"  # a fraction 0–1; `94%` typed in Excel is 0.94
    KHOM_CODE = "khom_code"  # one of the configured khóm codes
    KY = "ky"  # a `Kỳ báo cáo` label


class Need(StrEnum):
    REQUIRED = "bắt buộc"
    WARN = "nên có"
    OPTIONAL = "không bắt buộc"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Field(_Frozen):
    code: str
    label: str
    type: VType
    need: Need = Need.OPTIONAL
    choices: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    not_above: str | None = None  # code of a field this one may not exceed
    help: str = ""
    source: str = ""  # agency that reports the figure
    default: float | str | None = None
    width: float = 14
    rule: str | None = None  # rule code for a bad value, when not the sheet's usual one
    # False for a column no check and no figure reads (the pre-printed STT, a free note):
    # a formula there without a stored result is harmless, and it alone does not make a row.
    used: bool = True
    type_words: str = ""  # the allowed values in words when they depend on the unit's kind
    # Assessed once a year (a title's criteria): a quarter's or half-year's blank greys it and
    # says to enter the situation so far; the year's report holds the official value.
    annual: bool = False
    example: str = ""  # a typical value, for the example row of the help sheet

    def describe_type(self) -> str:
        """The allowed values in words, for the help sheet and the messages."""
        words = {
            VType.TEXT: "chữ",
            VType.INTEGER: "số nguyên",
            VType.NUMBER: "số",
            VType.MONEY: "số tiền (đồng), số nguyên",
            VType.MARK: "đánh x nếu có, để trống nếu không",
            VType.DATE: "ngày dd/mm/yyyy",
            VType.CHOICE: "chọn một trong: " + ", ".join(self.choices),
            VType.RATE: "tỷ lệ %, ví dụ 94%",
            VType.KHOM_CODE: "mã đơn vị (chọn trong danh sách)",
            VType.KY: "chọn một trong: Quý I, Quý II, Quý III, Quý IV, 6 tháng, Năm",
        }[self.type]
        words = self.type_words or words
        if self.type is VType.RATE:
            words += ", từ 0% đến 100%"
        elif self.min is not None and self.max is not None:
            words += f" từ {_num(self.min)} đến {_num(self.max)}"
        elif self.min is not None:
            words += f" từ {_num(self.min)} trở lên"
        if self.type is VType.CHOICE and self.need is Need.OPTIONAL:
            words += " hoặc để trống"
        return words


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x).replace(".", ",")


class LabelSheet(_Frozen):
    """Rows `label | value`, found by their label in the `Nội dung` column."""

    name: str
    title: str
    label_header: str = "Nội dung"
    value_header: str = "Giá trị"
    fields: tuple[Field, ...]


class CodeSheet(_Frozen):
    """Rows `code | label | value`, found by their code in the `Mã` column."""

    name: str
    title: str
    code_header: str = "Mã"
    label_header: str = "Nội dung"
    value_header: str = "Giá trị"
    fields: tuple[Field, ...]


class TableSheet(_Frozen):
    """A list with one header row; columns found by header text."""

    name: str
    title: str
    anchor: str  # code of the column whose header locates the header row
    record_keys: tuple[str, ...]  # a row is a record when one of these is filled
    unique: tuple[str, ...] = ()  # codes whose values may not repeat
    repeat_rule: str = ""  # the rule of a repeated `unique` value
    above_rule: str = ""  # the rule of a value over its field's `not_above`
    fields: tuple[Field, ...]
    capacity: int  # input rows in the blank template
    header_search_rows: int = 15


Sheet = LabelSheet | CodeSheet | TableSheet


class WorkbookSpec(_Frozen):
    kind: Kind
    title: str
    sheets: tuple[Sheet, ...]
    con: str = ""  # the child's kind it is worded for (`Khóm`, `Ấp`…), set by `worded`
    cha: str = ""  # the parent's kind (`Phường`, `Xã`…)
    words: tuple[tuple[str, str], ...] = ()  # `units.words` of the two, for the help sheet

    def sheet(self, name: str) -> Sheet:
        return next(s for s in self.sheets if s.name == name)

    def __reduce__(self) -> tuple[object, tuple[bytes]]:
        # Every parsed workbook carries its spec: unpickled one by one (a worker's answer, the
        # cache), a province's run held a copy per file, 60 KiB each. Equal specs load as one.
        return (_interned, (pickle.dumps(self.__getstate__(), protocol=pickle.HIGHEST_PROTOCOL),))


_INTERNED: dict[bytes, WorkbookSpec] = {}


def _interned(state: bytes) -> WorkbookSpec:
    spec = _INTERNED.get(state)
    if spec is None:
        spec = WorkbookSpec.__new__(WorkbookSpec)
        spec.__setstate__(pickle.loads(state))
        if len(_INTERNED) < 256:  # the wordings a run meets; past that, no sharing
            _INTERNED[state] = spec
    return spec


def norm(text: object) -> str:
    """How names typed by people are compared: NFC, case-folded, inner spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", str(text)).casefold().split())


def loose(text: object) -> str:
    """`norm`, then without diacritics (`đ` → `d`): how a header retyped on a keyboard without
    Vietnamese input is still recognised (with a warning naming the variant)."""
    decomposed = unicodedata.normalize("NFD", norm(text).replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def field(sheet: Sheet, code: str) -> Field:
    return next(f for f in sheet.fields if f.code == code)


F = Field
R, W = Need.REQUIRED, Need.WARN

_INFO_COMMON = (
    F(
        code="nam",
        label="Năm",
        type=VType.INTEGER,
        need=R,
        min=2000,
        max=2100,
        help="Năm báo cáo, ví dụ 2020",
    ),
    F(code="ky", label="Kỳ báo cáo", type=VType.KY, need=R, help="Quý I…Quý IV, 6 tháng hoặc Năm"),
    F(
        code="nguoi_lap",
        label="Người lập biểu",
        type=VType.TEXT,
        need=W,
        help="Họ tên người lập biểu",
    ),
)
_NGAY_LAP = F(
    code="ngay_lap", label="Ngày lập", type=VType.DATE, need=R, help="Ngày lập biểu, dd/mm/yyyy"
)
_GHI_CHU = F(code="ghi_chu", label="Ghi chú", type=VType.TEXT, help="Ghi chú thêm (nếu có)")

KHOM_INFO = LabelSheet(
    name="Thông tin",
    title="THÔNG TIN CHUNG",
    fields=(
        F(
            code="ma_khom",
            label="Mã {con}",
            type=VType.KHOM_CODE,
            type_words="mã {con} của {cha} (chọn trong danh sách)",
            need=R,
            help="Mã {con} đã in sẵn, không sửa",
        ),
        F(code="ten_khom", label="Tên {con}", type=VType.TEXT, help="Tên {con}"),
        *_INFO_COMMON,
        F(
            code="truong_ban",
            label="Trưởng {ban_con}",
            type=VType.TEXT,
            need=W,
            help="Họ tên Trưởng {ban_con}",
        ),
        _NGAY_LAP,
        _GHI_CHU,
    ),
)

MARK_HELP = "Gõ x nếu có; để trống nghĩa là không"

HOUSEHOLDS = TableSheet(
    name="Danh sách hộ",
    title="DANH SÁCH HỘ GIA ĐÌNH",
    anchor="ma_ho",
    record_keys=("ma_ho", "chu_ho"),
    unique=("ma_ho",),
    repeat_rule="R05",
    capacity=1500,
    fields=(
        F(
            code="stt",
            label="STT",
            type=VType.INTEGER,
            width=6,
            used=False,
            help="Số thứ tự (in sẵn, không sửa)",
            example="1",
        ),
        F(
            code="ma_ho",
            label="Mã hộ",
            type=VType.TEXT,
            need=R,
            width=12,
            help=(
                "Mã hộ do {cha} cấp, ghi trong danh sách hộ của {cha}; mỗi hộ một mã, giữ "
                "nguyên qua các năm (hộ mới: hỏi cán bộ {cha}). Thường gồm các chữ số, ví dụ "
                "0012: gõ đủ các số 0 ở đầu; không trùng với hộ nào trong toàn {cha}"
            ),
            example="0012",
        ),
        F(
            code="chu_ho",
            label="Họ và tên chủ hộ",
            type=VType.TEXT,
            need=R,
            width=26,
            help="Họ và tên chủ hộ",
            example="Nguyễn Văn An",
        ),
        F(
            code="to",
            label="Tổ",
            type=VType.INTEGER,
            need=R,
            min=1,
            max=99,
            width=6,
            help="Số tổ nhân dân tự quản",
            example="3",
        ),
        F(
            code="dia_chi",
            label="Địa chỉ",
            type=VType.TEXT,
            width=28,
            help="Số nhà, đường",
            example="25 Nguyễn Sinh Sắc",
        ),
        F(
            code="nhan_khau",
            label="Số nhân khẩu",
            type=VType.INTEGER,
            need=R,
            min=1,
            max=30,
            width=10,
            help="Số người trong hộ",
            example="4",
        ),
        F(
            code="ngheo",
            label="Hộ nghèo/cận nghèo",
            type=VType.CHOICE,
            choices=("Nghèo", "Cận nghèo"),
            width=12,
            help="Chọn Nghèo, Cận nghèo hoặc để trống",
        ),
        F(
            code="dk_gdvh",
            label="Đăng ký GĐVH",
            type=VType.MARK,
            width=10,
            help=MARK_HELP,
            example="x",
        ),
        F(
            code="dat_gdvh",
            label="Đạt GĐVH",
            type=VType.MARK,
            width=10,
            help=MARK_HELP,
            example="x",
        ),
        F(
            code="nam_lien_tuc",
            label="Số năm liên tục đạt GĐVH",
            type=VType.INTEGER,
            min=0,
            max=50,
            width=12,
            help=(
                "Số năm liên tục đạt GĐVH, tính cả năm nay: đạt lần đầu năm nay ghi 1; đạt "
                "năm trước, năm kia và năm nay ghi 3. Hộ năm nay không đạt: để trống"
            ),
            example="3",
        ),
        F(
            code="gd_hoc_tap",
            label="Gia đình học tập",
            type=VType.MARK,
            width=10,
            help=MARK_HELP,
            example="x",
        ),
        F(code="gd_the_thao", label="Gia đình thể thao", type=VType.MARK, width=10, help=MARK_HELP),
        F(
            code="vi_pham",
            label="Vi phạm pháp luật",
            type=VType.MARK,
            width=10,
            help="Đánh x nếu có thành viên vi phạm pháp luật trong năm",
        ),
        F(
            code="ghi_chu",
            label="Ghi chú",
            type=VType.TEXT,
            width=20,
            used=False,
            help="Ghi chú",
        ),
    ),
)

KHOM_SELF = CodeSheet(
    name="{Con}",
    title="{CON} TỰ ĐÁNH GIÁ",
    fields=(
        F(
            code="NGAY_HOI",
            label="Tổ chức Ngày hội Đại đoàn kết toàn dân tộc (18/11)",
            type=VType.MARK,
            need=R,
            annual=True,
            help=MARK_HELP,
        ),
        F(
            code="QUY_UOC",
            label="Xây dựng và thực hiện tốt Quy ước {con}",
            type=VType.MARK,
            need=R,
            annual=True,
            help=MARK_HELP,
        ),
        F(
            code="CD_HOC_TAP",
            label='Đạt danh hiệu "Cộng đồng học tập"',
            type=VType.MARK,
            need=R,
            annual=True,
            help=MARK_HELP,
        ),
        F(
            code="ANTT",
            label='Tự đánh giá đạt "An toàn về an ninh, trật tự"',
            type=VType.MARK,
            need=R,
            annual=True,
            help=MARK_HELP,
        ),
        F(
            code="TT_BUOI",
            label="Số buổi tuyên truyền, vận động trong kỳ",
            type=VType.INTEGER,
            need=R,
            min=0,
            help="Số nguyên, 0 nếu không có",
        ),
        F(
            code="TT_LUOT",
            label="Số lượt người tham dự tuyên truyền",
            type=VType.INTEGER,
            need=R,
            min=0,
            help="Số nguyên, 0 nếu không có",
        ),
        F(
            code="DIEM",
            label='Tổng điểm tự chấm "{danh_hieu_con}" (thang 100)',
            type=VType.NUMBER,
            need=R,
            min=0,
            max=100,
            annual=True,
            help="Từ 0 đến 100",
        ),
        F(
            code="HOA_GIAI",
            label="Số vụ việc hòa giải ở cơ sở trong kỳ",
            type=VType.INTEGER,
            need=R,
            min=0,
            help="Số nguyên, 0 nếu không có",
        ),
        F(
            code="HOA_GIAI_THANH",
            label="Số vụ việc hòa giải thành",
            type=VType.INTEGER,
            need=R,
            min=0,
            not_above="HOA_GIAI",
            help="Không lớn hơn số vụ việc hòa giải",
        ),
        F(
            code="GUONG_TOT",
            label="Số gương người tốt, việc tốt được biểu dương, khen thưởng",
            type=VType.INTEGER,
            need=R,
            min=0,
            help="Số nguyên, 0 nếu không có",
        ),
        F(
            code="KINH_PHI",
            label="Kinh phí Phong trào đã sử dụng trong kỳ (đồng)",
            type=VType.MONEY,
            need=R,
            min=0,
            help="Số tiền đồng, ví dụ 1.500.000",
        ),
        F(
            code="XA_HOI_HOA",
            label="Kinh phí vận động xã hội hóa trong kỳ (đồng)",
            type=VType.MONEY,
            need=R,
            min=0,
            help="Số tiền đồng, ví dụ 1.500.000",
        ),
    ),
)

KHOM_WORKBOOK = WorkbookSpec(
    kind=Kind.KHOM,
    title="BIỂU THU THẬP SỐ LIỆU CỦA {CON}",
    sheets=(KHOM_INFO, HOUSEHOLDS, KHOM_SELF),
)

WARD_INFO = LabelSheet(
    name="Thông tin",
    title="THÔNG TIN CHUNG",
    fields=(*_INFO_COMMON, _NGAY_LAP, _GHI_CHU),
)

AGENCY = TableSheet(
    name="Số liệu ngành",
    title="SỐ LIỆU CÁC NGÀNH THEO {CON}",
    anchor="ma_khom",
    record_keys=("ma_khom",),
    unique=("ma_khom",),
    repeat_rule="P01",
    above_rule="P07",
    capacity=30,
    fields=(
        F(
            code="ma_khom",
            label="Mã {con}",
            type=VType.KHOM_CODE,
            type_words="mã {con} của {cha} (chọn trong danh sách)",
            need=R,
            width=10,
            rule="P01",
            help="Mã {con} (chọn trong danh sách)",
        ),
        F(
            code="ho_ngheo",
            label="Hộ nghèo",
            type=VType.INTEGER,
            need=R,
            min=0,
            source="LĐTBXH",
            help="Số hộ nghèo theo LĐTBXH",
        ),
        F(
            code="ho_can_ngheo",
            label="Hộ cận nghèo",
            type=VType.INTEGER,
            need=R,
            min=0,
            source="LĐTBXH",
            help="Số hộ cận nghèo theo LĐTBXH",
        ),
        F(
            code="nguoi_vi_pham",
            label="Số người vi phạm pháp luật",
            type=VType.INTEGER,
            need=R,
            min=0,
            source="Công an",
            help="Theo Công an {cha}",
        ),
        F(
            code="antt",
            label="An toàn về ANTT",
            type=VType.MARK,
            source="Công an",
            annual=True,
            help="Đánh x nếu Công an xác nhận {con} an toàn về ANTT",
        ),
        F(
            code="y_te",
            label="Đạt tiêu chí y tế, dân số",
            type=VType.MARK,
            source="Trạm Y tế",
            help=MARK_HELP,
        ),
        F(
            code="nvqs",
            label="Hoàn thành nghĩa vụ quân sự",
            type=VType.MARK,
            source="Ban Chỉ huy Quân sự",
            help=MARK_HELP,
        ),
        F(
            code="lao_dong",
            label="Người trong độ tuổi lao động",
            type=VType.INTEGER,
            need=R,
            min=0,
            source="LĐTBXH",
            help="Số người",
        ),
        F(
            code="co_viec_lam",
            label="Người có việc làm",
            type=VType.INTEGER,
            need=R,
            min=0,
            not_above="lao_dong",
            source="LĐTBXH",
            help="Không lớn hơn số người trong độ tuổi lao động",
        ),
    ),
)

UNIT_TYPES = ("Cơ quan hành chính", "Đơn vị sự nghiệp", "Trường học", "Doanh nghiệp", "Khác")

UNITS = TableSheet(
    name="Đơn vị",
    title="DANH SÁCH CƠ QUAN, ĐƠN VỊ, TRƯỜNG HỌC, DOANH NGHIỆP",
    anchor="ten",
    record_keys=("ten",),
    unique=("ten",),
    repeat_rule="P05",
    capacity=200,
    fields=(
        F(
            code="ten",
            label="Tên đơn vị",
            type=VType.TEXT,
            need=R,
            width=40,
            help="Tên cơ quan, đơn vị, không trùng",
        ),
        F(
            code="loai",
            label="Loại đơn vị",
            type=VType.CHOICE,
            need=R,
            choices=UNIT_TYPES,
            width=20,
            rule="P05",
            help="Chọn trong danh sách",
        ),
        F(code="dk_vh", label="Đăng ký đạt chuẩn văn hóa", type=VType.MARK, help=MARK_HELP),
        F(code="dat_vh", label="Đạt chuẩn văn hóa", type=VType.MARK, help=MARK_HELP),
        F(code="don_vi_hoc_tap", label="Đơn vị học tập", type=VType.MARK, help=MARK_HELP),
        F(
            code="antt",
            label="An toàn về ANTT",
            type=VType.MARK,
            source="Công an",
            help="Theo xác nhận của Công an {cha}",
        ),
    ),
)

TARGETS = CodeSheet(
    name="Chỉ tiêu",
    title="CHỈ TIÊU KẾ HOẠCH NĂM",
    fields=(
        F(
            code="GDVH_DK_TL",
            label="Tỷ lệ hộ đăng ký GĐVH",
            type=VType.RATE,
            need=R,
            min=0,
            max=1,
            default=1.0,
            help="Tỷ lệ %",
        ),
        F(
            code="GDVH_DAT_TL",
            label="Tỷ lệ hộ đạt chuẩn GĐVH",
            type=VType.RATE,
            need=R,
            min=0,
            max=1,
            default=0.94,
            help="Tỷ lệ %",
        ),
        F(
            code="KHOM_VMDT",
            label="Số {con} đạt chuẩn {chuan_con}",
            type=VType.INTEGER,
            need=R,
            min=0,
            default=4,
            help="Số {con}",
        ),
        F(
            code="PHUONG_VMDT",
            label="{Cha} đạt chuẩn {chuan_cha}",
            type=VType.MARK,
            need=R,
            default="có",
            help="có hoặc không",
        ),
        F(
            code="DV_DAT_TL",
            label="Tỷ lệ đơn vị đăng ký đạt chuẩn văn hóa",
            type=VType.RATE,
            need=R,
            min=0,
            max=1,
            default=1.0,
            help="Tỷ lệ %",
        ),
    ),
)

WARD_WORKBOOK = WorkbookSpec(
    kind=Kind.PHUONG,
    title="BIỂU THU THẬP SỐ LIỆU CỦA {CHA}",
    sheets=(WARD_INFO, AGENCY, UNITS, TARGETS),
)


# ── Words: the declarations above say `{con}` for the child's kind and `{cha}` for the parent's;
# a workbook is worded for one pair of kinds (a khóm of a phường, an ấp of a xã).


def _fill(text: str, w: dict[str, str]) -> str:
    return text.format_map(w) if "{" in text else text


def _worded_sheet(sheet: Sheet, w: dict[str, str]) -> Sheet:
    fields = tuple(
        f.model_copy(
            update={
                "label": _fill(f.label, w),
                "help": _fill(f.help, w),
                "type_words": _fill(f.type_words, w),
            }
        )
        for f in sheet.fields
    )
    return sheet.model_copy(
        update={"name": _fill(sheet.name, w), "title": _fill(sheet.title, w), "fields": fields}
    )


@cache
def worded(kind: Kind, con: Level, cha: Level, regime: str = ND122) -> WorkbookSpec:
    """The workbook of `kind` in the words of a `con` child of a `cha` unit, its titles named
    as the regime names them."""
    w = words(con, cha, regime)
    wb = _DECLARED[kind]
    sheets = tuple(_worded_sheet(s, w) for s in wb.sheets)
    update = {
        "title": _fill(wb.title, w),
        "sheets": sheets,
        "con": con.cap,
        "cha": cha.cap,
        "words": tuple(w.items()),
    }
    return wb.model_copy(update=update)


CHILD_LEVELS = tuple(lv for lv in LEVELS if lv.rank == 0)
PARENT_LEVELS = tuple(lv for lv in LEVELS if lv.rank == 1)


@cache
def variants(kind: Kind) -> tuple[WorkbookSpec, ...]:
    """Every wording a workbook of `kind` may come in, the usual one (khóm, phường) first.

    The ward's agency sheet lists children of every kind: its child word may also be a mix
    (`Mã khóm/ấp` in a merged phường)."""
    kids = list(CHILD_LEVELS)
    if kind is Kind.PHUONG:
        kids += [
            units_mixed((a, b)) for i, a in enumerate(CHILD_LEVELS) for b in CHILD_LEVELS[i + 1 :]
        ]
    every = (
        worded(kind, con, cha, regime)
        for regime in TITLE_NAMES  # the first regime's wording wins a tie
        for cha in PARENT_LEVELS
        for con in kids
    )
    return tuple(dict.fromkeys(every))


_DECLARED: dict[Kind, WorkbookSpec] = {Kind.KHOM: KHOM_WORKBOOK, Kind.PHUONG: WARD_WORKBOOK}

# The usual wording under the declarations' names, which the rest of the code reads.
KHOM_WORKBOOK = worded(Kind.KHOM, DEFAULT_CHILD, DEFAULT_PARENT)
WARD_WORKBOOK = worded(Kind.PHUONG, DEFAULT_CHILD, DEFAULT_PARENT)
KHOM_INFO, HOUSEHOLDS, KHOM_SELF = KHOM_WORKBOOK.sheets
WARD_INFO, AGENCY, UNITS, TARGETS = WARD_WORKBOOK.sheets
WORKBOOKS: dict[Kind, WorkbookSpec] = {Kind.KHOM: KHOM_WORKBOOK, Kind.PHUONG: WARD_WORKBOOK}
