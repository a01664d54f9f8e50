"""A child unit's output as a parent's input (levels.md): read it, and the U-family checks.

A parent (a city over its phường/xã, a province over its cities) reads each child's
`BaoCao_P.xlsx` (its `Dữ liệu` sheet and hidden marker) or `DuLieu_P.csv` (same columns, no
marker). Reading is the thin shell; every check is a pure function over the rows, each finding
at the row and cell an officer opens (the `Dữ liệu` row as Excel numbers it, or the CSV line as
Excel shows it when it opens the file: the sheet is then named after the file).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from . import catalog, registry
from .findings import Finding, Severity, col_letter
from .periods import Period
from .read import read_workbook
from .results import DATA_COLUMNS
from .spec import MARKER_SHEET, OUTPUT_KIND, norm

DATA_SHEET = "Dữ liệu"  # the forms' sheet a parent reads (forms.DATA_SHEET)
NUMBERS = ("tu_so", "mau_so", "gia_tri")
ROW = "dong"  # the Excel row (or CSV line) of each record, for findings
# The marker rows a parent relies on, in the order `forms.marker_rows` writes them (row 1…).
MARKER_ROWS = ("loai", "phien_ban", "ky", "ma_don_vi", "cap", "ma_don_vi_cha", "tong_hop")
MARKER_ROWS += ("du_lieu_mau",)
# What every unit's total has once it consolidated at least one child: the register counts, the
# self-assessed figures and the count of children (agency figures may be missing: the roll-up
# leaves out a figure some child lacks).
_REGISTER_OR_OWN = (
    registry.Rows,
    registry.Sum,
    registry.Marked,
    registry.Choice,
    registry.MarkedAtLeast,
    registry.SelfAssessed,
    registry.Expected,
)
REQUIRED = (
    *(i.code for i in registry.INDICATORS if isinstance(i.source, _REGISTER_OR_OWN)),
    "KHOM",
    "KHOM_VMDT",
)
# Tolerance of a stored rate against its fraction: both are doubles written by the tool.
_TOL = 1e-9


@dataclass(frozen=True)
class Where:
    """The file and sheet a child's rows come from, to place findings."""

    file: str
    sheet: str

    def at(self, column: str, row: int | None) -> dict[str, object]:
        cell = f"{col_letter(DATA_COLUMNS.index(column))}{row}" if row else ""
        return {"file": self.file, "sheet": self.sheet, "cell": cell, "row": row}

    def marker(self, key: str) -> dict[str, object]:
        row = MARKER_ROWS.index(key) + 1
        return {"file": self.file, "sheet": MARKER_SHEET, "cell": f"B{row}", "row": row}


@dataclass
class ChildOutput:
    """One child's output as read: its unit, period, `Dữ liệu` rows and marker."""

    path: Path
    where: Where
    rows: pd.DataFrame  # DATA_COLUMNS + `dong`; empty when unreadable
    marker: dict[str, str] = field(default_factory=dict)  # empty for a CSV
    findings: list[Finding] = field(default_factory=list)
    unit: str = ""  # ma_don_vi of the unit whose output this is
    period: Period | None = None
    # `own` as last made, with the rows and unit it was made of: every check and the roll-up
    # ask for it, and filtering the rows each time was a tenth of reading an output.
    _own: tuple[pd.DataFrame, str, pd.DataFrame] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def readable(self) -> bool:
        return bool(self.unit) and not self.rows.empty

    @property
    def own(self) -> pd.DataFrame:
        """The unit's own rows (its totals and breakdowns)."""
        made = self._own
        if made is None or made[0] is not self.rows or made[1] != self.unit:
            made = (self.rows, self.unit, self.rows[self.rows.ma_don_vi == self.unit])
            self._own = made
        return made[2]

    @property
    def cap(self) -> str:
        own = self.own
        return str(own.cap.iloc[0]) if len(own) else self.marker.get("cap", "")

    @property
    def ten(self) -> str:
        own = self.own
        return str(own.ten_don_vi.iloc[0]) if len(own) else self.unit

    @property
    def coverage(self) -> tuple[int, int] | None:
        """(children consolidated, children expected) from the marker, else from the unit's own
        KHOM / KHOM_TONG rows (what a CSV carries), or None when neither says."""
        text = self.marker.get("tong_hop", "")
        parts = text.split("/")
        if len(parts) == 2 and all(p.strip().isdigit() for p in parts):
            return int(parts[0]), int(parts[1])
        got, want = _own_value(self.own, "KHOM"), _own_value(self.own, "KHOM_TONG")
        if math.isnan(got) or math.isnan(want):
            return None
        return int(got), int(want)

    @property
    def complete(self) -> bool:
        c = self.coverage
        return c is None or c[0] >= c[1]

    @property
    def sample(self) -> bool:
        return self.marker.get("du_lieu_mau", "") == "1"

    @property
    def errors(self) -> int:
        return sum(f.severity is Severity.ERROR for f in self.findings)


