"""Raw sheets → typed tables, driven by the spec; every unreadable cell becomes a finding.

Sheets are found by name, label rows by their label, columns by their header text — never by
position — so inserted title rows, reordered and extra columns all read the same.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from . import catalog, values
from .findings import Finding, Severity, a1, col_letter
from .periods import KY_LABELS
from .read import RawSheet, RawWorkbook
from .spec import (
    HELP_SHEET,
    HOUSEHOLDS,
    MARKER_SHEET,
    SAMPLE_NOTE,
    SERIAL,
    TEMPLATE_VERSION,
    WORKBOOKS,
    CodeSheet,
    Field,
    Kind,
    LabelSheet,
    Need,
    TableSheet,
    VType,
    WorkbookSpec,
    loose,
    norm,
    variants,
)

YEARLY = KY_LABELS[-1]  # `Năm`
ROW = "_row"  # column holding the 1-based worksheet row of each record
BAD = "_bad"  # column holding the codes of the record's cells that could not be read


@dataclass(frozen=True)
class Cell:
    """Where a value was read: sheet and A1 address."""

    sheet: str
    ref: str
    row: int


@dataclass
class Table:
    """A parsed list sheet: one row per record, spec codes as columns, plus `_row`."""

    sheet: str
    frame: pd.DataFrame
    columns: dict[str, str]  # code → column letter, for cell references
    extra: list[str] = field(default_factory=list)  # headers the officer added
    first_row: int = 0  # 1-based worksheet row of the first data row

    def ref(self, code: str, row: int) -> str:
        return f"{self.columns.get(code, 'A')}{row}"


@dataclass
class Parsed:
    """One workbook read against its spec."""

    file: str
    kind: Kind | None
    version: int | None = None
    values: dict[str, object] = field(default_factory=dict)  # Thông tin and code sheets
    cells: dict[str, Cell] = field(default_factory=dict)  # where each of `values` was read
    tables: dict[str, Table] = field(default_factory=dict)  # by sheet name in the spec
    findings: list[Finding] = field(default_factory=list)
    # The wording the workbook was read in (a khóm's, an ấp's…), None when its kind is unknown.
    spec: WorkbookSpec | None = None

    @property
    def khom(self) -> str:
        return str(self.values.get("ma_khom") or "")

    @property
    def ngay_lap(self) -> date | None:
        v = self.values.get("ngay_lap")
        return v if isinstance(v, date) else None

    @property
    def is_sample(self) -> bool:
        return norm(self.values.get("ghi_chu") or "").startswith(norm(SAMPLE_NOTE))

    @property
    def year(self) -> int | None:
        v = self.values.get("nam")
        return v if isinstance(v, int) else None

    def households(self) -> pd.DataFrame:
        t = self.tables.get("Danh sách hộ")
        return t.frame if t else pd.DataFrame()


def detect_kind(raw: RawWorkbook) -> tuple[Kind | None, int | None]:
    """From the hidden marker, else from which sheets are present (F03)."""
    kind_text = raw.marker.get("loai", "")
    version_text = raw.marker.get("phien_ban", "")
    fits = version_text.isascii() and version_text.isdigit() and len(version_text) <= 6
    version = int(version_text) if fits else None
    for kind in Kind:
        if kind_text == kind.value:
            return kind, version
    for kind in WORKBOOKS:
        for wb in variants(kind):
            if all(raw.sheet(s.name) is not None for s in wb.sheets):
                return kind, None
    return None, None


def _words_found(raw: RawWorkbook, wb: WorkbookSpec, texts: set[str]) -> int:
    """How many of `wb`'s sheet names and labels the workbook holds (`texts`: its labels)."""
    names = sum(raw.sheet(s.name) is not None for s in wb.sheets)
    labels = sum(label in texts for label in _labels(wb))
    return 1000 * names + labels


# Each wording's labels as compared, by the wording's identity: `spec.worded` makes each once,
# and hashing a whole WorkbookSpec costs more than normalising its labels again.
_LABELS: dict[int, tuple[WorkbookSpec, tuple[str, ...]]] = {}


