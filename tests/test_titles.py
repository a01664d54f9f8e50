"""Titles per regime (titles.py): each criterion at its boundary, the reasons an officer reads,
what cannot be judged, partial data, ấp and mixed children, NĐ 86/2023 from configuration."""

import math
from pathlib import Path

import pandas as pd
import pytest

from results_factory import register
from tqd_sheets import titles
from tqd_sheets.config import ConfigError, RuleSet, parse_config
from tqd_sheets.indicators import Coverage, KhomData, compute
from tqd_sheets.periods import Period
from tqd_sheets.results import CHUA_DAT, CHUA_DU, DAT
from tqd_sheets.titles import judge_child, judge_parent, title_name
from tqd_sheets.units import LEVELS

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = (ROOT / "tqd.toml").read_text(encoding="utf-8")
# Thresholds chosen so that a boundary is an exact fraction: 3/4 households, 3/4 khóm.
RS = RuleSet(khom_gdvh_dat_tl=0.75, khom_diem=85, phuong_khom_vmdt_tl=0.75, phuong_gdvh_dat_tl=0.5)
ND86_RS = RuleSet(danh_hieu=titles.ND86, khom_gdvh_dat_tl=0.7)
GOOD = {"GDVH_DAT_TL": 3 / 4, "ANTT": True, "NGAY_HOI": True, "QUY_UOC": True, "DIEM": 85.0}


def facts(**kw: object) -> dict[str, object]:
    return {**GOOD, **kw}


def ward(gdvh: float) -> dict[str, tuple[float, float, float]]:
    return {"GDVH_DAT_TL": (math.nan, math.nan, gdvh)}


# ── child level ──


def test_child_meets_every_criterion_exactly_at_its_thresholds():
    assert judge_child(facts(), RS) == (DAT, "")
    assert judge_child(facts(DIEM=85), RS) == (DAT, "")  # an int score counts the same


@pytest.mark.parametrize(
    ("changed", "reason"),
    [
        ({"GDVH_DAT_TL": 0.7499}, "Tỷ lệ hộ đạt GĐVH 74,99% thấp hơn 75,00%"),
        ({"GDVH_DAT_TL": math.nan}, "Chưa có hộ trong danh sách"),
        ({"ANTT": False}, "Công an chưa xác nhận An toàn về ANTT"),
        ({"NGAY_HOI": False}, "Chưa tổ chức Ngày hội Đại đoàn kết toàn dân tộc"),
        ({"QUY_UOC": False}, "Chưa thực hiện tốt Quy ước khóm"),
        ({"DIEM": 84.5}, "Điểm tự chấm 84,5 thấp hơn 85"),
        ({"DIEM": None}, "Điểm tự chấm None thấp hơn 85"),
    ],
)
def test_each_child_criterion_just_below_is_unmet_with_its_reason(changed, reason):
    assert judge_child(facts(**changed), RS) == (CHUA_DAT, reason)


def test_missing_police_mark_cannot_be_judged_unless_something_fails():
    unknown = "Chưa có xác nhận An toàn về ANTT của Công an"
    assert judge_child(facts(ANTT=None), RS) == (CHUA_DU, unknown)
    # A failure decides; the unknown is listed after it so both are fixed at once.
    assert judge_child(facts(ANTT=None, NGAY_HOI=False), RS) == (
        CHUA_DAT,
        "Chưa tổ chức Ngày hội Đại đoàn kết toàn dân tộc; " + unknown,
    )


def test_reasons_follow_the_childs_kind():
    status, reasons = judge_child(facts(QUY_UOC=False), RS, "Ấp")
    assert (status, reasons) == (CHUA_DAT, "Chưa thực hiện tốt Quy ước ấp")
    _, reasons = judge_child(facts(QUY_UOC=False), ND86_RS, "Tổ dân phố")
    assert reasons == "Chưa thực hiện tốt Quy ước tổ dân phố"


def test_a_kind_without_a_title_cannot_be_judged():
    assert judge_child(facts(), RS, "Huyện") == (
        CHUA_DU,
        "Bộ tiêu chí ND122_2018 không có danh hiệu cho cấp huyện",
    )


# ── parent level ──


def test_parent_meets_both_thresholds_exactly():
    cover = Coverage(expected=4, included=4, dat=3, unsure=0)
    assert judge_parent(ward(0.5), cover, RS) == (DAT, "")


