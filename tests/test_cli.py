"""`tqd-sheets check`, `template` and the command line's refusals (exit 2), in-process."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from builders import (
    CONFIG,
    H_DAT,
    H_DK,
    KHOM,
    CliRun,
    build_inbox,
    consolidate,
    dataset,
    error_book,
    needs_soffice,
    register_layout,
    report_findings,
    run_cli,
    sheet_rows,
    to_format,
    write_khom,
)

LINE = re.compile(r"^\s*\[([A-Z]\d{2})\]\s+(Lỗi|Cảnh báo|Ghi chú)\s+(.*?)\s*$")


def check(*files: Path, config: Path = CONFIG) -> CliRun:
    run = run_cli("--config", config, "check", *files)
    assert "Traceback" not in run.text, run.text
    return run


def printed(run: CliRun) -> set[tuple[str, str]]:
    """(code, place) of every finding `check` printed."""
    return {(m[1], m[3]) for line in run.out.splitlines() if (m := LINE.match(line))}


@pytest.fixture(scope="module")
def books():
    return dataset()[0]


@pytest.fixture(scope="module")
def ward():
    return dataset()[1]


@pytest.fixture(scope="module")
def files(tmp_path_factory, blanks, books) -> dict[str, Path]:
    """K1 clean, K4 with warnings only, K2 with errors (and where they are)."""
    tmp = tmp_path_factory.mktemp("check")
    bad, _ = error_book(books["K2"])
    return {
        "clean": write_khom(books["K1"], blanks, tmp / "K1_2020.xlsx"),
        "warnings": write_khom(books["K4"], blanks, tmp / "K4_2020.xlsx"),
        "errors": write_khom(bad, blanks, tmp / "K2_2020.xlsx"),
    }


@pytest.fixture(scope="module")
def where(books) -> dict[str, list[tuple[str, int]]]:
    return error_book(books["K2"])[1]


# ── check ──────────────────────────────────────────────────────────────────────────────────


def test_check_clean_file(files) -> None:
    run = check(files["clean"])
    assert run.rc == 0, run.text
    assert "K1_2020.xlsx" in run.out
    assert "40 hộ" in run.out
    assert "0 lỗi" in run.out
    assert not printed(run)


def test_check_warnings_only_exit_0(files) -> None:
    run = check(files["warnings"])
    assert run.rc == 0, run.text
    lay = register_layout(files["warnings"])
    assert ("R09", lay.cell("Số năm liên tục đạt GĐVH", 3)) in printed(run)
    assert ("R10", lay.cell("Gia đình học tập", 8)) in printed(run)
    assert "0 lỗi" in run.out


def test_check_errors_with_codes_and_a1_places(files, where) -> None:
    run = check(files["errors"])
    assert run.rc == 1, run.text
    assert "K2_2020.xlsx" in run.out
    lay = register_layout(files["errors"])
    got = printed(run)
    for code, places in where.items():
        for header, i in places:
            if code == "R07":
                assert {("R07", lay.cell(H_DK, i)), ("R07", lay.cell(H_DAT, i))} & got, got
            else:
                assert (code, lay.cell(header, i)) in got, (code, header, i, got)
    for code, place in got:
        if code.startswith("R"):
            assert re.fullmatch(r"'Danh sách hộ'!(\$?[A-Z]+\$?\d+|.*dòng \d+)", place), place


def test_check_agrees_with_the_report(tmp_path, files, blanks, books, ward) -> None:
    """The same (code, place) set as KiemTra's `Chi tiết` rows for that file."""
    inbox = tmp_path / "inbox"
    build_inbox(inbox, tmp_path / "work", blanks, {k: books[k] for k in ("K1", "K3", "K4")}, ward)
    shutil.copy(files["errors"], inbox / "K2_2020.xlsx")
    run = consolidate(inbox, tmp_path / "outbox")
    assert run.rc == 1, run.text
    report = report_findings(tmp_path / "outbox" / "2020" / "KiemTra_2020.xlsx")
    in_report = {(f["code"], f["place"]) for f in report if f["file"] == "K2_2020.xlsx"}
    assert in_report
    assert printed(check(inbox / "K2_2020.xlsx")) == in_report


