"""Hostile files: how long and how much memory `check_file` takes to refuse each one.

Issue: rejected within 2 s and 300 MiB. Each file is checked in a fresh process, which prints
its own wall time and peak resident memory (the Python start and imports included).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import json, sys, time
from pathlib import Path
from tqd_sheets.config import load_config
from tqd_sheets.pipeline import check_file
cfg = load_config(Path(sys.argv[2]))
t = time.perf_counter()
c = check_file(Path(sys.argv[1]), cfg)
dt = time.perf_counter() - t
# VmHWM is this process's own peak (ru_maxrss would carry the parent's over exec).
hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM"))
rss = int(hwm.split()[1]) / 1024
print(json.dumps({"s": dt, "mib": rss, "codes": sorted({f.code for f in c.findings})}))
"""


def zip_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as member:
            block = b"\0" * (1024 * 1024)
            for _ in range(1024):
                member.write(block)
    return path


def xml_bomb(path: Path) -> Path:
    src = ROOT / "templates" / "xlsx" / "BieuKhom_K1_2020.xlsx"
    lol = (
        b'<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(
            b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&%s;" % bytes([97 + i])) * 10)
            for i in range(9)
        )
        + b"]>"
    )
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b"?>", b"?>" + lol, 1)
            zout.writestr(item, data)
    return path


def million_rows(path: Path) -> Path:
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = wb.add_worksheet("Danh sách hộ")
    for r in range(1_048_000):
        ws.write_number(r, 0, r)
    wb.close()
    return path


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        cases = {
            "mẫu thật (K4, 968 hộ)": ROOT / "inbox" / "MAU_K4_2020.xlsx",
            "bom zip (1 GiB số 0)": zip_bomb(d / "bom_zip.xlsx"),
            "bom thực thể XML": xml_bomb(d / "bom_xml.xlsx"),
            "sheet 1.048.000 dòng": million_rows(d / "trieu_dong.xlsx"),
        }
        print(f"{'tệp':<26}{'kích thước':>12}{'giây':>8}{'MiB đỉnh':>10}  mã lỗi")
        for label, path in cases.items():
            out = subprocess.run(
                [sys.executable, "-c", PROBE, str(path), str(ROOT / "tqd.toml")],
                capture_output=True,
                text=True,
                check=True,
            )
            r = json.loads(out.stdout)
            size = f"{path.stat().st_size // 1024:,} KiB".replace(",", ".")
            print(f"{label:<26}{size:>12}{r['s']:>8.2f}{r['mib']:>10.0f}  {' '.join(r['codes'])}")


if __name__ == "__main__":
    main()
