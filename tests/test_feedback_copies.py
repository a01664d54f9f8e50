"""Feedback copies regenerated from what was read (issue 7): every input format, hostile files.

Each input starts from the corpus bases (`make_corpus.Bases`: generated blanks filled with a
small valid register), gets problems typed in with openpyxl, and is sent as .xlsx, as an .xlsx
saved by LibreOffice, as .xls and as .ods. The copy must open in openpyxl and LibreOffice, mark
the problem cells (fill, border, comment), and read back through `pipeline.check_file` to the
same values as the sent file.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from builders import needs_soffice, to_format
from make_corpus import (
    H_CHU,
    H_MA,
    H_NK,
    HH,
    HOUSEHOLDS,
    INFO,
    Bases,
)
from tqd_sheets import office, spec
from tqd_sheets.config import Config
from tqd_sheets.feedback import LIST_HEADERS, OTHER_SHEET, SHEET, SPARE_ROWS, write_feedback
from tqd_sheets.findings import Severity
from tqd_sheets.parse import ROW, Parsed
from tqd_sheets.periods import Period
from tqd_sheets.pipeline import Checked, check_file
from tqd_sheets.spec import Kind
from tqd_sheets.template import FIRST_ROW, Context, Filled, TableFill, open_book

TODAY = date(2021, 1, 15)
PERIOD = Period.parse("2020")
FORMATS = ("xlsx", "xlsx-libreoffice", "xls", "ods")
WORDS = "12 người"  # an invalid Số nhân khẩu, kept in the copy so that it can be fixed
FORMULA = "=1+1"  # a Ghi chú that looks like a formula: text in, text out


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory, config: Config) -> Bases:
    return Bases(tmp_path_factory.mktemp("feedback-bases"), config)


def _bad_register(bases: Bases, dest: Path) -> dict[str, str]:
    """The K1 base with three problems typed in; returns their cells by rule code."""
    lay = bases.lay.hh
    wb = openpyxl.load_workbook(bases.khom)
    ws = wb[HH]
    nk, repeated = lay.rec(1, H_NK), lay.rec(6, H_MA)
    ws[nk] = WORDS
    ws[repeated] = HOUSEHOLDS[1][H_MA]
    ws[lay.rec(2, "Ghi chú")] = FORMULA
    ws[lay.rec(2, "Ghi chú")].data_type = "s"
    wb[INFO][bases.lay.info.value("Người lập biểu")] = None  # H05, a warning
    wb.save(dest)
    return {
        "R03": nk,
        "R05": repeated,
        "R05b": lay.rec(1, H_MA),
        "H05": bases.lay.info.value("Người lập biểu"),
    }


@pytest.fixture(scope="module")
def sent(bases: Bases, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same bad register in every input format (LibreOffice formats when installed)."""
    work = tmp_path_factory.mktemp("feedback-sent")
    xlsx = work / "K1_2020.xlsx"
    _bad_register(bases, xlsx)
    out = {"xlsx": xlsx}
    if office.soffice() is not None:
        for fmt in FORMATS[1:]:
            out[fmt] = to_format(xlsx, fmt, work / fmt / "K1_2020", work / "lo")
    return out


def _copy(checked: Checked, dest: Path, config: Config) -> Path:
    marked = [f for f in checked.findings if f.severity is not Severity.NOTE]
    assert checked.raw is not None and checked.parsed is not None
    return write_feedback(dest, checked.raw, checked.parsed, marked, config, PERIOD)


def _values(p: Parsed) -> tuple[dict[str, object], pd.DataFrame]:
    return p.values, p.households().drop(columns=[ROW], errors="ignore")