def _own_value(own: pd.DataFrame, code: str) -> float:
    """The first total (no loại) of `code` among the unit's own rows, else NaN."""
    for c, loai, v in zip(
        own.ma_chi_tieu.tolist(), own.phan_loai.tolist(), own.gia_tri.tolist(), strict=True
    ):
        if c == code and loai == "":
            return float(v)
    return math.nan


class Record(NamedTuple):
    """One `Dữ liệu` row, as the checks read it: plain Python values, no pandas per row."""

    ma_don_vi: str
    ma_don_vi_cha: str
    ma_chi_tieu: str
    phan_loai: str
    tu_so: float
    mau_so: float
    gia_tri: float
    dong: int  # ROW


def records(rows: pd.DataFrame) -> list[Record]:
    """The rows as records, in order (a column at a time: `itertuples` costs ten times as
    much on rows this small)."""
    return list(map(Record._make, zip(*(rows[c].tolist() for c in Record._fields), strict=True)))


# --- reading (the shell) -------------------------------------------------------------------


def is_output_name(path: Path) -> bool:
    """A file a parent may be given: a child's BaoCao workbook or DuLieu CSV."""
    return path.suffix.lower() in (".xlsx", ".xlsm", ".csv")


def other_output(path: Path) -> str:
    """Why a file of a child's outbox that is not its data is passed over, or ""."""
    stem = path.stem.casefold()
    if stem.startswith(("kiemtra_", "danhsach_")) or stem.endswith("_kiem-tra"):
        return "báo cáo kiểm tra hoặc danh sách nội bộ, không phải số liệu tổng hợp"
    return ""


def read_output(path: Path) -> ChildOutput:
    """One child's output, with the findings of reading it (U04, F01); never raises for a
    file's content."""
    if path.suffix.lower() == ".csv":
        where = Where(path.name, path.stem)
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            detail = "tệp CSV không lưu theo mã UTF-8"
            return _unusable(path, where, detail)
        except OSError as exc:
            return _unusable(path, where, f"không đọc được tệp ({exc.strerror or exc})")
        grid: list[list[object]] = [list(r) for r in csv.reader(text.splitlines())]
        out = from_grid(path, where, grid, {})
    else:
        where = Where(path.name, DATA_SHEET)
        raw, findings = read_workbook(path, only={DATA_SHEET})  # the forms are not read
        if raw is None:
            return ChildOutput(path, where, _empty(), findings=findings)
        marker = dict(raw.marker)
        if marker.get("loai") != OUTPUT_KIND:
            found = marker.get("loai", "")
            detail = (
                f"không có dấu hiệu kết quả tổng hợp (sheet ẩn {MARKER_SHEET}, loai = "
                f"{OUTPUT_KIND})" + (f"; tệp là biểu loại «{found}»" if found else "")
            )
            return _unusable(path, where, detail)
        sheet = raw.sheet(DATA_SHEET)
        if sheet is None:
            return _unusable(path, where, f"không có sheet «{DATA_SHEET}»", marker)
        out = from_grid(path, where, [list(r) for r in sheet.rows], marker)
    return out


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=[*DATA_COLUMNS, ROW])


