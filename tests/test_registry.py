"""The indicator registry against the contract (`indicators.md`) and against its own users.

The contract is read from `../shared/spec/` when it is there (a developer's checkout, CI), so a
code added to or renamed in the contract without the registry (or the reverse) fails here.
"""

from __future__ import annotations

import re

import pytest

from builders import ROOT
from tqd_sheets import indicators, registry, spec
from tqd_sheets.registry import INDICATORS, Kind, Ratio

CONTRACT = ROOT.parent / "shared" / "spec" / "indicators.md"
# Codes an issue added after the contract was written (the issue wins where they differ).
ADDED_BY_ISSUES = frozenset(
    {"HO_NGHEO_LDTBXH", "HO_CAN_NGHEO_LDTBXH", "NGUOI_VI_PHAM", "KHOM_YTE", "KHOM_QS", "KHOM_TONG"}
)

needs_contract = pytest.mark.skipif(not CONTRACT.exists(), reason="../shared/spec is not here")


def contract_rows() -> list[list[str]]:
    """The rows of the first table of indicators.md, as lists of cell texts."""
    rows, seen_table = [], False
    for line in CONTRACT.read_text(encoding="utf-8").splitlines():
        if line.startswith("| code |"):
            seen_table = True
            continue
        if seen_table:
            if not line.startswith("|"):
                break
            if set(line) <= set("|- "):
                continue
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows


def codes_in(text: str) -> list[str]:
    return re.findall(r"`([A-Z][A-Z0-9_]*)`", text)


@needs_contract
def test_every_contract_code_is_registered_and_no_other() -> None:
    contract = {code for row in contract_rows() for code in codes_in(row[0])}
    assert contract, "indicators.md's table was not found"
    registered = {i.code for i in INDICATORS}
    assert registered - ADDED_BY_ISSUES == contract


@needs_contract
def test_every_rate_has_the_contract_denominator() -> None:
    checked = 0
    for row in contract_rows():
        codes = codes_in(row[0])
        rates = [c for c in codes if c.endswith("_TL")]
        den = codes_in(row[3])
        for rate in rates:
            source = registry.BY_CODE[rate].source
            assert isinstance(source, Ratio), rate
            assert [source.denominator] == den, rate
            # The numerator is the row's count, unless the row names another one for the rate.
            named = [c for c in codes_in(row[2]) if c != rate]
            assert source.numerator in (named or [c for c in codes if c != rate]), rate
            checked += 1
    assert checked == len(registry.RATES)


def test_codes_are_unique_and_rates_refer_to_registered_counts() -> None:
    codes = [i.code for i in INDICATORS]
    assert len(codes) == len(set(codes))
    for i in INDICATORS:
        if isinstance(i.source, Ratio):
            assert i.kind is Kind.RATE
            assert registry.BY_CODE[i.source.numerator].kind is not Kind.RATE
            assert registry.BY_CODE[i.source.denominator].kind is not Kind.RATE
            # A rate exists wherever its parts do: a ward-only rate has ward-only parts.
            if not i.parent_only:
                assert not registry.BY_CODE[i.source.numerator].parent_only


def test_self_assessed_and_agency_sources_name_spec_fields() -> None:
    self_codes = {f.code for f in spec.KHOM_SELF.fields}
    agency_cols = {f.code for f in spec.AGENCY.fields}
    register_cols = {f.code for f in spec.HOUSEHOLDS.fields}
    unit_cols = {f.code for f in spec.UNITS.fields}
    for i in INDICATORS:
        s = i.source
        if isinstance(s, registry.SelfAssessed):
            assert s.code in self_codes, i.code
        elif isinstance(s, registry.Agency):
            assert s.column in agency_cols, i.code
        elif isinstance(s, registry.Sum | registry.Marked | registry.Choice):
            assert s.column in register_cols, i.code
        elif isinstance(s, registry.MarkedAtLeast):
            assert {s.column, s.years_column} <= register_cols, i.code
        elif isinstance(s, registry.Units) and s.column is not None:
            assert s.column in unit_cols, i.code


def test_compute_follows_the_registry_order() -> None:
    assert [i.code for i in INDICATORS] == indicators.ORDER
    assert indicators.RATES == registry.RATES


def test_every_name_reads_in_the_words_of_any_kind() -> None:
    from tqd_sheets import units

    khom = {
        i.code: i.name.format_map(units.words(units.LEVEL["Khóm"], units.LEVEL["Phường"]))
        for i in INDICATORS
    }
    ap = {
        i.code: i.name.format_map(units.words(units.LEVEL["Ấp"], units.LEVEL["Xã"]))
        for i in INDICATORS
    }
    assert khom["KHOM_VMDT"] == "Khóm đạt chuẩn văn minh đô thị"
    assert khom["PHUONG_VMDT"] == "Phường đạt chuẩn văn minh đô thị"
    assert ap["KHOM_TONG"] == "Số ấp của xã"
    assert not any("khóm" in n.casefold() for n in ap.values())
