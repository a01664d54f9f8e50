"""The configurations shipped in `cau-hinh/`, one per unit and period range across the 2025
reform (levels.md), written from the official lists of `units` — never typed by hand.

`python scripts/cau_hinh.py [FOLDER]` writes them; a test checks that the shipped files are
exactly what this writes, so a shipped children list always equals the official one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

from . import units
from .config import PACKAGED

LAST_OLD_DAY = date.fromordinal(units.REFORM.toordinal() - 1)
# Everything from here on in the packaged configuration (signatures, rule sets, deadlines) is
# the same for every unit.
SHARED_FROM = "[chu_ky]"
LEADERSHIP = "BAN CHỈ ĐẠO PHONG TRÀO TDĐKXDĐSVH"
WARD_BAN = "BAN CÔNG TÁC XDĐSVH - ĐTVM"  # the committee of a ward, as the packaged file names it
SIGNS_FOR = 'thay_mat = "TM. BAN CÔNG TÁC XDĐSVH - ĐTVM"'  # the packaged file's line


@dataclass(frozen=True)
class Local:
    """A child that is in no official list (a khóm, an ấp): code, name, kind."""

    ma: str
    ten: str
    cap: str


@dataclass(frozen=True)
class Shipped:
    file: str
    ma: str  # the official code of the unit that runs
    day: date  # a day of its period range: whose official unit and children are listed
    note: str  # the file's opening comment (see `note` for its fields)
    local: tuple[Local, ...] | None = None  # None: the official children on `day`
    places: dict[str, str] = field(default_factory=dict)  # thanh_pho, tinh, dia_danh…
    ban: str = LEADERSHIP

    @property
    def unit(self) -> units.Unit:
        u = units.unit(self.ma, self.day)
        if u is None:
            raise ValueError(f"{self.ma} is no official unit on {self.day}")
        return u

    def children(self) -> list[units.Unit]:
        return units.children(self.ma, self.day)


_KHOM = units.DEFAULT_CHILD.cap
_AP = units.usual_child("Xã")

SHIPPED: tuple[Shipped, ...] = (
    Shipped(
        "tan-quy-dong-29917.toml",
        "29917",
        LAST_OLD_DAY,
        "{don_vi} ({ma}), thuộc {cha}: các kỳ đến hết 2025Q2.\n"
        "Từ 2025Q3 đơn vị đã nhập vào {sau}: dùng phuong-sa-dec-29905.toml.",
        tuple(Local(f"K{i}", f"{_KHOM} {i}", _KHOM) for i in range(1, 5)),
        {"thanh_pho": "thành phố Sa Đéc", "tinh": "tỉnh Đồng Tháp", "dia_danh": "Tân Quy Đông"},
        WARD_BAN,
    ),
    Shipped(
        "phuong-sa-dec-29905.toml",
        "29905",
        units.REFORM,
        "{don_vi} ({ma}), báo cáo thẳng lên {cha}: các kỳ từ 2025Q3.\n"
        "Lập từ {goc} (NQ 1663/NQ-UBTVQH15).\n"
        "CHÚ Ý: danh sách {con} dưới đây là TẠM ĐẶT — chưa có danh sách chính thức nào.\n"
        "Cán bộ sửa mã (ma), tên (ten), cấp ({cap_con}) theo danh sách {con} thực tế\n"
        "của đơn vị trước khi dùng.",
        (
            *(Local(f"K{i}", f"{_KHOM} {i} (tạm đặt)", _KHOM) for i in range(1, 4)),
            *(Local(f"A{i}", f"{_AP} {i} (tạm đặt)", _AP) for i in range(1, 3)),
        ),
        {"tinh": "tỉnh Đồng Tháp", "dia_danh": "Sa Đéc"},
        WARD_BAN,
    ),
    Shipped(
        "thanh-pho-sa-dec-867.toml",
        "867",
        LAST_OLD_DAY,
        "{don_vi} ({ma}): tổng hợp kết quả của {so_con} {con}, các kỳ đến hết 2025Q2.\n"
        "Từ 1/7/2025 không còn cấp này: các đơn vị báo cáo thẳng lên tỉnh (82).",
        places={"tinh": "tỉnh Đồng Tháp", "dia_danh": "Sa Đéc"},
    ),
    Shipped(
        "tinh-dong-thap-87.toml",
        "87",
        LAST_OLD_DAY,
        "{don_vi} ({ma}) trước sắp xếp: tổng hợp kết quả của {so_con} {con},\n"
        "các kỳ đến hết 2025Q2. Từ 2025Q3 dùng tinh-dong-thap-82.toml.",
        places={"dia_danh": "Đồng Tháp"},
    ),
    Shipped(
        "tinh-dong-thap-82.toml",
        "82",
        units.REFORM,
        "{don_vi} ({ma}) sau sắp xếp: tổng hợp kết quả của {so_con} {con}, các kỳ từ\n"
        "2025Q3. Trước đó dùng tinh-dong-thap-87.toml.",
        places={"dia_danh": "Đồng Tháp"},
    ),
)


def note(s: Shipped) -> str:
    """The file's opening comment, its unit words taken from the official lists."""
    u = s.unit
    parent = units.unit(u.ma_cha, s.day) if u.ma_cha else None
    after = [units.unit(t.ma_moi, t.hieu_luc) for t in units.thay_the(u.ma)]
    before = [units.unit(t.ma_cu, LAST_OLD_DAY) for t in units.predecessors(u.ma)]
    if s.local is not None:
        levels = [units.LEVEL[c.cap] for c in s.local]
    else:
        levels = [units.LEVEL[c.cap] for c in s.children()]
    kinds = tuple(dict.fromkeys(levels))
    return s.note.format(
        don_vi=u.full_name,
        ma=u.ma,
        cha=f"{parent.cap.lower()} {parent.ten} ({parent.ma})" if parent else "",
        sau=", ".join(f"{a.cap.lower()} {a.ten} ({a.ma})" for a in after if a),
        goc=", ".join(b.full_name for b in before if b),
        con=units.nouns(kinds),
        cap_con=" hoặc ".join(lv.cap for lv in kinds),
        so_con=len(levels),
    )


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _span(first: date, last: date) -> list[str]:
    out = []
    if first > units.FAR_PAST:
        out.append(f"tu_ngay = {first.isoformat()}")
    if last < units.FAR_FUTURE:
        out.append(f"den_ngay = {last.isoformat()}")
    return out


