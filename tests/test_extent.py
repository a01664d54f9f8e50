"""The size scan of an .xlsx: vector passes over the XML agree with the regex they replace.

`extent._look` finds, in one buffer of a sheet's XML, whether every cell tag is a bare
`<c r="…"`, whether the sheet may hold formulas or hidden rows, and the cells that hold a
value. Here it is compared with the slower ways it replaced (copied below, frozen) on
generated XML full of near misses, and the whole read is checked to decompress a register
once. The scan's agreement with calamine itself is in `test_read_trust.py`.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tqd_sheets import extent, read

# ── the ways before (frozen copies) ───────────────────────────────────────────────────────

FILLED = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*(?<!/)>\s*<(?:v|f|is)[\s/>]')
OTHER_CELL = re.compile(rb'<c(?! r=")[\s/>]')
PREFIXED_CELL = re.compile(rb"<[A-Za-z_][\w.-]*:c[\s/>]")
MAYBE_FLAGGED = (b"<f>", b"<f ", b"<f/", b":f>", b":f ", b":f/", b'hidden="1"', b'hidden="true"')


def letters_to_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def filled_before(buf: bytes) -> list[tuple[int, int]]:
    return sorted((int(d), letters_to_number(c)) for c, d in FILLED.findall(buf))


def plain_before(buf: bytes) -> bool:
    if buf.count(b"<c") != buf.count(b'<c r="') and OTHER_CELL.search(buf):
        return False
    return not PREFIXED_CELL.search(buf)


def flagged_before(buf: bytes) -> bool:
    return any(mark in buf for mark in MAYBE_FLAGGED)


# ── generated sheet XML ───────────────────────────────────────────────────────────────────

LETTERS = st.text("ABCXYZ", min_size=1, max_size=4).map(str.encode)
DIGITS = st.text("0123456789", min_size=1, max_size=8).map(str.encode)
VALUE = st.sampled_from(
    [b"<v>1</v>", b"<is><t>x</t></is>", b"<f>A1</f><v>2</v>", b"<f/>", b"<vx/>", b"<i/>", b""]
)
GAP = st.sampled_from([b"", b"", b"", b" ", b"\n  "])
ATTRS = st.sampled_from([b"", b' s="3"', b' t="inlineStr"', b' t="s" s="12"'])


@st.composite
def cells(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["cell", "cell", "cell", "empty", "odd", "row", "text"]))
    if kind == "row":
        return draw(st.sampled_from([b'<row r="7">', b"</row>", b'<row r="3" hidden="1">']))
    if kind == "text":
        return draw(
            st.sampled_from(
                [b"<t>12:c 3</t>", b"<t>a<c</t>", b'<x:c r="B2"/>', b"<c>", b"<col/>", b"<cols>"]
            )
        )
    ref = draw(LETTERS) + draw(DIGITS)
    if kind == "empty":
        return b'<c r="' + ref + b'"' + draw(ATTRS) + b"/>"
    if kind == "odd":
        return draw(st.sampled_from([b'<c s="1" r="', b'<c  r="', b'<c\tr="'])) + ref + b'"/>'
    value = draw(VALUE)
    return b'<c r="' + ref + b'"' + draw(ATTRS) + b">" + draw(GAP) + value + b"</c>"


SHEETS = st.lists(cells(), max_size=40).map(b"".join)


@settings(max_examples=400, deadline=None)
@given(SHEETS, st.sampled_from([extent._look_vector, extent._look_regex]))
def test_the_vector_look_agrees_with_the_regexes_it_replaced(buf, look_at):
    """Both ways: the vector passes (long buffers) and the regexes (short ones)."""
    look = look_at(buf, len(buf))
    # Never plain where the old way was not; not plain beyond it only for a `:c` in text,
    # which sends the sheet to the slow count (right, only slower).
    assert look.plain == plain_before(buf) or (plain_before(buf) and re.search(rb":c[\s/>]", buf))
    if look.plain:
        assert look.flagged or not flagged_before(buf)  # it may only over-estimate
        if look.exact:
            assert sorted(
                zip(look.rows.tolist(), look.cols.tolist(), strict=True)
            ) == filled_before(buf)
        else:
            assert re.search(rb"<c r=\"[^>]*[^/]>\s", buf)  # a value apart from its tag


BOTH = pytest.mark.parametrize("look_at", [extent._look_vector, extent._look_regex])


@BOTH
def test_a_cell_at_the_end_of_the_buffer_and_one_never_closed(look_at):
    assert filled_before(b'<c r="AB12"><v>1</v></c>') == [(12, 28)]
    look = look_at(b'<c r="AB12"><v>1</v></c>', 24)
    assert (look.rows.tolist(), look.cols.tolist()) == ([12], [28])
    look = look_at(b'<c r="A1"><v>1</v></c><c r="XFD1048576"', 39)
    assert (look.rows.tolist(), look.cols.tolist()) == ([1], [1])


@BOTH
def test_only_tags_before_the_cut_count(look_at):
    buf = b'<c r="A1"><v>1</v></c><c r="Z9"><v>1</v></c>'
    look = look_at(buf, buf.index(b'<c r="Z9"'))
    assert (look.rows.tolist(), look.cols.tolist()) == ([1], [1])


@BOTH
def test_the_farthest_references_a_writer_may_use(look_at):
    buf = b'<c r="XFD1048576"><v>1</v></c><c r="A9999999"><v>1</v></c>'
    look = look_at(buf, len(buf))
    assert sorted(zip(look.rows.tolist(), look.cols.tolist(), strict=True)) == [
        (1048576, 16384),
        (9999999, 1),
    ]


def test_a_register_is_decompressed_once(blanks, tmp_path, monkeypatch):
    """The size scan, the sheet list and the flags come from one pass; the prolog check of
    the safety test reads only the first bytes."""
    from tqd_sheets.fill import fill

    path = fill(
        blanks / "BieuKhom_K1_2020.xlsx",
        tmp_path / "K1.xlsx",
        tables={"Danh sách hộ": [{"Mã hộ": f"H{i:04d}", "Số nhân khẩu": 3} for i in range(400)]},
    )
    with zipfile.ZipFile(path) as zf:
        sheets, _ = extent.ooxml_sheets(zf)
        member = next(s.member for s in sheets if s.name == "Danh sách hộ")
        size = zf.getinfo(member).file_size
    assert size > 200_000
    got: Counter[str] = Counter()
    original = zipfile.ZipExtFile.read

    def counted(self, n=-1):
        data = original(self, n)
        got[self.name] += len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counted)
    raw, findings = read.read_workbook(path)
    assert raw is not None and findings == []
    assert size <= got[member] <= size + 128 * 1024  # one pass, and the prolog's 64 KiB


def test_flags_are_parsed_only_for_sheets_the_scan_saw_marks_in(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "A"
    ws["A1"] = "=1+1"
    ws.row_dimensions[3].hidden = True
    ws["A3"] = 1
    other = wb.create_sheet("B")
    other["A1"] = 5
    wb.save(tmp_path / "f.xlsx")
    scan = extent.xlsx_scan(tmp_path / "f.xlsx", lambda done, reach: False)
    assert scan.sheets == ("A", "B")
    assert scan.flagged == frozenset({"A"})
    flags = read._ooxml_flags(tmp_path / "f.xlsx", scan.flagged)
    assert set(flags) == {"A"}
    assert flags["A"].hidden == frozenset({2})
    assert flags["A"].uncomputed == frozenset({(0, 0)})


def test_a_file_the_scan_cannot_measure_is_still_read(tmp_path: Path):
    """No `xl/_rels/workbook.xml.rels`: the scan gives up, calamine decides (F01 here)."""
    src = tmp_path / "ok.xlsx"
    import openpyxl

    openpyxl.Workbook().save(src)
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(broken, "w") as zout:
        for info in zin.infolist():
            if info.filename != "xl/_rels/workbook.xml.rels":
                zout.writestr(info, zin.read(info))
    assert read._xlsx_scan(broken) is None
    raw, findings = read.read_workbook(broken)
    assert raw is None and [f.code for f in findings] == ["F01"]


@settings(max_examples=200, deadline=None)
@given(st.lists(cells(), min_size=1, max_size=60).map(b"".join), st.integers(8, 64))
def test_chunks_give_every_tag_whole_once(data, size):
    """Read in pieces of `size` bytes: each tag starts before exactly one buffer's cut (in
    the order of the file) and lies whole in that buffer."""
    import io

    original = extent._CHUNK, extent._MARGIN
    extent._CHUNK, extent._MARGIN = size, 4
    try:
        seen: list[bytes] = []
        for buf, cut in extent._chunks(io.BytesIO(data)):
            starts = [m.start() for m in re.finditer(rb"<", buf) if m.start() < cut]
            for s in starts:
                end = buf.find(b">", s)
                whole = data.find(buf[s : end + 1]) >= 0 if end >= 0 else False
                seen.append(buf[s : end + 1] if whole else buf[s:])
        want = [data[m.start() : data.find(b">", m.start()) + 1] for m in re.finditer(rb"<", data)]
        assert seen == want
    finally:
        extent._CHUNK, extent._MARGIN = original


def test_only_the_wanted_sheets_are_read_but_all_are_measured(tmp_path):
    import openpyxl

    from tqd_sheets.spec import MARKER_SHEET

    wb = openpyxl.Workbook()
    wb.active.title = "A"
    wb.active["A1"] = "=1+1"
    wb.create_sheet("B")["B2"] = 1
    wb.create_sheet(MARKER_SHEET).append(["loai", "bao_cao"])
    wb.save(tmp_path / "f.xlsx")
    raw, findings = read.read_workbook(tmp_path / "f.xlsx", only={"B"})
    assert findings == [] and raw is not None
    assert list(raw.sheets) == ["B", MARKER_SHEET]
    assert raw.marker == {"loai": "bao_cao"}
    far = tmp_path / "far.xlsx"
    wb["A"]["XFD1048576"] = 1  # a sheet not read is still measured before calamine runs
    wb.save(far)
    raw, findings = read.read_workbook(far, only={"B"})
    assert raw is None and [f.code for f in findings] == ["F05"]
