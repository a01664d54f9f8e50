"""The register checks that now work on plain columns (`validate._same_head_and_address`,
`validate.duplicates`) against the pandas-row readings they replaced, on random registers
where heads, addresses and Mã hộ repeat, are missing, blank or typed in another case."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tqd_sheets.findings import Finding
from tqd_sheets.parse import ROW, Parsed, Table, _header_row, _locate_columns, _records
from tqd_sheets.read import RawSheet
from tqd_sheets.spec import HOUSEHOLDS
from tqd_sheets.validate import _same_head_and_address, duplicates


def same_head_and_address_reference(table: Table, p: Parsed) -> list[tuple[str, str, int]]:
    df = table.frame
    named = df[df["chu_ho"].notna() & df["dia_chi"].notna() & (df["dia_chi"] != "")]
    if named.empty:
        return []
    key = named["chu_ho"].map(str).str.casefold() + "|" + named["dia_chi"].map(str).str.casefold()
    repeated = key.duplicated(keep=False)
    named, key = named[repeated], key[repeated]
    out = []
    for _, group in named.groupby(key, sort=False):
        if group["ma_ho"].nunique() < 2:
            continue
        for _, rec in group.iterrows():
            r = int(rec[ROW])
            out.append(("R11", table.ref("ma_ho", r), r))
    return out


def duplicates_reference(
    table: Table, code: str, label: str, file: str, rule: str
) -> list[tuple[str, str, int]]:
    df = table.frame
    if df.empty or code not in df:
        return []
    keys = df[code].dropna().map(str)
    keys = keys[keys != ""]
    repeated = keys[keys.duplicated(keep=False)]
    out = []
    for _key, group in df.loc[repeated.index].groupby(repeated, sort=False):
        rows = [int(r) for r in group[ROW]]
        for r in rows:
            out.append((rule, table.ref(code, r), r))
    return out


def seen(found: list[Finding]) -> list[tuple[str, str, int | None]]:
    return [(f.code, f.cell, f.row) for f in found]


HEADER = [f.label for f in HOUSEHOLDS.fields]
HOUSEHOLD = st.tuples(
    st.sampled_from(["0001", "0002", "0003", "", None, 7.0, "  "]),
    st.sampled_from(["Nguyễn Văn An", "nguyễn văn an", "Lê Thị Hà", "", None, "  "]),
    st.sampled_from(["1 Lê Lợi", "1 LÊ LỢI", "2 Hùng Vương", "", None]),
    st.sampled_from([None, "Ghi chú"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(HOUSEHOLD, max_size=12))
def test_plain_column_checks_are_the_pandas_row_checks(households):
    rows: list[list[object]] = [HEADER]
    for ma, head, place, note in households:
        rows.append([len(rows), ma, head, 1, place, 3, "", "", "", "", "", "", "", note])
    sheet = RawSheet(HOUSEHOLDS.name, rows)
    p = Parsed("K1_2020.xlsx", None)
    found = _header_row(sheet, HOUSEHOLDS)
    assert found is not None
    head = _locate_columns(p, sheet, HOUSEHOLDS, found[0])
    frame = _records(p, sheet, HOUSEHOLDS, head, ("K1",))
    table = Table(sheet.name, frame, {"ma_ho": "B", "chu_ho": "C", "dia_chi": "E"})
    # Where and what (the wording is test_stt_messages'): the same findings in the same order.
    assert seen(_same_head_and_address(table, p)) == same_head_and_address_reference(table, p)
    assert seen(duplicates(table, "ma_ho", "Mã hộ", p.file, "R05")) == duplicates_reference(
        table, "ma_ho", "Mã hộ", p.file, "R05"
    )


def test_a_head_and_address_in_two_cases_under_two_codes_is_r11_on_both_rows():
    rows: list[list[object]] = [HEADER]
    for ma, head, place in (("0001", "Lê Thị Hà", "1 Lê Lợi"), ("0002", "LÊ THỊ HÀ", "1 lê lợi")):
        rows.append([len(rows), ma, head, 1, place, 3, "", "", "", "", "", "", "", ""])
    rows.append([4, "0003", "Lê Thị Hà", 1, "", 3, "", "", "", "", "", "", "", ""])
    sheet = RawSheet(HOUSEHOLDS.name, rows)
    p = Parsed("K1_2020.xlsx", None)
    head = _locate_columns(p, sheet, HOUSEHOLDS, 0)
    table = Table(sheet.name, _records(p, sheet, HOUSEHOLDS, head, ("K1",)), {"ma_ho": "B"})
    got = _same_head_and_address(table, p)
    assert [(f.code, f.cell, f.value) for f in got] == [
        ("R11", "B2", "0001"),
        ("R11", "B3", "0002"),
    ]
