"""The bad-input corpus (make_corpus.py) through `pipeline.check_file`.

For every case: the findings (errors, warnings, and the F02 notes of ignored files) are exactly
the expected set of (code, sheet, cell); no exception escapes; every place a finding names exists
in the file; every message is Vietnamese and says how to fix it; the check answers quickly.
"""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from make_corpus import (
    CASE_NAMES,
    FORMULA_TEXT,
    H_CHU,
    HOUSEHOLDS,
    NFD,
    NOTES,
    SIGNED_TEXTS,
    Case,
    available,
    col_number,
    main,
    used_ranges,
)
from tqd_sheets.catalog import RULES
from tqd_sheets.findings import Finding, Severity
from tqd_sheets.parse import ROW, Parsed, parse_workbook
from tqd_sheets.pipeline import Checked, check_file
from tqd_sheets.read import read_workbook

TODAY = date(2021, 1, 15)
MAX_SECONDS = 5.0  # "within a few seconds", even for the million-row sheet on a busy CI core

# Product bugs the corpus found go here (case → reason): the case is a strict xfail until
# the bug is fixed. Every bug found so far is fixed.
BUGS: dict[str, str] = {}

VIETNAMESE = re.compile(
    r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.IGNORECASE
)
A1 = re.compile(r"^([A-Z]{1,3})([1-9]\d*)$")
NO_VALUE = re.compile(r"«(nan|NaN|None|NaT|<NA>)»")


@dataclass
class Outcome:
    case: Case
    path: Path
    checked: Checked | None
    error: BaseException | None
    seconds: float

    def places(self) -> set[tuple[str, str, str]]:
        assert self.checked is not None
        return {
            (f.code, f.sheet, f.cell)
            for f in self.checked.findings
            if f.severity is not Severity.NOTE or f.code == "F02"
        }


@pytest.fixture(scope="session")
def corpus(corpus_files, config) -> dict[str, Outcome]:
    """The corpus, built once, each file checked once."""
    out = {}
    for case, path in corpus_files:
        start = time.perf_counter()
        try:
            checked, error = check_file(path, config, today=TODAY), None
        except Exception as exc:  # reported by the tests, never escaping the fixture
            checked, error = None, exc
        out[case.name] = Outcome(case, path, checked, error, time.perf_counter() - start)
    return out


def outcome(corpus: dict[str, Outcome], name: str) -> Outcome:
    if name not in corpus:
        why = available(name)[1]
        pytest.skip(why or f"case {name} not built")
    got = corpus[name]
    assert got.error is None, f"{name}: check_file raised {got.error!r}"
    return got


def params(bugs: dict[str, str] | None = None):
    out = []
    for name in CASE_NAMES:
        marks = []
        if bugs and name in bugs:
            marks.append(pytest.mark.xfail(strict=True, reason=bugs[name]))
        out.append(pytest.param(name, marks=marks, id=name))
    return out


def test_corpus_has_enough_cases(corpus):
    assert len(CASE_NAMES) >= 45
    assert len(corpus) >= 45
    codes = {code for o in corpus.values() for code, _, _ in o.case.expected}
    wanted = {
        "F01",
        "F02",
        "F03",
        "F04",
        "F05",
        "H01",
        "H02",
        "H04",
        "H05",
        "I05",
        "R01",
        "R02",
        "R03",
        "R04",
        "R05",
        "R07",
        "R08",
        "R09",
        "R10",
        "R11",
        "R12",
        "R13",
        "R14",
        "R15",
        "R16",
        "K01",
        "P01",
        "P05",
        "P06",
        "P07",
    }
    assert wanted <= codes, sorted(wanted - codes)


@pytest.mark.parametrize("name", params(BUGS))
def test_findings_are_exactly_the_expected_ones(corpus, name):
    got = outcome(corpus, name)
    actual = got.places()
    want = set(got.case.expected)
    assert actual == want, (
        f"{name} ({NOTES[name]})\n  missing:    {sorted(want - actual)}\n"
        f"  unexpected: {sorted(actual - want)}\n  messages:\n    "
        + "\n    ".join(f"[{f.code}] {f.place} {f.message}" for f in got.checked.findings)
    )


