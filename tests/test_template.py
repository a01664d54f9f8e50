"""The blank workbooks, read back with python-calamine (values) and openpyxl (styles)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from tqd_sheets import spec
from tqd_sheets.catalog import RULES
from tqd_sheets.config import Config, load_config
from tqd_sheets.periods import KY_LABELS, Period
from tqd_sheets.spec import CodeSheet, Kind, LabelSheet, TableSheet, VType
from tqd_sheets.template import (
    RULE_GROUPS,
    generate,
    help_rows,
    khom_template_name,
    ward_template_name,
    write_khom_template,
    write_templates,
    write_ward_template,
)

ROOT = Path(__file__).parents[1]
COMMITTED = ROOT / "templates" / "xlsx"
YEAR = Period.parse("2020")
HEADER_ROW = 3  # 1-based
FIRST = 4
KHOM_SHEETS = ["Hướng dẫn", "Thông tin", "Danh sách hộ", "Khóm", "_tqd"]
WARD_SHEETS = ["Hướng dẫn", "Thông tin", "Số liệu ngành", "Đơn vị", "Chỉ tiêu", "_tqd"]


# ── fixtures and helpers ───────────────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def cfg() -> Config:
    return load_config(ROOT / "tqd.toml")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory, cfg: Config) -> Path:
    directory = tmp_path_factory.mktemp("templates")
    write_templates(directory, cfg, YEAR)
    return directory


@pytest.fixture(scope="module")
def khom_path(out: Path) -> Path:
    return out / "BieuKhom_K1_2020.xlsx"


@pytest.fixture(scope="module")
def ward_path(out: Path) -> Path:
    return out / "BieuPhuong_29917_2020.xlsx"


@pytest.fixture(scope="module")
def khom_xl(khom_path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(khom_path)


@pytest.fixture(scope="module")
def ward_xl(ward_path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(ward_path)


def rows(path: Path, sheet: str) -> list[list]:
    wb = CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def cells_text(path: Path, sheet: str) -> set[str]:
    return {str(v) for row in rows(path, sheet) for v in row if v != ""}


def validations(ws) -> dict[str, object]:
    """sqref → data validation."""
    return {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}


def col(sheet: TableSheet, code: str) -> str:
    return openpyxl.utils.get_column_letter([f.code for f in sheet.fields].index(code) + 1)


def label_row(ws, label: str) -> int:
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == label:
            return row[0].row
    raise AssertionError(f"no row labelled {label!r} in {ws.title}")


# ── names, sheets, marker ──────────────────────────────────────────────────────────────────


def test_names_and_one_file_per_khom(out: Path, cfg: Config) -> None:
    assert khom_template_name("K1", YEAR) == "BieuKhom_K1_2020.xlsx"
    assert khom_template_name("K2", Period.parse("2020Q3")) == "BieuKhom_K2_2020Q3.xlsx"
    assert ward_template_name(cfg, YEAR) == "BieuPhuong_29917_2020.xlsx"
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        [*(f"BieuKhom_{c}_2020.xlsx" for c in cfg.khom_codes), "BieuPhuong_29917_2020.xlsx"]
    )


def test_generate_returns_paths_and_leaves_no_temp_files(tmp_path: Path, cfg: Config) -> None:
    paths = generate(tmp_path / "new", cfg, YEAR)
    assert [p.name for p in paths][-1] == "BieuPhuong_29917_2020.xlsx"
    assert len(paths) == len(cfg.khom) + 1
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == sorted(p.name for p in paths)
    mode = stat.S_IMODE(os.stat(paths[0]).st_mode)
    assert mode & stat.S_IRGRP and mode & stat.S_IROTH  # shareable, not the temp file's 0600


@pytest.mark.parametrize(
    ("which", "names", "kind", "code"),
    [("khom_path", KHOM_SHEETS, "khom", "K1"), ("ward_path", WARD_SHEETS, "phuong", None)],
)
def test_sheet_order_and_hidden_marker(request, which, names, kind, code) -> None:
    path = request.getfixturevalue(which)
    wb = CalamineWorkbook.from_path(str(path))
    assert wb.sheet_names == names
    xl = openpyxl.load_workbook(path)
    assert [ws.sheet_state for ws in xl] == ["visible"] * (len(names) - 1) + ["hidden"]
    assert xl.active.title == spec.HELP_SHEET
    marker = rows(path, spec.MARKER_SHEET)
    expected = [["loai", kind], ["phien_ban", float(spec.TEMPLATE_VERSION)], ["ky", "2020"]]
    if code:
        expected.append(["ma_khom", code])
    assert marker == expected
    assert isinstance(xl[spec.MARKER_SHEET]["B2"].value, int)


def test_marker_and_labels_for_a_quarter(tmp_path: Path, cfg: Config) -> None:
    q2 = Period.parse("2020Q2")
    path = write_khom_template(tmp_path / "k3.xlsx", cfg, q2, "K3")
    assert rows(path, spec.MARKER_SHEET)[2:] == [["ky", "2020Q2"], ["ma_khom", "K3"]]
    info = {r[0]: r[1] for r in rows(path, "Thông tin")[HEADER_ROW:]}
    assert info["Kỳ báo cáo"] == "Quý II" and info["Mã khóm"] == "K3"
    assert rows(path, "Danh sách hộ")[0][0] == "DANH SÁCH HỘ GIA ĐÌNH – Khóm 3 – Quý II năm 2020"


def test_unknown_khom_code_is_refused(tmp_path: Path, cfg: Config) -> None:
    with pytest.raises(ValueError, match="K9"):
        write_khom_template(tmp_path / "x.xlsx", cfg, YEAR, "K9")
    assert not (tmp_path / "x.xlsx").exists()


# ── contents ───────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("which", "wb_spec"),
    [("khom_path", spec.KHOM_WORKBOOK), ("ward_path", spec.WARD_WORKBOOK)],
)
def test_every_header_and_label_in_spec_order(request, which, wb_spec) -> None:
    path = request.getfixturevalue(which)
    for sheet in wb_spec.sheets:
        data = rows(path, sheet.name)
        header = data[HEADER_ROW - 1]
        body = data[HEADER_ROW:]
        if isinstance(sheet, TableSheet):
            assert header == [f.label for f in sheet.fields], sheet.name
            assert len(data) <= HEADER_ROW + sheet.capacity
        elif isinstance(sheet, LabelSheet):
            assert header == [sheet.label_header, sheet.value_header, "Hướng dẫn"]
            assert [r[0] for r in body] == [f.label for f in sheet.fields]
        else:
            assert isinstance(sheet, CodeSheet)
            assert header == [
                sheet.code_header,
                sheet.label_header,
                sheet.value_header,
                "Hướng dẫn",
            ]
            assert [r[0] for r in body] == [f.code for f in sheet.fields]
            assert [r[1] for r in body] == [f.label for f in sheet.fields]


def test_thong_tin_prefilled(khom_path: Path, ward_path: Path) -> None:
    info = {r[0]: r[1] for r in rows(khom_path, "Thông tin")[HEADER_ROW:]}
    assert info == {
        "Mã khóm": "K1",
        "Tên khóm": "Khóm 1",
        "Năm": 2020.0,
        "Kỳ báo cáo": "Năm",
        "Người lập biểu": "",
        "Trưởng Ban vận động khóm": "",
        "Ngày lập": "",
        "Ghi chú": "",
    }
    ward = {r[0]: r[1] for r in rows(ward_path, "Thông tin")[HEADER_ROW:]}
    assert ward == {"Năm": 2020.0, "Kỳ báo cáo": "Năm", "Người lập biểu": "", "Ngày lập": "",
                    "Ghi chú": ""}  # fmt: skip


def test_register_stt_prefilled_to_the_last_row(khom_path: Path) -> None:
    data = rows(khom_path, "Danh sách hộ")
    assert data[0][0] == "DANH SÁCH HỘ GIA ĐÌNH – Khóm 1 – Năm 2020"
    body = data[HEADER_ROW:]
    assert len(body) == spec.HOUSEHOLDS.capacity == 1500
    assert [r[0] for r in body] == [float(i) for i in range(1, 1501)]
    assert all(v == "" for r in body for v in r[1:])


def test_agency_sheet_has_sources_and_one_row_per_khom(ward_path: Path, cfg: Config) -> None:
    data = rows(ward_path, "Số liệu ngành")
    sources = dict(zip(data[HEADER_ROW - 1], data[1], strict=True))
    for f in spec.AGENCY.fields:
        assert sources[f.label] == (f"Nguồn: {f.source}" if f.source else "")
    assert sources["Hộ nghèo"] == "Nguồn: LĐTBXH"
    codes = [r[0] for r in data[HEADER_ROW:] if r[0] != ""]
    assert codes == list(cfg.khom_codes)


def test_targets_defaults(ward_path: Path, ward_xl, cfg: Config) -> None:
    values = {r[0]: r[2] for r in rows(ward_path, "Chỉ tiêu")[HEADER_ROW:]}
    assert values == {
        "GDVH_DK_TL": 1.0,
        "GDVH_DAT_TL": 0.94,
        "KHOM_VMDT": 4.0,
        "PHUONG_VMDT": "có",
        "DV_DAT_TL": 1.0,
    }
    ws = ward_xl["Chỉ tiêu"]
    assert ws.cell(label_row(ws, "GDVH_DAT_TL"), 3).number_format == "0%"


def test_khom_count_target_follows_the_configuration(tmp_path: Path, cfg: Config) -> None:
    three = cfg.model_copy(update={"don_vi_con": cfg.khom[:3]})
    path = write_ward_template(tmp_path / "w.xlsx", three, YEAR)
    values = {r[0]: r[2] for r in rows(path, "Chỉ tiêu")[HEADER_ROW:]}
    assert values["KHOM_VMDT"] == 3.0
    codes = [r[0] for r in rows(path, "Số liệu ngành")[HEADER_ROW:] if r[0] != ""]
    assert codes == ["K1", "K2", "K3"]


# ── validation, formats, protection ────────────────────────────────────────────────────────


def test_register_validations_cover_every_input_row(khom_xl) -> None:
    dvs = validations(khom_xl["Danh sách hộ"])
    sheet = spec.HOUSEHOLDS
    last = HEADER_ROW + sheet.capacity
    assert last == 1503
    for f in sheet.fields:
        ref = f"{col(sheet, f.code)}{FIRST}:{col(sheet, f.code)}{last}"
        if f.type is VType.MARK:
            assert dvs[ref].type == "list" and dvs[ref].formula1 == '"x"', f.label
            assert dvs[ref].errorStyle == "warning"
            assert dvs[ref].prompt
        elif f.type is VType.CHOICE:
            assert dvs[ref].type == "list"
            assert dvs[ref].formula1 == '"Nghèo,Cận nghèo"'
            assert dvs[ref].errorStyle in (None, "stop")
        elif f.type is VType.INTEGER and f.min is not None:
            assert dvs[ref].type == "whole" and dvs[ref].errorStyle == "warning"
            assert (dvs[ref].formula1, dvs[ref].formula2) == (str(int(f.min)), str(int(f.max)))
    assert sum(1 for f in sheet.fields if f.type is VType.MARK) == 5


def test_info_and_unit_validations(khom_xl, ward_xl) -> None:
    ws = khom_xl["Thông tin"]
    dvs = validations(ws)
    assert dvs[f"B{label_row(ws, 'Mã khóm')}"].formula1 == '"K1,K2,K3,K4"'
    assert dvs[f"B{label_row(ws, 'Kỳ báo cáo')}"].formula1 == '"' + ",".join(KY_LABELS) + '"'
    nam = dvs[f"B{label_row(ws, 'Năm')}"]
    assert (nam.type, nam.formula1, nam.formula2) == ("whole", "2000", "2100")
    ngay = f"B{label_row(ws, 'Ngày lập')}"
    assert dvs[ngay].type == "date"
    assert ws[ngay].number_format == "dd/mm/yyyy"
    units = validations(ward_xl["Đơn vị"])
    loai = col(spec.UNITS, "loai")
    dv = units[f"{loai}4:{loai}{HEADER_ROW + spec.UNITS.capacity}"]
    assert dv.type == "list" and dv.formula1 == '"' + ",".join(spec.UNIT_TYPES) + '"'
    targets = ward_xl["Chỉ tiêu"]
    phuong = validations(targets)[f"C{label_row(targets, 'PHUONG_VMDT')}"]
    assert phuong.formula1 == '"có,không"'
    rate = validations(targets)[f"C{label_row(targets, 'GDVH_DAT_TL')}"]
    assert (rate.type, rate.formula1, rate.formula2) == ("decimal", "0", "1")
    khom = khom_xl["Khóm"]
    assert validations(khom)[f"C{label_row(khom, 'NGAY_HOI')}"].formula1 == '"x"'
    diem = validations(khom)[f"C{label_row(khom, 'DIEM')}"]
    assert (diem.type, diem.formula1, diem.formula2) == ("decimal", "0", "100")


def test_ma_ho_is_text_and_fonts_are_times(khom_xl) -> None:
    ws = khom_xl["Danh sách hộ"]
    ma_ho = col(spec.HOUSEHOLDS, "ma_ho")
    assert ws[f"{ma_ho}{FIRST}"].number_format == "@"
    assert ws[f"{ma_ho}1503"].number_format == "@"
    assert ws[f"{ma_ho}{HEADER_ROW}"].font.name == "Times New Roman"
    assert ws[f"{ma_ho}{HEADER_ROW}"].font.b
    assert ws[f"{ma_ho}{FIRST}"].font.name == "Times New Roman"
    assert ws["A1"].font.name == "Times New Roman"
    assert ws.freeze_panes == "D4"
    assert ws.column_dimensions[ma_ho].width == pytest.approx(12, abs=1)


def test_protected_without_password_inputs_unlocked(khom_xl, ward_xl) -> None:
    for xl in (khom_xl, ward_xl):
        for ws in xl:
            p = ws.protection
            assert p.sheet is True, ws.title
            assert not p.password, ws.title
            assert p.formatColumns is False and p.formatRows is False  # may widen columns
            assert p.sort is False and p.autoFilter is False
    reg = khom_xl["Danh sách hộ"]
    assert reg["A3"].protection.locked is True
    assert reg["B4"].protection.locked is False
    assert reg["N1503"].protection.locked is False
    assert reg["B4"].fill.fgColor.rgb.endswith("FFF2CC")
    info = khom_xl["Thông tin"]
    row = label_row(info, "Người lập biểu")
    assert info.cell(row, 1).protection.locked is True
    assert info.cell(row, 2).protection.locked is False
    assert info.cell(row, 3).protection.locked is True
    targets = ward_xl["Chỉ tiêu"]
    row = label_row(targets, "KHOM_VMDT")
    assert [targets.cell(row, c).protection.locked for c in (1, 2, 3, 4)] == [
        True, True, False, True,
    ]  # fmt: skip


# ── the help sheet ─────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("which", "wb_spec"),
    [("khom_path", spec.KHOM_WORKBOOK), ("ward_path", spec.WARD_WORKBOOK)],
)
def test_help_sheet_mentions_every_field(request, which, wb_spec) -> None:
    texts = {c for r in help_rows(wb_spec) for c in r.cells}
    labels = {f.label for s in wb_spec.sheets for f in s.fields}
    assert labels <= texts
    assert {f"“{s.name}”" in " ".join(texts) for s in wb_spec.sheets} == {True}
    on_sheet = cells_text(request.getfixturevalue(which), spec.HELP_SHEET)
    assert labels <= on_sheet
    assert any(t.startswith("HƯỚNG DẪN NHẬP BIỂU") for t in on_sheet)


def test_the_khom_help_speaks_to_a_beginner(khom_path: Path) -> None:
    """No command line and no rule codes for a khóm officer; what each mark and “bắt buộc”
    means, where Mã hộ comes from, whether this year counts, an example row."""
    on_sheet = cells_text(khom_path, spec.HELP_SHEET)
    text = " ".join(on_sheet)
    assert "tqd-sheets" not in text and "lệnh" not in text
    assert not {r.code for r in RULES.values()} & on_sheet  # the catalogue is in KiemTra
    assert "Ô đánh dấu (Đăng ký GĐVH, Đạt GĐVH, Gia đình học tập" in text
    assert "trống nghĩa là không" in text
    assert "x nếu có, trống là không" in on_sheet  # the Bắt buộc column of a mark
    assert "Mã hộ do phường cấp" in text and "0012" in text
    assert "tính cả năm nay: đạt lần đầu năm nay ghi 1" in text
    assert (
        "Ví dụ một dòng của trang “Danh sách hộ”: STT: 1; Mã hộ: 0012; Họ và tên chủ hộ: "
        "Nguyễn Văn An; Tổ: 3; Địa chỉ: 25 Nguyễn Sinh Sắc; Số nhân khẩu: 4; Đăng ký GĐVH: x; "
        "Đạt GĐVH: x; Số năm liên tục đạt GĐVH: 3; Gia đình học tập: x." in text
    )
    assert "Gửi tệp cho cán bộ văn hóa phường" in text
    # a year's blank has nothing to say about yearly items
    assert "đánh giá cả năm" not in text


def test_the_ward_help_keeps_the_checks(ward_path: Path) -> None:
    codes = {r.code for r in RULES.values() if r.group in RULE_GROUPS[spec.WARD_WORKBOOK.kind]}
    on_sheet = cells_text(ward_path, spec.HELP_SHEET)
    assert codes <= on_sheet
    assert any("tqd-sheets check" in t for t in on_sheet)


def test_help_lists_only_the_rules_of_its_kind() -> None:
    khom = {c for r in help_rows(spec.KHOM_WORKBOOK) for c in r.cells}
    ward = {c for r in help_rows(spec.WARD_WORKBOOK) for c in r.cells}
    assert not {r.code for r in RULES.values()} & khom
    assert {"P01", "P07", "F01", "I04"} <= ward and not {"R01", "K01"} & ward
    assert {"bắt buộc", "nên có", "không bắt buộc"} <= khom  # the Bắt buộc column


def test_prefilled_cells_are_grey_and_locked(khom_xl) -> None:
    info = khom_xl["Thông tin"]
    for label in ("Mã khóm", "Tên khóm", "Năm", "Kỳ báo cáo"):
        cell = info.cell(label_row(info, label), 2)
        assert cell.protection.locked is True, label
        assert cell.fill.fgColor.rgb.endswith("D9D9D9"), label
    typed = info.cell(label_row(info, "Người lập biểu"), 2)
    assert typed.fill.fgColor.rgb.endswith("FFF2CC") and typed.protection.locked is False
    reg = khom_xl["Danh sách hộ"]
    assert reg[f"A{FIRST}"].value == 1
    assert reg[f"A{FIRST}"].protection.locked is True
    assert reg[f"A{FIRST}"].fill.fgColor.rgb.endswith("D9D9D9")


def test_a_quarter_blank_says_which_items_are_yearly(tmp_path: Path, cfg: Config) -> None:
    path = write_khom_template(tmp_path / "q2.xlsx", cfg, Period.parse("2020Q2"), "K1")
    xl = openpyxl.load_workbook(path)
    text = " ".join(cells_text(path, spec.HELP_SHEET))
    yearly = [
        f.label.format(con="khóm", danh_hieu_con="Khóm văn minh đô thị")
        for f in spec.KHOM_SELF.fields
        if f.annual
    ]
    assert len(yearly) == 5
    assert "Biểu này là biểu Quý II năm 2020. Các mục đánh giá cả năm (" in text
    for label in yearly:
        assert f"“{label}”" in text
    sheet = xl["Khóm"]
    shaded = {}
    for row in sheet.iter_rows(min_row=FIRST):
        code, value = row[0].value, row[2]
        if code:
            shaded[code] = value.fill.fgColor.rgb[-6:]
            assert value.protection.locked is False, code  # still typed in
    assert {c for c, rgb in shaded.items() if rgb == "EDEDED"} == {
        "NGAY_HOI", "QUY_UOC", "CD_HOC_TAP", "ANTT", "DIEM",
    }  # fmt: skip
    assert shaded["TT_BUOI"] == "FFF2CC"
    notes = {row[0].value: row[3].value for row in sheet.iter_rows(min_row=FIRST) if row[0].value}
    assert notes["DIEM"].endswith(
        "Mục đánh giá cả năm: trong biểu Quý II năm 2020 ghi tình hình đến ngày lập biểu"
    )


# ── structure of the committed templates ───────────────────────────────────────────────────


def structure(path: Path) -> dict:
    """What a template's user sees and what the reader relies on, independent of bytes."""
    cal = CalamineWorkbook.from_path(str(path))
    xl = openpyxl.load_workbook(path)
    sheets = {}
    for name in cal.sheet_names:
        data = cal.get_sheet_by_name(name).to_python(skip_empty_area=False)
        first = {(r, c): v for r, row in enumerate(data[:20]) for c, v in enumerate(row) if v != ""}
        last = (len(data), [v for v in data[-1]]) if data else (0, [])
        dvs = sorted(
            (dv.type or "any", dv.formula1, dv.formula2, dv.operator, dv.errorStyle, str(dv.sqref))
            for dv in xl[name].data_validations.dataValidation
        )
        sheets[name] = {"first": first, "last": last, "validations": dvs}
    return {
        "names": cal.sheet_names,
        "visibility": [xl[n].sheet_state for n in cal.sheet_names],
        "marker": {r[0]: r[1] for r in cal.get_sheet_by_name(spec.MARKER_SHEET).to_python()},
        "sheets": sheets,
    }


