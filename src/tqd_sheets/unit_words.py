"""A run's words for its units, read from its results (the outputs get no configuration).

`Results.overview` names each expected child's kind (`loai`, from the configuration): a xã's
outputs say "Tổng hợp 4/5 ấp", a merged phường's "Tổng hợp 5/5 khóm/ấp".
"""

from __future__ import annotations

from .results import CHUA_DU, Results
from .units import DEFAULT_CHILD, DEFAULT_PARENT, LEVEL, Level, mixed


def child_levels(r: Results) -> tuple[Level, ...]:
    """The kinds of the run's expected children, each once, in configuration order."""
    o = r.overview
    if o is None or not len(o) or "loai" not in o:
        return (DEFAULT_CHILD,)
    kids = o[o.ma != r.ward_code].loai if "ma" in o else o.loai
    found = tuple(dict.fromkeys(LEVEL[k] for k in kids if k in LEVEL))
    return found or (DEFAULT_CHILD,)


def unit_level(r: Results) -> Level:
    """The kind of the unit that ran (its row of the overview), phường when unknown."""
    o = r.overview
    if o is not None and len(o) and {"loai", "ma"} <= set(o.columns):
        own = o[o.ma == r.ward_code].loai
        if len(own) and own.iloc[0] in LEVEL:
            return LEVEL[own.iloc[0]]
    return DEFAULT_PARENT


def children_word(r: Results) -> str:
    """`khóm`, `ấp`, `khóm/ấp`."""
    return mixed(child_levels(r)).noun


def coverage(r: Results) -> str:
    """`Tổng hợp 3/4 khóm`, `Tổng hợp 4/5 ấp`: shown beside totals."""
    return f"Tổng hợp {len(r.included)}/{len(r.expected)} {children_word(r)}"


def verdict_text(r: Results, status: str) -> str:
    """A unit-level verdict as printed: `Chưa đủ căn cứ (Tổng hợp 2/4 khóm)` on partial data."""
    return f"{CHUA_DU} ({coverage(r)})" if status == CHUA_DU and r.partial else status
