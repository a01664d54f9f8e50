"""End to end: workbooks filled like an officer does → `tqd-sheets consolidate` → outbox.

Every indicator of every khóm and of the ward is compared with the value computed here from the
records written (builders.expected_data, by indicators.md), for each accepted file format.
Every run also asserts that the inbox is left byte-for-byte untouched and that no traceback
reaches the officer (builders.consolidate).
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from builders import (
    FORMATS,
    H_CHU,
    H_DAT,
    H_DK,
    H_MA,
    H_NK,
    H_VP,
    KHOM,
    KHOM_NAMES,
    WARD,
    WARD_NAME,
    CliRun,
    KhomBook,
    WardBook,
    build_inbox,
    consolidate,
    data_mismatches,
    dataset,
    error_book,
    expected_data,
    needs_soffice,
    read_csv_data,
    read_sheet_data,
    register_layout,
    report_findings,
    sheet_rows,
    sheet_text,
    snapshot,
    to_format,
    write_khom,
    write_ward,
)

ROOT = Path(__file__).resolve().parents[1]
OUTPUT_FILES = ("BaoCao_2020.xlsx", "KiemTra_2020.xlsx", "DuLieu_2020.csv", "manifest.json")


# ── the runs, built once per session ───────────────────────────────────────────────────────


@dataclass
class Outcome:
    inbox: Path
    outbox: Path  # outbox/2020
    run: CliRun
    before: dict[str, str]  # inbox snapshot before the run
    paths: dict[str, Path]  # khóm code / "phuong" → inbox file

    @property
    def csv(self):
        return read_csv_data(self.outbox / "DuLieu_2020.csv")

    @property
    def sheet(self):
        return read_sheet_data(self.outbox / "BaoCao_2020.xlsx")

    @property
    def findings(self) -> list[dict[str, str]]:
        return report_findings(self.outbox / "KiemTra_2020.xlsx")

    def pairs(self, file: str | None = None) -> set[tuple[str, str]]:
        return {(f["code"], f["place"]) for f in self.findings if file is None or f["file"] == file}

    def codes(self, file: str | None = None) -> set[str]:
        return {f["code"] for f in self.findings if file is None or f["file"] == file}

    @property
    def manifest(self) -> dict:
        return json.loads((self.outbox / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def data() -> tuple[dict[str, KhomBook], WardBook]:
    return dataset()


@pytest.fixture(scope="session")
def format_runs(tmp_path_factory, blanks, data) -> Callable[[str], Outcome]:
    """fmt → the acceptance run with the khóm workbooks in that format (built once)."""
    cache: dict[str, Outcome] = {}

    def get(fmt: str) -> Outcome:
        if fmt not in cache:
            base = tmp_path_factory.mktemp(f"run-{fmt}")
            books, ward = data
            paths = build_inbox(base / "inbox", base / "work", blanks, books, ward, fmt)
            before = snapshot(base / "inbox")
            run = consolidate(base / "inbox", base / "outbox")
            cache[fmt] = Outcome(base / "inbox", base / "outbox" / "2020", run, before, paths)
        return cache[fmt]

    return get


@pytest.fixture(
    params=[pytest.param(f, marks=() if f == "xlsx" else needs_soffice) for f in FORMATS]
)
def fmt_run(request, format_runs) -> Outcome:
    return format_runs(request.param)


@pytest.fixture
def xlsx_run(format_runs) -> Outcome:
    return format_runs("xlsx")


def new_inbox(
    tmp_path: Path,
    source: Outcome,
    *,
    drop: Iterable[str] = (),
    add: dict[str, Path | bytes] | None = None,
) -> Path:
    """A copy of `source`'s inbox without the files of `drop` (codes) and with `add`."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    skip = {source.paths[c].name for c in drop}
    for p in source.inbox.iterdir():
        if p.name not in skip:
            shutil.copy(p, inbox / p.name)
    for name, content in (add or {}).items():
        if isinstance(content, bytes):
            (inbox / name).write_bytes(content)
        else:
            shutil.copy(content, inbox / name)
    return inbox


def run_on(tmp_path: Path, inbox: Path, *extra: object) -> Outcome:
    before = snapshot(inbox)
    run = consolidate(inbox, tmp_path / "outbox", *extra)
    return Outcome(inbox, tmp_path / "outbox" / "2020", run, before, {})


def assert_numbers(outcome: Outcome, expected) -> None:
    problems = data_mismatches(outcome.csv, expected)
    assert not problems, "DuLieu_2020.csv:\n" + "\n".join(problems)


def edit(path: Path, change: Callable[[openpyxl.Workbook], None]) -> Path:
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)
    return path


# ── 1–3. formats × exact numbers, summary, files, inbox untouched ──────────────────────────


def test_csv_holds_every_indicator_exactly(fmt_run: Outcome, data) -> None:
    books, ward = data
    assert_numbers(fmt_run, expected_data(books, ward, KHOM))


def test_every_data_row_names_its_kind_and_parent(fmt_run: Outcome) -> None:
    """levels.md: a khóm's rows name the ward as parent; the ward's own rows its parent (the
    shipped configuration's ma_cha, thành phố Sa Đéc 867); breakdowns are the ward's only."""
    for rows in (fmt_run.csv, fmt_run.sheet):
        for (unit, code), row in rows.items():
            if unit == WARD:
                assert (row.cap, row.cha) == ("Phường", "867"), (unit, code)
            else:
                assert (row.cap, row.cha) == ("Khóm", WARD), (unit, code)
                assert "/" not in code, (unit, code)


