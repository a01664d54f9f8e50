"""A corpus of bad (and tricky-but-good) input files, every one generated, none hand-edited.

Each case starts from the generated 2020 blanks (`tqd_sheets.template`), filled with a small
valid register by `tqd_sheets.fill.fill` as an officer would, and then breaks exactly one thing
with openpyxl, zipfile, raw bytes, xlsxwriter, msoffcrypto-tool or LibreOffice. A case says
which findings `pipeline.check_file` must return: a set of `(rule code, sheet, cell)`, the cell
`''` when the finding has no cell (a file, a sheet or a row). Cells are computed from the
template's layout (header positions read back with openpyxl), never written down by hand.

    python tests/make_corpus.py DIR     # writes the corpus into DIR and lists the cases

Cases that need LibreOffice (`soffice`) or msoffcrypto-tool are not built when it is missing;
`CASE_NAMES` lists every case all the same, and `REQUIRES` says what each one needs.
"""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl
import xlsxwriter
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from tqd_sheets import office
from tqd_sheets.config import Config, load_config
from tqd_sheets.fill import fill
from tqd_sheets.periods import Period
from tqd_sheets.spec import norm
from tqd_sheets.template import write_khom_template, write_ward_template

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "tqd.toml"

Expected = frozenset[tuple[str, str, str]]

INFO, HH, SELF = "Thông tin", "Danh sách hộ", "Khóm"
AGENCY, UNITS, TARGETS = "Số liệu ngành", "Đơn vị", "Chỉ tiêu"
H_MA, H_CHU, H_TO, H_DC, H_NK = "Mã hộ", "Họ và tên chủ hộ", "Tổ", "Địa chỉ", "Số nhân khẩu"
H_NGHEO, H_DK, H_DAT = "Hộ nghèo/cận nghèo", "Đăng ký GĐVH", "Đạt GĐVH"
H_NAM, H_HT, H_TT = "Số năm liên tục đạt GĐVH", "Gia đình học tập", "Gia đình thể thao"
H_VP, H_GHI = "Vi phạm pháp luật", "Ghi chú"


@dataclass(frozen=True)
class Case:
    name: str
    filename: str
    expected: Expected  # {(code, sheet, cell)}; cell '' when the finding has no cell
    note: str


# ── the small valid workbooks every case starts from ───────────────────────────────────────


def household(
    ma: str,
    chu: str,
    to: int,
    dc: str,
    nk: int,
    *,
    ngheo: str | None = None,
    dk: bool = False,
    dat: bool = False,
    nam: int | None = None,
    ht: bool = False,
    tt: bool = False,
) -> dict[str, object]:
    x = lambda b: "x" if b else None  # noqa: E731
    return {
        H_MA: ma,
        H_CHU: chu,
        H_TO: to,
        H_DC: dc,
        H_NK: nk,
        H_NGHEO: ngheo,
        H_DK: x(dk),
        H_DAT: x(dat),
        H_NAM: nam,
        H_HT: x(ht),
        H_TT: x(tt),
    }


# Index → what the household is; the cases below rely on these roles.
#   0 đạt (2 năm)  1 đạt (3 năm), học tập  2 đăng ký, chưa đạt  3 nghèo, không đăng ký
#   4 đạt (1 năm), cận nghèo, thể thao  5 đạt (5 năm)  6 không đăng ký  7 đạt, học tập, thể thao
HOUSEHOLDS: list[dict[str, object]] = [
    household("0001", "Nguyễn Văn An", 1, "1 Lê Lợi", 4, dk=True, dat=True, nam=2),
    household("0002", "Trần Thị Bình", 1, "2 Lê Lợi", 3, dk=True, dat=True, nam=3, ht=True),
    household("0003", "Lê Văn Cường", 2, "3 Lê Lợi", 5, dk=True),
    household("0004", "Phạm Thị Dung", 2, "4 Lê Lợi", 2, ngheo="Nghèo"),
    household(
        "0005",
        "Huỳnh Văn Em",
        3,
        "5 Hùng Vương",
        6,
        ngheo="Cận nghèo",
        dk=True,
        dat=True,
        nam=1,
        tt=True,
    ),
    household("0006", "Võ Thị Phúc", 3, "6 Hùng Vương", 1, dk=True, dat=True, nam=5),
    household("0007", "Phan Văn Giang", 4, "7 Hùng Vương", 7),
    household(
        "0008", "Đặng Thị Hà", 4, "8 Hùng Vương", 4, dk=True, dat=True, nam=4, ht=True, tt=True
    ),
]
DAT, NOT_DAT_DK, NOT_DK = 0, 2, 3  # a đạt household; registered not đạt; not registered

KHOM_LABELS = {
    "Người lập biểu": "Lê Thị Thu",
    "Trưởng Ban vận động khóm": "Trần Văn Bảy",
    "Ngày lập": date(2020, 12, 15),
}
SELF_EVAL = {
    "NGAY_HOI": "x",
    "QUY_UOC": "x",
    "CD_HOC_TAP": None,
    "ANTT": "x",
    "TT_BUOI": 3,
    "TT_LUOT": 120,
    "DIEM": 85,
    "HOA_GIAI": 4,
    "HOA_GIAI_THANH": 3,
    "GUONG_TOT": 2,
    "KINH_PHI": 1_500_000,
    "XA_HOI_HOA": 0,
}

AGENCY_ROWS = [
    {
        "Mã khóm": k,
        "Hộ nghèo": n,
        "Hộ cận nghèo": c,
        "Số người vi phạm pháp luật": 0,
        "An toàn về ANTT": "x",
        "Đạt tiêu chí y tế, dân số": "x",
        "Hoàn thành nghĩa vụ quân sự": "x",
        "Người trong độ tuổi lao động": ld,
        "Người có việc làm": vl,
    }
    for k, n, c, ld, vl in (
        ("K1", 1, 1, 20, 18),
        ("K2", 0, 2, 30, 25),
        ("K3", 1, 0, 70, 60),
        ("K4", 0, 0, 15, 15),
    )
]
UNIT_ROWS = [
    {
        "Tên đơn vị": "UBND phường Tân Quy Đông",
        "Loại đơn vị": "Cơ quan hành chính",
        "Đăng ký đạt chuẩn văn hóa": "x",
        "Đạt chuẩn văn hóa": "x",
        "Đơn vị học tập": "x",
        "An toàn về ANTT": "x",
    },
    {
        "Tên đơn vị": "Trạm Y tế phường",
        "Loại đơn vị": "Đơn vị sự nghiệp",
        "Đăng ký đạt chuẩn văn hóa": "x",
        "Đạt chuẩn văn hóa": None,
        "Đơn vị học tập": None,
        "An toàn về ANTT": "x",
    },
    {
        "Tên đơn vị": "Trường Tiểu học Tân Quy Đông",
        "Loại đơn vị": "Trường học",
        "Đăng ký đạt chuẩn văn hóa": "x",
        "Đạt chuẩn văn hóa": "x",
        "Đơn vị học tập": "x",
        "An toàn về ANTT": "x",
    },
    {
        "Tên đơn vị": "Công ty TNHH Minh Phát",
        "Loại đơn vị": "Doanh nghiệp",
        "Đăng ký đạt chuẩn văn hóa": None,
        "Đạt chuẩn văn hóa": None,
        "Đơn vị học tập": None,
        "An toàn về ANTT": None,
    },
]
WARD_LABELS = {"Người lập biểu": "Nguyễn Thị Mỹ Hạnh", "Ngày lập": date(2020, 12, 18)}


def write_bases(directory: Path, config: Config) -> tuple[Path, Path]:
    """The generated 2020 blanks of K1 and of the ward, filled with the valid data above."""
    directory.mkdir(parents=True, exist_ok=True)
    period = Period.parse("2020")
    blank_k = write_khom_template(directory / "blank_K1_2020.xlsx", config, period, "K1")
    blank_w = write_ward_template(directory / "blank_TQD_2020.xlsx", config, period)
    khom = fill(
        blank_k,
        directory / "base_K1_2020.xlsx",
        labels=KHOM_LABELS,
        tables={HH: HOUSEHOLDS},
        codes={SELF: SELF_EVAL},
    )
    ward = fill(
        blank_w,
        directory / "base_TQD_2020.xlsx",
        labels=WARD_LABELS,
        tables={AGENCY: AGENCY_ROWS, UNITS: UNIT_ROWS},
    )
    return khom, ward


