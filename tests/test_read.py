"""The edge where files come in: formats, safety checks, hostile files."""

import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from tqd_sheets.read import ignore_reason, read_workbook


def small_xlsx(path: Path) -> Path:
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Danh sách hộ")
    ws.write("B3", "Mã hộ")
    ws.write_string("B4", "0012")
    ws.merge_range("C6:E6", "gộp")
    m = wb.add_worksheet("_tqd")
    m.write("A1", "loai")
    m.write("B1", "khom")
    m.write("A2", "phien_ban")
    m.write("B2", 1)
    m.hide()
    wb.close()
    return path


def codes(findings):
    return [f.code for f in findings]


@pytest.mark.parametrize(
    ("name", "ignored"),
    [
        ("~$MAU_K1.xlsx", True),
        (".~lock.k1.xlsx#", True),
        (".hidden.xlsx", True),
        ("bao cao.pdf", True),
        ("ghi chu.docx", True),
        ("k1.xlsx", False),
        ("k1.XLS", False),
        ("k1.ods", False),
        ("k1.xlsm", False),
    ],
)
def test_what_is_not_a_workbook_is_ignored(tmp_path, name, ignored):
    assert (ignore_reason(tmp_path / name) is not None) == ignored


def test_reads_grid_from_a1_with_text_kept_and_marker(tmp_path):
    raw, findings = read_workbook(small_xlsx(tmp_path / "a.xlsx"))
    assert findings == []
    sheet = raw.sheet("danh sách hộ")
    assert sheet.cell(2, 1) == "Mã hộ" and sheet.cell(3, 1) == "0012"
    assert sheet.merged == (((5, 2), (5, 4)),)
    assert raw.marker == {"loai": "khom", "phien_ban": "1"}
    assert raw.sheets["_tqd"].visible is False


@pytest.mark.parametrize(
    ("content", "suffix", "code", "words"),
    [
        (b"", ".xlsx", "F01", "0 byte"),
        (b"PK\x03\x04garbage-that-is-not-a-zip", ".xlsx", "F01", "hỏng"),
        (b"Xin chao, day khong phai bang tinh", ".xlsx", "F01", "hỏng"),
        (b"Mot tep van ban", ".xls", "F01", "hỏng"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + b"\0" * 100
            + "EncryptionInfo".encode("utf-16-le"),
            ".xlsx",
            "F01",
            "mật khẩu",
        ),
    ],
)
def test_broken_and_protected_files_are_f01(tmp_path, content, suffix, code, words):
    p = tmp_path / f"x{suffix}"
    p.write_bytes(content)
    raw, findings = read_workbook(p)
    assert raw is None and codes(findings) == [code]
    assert words in findings[0].message and findings[0].file == p.name


def test_xlsx_content_under_xls_name_is_f01(tmp_path):
    p = small_xlsx(tmp_path / "a.xlsx").rename(tmp_path / "a.xls")
    raw, findings = read_workbook(p)
    assert raw is None and codes(findings) == ["F01"] and ".xlsx" in findings[0].message


def test_zip_bomb_is_f05_before_reading(tmp_path):
    p = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))
    raw, findings = read_workbook(p)
    assert raw is None and codes(findings) == ["F05"]


def test_xml_entity_expansion_is_f05(tmp_path):
    p = small_xlsx(tmp_path / "a.xlsx")
    bomb = tmp_path / "lol.xlsx"
    with zipfile.ZipFile(p) as src, zipfile.ZipFile(bomb, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/workbook.xml":
                data = data.replace(
                    b"?>", b'?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>', 1
                )
            dst.writestr(item, data)
    raw, findings = read_workbook(bomb)
    assert raw is None and codes(findings) == ["F05"]


def test_missing_file_is_a_finding_not_an_exception(tmp_path):
    raw, findings = read_workbook(tmp_path / "gone.xlsx")
    assert raw is None and codes(findings) == ["F01"]


def test_hidden_rows_and_uncomputed_formulas_from_the_xml(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Danh sách hộ"
    ws["A1"], ws["A2"], ws["B2"], ws["A3"] = "Mã hộ", "01", "=1+1", "02"
    ws.row_dimensions[3].hidden = True
    wb.save(tmp_path / "f.xlsx")  # openpyxl stores formulas without results
    raw, findings = read_workbook(tmp_path / "f.xlsx")
    sheet = raw.sheets["Danh sách hộ"]
    assert findings == [] and sheet.hidden_rows == {2} and sheet.uncomputed == {(1, 1)}


def test_a_cell_that_panics_calamine_is_f01_and_prints_nothing(tmp_path, capfd):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = -1e20  # a duration far out of range: calamine's Rust code panics
    wb.active["A1"].number_format = "[h]:mm:ss"
    wb.save(tmp_path / "p.xlsx")
    raw, findings = read_workbook(tmp_path / "p.xlsx")
    assert raw is None and codes(findings) == ["F01"]
    captured = capfd.readouterr()
    assert "panicked" not in captured.err and "Traceback" not in captured.err