def _tables(p: Parsed) -> dict[str, pd.DataFrame]:
    """Every list as read, without the sheet rows (the copy closes gaps between records)."""
    return {
        name: t.frame.drop(columns=[ROW]).reset_index(drop=True) for name, t in p.tables.items()
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_copy_marks_the_cells_and_reads_back_the_same(fmt, sent, bases, config, tmp_path):
    if fmt not in sent:
        pytest.skip("LibreOffice (soffice) is not installed")
    checked = check_file(sent[fmt], config, TODAY)
    found = {(f.code, f.cell) for f in checked.findings}
    lay = bases.lay.hh
    nk, repeated = lay.rec(1, H_NK), lay.rec(6, H_MA)
    info = bases.lay.info.value("Người lập biểu")
    assert {("R03", nk), ("R05", repeated), ("R05", lay.rec(1, H_MA)), ("H05", info)} <= found
    copy = _copy(checked, tmp_path / "K1_2020_kiem-tra.xlsx", config)

    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames[0] == SHEET
    assert wb.active.title == SHEET
    ws = wb[HH]
    # The bases are laid out as the generated blank: every value is at its sent address.
    for ref, colour, style in ((nk, "FFC7CE", "thick"), (repeated, "FFC7CE", "thick")):
        cell = ws[ref]
        assert cell.fill.fgColor.rgb.endswith(colour), ref
        assert cell.border.left.style == style, ref  # visible on a black-and-white print
        assert "[R0" in cell.comment.text, ref
    h05 = wb[INFO][info]
    assert h05.fill.fgColor.rgb.endswith("FFEB9C") and h05.border.left.style == "mediumDashed"
    assert ws[nk].value == WORDS
    note = ws[lay.rec(2, "Ghi chú")]
    assert note.value == FORMULA and note.data_type == "s"
    listed = wb[SHEET]
    links = {
        c.hyperlink.location: listed.cell(c.row, 4).value
        for row in listed.iter_rows(min_row=5)
        for c in row[:1]
        if c.hyperlink is not None
    }
    assert links[f"'{HH}'!{nk}"] == "R03"
    assert links[f"'{INFO}'!{info}"] == "H05"
    # Rows of wrapped messages are tall enough to show them (neither Excel nor LibreOffice
    # grows them on opening).
    for r in range(5, 5 + len(links)):
        message = listed.cell(r, 6).value
        assert listed.cell(r, 6).alignment.wrap_text
        lines = len(message) // int(listed.column_dimensions["F"].width * 1.2) + 1
        assert lines == 1 or (listed.row_dimensions[r].height or 0) >= 15 * lines, message
    assert OTHER_SHEET not in wb.sheetnames  # everything typed had a place in the form

    again = check_file(copy, config, TODAY)
    assert again.parsed is not None and checked.parsed is not None
    values, households = _values(checked.parsed)
    values2, households2 = _values(again.parsed)
    assert values2 == values
    pd.testing.assert_frame_equal(households2, households)
    assert {(f.code, f.cell) for f in again.findings} == found


@needs_soffice
@pytest.mark.parametrize("target", ["pdf", "xlsx"])
def test_libreoffice_opens_the_copy(target, sent, config, tmp_path):
    fmt = "ods" if target == "pdf" else "xls"
    copy = _copy(check_file(sent[fmt], config, TODAY), tmp_path / "copy.xlsx", config)
    made = office.convert(copy, target, tmp_path / "lo")
    assert made.is_file() and made.stat().st_size > 0
    if target == "xlsx":
        wb = openpyxl.load_workbook(made)
        assert wb.sheetnames[0] == SHEET


# ── hostile files: every one of them aborted the run when the copy was a round trip ─────────


def _rezip(src: Path, dest: Path, edit) -> Path:
    with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zi.infolist():
            zo.writestr(info, edit(info.filename, zi.read(info.filename)))
    return dest


def _households_sheet(src: Path) -> str:
    """The zip member of `Danh sách hộ` (openpyxl numbers sheets in workbook order)."""
    with zipfile.ZipFile(src) as z:
        book = z.read("xl/workbook.xml").decode()
    names = re.findall(r'<sheet [^>]*name="([^"]+)"', book)
    return f"xl/worksheets/sheet{names.index(HH) + 1}.xml"


def _assert_copy(path: Path, config: Config, tmp_path: Path, code: str, ref: str) -> None:
    checked = check_file(path, config, TODAY)
    assert (code, ref) in {(f.code, f.cell) for f in checked.findings}
    copy = _copy(checked, tmp_path / "copy.xlsx", config)
    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames[0] == SHEET
    assert wb[HH][ref].comment is not None


def test_merged_cells_in_a_marked_column(bases, config, tmp_path):
    lay = bases.lay.hh
    src = tmp_path / "K1_gop.xlsx"
    _bad_register(bases, src)
    wb = openpyxl.load_workbook(src)
    wb[HH].merge_cells(f"{lay.rec(1, H_NK)}:{lay.rec(2, H_NK)}")
    wb.save(src)
    _assert_copy(src, config, tmp_path, "R03", lay.rec(1, H_NK))


def test_page_layout_view_and_bad_tab_colour(bases, config, tmp_path):
    src = tmp_path / "K1_src.xlsx"
    _bad_register(bases, src)
    member = _households_sheet(src)

    def edit(name: str, data: bytes) -> bytes:
        if name != member:
            return data
        text = data.decode()
        text = text.replace("<sheetView ", '<sheetView view="pageLayoutX" ', 1)
        text = text.replace("<sheetPr>", '<sheetPr><tabColor rgb="xyz"/>', 1)
        assert "pageLayoutX" in text and "xyz" in text
        return text.encode()

    path = _rezip(src, tmp_path / "K1_view.xlsx", edit)
    with pytest.raises(Exception):  # noqa: B017 — whatever openpyxl raises, it cannot open it
        openpyxl.load_workbook(path)
    _assert_copy(path, config, tmp_path, "R03", bases.lay.hh.rec(1, H_NK))


@needs_soffice
def test_control_character_in_an_xls_cell(bases, config, tmp_path):
    """A Word line break (vertical tab) typed in Họ tên chủ hộ, sent as .xls."""
    lay = bases.lay.hh
    src = tmp_path / "K1_src.xlsx"
    _bad_register(bases, src)
    wb = openpyxl.load_workbook(src)
    wb[HH][lay.rec(3, H_CHU)] = "QQVTQQ"
    wb.save(src)
    member = _households_sheet(src)
    escaped = _rezip(
        src,
        tmp_path / "K1_vt.xlsx",
        lambda n, d: d.replace(b"QQVTQQ", b"L\xc3\xaa_x000B_V\xc4\x83n") if n == member else d,
    )
    xls = to_format(escaped, "xls", tmp_path / "K1_vt", tmp_path / "lo")
    checked = check_file(xls, config, TODAY)
    assert checked.parsed is not None
    assert "\x0b" in str(checked.raw.sheet(HH).cell(lay.row(3) - 1, 2))  # as the officer sent it
    copy = _copy(checked, tmp_path / "copy.xlsx", config)
    ws = openpyxl.load_workbook(copy)[HH]
    assert ws[lay.rec(3, H_CHU)].value == "Lê\nVăn"  # the line break kept, as a line break
    assert ws[lay.rec(1, H_NK)].comment is not None


@needs_soffice
def test_ods_sheet_named_with_a_slash_is_kept_on_khac(bases, config, tmp_path):
    src = tmp_path / "K1_src.xlsx"
    _bad_register(bases, src)
    wb = openpyxl.load_workbook(src)
    extra = wb.create_sheet("GhiChuX")
    extra["B2"] = "Hộ 0005 chuyển đi tháng 11"
    wb.save(src)
    ods = to_format(src, "ods", tmp_path / "K1_sheet", tmp_path / "lo")
    renamed = _rezip(
        ods,
        tmp_path / "K1_slash.ods",
        lambda n, d: (
            d.replace(b'table:name="GhiChuX"', b'table:name="Ghi ch\xc3\xba/2020"')
            if n == "content.xml"
            else d
        ),
    )
    checked = check_file(renamed, config, TODAY)
    assert checked.raw is not None and "Ghi chú/2020" in checked.raw.sheets
    copy = _copy(checked, tmp_path / "copy.xlsx", config)
    wb = openpyxl.load_workbook(copy)
    rows = [r for r in wb[OTHER_SHEET].iter_rows(min_row=3, values_only=True) if r[0]]
    assert ("Ghi chú/2020", "B2", "Hộ 0005 chuyển đi tháng 11") in [r[:3] for r in rows]


# ── the corpus: every case the reader can read gets a copy that reads back the same ─────────

# Where the copy cannot read back as the sent file did, and why that is right.
READS_DIFFERENTLY = {
    # The list could not be read (sheet or header renamed): its values wait on `Khác`.
    "f03_sheet_renamed": "Khác",
    "r01_anchor_renamed": "Khác",
    "r01_header_below_row_15": "Khác",
    # The deleted sheet comes back blank, to be filled in.
    "f03_ward_sheet_deleted": "",
    # A formula without a result has no value to copy: the cell comes back empty.
    "r12_formula_nk": "",
    "r12_formula_in_mark": "",
    "strict_r12_r13": "",
    # A column the reader could not match (R01) comes back under the template's header, empty,
    # beside the khóm's own column, which is kept as an extra column for the khóm to move.
    "r01_header_renamed": "",
    "r01_header_vi_pham_abbreviated": "",
    "r01_header_ghi_chu_renamed": "",
    "r01_optional_column_deleted": "",
    "r01_ward_antt_abbreviated": "",
}
# Read the same, but something typed had no place in the form (R16): it waits on `Khác`.
KEPT_ON_KHAC = ("r16_copied_column_before", "r16_register_continued_on_copied_sheet")
UNREADABLE = ("f01_", "f02_", "f05_")  # never parsed: no copy to make


@pytest.fixture(scope="module")
def corpus(corpus_files) -> list[tuple[str, Path]]:
    """Every corpus case that opens, in every format the corpus sends (.xls and .ods too)."""
    return [(c.name, path) for c, path in corpus_files if not c.name.startswith(UNREADABLE)]


def test_every_readable_corpus_file_gets_a_copy_that_reads_back_the_same(
    corpus, config: Config, tmp_path: Path
) -> None:
    made, copies = 0, []
    for name, path in corpus:
        checked = check_file(path, config, TODAY)
        if checked.parsed is None or checked.parsed.kind is None:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no English warning on the terminal, nothing dropped
            copy = _copy(checked, tmp_path / f"{name}_kiem-tra.xlsx", config)
        made += 1
        wb = openpyxl.load_workbook(copy)
        assert wb.sheetnames[0] == SHEET, name
        # `Cần sửa` lists every finding the file has, each once (header on row 4).
        listed = Counter(
            row[LIST_HEADERS.index("Mã")]
            for row in wb[SHEET].iter_rows(min_row=5, values_only=True)
            if row[LIST_HEADERS.index("Mã")]
        )
        marked = Counter(f.code for f in checked.findings if f.severity is not Severity.NOTE)
        assert listed == marked, name
        again = check_file(copy, config, TODAY)
        assert again.parsed is not None, name
        tables, tables2 = _tables(checked.parsed), _tables(again.parsed)
        same = again.parsed.values == checked.parsed.values and tables.keys() == tables2.keys()
        same = same and all(tables[k].equals(tables2[k]) for k in tables)
        if name in READS_DIFFERENTLY:
            assert not same, f"{name} now reads back the same: drop it from READS_DIFFERENTLY"
            if READS_DIFFERENTLY[name] == OTHER_SHEET:
                assert OTHER_SHEET in wb.sheetnames, name
        else:
            assert same, name
            # Everything typed found its place in the form, or waits on `Khác` when it had none.
            assert (OTHER_SHEET in wb.sheetnames) == (name in KEPT_ON_KHAC), name
        copies.append(copy)
    assert made >= 60
    if office.soffice() is not None:
        # LibreOffice opens every copy: two batches side by side, one process each.
        halves = [copies[::2], copies[1::2]]
        with ThreadPoolExecutor(2) as pool:
            opened = pool.map(
                lambda i: office.convert_many(halves[i], "ods", tmp_path / f"libreoffice{i}"),
                range(2),
            )
            assert all(p.stat().st_size > 0 for batch in opened for p in batch)


STRICT = (  # transitional namespace → Strict OOXML (ISO/IEC 29500 Strict) namespace
    (
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        b"http://purl.oclc.org/ooxml/spreadsheetml/main",
    ),
    (
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        b"http://purl.oclc.org/ooxml/officeDocument/relationships",
    ),
)


def test_strict_ooxml_keeps_the_khoms_sheets(bases, config, tmp_path):
    """A copy saved as Strict OOXML: an openpyxl round trip lost the khóm's sheets."""
    src = tmp_path / "K1_src.xlsx"
    _bad_register(bases, src)

    def strict(name: str, data: bytes) -> bytes:
        if name.endswith((".xml", ".rels")):
            for old, new in STRICT:
                data = data.replace(old, new)
        return data

    path = _rezip(src, tmp_path / "K1_strict.xlsx", strict)
    assert b"purl.oclc.org" in zipfile.ZipFile(path).read("xl/workbook.xml")
    _assert_copy(path, config, tmp_path, "R03", bases.lay.hh.rec(1, H_NK))
    wb = openpyxl.load_workbook(tmp_path / "copy.xlsx")
    assert wb.sheetnames == [SHEET, "Hướng dẫn", INFO, HH, "Khóm", "_tqd"]
    assert wb[HH][bases.lay.hh.rec(0, H_CHU)].value == HOUSEHOLDS[0][H_CHU]


def test_a_copy_keeps_the_households_and_spare_numbered_rows(sent, config, tmp_path):
    """A returned copy is for correcting: its households, then `SPARE_ROWS` empty numbered
    rows ready for a few more (not the blank's 1,500), each row still validated."""
    checked = check_file(sent["xlsx"], config, TODAY)
    households = len(checked.wb.households())
    copy = _copy(checked, tmp_path / "K1_2020_kiem-tra.xlsx", config)
    ws = openpyxl.load_workbook(copy)[HH]
    register = next(s for s in spec.KHOM_WORKBOOK.sheets if s.name == HH)
    assert households + SPARE_ROWS < register.capacity
    serials = [row[0] for row in ws.iter_rows(min_row=FIRST_ROW + 1, values_only=True) if row[0]]
    assert serials == list(range(1, households + SPARE_ROWS + 1))
    last = FIRST_ROW + households + SPARE_ROWS  # Excel row of the last numbered row
    assert ws.max_row == last
    ranges = {str(r) for dv in ws.data_validations.dataValidation for r in dv.sqref.ranges}
    assert any(r.endswith(str(last)) for r in ranges)


def test_spare_rows_never_shrink_a_register_longer_than_the_blank(config, tmp_path):
    """`spare` only trims: a copy is never shorter than its records."""
    register = next(s for s in spec.KHOM_WORKBOOK.sheets if s.name == HH)
    width = len(register.fields)
    records = [[i + 1] + [None] * (width - 1) for i in range(register.capacity + 5)]
    filled = Filled(tables={HH: TableFill(records, (), SPARE_ROWS)})
    ctx = Context(config, PERIOD, Kind.KHOM, "K1")
    book = open_book(tmp_path / "long.xlsx", spec.KHOM_WORKBOOK, ctx, filled)
    book.workbook.close()
    ws = openpyxl.load_workbook(tmp_path / "long.xlsx")[HH]
    assert ws.max_row == FIRST_ROW + register.capacity + 5
