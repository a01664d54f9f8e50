"""Writes a run's files into `outbox/P/`, each through a temporary name and a rename."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import stat
import tempfile
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, catalog, chain, lock
from .atomic import OutputError, write_atomic, write_bytes_atomic
from .config import Config
from .feedback import feedback_names, write_feedback
from .findings import Finding, Severity
from .oserrors import in_vietnamese
from .parse import ROW, Parsed
from .pipeline import Checked, Run, sha256
from .read import read_workbook
from .registers import KhomRegister, write_registers
from .results import DATA_COLUMNS, Results
from .spec import OUTPUT_KIND
from .template import SERIAL
from .values import is_blank, text

if TYPE_CHECKING:
    import pandas as pd


def data_csv(results: Results) -> bytes:
    """`DuLieu_P.csv`: the `Dữ liệu` rows, UTF-8 with BOM so that Excel shows the diacritics."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(DATA_COLUMNS)
    for rec in results.data.itertuples(index=False):
        w.writerow(["" if isinstance(v, float) and math.isnan(v) else _plain(v) for v in rec])
    return buf.getvalue().encode("utf-8-sig")


# A spreadsheet app runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(text: str) -> str:
    """`=Khóm 1` → `'=Khóm 1`: shown as written, never evaluated by Excel or LibreOffice."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _plain(v: object) -> object:
    if isinstance(v, str):
        return _inert(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return repr(v) if isinstance(v, float) else v


def manifest(run: Run, files: list[Path]) -> dict:
    by_name = {c.name: c for c in run.checked}
    inputs = []
    for path in files:
        c = by_name.get(path.name)
        p = c.parsed if c else None
        size, digest = _size_and_hash(path)
        inputs.append(
            {
                "ten_tep": path.name,
                "kich_thuoc": size,
                "sha256": digest,
                "loai": p.kind.value if p and p.kind else (OUTPUT_KIND if c and c.unit else None),
                "ma_khom": (p.khom or None) if p else ((c.unit or None) if c else None),
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


def _size_and_hash(path: Path) -> tuple[int | None, str | None]:
    """Of a regular file that can still be read; a FIFO is never opened."""
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            return None, None
        return st.st_size, sha256(path)
    except OSError:
        return None, None


def received_times(run: Run) -> dict[str, datetime]:
    """Each input's time as the inbox holds it (when it was saved there): `Ngày nhận`. The
    shipped sample workbooks have none: their file time is when the tool was installed, and
    would make every sample "late" by years."""
    out = {}
    for c in run.checked:
        if c.parsed is not None and c.parsed.is_sample:
            continue
        try:
            out[c.name] = datetime.fromtimestamp(c.path.stat().st_mtime)
        except OSError:
            continue
    return out


def list_serials(run: Run) -> ListSerials:
    """(file, sheet, 1-based row) → the STT printed on that row: KiemTra names list rows by
    the number the officer sees, not by Excel's row number."""
    return ListSerials(run.checked)


class ListSerials(Mapping[tuple[str, str, int], str]):
    """The STT of each list row (a non-blank one), as text. A run's lists hold a province's
    households and KiemTra asks for the few rows with a finding: a list is read for its
    STT only when first asked about, the whole made only when iterated."""

    def __init__(self, checked: Sequence[Checked]) -> None:
        self._checked = [c for c in checked if c.parsed is not None]
        self._files: dict[str, list[Parsed]] = {}
        for c in self._checked:
            self._files.setdefault(c.name, []).append(c.parsed)
        self._made: dict[type, dict[object, str | None]] = {}  # lists number rows 1, 2, 3…
        self._lists: dict[tuple[int, str], dict[int, str]] = {}
        self._whole: dict[tuple[str, str, int], str] | None = None

    def __getitem__(self, key: tuple[str, str, int]) -> str:
        if not (isinstance(key, tuple) and len(key) == 3):
            raise KeyError(key)
        file, sheet, row = key
        found = None
        for p in self._files.get(file, ()):  # two files of one name: the later one's, as ever
            found = self._list(p, sheet).get(row, found)
        if found is None:
            raise KeyError(key)
        return found

    def _list(self, p: Parsed, sheet: str) -> dict[int, str]:
        key = (id(p), sheet)  # `_files` holds `p`: its id stays its own
        if key not in self._lists:
            table = p.tables.get(sheet)
            rows = _rows(table.frame, self._made) if table is not None else None
            self._lists[key] = dict(rows) if rows is not None else {}
        return self._lists[key]

    def _all(self) -> dict[tuple[str, str, int], str]:
        if self._whole is None:
            out: dict[tuple[str, str, int], str] = {}
            for c in self._checked:
                for name, table in c.parsed.tables.items():
                    rows = _rows(table.frame, self._made)
                    if rows is not None:
                        out.update(((c.name, name, r), s) for r, s in rows)
            self._whole = out
        return self._whole

    def __iter__(self) -> Iterator[tuple[str, str, int]]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __bool__(self) -> bool:  # `serials or {}`: without making the whole
        if self._whole is not None:
            return bool(self._whole)
        return any(
            _rows(t.frame, self._made) for c in self._checked for t in c.parsed.tables.values()
        )


