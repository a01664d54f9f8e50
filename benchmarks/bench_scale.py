"""A province's inbox: N khóm workbooks of 800 households, consolidated as a user runs it.

Prints, for each N, in one run on the same files: the whole-process `consolidate` time, ms per
workbook, peak memory; the floor (python-calamine reading every sheet of every workbook, one
process); the naive read (`pandas.read_excel(engine="openpyxl")`, on a subset, scaled); the
ratios; the second (cached) run and a run after one workbook changed; and `check` of one
workbook, whole process, with its heaviest imports. Writes `benchmarks/RESULTS.md`.
Asserts nothing (shared machines are noisy).

    PYTHONPATH=src python benchmarks/bench_scale.py --sizes 20,50
    make bench                      # N = 50, 300 and 1,500, as RESULTS.md records them

The workbooks are generated once (deterministic) under `benchmarks/.data/` and reused; the
N = 50 inbox holds the first 50 of the N = 1,500 files (hard links).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

from results_md import machine, write_section

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / ".data"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
HOUSEHOLDS = 800
NAIVE_SAMPLE = 10  # workbooks read the naive way; the figure is scaled to N
WORKER_SAMPLE = 20  # workbooks whose worker steps are timed one by one
# Libraries whose import a `check` may pay for (cumulative ms where first imported).
HEAVY = ("pandas", "numpy", "pydantic", "python_calamine", "openpyxl", "xlsxwriter")
HEAVY += ("defusedxml", "tqd_sheets.config", "tqd_sheets.pipeline", "tqd_sheets.cli")
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Minh", "Thanh", "Ngọc", "Hữu"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Lan", "Long", "Nam", "Phúc"]
STREETS = ["Nguyễn Sinh Sắc", "Trần Hưng Đạo", "Hùng Vương", "Lê Lợi", "Phạm Hữu Lầu"]


# ── the inbox ─────────────────────────────────────────────────────────────────────────────


def config_text(n: int) -> str:
    """The project's tqd.toml with N children K1…KN instead of its own."""
    text = (ROOT / "tqd.toml").read_text(encoding="utf-8")
    head, _, rest = text.partition("[[don_vi_con]]")
    tail = rest[rest.index("[chu_ky]") :]
    children = "".join(
        f'[[don_vi_con]]\nma = "K{i}"\nten = "Khóm {i}"\ncap = "Khóm"\n\n' for i in range(1, n + 1)
    )
    return head + children + tail


def households(k: int, rng: random.Random) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for i in range(HOUSEHOLDS):
        dat = rng.random() < 0.85
        rows.append(
            {
                "Mã hộ": f"{k:04d}{i + 1:04d}",
                "Họ và tên chủ hộ": f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} "
                f"{rng.choice(GIVEN)}",
                "Tổ": i * 8 // HOUSEHOLDS + 1,
                "Địa chỉ": f"{i + 1}/{rng.randint(1, 60)} {rng.choice(STREETS)}",
                "Số nhân khẩu": rng.randint(1, 8),
                "Hộ nghèo/cận nghèo": "Nghèo" if i % 97 == 3 else None,
                "Đăng ký GĐVH": "x" if dat or rng.random() < 0.5 else None,
                "Đạt GĐVH": "x" if dat else None,
                "Số năm liên tục đạt GĐVH": rng.randint(1, 9) if dat else None,
                "Gia đình học tập": "x" if dat and rng.random() < 0.4 else None,
                "Gia đình thể thao": "x" if dat and rng.random() < 0.3 else None,
            }
        )
    return rows


SELF = {
    "NGAY_HOI": "x",
    "QUY_UOC": "x",
    "CD_HOC_TAP": "x",
    "ANTT": "x",
    "TT_BUOI": 12,
    "TT_LUOT": 640,
    "DIEM": 92,
    "HOA_GIAI": 5,
    "HOA_GIAI_THANH": 4,
    "GUONG_TOT": 3,
    "KINH_PHI": 12_500_000,
    "XA_HOI_HOA": 4_000_000,
}