def _unusable(
    path: Path, where: Where, detail: str, marker: dict[str, str] | None = None
) -> ChildOutput:
    f = catalog.make("U04", file=path.name, detail=detail)
    return ChildOutput(path, where, _empty(), marker=marker or {}, findings=[f])


def _text(v: object) -> str:
    if type(v) is str:  # most cells: the same as below, sooner
        return v.strip()
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def from_grid(
    path: Path, where: Where, grid: Sequence[Sequence[object]], marker: Mapping[str, str]
) -> ChildOutput:
    """The child's output from its `Dữ liệu` grid (header in row 1) and marker."""
    out = ChildOutput(path, where, _empty(), marker=dict(marker))
    header = [_text(v) for v in grid[0]] if grid else []
    out.findings += check_columns(header, where)
    if out.findings:
        return out
    records: list[tuple[object, ...]] = []
    bad: list[Finding] = []
    columns = [(col, col in NUMBERS) for col in DATA_COLUMNS]
    for i, line in enumerate(grid[1:], start=2):
        cells = list(line) + [None] * (len(DATA_COLUMNS) - len(line))
        if all(_text(v) == "" for v in cells):
            continue
        rec: list[object] = []
        for (col, is_number), v in zip(columns, cells, strict=False):
            if is_number:
                number = _number(v)
                if number is None:
                    bad.append(catalog.make("U04", detail=f"ô không phải số ({col})", value=v,
                                            **where.at(col, i)))  # fmt: skip
                    number = math.nan
                rec.append(number)
            else:
                rec.append(_text(v))
        rec.append(i)
        records.append(tuple(rec))
    out.findings += bad
    out.rows = pd.DataFrame.from_records(records, columns=[*DATA_COLUMNS, ROW])
    if out.rows.empty:
        out.findings.append(catalog.make("U04", detail="sheet không có dòng số liệu nào",
                                         **where.at("ky", 2)))  # fmt: skip
        return out
    out.unit = marker.get("ma_don_vi", "") or own_unit(out.rows)
    ky = marker.get("ky", "") or _only(out.rows.ky)
    try:
        out.period = Period.parse(ky) if ky else None
    except ValueError:
        out.period = None
    if not out.unit:
        out.findings.append(
            catalog.make(
                "U04",
                detail="không xác định được đơn vị lập (mã đơn vị, mã đơn vị cấp trên)",
                **where.at("ma_don_vi", 2),
            )
        )
    return out


def _number(v: object) -> float | None:
    """A number cell: NaN for empty, None when it holds something that is not a number."""
    if v is None or v == "":
        return math.nan
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    try:
        return float(str(v).strip().replace(",", "."))
    except ValueError:
        return None


def _only(values: pd.Series) -> str:
    found = [v for v in dict.fromkeys(values) if v]
    return str(found[0]) if len(found) == 1 else ""


def own_unit(rows: pd.DataFrame) -> str:
    """The unit whose output the rows are: the one code that is the parent of other rows in
    the file (its children's), else the only code there is."""
    codes = set(rows.ma_don_vi)
    parents = [c for c in dict.fromkeys(rows.ma_don_vi_cha) if c in codes]
    if len(parents) == 1:
        return str(parents[0])
    return _only(rows.ma_don_vi) if not parents else ""


# --- the U checks (pure) -------------------------------------------------------------------


def check_columns(header: Sequence[str], where: Where) -> list[Finding]:
    """U04: the `Dữ liệu` columns, in order."""
    got = [norm(h) for h in header[: len(DATA_COLUMNS)]]
    if got == [norm(c) for c in DATA_COLUMNS]:
        return []
    detail = f"dòng tiêu đề phải là {', '.join(DATA_COLUMNS)}"
    shown = ", ".join(h for h in header if h)
    return [catalog.make("U04", detail=detail, value=shown, **where.at("ky", 1))]


def check_known(
    unit: str, unit_name: str, expected: Mapping[str, str], period: Period, where: Where,
    row: int | None,
) -> list[Finding]:  # fmt: skip
    """U01: the unit is a child this configuration expects in `period` (code → name)."""
    if unit in expected:
        return []
    codes = ", ".join(f"{c} ({n})" for c, n in expected.items())
    return [
        catalog.make(
            "U01", unit=f"{unit} ({unit_name})", ky=period.words, codes=codes, value=unit,
            **where.at("ma_don_vi", row),
        )
    ]  # fmt: skip


