"""The reporting chain end to end (issue 9, levels.md): three ward runs — phường Tân Quy Đông
(4 khóm), xã Tân Khánh Đông (3 ấp) and Phường 1 (3 khóm, one not submitted) — from generated
and filled blanks, then thành phố Sa Đéc over their outputs (the xã's given as its CSV), then
tỉnh Đồng Tháp over the city's output. Every `Dữ liệu` value at city and province level is
checked against this module's own sums of the households it wrote; tampered ward outputs each
give their U finding at its cell and are left out.
"""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from builders import RATES, Household, read_csv_data, read_sheet_data
from tqd_sheets import pipeline
from tqd_sheets.config import Config, load_config, parse_config
from tqd_sheets.fill import fill
from tqd_sheets.outputs import write_outputs
from tqd_sheets.periods import Period
from tqd_sheets.pipeline import RunError, check_file, consolidate
from tqd_sheets.results import CHUA_DU, CHUA_NOP, CO_LOI, DA_TONG_HOP
from tqd_sheets.template import khom_template_name, ward_template_name, write_templates
from tqd_sheets.units import LEVEL

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "cau-hinh"
P = Period.parse("2020")
CITY, PROVINCE = "867", "87"

RULES = """
[bo_tieu_chi.ND122_2018]
ten = "Nghị định 122/2018/NĐ-CP"

[ap_dung]
mac_dinh = "ND122_2018"
"""


@dataclass(frozen=True)
class Child:
    ma: str
    cap: str
    households: int
    good: int  # households đạt GĐVH (the first ones)
    sent: bool = True


@dataclass(frozen=True)
class Ward:
    ma: str
    ten: str
    cap: str
    children: tuple[Child, ...]


WARDS = (
    Ward("29917", "Tân Quy Đông", "Phường", tuple(Child(f"K{i}", "Khóm", 5, 4)
                                                 for i in (1, 2, 3, 4))),
    Ward("29914", "Tân Khánh Đông", "Xã", (Child("A1", "Ấp", 5, 5), Child("A2", "Ấp", 6, 5),
                                          Child("A3", "Ấp", 5, 2))),
    Ward("29905", "1", "Phường", (Child("K1", "Khóm", 5, 4), Child("K2", "Khóm", 4, 4),
                                  Child("K3", "Khóm", 5, 5, sent=False))),
)  # fmt: skip
CSV_WARD = "29914"


def ward_toml(w: Ward) -> str:
    kids = "".join(
        f'\n[[don_vi_con]]\nma = "{c.ma}"\nten = "{c.cap} {c.ma[1:]}"\ncap = "{c.cap}"\n'
        for c in w.children
    )
    head = (
        f'[don_vi]\nma = "{w.ma}"\nten = "{w.ten}"\ncap = "{w.cap}"\nma_cha = "{CITY}"\n'
        f'co_quan = "UBND {w.cap.upper()} {w.ten.upper()}"\n'
    )
    return head + kids + RULES


# ── the households this module writes, and its own sums ────────────────────────────────────


def homes(ward: Ward, c: Child) -> list[Household]:
    out = []
    for j in range(1, c.households + 1):
        ngheo = "Nghèo" if j % 5 == 0 else "Cận nghèo" if j == 3 else None
        dat = j <= c.good
        out.append(
            Household(
                f"{ward.ma[-2:]}{c.ma}{j:02d}", f"Chủ hộ {j}", 1, 2 + j % 3, ngheo=ngheo,
                dk=j <= c.good or j % 2 == 0, dat=dat, nam=3 if dat and j % 2 else int(dat),
                ht=j % 2 == 0, tt=j % 3 == 0, vp=not dat and j == c.households,
            )
        )  # fmt: skip
    return out


def self_values(i: int) -> dict[str, object]:
    marks = {"NGAY_HOI": "x", "QUY_UOC": "x", "CD_HOC_TAP": "x", "ANTT": "x", "DIEM": 90}
    return marks | {
        "TT_BUOI": 2 + i,
        "TT_LUOT": 50 + 10 * i,
        "HOA_GIAI": 2,
        "HOA_GIAI_THANH": 1 + i % 2,
        "GUONG_TOT": i,
        "KINH_PHI": 1_000_000 * (i + 1),
        "XA_HOI_HOA": 500_000 * i,
    }