def workbook(blank: Path, out: Path, k: int) -> Path:
    from tqd_sheets.fill import fill

    rng = random.Random(k)
    return fill(
        blank,
        out,
        labels={
            "Mã khóm": f"K{k}",
            "Tên khóm": f"Khóm {k}",
            "Người lập biểu": "Lê Thị Thu",
            "Trưởng Ban vận động khóm": "Trần Văn Bảy",
            "Ngày lập": date(2020, 12, 10),
        },
        tables={"Danh sách hộ": households(k, rng)},
        codes={"Khóm": SELF},
    )


def generate(n: int) -> Path:
    """`benchmarks/.data/all/K1_2020.xlsx`…: made once, reused by later runs."""
    from tqd_sheets.config import load_config
    from tqd_sheets.periods import Period
    from tqd_sheets.template import write_khom_template

    folder = DATA / "all"
    folder.mkdir(parents=True, exist_ok=True)
    blank = DATA / "blank_K1_2020.xlsx"
    if not blank.exists():
        write_khom_template(blank, load_config(ROOT / "tqd.toml"), Period.parse("2020"), "K1")
    missing = [k for k in range(1, n + 1) if not (folder / f"K{k}_2020.xlsx").exists()]
    t = time.perf_counter()
    for k in missing:
        workbook(blank, folder / f"K{k}_2020.xlsx", k)
    if missing:
        print(f"  tạo {len(missing)} biểu: {time.perf_counter() - t:.0f} s")
    return folder


def inbox(n: int, every: Path) -> tuple[Path, Path]:
    """`benchmarks/.data/nN/inbox` (the first N workbooks) and its tqd.toml."""
    base = DATA / f"n{n}"
    box = base / "inbox"
    if base.exists():
        shutil.rmtree(base)
    box.mkdir(parents=True)
    for k in range(1, n + 1):
        src, dst = every / f"K{k}_2020.xlsx", box / f"K{k}_2020.xlsx"
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy(src, dst)
    cfg = base / "tqd.toml"
    cfg.write_text(config_text(n), encoding="utf-8")
    return box, cfg


# ── measuring ─────────────────────────────────────────────────────────────────────────────


def _memory(pid: int) -> int:
    """A process's proportional set size (PSS), bytes: its resident pages, each page shared
    with other processes (a forked worker's copy of the imported libraries) divided among
    them, so that the sum over the tree is the memory the run really takes. RSS where the
    kernel does not say PSS."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    with open(f"/proc/{pid}/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _tree_rss(pid: int) -> int:
    """Memory of a process and all its descendants, bytes (Linux /proc): the sum of their
    proportional set sizes (`_memory`)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            total += _memory(p)
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
    return total


def run(argv: list[str], cwd: Path | None = None) -> tuple[float, int, int, int]:
    """Wall seconds, exit code, the largest single process's peak RSS and the peak of the
    whole process tree (sum of PSS, sampled every 50 ms), both in bytes."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    t = time.perf_counter()
    proc = subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t
    sampler.join()
    if proc.returncode not in (0, 1):
        print(err.decode("utf-8", "replace")[-2000:], file=sys.stderr)
    # ru_maxrss of the finished children: the largest one process reached, in KiB.
    import resource

    single = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return wall, proc.returncode, single, peak[0]


def consolidate_argv(cfg: Path, box: Path, out: Path, jobs: int | None) -> list[str]:
    argv = [sys.executable, "-m", "tqd_sheets.cli", "--config", str(cfg), "consolidate"]
    argv += ["--inbox", str(box), "--outbox", str(out)]
    return [*argv, "--jobs", str(jobs)] if jobs else argv


def floor(files: list[Path]) -> float:
    """python-calamine reading every sheet of every workbook, one process, nothing else."""
    import python_calamine as pc

    t = time.perf_counter()
    for p in files:
        book = pc.CalamineWorkbook.from_path(str(p))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()
    return time.perf_counter() - t


def naive(files: list[Path]) -> float:
    """What a naive script does: every sheet through pandas and openpyxl."""
    import pandas as pd

    t = time.perf_counter()
    for p in files:
        pd.read_excel(p, sheet_name=None, engine="openpyxl")
    return time.perf_counter() - t


def check_one(file: Path, cfg: Path) -> tuple[float, float, list[tuple[str, float]]]:
    """`check` of one workbook, whole process: wall seconds (best of 3), the interpreter's
    own start-up, and the heaviest top-level imports (ms, from `python -X importtime`)."""
    argv = [sys.executable, "-m", "tqd_sheets.cli", "--config", str(cfg), "check", str(file)]
    best = min(run(argv)[0] for _ in range(3))
    bare = min(run([sys.executable, "-c", "pass"])[0] for _ in range(3))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    err = subprocess.run(
        [sys.executable, "-X", "importtime", *argv[1:]],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    ).stderr
    found: dict[str, float] = {}
    for line in err.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|\s*(\S+)", line)
        if m and m.group(2) in HEAVY and m.group(2) not in found:
            found[m.group(2)] = int(m.group(1)) / 1000  # cumulative, where first imported
    heavy = sorted(found.items(), key=lambda kv: -kv[1])
    return best, bare, heavy


WORKER_STEPS = """
import json, pickle, sys, time
from pathlib import Path
import python_calamine as pc
from tqd_sheets import pipeline, read, validate
from tqd_sheets.config import load_config
from tqd_sheets.parse import parse_workbook
cfg = load_config(Path(sys.argv[1]))
files = [Path(f) for f in sys.argv[2:]]
steps = {}
def step(name, fn, items):
    fn(items[0])  # warm
    t = time.process_time()
    out = [fn(x) for x in items]
    steps[name] = (time.process_time() - t) / len(items) * 1000
    return out
