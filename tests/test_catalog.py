"""One error catalogue: every rule of rules.md, one wording recipe."""

import re

import pytest

from tqd_sheets import catalog
from tqd_sheets.findings import Severity

RULES_MD = [
    *(f"F0{i}" for i in range(1, 8)),  # F06 (a crash on one file), F07 (feedback copy): issue 7
    *(f"H0{i}" for i in range(1, 6)),
    *(f"R{i:02d}" for i in range(1, 17)),
    "K01",
    *(f"P0{i}" for i in range(1, 8)),
    *(f"I0{i}" for i in range(1, 6)),
]
ERRORS = {
    "F01",
    "F03",
    "F05",
    "F06",
    "H01",
    "H02",
    "R01",
    "R02",
    "R03",
    "R04",
    "R05",
    "R06",
    "R07",
    "R08",
    "R12",
    "R14",
    "R16",
    "K01",
    "P01",
    "P05",
    "P06",
    "P07",
    "I02",
}
NOTES = {"F02", "H03"}


def test_every_rule_of_the_spec_is_in_the_catalogue_once():
    assert sorted(catalog.RULES) == sorted(RULES_MD)


@pytest.mark.parametrize("code", RULES_MD)
def test_severity_matches_rules_md(code):
    expected = (
        Severity.ERROR if code in ERRORS else Severity.NOTE if code in NOTES else Severity.WARNING
    )
    assert catalog.RULES[code].severity is expected


@pytest.mark.parametrize("code", RULES_MD)
def test_every_message_follows_the_recipe(code):
    rule = catalog.RULES[code]
    params = {name: "«?»" for name in re.findall(r"{(\w+)}", rule.what + rule.fix)}
    f = catalog.make(
        code, file="k1.xlsx", sheet="Danh sách hộ", cell="I17", row=17, value="abc", **params
    )
    assert f.code == code and f.place == "'Danh sách hộ'!I17"
    assert "Giá trị hiện có: «abc»." in f.message and "Cách sửa:" in f.message
    assert rule.checks and rule.what and rule.fix


def test_place_without_cell_names_the_row_or_nothing():
    f = catalog.make("R13", sheet="Danh sách hộ", row=9, problem="Dòng trống")
    assert f.place == "'Danh sách hộ' dòng 9"
    assert catalog.make("I04").place == ""


def test_values_are_shown_as_an_officer_typed_them():
    from datetime import date

    assert catalog.make("R03", label="Tổ", expected="số", value=12.0).value == "12"
    assert catalog.make("H04", problem="x", value=date(2020, 12, 5)).value == "05/12/2020"
    assert catalog.make("R04", label="Đạt", value=True).value == "x"


def test_every_rule_is_explained_in_a_help_sheet():
    from tqd_sheets.spec import WORKBOOKS
    from tqd_sheets.template import help_rows

    explained = {
        row.cells[0]
        for wb in WORKBOOKS.values()
        for row in help_rows(wb)
        if row.style == "row" and row.cells
    }
    assert set(catalog.RULES) <= explained


def test_a_severity_other_than_the_rules_own_or_its_alternative_is_refused():
    from tqd_sheets.findings import Severity as S

    assert catalog.make("R14", severity=S.WARNING).severity is S.WARNING
    assert catalog.make("R14").severity is S.ERROR
    with pytest.raises(ValueError):
        catalog.make("R14", severity=S.NOTE)
    with pytest.raises(ValueError):
        catalog.make("R01", severity=S.WARNING)