def check_period(rows: pd.DataFrame, period: Period, where: Where) -> list[Finding]:
    """U02: every row is of the run's period (one finding, at the first row that is not)."""
    for ky, row in zip(rows.ky.tolist(), rows[ROW].tolist(), strict=True):
        if ky != period.id:
            return [
                catalog.make(
                    "U02", found=str(ky) or "(trống)", run=period.id, value=ky,
                    **where.at("ky", int(row)),
                )
            ]  # fmt: skip
    return []


def check_required(rows: pd.DataFrame, unit: str, where: Where) -> list[Finding]:
    """U04: the unit's total has every figure the forms need (once it has any child)."""
    own = [r for r in records(rows) if r.ma_don_vi == unit and r.phan_loai == ""]
    have = {r.ma_chi_tieu for r in own}
    got = next((float(r.gia_tri) for r in own if r.ma_chi_tieu == "KHOM"), math.nan)
    if not math.isnan(got) and got == 0:
        return []  # nothing consolidated below: the unit's incompleteness says it (U07)
    missing = [c for c in REQUIRED if c not in have]
    if not missing:
        return []
    row = int(own[-1].dong) + 1 if own else 2
    detail = f"thiếu chỉ tiêu {', '.join(missing)} của đơn vị {unit}"
    return [catalog.make("U04", detail=detail, **where.at("ma_chi_tieu", row))]


def check_sample(marker: Mapping[str, str], unit: str, where: Where) -> list[Finding]:
    """U06: the child consolidated the shipped sample workbooks."""
    if marker.get("du_lieu_mau", "") != "1":
        return []
    return [catalog.make("U06", key=unit, value="1", **where.marker("du_lieu_mau"))]


def check_complete(child: ChildOutput) -> list[Finding]:
    """U07: the child's own run lacked some of its children (marker `tong_hop`, else its own
    KHOM < KHOM_TONG)."""
    c = child.coverage
    if c is None or c[0] >= c[1]:
        return []
    detail = f"chỉ tổng hợp {c[0]}/{c[1]} đơn vị cấp dưới"
    if child.marker.get("tong_hop"):
        place = child.where.marker("tong_hop")
        value = child.marker["tong_hop"]
    else:
        own = child.own
        hit = own[(own.ma_chi_tieu == "KHOM") & (own.phan_loai == "")]
        place = child.where.at("gia_tri", int(hit[ROW].iloc[0]) if len(hit) else None)
        value = f"{c[0]}/{c[1]}"
    return [catalog.make("U07", key=child.unit, detail=detail, value=value, **place)]


