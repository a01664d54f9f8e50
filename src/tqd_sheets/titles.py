"""The titles a unit can earn, per regime, declared as data (indicators.md, "Title rules").

A title names the unit kinds it applies to and its criteria; each criterion reads one fact of
the unit (an indicator or an input mark), compares it with a threshold taken from the rule set
in configuration (`[bo_tieu_chi.*]`, never a number in code), and says in Vietnamese why it is
unmet or why it cannot be judged. The regime (`danh_hieu` of a rule set) picks the titles:

- `ND122_2018`: the 2020 plan under Nghị định 122/2018/NĐ-CP (khóm văn minh đô thị, ấp văn hóa,
  phường đạt chuẩn văn minh đô thị, xã đạt chuẩn văn hóa nông thôn mới);
- `ND86_2023`: from 30/01/2024, Nghị định 86/2023/NĐ-CP (tổ dân phố văn hóa, thôn/ấp văn hóa,
  xã/phường/thị trấn tiêu biểu), thresholds set by the province.

A child-level title judges one khóm/ấp/tổ dân phố from its facts (`judge_child`). A
parent-level title judges a phường/xã from its figures and the `Coverage` of its children
(`judge_parent`): a missing child makes a criterion unknown unless it is decided whatever that
child turns out to be. Each child holds the title of its own kind (a merged phường has khóm and
ấp children); the share criterion counts children holding theirs.

Pure: no I/O, no configuration reading; a rule set is anything with the threshold attributes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from .results import CHUA_DAT, CHUA_DU, DAT, Coverage
from .units import LEVEL, ND86, ND86_FROM_YEAR, ND122
from .units import title_name as _name


class Thresholds(Protocol):
    """A rule set as configuration declares it (`config.RuleSet`): the regime and thresholds."""

    danh_hieu: str


def pct(x: float) -> str:
    return f"{x * 100:.2f}".replace(".", ",") + "%"


def num(x: object) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x).replace(".", ",")


@dataclass(frozen=True)
class Words:
    """The words a reason needs: the unit's own noun, and for a parent its children's."""

    noun: str  # "khóm", "phường"
    children: str = ""  # "khóm", "ấp", "khóm, ấp"
    children_title: str = ""  # "văn minh đô thị"; "danh hiệu" when the children's titles differ


@dataclass(frozen=True)
class Verdict:
    """One criterion's outcome: what fails, what cannot be judged (empty lists when met)."""

    fails: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()


MET = Verdict()


def _threshold(rs: Thresholds, key: str) -> float:
    return float(getattr(rs, key))


# ── child-level criteria: over one child's facts (`compute`'s criteria mapping) ──


@dataclass(frozen=True)
class RateAtLeast:
    """A rate of the unit ≥ threshold; no denominator is unmet (nothing to judge it on)."""

    fact: str
    threshold: str  # RuleSet attribute
    below: str  # "{value} … {threshold}"
    empty: str

    def judge(self, facts: Mapping[str, object], rs: Thresholds, w: Words) -> Verdict:
        v, t = facts.get(self.fact), _threshold(rs, self.threshold)
        if not isinstance(v, float) or math.isnan(v):
            return Verdict(fails=(self.empty.format(noun=w.noun),))
        if v < t:
            return Verdict(fails=(self.below.format(value=pct(v), threshold=pct(t)),))
        return MET


@dataclass(frozen=True)
class ScoreAtLeast:
    """A self-assessed score ≥ threshold; no score is unmet."""

    fact: str
    threshold: str
    below: str

    def judge(self, facts: Mapping[str, object], rs: Thresholds, w: Words) -> Verdict:
        v, t = facts.get(self.fact), _threshold(rs, self.threshold)
        if not isinstance(v, int | float) or isinstance(v, bool) or v < t:
            return Verdict(fails=(self.below.format(value=num(v), threshold=num(t)),))
        return MET


