"""Feedback copies, piece by piece: names, safe cell text, what has no place in the form, F07."""

from __future__ import annotations

import warnings
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest

from make_corpus import H_NK, HH, INFO, Bases
from tqd_sheets import catalog, outputs
from tqd_sheets.celltext import CELL_LIMIT, cell_text
from tqd_sheets.config import Config
from tqd_sheets.feedback import OTHER_SHEET, SHEET, feedback_name, feedback_names, write_feedback
from tqd_sheets.findings import Severity
from tqd_sheets.periods import Period
from tqd_sheets.pipeline import Checked, Run, check_file
from tqd_sheets.read import RawSheet

TODAY = date(2021, 1, 15)
PERIOD = Period.parse("2020")


# ── names ───────────────────────────────────────────────────────────────────────────────────


def test_a_lone_input_keeps_its_stem() -> None:
    assert feedback_name("K1_2020.ods") == "K1_2020_kiem-tra.xlsx"


def test_copy_names_never_collide_and_do_not_depend_on_order() -> None:
    inputs = ["K1.xlsx", "K1.xls", "K1_xls.xlsx"]
    names = feedback_names(inputs)
    assert names == {
        "K1_xls.xlsx": "K1_xls_kiem-tra.xlsx",  # its own stem wins
        "K1.xls": "K1_xls_2_kiem-tra.xlsx",
        "K1.xlsx": "K1_xlsx_kiem-tra.xlsx",
    }
    assert feedback_names(reversed(inputs)) == names


def test_names_differing_only_in_case_get_distinct_copies() -> None:
    names = feedback_names(["k1.xlsx", "K1.XLSX", "K1.ods"])
    assert len({n.casefold() for n in names.values()}) == 3


# ── cell text ───────────────────────────────────────────────────────────────────────────────


def test_control_characters_go_and_word_line_breaks_become_line_breaks() -> None:
    assert cell_text("Lê\x0bVăn\x07 A\r\nB\x00") == "Lê\nVăn A\nB"
    assert cell_text("plain\ttext\n") == "plain\ttext\n"


def test_text_over_the_cell_limit_is_cut_with_a_visible_note() -> None:
    exactly = "a" * CELL_LIMIT
    assert cell_text(exactly) == exactly
    cut = cell_text("a" * (CELL_LIMIT + 1))
    assert len(cut) == CELL_LIMIT
    assert cut.endswith("32.768 ký tự, quá giới hạn 32.767 ký tự của một ô Excel]")


# ── a copy from a grid ──────────────────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory, config: Config) -> Bases:
    return Bases(tmp_path_factory.mktemp("feedback-unit"), config)


def _with_cells(checked: Checked, sheet: str, cells: dict[tuple[int, int], object]) -> None:
    """Type into the grid as read (0-based row, column), as if the file had held it."""
    raw = checked.raw
    assert raw is not None
    old = raw.sheets[sheet]
    rows = [list(r) for r in old.rows]
    for (r, c), v in cells.items():
        while len(rows) <= r:
            rows.append([])
        rows[r] += [None] * (c + 1 - len(rows[r]))
        rows[r][c] = v
    raw.sheets[sheet] = RawSheet(old.name, rows, old.merged, old.visible)


def _copy(checked: Checked, path: Path, config: Config) -> Path:
    marked = [f for f in checked.findings if f.severity is not Severity.NOTE]
    assert checked.raw is not None and checked.parsed is not None
    return write_feedback(path, checked.raw, checked.parsed, marked, config, PERIOD)


