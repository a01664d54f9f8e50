"""The ward's internal lists: merged register and the decision lists."""

from pathlib import Path

import pandas as pd
import python_calamine as pc

from tqd_sheets.config import load_config
from tqd_sheets.periods import Period
from tqd_sheets.registers import KhomRegister, lists, merged_register, write_registers

CFG = load_config(Path(__file__).resolve().parents[1] / "tqd.toml")


def reg(code, rows):
    frame = pd.DataFrame(
        [
            {
                "_row": 4 + i,
                "ma_ho": ma,
                "chu_ho": f"Hộ {ma}",
                "to": to,
                "dia_chi": "",
                "dk_gdvh": dk,
                "dat_gdvh": dat,
                "nam_lien_tuc": years,
                "nhan_khau": 3,
            }
            for i, (ma, to, dk, dat, years) in enumerate(rows)
        ]
    )
    return KhomRegister(code, f"Khóm {code[1:]}", frame)


REGS = [
    reg(
        "K1",
        [
            ("0003", 2, True, True, 4),
            ("0001", 2, True, False, 0),
            ("0002", 1, True, True, 1),
            ("0010", 1, False, False, None),
        ],
    ),
    reg("K2", [("0005", 1, True, True, 3)]),
]


def test_merged_register_is_grouped_by_khom_to_and_ma_ho():
    m = merged_register(REGS)
    assert list(zip(m.khom, m.ma_ho, strict=True)) == [
        ("K1", "0002"),
        ("K1", "0010"),
        ("K1", "0001"),
        ("K1", "0003"),
        ("K2", "0005"),
    ]


def test_decision_lists():
    got = {name: list(df.ma_ho) for name, _, df in lists(merged_register(REGS))}
    assert got == {
        "Đạt GĐVH": ["0002", "0003", "0005"],
        "GĐVH 3 năm liên tục": ["0003", "0005"],
        "Đăng ký chưa đạt": ["0001"],
    }


def test_written_lists_have_titles_counts_and_khom_groups(tmp_path):
    path = write_registers(tmp_path / "DanhSach.xlsx", REGS, CFG, Period.parse("2020"))
    wb = pc.CalamineWorkbook.from_path(str(path))
    assert wb.sheet_names == [
        "Đạt GĐVH",
        "GĐVH 3 năm liên tục",
        "Đăng ký chưa đạt",
        "Sổ hộ toàn phường",
    ]
    rows = wb.get_sheet_by_name("Đạt GĐVH").to_python(skip_empty_area=False)
    flat = [c for row in rows for c in row if c != ""]
    assert "Tổng số: 3 hộ" in flat and "Khóm 1: 2 hộ" in flat and "Khóm 2: 1 hộ" in flat
    assert [r[2] for r in rows if r[2] in ("0002", "0003", "0005")] == ["0002", "0003", "0005"]
    register = wb.get_sheet_by_name("Sổ hộ toàn phường").to_python(skip_empty_area=False)
    assert len([r for r in register[3:] if r[0]]) == 5