def check_consistency(rows: pd.DataFrame, unit: str, where: Where) -> list[Finding]:
    """U03: every figure agrees with itself and with the unit's children — a rate equals its
    fraction and its parts equal the unit's counts, a count is whole, not negative and its
    own tu_so, a total equals the sum of its children's rows (where every child has the figure)
    and of its breakdown by loại. One finding per cell."""
    found: dict[str, Finding] = {}

    def flag(r: Record, column: str, detail: str) -> None:
        place = where.at(column, int(r.dong))
        if place["cell"] not in found:
            who = f"{r.ma_don_vi} {r.ma_chi_tieu}" + (f" ({r.phan_loai})" if r.phan_loai else "")
            found[str(place["cell"])] = catalog.make(
                "U03", detail=f"{who}: {detail}", value=getattr(r, column), **place
            )

    recs = records(rows)
    counts: dict[tuple[str, str, str], float] = {}
    for r in recs:
        ind = registry.BY_CODE.get(str(r.ma_chi_tieu))
        if ind is None:
            continue
        tu, mau, v = float(r.tu_so), float(r.mau_so), float(r.gia_tri)
        if ind.is_rate:
            want = tu / mau if mau else math.nan
            if not _same(v, want):
                flag(r, "gia_tri", f"tỷ lệ {_fmt(v)} khác tu_so/mau_so = {_fmt(want)}")
            continue
        if math.isnan(v) or v < 0 or not v.is_integer():
            flag(r, "gia_tri", "số đếm phải là số nguyên không âm")
        elif not _same(v, tu):
            flag(r, "gia_tri", f"gia_tri {_fmt(v)} khác tu_so {_fmt(tu)}")
        else:
            counts[(str(r.ma_don_vi), str(r.ma_chi_tieu), str(r.phan_loai))] = v
    for r in recs:
        parts = registry.RATES.get(str(r.ma_chi_tieu))
        key = (str(r.ma_don_vi), str(r.phan_loai))
        if parts is None:
            continue
        for column, code in zip(("tu_so", "mau_so"), parts, strict=True):
            have = counts.get((*key[:1], code, key[1]))
            got = float(getattr(r, column))
            if have is not None and not _same(got, have):
                flag(r, column, f"{column} {_fmt(got)} khác {code} = {_fmt(have)}")
    totals = [r for r in recs if r.ma_don_vi == unit and r.phan_loai == ""]
    kids = [
        r for r in recs if r.ma_don_vi_cha == unit and r.ma_don_vi != unit and r.phan_loai == ""
    ]
    kid_units = list(dict.fromkeys(r.ma_don_vi for r in kids))
    # Who has each figure, grouped once: a filter per total row made this quadratic.
    kids_of: dict[str, list[str]] = {}
    for r in kids:
        kids_of.setdefault(str(r.ma_chi_tieu), []).append(str(r.ma_don_vi))
    loai_of: dict[str, list[str]] = {}
    for r in recs:
        if r.ma_don_vi == unit and r.phan_loai != "":
            loai_of.setdefault(str(r.ma_chi_tieu), []).append(str(r.phan_loai))
    for r in totals:
        code = str(r.ma_chi_tieu)
        ind = registry.BY_CODE.get(code)
        if ind is None or ind.is_rate or (unit, code, "") not in counts:
            continue
        mine = kids_of.get(code, [])
        if kid_units and set(mine) == set(kid_units):
            s = sum(counts.get((k, code, ""), math.nan) for k in mine)
            # A child's figure already flagged (NaN here) is its own finding, not the total's.
            if not math.isnan(s) and not _same(counts[(unit, code, "")], s):
                flag(r, "gia_tri", f"tổng khác tổng các đơn vị cấp dưới ({_fmt(s)})")
        by_loai = loai_of.get(code, [])
        if by_loai:
            s = sum(counts.get((unit, code, p), math.nan) for p in by_loai)
            if not math.isnan(s) and not _same(counts[(unit, code, "")], s):
                flag(r, "gia_tri", f"tổng khác tổng theo loại đơn vị ({_fmt(s)})")
    return sorted(found.values(), key=Finding.sort_key)


def _same(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= _TOL * max(1.0, abs(a), abs(b))


def _fmt(x: float) -> str:
    if math.isnan(x):
        return "(trống)"
    return str(int(x)) if float(x).is_integer() else f"{x:.6g}"


def check_in_run(
    child: ChildOutput, expected: Mapping[str, str], period: Period | None
) -> list[Finding]:
    """The U checks against a run: the unit is expected (U01) and of its period (U02).
    `period` None: checked alone (`tqd-sheets check`), with no run's period to compare."""
    if not child.readable or period is None:
        return []
    first = child.own[ROW].iloc[0] if len(child.own) else None
    return [
        *check_known(
            child.unit, child.ten, expected, period, child.where, int(first) if first else None
        ),
        *check_period(child.rows, period, child.where),
    ]


def check_alone(child: ChildOutput) -> list[Finding]:
    """The U checks of the output on its own, whatever run reads it (U03, U04, U06, U07)."""
    if not child.readable:
        return []
    return [
        *check_required(child.rows, child.unit, child.where),
        *check_consistency(child.rows, child.unit, child.where),
        *check_sample(child.marker, child.unit, child.where),
        *check_complete(child),
    ]
