"""One consolidation run: inbox files → checked workbooks → the run's selection → results.

Pure orchestration of the modules that hold the work; file writing happens in `outputs`.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import re
import sys
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import TypeVar

import pandas as pd

from . import catalog, chain, progress, units, validate
from .cache import Cache, Entry, dumps, forget_digests, sha256_of
from .config import Config
from .findings import Finding, Tallied, has_errors
from .indicators import KhomData, compute, default_targets
from .oserrors import in_vietnamese
from .parse import BAD, Parsed, parse_workbook
from .periods import Period
from .read import SPREADSHEET_ELSEWHERE, RawWorkbook, ignore_reason, read_workbook
from .results import CHUA_NOP, CO_LOI, DA_TONG_HOP, Results
from .spec import Kind

WHY_IGNORED = frozenset({"F02", "H03", "I01"})


class RunError(Exception):
    """Nothing can be produced (exit 2); the message is for the officer."""


@dataclass
class Checked(Tallied):
    """One inbox file after reading, parsing and its own checks."""

    path: Path
    parsed: Parsed | None = None
    findings: list[Finding] = field(default_factory=list)
    ignored: str = ""  # why the file is not used, when it is not
    # The grid as read: feedback copies are built from it. Not kept by the worker processes
    # nor the cache (pickling it back costs as much as reading it): a copy re-reads its file.
    raw: RawWorkbook | None = None
    marked: str = ""  # the child code in the workbook's hidden marker: whose words to use
    unit: str = ""  # in a parent's run: the child unit whose output this file is

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def wb(self) -> Parsed:
        """The parsed workbook, for files known to have opened."""
        if self.parsed is None:
            raise ValueError(f"{self.name} was not read")
        return self.parsed

    @property
    def period(self) -> Period | None:
        p = self.parsed
        ky = p.values.get("ky") if p else None
        if p is None or p.year is None or not isinstance(ky, str):
            return None
        return Period.from_label(p.year, ky)


def check_file(
    path: Path, config: Config, today: date | None = None, *, trust_marker: bool = False
) -> Checked:
    """Everything one file can be checked for on its own (what `tqd-sheets check` prints).

    The per-file boundary: whatever goes wrong with this one file becomes its finding (F06),
    never the end of the run. `trust_marker`: take the khóm code from the workbook's hidden
    marker too (a khóm checking its own file with the configuration shipped in the package)."""
    if chain.is_parent(config):
        return _check_output(path, config, today)
    return dated(read_and_check(path, config, trust_marker=trust_marker), config, today)


def read_and_check(path: Path, config: Config, *, trust_marker: bool = False) -> Checked:
    """`check_file` but for the checks against today's date: what depends on the file's bytes
    and the configuration only, so what the cache may keep."""
    with wording(config):
        try:
            return _check_file(path, config, trust_marker)
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:
            return Checked(path, findings=[_crashed(path, exc)])


def dated(checked: Checked, config: Config, today: date | None = None) -> Checked:
    """The checks against today's date (H04, I05), then every finding names its khóm."""
    if checked.parsed is not None:
        with wording(config, checked.marked):
            try:
                checked.findings += _date_checks(checked, config, today or date.today())
            except (KeyboardInterrupt, SystemExit):
                raise
            except Exception as exc:
                checked.findings.append(_crashed(checked.path, exc))
    stamp_khom(checked, config.khom_codes)
    return checked


def _pooled(path: Path, config: Config, trust_marker: bool = False) -> Checked:
    """A worker process's part: read and check one file, send back all but the grid and each
    record's set of unreadable cells (the checks that need them have run; a set per household
    would be a quarter of what a province's run holds in memory)."""
    checked = read_and_check(path, config, trust_marker=trust_marker)
    checked.raw = None
    if checked.parsed is not None:
        for table in checked.parsed.tables.values():
            if BAD in table.frame:
                table.frame = table.frame.drop(columns=BAD)
    return checked