def _rows(
    frame: pd.DataFrame, made: dict[type, dict[object, str | None]]
) -> list[tuple[int, str]] | None:
    """(1-based row, STT as text) of a list's rows with an STT, in order; None for a table
    without an STT column."""
    if ROW not in frame or SERIAL not in frame:
        return None
    shown = _shown(frame[SERIAL].tolist(), made)
    pairs = zip(map(int, frame[ROW].tolist()), shown, strict=True)
    return [(r, s) for r, s in pairs if s is not None]


def _shown(values: list, made: dict[type, dict[object, str | None]]) -> list[str | None]:
    """The text of each STT as the officer sees it, None for a blank one; `made` keeps each
    distinct value's, by type (True is a mark, 1 a number), across the lists of a run."""
    kinds = set(map(type, values))
    if len(kinds) != 1:  # a column of several kinds: rare, and short
        return [_one_serial(v) for v in values]
    known = made.setdefault(kinds.pop(), {})
    try:
        for v in dict.fromkeys(values).keys() - known.keys():
            known[v] = _one_serial(v)
    except TypeError:  # an unhashable value
        return [_one_serial(v) for v in values]
    return list(map(known.__getitem__, values))


def _one_serial(v: object) -> str | None:
    return None if is_blank(v) else text(v)


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
        if code in used  # a parent's run reads outputs: no register, no personal data
    ]


def write_feedback_copies(run: Run, folder: Path, config: Config) -> list[Path]:
    """One marked copy per workbook that has an error or a warning to fix.

    A copy that cannot be made is that file's finding (F07), never an aborted run."""
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
            finding = catalog.make("F07", file=c.name, detail=_why(exc), khom=c.parsed.khom)
            c.findings.append(finding)
            run.results.findings = sorted([*run.results.findings, finding], key=Finding.sort_key)
    return written


def _feedback_or_finding(run: Run, folder: Path, config: Config) -> list[Path]:
    """The feedback copies; when they cannot be made, a finding instead of a failed run:
    the report, the forms and the data do not depend on them."""
    try:
        return write_feedback_copies(run, folder, config)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:
        why = in_vietnamese(exc) if isinstance(exc, OSError) else type(exc).__name__
        run.results.findings.append(catalog.make("F07", detail=why))
        return []


