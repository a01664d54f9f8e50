"""The sections of `benchmarks/RESULTS.md`: each benchmark rewrites only its own.

A section is the text between `<!-- NAME:start -->` and `<!-- NAME:end -->`; whatever lies
outside every section (notes recorded by hand) is kept byte for byte.
"""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def replace_section(text: str, name: str, body: str) -> str:
    """`text` with section `name` holding `body`; appended at the end when it is missing."""
    start, end = markers(name)
    block = f"{start}\n{body.strip(chr(10))}\n{end}"
    i = text.find(start)
    j = text.find(end, i + len(start)) if i >= 0 else -1
    if i >= 0 and j >= 0:
        return text[:i] + block + text[j + len(end) :]
    if not text:
        return block + "\n"
    return text + ("" if text.endswith("\n") else "\n") + "\n" + block + "\n"


def write_section(name: str, body: str, path: Path = RESULTS) -> None:
    """Rewrite section `name` of `path` (created when absent), leaving the rest as it is."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(replace_section(text, name, body), encoding="utf-8")


def machine() -> str:
    """The machine a result was measured on, for a results header: the processor's model
    name (Linux; else what `platform` knows), cores, Python and system."""
    import os
    import platform

    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor() or platform.machine()
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )
