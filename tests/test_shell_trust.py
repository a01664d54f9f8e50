"""Issue 7, the shell: one file never stops the run, and the run never trips over its
surroundings (console encoding, a second run, special files, Notepad's configuration…)."""

from __future__ import annotations

import codecs
import csv
import errno
import io
import os
import shutil
import socket
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from builders import (
    CONFIG,
    ROOT,
    build_inbox,
    consolidate,
    dataset,
    error_book,
    run_cli,
    sheet_rows,
    snapshot,
    write_khom,
)
from tqd_sheets import lock, outputs, pipeline
from tqd_sheets.atomic import OutputError
from tqd_sheets.config import ConfigError, load_config, packaged_config
from tqd_sheets.oserrors import in_vietnamese
from tqd_sheets.results import CHUA_NOP, CO_LOI, DA_TONG_HOP

SRC = ROOT / "src"


@pytest.fixture(scope="module")
def base(tmp_path_factory, blanks) -> Path:
    """K1, K2 (with errors), K3 and the ward's workbook; K4 has sent nothing."""
    books, ward = dataset()
    books = dict(books)
    books["K2"] = error_book(books["K2"])[0]
    tmp = tmp_path_factory.mktemp("trust")
    build_inbox(
        tmp / "inbox", tmp / "work", blanks, {k: books[k] for k in ("K1", "K2", "K3")}, ward
    )
    return tmp / "inbox"


@pytest.fixture
def inbox(tmp_path, base) -> Path:
    folder = tmp_path / "inbox"
    shutil.copytree(base, folder)
    return folder


def details(report: Path) -> list[tuple[str, str, str, str]]:
    """(file, khóm, code, message) of every row of KiemTra's `Chi tiết`."""
    rows = sheet_rows(report, "Chi tiết")
    return [(str(r[0]), str(r[1]), str(r[4]), str(r[6])) for r in rows[2:] if r[4]]  # title, header


def overview(report: Path) -> dict[str, tuple[str, str]]:
    """khóm code → (file used, status) from KiemTra's `Tổng quan`."""
    out = {}
    for r in sheet_rows(report, "Tổng quan"):
        if r and r[0] == "Khóm":
            out[str(r[1])] = (str(r[3] or ""), str(r[8]))
    return out


def kiemtra(outbox: Path) -> Path:
    return outbox / "2020" / "KiemTra_2020.xlsx"


def subprocess_cli(*argv: object, env: dict[str, str] | None = None, cwd: Path | None = None):
    full = {**os.environ, "PYTHONPATH": str(SRC), **(env or {})}
    full.pop("TQD_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "tqd_sheets.cli", *map(str, argv)],
        capture_output=True,
        env=full,
        cwd=cwd,
        timeout=300,
        check=False,
    )


# ── one file's failure is that file's finding ──────────────────────────────────────────────


def test_a_crash_inside_one_file_is_its_f06_and_the_run_goes_on(inbox, tmp_path, monkeypatch):
    real = pipeline.validate.validate_workbook

    def crashing(parsed):
        if parsed.khom == "K3":
            raise KeyError("boom")
        return real(parsed)

    monkeypatch.setattr(pipeline.validate, "validate_workbook", crashing)
    run = consolidate(inbox, tmp_path / "outbox")
    assert run.rc == 1, run.text
    assert "Tổng hợp 1/4 khóm" in run.out  # K1 only: K2 has errors, K3 crashed
    rows = details(kiemtra(tmp_path / "outbox"))
    f06 = [r for r in rows if r[2] == "F06"]
    assert [(r[0], r[1]) for r in f06] == [("K3_2020.xlsx", "K3")]
    assert "lỗi nội bộ KeyError" in f06[0][3]
    assert overview(kiemtra(tmp_path / "outbox"))["K3"] == ("K3_2020.xlsx", CO_LOI)


