"""The register read column by column (`parse._records`) against a plain row-by-row reading.

The reference below is the cell-by-cell loop the parser used before it was made column-wise:
for every row, is anything typed; for every cell, `values.parse` and its finding. Random
registers (any cell value an officer or a broken file can leave, ragged rows, hidden rows,
formulas without result, extra and missing columns) must give the same frame, column by column
with the same dtypes and the same Python values, and the same findings in the same order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date, datetime

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tqd_sheets import catalog, values
from tqd_sheets.findings import Finding, a1
from tqd_sheets.parse import (
    BAD,
    ROW,
    Parsed,
    _Header,
    _header_row,
    _locate_columns,
    _records,
    _span,
)
from tqd_sheets.read import RawSheet
from tqd_sheets.spec import AGENCY, HOUSEHOLDS, SERIAL, UNITS, Need, TableSheet, VType

KHOM_CODES = ("K1", "K2", "K10")


def reference(
    out: Parsed, sheet: RawSheet, spec: TableSheet, head: _Header, khom_codes: Sequence[str]
) -> pd.DataFrame:
    """Row by row, cell by cell, as the parser read registers before it went column-wise."""
    col_of, extra = head.col_of, head.extra
    absent = frozenset(f.code for f in spec.fields if f.code not in col_of)
    typed = [c for f in spec.fields if f.code != SERIAL and (c := col_of.get(f.code)) is not None]
    typed += list(extra.values())
    formulas = {c for f in spec.fields if f.used and (c := col_of.get(f.code)) is not None}
    records: list[dict[str, object]] = []
    blank_run: list[int] = []
    hidden: list[int] = []
    for r in range(head.data, len(sheet.rows)):
        if all(values.is_blank(sheet.cell(r, c)) for c in typed) and not any(
            (r, c) in sheet.uncomputed for c in formulas
        ):
            if records:
                blank_run.append(r + 1)
            continue
        if blank_run:
            out.findings.append(
                catalog.make(
                    "R13",
                    file=out.file,
                    sheet=sheet.name,
                    row=blank_run[0],
                    problem=f"Dòng trống giữa danh sách (dòng {_span(blank_run)})",
                )
            )
            blank_run = []
        if r in sheet.hidden_rows:
            hidden.append(r + 1)
        rec: dict[str, object] = {ROW: r + 1}
        bad: set[str] = set(absent)
        for f in spec.fields:
            c = col_of.get(f.code)
            if c is None:
                rec[f.code] = None
                continue
            raw = sheet.cell(r, c)
            place = dict(file=out.file, sheet=sheet.name, cell=a1(r, c), row=r + 1, value=raw)
            if (r, c) in sheet.uncomputed:
                rec[f.code] = None
                if f.used:
                    bad.add(f.code)
                    out.findings.append(catalog.make("R12", label=f.label, **place))
                continue
            value, problem = values.parse(raw, f, khom_codes)
            if problem:
                bad.add(f.code)
            if problem and f.type is VType.MARK:
                out.findings.append(catalog.make("R04", label=f.label, **place))
            elif problem and f.rule == "P01":
                out.findings.append(
                    catalog.make(
                        "P01",
                        key=values.text(raw),
                        problem="không có trong danh sách đơn vị con",
                        **place,
                    )
                )
            elif problem and f.rule == "P05":
                key = values.text(sheet.cell(r, col_of.get(spec.anchor, c)))
                out.findings.append(
                    catalog.make(
                        "P05",
                        key=key or f"dòng {r + 1}",
                        problem=f"“{f.label}” phải là {f.describe_type()}",
                        **place,
                    )
                )
            elif problem:
                out.findings.append(
                    catalog.make("R03", label=f.label, expected=f.describe_type(), **place)
                )
            elif value is None and f.need is Need.REQUIRED:
                out.findings.append(catalog.make("R02", label=f.label, **place))
            rec[f.code] = value
        for name, c in extra.items():
            rec[name] = values.text(sheet.cell(r, c))
        rec[BAD] = frozenset(bad)
        records.append(rec)
    if hidden:
        out.findings.append(
            catalog.make(
                "R13",
                file=out.file,
                sheet=sheet.name,
                row=hidden[0],
                problem=f"Có {len(hidden)} dòng bị ẩn (dòng {', '.join(map(str, hidden[:10]))}"
                f"{'…' if len(hidden) > 10 else ''}); các hộ ở dòng ẩn vẫn được tính",
                fix="Bỏ ẩn các dòng (Unhide) để kiểm tra; xóa dòng nếu hộ không còn thuộc đơn vị.",
            )
        )
    columns = [ROW, *(f.code for f in spec.fields), *extra, BAD]
    return pd.DataFrame.from_records(records, columns=columns)


# Cell values a register can hold: what officers type, what calamine returns, what breaks.
CELLS = st.one_of(
    st.sampled_from(
        [
            None,
            "",
            "  ",
            "x",
            "X",
            " x ",
            "có",
            "không",
            "✓",
            "true",
            "0012",
            "12",
            " 3 ",
            "3,5",
            "1.000.000",
            "12%",
            "Nghèo",
            "cận nghèo",
            "Khá",
            "K1",
            "k10",
            "K3",
            "Nguyễn Văn An",
            "Nguye\u0302\u0303n",
            "10/12/2020",
            "31/02/2020",
            0,
            1,
            2,
            -1,
            99,
            100,
            10**15,
            0.0,
            -0.0,
            1.0,
            2.0,
            2.5,
            0.94,
            1e16,
            math.nan,
            math.inf,
            True,
            False,
            date(2020, 12, 10),
            datetime(2020, 12, 10),
            datetime(2020, 12, 10, 8, 30),
        ]
    ),
    st.integers(-5, 60),
    st.floats(allow_nan=False, width=32),
    st.text(alphabet="x 0123456789.,%Kk", max_size=5),
)


@st.composite
def registers(draw: st.DrawFn, spec: TableSheet) -> RawSheet:
    """A register: title rows, a header of the spec's columns in any order (some missing,
    some unknown added), then data rows, ragged, with blank runs, hidden rows and formulas
    without a stored result."""
    labels = [f.label for f in spec.fields]
    kept = draw(st.lists(st.sampled_from(labels), unique=True, min_size=len(labels) // 2))
    anchor = next(f.label for f in spec.fields if f.code == spec.anchor)
    if anchor not in kept:  # the anchor locates the header row
        kept.append(anchor)
    header = [*kept, *draw(st.lists(st.sampled_from(["Số điện thoại", "Ghi nhớ"]), unique=True))]
    header = draw(st.permutations(header))
    titles = draw(st.integers(0, 3))
    body = draw(
        st.lists(
            st.one_of(
                st.just([]),
                st.lists(CELLS, max_size=len(header) + 2),
                st.lists(CELLS, min_size=len(header), max_size=len(header)),
            ),
            max_size=25,
        )
    )
    rows: list[list[object]] = [["TIÊU ĐỀ", ""] for _ in range(titles)]
    rows += [list(header), *body]
    height, width = len(rows), len(header) + 2
    hidden = draw(st.frozensets(st.integers(titles + 1, max(titles + 1, height - 1)), max_size=4))
    uncomputed = draw(
        st.frozensets(
            st.tuples(st.integers(titles + 1, max(titles + 1, height - 1)), st.integers(0, width)),
            max_size=4,
        )
    )
    return RawSheet(spec.name, rows, hidden_rows=hidden, uncomputed=uncomputed)


Reader = Callable[[Parsed, RawSheet, TableSheet, _Header, Sequence[str]], pd.DataFrame]


def _read(sheet: RawSheet, spec: TableSheet, how: Reader) -> tuple[pd.DataFrame, list[Finding]]:
    out = Parsed("K1_2020.xlsx", None)
    found = _header_row(sheet, spec)
    assert found is not None
    frame = how(out, sheet, spec, _locate_columns(out, sheet, spec, found[0]), KHOM_CODES)
    return frame, out.findings


def _same_frames(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert got.dtypes.to_dict() == want.dtypes.to_dict()
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    for name in want.columns:  # the same Python values: 1 is not 1.0, -0.0 keeps its sign
        for a, b in zip(got[name].tolist(), want[name].tolist(), strict=True):
            assert type(a) is type(b), (name, a, b)
            if isinstance(b, float) and not math.isnan(b):
                assert math.copysign(1, a) == math.copysign(1, b), (name, a, b)


@pytest.mark.parametrize("spec", [HOUSEHOLDS, AGENCY, UNITS], ids=lambda s: s.name)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_column_wise_reading_is_the_row_by_row_reading(spec: TableSheet, data: st.DataObject):
    sheet = data.draw(registers(spec))
    got, got_findings = _read(sheet, spec, _records)
    want, want_findings = _read(sheet, spec, reference)
    _same_frames(got, want)
    assert got_findings == want_findings


def test_a_gap_of_blank_rows_and_a_hidden_row_are_named_as_before():
    """A fixed case the random ones may miss: a gap of three rows, one of one, a hidden row,
    a formula without result in a used column making a row of its own."""
    header = [f.label for f in HOUSEHOLDS.fields]
    hh = [1, "0001", "An", 1, "", 3, "", "x", "x", 2, "", "", "", ""]
    rows: list[list[object]] = [header, hh, [2], [3], [4], hh, [], hh, [""] * 14]
    nk = header.index("Số nhân khẩu")
    sheet = RawSheet(
        HOUSEHOLDS.name, rows, hidden_rows=frozenset({5}), uncomputed=frozenset({(8, nk)})
    )
    got, got_findings = _read(sheet, HOUSEHOLDS, _records)
    want, want_findings = _read(sheet, HOUSEHOLDS, reference)
    _same_frames(got, want)
    assert got_findings == want_findings
    # Counted by hand: records at rows 2, 6, 8 and 9 (row 9 holds only a formula without result
    # in Số nhân khẩu, column F); rows 3–5 hold only the STT, row 7 nothing, row 6 is hidden.
    assert list(got[ROW]) == [2, 6, 8, 9]
    assert [(f.code, f.row, f.cell) for f in got_findings] == [
        ("R13", 3, ""),
        ("R13", 7, ""),
        ("R02", 9, "B9"),
        ("R02", 9, "C9"),
        ("R02", 9, "D9"),
        ("R12", 9, "F9"),
        ("R13", 6, ""),
    ]
    assert "dòng 3–5" in got_findings[0].message
    assert "(dòng 7)" in got_findings[1].message
    # Empty required cells are R02, not unreadable: only the formula's cell is in `_bad`.
    assert got.loc[3, BAD] == frozenset({"nhan_khau"})
    assert got.loc[0, BAD] == frozenset()
