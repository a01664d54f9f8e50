"""LibreOffice, headless: convert and re-save workbooks as an officer's LibreOffice would.

Each call uses a throw-away profile so that runs never share state; with `recalc` the
profile forces every formula to be recomputed on load (notes: OOXMLRecalcMode = 0).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

FILTERS = {
    "xlsx": 'xlsx:"Calc MS Excel 2007 XML"',
    "xls": 'xls:"MS Excel 97"',
    "ods": "ods",
    "pdf": "pdf",
}

_RECALC = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode"
 oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode"
 oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(src: Path, fmt: str, out_dir: Path, recalc: bool = False, timeout: float = 180) -> Path:
    """Convert `src` to `fmt` (xlsx, xls, ods, pdf) in `out_dir`; return the new file."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tqd-lo-") as profile:
        if recalc:
            user = Path(profile) / "user"
            user.mkdir(parents=True)
            (user / "registrymodifications.xcu").write_text(_RECALC, encoding="utf-8")
        cmd = [
            exe,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            FILTERS[fmt].replace('"', ""),
            "--outdir",
            str(out_dir),
            str(src),
        ]
        subprocess.run(cmd, check=True, capture_output=True, timeout=timeout)
    target = out_dir / f"{src.stem}.{fmt}"
    if not target.exists():
        raise RuntimeError(f"LibreOffice did not write {target.name}")
    return target
