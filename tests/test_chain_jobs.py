"""Issue 11 at a parent's run: a city reads its wards' outputs across `--jobs` processes and
through the per-file cache, and writes the same outputs whatever the number of processes,
the order the work ends in, or what the cache holds; a child's output that kills its worker
is that child's F06 only.

The wards are real ward runs (`test_chain.run_ward`); the city's inbox holds, besides them, a
ward output with one edited figure (U03), a ward's workbook and its CSV (the CSV, copied
later, is used: U05 for the workbook), another ward's KiemTra and a note (F02) and a broken
workbook, so every kind of finding must come out in the same place."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from test_chain import CSV_WARD, SHIPPED, WARDS, P, city_config, data_row, edited, run_ward
from test_scale import consolidate, outputs_of
from tqd_sheets import cache, chain, pipeline
from tqd_sheets.results import CHUA_NOP, CO_LOI

CITY_TOML = SHIPPED / "thanh-pho-sa-dec-867.toml"
EDITED = "29905"  # its output has one figure edited: U03, left out
KILLER = "29917"  # the output a test makes kill its worker


@pytest.fixture(scope="module")
def city_inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("city-jobs")
    inbox = base / "inbox"
    inbox.mkdir()
    for w in WARDS:
        out = run_ward(base / w.ma, w)
        if w.ma == CSV_WARD:
            shutil.copy(out / f"DuLieu_{P.id}.csv", inbox / f"DuLieu_{P.id}_{w.ma}.csv")
            shutil.copy(out / f"KiemTra_{P.id}.xlsx", inbox / f"KiemTra_{P.id}_{w.ma}.xlsx")
        elif w.ma == EDITED:
            src = out / f"BaoCao_{P.id}.xlsx"
            row = data_row(src, EDITED, "HO")

            def change(wb, row: int = row) -> None:
                wb["Dữ liệu"][f"J{row}"] = wb["Dữ liệu"][f"J{row}"].value + 1

            edited(src, inbox / f"BaoCao_{P.id}_{w.ma}.xlsx", change)
        else:
            shutil.copy(out / f"BaoCao_{P.id}.xlsx", inbox / f"BaoCao_{P.id}_{w.ma}.xlsx")
            shutil.copy(out / f"DuLieu_{P.id}.csv", inbox / f"DuLieu_{P.id}_{w.ma}.csv")
    (inbox / "ghi-chu.txt").write_text("không phải kết quả", encoding="utf-8")
    (inbox / f"BaoCao_{P.id}_cu.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    return inbox


@pytest.fixture
def inbox(tmp_path: Path, city_inbox: Path) -> Path:
    folder = tmp_path / "inbox"
    shutil.copytree(city_inbox, folder)
    return folder


def files_of(inbox: Path) -> list[Path]:
    return pipeline.inbox_files(inbox)


def codes(run: pipeline.Run) -> list[tuple[str, str, str, str]]:
    return [(f.code, f.file, f.sheet, f.cell) for f in run.results.findings]


def test_the_inbox_gives_every_kind_of_finding(inbox: Path) -> None:
    """The fixture is what the other tests rely on: each kind of finding is there."""
    run = pipeline.consolidate(files_of(inbox), city_config(), P)
    found = {(c, f) for c, f, _, _ in codes(run)}
    assert ("U03", f"BaoCao_{P.id}_{EDITED}.xlsx") in found
    assert ("U05", f"BaoCao_{P.id}_{KILLER}.xlsx") in found
    assert ("F02", f"KiemTra_{P.id}_{CSV_WARD}.xlsx") in found
    assert ("F02", "ghi-chu.txt") in found
    assert ("F01", f"BaoCao_{P.id}_cu.xlsx") in found
    assert sorted(run.results.included) == sorted([KILLER, CSV_WARD])


def test_one_process_and_two_write_the_same_parent_outputs(inbox: Path, tmp_path: Path) -> None:
    one = consolidate(inbox, tmp_path / "one", "--jobs", "1", "--no-cache", config=CITY_TOML)
    two = consolidate(inbox, tmp_path / "two", "--jobs", "2", "--no-cache", config=CITY_TOML)
    assert one.rc == two.rc == 1, one.text + two.text
    assert one.out.replace(str(tmp_path / "one"), "X") == two.out.replace(
        str(tmp_path / "two"), "X"
    )
    first, second = outputs_of(tmp_path / "one"), outputs_of(tmp_path / "two")
    assert {"2020/BaoCao_2020.xlsx", "2020/KiemTra_2020.xlsx", "2020/manifest.json"} <= set(first)
    assert first == second


def test_the_order_the_work_ends_in_changes_nothing(
    inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers that finish the inbox backwards give the files in the inbox's order."""
    files = files_of(inbox)
    calm = pipeline.read_outputs(files, city_config(), jobs=1)
    real = pipeline.as_completed

    def backwards(futures):
        return reversed(list(real(futures)))

    monkeypatch.setattr(pipeline, "as_completed", backwards)
    got = pipeline.read_outputs(files, city_config(), jobs=2)
    assert [i.name for i in got] == [p.name for p in files]
    assert [i.findings for i in got] == [i.findings for i in calm]
    assert [i.alone for i in got] == [i.alone for i in calm]
    for a, b in zip(calm, got, strict=True):
        assert (a.child is None) == (b.child is None)
        if a.child is not None and b.child is not None:
            assert a.child.rows.equals(b.child.rows)


