"""Rules over parsed tables: pure functions, no files.

`parse` already reported every cell that could not be read; these rules look at combinations
of values inside one workbook, across the workbooks of a run, and across sources.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from itertools import compress, repeat
from typing import Any

import pandas as pd

from . import catalog
from .findings import Finding
from .parse import BAD, ROW, Parsed, Table
from .spec import HOUSEHOLDS as HOUSEHOLD_LIST
from .spec import KHOM_SELF, SERIAL, WORKBOOKS, TableSheet, field
from .values import text

HOUSEHOLDS, AGENCY, UNITS = "Danh sách hộ", "Số liệu ngành", "Đơn vị"


def _typed(value: object) -> str:
    """A cell as the officer typed it; "" for an empty one (None, NaN, blanks)."""
    return (
        "" if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)) else text(value)
    )


def _place(rec: Mapping[str, Any], with_row: bool = True) -> str:
    """`STT 4 (dòng 7)`: a list row by the STT the officer sees in the sheet's declared serial
    column (as typed, even renumbered), the sheet row kept to find it; `dòng 7` without STT."""
    stt, r = _typed(rec.get(SERIAL)), int(rec[ROW])
    if not stt:
        return f"dòng {r}"
    return f"STT {stt} (dòng {r})" if with_row else f"STT {stt}"


def _places(recs: Sequence[Mapping[str, Any]]) -> str:
    """`STT 3 (dòng 6) và STT 5 (dòng 8)`: several rows of one list, as a Vietnamese list."""
    return _join([_place(rec) for rec in recs])


def _of(rec: Mapping[str, Any], unit: str) -> str:
    """`hộ STT 4 (dòng 7), Nguyễn Văn B của khóm K2`: a household of another file."""
    head = _typed(rec.get("chu_ho"))
    return f"hộ {_place(rec)}" + (f", {head}" if head else "") + f" của {unit}"


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} và {items[-1]}"


def _named(rec: Mapping[str, Any], sheet: TableSheet = HOUSEHOLD_LIST) -> str:
    """`STT 4, Mã hộ 0007, Nguyễn Văn A`: one record by its STT (else its row) and the keys the
    sheet declares, the first with its label."""
    words = {**catalog.DEFAULT_WORDS, **catalog.current_words()}
    parts = [_place(rec, with_row=False)]
    for i, code in enumerate(sheet.record_keys):
        if value := _typed(rec.get(code)):
            label = field(sheet, code).label.format_map(words)
            parts.append(f"{label} {value}" if i == 0 else value)
    return ", ".join(parts)


def duplicates(
    table: Table, code: str, label: str, file: str, rule: str, **extra: object
) -> list[Finding]:
    """Every occurrence of a repeated value, each naming all the rows it is on."""
    df = table.frame
    if df.empty or code not in df:
        return []
    keys = df[code].dropna().map(str)
    keys = keys[keys != ""]
    repeated = keys[keys.duplicated(keep=False)]
    if repeated.empty:  # the usual case: no group to look at
        return []
    out = []
    for key, group in df.loc[repeated.index].groupby(repeated, sort=False):
        rows = [int(r) for r in group[ROW]]
        where = _places(group.to_dict("records"))
        for r in rows:
            out.append(
                catalog.make(
                    rule,
                    file=file,
                    sheet=table.sheet,
                    cell=table.ref(code, r),
                    row=r,
                    value=key,
                    label=label,
                    key=key,
                    places=where,
                    problem=f"lặp lại ở {where}",
                    **extra,
                )
            )
    return out


def validate_households(p: Parsed) -> list[Finding]:
    table = p.tables.get(HOUSEHOLDS)
    if table is None or table.frame.empty:
        return []
    df, out = table.frame, []

    def each(mask: pd.Series, rule: str, col: str, uses: tuple[str, ...], **params: object) -> None:
        """One finding per household where `mask` holds, placed on column `col`. A household
        whose `uses` cells could not be read already has its finding: no second guess here."""
        mask = mask.fillna(False).astype(bool)
        if not mask.to_numpy().any():  # the usual case: not even a copy of the rows
            return
        hit = df[mask]
        wanted = set(uses)
        for _, rec in hit[hit[BAD].map(wanted.isdisjoint).astype(bool)].iterrows():
            r = int(rec[ROW])
            out.append(
                catalog.make(
                    rule,
                    file=p.file,
                    sheet=table.sheet,
                    cell=table.ref(col, r),
                    row=r,
                    key=_named(rec),
                    value=rec[col],
                    khom=p.khom,
                    **params,
                )
            )

    dat, dk, vp = df["dat_gdvh"].astype(bool), df["dk_gdvh"].astype(bool), df["vi_pham"]
    each(dat & ~dk, "R07", "dk_gdvh", ("dat_gdvh", "dk_gdvh"))
    each(dat & vp.astype(bool), "R08", "dat_gdvh", ("dat_gdvh", "vi_pham"))
    years = pd.to_numeric(df["nam_lien_tuc"], errors="coerce").fillna(0)
    each(
        (years > 0) & ~dat,
        "R09",
        "nam_lien_tuc",
        ("dat_gdvh", "nam_lien_tuc"),
        problem="có số năm liên tục đạt GĐVH nhưng năm nay không Đạt GĐVH",
    )
    each(
        (years == 0) & dat,
        "R09",
        "nam_lien_tuc",
        ("dat_gdvh", "nam_lien_tuc"),
        problem="Đạt GĐVH nhưng số năm liên tục là 0 (ít nhất phải là 1)",
    )
    each(
        df["gd_hoc_tap"].astype(bool) & ~dat,
        "R10",
        "gd_hoc_tap",
        ("gd_hoc_tap", "dat_gdvh"),
        label="Gia đình học tập",
    )
    each(
        df["gd_the_thao"].astype(bool) & ~dat,
        "R10",
        "gd_the_thao",
        ("gd_the_thao", "dat_gdvh"),
        label="Gia đình thể thao",
    )
    out += _same_head_and_address(table, p)
    return [replace(f, khom=p.khom) for f in out]


def _same_head_and_address(table: Table, p: Parsed) -> list[Finding]:
    df = table.frame
    named = (df["chu_ho"].notna() & df["dia_chi"].notna() & (df["dia_chi"] != "")).to_numpy()
    if not named.any():
        return []
    where = named.nonzero()[0]
    # Plain strings, not a Series' `.str`: 800 keys cost less than the pandas calls around them.
    heads, places = df["chu_ho"].to_numpy()[where], df["dia_chi"].to_numpy()[where]
    keys = [f"{str(h).casefold()}|{str(a).casefold()}" for h, a in zip(heads, places, strict=True)]
    # Only the few rows whose key repeats are looked at one by one.
    count = Counter(keys)
    repeated = [i for i, k in enumerate(keys) if count[k] > 1]
    if not repeated:
        return []
    named = df.iloc[where[repeated]]
    key = pd.Series([keys[i] for i in repeated], index=named.index)
    out = []
    ma_label = field(HOUSEHOLD_LIST, "ma_ho").label
    for _, group in named.groupby(key, sort=False):
        if group["ma_ho"].nunique() < 2:
            continue
        for _, rec in group.iterrows():
            others = [
                f"hộ {_place(o)}" + (f" có {ma_label} {ma}" if (ma := _typed(o["ma_ho"])) else "")
                for _, o in group.iterrows()
                if o["ma_ho"] != rec["ma_ho"]
            ]
            r = int(rec[ROW])
            out.append(
                catalog.make(
                    "R11",
                    file=p.file,
                    sheet=table.sheet,
                    cell=table.ref("ma_ho", r),
                    row=r,
                    value=rec["ma_ho"],
                    key=_named(rec),
                    other=_join(others),
                )
            )
    return out


def _sheet_name(p: Parsed, declared: str) -> str:
    """The sheet `declared` (in the spec's usual words) as the workbook's own words name it."""
    usual = [s.name for s in WORKBOOKS[p.kind].sheets] if p.kind else []
    if p.spec is not None and declared in usual:
        return p.spec.sheets[usual.index(declared)].name
    return declared


def validate_ward(p: Parsed) -> list[Finding]:
    out: list[Finding] = []
    units = p.tables.get(UNITS)
    if units is not None and not units.frame.empty:
        df = units.frame
        for _, rec in df[df.dat_vh.astype(bool) & ~df.dk_vh.astype(bool)].iterrows():
            r = int(rec[ROW])
            out.append(
                catalog.make(
                    "P05",
                    file=p.file,
                    sheet=units.sheet,
                    cell=units.ref("dk_vh", r),
                    row=r,
                    key=rec.ten,
                    problem="Đạt chuẩn văn hóa nhưng không Đăng ký",
                )
            )
    return out


def spec_checks(p: Parsed) -> list[Finding]:
    """What the spec declares of every list: `unique` values never repeat (its `repeat_rule`),
    a field never over its `not_above` (its `above_rule`)."""
    wb = p.spec or (WORKBOOKS[p.kind] if p.kind else None)
    out: list[Finding] = []
    for sheet in wb.sheets if wb else ():
        table = p.tables.get(_usual_name(p, sheet.name))
        if not isinstance(sheet, TableSheet) or table is None or table.frame.empty:
            continue
        labels = {f.code: f.label for f in sheet.fields}
        for code in sheet.unique:
            out += duplicates(table, code, labels[code], p.file, sheet.repeat_rule)
        df = table.frame
        for f in sheet.fields:
            if f.not_above is None or f.code not in df or f.not_above not in df:
                continue
            value = pd.to_numeric(df[f.code], errors="coerce")
            limit = pd.to_numeric(df[f.not_above], errors="coerce")
            for _, rec in df[value > limit].iterrows():
                r = int(rec[ROW])
                out.append(
                    catalog.make(
                        sheet.above_rule,
                        file=p.file,
                        sheet=table.sheet,
                        cell=table.ref(f.code, r),
                        row=r,
                        value=rec[f.code],
                        key=rec[sheet.record_keys[0]],
                        found=rec[f.code],
                        limit=rec[f.not_above],
                    )
                )
    return out


def _usual_name(p: Parsed, name: str) -> str:
    """A sheet's name in the spec's usual words (how `Parsed.tables` keys it)."""
    if p.spec is None or p.kind is None:
        return name
    usual = [s.name for s in WORKBOOKS[p.kind].sheets]
    worded = [s.name for s in p.spec.sheets]
    return usual[worded.index(name)] if name in worded else name


def validate_workbook(p: Parsed) -> list[Finding]:
    """Everything one workbook can be checked for on its own."""
    if p.kind is None:
        return []
    own = validate_households(p) if p.kind.value == "khom" else validate_ward(p)
    return spec_checks(p) + own


def cross_khom(parsed: Sequence[Parsed]) -> list[Finding]:
    """R06: a Mã hộ in two khóm's workbooks (both files named)."""
    owners: list[Parsed] = []  # the workbook of each code below
    codes: list[str] = []
    rows: list[object] = []
    for p in parsed:
        t = p.tables.get(HOUSEHOLDS)
        if t is None:
            continue
        # Plain columns, each step a pass in C: a province's register is a million codes,
        # and only the few that repeat are looked at one by one.
        ma = t.frame["ma_ho"].tolist()
        given = list(map(bool, ma))  # an empty code is no code
        codes += map(str, compress(ma, given))
        rows += compress(t.frame[ROW].tolist(), given)
        owners += repeat(p, sum(given))
    if len(set(codes)) == len(codes):  # the usual case: every code once
        return []
    repeated = pd.Series(codes, dtype=object).duplicated(keep=False).to_numpy().nonzero()[0]
    seen: dict[str, list[tuple[Parsed, int]]] = {}
    for i in repeated.tolist():
        seen.setdefault(codes[i], []).append((owners[i], int(rows[i])))
    out = []
    by_row: dict[int, pd.DataFrame] = {}

    def at(q: Parsed, s: int) -> pd.Series:
        """The household on sheet row `s` of `q`: each file indexed once, only on a conflict."""
        if id(q) not in by_row:
            by_row[id(q)] = q.tables[HOUSEHOLDS].frame.set_index(ROW, drop=False)
        return by_row[id(q)].loc[s]

    con = catalog.current_words()["con"]
    for ma, places in seen.items():
        if len({p.khom for p, _ in places}) < 2:
            continue  # copies of one khóm are I01/I02's business, not a conflict
        for p, r in places:
            others = [(q, s) for q, s in places if q.khom != p.khom]
            t = p.tables[HOUSEHOLDS]
            out.append(
                catalog.make(
                    "R06",
                    file=p.file,
                    sheet=t.sheet,
                    cell=t.ref("ma_ho", r),
                    row=r,
                    value=ma,
                    khom=p.khom,
                    key=_named(at(p, r)),
                    other=", ".join(q.file for q, _ in others),
                    other_place=_join([_of(at(q, s), f"{con} {q.khom}") for q, s in others]),
                )
            )
    return out


def cross_source(
    khom: Sequence[Parsed], ward: Parsed | None, khom_codes: Sequence[str]
) -> list[Finding]:
    """P02, P03, P04: what the agencies report against what the khóm says."""
    if ward is None or AGENCY not in ward.tables:
        return []
    agency = ward.tables[AGENCY]
    rows = {str(rec["ma_khom"]): rec for rec in agency.frame.to_dict("records") if rec["ma_khom"]}
    out = []
    for code in khom_codes:
        if code not in rows:
            out.append(catalog.make("P02", file=ward.file, sheet=agency.sheet, key=code))
    for p in khom:
        rec = rows.get(p.khom)
        if rec is None:
            continue
        hh = p.households()
        r = int(rec[ROW])
        for col, choice, label in (
            ("ho_ngheo", "Nghèo", "số hộ nghèo"),
            ("ho_can_ngheo", "Cận nghèo", "số hộ cận nghèo"),
        ):
            agency_n = rec[col]
            register_n = int((hh["ngheo"] == choice).sum()) if not hh.empty else 0
            if agency_n is not None and not pd.isna(agency_n) and int(agency_n) != register_n:
                out.append(
                    catalog.make(
                        "P03",
                        file=ward.file,
                        sheet=agency.sheet,
                        cell=agency.ref(col, r),
                        row=r,
                        value=agency_n,
                        khom=p.khom,
                        key=p.khom,
                        label=label,
                        agency=int(agency_n),
                        register=register_n,
                    )
                )
        if p.values.get("ANTT") is True and rec["antt"] is False:
            cell = p.cells.get("ANTT")
            out.append(
                catalog.make(
                    "P04",
                    file=p.file,
                    sheet=cell.sheet if cell else _sheet_name(p, KHOM_SELF.name),
                    cell=cell.ref if cell else "",
                    row=cell.row if cell else None,
                    value="x",
                    khom=p.khom,
                    key=p.khom,
                )
            )
    return out