@needs_soffice
@pytest.mark.parametrize("fmt", ["xls", "ods", "xlsx-libreoffice"])
def test_check_same_places_in_every_format(tmp_path, files, fmt) -> None:
    converted = to_format(files["errors"], fmt, tmp_path / "K2_2020", tmp_path / "work")
    run = check(converted)
    assert run.rc == 1, run.text
    assert converted.name in run.out
    assert printed(run) == printed(check(files["errors"]))


def test_check_several_files_and_a_missing_one(tmp_path, files) -> None:
    run = check(files["clean"], files["errors"])
    assert run.rc == 1
    assert "K1_2020.xlsx" in run.out and "K2_2020.xlsx" in run.out
    run = check(files["clean"], tmp_path / "khong-co.xlsx")
    assert run.rc == 2
    assert "khong-co.xlsx" in run.out and "không tìm thấy" in run.out


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("hong.xlsx", b"PK\x03\x04" + b"\x00broken" * 50),
        ("rong.xlsx", b""),
        ("van-ban.xls", "Mã hộ;Họ và tên\n0012;Nguyễn Văn A\n".encode()),
    ],
)
def test_check_unreadable_file_is_F01(tmp_path, name, content) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    run = check(path)
    assert run.rc == 1, run.text
    assert name in run.out
    assert re.search(r"\[F01\]\s+Lỗi", run.out), run.out


def test_console_script_runs_as_a_process(files) -> None:
    exe = Path(sys.executable).parent / "tqd-sheets"
    if not exe.exists():
        pytest.skip("tqd-sheets console script not installed next to this python")
    proc = subprocess.run(
        [str(exe), "--config", str(CONFIG), "check", str(files["errors"])],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "[R07]" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


# ── refusals: exit 2 with a Vietnamese message, never a traceback ─────────────────────────


def test_bad_period_is_exit_2(tmp_path, files) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(files["clean"], inbox)
    run = run_cli(
        "--config",
        CONFIG,
        "consolidate",
        "--inbox",
        inbox,
        "--outbox",
        tmp_path / "outbox",
        "--period",
        "abc",
    )
    assert run.rc == 2
    assert "abc" in run.err and "không hợp lệ" in run.err
    assert "Traceback" not in run.text
    assert not (tmp_path / "outbox").exists() or not any((tmp_path / "outbox").iterdir())


def test_missing_config_is_exit_2_and_named(tmp_path) -> None:
    missing = tmp_path / "khong-co.toml"
    run = run_cli("--config", missing, "template", "--out", tmp_path / "t")
    assert run.rc == 2
    assert str(missing) in run.err
    assert "Traceback" not in run.text


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('ma = "29917"', "", "don_vi.ma"),
        (
            "khom_gdvh_dat_tl = 0.80",
            "khom_gdvh_dat_tl = 80",
            "bo_tieu_chi.ND122_2018.khom_gdvh_dat_tl",
        ),
        ('mac_dinh = "ND122_2018"', 'mac_dinh = "ND999"', "ap_dung"),
    ],
)
def test_bad_config_key_is_exit_2_and_named(tmp_path, files, old, new, key) -> None:
    text = CONFIG.read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / "tqd.toml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(files["clean"], inbox)
    run = run_cli("--config", bad, "consolidate", "--inbox", inbox, "--outbox", tmp_path / "outbox")
    assert run.rc == 2
    assert key in run.err, run.err
    assert str(bad) in run.err
    assert "Traceback" not in run.text


def test_bad_arguments_are_exit_2(tmp_path) -> None:
    for argv in (["frobnicate"], [], ["check"]):
        run = run_cli("--config", CONFIG, *argv)
        assert run.rc == 2, argv
        assert "Traceback" not in run.text
    run = run_cli("--config", CONFIG, "frobnicate")
    assert "tham số không hợp lệ" in run.err


