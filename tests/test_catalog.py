"""One error catalogue: every rule of rules.md, one wording recipe."""

import re
from pathlib import Path

import pytest

from tqd_sheets import catalog
from tqd_sheets.findings import Severity

CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "spec" / "rules.md"
SEVERITY = {"Lỗi": Severity.ERROR, "Cảnh báo": Severity.WARNING, "—": Severity.NOTE}
# Rules an issue added after rules.md was written (the issue wins), with their severity.
ADDED_BY_ISSUES = {
    "F06": Severity.ERROR,  # issue 7: the tool failed on one file, the run goes on
    "F07": Severity.WARNING,  # issue 7: a feedback copy could not be made
    "F08": Severity.WARNING,  # issue 10: the .docx báo cáo could not be made
    "R14": Severity.ERROR,  # issue 7: an empty register (a warning outside a yearly period)
    "R15": Severity.WARNING,  # issue 7: a header read although typed differently
    "R16": Severity.ERROR,  # issue 7: a column or a register sheet twice
    # issue 9: a parent's run over its children's outputs (levels.md's family U)
    "U01": Severity.ERROR,
    "U02": Severity.ERROR,
    "U03": Severity.ERROR,
    "U04": Severity.ERROR,
    "U05": Severity.WARNING,
    "U06": Severity.ERROR,
    "U07": Severity.WARNING,
    # issue 9 (history): checks against earlier periods
    "L01": Severity.WARNING,  # the history file cannot be used: no comparison, outputs intact
    "L02": Severity.WARNING,  # Số năm liên tục contradicted by earlier years' registers
    "L03": Severity.WARNING,  # Số năm liên tục empty: the number history shows
    "L04": Severity.WARNING,  # a household gone from a khóm's register since last time
    "L05": Severity.WARNING,  # a household on another khóm's register last time
}
needs_contract = pytest.mark.skipif(not CONTRACT.exists(), reason="../shared/spec is not here")


def contract_rules() -> dict[str, Severity]:
    """code → severity, from the table of rules.md."""
    out = {}
    for line in CONTRACT.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| ([A-Z]\d\d) \| ([^|]+) \|", line)
        if m:
            out[m.group(1)] = SEVERITY[m.group(2).strip()]
    return out


RULES_MD = sorted(catalog.RULES)  # every rule the catalogue has, each checked below


@needs_contract
def test_the_catalogue_is_rules_md_plus_what_issues_added():
    contract = contract_rules()
    assert len(contract) > 30, "rules.md's table was not found"
    assert not contract.keys() & ADDED_BY_ISSUES.keys()
    assert set(catalog.RULES) == contract.keys() | ADDED_BY_ISSUES.keys()


@needs_contract
def test_every_severity_is_the_contracts():
    expected = contract_rules() | ADDED_BY_ISSUES
    assert {code: catalog.RULES[code].severity for code in expected} == expected


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


def test_every_rule_is_explained_in_kiem_tra(tmp_path):
    """The catalogue is KiemTra's `Giải thích mã lỗi` (a khóm's blank no longer lists it)."""
    from python_calamine import CalamineWorkbook

    from results_factory import make_results
    from tqd_sheets.report import RULES_SHEET, write_report

    path = write_report(tmp_path / "KiemTra.xlsx", make_results())
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(RULES_SHEET).to_python()
    explained = {row[0] for row in rows[2:] if row[3]}
    assert set(catalog.RULES) <= explained


def test_a_severity_other_than_the_rules_own_or_its_alternative_is_refused():
    from tqd_sheets.findings import Severity as S

    assert catalog.make("R14", severity=S.WARNING).severity is S.WARNING
    assert catalog.make("R14").severity is S.ERROR
    with pytest.raises(ValueError):
        catalog.make("R14", severity=S.NOTE)
    with pytest.raises(ValueError):
        catalog.make("R01", severity=S.WARNING)
