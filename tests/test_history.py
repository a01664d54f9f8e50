"""History (history.md) end to end: a ward's 2019 run, its 2020 runs, comparisons, checks.

The workbooks are generated blanks filled as an officer would (builders.py). The 2019 registers
are derived from the 2020 ones so that every claimed Số năm liên tục agrees with them, then a
few households are changed on purpose; every expected number and place is computed here, from
the households written, never read back from the program.
"""

from __future__ import annotations

import copy
import hashlib
import math
import re
import sqlite3
import unicodedata
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from builders import (
    CONFIG,
    H_DAT,
    H_DK,
    H_MA,
    H_NAM,
    KHOM,
    WARD,
    Household,
    KhomBook,
    WardBook,
    dataset,
    expected_data,
    read_csv_data,
    read_sheet_data,
    register_layout,
    run_cli,
    sheet_rows,
    write_khom,
    write_ward,
)
from test_words import fill_child, fill_ward, sa_dec_toml
from tqd_sheets import history, history_run, units
from tqd_sheets.config import load_config, parse_config
from tqd_sheets.periods import Period
from tqd_sheets.pipeline import consolidate, inbox_files
from tqd_sheets.template import khom_template_name, ward_template_name, write_templates

STORE = "lich-su/29917.sqlite"
TOML = CONFIG.read_text("utf-8") + f'\n[lich_su]\ntep = "{STORE}"\n'


def _status(h: Household, dat: bool, nam: int) -> Household:
    """`h` with Đạt GĐVH and Số năm liên tục set, typed plainly."""
    h = copy.deepcopy(h)
    h.dat, h.nam = dat, nam
    h.dk = h.dk or dat
    h.typed.update({H_DAT: "x" if dat else None, H_DK: "x" if h.dk else None})
    h.typed.pop(H_NAM, None)
    h.ht = h.ht and dat
    h.tt = h.tt and dat
    h.typed.pop("Gia đình học tập", None)
    h.typed.pop("Gia đình thể thao", None)
    return h


def agreeing_2019(h: Household) -> Household:
    """Last year's record of a 2020 household whose claim history confirms: Đạt in 2019 with
    one year less when it claims two or more, not Đạt otherwise."""
    if h.dat and h.nam >= 2:
        return _status(h, True, h.nam - 1)
    return _status(h, False, 0)


# The households changed on purpose (by khóm and Mã hộ).
CONTRADICTED = ("K1", 0)  # K1's first Đạt household claims 3 years; 2019 says not Đạt
EMPTY_CLAIM = ("K4", "0304")  # Đạt, Số năm liên tục empty; Đạt in 2019 → history says 2
LOST = Household("9999", "Ngô Văn Mất", 7, 2, "99 Lê Lợi")  # on K2's 2019 list only
MOVED_FROM, MOVED_TO = "K2", "K3"  # K3's first household was K2's in 2019


def _year(book: KhomBook, year: int) -> KhomBook:
    return replace(book, ngay_lap=date(year, 12, 10))


def books_2020() -> tuple[dict[str, KhomBook], WardBook]:
    books, ward = dataset()
    k1 = books["K1"]
    first = next(i for i, h in enumerate(k1.households) if h.dat)
    hh = list(k1.households)
    hh[first] = _status(hh[first], True, 3)
    books["K1"] = replace(k1, households=hh)
    return {k: _year(b, 2020) for k, b in books.items()}, ward


def contradicted(books: dict[str, KhomBook]) -> tuple[int, Household]:
    hh = books["K1"].households
    i = next(i for i, h in enumerate(hh) if h.dat)
    return i, hh[i]


def books_2019(now: dict[str, KhomBook]) -> dict[str, KhomBook]:
    out = {
        k: replace(b, households=[agreeing_2019(h) for h in b.households]) for k, b in now.items()
    }
    i, _ = contradicted(now)
    out["K1"].households[i] = _status(out["K1"].households[i], False, 0)
    k4 = out["K4"].households
    j = next(j for j, h in enumerate(k4) if h.ma_ho == EMPTY_CLAIM[1])
    k4[j] = _status(k4[j], True, 1)
    moved = out[MOVED_TO].households.pop(0)
    out[MOVED_FROM].households.extend([moved, LOST])
    return {k: _year(b, 2019) for k, b in out.items()}


