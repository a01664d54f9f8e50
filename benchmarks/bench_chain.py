"""A province's run over 100 ward outputs (issue 9): tỉnh Đồng Tháp (82), kỳ 2025Q4.

Three real ward runs (two phường of khóm, one xã of ấp, from generated and filled blanks) are
made once; 100 distinct wards' outputs are derived from them: each of the first 100 phường/xã
of `cau-hinh/tinh-dong-thap-82.toml` takes the output of the real run of its kind, with its own
code and name in `Dữ liệu` and in the hidden marker, and its household figures multiplied by a
whole factor (1…5, by its place in the list) so rates and every U03 sum still hold. Every tenth
is sent as its `DuLieu_P.csv`, the others as `BaoCao_P.xlsx`. Two of the 102 wards send nothing.

Then `tqd-sheets consolidate` of the province, whole process, is timed three times: with
`--jobs 1`, with `--jobs J` (default: the number of cores), and again with `--jobs J` over the
cache the second run left (an officer's re-run). Each starts with no history. Printed for each:
wall time, CPU time of the process and its workers (steadier than wall time on a shared
machine), ms per ward output, peak RSS; then the findings by severity, whether the two
first runs' `Dữ liệu` and findings are the same, and whether the province's `Dữ liệu` totals
equal this script's own sums of what the wards sent. Writes its section of
`benchmarks/RESULTS.md`; asserts nothing (shared machines are noisy).

    PYTHONPATH=src python benchmarks/bench_chain.py
"""

from __future__ import annotations

import argparse
import csv
import math
import os
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
DATA = ROOT / "benchmarks" / ".data" / "chain"
PROVINCE_TOML = ROOT / "cau-hinh" / "tinh-dong-thap-82.toml"
WARD_TOML = ROOT / "cau-hinh" / "phuong-sa-dec-29905.toml"
PERIOD = "2025Q4"
WARDS = 100
CSV_EVERY = 10
# The real runs: (code, name as configured, cấp, children's cấp, households of each child).
BASES = (
    ("29905", "Sa Đéc", "Phường", "Khóm", (60, 75, 90, 55)),
    ("28468", "Tân Phú", "Xã", "Ấp", (80, 70, 65)),
    ("28261", "Mỹ Tho", "Phường", "Khóm", (50, 85, 70, 60, 95)),
)
# Figures a ward's factor multiplies: those counted from households, typed by the khóm or
# given by the ward's agencies. Counts of khóm, titles and the ward's own units stay.
SCALED = (
    "HO",
    "NK",
    "GDVH_DK",
    "GDVH_DAT",
    "GDVH_3NAM",
    "GDHT",
    "GDTT",
    "HO_NGHEO",
    "HO_CAN_NGHEO",
    "HO_VI_PHAM",
    "TT_BUOI",
    "TT_LUOT",
    "HOA_GIAI",
    "HOA_GIAI_THANH",
    "GUONG_TOT",
    "KINH_PHI",
    "XA_HOI_HOA",
    "HO_NGHEO_LDTBXH",
    "HO_CAN_NGHEO_LDTBXH",
    "NGUOI_VI_PHAM",
    "LAO_DONG",
    "VIEC_LAM",
)


# ── the three real ward runs ──────────────────────────────────────────────────────────────


def ward_toml(code: str, name: str, cap: str, child_cap: str, n: int) -> str:
    """Phường Sa Đéc's shipped configuration, as unit `code` with `n` children."""
    text = WARD_TOML.read_text(encoding="utf-8")
    head, _, rest = text.partition("[[don_vi_con]]")
    tail = rest[rest.index("[chu_ky]") :]
    for key, value in {
        "ma": code,
        "ten": name,
        "cap": cap,
        "dia_danh": name,
        "co_quan": f"UBND {cap.upper()} {name.upper()}",
    }.items():
        head = re.sub(rf'(?m)^{key} = ".*"$', f'{key} = "{value}"', head, count=1)
    letter = LETTER[child_cap]
    kids = "".join(
        f'[[don_vi_con]]\nma = "{letter}{i}"\nten = "{child_cap} {i}"\ncap = "{child_cap}"\n\n'
        for i in range(1, n + 1)
    )
    return head + kids + tail


