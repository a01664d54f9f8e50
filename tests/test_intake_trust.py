"""Issue 7, "Wrong numbers without a finding": every way a column, a household or a number used
to go missing silently, reproduced from the generated 2020 blanks filled with the corpus's
small valid register. Each test asserts the exact findings and, where the workbook is used,
the exact figures, recounted here from the households the test itself wrote.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from make_corpus import (
    AGENCY,
    H_CHU,
    H_DAT,
    H_DK,
    H_GHI,
    H_MA,
    H_NAM,
    H_NK,
    H_TO,
    H_TT,
    H_VP,
    HH,
    HOUSEHOLDS,
    INFO,
    SELF,
    UNITS,
    Layouts,
    write_bases,
)
from tqd_sheets.config import Config
from tqd_sheets.findings import Finding, Severity
from tqd_sheets.parse import Parsed, parse_workbook
from tqd_sheets.pipeline import Checked, RunError, check_file, consolidate
from tqd_sheets.read import read_workbook
from tqd_sheets.spec import norm

TODAY = date(2021, 1, 15)
COUNTED = ("HO", "NK", "GDVH_DK", "GDVH_DAT", "GDHT", "GDTT", "HO_VI_PHAM")


@dataclass
class Base:
    khom: Path
    ward: Path
    lay: Layouts
    out: Path
    config: Config

    def edit(self, name: str, change: Callable[[openpyxl.Workbook], None], ward: bool = False):
        wb = openpyxl.load_workbook(self.ward if ward else self.khom)
        change(wb)
        path = self.out / f"{name}.xlsx"
        wb.save(path)
        return path

    def header(self, label: str) -> str:
        return f"{self.lay.hh.col(label)}{self.lay.hh.header_row}"


@pytest.fixture(scope="module")
def base(tmp_path_factory, config) -> Base:
    directory = tmp_path_factory.mktemp("intake")
    khom, ward = write_bases(directory / "bases", config)
    return Base(khom, ward, Layouts.read(khom, ward), directory, config)


def expected_counts(households: list[dict[str, object]]) -> dict[str, int]:
    """The figures of indicators.md, recounted from what the test wrote."""
    yes = lambda h, k: h.get(k) == "x"  # noqa: E731
    return {
        "HO": len(households),
        "NK": sum(int(h[H_NK]) for h in households),  # type: ignore[call-overload]
        "GDVH_DK": sum(yes(h, H_DK) for h in households),
        "GDVH_DAT": sum(yes(h, H_DAT) for h in households),
        "GDHT": sum(yes(h, "Gia đình học tập") for h in households),
        "GDTT": sum(yes(h, H_TT) for h in households),
        "HO_VI_PHAM": sum(yes(h, H_VP) for h in households),
    }


def places(checked: Checked) -> set[tuple[str, str, str]]:
    return {(f.code, f.sheet, f.cell) for f in checked.findings}


def only(checked: Checked, code: str) -> list[Finding]:
    return [f for f in checked.findings if f.code == code]


def figures(path: Path, config: Config) -> dict[str, float] | None:
    """K1's counted figures after consolidating the file alone; None when K1 is left out (a
    run with nothing usable stops with RunError)."""
    try:
        run = consolidate([path], config, today=TODAY)
    except RunError:
        return None
    if "K1" not in run.results.included:
        return None
    data = run.results.data
    rows = data[data.ma_don_vi == "K1"]
    return {code: float(rows[rows.ma_chi_tieu == code].gia_tri.iloc[0]) for code in COUNTED}


def parsed(path: Path, config: Config) -> Parsed:
    raw, problems = read_workbook(path)
    assert raw is not None and problems == []
    return parse_workbook(raw, config.khom_codes)


def test_the_base_is_clean_and_its_figures_are_the_recount(base):
    assert check_file(base.khom, base.config, today=TODAY).findings == []
    assert figures(base.khom, base.config) == expected_counts(HOUSEHOLDS)


# ── 1. headers ────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("header", "typed"),
    [
        (H_DAT, "Đạt GDVH"),
        (H_DAT, "Dat GDVH"),
        (H_DK, "  dang KY   gdvh "),
        (H_VP, "Vi pham phap luat"),
        (H_NK, "So nhan khau"),
    ],
)
def test_header_without_diacritics_is_read_with_a_warning_naming_it(base, header, typed):
    path = base.edit(
        f"hdr_{norm(typed)}", lambda wb: wb[HH].__setitem__(base.header(header), typed)
    )
    checked = check_file(path, base.config, today=TODAY)
    assert places(checked) == {("R15", HH, base.header(header))}
    (f,) = checked.findings
    assert f.severity is Severity.WARNING and typed.strip() in f.message and header in f.message
    assert figures(path, base.config) == expected_counts(HOUSEHOLDS)


def test_header_in_other_case_and_spacing_is_read_silently(base):
    path = base.edit("hdr_case", lambda wb: wb[HH].__setitem__(base.header(H_NK), "SỐ  NHÂN khẩu"))
    assert check_file(path, base.config, today=TODAY).findings == []
    assert figures(path, base.config) == expected_counts(HOUSEHOLDS)


def _delete_column(label: str) -> Callable[[openpyxl.Workbook], None]:
    def change(wb: openpyxl.Workbook) -> None:
        ws = wb[HH]
        hr = next(r for r in range(1, 16) if any(norm(c.value or "") == norm(H_MA) for c in ws[r]))
        col = next(c.column for c in ws[hr] if norm(c.value or "") == norm(label))
        ws.delete_cols(col)

    return change


@pytest.mark.parametrize(
    ("name", "label", "change"),
    [
        (
            "abbreviated",
            H_VP,
            lambda b: lambda wb: wb[HH].__setitem__(b.header(H_VP), "Vi phạm PL"),
        ),
        ("renamed_note", H_GHI, lambda b: lambda wb: wb[HH].__setitem__(b.header(H_GHI), "Ghi")),
        ("deleted_optional", H_TT, lambda b: _delete_column(H_TT)),
        ("deleted_required", H_TO, lambda b: _delete_column(H_TO)),
    ],
)
def test_a_spec_column_not_found_is_r01_naming_column_and_header_row(base, name, label, change):
    path = base.edit(f"r01_{name}", change(base))
    checked = check_file(path, base.config, today=TODAY)
    assert places(checked) == {("R01", HH, "")}
    (f,) = checked.findings
    assert f.severity is Severity.ERROR and f.row == base.lay.hh.header_row
    assert f"“{label}”" in f.message
    assert figures(path, base.config) is None  # never consolidated as "all no"


def test_the_r01_hint_names_the_unknown_header(base):
    path = base.edit("r01_hint", lambda wb: wb[HH].__setitem__(base.header(H_VP), "Vi phạm PL"))
    (f,) = check_file(path, base.config, today=TODAY).findings
    assert "“Vi phạm PL”" in f.message


def test_an_empty_copy_of_a_column_before_the_real_one_is_r16_naming_both(base):
    col = base.lay.hh.cols[norm(H_DAT)]

    def change(wb: openpyxl.Workbook) -> None:
        wb[HH].insert_cols(col)
        wb[HH].cell(base.lay.hh.header_row, col).value = H_DAT

    path = base.edit("dup_empty", change)
    checked = check_file(path, base.config, today=TODAY)
    assert places(checked) == {("R16", HH, base.header(H_DAT))}
    (f,) = checked.findings
    copy, real = get_column_letter(col), get_column_letter(col + 1)
    assert (
        f.severity is Severity.ERROR and f"cột {copy}" in f.message and f"cột {real}" in f.message
    )
    # the column with data is the one read, though the file is left out until fixed
    p = parsed(path, base.config)
    assert p.tables[HH].columns["dat_gdvh"] == real
    assert int(p.households().dat_gdvh.sum()) == expected_counts(HOUSEHOLDS)["GDVH_DAT"]
    assert figures(path, base.config) is None


def test_a_header_on_two_rows_is_read_with_a_warning(base):
    hr = base.lay.hh.header_row
    dk, dat = base.lay.hh.cols[norm(H_DK)], base.lay.hh.cols[norm(H_DAT)]

    def change(wb: openpyxl.Workbook) -> None:
        ws = wb[HH]
        ws.insert_rows(hr + 1)
        ws.cell(hr + 1, dk).value, ws.cell(hr + 1, dat).value = H_DK, H_DAT
        ws.cell(hr, dk).value, ws.cell(hr, dat).value = "Gia đình văn hóa", None
        ws.merge_cells(start_row=hr, start_column=dk, end_row=hr, end_column=dat)
        for col in base.lay.hh.cols.values():
            if col not in (dk, dat):
                ws.merge_cells(start_row=hr, start_column=col, end_row=hr + 1, end_column=col)

    path = base.edit("two_rows", change)
    checked = check_file(path, base.config, today=TODAY)
    sub = {f"{get_column_letter(c)}{hr + 1}" for c in (dk, dat)}
    assert places(checked) == {("R15", HH, cell) for cell in sub}
    assert all("Gia đình văn hóa" in f.message for f in checked.findings)
    p = parsed(path, base.config)
    assert list(p.households()._row) == [hr + 2 + i for i in range(len(HOUSEHOLDS))]
    assert "Gia đình văn hóa" not in p.tables[HH].extra
    assert figures(path, base.config) == expected_counts(HOUSEHOLDS)


def test_ward_header_abbreviated_is_r01_and_retyped_without_diacritics_is_r15(base):
    agency = f"{base.lay.agency.col('An toàn về ANTT')}{base.lay.agency.header_row}"
    path = base.edit("ward_antt", lambda wb: wb[AGENCY].__setitem__(agency, "ANTT"), ward=True)
    checked = check_file(path, base.config, today=TODAY)
    assert places(checked) == {("R01", AGENCY, "")}
    assert checked.findings[0].row == base.lay.agency.header_row
    units = f"{base.lay.units.col('Đạt chuẩn văn hóa')}{base.lay.units.header_row}"
    path = base.edit(
        "ward_units", lambda wb: wb[UNITS].__setitem__(units, "Dat chuan van hoa"), True
    )
    checked = check_file(path, base.config, today=TODAY)
    assert places(checked) == {("R15", UNITS, units)}
    assert list(checked.wb.tables[UNITS].frame.dat_vh) == [True, False, True, False]


# ── 2. households outside the register's rows ─────────────────────────────────────────────


def test_a_register_continued_on_a_copied_sheet_is_r16_naming_it(base):
    def change(wb: openpyxl.Workbook) -> None:
        ws = wb.copy_worksheet(wb[HH])
        ws.title = "Danh sách hộ (2)"

    path = base.edit("copied_sheet", change)
    checked = check_file(path, base.config, today=TODAY)
    assert places(checked) == {("R16", "Danh sách hộ (2)", "")}
    assert "“Danh sách hộ (2)”" in checked.findings[0].message
    assert figures(path, base.config) is None


def test_a_row_without_ma_ho_and_chu_ho_is_a_household_with_errors(base):
    n = len(HOUSEHOLDS)
    extra = {H_TO: 2, H_NK: 3, H_DK: "x", H_DAT: "x", H_NAM: 1}

    def change(wb: openpyxl.Workbook) -> None:
        for h, v in extra.items():
            wb[HH][base.lay.hh.rec(n, h)].value = v

    path = base.edit("no_keys", change)
    checked = check_file(path, base.config, today=TODAY)
    assert places(checked) == {("R02", HH, base.lay.hh.rec(n, h)) for h in (H_MA, H_CHU)}
    p = parsed(path, base.config)
    assert len(p.households()) == n + 1
    want = expected_counts(HOUSEHOLDS)["NK"] + 3
    assert int(p.households().nhan_khau.sum()) == want
    assert figures(path, base.config) is None


def test_only_the_pre_printed_stt_does_not_make_a_household(base):
    def change(wb: openpyxl.Workbook) -> None:
        for i in range(len(HOUSEHOLDS)):
            for h in HOUSEHOLDS[i]:
                wb[HH][base.lay.hh.rec(i, h)].value = None

    path = base.edit("only_stt", change)
    p = parsed(path, base.config)
    assert p.households().empty
    assert p.tables[HH].first_row == base.lay.hh.row(0)


# ── 3. values that are not numbers ────────────────────────────────────────────────────────

PLACEHOLDER = 987654.25


def _with_literal(path: Path, xml: str) -> Path:
    """`path` with the numeric cell holding PLACEHOLDER stored as `xml` instead."""
    out = path.with_name(path.stem + "_lit.xlsx")
    old, new = f"<v>{PLACEHOLDER}</v>".encode(), f"<v>{xml}</v>".encode()
    with zipfile.ZipFile(path) as zi, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zi.infolist():
            data = zi.read(info.filename)
            zo.writestr(info, data.replace(old, new))
    return out


@pytest.mark.parametrize(
    ("name", "sheet", "where", "typed", "xml", "code"),
    [
        ("diem_nan_text", SELF, ("DIEM",), "NaN", None, "K01"),
        ("diem_nan_number", SELF, ("DIEM",), PLACEHOLDER, "NaN", "K01"),
        ("diem_inf_number", SELF, ("DIEM",), PLACEHOLDER, "1e400", "K01"),
        ("diem_inf_text", SELF, ("DIEM",), "inf", None, "K01"),
        ("luot_400_digits", SELF, ("TT_LUOT",), "9" * 400, None, "K01"),
        ("kinh_phi_1e16", SELF, ("KINH_PHI",), 10**16, None, "K01"),
        ("kinh_phi_dots", SELF, ("KINH_PHI",), "1" + ".000" * 6, None, "K01"),
        ("nk_nan_number", HH, (3, H_NK), PLACEHOLDER, "NaN", "R03"),
        ("nk_5000_digits", HH, (1, H_NK), "9" * 5000, None, "R03"),
        ("nam_1e300", HH, (0, H_NAM), 1e300, None, "R03"),
        ("to_full_width", HH, (2, H_TO), "２", None, "R03"),
    ],
)
def test_a_value_that_is_not_a_finite_sane_number_is_a_finding(
    base, name, sheet, where, typed, xml, code
):
    ref = base.lay.self_eval.value(where[0]) if sheet == SELF else base.lay.hh.rec(*where)
    path = base.edit(name, lambda wb: wb[sheet].__setitem__(ref, typed))
    if xml:
        path = _with_literal(path, xml)
    checked = check_file(path, base.config, today=TODAY)
    assert places(checked) == {(code, sheet, ref)}
    assert figures(path, base.config) is None  # the khóm gets no title from NaN


# ── 4. an empty register ──────────────────────────────────────────────────────────────────


def _empty(lay: Layouts, ky: str) -> Callable[[openpyxl.Workbook], None]:
    def change(wb: openpyxl.Workbook) -> None:
        for i in range(len(HOUSEHOLDS)):
            for h in HOUSEHOLDS[i]:
                wb[HH][lay.hh.rec(i, h)].value = None
        wb[INFO][lay.info.value("Kỳ báo cáo")].value = ky

    return change


@pytest.mark.parametrize(
    ("ky", "severity"), [("Năm", Severity.ERROR), ("Quý IV", Severity.WARNING)]
)
def test_an_empty_register_is_r14_an_error_for_the_year(base, ky, severity):
    lay = base.lay
    path = base.edit(f"empty_{norm(ky)}", _empty(lay, ky))
    checked = check_file(path, base.config, today=TODAY)
    assert places(checked) == {("R14", HH, lay.hh.rec(0, H_MA))}
    assert checked.findings[0].severity is severity
    got = figures(path, base.config)
    if severity is Severity.ERROR:
        assert got is None
    else:
        assert got == dict.fromkeys(COUNTED, 0.0)


# ── 5. formulas without a stored result ───────────────────────────────────────────────────


def test_formulas_in_stt_and_ghi_chu_are_harmless(base):
    def change(wb: openpyxl.Workbook) -> None:
        ws = wb[HH]
        ws[base.lay.hh.rec(1, "STT")].value = "=ROW()-3"
        ws[base.lay.hh.rec(2, H_GHI)].value = '=IF(1,"chuyển đến","")'
        ws[base.lay.hh.rec(len(HOUSEHOLDS) + 1, H_GHI)].value = '=""'

    path = base.edit("formula_stt", change)
    assert check_file(path, base.config, today=TODAY).findings == []
    assert figures(path, base.config) == expected_counts(HOUSEHOLDS)


@pytest.mark.parametrize("header", [H_DAT, H_NK, H_CHU])
def test_a_formula_without_result_where_the_value_is_used_is_r12(base, header):
    ref = base.lay.hh.rec(0, header)
    path = base.edit(f"formula_{header}", lambda wb: wb[HH].__setitem__(ref, '=IF(1,"x","")'))
    checked = check_file(path, base.config, today=TODAY)
    assert places(checked) == {("R12", HH, ref)}
    assert figures(path, base.config) is None