def test_parent_unmet_reasons():
    cover = Coverage(expected=4, included=4, dat=2, unsure=0)
    assert judge_parent(ward(0.4999), cover, RS) == (
        CHUA_DAT,
        "Tỷ lệ hộ đạt GĐVH của phường 49,99% thấp hơn 50,00%; "
        "Tỷ lệ khóm đạt văn minh đô thị 2/4 (50,00%) thấp hơn 75,00%",
    )
    assert judge_parent(ward(math.nan), Coverage(4, 4, 3, 0), RS) == (
        CHUA_DAT,
        "Tỷ lệ hộ đạt GĐVH của phường — thấp hơn 50,00%",
    )
    assert judge_parent(ward(math.nan), Coverage(0, 0, 0, 0), RS)[1] == (
        "Tỷ lệ hộ đạt GĐVH của phường — thấp hơn 50,00%; Chưa có khóm nào được tổng hợp"
    )


def test_parent_with_unsure_children_cannot_be_judged_until_they_decide():
    # 2 đạt + 1 unsure of 4: 3/4 possible, 2/4 sure.
    assert judge_parent(ward(0.9), Coverage(4, 4, 2, 1), RS) == (
        CHUA_DU,
        "Đã có 2/4 khóm đạt văn minh đô thị (50,00%), cần 75,00%; 1 khóm chưa đủ căn cứ đánh giá",
    )
    # 1 đạt + 1 unsure of 4: at most 2/4 < 75 %, decided whatever the unsure one is.
    assert judge_parent(ward(0.9), Coverage(4, 4, 1, 1), RS) == (
        CHUA_DAT,
        "Tỷ lệ khóm đạt văn minh đô thị nhiều nhất 2/4 (50,00%) thấp hơn 75,00%",
    )


def test_partial_data_at_the_parent():
    # 3 of 4 khóm consolidated, all đạt: the share is met whatever the 4th is; the ward's
    # household rate would be partial, so the title cannot be judged.
    assert judge_parent(ward(0.9), Coverage(4, 3, 3, 0), RS, missing_names=["Khóm 4"]) == (
        CHUA_DU,
        "Chưa có số liệu hợp lệ của 1/4 khóm (Khóm 4): chưa tính được tỷ lệ hộ đạt GĐVH của phường",
    )
    # 1 of 4 đạt, 2 missing: at most 3/4 may pass → still unknown, both reasons.
    status, reasons = judge_parent(ward(0.9), Coverage(4, 2, 1, 0), RS)
    assert status == CHUA_DU and "Đã có 1/4 khóm đạt văn minh đô thị (25,00%)" in reasons
    # 0 of 4 đạt, 2 missing: at most 2/4 < 75 % → decided.
    assert judge_parent(ward(0.9), Coverage(4, 2, 0, 0), RS) == (
        CHUA_DAT,
        "Tỷ lệ khóm đạt văn minh đô thị nhiều nhất 2/4 (50,00%) thấp hơn 75,00%",
    )


def test_mixed_children_in_a_merged_phuong():
    assert judge_parent(ward(0.9), Coverage(4, 4, 2, 0), RS, "Phường", ["Khóm", "Ấp"]) == (
        CHUA_DAT,
        "Tỷ lệ khóm, ấp đạt danh hiệu 2/4 (50,00%) thấp hơn 75,00%",
    )


# ── names per regime ──


def test_title_names_per_regime():
    assert title_name("Khóm", 2020) == "Khóm văn minh đô thị"
    assert title_name("Ấp", RS) == "Ấp văn hóa"
    assert title_name("Phường", 2023) == "Phường đạt chuẩn văn minh đô thị"
    assert title_name("Xã", 2020) == "Xã đạt chuẩn văn hóa nông thôn mới"
    assert title_name("Khóm", 2024) == "Tổ dân phố văn hóa"
    assert title_name("Tổ dân phố", ND86_RS) == "Tổ dân phố văn hóa"
    assert title_name("Ấp", 2025) == "Thôn, ấp văn hóa"
    assert title_name("Phường", ND86_RS) == "Phường tiêu biểu"
    assert title_name("Xã", 2025) == "Xã tiêu biểu"
    assert title_name("Tỉnh", 2025) == ""


@pytest.mark.parametrize("regime", list(titles.REGIMES))
def test_every_commune_and_village_kind_has_exactly_one_title(regime):
    for lv in LEVELS:
        held = [t.code for t in titles.REGIMES[regime] if lv.cap in t.caps]
        assert len(held) == (1 if lv.rank <= 1 else 0), (lv.cap, held)


# ── through compute and configuration ──


VALUES = {"NGAY_HOI": True, "QUY_UOC": True, "DIEM": 85.0}


