"""Issue 11: writing BaoCao, KiemTra and the báo cáo in one pass per child changed nothing.

`FROZEN` holds, per generated run (`writers_canon.VARIANTS`, built by `many_children`), one
digest per sheet of what the writers produced before issue 11 (cell values and formats, merged
ranges, sizes, print setup; the report's paragraphs and runs), computed with the code of the
main branch at c5b5067 by `python tests/writers_canon.py`. A deliberate change of an output
changes these digests: regenerate them with that command and say so in the commit. `Giải thích
mã lỗi` is left out: it renders the rule catalogue, which other issues extend.

The other tests check the new lookups on their own, with expectations computed here.
"""

from __future__ import annotations

import gc
import math
from dataclasses import replace

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from many_children import config_of, make_run
from tqd_sheets.formpage import Page
from tqd_sheets.forms import DATA_SHEET, child_names, data_cells, gc_paused, write_forms
from tqd_sheets.formspec import FORMS
from tqd_sheets.results import DATA_COLUMNS
from tqd_sheets.styles import Styles
from writers_canon import VARIANTS, digests, write_outputs

FROZEN: dict[str, dict[str, str]] = {
    "a": {
        "BaoCao.xlsx/_order": "3c721e97ae78032e",
        "BaoCao.xlsx/Biểu 01": "7371de3e17c4a32b",
        "BaoCao.xlsx/Biểu 01b": "93fe83e544998540",
        "BaoCao.xlsx/Biểu 02": "421d5e270bbc7deb",
        "BaoCao.xlsx/Biểu 03": "b4d170308786a7f1",
        "BaoCao.xlsx/Biểu 04": "ec64a8332cc0197d",
        "BaoCao.xlsx/Biểu 05": "e4388a37e707616d",
        "BaoCao.xlsx/Biểu 05b": "9fc2234152e57a14",
        "BaoCao.xlsx/Biểu đồ": "158ee15fac6500e5",
        "BaoCao.xlsx/So sánh": "e876fc1903a23da0",
        "BaoCao.xlsx/Dữ liệu": "c697e8767002f312",
        "BaoCao.xlsx/_tqd": "3c8b474194527059",
        "KiemTra.xlsx/_order": "e488d75d9ef0e157",
        "KiemTra.xlsx/Tổng quan": "fdac52a4aee3f492",
        "KiemTra.xlsx/Chi tiết": "67d264e88f970b76",
        "KiemTra.xlsx/Số liệu thay đổi": "ab865f47fedd2311",
        "BaoCao.docx/body": "51650e35d7e679b2",
        "BaoCao.docx/tables": "a5baa375a9386475",
        "BaoCao.docx/properties": "ce9c906d4e224762",
    },
    "b": {
        "BaoCao.xlsx/_order": "c1b57204a48dcba4",
        "BaoCao.xlsx/Biểu 01": "7baa1020a46d6087",
        "BaoCao.xlsx/Biểu 01b": "5449bcce186373b4",
        "BaoCao.xlsx/Biểu 02": "88663486851cbe14",
        "BaoCao.xlsx/Biểu 03": "e8f4df5496fa0410",
        "BaoCao.xlsx/Biểu 04": "47ce4f897018a973",
        "BaoCao.xlsx/Biểu 05": "425ecb5eaea65d68",
        "BaoCao.xlsx/Biểu 05b": "e835a775c01e4222",
        "BaoCao.xlsx/Biểu đồ": "09dfc464124c5075",
        "BaoCao.xlsx/Dữ liệu": "06ec640b5b1c91e6",
        "BaoCao.xlsx/_tqd": "e69fd461fe390fec",
        "KiemTra.xlsx/_order": "8e1d03c2d7258fad",
        "KiemTra.xlsx/Tổng quan": "60b57af23a5f727d",
        "KiemTra.xlsx/Chi tiết": "915d07d9ac7b2af0",
        "BaoCao.docx/body": "c1c34615c22bdaed",
        "BaoCao.docx/tables": "a5baa375a9386475",
        "BaoCao.docx/properties": "ce9c906d4e224762",
    },
    "c": {
        "BaoCao.xlsx/_order": "3c721e97ae78032e",
        "BaoCao.xlsx/Biểu 01": "319aea4d3bfa1d89",
        "BaoCao.xlsx/Biểu 01b": "51e1acd6e1c62fcb",
        "BaoCao.xlsx/Biểu 02": "d8bdf49bf869db2b",
        "BaoCao.xlsx/Biểu 03": "98cbeae2a3890d2e",
        "BaoCao.xlsx/Biểu 04": "9c219fe40c8495af",
        "BaoCao.xlsx/Biểu 05": "4172658ecc952716",
        "BaoCao.xlsx/Biểu 05b": "319b3899a6416666",
        "BaoCao.xlsx/Biểu đồ": "1b0831b04162ae1d",
        "BaoCao.xlsx/So sánh": "530e7a377adad974",
        "BaoCao.xlsx/Dữ liệu": "5c0b99c1e06b715b",
        "BaoCao.xlsx/_tqd": "fcf841d57db35154",
        "KiemTra.xlsx/_order": "8e1d03c2d7258fad",
        "KiemTra.xlsx/Tổng quan": "f90d9d782b0da81a",
        "KiemTra.xlsx/Chi tiết": "6535e03424dc252c",
        "BaoCao.docx/body": "1b382f891aa42529",
        "BaoCao.docx/tables": "a5baa375a9386475",
        "BaoCao.docx/properties": "ce9c906d4e224762",
    },
    "d": {
        "BaoCao.xlsx/_order": "c1b57204a48dcba4",
        "BaoCao.xlsx/Biểu 01": "0da8329e4af4749c",
        "BaoCao.xlsx/Biểu 01b": "64caf762ae5829af",
        "BaoCao.xlsx/Biểu 02": "fc4abe1fd7fc5e28",
        "BaoCao.xlsx/Biểu 03": "94c2cb09382734f5",
        "BaoCao.xlsx/Biểu 04": "f15d1409cfde6175",
        "BaoCao.xlsx/Biểu 05": "d9682dd0094b39c8",
        "BaoCao.xlsx/Biểu 05b": "f3e98881e10a20ed",
        "BaoCao.xlsx/Biểu đồ": "973c07667faa6781",
        "BaoCao.xlsx/Dữ liệu": "c40c4290bb8fcb1b",
        "BaoCao.xlsx/_tqd": "9740301291070d45",
        "KiemTra.xlsx/_order": "8e1d03c2d7258fad",
        "KiemTra.xlsx/Tổng quan": "5bcc9bc0201ca269",
        "KiemTra.xlsx/Chi tiết": "bb01cbc42e93232f",
        "BaoCao.docx/body": "f84a532bd8ba604c",
        "BaoCao.docx/tables": "a5baa375a9386475",
        "BaoCao.docx/properties": "ce9c906d4e224762",
    },
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_outputs_as_before_issue_11(tmp_path, variant):
    write_outputs(tmp_path, variant)
    now = digests(tmp_path)
    now.pop("KiemTra.xlsx/Giải thích mã lỗi")
    changed = sorted(
        k for k in FROZEN[variant].keys() | now.keys() if FROZEN[variant].get(k) != now.get(k)
    )
    assert not changed, f"run {variant}: these differ from before issue 11: {changed}"


def test_variants_cover_every_path():
    """The generated runs reach what the writers branch on: partial and complete, with and
    without the unit's workbook and last year, children of two kinds, odd values."""
    a, b, c = (make_run(**VARIANTS[v]).results for v in ("a", "b", "c"))
    assert a.partial and not b.partial and c.included == []
    assert a.has_ward_workbook and not b.has_ward_workbook
    assert a.previous is not None and b.previous is None and len(a.changes)
    assert {k[0] for k in a.expected} == {"K", "A"}
    assert b.sample_data and b.data["ma_don_vi_cha"].dtype == object
    assert {f.severity for f in a.findings} == {"Lỗi", "Cảnh báo", "Ghi chú"}


# --- Dữ liệu: each column converted once ------------------------------------------------------


def test_data_cells_of_a_float_column_leave_missing_and_infinite_empty():
    column = pd.Series([1.0, math.nan, math.inf, -math.inf, 0.5, -0.0])
    assert data_cells(column) == [1.0, None, None, None, 0.5, -0.0]


def test_data_cells_of_a_text_column_and_of_mixed_values():
    assert data_cells(pd.Series(["K1", "", None, "=1+1"], dtype=object)) == ["K1", "", None, "=1+1"]
    assert data_cells(pd.Series(["K1", None], dtype="string")) == ["K1", None]
    assert data_cells(pd.Series([1.5, None], dtype="Float64")) == [1.5, None]
    mixed = pd.Series(
        [True, False, np.int64(7), 2.5, None, -math.inf, math.nan, "x", 3], dtype=object
    )
    cells = data_cells(mixed)
    assert cells == [1, 0, 7.0, 2.5, None, None, None, "x", 3.0]
    assert [type(x) for x in cells[:3]] == [int, int, float]  # a truth value is written as 1 or 0


def test_data_sheet_holds_each_value_as_the_frame_gives_it(tmp_path):
    run = make_run(**VARIANTS["b"])
    data = run.results.data
    path = tmp_path / "BaoCao.xlsx"
    write_forms(path, run.results, run.config)
    ws = openpyxl.load_workbook(path)[DATA_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == DATA_COLUMNS
    assert len(rows) == len(data) + 1

    def shown(x: object) -> object:
        if x is None or (isinstance(x, float) and not math.isfinite(x)):
            return None
        if isinstance(x, (bool, np.bool_)):
            return int(x)
        if isinstance(x, (int, float, np.integer, np.floating)):
            return float(f"{float(x):.16G}")  # an xlsx number keeps 16 significant digits
        return str(x)

    for i, rec in enumerate(data[DATA_COLUMNS].itertuples(index=False), start=1):
        got = [None if v == "" and rec[j] == "" else v for j, v in enumerate(rows[i])]
        want = [shown(x) if x != "" else None for x in rec]
        assert got == want, f"row {i + 1}"
    # the mixed column as written: True → 1, numpy 7 → 7, 12.5, then empty cells
    assert [rows[i][4] for i in range(1, 8)] == [1, 0, 7, 12.5, None, None, None]


# --- the one-time maps ----------------------------------------------------------------------


def test_child_names_are_the_configurations():
    config = config_of(10)
    names = child_names(config)
    assert names == {k.ma: k.ten for k in config.khom}
    assert all(names[k.ma] == config.khom_name(k.ma) for k in config.khom)


def test_page_col_follows_columns_replaced_after_make_room(tmp_path):
    wb = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"))
    form = FORMS[0]
    cols = form.columns
    page = Page(wb.add_worksheet(), Styles(wb), form.sheet, cols)
    assert [page.col(c.code) for c in cols] == list(range(len(cols)))
    assert page.has(cols[-1].code) and not page.has("KHONG_CO")
    page.columns = (replace(cols[1], width=cols[1].width + 5), cols[0], *cols[2:])
    assert (page.col(cols[0].code), page.col(cols[1].code)) == (1, 0)
    with pytest.raises(StopIteration):  # an undeclared column fails as it did
        page.col("KHONG_CO")
    wb.close()


def test_previous_value_takes_the_first_total_row_and_follows_a_new_frame():
    r = make_run(**VARIANTS["d"]).results
    assert math.isnan(r.previous_value("K1", "HO"))  # no history: NaN
    r.previous = pd.DataFrame(
        {
            "ma_don_vi": ["K1", "K1", "K1", "K2"],
            "ma_chi_tieu": ["HO", "HO", "DV", "HO"],
            "phan_loai": ["Trường học", "", "", ""],
            "gia_tri": [5.0, 120.0, 3.0, 80.0],
        }
    )
    assert r.previous_value("K1", "HO") == 120.0  # a breakdown row is no total
    assert r.previous_value("K2", "HO") == 80.0 and r.previous_value("K1", "DV") == 3.0
    assert math.isnan(r.previous_value("K3", "HO"))
    r.previous = pd.DataFrame(
        {"ma_don_vi": ["K1", "K1"], "ma_chi_tieu": ["HO", "HO"], "phan_loai": ["", ""]}
        | {"gia_tri": [7.0, 9.0]}
    )
    assert r.previous_value("K1", "HO") == 7.0  # the first, as `.iloc[0]` took it
    assert math.isnan(r.previous_value("K2", "HO"))


def test_gc_paused_restores_the_collector_even_on_failure():
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), gc_paused():
        assert not gc.isenabled()
        _ = 1 / 0
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()
