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
    return convert_many([src], fmt, out_dir, recalc, timeout)[0]


def convert_many(
    sources: list[Path], fmt: str, out_dir: Path, recalc: bool = False, timeout: float = 300
) -> list[Path]:
    """Convert every file of `sources` to `fmt` in `out_dir` with ONE LibreOffice process.

    Starting LibreOffice with a fresh profile costs seconds; converting a file costs a fraction
    of that, so a batch is several times faster than one call per file. The stems must differ
    (LibreOffice names each result `<stem>.<fmt>` in `out_dir`).
    """
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    stems = [s.stem for s in sources]
    if len(set(stems)) != len(stems):
        raise ValueError(f"two sources share a stem: {stems}")
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
            *(str(s) for s in sources),
        ]
        subprocess.run(cmd, check=True, capture_output=True, timeout=timeout)
    targets = [out_dir / f"{s.stem}.{fmt}" for s in sources]
    for target in targets:
        if not target.exists():
            raise RuntimeError(f"LibreOffice did not write {target.name}")
    return targets


def has_writer() -> bool:
    """LibreOffice's Writer is installed (a machine may have Calc only): it renders the .docx."""
    exe = soffice()
    if exe is None:
        return False
    program = Path(exe).resolve().parent
    return any(program.glob("libswlo.*")) or any(program.glob("swriter*"))