def _labels(wb: WorkbookSpec) -> tuple[str, ...]:
    kept = _LABELS.get(id(wb))
    if kept is None or kept[0] is not wb:
        kept = _LABELS[id(wb)] = (wb, tuple(norm(f.label) for s in wb.sheets for f in s.fields))
    return kept[1]


def _texts(raw: RawWorkbook) -> set[str]:
    """Every text in the first rows of every sheet, compared as labels are: read once for all
    the wordings `choose_spec` weighs."""
    return {
        norm(v)
        for sheet in raw.sheets.values()
        for row in sheet.rows[:60]
        for v in row
        if isinstance(v, str) and v
    }


def choose_spec(raw: RawWorkbook, kind: Kind) -> WorkbookSpec:
    """The wording of `kind` the workbook is in: an ấp's workbook says “Mã ấp” and has a sheet
    “Ấp”. The usual wording (khóm, phường) wins a tie, so a damaged workbook is read as before."""
    texts = _texts(raw)
    found = [(_words_found(raw, wb, texts), -i, wb) for i, wb in enumerate(variants(kind))]
    return max(found, key=lambda t: (t[0], t[1]))[2]


def parse_workbook(raw: RawWorkbook, khom_codes: Sequence[str]) -> Parsed:
    kind, version = detect_kind(raw)
    out = Parsed(raw.name, kind, version)
    if kind is None:
        names = ", ".join(f"“{n}”" for n in raw.sheets if not n.startswith("_")) or "không có"
        out.findings.append(
            catalog.make(
                "F03",
                file=raw.name,
                detail="không có các sheet của biểu đơn vị con hay biểu của đơn vị "
                f"(các sheet hiện có: {names})",
            )
        )
        return out
    if version is not None and version < TEMPLATE_VERSION:
        out.findings.append(
            catalog.make("F04", file=raw.name, found=version, current=TEMPLATE_VERSION)
        )
    spec = choose_spec(raw, kind)
    out.spec = spec
    missing = [s.name for s in spec.sheets if raw.sheet(s.name) is None]
    if missing:
        out.findings.append(
            catalog.make(
                "F03",
                file=raw.name,
                detail="thiếu sheet "
                + ", ".join(f"“{n}”" for n in missing)
                + " (sheet bị đổi tên hoặc bị xóa?)",
                fix="Đặt lại đúng tên sheet như biểu mẫu, "
                "hoặc nhập lại số liệu vào biểu mẫu trống.",
            )
        )
    for sheet_spec in spec.sheets:
        sheet = raw.sheet(sheet_spec.name)
        if sheet is None:
            continue
        if isinstance(sheet_spec, LabelSheet):
            _parse_labels(out, sheet, sheet_spec, khom_codes)
        elif isinstance(sheet_spec, CodeSheet):
            _parse_codes(out, sheet, sheet_spec, khom_codes, spec)
        else:
            _parse_table(out, sheet, sheet_spec, khom_codes)
    _lookalikes(out, raw, spec)
    _empty_register(out)
    return out


def _find_header(sheet: RawSheet, wanted: str, max_rows: int = 15) -> tuple[int, int] | None:
    key = norm(wanted)
    for r, row in enumerate(sheet.rows[:max_rows]):
        for c, v in enumerate(row):
            if isinstance(v, str) and norm(v) == key:
                return r, c
    return None


def _header_columns(sheet: RawSheet, r: int) -> dict[str, int]:
    cols: dict[str, int] = {}
    for c, v in enumerate(sheet.rows[r]):
        if isinstance(v, str) and v.strip():
            cols.setdefault(norm(v), c)
    return cols


# Which rule a problem in a label/code sheet belongs to.
_INFO_RULE = {
    "ma_khom": "H01",
    "nam": "H02",
    "ky": "H02",
    "ngay_lap": "H04",
    "nguoi_lap": "H05",
    "truong_ban": "H05",
}