def test_the_cache_changes_no_parent_output_and_rereads_only_what_changed(
    inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[str] = []
    real = chain.read_checked

    def counted(path: Path) -> chain.Intake:
        reads.append(path.name)
        return real(path)

    monkeypatch.setattr(chain, "read_checked", counted)
    files = sorted(p.name for p in inbox.iterdir())
    plain = consolidate(inbox, tmp_path / "plain", "--jobs", "1", "--no-cache", config=CITY_TOML)
    assert sorted(reads) == files
    outbox = tmp_path / "cached"
    reads.clear()
    first = consolidate(inbox, outbox, "--jobs", "1", config=CITY_TOML)
    assert sorted(reads) == files
    assert len(list((outbox / cache.FOLDER).glob("*.pickle"))) == len(files)
    reads.clear()
    again = consolidate(inbox, outbox, "--jobs", "1", config=CITY_TOML)
    assert reads == []
    assert plain.rc == first.rc == again.rc == 1
    assert outputs_of(outbox) == outputs_of(tmp_path / "plain")

    # The edited ward sends its output again, repaired: only that file is read, and the
    # outputs are those of a run without any cache.
    fixed = inbox / f"BaoCao_{P.id}_{EDITED}.xlsx"
    row = data_row(fixed, EDITED, "HO")

    def repair(wb) -> None:
        wb["Dữ liệu"][f"J{row}"] = wb["Dữ liệu"][f"J{row}"].value - 1

    edited(fixed, fixed, repair)
    reads.clear()
    changed = consolidate(inbox, outbox, "--jobs", "1", config=CITY_TOML)
    assert reads == [fixed.name]
    fresh = consolidate(inbox, tmp_path / "fresh", "--jobs", "1", "--no-cache", config=CITY_TOML)
    assert changed.rc == fresh.rc
    assert outputs_of(outbox) == outputs_of(tmp_path / "fresh")
    assert len(list((outbox / cache.FOLDER).glob("*.pickle"))) == len(files)


def test_a_child_output_that_kills_its_worker_is_its_own_f06(
    inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other outputs in flight when the worker dies are read again, alone: their findings
    are as in one process, and nothing of the dead worker's is kept in the cache."""
    files = files_of(inbox)
    config = city_config()
    calm = pipeline.consolidate(files, config, P, jobs=1)
    killer = f"BaoCao_{P.id}_{KILLER}.xlsx"
    real = chain.read_checked

    def deadly(path: Path) -> chain.Intake:
        if path.name == killer:
            os._exit(1)  # as a process killed for its memory
        return real(path)

    monkeypatch.setattr(chain, "read_checked", deadly)  # the forked workers inherit it
    store = cache.Cache(tmp_path / "c", config)
    got = pipeline.read_outputs(files, config, jobs=2, cache=store)
    assert [f.code for f in got[[p.name for p in files].index(killer)].findings] == ["F06"]
    assert len(list((tmp_path / "c").glob("*.pickle"))) == len(files) - 1

    run = pipeline.consolidate(files, config, P, jobs=2)
    mine = [(f.code, f.khom) for f in run.results.findings if f.file == killer]
    assert mine == [("F06", KILLER)]
    others = [f for f in run.results.findings if f.file != killer]
    assert others == [f for f in calm.results.findings if f.file != killer]
    assert KILLER in run.results.included  # from its CSV, the later copy, as in one process


def test_a_crash_in_one_process_is_that_childs_f06(
    inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [p for p in files_of(inbox) if not p.name.startswith(f"DuLieu_{P.id}_{KILLER}")]
    config = city_config()
    real = chain.read_checked
    killer = f"BaoCao_{P.id}_{KILLER}.xlsx"

    def crashing(path: Path) -> chain.Intake:
        if path.name == killer:
            raise ZeroDivisionError
        return real(path)

    monkeypatch.setattr(chain, "read_checked", crashing)
    run = pipeline.consolidate(files, config, P, jobs=1)
    assert [(f.code, f.khom) for f in run.results.findings if f.file == killer] == [("F06", KILLER)]
    assert KILLER not in run.results.included
    status = dict(zip(run.results.overview.ma, run.results.overview.trang_thai, strict=True))
    assert status[KILLER] == CO_LOI != CHUA_NOP
    assert any(killer == t for t in run.results.ignored.tep)


def test_spawned_workers_read_as_forked_ones_do(
    inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows and macOS start workers afresh (spawn): the work and its answer must pickle,
    and the words of the messages are the configuration's there too."""
    files = files_of(inbox)
    forked = pipeline.read_outputs(files, city_config(), jobs=2)
    monkeypatch.setattr(pipeline, "start_method", lambda: "spawn")
    spawned = pipeline.read_outputs(files, city_config(), jobs=2)
    assert [i.name for i in spawned] == [i.name for i in forked]
    assert [i.findings for i in spawned] == [i.findings for i in forked]
    assert [i.alone for i in spawned] == [i.alone for i in forked]


def test_the_parent_run_is_the_one_before_issue_11(inbox: Path) -> None:
    """The whole run, read across two processes, against the frozen copy of the code before
    the parent's path was made parallel and fast (`chain_before`): every figure, finding,
    title and status."""
    import chain_before
    from test_children_speed import nan_free

    files = files_of(inbox)
    config = city_config()
    with pipeline.wording(config):  # as `pipeline.consolidate` ran it
        period, old_items, old = chain_before.consolidate(files, config, P)
        items = pipeline.read_outputs(files, config, jobs=2)
        new_period, new_items, new = chain.consolidate(items, config, P)
    assert new_period == period
    assert [(i.name, i.findings, i.ignored, i.unit) for i in new_items] == [
        (i.name, i.findings, i.ignored, i.unit) for i in old_items
    ]
    assert new.findings == old.findings
    assert new.data.equals(old.data)
    for frame in ("khom_titles", "ignored", "units_by_type", "targets"):
        assert getattr(new, frame).equals(getattr(old, frame)), frame
    # Since then, a child's Ngày lập is its report's day (test_chain): all else as it was.
    assert new.overview.drop(columns="ngay_lap").equals(old.overview.drop(columns="ngay_lap"))
    assert old.overview.ngay_lap.isna().all() and new.overview.ngay_lap.notna().any()
    keep = ("included", "expected", "ward_title", "ward_title_reasons", "complete", "children")
    assert nan_free([getattr(new, k) for k in keep]) == nan_free([getattr(old, k) for k in keep])