def test_values_outside_the_form_are_listed_on_khac_and_long_text_is_cut(
    bases: Bases, config: Config, tmp_path: Path
) -> None:
    checked = check_file(bases.khom, config, TODAY)
    lay = bases.lay.hh
    last = lay.row(len(bases.lay.hh.keys)) + 3  # below the records, in no record's row
    long_text = "x" * (CELL_LIMIT + 10)
    _with_cells(checked, HH, {(last, 2): "ghi thêm ngoài danh sách", (1, 20): long_text})
    checked.raw.sheets["Nháp"] = RawSheet("Nháp", [[None, 42.5]])
    checked.findings.append(
        catalog.make("R03", file=checked.name, sheet=HH, cell="U2", row=2, label="x", expected="y")
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing printed in English on the terminal
        copy = _copy(checked, tmp_path / "k.xlsx", config)
    wb = openpyxl.load_workbook(copy)
    rows = [r[:4] for r in wb[OTHER_SHEET].iter_rows(min_row=3, values_only=True)]
    assert rows[0][:2] == (HH, "U2") and rows[0][2].endswith("của một ô Excel]")
    assert len(rows[0][2]) == CELL_LIMIT
    assert rows[1][:3] == (HH, f"C{last + 1}", "ghi thêm ngoài danh sách")
    assert rows[2][:3] == ("Nháp", "B1", 42.5)
    assert rows[2][3] == "sheet không có trong biểu mẫu"
    # The finding on a cell that now sits on `Khác` links there and marks it.
    assert wb[OTHER_SHEET]["C3"].comment is not None
    listed = wb[SHEET]
    linked = [c.hyperlink.location for c in listed["A"] if c.hyperlink is not None]
    assert f"'{OTHER_SHEET}'!C3" in linked


def test_records_keep_their_place_when_the_sent_file_had_title_rows(
    bases: Bases, config: Config, tmp_path: Path
) -> None:
    """Two title rows inserted above the list: in the copy every value is back in the
    blank's layout, and the finding's original cell is named beside the new one."""
    src = tmp_path / "K1_title.xlsx"
    wb = openpyxl.load_workbook(bases.khom)
    ws = wb[HH]
    ws.insert_rows(1, 2)
    ws["A1"] = "DANH SÁCH HỘ – bản in lại"
    nk_sent = f"{bases.lay.hh.col(H_NK)}{bases.lay.hh.row(1) + 2}"
    ws[nk_sent] = "12 người"
    wb.save(src)
    checked = check_file(src, config, TODAY)
    assert ("R03", nk_sent) in {(f.code, f.cell) for f in checked.findings}
    copy = _copy(checked, tmp_path / "copy.xlsx", config)
    out = openpyxl.load_workbook(copy)
    nk_now = bases.lay.hh.rec(1, H_NK)
    assert out[HH][nk_now].value == "12 người" and out[HH][nk_now].comment is not None
    listed = out[SHEET]
    row = next(r for r in listed.iter_rows(min_row=5) if r[3].value == "R03")
    assert row[0].hyperlink.location == f"'{HH}'!{nk_now}"
    assert row[1].value == f"'{HH}'!{nk_sent}"
    assert row[2].value.startswith("Hộ STT 2 – ")
    khac = [r[:3] for r in out[OTHER_SHEET].iter_rows(min_row=3, values_only=True)]
    assert khac == [(HH, "A1", "DANH SÁCH HỘ – bản in lại")]
    again = check_file(copy, config, TODAY)
    assert again.parsed is not None and checked.parsed is not None
    assert again.parsed.values == checked.parsed.values
    assert (
        again.parsed.households()
        .drop(columns="_row")
        .equals(checked.parsed.households().drop(columns="_row"))
    )


def test_a_copy_that_fails_is_that_files_warning_not_an_aborted_run(
    bases: Bases, config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = check_file(bases.khom, config, TODAY)
    good.findings.append(catalog.make("H05", file=good.name, sheet=INFO, label="Người lập"))
    bad_path = tmp_path / "K2_2020.xlsx"
    bad_path.write_bytes(bases.khom.read_bytes())
    bad = check_file(bad_path, config, TODAY)
    bad.findings.append(catalog.make("H05", file=bad.name, sheet=INFO, label="Người lập"))
    real = outputs.write_feedback

    def flaky(path, raw, parsed, findings, config, period):
        if raw.name == bad.name:
            raise KeyError("boom")
        return real(path, raw, parsed, findings, config, period)

    monkeypatch.setattr(outputs, "write_feedback", flaky)

    run = Run(PERIOD, [good, bad], SimpleNamespace(findings=[]))  # type: ignore[arg-type]
    written = outputs.write_feedback_copies(run, tmp_path / "phan-hoi", config)
    assert [p.name for p in written] == [f"{Path(good.name).stem}_kiem-tra.xlsx"]
    f07 = [f for f in bad.findings if f.code == "F07"]
    assert len(f07) == 1 and f07[0].severity is Severity.WARNING
    assert "KeyError" in f07[0].message
    assert f07 == [f for f in run.results.findings if f.code == "F07"]


def test_report_and_registers_write_typed_text_safely(tmp_path: Path, config: Config) -> None:
    """A Word line break and a text past Excel's limit in what the officer typed: the report
    and the internal lists are written, without an English warning, the text cut visibly."""
    import pandas as pd

    from results_factory import make_results
    from tqd_sheets.registers import KhomRegister, write_registers
    from tqd_sheets.report import DETAIL_SHEET, write_report

    long_text = "y" * (CELL_LIMIT + 5)
    finding = catalog.make("F01", file="K1.xlsx", detail=long_text, value="Lê\x0bVăn")
    household = {
        "_row": 4,
        "ma_ho": "0001",
        "chu_ho": "Lê\x0bVăn",
        "to": 1,
        "dia_chi": long_text,
        "dk_gdvh": True,
        "dat_gdvh": True,
        "nam_lien_tuc": 1,
        "nhan_khau": 3,
    }
    register = KhomRegister("K1", "Khóm 1", pd.DataFrame([household]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = write_report(tmp_path / "KiemTra.xlsx", make_results(findings=[finding]))
        lists = write_registers(tmp_path / "DanhSach.xlsx", [register], config, PERIOD)
    shown = [c.value for c in openpyxl.load_workbook(report)[DETAIL_SHEET][4]]  # under its group
    assert shown[6].endswith("của một ô Excel]") and len(shown[6]) == CELL_LIMIT
    assert shown[7] == "Lê\nVăn"
    sheet = openpyxl.load_workbook(lists)["Đạt GĐVH"]
    values = {c.value for row in sheet.iter_rows() for c in row}
    assert "Lê\nVăn" in values