@dataclass(frozen=True)
class Confirmed:
    """An agency's mark: None (no agency row) cannot be judged, False is unmet."""

    fact: str
    unmet: str
    unknown: str

    def judge(self, facts: Mapping[str, object], rs: Thresholds, w: Words) -> Verdict:
        v = facts.get(self.fact)
        if v is None:
            return Verdict(unknown=(self.unknown,))
        return MET if v else Verdict(fails=(self.unmet,))


@dataclass(frozen=True)
class Marked:
    """The unit's own mark in its workbook."""

    fact: str
    unmet: str  # may name the unit: "{noun}"

    def judge(self, facts: Mapping[str, object], rs: Thresholds, w: Words) -> Verdict:
        return MET if facts.get(self.fact) else Verdict(fails=(self.unmet.format(noun=w.noun),))


# ── parent-level criteria: over the parent's figures and the coverage of its children ──


@dataclass(frozen=True)
class ParentRateAtLeast:
    """A parent rate ≥ threshold; unknown while a child is missing (the rate would be partial)."""

    fact: str
    threshold: str
    below: str  # "{noun} {value} {threshold}"
    partial: str  # "{noun} {children} {missing} {expected} {names}"

    def judge(
        self,
        figures: Mapping[str, tuple[float, float, float]],
        cover: Coverage,
        rs: Thresholds,
        w: Words,
        missing_names: Sequence[str],
    ) -> Verdict:
        if cover.partial:
            names = f" ({', '.join(missing_names)})" if missing_names else ""
            return Verdict(
                unknown=(
                    self.partial.format(
                        noun=w.noun,
                        children=w.children,
                        missing=cover.missing,
                        expected=cover.expected,
                        names=names,
                    ),
                )
            )
        v, t = figures[self.fact][2], _threshold(rs, self.threshold)
        if math.isnan(v) or v < t:
            text = self.below.format(
                noun=w.noun, value="—" if math.isnan(v) else pct(v), threshold=pct(t)
            )
            return Verdict(fails=(text,))
        return MET


@dataclass(frozen=True)
class ChildrenShareAtLeast:
    """Children holding their title / every configured child ≥ threshold (never over the
    consolidated ones only): met once those already holding it suffice, unmet only when even
    every unsure or missing child passing could not reach it, otherwise unknown."""

    threshold: str

    def judge(
        self,
        figures: Mapping[str, tuple[float, float, float]],
        cover: Coverage,
        rs: Thresholds,
        w: Words,
        missing_names: Sequence[str],
    ) -> Verdict:
        t = _threshold(rs, self.threshold)
        what = f"{w.children} đạt {w.children_title}"
        if not cover.expected:
            return Verdict(fails=(f"Chưa có {w.children} nào được tổng hợp",))
        if cover.dat / cover.expected >= t:
            return MET
        if cover.best / cover.expected < t:
            low = cover.best if cover.partial or cover.unsure else cover.dat
            return Verdict(
                fails=(
                    f"Tỷ lệ {what} {'nhiều nhất ' if low != cover.dat else ''}"
                    f"{low}/{cover.expected} ({pct(low / cover.expected)}) thấp hơn {pct(t)}",
                )
            )
        unknown = [
            f"Đã có {cover.dat}/{cover.expected} {what} "
            f"({pct(cover.dat / cover.expected)}), cần {pct(t)}"
        ]
        if cover.unsure:
            unknown.append(f"{cover.unsure} {w.children} chưa đủ căn cứ đánh giá")
        return Verdict(unknown=tuple(unknown))


ChildCriterion = RateAtLeast | ScoreAtLeast | Confirmed | Marked
ParentCriterion = ParentRateAtLeast | ChildrenShareAtLeast


@dataclass(frozen=True)
class Title:
    code: str
    name: str  # as forms print it
    caps: tuple[str, ...]  # the unit kinds (units.LEVEL) that can hold it
    phrase: str  # after "đạt": "Tỷ lệ khóm đạt văn minh đô thị"