def _baocao_or_finding(run: Run, path: Path, config: Config) -> list[Path]:
    """The draft báo cáo; when it cannot be made, a finding (F08) instead of a failed run:
    the forms and the data do not depend on it. Written before KiemTra, which lists it."""
    try:
        from .baocao_docx import write_baocao

        return [write_baocao(path, run.results, config)]
    except OutputError:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except ImportError:
        why = "thiếu thư viện python-docx"
    except Exception as exc:
        why = in_vietnamese(exc) if isinstance(exc, OSError) else _why(exc)
    finding = catalog.make("F08", detail=why)
    run.results.findings = sorted([*run.results.findings, finding], key=Finding.sort_key)
    return []


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
    # Feedback copies first: a copy that cannot be made is a finding the report must show.
    copies = _feedback_or_finding(run, stage / "phan-hoi", config)
    written = [
        write_forms(stage / f"BaoCao_{pid}.xlsx", r, config),
        *_baocao_or_finding(run, stage / f"BaoCao_{pid}.docx", config),
        write_report(
            stage / f"KiemTra_{pid}.xlsx",
            r,
            deadline=config.deadline(run.period),
            received=received_times(run),
            serials=list_serials(run),
        ),
        write_bytes_atomic(stage / f"DuLieu_{pid}.csv", data_csv(r)),
        *_registers(stage, run, config),
        *copies,
    ]
    record = manifest(run, files)
    # The files of this run, as they land in `outbox/P/` (the manifest itself last).
    record["tep_ket_qua"] = [p.relative_to(stage).as_posix() for p in written] + ["manifest.json"]
    text = json.dumps(record, ensure_ascii=False, indent=2)
    written.append(
        write_atomic(
            stage / "manifest.json", lambda tmp: tmp.write_text(text + "\n", encoding="utf-8")
        )
    )
    return written


def _registers(stage: Path, run: Run, config: Config) -> list[Path]:
    """The ward's internal lists; a parent's run holds no household, so it writes none."""
    if chain.is_parent(config):
        return []
    path = stage / "noi-bo" / f"DanhSach_{run.period.id}.xlsx"
    return [write_registers(path, registers_of(run, config), config, run.period)]


def _same_name(path: Path) -> str:
    """Names Windows and macOS take for one file: case and Unicode form do not count."""
    return unicodedata.normalize("NFC", path.as_posix()).casefold()


def check_collisions(names: list[Path]) -> None:
    """Two outputs that would land on one file: refuse before anything is moved."""
    seen: dict[str, Path] = {}
    for name in names:
        key = _same_name(name)
        if key in seen:
            raise OutputError(
                f"Hai kết quả sẽ ghi vào cùng một tệp: “{seen[key]}” và “{name}” (tên tệp "
                "không phân biệt chữ hoa, chữ thường). Thường do hai biểu trong inbox có tên "
                "chỉ khác chữ hoa, chữ thường: đổi tên một biểu rồi chạy lại; "
                "chưa tệp kết quả nào bị thay đổi."
            )
        seen[key] = name


def _check_replaceable(target: Path) -> None:
    """A file open in Excel on Windows cannot be replaced: find out before moving anything."""
    if not target.exists():
        return
    try:
        with target.open("ab"):
            pass
    except OSError as exc:
        raise OutputError(
            f"Không ghi đè được tệp {target}: {in_vietnamese(exc)}. Đóng tệp trong "
            "Excel/LibreOffice rồi chạy lại; chưa tệp nào bị thay đổi."
        ) from None


def write_outputs(run: Run, config: Config, outbox: Path, files: list[Path]) -> list[Path]:
    """Write every output into a staging folder, then move them all into `outbox/P/`.

    One run at a time per folder (a lock file); a failure while writing, or two outputs on
    one name, leaves the previous outputs untouched."""
    out = outbox / run.period.id
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"Không tạo được thư mục {out} ({in_vietnamese(exc)}). Chọn thư mục "
            "khác bằng OUTBOX=… hoặc cấp quyền ghi rồi chạy lại."
        ) from None
    with lock.held(out):
        return _write_locked(run, config, out, files)


def _write_locked(run: Run, config: Config, out: Path, files: list[Path]) -> list[Path]:
    try:
        lock.remove_stale_stages(out)
        stage = Path(tempfile.mkdtemp(prefix=lock.stage_prefix(), dir=out))
    except OSError as exc:
        raise OutputError(
            f"Không tạo được thư mục tạm trong {out} ({in_vietnamese(exc)}). Chọn thư mục "
            "khác bằng OUTBOX=… hoặc cấp quyền ghi rồi chạy lại."
        ) from None
    try:
        staged = _write_all(stage, run, config, files)
        relative = [p.relative_to(stage) for p in staged]
        check_collisions(relative)
        targets = [out / p for p in relative]
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
        raise OutputError(f"Không ghi được kết quả vào {out} ({in_vietnamese(exc)}).") from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