def write_inbox(
    folder: Path, blanks: Path, books: dict[str, KhomBook], ward: WardBook, year: int
) -> Path:
    inbox = folder / f"inbox{year}"
    inbox.mkdir(parents=True, exist_ok=True)
    for code, book in books.items():
        write_khom(book, blanks, inbox / f"{code}_{year}.xlsx", str(year))
    write_ward(
        replace(ward, ngay_lap=date(year, 12, 18)), blanks, inbox / f"P_{year}.xlsx", str(year)
    )
    return inbox


class Ward:
    """The ward of the tests, with its own configuration and history file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.toml = root / "tqd.toml"
        self.toml.write_text(TOML, "utf-8")
        self.config = load_config(self.toml)
        self.store = root / STORE
        self.blanks = root / "blanks"
        for year in (2019, 2020):
            write_templates(self.blanks, self.config, Period.parse(str(year)))

    def cli(self, *argv: object):
        run = run_cli("--config", self.toml, *argv)
        assert "Traceback" not in run.text, run.text
        return run

    def consolidate(self, inbox: Path, outbox: Path, period: str):
        return self.cli("consolidate", "--inbox", inbox, "--outbox", outbox, "--period", period)

    def attach(self, inbox: Path, period: str):
        """What `consolidate` computes before writing, in process: the Results to inspect."""
        run = consolidate(inbox_files(inbox), self.config, Period.parse(period))
        assert history_run.attach(run, self.config, self.store)
        return run


@pytest.fixture(scope="module")
def ward(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("ward-history")
    w = Ward(root)
    now, ward_book = books_2020()
    before = books_2019(now)
    inbox19 = write_inbox(root, w.blanks, before, ward_book, 2019)
    inbox20 = write_inbox(root, w.blanks, now, ward_book, 2020)
    r19 = w.consolidate(inbox19, root / "outbox", "2019")
    assert r19.rc in (0, 1), r19.text
    first = w.attach(inbox20, "2020")
    r20 = w.consolidate(inbox20, root / "outbox", "2020")
    assert r20.rc in (0, 1), r20.text
    return {
        "w": w,
        "now": now,
        "before": before,
        "ward_book": ward_book,
        "inbox20": inbox20,
        "first": first,
    }


# ── last year's figures, the trend ─────────────────────────────────────────────────────────


def _rows(df: pd.DataFrame) -> dict[tuple[str, str], float]:
    return {
        (
            r.ma_don_vi,
            r.ma_chi_tieu if not r.phan_loai else f"{r.ma_chi_tieu}/{r.phan_loai}",
        ): r.gia_tri
        for r in df.itertuples()
    }


def _close(a: float | None, b: float) -> bool:
    if a is None:
        return math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=0)


def test_the_2020_run_holds_2019_as_last_years_figures(ward):
    r = ward["first"].results
    assert r.previous_period == Period.parse("2019") and r.previous_note == ""
    want = expected_data(ward["before"], ward["ward_book"], KHOM)
    got = _rows(r.previous)
    assert set(got) == set(want)
    bad = [k for k, v in want.items() if not _close(v.value, got[k])]
    assert bad == []
    assert r.previous_value(WARD, "HO") == sum(len(b.households) for b in ward["before"].values())


def test_the_trend_holds_both_years(ward):
    t = ward["first"].results.trend
    gdvh = t[(t.ma_don_vi == WARD) & (t.ma_chi_tieu == "GDVH_DAT_TL")]
    assert list(gdvh.ky) == ["2019", "2020"]
    want = {
        "2019": expected_data(ward["before"], ward["ward_book"], KHOM)[WARD, "GDVH_DAT_TL"],
        "2020": expected_data(ward["now"], ward["ward_book"], KHOM)[WARD, "GDVH_DAT_TL"],
    }
    assert all(_close(want[k].value, v) for k, v in zip(gdvh.ky, gdvh.gia_tri, strict=True))


def test_a_first_run_of_a_period_has_no_changes(ward):
    assert ward["first"].results.changes is None


# ── checks from history ────────────────────────────────────────────────────────────────────


def _findings(run) -> set[tuple[str, str, str]]:
    return {(f.code, f.file, f.place) for f in run.results.findings if f.code.startswith("L")}


def test_history_checks_name_the_households_and_cells(ward):
    now, before, w = ward["now"], ward["before"], ward["w"]
    lay = register_layout(w.blanks / "BieuKhom_K1_2020.xlsx")
    i, _ = contradicted(now)
    j = next(j for j, h in enumerate(now["K4"].households) if h.ma_ho == EMPTY_CLAIM[1])
    moved = now[MOVED_TO].households[0]
    assert moved.ma_ho in {h.ma_ho for h in before[MOVED_FROM].households}
    expected = {
        ("L02", "K1_2020.xlsx", lay.cell(H_NAM, i)),
        ("L03", "K4_2020.xlsx", lay.cell(H_NAM, j)),
        ("L04", "K2_2020.xlsx", "'Danh sách hộ'"),
        ("L05", "K3_2020.xlsx", lay.cell(H_MA, 0)),
    }
    assert _findings(ward["first"]) == expected


def test_the_warnings_say_the_years_and_numbers(ward):
    by = {f.code: f for f in ward["first"].results.findings if f.code.startswith("L")}
    assert "2019" in by["L02"].message and "«3»" in by["L02"].message
    assert "2019" in by["L03"].message and "là 2 năm" in by["L03"].message
    assert LOST.ma_ho in by["L04"].message and LOST.chu_ho in by["L04"].message
    assert "Khóm 2" in by["L05"].message and "Khóm 3" in by["L05"].message


def test_the_report_lists_the_history_warnings(ward):
    report = ward["w"].root / "outbox" / "2020" / "KiemTra_2020.xlsx"
    codes = {
        str(v).strip()
        for row in sheet_rows(report, "Chi tiết")
        for v in row
        if re.fullmatch(r"L0\d", str(v).strip())
    }
    assert codes == {"L02", "L03", "L04", "L05"}


# ── a corrected re-run lists exactly what changed ──────────────────────────────────────────


def test_a_rerun_after_a_correction_lists_exactly_the_changed_figures(ward, tmp_path):
    now, w = ward["now"], ward["w"]
    k2 = copy.deepcopy(now["K2"])
    idx = next(i for i, h in enumerate(k2.households) if not h.dat and not h.vp)
    k2.households[idx] = _status(k2.households[idx], True, 1)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for p in ward["inbox20"].iterdir():
        if not p.name.startswith("K2"):
            (inbox / p.name).write_bytes(p.read_bytes())
    write_khom(replace(k2, ngay_lap=date(2020, 12, 14)), w.blanks, inbox / "K2_2020.xlsx")
    run = w.attach(inbox, "2020")
    old = expected_data(now, ward["ward_book"], KHOM)
    new = expected_data({**now, "K2": k2}, ward["ward_book"], KHOM)
    want = {
        k: (old[k].value, new[k].value)
        for k in old.keys() | new.keys()
        if (k in old) != (k in new) or not _same(old[k].value, new[k].value)
    }
    ch = run.results.changes
    got = {
        (r.ma_don_vi, r.ma_chi_tieu if not r.phan_loai else f"{r.ma_chi_tieu}/{r.phan_loai}"): (
            r.cu,
            r.moi,
        )
        for r in ch.itertuples()
    }
    assert set(got) == set(want) and want
    assert all(_same(want[k][0], got[k][0]) and _same(want[k][1], got[k][1]) for k in want)
    assert {("K2", "GDVH_DAT"), (WARD, "GDVH_DAT")} <= set(got)
    assert ch.lan_truoc.nunique() == 1 and ch.lan_truoc.iloc[0][:4] == str(date.today().year)


def _same(a: float | None, b: float | None) -> bool:
    a = math.nan if a is None else a
    b = math.nan if b is None else b
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=0)


# ── carry forward ──────────────────────────────────────────────────────────────────────────


def test_the_2021_blank_of_each_khom_lists_its_2020_households(ward):
    w, now = ward["w"], ward["now"]
    out = w.root / "blanks2021"
    run = w.cli("template", "--period", "2021", "--out", out)
    assert run.rc == 0, run.text
    for code in KHOM:
        rows = sheet_rows(out / f"BieuKhom_{code}_2021.xlsx", "Danh sách hộ")
        head = [str(v).strip() for v in rows[2]]
        listed = [r for r in rows[3:] if str(r[head.index(H_MA)]).strip()]
        hh = now[code].households
        assert [str(r[head.index(H_MA)]) for r in listed] == [h.ma_ho for h in hh], code
        names = [unicodedata.normalize("NFC", h.chu_ho) for h in hh]  # as the reader reads
        assert [r[head.index("Họ và tên chủ hộ")] for r in listed] == names
        assert [int(r[head.index("Số nhân khẩu")]) for r in listed] == [h.nhan_khau for h in hh]
        for mark in (H_DK, H_DAT, "Gia đình học tập", "Vi phạm pháp luật"):
            assert all(r[head.index(mark)] in ("", None) for r in listed), (code, mark)
        years = [r[head.index(H_NAM)] for r in listed]
        want = [(h.nam or 1) + 1 if h.dat else "" for h in hh]
        assert [int(y) if y != "" else "" for y in years] == want, code
    assert "đã điền sẵn" in run.out


# ── imports ────────────────────────────────────────────────────────────────────────────────


def _counts(store: Path) -> tuple[int, int, int]:
    con = sqlite3.connect(store)
    try:
        return tuple(  # type: ignore[return-value]
            con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("lan_chay", "du_lieu", "ho")
        )
    finally:
        con.close()


def test_importing_the_same_files_twice_changes_nothing(ward, tmp_path):
    w = ward["w"]
    toml = tmp_path / "tqd.toml"
    toml.write_text(TOML, "utf-8")
    out19 = w.root / "outbox" / "2019"
    files = [
        out19 / "BaoCao_2019.xlsx",
        out19 / "DuLieu_2019.csv",
        w.root / "inbox2019" / "K1_2019.xlsx",
    ]
    first = run_cli("--config", toml, "history", "import", *files)
    assert first.rc == 0, first.text
    store = tmp_path / STORE
    once = _counts(store)
    digest = hashlib.sha256(store.read_bytes()).hexdigest()
    again = run_cli("--config", toml, "history", "import", *files)
    assert again.rc == 0 and again.text.count("đã nhập trước đây") == 3, again.text
    assert _counts(store) == once and hashlib.sha256(store.read_bytes()).hexdigest() == digest
    assert once[0] == 3 and once[2] == len(ward["before"]["K1"].households)
    # The imported output is last year's figures, as the run's own record was.
    runs = history.load_runs(store)
    data = history.load_data(store, runs.id)
    ward_rows = data[(data.ma_don_vi == WARD) & (data.lan_chay == runs.id.iloc[1])]
    want = expected_data(ward["before"], ward["ward_book"], KHOM)
    assert _close(
        want[WARD, "GDVH_DAT_TL"].value,
        float(ward_rows[ward_rows.ma_chi_tieu == "GDVH_DAT_TL"].gia_tri.iloc[0]),
    )
    # A ward starting with imports compares with them: every 2019 figure, as computed here.
    first = ward["first"].results
    unit = history_run.unit_of(load_config(toml), first)
    got = history_run.compare(unit, Period.parse("2020"), first.data, store).previous
    assert got is not None
    prev = _rows(got.rows)
    assert set(prev) == set(want) and all(_close(v.value, prev[k]) for k, v in want.items())


def test_an_unreadable_file_is_named_not_a_traceback(tmp_path):
    toml = tmp_path / "tqd.toml"
    toml.write_text(TOML, "utf-8")
    junk = tmp_path / "rac.csv"
    junk.write_text("a,b\n1,2\n", "utf-8")
    run = run_cli("--config", toml, "history", "import", junk, tmp_path / "khong-co.xlsx")
    assert run.rc == 1 and "Traceback" not in run.text
    assert "rac.csv: không nhập được" in run.out and "khong-co.xlsx: không nhập được" in run.out


# ── a corrupt file ─────────────────────────────────────────────────────────────────────────


def test_a_corrupt_history_file_is_a_warning_and_the_same_outputs(ward, tmp_path):
    good, bad = tmp_path / "good", tmp_path / "bad"
    for folder, content in ((good, None), (bad, b"this is not a database" * 100)):
        folder.mkdir()
        (folder / "tqd.toml").write_text(TOML, "utf-8")
        if content is not None:
            (folder / STORE).parent.mkdir(parents=True)
            (folder / STORE).write_bytes(content)
    runs = {}
    for folder in (good, bad):
        runs[folder] = run_cli(
            "--config", folder / "tqd.toml", "consolidate", "--inbox", ward["inbox20"],
            "--outbox", folder / "outbox", "--period", "2020",
        )  # fmt: skip
        assert "Traceback" not in runs[folder].text
    assert runs[good].rc == runs[bad].rc
    assert (bad / STORE).read_bytes() == b"this is not a database" * 100  # never overwritten
    a, b = good / "outbox" / "2020", bad / "outbox" / "2020"
    assert (a / "DuLieu_2020.csv").read_bytes() == (b / "DuLieu_2020.csv").read_bytes()
    assert read_sheet_data(a / "BaoCao_2020.xlsx") == read_sheet_data(b / "BaoCao_2020.xlsx")
    assert read_csv_data(a / "DuLieu_2020.csv")
    codes = [str(v).strip() for row in sheet_rows(b / "KiemTra_2020.xlsx", "Chi tiết") for v in row]
    assert "L01" in codes
    assert "L01" not in [
        str(v).strip() for row in sheet_rows(a / "KiemTra_2020.xlsx", "Chi tiết") for v in row
    ]


# ── across the 2025 reform ─────────────────────────────────────────────────────────────────


def test_sa_dec_2025q4_compares_with_tan_quy_dong_2024q4_through_thay_the(tmp_path, monkeypatch):
    monkeypatch.delenv("TQD_LICH_SU")  # both files in lich-su/ beside the configurations
    old_toml = tmp_path / "tqd_29917.toml"
    old_toml.write_text(CONFIG.read_text("utf-8"), "utf-8")
    old_config = load_config(old_toml)
    q = "2024Q4"
    blanks, inbox = tmp_path / "blanks", tmp_path / "inbox24"
    write_templates(blanks, old_config, Period.parse(q))
    inbox.mkdir()
    books, ward_book = dataset()
    books = {k: replace(b, ngay_lap=date(2024, 12, 10)) for k, b in books.items()}
    for code, book in books.items():
        write_khom(book, blanks, inbox / f"{code}_{q}.xlsx", q)
    write_ward(replace(ward_book, ngay_lap=date(2024, 12, 18)), blanks, inbox / "P.xlsx", q)
    old = run_cli("--config", old_toml, "consolidate", "--inbox", inbox, "--outbox",
                  tmp_path / "out24", "--period", q)  # fmt: skip
    assert old.rc in (0, 1) and "Traceback" not in old.text, old.text
    old_store = tmp_path / "lich-su" / "29917.sqlite"
    assert old_store.is_file()
    before = old_store.read_bytes()

    toml = tmp_path / "tqd.toml"
    toml.write_text(sa_dec_toml(), "utf-8")
    config = parse_config(sa_dec_toml(), "tqd.toml")
    p = Period.parse("2025Q4")
    new_blanks, new_inbox = tmp_path / "blanks25", tmp_path / "inbox25"
    new_inbox.mkdir()
    write_templates(new_blanks, config, p)
    for i, k in enumerate(config.khom):
        name = khom_template_name(k.ma, p, k.cap)
        fill_child(new_blanks / name, new_inbox / name, k.level, f"{i}", 6, 5, 2025)
    header = f"Mã {units.mixed(config.child_levels).noun}"
    ward_name = ward_template_name(config, p)
    fill_ward(new_blanks / ward_name, new_inbox / ward_name, list(config.khom_codes), header, 2025)
    store = history_run.store_of(config, toml)
    assert store == tmp_path / "lich-su" / "29905.sqlite"
    run = consolidate(inbox_files(new_inbox), config, p)
    assert history_run.attach(run, config, store)
    r = run.results
    assert r.previous_period == Period.parse("2024Q4")
    prev = _rows(r.previous)
    want = {
        ("29905", code): v
        for (unit, code), v in expected_data(books, ward_book, KHOM).items()
        if unit == WARD and code != "PHUONG_VMDT"  # Tân Quy Đông's title is not Sa Đéc's
    }
    assert set(prev) == set(want)
    assert all(_close(v.value, prev[k]) for k, v in want.items())
    assert set(r.previous.ky) == {"2024Q4"} and set(r.previous.ten_don_vi) == {"Phường Sa Đéc"}
    note = r.previous_note
    assert "Phường Tân Quy Đông (29917)" in note and "NQ 1663/NQ-UBTVQH15" in note
    assert "01/07/2025" in note and "Phường 1 (29905)" in note  # held nothing of it
    t = r.trend[(r.trend.ma_don_vi == "29905") & (r.trend.ma_chi_tieu == "GDVH_DAT_TL")]
    assert list(t.ky) == ["2024Q4", "2025Q4"]
    # The whole command: it records the merged unit's run, never touches the old file.
    new = run_cli("--config", toml, "consolidate", "--inbox", new_inbox, "--outbox",
                  tmp_path / "out25", "--period", "2025Q4")  # fmt: skip
    assert new.rc in (0, 1) and "Traceback" not in new.text, new.text
    assert old_store.read_bytes() == before
    assert list(history.load_runs(store).ky) == ["2025Q4"]


def test_running_a_period_again_compares_with_the_first_run(tmp_path: Path, blanks: Path):
    """The usual second run of a period (a file with errors left out the first time): history
    is read, not refused — no L01 — and the run is recorded again."""
    from builders import build_inbox, dataset, error_book
    from builders import consolidate as run_consolidate

    books, ward = dataset()
    books = dict(books)
    books["K2"] = error_book(books["K2"])[0]  # K2 is left out: its households are not in `ho`
    build_inbox(tmp_path / "inbox", tmp_path / "work", blanks, books, ward)
    first = run_consolidate(tmp_path / "inbox", tmp_path / "out1")
    again = run_consolidate(tmp_path / "inbox", tmp_path / "out2")
    for run in (first, again):
        assert "Lịch sử: đã ghi" in run.out, run.text
    assert "L01" not in (tmp_path / "out2" / "2020" / "manifest.json").read_text("utf-8")
    assert "0 số liệu thay đổi" in again.out or "thay đổi" not in again.out


def test_a_fault_while_recording_is_a_sentence_the_outputs_stand_and_nothing_is_kept(
    ward, tmp_path, monkeypatch
):
    """A number too big for SQLite (OverflowError) or any fault of ours while recording:
    the officer reads one Vietnamese sentence, the outputs are written, history unchanged."""
    folder = tmp_path / "w"
    folder.mkdir()
    (folder / "tqd.toml").write_text(TOML, "utf-8")

    def overflow(*args, **kwargs):
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    monkeypatch.setattr(history, "record", overflow)
    run = run_cli(
        "--config", folder / "tqd.toml", "consolidate", "--inbox", ward["inbox20"],
        "--outbox", folder / "outbox", "--period", "2020",
    )  # fmt: skip
    assert "Traceback" not in run.text
    assert "chưa được ghi vào lịch sử: lỗi nội bộ khi ghi lịch sử (OverflowError)" in run.text
    assert (folder / "outbox" / "2020" / "BaoCao_2020.xlsx").is_file()
    assert not (folder / STORE).exists() or not history.load_runs(folder / STORE).shape[0]


def test_registers_recorded_a_batch_at_a_time_store_what_one_batch_stores(
    ward, tmp_path, monkeypatch
):
    """A province's households go into history a few registers at a time, in the one
    transaction: the rows stored are those of the registers joined at once."""
    stored = {}
    for batch in (1, 3, 10**6):
        monkeypatch.setattr(history_run, "RECORD_BATCH", batch)
        folder = tmp_path / f"b{batch}"
        folder.mkdir()
        (folder / "tqd.toml").write_text(TOML, "utf-8")
        run = run_cli(
            "--config", folder / "tqd.toml", "consolidate", "--inbox", ward["inbox20"],
            "--outbox", folder / "outbox", "--period", "2020",
        )  # fmt: skip
        assert "Traceback" not in run.text
        with sqlite3.connect(folder / STORE) as con:
            rows = con.execute("SELECT *, typeof(nhan_khau) FROM ho ORDER BY rowid").fetchall()
        stored[batch] = rows
    assert len(stored[1]) == sum(len(b.households) for b in ward["now"].values())
    assert stored[1] == stored[3] == stored[10**6]