def test_missing_inbox_is_exit_2(tmp_path) -> None:
    run = run_cli(
        "--config",
        CONFIG,
        "consolidate",
        "--inbox",
        tmp_path / "khong-co",
        "--outbox",
        tmp_path / "outbox",
    )
    assert run.rc == 2
    assert "khong-co" in run.err
    assert "Traceback" not in run.text


def test_nothing_usable_is_exit_2(tmp_path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "hong.xlsx").write_bytes(b"PK\x03\x04broken")
    (inbox / "ghi-chu.pdf").write_bytes(b"%PDF-1.4\n")
    for extra in ([], ["--period", "2020"]):
        run = consolidate(inbox, tmp_path / "outbox", *extra)
        assert run.rc == 2, (extra, run.text)
        assert run.err.strip(), extra
    assert not (tmp_path / "outbox" / "2020" / "BaoCao_2020.xlsx").exists()


# ── template and periods ───────────────────────────────────────────────────────────────────


def test_template_for_a_quarter_writes_five_files(tmp_path) -> None:
    out = tmp_path / "mau"
    run = run_cli("--config", CONFIG, "template", "--period", "2020Q2", "--out", out)
    assert run.rc == 0, run.text
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        [*(f"BieuKhom_{k}_2020Q2.xlsx" for k in KHOM), "BieuPhuong_29917_2020Q2.xlsx"]
    )
    assert "Quý II năm 2020" in run.out
    info = {r[0]: r[1] for r in sheet_rows(out / "BieuKhom_K3_2020Q2.xlsx", "Thông tin")}
    assert info["Kỳ báo cáo"] == "Quý II" and info["Mã khóm"] == "K3"


def test_template_default_period_is_2020(tmp_path) -> None:
    run = run_cli("--config", CONFIG, "template", "--out", tmp_path / "mau")
    assert run.rc == 0, run.text
    assert len(list((tmp_path / "mau").glob("*_2020.xlsx"))) == 5


@pytest.fixture
def two_periods(tmp_path, blanks, books) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_khom(books["K1"], blanks, inbox / "K1_2020.xlsx")
    write_khom(
        replace(books["K1"], ngay_lap=date(2020, 6, 20)), blanks, inbox / "K1_2020Q2.xlsx", "2020Q2"
    )
    return inbox


def test_two_periods_without_period_is_exit_2_listing_both(tmp_path, two_periods) -> None:
    run = consolidate(two_periods, tmp_path / "outbox")
    assert run.rc == 2
    assert "2020Q2" in run.err
    assert re.search(r"\b2020\b(?!Q)", run.err.replace("2020Q2", "")), run.err
    assert not (tmp_path / "outbox").exists() or not any((tmp_path / "outbox").rglob("*.xlsx"))


def test_period_option_picks_one_of_two(tmp_path, two_periods) -> None:
    run = consolidate(two_periods, tmp_path / "outbox", "--period", "2020Q2")
    assert run.rc == 0, run.text
    assert "Quý II năm 2020" in run.out
    assert "Tổng hợp 1/4 khóm" in run.out
    assert (tmp_path / "outbox" / "2020Q2" / "DuLieu_2020Q2.csv").is_file()
    assert not (tmp_path / "outbox" / "2020").exists()


def test_help_and_usage_errors_are_vietnamese(capsys) -> None:
    from tqd_sheets.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("Cách dùng: tqd-sheets")
    for english in ("usage:", "options:", "show this help", "positional arguments"):
        assert english not in out
    assert main_exit(["check"]) == 2
    err = capsys.readouterr().err
    assert "thiếu tham số bắt buộc: TỆP" in err and "required" not in err


def main_exit(argv: list[str]) -> int:
    from tqd_sheets.cli import main

    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