def households(seed: int, n: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for j in range(1, n + 1):
        dat = (j * 7 + seed) % 10 < 8
        rows.append(
            {
                "Mã hộ": f"{seed:03d}{j:04d}",
                "Họ và tên chủ hộ": f"Nguyễn Văn {j}",
                "Tổ": j % 6 + 1,
                "Địa chỉ": f"{j} Nguyễn Sinh Sắc",
                "Số nhân khẩu": 1 + (j + seed) % 6,
                "Hộ nghèo/cận nghèo": "Nghèo"
                if j % 23 == 0
                else "Cận nghèo"
                if j % 31 == 0
                else None,
                "Đăng ký GĐVH": "x" if dat or j % 2 == 0 else None,
                "Đạt GĐVH": "x" if dat else None,
                "Số năm liên tục đạt GĐVH": 1 + j % 5 if dat else None,
                "Gia đình học tập": "x" if j % 3 == 0 else None,
                "Gia đình thể thao": "x" if j % 4 == 0 else None,
                "Vi phạm pháp luật": "x" if not dat and j % 9 == 0 else None,
            }
        )
    return rows


LETTER = {"Khóm": "K", "Ấp": "A"}  # child codes: unaccented letters


def poor_ish(j: int) -> str | None:
    return "Cận nghèo" if j % 31 == 0 else None


SELF = {"NGAY_HOI": "x", "QUY_UOC": "x", "CD_HOC_TAP": "x", "ANTT": "x", "DIEM": 88}


def base_run(folder: Path, code: str, name: str, cap: str, child_cap: str, sizes) -> Path:
    """One whole ward run, in this process; returns its `BaoCao_P.xlsx`."""
    from tqd_sheets.config import parse_config
    from tqd_sheets.fill import fill
    from tqd_sheets.outputs import write_outputs
    from tqd_sheets.periods import Period
    from tqd_sheets.pipeline import consolidate
    from tqd_sheets.template import khom_template_name, ward_template_name, write_templates
    from tqd_sheets.units import LEVEL

    period = Period.parse(PERIOD)
    config = parse_config(ward_toml(code, name, cap, child_cap, len(sizes)), "tqd.toml")
    blanks, inbox, outbox = folder / "blanks", folder / "inbox", folder / "outbox"
    inbox.mkdir(parents=True)
    write_templates(blanks, config, period)
    level = LEVEL[child_cap]
    for i, n in enumerate(sizes, start=1):
        child = f"{LETTER[child_cap]}{i}"
        own = SELF | {"TT_BUOI": 2 + i, "TT_LUOT": 40 + 5 * i, "HOA_GIAI": 3, "HOA_GIAI_THANH": 2}
        own |= {"GUONG_TOT": i, "KINH_PHI": 1_000_000 * i, "XA_HOI_HOA": 250_000 * i}
        fill(
            blanks / khom_template_name(child, period, child_cap),
            inbox / khom_template_name(child, period, child_cap),
            labels={
                "Người lập biểu": "Lê Thị Thu",
                f"Trưởng {level.ban}": "Trần Văn Bảy",
                "Ngày lập": date(2025, 12, 10),
            },
            tables={"Danh sách hộ": households(int(code) % 1000 + i, n)},
            codes={level.cap: own},
        )
    header = "Mã " + (level.noun if cap == "Xã" else "khóm")
    agency = [
        {
            header: f"{LETTER[child_cap]}{i}",
            "Hộ nghèo": n // 23,
            "Hộ cận nghèo": n // 31,
            "Số người vi phạm pháp luật": 1,
            "An toàn về ANTT": "x",
            "Đạt tiêu chí y tế, dân số": "x",
            "Hoàn thành nghĩa vụ quân sự": "x",
            "Người trong độ tuổi lao động": 2 * n,
            "Người có việc làm": 2 * n - 5,
        }
        for i, n in enumerate(sizes, start=1)
    ]
    unit = {"Tên đơn vị": "Trường Tiểu học", "Loại đơn vị": "Trường học"}
    unit |= {"Đăng ký đạt chuẩn văn hóa": "x", "Đạt chuẩn văn hóa": "x"}
    ward = ward_template_name(config, period)
    fill(
        blanks / ward,
        inbox / ward,
        labels={"Người lập biểu": "Nguyễn Thị Hạnh", "Ngày lập": date(2025, 12, 18)},
        tables={"Số liệu ngành": agency, "Đơn vị": [unit]},
    )
    files = sorted(inbox.iterdir())
    run = consolidate(files, config, period)
    errors = [f.code for f in run.results.findings if f.is_error]
    if errors:
        print(f"  lần chạy thật của {code} có lỗi: {errors}", file=sys.stderr)
    write_outputs(run, config, outbox, files)
    return outbox / period.id / f"BaoCao_{period.id}.xlsx"


# ── the 100 derived ward outputs ──────────────────────────────────────────────────────────


def province_children() -> list[tuple[str, str, str]]:
    """(code, name, cấp) of the province's phường/xã, in the configuration's order."""
    from tqd_sheets.config import load_config

    return [(k.ma, k.ten, k.cap) for k in load_config(PROVINCE_TOML).khom]


def scaled_rows(rows: list[list[object]], base: str, code: str, name: str, f: int):
    """The base ward's `Dữ liệu` rows (header first) as ward `code`'s, figures times `f`."""
    from tqd_sheets import registry

    head, body = rows[0], [list(r) for r in rows[1:]]
    col = {h: i for i, h in enumerate(head)}
    for r in body:
        if r[col["ma_don_vi"]] == base:
            r[col["ma_don_vi"]], r[col["ten_don_vi"]] = code, name
        if r[col["ma_don_vi_cha"]] == base:
            r[col["ma_don_vi_cha"]] = code
        ind = str(r[col["ma_chi_tieu"]])
        tu, mau = r[col["tu_so"]], r[col["mau_so"]]
        parts = registry.RATES.get(ind)
        if parts:
            tu = tu * f if parts[0] in SCALED and _num(tu) else tu
            mau = mau * f if parts[1] in SCALED and _num(mau) else mau
            if _num(tu) and _num(mau):
                r[col["tu_so"]], r[col["mau_so"]] = tu, mau
                r[col["gia_tri"]] = tu / mau if mau else r[col["gia_tri"]]
        elif ind in SCALED and _num(tu):
            r[col["tu_so"]], r[col["gia_tri"]] = tu * f, r[col["gia_tri"]] * f
    return [head, *body]


def _num(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and not math.isnan(v)


def derive(bases: dict[str, Path], out: Path) -> list[dict]:
    """Write the 100 wards' outputs into `out`; returns each one's own rows for the check."""
    import openpyxl
    import python_calamine as pc

    by_cap = {"Xã": ["28468"], "Phường": ["29905", "28261"]}
    grids = {}
    for code, path in bases.items():
        book = pc.CalamineWorkbook.from_path(str(path))
        grids[code] = book.get_sheet_by_name("Dữ liệu").to_python()
    sent = []
    for i, (code, name, cap) in enumerate(province_children()[:WARDS]):
        kind = by_cap[cap]
        base = kind[i % len(kind)]
        f = 1 + i % 5
        rows = scaled_rows(grids[base], base, code, name, f)
        if i % CSV_EVERY == CSV_EVERY - 1:
            path = out / f"DuLieu_{PERIOD}_{code}.csv"
            with path.open("w", encoding="utf-8-sig", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(rows[0])
                for r in rows[1:]:
                    w.writerow(["" if v is None or v == "" else _plain(v) for v in r])
        else:
            path = out / f"BaoCao_{PERIOD}_{code}.xlsx"
            wb = openpyxl.load_workbook(bases[base])
            ws = wb["Dữ liệu"]
            for r, values in enumerate(rows[1:], start=2):
                for c, v in enumerate(values, start=1):
                    if ws.cell(r, c).value != v and not (v == "" and ws.cell(r, c).value is None):
                        ws.cell(r, c).value = v
            marker = wb["_tqd"]
            for row in marker.iter_rows():
                if row[0].value == "ma_don_vi":
                    row[1].value = code
            # The forms keep the base ward's words and figures: a parent reads only the
            # `Dữ liệu` sheet and the marker (levels.md).
            wb.save(path)
        col = {h: j for j, h in enumerate(rows[0])}
        own = [r for r in rows[1:] if r[col["ma_don_vi"]] == code]
        sent.append({"code": code, "base": base, "f": f, "rows": own, "col": col})
    return sent


def _plain(v: object) -> object:
    return int(v) if isinstance(v, float) and v.is_integer() else v


# ── the province's run ────────────────────────────────────────────────────────────────────


def run(argv: list[str]) -> tuple[float, float, int, int, int, str]:
    """Wall seconds, CPU seconds (user + system, of the process and the workers it waited
    for), exit code, peak RSS of that process (and of any it waited for), peak RSS of its
    whole tree sampled every 50 ms (bytes), and its standard output."""
    from bench_scale import _tree_rss

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out_file = DATA / "stdout.txt"
    done = threading.Event()
    peak = [0]
    with out_file.open("wb") as fh:
        t = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdout=fh, stderr=subprocess.STDOUT)

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], _tree_rss(proc.pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    text = out_file.read_text(encoding="utf-8", errors="replace")
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, proc.returncode, usage.ru_maxrss * 1024, peak[0], text


def province_rows(path: Path) -> dict[tuple[str, str, str], tuple[float, float, float]]:
    import python_calamine as pc

    grid = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Dữ liệu").to_python()
    col = {h: j for j, h in enumerate(grid[0])}
    out = {}
    for r in grid[1:]:
        key = (str(r[col["ma_don_vi"]]), str(r[col["ma_chi_tieu"]]), str(r[col["phan_loai"]]))
        out[key] = tuple(_float(r[col[c]]) for c in ("tu_so", "mau_so", "gia_tri"))
    return out


def _float(v: object) -> float:
    return float(v) if _num(v) else math.nan


def own_figures(s: dict) -> dict[tuple[str, str], tuple[float, float, float]]:
    """(indicator, loại) → (tu_so, mau_so, gia_tri) of the ward's own rows, as it sent them."""
    col, own = s["col"], {}
    for r in s["rows"]:
        key = (str(r[col["ma_chi_tieu"]]), str(r[col["phan_loai"]] or ""))
        own[key] = tuple(_float(r[col[c]]) for c in ("tu_so", "mau_so", "gia_tri"))
    return own


def expected_totals(sent: list[dict]) -> dict[tuple[str, str], tuple[float, float, float]]:
    """This script's own province totals: each count summed over the wards (where every ward
    has it), each rate the sum of numerators over the sum of denominators."""
    from tqd_sheets import registry

    per = [own_figures(s) for s in sent]
    keys = set.intersection(*(set(p) for p in per))
    out = {}
    for key in sorted(keys):
        if key[0] == "KHOM_TONG":
            continue  # the province counts its own expected children
        if registry.BY_CODE.get(key[0]) and registry.BY_CODE[key[0]].is_rate:
            tu = sum(p[key][0] for p in per)
            mau = sum(p[key][1] for p in per)
            out[key] = (tu, mau, tu / mau if mau else math.nan)
        else:
            v = sum(p[key][2] for p in per)
            out[key] = (v, math.nan, v)
    return out


def close(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))


def compare(got: dict, want: dict, unit: str) -> list[str]:
    bad = []
    for (code, loai), (tu, mau, v) in want.items():
        g = got.get((unit, code, loai))
        if g is None:
            bad.append(f"{code}{'/' + loai if loai else ''}: thiếu")
        elif not (close(g[0], tu) and close(g[1], mau) and close(g[2], v)):
            bad.append(f"{code}{'/' + loai if loai else ''}: {g} ≠ {(tu, mau, v)}")
    return bad


def findings(kiemtra: Path) -> dict[str, int]:
    """Findings of the province's run by code and severity, from its KiemTra."""
    import python_calamine as pc

    book = pc.CalamineWorkbook.from_path(str(kiemtra))
    counts: dict[str, int] = {}
    for name in book.sheet_names:
        grid = book.get_sheet_by_name(name).to_python()
        for i, row in enumerate(grid[:15]):
            heads = [str(v).strip() for v in row]
            if "Mã lỗi" in heads and "Mức độ" in heads:
                code, level = heads.index("Mã lỗi"), heads.index("Mức độ")
                for r in grid[i + 1 :]:
                    if str(r[code]).strip():
                        key = f"{str(r[code]).strip()} ({str(r[level]).strip().lower()})"
                        counts[key] = counts.get(key, 0) + 1
                return counts
    return counts


def mib(b: int) -> str:
    return f"{b / 2**20:,.0f} MiB"


def consolidate(cfg: Path, box: Path, outbox: Path, jobs: int, fresh: bool) -> dict:
    """One whole-process run of the province; `fresh`: no outbox (so no cache) before it.
    History never carries over: each run is a first run of the period."""
    shutil.rmtree(cfg.parent / "lich-su", ignore_errors=True)
    if fresh:
        shutil.rmtree(outbox, ignore_errors=True)
    argv = [sys.executable, "-m", "tqd_sheets.cli", "--config", str(cfg), "consolidate"]
    argv += ["--inbox", str(box), "--outbox", str(outbox), "--period", PERIOD, "--jobs", str(jobs)]
    wall, cpu, code, single, tree, stdout = run(argv)
    out = outbox / PERIOD
    if code not in (0, 1):
        print(stdout[-2000:], file=sys.stderr)
    return {
        "jobs": jobs,
        "cached": not fresh,
        "wall": wall,
        "cpu": cpu,
        "code": code,
        "single": single,
        "tree": tree,
        "found": findings(out / f"KiemTra_{PERIOD}.xlsx") if out.exists() else {},
        "got": province_rows(out / f"BaoCao_{PERIOD}.xlsx") if out.exists() else {},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-write", action="store_true", help="do not write RESULTS.md")
    ap.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="--jobs of the parallel runs"
    )
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    if DATA.exists():
        shutil.rmtree(DATA)
    DATA.mkdir(parents=True)
    t = time.perf_counter()
    bases = {
        code: base_run(DATA / "wards" / code, code, name, cap, child_cap, sizes)
        for code, name, cap, child_cap, sizes in BASES
    }
    t_bases = time.perf_counter() - t
    box = DATA / "inbox"
    box.mkdir()
    t = time.perf_counter()
    sent = derive(bases, box)
    t_derive = time.perf_counter() - t
    n_csv = sum(1 for p in box.iterdir() if p.suffix == ".csv")
    print(
        f"{len(BASES)} lần chạy phường/xã thật: {t_bases:.1f} s; {len(sent)} kết quả dẫn xuất "
        f"({len(sent) - n_csv} BaoCao .xlsx, {n_csv} DuLieu .csv): {t_derive:.1f} s"
    )
    cfg = DATA / PROVINCE_TOML.name  # its history (lich-su/) and cache stay under .data
    shutil.copy(PROVINCE_TOML, cfg)
    runs = [
        consolidate(cfg, box, DATA / "outbox-1", 1, fresh=True),
        consolidate(cfg, box, DATA / "outbox", args.jobs, fresh=True),
        consolidate(cfg, box, DATA / "outbox", args.jobs, fresh=False),
    ]
    for r in runs:
        r["per"] = r["wall"] / len(sent) * 1000
        print(
            f"Tỉnh 82 tổng hợp {len(sent)} kết quả, --jobs {r['jobs']}"
            f"{', có bộ nhớ đệm' if r['cached'] else ''}: {r['wall']:.1f} s "
            f"({r['per']:.0f} ms/kết quả; CPU {r['cpu']:.1f} s), mã thoát {r['code']}, "
            f"RSS đỉnh {mib(r['single'])} (cả cây tiến trình {mib(r['tree'])})"
        )
    first = runs[1]
    same = all(r["got"] == first["got"] and r["found"] == first["found"] for r in runs)
    got, found = first["got"], first["found"]
    want = expected_totals(sent)
    bad = compare(got, want, "82")
    # Each ward's own row in the province's `Dữ liệu` is what it sent.
    wards_bad = [f"{s['code']} {b}" for s in sent for b in compare(got, own_figures(s), s["code"])]
    n_ward_figures = sum(len(own_figures(s)) for s in sent)
    verdict = "OK" if got and not bad else "FAIL"
    print("  phát hiện: " + (", ".join(f"{k} {v}" for k, v in sorted(found.items())) or "0"))
    print(f"  Dữ liệu và phát hiện giống nhau ở cả ba lần chạy: {'OK' if same else 'FAIL'}")
    print(f"  Dữ liệu của tỉnh = tổng của các phường, xã ({len(want)} chỉ tiêu): {verdict}")
    for line in bad[:10]:
        print(f"    {line}")
    ward_verdict = "OK" if got and not wards_bad else "FAIL"
    print(f"  dòng của từng phường, xã = số đã gửi ({n_ward_figures} số): {ward_verdict}")
    for line in wards_bad[:10]:
        print(f"    {line}")
    if not args.no_write:
        write_results(
            {
                "runs": runs,
                "same": same,
                "found": found,
                "verdict": verdict,
                "checked": len(want),
                "bad": len(bad),
                "ward_verdict": ward_verdict,
                "ward_figures": n_ward_figures,
                "ward_bad": len(wards_bad),
                "n": len(sent),
                "csv": n_csv,
                "bases": t_bases,
            }
        )
        print("Đã ghi benchmarks/RESULTS.md (mục bench_chain)")


def write_results(r: dict) -> None:
    sizes = ", ".join(
        f"{cap.lower()} {code} ({len(s)} {child.lower()}, {sum(s)} hộ)"
        for code, _, cap, child, s in BASES
    )
    found = ", ".join(f"{k}: {v}" for k, v in sorted(r["found"].items())) or "none"
    lines = [
        "# bench_chain: a province's run over 100 ward outputs",
        "",
        "Written by `benchmarks/bench_chain.py` (`make bench`); one run.",
        "",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {machine()}",
        f"- load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
        "(the machine may be shared)",
        f"- inputs: {r['n']} outputs of distinct phường/xã of tỉnh Đồng Tháp (82, configuration "
        f"`cau-hinh/tinh-dong-thap-82.toml`, 102 children, 2 not sent), kỳ {PERIOD}: "
        f"{r['n'] - r['csv']} `BaoCao_{PERIOD}.xlsx` and {r['csv']} `DuLieu_{PERIOD}.csv`, "
        f"derived from 3 real ward runs ({sizes}; {r['bases']:.0f} s) with each ward's code "
        "and name, and household figures times 1…5",
        f"- runs: `tqd-sheets --config … consolidate --inbox … --outbox … --period {PERIOD} "
        "--jobs J`, whole process, no history before it; the first two with no cache, the "
        "third over the cache the second left. CPU: user + system of the process and its "
        "workers.",
        f"- findings: {found}; `Dữ liệu` and findings the same in the three runs: "
        f"{'yes' if r['same'] else 'NO'}; province totals = sum of wards: {r['verdict']} "
        f"({r['checked']} figures, {r['bad']} differ); ward rows = what they sent: "
        f"{r['ward_verdict']} ({r['ward_figures']:,} figures, {r['ward_bad']} differ)",
        "",
        "| outputs | --jobs | cache | consolidate | ms/output | CPU | peak RSS (process) "
        "| peak RSS (tree) | exit |",
        "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        *(
            f"| {r['n']} | {x['jobs']} | {'re-run' if x['cached'] else 'none'} "
            f"| {x['wall']:.1f} s | {x['per']:.0f} | {x['cpu']:.1f} s | {mib(x['single'])} "
            f"| {mib(x['tree'])} | {x['code']} |"
            for x in r["runs"]
        ),
        "",
    ]
    write_section("bench_chain", "\n".join(lines))


if __name__ == "__main__":
    main()