AGENCY = {"LAO_DONG": 10, "VIEC_LAM": 9}  # per child, as `fill_agency` writes them


def ward_counts(w: Ward) -> dict[str, float]:
    """The ward's total counts, from the households and figures written (rates left out)."""
    sent = [(i, c) for i, c in enumerate(w.children) if c.sent]
    t: dict[str, float] = {}

    def add(code: str, v: float) -> None:
        t[code] = t.get(code, 0) + v

    dat_children = 0
    for i, c in sent:
        hh = homes(w, c)
        rate = sum(h.dat for h in hh) / len(hh)
        dat_children += rate >= 0.80
        for code, v in {
            "HO": len(hh),
            "NK": sum(h.nhan_khau for h in hh),
            "GDVH_DK": sum(h.dk for h in hh),
            "GDVH_DAT": sum(h.dat for h in hh),
            "GDVH_3NAM": sum(h.dat and h.nam >= 3 for h in hh),
            "GDHT": sum(h.ht for h in hh),
            "GDTT": sum(h.tt for h in hh),
            "HO_NGHEO": sum(h.ngheo == "Nghèo" for h in hh),
            "HO_CAN_NGHEO": sum(h.ngheo == "Cận nghèo" for h in hh),
            "HO_VI_PHAM": sum(h.vp for h in hh),
            "HO_NGHEO_LDTBXH": sum(h.ngheo == "Nghèo" for h in hh),
            "HO_CAN_NGHEO_LDTBXH": sum(h.ngheo == "Cận nghèo" for h in hh),
            "NGUOI_VI_PHAM": sum(h.vp for h in hh),
            "KHOM_YTE": 1,
            "KHOM_QS": 1,
            "KHOM": 1,
            "KHOM_CDHT": 1,
            "KHOM_ANTT": 1,
            **AGENCY,
        }.items():
            add(code, v)
        for code, v in self_values(i).items():
            if code not in ("NGAY_HOI", "QUY_UOC", "CD_HOC_TAP", "ANTT", "DIEM"):
                add(code, float(v))  # type: ignore[arg-type]
    t["KHOM_VMDT"] = dat_children
    t["KHOM_TONG"] = len(w.children)
    t |= {"DV": 1, "DV_DK": 1, "DV_DAT": 1, "DV_HT": 0, "DV_ANTT": 0}
    expected = len(w.children)
    if len(sent) == expected:
        ok = t["GDVH_DAT"] / t["HO"] >= 0.80 and dat_children / expected >= 0.80
        t["PHUONG_VMDT"] = float(ok)
    return t


def expected_rows(counts: dict[str, float]) -> dict[str, tuple[float, float, float]]:
    out = {c: (v, math.nan, v) for c, v in counts.items()}
    for code, (n, d) in RATES.items():
        if n in counts and d in counts:
            out[code] = (counts[n], counts[d], counts[n] / counts[d] if counts[d] else math.nan)
    return out


def summed(parts: list[dict[str, float]]) -> dict[str, float]:
    """A parent's counts: a figure every part has, summed (one some part lacks: none)."""
    keys = set.intersection(*(set(p) for p in parts))
    return {k: sum(p[k] for p in parts) for k in keys}


# ── building the ward outputs once ─────────────────────────────────────────────────────────


def fill_agency(blank: Path, out: Path, w: Ward) -> Path:
    header = "Mã " + (LEVEL[w.children[0].cap].noun if w.cap == "Xã" else "khóm")
    agency = [
        {
            header: c.ma,
            "Hộ nghèo": sum(h.ngheo == "Nghèo" for h in homes(w, c)),
            "Hộ cận nghèo": sum(h.ngheo == "Cận nghèo" for h in homes(w, c)),
            "Số người vi phạm pháp luật": sum(h.vp for h in homes(w, c)),
            "An toàn về ANTT": "x",
            "Đạt tiêu chí y tế, dân số": "x",
            "Hoàn thành nghĩa vụ quân sự": "x",
            "Người trong độ tuổi lao động": AGENCY["LAO_DONG"],
            "Người có việc làm": AGENCY["VIEC_LAM"],
        }
        for c in w.children
    ]
    unit = {"Tên đơn vị": "Trường Tiểu học", "Loại đơn vị": "Trường học"}
    unit |= {"Đăng ký đạt chuẩn văn hóa": "x", "Đạt chuẩn văn hóa": "x"}
    return fill(
        blank,
        out,
        labels={"Người lập biểu": "Nguyễn Thị Hạnh", "Ngày lập": date(2020, 12, 18)},
        tables={"Số liệu ngành": agency, "Đơn vị": [unit]},
    )