def _key_value_columns(
    out: Parsed, sheet: RawSheet, key_header: str, value_header: str, offset: int
) -> tuple[int, int, int] | None:
    """Header row, key column and value column of a label or code sheet (F03 if absent)."""
    found = _find_header(sheet, key_header)
    if found is None:
        out.findings.append(
            catalog.make(
                "F03",
                file=out.file,
                sheet=sheet.name,
                detail=f"sheet “{sheet.name}” không có cột “{key_header}”",
            )
        )
        return None
    hr, key_col = found
    return hr, key_col, _header_columns(sheet, hr).get(norm(value_header), key_col + offset)


def _parse_labels(
    out: Parsed, sheet: RawSheet, spec: LabelSheet, khom_codes: Sequence[str]
) -> None:
    located = _key_value_columns(out, sheet, spec.label_header, spec.value_header, 1)
    if located is None:
        return
    hr, label_col, value_col = located
    by_label = {norm(f.label): f for f in spec.fields}
    seen: set[str] = set()
    for r in range(hr + 1, len(sheet.rows)):
        f = by_label.get(norm(sheet.cell(r, label_col) or ""))
        if f is None or f.code in seen:
            continue
        seen.add(f.code)
        raw = sheet.cell(r, value_col)
        ref = a1(r, value_col)
        out.cells[f.code] = Cell(sheet.name, ref, r + 1)
        if (r, value_col) in sheet.uncomputed:
            out.findings.append(
                catalog.make(
                    "R12", file=out.file, sheet=sheet.name, cell=ref, row=r + 1, label=f.label
                )
            )
            continue
        value, problem = values.parse(raw, f, khom_codes)
        rule = _INFO_RULE.get(f.code)
        if problem or (value is None and f.need is not Need.OPTIONAL):
            _info_finding(out, sheet.name, ref, r + 1, f, raw, problem, khom_codes, rule)
        if value is not None:
            out.values[f.code] = value
    for f in spec.fields:
        if f.code not in seen and f.need is not Need.OPTIONAL:
            _info_finding(
                out,
                sheet.name,
                "",
                None,
                f,
                None,
                None,
                khom_codes,
                _INFO_RULE.get(f.code),
                missing_row=True,
            )


def _info_finding(
    out: Parsed,
    sheet: str,
    ref: str,
    row: int | None,
    f: Field,
    raw: object,
    problem: str | None,
    khom_codes: Sequence[str],
    rule: str | None,
    missing_row: bool = False,
) -> None:
    place = dict(file=out.file, sheet=sheet, cell=ref, row=row, value=raw)
    fix = f"Thêm lại dòng “{f.label}” ở cột Nội dung như biểu mẫu." if missing_row else None
    if rule == "H01":
        out.findings.append(catalog.make("H01", codes=", ".join(khom_codes), fix=fix, **place))
    elif rule == "H02":
        out.findings.append(
            catalog.make("H02", label=f.label, expected=f.describe_type(), fix=fix, **place)
        )
    elif rule == "H04":
        what = "để trống" if raw is None or values.is_blank(raw) else "không phải ngày dd/mm/yyyy"
        out.findings.append(catalog.make("H04", problem=what, fix=fix, **place))
    elif rule == "H05":
        if problem is None:
            out.findings.append(catalog.make("H05", label=f.label, fix=fix, **place))
    else:
        out.findings.append(catalog.make("R03", label=f.label, expected=f.describe_type(), **place))


