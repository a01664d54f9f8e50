"""Reporting periods: ids as DHIS2 writes them (`2020Q2`, `2020S1`, `2020`)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

KY_LABELS: tuple[str, ...] = ("Quý I", "Quý II", "Quý III", "Quý IV", "6 tháng", "Năm")
_ROMAN = ("I", "II", "III", "IV")
_PATTERN = re.compile(r"^(\d{4})(?:(Q)([1-4])|(S)(1))?$")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: str  # "Q", "S" or "Y"
    number: int = 0  # quarter 1-4, or 1 for the first half-year

    @classmethod
    def parse(cls, text: str) -> Period:
        m = _PATTERN.match(text.strip().upper())
        if not m:
            raise ValueError(
                f"Kỳ báo cáo '{text}' không hợp lệ: viết 2020 (năm), 2020S1 (6 tháng) "
                "hoặc 2020Q1…2020Q4 (quý)."
            )
        year = int(m.group(1))
        if m.group(2):
            return cls(year, "Q", int(m.group(3)))
        if m.group(4):
            return cls(year, "S", 1)
        return cls(year, "Y", 0)

    @classmethod
    def from_label(cls, year: int, ky_label: str) -> Period:
        """From the template's `Năm` and `Kỳ báo cáo` values."""
        index = KY_LABELS.index(ky_label)
        if index < 4:
            return cls(year, "Q", index + 1)
        if index == 4:
            return cls(year, "S", 1)
        return cls(year, "Y", 0)

    @property
    def id(self) -> str:
        if self.kind == "Q":
            return f"{self.year}Q{self.number}"
        if self.kind == "S":
            return f"{self.year}S1"
        return str(self.year)

    @property
    def ky_label(self) -> str:
        if self.kind == "Q":
            return KY_LABELS[self.number - 1]
        return "6 tháng" if self.kind == "S" else "Năm"

    @property
    def words(self) -> str:
        if self.kind == "Q":
            return f"Quý {_ROMAN[self.number - 1]} năm {self.year}"
        if self.kind == "S":
            return f"6 tháng đầu năm {self.year}"
        return f"Năm {self.year}"

    @property
    def start(self) -> date:
        if self.kind == "Q":
            return date(self.year, 3 * self.number - 2, 1)
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        month = {"Q": 3 * self.number, "S": 6, "Y": 12}[self.kind]
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def is_year(self) -> bool:
        return self.kind == "Y"

    def __str__(self) -> str:
        return self.id