# ── where things are: read back from the filled workbook, never assumed ───────────────────


class Grid:
    """One sheet's layout: the header row holding `anchor`, columns by header text, and rows
    by the text in the anchor's column (a label of `Thông tin`, a code of `Khóm`…)."""

    def __init__(self, ws, anchor: str) -> None:
        self.sheet = ws.title
        key = norm(anchor)
        found = next(
            (
                c
                for row in ws.iter_rows(min_row=1, max_row=15)
                for c in row
                if isinstance(c.value, str) and norm(c.value) == key
            ),
            None,
        )
        if found is None:
            raise KeyError(f"{anchor!r} not on sheet {ws.title!r}")
        self.header_row = found.row
        self.cols = {norm(c.value): c.column for c in ws[found.row] if isinstance(c.value, str)}
        self.keys = {
            norm(ws.cell(r, found.column).value): r
            for r in range(found.row + 1, ws.max_row + 1)
            if isinstance(ws.cell(r, found.column).value, str)
        }

    def col(self, header: str) -> str:
        return get_column_letter(self.cols[norm(header)])

    def rec(self, i: int, header: str) -> str:
        """The cell of record `i` (0-based, in the order `fill` wrote them) under `header`."""
        return f"{self.col(header)}{self.row(i)}"

    def row(self, i: int) -> int:
        return self.header_row + 1 + i

    def value(self, key: str, header: str = "Giá trị") -> str:
        """The value cell of the row whose label (or code) is `key`."""
        return f"{self.col(header)}{self.keys[norm(key)]}"

    def key_row(self, key: str) -> int:
        return self.keys[norm(key)]


@dataclass
class Layouts:
    info: Grid
    hh: Grid
    self_eval: Grid
    ward_info: Grid
    agency: Grid
    units: Grid
    targets: Grid

    @classmethod
    def read(cls, khom: Path, ward: Path) -> Layouts:
        k, w = openpyxl.load_workbook(khom), openpyxl.load_workbook(ward)
        return cls(
            Grid(k[INFO], "Nội dung"),
            Grid(k[HH], H_MA),
            Grid(k[SELF], "Mã"),
            Grid(w[INFO], "Nội dung"),
            Grid(w[AGENCY], "Mã khóm"),
            Grid(w[UNITS], "Tên đơn vị"),
            Grid(w[TARGETS], "Mã"),
        )


# ── building one case ─────────────────────────────────────────────────────────────────────


class Bases:
    """The two filled bases, their layouts, and what builders share: the bases loaded once
    (for one-cell changes, undone after each save) and LibreOffice conversions of them."""

    def __init__(self, work: Path, config: Config) -> None:
        self.khom, self.ward = write_bases(work / "bases", config)
        self.lay = Layouts.read(self.khom, self.ward)
        self._loaded: dict[str, openpyxl.Workbook] = {}
        self._converted: dict[tuple[str, str], Path] = {}
        self._lock = threading.Lock()
        self.work = work

    def path(self, base: str) -> Path:
        return self.khom if base == "khom" else self.ward

    def loaded(self, base: str) -> openpyxl.Workbook:
        assert threading.current_thread() is threading.main_thread()
        if base not in self._loaded:
            self._loaded[base] = openpyxl.load_workbook(self.path(base))
        return self._loaded[base]

    def converted(self, base: str, fmt: str) -> Path:
        """The unchanged base re-saved by LibreOffice as `fmt` (converted once)."""
        with self._lock:
            if (base, fmt) not in self._converted:
                lo = self.work / f"lo-base-{base}-{fmt}"
                self._converted[base, fmt] = office.convert(self.path(base), fmt, lo)
            return self._converted[base, fmt]


class Ctx:
    """What a case builder gets: where to write, the bases, their layouts, helpers."""

    def __init__(self, out: Path, filename: str, config: Config, bases: Bases) -> None:
        self.path = out / filename
        self.config = config
        self.bases = bases
        self.work = bases.work
        self.khom, self.ward = bases.khom, bases.ward
        self.lay = bases.lay

    @contextmanager
    def edit(self, base: str = "khom", dest: Path | None = None) -> Iterator:
        """Load a base workbook with openpyxl, let the case change it, save it."""
        wb = openpyxl.load_workbook(self.bases.path(base))
        yield wb
        wb.save(dest or self.path)

    def set(self, sheet: str, ref: str, value: object, base: str = "khom") -> None:
        """One cell of a base changed, saved as this case, and the base restored."""
        wb = self.bases.loaded(base)
        cell = wb[sheet][ref]
        old = cell.value
        cell.value = value
        try:
            wb.save(self.path)
        finally:
            cell.value = old

    def draft(self, stem: str) -> Path:
        return self.work / f"{self.path.stem}__{stem}.xlsx"

    def convert(self, src: Path, fmt: str, recalc: bool = False) -> Path:
        """`src` re-saved by LibreOffice as `fmt`, moved to this case's path."""
        lo = self.work / f"lo-{self.path.name}"
        if lo.exists():
            shutil.rmtree(lo)
        made = office.convert(src, fmt, lo / "out", recalc=recalc)
        shutil.move(made, self.path)
        return self.path

    def rezip(self, src: Path, edit: Callable[[str, bytes], bytes]) -> None:
        """Rewrite every member of the zip `src` through `edit(name, data)`."""
        with (
            zipfile.ZipFile(src) as zi,
            zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED) as zo,
        ):
            for info in zi.infolist():
                zo.writestr(info, edit(info.filename, zi.read(info.filename)))


@dataclass(frozen=True)
class Spec:
    name: str
    filename: str
    note: str
    requires: tuple[str, ...]
    build: Callable[[Ctx], set[tuple[str, str, str]]]


SPECS: list[Spec] = []


def case(name: str, filename: str, note: str, requires: tuple[str, ...] = ()):
    def register(fn: Callable[[Ctx], set[tuple[str, str, str]]]):
        SPECS.append(Spec(name, filename, note, requires, fn))
        return fn

    return register


def _have(requirement: str) -> bool:
    if requirement == "soffice":
        return office.soffice() is not None
    if requirement == "msoffcrypto":
        try:
            import msoffcrypto  # noqa: F401
        except ImportError:
            return False
        return True
    raise ValueError(requirement)


def available(name: str) -> tuple[bool, str]:
    """Whether case `name` can be built here, and if not, why."""
    missing = [r for r in REQUIRES[name] if not _have(r)]
    if not missing:
        return True, ""
    words = {
        "soffice": "LibreOffice (soffice) chưa được cài",
        "msoffcrypto": "msoffcrypto-tool chưa được cài",
    }
    return False, "; ".join(words[m] for m in missing)


# Handy pieces of expected sets.
def E(code: str, sheet: str = "", cell: str = "") -> tuple[str, str, str]:
    return (code, sheet, cell)


# ══ F01: not a workbook we can open ══════════════════════════════════════════════════════


@case("f01_empty", "rong.xlsx", "0-byte .xlsx")
def _(c: Ctx):
    c.path.write_bytes(b"")
    return {E("F01")}


@case("f01_truncated_zip", "tai_do_dang.xlsx", "an .xlsx cut in half (download interrupted)")
def _(c: Ctx):
    data = c.khom.read_bytes()
    c.path.write_bytes(data[: len(data) // 2])
    return {E("F01")}


@case("f01_random_bytes", "ngau_nhien.xlsx", "random bytes named .xlsx")
def _(c: Ctx):
    c.path.write_bytes(random.Random(7).randbytes(20_000))
    return {E("F01")}


@case("f01_text_named_xls", "ghi_chu.xls", "a text file named .xls")
def _(c: Ctx):
    c.path.write_text("Mã hộ;Họ và tên chủ hộ\n0001;Nguyễn Văn An\n", encoding="utf-8")
    return {E("F01")}


@case("f01_xlsx_named_xls", "K1_doi_duoi.xls", "xlsx content named .xls")
def _(c: Ctx):
    shutil.copy(c.khom, c.path)
    return {E("F01")}


@case("f01_zip_not_workbook", "nen.xlsx", "a valid zip holding a text file, named .xlsx")
def _(c: Ctx):
    with zipfile.ZipFile(c.path, "w") as z:
        z.writestr("doc_truoc.txt", "không phải bảng tính")
    return {E("F01")}


@case(
    "f01_ole_encryptioninfo",
    "mat_khau_gia.xlsx",
    "OLE magic + UTF-16LE 'EncryptionInfo' named .xlsx (what a password-protected xlsx is)",
)
def _(c: Ctx):
    magic = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    c.path.write_bytes(magic + bytes(504) + "EncryptionInfo".encode("utf-16-le") + bytes(512))
    return {E("F01")}


@case(
    "f01_real_password",
    "mat_khau.xlsx",
    "the valid K1 workbook encrypted with a password",
    requires=("msoffcrypto",),
)
def _(c: Ctx):
    from msoffcrypto.format.ooxml import OOXMLFile

    with c.khom.open("rb") as plain, c.path.open("wb") as out:
        OOXMLFile(plain).encrypt("matkhau123", out)
    return {E("F01")}


@case(
    "f01_xls_named_xlsx",
    "K1_cu.xlsx",
    "a real .xls (LibreOffice) named .xlsx",
    requires=("soffice",),
)
def _(c: Ctx):
    shutil.copy(c.bases.converted("khom", "xls"), c.path)
    return {E("F01")}


@case(
    "f01_ods_named_xlsx",
    "K1_ods.xlsx",
    "a real .ods (LibreOffice) named .xlsx",
    requires=("soffice",),
)
def _(c: Ctx):
    shutil.copy(c.bases.converted("khom", "ods"), c.path)
    return {E("F01")}


# ══ F02: not a workbook to read at all ═══════════════════════════════════════════════════


@case("f02_lock_file", "~$lock.xlsx", "Excel's lock file")
def _(c: Ctx):
    c.path.write_bytes(b"\x0bLe Thi Thu" + bytes(154))
    return {E("F02")}


@case("f02_hidden_file", ".hidden.xlsx", "a hidden file (a valid workbook inside)")
def _(c: Ctx):
    shutil.copy(c.khom, c.path)
    return {E("F02")}


@case("f02_pdf", "notes.pdf", "a PDF in the inbox")
def _(c: Ctx):
    c.path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    return {E("F02")}


# ══ F03: not one of our workbooks ════════════════════════════════════════════════════════


@case("f03_sheet_renamed", "K1_doi_ten_sheet.xlsx", "`Danh sách hộ` renamed `DS hộ`")
def _(c: Ctx):
    with c.edit() as wb:
        wb[HH].title = "DS hộ"
    return {E("F03")}


@case("f03_plain_sheet1", "bang_tinh.xlsx", "a plain workbook with one sheet `Sheet1`")
def _(c: Ctx):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["Mã hộ", "Họ và tên chủ hộ", "Số nhân khẩu"])
    ws.append(["0001", "Nguyễn Văn An", 4])
    wb.save(c.path)
    return {E("F03")}


@case("f03_empty_workbook", "trong.xlsx", "an empty workbook (one empty sheet)")
def _(c: Ctx):
    openpyxl.Workbook().save(c.path)
    return {E("F03")}


@case("f03_ward_sheet_deleted", "Phuong_thieu_sheet.xlsx", "ward workbook without `Chỉ tiêu`")
def _(c: Ctx):
    with c.edit("ward") as wb:
        del wb[TARGETS]
    return {E("F03")}


# ══ F04: an older template ═══════════════════════════════════════════════════════════════


@case("f04_old_version", "K1_mau_cu.xlsx", "marker `_tqd` phien_ban set to 0")
def _(c: Ctx):
    with c.edit() as wb:
        ws = wb["_tqd"]
        row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "phien_ban")
        ws.cell(row, 2).value = 0
    return {E("F04")}


# ══ F05: suspicious files ════════════════════════════════════════════════════════════════

BILLION_LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>"
)
XML_DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _with_dtd(data: bytes, pad: bytes = b"") -> bytes:
    if data.startswith(b"<?xml"):
        end = data.index(b"?>") + 2
        return data[:end] + pad + BILLION_LAUGHS + data[end:]
    return XML_DECL + pad + BILLION_LAUGHS + data


@case("f05_zip_bomb", "bom_nen.xlsx", "a member that decompresses to 300 MB of zeros")
def _(c: Ctx):
    shutil.copy(c.khom, c.path)
    chunk = bytes(1 << 20)
    with (
        zipfile.ZipFile(c.path, "a", zipfile.ZIP_DEFLATED) as z,
        z.open("xl/media/image1.bin", "w", force_zip64=True) as member,
    ):
        for _ in range(300):
            member.write(chunk)
    return {E("F05")}


@case(
    "f05_entities_workbook_xml",
    "thuc_the.xlsx",
    "billion-laughs DOCTYPE injected into xl/workbook.xml",
)
def _(c: Ctx):
    c.rezip(c.khom, lambda n, d: _with_dtd(d) if n == "xl/workbook.xml" else d)
    return {E("F05")}


@case(
    "f05_entities_after_padding",
    "thuc_the_sau.xlsx",
    "the same DOCTYPE in xl/workbook.xml, after a 5 KiB comment in the prolog",
)
def _(c: Ctx):
    pad = b"<!--" + b" " * 5000 + b"-->"
    c.rezip(c.khom, lambda n, d: _with_dtd(d, pad) if n == "xl/workbook.xml" else d)
    return {E("F05")}


@case(
    "f05_entities_in_sheet",
    "thuc_the_sheet.xlsx",
    "billion-laughs DOCTYPE after a 5 KiB comment in the register's sheet XML",
)
def _(c: Ctx):
    pad = b"<!--" + b" " * 5000 + b"-->"
    address = str(HOUSEHOLDS[0][H_DC]).encode()
    c.rezip(
        c.khom,
        lambda n, d: _with_dtd(d, pad) if n.startswith("xl/worksheets/") and address in d else d,
    )
    return {E("F05")}


@case(
    "f05_entity_used_in_sheet",
    "thuc_the_dung.xlsx",
    "the same, with `&lol9;` as a household's Số nhân khẩu",
)
def _(c: Ctx):
    pad = b"<!--" + b" " * 5000 + b"-->"
    address = str(HOUSEHOLDS[0][H_DC]).encode()
    ref = c.lay.hh.rec(0, H_NK).encode()

    def edit(name: str, data: bytes) -> bytes:
        if not (name.startswith("xl/worksheets/") and address in data):
            return data
        start = data.index(b'<c r="' + ref + b'"')
        v = data.index(b"<v>", start)
        end = data.index(b"</v>", v)
        return _with_dtd(data[: v + 3] + b"&lol9;" + data[end:], pad)

    c.rezip(c.khom, edit)
    return {E("F05")}


BIG_ROWS = 1_048_000


@case(
    "f05_million_rows",
    "trieu_dong.xlsx",
    f"a sheet `{HH}` with {BIG_ROWS:,} rows (xlsxwriter, constant_memory)",
)
def _(c: Ctx):
    wb = xlsxwriter.Workbook(str(c.path), {"constant_memory": True})
    ws = wb.add_worksheet(HH)
    ws.write_string(0, 0, H_MA)
    for r in range(1, BIG_ROWS):
        ws.write_number(r, 0, r)
    wb.close()
    return {E("F05", HH)}


# ══ Thông tin: H01, H02, H04, H05, I05 ═══════════════════════════════════════════════════


def _info_case(
    name: str, label: str, value: object, code: str, note: str, filename: str | None = None
) -> None:
    @case(name, filename or f"K1_{name}.xlsx", note)
    def _(c: Ctx):
        c.set(INFO, c.lay.info.value(label), value)
        return {E(code, INFO, c.lay.info.value(label))}


