"""What officers print, read from the PDF LibreOffice makes: a feedback copy's `Cần sửa`
prints no text over other text, and names each household; KiemTra and the khóm blank's
`Hướng dẫn` print what this issue asks of them.
"""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from builders import Word, needs_soffice, pdf_words
from tqd_sheets import catalog, office, spec
from tqd_sheets.config import Config
from tqd_sheets.feedback import SHEET, write_feedback
from tqd_sheets.findings import Severity
from tqd_sheets.periods import Period
from tqd_sheets.pipeline import check_file
from tqd_sheets.template import LINE_HEIGHT, write_khom_template

pytestmark = needs_soffice

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2021, 1, 15)
YEAR = Period.parse("2020")


def overlaps(ws: list[Word]) -> list[tuple[str, str]]:
    """Pairs of words printed over each other (more than a sliver of both boxes shared)."""
    found = []
    for i, a in enumerate(ws):
        for b in ws[i + 1 :]:
            dx = min(a.x1, b.x1) - max(a.x0, b.x0)
            dy = min(a.y1, b.y1) - max(a.y0, b.y0)
            if dx > 1 and dy > 0.3 * min(a.y1 - a.y0, b.y1 - b.y0):
                found.append((a.text, b.text))
    return found


def page_text(pdf: Path, page: int) -> str:
    out = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return re.sub(r"\s+", " ", out)


@pytest.fixture(scope="module")
def copy_pdf(tmp_path_factory: pytest.TempPathFactory, config: Config) -> tuple[Path, Path]:
    """The shipped K1 sample with three problems typed in, its marked copy, and the copy's
    PDF. One extra finding carries a long message, so that `Cần sửa` has a row of 4+ lines."""
    work = tmp_path_factory.mktemp("paper")
    sent = work / "K1_2020.xlsx"
    wb = openpyxl.load_workbook(ROOT / "inbox" / "MAU_K1_2020.xlsx")
    ws = wb["Danh sách hộ"]
    ws["F7"] = "bốn"  # STT 4: Số nhân khẩu not a number (R03)
    ws["B8"] = ws["B6"].value  # STT 5 repeats STT 3's Mã hộ (R05)
    wb.save(sent)
    checked = check_file(sent, config, TODAY)
    marked = [f for f in checked.findings if f.severity is not Severity.NOTE]
    long = catalog.make(
        "F07", file=sent.name, detail="một lý do rất dài " * 20, khom="K1"
    )  # a file-level finding: listed, marked nowhere
    copy = write_feedback(
        work / "K1_2020_kiem-tra.xlsx", checked.raw, checked.parsed, [*marked, long], config, YEAR
    )
    return copy, office.convert(copy, "pdf", work / "pdf")


def test_can_sua_prints_no_text_over_text(copy_pdf) -> None:
    _, pdf = copy_pdf
    ws = pdf_words(pdf, 1)
    assert any(w.text == "CẦN" for w in ws)
    assert overlaps(ws) == []


