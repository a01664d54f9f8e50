"""Messages name list rows as the officer sees them on paper (issue 10, item 4): the STT the
generated blank pre-prints (or the officer typed over it), the Mã hộ and the chủ hộ, with the
sheet row kept in brackets so the cell can still be found.

Each register is the generated 2020 blank of K1, filled and read back through
`pipeline.check_file`; STT values and rows come from the blank's own layout (`Grid`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from make_corpus import H_CHU, H_MA, H_VP, HH, HOUSEHOLDS, KHOM_LABELS, SELF, SELF_EVAL, Grid
from tqd_sheets.config import Config
from tqd_sheets.fill import fill
from tqd_sheets.periods import Period
from tqd_sheets.pipeline import check_file
from tqd_sheets.template import write_khom_template

TODAY = date(2021, 1, 15)
H_STT = "STT"


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory, config: Config) -> Path:
    out = tmp_path_factory.mktemp("stt-blank") / "blank_K1_2020.xlsx"
    return write_khom_template(out, config, Period.parse("2020"), "K1")


def _sent(blank: Path, dest: Path, rows: list[dict[str, object]], config: Config):
    path = fill(blank, dest, labels=KHOM_LABELS, tables={HH: rows}, codes={SELF: SELF_EVAL})
    grid = Grid(openpyxl.load_workbook(path, read_only=False)[HH], H_MA)
    return check_file(path, config, TODAY), grid


def _said(f) -> str:
    return f.message.split(" Giá trị hiện có")[0]


def test_r05_on_the_blanks_stt_3_and_5(blank, config, tmp_path):
    rows = [dict(h) for h in HOUSEHOLDS[:5]]
    rows[4][H_MA] = rows[2][H_MA]  # households 3 and 5 of the list share a Mã hộ
    checked, grid = _sent(blank, tmp_path / "K1_2020.xlsx", rows, config)
    r05 = sorted((f for f in checked.findings if f.code == "R05"), key=lambda f: f.row)
    # The blank pre-prints STT 1, 2, …: the 3rd and 5th households carry STT 3 and 5.
    r3, r5 = grid.row(2), grid.row(4)
    assert [f.cell for f in r05] == [grid.rec(2, H_MA), grid.rec(4, H_MA)]
    said = f"“Mã hộ” {rows[2][H_MA]} lặp lại ở hộ STT 3 (dòng {r3}) và STT 5 (dòng {r5})."
    assert [_said(f) for f in r05] == [said, said]


def test_typed_stt_wins_and_an_empty_stt_falls_back_to_the_row(blank, config, tmp_path):
    rows = [dict(h) for h in HOUSEHOLDS[:3]]
    rows[0][H_STT], rows[1][H_STT] = 10, 11  # renumbered by the officer
    rows[2][H_STT] = None  # cleared by the officer
    rows[1][H_VP] = "x"  # household 2 is đạt: R08
    rows[2][H_MA] = rows[0][H_MA]
    checked, grid = _sent(blank, tmp_path / "K1_2020.xlsx", rows, config)
    by = {(f.code, f.cell): _said(f) for f in checked.findings}
    second = rows[1]
    assert by["R08", grid.rec(1, "Đạt GĐVH")] == (
        f"Hộ STT 11, Mã hộ {second[H_MA]}, {second[H_CHU]}: "
        "đánh dấu Đạt GĐVH nhưng có thành viên vi phạm pháp luật."
    )
    said = f"lặp lại ở hộ STT 10 (dòng {grid.row(0)}) và dòng {grid.row(2)}."
    assert by["R05", grid.rec(0, H_MA)].endswith(said)
    assert by["R05", grid.rec(2, H_MA)].endswith(said)