def assert_well_formed(findings: list[Finding], path: Path) -> None:
    """Codes known, severities as catalogued, places that exist, Vietnamese messages."""
    with_sheet = [f for f in findings if f.sheet]
    sheets = set(CalamineWorkbook.from_path(str(path)).sheet_names) if with_sheet else set()
    grids = used_ranges(path) if any(f.cell for f in findings) else {}
    for f in findings:
        assert f.code in RULES, f
        assert f.severity in (RULES[f.code].severity, RULES[f.code].alt), f
        assert f.file == path.name, f
        assert f.message.strip(), f
        assert VIETNAMESE.search(f.message) and "Cách sửa:" in f.message, f.message
        # a placeholder leaking into the wording; what the officer typed (`NaN`) may be shown
        shown = f.message.replace(f"«{f.value}»", "") if f.value else f.message
        assert not NO_VALUE.search(shown), f"{f.code}: a non-value shown: {f.message}"
        if f.sheet:
            assert f.sheet in sheets, f"{f.code}: sheet {f.sheet!r} not in {sorted(sheets)}"
        if f.cell:
            assert f.sheet, f"{f.code}: a cell {f.cell} without a sheet"
            m = A1.match(f.cell)
            assert m, f"{f.code}: {f.cell!r} is not an A1 reference"
            rows, cols = grids[f.sheet]
            row, col = int(m.group(2)), col_number(m.group(1))
            assert row <= rows and col <= cols, (
                f"{f.code}: {f.sheet}!{f.cell} outside the used range ({rows} rows × {cols} cols)"
            )
            assert f.row == row, f


@pytest.mark.parametrize("name", params())
def test_findings_are_well_formed(corpus, name):
    got = outcome(corpus, name)
    assert_well_formed(got.checked.findings, got.path)


@pytest.mark.parametrize("name", params())
def test_check_answers_quickly(corpus, name):
    got = outcome(corpus, name)
    assert got.seconds < MAX_SECONDS, f"{name}: check_file took {got.seconds:.1f} s"


@pytest.mark.parametrize("name", ["f02_lock_file", "f02_hidden_file", "f02_pdf"])
def test_ignored_files_are_not_read(corpus, name):
    got = outcome(corpus, name)
    assert got.checked.ignored and got.checked.parsed is None
    assert [f.severity for f in got.checked.findings] == [Severity.NOTE]


# ── what the no-finding cases must read ────────────────────────────────────────────────────


def parsed(corpus, name: str, config) -> Parsed:
    got = outcome(corpus, name)
    raw, findings = read_workbook(got.path)
    assert raw is not None and findings == []
    return parse_workbook(raw, config.khom_codes)


def household_row(p: Parsed, i: int) -> dict[str, object]:
    return p.households().iloc[i].to_dict()


def test_text_that_looks_like_a_formula_is_read_as_text(corpus, config):
    p = parsed(corpus, "ok_formula_like_text", config)
    assert household_row(p, 0)["chu_ho"] == FORMULA_TEXT


def test_text_beginning_with_plus_minus_at_is_read_as_text(corpus, config):
    p = parsed(corpus, "ok_signed_text", config)
    row = household_row(p, 1)
    codes = {"Địa chỉ": "dia_chi", "Ghi chú": "ghi_chu", H_CHU: "chu_ho"}
    assert {codes[h]: row[codes[h]] for h in SIGNED_TEXTS} == {
        codes[h]: t for h, t in SIGNED_TEXTS.items()
    }


def test_nfd_text_is_read_as_nfc(corpus, config):
    p = parsed(corpus, "ok_nfd_text", config)
    row = household_row(p, 3)
    assert row["chu_ho"] == unicodedata.normalize("NFC", NFD[H_CHU])
    assert row["ngheo"] == "Cận nghèo" and row["dk_gdvh"] is True
    assert row["nhan_khau"] == HOUSEHOLDS[3]["Số nhân khẩu"]
    assert p.values["ky"] == "Năm" and p.values["NGAY_HOI"] is True


def test_integers_typed_as_text_are_integers(corpus, config):
    p = parsed(corpus, "ok_integers_as_text", config)
    row = household_row(p, 2)
    assert (row["nhan_khau"], row["to"]) == (12, 3)
    assert (p.values["nam"], p.values["TT_BUOI"], p.values["KINH_PHI"]) == (2020, 3, 1_500_000)


def test_formula_with_cached_value_counts_by_its_value(corpus, config):
    p = parsed(corpus, "ok_formula_cached", config)
    assert household_row(p, 4)["nhan_khau"] == 4


def _register(p: Parsed) -> pd.DataFrame:
    return p.households().drop(columns=[ROW]).reset_index(drop=True)


@pytest.mark.parametrize("name", ["ok_valid_xls", "ok_valid_ods", "ok_xlsm_content_type"])
def test_every_format_reads_the_same_register(corpus, config, name):
    base = parsed(corpus, "ok_valid_khom", config)
    other = parsed(corpus, name, config)
    pd.testing.assert_frame_equal(_register(other), _register(base), check_dtype=False)
    assert {k: other.values[k] for k in base.values} == base.values
    assert len(base.households()) == len(HOUSEHOLDS)


def test_script_usage(capsys):
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err