def floor(f):
    book = pc.CalamineWorkbook.from_path(str(f))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()
step("floor (calamine alone)", floor, files)
step("safety checks", lambda f: read._safety(f, f.open("rb").read(8)), files)
step("size scan", read._xlsx_scan, files)
raws = step("whole read (scan, calamine, grids)", lambda f: read.read_workbook(f)[0], files)
with pipeline.wording(cfg):
    parsed = step("parse", lambda r: parse_workbook(r, cfg.khom_codes), raws)
    step("validate", validate.validate_workbook, parsed)
checked = [pipeline._pooled(f, cfg) for f in files]
step("answer to the main process (pickle both ways)",
     lambda c: pickle.loads(pickle.dumps(c)), checked)
step("worker total", lambda f: pickle.dumps(pipeline._pooled(f, cfg)), files)
print(json.dumps(steps))
"""


def worker_steps(cfg: Path, files: list[Path]) -> dict[str, float]:
    """Processor ms per workbook of each step a worker takes, in one fresh process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    argv = [sys.executable, "-c", WORKER_STEPS, str(cfg), *map(str, files)]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        print(done.stderr[-2000:], file=sys.stderr)
        return {}


def breakdown(cfg: Path, box: Path, out: Path) -> dict[str, float]:
    """Where a re-run's time goes, in seconds, in a fresh process (its imports first)."""
    script = f"""
import json, time
t0 = time.perf_counter()
from pathlib import Path
from tqd_sheets import outputs
from tqd_sheets.cache import FOLDER, Cache
from tqd_sheets.config import load_config
from tqd_sheets.forms import write_forms
from tqd_sheets.pipeline import consolidate, inbox_files
from tqd_sheets.registers import write_registers
from tqd_sheets.report import write_report
t = {{"imports": time.perf_counter() - t0}}
cfg = load_config(Path({str(cfg)!r}))
files = inbox_files(Path({str(box)!r}))
out = Path({str(out)!r})
t1 = time.perf_counter()
run = consolidate(files, cfg, cache=Cache(out / FOLDER, cfg))
t["checks from cache, cross checks, figures"] = time.perf_counter() - t1
scratch = out / "phases"
scratch.mkdir(exist_ok=True)
store = scratch / "lich-su.sqlite"
store.unlink(missing_ok=True)
from tqd_sheets.baocao_docx import write_baocao
from tqd_sheets.history_run import attach, remember
for name, write in (
    ("history before (L checks)", lambda: attach(run, cfg, store)),
    ("forms (BaoCao)", lambda: write_forms(scratch / "B.xlsx", run.results, cfg)),
    ("báo cáo (.docx)", lambda: write_baocao(scratch / "B.docx", run.results, cfg)),
    ("report (KiemTra)", lambda: write_report(scratch / "K.xlsx", run.results)),
    ("registers (DanhSach)", lambda: write_registers(
        scratch / "D.xlsx", outputs.registers_of(run, cfg), cfg, run.period)),
    ("history record", lambda: remember(run, cfg, store, files)),
):
    t1 = time.perf_counter()
    write()
    t[name] = time.perf_counter() - t1
print(json.dumps(t))
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        print(done.stderr[-2000:], file=sys.stderr)
        return {}


def mib(b: int) -> str:
    return f"{b / 2**20:,.0f} MiB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="50,300,1500", help="N, comma-separated")
    ap.add_argument("--jobs", type=int, default=None, help="--jobs for consolidate")
    ap.add_argument("--no-write", action="store_true", help="do not write RESULTS.md")
    ap.add_argument(
        "--cold-only", action="store_true", help="only the first run (no re-runs, no breakdown)"
    )
    args = ap.parse_args()
    sizes = sorted({int(s) for s in args.sizes.split(",")})
    print(f"Tạo các biểu ({max(sizes)} biểu × {HOUSEHOLDS} hộ, một lần)…")
    every = generate(max(sizes))
    rows = []
    for n in sizes:
        box, cfg = inbox(n, every)
        files = sorted(box.iterdir())
        out = box.parent / "outbox"
        t_floor = floor(files)
        sample = files[: min(NAIVE_SAMPLE, n)]
        t_naive = naive(sample) * n / len(sample)
        argv = consolidate_argv(cfg, box, out, args.jobs)
        wall, code, single, tree = run(argv)  # cold: no cache yet
        wall2 = wall3 = float("nan")
        phases: dict[str, float] = {}
        if not args.cold_only:
            wall2, *_ = run(argv)  # nothing changed: every file from the cache
            changed = box / "K1_2020.xlsx"
            changed.unlink()  # a hard link: the shared file stays as it was
            workbook(DATA / "blank_K1_2020.xlsx", changed, 1)
            os.utime(changed)
            wall3, *_ = run(argv)  # one workbook sent again
            phases = breakdown(cfg, box, out)
        steps = worker_steps(cfg, files[: min(WORKER_SAMPLE, n)])
        row = {
            "n": n,
            "wall": wall,
            "code": code,
            "per": wall / n * 1000,
            "single": single,
            "tree": tree,
            "floor": t_floor,
            "naive": t_naive,
            "naive_n": len(sample),
            "cached": wall2,
            "one": wall3,
            "phases": phases,
            "steps": steps,
        }
        rows.append(row)
        print(
            f"N={n}: tổng hợp {wall:.1f} s ({row['per']:.0f} ms/biểu, mã thoát {code}), "
            f"bộ nhớ đỉnh {mib(tree)} cả cây tiến trình (PSS; RSS {mib(single)} tiến trình "
            "lớn nhất); "
            f"sàn calamine {t_floor:.1f} s; đọc ngây thơ ≈ {t_naive:.1f} s; "
            f"tổng hợp/sàn {wall / t_floor:.2f}×; ngây thơ/tổng hợp {t_naive / wall:.1f}×; "
            f"chạy lại (bộ đệm) {wall2:.1f} s; sau khi 1 biểu đổi {wall3:.1f} s"
        )
        print("  lần chạy lại gồm: " + ", ".join(f"{k} {v:.1f} s" for k, v in phases.items()))
        print(
            "  một biểu trong tiến trình con (ms CPU): "
            + ", ".join(f"{k} {v:.1f}" for k, v in steps.items())
        )
    box, cfg = inbox(1, every)
    t_check, bare, heavy = check_one(next(box.iterdir()), cfg)
    imports = ", ".join(f"{name} {ms:.0f} ms" for name, ms in heavy)
    print(f"check một biểu, cả tiến trình: {t_check:.2f} s (python trống: {bare:.2f} s)")
    print(f"  nạp thư viện nặng nhất: {imports}")
    if not args.no_write:
        write_results(rows, t_check, bare, heavy, args.jobs)
        print(f"Đã ghi {RESULTS.relative_to(ROOT)}")


def by_n(rows: list[dict], key: str, title: str) -> list[str]:
    """A markdown table of `row[key]` (name → figure) for each N, after `title`."""
    names = list(dict.fromkeys(k for r in rows for k in r.get(key, {})))
    lines = ["", title, "", "| N | " + " | ".join(names) + " |"]
    lines.append("| ---: | " + " | ".join("---:" for _ in names) + " |")
    for r in rows:
        cells = " | ".join(f"{r.get(key, {}).get(k, float('nan')):.1f}" for k in names)
        lines.append(f"| {r['n']:,} | {cells} |")
    return lines


def write_results(rows: list[dict], t_check: float, bare: float, heavy: list, jobs) -> None:
    lines = [
        "# bench_scale: a province's inbox",
        "",
        "Written by `benchmarks/bench_scale.py` (`make bench`); figures of one run, same files.",
        "",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {machine()}",
        f"- load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
        "(the machine may be shared: compare ratios, not absolute times)",
        f"- workbooks: khóm registers of {HOUSEHOLDS} households filled from the generated "
        "blank, no errors, no warnings; no ward workbook (one I04 finding)",
        f"- consolidate: `tqd-sheets consolidate`, whole process, "
        f"--jobs {jobs or 'default (cores)'}; first run without cache",
        "- floor: python-calamine `to_python()` of every sheet of every workbook, one process",
        f"- naive: `pandas.read_excel(sheet_name=None, engine='openpyxl')` on the first "
        f"{rows[0]['naive_n'] if rows else NAIVE_SAMPLE} workbooks, scaled to N",
        "- peak memory: the whole process tree (main + workers, sum of their PSS, so that "
        "pages a forked worker shares with the main process count once; sampled every "
        "50 ms); in brackets the largest single process's peak RSS",
        "",
        "| N | consolidate | ms/workbook | peak memory | floor | naive (scaled) "
        "| consolidate/floor | naive/consolidate | cached re-run | one changed |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']:,} | {r['wall']:.1f} s | {r['per']:.0f} | {mib(r['tree'])} "
            f"({mib(r['single'])}) | {r['floor']:.1f} s | {r['naive']:.1f} s "
            f"| {r['wall'] / r['floor']:.2f}× | {r['naive'] / r['wall']:.1f}× "
            f"| {r['cached']:.1f} s | {r['one']:.1f} s |"
        )
    lines += by_n(
        rows,
        "phases",
        "Where a re-run's time goes (a fresh process, every workbook from the cache), seconds:",
    )
    lines += by_n(
        rows,
        "steps",
        f"Where a worker's time goes: processor ms per workbook (first {WORKER_SAMPLE} "
        "workbooks, one fresh process, `time.process_time`; the floor is the same files read "
        "by calamine alone, so its row shows what the target allows per core):",
    )
    big = rows[-1]
    lines += [
        "",
        f"Targets of issue 11, judged at the largest N measured here ({big['n']:,}):",
        "",
        f"- consolidate ≤ 1.5× the floor: {big['wall'] / big['floor']:.1f}× — "
        + ("met" if big["wall"] <= 1.5 * big["floor"] else "missed"),
        f"- ≥ 10× faster than the naive read: {big['naive'] / big['wall']:.1f}× — "
        + ("met" if big["naive"] >= 10 * big["wall"] else "missed"),
        f"- peak RSS < 1 GiB: {mib(big['tree'])} for the process tree, {mib(big['single'])} "
        "for the largest process — "
        + ("met" if max(big["tree"], big["single"]) < 2**30 else "missed"),
        "- ms per workbook flat: " + ", ".join(f"{r['per']:.0f} ms at N={r['n']:,}" for r in rows),
        f"- `check` of one workbook < 1 s: {t_check:.2f} s — "
        + ("met" if t_check < 1 else "missed"),
    ]
    lines += [
        "",
        f"`tqd-sheets check` of one workbook, whole process (best of 3): {t_check:.2f} s "
        f"(a bare `python -c pass`: {bare:.2f} s).",
        "",
        "Imports of that `check` (`python -X importtime`, cumulative where first imported; "
        "openpyxl and xlsxwriter absent when the check path does not load them): "
        + ", ".join(f"{name} {ms:.0f} ms" for name, ms in heavy)
        + ".",
        "",
    ]
    write_section("bench_scale", "\n".join(lines), RESULTS)


if __name__ == "__main__":
    main()
