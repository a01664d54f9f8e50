"""A progress bar on the terminal for long runs; nothing at all in logs, pipes and CI.

tqdm draws it when installed; otherwise a plain one-line bar of our own on stderr.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

MIN_FILES = 5  # a handful of workbooks is read before a bar would be worth drawing
_WIDTH = 30


class Bar(Protocol):
    def update(self, n: int = 1) -> object: ...


class _Silent:
    def update(self, n: int = 1) -> None:
        pass


class _Plain:
    """`Đọc và kiểm tra [██████░░░░] 12/50`, redrawn in place at most ten times a second."""

    def __init__(self, total: int, label: str) -> None:
        self.total, self.label, self.done, self._drawn = total, label, 0, 0.0

    def update(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._drawn >= 0.1 or self.done >= self.total:
            self._drawn = now
            full = _WIDTH * self.done // max(1, self.total)
            bar = "█" * full + "░" * (_WIDTH - full)
            sys.stderr.write(f"\r{self.label} [{bar}] {self.done}/{self.total}")
            sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")
        sys.stderr.flush()


def shown(total: int) -> bool:
    """Only on an interactive terminal, only for more than a handful of files."""
    try:
        return total > MIN_FILES and sys.stderr.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def bar(total: int, label: str) -> Iterator[Bar]:
    if not shown(total):
        yield _Silent()
        return
    try:
        from tqdm import tqdm
    except ImportError:
        plain = _Plain(total, label)
        try:
            yield plain
        finally:
            plain.close()
        return
    with tqdm(total=total, desc=label, unit=" tệp", leave=False, file=sys.stderr) as t:
        yield t
