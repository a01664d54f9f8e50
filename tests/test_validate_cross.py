"""R06 across a province's workbooks: the vectorised `cross_khom` against the one it replaced
(issue 11), finding for finding, on generated registers with empty, missing and odd codes."""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest

from tqd_sheets import catalog, units
from tqd_sheets.findings import Finding
from tqd_sheets.parse import ROW, Parsed, Table
from tqd_sheets.spec import SERIAL, Kind
from tqd_sheets.validate import HOUSEHOLDS, _join, _named, _of, cross_khom

# ── the function as it was before issue 11 (commit c5b5067), kept as the reference ─────────


def cross_khom_before(parsed: Sequence[Parsed]) -> list[Finding]:
    """R06: a Mã hộ in two khóm's workbooks (both files named)."""
    seen: dict[str, list[tuple[Parsed, int]]] = {}
    for p in parsed:
        t = p.tables.get(HOUSEHOLDS)
        if t is None:
            continue
        for ma, r in zip(t.frame["ma_ho"], t.frame[ROW], strict=True):
            if ma:
                seen.setdefault(str(ma), []).append((p, int(r)))
    out = []
    by_row: dict[int, pd.DataFrame] = {}

    def at(q: Parsed, s: int) -> pd.Series:
        """The household on sheet row `s` of `q`: each file indexed once, only on a conflict."""
        if id(q) not in by_row:
            by_row[id(q)] = q.tables[HOUSEHOLDS].frame.set_index(ROW, drop=False)
        return by_row[id(q)].loc[s]

    con = catalog.current_words()["con"]
    for ma, places in seen.items():
        if len({p.khom for p, _ in places}) < 2:
            continue  # copies of one khóm are I01/I02's business, not a conflict
        for p, r in places:
            others = [(q, s) for q, s in places if q.khom != p.khom]
            t = p.tables[HOUSEHOLDS]
            out.append(
                catalog.make(
                    "R06",
                    file=p.file,
                    sheet=t.sheet,
                    cell=t.ref("ma_ho", r),
                    row=r,
                    value=ma,
                    khom=p.khom,
                    key=_named(at(p, r)),
                    other=", ".join(q.file for q, _ in others),
                    other_place=_join([_of(at(q, s), f"{con} {q.khom}") for q, s in others]),
                )
            )
    return out


# ── generated workbooks ────────────────────────────────────────────────────────────────────

# Codes that repeat within and across files, and values an officer's file can hold.
POOL: list[object] = [
    "0001",
    "0002",
    "77",
    " 77",
    "",
    None,
    float("nan"),
    0,
    0.0,
    7,
    7.0,
    "7",
    "7.0",
    "Mã & <hộ>",
    "ĐB-01",
    True,
]
HEADS: list[object] = ["Nguyễn Văn A", "", None, float("nan"), " Lê  B ", "=1+1", 12]
STTS: list[object] = [1, 2.0, None, float("nan"), "", " 3 ", "4a", 5]


def workbook(file: str, khom: str, n: int, rng: random.Random, column: str) -> Parsed:
    ma = [rng.choice(POOL) for _ in range(n)]
    if column == "str":  # how parse hands text columns over: pandas' string dtype
        ma = [m if isinstance(m, str) else None for m in ma]
    frame = pd.DataFrame(
        {
            ROW: list(range(4, 4 + n)),
            SERIAL: pd.Series([rng.choice(STTS) for _ in range(n)], dtype=object),
            "ma_ho": pd.Series(ma, dtype="str" if column == "str" else object),
            "chu_ho": pd.Series([rng.choice(HEADS) for _ in range(n)], dtype=object),
        }
    )
    if column == "float":
        frame["ma_ho"] = np.array([rng.choice([1.0, 2.0, 0.0, np.nan]) for _ in range(n)])
    p = Parsed(file, Kind.KHOM, values={"ma_khom": khom})
    p.tables[HOUSEHOLDS] = Table(HOUSEHOLDS, frame, {"ma_ho": "B", "chu_ho": "C"})
    return p


def run_of(seed: int, column: str) -> list[Parsed]:
    rng = random.Random(seed)
    books = []
    for i in range(rng.randint(0, 7)):
        # Some files share a khóm (two copies), some have no khóm code, one no register.
        khom = rng.choice(["K1", "K2", "K3", "K2", ""])
        p = workbook(f"k{i}.xlsx", khom, rng.randint(0, 25), rng, column)
        if rng.random() < 0.1:
            p.tables.clear()
        books.append(p)
    return books


def exact(findings: Sequence[Finding]) -> list[tuple]:
    return [(f.code, f.file, f.sheet, f.cell, f.row, f.value, f.khom, f.message) for f in findings]


@pytest.mark.parametrize("column", ["object", "str", "float"])
@pytest.mark.parametrize("seed", range(40))
def test_cross_khom_finds_what_the_loop_found(seed, column):
    books = run_of(seed, column)
    assert exact(cross_khom(books)) == exact(cross_khom_before(books))


def test_cross_khom_in_another_units_words_and_with_a_conflict_in_every_run():
    rng = random.Random(99)
    books = [workbook(f"k{i}.xlsx", f"K{i % 3}", 30, rng, "object") for i in range(6)]
    with catalog.wording(units.LEVEL["Ấp"], units.LEVEL["Xã"]):
        got, want = cross_khom(books), cross_khom_before(books)
    assert len(want) > 20  # the pool is small: many codes in several khóm
    assert exact(got) == exact(want)


def test_cross_khom_of_nothing():
    assert cross_khom([]) == []
    assert cross_khom([workbook("k.xlsx", "K1", 0, random.Random(1), "object")]) == []