_info_case("h01_unknown_khom", "Mã khóm", "K9", "H01", "Mã khóm `K9` (not the ward's)")
_info_case("h01_empty_khom", "Mã khóm", None, "H01", "Mã khóm empty")
_info_case("h02_year_words", "Năm", "hai nghìn", "H02", "Năm `hai nghìn`")
_info_case("h02_bad_ky", "Kỳ báo cáo", "Quý V", "H02", "Kỳ báo cáo `Quý V`")
_info_case("h04_date_empty", "Ngày lập", None, "H04", "Ngày lập empty")
_info_case("h04_date_future", "Ngày lập", date(2030, 5, 1), "H04", "Ngày lập in 2030")
_info_case(
    "h04_date_before_period",
    "Ngày lập",
    date(2019, 6, 15),
    "H04",
    "Ngày lập 15/06/2019, before the 2020 period began",
)
_info_case(
    "h04_date_not_a_date",
    "Ngày lập",
    "31/02/2020",
    "H04",
    "Ngày lập typed `31/02/2020` (no such day)",
)
_info_case(
    "h04_date_mm_dd",
    "Ngày lập",
    "12/25/2020",
    "H04",
    "Ngày lập typed month-first `12/25/2020` (never read as mm/dd)",
)
_info_case("h05_nguoi_lap_empty", "Người lập biểu", None, "H05", "Người lập biểu empty")
_info_case(
    "h05_truong_ban_empty",
    "Trưởng Ban vận động khóm",
    "   ",
    "H05",
    "Trưởng Ban vận động khóm only spaces",
)
_info_case(
    "i05_late_date",
    "Ngày lập",
    date(2021, 1, 10),
    "I05",
    "Ngày lập 10/01/2021, after the 2020 deadline 31/12/2020",
)
_info_case(
    "i05_late_text",
    "Ngày lập",
    "10/1/2021",
    "I05",
    "Ngày lập typed as text `10/1/2021` (d/m/yyyy), after the deadline",
)


@case("h05_ward_nguoi_lap_empty", "Phuong_h05.xlsx", "ward workbook: Người lập biểu empty")
def _(c: Ctx):
    c.set(INFO, c.lay.ward_info.value("Người lập biểu"), None, base="ward")
    return {E("H05", INFO, c.lay.ward_info.value("Người lập biểu"))}


# ══ Danh sách hộ ═════════════════════════════════════════════════════════════════════════


def _cell_case(
    name: str, i: int, header: str, value: object, expect: list[tuple[str, str]], note: str
) -> None:
    """Household `i`'s cell under `header` set to `value`; `expect`: (code, header) pairs, each
    expected on household `i`'s row."""

    @case(name, f"K1_{name}.xlsx", note)
    def _(c: Ctx):
        c.set(HH, c.lay.hh.rec(i, header), value)
        return {E(code, HH, c.lay.hh.rec(i, h)) for code, h in expect}


@case("r01_header_renamed", "K1_r01.xlsx", "header `Số nhân khẩu` renamed `Nhân khẩu`")
def _(c: Ctx):
    c.set(HH, f"{c.lay.hh.col(H_NK)}{c.lay.hh.header_row}", "Nhân khẩu")
    return {E("R01", HH)}


@case("r01_anchor_renamed", "K1_r01_ma_ho.xlsx", "header `Mã hộ` renamed `Mã số hộ`")
def _(c: Ctx):
    c.set(HH, f"{c.lay.hh.col(H_MA)}{c.lay.hh.header_row}", "Mã số hộ")
    return {E("R01", HH)}


for _h, _short in ((H_MA, "ma_ho"), (H_CHU, "chu_ho"), (H_TO, "to"), (H_NK, "nhan_khau")):
    _cell_case(
        f"r02_empty_{_short}", 5, _h, None, [("R02", _h)], f"`{_h}` empty on a household row"
    )
_cell_case("r02_blank_ma_ho_spaces", 6, H_MA, "   ", [("R02", H_MA)], "Mã hộ only spaces")
_cell_case("r03_nk_words", 1, H_NK, "12 người", [("R03", H_NK)], "`12 người` in Số nhân khẩu")
_cell_case("r03_nk_fraction", 1, H_NK, "1.5", [("R03", H_NK)], "`1.5` (text) in Số nhân khẩu")
_cell_case("r03_nk_float", 1, H_NK, 2.5, [("R03", H_NK)], "2.5 (number) in Số nhân khẩu")
_cell_case("r03_to_zero", 2, H_TO, 0, [("R03", H_TO)], "Tổ 0")
_cell_case("r03_to_100", 2, H_TO, 100, [("R03", H_TO)], "Tổ 100")
_cell_case("r03_nk_31", 3, H_NK, 31, [("R03", H_NK)], "Số nhân khẩu 31")
_cell_case(
    "r03_nam_51", NOT_DAT_DK, H_NAM, 51, [("R03", H_NAM)], "Số năm liên tục 51 (household not đạt)"
)
_cell_case("r03_ngheo_giau", 3, H_NGHEO, "giàu", [("R03", H_NGHEO)], "Hộ nghèo/cận nghèo `giàu`")
_cell_case("r04_mark_y", DAT, H_HT, "y", [("R04", H_HT)], "mark `y` in Gia đình học tập")
_cell_case("r04_mark_ok", NOT_DAT_DK, H_VP, "ok", [("R04", H_VP)], "mark `ok` in Vi phạm")
_cell_case("r04_mark_2", NOT_DK, H_DK, 2, [("R04", H_DK)], "mark 2 in Đăng ký GĐVH")
_cell_case("r07_dat_without_dk", DAT, H_DK, None, [("R07", H_DK)], "Đạt GĐVH without Đăng ký GĐVH")
_cell_case(
    "r08_dat_and_vi_pham", DAT, H_VP, "x", [("R08", H_DAT)], "Đạt GĐVH while Vi phạm pháp luật"
)
_cell_case(
    "r09_years_not_dat",
    NOT_DAT_DK,
    H_NAM,
    2,
    [("R09", H_NAM)],
    "Số năm liên tục 2 but not Đạt GĐVH",
)
_cell_case(
    "r09_dat_zero_years",
    DAT,
    H_NAM,
    None,
    [("R09", H_NAM)],
    "Đạt GĐVH with Số năm liên tục empty (= 0)",
)
_cell_case(
    "r09_dat_zero_years_text",
    5,
    H_NAM,
    "0",
    [("R09", H_NAM)],
    "Đạt GĐVH with Số năm liên tục typed `0`",
)
_cell_case(
    "r10_hoc_tap", NOT_DAT_DK, H_HT, "x", [("R10", H_HT)], "Gia đình học tập without Đạt GĐVH"
)
_cell_case("r10_the_thao", NOT_DK, H_TT, "X", [("R10", H_TT)], "Gia đình thể thao without Đạt GĐVH")
_cell_case(
    "r12_formula_nk",
    4,
    H_NK,
    "=2+2",
    [("R12", H_NK)],
    "a formula written by openpyxl into Số nhân khẩu (no cached value)",
)
_cell_case(
    "cascade_r03_years_on_dat",
    DAT,
    H_NAM,
    51,
    [("R03", H_NAM)],
    "Số năm liên tục 51 on a đạt household: only R03 (the value is not 0)",
)
_cell_case(
    "cascade_r04_dk_on_dat",
    DAT,
    H_DK,
    "2",
    [("R04", H_DK)],
    "mark `2` in Đăng ký GĐVH of a đạt household: only R04 (R07 would claim no mark)",
)


@case("r05_ma_ho_repeated", "K1_r05.xlsx", "Mã hộ of household 1 repeated on household 6")
def _(c: Ctx):
    c.set(HH, c.lay.hh.rec(6, H_MA), HOUSEHOLDS[1][H_MA])
    return {E("R05", HH, c.lay.hh.rec(1, H_MA)), E("R05", HH, c.lay.hh.rec(6, H_MA))}


@case(
    "r11_same_head_address",
    "K1_r11.xlsx",
    "household 7 gets household 6's chủ hộ (other case) and địa chỉ, keeps its Mã hộ",
)
def _(c: Ctx):
    with c.edit() as wb:
        ws = wb[HH]
        ws[c.lay.hh.rec(7, H_CHU)].value = str(HOUSEHOLDS[6][H_CHU]).upper()
        ws[c.lay.hh.rec(7, H_DC)].value = HOUSEHOLDS[6][H_DC]
    return {E("R11", HH, c.lay.hh.rec(6, H_MA)), E("R11", HH, c.lay.hh.rec(7, H_MA))}


@case("r12_formula_ngay_lap", "K1_r12_ngay_lap.xlsx", "a formula without cached value in Ngày lập")
def _(c: Ctx):
    c.set(INFO, c.lay.info.value("Ngày lập"), "=DATE(2020,12,15)")
    return {E("R12", INFO, c.lay.info.value("Ngày lập"))}


@case("r12_formula_diem", "K1_r12_diem.xlsx", "a formula without cached value in Khóm DIEM")
def _(c: Ctx):
    c.set(SELF, c.lay.self_eval.value("DIEM"), "=80+5")
    return {E("R12", SELF, c.lay.self_eval.value("DIEM"))}


