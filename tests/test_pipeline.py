"""Which workbooks a run uses: period, duplicates, samples — without touching files."""

from datetime import date
from pathlib import Path

import pytest

from grids import household, khom_book
from tqd_sheets.config import load_config
from tqd_sheets.parse import parse_workbook
from tqd_sheets.periods import Period
from tqd_sheets.pipeline import Checked, RunError, _date_checks, choose_period, select

CFG = load_config(Path(__file__).resolve().parents[1] / "tqd.toml")
Y2020 = Period.parse("2020")


def checked(name, **info):
    p = parse_workbook(khom_book([household("01")], info=info, name=name), CFG.khom_codes)
    return Checked(Path(name), p, list(p.findings))


def test_period_from_the_workbooks_or_the_argument():
    a, b = checked("a.xlsx"), checked("b.xlsx", **{"Kỳ báo cáo": "Quý II"})
    assert choose_period([a], None) == Y2020
    assert choose_period([a, b], Period.parse("2020Q2")) == Period.parse("2020Q2")
    with pytest.raises(RunError) as exc:
        choose_period([a, b], None)
    assert "2020Q2" in str(exc.value) and "2020 (Năm 2020)" in str(exc.value)


def test_other_period_is_h03_and_ignored():
    a, b = checked("a.xlsx"), checked("b.xlsx", **{"Kỳ báo cáo": "6 tháng"})
    select([a, b], Y2020)
    assert not a.ignored and b.ignored
    assert [f.code for f in b.findings] == ["H03"]


def test_two_versions_the_later_is_used_i01():
    old = checked("k1_cu.xlsx", **{"Ngày lập": date(2020, 12, 1)})
    new = checked("k1_moi.xlsx", **{"Ngày lập": date(2020, 12, 20)})
    select([old, new], Y2020)
    assert not new.ignored and old.ignored
    assert [f.code for f in old.findings] == ["I01"] and new.findings == []
    assert "k1_moi.xlsx" in old.findings[0].message


def test_two_versions_same_date_are_i02_errors():
    a = checked("a.xlsx")
    b = checked("b.xlsx")
    select([a, b], Y2020)
    assert [f.code for f in a.findings] == ["I02"] and [f.code for f in b.findings] == ["I02"]
    assert a.errors == 1 and b.errors == 1


def test_real_workbook_replaces_the_sample_of_its_khom():
    sample = checked("MAU_K1.xlsx", **{"Ghi chú": "DỮ LIỆU MẪU – không phải số liệu thật"})
    real = checked("khom1.xlsx", **{"Ngày lập": date(2020, 12, 1)})
    other = checked("MAU_K2.xlsx", **{"Mã khóm": "K2", "Ghi chú": "Dữ liệu mẫu"})
    select([sample, real, other], Y2020)
    assert sample.ignored and not real.ignored and not other.ignored
    assert [f.code for f in sample.findings] == ["F02"]
    assert real.findings == []  # no I01/I02 between a sample and a real workbook


@pytest.mark.parametrize(
    ("ngay_lap", "code"),
    [
        (date(2030, 1, 1), "H04"),
        (date(2019, 12, 31), "H04"),
        (date(2021, 1, 5), "I05"),
        (date(2020, 12, 31), None),
        (date(2020, 6, 1), None),
    ],
)
def test_dates_future_before_period_and_late(ngay_lap, code):
    c = checked("a.xlsx", **{"Ngày lập": ngay_lap})
    found = _date_checks(c, CFG, today=date(2026, 11, 30))
    assert [f.code for f in found] == ([code] if code else [])
    if code:
        assert found[0].cell == "B10" and found[0].sheet == "Thông tin"


def test_signers_names_from_the_ward_workbook_and_the_configuration(tmp_path):
    """Người lập biểu is typed in the ward workbook; who signs for the unit is configured
    (`[chu_ky] ho_ten`): both reach `Results.signers`, which every form and the báo cáo print."""
    from tqd_sheets.config import parse_config
    from tqd_sheets.pipeline import consolidate

    root = Path(__file__).resolve().parents[1]
    text = (root / "tqd.toml").read_text("utf-8").replace('ho_ten = ""', 'ho_ten = "Trần Văn Bình"')
    config = parse_config(text, "tqd.toml")
    files = sorted((root / "inbox").iterdir())
    signers = consolidate(files, config, today=date(2021, 1, 10)).results.signers
    ward = next(f for f in files if f.name.startswith("MAU_Phuong"))
    from tqd_sheets.pipeline import check_file

    typed = check_file(ward, config, date(2021, 1, 10)).wb.values["nguoi_lap"]
    assert signers["ky"] == "Trần Văn Bình"
    assert signers["nguoi_lap"] == typed and typed
    unsigned = consolidate(files, parse_config(text.replace("Trần Văn Bình", ""), "x"))
    assert "ky" not in unsigned.results.signers
