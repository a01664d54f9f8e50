"""xlsxwriter cell formats by their properties, each created once per workbook.

Every workbook the tool writes is set in Times New Roman, the font of administrative papers.
"""

from __future__ import annotations

from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook

FONT = "Times New Roman"


class Styles:
    def __init__(self, wb: Workbook, **defaults: Any) -> None:
        self.wb = wb
        self.defaults = {"font_name": FONT, **defaults}
        self._cache: dict[tuple, Format] = {}

    def __call__(self, **props: Any) -> Format:
        full = {**self.defaults, **props}
        key = tuple(sorted(full.items()))
        if key not in self._cache:
            self._cache[key] = self.wb.add_format(full)
        return self._cache[key]

    def cell(self, **props: Any) -> Format:
        """A bordered table cell."""
        return self(border=1, **props)