def check_files(
    files: Sequence[Path],
    config: Config,
    today: date | None = None,
    *,
    jobs: int = 1,
    cache: Cache | None = None,
    trust_marker: bool = False,
) -> list[Checked]:
    """Every file checked on its own, in `files`' order whatever order the work ends in:
    from the cache when its bytes were checked before, else across `jobs` processes. The
    grids are not kept, in one process as in several: memory stays flat with the inbox."""
    if chain.is_parent(config):  # children's outputs: a few small files, read in `chain`
        return [check_file(p, config, today) for p in files]
    work = partial(_pooled, config=config, trust_marker=trust_marker)
    done = _across(files, jobs, cache, work, Checked, lambda p, exc: _crashed_file(p, exc, config))
    return [dated(c, config, today) for c in done]


Item = TypeVar("Item", "Checked", "chain.Intake")


def _across(
    files: Sequence[Path],
    jobs: int,
    cache: Cache | None,
    work: Callable[[Path], Item],
    kind: type[Item],
    failed: Callable[[Path, Exception], Item],
) -> list[Item]:
    """`work` on every file, in `files`' order whatever order the work ends in: from the
    cache when the file's bytes were seen before (an entry of another kind is a miss), else
    across `jobs` processes. A worker that dies is `failed` for its file only: the files in
    flight with it are tried again, alone. An internal error (F06) is never cached."""
    done: list[Item | None] = [_cached(cache, p, kind) for p in files]
    todo = [i for i, c in enumerate(done) if c is None]
    with progress.bar(len(files), "Đọc và kiểm tra") as bar:
        bar.update(len(files) - len(todo))
        if jobs > 1 and len(todo) > 1:
            entries = {i: cache.entry(files[i]) if cache else None for i in todo}
            lost: list[int] = []  # a worker died on it, maybe of another file
            with _pool(min(jobs, len(todo)), work) as pool:
                futures = {pool.submit(_answer, files[i], entries[i]): i for i in todo}
                for future in as_completed(futures):
                    i = futures[future]
                    done[i] = _result(future, files[i], failed)
                    if future.exception() is not None:
                        lost.append(i)
                    bar.update(1)
            for i in sorted(lost):
                with _pool(1, work) as alone:
                    future = alone.submit(_answer, files[i], entries[i])
                    done[i] = _result(future, files[i], failed)
        else:
            for i in todo:
                item = done[i] = work(files[i])
                if cache and _keep(item):
                    cache.put(files[i], item)
                bar.update(1)
    return [c for c in done if c is not None]


def _cached(cache: Cache | None, path: Path, kind: type[Item]) -> Item | None:
    item = cache.get(path) if cache else None
    return item if isinstance(item, kind) else None


def _keep(item: Checked | chain.Intake) -> bool:
    """An internal error (F06) may be passing (memory, a file being written): never kept, so
    the next run tries the file again."""
    return not any(f.code == "F06" for f in item.findings)


_WORK: Callable[[Path], Checked | chain.Intake] | None = None  # a worker's, set as it starts


def _set_work(work: Callable[[Path], Checked | chain.Intake]) -> None:
    global _WORK
    _WORK = work


def _answer(path: Path, entry: Entry | None) -> bytes:
    """A worker's answer, pickled once: the same bytes go to the main process and, unless
    it is an internal error, into the cache (written here, in parallel, not by the main
    process afterwards). The work (with its configuration) came once, as the worker
    started: sent with every file, a province's configuration of 1,500 children cost 6 ms
    a file, more as the province grows."""
    assert _WORK is not None
    item = _WORK(path)
    data = dumps(item)
    if entry is not None and _keep(item):
        entry.write(data)
    return data


def _result(future: Future[bytes], path: Path, failed: Callable[[Path, Exception], Item]) -> Item:
    """A worker that died (out of memory, killed) is its file's finding, as in one process."""
    try:
        item: Item = pickle.loads(future.result())
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:
        return failed(path, exc)
    item.path = path
    return item


def _crashed_file(path: Path, exc: Exception, config: Config) -> Checked:
    with wording(config):
        return Checked(path, findings=[_crashed(path, exc)])


