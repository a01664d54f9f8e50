"""How long one feedback copy takes: an 800-household khóm workbook with a few problems.

Prints its figures; asserts nothing (these machines are noisy). Run:
`PYTHONPATH=src python benchmarks/bench_feedback.py`. Target: under 100 ms a copy.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from tqd_sheets.config import load_config
from tqd_sheets.feedback import write_feedback
from tqd_sheets.fill import fill
from tqd_sheets.findings import Severity
from tqd_sheets.periods import Period
from tqd_sheets.pipeline import check_file
from tqd_sheets.template import write_khom_template

ROOT = Path(__file__).resolve().parents[1]
HOUSEHOLDS = 800


def households(n: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for i in range(n):
        rows.append(
            {
                "Mã hộ": f"{i + 1:04d}",
                "Họ và tên chủ hộ": f"Nguyễn Văn {i + 1}",
                "Tổ": i % 12 + 1,
                "Địa chỉ": f"{i + 1} Trần Hưng Đạo",
                "Số nhân khẩu": "12 người" if i % 100 == 7 else i % 6 + 1,  # 8 R03
                "Đăng ký GĐVH": "x",
                "Đạt GĐVH": "x" if i % 3 else None,
                "Số năm liên tục đạt GĐVH": 1 if i % 3 else None,
            }
        )
    return rows


def timed(fn, repeat: int = 7) -> tuple[float, float]:
    """Median wall time and median processor time, in milliseconds (the second is what the
    code costs when other programs share the machine)."""
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    cfg = load_config(ROOT / "tqd.toml")
    period = Period.parse("2020")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        blank = write_khom_template(d / "blank.xlsx", cfg, period, "K1")
        src = fill(
            blank,
            d / "K1_2020.xlsx",
            labels={"Người lập biểu": "Lê Thị Hoa", "Ngày lập": date(2020, 12, 20)},
            tables={"Danh sách hộ": households(HOUSEHOLDS)},
        )
        checked = check_file(src, cfg, date(2021, 1, 15))
        assert checked.raw is not None and checked.parsed is not None
        marked = [f for f in checked.findings if f.severity is not Severity.NOTE]
        n = len(checked.parsed.households())

        def copy() -> None:
            write_feedback(
                d / "K1_2020_kiem-tra.xlsx", checked.raw, checked.parsed, marked, cfg, period
            )

        wall, cpu = timed(copy)
        print(
            f"Bản phản hồi của một biểu {n} hộ, {len(marked)} điểm cần sửa: {wall:.0f} ms "
            f"({cpu:.0f} ms xử lý), trung vị 7 lần"
        )
        wall, cpu = timed(lambda: write_khom_template(d / "b.xlsx", cfg, period, "K1"))
        print(f"Biểu mẫu trống, để so sánh: {wall:.0f} ms ({cpu:.0f} ms xử lý)")


if __name__ == "__main__":
    main()