def _parse_codes(
    out: Parsed, sheet: RawSheet, spec: CodeSheet, khom_codes: Sequence[str], wb: WorkbookSpec
) -> None:
    rule = "K01" if wb.kind is Kind.KHOM else "P06"
    located = _key_value_columns(out, sheet, spec.code_header, spec.value_header, 2)
    if located is None:
        return
    hr, code_col, value_col = located
    by_code = {f.code: f for f in spec.fields}
    seen: set[str] = set()
    for r in range(hr + 1, len(sheet.rows)):
        code = values.text(sheet.cell(r, code_col)).upper()
        f = by_code.get(code)
        if f is None or code in seen:
            continue
        seen.add(code)
        raw = sheet.cell(r, value_col)
        ref = a1(r, value_col)
        out.cells[code] = Cell(sheet.name, ref, r + 1)
        if (r, value_col) in sheet.uncomputed:
            out.findings.append(
                catalog.make(
                    "R12", file=out.file, sheet=sheet.name, cell=ref, row=r + 1, label=f.label
                )
            )
            continue
        value, problem = values.parse(raw, f, khom_codes)
        if value is None and f.type is not VType.MARK and not problem:
            problem = "empty"
        if problem:
            out.findings.append(
                catalog.make(
                    rule,
                    file=out.file,
                    sheet=sheet.name,
                    cell=ref,
                    row=r + 1,
                    value=raw,
                    label=f.label,
                    key=code,
                    problem="để trống" if problem == "empty" else "không hợp lệ",
                    expected=f.describe_type(),
                )
            )
            continue
        out.values[code] = value
    for f in spec.fields:
        if f.code not in seen:
            out.findings.append(
                catalog.make(
                    rule,
                    file=out.file,
                    sheet=sheet.name,
                    label=f.label,
                    key=f.code,
                    problem="không có trong sheet",
                    expected="",
                    fix=f"Thêm lại dòng mã {f.code} ({f.label}) và ghi giá trị, như biểu mẫu.",
                )
            )
    for f in spec.fields:
        limit = f.not_above
        if (
            limit
            and isinstance(out.values.get(f.code), int | float)
            and isinstance(out.values.get(limit), int | float)
            and out.values[f.code] > out.values[limit]
        ):  # type: ignore[operator]
            cell = out.cells[f.code]
            out.findings.append(
                catalog.make(
                    rule,
                    file=out.file,
                    sheet=sheet.name,
                    cell=cell.ref,
                    row=cell.row,
                    value=out.values[f.code],
                    label=f.label,
                    key=f.code,
                    problem=f"lớn hơn {limit} ({out.values[limit]})",
                    expected=f"không lớn hơn {limit}",
                )
            )
            del out.values[f.code]


@dataclass
class _Header:
    """Where a table's header is and which column holds each spec column."""

    row: int  # 0-based row of the header (its upper row when the header has two)
    data: int  # 0-based first data row
    col_of: dict[str, int]  # spec code → 0-based column
    extra: dict[str, int]  # headers matching no spec column (added, or mistyped) → column


def _header_row(sheet: RawSheet, spec: TableSheet) -> tuple[int, int] | None:
    """The row holding the anchor's header, else the row holding most spec headers (at least
    half of them, so a renamed anchor still finds its row): (0-based row, headers found)."""
    keys = {loose(f.label) for f in spec.fields}
    anchor = loose(next(f.label for f in spec.fields if f.code == spec.anchor))
    best: tuple[int, int] | None = None
    for r, row in enumerate(sheet.rows[: spec.header_search_rows]):
        found = {loose(v) for v in row if isinstance(v, str) and v.strip()} & keys
        if anchor in found:
            return r, len(found)
        if 2 * len(found) >= len(keys) and (best is None or len(found) > best[1]):
            best = (r, len(found))
    return best


def _has_data(sheet: RawSheet, c: int, first: int) -> bool:
    return any(
        not values.is_blank(sheet.cell(r, c)) or (r, c) in sheet.uncomputed
        for r in range(first, len(sheet.rows))
    )


