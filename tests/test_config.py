from datetime import date
from pathlib import Path

import pytest

from tqd_sheets.config import ConfigError, load_config
from tqd_sheets.periods import Period

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_config_describes_tan_quy_dong():
    cfg = load_config(ROOT / "tqd.toml")
    assert cfg.phuong.ma == "29917"
    assert cfg.khom_codes == ("K1", "K2", "K3", "K4")
    rs = cfg.rule_set(2020)
    assert (rs.khom_gdvh_dat_tl, rs.khom_diem, rs.phuong_khom_vmdt_tl) == (0.8, 80, 0.8)
    assert cfg.deadline(Period.parse("2020Q2")) == date(2020, 6, 30)


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "tqd.toml"
    p.write_text(text, encoding="utf-8")
    return p


BASE = """
[phuong]
ma = "X1"
ten = "Thử"
co_quan = "UBND XÃ THỬ"
[[khom]]
ma = "A1"
ten = "Ấp 1"
[bo_tieu_chi.B]
khom_gdvh_dat_tl = 0.85
[ap_dung]
mac_dinh = "B"
"""


def test_another_ward_is_a_new_file_not_new_code(tmp_path):
    cfg = load_config(_write(tmp_path, BASE + '\n[han_nop]\n"2021" = "20/12/2021"\n'))
    assert cfg.khom_codes == ("A1",)
    assert cfg.rule_set(2021).khom_gdvh_dat_tl == 0.85
    assert cfg.deadline(Period.parse("2021")) == date(2021, 12, 20)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (BASE.replace('ma = "X1"\n', ""), "phuong.ma"),
        (BASE.replace("0.85", "85"), "bo_tieu_chi.B.khom_gdvh_dat_tl"),
        (BASE.replace('mac_dinh = "B"', 'mac_dinh = "C"'), "bo_tieu_chi.C"),
        (BASE + '[[khom]]\nma = "A1"\nten = "Ấp 1 bis"\n', "khom"),
        (BASE.replace("[phuong]", "[phuong]\nlang = 1"), "phuong.lang"),
        (BASE.replace("[bo_tieu_chi.B]", '[bo_tieu_chi.B]\ndanh_hieu = "X"'), "danh_hieu"),
        (BASE + 'nam_2024 = "B"\n', "ap_dung.nam_2024"),
    ],
)
def test_bad_config_names_the_key(tmp_path, text, key):
    with pytest.raises(ConfigError) as exc:
        load_config(_write(tmp_path, text))
    assert key in str(exc.value)


def test_broken_toml_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="TOML"):
        load_config(_write(tmp_path, "[phuong\n"))
    with pytest.raises(ConfigError, match="Không tìm thấy"):
        load_config(tmp_path / "nope.toml")


def test_a_year_in_ap_dung_applies_from_that_year_on(tmp_path):
    text = BASE.replace("[ap_dung]", '[bo_tieu_chi.M]\ndanh_hieu = "ND86_2023"\n[ap_dung]')
    cfg = load_config(_write(tmp_path, text + '"2024" = "M"\n"2027" = "B"\n'))
    assert [cfg.rule_set(y).danh_hieu for y in (2020, 2023, 2024, 2026, 2027, 2040)] == [
        "ND122_2018",
        "ND122_2018",
        "ND86_2023",
        "ND86_2023",
        "ND122_2018",
        "ND122_2018",
    ]


def test_children_are_found_by_code_the_first_of_a_code_and_per_list():
    """The lookup made once per list of children answers as a scan of that list would."""
    from tqd_sheets.config import load_config

    config = load_config(ROOT / "tqd.toml")
    first = config.don_vi_con[0]
    again = first.model_copy(update={"ten": "Tên khác"})
    twice = config.model_copy(update={"don_vi_con": (*config.don_vi_con, again)})
    assert twice.khom_name(first.ma) == first.ten  # the first of a code, as before
    fewer = config.model_copy(update={"don_vi_con": config.don_vi_con[1:]})
    assert fewer.child(first.ma) is None and fewer.khom_name(first.ma) == first.ma
    assert config.child(first.ma) == first  # the longer list kept its own lookup
    assert config == config.model_copy()  # the lookup is no part of the model's equality
