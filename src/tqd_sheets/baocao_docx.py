"""`BaoCao_P.docx`: the draft báo cáo the forms are annexed to, in ND 30/2020 layout.

The officer gets a Word document that already says every figure of the forms in sentences
(Vietnamese number style: 3.481 hộ, 99,40 %), which targets are met and by how much, which
children earned their title and why the others did not. What only people can write — the
shortcomings and the way forward — are marked places. The figures are `Results`' (the same
numbers as `Dữ liệu`); nothing here computes a verdict the forms do not show.

`sections` is the pure core (a list of paragraphs); `write_baocao` renders it with python-docx.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from . import unit_words, units
from .atomic import write_atomic
from .config import Config
from .forms import child_names, gc_paused
from .indicators import shortfall
from .results import CHUA_DAT, CHUA_DU, DAT, Results
from .results import missing as _nan

FONT = "Times New Roman"
BODY_PT = 14  # ND 30/2020: body text 13–14 pt
MOVEMENT = "Toàn dân đoàn kết xây dựng đời sống văn hóa"
ANNEX = "Kèm theo các biểu 01–05"
# Where the officer writes: the text says what belongs there and is to be replaced.
OFFICER_MARK = "[Phần cán bộ tự viết: "
NBSP = "\u00a0"  # keeps `99,40 %` on one line


# ---------------------------------------------------------------- Vietnamese numbers


def so(x: float) -> str:
    """3481 → `3.481`; 12,5 keeps its decimals with a comma."""
    if float(x).is_integer():
        return f"{int(x):,}".replace(",", ".")
    whole, frac = f"{x:.2f}".rstrip("0").split(".")
    return f"{int(whole):,}".replace(",", ".") + "," + frac


def ty_le(x: float) -> str:
    """0.994 → `99,40 %` (two decimals, as the forms show rates)."""
    return f"{x * 100:.2f}".replace(".", ",") + NBSP + "%"


def diem(x: float) -> str:
    """A difference of two rates in percentage points, unsigned: `0,34 điểm %`."""
    return f"{abs(x) * 100:.2f}".replace(".", ",") + f"{NBSP}điểm{NBSP}%"


# ---------------------------------------------------------------- the text


@dataclass(frozen=True)
class Para:
    text: str
    kind: str = "body"  # "heading", "subheading", "body", "officer"


class _Text:
    """The sentences of section I, in the run's words."""

    def __init__(self, r: Results, config: Config) -> None:
        self.r, self.config = r, config
        self.child = units.mixed(config.child_levels)
        self.unit = config.don_vi.level
        self.w: Mapping[str, str] = units.words(self.child, self.unit)
        self.unit_name = f"{self.unit.cap} {config.don_vi.ten}"
        # Asked once per child: a set, maps and each target row looked up once, not a scan or
        # a filtered frame per child.
        self.included = set(r.included)
        self.names = child_names(config)
        self._targets: dict[str, Any] = {}
        self._statuses: dict[str, str] | None = None

    def name(self, code: str) -> str:
        return self.names.get(code, code)

    # -- data

    def v(self, code: str, unit: str | None = None) -> float:
        return self.r.value(unit or self.r.ward_code, code)

    def target(self, code: str) -> Any:
        if code not in self._targets:
            t = self.r.targets
            if t is None or not len(t):
                self._targets[code] = None
            else:
                rows = t[t.ma == code]
                self._targets[code] = rows.iloc[0] if len(rows) else None
        return self._targets[code]

    def status(self, code: str) -> str:
        if self._statuses is None:
            o = self.r.overview
            self._statuses = {}
            if o is not None and len(o) and "ma" in o:
                for ma, state in zip(o.ma, o.trang_thai, strict=True):
                    self._statuses.setdefault(ma, str(state))
        return self._statuses.get(code, "")

    # -- pieces

    def count(self, code: str, noun: str, unit: str | None = None) -> str:
        x = self.v(code, unit)
        return f"chưa có số liệu {noun}" if _nan(x) else f"{so(x)} {noun}"

    def with_rate(self, code: str, rate: str, noun: str, unit: str | None = None) -> str:
        """`3.460 hộ đăng ký … (99,40 %)`."""
        x, tl = self.v(code, unit), self.v(rate, unit)
        if _nan(x):
            return f"chưa có số liệu {noun}"
        return f"{so(x)} {noun}" + ("" if _nan(tl) else f" ({ty_le(tl)})")

    def against_target(self, code: str) -> str:
        """`, vượt chỉ tiêu 0,34 điểm %` or what is missing; nothing on partial data."""
        t = self.target(code)
        if t is None or _nan(t.chi_tieu):
            return ""
        goal = float(t.chi_tieu)
        if t.dat is None or _nan(t.dat):
            return f", chưa đủ căn cứ đánh giá so với chỉ tiêu {ty_le(goal)}"
        result = float(t.ket_qua)
        if bool(t.dat):
            gap = result - goal
            if round(gap * 100, 2) == 0:
                return f", đạt chỉ tiêu {ty_le(goal)}"
            return f", vượt chỉ tiêu {diem(gap)} (chỉ tiêu {ty_le(goal)})"
        missing = f", {gap_words(t.con_thieu)}" if str(t.con_thieu or "") else ""
        return f", chưa đạt chỉ tiêu {ty_le(goal)} (thấp hơn {diem(goal - result)}{missing})"

    @property
    def coverage(self) -> str:
        return unit_words.coverage(self.r)

    def subject(self) -> str:
        """`Toàn phường có` or, on partial data, who the figures cover."""
        if not self.r.partial:
            return f"Toàn {self.w['cha']} có"
        names = ", ".join(self.name(k) for k in self.r.included)
        return f"{self.coverage} ({names}): các {self.w['con']} đã tổng hợp có"

    def compare(self, items: list[tuple[str, str, str]]) -> str:
        """`So với cùng kỳ năm trước (Năm 2019): …` for the figures history holds."""
        r = self.r
        if r.previous is None or r.partial:
            return ""
        parts = []
        for code, label, noun in items:
            now, before = self.v(code), r.previous_value(r.ward_code, code)
            if _nan(now) or _nan(before):
                continue
            if code.endswith("_TL"):
                change = (
                    "không đổi"
                    if round((now - before) * 100, 2) == 0
                    else (("tăng " if now > before else "giảm ") + diem(now - before))
                )
                parts.append(f"{label} {change} (cùng kỳ {ty_le(before)})")
            else:
                d = now - before
                change = (
                    "không đổi"
                    if d == 0
                    else ("tăng " if d > 0 else "giảm ") + f"{so(abs(d))} {noun}"
                )
                parts.append(f"{label} {change} (cùng kỳ {so(before)} {noun})")
        if not parts:
            return ""
        when = r.previous_period.words if r.previous_period else "cùng kỳ năm trước"
        note = f" {r.previous_note.strip()}" if r.previous_note.strip() else ""
        return f"So với cùng kỳ năm trước ({when}): " + "; ".join(parts) + "." + note

    # -- sections of I.

    def coverage_paras(self) -> list[Para]:
        r = self.r
        out = []
        if r.sample_data:
            out.append(Para("DỮ LIỆU MẪU – chỉ để thử, không dùng để báo cáo.", "officer"))
        if r.partial:
            missing = [
                f"{self.name(k)} ({self.status(k) or 'chưa có số liệu hợp lệ'})"
                for k in r.expected
                if k not in self.included
            ]
            out.append(
                Para(
                    f"{self.coverage}. Chưa có số liệu hợp lệ của: {', '.join(missing)}. Các số "
                    f"liệu dưới đây chỉ gồm các {self.w['con']} đã tổng hợp; các chỉ tiêu và danh "
                    f"hiệu của toàn {self.w['cha']} chưa đủ căn cứ đánh giá."
                )
            )
        else:
            out.append(Para(f"{self.coverage}: đủ số liệu của các {self.w['con']}."))
        partial_children = [k for k, whole in r.complete.items() if not whole]
        if partial_children:
            names = ", ".join(self.name(k) for k in partial_children)
            out.append(
                Para(
                    f"Số liệu của {names} chưa đầy đủ (báo cáo của đơn vị này chưa tổng hợp "
                    "đủ các đơn vị trực thuộc)."
                )
            )
        return out

    def families(self) -> list[Para]:
        head = (
            f"{self.subject()} {self.count('HO', 'hộ')}, "
            f"{self.with_rate('GDVH_DK', 'GDVH_DK_TL', 'hộ đăng ký xây dựng gia đình văn hóa')}"
            f"{self.against_target('GDVH_DK_TL')}, "
            f"{self.with_rate('GDVH_DAT', 'GDVH_DAT_TL', 'hộ đạt chuẩn GĐVH')}"
            f"{self.against_target('GDVH_DAT_TL')}; trong đó "
            f"{self.with_rate('GDVH_3NAM', 'GDVH_3NAM_TL', 'hộ đạt GĐVH 3 năm liên tục trở lên')}."
        )
        more = (
            f"Gia đình học tập: {self.with_rate('GDHT', 'GDHT_TL', 'hộ')}; gia đình thể thao: "
            f"{self.with_rate('GDTT', 'GDTT_TL', 'hộ')}; hộ nghèo: "
            f"{self.with_rate('HO_NGHEO', 'HO_NGHEO_TL', 'hộ')}; hộ cận nghèo: "
            f"{self.with_rate('HO_CAN_NGHEO', 'HO_CAN_NGHEO_TL', 'hộ')}."
        )
        out = [Para("1. Xây dựng gia đình văn hóa (Biểu 01)", "subheading"), Para(head), Para(more)]
        cmp_ = self.compare(
            [
                ("HO", "tổng số hộ", "hộ"),
                ("GDVH_DAT", "số hộ đạt chuẩn GĐVH", "hộ"),
                ("GDVH_DK_TL", "tỷ lệ hộ đăng ký", ""),
                ("GDVH_DAT_TL", "tỷ lệ hộ đạt chuẩn GĐVH", ""),
            ]
        )
        if cmp_:
            out.append(Para(cmp_))
        out.append(Para(f"Kết quả từng {self.w['con']}:"))
        out.extend(Para("- " + self.child_families(k)) for k in self.r.expected)
        return out

    def child_families(self, k: str) -> str:
        name = self.name(k)
        if k not in self.included:
            return f"{name}: chưa có số liệu hợp lệ ({self.status(k) or 'chưa nộp'})."
        text = (
            f"{name}: {self.count('HO', 'hộ', k)}, "
            f"{self.with_rate('GDVH_DK', 'GDVH_DK_TL', 'hộ đăng ký', k)}, "
            f"{self.with_rate('GDVH_DAT', 'GDVH_DAT_TL', 'hộ đạt chuẩn GĐVH', k)}, "
            f"{self.count('GDVH_3NAM', 'hộ đạt 3 năm liên tục trở lên', k)}"
        )
        t = self.target("GDVH_DAT_TL")
        num, den = self.r.fraction(k, "GDVH_DAT_TL")
        if t is not None and not _nan(t.chi_tieu) and not _nan(num) and den:
            n = shortfall(float(t.chi_tieu), num, den)
            if n:
                text += f"; còn thiếu {so(n)} hộ đạt chuẩn để đạt chỉ tiêu {ty_le(t.chi_tieu)}"
        return text + "."

    def titles(self) -> list[Para]:
        r, w = self.r, self.w
        out = [Para(f"2. Xây dựng {w['danh_hieu_con']} (Biểu 02)", "subheading")]
        kt = r.khom_titles if r.khom_titles is not None else pd.DataFrame()
        by = {str(t.ma_khom): t for t in kt.itertuples()} if len(kt) else {}
        dat = [k for k in r.expected if k in by and by[k].ket_qua == DAT]
        n = len(r.expected)
        share = f" ({ty_le(len(dat) / n)})" if n and not r.partial else ""
        names = f": {', '.join(self.name(k) for k in dat)}" if dat else ""
        out.append(Para(f"Có {len(dat)}/{n} {w['con']} đạt chuẩn {w['chuan_con']}{share}{names}."))
        for k in r.expected:
            name = self.name(k)
            t = by.get(k)
            if k not in self.included or t is None:
                out.append(Para(f"- {name}: chưa có số liệu hợp lệ, chưa đánh giá."))
            elif t.ket_qua == CHUA_DAT:
                out.append(Para(f"- {name}: chưa đạt ({_reason(t.ly_do)})."))
            elif t.ket_qua == CHUA_DU:
                out.append(Para(f"- {name}: chưa đủ căn cứ đánh giá ({_reason(t.ly_do)})."))
        verdict = unit_words.verdict_text(r, r.ward_title)
        line = f"Danh hiệu {w['danh_hieu_cha']} của {self.unit_name}: {verdict}"
        if r.ward_title_reasons:
            line += f" ({_reason(r.ward_title_reasons)})"
        out.append(Para(line + "."))
        return out

    def agencies(self) -> list[Para]:
        r = self.r
        out = [Para("3. Xây dựng cơ quan, đơn vị đạt chuẩn văn hóa (Biểu 03)", "subheading")]
        ub = r.units_by_type if r.units_by_type is not None else pd.DataFrame()
        if not r.has_ward_workbook or not len(ub):
            out.append(
                Para(f"Chưa có biểu của {self.w['cha']} nên chưa có số liệu cơ quan, đơn vị.")
            )
            return out
        out.append(
            Para(
                f"{self.unit_name} có {self.count('DV', 'cơ quan, đơn vị')}; "
                f"{self.count('DV_DK', 'đơn vị đăng ký đạt chuẩn văn hóa')}; "
                f"{self.count('DV_DAT', 'đơn vị đạt chuẩn văn hóa')}"
                + (
                    ""
                    if _nan(self.v("DV_DAT_TL"))
                    else f" ({ty_le(self.v('DV_DAT_TL'))} so với số đăng ký)"
                )
                + f"{self.against_target('DV_DAT_TL')}; "
                f"{self.count('DV_HT', 'đơn vị học tập')}; "
                f"{self.count('DV_ANTT', 'đơn vị an toàn về ANTT')}."
            )
        )
        parts = [
            f"{row.loai}: {so(row.DV)} đơn vị, {so(row.DV_DK)} đăng ký, {so(row.DV_DAT)} đạt chuẩn"
            for row in ub.itertuples()
            if not _nan(row.DV) and row.DV
        ]
        if parts:
            out.append(Para("Theo loại: " + "; ".join(parts) + "."))
        return out

    def activities(self) -> list[Para]:
        out = [Para("4. Hoạt động của Phong trào và số liệu các ngành (Biểu 05)", "subheading")]
        hg = self.v("HOA_GIAI_TL")
        out.append(
            Para(
                f"Tổ chức {self.count('TT_BUOI', 'buổi tuyên truyền, vận động')} với "
                f"{self.count('TT_LUOT', 'lượt người dự')}; hòa giải "
                f"{self.count('HOA_GIAI', 'vụ việc')}, thành "
                f"{self.count('HOA_GIAI_THANH', 'vụ việc')}"
                + ("" if _nan(hg) else f" ({ty_le(hg)})")
                + f"; biểu dương {self.count('GUONG_TOT', 'gương người tốt, việc tốt')}; "
                f"kinh phí Phong trào đã sử dụng {self.count('KINH_PHI', 'đồng')}, vận động xã "
                f"hội hóa {self.count('XA_HOI_HOA', 'đồng')}; "
                f"{self.count('HO_VI_PHAM', 'hộ có thành viên vi phạm pháp luật')}."
            )
        )
        agency = ("NGUOI_VI_PHAM", "HO_NGHEO_LDTBXH", "LAO_DONG", "KHOM_YTE")
        if all(_nan(self.v(c)) for c in agency):
            out.append(
                Para(
                    "Số liệu các ngành: chưa có (chưa có biểu của "
                    f"{self.w['cha']} hoặc chưa đủ số liệu của các {self.w['con']})."
                )
            )
            return out
        vl = self.v("VIEC_LAM_TL")
        out.append(
            Para(
                "Số liệu các ngành: Công an ghi nhận "
                f"{self.count('NGUOI_VI_PHAM', 'người vi phạm pháp luật')}; theo ngành Lao động "
                f"– Thương binh và Xã hội có {self.count('HO_NGHEO_LDTBXH', 'hộ nghèo')}, "
                f"{self.count('HO_CAN_NGHEO_LDTBXH', 'hộ cận nghèo')}; "
                f"{self.count('LAO_DONG', 'người trong độ tuổi lao động')}, "
                f"{self.count('VIEC_LAM', 'người có việc làm')}"
                + ("" if _nan(vl) else f" ({ty_le(vl)})")
                + f"; {self.count('KHOM_YTE', self.w['con'] + ' đạt tiêu chí y tế, dân số')}, "
                f"{self.count('KHOM_QS', self.w['con'] + ' hoàn thành nghĩa vụ quân sự')}."
            )
        )
        return out

    def targets(self) -> list[Para]:
        out = [Para("5. Thực hiện chỉ tiêu kế hoạch (Biểu 04)", "subheading")]
        t = self.r.targets
        if t is None or not len(t):
            out.append(Para("Chưa có chỉ tiêu kế hoạch (chưa có biểu của đơn vị)."))
            return out
        met, missed, unsure = [], [], []
        for row in t.itertuples():
            if row.don_vi:
                label = f"{row.noi_dung} (chỉ tiêu {self._goal(row)}, kết quả {self._result(row)})"
            else:  # a title: held or not, no amount
                label = f"{row.noi_dung} (kết quả: {self._result(row)})"
            if _nan(row.dat):  # None: it cannot be assessed
                unsure.append(label)
            elif bool(row.dat):
                met.append(label)
            else:
                gap = gap_words(row.con_thieu)
                missed.append(label + (f": {gap}" if gap else ""))
        counts = f"Đạt {len(met)}/{len(t)} chỉ tiêu"
        if missed:
            counts += f", chưa đạt {len(missed)}"
        if unsure:
            counts += f", chưa đủ căn cứ đánh giá {len(unsure)}"
        out.append(Para(counts + "."))
        if met:
            out.append(Para("Các chỉ tiêu đạt: " + "; ".join(met) + "."))
        if missed:
            out.append(Para("Các chỉ tiêu chưa đạt: " + "; ".join(missed) + "."))
        if unsure:
            why = f" ({self.coverage})" if self.r.partial else ""
            out.append(Para(f"Chưa đủ căn cứ đánh giá{why}: " + "; ".join(unsure) + "."))
        return out

    def _goal(self, row: Any) -> str:
        return self._amount(row, row.chi_tieu)

    def _result(self, row: Any) -> str:
        return "chưa có" if _nan(row.ket_qua) else self._amount(row, row.ket_qua)

    def _amount(self, row: Any, x: Any) -> str:
        if _nan(x):
            return "—"
        if row.don_vi == "%":
            return ty_le(float(x))
        if not row.don_vi:  # a title held: 1 or 0
            return DAT if float(x) >= 1 else CHUA_DAT
        noun = self.w["con"] if row.don_vi in {lv.noun for lv in units.LEVELS} else row.don_vi
        return f"{so(float(x))} {noun}"