def _locate_columns(out: Parsed, sheet: RawSheet, spec: TableSheet, hr: int) -> _Header:
    """Every spec column matched to exactly one column of the header, or a finding: R15 for a
    header read despite its spelling, R16 for a header found twice, R01 for one not found."""
    by_key = {loose(f.label): f for f in spec.fields}
    seen: dict[str, list[tuple[int, int]]] = {}  # code → [(row, col)] of matching header cells
    unmatched: dict[int, str] = {}
    for c, v in enumerate(sheet.rows[hr]):
        if values.is_blank(v):
            continue
        f = by_key.get(loose(values.text(v)))
        if f is None:
            unmatched[c] = values.text(v)
        else:
            seen.setdefault(f.code, []).append((hr, c))
    data = hr + 1
    # A two-row header (`Gia đình văn hóa` merged over `Đăng ký GĐVH` | `Đạt GĐVH`): the row
    # below holds nothing but headers of the columns still missing, data start after it.
    below = [(c, v) for c, v in enumerate(sheet.rows[hr + 1] if hr + 1 < len(sheet.rows) else [])]
    below = [(c, values.text(v)) for c, v in below if not values.is_blank(v)]
    below_fields = [by_key.get(loose(t)) for _, t in below]
    if below and all(f is not None and f.code not in seen for f in below_fields):
        data = hr + 2
        for (c, t), f in zip(below, below_fields, strict=True):
            assert f is not None
            seen.setdefault(f.code, []).append((hr + 1, c))
            group = unmatched.pop(c, "") or _group_over(sheet, hr, c)
            out.findings.append(
                catalog.make(
                    "R15",
                    file=out.file,
                    sheet=sheet.name,
                    cell=a1(hr + 1, c),
                    row=hr + 2,
                    value=t,
                    label=f.label,
                    problem=f"Tiêu đề hai dòng: “{group}” ở dòng {hr + 1}, “{t}” ở dòng {hr + 2}"
                    if group
                    else f"Tiêu đề “{t}” nằm ở dòng {hr + 2}, dưới dòng tiêu đề {hr + 1}",
                )
            )
        # the group headers above the sub-headers are not columns of their own
        for c in [c for c in unmatched if c in {c for c, _ in below}]:
            del unmatched[c]
        for start, end in sheet.merged:
            if start[0] == hr and any(start[1] <= c <= end[1] for c, _ in below):
                unmatched.pop(start[1], None)
    col_of: dict[str, int] = {}
    for f in spec.fields:
        cells = seen.get(f.code, [])
        if len(cells) > 1:
            filled = [rc for rc in cells if _has_data(sheet, rc[1], data)]
            r, c = (filled or cells)[0]
            col_of[f.code] = c
            others = [rc for rc in cells if rc != (r, c)]
            names = ", ".join(f"cột {col_letter(oc)}" for _, oc in others)
            orow, ocol = others[0]
            out.findings.append(
                catalog.make(
                    "R16",
                    file=out.file,
                    sheet=sheet.name,
                    cell=a1(orow, ocol),
                    row=orow + 1,
                    value=values.text(sheet.cell(orow, ocol)),
                    problem=f"Có {len(cells)} cột cùng tiêu đề “{f.label}” (cột {col_letter(c)}"
                    f" và {names}); chưa biết cột nào là số liệu đúng",
                    fix=f"Giữ lại một cột “{f.label}” với đủ số liệu, xóa cột còn lại ({names}).",
                )
            )
        elif cells:
            r, c = cells[0]
            col_of[f.code] = c
            typed = values.text(sheet.cell(r, c))
            if r == hr and norm(typed) != norm(f.label):
                out.findings.append(
                    catalog.make(
                        "R15",
                        file=out.file,
                        sheet=sheet.name,
                        cell=a1(r, c),
                        row=r + 1,
                        value=typed,
                        label=f.label,
                        problem=f"Tiêu đề “{typed}” viết khác biểu mẫu (“{f.label}”)",
                    )
                )
    return _Header(hr, data, col_of, {t: c for c, t in unmatched.items()})


def _group_over(sheet: RawSheet, hr: int, c: int) -> str:
    """The text of a merged group header above column `c` of row `hr`, if any."""
    for start, end in sheet.merged:
        if start[0] <= hr <= end[0] and start[1] <= c <= end[1]:
            return values.text(sheet.cell(*start))
    return ""


def _parse_table(out: Parsed, sheet: RawSheet, spec: TableSheet, khom_codes: Sequence[str]) -> None:
    anchor = next(f for f in spec.fields if f.code == spec.anchor)
    found = _header_row(sheet, spec)
    if found is None:
        out.findings.append(
            catalog.make(
                "R01",
                file=out.file,
                sheet=sheet.name,
                label=anchor.label,
                fix=f"Dòng tiêu đề phải có ô “{anchor.label}” trong {spec.header_search_rows} dòng "
                "đầu; khôi phục tiêu đề như biểu mẫu.",
            )
        )
        return
    hr, _ = found
    head = _locate_columns(out, sheet, spec, hr)
    col_of, extra = head.col_of, head.extra
    hint = (
        "Các tiêu đề không thuộc biểu mẫu: "
        + ", ".join(f"“{_literal(t)}”" for t in extra)
        + ". Nếu một trong số đó là cột “{label}”, sửa lại tiêu đề đúng như biểu mẫu; nếu không, "
        "thêm lại cột “{label}” (để trống nếu không có số liệu)."
        if extra
        else None
    )
    for f in spec.fields:
        if f.code not in col_of:
            out.findings.append(
                catalog.make(
                    "R01", file=out.file, sheet=sheet.name, row=hr + 1, label=f.label, fix=hint
                )
            )
    frame = _records(out, sheet, spec, head, khom_codes)
    letters = {code: col_letter(c) for code, c in col_of.items()}
    out.tables[spec.name] = Table(sheet.name, frame, letters, list(extra), head.data + 1)
    for r0, c0 in _merged_in(sheet, head.data - 1, col_of.values()):
        out.findings.append(
            catalog.make(
                "R13",
                file=out.file,
                sheet=sheet.name,
                cell=a1(r0, c0),
                row=r0 + 1,
                problem="Ô gộp (Merge) trong vùng số liệu",
            )
        )


def _converter(f: Field, khom_codes: Sequence[str]) -> Callable[[object], values.Parsed]:
    """`values.parse` for field `f`, remembering each distinct cell value: a register's column
    holds a few distinct values (x, 1, 2…) or unique texts, and parsing is what costs. Keyed by
    type too, so 1, 1.0 and True stay apart; a float zero is never remembered, so -0.0 keeps
    its sign."""
    seen: dict[tuple[type, object], values.Parsed] = {}
    if f.type is VType.TEXT:
        return _text_cell

    def convert(raw: object) -> values.Parsed:
        cls = raw.__class__
        if cls is float and not raw:
            return values.parse(raw, f, khom_codes)
        try:
            return seen[cls, raw]
        except KeyError:
            got = seen[cls, raw] = values.parse(raw, f, khom_codes)
            return got
        except TypeError:  # an unhashable cell value: no grid holds one, but never crash
            return values.parse(raw, f, khom_codes)

    return convert


def _text_cell(raw: object) -> values.Parsed:
    """`values.parse` of a text field, without its detours for the usual typed text (names and
    codes are mostly distinct: remembering them would not pay)."""
    if raw.__class__ is str:
        return (unicodedata.normalize("NFC", raw).strip(), None) if raw.strip() else (None, None)
    return (None, None) if values.is_blank(raw) else (values.text(raw), None)


def _filled_rows(rows: list[list[object]], columns: Sequence[int], first: int) -> set[int]:
    """The rows from `first` on with something in one of `columns`: a column at a time, each
    looking only at the rows still empty."""
    pending = range(first, len(rows))
    filled: set[int] = set()
    for c in dict.fromkeys(columns):
        empty = []
        for r in pending:
            row = rows[r]
            v = row[c] if c < len(row) else None
            if v is None or v == "" or (isinstance(v, str) and not v.strip()):
                empty.append(r)
            else:
                filled.add(r)
        pending = empty
        if not pending:
            break
    return filled