def start_method() -> str:
    """Forked where the platform forks safely (workers start with the libraries already
    imported), else spawned (Windows, macOS): the work and its answers pickle either way."""
    fork = sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
    return "fork" if fork else "spawn"


def _pool(workers: int, work: Callable[[Path], Checked | chain.Intake]) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context(start_method()),
        initializer=_set_work,
        initargs=(work,),
    )


def wording(config: Config, child: str = "") -> AbstractContextManager[None]:
    """Messages in the words of the configured unit: its kind, and its children's (`ấp`, or
    `khóm/ấp` in a merged phường), or those of child `child` when the file is known to be its."""
    con = config.child_level(child) if config.child(child) else units.mixed(config.child_levels)
    return catalog.wording(con, config.phuong.level)


def _crashed(path: Path, exc: Exception, khom: str = "") -> Finding:
    """F06: what went wrong inside the tool with this one file; details for a developer."""
    if os.environ.get("TQD_DEBUG"):
        traceback.print_exception(exc)
    detail = f"lỗi nội bộ {type(exc).__name__}"
    return catalog.make("F06", file=path.name, detail=detail, khom=khom)


def _check_file(path: Path, config: Config, trust_marker: bool) -> Checked:
    reason = ignore_reason(path)
    if reason:
        return Checked(
            path, ignored=reason, findings=[catalog.make("F02", file=path.name, detail=reason)]
        )
    other = SPREADSHEET_ELSEWHERE.get(path.suffix.lower())
    if other:
        detail = f"tệp là {other}, phần mềm chỉ đọc .xlsx, .xlsm, .xls hoặc .ods"
        return Checked(path, findings=[catalog.make("F01", file=path.name, detail=detail)])
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        detail = f"không đọc được tệp: {in_vietnamese(exc)}"
        fix = "Đóng tệp nếu đang mở, kiểm tra quyền đọc tệp, rồi chạy lại."
        return Checked(path, findings=[catalog.make("F01", file=path.name, detail=detail, fix=fix)])
    raw, findings = read_workbook(path)
    if raw is None:
        return Checked(path, findings=findings)
    codes = config.khom_codes
    marked = raw.marker.get("ma_khom", "")
    if trust_marker and re.fullmatch(r"[A-Za-z0-9_]{1,20}", marked) and marked not in codes:
        codes = (*codes, marked)
    with wording(config, marked):
        parsed = parse_workbook(raw, codes)
        checked = Checked(path, parsed, findings + parsed.findings, raw=raw, marked=marked)
        checked.findings += validate.validate_workbook(parsed)
    return checked


def khom_from_name(name: str, codes: Sequence[str]) -> str:
    """The one configured khóm code a file name holds as a word (`K1_2020.csv` → `K1`), or ""."""
    stem = Path(name).stem
    found = [
        code
        for code in codes
        if re.search(rf"(?<![A-Za-z0-9]){re.escape(code)}(?![A-Za-z0-9])", stem, re.IGNORECASE)
    ]
    return found[0] if len(found) == 1 else ""


def khom_of(c: Checked, codes: Sequence[str]) -> str:
    """Whose file this is: the code written in it, else the one its name holds."""
    if c.parsed is not None and c.parsed.kind is Kind.PHUONG:
        return ""
    if c.parsed is not None and c.parsed.khom:
        return c.parsed.khom
    return khom_from_name(c.name, codes)


def stamp_khom(c: Checked, codes: Sequence[str]) -> None:
    """Every finding of a khóm's file names the khóm, also those raised before it was known."""
    code = khom_of(c, codes)
    if code:
        c.findings = [f if f.khom else replace(f, khom=code) for f in c.findings]


def _date_checks(c: Checked, config: Config, today: date) -> list[Finding]:
    p, period = c.parsed, c.period
    if p is None or period is None or p.ngay_lap is None:
        return []
    cell = p.cells.get("ngay_lap")
    place = dict(
        file=c.name,
        sheet=cell.sheet if cell else "",
        cell=cell.ref if cell else "",
        row=cell.row if cell else None,
        value=p.ngay_lap,
        khom=p.khom,
    )
    if p.ngay_lap > today:
        return [catalog.make("H04", problem="ở tương lai", **place)]
    if p.ngay_lap < period.start:
        return [catalog.make("H04", problem=f"trước ngày đầu kỳ {period.words}", **place)]
    deadline = config.deadline(period)
    if p.ngay_lap > deadline:
        return [
            catalog.make(
                "I05",
                found=p.ngay_lap.strftime("%d/%m/%Y"),
                deadline=deadline.strftime("%d/%m/%Y"),
                **place,
            )
        ]
    return []