@dataclass(frozen=True)
class ChildTitle(Title):
    """A khóm/ấp/tổ dân phố title: judged on the unit's own facts."""

    criteria: tuple[ChildCriterion, ...] = ()


@dataclass(frozen=True)
class ParentTitle(Title):
    """A phường/xã/thị trấn title: judged on its figures and its children's coverage."""

    criteria: tuple[ParentCriterion, ...] = ()


# The criteria both regimes share in shape; each rule set gives its own thresholds.
CHILD_CRITERIA: tuple[ChildCriterion, ...] = (
    RateAtLeast(
        "GDVH_DAT_TL",
        "khom_gdvh_dat_tl",
        below="Tỷ lệ hộ đạt GĐVH {value} thấp hơn {threshold}",
        empty="Chưa có hộ trong danh sách",
    ),
    Confirmed(
        "ANTT",
        unmet="Công an chưa xác nhận An toàn về ANTT",
        unknown="Chưa có xác nhận An toàn về ANTT của Công an",
    ),
    Marked("NGAY_HOI", "Chưa tổ chức Ngày hội Đại đoàn kết toàn dân tộc"),
    Marked("QUY_UOC", "Chưa thực hiện tốt Quy ước {noun}"),
    ScoreAtLeast("DIEM", "khom_diem", below="Điểm tự chấm {value} thấp hơn {threshold}"),
)
PARENT_CRITERIA: tuple[ParentCriterion, ...] = (
    ParentRateAtLeast(
        "GDVH_DAT_TL",
        "phuong_gdvh_dat_tl",
        below="Tỷ lệ hộ đạt GĐVH của {noun} {value} thấp hơn {threshold}",
        partial=(
            "Chưa có số liệu hợp lệ của {missing}/{expected} {children}{names}: "
            "chưa tính được tỷ lệ hộ đạt GĐVH của {noun}"
        ),
    ),
    ChildrenShareAtLeast("phuong_khom_vmdt_tl"),
)

REGIMES: dict[str, tuple[Title, ...]] = {
    ND122: (
        ChildTitle("KHOM_VMDT", _name("Khóm", ND122), ("Khóm",), "văn minh đô thị", CHILD_CRITERIA),
        ChildTitle("AP_VH", _name("Ấp", ND122), ("Ấp",), "văn hóa", CHILD_CRITERIA),
        ChildTitle(
            "TDP_VH", _name("Tổ dân phố", ND122), ("Tổ dân phố",), "văn hóa", CHILD_CRITERIA
        ),
        ParentTitle(
            "PHUONG_VMDT",
            _name("Phường", ND122),
            ("Phường",),
            "chuẩn văn minh đô thị",
            PARENT_CRITERIA,
        ),
        ParentTitle(
            "TT_VMDT",
            _name("Thị trấn", ND122),
            ("Thị trấn",),
            "chuẩn văn minh đô thị",
            PARENT_CRITERIA,
        ),
        ParentTitle(
            "XA_VHNTM",
            _name("Xã", ND122),
            ("Xã",),
            "chuẩn văn hóa nông thôn mới",
            PARENT_CRITERIA,
        ),
    ),
    ND86: (
        # NĐ 86/2023 names two village-level titles: a khóm is of the tổ dân phố kind (urban),
        # an ấp of the thôn kind (rural).
        ChildTitle(
            "TDP_VH", _name("Tổ dân phố", ND86), ("Tổ dân phố", "Khóm"), "văn hóa", CHILD_CRITERIA
        ),
        ChildTitle("THON_VH", _name("Ấp", ND86), ("Ấp",), "văn hóa", CHILD_CRITERIA),
        ParentTitle("PHUONG_TB", _name("Phường", ND86), ("Phường",), "tiêu biểu", PARENT_CRITERIA),
        ParentTitle("XA_TB", _name("Xã", ND86), ("Xã",), "tiêu biểu", PARENT_CRITERIA),
        ParentTitle("TT_TB", _name("Thị trấn", ND86), ("Thị trấn",), "tiêu biểu", PARENT_CRITERIA),
    ),
}


