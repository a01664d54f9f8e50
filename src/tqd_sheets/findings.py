"""A finding: one problem found in one place, worded for the officer."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "Lỗi"
    WARNING = "Cảnh báo"
    NOTE = "Ghi chú"  # ignored files, other periods: listed, never counted as a problem


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message: str
    file: str = ""
    sheet: str = ""
    cell: str = ""  # A1 reference inside `sheet`, e.g. "I17"; empty when the place is a row or file
    row: int | None = None  # 1-based worksheet row, also set when `cell` is
    value: str = ""
    khom: str = ""

    @property
    def place(self) -> str:
        """`'Danh sách hộ'!I17` as outputs.md writes it."""
        if not self.sheet:
            return ""
        where = self.cell or (f"dòng {self.row}" if self.row else "")
        return f"'{self.sheet}'!{where}" if self.cell else f"'{self.sheet}' {where}".strip()

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple:
        return (self.file, self.sheet, self.row or 0, col_number(self.cell), self.code)


def col_number(cell: str) -> int:
    """`"AB12"` or `"AB"` → 28: the 1-based column of a reference (0 when there is none)."""
    n = 0
    for ch in cell:
        if not ch.isalpha():
            break
        n = n * 26 + ord(ch.upper()) - 64
    return n


def col_letter(index: int) -> str:
    """0-based column index → Excel letters."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row0: int, col0: int) -> str:
    return f"{col_letter(col0)}{row0 + 1}"


def has_errors(findings: list[Finding]) -> bool:
    return any(f.is_error for f in findings)


class Tallied:
    """Counts of a file's `findings` by severity (what the report and the statuses show)."""

    findings: list[Finding]

    @property
    def errors(self) -> int:
        return sum(f.severity is Severity.ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity is Severity.WARNING for f in self.findings)