def _records(
    out: Parsed, sheet: RawSheet, spec: TableSheet, head: _Header, khom_codes: Sequence[str]
) -> pd.DataFrame:
    """The register's records, column by column: which rows are records, then each spec column
    converted at once. Findings come out as a row-by-row reading would give them: by row, and
    in a row by the spec's column order (an R13 for blank rows before the record after them)."""
    col_of, extra, rows = head.col_of, head.extra, sheet.rows
    absent = frozenset(f.code for f in spec.fields if f.code not in col_of)
    uncomputed: dict[int, set[int]] = {}  # column → 0-based rows of formulas without result
    for r, c in sheet.uncomputed:
        if head.data <= r < len(rows):
            uncomputed.setdefault(c, set()).add(r)
    # A row is a record when anything but the pre-printed STT is in it: a household without
    # Mã hộ and chủ hộ is still a household, and an error at its empty cells. A formula without
    # result counts where its value would be used (R12), not in a free note.
    typed = [c for f in spec.fields if f.code != SERIAL and (c := col_of.get(f.code)) is not None]
    typed += list(extra.values())
    formulas = {c for f in spec.fields if f.used and (c := col_of.get(f.code)) is not None}
    filled = _filled_rows(rows, typed, head.data)
    for c in formulas:
        filled.update(uncomputed.get(c, ()))
    recs = sorted(filled)
    grid = [rows[r] for r in recs]
    at = {r: i for i, r in enumerate(recs)}  # record row → its place in the frame

    def column(c: int) -> list[object]:
        return [row[c] if c < len(row) else None for row in grid]

    # Findings of each record row, in the spec's column order.
    found: dict[int, list[Finding]] = {}
    bad: dict[int, set[str]] = {}  # record row → codes of its cells that could not be read
    data: dict[str, list[object]] = {ROW: [r + 1 for r in recs]}
    anchor_col = col_of.get(spec.anchor)
    for f in spec.fields:
        c = col_of.get(f.code)
        if c is None:
            data[f.code] = [None] * len(recs)
            continue
        cells = column(c)
        results = list(map(_converter(f, khom_codes), cells))
        parsed = [value for value, _ in results]
        unc = uncomputed.get(c, set())
        # The cells to say something of: unreadable, or empty where a value is required.
        if f.need is Need.REQUIRED:
            flagged = [i for i, (value, problem) in enumerate(results) if problem or value is None]
        else:
            flagged = [i for i, (_, problem) in enumerate(results) if problem]
        for i in flagged:
            problem, r = results[i][1], recs[i]
            if r in unc:
                continue  # its R12 below
            if problem:
                bad.setdefault(r, set()).add(f.code)
            found.setdefault(r, []).append(
                _cell_finding(out, sheet, spec, f, r, c, cells[i], problem, anchor_col)
            )
        for i in sorted(at[r] for r in unc if r in at):
            r = recs[i]
            parsed[i] = None
            if f.used:  # a formula without result: unknown where used, harmless in a note
                bad.setdefault(r, set()).add(f.code)
                found.setdefault(r, []).append(
                    catalog.make("R12", label=f.label, **_place(out, sheet, r, c, cells[i]))
                )
        data[f.code] = parsed
    for name, c in extra.items():
        data[name] = [values.text(v) for v in column(c)]
    data[BAD] = [absent | bad[r] if r in bad else absent for r in recs]
    hidden: list[int] = []
    previous: int | None = None
    for r in recs:
        if previous is not None and r > previous + 1:
            out.findings.append(
                catalog.make(
                    "R13",
                    file=out.file,
                    sheet=sheet.name,
                    row=previous + 2,
                    problem=f"Dòng trống giữa danh sách (dòng {_span([previous + 2, r])})"
                    if r > previous + 2
                    else f"Dòng trống giữa danh sách (dòng {previous + 2})",
                )
            )
        previous = r
        if r in sheet.hidden_rows:
            hidden.append(r + 1)
        out.findings += found.get(r, ())
    if hidden:
        out.findings.append(
            catalog.make(
                "R13",
                file=out.file,
                sheet=sheet.name,
                row=hidden[0],
                problem=f"Có {len(hidden)} dòng bị ẩn (dòng {', '.join(map(str, hidden[:10]))}"
                f"{'…' if len(hidden) > 10 else ''}); các hộ ở dòng ẩn vẫn được tính",
                fix="Bỏ ẩn các dòng (Unhide) để kiểm tra; xóa dòng nếu hộ không còn thuộc đơn vị.",
            )
        )
    columns = [ROW, *(f.code for f in spec.fields), *extra, BAD]
    # Tuples through `from_records`, as a row-by-row reading builds it: the same dtype for
    # every column (float for numbers with gaps, bool for marks, object for texts).
    records = list(zip(*(data[k] for k in columns), strict=True))
    return pd.DataFrame.from_records(records, columns=columns)