def inbox_files(inbox: Path) -> list[Path]:
    if not inbox.is_dir():
        raise RunError(f"Không tìm thấy thư mục {inbox}. Tạo thư mục và chép các biểu vào đó.")
    return sorted(
        (p for p in inbox.iterdir() if p.name != "README.md"), key=lambda p: p.name.casefold()
    )


def choose_period(checked: Sequence[Checked], wanted: Period | None) -> Period:
    if wanted is not None:
        return wanted
    periods = sorted({c.period for c in checked if c.period is not None})
    if not periods:
        raise RunError(
            "Không có biểu nào đọc được kỳ báo cáo (Năm, Kỳ báo cáo) trong thư mục "
            "inbox: không có gì để tổng hợp."
        )
    if len(periods) > 1:
        listed = ", ".join(f"{p.id} ({p.words})" for p in periods)
        raise RunError(
            f"Thư mục inbox có biểu của nhiều kỳ: {listed}. Chạy lại và chọn một kỳ, "
            f"ví dụ: make consolidate PERIOD={periods[-1].id}"
        )
    return periods[0]


@dataclass
class Run:
    period: Period
    checked: list[Checked]
    results: Results

    @property
    def exit_code(self) -> int:
        return 1 if has_errors(self.results.findings) else 0


def _ignore(c: Checked, code: str, reason: str, **params: object) -> None:
    c.ignored = reason
    c.findings.append(catalog.make(code, file=c.name, **params))


def select(checked: list[Checked], period: Period, config: Config | None = None) -> None:
    """Decide which workbooks the run uses: the period's, real before sample, the latest
    version of each khóm (I01), none of two that cannot be ordered (I02)."""
    candidates = [
        c for c in checked if c.parsed is not None and c.wb.kind is not None and not c.ignored
    ]
    for c in candidates:
        if c.period is not None and c.period != period:
            _ignore(
                c, "H03", f"biểu của kỳ {c.period.words}", found=c.period.words, run=period.words
            )
    candidates = [c for c in candidates if not c.ignored]
    groups: dict[str, list[Checked]] = {}
    for c in candidates:
        key = "phuong" if c.wb.kind is Kind.PHUONG else c.wb.khom
        if key:
            groups.setdefault(key, []).append(c)
    for key, group in groups.items():
        real = [c for c in group if not c.wb.is_sample]
        if real and len(real) < len(group):
            for c in group:
                if c not in real:
                    _ignore(
                        c,
                        "F02",
                        "dữ liệu mẫu, đã có biểu thật",
                        detail="dữ liệu mẫu; đã có biểu thật của " + _whose(key, config),
                    )
            group = real
        if len(group) < 2:
            continue
        label = _whose(key, config)
        dates = [c.wb.ngay_lap for c in group]
        latest = max((d for d in dates if d is not None), default=None)
        newest = [c for c in group if c.wb.ngay_lap == latest]
        if latest is None or len(newest) > 1 or None in dates:
            files = ", ".join(c.name for c in group)
            for c in group:
                c.findings.append(
                    catalog.make("I02", file=c.name, key=label, files=files, khom=c.wb.khom)
                )
            continue
        used = newest[0]
        for c in group:
            if c is used:
                continue
            f = catalog.make(
                "I01",
                file=c.name,
                key=label,
                used=used.name,
                used_date=_d(latest),
                other=c.name,
                other_date=_d(c.wb.ngay_lap),
            )
            c.ignored = f"có biểu mới hơn: {used.name}"
            c.findings.append(f)


