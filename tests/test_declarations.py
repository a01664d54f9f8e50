"""Guards of the declarations: a fact declared once must reach every place that shows it.

A registered indicator missing from a full run's `Dữ liệu`, a form column that names no
registered indicator (and is not declared as a label or verdict column), or a form's figure
that differs from its `Dữ liệu` value fails here, whichever module forgot the declaration.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from builders import ROOT
from tqd_sheets import formpage, forms, formspec, registry
from tqd_sheets.config import Config
from tqd_sheets.outputs import write_outputs
from tqd_sheets.pipeline import Run, consolidate, inbox_files

TODAY = date(2021, 1, 15)


@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory, config: Config) -> tuple[Run, Path]:
    """The shipped sample inbox: every khóm and the ward workbook, so every indicator exists."""
    files = inbox_files(ROOT / "inbox")
    run = consolidate(files, config, None, today=TODAY)
    written = write_outputs(run, config, tmp_path_factory.mktemp("out"), files)
    baocao = next(p for p in written if p.name.startswith("BaoCao_"))
    return run, baocao


def data_rows(path: Path) -> dict[tuple[str, str, str], object]:
    """(ma_don_vi, ma_chi_tieu, phan_loai) → gia_tri; phan_loai is "" on totals."""
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(forms.DATA_SHEET).to_python()
    col = {name: j for j, name in enumerate(grid[0])}
    return {
        (str(r[col["ma_don_vi"]]), str(r[col["ma_chi_tieu"]]), str(r[col["phan_loai"]])): r[
            col["gia_tri"]
        ]
        for r in grid[1:]
        if r[col["ma_chi_tieu"]] != ""
    }


def test_every_form_column_is_a_registered_indicator_or_declared_otherwise() -> None:
    for sheet, cols in forms.COLUMNS.items():
        for col in cols:
            if col.role is formspec.Role.INDICATOR:
                assert col.code in registry.BY_CODE, (sheet, col.code)
            else:
                assert col.code in forms.NOT_INDICATORS, (sheet, col.code)
            if col.role in ABOUT_AN_INDICATOR:
                # a target, verdict, gap, last year's figure or change names what it is about
                assert col.of in registry.BY_CODE, (sheet, col.code, col.of)
    # and nothing declared "not an indicator" hides a registered one
    assert not forms.NOT_INDICATORS & set(registry.BY_CODE)


ABOUT_AN_INDICATOR = {
    formspec.Role.PREVIOUS,
    formspec.Role.CHANGE,
    formspec.Role.SHORT,
}


def test_every_form_fits_the_printable_width() -> None:
    """Every form prints at 100 %, so every header line has one size on every form."""
    for form in formspec.FORMS:
        for with_previous in (False, True):
            cols = formspec.columns(form, with_previous)
            px = sum(formpage.column_px(c.width) for c in cols)
            assert px <= formpage.PRINTABLE_PX, (form.sheet, with_previous, px)


def test_every_registered_indicator_reaches_the_data_of_a_full_run(full_run) -> None:
    run, baocao = full_run
    r = run.results
    assert len(r.included) == len(r.expected) and r.has_ward_workbook  # a full run
    rows = data_rows(baocao)
    for unit in r.included:
        missing = [i.code for i in registry.INDICATORS if not i.parent_only]
        missing = [c for c in missing if (unit, c, "") not in rows]
        assert not missing, (unit, missing)
    missing = [i.code for i in registry.INDICATORS if (r.ward_code, i.code, "") not in rows]
    assert not missing, (r.ward_code, missing)


def _same(form_value: object, data_value: object, code: str) -> bool:
    """A form shows a rate in percent units (94.34 for the fraction 0.9434)."""
    if data_value == "" or (isinstance(data_value, float) and math.isnan(data_value)):
        return form_value in ("", forms.DASH)
    scale = 100 if registry.BY_CODE[code].is_rate else 1
    return isinstance(form_value, int | float) and math.isclose(
        float(form_value), float(data_value) * scale, rel_tol=1e-12, abs_tol=1e-12
    )


def test_every_figure_on_the_unit_forms_equals_its_data_value(full_run) -> None:
    run, baocao = full_run
    rows = data_rows(baocao)
    book = CalamineWorkbook.from_path(str(baocao))
    checked = 0
    ward = run.results.ward_code
    for sheet, lay in forms.layout(run.results).items():
        grid = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        for key, row in lay.rows.items():
            # A unit's row holds its totals; Biểu 03's rows hold the ward's loại breakdown.
            where = (key, "") if key in (*run.results.included, ward) else (ward, key)
            for code, col in lay.columns.items():
                data_key = (where[0], code, where[1])
                if code not in registry.BY_CODE or data_key not in rows:
                    continue
                shown = grid[row][col]
                assert _same(shown, rows[data_key], code), (sheet, key, code, shown)
                checked += 1
    assert checked > 100


def test_every_list_that_declares_a_check_names_its_rule() -> None:
    """`unique` and `not_above` run from the spec (validate.spec_checks): each list that
    declares one names the rule its finding carries."""
    from tqd_sheets import catalog, spec

    for wb in spec.WORKBOOKS.values():
        for sheet in wb.sheets:
            if not isinstance(sheet, spec.TableSheet):
                continue
            if sheet.unique:
                assert sheet.repeat_rule in catalog.RULES, sheet.name
            if any(f.not_above for f in sheet.fields):
                assert sheet.above_rule in catalog.RULES, sheet.name


def test_every_figure_of_last_year_equals_its_history_value(tmp_path: Path) -> None:
    """A `Cùng kỳ năm trước` cell shows history's value of the indicator it is declared
    `of`, for every unit history holds (a rate in percent units), `—` where it holds none."""
    from results_factory import make_config, make_results, with_previous

    results = with_previous(make_results())
    path = forms.write_forms(tmp_path / "BaoCao_2020.xlsx", results, make_config())
    book = CalamineWorkbook.from_path(str(path))
    prev = results.previous
    checked = 0
    for form in formspec.FORMS:
        lay = forms.layout(results)[form.sheet]
        grid = book.get_sheet_by_name(form.sheet).to_python(skip_empty_area=False)
        for col in forms.form_columns(form, results):
            if col.role is not formspec.Role.PREVIOUS or col.of not in registry.BY_CODE:
                continue
            flag = registry.BY_CODE[col.of].kind is registry.Kind.FLAG
            # a child's title is a flag shown as its verdict; the unit's own row shows the
            # unit's title, not the count of its children's
            units = results.expected if flag else (*results.expected, results.ward_code)
            for unit in units:
                rows = prev[(prev.ma_don_vi == unit) & (prev.ma_chi_tieu == col.of)]
                shown = grid[lay.rows[unit]][lay.columns[col.code]]
                if not len(rows):
                    assert shown == forms.DASH, (form.sheet, unit, col.code)
                    continue
                value = float(rows.gia_tri.iloc[0])
                if flag:
                    assert shown == ("Đạt" if value >= 1 else "Chưa đạt"), (unit, col.code)
                else:
                    assert _same(shown, value, col.of), (unit, col.code)
                checked += 1
    assert checked >= 4


def test_the_signers_name_comes_from_the_ward_workbook(full_run) -> None:
    """`Results.signers` holds the ward workbook's Người lập biểu, typed on every form."""
    run, baocao = full_run
    ward_book = next(p for p in (ROOT / "inbox").iterdir() if "Phuong" in p.name)
    info = CalamineWorkbook.from_path(str(ward_book)).get_sheet_by_name("Thông tin")
    cells = [x for row in info.to_python() for x in row]
    typed = cells[cells.index("Người lập biểu") + 1]
    assert run.results.signers == {"nguoi_lap": typed}
    book = CalamineWorkbook.from_path(str(baocao))
    for sheet in formspec.FORM_SHEETS:
        found = [x for row in book.get_sheet_by_name(sheet).to_python() for x in row]
        assert typed in found, sheet