def shared_part() -> str:
    text = resources.files(__package__).joinpath(PACKAGED).read_text("utf-8-sig")
    return text[text.index(SHARED_FROM) :]


def text(s: Shipped) -> str:
    """The whole configuration file of `s`."""
    u = s.unit
    lines = [f"# {line}" for line in note(s).splitlines()]
    lines += [
        "# Tệp này do scripts/cau_hinh.py lập từ danh sách đơn vị hành chính chính thức",
        "# (src/tqd_sheets/data/don-vi/); chọn tệp bằng --config, xem README.",
        "",
        "[don_vi]",
        f"ma = {_q(u.ma)}",
        f"ten = {_q(u.ten)}",
        f"cap = {_q(u.cap)}",
        f"ma_cha = {_q(u.ma_cha)}",
        *(f"{k} = {_q(v)}" for k, v in s.places.items()),
        f"co_quan = {_q(f'UBND {u.cap} {u.ten}'.upper())}",
        f"ban = {_q(s.ban)}",
        *_span(u.tu_ngay, u.den_ngay),
    ]
    children: Sequence[tuple[str, str, str, list[str]]]
    if s.local is not None:
        children = [(c.ma, c.ten, c.cap, []) for c in s.local]
    else:
        children = [(c.ma, c.full_name, c.cap, _span(c.tu_ngay, c.den_ngay)) for c in s.children()]
    for ma, ten, cap, span in children:
        lines += ["", "[[don_vi_con]]", f"ma = {_q(ma)}", f"ten = {_q(ten)}", f"cap = {_q(cap)}"]
        lines += span
    # The signature block speaks for the unit's own committee (TM. BAN CHỈ ĐẠO… above a ward).
    shared = shared_part().replace(SIGNS_FOR, f"thay_mat = {_q('TM. ' + s.ban)}", 1)
    return "\n".join(lines) + "\n\n" + shared


def write_all(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for s in SHIPPED:
        path = folder / s.file
        path.write_text(text(s), "utf-8")
        out.append(path)
    return out