def _committed() -> list:
    files = sorted(COMMITTED.glob("*.xlsx")) if COMMITTED.is_dir() else []
    if files:
        return [pytest.param(p, id=p.name) for p in files]
    reason = "templates/xlsx/ has no .xlsx yet: run `tqd-sheets template --period 2020`"
    return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="none")]


def test_structure_sees_a_difference(tmp_path: Path, cfg: Config, khom_path: Path) -> None:
    other = write_khom_template(tmp_path / "k2.xlsx", cfg, YEAR, "K2")
    assert structure(khom_path) != structure(other)
    assert structure(khom_path) == structure(khom_path)


@pytest.mark.parametrize("committed", _committed())
def test_committed_templates_match_the_generator(
    committed: Path, tmp_path: Path, cfg: Config
) -> None:
    old = structure(committed)
    marker = old["marker"]
    period = Period.parse(str(marker["ky"]))
    if marker["loai"] == Kind.KHOM.value:
        fresh = write_khom_template(tmp_path / committed.name, cfg, period, marker["ma_khom"])
        assert committed.name == khom_template_name(marker["ma_khom"], period)
    else:
        fresh = write_ward_template(tmp_path / committed.name, cfg, period)
        assert committed.name == ward_template_name(cfg, period)
    assert old == structure(fresh), (
        f"{committed.name} is out of date: run `tqd-sheets template --period {period.id}`"
    )