def test_a_crash_while_gathering_one_khoms_data_is_its_f06(inbox, config, monkeypatch):
    real = pipeline.KhomData

    def gather(code, *args):
        if code == "K3":
            raise IndexError("boom")
        return real(code, *args)

    monkeypatch.setattr(pipeline, "KhomData", gather)
    run = pipeline.consolidate(pipeline.inbox_files(inbox), config)
    assert run.results.included == ["K1"]
    f06 = [(f.file, f.khom) for f in run.results.findings if f.code == "F06"]
    assert f06 == [("K3_2020.xlsx", "K3")]
    assert run.exit_code == 1


def test_feedback_copies_that_fail_are_f07_and_the_outputs_are_written(
    inbox, tmp_path, monkeypatch
):
    def full_disk(run, folder, config):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(outputs, "write_feedback_copies", full_disk)
    run = consolidate(inbox, tmp_path / "outbox")
    assert run.rc == 1, run.text  # K2's errors, as without the failure
    out = tmp_path / "outbox" / "2020"
    assert (out / "BaoCao_2020.xlsx").is_file() and (out / "DuLieu_2020.csv").is_file()
    f07 = [r for r in details(kiemtra(tmp_path / "outbox")) if r[2] == "F07"]
    assert len(f07) == 1 and "ổ đĩa đầy" in f07[0][3]
    assert not (out / "phan-hoi").exists()


def test_nothing_could_be_produced_is_still_exit_2(tmp_path, monkeypatch, base):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(base / "K1_2020.xlsx", inbox)

    def crashing(parsed):
        raise ValueError("boom")

    monkeypatch.setattr(pipeline.validate, "validate_workbook", crashing)
    run = consolidate(inbox, tmp_path / "outbox", "--period", "2020")
    assert run.rc == 2, run.text
    assert "Không có biểu hợp lệ nào" in run.err


# ── a console that is not UTF-8 ────────────────────────────────────────────────────────────