def run_ward(base: Path, w: Ward) -> Path:
    """A whole ward run; returns its outbox folder for 2020."""
    config = parse_config(ward_toml(w), "tqd.toml")
    blanks, inbox, outbox = base / "blanks", base / "inbox", base / "outbox"
    inbox.mkdir(parents=True)
    write_templates(blanks, config, P)
    for i, c in enumerate(w.children):
        if not c.sent:
            continue
        name = khom_template_name(c.ma, P, c.cap)
        level = LEVEL[c.cap]
        fill(
            blanks / name,
            inbox / name,
            labels={
                "Người lập biểu": "Lê Thị Thu",
                f"Trưởng {level.ban}": "Trần Văn Bảy",
                "Ngày lập": date(2020, 12, 15),
            },
            tables={"Danh sách hộ": [h.row() for h in homes(w, c)]},
            codes={level.cap: self_values(i)},
        )
    name = ward_template_name(config, P)
    fill_agency(blanks / name, inbox / name, w)
    files = sorted(inbox.iterdir())
    run = consolidate(files, config, P)
    assert [f.code for f in run.results.findings if f.is_error] == []
    write_outputs(run, config, outbox, files)
    return outbox / P.id


@pytest.fixture(scope="module")
def wards(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Ward code → the file it sends its city (the xã its CSV), renamed as an officer would."""
    base = tmp_path_factory.mktemp("wards")
    sent = {}
    for w in WARDS:
        out = run_ward(base / w.ma, w)
        if w.ma == CSV_WARD:
            sent[w.ma] = out / f"DuLieu_{P.id}.csv"
        else:
            sent[w.ma] = out / f"BaoCao_{P.id}.xlsx"
    return sent


def city_config() -> Config:
    return load_config(SHIPPED / "thanh-pho-sa-dec-867.toml")


def province_config() -> Config:
    return load_config(SHIPPED / "tinh-dong-thap-87.toml")


def inbox_of(folder: Path, files: dict[str, Path]) -> list[Path]:
    folder.mkdir(parents=True)
    out = []
    for code, src in files.items():
        dst = folder / f"{src.stem}_{code}{src.suffix}"
        shutil.copy(src, dst)
        out.append(dst)
    return sorted(out)


@dataclass
class Level:
    run: pipeline.Run
    outbox: Path


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory, wards: dict[str, Path]) -> Level:
    base = tmp_path_factory.mktemp("city")
    files = inbox_of(base / "inbox", wards)
    config = city_config()
    run = consolidate(files, config, P)
    write_outputs(run, config, base / "outbox", files)
    return Level(run, base / "outbox" / P.id)


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory, city: Level) -> Level:
    base = tmp_path_factory.mktemp("province")
    files = inbox_of(base / "inbox", {CITY: city.outbox / f"BaoCao_{P.id}.xlsx"})
    config = province_config()
    run = consolidate(files, config, P)
    write_outputs(run, config, base / "outbox", files)
    return Level(run, base / "outbox" / P.id)


# ── numbers ────────────────────────────────────────────────────────────────────────────────


def own_counts() -> dict[str, dict[str, float]]:
    return {w.ma: ward_counts(w) for w in WARDS}


def expected_city() -> dict[tuple[str, str], tuple[float, float, float]]:
    per = own_counts()
    out = {}
    for code, counts in per.items():
        out |= {(code, k): v for k, v in expected_rows(counts).items()} | by_loai(code, 1)
    out |= {(CITY, k): v for k, v in expected_rows(summed(list(per.values()))).items()}
    return out | by_loai(CITY, len(per))


def close(a: float | None, b: float) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return math.isnan(b)
    return not math.isnan(b) and abs(a - b) <= 1e-9 * max(1.0, abs(b))


def mismatches(rows: dict, expected: dict) -> list:
    """(unit, code) pairs whose totals differ from the expected, both ways."""
    got = rows
    problems = []
    for key, (tu, mau, gia) in expected.items():
        r = got.get(key)
        if r is None:
            problems.append((key, "missing"))
        elif not (close(r.tu_so, tu) and close(r.mau_so, mau) and close(r.gia_tri, gia)):
            problems.append((key, (r.tu_so, r.mau_so, r.gia_tri), (tu, mau, gia)))
    extra = set(got) - set(expected)
    problems += [(k, "unexpected") for k in sorted(extra)]
    return problems


UNIT_TYPES = ("Cơ quan hành chính", "Đơn vị sự nghiệp", "Trường học", "Doanh nghiệp", "Khác")
SCHOOL = "Trường học"  # the one unit each ward lists


def by_loai(unit: str, schools: int) -> dict:
    """The DV_* rows by loại of a unit whose wards list `schools` schools in all."""
    out = {}
    for loai in UNIT_TYPES:
        n = schools if loai == SCHOOL else 0
        counts = {"DV": n, "DV_DK": n, "DV_DAT": n, "DV_HT": 0, "DV_ANTT": 0}
        out |= {(unit, f"{k}/{loai}"): v for k, v in expected_rows(counts).items()}
    return out


def test_city_data_equals_the_households_sums(city: Level):
    rows = read_sheet_data(city.outbox / f"BaoCao_{P.id}.xlsx")
    assert mismatches(rows, expected_city()) == []


def test_city_csv_equals_the_households_sums(city: Level):
    assert mismatches(read_csv_data(city.outbox / f"DuLieu_{P.id}.csv"), expected_city()) == []


def test_the_city_totals_roll_up_units_by_type(city: Level):
    rows = read_sheet_data(city.outbox / f"BaoCao_{P.id}.xlsx")
    school = rows[(CITY, "DV/Trường học")]
    assert school.gia_tri == 3 and rows[(CITY, "DV/Khác")].gia_tri == 0
    ut = city.run.results.units_by_type
    assert ut.set_index("loai").loc["Trường học", "DV_DAT"] == 3


def test_a_title_some_ward_cannot_have_yet_has_no_city_total(city: Level):
    counts = own_counts()
    assert "PHUONG_VMDT" not in counts["29905"]  # 2/3 khóm: unknown, not 0
    assert (CITY, "PHUONG_VMDT") not in expected_city()
    assert counts["29917"]["PHUONG_VMDT"] == 1 and counts["29914"]["PHUONG_VMDT"] == 0


def test_province_data_equals_the_households_sums(province: Level):
    rows = read_sheet_data(province.outbox / f"BaoCao_{P.id}.xlsx")
    city_counts = summed(list(own_counts().values()))
    expected = {(CITY, k): v for k, v in expected_rows(city_counts).items()}
    expected |= {(PROVINCE, k): v for k, v in expected_rows(city_counts).items()}
    expected |= by_loai(CITY, len(WARDS)) | by_loai(PROVINCE, len(WARDS))
    assert mismatches(rows, expected) == []


# ── selection, statuses and findings ──────────────────────────────────────────────────────


def test_city_overview_and_statuses(city: Level):
    r = city.run.results
    config = city_config()
    assert r.expected == [k.ma for k in config.khom]
    assert r.included == ["29905", "29914", "29917"]
    status = dict(zip(r.overview.ma, r.overview.trang_thai, strict=True))
    sent = {w.ma for w in WARDS}
    assert {k: v for k, v in status.items() if k in r.expected} == {
        k: DA_TONG_HOP if k in sent else CHUA_NOP for k in r.expected
    }
    i03 = sorted(f.khom for f in r.findings if f.code == "I03")
    assert i03 == sorted(set(r.expected) - sent)


def test_an_incomplete_ward_is_flagged_and_its_title_unsure(city: Level):
    r = city.run.results
    u07 = [f for f in r.findings if f.code == "U07"]
    assert [(f.khom, f.sheet, f.cell) for f in u07] == [("29905", "_tqd", "B7")]
    assert r.complete == {"29905": False, "29914": True, "29917": True}
    titles = r.khom_titles.set_index("ma_khom").ket_qua.to_dict()
    assert titles == {"29905": CHUA_DU, "29914": "Chưa đạt", "29917": "Đạt"}
    # One phường đạt of the nine; unsure while six are missing and one is itself unsure.
    assert r.ward_title == f"{CHUA_DU}: 1/9 phường, xã đạt"


def test_the_city_run_has_no_error(city: Level):
    assert [f.code for f in city.run.results.findings if f.is_error] == []
    assert city.run.exit_code == 0


def test_province_reads_the_city_marker(province: Level):
    r = province.run.results
    assert r.included == [CITY] and r.complete == {CITY: False}
    assert [(f.code, f.cell) for f in r.findings if f.code == "U07"] == [("U07", "B7")]
    assert len([f for f in r.findings if f.code == "I03"]) == len(r.expected) - 1


# ── tampered outputs ───────────────────────────────────────────────────────────────────────


def data_row(path: Path, unit: str, code: str, phan_loai: str = "") -> int:
    ws = openpyxl.load_workbook(path)["Dữ liệu"]
    for row in ws.iter_rows(min_row=2):
        if (row[1].value, row[5].value, row[6].value or "") == (unit, code, phan_loai):
            return row[0].row
    raise AssertionError((unit, code))


def edited(src: Path, dst: Path, change) -> Path:
    wb = openpyxl.load_workbook(src)
    change(wb)
    wb.save(dst)
    return dst


def city_run_with(tmp_path: Path, wards: dict[str, Path], code: str, file: Path) -> pipeline.Run:
    files = inbox_of(tmp_path / "inbox", {**wards, code: file})
    return consolidate(files, city_config(), P)


def left_out(run: pipeline.Run, code: str) -> None:
    r = run.results
    assert code not in r.included
    assert dict(zip(r.overview.ma, r.overview.trang_thai, strict=True))[code] == CO_LOI
    assert (CITY, "HO") in {
        (u, c) for u, c in zip(r.data.ma_don_vi, r.data.ma_chi_tieu, strict=True)
    }
    assert code not in set(r.data.ma_don_vi)
    assert any(code in t for t in r.ignored.tep)


def test_an_edited_value_is_u03_at_its_cell(tmp_path: Path, wards: dict[str, Path]):
    src = wards["29917"]
    row = data_row(src, "29917", "HO")

    def change(wb):
        wb["Dữ liệu"][f"J{row}"] = 21

    run = city_run_with(
        tmp_path, wards, "29917", edited(src, tmp_path / "BaoCao_2020.xlsx", change)
    )
    u = [
        (f.code, f.sheet, f.cell) for f in run.results.findings if f.khom == "29917" and f.is_error
    ]
    assert u == [("U03", "Dữ liệu", f"J{row}")]
    left_out(run, "29917")


def test_a_child_row_not_summing_to_the_total_is_u03_at_the_total(
    tmp_path: Path, wards: dict[str, Path]
):
    src = wards["29917"]
    k1, total = data_row(src, "K1", "NK"), data_row(src, "29917", "NK")

    def change(wb):
        ws = wb["Dữ liệu"]
        ws[f"H{k1}"] = ws[f"H{k1}"].value + 1
        ws[f"J{k1}"] = ws[f"J{k1}"].value + 1

    run = city_run_with(
        tmp_path, wards, "29917", edited(src, tmp_path / "BaoCao_2020.xlsx", change)
    )
    u = [
        (f.code, f.sheet, f.cell) for f in run.results.findings if f.khom == "29917" and f.is_error
    ]
    assert u == [("U03", "Dữ liệu", f"J{total}")]
    left_out(run, "29917")


def test_sample_data_is_u06_on_the_marker(tmp_path: Path, wards: dict[str, Path]):
    def change(wb):
        wb["_tqd"]["B8"] = "1"

    src = wards["29917"]
    run = city_run_with(
        tmp_path, wards, "29917", edited(src, tmp_path / "BaoCao_2020.xlsx", change)
    )
    u = [
        (f.code, f.sheet, f.cell) for f in run.results.findings if f.khom == "29917" and f.is_error
    ]
    assert u == [("U06", "_tqd", "B8")]
    left_out(run, "29917")


def test_a_wrong_period_is_u02_at_its_first_row(tmp_path: Path, wards: dict[str, Path]):
    src = wards[CSV_WARD]
    text = src.read_text("utf-8-sig").replace("\n2020,", "\n2019,")
    assert text.count("\n2019,") > 100
    bad = tmp_path / src.name
    bad.write_text(text, "utf-8-sig")
    run = city_run_with(tmp_path, wards, CSV_WARD, bad)
    u = [
        (f.code, f.sheet, f.cell) for f in run.results.findings if f.khom == CSV_WARD and f.is_error
    ]
    assert u == [("U02", bad.stem + f"_{CSV_WARD}", "A2")]
    left_out(run, CSV_WARD)


def test_an_unknown_unit_is_u01(tmp_path: Path, wards: dict[str, Path]):
    files = inbox_of(tmp_path / "inbox", wards)
    other = load_config(SHIPPED / "thanh-pho-sa-dec-867.toml").model_copy(
        update={"don_vi_con": tuple(k for k in city_config().khom if k.ma != "29917")}
    )
    run = consolidate(files, other, P)
    u = [(f.code, f.sheet, f.cell) for f in run.results.findings if f.code == "U01"]
    # At the ward's first own row (after its khóm rows): the code that is not a child here.
    assert u == [("U01", "Dữ liệu", f"B{data_row(wards['29917'], '29917', 'HO')}")]
    assert "29917" not in run.results.included


def test_two_outputs_of_one_ward_use_the_later(tmp_path: Path, wards: dict[str, Path]):
    import os

    files = inbox_of(tmp_path / "inbox", wards)
    again = tmp_path / "inbox" / "DuLieu_2020_29917.csv"
    shutil.copy(wards["29917"].parent / "DuLieu_2020.csv", again)
    older = next(p for p in files if p.name.endswith("_29917.xlsx"))
    os.utime(older, (1_600_000_000, 1_600_000_000))
    run = consolidate(sorted(tmp_path.joinpath("inbox").iterdir()), city_config(), P)
    u05 = [f for f in run.results.findings if f.code == "U05"]
    assert [(f.file, f.khom) for f in u05] == [(older.name, "29917")]
    assert "29917" in run.results.included


def test_nothing_usable_is_a_run_error(tmp_path: Path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "ghi-chu.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(RunError):
        consolidate(sorted(folder.iterdir()), city_config(), P)


def test_check_reads_a_ward_output_with_the_city_configuration(wards: dict[str, Path]):
    c = check_file(wards["29917"], city_config(), date(2020, 12, 20))
    assert [f.code for f in c.findings] == []
    c = check_file(wards["29905"], city_config(), date(2020, 12, 20))
    assert [f.code for f in c.findings] == ["U07"]


def test_a_configuration_is_refused_outside_its_periods(wards: dict[str, Path]):
    with pytest.raises(RunError, match="29905"):
        pipeline.unit_serves(
            load_config(SHIPPED / "tan-quy-dong-29917.toml"), Period.parse("2025Q3")
        )
    pipeline.unit_serves(load_config(SHIPPED / "tan-quy-dong-29917.toml"), Period.parse("2025Q2"))


def test_a_province_reads_a_city_csv_as_its_workbook(tmp_path: Path, city: Level):
    files = inbox_of(tmp_path / "inbox", {CITY: city.outbox / f"DuLieu_{P.id}.csv"})
    run = consolidate(files, province_config(), P)
    assert run.results.included == [CITY]
    assert [f.code for f in run.results.findings if f.is_error] == []
    # Without a marker the city's completeness is read from its KHOM / KHOM_TONG rows.
    assert [f.code for f in run.results.findings if f.code == "U07"] == ["U07"]


# ── after the reform: phường Sa Đéc reports straight to the new province ──────────────────


def test_after_the_reform_a_ward_reports_to_the_new_province(tmp_path: Path):
    q3 = Period.parse("2025Q3")
    config = load_config(SHIPPED / "phuong-sa-dec-29905.toml")
    w = Ward("29905", "Sa Đéc", "Phường", tuple(Child(k.ma, k.cap, 5, 4) for k in config.khom))
    blanks, inbox = tmp_path / "blanks", tmp_path / "inbox"
    inbox.mkdir()
    write_templates(blanks, config, q3)
    for i, c in enumerate(w.children):
        name = khom_template_name(c.ma, q3, c.cap)
        level = LEVEL[c.cap]
        fill(
            blanks / name,
            inbox / name,
            labels={
                "Người lập biểu": "Lê Thị Thu",
                f"Trưởng {level.ban}": "Trần Văn Bảy",
                "Ngày lập": date(2025, 9, 15),
            },
            tables={"Danh sách hộ": [h.row() for h in homes(w, c)]},
            codes={level.cap: self_values(i)},
        )
    files = sorted(inbox.iterdir())
    run = consolidate(files, config, q3)
    write_outputs(run, config, tmp_path / "outbox", files)
    sent = inbox_of(tmp_path / "up", {"29905": tmp_path / "outbox" / q3.id / "BaoCao_2025Q3.xlsx"})
    province = load_config(SHIPPED / "tinh-dong-thap-82.toml")
    up = consolidate(sent, province, q3)
    assert up.results.included == ["29905"]
    assert [f.code for f in up.results.findings if f.is_error] == []
    hh = sum(c.households for c in w.children)
    assert up.results.value("82", "HO") == hh == up.results.value("29905", "HO")
    # The old province's configuration is not for this period.
    with pytest.raises(RunError, match="82"):
        consolidate(sent, province_config(), q3)


def test_the_marker_says_when_the_run_wrote_it_and_decides_which_is_later(
    tmp_path: Path, wards: dict[str, Path]
):
    """Of two outputs of one ward, the later run by the markers' `thoi_gian` is used, whatever
    the file times say (a file copied later is not a later run)."""
    import os

    from tqd_sheets.spec import MARKER_SHEET

    src = wards["29917"]
    marker = dict(openpyxl.load_workbook(src)[MARKER_SHEET].iter_rows(values_only=True))
    assert datetime.fromisoformat(marker["thoi_gian"]).tzinfo is not None
    folder = tmp_path / "inbox"
    folder.mkdir()
    early, late = folder / "BaoCao_2020_29917_cu.xlsx", folder / "BaoCao_2020_29917_moi.xlsx"
    for path, when in ((early, "2021-01-05T08:00:00+07:00"), (late, "2021-01-09T08:00:00+07:00")):
        wb = openpyxl.load_workbook(src)
        ws = wb[MARKER_SHEET]
        row = next(r for r in ws.iter_rows() if r[0].value == "thoi_gian")
        row[1].value = when
        wb.save(path)
    os.utime(early, (1_700_000_000, 1_700_000_000))  # the earlier run's file is the newer copy
    os.utime(late, (1_600_000_000, 1_600_000_000))
    run = consolidate([early, late], city_config(), P)
    assert [(f.code, f.file) for f in run.results.findings if f.code == "U05"] == [
        ("U05", early.name)
    ]


def test_a_parent_writes_no_household_lists_and_names_its_inputs(city: Level):
    """No household reaches a city: no `noi-bo/` lists; the manifest names each input's unit."""
    import json

    assert not (city.outbox / "noi-bo").exists()
    record = json.loads((city.outbox / "manifest.json").read_text("utf-8"))
    used = {i["ten_tep"]: i for i in record["tep_dau_vao"]}
    assert {i["ma_khom"] for i in used.values()} >= {"29917", "29914"}
    assert {i["loai"] for i in used.values() if i["ma_khom"]} == {"bao_cao"}


def test_a_childs_ngay_lap_is_the_day_its_run_made_the_report(city: Level):
    """KiemTra's Ngày lập for a ward is the day in its output's marker, not empty; a CSV
    has no marker, and its file's time is when it was copied: no date."""
    from datetime import datetime

    from tqd_sheets.read import read_workbook

    r = city.run.results
    made = dict(zip(r.overview.ma, r.overview.ngay_lap, strict=True))
    files = dict(zip(r.overview.ma, r.overview.tep, strict=True))
    paths = {c.path.name: c.path for c in city.run.checked}
    kinds = set()
    for code in r.included:
        path = paths[files[code]]
        kinds.add(path.suffix)
        if path.suffix == ".csv":
            assert made[code] is None
            continue
        raw, found = read_workbook(path, only={"Dữ liệu"})
        assert raw is not None, found
        assert made[code] == datetime.fromisoformat(raw.marker["thoi_gian"]).date()
    assert kinds == {".csv", ".xlsx"}
    assert {made[k] for k in r.expected if k not in r.included} == {None}  # not sent