# ── a LibreOffice save keeps what the reader needs ─────────────────────────────────────────


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_save_keeps_marker_validation_and_protection(
    tmp_path: Path, khom_path: Path
) -> None:
    profile = (tmp_path / "profile").as_uri()  # own profile: parallel runs do not collide
    out = tmp_path / "out"
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to",
         "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(khom_path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    saved = out / khom_path.name
    assert rows(saved, spec.MARKER_SHEET)[0] == ["loai", "khom"]
    xl = openpyxl.load_workbook(saved)
    assert xl[spec.MARKER_SHEET].sheet_state == "hidden"
    ws = xl["Danh sách hộ"]
    mark = col(spec.HOUSEHOLDS, "dat_gdvh")
    assert validations(ws)[f"{mark}4:{mark}1503"].formula1 == '"x"'
    assert ws.protection.sheet and not ws.protection.password
    assert ws["B4"].protection.locked is False and ws["B4"].number_format == "@"


def test_column_positions_follow_the_sheet_not_a_reused_id():
    """A spec unpickled from the cache or a worker is a new object; once it is gone its id
    may be given to another sheet, which must not inherit its column positions (a feedback
    copy once went missing that way, in a long run)."""
    import pickle

    from tqd_sheets import spec
    from tqd_sheets.template import _column_index

    register, info = spec.HOUSEHOLDS, spec.KHOM_INFO
    for _ in range(500):
        gone = pickle.loads(pickle.dumps(register))
        _column_index(gone)
        del gone
        other = pickle.loads(pickle.dumps(info))
        assert _column_index(other) == {f.code: i for i, f in enumerate(other.fields)}
