"""Cell values as officers type them (inputs.md §Values)."""

import math
from datetime import date, datetime

import pytest

from tqd_sheets import values
from tqd_sheets.spec import AGENCY, HOUSEHOLDS, KHOM_SELF, TARGETS, field


@pytest.mark.parametrize("raw", ["x", "X", "có", "Có", "1", "✓", True, 1, 1.0, " x "])
def test_mark_yes(raw):
    assert values.parse_mark(raw) == (True, None)


@pytest.mark.parametrize("raw", ["", None, "không", "Không", "0", False, 0, 0.0, "   "])
def test_mark_no(raw):
    assert values.parse_mark(raw if raw is not None else "") == (False, None)


@pytest.mark.parametrize("raw", ["y", "ok", "xx", 2, "đạt"])
def test_mark_anything_else_is_an_error_not_a_no(raw):
    assert values.parse_mark(raw) == (None, "bad")


@pytest.mark.parametrize(("raw", "expected"), [(12, 12), (12.0, 12), ("12", 12), (" 12 ", 12)])
def test_integer_accepts_numbers_and_numeric_text(raw, expected):
    assert values.parse_integer(raw) == (expected, None)


@pytest.mark.parametrize("raw", ["12 người", "1.5", 1.5, "mười", True])
def test_integer_rejects(raw):
    assert values.parse_integer(raw)[1] == "bad"


def test_text_keeps_leading_zeros_and_normalises_nfd():
    nfd = "Nguye\u0302\u0303n"  # Nguyễn typed with combining marks
    assert values.text(nfd) == "Nguyễn"
    assert values.text(" 0012 ") == "0012"
    assert values.text(12.0) == "12"


def test_text_starting_with_equals_stays_text():
    assert values.parse("=1+1", field(HOUSEHOLDS, "chu_ho")) == ("=1+1", None)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("05/12/2020", date(2020, 12, 5)),
        ("5/2/2020", date(2020, 2, 5)),
        (datetime(2020, 12, 5, 0, 0), date(2020, 12, 5)),
        (date(2020, 1, 31), date(2020, 1, 31)),
    ],
)
def test_dates_are_day_first(raw, expected):
    assert values.parse_date(raw) == (expected, None)


@pytest.mark.parametrize("raw", ["12/31/2020", "2020-12-05", "31/02/2020", 44000])
def test_dates_never_month_first_or_guessed(raw):
    assert values.parse_date(raw) == (None, "bad")


@pytest.mark.parametrize(
    ("raw", "expected"), [("1.500.000", 1_500_000), (2_000_000, 2_000_000), ("250000", 250_000)]
)
def test_money_with_thousands_dots(raw, expected):
    assert values.parse_money(raw) == (expected, None)


def test_money_rejects_decimal_looking_text():
    assert values.parse_money("1.5")[1] == "bad"


def test_range_checks_from_the_spec():
    nk = field(HOUSEHOLDS, "nhan_khau")
    assert values.parse(30, nk) == (30, None)
    assert values.parse(31, nk) == (None, "range")
    assert values.parse(0, nk) == (None, "range")
    diem = field(KHOM_SELF, "DIEM")
    assert values.parse("85,5", diem) == (85.5, None)
    assert values.parse(101, diem) == (None, "range")


def test_choice_matches_case_and_spacing_insensitively():
    ngheo = field(HOUSEHOLDS, "ngheo")
    assert values.parse(" cận  nghèo ", ngheo) == ("Cận nghèo", None)
    assert values.parse("giàu", ngheo) == (None, "bad")
    assert values.parse("", ngheo) == (None, None)


def test_rate_accepts_percent_text_and_fractions():
    t = field(TARGETS, "GDVH_DAT_TL")
    assert values.parse("94%", t) == (pytest.approx(0.94), None)
    assert values.parse(0.94, t) == (0.94, None)
    assert values.parse(94, t) == (None, "range")


def test_khom_code_from_configuration():
    code = field(AGENCY, "ma_khom")
    assert values.parse("k2", code, ["K1", "K2"]) == ("K2", None)
    assert values.parse("K9", code, ["K1", "K2"]) == (None, "bad")


# ── issue 7: values that are not numbers ───────────────────────────────────────────────────


@pytest.mark.parametrize(
    "raw",
    [
        math.nan,
        math.inf,
        -math.inf,
        "NaN",
        "nan",
        "inf",
        "-Infinity",
        "1e5",
        "1_000",
        "１２",  # full-width digits
        "١٢",  # Arabic-Indic digits
        "9" * 400,
        "9" * 5000,  # int() itself raises above 4,300 digits
        1e300,
        10**400,
    ],
)
def test_non_numbers_are_bad_in_every_numeric_type(raw):
    for parse in (values.parse_integer, values.parse_number, values.parse_money, values.parse_rate):
        assert parse(raw) == (None, "bad"), (parse.__name__, raw)


def test_magnitude_limit_is_exactly_ten_to_the_fifteen():
    below, limit = values.MAX_MAGNITUDE - 1, values.MAX_MAGNITUDE
    assert values.parse_integer(below) == (below, None)
    assert values.parse_integer(str(below)) == (below, None)
    assert values.parse_integer(limit) == (None, "bad")
    assert values.parse_integer(str(limit)) == (None, "bad")
    assert values.parse_integer(float(limit)) == (None, "bad")
    assert values.parse_number(-float(limit)) == (None, "bad")
    assert values.parse_money("999.999.999.999.999") == (999_999_999_999_999, None)
    assert values.parse_money("1.000.000.000.000.000") == (None, "bad")


def test_diem_nan_never_passes_the_range_check():
    diem = field(KHOM_SELF, "DIEM")
    assert values.parse(math.nan, diem) == (None, "bad")
    assert values.parse("NaN", diem) == (None, "bad")
    assert values.parse("nan%", field(TARGETS, "GDVH_DAT_TL")) == (None, "bad")


@pytest.mark.parametrize(("raw", "expected"), [("85,5", 85.5), (".5", 0.5), ("-3", -3.0)])
def test_decimal_text_still_reads(raw, expected):
    assert values.parse_number(raw) == (expected, None)


@pytest.mark.parametrize("raw", [math.nan, math.inf, "NaN", 1e300])
def test_a_mark_that_is_not_a_number_one_or_zero_is_bad(raw):
    assert values.parse_mark(raw) == (None, "bad")
