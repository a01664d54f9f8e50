"""Administrative units: levels and their words, and the official units across the 2025 reform.

The official lists (GSO codes of Đồng Tháp before and after 1/7/2025, and NQ 1663's merge
mapping) are data shipped in `data/don-vi/` with their sources; this module reads them, never a
list typed by hand. A unit is valid over a date range: the 2025 reform closed old units and the
merged unit may keep an old code (29905 was Phường 1 and is phường Sa Đéc since 1/7/2025).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

REFORM = date(2025, 7, 1)  # NQ 1663/NQ-UBTVQH15: the new local governments operate
BEFORE, AFTER = "dong-thap-truoc-2025-07.csv", "dong-thap-tu-2025-07.csv"
MERGES = "sap-xep-2025.csv"
FAR_PAST, FAR_FUTURE = date(1900, 1, 1), date(9999, 12, 31)


@dataclass(frozen=True)
class Level:
    """A kind of unit and the words every label, message and form uses for it."""

    cap: str  # as the official lists and the configuration write it: "Phường", "Ấp"…
    noun: str  # in running text: "phường", "ấp"
    rank: int  # 0 khóm/ấp/tổ dân phố … 3 tỉnh
    ban: str = ""  # the body that fills the unit's workbook or signs its forms


LEVELS: tuple[Level, ...] = (
    Level("Khóm", "khóm", 0, "Ban vận động khóm"),
    Level("Ấp", "ấp", 0, "Ban vận động ấp"),
    Level("Tổ dân phố", "tổ dân phố", 0, "Ban vận động tổ dân phố"),
    Level("Phường", "phường", 1, "Ban Chỉ đạo phường"),
    Level("Xã", "xã", 1, "Ban Chỉ đạo xã"),
    Level("Thị trấn", "thị trấn", 1, "Ban Chỉ đạo thị trấn"),
    Level("Thành phố", "thành phố", 2, "Ban Chỉ đạo thành phố"),
    Level("Thị xã", "thị xã", 2, "Ban Chỉ đạo thị xã"),
    Level("Huyện", "huyện", 2, "Ban Chỉ đạo huyện"),
    Level("Tỉnh", "tỉnh", 3, "Ban Chỉ đạo tỉnh"),
)
LEVEL: dict[str, Level] = {lv.cap: lv for lv in LEVELS}

# The kinds the tool was first written for, and still assumes where nothing else is known.
DEFAULT_PARENT = LEVEL["Phường"]
DEFAULT_CHILD = LEVEL["Khóm"]

# The kind a unit's children usually are when the configuration does not say.
USUAL_CHILD: dict[str, str] = {"Phường": "Khóm", "Xã": "Ấp", "Thị trấn": "Khóm"}

# The title regimes (titles.py holds their criteria) and, here, each regime's title for each kind
# of unit: the one place these names are spelt.
ND122, ND86 = "ND122_2018", "ND86_2023"
ND86_FROM_YEAR = 2024  # Nghị định 86/2023/NĐ-CP in force from 30/01/2024
TITLE_NAMES: dict[str, dict[str, str]] = {
    ND122: {
        "Khóm": "Khóm văn minh đô thị",
        "Ấp": "Ấp văn hóa",
        "Tổ dân phố": "Tổ dân phố văn hóa",
        "Phường": "Phường đạt chuẩn văn minh đô thị",
        "Thị trấn": "Thị trấn đạt chuẩn văn minh đô thị",
        "Xã": "Xã đạt chuẩn văn hóa nông thôn mới",
    },
    # NĐ 86/2023 names two village-level titles: a khóm is of the tổ dân phố kind (urban), an
    # ấp of the thôn kind (rural).
    ND86: {
        "Tổ dân phố": "Tổ dân phố văn hóa",
        "Khóm": "Tổ dân phố văn hóa",
        "Ấp": "Thôn, ấp văn hóa",
        "Phường": "Phường tiêu biểu",
        "Xã": "Xã tiêu biểu",
        "Thị trấn": "Thị trấn tiêu biểu",
    },
}


def usual_child(cap: str) -> str:
    return USUAL_CHILD.get(cap, DEFAULT_CHILD.cap)


def title_name(cap: str, regime: str = ND122) -> str:
    """`Khóm văn minh đô thị`, `Ấp văn hóa`: the title a unit of this kind can earn under the
    regime; empty when the regime has none for it."""
    return TITLE_NAMES[regime].get(cap, "")


def title_standard(cap: str, regime: str = ND122) -> str:
    """What follows "đạt chuẩn" in a text: `văn minh đô thị` for a khóm or a phường, `văn hóa
    nông thôn mới` for a xã; the whole name where it does not begin with the kind."""
    name = title_name(cap, regime) or f"{cap} văn hóa"
    if name.startswith(cap):
        name = name[len(cap) :].strip()
    return name.removeprefix("đạt chuẩn ").strip()


def nouns(levels: Sequence[Level]) -> str:
    """`khóm`, or `khóm, ấp` for children of two kinds."""
    return ", ".join(lv.noun for lv in levels) or "đơn vị"


def words(con: Level, cha: Level, regime: str = ND122) -> dict[str, str]:
    """The words a text may use for a child of kind `con` in a unit of kind `cha`: `{con}`
    khóm, `{Con}` Khóm, `{CON}` KHÓM, `{ban_con}`, `{danh_hieu_con}` Khóm văn minh đô thị,
    `{chuan_con}` văn minh đô thị, and the same for `cha`."""
    parts = [LEVEL.get(w[:1].upper() + w[1:]) for w in con.noun.split("/")]
    standards = [title_standard(lv.cap, regime) for lv in parts if lv is not None]
    return {
        "con": con.noun,
        "Con": con.cap,
        "CON": con.cap.upper(),
        "ban_con": con.ban,
        "danh_hieu_con": f"{con.cap} {'/'.join(standards)}",
        "chuan_con": "/".join(dict.fromkeys(standards)),
        "cha": cha.noun,
        "Cha": cha.cap,
        "CHA": cha.cap.upper(),
        "ban_cha": cha.ban,
        "danh_hieu_cha": title_name(cha.cap, regime),
        "chuan_cha": title_standard(cha.cap, regime),
    }


def mixed(levels: Sequence[Level]) -> Level:
    """One kind that speaks for children of several (a merged phường's khóm and ấp)."""
    if len(levels) == 1:
        return levels[0]
    word = "/".join(lv.noun for lv in levels)
    return Level(word[:1].upper() + word[1:], word, 0, "Ban vận động " + word)


@dataclass(frozen=True)
class Unit:
    ma: str
    ten: str
    cap: str
    ma_cha: str
    tu_ngay: date = FAR_PAST
    den_ngay: date = FAR_FUTURE

    @property
    def full_name(self) -> str:
        """`Phường 1`, `Xã Tân Khánh Đông`: the lists keep the level word apart from the name."""
        return f"{self.cap} {self.ten}"

    def valid_on(self, day: date) -> bool:
        return self.tu_ngay <= day <= self.den_ngay


@dataclass(frozen=True)
class Succession:
    """An old unit's successor from `hieu_luc` on; `whole` is False for part of a split unit."""

    ma_cu: str
    ma_moi: str
    ten_moi: str
    hieu_luc: date
    whole: bool
    can_cu: str


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("tqd_sheets").joinpath("data", "don-vi", name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def official_units() -> tuple[Unit, ...]:
    """Every unit of both lists, each valid up to or from the reform."""
    last_day = date.fromordinal(REFORM.toordinal() - 1)
    before = [
        Unit(r["ma"], r["ten"], r["cap"], r["ma_cha"], den_ngay=last_day) for r in _rows(BEFORE)
    ]
    after = [Unit(r["ma"], r["ten"], r["cap"], r["ma_cha"], tu_ngay=REFORM) for r in _rows(AFTER)]
    return (*before, *after)


def unit(ma: str, day: date) -> Unit | None:
    """The official unit with code `ma` on `day` (a code can name different units over time)."""
    return next((u for u in official_units() if u.ma == ma and u.valid_on(day)), None)


def children(ma: str, day: date) -> list[Unit]:
    """The official units reporting to `ma` on `day`, in the list's order."""
    return [u for u in official_units() if u.ma_cha == ma and u.valid_on(day)]


@cache
def successions() -> tuple[Succession, ...]:
    return tuple(
        Succession(
            r["ma_cu"],
            r["ma_moi"],
            r["ten_moi"],
            date.fromisoformat(r["hieu_luc"]),
            r["pham_vi"] == "toan_bo",
            r["can_cu"],
        )
        for r in _rows(MERGES)
    )


def thay_the(ma_cu: str) -> list[Succession]:
    """Who replaced the old unit `ma_cu` (two rows for a unit split in two, none if unmapped)."""
    return [s for s in successions() if s.ma_cu == ma_cu]


def predecessors(ma_moi: str) -> list[Succession]:
    """The old units that formed `ma_moi` (the merged unit may keep one of their codes)."""
    return [s for s in successions() if s.ma_moi == ma_moi]
