"""Make the sample workbooks shipped in `inbox/`: the 2020 blanks filled from a fixed seed.

Run with `make samples` (needs LibreOffice for the .xls and .ods copies). Never edit the
resulting binaries by hand: change this script and run it again.
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

from tqd_sheets.config import load_config
from tqd_sheets.fill import fill
from tqd_sheets.office import convert
from tqd_sheets.periods import Period
from tqd_sheets.spec import SAMPLE_NOTE, UNIT_TYPES
from tqd_sheets.template import write_khom_template, write_ward_template

ROOT = Path(__file__).resolve().parents[1]
SEED = 20201118  # Ngày hội Đại đoàn kết toàn dân tộc, 18/11/2020
PERIOD = Period.parse("2020")
NOTE = f"{SAMPLE_NOTE} – không phải số liệu thật; xóa tệp này khi đã có biểu của khóm"
# khóm code → (households, file format)
PLAN = {"K1": (812, "xlsx"), "K2": (1264, "xls"), "K3": (437, "ods"), "K4": (968, "xlsx")}

HO = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Huỳnh",
    "Võ",
    "Phan",
    "Trương",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Châu",
    "Lâm",
    "Tạ",
    "Cao",
    "Mai",
]
DEM = ["Văn", "Thị", "Minh", "Thanh", "Hoàng", "Ngọc", "Kim", "Hữu", "Quốc", "Thành", "Mỹ"]
TEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hà",
    "Hải",
    "Hạnh",
    "Hùng",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phúc",
    "Phương",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Vân",
    "Xuân",
    "Yến",
    "Lộc",
    "Nhân",
    "Hiếu",
    "Thủy",
    "Khoa",
    "Tài",
]
DUONG = [
    "Nguyễn Sinh Sắc",
    "Trần Hưng Đạo",
    "Hùng Vương",
    "Lê Lợi",
    "Nguyễn Tất Thành",
    "Lý Thường Kiệt",
    "Phạm Hữu Lầu",
    "Đào Duy Từ",
    "Hoàng Sa",
    "Trường Sa",
]


def households(rng: random.Random, khom_index: int, n: int) -> list[dict[str, object]]:
    rows = []
    dat_rate = [0.955, 0.93, 0.962, 0.947][khom_index - 1]
    for i in range(1, n + 1):
        ngheo = rng.choices(["", "Nghèo", "Cận nghèo"], [0.95, 0.02, 0.03])[0]
        vi_pham = rng.random() < 0.01
        dk = rng.random() < 0.995
        dat = dk and not vi_pham and rng.random() < dat_rate / 0.99
        years = rng.choice([1, 1, 2, 3, 3, 4, 5, 6, 8, 10]) if dat else 0
        rows.append(
            {
                "Mã hộ": f"{khom_index:02d}{i:04d}",  # leading zero, as ward registers write it
                "Họ và tên chủ hộ": f"{rng.choice(HO)} {rng.choice(DEM)} {rng.choice(TEN)}",
                "Tổ": 1 + (i - 1) * 12 // n + 12 * (khom_index - 1),
                "Địa chỉ": f"{rng.randint(1, 400)}/{rng.randint(1, 60)} {rng.choice(DUONG)}, "
                f"khóm {khom_index}",
                "Số nhân khẩu": rng.choice([1, 2, 3, 3, 4, 4, 4, 5, 5, 6, 7]),
                "Hộ nghèo/cận nghèo": ngheo or None,
                "Đăng ký GĐVH": "x" if dk else None,
                "Đạt GĐVH": "x" if dat else None,
                "Số năm liên tục đạt GĐVH": years or None,
                "Gia đình học tập": "x" if dat and rng.random() < 0.35 else None,
                "Gia đình thể thao": "x" if dat and rng.random() < 0.22 else None,
                "Vi phạm pháp luật": "x" if vi_pham else None,
            }
        )
    return rows


def khom_sheet(rng: random.Random, khom_index: int) -> dict[str, object]:
    hoa_giai = rng.randint(3, 12)
    return {
        "NGAY_HOI": "x",
        "QUY_UOC": "x",
        "CD_HOC_TAP": "x" if khom_index != 3 else None,
        "ANTT": "x",
        "TT_BUOI": rng.randint(10, 30),
        "TT_LUOT": rng.randint(600, 2500),
        "DIEM": [92, 88, 76, 85][khom_index - 1],
        "HOA_GIAI": hoa_giai,
        "HOA_GIAI_THANH": hoa_giai - rng.randint(0, 2),
        "GUONG_TOT": rng.randint(2, 9),
        "KINH_PHI": rng.randint(20, 80) * 500_000,
        "XA_HOI_HOA": rng.randint(10, 60) * 500_000,
    }


def main() -> int:
    cfg = load_config(ROOT / "tqd.toml")
    rng = random.Random(SEED)
    inbox = ROOT / "inbox"
    for old in inbox.glob("MAU_*"):
        old.unlink()
    registers = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for index, (code, (n, fmt)) in enumerate(PLAN.items(), 1):
            blank = write_khom_template(tmp / f"blank_{code}.xlsx", cfg, PERIOD, code)
            rows = households(rng, index, n)
            registers[code] = rows
            filled = fill(
                blank,
                tmp / f"MAU_{code}_{PERIOD.id}.xlsx",
                labels={
                    "Người lập biểu": f"{rng.choice(HO)} Thị {rng.choice(TEN)}",
                    "Trưởng Ban vận động khóm": f"{rng.choice(HO)} Văn {rng.choice(TEN)}",
                    "Ngày lập": date(2020, 12, 10 + index),
                    "Ghi chú": NOTE,
                },
                tables={"Danh sách hộ": rows},
                codes={"Khóm": khom_sheet(rng, index)},
            )
            if fmt == "xlsx":
                shutil.copy(filled, inbox / filled.name)
            else:
                convert(filled, fmt, inbox)
        agency = []
        for code, rows in registers.items():
            lao = sum(int(r["Số nhân khẩu"]) for r in rows) * 62 // 100
            agency.append(
                {
                    "Mã khóm": code,
                    "Hộ nghèo": sum(r["Hộ nghèo/cận nghèo"] == "Nghèo" for r in rows),
                    "Hộ cận nghèo": sum(r["Hộ nghèo/cận nghèo"] == "Cận nghèo" for r in rows),
                    "Số người vi phạm pháp luật": sum(r["Vi phạm pháp luật"] == "x" for r in rows),
                    "An toàn về ANTT": "x" if code != "K3" else None,
                    "Đạt tiêu chí y tế, dân số": "x",
                    "Hoàn thành nghĩa vụ quân sự": "x",
                    "Người trong độ tuổi lao động": lao,
                    "Người có việc làm": lao * rng.randint(90, 97) // 100,
                }
            )
        units = []
        kinds = (
            [UNIT_TYPES[0]] * 4
            + [UNIT_TYPES[1]] * 5
            + [UNIT_TYPES[2]] * 6
            + [UNIT_TYPES[3]] * 9
            + [UNIT_TYPES[4]] * 2
        )
        for i, loai in enumerate(kinds, 1):
            dk = loai != UNIT_TYPES[3] or rng.random() < 0.7
            units.append(
                {
                    "Tên đơn vị": f"{loai} số {i}"
                    if loai != UNIT_TYPES[2]
                    else f"Trường {['Mầm non', 'Tiểu học', 'THCS'][i % 3]} Tân Quy Đông {i}",
                    "Loại đơn vị": loai,
                    "Đăng ký đạt chuẩn văn hóa": "x" if dk else None,
                    "Đạt chuẩn văn hóa": "x" if dk and rng.random() < 0.9 else None,
                    "Đơn vị học tập": "x" if rng.random() < 0.5 else None,
                    "An toàn về ANTT": "x" if rng.random() < 0.95 else None,
                }
            )
        blank = write_ward_template(tmp / "blank_phuong.xlsx", cfg, PERIOD)
        fill(
            blank,
            inbox / f"MAU_Phuong_{PERIOD.id}.xlsx",
            labels={
                "Người lập biểu": "Nguyễn Thị Mỹ Hạnh",
                "Ngày lập": date(2020, 12, 18),
                "Ghi chú": NOTE,
            },
            tables={"Số liệu ngành": agency, "Đơn vị": units},
        )
    for p in sorted(inbox.glob("MAU_*")):
        print(f"{p.name}: {p.stat().st_size:,} byte")
    return 0


if __name__ == "__main__":
    sys.exit(main())
