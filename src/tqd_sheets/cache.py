"""What was learnt of each inbox file, kept between runs: consolidating again after one
workbook changed reads only that one.

An entry is keyed by the file's name and SHA-256, the tool's version and a fingerprint of its
code, and the whole configuration: any change of these is a miss, never a stale answer. Checks
against today's date are not kept (they run again on every run). Entries are pickles, so the
cache is for this machine only: it lives in the outbox (`outbox/.cache/`), beside outputs that
hold the same personal data, and every entry starts with its own key, checked before it is
unpickled. A damaged, foreign or unreadable entry is a miss: the file is read again. Deleting
the folder changes no output.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__

if TYPE_CHECKING:
    from .config import Config
    from .pipeline import Checked

FOLDER = ".cache"
_MAGIC = b"tqd-sheets-cache 1\n"
_CHUNK = 1 << 20


@cache
def code_fingerprint() -> str:
    """The package's own source: a developer's edit invalidates every entry, as a release does."""
    h = hashlib.sha256(__version__.encode())
    here = Path(__file__).resolve().parent
    for path in sorted(here.rglob("*.py")):
        h.update(path.relative_to(here).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


_DIGESTS: dict[tuple[str, int, int, int, int], str] = {}


def sha256_of(path: Path) -> str:
    """SHA-256 of a file's bytes (OSError when it cannot be read). A run asks three times of
    each input (the cache's key, the manifest, the history's record): the file is read once,
    and again only when its size, time, inode or device changed meanwhile."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)
    if key not in _DIGESTS:
        h = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(_CHUNK), b""):
                h.update(chunk)
        _DIGESTS[key] = h.hexdigest()
    return _DIGESTS[key]


def forget_digests() -> None:
    """A new run: a file rewritten within the clock's resolution must not keep its old digest."""
    _DIGESTS.clear()


def file_digest(path: Path) -> str | None:
    """SHA-256 of a regular file's bytes, or None when it cannot be read (then no caching)."""
    try:
        return sha256_of(path)
    except OSError:
        return None


class Cache:
    """Entries in `folder`, one file each, named by their key."""

    def __init__(self, folder: Path, config: Config) -> None:
        self.folder = folder
        salt = hashlib.sha256(code_fingerprint().encode())
        salt.update(config.model_dump_json().encode())
        self._salt = salt.hexdigest()
        self._keys: dict[Path, str | None] = {}
        self.used: set[str] = set()
        self.hits = self.misses = 0

    def key(self, path: Path) -> str | None:
        if path not in self._keys:
            digest = file_digest(path) if path.is_file() else None
            self._keys[path] = (
                hashlib.sha256(f"{self._salt}\0{path.name}\0{digest}".encode()).hexdigest()
                if digest
                else None
            )
        return self._keys[path]

    def _entry(self, key: str) -> Path:
        return self.folder / f"{key}.pickle"

    def get(self, path: Path) -> Checked | None:
        key = self.key(path)
        if key is None:
            return None
        self.used.add(key)
        try:
            data = self._entry(key).read_bytes()
            head = _MAGIC + key.encode() + b"\n"
            if not data.startswith(head):
                raise ValueError("not this entry")
            checked = pickle.loads(data[len(head) :])
            checked.path = path  # the same bytes under the same name, maybe moved
        except Exception:
            self.misses += 1
            return None
        self.hits += 1
        return checked

    def entry(self, path: Path) -> Entry | None:
        """Where what is learnt of `path` will be kept (None: not cached), for a worker to
        write: the answer it pickles for the main process is the entry's content."""
        key = self.key(path)
        if key is None:
            return None
        self.used.add(key)
        return Entry(self._entry(key), key)

    def put(self, path: Path, checked: Checked) -> None:
        """Keep what was learnt of `path`; a cache that cannot be written is no cache."""
        entry = self.entry(path)
        if entry is not None:
            entry.write(dumps(checked))

    def prune(self) -> None:
        """Forget the files this run did not see: the cache stays the size of the inbox.
        Half-written entries of a worker that died go too."""
        try:
            entries = list(self.folder.glob("*.pickle"))
            left = list(self.folder.glob(".*.tmp"))
        except OSError:
            return
        for entry in [*entries, *left]:
            if entry.suffix == ".tmp" or entry.stem not in self.used:
                with contextlib.suppress(OSError):
                    entry.unlink()


def dumps(checked: Checked) -> bytes:
    """What is kept of a checked file: all but its grid."""
    return pickle.dumps(replace(checked, raw=None), protocol=pickle.HIGHEST_PROTOCOL)


@dataclass(frozen=True)
class Entry:
    """One file of the cache, and the key its content starts with."""

    file: Path
    key: str

    def write(self, data: bytes) -> None:
        """`data` (from `dumps`) as the entry, whole or not at all; a cache that cannot be
        written is no cache."""
        tmp = self.file.with_name(f".{self.key}.{os.getpid()}.tmp")
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(_MAGIC + self.key.encode() + b"\n" + data)
            os.replace(tmp, self.file)
        except Exception:
            with contextlib.suppress(OSError):
                tmp.unlink()