def test_data_sheet_holds_every_indicator_exactly(fmt_run: Outcome, data) -> None:
    books, ward = data
    problems = data_mismatches(fmt_run.sheet, expected_data(books, ward, KHOM))
    assert not problems, "BaoCao_2020.xlsx › Dữ liệu:\n" + "\n".join(problems)


def test_summary_exit_code_and_files(fmt_run: Outcome) -> None:
    run = fmt_run.run
    assert run.rc == 0, run.text
    assert "Tổng hợp 4/4 khóm" in run.out
    assert "Năm 2020" in run.out
    assert str(fmt_run.outbox) in run.out
    assert "DỮ LIỆU MẪU" not in run.out
    for name in OUTPUT_FILES:
        assert (fmt_run.outbox / name).is_file(), name
    assert (fmt_run.outbox / "DuLieu_2020.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_inbox_untouched(fmt_run: Outcome) -> None:
    assert snapshot(fmt_run.inbox) == fmt_run.before
    assert sorted(p.name for p in fmt_run.inbox.iterdir()) == sorted(
        p.name for p in fmt_run.paths.values()
    )


def test_manifest_hashes_every_input(fmt_run: Outcome) -> None:
    m = fmt_run.manifest
    assert m["ky"] == "2020"
    entries = {e["ten_tep"]: e for e in m["tep_dau_vao"]}
    assert set(entries) == {p.name for p in fmt_run.paths.values()}
    for code, path in fmt_run.paths.items():
        e = entries[path.name]
        assert e["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert e["kich_thuoc"] == path.stat().st_size
        assert e["loai"] == ("phuong" if code == "phuong" else "khom")
        assert e["ma_khom"] == (None if code == "phuong" else code)
        assert e["bo_qua"] is None
    assert m["khom_tong_hop"] == list(KHOM)
    assert m["du_lieu_mau"] is False


def test_unit_names_and_period_column(xlsx_run: Outcome) -> None:
    for rows in (xlsx_run.csv, xlsx_run.sheet):
        assert {r.ky for r in rows.values()} == {"2020"}
        names = {unit: r.ten for (unit, _), r in rows.items()}
        assert names == {**KHOM_NAMES, WARD: WARD_NAME}


def test_overview_row_per_khom_and_ward(xlsx_run: Outcome, data) -> None:
    books, _ = data
    rows = [
        [str(v).strip() for v in r]
        for r in sheet_rows(xlsx_run.outbox / "KiemTra_2020.xlsx", "Tổng quan")
    ]
    for code in (*KHOM, WARD):
        name = xlsx_run.paths["phuong" if code == WARD else code].name
        row = next((r for r in rows if code in r), None)
        assert row is not None, code
        assert name in row, (code, row)
        assert "Đã tổng hợp" in row, (code, row)
        if code != WARD:
            assert any(_is_number(v, len(books[code].households)) for v in row), (code, row)


def _is_number(text: str, n: int) -> bool:
    try:
        return float(text) == n
    except ValueError:
        return False


def test_expected_warnings_placed_on_their_cells(xlsx_run: Outcome) -> None:
    """K4's edge cases: Đạt with no years and years without Đạt (R09), học tập without Đạt
    (R10); K3 says An toàn ANTT where Công an says not (P04). Warnings only: exit 0."""
    lay = register_layout(xlsx_run.paths["K4"])
    k4 = xlsx_run.paths["K4"].name
    pairs = xlsx_run.pairs(k4)
    assert ("R09", lay.cell("Số năm liên tục đạt GĐVH", 3)) in pairs
    assert ("R09", lay.cell("Số năm liên tục đạt GĐVH", 8)) in pairs
    assert ("R10", lay.cell("Gia đình học tập", 8)) in pairs
    assert "P04" in xlsx_run.codes(xlsx_run.paths["K3"].name)
    assert {f["severity"] for f in xlsx_run.findings} <= {"Cảnh báo", "Ghi chú"}
    # `12` (K4) and `0012` (K1) are different households: no R06, no R05.
    assert not xlsx_run.codes() & {"R05", "R06"}


def test_no_nan_shown_to_the_officer(xlsx_run: Outcome) -> None:
    """An empty cell is shown empty, never as `nan` (K4 row 4 has Đạt and an empty
    Số năm liên tục: its R09 warning must not say «nan»)."""
    shown = [
        f["text"]
        for f in xlsx_run.findings
        if "nan" in f["text"].split(" | ")[-1] or "«nan»" in f["text"]
    ]
    assert not shown, shown


@needs_soffice
@pytest.mark.parametrize("ward_fmt", ["xls", "ods"])
def test_ward_workbook_in_other_formats(tmp_path, blanks, data, ward_fmt) -> None:
    books, ward = data
    paths = build_inbox(
        tmp_path / "inbox", tmp_path / "work", blanks, books, ward, "xlsx", ward_fmt
    )
    assert paths["phuong"].suffix == "." + ward_fmt
    out = run_on(tmp_path, tmp_path / "inbox")
    assert out.run.rc == 0, out.run.text
    assert_numbers(out, expected_data(books, ward, KHOM))


def test_no_ward_workbook_warns_and_uses_khom_marks(tmp_path, xlsx_run, data) -> None:
    books, _ = data
    out = run_on(tmp_path, new_inbox(tmp_path, xlsx_run, drop=["phuong"]))
    assert out.run.rc == 0, out.run.text
    assert "I04" in out.codes()
    assert "Tổng hợp 4/4 khóm" in out.run.out
    # No agency figures, no units, Công an's criterion unassessed (KHOM_VMDT 0), KHOM_ANTT
    # from the khóm's own mark.
    assert_numbers(out, expected_data(books, None, KHOM))


def test_outputs_of_a_rerun_and_of_other_periods(tmp_path, xlsx_run, blanks, data) -> None:
    """A second run replaces its period's files, leaves no temporary files; a run for another
    period never touches `outbox/2020`."""
    books, _ = data
    inbox = new_inbox(tmp_path, xlsx_run)
    first = run_on(tmp_path, inbox)
    assert first.run.rc == 0
    again = run_on(tmp_path, inbox)
    assert again.run.rc == 0
    names = {p.name for p in again.outbox.iterdir()}
    assert set(OUTPUT_FILES) <= names
    assert not [n for n in names if n.startswith(".") or n.endswith((".tmp", ".part"))], names
    kept = snapshot(again.outbox)
    q2 = tmp_path / "q2"
    q2.mkdir()
    write_khom(
        replace(books["K1"], ngay_lap=date(2020, 6, 20)), blanks, q2 / "K1_2020Q2.xlsx", "2020Q2"
    )
    other = consolidate(q2, tmp_path / "outbox")
    assert other.rc == 0, other.text
    assert (tmp_path / "outbox" / "2020Q2" / "BaoCao_2020Q2.xlsx").is_file()
    assert snapshot(again.outbox) == kept


# ── 4. errors ──────────────────────────────────────────────────────────────────────────────


@pytest.fixture(scope="session")
def error_run(tmp_path_factory, format_runs, blanks, data) -> tuple[Outcome, dict, Path]:
    books, _ = data
    bad, where = error_book(books["K2"])
    tmp = tmp_path_factory.mktemp("errors")
    path = write_khom(bad, blanks, tmp / "K2_2020.xlsx")
    src = format_runs("xlsx")
    inbox = tmp / "inbox"
    inbox.mkdir()
    for p in src.inbox.iterdir():
        shutil.copy(p, inbox / p.name)
    shutil.copy(path, inbox / "K2_2020.xlsx")
    return run_on(tmp, inbox), where, inbox / "K2_2020.xlsx"


def test_errors_exit_1_and_khom_left_out_whole(error_run, data) -> None:
    out, _, _ = error_run
    books, ward = data
    assert out.run.rc == 1, out.run.text
    assert "Tổng hợp 3/4 khóm" in out.run.out
    assert not [k for k in out.csv if k[0] == "K2"]
    # The ward totals are the sums over K1, K3, K4 only.
    assert_numbers(out, expected_data(books, ward, ["K1", "K3", "K4"]))
    assert out.manifest["khom_tong_hop"] == ["K1", "K3", "K4"]


def test_errors_listed_with_codes_and_cells(error_run) -> None:
    out, where, path = error_run
    lay = register_layout(path)
    found = [f for f in out.findings if f["file"] == path.name]
    pairs = {(f["code"], f["place"]) for f in found}
    for code, places in where.items():
        for header, i in places:
            if code == "R07":
                # Either cell of the pair names the problem; the row must be the household's.
                ok = {lay.cell(H_DK, i), lay.cell(H_DAT, i)}
                assert any((code, c) in pairs for c in ok), (code, ok, sorted(pairs))
            else:
                assert (code, lay.cell(header, i)) in pairs, (code, header, i, sorted(pairs))
    errors = {f["code"] for f in found if f["severity"] == "Lỗi"}
    assert {"R02", "R03", "R04", "R05", "R07"} <= errors


def test_errors_shown_in_overview_and_summary(error_run) -> None:
    out, _, path = error_run
    overview = sheet_text(out.outbox / "KiemTra_2020.xlsx", "Tổng quan")
    assert path.name in overview
    assert "Có lỗi – chưa tổng hợp" in overview
    assert "Khóm 2" in out.run.out and "Có lỗi" in out.run.out


def test_feedback_copy_marks_the_error_cells(error_run) -> None:
    """phan-hoi/<input>_kiem-tra.xlsx: the khóm's workbook, problem cells filled + commented,
    a first sheet `Cần sửa`; the original in the inbox untouched (checked by every run)."""
    out, where, path = error_run
    copies = list((out.outbox / "phan-hoi").glob("K2_2020*_kiem-tra.xlsx"))
    assert len(copies) == 1, list((out.outbox / "phan-hoi").iterdir())
    wb = openpyxl.load_workbook(copies[0])
    assert wb.sheetnames[0] == "Cần sửa"
    ws = wb["Danh sách hộ"]
    lay = register_layout(path)
    for header, i in where["R03"] + where["R05"] + where["R02"]:
        ref = lay.cell(header, i).split("!")[1]
        assert ws[ref].comment is not None, ref
        assert ws[ref].fill.fgColor.rgb not in (None, "00000000"), ref


def test_internal_lists_only_hold_included_khom(error_run, data) -> None:
    out, _, _ = error_run
    books, _ = data
    path = out.outbox / "noi-bo" / "DanhSach_2020.xlsx"
    assert path.is_file()
    wb = openpyxl.load_workbook(path, read_only=True)
    cells = {
        str(v).strip()
        for ws in wb
        for row in ws.iter_rows(values_only=True)
        for v in row
        if v is not None
    }
    assert {h.ma_ho for h in books["K1"].households} <= cells
    assert not {h.ma_ho for h in books["K2"].households} & cells


def test_missing_khom_warns_and_counts_three(tmp_path, xlsx_run, data) -> None:
    books, ward = data
    out = run_on(tmp_path, new_inbox(tmp_path, xlsx_run, drop=["K3"]))
    assert out.run.rc == 0, out.run.text
    assert "Tổng hợp 3/4 khóm" in out.run.out
    assert "I03" in out.codes()
    assert "Chưa nộp" in sheet_text(out.outbox / "KiemTra_2020.xlsx", "Tổng quan")
    assert_numbers(out, expected_data(books, ward, ["K1", "K2", "K4"]))
    form = sheet_text(out.outbox / "BaoCao_2020.xlsx", "Biểu 01")
    assert "Tổng hợp 3/4 khóm" in form
    assert "Chưa có số liệu hợp lệ" in form


def test_wrong_khom_code_is_H01(tmp_path, xlsx_run, blanks, data) -> None:
    books, ward = data
    bad = write_khom(replace(books["K1"], info={"Mã khóm": "K9"}), blanks, tmp_path / "K1.xlsx")
    out = run_on(tmp_path, new_inbox(tmp_path, xlsx_run, drop=["K1"], add={"K1_2020.xlsx": bad}))
    assert out.run.rc == 1, out.run.text
    assert "H01" in out.codes("K1_2020.xlsx")
    assert "Tổng hợp 3/4 khóm" in out.run.out
    assert_numbers(out, expected_data(books, ward, ["K2", "K3", "K4"]))


def test_workbook_of_another_period_is_skipped(tmp_path, xlsx_run, blanks, data) -> None:
    books, ward = data
    other = replace(books["K1"], households=books["K1"].households[:5], ngay_lap=date(2020, 6, 25))
    q2 = write_khom(other, blanks, tmp_path / "q2.xlsx", "2020Q2")
    out = run_on(
        tmp_path, new_inbox(tmp_path, xlsx_run, add={"K1_2020Q2.xlsx": q2}), "--period", "2020"
    )
    assert out.run.rc == 0, out.run.text
    assert "H03" in out.codes("K1_2020Q2.xlsx")
    entry = next(e for e in out.manifest["tep_dau_vao"] if e["ten_tep"] == "K1_2020Q2.xlsx")
    assert entry["bo_qua"]
    assert "K1_2020Q2.xlsx" in sheet_text(out.outbox / "KiemTra_2020.xlsx", "Tổng quan")
    assert "K1_2020Q2.xlsx" in out.run.out
    assert_numbers(out, expected_data(books, ward, KHOM))


def test_lock_file_and_pdf_are_ignored_not_errors(tmp_path, xlsx_run, data) -> None:
    books, ward = data
    add = {"~$K1_2020.xlsx": b"\x00lock owner\x00" * 8, "huong-dan.pdf": b"%PDF-1.4\n%%EOF\n"}
    out = run_on(tmp_path, new_inbox(tmp_path, xlsx_run, add=add))
    assert out.run.rc == 0, out.run.text
    entries = {e["ten_tep"]: e for e in out.manifest["tep_dau_vao"]}
    overview = sheet_text(out.outbox / "KiemTra_2020.xlsx", "Tổng quan")
    for name in add:
        assert entries[name]["bo_qua"], name
        assert entries[name]["so_loi"] == 0
        assert name in overview
        assert name in out.run.out
    assert not [f for f in out.findings if f["file"] in add and f["severity"] == "Lỗi"]
    assert_numbers(out, expected_data(books, ward, KHOM))


def test_broken_files_are_F01_and_the_rest_consolidated(tmp_path, xlsx_run, data) -> None:
    books, ward = data
    add = {
        "hong.xlsx": b"PK\x03\x04" + b"\x14\x00broken zip, download cut short" * 20,
        "rong.xlsx": b"",
        "ghi-chu.xls": "Danh sách hộ khóm 1\nNguyễn Văn A;4\n".encode(),
    }
    out = run_on(tmp_path, new_inbox(tmp_path, xlsx_run, add=add))
    assert out.run.rc == 1, out.run.text
    for name in add:
        assert "F01" in out.codes(name), (name, out.findings)
    assert "Tổng hợp 4/4 khóm" in out.run.out
    assert "Traceback" not in out.run.text
    assert_numbers(out, expected_data(books, ward, KHOM))


def test_renamed_register_sheet_is_F03(tmp_path, xlsx_run, data) -> None:
    books, ward = data
    path = tmp_path / "K1_2020.xlsx"
    shutil.copy(xlsx_run.paths["K1"], path)
    edit(path, lambda wb: setattr(wb["Danh sách hộ"], "title", "DS hộ"))
    out = run_on(tmp_path, new_inbox(tmp_path, xlsx_run, drop=["K1"], add={path.name: path}))
    assert out.run.rc == 1, out.run.text
    assert "F03" in out.codes(path.name)
    assert "Tổng hợp 3/4 khóm" in out.run.out
    assert_numbers(out, expected_data(books, ward, ["K2", "K3", "K4"]))


def test_two_copies_the_later_one_is_used(tmp_path, xlsx_run, blanks, data) -> None:
    books, ward = data
    older = replace(books["K1"], households=books["K1"].households[:9], ngay_lap=date(2020, 12, 1))
    # The older copy's name sorts last, so only the date can choose.
    path = write_khom(older, blanks, tmp_path / "K1_2020_zz_ban_sua.xlsx")
    out = run_on(tmp_path, new_inbox(tmp_path, xlsx_run, add={path.name: path}))
    assert out.run.rc == 0, out.run.text
    assert "I01" in out.codes(path.name)
    entry = next(e for e in out.manifest["tep_dau_vao"] if e["ten_tep"] == path.name)
    assert entry["bo_qua"]
    assert_numbers(out, expected_data(books, ward, KHOM))


def test_two_copies_same_date_is_I02_and_khom_left_out(tmp_path, xlsx_run, blanks, data) -> None:
    books, ward = data
    twin = replace(books["K1"], households=books["K1"].households[:9])
    path = write_khom(twin, blanks, tmp_path / "K1_2020_ban_2.xlsx")
    out = run_on(tmp_path, new_inbox(tmp_path, xlsx_run, add={path.name: path}))
    assert out.run.rc == 1, out.run.text
    assert "I02" in out.codes(path.name)
    assert "I02" in out.codes(xlsx_run.paths["K1"].name)
    assert "Tổng hợp 3/4 khóm" in out.run.out
    assert_numbers(out, expected_data(books, ward, ["K2", "K3", "K4"]))


def test_household_in_two_khom_is_R06_in_both(tmp_path, xlsx_run, blanks, data) -> None:
    books, ward = data
    k3 = copy.deepcopy(books["K3"])
    shared = books["K2"].households[5].ma_ho
    k3.households[2].ma_ho = shared
    path = write_khom(k3, blanks, tmp_path / "K3_2020.xlsx")
    out = run_on(tmp_path, new_inbox(tmp_path, xlsx_run, drop=["K3"], add={path.name: path}))
    assert out.run.rc == 1, out.run.text
    k2_name = xlsx_run.paths["K2"].name
    assert ("R06", register_layout(path).cell(H_MA, 2)) in out.pairs(path.name)
    assert ("R06", register_layout(xlsx_run.paths["K2"]).cell(H_MA, 5)) in out.pairs(k2_name)
    assert "Tổng hợp 2/4 khóm" in out.run.out
    expected = expected_data(books, ward, ["K1", "K4"])
    # Both remaining khóm qualify, but K2 and K3 have no valid workbook: the ward's title is
    # not known, so there is no PHUONG_VMDT row (issue 7), never a 1 over half the ward.
    assert (WARD, "PHUONG_VMDT") not in expected
    assert_numbers(out, expected)
    forms = out.outbox / "BaoCao_2020.xlsx"
    assert "Chưa đủ căn cứ (Tổng hợp 2/4 khóm)" in sheet_text(forms, "Biểu 02")
    b04 = sheet_text(forms, "Biểu 04")
    assert "còn thiếu" not in b04.replace("còn thiếu 1 đơn vị", "")  # đơn vị are all known
    assert "khóm chưa đạt" not in b04


def test_late_workbook_is_I05_and_still_used(tmp_path, xlsx_run, blanks, data) -> None:
    books, ward = data
    late = write_khom(
        replace(books["K1"], ngay_lap=date(2021, 1, 5)), blanks, tmp_path / "K1_2020.xlsx"
    )
    out = run_on(tmp_path, new_inbox(tmp_path, xlsx_run, drop=["K1"], add={late.name: late}))
    assert out.run.rc == 0, out.run.text
    assert "I05" in out.codes(late.name)
    assert "Nộp trễ" in sheet_text(out.outbox / "KiemTra_2020.xlsx", "Tổng quan")
    assert_numbers(out, expected_data(books, ward, KHOM))


def test_ward_workbook_with_an_error_is_left_out(tmp_path, xlsx_run, blanks, data) -> None:
    """A unit Đạt chuẩn without Đăng ký (P05): the ward workbook is not used, exit 1."""
    books, ward = data
    units = copy.deepcopy(ward.units)
    units[4].dat = True  # Công ty TNHH Minh Phát: Đạt, not Đăng ký
    bad = write_ward(replace(ward, units=units), blanks, tmp_path / "Phuong_2020.xlsx")
    out = run_on(tmp_path, new_inbox(tmp_path, xlsx_run, drop=["phuong"], add={bad.name: bad}))
    assert out.run.rc == 1, out.run.text
    assert "P05" in out.codes(bad.name)
    assert "Tổng hợp 4/4 khóm" in out.run.out
    assert_numbers(out, expected_data(books, None, KHOM))


def test_more_accepted_and_ignored_names(tmp_path, xlsx_run, data) -> None:
    """Upper-case extension and .xlsm are workbooks; LibreOffice's lock file, hidden files
    and a .docx are ignored (F02), never errors."""
    books, ward = data
    inbox = new_inbox(tmp_path, xlsx_run, drop=["K2", "K3"])
    shutil.copy(xlsx_run.paths["K2"], inbox / "K2_2020.XLSX")
    shutil.copy(xlsx_run.paths["K3"], inbox / "K3_2020.xlsm")
    ignored = {
        ".~lock.K1_2020.xlsx#": b",officer,PC,30.11.2020 08:00,file:///C:/x;",
        ".K4_an.xlsx": xlsx_run.paths["K4"].read_bytes(),
        "cong-van.docx": b"PK\x03\x04not really a docx",
    }
    for name, content in ignored.items():
        (inbox / name).write_bytes(content)
    out = run_on(tmp_path, inbox)
    assert out.run.rc == 0, out.run.text
    assert "Tổng hợp 4/4 khóm" in out.run.out
    entries = {e["ten_tep"]: e for e in out.manifest["tep_dau_vao"]}
    for name in ignored:
        assert entries[name]["bo_qua"], name
    for name in ("K2_2020.XLSX", "K3_2020.xlsm"):
        assert entries[name]["ma_khom"] in ("K2", "K3") and not entries[name]["bo_qua"]
    assert_numbers(out, expected_data(books, ward, KHOM))


def test_formula_without_a_computed_value_is_R12(tmp_path, xlsx_run, blanks, data) -> None:
    """A file saved by a program that does not compute (openpyxl here): the formula in a
    required cell has no cached value → R12 on that cell, the khóm left out."""
    books, ward = data
    k3 = copy.deepcopy(books["K3"])
    k3.households[0].typed[H_NK] = "=2+3"
    path = write_khom(k3, blanks, tmp_path / "K3_2020.xlsx")
    out = run_on(tmp_path, new_inbox(tmp_path, xlsx_run, drop=["K3"], add={path.name: path}))
    assert out.run.rc == 1, out.run.text
    assert ("R12", register_layout(path).cell(H_NK, 0)) in out.pairs(path.name)
    assert_numbers(out, expected_data(books, ward, ["K1", "K2", "K4"]))


@needs_soffice
@pytest.mark.parametrize("fmt", ["xlsx-libreoffice", "ods", "xls"])
def test_formula_cells_count_by_their_computed_value(tmp_path, xlsx_run, blanks, data, fmt) -> None:
    """Saved by LibreOffice, formulas carry their results: `=2+3` is 5 people, a formula
    giving "x" is a mark (inputs.md: a formula cell counts by its cached value)."""
    books, ward = data
    k3 = copy.deepcopy(books["K3"])
    h0 = k3.households[0]
    h0.nhan_khau = 5
    h0.typed[H_NK] = "=2+3"
    i = next(j for j, h in enumerate(k3.households) if h.dat and not h.vp)
    k3.households[i].typed[H_DAT] = '=IF(1>0,"x","")'
    filled = write_khom(k3, blanks, tmp_path / "work" / "K3_2020.xlsx")
    inbox = new_inbox(tmp_path, xlsx_run, drop=["K3"])
    to_format(filled, fmt, inbox / "K3_2020", tmp_path / "work")
    out = run_on(tmp_path, inbox)
    assert out.run.rc == 0, out.run.text
    assert_numbers(out, expected_data({**books, "K3": k3}, ward, KHOM))


def test_conflicting_household_reported_even_if_other_khom_has_errors(
    tmp_path, error_run, blanks, data
) -> None:
    """K2 has errors of its own and shares a Mã hộ with K3: the officer learns of the
    conflict now (R06 in both files), not after K2 is fixed (rules.md: all findings of a
    workbook in one pass)."""
    books, _ = data
    bad_run, _, k2_path = error_run
    k3 = copy.deepcopy(books["K3"])
    shared = books["K2"].households[5].ma_ho
    k3.households[2].ma_ho = shared
    path = write_khom(k3, blanks, tmp_path / "K3_2020.xlsx")
    out = run_on(tmp_path, new_inbox(tmp_path, bad_run, add={path.name: path}))
    assert out.run.rc == 1, out.run.text
    assert ("R06", register_layout(path).cell(H_MA, 2)) in out.pairs(path.name)
    assert ("R06", register_layout(k2_path).cell(H_MA, 5)) in out.pairs(k2_path.name)


def test_feedback_copies_of_two_inputs_never_overwrite_each_other(tmp_path, xlsx_run) -> None:
    """Two copies of K1 (`.xlsx` and `.xlsm`, same Ngày lập → I02): each input gets its own
    feedback copy (outputs.md: `phan-hoi/<input name>_kiem-tra.xlsx`)."""
    inbox = new_inbox(tmp_path, xlsx_run)
    shutil.copy(xlsx_run.paths["K1"], inbox / "K1_2020.xlsm")
    out = run_on(tmp_path, inbox)
    assert out.run.rc == 1
    assert "I02" in out.codes("K1_2020.xlsx") and "I02" in out.codes("K1_2020.xlsm")
    copies = sorted(
        p.name for p in (out.outbox / "phan-hoi").iterdir() if p.name.startswith("K1_2020")
    )
    assert len(copies) == 2, (copies, out.codes("K1_2020.xlsx"), out.codes("K1_2020.xlsm"))


@needs_soffice
def test_feedback_copy_of_an_ods_workbook(tmp_path, error_run) -> None:
    _, where, path = error_run
    inbox = new_inbox(tmp_path, error_run[0])
    (inbox / path.name).unlink()
    ods = to_format(path, "ods", inbox / "K2_2020", tmp_path / "work")
    out = run_on(tmp_path, inbox)
    assert out.run.rc == 1
    copies = list((out.outbox / "phan-hoi").glob("K2_2020*_kiem-tra.xlsx"))
    assert len(copies) == 1, list((out.outbox / "phan-hoi").iterdir())
    wb = openpyxl.load_workbook(copies[0])
    assert wb.sheetnames[0] == "Cần sửa"
    ref = register_layout(path).cell(H_NK, where["R03"][0][1]).split("!")[1]
    assert wb["Danh sách hộ"][ref].comment is not None
    assert wb["Danh sách hộ"][ref].value == "12 người"
    assert ods.name in sheet_text(copies[0], "Cần sửa")


def test_blocked_output_file_is_named_and_nothing_half_written(tmp_path, xlsx_run) -> None:
    inbox = new_inbox(tmp_path, xlsx_run)
    blocked = tmp_path / "outbox" / "2020" / "KiemTra_2020.xlsx"
    blocked.mkdir(parents=True)  # cannot be replaced, as a file open in Excel on Windows
    out = run_on(tmp_path, inbox)
    assert out.run.rc == 2
    assert "KiemTra_2020.xlsx" in out.run.err
    leftovers = [p.name for p in blocked.parent.rglob("*") if p.name.startswith(".")]
    assert not leftovers
    # All or nothing: no form, data or manifest of a run that could not finish.
    for name in ("BaoCao_2020.xlsx", "DuLieu_2020.csv", "manifest.json"):
        assert not (blocked.parent / name).exists(), name


# ── 5. tolerance: what officers do to the layout ───────────────────────────────────────────


def _title_row(wb: openpyxl.Workbook) -> None:
    ws = wb["Danh sách hộ"]
    ws.insert_rows(1)
    ws["A1"] = "UBND PHƯỜNG TÂN QUY ĐÔNG – DANH SÁCH HỘ (bản in lại)"


def _header_col(ws, text: str) -> int:
    for row in ws.iter_rows(min_row=1, max_row=15):
        for c in row:
            if c.value == text:
                return c.column
    raise AssertionError(text)


def _swap_columns(wb: openpyxl.Workbook) -> None:
    ws = wb["Danh sách hộ"]
    for a, b in ((H_CHU, H_NK), (H_DK, H_VP)):
        ca, cb = _header_col(ws, a), _header_col(ws, b)
        for r in range(1, ws.max_row + 1):
            x, y = ws.cell(r, ca), ws.cell(r, cb)
            x.value, y.value = y.value, x.value


def _phone_column(wb: openpyxl.Workbook) -> None:
    ws = wb["Danh sách hộ"]
    ws.insert_cols(3)
    hr = _header_row(ws)
    ws.cell(hr, 3).value = "Số điện thoại"
    for i in range(40):
        ws.cell(hr + 1 + i, 3).value = f"0909{i:06d}"


def _extra_sheet(wb: openpyxl.Workbook) -> None:
    ws = wb.create_sheet("Nháp")
    ws["A1"] = "Mã hộ"
    ws["A2"] = "9999"


def _header_spelling(wb: openpyxl.Workbook) -> None:
    ws = wb["Danh sách hộ"]
    ws.cell(_header_row(ws), _header_col(ws, H_CHU)).value = "  HỌ VÀ TÊN CHỦ HỘ "
    ws.cell(_header_row(ws), _header_col(ws, H_NK)).value = unicodedata.normalize(
        "NFD", "số nhân khẩu"
    )


def _sheet_name_case(wb: openpyxl.Workbook) -> None:
    ws = wb["Danh sách hộ"]
    ws.title = "tam"  # openpyxl would otherwise append "1" to a case-only rename
    ws.title = "DANH SÁCH HỘ"


def _header_row(ws) -> int:
    return next(r for r in range(1, 16) if any(c.value == H_MA for c in ws[r]))


TOLERANCES = {
    "title_row": [_title_row],
    "swapped_columns": [_swap_columns],
    "phone_column": [_phone_column],
    "all_three": [_title_row, _swap_columns, _phone_column],
    "extra_sheet": [_extra_sheet],
    "header_spelling": [_header_spelling],
    "sheet_name_case": [_sheet_name_case],
}


@pytest.mark.parametrize("change", list(TOLERANCES))
def test_layout_changes_give_the_same_numbers(tmp_path, xlsx_run, data, change) -> None:
    books, ward = data
    path = tmp_path / "K1_2020.xlsx"
    shutil.copy(xlsx_run.paths["K1"], path)
    for f in TOLERANCES[change]:
        edit(path, f)
    out = run_on(tmp_path, new_inbox(tmp_path, xlsx_run, drop=["K1"], add={path.name: path}))
    assert out.run.rc == 0, out.run.text
    assert not [f for f in out.findings if f["severity"] == "Lỗi"]
    assert_numbers(out, expected_data(books, ward, KHOM))


def test_places_follow_an_inserted_row_and_column(tmp_path, error_run) -> None:
    """With a title row and a column inserted, findings name the cells where they now are."""
    _, where, original = error_run
    path = tmp_path / "K2_2020.xlsx"
    shutil.copy(original, path)
    edit(path, _title_row)
    edit(path, _phone_column)
    lay, old = register_layout(path), register_layout(original)
    assert lay.header_row == old.header_row + 1
    out = run_on(tmp_path, new_inbox(tmp_path, error_run[0], drop=(), add={path.name: path}))
    pairs = out.pairs(path.name)
    for code in ("R03", "R04", "R02"):
        header, i = where[code][0]
        assert (code, lay.cell(header, i)) in pairs, (code, lay.cell(header, i), pairs)
        assert lay.cell(header, i) != old.cell(header, i)


def test_blank_row_inside_the_register_warns_and_keeps_data(tmp_path, xlsx_run, data) -> None:
    books, ward = data
    path = tmp_path / "K1_2020.xlsx"
    shutil.copy(xlsx_run.paths["K1"], path)

    def gap(wb: openpyxl.Workbook) -> None:
        ws = wb["Danh sách hộ"]
        ws.insert_rows(_header_row(ws) + 11)

    edit(path, gap)
    out = run_on(tmp_path, new_inbox(tmp_path, xlsx_run, drop=["K1"], add={path.name: path}))
    assert out.run.rc == 0, out.run.text
    assert "R13" in out.codes(path.name)
    assert_numbers(out, expected_data(books, ward, KHOM))


# ── 7. the shipped sample inbox ────────────────────────────────────────────────────────────


@pytest.fixture(scope="session")
def sample_inbox(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sample") / "inbox"
    shutil.copytree(ROOT / "inbox", folder, ignore=shutil.ignore_patterns("README*"))
    return folder


def test_sample_inbox_consolidates(tmp_path, sample_inbox) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(sample_inbox, inbox)
    out = run_on(tmp_path, inbox)
    assert out.run.rc == 0, out.run.text
    assert "DỮ LIỆU MẪU" in out.run.out
    assert "Tổng hợp 4/4 khóm" in out.run.out
    assert out.manifest["du_lieu_mau"] is True
    for name in OUTPUT_FILES:
        assert (out.outbox / name).is_file()


def test_real_workbook_replaces_the_sample(tmp_path, sample_inbox, xlsx_run, data) -> None:
    books, _ = data
    inbox = tmp_path / "inbox"
    shutil.copytree(sample_inbox, inbox)
    shutil.copy(xlsx_run.paths["K1"], inbox / "K1_that_2020.xlsx")
    out = run_on(tmp_path, inbox)
    assert out.run.rc == 0, out.run.text
    sample = next(p.name for p in inbox.iterdir() if p.name.startswith("MAU_K1"))
    entry = next(e for e in out.manifest["tep_dau_vao"] if e["ten_tep"] == sample)
    assert entry["bo_qua"]
    assert sample in sheet_text(out.outbox / "KiemTra_2020.xlsx", "Tổng quan")
    assert "Tổng hợp 4/4 khóm" in out.run.out
    # K1's numbers are the real workbook's (the sample ward's Số liệu ngành is still used).
    mine = expected_data(books, None, ["K1"])
    k1 = {
        k: v
        for k, v in mine.items()
        if k[0] == "K1" and k[1] not in ("KHOM_VMDT", "KHOM_VMDT_TL", "KHOM_ANTT")
    }
    got = out.csv
    problems = data_mismatches({k: got[k] for k in k1 if k in got}, k1)
    assert not problems, "\n".join(problems)
    assert len(got) > len(k1)


def test_messy_inbox_all_at_once(tmp_path, xlsx_run, blanks, data) -> None:
    """Two versions of K1, K2 with errors, K3 never sent, a lock file and a broken file:
    exit 1, each problem at its place, totals over K1 (its later version) and K4 only."""
    books, ward = data
    older = replace(books["K1"], households=books["K1"].households[:5], ngay_lap=date(2020, 12, 2))
    old_path = write_khom(older, blanks, tmp_path / "work" / "K1_2020_ban_cu.xlsx")
    bad, where = error_book(books["K2"])
    bad_path = write_khom(bad, blanks, tmp_path / "work" / "K2_2020.xlsx")
    inbox = new_inbox(
        tmp_path,
        xlsx_run,
        drop=["K2", "K3"],
        add={
            old_path.name: old_path,
            bad_path.name: bad_path,
            "~$K4_2020.xlsx": b"\x00lock",
            "K4_hong.xlsx": b"PK\x03\x04 cut short",
        },
    )
    out = run_on(tmp_path, inbox)
    assert out.run.rc == 1, out.run.text
    assert "Tổng hợp 2/4 khóm" in out.run.out
    assert "I01" in out.codes(old_path.name)
    assert "F02" in out.codes("~$K4_2020.xlsx") and "F01" in out.codes("K4_hong.xlsx")
    assert "I03" in out.codes()
    lay = register_layout(bad_path)
    for code in ("R02", "R03", "R04", "R05"):
        for header, i in where[code]:
            assert (code, lay.cell(header, i)) in out.pairs(bad_path.name), code
    assert_numbers(out, expected_data(books, ward, ["K1", "K4"]))
    copies = {p.name for p in (out.outbox / "phan-hoi").iterdir()}
    assert "K2_2020_kiem-tra.xlsx" in copies
    assert "K1_2020_ban_cu_kiem-tra.xlsx" not in copies  # not used: nothing for K1 to fix
    overview = sheet_text(out.outbox / "KiemTra_2020.xlsx", "Tổng quan")
    for words in ("Chưa nộp", "Có lỗi – chưa tổng hợp", "~$K4_2020.xlsx", "K4_hong.xlsx"):
        assert words in overview, words


def test_errors_of_a_file_the_run_does_not_use_are_not_its_business(
    tmp_path, xlsx_run, blanks, data
) -> None:
    """A 2020Q2 workbook full of errors in a 2020 run: only H03 is reported, exit 0."""
    books, ward = data
    bad, _ = error_book(books["K1"])
    bad = replace(bad, ngay_lap=date(2020, 6, 25))
    q2 = write_khom(bad, blanks, tmp_path / "q2.xlsx", "2020Q2")
    out = run_on(
        tmp_path, new_inbox(tmp_path, xlsx_run, add={"K1_2020Q2.xlsx": q2}), "--period", "2020"
    )
    assert out.run.rc == 0, out.run.text
    assert out.codes("K1_2020Q2.xlsx") == {"H03"}
    assert not (out.outbox / "phan-hoi" / "K1_2020Q2_kiem-tra.xlsx").exists()
    assert_numbers(out, expected_data(books, ward, KHOM))
