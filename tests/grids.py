"""In-memory workbooks (no files) for testing the parser and the rules as pure functions."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tqd_sheets.read import RawSheet, RawWorkbook
from tqd_sheets.spec import HOUSEHOLDS, KHOM_SELF

HEADERS = [f.label for f in HOUSEHOLDS.fields]
KHOM_OK = {
    "NGAY_HOI": "x",
    "QUY_UOC": "x",
    "CD_HOC_TAP": "",
    "ANTT": "x",
    "TT_BUOI": 3.0,
    "TT_LUOT": 120.0,
    "DIEM": 85.0,
    "HOA_GIAI": 4.0,
    "HOA_GIAI_THANH": 3.0,
    "GUONG_TOT": 2.0,
    "KINH_PHI": "1.500.000",
    "XA_HOI_HOA": 500000.0,
}


def household(ma: str, **kw: object) -> dict[str, object]:
    """One register row by header label; defaults describe a registered, đạt household."""
    row: dict[str, object] = {
        "Mã hộ": ma,
        "Họ và tên chủ hộ": f"Chủ hộ {ma}",
        "Tổ": 1.0,
        "Địa chỉ": f"{ma} Hùng Vương",
        "Số nhân khẩu": 4.0,
        "Đăng ký GĐVH": "x",
        "Đạt GĐVH": "x",
        "Số năm liên tục đạt GĐVH": 2.0,
    }
    row.update({k.replace("_", " "): v for k, v in kw.items()})
    return row


def khom_book(
    rows: list[dict[str, object]],
    *,
    info: dict[str, object] | None = None,
    khom: dict[str, object] | None = None,
    headers: list[str] | None = None,
    title_rows: int = 2,
    name: str = "k1.xlsx",
    marker: bool = True,
) -> RawWorkbook:
    """Rows given by header label; the header sits after `title_rows` title rows."""
    headers = headers or HEADERS
    values = {
        "Mã khóm": "K1",
        "Tên khóm": "Khóm 1",
        "Năm": 2020.0,
        "Kỳ báo cáo": "Năm",
        "Người lập biểu": "Lê Thị Lan",
        "Trưởng Ban vận động khóm": "Võ Văn Nam",
        "Ngày lập": date(2020, 12, 15),
    }
    values.update(info or {})
    thong_tin = [["THÔNG TIN CHUNG", "", ""], ["", "", ""], ["Nội dung", "Giá trị", "Hướng dẫn"]]
    thong_tin += [[k, v, ""] for k, v in values.items() if v is not ...]
    grid: list[list[object]] = [["DANH SÁCH"] + [""] * (len(headers) - 1)]
    grid += [[""] * len(headers) for _ in range(title_rows - 1)]
    grid.append(list(headers))
    for r in rows:
        grid.append([r.get(h, "") for h in headers])
    codes = {**KHOM_OK, **(khom or {})}
    khom_rows = [["KHÓM", "", "", ""], ["", "", "", ""], ["Mã", "Nội dung", "Giá trị", ""]]
    khom_rows += [
        [f.code, f.label, codes[f.code], ""]
        for f in KHOM_SELF.fields
        if codes.get(f.code, "") is not ...
    ]
    book = RawWorkbook(Path(name))
    book.sheets = {
        "Thông tin": RawSheet("Thông tin", thong_tin),
        "Danh sách hộ": RawSheet("Danh sách hộ", grid),
        "Khóm": RawSheet("Khóm", khom_rows),
    }
    if marker:
        book.marker = {"loai": "khom", "phien_ban": "1"}
    return book


def col(label: str, headers: list[str] | None = None) -> str:
    """Column letter of a header in the default layout."""
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[(headers or HEADERS).index(label)]
