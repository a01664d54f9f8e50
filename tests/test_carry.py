"""Carry forward: a period's blank lists the child's households from the latest register held."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from builders import CONFIG, run_cli
from test_words import xa_toml
from tqd_sheets import carry, history
from tqd_sheets.config import load_config, parse_config
from tqd_sheets.periods import Period
from tqd_sheets.pipeline import check_file

P = Period.parse


@pytest.mark.parametrize(
    ("nam", "dat", "source", "period", "want"),
    [
        (3, True, "2020", "2021", 4),  # one more year, if Đạt again
        (3, True, "2019", "2021", 5),  # two years on (a year with no register held)
        (3, True, "2021Q2", "2021Q3", 3),  # the same year: the same count
        (None, True, "2020", "2021", 2),  # Đạt with no number typed counts its own year
        (0, True, "2020Q4", "2020", 1),
        (5, False, "2020", "2021", None),  # not Đạt: the streak ended, the khóm types 1
    ],
)
def test_years_are_what_they_will_be_if_dat_again(nam, dat, source, period, want):
    assert carry.years_if_dat_again(nam, dat, P(source), P(period)) == want


def _index(rows: list[tuple[int, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["lan_chay", "ky", "ma_khom", "thoi_gian"]).assign(so_ho=1)


def test_the_latest_register_up_to_the_period_is_carried():
    index = _index(
        [
            (1, "2020", "K1", "2021-01-05T08:00:00+07:00"),
            (1, "2020", "K2", "2021-01-05T08:00:00+07:00"),
            (2, "2021Q1", "K1", "2021-03-30T08:00:00+07:00"),
            (3, "2021Q1", "K1", "2021-03-31T08:00:00+07:00"),  # a re-run: the later one
            (4, "2021Q3", "K1", "2021-09-30T08:00:00+07:00"),  # after the period: not used
        ]
    )
    got = carry.latest_before(index, P("2021Q2"))
    assert sorted(zip(got.ma_khom, got.ky, got.lan_chay, strict=True)) == [
        ("K1", "2021Q1", 3),
        ("K2", "2020", 1),
    ]
    # A yearly register ends with the year's fourth quarter: it is carried into it.
    assert set(carry.latest_before(index, P("2020Q4")).ky) == {"2020"}
    assert carry.latest_before(index, P("2020Q3")).empty


def _register(code: str, n: int) -> pd.DataFrame:
    rows = []
    for j in range(1, n + 1):
        rows.append(
            {
                "ma_ho": f"{code}{j:03d}",
                "chu_ho": f"Chủ hộ {j}",
                "to": 1 + j % 3,
                "dia_chi": f"{j} Lê Lợi",
                "nhan_khau": 1 + j % 6,
                "ngheo": "Nghèo" if j == 2 else None,
                "dk_gdvh": True,
                "dat_gdvh": j != 2,
                "nam_lien_tuc": 2 if j != 2 else None,
                "gd_hoc_tap": j == 1,
                "gd_the_thao": False,
                "vi_pham": False,
            }
        )
    return history.household_rows(code, pd.DataFrame(rows))


def _record(store: Path, ky: str, unit: str, registers: dict[str, int]) -> None:
    hh = pd.concat([_register(c, n) for c, n in registers.items()], ignore_index=True)
    rec = history.RunRecord(ky, unit, "2020-12-31T10:00:00+07:00", "test")
    history.record(store, rec, pd.DataFrame(columns=history.DATA_COLUMNS), hh)


def test_a_xa_blank_lists_its_ap_households_and_reads_back_clean(tmp_path: Path):
    toml = tmp_path / "tqd.toml"
    toml.write_text(xa_toml() + '\n[lich_su]\ntep = "lich-su/xa.sqlite"\n', "utf-8")
    config = parse_config(toml.read_text("utf-8"), "tqd.toml")
    _record(tmp_path / "lich-su" / "xa.sqlite", "2020", "29914", {"A1": 4, "A3": 2})
    out = tmp_path / "blanks"
    run = run_cli("--config", toml, "template", "--period", "2021", "--out", out)
    assert run.rc == 0 and "Traceback" not in run.text, run.text
    assert run.out.count("đã điền sẵn") == 2
    checked = check_file(out / "BieuAp_A1_2021.xlsx", config, date(2021, 12, 1))
    hh = checked.wb.households()
    assert list(hh.ma_ho) == ["A1001", "A1002", "A1003", "A1004"]
    assert list(hh.to) == [2, 3, 1, 2] and list(hh.nhan_khau) == [2, 3, 4, 5]
    assert list(hh.ngheo.fillna("")) == ["", "Nghèo", "", ""]
    assert list(pd.to_numeric(hh.nam_lien_tuc).fillna(0)) == [3, 0, 3, 3]
    for mark in history.MARKS:
        assert not hh[mark].fillna(False).astype(bool).any(), mark
    # In the list, only the reminder that a carried number needs this year's Đạt (R09, at
    # each carried number, rows 4, 6, 7 = households 1, 3, 4) until the marks are typed.
    listed = {(f.code, f.cell) for f in checked.findings if f.sheet == "Danh sách hộ"}
    assert listed == {("R09", "J4"), ("R09", "J6"), ("R09", "J7")}
    assert checked.wb.khom == "A1" and checked.period == P("2021")
    # A child without a register in history gets the plain blank.
    plain = check_file(out / "BieuAp_A2_2021.xlsx", config, date(2021, 12, 1))
    assert plain.wb.households().empty


def test_a_corrupt_history_leaves_the_blanks_blank(tmp_path: Path):
    toml = tmp_path / "tqd.toml"
    toml.write_text(CONFIG.read_text("utf-8") + '\n[lich_su]\ntep = "ls.sqlite"\n', "utf-8")
    (tmp_path / "ls.sqlite").write_bytes(b"\x00garbage" * 64)
    out = tmp_path / "blanks"
    run = run_cli("--config", toml, "template", "--period", "2021", "--out", out)
    assert run.rc == 0 and "Traceback" not in run.text, run.text
    assert "không điền sẵn được danh sách hộ từ lịch sử" in run.out
    config = load_config(toml)
    assert check_file(out / "BieuKhom_K1_2021.xlsx", config).wb.households().empty
