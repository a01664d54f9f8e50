"""Issue 11: the same outputs whatever the number of processes, with or without the cache; the
cache re-reads only what changed and shrugs off a damaged entry; the bar stays off the logs."""

from __future__ import annotations

import io
import json
import os
import pickle
import shutil
from dataclasses import replace
from pathlib import Path

import docx
import pytest
from python_calamine import CalamineWorkbook

from builders import build_inbox, dataset, error_book, run_cli, write_khom
from builders import consolidate as cli_consolidate
from tqd_sheets import cache, pipeline, progress
from tqd_sheets.config import Config
from tqd_sheets.pipeline import Checked, check_files
from tqd_sheets.spec import MARKER_SHEET


def consolidate(*args: object, **kwargs: object):
    """A run from an empty history: these tests compare runs of one inbox, and a second run
    must not be a re-run that history compares with the first."""
    history = Path(f"{args[1]}-lich-su")
    shutil.rmtree(history, ignore_errors=True)
    os.environ["TQD_LICH_SU"] = str(history)
    return cli_consolidate(*args, **kwargs)


@pytest.fixture(scope="module")
def base(tmp_path_factory, blanks) -> Path:
    """All four khóm (K2 with errors) and the ward, plus a file that is no workbook."""
    books, ward = dataset()
    books = dict(books)
    books["K2"] = error_book(books["K2"])[0]
    tmp = tmp_path_factory.mktemp("scale")
    build_inbox(tmp / "inbox", tmp / "work", blanks, books, ward)
    (tmp / "inbox" / "K4_cu.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    return tmp / "inbox"


@pytest.fixture
def inbox(tmp_path, base) -> Path:
    folder = tmp_path / "inbox"
    shutil.copytree(base, folder)
    return folder


def outputs_of(outbox: Path) -> dict[str, object]:
    """Everything a run wrote, as values: every sheet of every workbook, the CSV, the
    manifest but for its time, and where the cache is, its entries' names."""
    out: dict[str, object] = {}
    for p in sorted((outbox / "2020").rglob("*")):
        name = str(p.relative_to(outbox))
        if p.suffix == ".xlsx":
            book = CalamineWorkbook.from_path(str(p))
            sheets = {s: book.get_sheet_by_name(s).to_python() for s in book.sheet_names}
            if MARKER_SHEET in sheets:  # when the run wrote it: a time, like the manifest's
                sheets[MARKER_SHEET] = [r for r in sheets[MARKER_SHEET] if r[0] != "thoi_gian"]
            out[name] = sheets
        elif p.suffix == ".docx":  # its zip holds the time it was written: compare its text
            out[name] = [para.text for para in docx.Document(str(p)).paragraphs]
        elif p.suffix == ".json":
            manifest = json.loads(p.read_text(encoding="utf-8"))
            manifest.pop("thoi_gian")
            out[name] = manifest
        elif p.is_file():
            out[name] = p.read_bytes()
    return out


def test_one_process_and_two_write_the_same_outputs(inbox, tmp_path):
    one = consolidate(inbox, tmp_path / "one", "--jobs", "1", "--no-cache")
    two = consolidate(inbox, tmp_path / "two", "--jobs", "2", "--no-cache")
    assert one.rc == two.rc == 1, one.text + two.text
    assert one.out.replace(str(tmp_path / "one"), "X") == two.out.replace(
        str(tmp_path / "two"), "X"
    )
    first, second = outputs_of(tmp_path / "one"), outputs_of(tmp_path / "two")
    assert "2020/phan-hoi/K2_2020_kiem-tra.xlsx" in first  # a copy made from a re-read grid
    assert first == second
    assert not (tmp_path / "one" / cache.FOLDER).exists()


def test_the_cache_changes_no_output_and_rereads_only_what_changed(
    inbox, tmp_path, blanks, monkeypatch
):
    reads: list[str] = []
    real = pipeline._check_file

    def counted(path, config, trust_marker):
        reads.append(path.name)
        return real(path, config, trust_marker)

    monkeypatch.setattr(pipeline, "_check_file", counted)
    plain = consolidate(inbox, tmp_path / "plain", "--jobs", "1", "--no-cache")
    files = sorted(p.name for p in inbox.iterdir())
    assert sorted(reads) == files
    outbox = tmp_path / "cached"
    reads.clear()
    first = consolidate(inbox, outbox, "--jobs", "1")
    assert sorted(reads) == files
    entries = sorted((outbox / cache.FOLDER).glob("*.pickle"))
    assert len(entries) == len(files)
    reads.clear()
    again = consolidate(inbox, outbox, "--jobs", "1")
    assert reads == []
    assert plain.rc == first.rc == again.rc == 1
    assert outputs_of(outbox) == outputs_of(tmp_path / "plain")

    # K3 sent again with one household fewer: only K3 is read, and the outputs are those
    # of a run without any cache.
    books, _ = dataset()
    k3 = books["K3"]
    write_khom(replace(k3, households=k3.households[:-1]), blanks, inbox / "K3_2020.xlsx")
    reads.clear()
    changed = consolidate(inbox, outbox, "--jobs", "1")
    assert reads == ["K3_2020.xlsx"]
    fresh = consolidate(inbox, tmp_path / "fresh", "--jobs", "1", "--no-cache")
    assert changed.rc == fresh.rc
    assert outputs_of(outbox) == outputs_of(tmp_path / "fresh")
    # The entry of K3's older bytes is gone: the cache holds what the inbox holds.
    assert len(list((outbox / cache.FOLDER).glob("*.pickle"))) == len(files)


def test_a_damaged_or_foreign_entry_is_read_again_silently(inbox, tmp_path, monkeypatch):
    outbox = tmp_path / "out"
    assert consolidate(inbox, outbox, "--jobs", "1").rc == 1
    expected = outputs_of(outbox)
    entries = sorted((outbox / cache.FOLDER).glob("*.pickle"))
    entries[0].write_bytes(b"garbage")
    # A well-formed pickle under another entry's name: its key inside does not match.
    entries[1].write_bytes(entries[2].read_bytes())
    reads: list[str] = []
    real = pipeline._check_file
    monkeypatch.setattr(
        pipeline, "_check_file", lambda p, c, t: reads.append(p.name) or real(p, c, t)
    )
    run = consolidate(inbox, outbox, "--jobs", "1")
    assert run.rc == 1 and "Traceback" not in run.text
    assert len(reads) == 2
    assert outputs_of(outbox) == expected


def test_an_entry_is_keyed_by_bytes_name_and_configuration(inbox, tmp_path, config: Config):
    k1 = inbox / "K1_2020.xlsx"
    c = cache.Cache(tmp_path / "c", config)
    copy = tmp_path / "K1_copy.xlsx"
    shutil.copy(k1, copy)
    other = cache.Cache(tmp_path / "c", config.model_copy(update={"han_nop": {"2020": "1/1"}}))
    assert c.key(k1) is not None
    assert len({c.key(k1), c.key(copy), other.key(k1)}) == 3
    assert c.get(k1) is None  # nothing kept yet
    checked = check_files([k1], config)[0]
    c.put(k1, checked)
    back = c.get(k1)
    assert back is not None and back.raw is None
    assert back.findings == checked.findings and back.parsed is not None
    assert back.parsed.households().equals(checked.wb.households())


def test_checked_pickles_without_its_grid(inbox, config):
    checked = pipeline.read_and_check(inbox / "K2_2020.xlsx", config)
    assert checked.raw is not None
    back: Checked = pickle.loads(pickle.dumps(pipeline._pooled(inbox / "K2_2020.xlsx", config)))
    assert back.raw is None
    assert back.findings == checked.findings


def test_check_with_two_processes_prints_as_with_one(inbox):
    files = [inbox / "K1_2020.xlsx", inbox / "K2_2020.xlsx", inbox / "nowhere.xlsx"]
    one = run_cli("check", "--jobs", "1", *files)
    two = run_cli("check", "--jobs", "2", *files)
    assert one.rc == two.rc == 2
    assert one.out == two.out
    assert "nowhere.xlsx: không tìm thấy tệp." in one.out


@pytest.mark.parametrize("text", ["0", "-1", "hai"])
def test_jobs_must_be_a_positive_whole_number(text, tmp_path):
    run = run_cli("consolidate", "--inbox", tmp_path, "--jobs", text)
    assert run.rc == 2
    assert "số tiến trình phải là số nguyên từ 1 trở lên" in run.err


def test_the_bar_stays_out_of_logs(inbox, tmp_path):
    run = consolidate(inbox, tmp_path / "out", "--jobs", "2")
    assert "Đọc và kiểm tra" not in run.text and "\r" not in run.text
    assert not progress.shown(100)  # pytest's output is not a terminal


def test_the_plain_bar_counts_to_the_total(monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr(progress.sys, "stderr", err)
    bar = progress._Plain(4, "Đọc")
    for _ in range(4):
        bar.update()
    bar.close()
    assert err.getvalue().rstrip().endswith("] 4/4")
    assert progress.shown(progress.MIN_FILES) is False


def test_a_list_longer_than_a_sheet_goes_on_into_a_second_sheet(tmp_path, monkeypatch, config):
    import pandas as pd

    from tqd_sheets import registers
    from tqd_sheets.periods import Period

    frame = pd.DataFrame(
        [
            {
                "_row": 4 + i,
                "ma_ho": f"{i:04d}",
                "chu_ho": f"Hộ {i}",
                "to": 1,
                "dia_chi": "",
                "dk_gdvh": True,
                "dat_gdvh": True,
                "nam_lien_tuc": 3,
                "nhan_khau": 2,
            }
            for i in range(7)
        ]
    )
    regs = [registers.KhomRegister("K1", "Khóm 1", frame)]
    monkeypatch.setattr(registers, "SHEET_ROWS", 12)  # 7 header rows + 3 lines + 2 below
    path = registers.write_registers(tmp_path / "D.xlsx", regs, config, Period.parse("2020"))
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names[:3] == ["Đạt GĐVH", "Đạt GĐVH (2)", "Đạt GĐVH (3)"]
    pages = [book.get_sheet_by_name(n).to_python() for n in book.sheet_names[:3]]
    # The group row, then households 1…7, three lines a sheet; the count closes the last.
    lines = [row[:3] for rows in pages for row in rows[7:] if row[0] != ""]
    assert lines[0][0] == "Khóm 1: 7 hộ"
    assert [r[2] for r in lines[1:8]] == [f"{i:04d}" for i in range(7)]
    assert lines[-1][0] == "Danh sách có 7 hộ."
    assert [len(p) for p in pages] == [10, 10, 11]  # 7 + 3, 7 + 3, 7 + 2 + a gap + the count
    register = [n for n in book.sheet_names if n.startswith("Sổ hộ")]
    assert register == ["Sổ hộ toàn phường"]  # 3 header rows + 7 households fit in 12


def test_ods_hidden_rows_and_merges_come_from_the_one_scan(tmp_path):
    """The scan that measures an .ods also finds its hidden rows and merged cells, exactly as
    a parse of the content finds them; content.xml is read once."""
    import zipfile

    from tqd_sheets import extent, read

    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )

    def cell(t: str, attrs: str = "") -> str:
        head = '<table:table-cell office:value-type="string"' + attrs + ">"
        return head + "<text:p>" + t + "</text:p></table:table-cell>"

    span3 = ' table:number-columns-spanned="3"'
    span2x2 = ' table:number-rows-spanned="2" table:number-columns-spanned="2"'
    rows = (
        "<table:table-row>"
        + cell("T", span3)
        + '<table:covered-table-cell table:number-columns-repeated="2"/></table:table-row>'
        + '<table:table-row table:visibility="collapse" table:number-rows-repeated="2">'
        + cell("a")
        + "</table:table-row>"
        + '<table:table-row><table:table-cell table:number-columns-repeated="2"/>'
        + cell("b", span2x2)
        + "</table:table-row>"
        + '<table:table-row table:visibility="filter">'
        + cell("c")
        + "</table:table-row>"
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}>'
        "<office:body><office:spreadsheet>"
        f'<table:table table:name="A &amp; B">{rows}</table:table>'
        f'<table:table table:name="Hai">{cell("x")}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    path = tmp_path / "m.ods"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
    marks = extent.OdsMarks()
    extent.ods_extents(path, lambda done, reach: False, marks)
    assert marks.complete
    from_scan = read._ods_flags(path, marks)
    from_parse = read._ods_flags(path)
    assert from_scan == from_parse
    assert from_scan["A & B"] == read.SheetFlags(
        frozenset({1, 2, 4}), frozenset(), (((0, 0), (0, 2)), ((3, 2), (4, 3)))
    )


def test_spawned_workers_check_as_forked_ones_do(inbox, config, monkeypatch):
    """Windows and macOS start workers afresh (spawn): the work and its answer must pickle."""
    files = sorted(p for p in inbox.iterdir() if p.name.startswith(("K1", "K2", "K4")))
    forked = check_files(files, config, jobs=2)
    monkeypatch.setattr(pipeline, "start_method", lambda: "spawn")
    spawned = check_files(files, config, jobs=2)
    assert [c.name for c in spawned] == [c.name for c in forked]
    assert [c.findings for c in spawned] == [c.findings for c in forked]
    assert all(c.raw is None for c in spawned + forked)


def test_a_file_that_kills_its_worker_is_its_own_f06(inbox, tmp_path, monkeypatch, config):
    """The other files in flight when a worker dies are read again, alone: their findings
    are as in one process, and no F06 of a dead worker is kept in the cache."""
    import os

    real = pipeline._check_file

    def deadly(path, config, trust_marker):
        if path.name == "K2_2020.xlsx":
            os._exit(1)  # as a process killed for its memory
        return real(path, config, trust_marker)

    files = sorted(inbox.iterdir())
    calm = check_files(files, config, jobs=1)
    monkeypatch.setattr(pipeline, "_check_file", deadly)  # the forked workers inherit it
    store = cache.Cache(tmp_path / "c", config)
    got = check_files(files, config, jobs=2, cache=store)
    for before, after in zip(calm, got, strict=True):
        if after.name == "K2_2020.xlsx":
            assert [f.code for f in after.findings] == ["F06"]
        else:
            assert after.findings == before.findings
    assert len(list((tmp_path / "c").glob("*.pickle"))) == len(files) - 1


def test_register_text_round_trips_through_the_streamed_xml(tmp_path, config):
    import pandas as pd

    from tqd_sheets import registers
    from tqd_sheets.periods import Period

    odd = ['  Lê & <Văn> "A"  ', "dòng 1\ndòng 2", "'=1+1", "x\x0by"]
    frame = pd.DataFrame(
        [
            {
                "_row": 4 + i,
                "ma_ho": f"00{i}",
                "chu_ho": name,
                "to": 1.5,
                "dia_chi": None,
                "dk_gdvh": True,
                "dat_gdvh": True,
                "nam_lien_tuc": 4,
                "nhan_khau": float("nan"),
            }
            for i, name in enumerate(odd)
        ]
    )
    reg = registers.KhomRegister("K1", "Khóm <1>", frame)
    path = registers.write_registers(tmp_path / "D.xlsx", [reg], config, Period.parse("2020"))
    book = CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_name("Sổ hộ toàn phường").to_python()
    names = [r[2] for r in rows[3:]]
    assert names == ['  Lê & <Văn> "A"  ', "dòng 1\ndòng 2", "'=1+1", "x\ny"]
    assert [r[0] for r in rows[3:]] == ["Khóm <1>"] * 4
    listed = book.get_sheet_by_name("Đạt GĐVH").to_python()
    assert [r[0] for r in listed if str(r[0]).startswith("Khóm")] == ["Khóm <1>: 4 hộ"]
    assert [r[1] for r in listed[8:12]] == [1.5] * 4


def test_an_input_is_hashed_once_a_run_and_afresh_the_next(tmp_path, monkeypatch):
    """The cache's key, the manifest and the history ask for the same SHA-256."""
    import hashlib

    from tqd_sheets import cache

    path = tmp_path / "K1.xlsx"
    path.write_bytes(b"first")
    opened: list[Path] = []
    real_open = Path.open

    def counting(self, mode="r", *args, **kwargs):
        if mode == "rb":
            opened.append(self)
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", counting)
    cache.forget_digests()
    first = hashlib.sha256(b"first").hexdigest()
    assert cache.sha256_of(path) == first
    assert cache.file_digest(path) == first
    assert opened == [path]
    path.write_bytes(b"second!")  # another size: another file, whatever the clock says
    assert cache.sha256_of(path) == hashlib.sha256(b"second!").hexdigest()
    assert len(opened) == 2
    cache.forget_digests()  # a new run
    cache.sha256_of(path)
    assert len(opened) == 3


def test_workers_write_the_cache_and_a_second_run_reads_nothing(inbox, tmp_path, config):
    files = sorted(inbox.iterdir())
    store = cache.Cache(tmp_path / "c", config)
    first = check_files(files, config, jobs=2, cache=store)
    assert len(list((tmp_path / "c").glob("*.pickle"))) == len(files)
    assert list((tmp_path / "c").glob(".*")) == []  # no half-written entry left

    def never(path, config, trust_marker):
        raise AssertionError(f"{path.name} read again")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pipeline, "_check_file", never)
        again = check_files(files, config, jobs=2, cache=cache.Cache(tmp_path / "c", config))
    assert [c.findings for c in again] == [c.findings for c in first]
    assert [c.name for c in again] == [p.name for p in files]


def test_equal_specs_unpickle_as_one_and_different_ones_apart():
    """Each parsed workbook carries its spec: a province's run holds one copy, not 1,500."""
    import pickle

    from tqd_sheets import spec, units

    khom = spec.worded(spec.Kind.KHOM, units.LEVEL["Khóm"], units.LEVEL["Phường"])
    ap = spec.worded(spec.Kind.KHOM, units.LEVEL["Ấp"], units.LEVEL["Xã"])
    a, b, c = (pickle.loads(pickle.dumps(s)) for s in (khom, khom, ap))
    assert a is b and a == khom
    assert c == ap and c != a
    assert [sh.name for sh in a.sheets] == [sh.name for sh in khom.sheets]