def regime(year_or_rules: int | Thresholds) -> str:
    """The regime of a rule set, or by law for a bare year (NĐ 86/2023 from 2024)."""
    if isinstance(year_or_rules, int):
        return ND86 if year_or_rules >= ND86_FROM_YEAR else ND122
    return year_or_rules.danh_hieu


def title_for(cap: str, year_or_rules: int | Thresholds) -> Title | None:
    """The title a unit of kind `cap` can earn under the regime, None if the regime has none."""
    return next((t for t in REGIMES[regime(year_or_rules)] if cap in t.caps), None)


def title_name(cap: str, year_or_rules: int | Thresholds) -> str:
    """The title's name for forms ("Khóm văn minh đô thị"); empty when there is none."""
    t = title_for(cap, year_or_rules)
    return t.name if t else ""


def _noun(cap: str) -> str:
    lv = LEVEL.get(cap)
    return lv.noun if lv else cap.lower()


def _no_title(cap: str, rs: Thresholds) -> tuple[str, str]:
    return CHUA_DU, f"Bộ tiêu chí {regime(rs)} không có danh hiệu cho cấp {_noun(cap)}"


def _outcome(verdicts: Sequence[Verdict], unknown_beside_fails: bool) -> tuple[str, str]:
    fails = [f for v in verdicts for f in v.fails]
    unknown = [u for v in verdicts for u in v.unknown]
    if fails:
        return CHUA_DAT, "; ".join(fails + unknown if unknown_beside_fails else fails)
    if unknown:
        return CHUA_DU, "; ".join(unknown)
    return DAT, ""


def judge_child(facts: Mapping[str, object], rs: Thresholds, cap: str = "Khóm") -> tuple[str, str]:
    """(status, reasons) of a khóm/ấp/tổ dân phố for its kind's title: every unmet criterion,
    then those that cannot be judged; `Chưa đủ căn cứ` when nothing fails but something is
    unknown."""
    title = title_for(cap, rs)
    if not isinstance(title, ChildTitle):
        return _no_title(cap, rs)
    w = Words(_noun(cap))
    verdicts = [c.judge(facts, rs, w) for c in title.criteria]
    # A failing child also lists what is unknown: its officer fixes both at once.
    return _outcome(verdicts, unknown_beside_fails=True)


def children_words(child_caps: Sequence[str], rs: Thresholds) -> tuple[str, str]:
    """("khóm", "văn minh đô thị") for one kind; ("khóm, ấp", "danh hiệu") for a mix."""
    kinds = list(dict.fromkeys(child_caps)) or ["Khóm"]
    phrases = {t.phrase for t in (title_for(c, rs) for c in kinds) if t}
    return ", ".join(_noun(c) for c in kinds), (phrases.pop() if len(phrases) == 1 else "danh hiệu")


def judge_parent(
    figures: Mapping[str, tuple[float, float, float]],
    cover: Coverage,
    rs: Thresholds,
    cap: str = "Phường",
    child_caps: Sequence[str] = ("Khóm",),
    missing_names: Sequence[str] = (),
) -> tuple[str, str]:
    """(status, reasons) of a phường/xã for its kind's title: unmet criteria only when one
    fails (an unknown beside a failure changes nothing), else the unknown ones."""
    title = title_for(cap, rs)
    if not isinstance(title, ParentTitle):
        return _no_title(cap, rs)
    children, phrase = children_words(child_caps, rs)
    w = Words(_noun(cap), children, phrase)
    verdicts = [c.judge(figures, cover, rs, w, missing_names) for c in title.criteria]
    return _outcome(verdicts, unknown_beside_fails=False)