def gap_words(text: Any) -> str:
    """`còn thiếu 1234 hộ` (as Biểu 04 stores it) → `còn thiếu 1.234 hộ`."""
    if _nan(text):
        return ""
    return _COUNT.sub(lambda m: so(int(m[0])), str(text))


_COUNT = re.compile(r"(?<![\d.,/])\d{4,}(?![\d.,/])")


def _reason(text: Any) -> str:
    if _nan(text) or not str(text).strip():
        return "chưa rõ lý do"
    return _PERCENT.sub(r"\1" + NBSP + "%", str(text).strip())


_PERCENT = re.compile(r"(\d)%")  # `80%` of the title rules' wording → `80 %`


def sections(results: Results, config: Config) -> list[Para]:
    """The body of the report: I. Kết quả in sentences, II. and III. for the officer."""
    t = _Text(results, config)
    body = [Para("I. KẾT QUẢ THỰC HIỆN", "heading"), *t.coverage_paras()]
    for part in (t.families, t.titles, t.agencies, t.activities, t.targets):
        body.extend(part())
    body += [
        Para("II. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN", "heading"),
        Para(
            OFFICER_MARK + "những tồn tại, hạn chế và nguyên nhân; xóa dòng này khi viết]",
            "officer",
        ),
        Para("III. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI", "heading"),
        Para(
            OFFICER_MARK + "phương hướng, nhiệm vụ và kiến nghị, đề xuất; xóa dòng này khi viết]",
            "officer",
        ),
        Para(f"({ANNEX} tổng hợp số liệu {results.period.words.lower()}.)", "annex"),
    ]
    return body