CONSOLES = [
    pytest.param({"PYTHONIOENCODING": "ascii"}, "ascii", id="ascii"),
    pytest.param({"PYTHONIOENCODING": "cp1252"}, "cp1252", id="cp1252"),
    pytest.param({"PYTHONIOENCODING": "cp1258"}, "cp1258", id="cp1258"),
    pytest.param(
        {"LANG": "C", "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
        "ascii",
        id="LANG=C",
    ),
]


def _plain(text: str) -> str:
    """What an ASCII console can show of `text`."""
    base = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return base.replace("đ", "d").replace("Đ", "D")


def _shown(raw: bytes, encoding: str) -> str:
    if encoding == "ascii" and raw.isascii():
        return raw.decode("ascii")
    return unicodedata.normalize("NFC", raw.decode(encoding))


@pytest.mark.parametrize(("env", "encoding"), CONSOLES)
def test_help_check_and_consolidate_on_a_console_that_is_not_utf8(tmp_path, inbox, env, encoding):
    if "LANG" in env:
        env = {**env, "PYTHONIOENCODING": ""}
    runs = {
        "help": subprocess_cli("--help", env=env),
        "check": subprocess_cli("--config", CONFIG, "check", inbox / "K1_2020.xlsx", env=env),
        "consolidate": subprocess_cli(
            "--config", CONFIG, "consolidate", "--inbox", inbox, "--outbox", tmp_path / "o", env=env
        ),
    }
    want = {"help": 0, "check": 0, "consolidate": 1}  # K2 has errors
    for name, proc in runs.items():
        out = _shown(proc.stdout, encoding)
        err = _shown(proc.stderr, encoding)
        assert proc.returncode == want[name], (name, out, err)
        assert "Traceback" not in err and "UnicodeEncodeError" not in err, err
        expected = {
            "help": "Cách dùng: tqd-sheets",
            "check": "0 lỗi, 0 cảnh báo",
            "consolidate": "Tổng hợp 2/4 khóm: Khóm 1, Khóm 3.",
        }[name]
        if encoding == "ascii":
            assert _plain(expected) in out, out
        elif encoding == "cp1258":
            assert expected in out, out  # every Vietnamese letter survives, decomposed
        else:
            assert _plain(expected) in _plain(out), out
    assert (tmp_path / "o" / "2020" / "BaoCao_2020.xlsx").is_file()


# ── collisions and a failed run ────────────────────────────────────────────────────────────


def test_two_outputs_on_one_name_fail_before_anything_moves(inbox, tmp_path, monkeypatch):
    outbox = tmp_path / "outbox"
    assert consolidate(inbox, outbox).rc == 1
    before = snapshot(outbox)

    def clashing(run, folder, config):
        folder.mkdir(parents=True, exist_ok=True)
        made = [folder / "K2_2020_kiem-tra.xlsx", folder / "k2_2020_KIEM-TRA.xlsx"]
        for p in made:
            p.write_bytes(b"copy")
        return made

    monkeypatch.setattr(outputs, "write_feedback_copies", clashing)
    run = consolidate(inbox, outbox)
    assert run.rc == 2, run.text
    assert "Hai kết quả sẽ ghi vào cùng một tệp" in run.err
    assert "chưa tệp kết quả nào bị thay đổi" in run.err
    assert snapshot(outbox) == before
    assert sorted(p.name for p in (outbox / "2020").iterdir() if p.name.startswith(".")) == []


def test_collision_check_ignores_case_and_unicode_form():
    nfc, nfd = "Khóm_kiem-tra.xlsx", unicodedata.normalize("NFD", "khóm_kiem-tra.xlsx")
    with pytest.raises(OutputError, match="cùng một tệp"):
        outputs.check_collisions([Path(nfc), Path(nfd)])
    outputs.check_collisions([Path("phan-hoi/K1.xlsx"), Path("phan-hoi/K2.xlsx")])


def test_a_disk_full_while_moving_leaves_the_outbox_as_it_was(inbox, tmp_path, monkeypatch):
    outbox = tmp_path / "outbox"
    assert consolidate(inbox, outbox).rc == 1
    before = snapshot(outbox)

    def full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(outputs.os, "replace", full)
    run = consolidate(inbox, outbox)
    assert run.rc == 2
    assert "ổ đĩa đầy" in run.err and "No space" not in run.err
    assert snapshot(outbox) == before


# ── two runs on one outbox ─────────────────────────────────────────────────────────────────


@pytest.fixture
def live_pid():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    yield proc.pid
    proc.kill()
    proc.wait()


@pytest.fixture
def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_second_run_waits_then_refuses_and_touches_nothing(
    inbox, tmp_path, monkeypatch, live_pid
):
    outbox = tmp_path / "outbox"
    assert consolidate(inbox, outbox).rc == 1
    out = outbox / "2020"
    (out / lock.LOCK_NAME).write_text(f"{live_pid}\n{socket.gethostname()}\n", encoding="utf-8")
    their_stage = out / f"{lock.STAGE_PREFIX}{live_pid}-abc"
    (their_stage / "phan-hoi").mkdir(parents=True)
    before = snapshot(outbox)
    monkeypatch.setattr(lock, "WAIT_SECONDS", 0.3)
    run = consolidate(inbox, outbox)
    assert run.rc == 2, run.text
    assert f"Một lần chạy khác (tiến trình số {live_pid}) đang ghi kết quả vào {out}" in run.err
    assert snapshot(outbox) == before
    assert their_stage.is_dir()


def test_a_dead_runs_lock_and_staging_are_cleared_a_live_ones_staging_kept(
    inbox, tmp_path, live_pid, dead_pid
):
    out = tmp_path / "outbox" / "2020"
    out.mkdir(parents=True)
    (out / lock.LOCK_NAME).write_text(f"{dead_pid}\n{socket.gethostname()}\n", encoding="utf-8")
    dead_stage = out / f"{lock.STAGE_PREFIX}{dead_pid}-x"
    live_stage = out / f"{lock.STAGE_PREFIX}{live_pid}-y"
    dead_stage.mkdir()
    live_stage.mkdir()
    run = consolidate(inbox, tmp_path / "outbox")
    assert run.rc == 1, run.text
    assert not dead_stage.exists() and live_stage.is_dir()
    assert not (out / lock.LOCK_NAME).exists()
    assert (out / "BaoCao_2020.xlsx").is_file()


def test_an_unreadable_lock_is_stale_only_after_a_minute(tmp_path, monkeypatch):
    lock_file = tmp_path / lock.LOCK_NAME
    lock_file.write_bytes(b"")
    with pytest.raises(OutputError, match="Một lần chạy khác đang ghi"), lock.held(tmp_path, 0.2):
        pass
    old = lock_file.stat().st_mtime - lock.UNREADABLE_STALE_SECONDS - 1
    os.utime(lock_file, (old, old))
    with lock.held(tmp_path, 0.2):
        assert lock_file.read_text(encoding="utf-8").split()[0] == str(os.getpid())
    assert not lock_file.exists()


def test_alive_never_signals():
    assert lock.alive(os.getpid())
    assert not lock.alive(0) and not lock.alive(-5)


# ── FIFOs, sockets, devices ────────────────────────────────────────────────────────────────


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_fifo_and_socket_in_the_inbox_are_skipped_never_opened(inbox, tmp_path):
    os.mkfifo(inbox / "K4_2020.xlsx")
    sock = socket.socket(socket.AF_UNIX)
    short = Path(f"/tmp/tqd-{os.getpid()}")
    short.mkdir(exist_ok=True)
    try:
        sock.bind(str(short / "s.xlsx"))
        os.symlink(short / "s.xlsx", inbox / "o-cam.xlsx")
        proc = subprocess_cli(
            "--config", CONFIG, "consolidate", "--inbox", inbox, "--outbox", tmp_path / "o"
        )
    finally:
        sock.close()
        shutil.rmtree(short, ignore_errors=True)
    text = proc.stdout.decode() + proc.stderr.decode()
    assert proc.returncode == 1, text
    rows = details(kiemtra(tmp_path / "o"))
    f02 = {r[0]: r[3] for r in rows if r[2] == "F02"}
    assert set(f02) == {"K4_2020.xlsx", "o-cam.xlsx"}
    assert all("tệp đặc biệt của hệ thống (FIFO, socket hoặc thiết bị)" in m for m in f02.values())
    assert overview(kiemtra(tmp_path / "o"))["K4"] == ("", CHUA_NOP)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_check_of_a_fifo_or_a_device_is_skipped(tmp_path):
    fifo = tmp_path / "K1.xlsx"
    os.mkfifo(fifo)
    proc = subprocess_cli("--config", CONFIG, "check", fifo, "/dev/null")
    out = proc.stdout.decode()
    assert proc.returncode == 0, out + proc.stderr.decode()
    assert out.count("[F02] Ghi chú") == 2
    assert "tệp đặc biệt của hệ thống" in out


# ── the outbox inside the inbox ────────────────────────────────────────────────────────────


@pytest.mark.parametrize("where", ["ket-qua", ".", "a/b"])
def test_outbox_inside_the_inbox_is_refused(inbox, where):
    before = snapshot(inbox)
    run = consolidate(inbox, inbox / where)
    assert run.rc == 2
    assert "nằm trong thư mục inbox" in run.err
    assert snapshot(inbox) == before
    assert not (inbox / where / "2020").exists()


def test_outbox_beside_the_inbox_with_a_similar_name_is_fine(inbox, tmp_path):
    run = consolidate(inbox, tmp_path / "inbox-ket-qua")
    assert run.rc == 1, run.text


# ── configuration as officers save it ──────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-8", codecs.BOM_UTF8),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
    ],
)
def test_config_saved_by_notepad_is_read(tmp_path, encoding, bom):
    path = tmp_path / "tqd.toml"
    path.write_bytes(bom + CONFIG.read_text(encoding="utf-8").encode(encoding))
    cfg = load_config(path)
    assert cfg.khom_codes == ("K1", "K2", "K3", "K4")
    assert cfg.phuong.co_quan == "UBND PHƯỜNG TÂN QUY ĐÔNG"


