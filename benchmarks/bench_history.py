"""History of a 5,000-household ward over 10 years: record a run, load last year, import.

Ten khóm of 500 households; each year four quarterly runs and the yearly one (50 runs, 250,000
household rows). Prints its figures; asserts nothing (these machines are noisy). Run:
`PYTHONPATH=src python benchmarks/bench_history.py`.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
from results_md import machine, write_section

from tqd_sheets import history, history_checks, history_run, registry
from tqd_sheets.config import load_config
from tqd_sheets.fill import fill
from tqd_sheets.periods import Period
from tqd_sheets.results import DATA_COLUMNS
from tqd_sheets.template import write_khom_template

ROOT = Path(__file__).resolve().parents[1]
KHOM = [f"K{i}" for i in range(1, 11)]
PER_KHOM = 500
YEARS = range(2016, 2026)
WARD = "29917"


def registers(year: int) -> pd.DataFrame:
    rows = []
    for k, code in enumerate(KHOM):
        for j in range(PER_KHOM):
            dat = (j + year) % 5 != 0
            rows.append(
                {
                    "ma_ho": f"{k:02d}{j:04d}",
                    "chu_ho": f"Nguyễn Văn {j}",
                    "to": j % 12 + 1,
                    "dia_chi": f"{j} Lê Lợi",
                    "nhan_khau": j % 6 + 1,
                    "ngheo": "Nghèo" if j % 40 == 0 else None,
                    "dk_gdvh": True,
                    "dat_gdvh": dat,
                    "nam_lien_tuc": (year - 2015) if dat else None,
                    "gd_hoc_tap": j % 3 == 0,
                    "gd_the_thao": j % 4 == 0,
                    "vi_pham": False,
                    "ma_khom": code,
                }
            )
    df = pd.DataFrame(rows)
    return pd.concat(
        [history.household_rows(c, g) for c, g in df.groupby("ma_khom", sort=False)],
        ignore_index=True,
    )


def data(period: Period) -> pd.DataFrame:
    rows = []
    for unit in [*KHOM, WARD]:
        for code in registry.ORDER:
            ind = registry.BY_CODE[code]
            tu, mau = (400.0, 500.0) if ind.is_rate else (float(period.year % 97), float("nan"))
            value = tu / mau if ind.is_rate else tu
            rows.append((period.id, unit, unit, "Khóm", WARD, code, "", tu, mau, value))
    return pd.DataFrame(rows, columns=DATA_COLUMNS)


def timed(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-write", action="store_true", help="do not write RESULTS.md")
    args = ap.parse_args()
    said: list[str] = []

    def say(line: str) -> None:
        print(line)
        said.append(line)

    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "lich-su" / f"{WARD}.sqlite"
        t0 = time.perf_counter()
        record_times = []
        for year in YEARS:
            hh = registers(year)
            for p in (*(f"{year}Q{q}" for q in range(1, 5)), str(year)):
                period = Period.parse(p)
                rec = history.RunRecord(p, WARD, f"{period.end}T10:00:00+07:00", "bench")
                t1 = time.perf_counter()
                history.record(store, rec, data(period), hh)
                record_times.append(time.perf_counter() - t1)
        built = time.perf_counter() - t0
        size = store.stat().st_size / 1e6
        say(f"Lịch sử: {len(record_times)} lần chạy, {len(record_times) * 5000:,} dòng hộ")
        say(f"  dựng lịch sử: {built:.1f} s, tệp {size:.1f} MB")
        median = statistics.median(record_times) * 1000
        say(f"  ghi một lần chạy (5.000 hộ): trung vị {median:.0f} ms")

        unit = history.Unit(WARD, "Phường Tân Quy Đông", "Phường", "867", tuple(KHOM))
        now = Period.parse("2026")
        current = data(now)
        cmp = timed(lambda: history_run.compare(unit, now, current, store))
        say(f"  so sánh (năm trước, xu hướng 10 năm, thay đổi): {cmp * 1000:.0f} ms")

        cur = registers(2026)
        cur["tep"], cur["dong"], cur["o_ma"], cur["o_nam"] = "K.xlsx", 4, "B4", "J4"

        def checks() -> None:
            index = history.latest_registers(history.load_register_index(store))
            by_year = history.year_registers(index, now)
            last = history.last_registers(index, now)
            chosen = pd.concat([*by_year.values(), last], ignore_index=True)
            past = history.load_households(store, chosen.drop_duplicates(["lan_chay", "ma_khom"]))
            years = {y: past[past.ky == str(y)] for y in by_year}
            history_checks.streaks(cur, years, now.year)
            history_checks.lost_and_moved(
                cur, past[past.ky == "2025"], {k: "K.xlsx" for k in KHOM}, {}
            )

        say(f"  kiểm tra theo lịch sử (L02–L05, 5.000 hộ × 10 năm): {timed(checks, 3):.2f} s")

        config = load_config(ROOT / "tqd.toml")
        folder = Path(tmp)
        csv_path = folder / "DuLieu_2015.csv"
        with csv_path.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(DATA_COLUMNS)
            w.writerows(data(Period.parse("2015")).itertuples(index=False))
        t_csv = timed(lambda: history_run.import_file(csv_path, config, store), 1)
        blank = write_khom_template(folder / "blank.xlsx", config, Period.parse("2015"), "K1")
        rows = [
            {
                "Mã hộ": f"99{j:04d}",
                "Họ và tên chủ hộ": f"Trần Thị {j}",
                "Tổ": j % 12 + 1,
                "Số nhân khẩu": 3,
                "Đăng ký GĐVH": "x",
                "Đạt GĐVH": "x",
                "Số năm liên tục đạt GĐVH": 1,
            }
            for j in range(PER_KHOM)
        ]
        book = fill(
            blank,
            folder / "K1_2015.xlsx",
            labels={
                "Người lập biểu": "A",
                "Trưởng Ban vận động khóm": "B",
                "Ngày lập": date(2015, 12, 10),
            },
            tables={"Danh sách hộ": rows},
        )
        t_book = timed(lambda: history_run.import_file(book, config, store), 1)
        t_again = timed(lambda: history_run.import_file(book, config, store), 3)
        say(f"  nhập DuLieu_….csv: {t_csv * 1000:.0f} ms")
        say(f"  nhập biểu 500 hộ: {t_book:.2f} s; nhập lại (bỏ qua): {t_again:.2f} s")
    if not args.no_write:
        write_results(said)
        print("Đã ghi benchmarks/RESULTS.md (mục bench_history)")


def write_results(said: list[str]) -> None:
    lines = [
        "# bench_history: 10 years of a 5,000-household ward",
        "",
        "Written by `benchmarks/bench_history.py` (`make bench`); one run, its printout as is.",
        "",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {machine()}",
        f"- load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
        "(the machine may be shared)",
        f"- history: {len(KHOM)} khóm × {PER_KHOM} households, years {YEARS.start}–"
        f"{YEARS.stop - 1}, four quarterly runs and the yearly one each year, in one SQLite "
        "file; medians of repeated calls where it says so",
        "",
        "```",
        *said,
        "```",
        "",
    ]
    write_section("bench_history", "\n".join(lines))


if __name__ == "__main__":
    main()