def recipients(config: Config) -> list[str]:
    """Nơi nhận: the level above (from configuration), the unit's own leaders, the archive."""
    ward = config.don_vi
    above = ward.thanh_pho.strip() or ward.tinh.strip() or "cấp trên"
    return [
        f"- Ban Chỉ đạo Phong trào {above} (b/c);",
        f"- Đảng ủy, UBND {ward.level.noun} (b/c);",
        "- Lưu: VT.",
    ]


def signer_name(results: Results, config: Config) -> str:
    """Who signs for the unit: the `ky` name, else the head's when the head signs himself."""
    s = results.signers or {}
    if s.get("ky", "").strip():
        return s["ky"].strip()
    if not config.chu_ky.ky_thay.strip():
        return s.get("truong_ban", "").strip()
    return ""


def title_lines(results: Results) -> list[str]:
    words = results.period.words
    when = words[:1].lower() + words[1:] if results.period.is_year else words
    return ["BÁO CÁO", f"Kết quả thực hiện Phong trào “{MOVEMENT}”", when]


# ---------------------------------------------------------------- rendering


def write_baocao(path: Path, results: Results, config: Config) -> Path:
    """Write `BaoCao_P.docx` to `path` (atomically) and return `path`."""

    def write(tmp: Path) -> None:
        document(results, config).save(str(tmp))

    with gc_paused():
        return write_atomic(path, write)