def _whose(key: str, config: Config | None) -> str:
    """`phường`, `khóm K1`, `ấp A1`: whose workbook a group of copies is."""
    words = catalog.current_words()
    if key == "phuong":
        return config.phuong.level.noun if config else words["cha"]
    return f"{config.child_level(key).noun if config else words['con']} {key}"


def _d(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else "—"


def consolidate(
    files: Sequence[Path],
    config: Config,
    period: Period | None = None,
    today: date | None = None,
    *,
    jobs: int = 1,
    cache: Cache | None = None,
) -> Run:
    forget_digests()  # each run reads its inputs' bytes afresh, once
    with wording(config):
        if chain.is_parent(config):
            run = _consolidate_outputs(files, config, period, jobs=jobs, cache=cache)
        else:
            run = _consolidate(files, config, period, today, jobs=jobs, cache=cache)
    if config.chu_ky.ho_ten.strip():
        # Who signs for the unit is the configuration's to say: no workbook holds it.
        run.results.signers["ky"] = config.chu_ky.ho_ten.strip()
    return run


def unit_serves(config: Config, period: Period) -> None:
    """A configuration made for some periods only (before or after the 2025 reform) is not
    used for another: the officer is told which unit reports then."""
    me = config.don_vi
    if me.valid_on(period.end):
        return
    span = " – ".join(d.strftime("%d/%m/%Y") if d else "…" for d in (me.tu_ngay, me.den_ngay))
    after = [s for s in units.thay_the(me.ma) if s.hieu_luc <= period.end]
    # A unit no merge names (the province: 87 became 82) is followed by its namesake.
    namesake = [
        u
        for u in units.official_units()
        if (u.cap, u.ten) == (me.cap, me.ten) and u.ma != me.ma and u.valid_on(period.end)
    ]
    if after:
        hint = (
            f"Từ {after[0].hieu_luc.strftime('%d/%m/%Y')} đơn vị báo cáo là {after[0].ten_moi} "
            f"(mã {after[0].ma_moi}): dùng tệp cấu hình của đơn vị đó"
        )
    elif namesake:
        hint = (
            f"Kỳ này đơn vị là {namesake[0].full_name} (mã {namesake[0].ma}): dùng tệp cấu hình đó"
        )
    else:
        hint = "Dùng tệp cấu hình dành cho kỳ này"
    raise RunError(
        f"Tệp cấu hình là của {me.cap.lower()} {me.ten} (mã {me.ma}) cho các kỳ {span}, "
        f"không dùng cho kỳ {period.words}. {hint}, ví dụ --config cau-hinh/<tệp>.toml "
        "(xem README, mục “Cấp trên tổng hợp; đổi đơn vị sau sáp nhập 2025”)."
    )


# --- a parent's run (levels.md): its children are units that ran the tool themselves ---------


def _check_output(path: Path, config: Config, today: date | None) -> Checked:
    with wording(config):
        try:
            item = chain.check_output_file(path, config, today)
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:
            return Checked(path, findings=[_crashed(path, exc)])
    return Checked(path, findings=item.findings, ignored=item.ignored)


def _consolidate_outputs(
    files: Sequence[Path],
    config: Config,
    period: Period | None,
    *,
    jobs: int = 1,
    cache: Cache | None = None,
) -> Run:
    items = read_outputs(files, config, jobs=jobs, cache=cache)
    try:
        run_period, items, results = chain.consolidate(items, config, period)
    except chain.NoPeriod as exc:
        choose_period([], None) if not exc.periods else None  # worded there: nothing readable
        listed = ", ".join(f"{p.id} ({p.words})" for p in exc.periods)
        raise RunError(
            f"Thư mục inbox có kết quả của nhiều kỳ: {listed}. Chạy lại và chọn một kỳ, "
            f"ví dụ: make consolidate PERIOD={exc.periods[-1].id}"
        ) from None
    unit_serves(config, run_period)
    checked = [Checked(i.path, findings=i.findings, ignored=i.ignored, unit=i.unit) for i in items]
    if not results.included:
        raise RunError(_nothing_usable(checked, run_period))
    return Run(run_period, checked, results)


def read_outputs(
    files: Sequence[Path], config: Config, *, jobs: int = 1, cache: Cache | None = None
) -> list[chain.Intake]:
    """Every child's output read, with the checks it needs no run for, in `files`' order
    whatever order the work ends in: from the cache when its bytes were read before, else
    across `jobs` processes, as `check_files` reads khóm workbooks (a dying worker costs only
    its own file's F06)."""
    work = partial(_pooled_output, config=config)
    items = _across(files, jobs, cache, work, chain.Intake, partial(_failed_output, config=config))
    for item in items:
        if item.child is not None:
            item.child.path = item.path  # the same bytes under the same name, maybe moved
    return items


def _pooled_output(path: Path, config: Config) -> chain.Intake:
    """A worker's part of a parent's run: one child's output read and checked on its own;
    whatever goes wrong with it is its F06, never the end of the run."""
    with wording(config):
        try:
            return chain.read_checked(path)
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:
            return chain.Intake(path, findings=[_crashed(path, exc)])


def _failed_output(path: Path, exc: Exception, config: Config) -> chain.Intake:
    with wording(config):
        return chain.Intake(path, findings=[_crashed(path, exc)])


def _consolidate(
    files: Sequence[Path],
    config: Config,
    period: Period | None,
    today: date | None,
    *,
    jobs: int = 1,
    cache: Cache | None = None,
) -> Run:
    checked = check_files(files, config, today, jobs=jobs, cache=cache)
    run_period = choose_period(checked, period)
    unit_serves(config, run_period)
    config = config.on(run_period.end)  # the children expected in this period
    select(checked, run_period, config)
    for c in checked:
        if c.ignored:
            # A file the run does not use (other period, older version, replaced sample):
            # only why it is not used belongs in this run's report, not its own problems.
            c.findings = [f for f in c.findings if f.code in WHY_IGNORED]
    active = [
        c for c in checked if c.parsed is not None and c.wb.kind is not None and not c.ignored
    ]
    khom = [c for c in active if c.wb.kind is Kind.KHOM]
    wards = [c for c in active if c.wb.kind is Kind.PHUONG]
    by_file = {c.name: c for c in checked}
    # Every khóm workbook of the run, errors or not: a conflict is news to both khóm now.
    for f in validate.cross_khom([c.wb for c in khom]):
        by_file[f.file].findings.append(f)
    ward = next((c for c in wards if not c.errors), None)
    inbox_findings: list[Finding] = []
    if ward is not None:
        for f in validate.cross_source(
            [c.wb for c in khom if not c.errors], ward.parsed, config.khom_codes
        ):
            by_file[f.file].findings.append(f)
    else:
        inbox_findings.append(catalog.make("I04"))
    included = {c.wb.khom: c for c in khom if not c.errors}
    # A khóm that sent something unreadable (.xlsb, .csv, a broken file) has sent something:
    # its file has errors to fix, it has not "not submitted".
    unusable: dict[str, Checked] = {}
    for c in checked:
        if c.ignored or not c.errors or (c.parsed is not None and c.parsed.kind is not None):
            continue
        code = khom_from_name(c.name, config.khom_codes)
        if code:
            unusable.setdefault(code, c)
    sent = {c.wb.khom for c in khom}
    for k in config.khom:
        if k.ma not in sent and k.ma not in unusable:
            inbox_findings.append(catalog.make("I03", key=k.ma, name=k.ten, khom=k.ma))
    data = []
    for code, c in list(included.items()):
        try:
            data.append(KhomData(code, config.khom_name(code), c.wb.households(), c.wb.values))
        except Exception as exc:  # this khóm's trouble, not the run's
            c.findings.append(_crashed(c.path, exc, code))
            del included[code]
    if not data and ward is None:
        raise RunError(_nothing_usable(checked, run_period))
    wp = ward.parsed if ward else None
    results = compute(
        run_period,
        config.phuong.ma,
        f"{config.phuong.cap} {config.phuong.ten}",
        [(k.ma, k.ten) for k in config.khom],
        data,
        config.rule_set(run_period.year),
        agency=_frame(wp, validate.AGENCY),
        units=_frame(wp, validate.UNITS),
        targets=_targets(wp, len(config.khom)),
        cap=config.don_vi.cap,
        child_caps={k.ma: config.child_level(k.ma).cap for k in config.khom},
        parent_code=config.don_vi.ma_cha,
    )
    for c in checked:
        stamp_khom(c, config.khom_codes)  # findings added by `select` and the cross checks
    results.findings = sorted(
        [f for c in checked for f in c.findings] + inbox_findings, key=Finding.sort_key
    )
    results.sample_data = any(c.wb.is_sample for c in active if not c.errors)
    # Names typed under the signatures: the unit's own workbook says who prepared it (and who
    # heads it, where its sheet asks); the configuration's [chu_ky] gives the block's titles.
    said = wp.values if wp is not None else {}
    results.signers = {
        role: str(said.get(role) or "").strip()
        for role in ("nguoi_lap", "truong_ban")
        if str(said.get(role) or "").strip()
    }
    results.overview = _overview(config, khom, wards, included, ward, unusable)
    results.ignored = pd.DataFrame(
        [
            (c.name, c.ignored or _unusable(c))
            for c in checked
            if c.ignored or c.parsed is None or c.parsed.kind is None
        ],
        columns=["tep", "ly_do"],
    )
    return Run(run_period, checked, results)


def _unusable(c: Checked) -> str:
    """Why a file that belongs to no khóm was not used: its first error, in short."""
    first = next((f for f in c.findings if f.is_error), None)
    return f"không dùng được ({first.code}): {first.message}" if first else "không dùng được"


def _frame(p: Parsed | None, sheet: str) -> pd.DataFrame | None:
    if p is None or sheet not in p.tables:
        return None
    return p.tables[sheet].frame


def _targets(p: Parsed | None, khom_count: int) -> dict[str, float] | None:
    if p is None:
        return None
    out = default_targets(khom_count)
    for code in out:
        v = p.values.get(code)
        if isinstance(v, bool):
            out[code] = 1.0 if v else 0.0
        elif isinstance(v, int | float):
            out[code] = float(v)
    return out


def _nothing_usable(checked: Sequence[Checked], period: Period) -> str:
    return (
        f"Không có biểu hợp lệ nào cho kỳ {period.words}: không lập được báo cáo. "
        f"Đã đọc {len(checked)} tệp; xem lỗi ở trên, sửa rồi chạy lại."
    )


def _overview(
    config: Config,
    khom: list[Checked],
    wards: list[Checked],
    included: dict[str, Checked],
    ward: Checked | None,
    unusable: dict[str, Checked],
) -> pd.DataFrame:
    rows = []

    def row(loai: str, ma: str, ten: str, chosen: Checked | None, ok: bool) -> dict:
        p = chosen.parsed if chosen else None
        late = bool(chosen and any(f.code == "I05" for f in chosen.findings))
        return {
            "loai": loai,
            "ma": ma,
            "ten": ten,
            "tep": chosen.name if chosen else "",
            "ngay_lap": p.ngay_lap if p else None,
            "so_ho": len(p.households()) if p and p.kind is Kind.KHOM else None,
            "loi": chosen.errors if chosen else 0,
            "canh_bao": chosen.warnings if chosen else 0,
            "trang_thai": DA_TONG_HOP if ok else (CO_LOI if chosen else CHUA_NOP),
            "nop_tre": late,
        }

    for k in config.khom:
        if k.ma in included:
            rows.append(row(k.level.cap, k.ma, k.ten, included[k.ma], True))
        else:
            mine = [c for c in khom if c.wb.khom == k.ma]
            chosen = mine[0] if mine else unusable.get(k.ma)
            rows.append(row(k.level.cap, k.ma, k.ten, chosen, False))
    rows.append(
        row(
            config.phuong.cap,
            config.phuong.ma,
            f"{config.phuong.cap} {config.phuong.ten}",
            ward or (wards[0] if wards else None),
            ward is not None,
        )
    )
    return pd.DataFrame(rows)


def sha256(path: Path) -> str:
    return sha256_of(path)
