"""What a BaoCao/KiemTra workbook or the BaoCao report holds, as plain data and one digest per
sheet: cell values and formats, merged ranges, sizes, print setup; the report's paragraphs and
runs. The run's time in the hidden marker and the tool's version are left out (they change
from run to run). `python tests/writers_canon.py` prints the digests of the `many_children`
runs: how `test_writers_same.py`'s frozen digests were computed, by the code before issue 11.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import openpyxl

from tqd_sheets.spec import MARKER_SHEET

VOLATILE = {"thoi_gian", "phien_ban"}  # marker rows that differ between two runs
# The generated runs the frozen digests cover: name → `many_children.make_run` arguments.
VARIANTS: dict[str, dict[str, Any]] = {
    "a": dict(n=40, seed=1),
    "b": dict(
        n=25,
        seed=2,
        missing=0,
        ward_workbook=False,
        history=False,
        sample=True,
        odd_column=True,
    ),
    "c": dict(n=12, seed=3, missing=12),
    "d": dict(n=7, seed=4, missing=1, history=False),
}


def _colour(c: Any) -> Any:
    return None if c is None else (c.rgb if isinstance(c.rgb, str) else f"theme{c.theme}")


def _style(cell: Any) -> list[Any]:
    f, a, b, fill = cell.font, cell.alignment, cell.border, cell.fill
    sides = [s.style if s else None for s in (b.left, b.right, b.top, b.bottom)]
    return [
        f.name,
        f.sz,
        f.b,
        f.i,
        _colour(f.color),
        cell.number_format,
        a.horizontal,
        a.vertical,
        a.wrap_text,
        a.indent,
        sides,
        fill.fill_type,
        _colour(fill.fgColor),
    ]


def _value(v: Any) -> Any:
    return v if isinstance(v, (int, float, str, bool, type(None))) else str(v)


def xlsx_sheets(path: Path) -> dict[str, Any]:
    """Sheet name → everything the sheet shows and how; `"_order"` → the sheets in order."""
    wb = openpyxl.load_workbook(path)
    out: dict[str, Any] = {"_order": wb.sheetnames}
    for ws in wb.worksheets:
        cells = []
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and not c.has_style:
                    continue
                v = c.value
                if (
                    ws.title == MARKER_SHEET
                    and ws.cell(c.row, 1).value in VOLATILE
                    and c.column > 1
                ):
                    v = "<changes>"
                cells.append([c.coordinate, _value(v), _style(c)])
        setup = ws.page_setup
        fit = ws.sheet_properties.pageSetUpPr
        out[ws.title] = {
            "cells": cells,
            "merged": sorted(str(m) for m in ws.merged_cells.ranges),
            "rows": {str(k): v.height for k, v in ws.row_dimensions.items() if v.height},
            "cols": {k: [v.width, v.hidden] for k, v in ws.column_dimensions.items()},
            "state": ws.sheet_state,
            "freeze": str(ws.freeze_panes),
            "filter": str(ws.auto_filter.ref),
            "print": [str(ws.print_area), str(ws.print_title_rows), str(ws.oddFooter.center.text)],
            "page": [setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight],
            "fit": None if fit is None else fit.fitToPage,
            "conditional": sorted(
                json.dumps([str(r.sqref), [(x.type, x.operator, x.formula) for x in r.rules]])
                for r in ws.conditional_formatting
            ),
            "images": len(ws._images) + len(ws._charts),
        }
    return out


def docx_parts(path: Path) -> dict[str, Any]:
    """The report's paragraphs (body, then the header and signature tables) with their runs."""
    import docx

    d = docx.Document(str(path))

    def para(p: Any) -> list[Any]:
        f = p.paragraph_format
        runs = [
            [r.text, r.bold, r.italic, str(r.font.size), r.font.name, str(r.font.highlight_color)]
            for r in p.runs
        ]
        spacing = [str(f.space_before), str(f.space_after), str(f.first_line_indent)]
        return [p.text, p.style.name, str(p.alignment), *spacing, runs]

    tables = [[para(p) for cell in t._cells for p in cell.paragraphs] for t in d.tables]
    return {
        "body": [para(p) for p in d.paragraphs],
        "tables": tables,
        "properties": [d.core_properties.title, d.core_properties.author],
    }


def digest(x: Any) -> str:
    text = json.dumps(x, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def digests(folder: Path) -> dict[str, str]:
    """`BaoCao.xlsx/Biểu 01` → digest, for each sheet of each workbook and the report."""
    out = {}
    for name in ("BaoCao.xlsx", "KiemTra.xlsx"):
        for sheet, content in xlsx_sheets(folder / name).items():
            out[f"{name}/{sheet}"] = digest(content)
    for part, content in docx_parts(folder / "BaoCao.docx").items():
        out[f"BaoCao.docx/{part}"] = digest(content)
    return out


def write_outputs(folder: Path, variant: str) -> None:
    """The three outputs of one generated run, as `outputs.py` writes them."""
    from many_children import make_run
    from tqd_sheets.baocao_docx import write_baocao
    from tqd_sheets.forms import write_forms
    from tqd_sheets.report import write_report

    run = make_run(**VARIANTS[variant])
    folder.mkdir(parents=True, exist_ok=True)
    write_forms(folder / "BaoCao.xlsx", run.results, run.config)
    write_baocao(folder / "BaoCao.docx", run.results, run.config)
    write_report(
        folder / "KiemTra.xlsx",
        run.results,
        deadline=run.deadline,
        received=run.received,
        serials=run.serials,
    )


if __name__ == "__main__":
    import sys
    import tempfile

    sys.path.insert(0, str(Path(__file__).parent))
    with tempfile.TemporaryDirectory() as tmp:
        frozen = {}
        for v in VARIANTS:
            write_outputs(Path(tmp) / v, v)
            frozen[v] = digests(Path(tmp) / v)
    print(json.dumps(frozen, ensure_ascii=False, indent=4))
