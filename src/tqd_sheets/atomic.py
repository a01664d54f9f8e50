"""Write-then-rename, so that a crash never leaves a half-written workbook in `outbox/`."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from .oserrors import in_vietnamese

_UMASK = os.umask(0o022)
os.umask(_UMASK)


class OutputError(Exception):
    """An output file could not be written; the message is for the officer."""


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it replaces `path` in one rename."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".~tqd-", suffix=path.suffix, dir=path.parent)
    except OSError as exc:
        raise OutputError(_cannot_write(path, exc)) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        # mkstemp makes the file private; outputs are for sharing, like any saved file.
        tmp.chmod(0o666 & ~_UMASK)
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(_cannot_write(path, exc)) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _cannot_write(path: Path, exc: OSError) -> str:
    return (
        f"Không ghi được tệp {path}: {in_vietnamese(exc)}. Đóng tệp nếu đang mở trong "
        "Excel/LibreOffice, hoặc chọn thư mục khác, rồi chạy lại."
    )


def write_atomic(path: Path, write: Callable[[Path], None]) -> Path:
    with atomic_path(path) as tmp:
        write(tmp)
    return path


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    return write_atomic(path, lambda tmp: tmp.write_bytes(data))
