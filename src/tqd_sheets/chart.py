"""The chart page and the `So sánh` sheet of `BaoCao_P.xlsx`: native Excel charts.

The chart page carries the form header of Nghị định 30/2020 and two charts read from Biểu 01:
the GĐVH rate of each child against the target line, on an axis scaled to the figures (93,8 %
and 94 % must look different), and the households each child still needs to reach the target.
`So sánh` lists every indicator of the unit against the same period last year and draws the
GĐVH rates over every year history holds.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from . import registry
from .findings import a1
from .formpage import FIRST_ROW, Page
from .formspec import CHANGE_FMT, COUNT_FMT, PERCENT, POINTS_FMT, RATE_FMT, SHORT_FMT, Col, Role
from .styles import FONT

if TYPE_CHECKING:
    from .forms import FormLayout, _Renderer

FONT_PROPS = {"name": FONT}
CHART_COLUMNS = tuple(Col(f"C{i}", "", None, 10, Role.LABEL) for i in range(11))
HELPER_COL = 14  # the target line's values, right of the printed area


def axis_bounds(values: list[float], target: float | None) -> tuple[float, float]:
    """A percent axis that shows the differences: from 5 points under the lowest figure
    (rounded down to 5) to 100, or to the highest figure when all are low."""
    shown = [v for v in values if not math.isnan(v)] + ([target] if target is not None else [])
    if not shown:
        return 0.0, 100.0
    low = max(0.0, math.floor((min(shown) - 5) / 5) * 5)
    high = min(100.0, math.ceil((max(shown) + 2) / 5) * 5)
    return low, max(high, low + 5)


def chart_sheet(wb: Workbook, ws: Worksheet, r: _Renderer, l01: FormLayout) -> None:
    results = r.r
    page = Page(ws, r.st, "Biểu đồ", CHART_COLUMNS)
    page.heading(r.heading, "BIỂU ĐỒ KẾT QUẢ XÂY DỰNG GIA ĐÌNH VĂN HÓA")
    first, last = FIRST_ROW, l01.rows[results.ward_code]
    sheet01 = l01.sheet
    ten = l01.columns["TEN"]
    cats = [sheet01, first, ten, last, ten]
    target = r.targets.get("GDVH_DAT_TL")
    # the target line's values, one per category, outside the print area
    ws.write_string(0, HELPER_COL, "Chỉ tiêu (vẽ đường chỉ tiêu)", r.st(italic=True, font_size=10))
    n = last - first + 1
    for i in range(n):
        if target is not None:
            ws.write_number(1 + i, HELPER_COL, target * PERCENT)
    rates = [r.shown(k, "GDVH_DAT_TL") for k in (*results.included, results.ward_code)]
    low, high = axis_bounds([float(x) for x in rates], None if target is None else target * PERCENT)
    chart = wb.add_chart({"type": "column"})
    col = l01.columns["GDVH_DAT_TL"]
    chart.add_series(
        {
            "name": "Tỷ lệ hộ đạt chuẩn GĐVH",
            "categories": cats,
            "values": [sheet01, first, col, last, col],
            "fill": {"color": "#2E75B6"},
            "data_labels": {
                "value": True,
                "num_format": RATE_FMT,
                "font": {"name": FONT, "size": 9},
            },
            "gap": 80,
        }
    )
    if target is not None:
        line = wb.add_chart({"type": "line"})
        line.add_series(
            {
                "name": f"Chỉ tiêu {target * PERCENT:.2f}%".replace(".", ","),
                "categories": cats,
                "values": [ws.name, 1, HELPER_COL, n, HELPER_COL],
                "line": {"color": "#C00000", "width": 2, "dash_type": "dash"},
                "marker": {"type": "none"},
            }
        )
        chart.combine(line)
    _style(chart, r.t("Tỷ lệ hộ đạt chuẩn Gia đình văn hóa theo {con}"), r.unit_word)
    chart.set_y_axis(
        {
            "name": "Tỷ lệ (%)",
            "name_font": FONT_PROPS,
            "min": low,
            "max": high,
            "major_unit": 5 if high - low <= 40 else 10,
            "num_format": '0"%"',
            "num_font": {"name": FONT, "size": 10},
            "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
        }
    )
    chart.set_size({"width": 900, "height": 330})
    ws.insert_chart(FIRST_ROW - 3, 0, chart, {"x_offset": 10})
    last_row = FIRST_ROW + 17
    if "THIEU_GDVH_DAT_TL" in l01.columns and target is not None:
        short = wb.add_chart({"type": "column"})
        col = l01.columns["THIEU_GDVH_DAT_TL"]
        short.add_series(
            {
                "name": "Số hộ đạt GĐVH cần thêm để đạt chỉ tiêu",
                "categories": [sheet01, first, ten, last - 1, ten],
                "values": [sheet01, first, col, last - 1, col],
                "fill": {"color": "#ED7D31"},
                "data_labels": {
                    "value": True,
                    "num_format": SHORT_FMT,
                    "font": {"name": FONT, "size": 9},
                },
                "gap": 80,
            }
        )
        _style(short, r.t("Số hộ đạt GĐVH cần thêm để đạt chỉ tiêu, theo {con}"), r.unit_word)
        short.set_y_axis(
            {
                "name": "Số hộ",
                "name_font": FONT_PROPS,
                "min": 0,
                "num_format": "0",
                "num_font": {"name": FONT, "size": 10},
                "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
            }
        )
        short.set_size({"width": 900, "height": 260})
        ws.insert_chart(FIRST_ROW + 15, 0, short, {"x_offset": 10})
        last_row = FIRST_ROW + 30
    ws.print_area(0, 0, last_row, len(CHART_COLUMNS) - 1)
    ws.fit_to_pages(1, 1)


def _style(chart: Any, title: str, axis: str) -> None:
    chart.set_title({"name": title, "name_font": {"name": FONT, "size": 12, "bold": True}})
    chart.set_x_axis(
        {"name": axis, "name_font": FONT_PROPS, "num_font": {"name": FONT, "size": 10}}
    )
    chart.set_legend({"position": "bottom", "font": {"name": FONT, "size": 10}})


COMPARE_COLUMNS = (
    Col("STT", "STT", None, 5, Role.LABEL),
    Col("TEN", "Chỉ tiêu", None, 44, Role.LABEL),
    Col("KY_NAY", "Kỳ này", None, 16, Role.TEXT),
    Col("TRUOC", "Cùng kỳ năm trước", None, 16, Role.PREVIOUS),
    Col("TANG", "Tăng (+), giảm (−)", None, 20, Role.CHANGE),
)


def compare_sheet(wb: Workbook, ws: Worksheet, r: _Renderer) -> None:
    """Every indicator of the unit: this period, the same period last year, the change; and
    the GĐVH rates of every year history holds as a line chart."""
    results, st = r.r, r.st
    unit = results.ward_code
    page = Page(ws, st, "So sánh", COMPARE_COLUMNS)
    page.heading(r.heading, "SO SÁNH VỚI CÙNG KỲ NĂM TRƯỚC")
    page.table_header({}, r.t)
    row = FIRST_ROW
    for i, ind in enumerate(registry.INDICATORS):
        now, before = r.shown(unit, ind.code), r.previous(unit, ind.code)
        if math.isnan(now) and math.isnan(before):
            continue
        fmt = RATE_FMT if ind.is_rate else COUNT_FMT
        ws.write_number(row, 0, i + 1, st.cell(align="center"))
        ws.write_string(
            row, 1, r.t(ind.name) + (" (%)" if ind.is_rate else ""), st.cell(text_wrap=True)
        )
        for col, x in ((2, now), (3, before)):
            if math.isnan(x):
                ws.write_string(row, col, "—", st.cell(align="center"))
            else:
                ws.write_number(row, col, x, st.number(fmt))
        if math.isnan(now) or math.isnan(before):
            ws.write_string(row, 4, "—", st.cell(align="center"))
        else:
            c, p = a1(row, 2), a1(row, 3)
            ws.write_formula(
                row,
                4,
                f"={c}-{p}",
                st.number(POINTS_FMT if ind.is_rate else CHANGE_FMT),
                now - before,
            )
        row += 1
    last = page.signature(r.heading, row - 1, [r.previous_note()])
    _trend_chart(wb, ws, r, last + 2)


def _trend_chart(wb: Workbook, ws: Worksheet, r: _Renderer, top: int) -> None:
    results, st = r.r, r.st
    trend = results.trend if results.trend is not None else pd.DataFrame()
    codes = ("GDVH_DAT_TL", "GDVH_DK_TL")
    rows: dict[str, dict[str, float]] = {}
    if len(trend):
        mine = trend[(trend.ma_don_vi == results.ward_code) & trend.ma_chi_tieu.isin(codes)]
        for t in mine.itertuples():
            rows.setdefault(str(t.ky), {})[str(t.ma_chi_tieu)] = float(t.gia_tri) * PERCENT
    now = rows.setdefault(results.period.id, {})
    for code in codes:
        now.setdefault(code, r.shown(results.ward_code, code))
    years = sorted(rows)
    head = st(border=1, bold=True, align="center", text_wrap=True, font_size=11)
    ws.write_string(top, 1, "Kỳ", head)
    ws.write_string(top, 2, "Tỷ lệ hộ đạt GĐVH", head)
    ws.write_string(top, 3, "Tỷ lệ hộ đăng ký GĐVH", head)
    ws.set_row(top, 32)
    for i, y in enumerate(years):
        ws.write_string(top + 1 + i, 1, y, st.cell(align="center"))
        for j, code in enumerate(codes):
            x = rows[y].get(code, math.nan)
            if math.isnan(x):
                ws.write_blank(top + 1 + i, 2 + j, None, st.cell())
            else:
                ws.write_number(top + 1 + i, 2 + j, x, st.number(RATE_FMT))
    end = top + len(years)
    chart = wb.add_chart({"type": "line"})
    for j, (_code, name, colour) in enumerate(
        zip(
            codes,
            ("Tỷ lệ hộ đạt GĐVH", "Tỷ lệ hộ đăng ký GĐVH"),
            ("#2E75B6", "#70AD47"),
            strict=True,
        )
    ):
        chart.add_series(
            {
                "name": name,
                "categories": [ws.name, top + 1, 1, end, 1],
                "values": [ws.name, top + 1, 2 + j, end, 2 + j],
                "line": {"color": colour, "width": 2.25},
                "marker": {"type": "circle", "size": 6},
                "data_labels": {
                    "value": True,
                    "num_format": RATE_FMT,
                    "font": {"name": FONT, "size": 9},
                },
            }
        )
    values = [v for y in years for v in rows[y].values() if not math.isnan(v)]
    low, high = axis_bounds(values, None)
    _style(chart, "Tỷ lệ hộ gia đình văn hóa qua các năm", "Kỳ báo cáo")
    chart.set_y_axis(
        {"min": low, "max": high, "num_format": '0"%"', "num_font": {"name": FONT, "size": 10}}
    )
    chart.set_size({"width": 700, "height": 300})
    ws.insert_chart(end + 2, 1, chart)
    ws.print_area(0, 0, end + 18, len(COMPARE_COLUMNS) - 1)
    ws.fit_to_pages(1, 0)
