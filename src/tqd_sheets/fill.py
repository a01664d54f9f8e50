"""Fill a generated blank the way an officer does in Excel: type into the yellow cells, save.

Used to make the shipped sample workbooks and by the end-to-end tests. Cells are found by
label and header text, as the reader finds them, so filling never depends on fixed positions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import openpyxl

from .spec import norm


def _find(ws, text: str, max_rows: int = 15) -> tuple[int, int]:
    key = norm(text)
    for row in ws.iter_rows(min_row=1, max_row=max_rows):
        for cell in row:
            if isinstance(cell.value, str) and norm(cell.value) == key:
                return cell.row, cell.column
    raise KeyError(f"'{text}' not found on sheet {ws.title}")


def _header(ws, row: int) -> dict[str, int]:
    return {norm(c.value): c.column for c in ws[row] if isinstance(c.value, str)}


def fill(
    template: Path,
    out: Path,
    labels: Mapping[str, object] | None = None,
    tables: Mapping[str, Sequence[Mapping[str, object]]] | None = None,
    codes: Mapping[str, Mapping[str, object]] | None = None,
    label_sheet: str = "Thông tin",
) -> Path:
    """`labels`: Thông tin label → value; `tables`: sheet → rows of header → value;
    `codes`: sheet → code → value. A value None clears the cell."""
    wb = openpyxl.load_workbook(template)
    if labels:
        ws = wb[label_sheet]
        hr, lc = _find(ws, "Nội dung")
        vc = _header(ws, hr)[norm("Giá trị")]
        rows = {norm(ws.cell(r, lc).value or ""): r for r in range(hr + 1, ws.max_row + 1)}
        for label, value in labels.items():
            ws.cell(rows[norm(label)], vc).value = value
    for sheet, records in (tables or {}).items():
        ws = wb[sheet]
        headers = set().union(*(r.keys() for r in records)) if records else set()
        hr = next(_find(ws, h)[0] for h in headers) if headers else 0
        cols = _header(ws, hr) if hr else {}
        for i, rec in enumerate(records):
            for h, value in rec.items():
                ws.cell(hr + 1 + i, cols[norm(h)]).value = value
    for sheet, values in (codes or {}).items():
        ws = wb[sheet]
        hr, cc = _find(ws, "Mã")
        vc = _header(ws, hr)[norm("Giá trị")]
        rows = {str(ws.cell(r, cc).value or "").strip(): r for r in range(hr + 1, ws.max_row + 1)}
        for code, value in values.items():
            ws.cell(rows[code], vc).value = value
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
