"""The U checks of a child's output (levels.md), as pure functions over hand-written rows.

Rows are written here as a ward's `Dữ liệu` would hold them; each test names the exact code,
sheet and cell (the Excel row: the header is row 1, the first record row 2)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from tqd_sheets.children import (
    ROW,
    ChildOutput,
    Where,
    check_columns,
    check_complete,
    check_consistency,
    check_known,
    check_period,
    check_required,
    check_sample,
    from_grid,
    own_unit,
    read_output,
)
from tqd_sheets.periods import Period
from tqd_sheets.results import DATA_COLUMNS

P = Period.parse("2020")
W = "29917"
HERE = Where("BaoCao_2020.xlsx", "Dữ liệu")
NAN = math.nan


def frame(records: list[tuple]) -> pd.DataFrame:
    """(unit, code, tu_so, mau_so, gia_tri[, phan_loai]) records; row 2 onwards."""
    rows = []
    for i, rec in enumerate(records, start=2):
        unit, code, tu, mau, gia, *loai = rec
        parent = W if unit != W else "867"
        cap = "Phường" if unit == W else "Khóm"
        rows.append(
            {
                "ky": "2020",
                "ma_don_vi": unit,
                "ten_don_vi": unit,
                "cap": cap,
                "ma_don_vi_cha": parent,
                "ma_chi_tieu": code,
                "phan_loai": loai[0] if loai else "",
                "tu_so": tu,
                "mau_so": mau,
                "gia_tri": gia,
                ROW: i,
            }
        )
    return pd.DataFrame(rows, columns=[*DATA_COLUMNS, ROW])


def good() -> list[tuple]:
    return [
        ("K1", "HO", 3, NAN, 3),  # row 2
        ("K1", "GDVH_DAT", 2, NAN, 2),  # 3
        ("K1", "GDVH_DAT_TL", 2, 3, 2 / 3),  # 4
        ("K2", "HO", 2, NAN, 2),  # 5
        ("K2", "GDVH_DAT", 2, NAN, 2),  # 6
        ("K2", "GDVH_DAT_TL", 2, 2, 1.0),  # 7
        (W, "HO", 5, NAN, 5),  # 8
        (W, "GDVH_DAT", 4, NAN, 4),  # 9
        (W, "GDVH_DAT_TL", 4, 5, 0.8),  # 10
        (W, "KHOM_TONG", 3, NAN, 3),  # 11: the khóm have none: no sum to check
        (W, "DV", 2, NAN, 2),  # 12
        (W, "DV", 2, NAN, 2, "Trường học"),  # 13
        (W, "DV", 0, NAN, 0, "Khác"),  # 14
    ]


def places(findings) -> list[tuple[str, str, str]]:
    return [(f.code, f.sheet, f.cell) for f in findings]


def test_consistent_rows_have_no_finding():
    assert check_consistency(frame(good()), W, HERE) == []


def edit(row: int, **values: object) -> list[tuple]:
    recs = good()
    unit, code, tu, mau, gia, *loai = recs[row - 2]
    cur = {"tu": tu, "mau": mau, "gia": gia} | values
    recs[row - 2] = (unit, code, cur["tu"], cur["mau"], cur["gia"], *loai)
    return recs


@pytest.mark.parametrize(
    ("row", "change", "cell"),
    [
        (10, {"gia": 0.79}, "J10"),  # a rate that is not tu_so / mau_so
        (4, {"tu": 1, "gia": 1 / 3}, "H4"),  # a rate whose numerator is not the unit's count
        (10, {"mau": 6, "gia": 4 / 6}, "I10"),  # … or whose denominator is not
        (5, {"tu": -2, "gia": -2}, "J5"),  # a negative count
        (5, {"tu": 2.5, "gia": 2.5}, "J5"),  # a count that is not whole
        (8, {"gia": 6}, "J8"),  # gia_tri of a count is not its tu_so
        (13, {"tu": 1, "gia": 1}, "J12"),  # loại rows not summing to the total
    ],
)
def test_each_inconsistency_is_u03_at_its_cell(row: int, change: dict, cell: str):
    assert places(check_consistency(frame(edit(row, **change)), W, HERE)) == [
        ("U03", "Dữ liệu", cell)
    ]


def test_a_child_row_not_summing_to_the_total_is_flagged_at_the_total():
    recs = edit(2, tu=4, gia=4)  # K1 HO 3 → 4: ward HO 5 is no longer K1 + K2
    found = check_consistency(frame(recs), W, HERE)
    # K1's own rate now disagrees with its HO too (row 4), and the ward's total (row 8).
    assert places(found) == [("U03", "Dữ liệu", "I4"), ("U03", "Dữ liệu", "J8")]


def test_the_rate_tolerance_is_at_the_last_digits():
    exact = edit(10, gia=0.8 * (1 + 1e-12))
    assert check_consistency(frame(exact), W, HERE) == []
    off = edit(10, gia=0.8 * (1 + 1e-8))
    assert places(check_consistency(frame(off), W, HERE)) == [("U03", "Dữ liệu", "J10")]


def test_a_rate_over_zero_is_empty():
    recs = [(W, "HOA_GIAI", 0, NAN, 0), (W, "HOA_GIAI_THANH", 0, NAN, 0)]
    assert check_consistency(frame([*recs, (W, "HOA_GIAI_TL", 0, 0, NAN)]), W, HERE) == []
    bad = frame([*recs, (W, "HOA_GIAI_TL", 0, 0, 0.0)])
    assert places(check_consistency(bad, W, HERE)) == [("U03", "Dữ liệu", "J4")]


def test_the_period_is_checked_at_the_first_wrong_row():
    df = frame(good())
    df.loc[4, "ky"] = "2019"  # row 6
    df.loc[6, "ky"] = "2019"
    assert places(check_period(df, P, HERE)) == [("U02", "Dữ liệu", "A6")]
    assert check_period(frame(good()), P, HERE) == []


def test_an_unknown_child_is_u01_at_its_code():
    expected = {"29905": "Phường 1", "29914": "Xã Tân Khánh Đông"}
    assert places(check_known(W, "Tân Quy Đông", expected, P, HERE, 8)) == [
        ("U01", "Dữ liệu", "B8")
    ]
    assert check_known("29905", "Phường 1", expected, P, HERE, 8) == []


def test_the_columns_must_be_the_data_columns():
    assert check_columns(DATA_COLUMNS, HERE) == []
    swapped = [DATA_COLUMNS[1], DATA_COLUMNS[0], *DATA_COLUMNS[2:]]
    assert places(check_columns(swapped, HERE)) == [("U04", "Dữ liệu", "A1")]


def test_required_figures():
    full = frame(
        [(W, c, 1, NAN, 1) for c in ("KHOM", "KHOM_VMDT", "KHOM_TONG")]
        + [
            (W, c, 0, NAN, 0)
            for c in [
                "HO",
                "NK",
                "GDVH_DK",
                "GDVH_DAT",
                "GDVH_3NAM",
                "GDHT",
                "GDTT",
                "HO_NGHEO",
                "HO_CAN_NGHEO",
                "HO_VI_PHAM",
                "TT_BUOI",
                "TT_LUOT",
                "HOA_GIAI",
                "HOA_GIAI_THANH",
                "GUONG_TOT",
                "KINH_PHI",
                "XA_HOI_HOA",
            ]
        ]
    )
    assert check_required(full, W, HERE) == []
    short = full[full.ma_chi_tieu != "NK"]
    found = check_required(short, W, HERE)
    assert [f.code for f in found] == ["U04"] and "NK" in found[0].message
    nothing = frame([(W, "HO", 0, NAN, 0), (W, "KHOM", 0, NAN, 0), (W, "KHOM_TONG", 4, NAN, 4)])
    assert check_required(nothing, W, HERE) == []  # no child consolidated: U07 says it


def test_sample_data_is_u06_on_its_marker_cell():
    assert places(check_sample({"du_lieu_mau": "1"}, W, HERE)) == [("U06", "_tqd", "B8")]
    assert check_sample({"du_lieu_mau": "0"}, W, HERE) == []


def child(marker: dict[str, str], records: list[tuple]) -> ChildOutput:
    c = ChildOutput(Path("x.xlsx"), HERE, frame(records), marker=marker, unit=W, period=P)
    return c


def test_an_incomplete_child_is_u07_at_the_marker_or_its_khom_row():
    recs = [(W, "KHOM", 3, NAN, 3), (W, "KHOM_TONG", 4, NAN, 4)]
    assert places(check_complete(child({"tong_hop": "3/4"}, recs))) == [("U07", "_tqd", "B7")]
    assert check_complete(child({"tong_hop": "4/4"}, recs)) == []
    csv = ChildOutput(Path("x.csv"), Where("x.csv", "x"), frame(recs), unit=W, period=P)
    assert places(check_complete(csv)) == [("U07", "x", "J2")]
    assert not csv.complete
    done = [(W, "KHOM", 4, NAN, 4), (W, "KHOM_TONG", 4, NAN, 4)]
    assert check_complete(ChildOutput(Path("x.csv"), HERE, frame(done), unit=W)) == []


def test_the_unit_of_rows_without_marker():
    assert own_unit(frame(good())) == W
    assert own_unit(frame([(W, "HO", 1, NAN, 1)])) == W


def test_a_number_cell_holding_text_is_u04_at_it():
    header = list(DATA_COLUMNS)
    grid = [header, ["2020", W, "P", "Phường", "867", "HO", "", "năm", "", 5]]
    out = from_grid(Path("x.csv"), Where("x.csv", "x"), grid, {})
    assert places(out.findings) == [("U04", "x", "H2")]


def test_a_workbook_that_is_no_output_is_u04(tmp_path: Path):
    import xlsxwriter

    path = tmp_path / "BieuKhom_K1_2020.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("Dữ liệu").write_row(0, 0, DATA_COLUMNS)
    wb.close()
    out = read_output(path)
    assert [f.code for f in out.findings] == ["U04"] and not out.readable
