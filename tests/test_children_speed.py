"""Issue 11: reading and checking a child's output was made faster without changing any
finding or figure. The new code is compared with a frozen copy of the old one
(`children_before`, `chain_before`) on random `Dữ liệu` grids, as a workbook (numbers) or a
CSV (text) gives them: consistent figures of a unit and its children, then random cells made
empty, NaN, text, booleans, negative, fractional or off by one, rows blanked, duplicated,
cut short, run past the table or of another period, unknown codes."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pandas as pd
import pytest

import chain_before
import children_before
from tqd_sheets import chain, children, registry, units
from tqd_sheets.children import Where
from tqd_sheets.periods import Period
from tqd_sheets.results import DATA_COLUMNS
from tqd_sheets.spec import UNIT_TYPES

P = Period.parse("2020")
W = "29917"
HERE = Where("BaoCao_2020_29917.xlsx", "Dữ liệu")
COUNTS = [i.code for i in registry.INDICATORS if not i.is_rate]
RATES = list(registry.RATES.items())
ODD = [None, math.nan, "", "  ", "abc", "12,5", " 7 ", True, False, -3.0, 2.5, 1e-12, "1e3"]


def consistent(rng: random.Random, kids: list[str], kid_cap: str) -> list[list[object]]:
    """A unit's rows whose figures agree: children's counts, their sums, a breakdown by loại
    of some counts, and every rate from its parts."""
    codes = rng.sample(COUNTS, k=min(len(COUNTS), rng.randint(5, 25)))
    for rate, parts in rng.sample(RATES, k=rng.randint(1, len(RATES))):
        codes += [c for c in (*parts, rate) if c not in codes]
    out: list[list[object]] = []
    sums: dict[str, float] = {}
    who = [(k, f"{kid_cap} {k}", kid_cap, W) for k in kids] + [(W, "Tân Quy Đông", "Phường", "867")]
    for unit, name, cap, up in who:
        vals: dict[str, float] = {}
        for code in codes:
            if code in registry.RATES:
                num, den = registry.RATES[code]
                tu, mau = vals.get(num, math.nan), vals.get(den, math.nan)
                v = tu / mau if mau else math.nan
                out.append(["2020", unit, name, cap, up, code, "", tu, mau, v])
                continue
            v = sums.get(code, 0.0) if unit == W else float(rng.randint(0, 40))
            if unit != W:
                sums[code] = sums.get(code, 0.0) + v
            vals[code] = v
            out.append(["2020", unit, name, cap, up, code, "", v, math.nan, v])
        if unit == W:
            for code in rng.sample([c for c in codes if c not in registry.RATES], k=2):
                left = vals[code]
                for loai in rng.sample(UNIT_TYPES, k=rng.randint(1, 3)):
                    part = float(rng.randint(0, int(left)))
                    left -= part
                    out.append(["2020", unit, name, cap, up, code, loai, part, math.nan, part])
    return out


def grid(seed: int) -> tuple[list[list[object]], dict[str, str]]:
    rng = random.Random(seed)
    kids = [f"K{i}" for i in range(1, rng.randint(1, 5))]
    rows = consistent(rng, kids, rng.choice(["Khóm", "Ấp", "Phường"]))
    p = rng.choice([0.0, 0.002, 0.01, 0.05])
    for r in rows:
        for j in range(len(r)):
            if rng.random() < p:
                r[j] = rng.choice(ODD) if rng.random() < 0.7 else _nudge(r[j], rng)
    for _ in range(rng.randint(0, 2)):
        i = rng.randrange(len(rows))
        kind = rng.choice(["blank", "copy", "period", "code", "short", "long", "note"])
        if kind == "blank":
            rows[i] = [None] * len(DATA_COLUMNS)
        elif kind == "copy":
            rows.insert(i, list(rows[i]))
        elif kind == "period":
            rows[i][0] = rng.choice(["2019", "2020Q4", "", None])
        elif kind == "code":
            rows[i][5] = rng.choice(["XYZ", "", "ho"])
        elif kind == "short":
            rows[i] = rows[i][: rng.randint(0, len(DATA_COLUMNS) - 1)]
        elif kind == "long":  # cells right of the table
            rows[i] = [*rows[i], *rng.choice([["x"], [None, " "], [math.nan, 3.0]])]
        else:  # a row empty but for a note right of the table
            rows.insert(i, [None] * len(DATA_COLUMNS) + ["ghi chú"])
    if rng.random() < 0.5:  # as a CSV gives them: text
        rows = [["" if v is None else _csv(v) for v in r] for r in rows]
    header: list[object] = list(DATA_COLUMNS)
    if rng.random() < 0.03:
        header[rng.randrange(len(header))] = "cot_la"
    marker = rng.choice(
        [
            {},
            {"tong_hop": f"{len(kids) - 1}/{len(kids)}"},
            {"tong_hop": f"{len(kids)}/{len(kids)}", "ky": "2020"},
            {"du_lieu_mau": "1", "ma_don_vi": W},
            {"ma_don_vi": "K1", "ky": "bad"},
        ]
    )
    return [header, *rows], marker


def _nudge(v: object, rng: random.Random) -> object:
    if isinstance(v, float) and not math.isnan(v):
        return v + rng.choice([-1, 1, 0.5])
    return v


def _csv(v: object) -> str:
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v)


def nan_free(x: object) -> object:
    """`x` with every NaN as the text "nan": NaN equals nothing, not even in a tuple."""
    if isinstance(x, float) and math.isnan(x):
        return "nan"
    if isinstance(x, dict):
        return {k: nan_free(v) for k, v in x.items()}
    if isinstance(x, tuple | list):
        return [nan_free(v) for v in x]
    return x


def same_frame(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    return list(a.columns) == list(b.columns) and a.equals(b) and list(a.dtypes) == list(b.dtypes)


@pytest.mark.parametrize("seed", range(200))
def test_reading_and_checking_a_child_output_is_as_before(seed: int) -> None:
    g, marker = grid(seed)
    path = Path(HERE.file)
    old = children_before.from_grid(path, HERE, g, marker)
    new = children.from_grid(path, HERE, g, marker)
    assert new.findings == old.findings
    assert same_frame(new.rows, old.rows)
    assert (new.unit, new.period, new.marker) == (old.unit, old.period, old.marker)
    assert (new.readable, new.coverage, new.complete) == (old.readable, old.coverage, old.complete)
    if not old.readable:
        return
    assert (new.ten, new.cap) == (old.ten, old.cap)
    assert same_frame(new.own, old.own)
    expected = {W: "Tân Quy Đông", "29914": "Tân Khánh Đông"}
    for period in (None, P, Period.parse("2019")):
        before = children_before.check_output(old, expected, period)
        after = children.check_in_run(new, expected, period) + children.check_alone(new)
        assert after == before
    assert nan_free(chain.own_values(new)) == nan_free(chain_before.own_values(old))
    assert chain._below(new) == chain_before._below(old)
    vals, _ = chain.own_values(new)
    for level in (units.LEVEL["Phường"], units.LEVEL["Thành phố"]):
        got, want = chain.child_title(level, vals, new), chain_before.child_title(level, vals, old)
        assert [str(x) for x in got] == [str(x) for x in want]


def test_the_random_grids_reach_every_check() -> None:
    """The comparison above means something only if the grids make the checks speak."""
    found: set[str] = set()
    for seed in range(200):
        g, marker = grid(seed)
        out = children.from_grid(Path(HERE.file), HERE, g, marker)
        found |= {f.code for f in out.findings}
        if out.readable:
            found |= {f.code for f in children.check_in_run(out, {W: "x"}, P)}
            found |= {f.code for f in children.check_alone(out)}
    assert found >= {"U01", "U02", "U03", "U04", "U06", "U07"}


def test_the_own_rows_follow_the_rows_and_the_unit() -> None:
    """`own` is kept between calls, but never outlives the rows or unit it was made of."""
    g, _ = grid(1)
    out = children.from_grid(Path(HERE.file), HERE, g, {})
    first = out.own
    assert out.own is first
    out.unit = "K1"
    assert set(out.own.ma_don_vi) == {"K1"}
    out.rows = out.rows.iloc[:0]
    assert out.own.empty
