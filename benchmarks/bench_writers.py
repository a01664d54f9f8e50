"""How long the unit's three outputs take to write as the children grow: BaoCao (forms and
`Dữ liệu`), the draft báo cáo (.docx) and KiemTra, for a generated run of N children with last
year's figures and about 1.5 findings a child (`tests/many_children.py`).

Prints CPU seconds of each writer (one call in a fresh process, as a consolidation makes it)
and ms per child; asserts nothing (these machines are noisy). Run:
`PYTHONPATH=src python benchmarks/bench_writers.py [N ...]`. Target (issue 11): the three
together about 1 s at N = 300 and the same ms per child at every N.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = (50, 300, 1500)


def one(n: int, out: Path) -> dict[str, float]:
    sys.path.insert(0, str(ROOT / "tests"))
    from many_children import make_run
    from tqd_sheets.baocao_docx import write_baocao
    from tqd_sheets.forms import write_forms
    from tqd_sheets.report import write_report

    run = make_run(n, seed=1, missing=max(1, n // 20))
    r = run.results
    jobs = {
        "BaoCao.xlsx": lambda: write_forms(out / "BaoCao.xlsx", r, run.config),
        "BaoCao.docx": lambda: write_baocao(out / "BaoCao.docx", r, run.config),
        "KiemTra.xlsx": lambda: write_report(
            out / "KiemTra.xlsx",
            r,
            deadline=run.deadline,
            received=run.received,
            serials=run.serials,
        ),
    }
    times = {}
    for name, job in jobs.items():
        start = time.process_time()
        job()
        times[name] = time.process_time() - start
    return times


def main(sizes: list[int]) -> None:
    print(f"{'N':>6} {'BaoCao.xlsx':>12} {'BaoCao.docx':>12} {'KiemTra.xlsx':>13} {'ms/child':>9}")
    for n in sizes:
        # each size in its own process: a writer's first call is what a run pays
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(n)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        forms, docx, report = (float(x) for x in out)
        total = forms + docx + report
        print(f"{n:>6} {forms:>12.3f} {docx:>12.3f} {report:>13.3f} {1000 * total / n:>9.2f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        with tempfile.TemporaryDirectory() as tmp:
            t = one(int(sys.argv[2]), Path(tmp))
        print(*(f"{x:.4f}" for x in t.values()))
    else:
        main([int(x) for x in sys.argv[1:]] or list(SIZES))