@case("r13_blank_rows", "K1_r13_dong_trong.xlsx", "households 3 and 4 cleared: 2 blank rows")
def _(c: Ctx):
    with c.edit() as wb:
        ws = wb[HH]
        for i in (3, 4):
            for header in HOUSEHOLDS[i]:
                ws[c.lay.hh.rec(i, header)].value = None
    return {E("R13", HH)}


@case("r13_merged_cell", "K1_r13_gop.xlsx", "Ghi chú of households 5 and 6 merged")
def _(c: Ctx):
    first = c.lay.hh.rec(5, H_GHI)
    with c.edit() as wb:
        wb[HH].merge_cells(f"{first}:{c.lay.hh.rec(6, H_GHI)}")
    return {E("R13", HH, first)}


@case("r13_hidden_rows", "K1_r13_an.xlsx", "the rows of households 2 and 3 hidden")
def _(c: Ctx):
    with c.edit() as wb:
        for i in (2, 3):
            wb[HH].row_dimensions[c.lay.hh.row(i)].hidden = True
    return {E("R13", HH)}


@case(
    "r05_same_code_with_spaces",
    "K1_r05_khoang_trang.xlsx",
    "Mã hộ ` 0002 ` (spaces) on household 6 repeats household 1's `0002`",
)
def _(c: Ctx):
    c.set(HH, c.lay.hh.rec(6, H_MA), f" {HOUSEHOLDS[1][H_MA]} ")
    return {E("R05", HH, c.lay.hh.rec(1, H_MA)), E("R05", HH, c.lay.hh.rec(6, H_MA))}


@case(
    "r01_header_below_row_15",
    "K1_r01_tieu_de_thap.xlsx",
    "13 title rows inserted above the register: its header is on row 16, past the 15 searched",
)
def _(c: Ctx):
    with c.edit() as wb:
        wb[HH].insert_rows(1, 13)
    return {E("R01", HH)}


@case(
    "ok_title_rows_inserted",
    "K1_ok_them_dong.xlsx",
    "2 title rows inserted above the register (header on row 5), a column inserted "
    "before `Tổ`: still read by header text",
)
def _(c: Ctx):
    with c.edit() as wb:
        ws = wb[HH]
        ws.insert_rows(1, 2)
        ws.insert_cols(c.lay.hh.cols[norm(H_TO)])
        ws.cell(c.lay.hh.header_row + 2, c.lay.hh.cols[norm(H_TO)]).value = "Số điện thoại"
    return set()


@case(
    "i05_quarter_late",
    "K1_Q1_tre.xlsx",
    "Kỳ báo cáo `Quý I` with Ngày lập 15/12/2020: after the Q1 deadline 31/03/2020",
)
def _(c: Ctx):
    c.set(INFO, c.lay.info.value("Kỳ báo cáo"), "Quý I")
    return {E("I05", INFO, c.lay.info.value("Ngày lập"))}


# ══ Khóm: K01 ════════════════════════════════════════════════════════════════════════════


def _self_case(name: str, code: str, value: object, note: str, at: str | None = None) -> None:
    @case(name, f"K1_{name}.xlsx", note)
    def _(c: Ctx):
        c.set(SELF, c.lay.self_eval.value(code), value)
        return {E("K01", SELF, c.lay.self_eval.value(at or code))}


_self_case("k01_diem_120", "DIEM", 120, "DIEM 120")
_self_case("k01_diem_empty", "DIEM", None, "DIEM empty")
_self_case("k01_hoa_giai_thanh_over", "HOA_GIAI_THANH", 5, "HOA_GIAI_THANH 5 > HOA_GIAI 4")
_self_case("k01_tt_buoi_words", "TT_BUOI", "ba", "TT_BUOI `ba`")
_self_case("k01_mark_bad", "NGAY_HOI", "rồi", "NGAY_HOI `rồi` (neither yes nor no)")
_self_case("k01_money_negative", "KINH_PHI", -500_000, "KINH_PHI negative")


@case("k01_code_row_deleted", "K1_k01_xoa_dong.xlsx", "the row of code GUONG_TOT deleted")
def _(c: Ctx):
    with c.edit() as wb:
        wb[SELF].delete_rows(c.lay.self_eval.key_row("GUONG_TOT"))
    return {E("K01", SELF)}


# ══ Ward workbook: P01, P05, P06, P07 ════════════════════════════════════════════════════


@case("p01_unknown_khom", "Phuong_p01_k9.xlsx", "khóm code `K9` in Số liệu ngành")
def _(c: Ctx):
    c.set(AGENCY, c.lay.agency.rec(3, "Mã khóm"), "K9", base="ward")
    return {E("P01", AGENCY, c.lay.agency.rec(3, "Mã khóm"))}


@case("p01_repeated_khom", "Phuong_p01_lap.xlsx", "khóm code K1 repeated (K2's row says K1)")
def _(c: Ctx):
    c.set(AGENCY, c.lay.agency.rec(1, "Mã khóm"), "K1", base="ward")
    return {
        E("P01", AGENCY, c.lay.agency.rec(0, "Mã khóm")),
        E("P01", AGENCY, c.lay.agency.rec(1, "Mã khóm")),
    }


@case("p05_dat_without_dk", "Phuong_p05_dat.xlsx", "a unit Đạt chuẩn văn hóa without Đăng ký")
def _(c: Ctx):
    c.set(UNITS, c.lay.units.rec(3, "Đạt chuẩn văn hóa"), "x", base="ward")
    return {E("P05", UNITS, c.lay.units.rec(3, "Đăng ký đạt chuẩn văn hóa"))}


@case("p05_name_repeated", "Phuong_p05_ten.xlsx", "unit name repeated")
def _(c: Ctx):
    c.set(UNITS, c.lay.units.rec(3, "Tên đơn vị"), UNIT_ROWS[1]["Tên đơn vị"], base="ward")
    return {
        E("P05", UNITS, c.lay.units.rec(1, "Tên đơn vị")),
        E("P05", UNITS, c.lay.units.rec(3, "Tên đơn vị")),
    }


@case("p05_unknown_type", "Phuong_p05_loai.xlsx", "Loại đơn vị `Chùa`")
def _(c: Ctx):
    c.set(UNITS, c.lay.units.rec(2, "Loại đơn vị"), "Chùa", base="ward")
    return {E("P05", UNITS, c.lay.units.rec(2, "Loại đơn vị"))}


@case("p06_target_words", "Phuong_p06_chu.xlsx", "target GDVH_DAT_TL `chín mươi`")
def _(c: Ctx):
    c.set(TARGETS, c.lay.targets.value("GDVH_DAT_TL"), "chín mươi", base="ward")
    return {E("P06", TARGETS, c.lay.targets.value("GDVH_DAT_TL"))}


@case("p06_rate_150", "Phuong_p06_150.xlsx", "target GDVH_DK_TL 150%")
def _(c: Ctx):
    c.set(TARGETS, c.lay.targets.value("GDVH_DK_TL"), 1.5, base="ward")
    return {E("P06", TARGETS, c.lay.targets.value("GDVH_DK_TL"))}


@case("p06_target_empty", "Phuong_p06_trong.xlsx", "target KHOM_VMDT empty")
def _(c: Ctx):
    c.set(TARGETS, c.lay.targets.value("KHOM_VMDT"), None, base="ward")
    return {E("P06", TARGETS, c.lay.targets.value("KHOM_VMDT"))}


@case("p07_employed_over_labour", "Phuong_p07.xlsx", "K3: Người có việc làm 80 > 70")
def _(c: Ctx):
    c.set(AGENCY, c.lay.agency.rec(2, "Người có việc làm"), 80, base="ward")
    return {E("P07", AGENCY, c.lay.agency.rec(2, "Người có việc làm"))}


# ══ Looks odd, is fine: no finding ═══════════════════════════════════════════════════════

FORMULA_TEXT = '=HYPERLINK("http://x","y")'
SIGNED_TEXTS = {H_DC: "+84 Lê Lợi", H_GHI: "- chuyển đến tháng 5", H_CHU: "@Nguyễn Văn An"}


@case(
    "ok_formula_like_text",
    "K1_ok_cong_thuc_chu.xlsx",
    f"`{FORMULA_TEXT}` typed as text in Họ và tên chủ hộ",
)
def _(c: Ctx):
    with c.edit() as wb:
        cell = wb[HH][c.lay.hh.rec(0, H_CHU)]
        cell.value = FORMULA_TEXT
        cell.data_type = "s"  # text, as Excel stores a cell formatted as Text
    return set()