def test_config_in_another_encoding_says_how_to_save_it(tmp_path):
    path = tmp_path / "tqd.toml"
    path.write_bytes(CONFIG.read_text(encoding="utf-8").encode("cp1258", errors="replace"))
    with pytest.raises(ConfigError, match="không lưu theo mã UTF-8"):
        load_config(path)


def test_config_naming_a_folder_is_exit_2_with_a_hint(tmp_path):
    (tmp_path / "tqd.toml").write_bytes(CONFIG.read_bytes())
    run = run_cli("--config", tmp_path, "template", "--out", tmp_path / "t")
    assert run.rc == 2
    assert f"{tmp_path} là một thư mục, không phải tệp cấu hình" in run.err
    assert f"--config {tmp_path / 'tqd.toml'}" in run.err
    assert "Traceback" not in run.text


def test_khom_codes_differing_only_by_case_are_refused(tmp_path):
    text = CONFIG.read_text(encoding="utf-8").replace('ma = "K2"', 'ma = "k1"')
    path = tmp_path / "tqd.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    expected = "mã đơn vị con bị lặp (chữ hoa và chữ thường được coi là một): K1 và k1"
    assert f"khóa 'don_vi_con': {expected}" in str(exc.value)


def test_names_starting_like_a_formula_are_inert_in_the_csv(inbox, tmp_path):
    text = (
        CONFIG.read_text(encoding="utf-8")
        .replace('ten = "Khóm 1"', 'ten = "=HYPERLINK(\\"http://x\\")"')
        .replace('ten = "Khóm 3"', 'ten = "+Khóm 3"')
        .replace('ten = "Tân Quy Đông"', 'ten = "@Tân Quy Đông"')
    )
    path = tmp_path / "tqd.toml"
    path.write_text(text, encoding="utf-8")
    run = consolidate(inbox, tmp_path / "outbox", config=path)
    assert run.rc == 1, run.text
    blob = (tmp_path / "outbox" / "2020" / "DuLieu_2020.csv").read_bytes()
    rows = list(csv.reader(io.StringIO(blob.decode("utf-8-sig"))))
    names = {r[1]: r[2] for r in rows[1:]}
    assert names["K1"] == '\'=HYPERLINK("http://x")'
    assert names["K3"] == "'+Khóm 3"
    assert names["29917"] == "Phường @Tân Quy Đông"  # not at the start: nothing to neutralise
    for r in rows[1:]:
        assert not r[2].startswith(("=", "+", "-", "@")), r


