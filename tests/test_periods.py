from datetime import date

import pytest

from tqd_sheets.periods import Period


@pytest.mark.parametrize(
    ("pid", "words", "label", "start", "end"),
    [
        ("2020", "Năm 2020", "Năm", date(2020, 1, 1), date(2020, 12, 31)),
        ("2020S1", "6 tháng đầu năm 2020", "6 tháng", date(2020, 1, 1), date(2020, 6, 30)),
        ("2020Q2", "Quý II năm 2020", "Quý II", date(2020, 4, 1), date(2020, 6, 30)),
        ("2020Q4", "Quý IV năm 2020", "Quý IV", date(2020, 10, 1), date(2020, 12, 31)),
        ("2020Q1", "Quý I năm 2020", "Quý I", date(2020, 1, 1), date(2020, 3, 31)),
    ],
)
def test_period_ids_words_and_bounds(pid, words, label, start, end):
    p = Period.parse(pid)
    assert (p.id, p.words, p.ky_label, p.start, p.end) == (pid, words, label, start, end)
    assert Period.from_label(2020, label) == p


@pytest.mark.parametrize("bad", ["2020Q5", "20", "2020H1", "năm 2020", ""])
def test_bad_period_ids_are_refused_in_vietnamese(bad):
    with pytest.raises(ValueError, match="Kỳ báo cáo"):
        Period.parse(bad)


def test_leap_february_end():
    assert Period.parse("2024Q1").end == date(2024, 3, 31)
