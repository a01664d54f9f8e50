"""How long the ward officer waits: read per format, and a whole consolidation.

Prints its figures; asserts nothing (these machines are noisy). Run: `make bench`.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

from tqd_sheets.config import load_config
from tqd_sheets.outputs import write_outputs
from tqd_sheets.parse import parse_workbook
from tqd_sheets.pipeline import check_file, consolidate, inbox_files
from tqd_sheets.read import read_workbook

ROOT = Path(__file__).resolve().parents[1]


def timed(fn, repeat: int = 7) -> float:
    """Median wall time in milliseconds."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    cfg = load_config(ROOT / "tqd.toml")
    samples = sorted((ROOT / "inbox").glob("MAU_*"))
    print("Đọc một biểu (python-calamine), trung vị 7 lần, ms:")
    print(f"  {'tệp':<24}{'hộ':>6}{'đọc':>10}{'đọc+phân tích':>16}{'kiểm tra đủ':>14}")
    for p in samples:
        raw, _ = read_workbook(p)
        parsed = parse_workbook(raw, cfg.khom_codes)
        n = len(parsed.households())
        t_read = timed(lambda p=p: read_workbook(p))
        t_parse = timed(lambda p=p: parse_workbook(read_workbook(p)[0], cfg.khom_codes))
        t_check = timed(lambda p=p: check_file(p, cfg))
        print(f"  {p.name:<24}{n:>6}{t_read:>10.1f}{t_parse:>16.1f}{t_check:>14.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        inbox = Path(tmp) / "inbox"
        inbox.mkdir()
        for p in samples:
            shutil.copy(p, inbox)
        files = inbox_files(inbox)
        t0 = time.perf_counter()
        run = consolidate(files, cfg)
        t1 = time.perf_counter()
        write_outputs(run, cfg, Path(tmp) / "outbox", files)
        t2 = time.perf_counter()
        households = int(run.results.value(cfg.phuong.ma, "HO"))
        print(
            f"\nTổng hợp {len(files)} tệp, {households} hộ: kiểm tra + tính "
            f"{(t1 - t0) * 1000:.0f} ms, ghi kết quả {(t2 - t1) * 1000:.0f} ms, "
            f"tổng {(t2 - t0) * 1000:.0f} ms (không kể thời gian nạp thư viện)."
        )


if __name__ == "__main__":
    main()