def test_inert_leaves_numbers_and_plain_text_alone():
    assert outputs._plain(-3.0) == -3
    assert outputs._plain("-5 hộ") == "'-5 hộ"
    assert outputs._plain("Khóm 1") == "Khóm 1"
    assert outputs._plain("\t=1") == "'\t=1"


# ── what a khóm sends that is not a readable workbook ──────────────────────────────────────


@pytest.mark.parametrize(
    ("name", "content", "detail"),
    [
        ("K4_2020.xlsb", b"PK\x03\x04binary", "tệp là sổ làm việc nhị phân Excel (.xlsb)"),
        ("Khom K4.csv", "Mã hộ;Họ và tên\n".encode(), "tệp là tệp văn bản CSV (.csv)"),
        ("k4-2020.numbers", b"PK\x03\x04numbers", "tệp là tệp Numbers của máy Mac (.numbers)"),
        ("K4_2020.xlsx", b"Ma ho;Ho va ten\n", "tệp hỏng hoặc không phải bảng tính"),
    ],
)
def test_an_unreadable_file_counts_its_khom_as_sent_with_errors(
    inbox, tmp_path, name, content, detail
):
    (inbox / name).write_bytes(content)
    run = consolidate(inbox, tmp_path / "outbox")
    assert run.rc == 1, run.text
    assert f"  - Khóm 4: {CO_LOI} ({name})" in run.out
    rows = details(kiemtra(tmp_path / "outbox"))
    mine = [r for r in rows if r[0] == name]
    assert [(r[1], r[2]) for r in mine] == [("K4", "F01")]
    assert detail in mine[0][3]
    assert "Lưu thành" in mine[0][3]
    assert not [r for r in rows if r[2] == "I03" and r[1] == "K4"]
    assert overview(kiemtra(tmp_path / "outbox"))["K4"] == (name, CO_LOI)
    assert overview(kiemtra(tmp_path / "outbox"))["K1"][1] == DA_TONG_HOP