def document(results: Results, config: Config) -> Any:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
    from docx.shared import Mm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    # ND 30/2020 Phụ lục I: top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
    sec.top_margin, sec.bottom_margin = Mm(20), Mm(20)
    sec.left_margin, sec.right_margin = Mm(30), Mm(15)
    _base_font(doc, Pt(BODY_PT))
    doc.core_properties.title = f"Báo cáo Phong trào – {results.period.words}"
    doc.core_properties.author = config.don_vi.co_quan

    ward, sig = config.don_vi, config.chu_ky
    centre = WD_ALIGN_PARAGRAPH.CENTER

    head = doc.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = head.rows[0].cells
    # The two header blocks need more than the text width (quốc hiệu on one line at 12 pt):
    # the table reaches 15 mm into the left margin, as official templates do.
    _widths(head, (Mm(75), Mm(105)))
    _shift_left(head, Mm(15))
    _line(left.paragraphs[0], ward.co_quan.upper(), 12, align=centre)
    _line(left.add_paragraph(), ward.ban.upper(), 12, bold=True, align=centre)
    _rule(left.add_paragraph(), Mm(20))
    _line(left.add_paragraph(), "Số: ……/BC-……", 13, align=centre)
    _line(right.paragraphs[0], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, bold=True, align=centre)
    _line(right.add_paragraph(), "Độc lập - Tự do - Hạnh phúc", 14, bold=True, align=centre)
    _rule(right.add_paragraph(), Mm(23))
    year = config.deadline(results.period).year
    _line(
        right.add_paragraph(),
        f"{ward.place}, ngày …… tháng …… năm {year}",
        14,
        italic=True,
        align=centre,
    )

    doc.add_paragraph()
    first, *rest = title_lines(results)
    _line(doc.add_paragraph(), first, 14, bold=True, align=centre, after=0)
    for text in rest:
        _line(doc.add_paragraph(), text, 14, bold=True, align=centre, after=0)
    _rule(doc.add_paragraph(), Mm(60))

    for p in sections(results, config):
        para = doc.add_paragraph()
        if p.kind == "heading":
            _line(para, p.text, BODY_PT, bold=True, before=6)
        elif p.kind == "subheading":
            _line(para, p.text, BODY_PT, bold=True, italic=True, before=3)
        elif p.kind == "officer":
            run = _line(para, p.text, BODY_PT, italic=True)
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        elif p.kind == "annex":
            _line(para, p.text, BODY_PT, italic=True)
        else:
            _line(para, p.text, BODY_PT)
        if p.kind in ("body", "officer"):
            para.paragraph_format.first_line_indent = Mm(10)
            para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    doc.add_paragraph()
    foot = doc.add_table(rows=1, cols=2)
    foot.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = foot.rows[0].cells
    _widths(foot, (Mm(75), Mm(90)))
    _line(left.paragraphs[0], "Nơi nhận:", 12, bold=True, italic=True, after=0)
    for text in recipients(config):
        _line(left.add_paragraph(), text, 11, after=0)
    first_right = True
    for text in (sig.thay_mat, sig.ky_thay, sig.chuc_vu):
        if not text.strip():
            continue
        para = right.paragraphs[0] if first_right else right.add_paragraph()
        first_right = False
        _line(para, text, 13, bold=True, align=centre, after=0)
    for _ in range(4):  # room for the signature and the seal
        right.add_paragraph()
    name = signer_name(results, config)
    _line(right.add_paragraph(), name or "……………………………", 14, bold=True, align=centre)
    return doc


