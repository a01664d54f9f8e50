"""KiemTra's STT of each list row: the column-wise `list_serials` against the row loop it
replaced (issue 11), entry for entry and in the same order, on generated workbooks."""

from __future__ import annotations

import random
from datetime import date, datetime
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from tqd_sheets.outputs import list_serials
from tqd_sheets.parse import ROW, Parsed, Table
from tqd_sheets.pipeline import Run
from tqd_sheets.spec import Kind
from tqd_sheets.template import SERIAL
from tqd_sheets.values import is_blank, text

# ── the function as it was before issue 11 (commit c5b5067), kept as the reference ─────────


def list_serials_before(run: Run) -> dict[tuple[str, str, int], str]:
    """(file, sheet, 1-based row) → the STT printed on that row: KiemTra names list rows by
    the number the officer sees, not by Excel's row number."""
    out: dict[tuple[str, str, int], str] = {}
    for c in run.checked:
        if c.parsed is None:
            continue
        for name, table in c.parsed.tables.items():
            frame = table.frame
            if ROW not in frame or SERIAL not in frame:
                continue
            for row, stt in zip(frame[ROW], frame[SERIAL], strict=True):
                if not is_blank(stt):
                    out[c.name, name, int(row)] = text(stt)
    return out


# ── generated runs ─────────────────────────────────────────────────────────────────────────

# What an STT cell can hold once parsed: numbers, marks, text, blanks, dates.
ODD: list[object] = [
    1,
    2,
    2.0,
    2.5,
    -0.0,
    float("nan"),
    None,
    "",
    "   ",
    " 3 ",
    "4a",
    "Cafe\u0301",  # NFD: shown NFC
    True,
    False,
    1,
    date(2020, 1, 2),
    datetime(2020, 1, 2, 8, 30),
    np.int64(7),
]


def serials(n: int, rng: random.Random, kind: str) -> pd.Series:
    if kind == "int":
        return pd.Series([rng.randint(1, 9) for _ in range(n)], dtype="int64")
    if kind == "float":
        return pd.Series([rng.choice([1.0, 2.0, 2.5, np.nan, -0.0]) for _ in range(n)])
    if kind == "str":
        return pd.Series([rng.choice(["1", " 2", "", None, "3a"]) for _ in range(n)], dtype="str")
    return pd.Series([rng.choice(ODD) for _ in range(n)], dtype=object)


SHEETS = ("Danh sách hộ", "Đơn vị", "Khác")


def run_of(seed: int) -> Run:
    rng = random.Random(seed)
    checked = []
    for i in range(rng.randint(0, 6)):
        if rng.random() < 0.15:  # a file that did not open
            checked.append(SimpleNamespace(name=f"f{i}.xlsx", parsed=None))
            continue
        p = Parsed(f"f{i}.xlsx", Kind.KHOM)
        for sheet in SHEETS:
            n = rng.randint(0, 30)
            frame = pd.DataFrame({ROW: rng.sample(range(4, 200), n)})
            if rng.random() < 0.85:  # a list without STT (or without rows) adds nothing
                frame[SERIAL] = serials(n, rng, rng.choice(["int", "float", "str", "odd"]))
            if rng.random() < 0.1:
                frame = frame.drop(columns=[ROW])
            p.tables[sheet] = Table(sheet, frame, {})
        # Now and then two files of one name (two folders of the inbox): the later one wins.
        name = f"f{i - 1}.xlsx" if i and rng.random() < 0.2 else f"f{i}.xlsx"
        checked.append(SimpleNamespace(name=name, parsed=p))
    return SimpleNamespace(checked=checked)  # type: ignore[return-value]


@pytest.mark.parametrize("seed", range(60))
def test_list_serials_are_what_the_row_loop_made(seed):
    run = run_of(seed)
    want = list_serials_before(run)
    # KiemTra's way first: a few rows asked for, some with an STT, some blank or absent.
    rng = random.Random(seed)
    asked = [*want, *((f"f{i}.xlsx", s, r) for i in range(7) for s in SHEETS for r in (4, 9))]
    rng.shuffle(asked)
    got = list_serials(run)
    assert [got.get(k) for k in asked] == [want.get(k) for k in asked]
    assert bool(got) == bool(want)
    assert list(got.items()) == list(want.items())  # same entries, same order
    assert len(got) == len(want) and got == want
    fresh = list_serials(run)
    assert bool(fresh) == bool(want)  # before anything was asked


def test_list_serials_by_hand():
    p = Parsed("k.xlsx", Kind.KHOM)
    frame = pd.DataFrame(
        {ROW: [4, 5, 6, 7, 8], SERIAL: pd.Series([1, True, 1.0, None, " 2 "], dtype=object)}
    )
    p.tables["Danh sách hộ"] = Table("Danh sách hộ", frame, {})
    run = SimpleNamespace(checked=[SimpleNamespace(name="k.xlsx", parsed=p)])
    assert list_serials(run).get(("k.xlsx", "Danh sách hộ", 7)) is None  # blank STT
    assert list_serials(run).get(("k.xlsx", "Đơn vị", 4)) is None
    assert list_serials(run) == {
        ("k.xlsx", "Danh sách hộ", 4): "1",
        ("k.xlsx", "Danh sách hộ", 5): "TRUE",
        ("k.xlsx", "Danh sách hộ", 6): "1",
        ("k.xlsx", "Danh sách hộ", 8): "2",
    }