def test_an_unreadable_file_naming_no_khom_stays_unassigned(inbox, tmp_path):
    (inbox / "bieu moi.xlsb").write_bytes(b"x")
    (inbox / "K4_K1.csv").write_bytes(b"x")  # two codes: not a guess
    run = consolidate(inbox, tmp_path / "outbox")
    rows = details(kiemtra(tmp_path / "outbox"))
    assert {(r[0], r[1], r[2]) for r in rows if r[2] == "F01"} == {
        ("bieu moi.xlsb", "", "F01"),
        ("K4_K1.csv", "", "F01"),
    }
    assert overview(kiemtra(tmp_path / "outbox"))["K4"] == ("", CHUA_NOP)
    assert run.rc == 1


def test_khom_from_name_is_a_whole_word():
    codes = ("K1", "K2", "K10")
    assert pipeline.khom_from_name("k1_2020.csv", codes) == "K1"
    assert pipeline.khom_from_name("BieuKhom_K10_2020.xlsb", codes) == "K10"
    assert pipeline.khom_from_name("K12.csv", codes) == ""
    assert pipeline.khom_from_name("K1 va K2.csv", codes) == ""


# ── template periods ───────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("period", ["1999", "2101", "2020Q5", "2101Q1"])
def test_template_refuses_a_period_check_would_reject(tmp_path, period):
    run = run_cli("--config", CONFIG, "template", "--period", period, "--out", tmp_path / "t")
    assert run.rc == 2, run.text
    assert f"Kỳ báo cáo '{period}' không hợp lệ" in run.err
    assert not (tmp_path / "t").exists()


@pytest.mark.parametrize("period", ["2000", "2100Q4"])
def test_template_accepts_the_boundary_years(tmp_path, period):
    run = run_cli("--config", CONFIG, "template", "--period", period, "--out", tmp_path / "t")
    assert run.rc == 0, run.text
    blank = next((tmp_path / "t").glob("BieuKhom_K1_*.xlsx"))
    checked = run_cli("--config", CONFIG, "check", blank)
    assert "[H02]" not in checked.out, checked.out


# ── `check` anywhere, without the ward's configuration ─────────────────────────────────────


