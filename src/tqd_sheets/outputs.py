"""Writes a run's files into `outbox/P/`, each through a temporary name and a rename."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from . import __version__, catalog
from .atomic import OutputError, write_atomic, write_bytes_atomic
from .config import Config
from .feedback import feedback_names, write_feedback
from .findings import Finding, Severity
from .pipeline import Run, sha256
from .read import read_workbook
from .registers import KhomRegister, write_registers
from .results import DATA_COLUMNS, Results


def data_csv(results: Results) -> bytes:
    """`DuLieu_P.csv`: the `Dữ liệu` rows, UTF-8 with BOM so that Excel shows the diacritics."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(DATA_COLUMNS)
    for rec in results.data.itertuples(index=False):
        w.writerow(["" if isinstance(v, float) and math.isnan(v) else _plain(v) for v in rec])
    return buf.getvalue().encode("utf-8-sig")


def _plain(v: object) -> object:
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return repr(v) if isinstance(v, float) else v


def manifest(run: Run, files: list[Path]) -> dict:
    by_name = {c.name: c for c in run.checked}
    inputs = []
    for path in files:
        c = by_name.get(path.name)
        p = c.parsed if c else None
        inputs.append(
            {
                "ten_tep": path.name,
                "kich_thuoc": path.stat().st_size if path.is_file() else None,
                "sha256": sha256(path) if path.is_file() else None,
                "loai": p.kind.value if p and p.kind else None,
                "ma_khom": (p.khom or None) if p else None,
                "du_lieu_mau": p.is_sample if p else False,
                "so_loi": c.errors if c else 0,
                "so_canh_bao": c.warnings if c else 0,
                "bo_qua": c.ignored if c and c.ignored else None,
                "ma_loi": sorted({f.code for f in c.findings}) if c else [],
            }
        )
    r = run.results
    return {
        "cong_cu": "tqd-sheets",
        "phien_ban": __version__,
        "thoi_gian": datetime.now().astimezone().isoformat(timespec="seconds"),
        "ky": run.period.id,
        "khom_tong_hop": r.included,
        "khom_du_kien": r.expected,
        "du_lieu_mau": r.sample_data,
        "tep_dau_vao": inputs,
    }


def registers_of(run: Run, config: Config) -> list[KhomRegister]:
    used = {
        c.parsed.khom: c.parsed
        for c in run.checked
        if c.parsed is not None
        and c.parsed.khom in run.results.included
        and not c.ignored
        and not c.errors
    }
    return [
        KhomRegister(
            code,
            config.khom_name(code),
            used[code].households(),
            tuple(used[code].tables["Danh sách hộ"].extra),
        )
        for code in run.results.included
    ]


def write_feedback_copies(run: Run, folder: Path, config: Config) -> list[Path]:
    """One marked copy per workbook that has an error or a warning to fix.

    A copy that cannot be made is that file's finding (F06), never an aborted run."""
    written = []
    names = feedback_names(c.name for c in run.checked)
    for c in run.checked:
        marked = [f for f in c.findings if f.severity is not Severity.NOTE]
        if c.parsed is None or c.parsed.kind is None or c.ignored or not marked:
            continue
        try:
            raw = c.raw
            if raw is None:  # a Checked made without its grid (tests, older callers)
                raw, _ = read_workbook(c.path)
            if raw is None:
                raise ValueError("không đọc lại được tệp")
            period = c.period or run.period
            written.append(
                write_feedback(folder / names[c.name], raw, c.parsed, marked, config, period)
            )
        except OutputError:
            raise
        except Exception as exc:  # one file's trouble is that file's finding
            finding = catalog.make("F06", file=c.name, detail=_why(exc), khom=c.parsed.khom)
            c.findings.append(finding)
            run.results.findings = sorted([*run.results.findings, finding], key=Finding.sort_key)
    return written


def _why(exc: Exception) -> str:
    """One Vietnamese phrase for the report; the exception's own text only when it is ours."""
    if isinstance(exc, ValueError) and exc.args and isinstance(exc.args[0], str):
        return exc.args[0]
    if isinstance(exc, MemoryError):
        return "không đủ bộ nhớ"
    return f"lỗi bên trong ({type(exc).__name__})"


def _write_all(stage: Path, run: Run, config: Config, files: list[Path]) -> list[Path]:
    from .forms import write_forms
    from .report import write_report

    pid = run.period.id
    r = run.results
    written = [
        write_forms(stage / f"BaoCao_{pid}.xlsx", r, config),
        write_report(stage / f"KiemTra_{pid}.xlsx", r),
        write_bytes_atomic(stage / f"DuLieu_{pid}.csv", data_csv(r)),
        write_registers(
            stage / "noi-bo" / f"DanhSach_{pid}.xlsx", registers_of(run, config), config, run.period
        ),
        *write_feedback_copies(run, stage / "phan-hoi", config),
    ]
    text = json.dumps(manifest(run, files), ensure_ascii=False, indent=2)
    written.append(
        write_atomic(
            stage / "manifest.json", lambda tmp: tmp.write_text(text + "\n", encoding="utf-8")
        )
    )
    return written


def _check_replaceable(target: Path) -> None:
    """A file open in Excel on Windows cannot be replaced: find out before moving anything."""
    if not target.exists():
        return
    try:
        with target.open("ab"):
            pass
    except OSError as exc:
        raise OutputError(
            f"Không ghi đè được tệp {target}: tệp đang mở trong Excel/LibreOffice hoặc chỉ cho "
            f"đọc ({exc.strerror or exc}). Đóng tệp rồi chạy lại; chưa tệp nào bị thay đổi."
        ) from None


def write_outputs(run: Run, config: Config, outbox: Path, files: list[Path]) -> list[Path]:
    """Write every output into a staging folder, then move them all into `outbox/P/`.

    A failure while writing leaves the previous outputs untouched."""
    out = outbox / run.period.id
    try:
        out.mkdir(parents=True, exist_ok=True)
        for stale in out.glob(".tqd-dang-ghi-*"):
            shutil.rmtree(stale, ignore_errors=True)  # left by a run that was killed
        stage = Path(tempfile.mkdtemp(prefix=".tqd-dang-ghi-", dir=out))
    except OSError as exc:
        raise OutputError(
            f"Không tạo được thư mục {out} ({exc.strerror or exc}). Chọn thư mục "
            "khác bằng OUTBOX=… hoặc cấp quyền ghi rồi chạy lại."
        ) from None
    try:
        staged = _write_all(stage, run, config, files)
        targets = [out / p.relative_to(stage) for p in staged]
        for t in targets:
            _check_replaceable(t)
        for old in (out / "phan-hoi").glob("*_kiem-tra.xlsx"):
            if old not in targets:
                old.unlink()  # a copy from an earlier run of this period, no longer true
        for src, dst in zip(staged, targets, strict=True):
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dst)
        return targets
    except OSError as exc:
        raise OutputError(f"Không ghi được kết quả vào {out} ({exc.strerror or exc}).") from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
