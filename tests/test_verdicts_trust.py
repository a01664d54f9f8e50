"""Issue 7: verdicts on incomplete data, and every agency figure the ward enters reported.

A ward-level verdict that rests on a khóm with no valid workbook (Chưa nộp or Có lỗi: either
way the khóm is not among those `compute` receives) says `Chưa đủ căn cứ (Tổng hợp x/N khóm)`,
unless it is already decided whatever the missing khóm turn out to be. Counts are over the N
khóm of the ward. Every expected value here is worked out by hand in the test.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from builders import WARD as B_WARD
from builders import (
    build_inbox,
    consolidate,
    data_mismatches,
    dataset,
    error_book,
    expected_data,
    read_csv_data,
    sheet_rows,
    sheet_text,
)
from results_factory import make_config, register
from tqd_sheets.config import RuleSet
from tqd_sheets.forms import COUNT_ROW, layout, write_forms
from tqd_sheets.indicators import KhomData, compute
from tqd_sheets.periods import Period
from tqd_sheets.results import CHUA_DAT, CHUA_DU, DAT, Results

RULES = RuleSet()  # khóm: GĐVH ≥ 80 %, điểm ≥ 80; phường: khóm ≥ 80 %, GĐVH ≥ 80 %
WARD = "TQD"
FOUR = [("K1", "Khóm 1"), ("K2", "Khóm 2"), ("K3", "Khóm 3"), ("K4", "Khóm 4")]
PASSES = {"NGAY_HOI": True, "QUY_UOC": True, "CD_HOC_TAP": False, "ANTT": True, "DIEM": 80.0}
PARTIAL_2_4 = "Chưa đủ căn cứ (Tổng hợp 2/4 khóm)"


def khom(code: str, n: int = 10, dat: int = 8, **values: object) -> KhomData:
    """A khóm meeting every criterion at its boundary (8/10 = 80 %, điểm 80) by default."""
    return KhomData(code, f"Khóm {code[1:]}", register(n, dat), {**PASSES, **values})


def agency_row(code: str, **kw: object) -> dict[str, object]:
    row: dict[str, object] = {
        "ma_khom": code,
        "ho_ngheo": 2,
        "ho_can_ngheo": 3,
        "nguoi_vi_pham": 1,
        "antt": True,
        "y_te": True,
        "nvqs": True,
        "lao_dong": 20,
        "co_viec_lam": 18,
    }
    row.update(kw)
    return row


def agency(codes: list[str], **per_code: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame([agency_row(c, **per_code.get(c, {})) for c in codes])


def run(
    included: list[KhomData],
    expected: list[tuple[str, str]] = FOUR,
    rows: list[str] | None = None,
    targets: dict[str, float] | None = None,
    **per_code: dict[str, object],
) -> Results:
    codes = [c for c, _ in expected] if rows is None else rows
    return compute(
        Period.parse("2020"),
        WARD,
        "Phường TQD",
        expected,
        included,
        RULES,
        agency=agency(codes, **per_code),
        units=pd.DataFrame(columns=["loai", "dk_vh", "dat_vh", "don_vi_hoc_tap", "antt"]),
        targets=targets,
    )


def target(r: Results, code: str) -> pd.Series:
    return r.targets.set_index("ma").loc[code]


def has_row(r: Results, unit: str, code: str) -> bool:
    return bool(((r.data.ma_don_vi == unit) & (r.data.ma_chi_tieu == code)).any())


# ── the ward title and the targets on complete data, at their boundaries ───────────────────


def test_every_rate_equal_to_its_target_is_met():
    # 5 khóm of 10 households; K1..K4 8/10 đạt (= 80 %), K5 10/10 but no Ngày hội.
    five = [(f"K{i}", f"Khóm {i}") for i in range(1, 6)]
    r = run(
        [khom("K1"), khom("K2"), khom("K3"), khom("K4"), khom("K5", dat=8, NGAY_HOI=False)],
        expected=five,
        targets={"GDVH_DK_TL": 1.0, "GDVH_DAT_TL": 0.8, "KHOM_VMDT": 4, "PHUONG_VMDT": 1},
    )
    assert list(r.khom_titles.ket_qua) == [DAT] * 4 + [CHUA_DAT]
    assert r.value(WARD, "GDVH_DAT_TL") == 40 / 50 == 0.8  # the ward rate, exactly 80 %
    assert r.value(WARD, "KHOM_VMDT") == 4  # 4/5 = 80 % of khóm
    assert r.ward_title == DAT and r.value(WARD, "PHUONG_VMDT") == 1
    t = target(r, "GDVH_DAT_TL")
    assert t.dat is True and t.danh_gia == DAT and t.con_thieu == ""
    assert target(r, "KHOM_VMDT").dat is True  # 4 khóm đạt, target 4
    assert target(r, "PHUONG_VMDT").danh_gia == DAT


def test_one_household_below_the_boundary_fails_khom_and_ward():
    five = [(f"K{i}", f"Khóm {i}") for i in range(1, 6)]
    r = run(
        [khom("K1"), khom("K2"), khom("K3"), khom("K4", dat=7), khom("K5", NGAY_HOI=False)],
        expected=five,
        targets={"GDVH_DK_TL": 1.0, "GDVH_DAT_TL": 0.8, "KHOM_VMDT": 4, "PHUONG_VMDT": 1},
    )
    assert r.khom_titles.set_index("ma_khom").loc["K4", "ket_qua"] == CHUA_DAT  # 7/10 < 80 %
    assert r.value(WARD, "GDVH_DAT_TL") == 39 / 50  # < 80 %: 1 household short
    assert r.ward_title == CHUA_DAT and r.value(WARD, "PHUONG_VMDT") == 0
    t = target(r, "GDVH_DAT_TL")
    assert t.dat is False and t.con_thieu == "còn thiếu 1 hộ"
    k = target(r, "KHOM_VMDT")
    assert k.dat is False and k.con_thieu == "còn 1 khóm chưa đạt"  # 3 đạt, target 4


def test_khom_score_equal_to_threshold_passes_and_just_below_fails():
    r = run([khom("K1", DIEM=80.0), khom("K2", DIEM=79.99)], rows=["K1", "K2"])
    assert list(r.khom_titles.ket_qua) == [DAT, CHUA_DAT]


# ── partial data: a khóm missing (Chưa nộp) or left out for errors (Có lỗi) ────────────────


@pytest.mark.parametrize("why", ["chưa nộp", "có lỗi"])
def test_two_of_four_both_dat_is_not_enough_ground(why):
    # Whether K3, K4 never sent a workbook or sent one with errors, `compute` gets K1, K2.
    r = run([khom("K1", n=100, dat=100), khom("K2", n=100, dat=100)])
    assert r.partial and r.coverage == "Tổng hợp 2/4 khóm"
    assert r.value(WARD, "KHOM_VMDT") == 2 and r.value(WARD, "KHOM") == 2
    assert r.value(WARD, "KHOM_TONG") == 4  # the ward's khóm: the denominator of every verdict
    # The ward's title: 2/4 đạt could become 4/4; the ward GĐVH rate is unknown.
    assert r.ward_title == CHUA_DU
    assert "2/4 khóm" in r.ward_title_reasons and "Khóm 3, Khóm 4" in r.ward_title_reasons
    assert not has_row(r, WARD, "PHUONG_VMDT")  # never 1 (nor a silent 0) on partial data
    assert r.verdict_text(r.ward_title) == PARTIAL_2_4
    for code in ("GDVH_DK_TL", "GDVH_DAT_TL", "KHOM_VMDT", "PHUONG_VMDT"):
        t = target(r, code)
        assert t.dat is None, code
        assert t.danh_gia == PARTIAL_2_4, code
        assert "còn thiếu" not in t.con_thieu, code
    assert target(r, "KHOM_VMDT").con_thieu == "đã có 2/4 khóm đạt; 2 khóm chưa tổng hợp"
    # Đơn vị do not depend on khóm: their verdict stands.
    assert target(r, "DV_DAT_TL").danh_gia == CHUA_DU  # no unit listed, rate empty


def test_partial_data_target_already_reached_is_met():
    r = run([khom("K1"), khom("K2")], targets={"KHOM_VMDT": 2, "GDVH_DAT_TL": 0.8})
    k = target(r, "KHOM_VMDT")
    assert k.dat is True and k.danh_gia == DAT and k.con_thieu == ""
    assert target(r, "GDVH_DAT_TL").danh_gia == PARTIAL_2_4  # the rate still needs all hộ


def test_partial_data_target_out_of_reach_is_not_met():
    # 3/4 consolidated, K2 and K3 fail: even if K4 passes, 2 khóm < target 4 and 2/4 < 80 %.
    r = run([khom("K1"), khom("K2", DIEM=50.0), khom("K3", dat=0)])
    assert r.coverage == "Tổng hợp 3/4 khóm"
    k = target(r, "KHOM_VMDT")
    assert k.dat is False and k.danh_gia == CHUA_DAT
    assert k.con_thieu == "nhiều nhất 2/4 khóm có thể đạt, không đủ 4 khóm (Tổng hợp 3/4 khóm)"
    assert r.ward_title == CHUA_DAT
    assert "nhiều nhất 2/4" in r.ward_title_reasons
    assert r.value(WARD, "PHUONG_VMDT") == 0  # sound: no missing khóm can change it
    assert target(r, "PHUONG_VMDT").danh_gia == CHUA_DAT


def test_partial_ward_title_at_its_boundary():
    # 5 khóm, 4 đạt among 4 consolidated: 4/5 = 80 % is met whatever K5 is, yet the ward's
    # GĐVH rate needs K5's households → still not enough ground.
    five = [(f"K{i}", f"Khóm {i}") for i in range(1, 6)]
    r = run([khom(f"K{i}") for i in range(1, 5)], expected=five, targets={"KHOM_VMDT": 4})
    assert target(r, "KHOM_VMDT").dat is True
    assert r.ward_title == CHUA_DU and not has_row(r, WARD, "PHUONG_VMDT")
    # 3 đạt of 4 consolidated, 1 fails: at best 4/5 = 80 % → still open.
    r2 = run([khom("K1"), khom("K2"), khom("K3"), khom("K4", dat=7)], expected=five)
    assert r2.ward_title == CHUA_DU
    # 2 fail: at best 3/5 = 60 % < 80 % → Chưa đạt.
    r3 = run([khom("K1"), khom("K2"), khom("K3", dat=7), khom("K4", dat=7)], expected=five)
    assert r3.ward_title == CHUA_DAT and r3.value(WARD, "PHUONG_VMDT") == 0


def test_unsure_khom_on_complete_data():
    # Every khóm consolidated; no Công an mark for K4 (not in Số liệu ngành).
    r = run([khom(c) for c, _ in FOUR], rows=["K1", "K2", "K3"])
    assert list(r.khom_titles.ket_qua) == [DAT, DAT, DAT, CHUA_DU]
    # 3/4 = 75 % < 80 % now, 4/4 if K4 is confirmed: open, and said plainly (no coverage).
    assert r.ward_title == CHUA_DU and r.verdict_text(r.ward_title) == CHUA_DU
    assert not has_row(r, WARD, "PHUONG_VMDT")
    assert target(r, "KHOM_VMDT").danh_gia == CHUA_DU
    assert target(r, "GDVH_DAT_TL").danh_gia == CHUA_DAT  # 32/40 = 80 % < 94 %: decided


# ── agency figures ──────────────────────────────────────────────────────────────────────────


def test_agency_figures_per_khom_and_ward_total():
    r = run(
        [khom(c) for c, _ in FOUR],
        K2={"y_te": False, "ho_ngheo": 5, "nguoi_vi_pham": 0},
        K3={"nvqs": None, "ho_can_ngheo": 0},
    )
    v = r.value
    assert [v(k, "KHOM_YTE") for k, _ in FOUR] == [1, 0, 1, 1]
    assert [v(k, "KHOM_QS") for k, _ in FOUR] == [1, 1, 0, 1]  # blank mark: not đạt
    assert v(WARD, "KHOM_YTE") == 3 and v(WARD, "KHOM_QS") == 3
    assert v(WARD, "HO_NGHEO_LDTBXH") == 2 + 5 + 2 + 2
    assert v(WARD, "HO_CAN_NGHEO_LDTBXH") == 3 + 3 + 0 + 3
    assert v(WARD, "NGUOI_VI_PHAM") == 1 + 0 + 1 + 1
    assert v("K2", "HO_NGHEO_LDTBXH") == 5
    # the register's own count stays beside it, never replaced
    assert v("K2", "HO_NGHEO") == 0


def test_agency_figures_for_some_khom_only_have_no_ward_total():
    r = run([khom(c) for c, _ in FOUR], rows=["K1", "K3"])
    for code in ("HO_NGHEO_LDTBXH", "NGUOI_VI_PHAM", "KHOM_YTE", "KHOM_QS", "LAO_DONG"):
        assert r.value("K1", code) == r.value("K1", code)  # present (not NaN)
        assert not has_row(r, "K2", code), code
        assert not has_row(r, WARD, code), code  # a part of the ward is not its total


def test_agency_row_of_a_missing_khom_does_not_enter_the_total():
    # K1, K2 consolidated, each with its row: the ward total is over them (with the coverage).
    r = run([khom("K1"), khom("K2")], K3={"ho_ngheo": 50})
    assert r.value(WARD, "HO_NGHEO_LDTBXH") == 4
    assert r.value(WARD, "KHOM_YTE") == 2


# ── the forms say the same ─────────────────────────────────────────────────────────────────


def grid(path: Path, sheet: str) -> list[list]:
    return (
        CalamineWorkbook.from_path(str(path))
        .get_sheet_by_name(sheet)
        .to_python(skip_empty_area=False)
    )


def cells_text(g: list[list]) -> str:
    return "\n".join(str(x) for row in g for x in row if x not in (None, ""))


@pytest.fixture
def partial_forms(tmp_path: Path) -> tuple[Results, Path]:
    # K1, K2 consolidated; Số liệu ngành has K1 and K3 only, so K1 đạt and K2, without
    # Công an's mark, is Chưa đủ căn cứ.
    r = run([khom("K1", n=100, dat=100), khom("K2", n=100, dat=100)], rows=["K1", "K3"])
    return r, write_forms(tmp_path / "BaoCao_2020.xlsx", r, make_config())


def test_forms_on_partial_data(partial_forms):
    r, path = partial_forms
    lay = layout(r)
    # the agencies' figures are on Biểu 05b (forms branch: Biểu 05 split to print at 100 %)
    l01, l02, l04, l05 = (lay[s] for s in ("Biểu 01", "Biểu 02", "Biểu 04", "Biểu 05b"))
    g01 = grid(path, "Biểu 01")
    for code in ("DG_GDVH_DK_TL", "DG_GDVH_DAT_TL"):
        assert g01[l01.rows[WARD]][l01.columns[code]] == PARTIAL_2_4
        assert g01[l01.rows["K1"]][l01.columns[code]] in (DAT, CHUA_DAT)  # a khóm is whole
    g02 = grid(path, "Biểu 02")
    ward_row = g02[l02.rows[WARD]]
    assert PARTIAL_2_4 in ward_row
    assert "1/4 khóm đạt chuẩn văn minh đô thị (2 khóm chưa tổng hợp)" in ward_row
    assert not any("/2 khóm" in str(x) for x in ward_row)
    assert g02[l02.rows[COUNT_ROW]][l02.columns["KET_QUA"]] == 1
    g04 = grid(path, "Biểu 04")
    for code in ("GDVH_DK_TL", "GDVH_DAT_TL", "KHOM_VMDT", "PHUONG_VMDT"):
        assert g04[l04.rows[code]][l04.columns["DANH_GIA"]] == PARTIAL_2_4, code
    assert g04[l04.rows["PHUONG_VMDT"]][l04.columns["KET_QUA"]] == "—"
    assert "còn thiếu" not in cells_text(g04)
    assert "Tổng hợp 2/4 khóm: chưa có số liệu hợp lệ của Khóm 3, Khóm 4" in cells_text(g04)
    # Biểu 05b: K1's agency figures shown; K2 has no row → blank, the total says "—".
    g05 = grid(path, "Biểu 05b")
    k1, k2, tot = (l05.rows[k] for k in ("K1", "K2", WARD))
    for code, want in (("HO_NGHEO_LDTBXH", 2), ("NGUOI_VI_PHAM", 1), ("KHOM_YTE", 1)):
        assert g05[k1][l05.columns[code]] == want
        assert g05[k2][l05.columns[code]] == ""
        assert g05[tot][l05.columns[code]] == "—"
    assert g05[tot][l05.columns["VIEC_LAM_TL"]] == "—"
    assert "Chưa có số liệu ngành của: Khóm 2" in cells_text(g05)


def test_forms_show_agency_totals_when_every_khom_has_a_row(tmp_path):
    r = run([khom(c) for c, _ in FOUR], K4={"nvqs": False})
    path = write_forms(tmp_path / "BaoCao_2020.xlsx", r, make_config())
    l05 = layout(r)["Biểu 05b"]
    g05 = grid(path, "Biểu 05b")
    tot = l05.rows[WARD]
    assert g05[tot][l05.columns["KHOM_QS"]] == 3
    assert g05[tot][l05.columns["KHOM_YTE"]] == 4
    assert g05[tot][l05.columns["HO_NGHEO_LDTBXH"]] == 8
    assert g05[tot][l05.columns["VIEC_LAM_TL"]] == 72 / 80 * 100  # forms show percent units
    assert not math.isnan(r.value(WARD, "NGUOI_VI_PHAM"))


# ── end to end: one khóm with errors (Có lỗi), one never sent (Chưa nộp) ──────────────────


def test_run_with_a_khom_in_error_and_one_missing(tmp_path, blanks):
    books, ward = dataset()
    bad, _ = error_book(books["K2"])
    inbox = tmp_path / "inbox"
    build_inbox(
        inbox, tmp_path / "work", blanks, {"K1": books["K1"], "K2": bad, "K4": books["K4"]}, ward
    )
    run = consolidate(inbox, tmp_path / "outbox")
    assert run.rc == 1 and "Tổng hợp 2/4 khóm" in run.out, run.text
    out = tmp_path / "outbox" / "2020"
    expected = expected_data(books, ward, ["K1", "K4"])
    assert (B_WARD, "PHUONG_VMDT") not in expected  # K1, K4 đạt; K2, K3 could be too
    problems = data_mismatches(read_csv_data(out / "DuLieu_2020.csv"), expected)
    assert not problems, "\n".join(problems)
    forms = out / "BaoCao_2020.xlsx"
    assert PARTIAL_2_4 in sheet_text(forms, "Biểu 02")
    assert "2/4 khóm đạt chuẩn văn minh đô thị (2 khóm chưa tổng hợp)" in sheet_text(
        forms, "Biểu 02"
    )
    b04 = sheet_text(forms, "Biểu 04")
    assert b04.count(PARTIAL_2_4) == 4  # GĐVH đăng ký, GĐVH đạt, số khóm, phường
    assert not re.search(r"còn thiếu \d+ hộ|khóm chưa đạt", b04)  # no gap as if final
    # The agencies' figures for K1 and K4 are on Biểu 05b, as the ward entered them.
    ag = ward.agency_by()
    b05 = sheet_rows(forms, "Biểu 05b")
    for code in ("K1", "K4"):
        row = next(r for r in b05 if f"Khóm {code[1:]}" in [str(x) for x in r])
        nums = [x for x in row if isinstance(x, float | int) and not isinstance(x, bool)]
        a = ag[code]
        want = [a.nguoi_vi_pham, a.ho_ngheo, a.ho_can_ngheo, a.lao_dong, a.co_viec_lam]
        assert all(w in nums for w in want), (code, nums, want)


def test_partial_verdicts_of_a_xa_speak_of_ap():
    """A xã's verdicts on partial data count ấp, never khóm (issue 8: words from the kinds)."""
    five = [(f"A{i}", f"Ấp {i}") for i in range(1, 6)]
    r = compute(
        Period.parse("2020"),
        "29914",
        "Xã Tân Khánh Đông",
        five,
        [khom(f"A{i}") for i in range(1, 4)],
        RuleSet(),
        agency=pd.DataFrame([agency_row(f"A{i}") for i in range(1, 6)]),
        cap="Xã",
        child_caps={code: "Ấp" for code, _ in five},
    )
    assert r.coverage == "Tổng hợp 3/5 ấp"
    assert r.verdict_text(CHUA_DU) == "Chưa đủ căn cứ (Tổng hợp 3/5 ấp)"
    words = " ".join(str(x) for x in r.targets.to_numpy().ravel()) + r.ward_title_reasons
    assert "khóm" not in words.casefold()
    row = r.targets[r.targets.ma == "KHOM_VMDT"].iloc[0]
    assert row.don_vi == "ấp" and "2 ấp chưa tổng hợp" in row.con_thieu
