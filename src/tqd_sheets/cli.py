"""`tqd-sheets`: the thin shell. Wires the modules together; every message is Vietnamese."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from . import chain, console, unit_words, units
from .atomic import OutputError
from .cache import FOLDER, Cache
from .config import DEFAULT_NAME, PACKAGED, Config, ConfigError, load_config, packaged_config
from .findings import Finding, Severity
from .periods import Period
from .pipeline import Run, RunError, check_files, consolidate, inbox_files
from .spec import KHOM_INFO, field

DEFAULT_CONFIG = Path(DEFAULT_NAME)


# argparse's own words, in Vietnamese: an officer reads `--help` and its errors too.
_ARGPARSE_VI = (
    ("the following arguments are required: ", "thiếu tham số bắt buộc: "),
    ("unrecognized arguments: ", "không hiểu tham số: "),
    ("expected one argument", "cần một giá trị"),
    ("invalid choice: ", "lệnh không có: "),
    ("choose from ", "chọn một trong "),
    ("argument ", "tham số "),
)


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None) -> None:  # type: ignore[override]
        super().add_usage(usage, actions, groups, "Cách dùng: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "tham số"
        self._optionals.title = "tùy chọn"
        self.add_argument("-h", "--help", action="help", help="in hướng dẫn này rồi thoát")

    def error(self, message: str) -> None:  # type: ignore[override]
        for english, vietnamese in _ARGPARSE_VI:
            message = message.replace(english, vietnamese)
        self.print_usage(sys.stderr)
        print(f"Lỗi: tham số không hợp lệ ({message}). Xem: tqd-sheets --help", file=sys.stderr)
        sys.exit(2)


# The kinds of unit the tool serves, for help written before any configuration is read.
CHILDREN = "/".join(lv.noun for lv in units.LEVELS if lv.rank == 0)  # khóm/ấp/tổ dân phố
PARENTS = "/".join(lv.noun for lv in units.LEVELS if lv.rank == 1)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="tqd-sheets",
        description="Tổng hợp biểu phong trào “Toàn dân đoàn kết "
        f"xây dựng đời sống văn hóa” từ các biểu Excel của các {CHILDREN}.",
    )
    p.add_argument(
        "--config", type=Path, default=None, metavar="TỆP", help="tệp cấu hình (mặc định: tqd.toml)"
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="LỆNH", title="các lệnh")
    t = sub.add_parser("template", help=f"tạo biểu mẫu trống cho từng {CHILDREN} và cho {PARENTS}")
    t.add_argument("--period", default=None, metavar="KỲ", help="kỳ: 2020, 2020S1, 2020Q1…2020Q4")
    t.add_argument(
        "--out", type=Path, default=Path("templates/xlsx"), metavar="THƯ_MỤC", help="thư mục ghi"
    )
    c = sub.add_parser("check", help="kiểm tra một hoặc nhiều tệp, in các lỗi")
    c.add_argument("files", nargs="+", type=Path, metavar="TỆP", help="các tệp cần kiểm tra")
    _jobs_option(c)
    k = sub.add_parser("consolidate", help="tổng hợp các biểu trong inbox, ghi vào outbox")
    k.add_argument(
        "--inbox", type=Path, default=Path("inbox"), metavar="THƯ_MỤC", help="thư mục chứa các biểu"
    )
    k.add_argument(
        "--outbox", type=Path, default=Path("outbox"), metavar="THƯ_MỤC", help="thư mục ghi kết quả"
    )
    k.add_argument("--period", default=None, metavar="KỲ", help="kỳ: 2020, 2020S1, 2020Q1…2020Q4")
    _jobs_option(k)
    k.add_argument(
        "--no-cache",
        action="store_true",
        help=f"đọc lại mọi tệp, không dùng bộ nhớ đệm (THƯ_MỤC_KẾT_QUẢ/{FOLDER})",
    )
    _history_parser(sub)
    return p


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"số tiến trình phải là số nguyên từ 1 trở lên: {text}")
    return n


def _jobs_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--jobs",
        type=_jobs,
        default=os.cpu_count() or 1,
        metavar="N",
        help="số tiến trình đọc và kiểm tra song song (mặc định: số lõi của máy)",
    )


def _config(path: Path | None) -> Config:
    return load_config(path or DEFAULT_CONFIG)


def _check_config(path: Path | None) -> tuple[Config, bool]:
    """`check` of a khóm's own file needs no ward folder: without tqd.toml here, the
    configuration shipped in the package, with the khóm code read from the file's marker.
    Returns the configuration and whether it is the packaged one."""
    if path is None and not DEFAULT_CONFIG.is_file():
        print(
            f"Cấu hình: không có {DEFAULT_NAME} trong thư mục hiện tại, dùng cấu hình mặc định "
            f"đi kèm phần mềm ({PACKAGED}); mã đơn vị đọc từ chính biểu."
        )
        return packaged_config(), True
    config = _config(path)
    print(f"Cấu hình: {path or DEFAULT_CONFIG}")
    return config, False


def _period(text: str | None) -> Period | None:
    if text is None or not text.strip():
        return None
    try:
        period = Period.parse(text)
    except ValueError as exc:
        raise RunError(str(exc)) from None
    # The years a workbook may carry (the template's `Năm` field): no blank that `check`
    # would then reject.
    year = field(KHOM_INFO, "nam")
    if year.min is not None and year.max is not None and not year.min <= period.year <= year.max:
        raise RunError(
            f"Kỳ báo cáo '{text}' không hợp lệ: năm phải từ {year.min:.0f} đến {year.max:.0f}."
        )
    return period


def format_findings(findings: Sequence[Finding]) -> str:
    """A plain table a person can read in a terminal."""
    if not findings:
        return "  Không có lỗi hay cảnh báo nào."
    lines = []
    for f in findings:
        where = f.place or "(cả tệp)"
        lines.append(f"  [{f.code}] {f.severity.value:<8} {where}")
        lines.append(f"      {f.message}")
    return "\n".join(lines)


def cmd_template(args: argparse.Namespace) -> int:
    from .template import write_templates

    config = _config(args.config)
    period = _period(args.period) or Period.parse("2020")
    paths = write_templates(args.out, config.on(period.end), period)
    print(f"Đã tạo {len(paths)} biểu mẫu trống cho kỳ {period.words} trong {args.out}/:")
    for p in paths:
        print(f"  {p.name}")
    _carry_forward(args, config.on(period.end), period)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    config, packaged = _check_config(args.config)
    worst = 0
    found = [path for path in args.files if path.exists()]
    checked = iter(check_files(found, config, jobs=args.jobs, trust_marker=packaged))
    for path in args.files:
        if not path.exists():
            print(f"\n{path}: không tìm thấy tệp.")
            worst = 2
            continue
        c = next(checked)
        p = c.parsed
        what = ""
        if p is not None and p.kind is not None:
            own = p.spec.con if p.spec and p.kind.value == "khom" else ""
            whose = f"{own.lower()} {p.khom}" if own else config.phuong.level.noun
            what = f" — biểu {whose}"
            if c.period:
                what += f", {c.period.words}"
            if p.kind.value == "khom":
                what += f", {len(p.households())} hộ"
        print(f"\n{path.name}{what}")
        print(format_findings(c.findings))
        print(f"  → {c.errors} lỗi, {c.warnings} cảnh báo.")
        if c.errors:
            worst = max(worst, 1)
    return worst


def _refuse_outbox_in_inbox(inbox: Path, outbox: Path) -> None:
    """Outputs hold personal data and would be read back as inputs: never inside the inbox."""
    inside, box = outbox.resolve(), inbox.resolve()
    if inside == box or box in inside.parents:
        raise RunError(
            f"Thư mục kết quả {outbox} nằm trong thư mục inbox {inbox}: kết quả (có dữ liệu cá "
            "nhân) sẽ lẫn vào các biểu đầu vào. Chọn thư mục kết quả ở ngoài inbox, ví dụ "
            "--outbox outbox."
        )


def cmd_consolidate(args: argparse.Namespace) -> int:
    from .outputs import write_outputs

    config = _config(args.config)
    _refuse_outbox_in_inbox(args.inbox, args.outbox)
    files = inbox_files(args.inbox)
    cache = None if args.no_cache else Cache(args.outbox / FOLDER, config)
    run = consolidate(files, config, _period(args.period), jobs=args.jobs, cache=cache)
    store = _history_before(args, config, run)
    written = write_outputs(run, config, args.outbox, files)
    if cache:
        cache.prune()
    r = run.results
    out_dir = written[0].parent
    errors = [f for f in r.findings if f.severity is Severity.ERROR]
    warnings = [f for f in r.findings if f.severity is Severity.WARNING]
    print(f"Kỳ báo cáo: {run.period.words}")
    if r.sample_data:
        print(
            "LƯU Ý: lần chạy này dùng DỮ LIỆU MẪU đi kèm phần mềm (tệp MAU_… trong inbox), "
            "không phải số liệu thật. Xóa các tệp MAU_… khi đã có biểu thật của "
            f"{config.children_word}."
        )
    names = ", ".join(config.khom_name(k) for k in r.included) or "không có"
    print(f"{unit_words.coverage(r)}: {names}.")
    missing = [k for k in r.expected if k not in r.included]
    for k in missing:
        row = r.overview[r.overview.ma == k].iloc[0]
        print(f"  - {config.khom_name(k)}: {row.trang_thai}" + (f" ({row.tep})" if row.tep else ""))
    if not chain.is_parent(config):  # a parent's own figures are its children's sums
        state = "đã tổng hợp" if r.has_ward_workbook else "chưa có hoặc có lỗi"
        print(f"Biểu của {config.phuong.level.noun}: {state}")
    print(
        f"Kiểm tra: {len(errors)} lỗi, {len(warnings)} cảnh báo "
        f"(chi tiết trong {out_dir / ('KiemTra_' + run.period.id + '.xlsx')})."
    )
    ignored = r.ignored
    if len(ignored):
        print(
            f"Bỏ qua {len(ignored)} tệp: "
            + "; ".join(f"{t} ({why})" for t, why in ignored.itertuples(index=False))
        )
    print(f"Kết quả ghi vào {out_dir}/: " + ", ".join(str(p.relative_to(out_dir)) for p in written))
    _history_after(run, config, store, files)
    return run.exit_code


# ── history (history.md): comparisons, the record of each run, imports, carry forward ──────


def _history_parser(sub: argparse._SubParsersAction) -> None:
    h = sub.add_parser("history", help="lịch sử các kỳ: nạp kết quả, biểu của các kỳ trước")
    hs = h.add_subparsers(dest="history_command", required=True, metavar="LỆNH", title="các lệnh")
    i = hs.add_parser(
        "import",
        help="nạp kết quả cũ (BaoCao_….xlsx, DuLieu_….csv) hoặc biểu của các kỳ trước",
    )
    i.add_argument("files", nargs="+", type=Path, metavar="TỆP", help="các tệp cần nạp")


def _store(args: argparse.Namespace, config: Config) -> Path:
    from .history_run import store_of

    return store_of(config, args.config or DEFAULT_CONFIG)


def _history_before(args: argparse.Namespace, config: Config, run: Run) -> Path | None:
    """Comparisons and checks from history into the run; the store to record the run in,
    or None when it cannot be used (the run's L01 says why)."""
    from .history_run import attach

    store = _store(args, config)
    return store if attach(run, config, store) else None


def _history_after(run: Run, config: Config, store: Path | None, files: list[Path]) -> None:
    from .history_run import remember

    if store is None:
        return
    why = remember(run, config, store, files)
    if why:
        print(f"Cảnh báo: lần chạy này chưa được ghi vào lịch sử: {why}.", file=sys.stderr)
        return
    r = run.results
    compared = f"; so sánh với {r.previous_period.words}" if r.previous_period else ""
    changed = (
        f"; {len(r.changes)} số liệu thay đổi so với lần chạy trước"
        if r.changes is not None
        else ""
    )
    print(f"Lịch sử: đã ghi lần chạy này vào {store}{compared}{changed}.")


def _carry_forward(args: argparse.Namespace, config: Config, period: Period) -> None:
    from .carry import carry_forward
    from .history import HistoryError

    try:
        done = carry_forward(args.out, config, period, _store(args, config))
    except HistoryError as exc:
        print(f"Cảnh báo: không điền sẵn được danh sách hộ từ lịch sử: {exc}.")
        return
    for c in done:
        print(
            f"  {c.path.name}: đã điền sẵn {c.households} hộ của {config.khom_name(c.code)} "
            f"theo danh sách {c.source.words}; các cột đánh dấu để trống."
        )


def cmd_history(args: argparse.Namespace) -> int:
    from .history import HistoryError
    from .history_run import NotImported, import_file
    from .oserrors import in_vietnamese

    config = _config(args.config)
    store = _store(args, config)
    print(f"Tệp lịch sử: {store}")
    worst = 0
    for path in args.files:
        try:
            print("  " + import_file(path, config, store))
        except NotImported as exc:
            print(f"  {path.name}: không nhập được: {exc}.")
            worst = 1
        except HistoryError as exc:
            print(f"Lỗi: {exc}.", file=sys.stderr)
            return 2
        except OSError as exc:
            print(f"  {path.name}: không nhập được: {in_vietnamese(exc)}.")
            worst = 1
        except Exception as exc:  # one file's trouble, never the others'
            if os.environ.get("TQD_DEBUG"):
                traceback.print_exc()
            print(f"  {path.name}: không nhập được (lỗi nội bộ {type(exc).__name__}).")
            worst = 1
    return worst


def main(argv: Sequence[str] | None = None) -> int:
    console.install()  # before `--help`: a cp1258 or ASCII console prints too
    args = _parser().parse_args(argv)
    try:
        handler = {
            "template": cmd_template,
            "check": cmd_check,
            "consolidate": cmd_consolidate,
            "history": cmd_history,
        }[args.command]
        return handler(args)
    except (ConfigError, RunError, OutputError) as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Đã dừng theo yêu cầu.", file=sys.stderr)
        return 2
    except Exception:
        # An officer never sees a traceback; a developer can ask for it.
        if os.environ.get("TQD_DEBUG"):
            traceback.print_exc()
        print(
            "Lỗi không mong đợi của phần mềm: không hoàn thành được. Các tệp trong inbox "
            "không bị thay đổi. Hãy gửi thư mục inbox cho người hỗ trợ kỹ thuật "
            "(đặt TQD_DEBUG=1 để xem chi tiết).",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
