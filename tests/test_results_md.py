"""`benchmarks/results_md.py`: each benchmark rewrites only its own section of RESULTS.md."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from results_md import replace_section, write_section

HAND = "# Benchmarks\n\nA note typed by hand, kept as is.\n\n"
A = "<!-- a:start -->\n# a\n\n| N | s |\n| 1 | 2.0 |\n<!-- a:end -->\n"
B = "<!-- b:start -->\n# b\nold figures\n<!-- b:end -->\n"
TAIL = "\n## Also run\n\nby hand: 325.2 s\n"


def test_replacing_one_section_keeps_everything_else_byte_identical():
    text = HAND + A + "\n" + B + TAIL
    new = replace_section(text, "b", "# b\nnew figures\n")
    assert new == HAND + A + "\n" + "<!-- b:start -->\n# b\nnew figures\n<!-- b:end -->\n" + TAIL
    # The other section and everything outside are the same bytes, in the same places.
    assert new.startswith(HAND + A + "\n") and new.endswith(TAIL)


def test_replacing_a_section_twice_is_stable():
    text = HAND + A + B
    once = replace_section(text, "a", "x")
    assert replace_section(once, "a", "x") == once
    assert once == HAND + "<!-- a:start -->\nx\n<!-- a:end -->\n" + B


def test_a_missing_section_is_appended():
    text = HAND + A
    new = replace_section(text, "c", "# c\n1 s")
    assert new == HAND + A + "\n<!-- c:start -->\n# c\n1 s\n<!-- c:end -->\n"


def test_a_missing_file_is_created_and_then_updated_in_place(tmp_path: Path):
    path = tmp_path / "RESULTS.md"
    write_section("a", "first", path)
    assert path.read_text(encoding="utf-8") == "<!-- a:start -->\nfirst\n<!-- a:end -->\n"
    write_section("b", "other", path)
    write_section("a", "second", path)
    assert path.read_text(encoding="utf-8") == (
        "<!-- a:start -->\nsecond\n<!-- a:end -->\n\n<!-- b:start -->\nother\n<!-- b:end -->\n"
    )