@case("ok_signed_text", "K1_ok_dau.xlsx", "text beginning with +, - and @ (household 1)")
def _(c: Ctx):
    with c.edit() as wb:
        for header, text in SIGNED_TEXTS.items():
            wb[HH][c.lay.hh.rec(1, header)].value = text
    return set()


NFD = {H_CHU: "Đặng Văn Bảy", H_NGHEO: "Cận nghèo", H_DK: "Có"}


@case(
    "ok_nfd_text",
    "K1_ok_nfd.xlsx",
    "NFD-normalised text: a name, `Cận nghèo`, mark `Có`, Kỳ báo cáo `Năm`, a header and "
    "the sheet name `Khóm`",
)
def _(c: Ctx):
    nfd = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
    with c.edit() as wb:
        ws = wb[HH]
        for header, text in NFD.items():
            ws[c.lay.hh.rec(3, header)].value = nfd(text)
        ws[f"{c.lay.hh.col(H_NK)}{c.lay.hh.header_row}"].value = nfd(H_NK)
        wb[INFO][c.lay.info.value("Kỳ báo cáo")].value = nfd("Năm")
        wb[SELF].title = nfd(SELF)
    return set()


@case(
    "ok_integers_as_text",
    "K1_ok_so_dang_chu.xlsx",
    "integers typed as text: Số nhân khẩu ` 12 `, Tổ `3`, Năm `2020`, TT_BUOI ` 3 `, "
    "KINH_PHI `1.500.000`",
)
def _(c: Ctx):
    with c.edit() as wb:
        wb[HH][c.lay.hh.rec(2, H_NK)].value = " 12 "
        wb[HH][c.lay.hh.rec(2, H_TO)].value = "3"
        wb[INFO][c.lay.info.value("Năm")].value = "2020"
        wb[SELF][c.lay.self_eval.value("TT_BUOI")].value = " 3 "
        wb[SELF][c.lay.self_eval.value("KINH_PHI")].value = "1.500.000"
    return set()


@case(
    "ok_merged_title",
    "K1_ok_gop_tieu_de.xlsx",
    "a merged cell above the header row (not in the data area)",
)
def _(c: Ctx):
    with c.edit() as wb:
        wb[HH].merge_cells(f"A1:{c.lay.hh.col(H_GHI)}1")
    return set()


@case("ok_valid_khom", "K1_hop_le.xlsx", "the valid K1 workbook itself")
def _(c: Ctx):
    shutil.copy(c.khom, c.path)
    return set()


@case("ok_valid_ward", "Phuong_hop_le.xlsx", "the valid ward workbook itself")
def _(c: Ctx):
    shutil.copy(c.ward, c.path)
    return set()


XLSM_MAIN = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
XLSX_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


@case(
    "ok_xlsm_content_type",
    "K1_macro.xlsm",
    "a macro-enabled package (main part content type of .xlsm), no macros",
)
def _(c: Ctx):
    def edit(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            assert XLSX_MAIN in data
            return data.replace(XLSX_MAIN, XLSM_MAIN)
        return data

    c.rezip(c.khom, edit)
    return set()


def _soffice_xlsm(c: Ctx, src: Path) -> None:
    exe = office.soffice()
    assert exe is not None
    out = c.work / f"lo-{c.path.name}"
    with tempfile.TemporaryDirectory(prefix="tqd-lo-") as profile:
        subprocess.run(
            [
                exe,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--norestore",
                "--convert-to",
                "xlsm:Calc MS Excel 2007 VBA XML",
                "--outdir",
                str(out),
                str(src),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    shutil.move(out / f"{src.stem}.xlsm", c.path)


@case(
    "r03_xlsm_libreoffice",
    "K1_r03_lo.xlsm",
    "`12 người` in Số nhân khẩu, saved by LibreOffice as .xlsm",
    requires=("soffice",),
)
def _(c: Ctx):
    src = c.draft("src")
    with c.edit(dest=src) as wb:
        wb[HH][c.lay.hh.rec(1, H_NK)].value = "12 người"
    _soffice_xlsm(c, src)
    return {E("R03", HH, c.lay.hh.rec(1, H_NK))}


@case(
    "ok_formula_cached",
    "K1_ok_cong_thuc_lo.xlsx",
    "a formula in Số nhân khẩu, computed and saved by LibreOffice (cached value 4)",
    requires=("soffice",),
)
def _(c: Ctx):
    src = c.draft("src")
    with c.edit(dest=src) as wb:
        wb[HH][c.lay.hh.rec(4, H_NK)].value = "=2+2"
    c.convert(src, "xlsx", recalc=True)
    return set()


# ══ The same, as .xls and .ods (LibreOffice) ═════════════════════════════════════════════


def _format_case(
    name: str,
    fmt: str,
    note: str,
    base: str,
    change: Callable[[Ctx, openpyxl.Workbook], set[tuple[str, str, str]]],
) -> None:
    prefix = "K1" if base == "khom" else "Phuong"

    @case(name, f"{prefix}_{name}.{fmt}", note, requires=("soffice",))
    def _(c: Ctx):
        src = c.draft("src")
        with c.edit(base, dest=src) as wb:
            expected = change(c, wb)
        c.convert(src, fmt)
        return expected


def _nk_words(c: Ctx, wb) -> set:
    wb[HH][c.lay.hh.rec(1, H_NK)].value = "12 người"
    return {E("R03", HH, c.lay.hh.rec(1, H_NK))}


def _repeat(c: Ctx, wb) -> set:
    wb[HH][c.lay.hh.rec(6, H_MA)].value = HOUSEHOLDS[1][H_MA]
    return {E("R05", HH, c.lay.hh.rec(1, H_MA)), E("R05", HH, c.lay.hh.rec(6, H_MA))}


def _k9(c: Ctx, wb) -> set:
    wb[INFO][c.lay.info.value("Mã khóm")].value = "K9"
    return {E("H01", INFO, c.lay.info.value("Mã khóm"))}


def _merged(c: Ctx, wb) -> set:
    first = c.lay.hh.rec(5, H_GHI)
    wb[HH].merge_cells(f"{first}:{c.lay.hh.rec(6, H_GHI)}")
    return {E("R13", HH, first)}


def _p07(c: Ctx, wb) -> set:
    wb[AGENCY][c.lay.agency.rec(2, "Người có việc làm")].value = 80
    return {E("P07", AGENCY, c.lay.agency.rec(2, "Người có việc làm"))}


for _fmt in ("xls", "ods"):

    @case(
        f"ok_valid_{_fmt}",
        f"K1_ok_valid.{_fmt}",
        f"the valid K1 workbook as .{_fmt}",
        requires=("soffice",),
    )
    def _(c: Ctx, fmt: str = _fmt):
        shutil.copy(c.bases.converted("khom", fmt), c.path)
        return set()


_format_case("r03_nk_words_xls", "xls", "`12 người` in Số nhân khẩu, .xls", "khom", _nk_words)
_format_case("r05_repeated_ods", "ods", "Mã hộ repeated, .ods", "khom", _repeat)
_format_case("h01_unknown_khom_xls", "xls", "Mã khóm `K9`, .xls", "khom", _k9)
_format_case("r13_merged_ods", "ods", "merged cells in the data area, .ods", "khom", _merged)
_format_case("r13_merged_xls", "xls", "merged cells in the data area, .xls", "khom", _merged)
_format_case("p07_employed_over_labour_ods", "ods", "P07, ward workbook as .ods", "ward", _p07)


# ══ issue 7: read ═════════════════════════════════════════════════════════════════════════

TRANSITIONAL_TO_STRICT = (
    (
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        b"http://purl.oclc.org/ooxml/spreadsheetml/main",
    ),
    (
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        b"http://purl.oclc.org/ooxml/officeDocument/relationships",
    ),
)


def strict_xml(name: str, data: bytes) -> bytes:
    """One member of a transitional .xlsx as Excel's “Strict Open XML Spreadsheet” has it:
    the SpreadsheetML and relationship namespaces (and relationship types) renamed."""
    for old, new in TRANSITIONAL_TO_STRICT:
        data = data.replace(old, new)
    if name == "xl/workbook.xml":
        data = data.replace(b"<workbook ", b'<workbook conformance="strict" ', 1)
    return data


def _grids(path: Path) -> dict[str, list[list[object]]]:
    book = CalamineWorkbook.from_path(str(path))
    return {n: book.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in book.sheet_names}


@case(
    "strict_r12_r13",
    "K1_strict.xlsx",
    "Strict Open XML: a formula without result in Số nhân khẩu of household 4, and the row "
    "of household 2 hidden",
)
def _(c: Ctx):
    src = c.draft("src")
    with c.edit(dest=src) as wb:
        wb[HH][c.lay.hh.rec(4, H_NK)].value = "=2+2"  # openpyxl stores no result
        wb[HH].row_dimensions[c.lay.hh.row(2)].hidden = True
    c.rezip(src, strict_xml)
    with zipfile.ZipFile(c.path) as z:
        assert b"schemas.openxmlformats.org/spreadsheetml" not in z.read("xl/workbook.xml")
    # calamine must still read the strict grid as it reads the transitional one.
    assert _grids(c.path) == _grids(src)
    return {E("R12", HH, c.lay.hh.rec(4, H_NK)), E("R13", HH)}


def _far_case(name: str, filename: str, ref: str, value: object, note: str) -> None:
    @case(name, filename, note)
    def _(c: Ctx):
        with c.edit() as wb:
            cell = wb[HH][ref]
            cell.value = value
            cell.font = openpyxl.styles.Font(bold=True)
        return {E("F05", HH)} if value is not None else set()


_far_case(
    "f05_far_cell_xfd1048576",
    "K1_o_xa_nhat.xlsx",
    "XFD1048576",
    "x",
    "`x` in XFD1048576 of the register: calamine would ask for 17 billion cells",
)
_far_case(
    "f05_far_column_xfd10",
    "K1_cot_xa.xlsx",
    "XFD10",
    "x",
    "`x` in XFD10 of the register: 1,503 rows × 16,384 columns",
)
_far_case(
    "f05_far_row",
    "K1_dong_xa.xlsx",
    "A1048576",
    "x",
    "`x` in A1048576 of the register: 1,048,576 rows × 14 columns",
)
_far_case(
    "ok_far_formatting",
    "K1_ok_dinh_dang_xa.xlsx",
    "XFD1048576",
    None,
    "XFD1048576 of the register bold but empty (openpyxl declares A1:XFD1048576): still read",
)


# ══ issue 7: intake (headers, rows outside the register, numbers that are not numbers) ══
# A column not read, a household not read, a value not a number: each is a finding, never a
# silent 0 (R01, R02, R03/K01, R12, R14, R15, R16).


def _header_cell(c: Ctx, header: str) -> str:
    return f"{c.lay.hh.col(header)}{c.lay.hh.header_row}"


def _header_case(name: str, header: str, typed: str, expect: str | None, note: str) -> None:
    """The header `header` of `Danh sách hộ` retyped as `typed`; `expect`: the code expected
    at that header cell (R15), `R01` (no cell), or None."""

    @case(name, f"K1_{name}.xlsx", note)
    def _(c: Ctx):
        c.set(HH, _header_cell(c, header), typed)
        if expect is None:
            return set()
        return {E(expect, HH, _header_cell(c, header) if expect == "R15" else "")}


_header_case("r15_header_dat_gdvh_no_diacritics", H_DAT, "Đạt GDVH", "R15", "`Đạt GDVH`")
_header_case(
    "r15_header_ascii_case_spaces", H_DK, "  dang KY   gdvh ", "R15", "`  dang KY   gdvh `"
)
_header_case("ok_header_case_spaces", H_NK, "SỐ  NHÂN   khẩu ", None, "`SỐ  NHÂN   khẩu `")
_header_case("r01_header_vi_pham_abbreviated", H_VP, "Vi phạm PL", "R01", "`Vi phạm PL`")
_header_case("r01_header_ghi_chu_renamed", H_GHI, "Ghi chú khác", "R01", "optional column renamed")


@case(
    "r01_optional_column_deleted",
    "K1_r01_xoa_cot.xlsx",
    "the optional column `Gia đình thể thao` deleted: not read as 'no' everywhere",
)
def _(c: Ctx):
    with c.edit() as wb:
        wb[HH].delete_cols(c.lay.hh.cols[norm(H_TT)])
    return {E("R01", HH)}


@case(
    "r16_empty_duplicate_column_before",
    "K1_r16_cot_trong.xlsx",
    "an empty column headed `Đạt GĐVH` inserted before the real one",
)
def _(c: Ctx):
    col = c.lay.hh.cols[norm(H_DAT)]
    with c.edit() as wb:
        ws = wb[HH]
        ws.insert_cols(col)
        ws.cell(c.lay.hh.header_row, col).value = H_DAT
    return {E("R16", HH, _header_cell(c, H_DAT))}


@case(
    "r16_copied_column_before",
    "K1_r16_cot_chep.xlsx",
    "a copy of `Số nhân khẩu` (one value changed) inserted before the real one",
)
def _(c: Ctx):
    col = c.lay.hh.cols[norm(H_NK)]
    with c.edit() as wb:
        ws = wb[HH]
        ws.insert_cols(col)
        ws.cell(c.lay.hh.header_row, col).value = H_NK
        for i, h in enumerate(HOUSEHOLDS):
            ws.cell(c.lay.hh.row(i), col).value = h[H_NK]
        ws.cell(c.lay.hh.row(2), col).value = int(HOUSEHOLDS[2][H_NK]) + 1  # type: ignore[call-overload]
    return {E("R16", HH, f"{get_column_letter(col + 1)}{c.lay.hh.header_row}")}


@case(
    "r15_two_row_header",
    "K1_r15_tieu_de_hai_dong.xlsx",
    "`Gia đình văn hóa` merged over `Đăng ký GĐVH` | `Đạt GĐVH` on a second header row, the "
    "other headers merged down: read, with a warning at each sub-header",
)
def _(c: Ctx):
    hr = c.lay.hh.header_row
    dk, dat = c.lay.hh.cols[norm(H_DK)], c.lay.hh.cols[norm(H_DAT)]
    with c.edit() as wb:
        ws = wb[HH]
        ws.insert_rows(hr + 1)
        ws.cell(hr + 1, dk).value, ws.cell(hr + 1, dat).value = H_DK, H_DAT
        ws.cell(hr, dk).value, ws.cell(hr, dat).value = "Gia đình văn hóa", None
        ws.merge_cells(start_row=hr, start_column=dk, end_row=hr, end_column=dat)
        for col in c.lay.hh.cols.values():
            if col not in (dk, dat):
                ws.merge_cells(start_row=hr, start_column=col, end_row=hr + 1, end_column=col)
    return {E("R15", HH, f"{c.lay.hh.col(h)}{hr + 1}") for h in (H_DK, H_DAT)}


COPIED_SHEET = "Danh sách hộ (2)"
COPIED_HOUSEHOLDS = [
    household("0009", "Trương Văn Ích", 4, "9 Hùng Vương", 3, dk=True, dat=True, nam=1),
    household("0010", "Lý Thị Kim", 4, "10 Hùng Vương", 5),
]


@case(
    "r16_register_continued_on_copied_sheet",
    "K1_r16_sheet_chep.xlsx",
    f"two more households on a copied sheet `{COPIED_SHEET}`",
)
def _(c: Ctx):
    with c.edit() as wb:
        ws = wb.copy_worksheet(wb[HH])
        ws.title = COPIED_SHEET
        for i in range(len(HOUSEHOLDS)):
            for h in HOUSEHOLDS[i]:
                ws[c.lay.hh.rec(i, h)].value = None
        for i, rec in enumerate(COPIED_HOUSEHOLDS):
            for h, v in rec.items():
                ws[c.lay.hh.rec(i, h)].value = v
    return {E("R16", COPIED_SHEET)}


ROW_WITHOUT_KEYS = {H_TO: 2, H_NK: 3, H_DK: "x", H_DAT: "x", H_NAM: 1}


@case(
    "r02_row_without_ma_ho_and_chu_ho",
    "K1_r02_dong_khong_ma.xlsx",
    "below the households a row with Tổ, Số nhân khẩu and marks but no Mã hộ and no chủ hộ",
)
def _(c: Ctx):
    n = len(HOUSEHOLDS)
    with c.edit() as wb:
        for h, v in ROW_WITHOUT_KEYS.items():
            wb[HH][c.lay.hh.rec(n, h)].value = v
    return {E("R02", HH, c.lay.hh.rec(n, h)) for h in (H_MA, H_CHU)}


@case(
    "r02_row_with_only_a_note",
    "K1_r02_chi_ghi_chu.xlsx",
    "below the households a row with only Ghi chú filled: a household without its data",
)
def _(c: Ctx):
    n = len(HOUSEHOLDS)
    c.set(HH, c.lay.hh.rec(n, H_GHI), "hộ mới chuyển đến")
    return {E("R02", HH, c.lay.hh.rec(n, h)) for h in (H_MA, H_CHU, H_TO, H_NK)}


@case(
    "ok_formula_in_stt_and_ghi_chu",
    "K1_ok_cong_thuc_stt.xlsx",
    "formulas without results in STT (household 1), Ghi chú (household 2) and Ghi chú of an "
    "empty row: values nobody uses",
)
def _(c: Ctx):
    with c.edit() as wb:
        ws = wb[HH]
        ws[c.lay.hh.rec(1, "STT")].value = "=ROW()-3"
        ws[c.lay.hh.rec(2, H_GHI)].value = '=IF(1,"chuyển đến","")'
        ws[c.lay.hh.rec(len(HOUSEHOLDS) + 2, H_GHI)].value = '=""'
    return set()


_cell_case(
    "r12_formula_in_mark",
    DAT,
    H_DAT,
    '=IF(1,"x","")',
    [("R12", H_DAT)],
    "a formula without result in Đạt GĐVH: unknown, not 'no'",
)
_cell_case(
    "r03_nk_5000_digits", 1, H_NK, "9" * 5000, [("R03", H_NK)], "5,000 digits in Số nhân khẩu"
)
_cell_case("r03_nam_1e300", DAT, H_NAM, 1e300, [("R03", H_NAM)], "1e300 in Số năm liên tục")
_self_case("k01_diem_nan_text", "DIEM", "NaN", "DIEM typed `NaN`")
_self_case("k01_diem_inf_text", "DIEM", "-inf", "DIEM typed `-inf`")
_self_case("k01_tt_luot_400_digits", "TT_LUOT", "9" * 400, "TT_LUOT of 400 digits")
_self_case("k01_kinh_phi_1e16", "KINH_PHI", 10**16, "KINH_PHI 10^16 đồng")

_PLACEHOLDER = 987654.25  # a number written by openpyxl, then replaced in the XML


def _literal_case(name: str, sheet: str, where: Callable[[Layouts], str], xml: str, note: str):
    """A numeric cell whose stored value is `xml` (`NaN`, `1e400`): what openpyxl cannot write
    but a file can hold and python-calamine reads as a float NaN or infinity."""
    code = "K01" if sheet == SELF else "R03"

    @case(name, f"K1_{name}.xlsx", note)
    def _(c: Ctx):
        src = c.draft("src")
        with c.edit(dest=src) as wb:
            wb[sheet][where(c.lay)].value = _PLACEHOLDER
        old, new = f"<v>{_PLACEHOLDER}</v>".encode(), f"<v>{xml}</v>".encode()
        c.rezip(src, lambda n, d: d.replace(old, new) if n.startswith("xl/worksheets/") else d)
        return {E(code, sheet, where(c.lay))}


_literal_case(
    "k01_diem_nan_number",
    SELF,
    lambda lay: lay.self_eval.value("DIEM"),
    "NaN",
    "DIEM a numeric NaN: passed 0–100 and the khóm got the title",
)
_literal_case(
    "r03_nk_infinite_number",
    HH,
    lambda lay: lay.hh.rec(3, H_NK),
    "1e400",
    "Số nhân khẩu a numeric 1e400 (infinity)",
)


def _clear_register(wb, c: Ctx) -> None:
    for i in range(len(HOUSEHOLDS)):
        for h in HOUSEHOLDS[i]:
            wb[HH][c.lay.hh.rec(i, h)].value = None


@case("r14_empty_register_year", "K1_r14_nam.xlsx", "no household (STT pre-filled), Kỳ Năm")
def _(c: Ctx):
    with c.edit() as wb:
        _clear_register(wb, c)
    return {E("R14", HH, c.lay.hh.rec(0, H_MA))}


@case("r14_empty_register_quarter", "K1_r14_quy.xlsx", "no household, Kỳ Quý IV: a warning")
def _(c: Ctx):
    with c.edit() as wb:
        _clear_register(wb, c)
        wb[INFO][c.lay.info.value("Kỳ báo cáo")].value = "Quý IV"
    return {E("R14", HH, c.lay.hh.rec(0, H_MA))}


@case("r01_ward_antt_abbreviated", "Phuong_r01_antt.xlsx", "`An toàn về ANTT` → `ANTT`")
def _(c: Ctx):
    ref = f"{c.lay.agency.col('An toàn về ANTT')}{c.lay.agency.header_row}"
    c.set(AGENCY, ref, "ANTT", base="ward")
    return {E("R01", AGENCY)}


@case(
    "r15_ward_unit_header_no_diacritics",
    "Phuong_r15_don_vi.xlsx",
    "`Đạt chuẩn văn hóa` → `Dat chuan van hoa` in Đơn vị",
)
def _(c: Ctx):
    ref = f"{c.lay.units.col('Đạt chuẩn văn hóa')}{c.lay.units.header_row}"
    c.set(UNITS, ref, "Dat chuan van hoa", base="ward")
    return {E("R15", UNITS, ref)}


# ── the corpus ────────────────────────────────────────────────────────────────────────────

CASE_NAMES: list[str] = [s.name for s in SPECS]
REQUIRES: dict[str, tuple[str, ...]] = {s.name: s.requires for s in SPECS}
NOTES: dict[str, str] = {s.name: s.note for s in SPECS}
assert len(set(CASE_NAMES)) == len(CASE_NAMES), "case names must be unique"
assert len({s.filename for s in SPECS}) == len(SPECS), "file names must be unique"


def build_corpus(out: Path, config: Config | None = None) -> list[Case]:
    """Write every case that can be built here into `out`; return the cases written.

    LibreOffice cases run two at a time beside the others (each soffice has its own profile).
    """
    config = config or load_config(CONFIG)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="corpus-work-", dir=out.parent))
    try:
        bases = Bases(work, config)

        def build(spec: Spec) -> Case:
            ctx = Ctx(out, spec.filename, config, bases)
            expected = spec.build(ctx)
            if not ctx.path.exists():
                raise AssertionError(f"case {spec.name} wrote no file")
            return Case(spec.name, spec.filename, frozenset(expected), spec.note)

        todo = [s for s in SPECS if available(s.name)[0]]
        slow = [s for s in todo if "soffice" in s.requires]
        with ThreadPoolExecutor(max_workers=2) as pool:
            pending = {s.name: pool.submit(build, s) for s in slow}
            done = {s.name: build(s) for s in todo if s not in slow}
            done.update({name: f.result() for name, f in pending.items()})
        return [done[s.name] for s in todo]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tests/make_corpus.py DIR", file=sys.stderr)
        return 2
    cases = build_corpus(Path(argv[0]))
    out = io.StringIO()
    for c in cases:
        shown = (
            ", ".join(
                f"{code} {sheet}!{cell}".rstrip("!") if sheet else code
                for code, sheet, cell in sorted(c.expected)
            )
            or "—"
        )
        out.write(f"{c.name:<34} {c.filename:<34} {shown}\n")
    skipped = [n for n in CASE_NAMES if n not in {c.name for c in cases}]
    for n in skipped:
        out.write(f"{n:<34} (not built: {available(n)[1]})\n")
    print(out.getvalue(), end="")
    print(f"{len(cases)} cases written to {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


def used_ranges(path: Path) -> dict[str, tuple[int, int]]:
    """Sheet name → (rows, columns) of its used range from A1, as calamine reads the file."""
    book = CalamineWorkbook.from_path(str(path))
    out = {}
    for name in book.sheet_names:
        try:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # calamine panics (pyo3 PanicException) on some cell values:
            out[name] = (1_048_576, 16_384)  # the sheet's range is unknown, not constrained
            continue
        out[name] = (len(rows), max((len(r) for r in rows), default=0))
    return out


def col_number(letters: str) -> int:
    """`"AB"` → 28, computed here rather than by the code under test."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n
