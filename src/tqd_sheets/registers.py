"""`noi-bo/DanhSach_P.xlsx`: the merged household register and the lists the ward decides on.

Personal data: this file stays in the ward; the forms for the city carry aggregates only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import xlsxwriter

from . import units
from .atomic import write_atomic
from .celltext import cell_text
from .config import Config
from .periods import Period
from .spec import HOUSEHOLDS
from .styles import FONT


@dataclass(frozen=True)
class KhomRegister:
    code: str
    name: str
    frame: pd.DataFrame  # parsed register: spec codes, `_row`, extra columns by header
    extra: tuple[str, ...] = ()


def merged_register(registers: Sequence[KhomRegister]) -> pd.DataFrame:
    """All registers in one table, khóm in configuration order, then tổ, then Mã hộ."""
    frames = []
    for order, reg in enumerate(registers):
        df = reg.frame.drop(columns=["_row", "_bad"], errors="ignore").copy()
        df.insert(0, "khom", reg.code)
        df.insert(1, "ten_khom", reg.name)
        df["_order"] = order
        frames.append(df)
    if not frames:
        return pd.DataFrame(columns=["khom", "ten_khom", *(f.code for f in HOUSEHOLDS.fields)])
    merged = pd.concat(frames, ignore_index=True)
    merged["_to"] = pd.to_numeric(merged["to"], errors="coerce")
    merged = merged.sort_values(["_order", "_to", "ma_ho"], kind="stable")
    return merged.drop(columns=["_order", "_to"]).reset_index(drop=True)


def _flag(df: pd.DataFrame, col: str) -> pd.Series:
    return df[col].fillna(False).astype(bool)


def lists(merged: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
    """(sheet name, title, households) for each decision list."""
    years = pd.to_numeric(merged["nam_lien_tuc"], errors="coerce").fillna(0)
    dat = _flag(merged, "dat_gdvh")
    return [
        ("Đạt GĐVH", "DANH SÁCH HỘ ĐẠT DANH HIỆU GIA ĐÌNH VĂN HÓA", merged[dat]),
        (
            "GĐVH 3 năm liên tục",
            "DANH SÁCH HỘ ĐẠT GIA ĐÌNH VĂN HÓA 3 NĂM LIÊN TỤC TRỞ LÊN (đề nghị khen thưởng)",
            merged[dat & (years >= 3)],
        ),
        (
            "Đăng ký chưa đạt",
            "DANH SÁCH HỘ ĐĂNG KÝ NHƯNG CHƯA ĐẠT GIA ĐÌNH VĂN HÓA",
            merged[_flag(merged, "dk_gdvh") & ~dat],
        ),
    ]


LIST_COLUMNS = [
    ("STT", 6),
    ("Tổ", 6),
    ("Mã hộ", 12),
    ("Họ và tên chủ hộ", 28),
    ("Địa chỉ", 34),
    ("Số năm liên tục đạt GĐVH", 12),
    ("Ghi chú", 16),
]


def write_registers(
    path: Path, registers: Sequence[KhomRegister], config: Config, period: Period
) -> Path:
    merged = merged_register(registers)

    def write(tmp: Path) -> None:
        wb = xlsxwriter.Workbook(
            tmp,
            {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
        )
        f = _formats(wb)
        for sheet, title, df in lists(merged):
            _list_sheet(wb, f, sheet, title, df, registers, config, period)
        _register_sheet(wb, f, merged, registers, config, period)
        wb.close()

    return write_atomic(path, write)


def _formats(wb) -> dict:
    base = {"font_name": FONT, "font_size": 12}
    cell = {**base, "border": 1, "valign": "top"}
    return {
        "title": wb.add_format(
            {**base, "bold": True, "font_size": 13, "align": "center", "text_wrap": True}
        ),
        "sub": wb.add_format({**base, "italic": True, "align": "center"}),
        "head": wb.add_format(
            {
                **cell,
                "bold": True,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
                "bg_color": "#D9D9D9",
            }
        ),
        "group": wb.add_format({**cell, "bold": True, "bg_color": "#F2F2F2"}),
        "text": wb.add_format({**cell, "text_wrap": True}),
        "num": wb.add_format({**cell, "align": "center"}),
        "plain": wb.add_format(base),
        "bold": wb.add_format({**base, "bold": True}),
    }


def _setup(ws, header_row: int, landscape: bool = False) -> None:
    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
    ws.set_margins(left=30 / 25.4, right=15 / 25.4, top=20 / 25.4, bottom=20 / 25.4)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)
    ws.set_footer('&C&"Times New Roman"Trang &P/&N')
    ws.freeze_panes(header_row + 1, 0)


def _list_sheet(wb, f, sheet, title, df, registers, config: Config, period: Period) -> None:
    ws = wb.add_worksheet(sheet)
    last = len(LIST_COLUMNS) - 1
    ws.merge_range(0, 0, 0, last, config.phuong.co_quan, f["bold"])
    ws.merge_range(2, 0, 2, last, title, f["title"])
    ws.set_row(2, 36)
    ws.merge_range(3, 0, 3, last, period.words, f["sub"])
    ws.merge_range(4, 0, 4, last, f"Tổng số: {len(df)} hộ", f["sub"])
    ws.set_row(6, 32)
    for c, (label, width) in enumerate(LIST_COLUMNS):
        ws.write_string(6, c, label, f["head"])
        ws.set_column(c, c, width)
    r = 7
    for reg in registers:
        part = df[df["khom"] == reg.code]
        ws.merge_range(r, 0, r, last, f"{reg.name}: {len(part)} hộ", f["group"])
        r += 1
        for i, rec in enumerate(part.itertuples(index=False), 1):
            ws.write_number(r, 0, i, f["num"])
            _value(ws, r, 1, rec.to, f)
            ws.write_string(r, 2, cell_text(str(rec.ma_ho or "")), f["num"])
            ws.write_string(r, 3, cell_text(str(rec.chu_ho or "")), f["text"])
            ws.write_string(r, 4, cell_text(str(rec.dia_chi or "")), f["text"])
            _value(ws, r, 5, rec.nam_lien_tuc, f)
            ws.write_string(r, 6, "", f["text"])
            r += 1
    ws.write_string(r + 1, 0, f"Danh sách có {len(df)} hộ.", f["plain"])
    _setup(ws, 6)


def _value(ws, r: int, c: int, v: object, f: dict) -> None:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        ws.write_blank(r, c, None, f["num"])
    else:
        ws.write_number(r, c, float(v), f["num"])  # type: ignore[arg-type]


def _register_sheet(wb, f, merged: pd.DataFrame, registers, config: Config, period: Period) -> None:
    w = units.words(units.mixed(config.child_levels), config.phuong.level)
    ws = wb.add_worksheet(f"Sổ hộ toàn {w['cha']}")
    fields = [x for x in HOUSEHOLDS.fields if x.code != "stt"]
    extra = [e for reg in registers for e in reg.extra]
    extra = list(dict.fromkeys(extra))
    headers = [w["Con"], *(x.label for x in fields), *extra]
    ws.merge_range(
        0,
        0,
        0,
        len(headers) - 1,
        f"SỔ HỘ GIA ĐÌNH TOÀN {w['CHA']} – {period.words} ({len(merged)} hộ)",
        f["title"],
    )
    for c, h in enumerate(headers):
        ws.write_string(2, c, cell_text(h), f["head"])
    ws.set_column(0, 0, 10)
    for c, x in enumerate(fields, 1):
        ws.set_column(c, c, x.width)
    for r, rec in enumerate(merged.to_dict("records"), 3):
        ws.write_string(r, 0, str(rec["ten_khom"]), f["text"])
        for c, x in enumerate(fields, 1):
            v = rec.get(x.code)
            if isinstance(v, bool):
                ws.write_string(r, c, "x" if v else "", f["num"])
            elif isinstance(v, int | float) and not pd.isna(v):
                ws.write_number(r, c, v, f["num"])
            else:
                text = "" if v is None or (isinstance(v, float)) else cell_text(str(v))
                ws.write_string(r, c, text, f["text"])
        for c, name in enumerate(extra, 1 + len(fields)):
            v = rec.get(name)
            text = "" if v is None or isinstance(v, float) else cell_text(str(v))
            ws.write_string(r, c, text, f["text"])
    ws.autofilter(2, 0, max(3, 2 + len(merged)), len(headers) - 1)
    _setup(ws, 2, landscape=True)
