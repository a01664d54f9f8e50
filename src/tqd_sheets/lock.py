"""One run at a time per `outbox/P/`: a lock file holding the owner's process id.

A second run waits a little, then refuses with a message. A lock or a staging folder whose
owner process is gone (a killed run) is stale and may be removed; a live one never is.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path

from .atomic import OutputError
from .oserrors import in_vietnamese

LOCK_NAME = ".tqd-dang-chay.lock"
STAGE_PREFIX = ".tqd-dang-ghi-"
WAIT_SECONDS = 5.0
UNREADABLE_STALE_SECONDS = 60.0
_POLL = 0.1
_STAGE_PID = re.compile(rf"^{re.escape(STAGE_PREFIX)}(\d+)-")


def alive(pid: int) -> bool:
    """Whether process `pid` runs on this machine (never signals or stops it)."""
    if pid <= 0:
        return False
    if os.name == "nt":  # os.kill(pid, 0) would terminate the process on Windows
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _owner(lock: Path) -> tuple[int, str] | None:
    """(pid, host) written in a lock file, or None when unreadable."""
    try:
        lines = lock.read_text(encoding="utf-8").splitlines()
        return int(lines[0]), (lines[1] if len(lines) > 1 else "")
    except (OSError, ValueError, IndexError):
        return None


def _stale(lock: Path) -> bool:
    owner = _owner(lock)
    if owner is None:
        # Being written this instant; still unreadable a minute later, its writer died.
        try:
            return time.time() - lock.stat().st_mtime > UNREADABLE_STALE_SECONDS
        except OSError:
            return False
    pid, host = owner
    return host in ("", socket.gethostname()) and not alive(pid)


@contextlib.contextmanager
def held(folder: Path, wait: float | None = None) -> Iterator[None]:
    """Hold `folder`'s lock for the block; OutputError if another run keeps it."""
    lock = folder / LOCK_NAME
    deadline = time.monotonic() + (WAIT_SECONDS if wait is None else wait)
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            break
        except FileExistsError:
            if _stale(lock):
                with contextlib.suppress(FileNotFoundError):
                    lock.unlink()
                continue
            if time.monotonic() >= deadline:
                owner = _owner(lock)
                who = f" (tiến trình số {owner[0]})" if owner else ""
                raise OutputError(
                    f"Một lần chạy khác{who} đang ghi kết quả vào {folder}. Chờ lần chạy đó "
                    f"xong rồi chạy lại. Nếu chắc chắn không còn lần chạy nào, xóa tệp {lock}."
                ) from None
            time.sleep(_POLL)
        except OSError as exc:
            raise OutputError(
                f"Không tạo được tệp khóa {lock} ({in_vietnamese(exc)}). Chọn thư mục kết quả "
                "khác hoặc cấp quyền ghi rồi chạy lại."
            ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()}\n{socket.gethostname()}\n")
        yield
    finally:
        with contextlib.suppress(OSError):
            lock.unlink()


def stage_prefix() -> str:
    """Staging folders carry their owner's pid, so another run can tell whether it is stale."""
    return f"{STAGE_PREFIX}{os.getpid()}-"


def remove_stale_stages(folder: Path) -> None:
    """Remove staging folders left by killed runs; never one whose owner still runs."""
    for stage in folder.glob(f"{STAGE_PREFIX}*"):
        m = _STAGE_PID.match(stage.name)
        if m and alive(int(m.group(1))):
            continue
        shutil.rmtree(stage, ignore_errors=True)