def _place(out: Parsed, sheet: RawSheet, r: int, c: int, raw: object) -> dict[str, object]:
    return dict(file=out.file, sheet=sheet.name, cell=a1(r, c), row=r + 1, value=raw)


def _cell_finding(
    out: Parsed,
    sheet: RawSheet,
    spec: TableSheet,
    f: Field,
    r: int,
    c: int,
    raw: object,
    problem: str | None,
    anchor_col: int | None,
) -> Finding:
    """The finding for a register cell that could not be read (`problem`) or is required and
    empty: R04 for a mark, the field's own rule (P01, P05), else R03; R02 when empty."""
    place = _place(out, sheet, r, c, raw)
    if problem is None:
        return catalog.make("R02", label=f.label, **place)
    if f.type is VType.MARK:
        return catalog.make("R04", label=f.label, **place)
    if f.rule == "P01":
        return catalog.make(
            "P01", key=values.text(raw), problem="không có trong danh sách đơn vị con", **place
        )
    if f.rule == "P05":
        key = values.text(sheet.cell(r, c if anchor_col is None else anchor_col))
        return catalog.make(
            "P05",
            key=key or f"dòng {r + 1}",
            problem=f"“{f.label}” phải là {f.describe_type()}",
            **place,
        )
    return catalog.make("R03", label=f.label, expected=f.describe_type(), **place)


def _lookalikes(out: Parsed, raw: RawWorkbook, spec: WorkbookSpec) -> None:
    """R16 for a sheet that is not the spec's but has a register's headers (`Danh sách hộ (2)`):
    what an officer typed there would otherwise never be counted."""
    own = {id(raw.sheet(s.name)) for s in spec.sheets}
    for name, sheet in raw.sheets.items():
        if id(sheet) in own or norm(name) in (norm(MARKER_SHEET), norm(HELP_SHEET)):
            continue
        for table in (s for s in spec.sheets if isinstance(s, TableSheet)):
            if raw.sheet(table.name) is None:
                continue  # F03 names the missing sheet; this one may be it renamed
            found = _header_row(sheet, table)
            if found is None or 2 * found[1] < len(table.fields):
                continue
            out.findings.append(
                catalog.make(
                    "R16",
                    file=out.file,
                    sheet=name,
                    row=found[0] + 1,
                    problem=f"Sheet “{name}” có các cột của sheet “{table.name}” nhưng chỉ sheet "
                    f"“{table.name}” được đọc: số liệu ở sheet “{name}” không được tính",
                    fix=f"Chép các dòng của sheet “{_literal(name)}” vào cuối danh sách ở sheet "
                    f"“{table.name}”, rồi xóa sheet “{_literal(name)}”.",
                )
            )
            break


def _empty_register(out: Parsed) -> None:
    """R14: a khóm workbook without households would be consolidated as a khóm of 0 households
    — wrong for the year's report (an error), possible but doubtful for a quarter's."""
    table = out.tables.get(HOUSEHOLDS.name)
    if out.kind is not Kind.KHOM or table is None or not table.frame.empty:
        return
    yearly = out.values.get("ky") in (None, YEARLY)
    anchor = HOUSEHOLDS.anchor
    out.findings.append(
        catalog.make(
            "R14",
            file=out.file,
            sheet=table.sheet,
            cell=table.ref(anchor, table.first_row) if anchor in table.columns else "",
            row=table.first_row,
            severity=Severity.ERROR if yearly else Severity.WARNING,
        )
    )


def _merged_in(sheet: RawSheet, header_row: int, cols) -> list[tuple[int, int]]:
    cols = set(cols)
    return [
        start
        for start, end in sheet.merged
        if start[0] > header_row and any(start[1] <= c <= end[1] for c in cols)
    ]


def _literal(text: str) -> str:
    """Typed text inside a `fix` template: its braces are not placeholders."""
    return text.replace("{", "{{").replace("}", "}}")


def _span(rows: list[int]) -> str:
    return str(rows[0]) if len(rows) == 1 else f"{rows[0]}–{rows[-1]}"