def test_can_sua_rows_are_tall_enough_for_their_lines(copy_pdf) -> None:
    """Every message row is at least its wrapped lines × the line height, in the file (which
    is what Excel and LibreOffice show: neither grows a row on opening)."""
    copy, _ = copy_pdf
    sheet = openpyxl.load_workbook(copy)[SHEET]
    width = sheet.column_dimensions["F"].width
    tall = 0
    for r in range(5, sheet.max_row + 1):
        message = sheet.cell(r, 6).value or ""
        lines = -(-len(message) // int(width * 1.1))
        height = sheet.row_dimensions[r].height or 15
        assert height >= min(lines, 30) * LINE_HEIGHT - 0.01 or lines == 1, (r, lines, height)
        tall = max(tall, lines)
    assert tall >= 4  # the long message really needed several lines


def test_can_sua_names_the_household_by_stt(copy_pdf) -> None:
    _, pdf = copy_pdf
    text = page_text(pdf, 1)
    # K1's sample: STT 4 is 010004 Ngô Minh Hạnh, on worksheet row 7
    assert "Hộ STT 4 – 010004 – Ngô Minh Hạnh (dòng 7)" in text
    assert re.search(r"Hộ STT 5 – 010003 – \S", text)


def test_errors_stand_out_in_black_and_white(copy_pdf) -> None:
    copy, _ = copy_pdf
    wb = openpyxl.load_workbook(copy)
    sheet = wb[SHEET]
    severities = {
        sheet.cell(r, 5).value: sheet.cell(r, 5).font.b for r in range(5, sheet.max_row + 1)
    }
    assert severities["Lỗi"] is True and severities["Cảnh báo"] is False
    f7 = wb["Danh sách hộ"]["F7"]
    assert f7.border.left.style == "thick"  # the mark beside the fill


def test_khom_blank_help_prints_plainly(tmp_path, config: Config) -> None:
    blank = write_khom_template(
        tmp_path / "BieuKhom_K1_2020Q2.xlsx", config, Period.parse("2020Q2"), "K1"
    )
    pdf = office.convert(blank, "pdf", tmp_path / "pdf")
    text = page_text(pdf, 1) + page_text(pdf, 2)
    assert "HƯỚNG DẪN NHẬP BIỂU" in text
    assert "Gõ x nếu có" in text or "gõ chữ x nếu có" in text
    assert "Biểu này là biểu Quý II năm 2020" in text
    assert "tqd-sheets" not in text
    for page in (1, 2):
        assert overlaps(pdf_words(pdf, page)) == []
    assert spec.HELP_SHEET == "Hướng dẫn"


def test_kiem_tra_prints_each_child_its_places_by_stt_and_no_text_over_text(tmp_path) -> None:
    """KiemTra of a run whose K1 has an R03 on STT 4, rendered by LibreOffice: the overview
    with Hạn nộp, `Chi tiết` naming the place by STT, and no word printed over another."""
    from results_factory import make_results
    from tqd_sheets.report import write_report

    finding = catalog.make(
        "R03", file="K1_2020.xlsx", sheet="Danh sách hộ", cell="F7", row=7, khom="K1",
        label="Số nhân khẩu", value="bốn", expected="số nguyên từ 1 đến 50",
    )  # fmt: skip
    results = make_results()
    results.findings = [finding]
    path = write_report(
        tmp_path / "KiemTra_2020.xlsx",
        results,
        deadline=date(2020, 12, 31),
        serials={("K1_2020.xlsx", "Danh sách hộ", 7): "4"},
    )
    pdf = office.convert(path, "pdf", tmp_path / "pdf")
    pages = int(
        re.search(
            r"Pages:\s+(\d+)",
            subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout,
        ).group(1)
    )
    text = " ".join(page_text(pdf, n) for n in range(1, pages + 1))
    assert "KẾT QUẢ KIỂM TRA BIỂU" in text and "Hạn nộp" in text
    assert "dòng STT 4 (ô F7)" in text
    assert all(overlaps(pdf_words(pdf, n)) == [] for n in range(1, pages + 1))


def test_a_citys_long_signature_title_prints_whole(tmp_path) -> None:
    """The city's "TM. BAN CHỈ ĐẠO PHONG TRÀO TDĐKXDĐSVH" is wider than the motto: it wraps
    inside the signature block instead of printing cut at both ends, over nothing else."""
    from results_factory import make_parent_results
    from tqd_sheets.config import load_config
    from tqd_sheets.forms import write_forms

    config = load_config(ROOT / "cau-hinh" / "thanh-pho-sa-dec-867.toml")
    title = config.chu_ky.thay_mat
    assert len(title) > len("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    path = write_forms(tmp_path / "BaoCao_2020.xlsx", make_parent_results(), config)
    pdf = office.convert(path, "pdf", tmp_path / "pdf")
    ws = pdf_words(pdf, 1)
    # The block may take the columns right of the names: from column (1) to the page's right.
    left_edge = min(w.x0 for w in ws if w.text == "(1)")
    right_edge = max(w.x1 for w in ws)
    below = max(w.y1 for w in ws if w.text == "Tổng")  # under the table
    said = [w for w in ws if w.y0 > below and w.text in {"TM.", "TDĐKXDĐSVH"}]
    assert {w.text for w in said} == {"TM.", "TDĐKXDĐSVH"}
    assert all(left_edge - 2 <= w.x0 and w.x1 <= right_edge + 2 for w in said), said
    assert overlaps(ws) == []
