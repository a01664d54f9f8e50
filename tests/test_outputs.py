"""What a run writes: the CSV, the manifest, and all-or-nothing replacement of outputs."""

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest

from builders import DATA_HEADER
from tqd_sheets import forms
from tqd_sheets.atomic import OutputError
from tqd_sheets.config import load_config
from tqd_sheets.outputs import data_csv, write_outputs
from tqd_sheets.pipeline import consolidate, inbox_files

ROOT = Path(__file__).resolve().parents[1]
CFG = load_config(ROOT / "tqd.toml")


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    inbox = tmp_path_factory.mktemp("inbox")
    for p in (ROOT / "inbox").glob("MAU_*"):
        shutil.copy(p, inbox / p.name)
    files = inbox_files(inbox)
    return consolidate(files, CFG), files


def test_csv_has_bom_and_the_data_rows(sample_run):
    run, _ = sample_run
    blob = data_csv(run.results)
    assert blob.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(blob.decode("utf-8-sig"))))
    assert rows[0] == list(DATA_HEADER)
    assert len(rows) - 1 == len(run.results.data)
    ho = next(r for r in rows if r[1] == "29917" and r[5] == "HO")
    assert ho[7] == ho[9] and ho[8] == "" and ho[6] == ""
    rate = next(r for r in rows if r[1] == "29917" and r[5] == "GDVH_DAT_TL")
    assert float(rate[9]) == float(rate[7]) / float(rate[8])  # full precision, no rounding
    # đơn vị broken down by loại: the loại rows add up to the total
    dv = [r for r in rows if r[1] == "29917" and r[5] == "DV"]
    assert dv[0][6] == "" and len(dv) == 6
    assert sum(int(r[9]) for r in dv[1:]) == int(dv[0][9])


def test_manifest_lists_every_input_with_its_hash(sample_run, tmp_path):
    run, files = sample_run
    written = write_outputs(run, CFG, tmp_path, files)
    m = json.loads((tmp_path / "2020" / "manifest.json").read_text(encoding="utf-8"))
    assert m["ky"] == "2020" and m["du_lieu_mau"] is True
    by_name = {i["ten_tep"]: i for i in m["tep_dau_vao"]}
    assert set(by_name) == {p.name for p in files}
    for p in files:
        assert by_name[p.name]["sha256"] == hashlib.sha256(p.read_bytes()).hexdigest()
        assert by_name[p.name]["kich_thuoc"] == p.stat().st_size
    assert {p.name for p in written} >= {
        "BaoCao_2020.xlsx",
        "BaoCao_2020.docx",
        "KiemTra_2020.xlsx",
        "DuLieu_2020.csv",
        "manifest.json",
        "DanhSach_2020.xlsx",
    }
    assert m["tep_ket_qua"][:3] == ["BaoCao_2020.xlsx", "BaoCao_2020.docx", "KiemTra_2020.xlsx"]
    assert m["tep_ket_qua"][-1] == "manifest.json"
    assert not list((tmp_path / "2020").glob(".tqd-*"))


def test_a_failed_write_leaves_earlier_outputs_untouched(sample_run, tmp_path, monkeypatch):
    run, files = sample_run
    write_outputs(run, CFG, tmp_path, files)
    out = tmp_path / "2020"
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken(path, results, config):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half")
        raise OutputError("đĩa đầy")

    monkeypatch.setattr(forms, "write_forms", broken)
    with pytest.raises(OutputError):
        write_outputs(run, CFG, tmp_path, files)
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before


def test_other_periods_outputs_are_never_touched(sample_run, tmp_path):
    run, files = sample_run
    other = tmp_path / "2020Q2" / "BaoCao_2020Q2.xlsx"
    other.parent.mkdir(parents=True)
    other.write_bytes(b"quarter")
    write_outputs(run, CFG, tmp_path, files)
    assert other.read_bytes() == b"quarter"


def test_the_shipped_samples_have_no_ngay_nhan(tmp_path):
    """A sample's file time is when the tool was installed: no Ngày nhận, so KiemTra never calls
    the samples late by years. A real workbook's file time is its Ngày nhận."""
    import os
    from datetime import date, datetime
    from types import SimpleNamespace

    from tqd_sheets.outputs import received_times
    from tqd_sheets.pipeline import check_file

    config = load_config(ROOT / "tqd.toml")
    sample = check_file(ROOT / "inbox" / "MAU_K1_2020.xlsx", config, date(2021, 1, 10))
    assert sample.parsed is not None and sample.parsed.is_sample
    real_path = tmp_path / "K1_2020.xlsx"
    shutil.copy(ROOT / "inbox" / "MAU_K1_2020.xlsx", real_path)
    real = check_file(real_path, config, date(2021, 1, 10))
    real.parsed.values["ghi_chu"] = ""  # as if the khóm had typed its own register
    when = datetime(2021, 1, 5, 8, 30)
    os.utime(real_path, (when.timestamp(), when.timestamp()))
    got = received_times(SimpleNamespace(checked=[sample, real]))
    assert got == {"K1_2020.xlsx": when}