def test_check_from_another_folder_uses_the_packaged_config(base, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = run_cli("check", base / "K1_2020.xlsx")
    assert run.rc == 0, run.text
    assert "dùng cấu hình mặc định đi kèm phần mềm (tqd_mac_dinh.toml)" in run.out
    assert "K1_2020.xlsx — biểu khóm K1, Năm 2020, 40 hộ" in run.out


def test_check_reads_the_khom_code_from_the_marker(tmp_path, monkeypatch, blanks):
    """A khóm of another ward (code A7): its blank's marker says A7, so no H01."""
    text = CONFIG.read_text(encoding="utf-8").replace('ma = "K4"', 'ma = "A7"')
    cfg_path = tmp_path / "other.toml"
    cfg_path.write_text(text, encoding="utf-8")
    books = dataset()[0]
    blank_dir = tmp_path / "blanks"
    made = run_cli("--config", cfg_path, "template", "--out", blank_dir)
    assert made.rc == 0, made.text
    shutil.copy(blank_dir / "BieuKhom_A7_2020.xlsx", blank_dir / "BieuKhom_K4_2020.xlsx")
    filled = write_khom(books["K4"], blank_dir, tmp_path / "A7.xlsx")
    monkeypatch.chdir(tmp_path)
    run = run_cli("check", filled)
    assert "[H01]" not in run.out, run.out
    assert "biểu khóm A7" in run.out


def test_check_with_tqd_toml_here_names_it(base, tmp_path, monkeypatch):
    shutil.copy(CONFIG, tmp_path / "tqd.toml")
    monkeypatch.chdir(tmp_path)
    run = run_cli("check", base / "K1_2020.xlsx")
    assert run.rc == 0
    assert "Cấu hình: tqd.toml" in run.out


def test_consolidate_still_needs_the_ward_config(tmp_path, monkeypatch, base):
    monkeypatch.chdir(tmp_path)
    run = run_cli("consolidate", "--inbox", base, "--outbox", tmp_path / "o")
    assert run.rc == 2
    assert "Không tìm thấy tệp cấu hình tqd.toml" in run.err


def test_packaged_config_is_the_projects():
    assert packaged_config() == load_config(CONFIG)


# ── every finding names its khóm ───────────────────────────────────────────────────────────


def test_every_finding_of_a_khom_file_carries_its_code(inbox, config):
    (inbox / "K4_2020.xlsb").write_bytes(b"x")
    run = pipeline.consolidate(pipeline.inbox_files(inbox), config)
    by_file: dict[str, set[str]] = {}
    for f in run.results.findings:
        by_file.setdefault(f.file, set()).add(f.khom)
    assert by_file["K2_2020.xlsx"] == {"K2"}
    assert by_file["K4_2020.xlsb"] == {"K4"}
    assert by_file.get("Phuong_2020.xlsx", {""}) == {""}


# ── OS errors in Vietnamese ────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (PermissionError(errno.EACCES, "Permission denied"), "không có quyền"),
        (FileNotFoundError(errno.ENOENT, "No such file or directory"), "không tìm thấy"),
        (OSError(errno.ENOSPC, "No space left on device"), "ổ đĩa đầy"),
        (OSError(errno.EROFS, "Read-only file system"), "ổ đĩa chỉ cho đọc"),
        (OSError(errno.EBUSY, "Device or resource busy"), "đang được chương trình khác sử dụng"),
        (OSError(errno.EBADMSG, "Bad message"), f"lỗi hệ thống số {errno.EBADMSG}"),
    ],
)
def test_os_errors_in_vietnamese(exc, words):
    assert words in in_vietnamese(exc)


def test_file_in_use_on_windows():
    exc = PermissionError(errno.EACCES, "The process cannot access the file")
    exc.winerror = 32  # type: ignore[attr-defined]
    assert in_vietnamese(exc) == "tệp đang mở trong Excel/LibreOffice hoặc chương trình khác"


def test_an_unreadable_inbox_file_is_f01_in_vietnamese(inbox, tmp_path, monkeypatch):
    real_open = Path.open

    def denied(self, *args, **kwargs):
        if self.name == "K3_2020.xlsx":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", denied)
    run = run_cli(
        "--config", CONFIG, "consolidate", "--inbox", inbox, "--outbox", tmp_path / "outbox"
    )
    monkeypatch.undo()
    assert run.rc == 1, run.text
    rows = [r for r in details(kiemtra(tmp_path / "outbox")) if r[0] == "K3_2020.xlsx"]
    assert [(r[1], r[2]) for r in rows] == [("K3", "F01")]
    assert "không đọc được tệp: không có quyền" in rows[0][3]
    assert "Permission denied" not in rows[0][3]