def agency(codes: list[str]) -> pd.DataFrame:
    return pd.DataFrame([{"ma_khom": c, "antt": True} for c in codes])


def run(rules: RuleSet, year: str, children, cap="Phường", child_caps=None):
    return compute(
        Period.parse(year),
        "X",
        f"{cap} X",
        [(c, n) for c, n, _ in children],
        [KhomData(c, n, register(10, dat), VALUES) for c, n, dat in children],
        rules,
        agency=agency([c for c, _, _ in children]),
        cap=cap,
        child_caps=child_caps,
    )


def test_ap_children_of_a_xa_under_nd122():
    children = [("A1", "Ấp 1", 8), ("A2", "Ấp 2", 7)]
    r = run(RuleSet(), "2020", children, "Xã", {"A1": "Ấp", "A2": "Ấp"})
    t = r.khom_titles.set_index("ma_khom")
    assert t.loc["A1", "ket_qua"] == DAT  # 8/10 = 80 % exactly
    assert t.loc["A2", "ly_do"] == "Tỷ lệ hộ đạt GĐVH 70,00% thấp hơn 80,00%"
    # The xã: 15/20 = 75 % households, 1/2 ấp.
    assert r.ward_title == CHUA_DAT
    assert r.ward_title_reasons == (
        "Tỷ lệ hộ đạt GĐVH của xã 75,00% thấp hơn 80,00%; "
        "Tỷ lệ ấp đạt văn hóa 1/2 (50,00%) thấp hơn 80,00%"
    )


def _config(nd86_gdvh: str = "0.80", nd122_diem: str = "80"):
    text = SHIPPED.replace(
        'danh_hieu = "ND86_2023"\nkhom_gdvh_dat_tl = 0.80',
        f'danh_hieu = "ND86_2023"\nkhom_gdvh_dat_tl = {nd86_gdvh}',
    ).replace("khom_diem = 80 ", f"khom_diem = {nd122_diem} ", 1)
    return parse_config(text, "tqd.toml")


def test_shipped_config_picks_the_regime_by_year():
    cfg = _config()
    assert cfg.rule_set(2020).danh_hieu == titles.ND122
    assert cfg.rule_set(2023).danh_hieu == titles.ND122
    assert cfg.rule_set(2024).danh_hieu == titles.ND86
    assert cfg.rule_set(2031).danh_hieu == titles.ND86


def test_a_2025_run_under_nd86_with_the_provinces_thresholds():
    # The province sets 70 % for a tổ dân phố văn hóa: a khóm at 7/10 earns it in 2025.
    cfg = _config(nd86_gdvh="0.70")
    children = [("K1", "Khóm 1", 7), ("K2", "Khóm 2", 6)]
    r = run(cfg.rule_set(2025), "2025", children)
    t = r.khom_titles.set_index("ma_khom")
    assert t.loc["K1", "ket_qua"] == DAT
    assert t.loc["K2", "ly_do"] == "Tỷ lệ hộ đạt GĐVH 60,00% thấp hơn 70,00%"
    assert r.ward_title_reasons == (
        "Tỷ lệ hộ đạt GĐVH của phường 65,00% thấp hơn 80,00%; "
        "Tỷ lệ khóm đạt văn hóa 1/2 (50,00%) thấp hơn 80,00%"
    )
    assert title_name("Khóm", cfg.rule_set(2025)) == "Tổ dân phố văn hóa"
    # The same khóm in 2020 is judged by NĐ 122's 80 %.
    assert run(cfg.rule_set(2020), "2020", children).khom_titles.ket_qua.tolist() == [
        CHUA_DAT,
        CHUA_DAT,
    ]


def test_a_threshold_changed_in_configuration_changes_the_verdict():
    children = [("K1", "Khóm 1", 10)]  # DIEM 85
    assert run(_config().rule_set(2020), "2020", children).khom_titles.ket_qua[0] == DAT
    stricter = run(_config(nd122_diem="90").rule_set(2020), "2020", children)
    assert stricter.khom_titles.ly_do[0] == "Điểm tự chấm 85 thấp hơn 90"


def test_unknown_regime_is_named():
    text = SHIPPED.replace('danh_hieu = "ND86_2023"', 'danh_hieu = "ND999"')
    with pytest.raises(ConfigError) as exc:
        parse_config(text, "tqd.toml")
    assert "khóa 'bo_tieu_chi.ND86_2023_DT.danh_hieu': 'ND999' không phải" in str(exc.value)
