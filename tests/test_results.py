"""`Results`: the totals a form asks for, by unit and indicator."""

from __future__ import annotations

import math

import pandas as pd

from results_factory import make_results
from tqd_sheets.results import DATA_COLUMNS


def test_value_and_fraction_read_the_totals_not_the_breakdowns():
    r = make_results()
    rows = [
        ("2020", "X", "X", "Phường", "", "DV", "", 5.0, math.nan, 5.0),
        ("2020", "X", "X", "Phường", "", "DV", "Trường học", 2.0, math.nan, 2.0),
        ("2020", "X", "X", "Phường", "", "DV_DAT_TL", "", 3.0, 4.0, 0.75),
    ]
    r.data = pd.DataFrame(rows, columns=DATA_COLUMNS)
    assert r.value("X", "DV") == 5.0
    assert r.fraction("X", "DV_DAT_TL") == (3.0, 4.0)
    assert math.isnan(r.value("X", "HO")) and math.isnan(r.fraction("Y", "DV")[0])


def test_a_new_data_frame_is_read_afresh():
    """The index is built once per frame: replacing `data` (a history attach, a test) is seen."""
    r = make_results()
    before = r.value(r.ward_code, "HO")
    assert before > 0
    r.data = r.data.assign(gia_tri=r.data.gia_tri * 2, tu_so=r.data.tu_so * 2)
    assert r.value(r.ward_code, "HO") == 2 * before
    r.data = r.data.iloc[0:0]
    assert math.isnan(r.value(r.ward_code, "HO"))