def _widths(table: Any, widths: tuple[Any, ...]) -> None:
    """Fixed column widths: Word reads the cells', LibreOffice the grid's."""
    table.autofit = False
    for col, width in zip(table.columns, widths, strict=True):
        col.width = width
        for cell in col.cells:
            cell.width = width


def _shift_left(table: Any, by: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ind = OxmlElement("w:tblInd")
    ind.set(qn("w:w"), str(-round(by.twips)))
    ind.set(qn("w:type"), "dxa")
    table._tbl.tblPr.append(ind)


def _base_font(doc: Any, size: Any) -> None:
    from docx.oxml.ns import qn

    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = size
    fonts = style.element.rPr.rFonts
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    style.paragraph_format.space_after = 0
    style.paragraph_format.line_spacing = 1.15


def _line(
    para: Any,
    text: str,
    size: float,
    *,
    bold: bool = False,
    italic: bool = False,
    align: Any = None,
    before: float = 0,
    after: float = 3,
) -> Any:
    from docx.shared import Pt
    from docx.text.run import Run

    key = (size, bold, italic, align, before, after)
    p = para._p
    proto = _PROTOTYPES.get(key)
    if proto is not None and len(p) == 0:
        # A fresh paragraph gets copies of the properties python-docx wrote the first time
        # (the same XML): setting each through python-docx was most of the report's time.
        ppr, r = proto
        p.append(copy.deepcopy(ppr))
        p.append(copy.deepcopy(r))
        run = Run(p[-1], para)
        if text:
            run.text = text
        return run
    fresh = len(p) == 0
    run = para.add_run(text)
    run.font.size = Pt(size)
    run.bold, run.italic = bold, italic
    run.font.name = FONT
    if align is not None:
        para.alignment = align
    para.paragraph_format.space_before = Pt(before)
    para.paragraph_format.space_after = Pt(after)
    if fresh and len(p) == 2:
        empty = copy.deepcopy(p[1])
        for child in list(empty)[1:]:  # keep the run's properties, not its text
            empty.remove(child)
        _PROTOTYPES[key] = (copy.deepcopy(p[0]), empty)
    return run


# (size, bold, italic, align, before, after) → a paragraph's properties and an empty run as
# `_line` first wrote them
_PROTOTYPES: dict[tuple, tuple[Any, Any]] = {}


def _rule(para: Any, indent: Any) -> None:
    """The short line under a header block: a bottom border between two indents."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    fmt = para.paragraph_format
    fmt.left_indent = fmt.right_indent = indent
    fmt.space_after = Pt(4)
    run = para.add_run("")
    run.font.size = Pt(2)
    ppr = para._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    # The schema orders pPr's children: the border goes before spacing and indents.
    ppr.insert_element_before(borders, "w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc")
