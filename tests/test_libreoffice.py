"""LibreOffice proves the outputs: recalculation, print layout, templates after a round trip.

Every run here is real: generated blanks filled like an officer does (builders), the pipeline's
`consolidate` and `write_outputs`; then LibreOffice (headless, a throw-away profile per call)
re-saves `BaoCao_P.xlsx` forcing every formula to be recomputed, prints it to PDF, and re-saves
the blank templates as .xlsx and .ods.

- Recalculation: every cell of every form sheet (and Biểu đồ's helper cells) after LibreOffice
  recomputed it equals what the tool wrote as the cached result; no cell is an error value.
  A control file whose cached results were falsified proves LibreOffice really recomputes.
- Print: every page A4 landscape; each form on exactly one page, whole (one page wide); the
  rules under the header blocks as Nghị định 30/2020/NĐ-CP draws them; page setup in the file.
- Templates: still recognised (kind, version, structure) after LibreOffice saves them;
  validations, protection and unlocked inputs survive; a filled LibreOffice copy consolidates.
"""

from __future__ import annotations

import math
import random
import re
import shutil
import subprocess
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from builders import (
    CONFIG,
    KHOM,
    AgencyRow,
    KhomBook,
    WardBook,
    Word,
    dataset,
    needs_soffice,
    pdf_words,
    random_households,
    write_khom,
    write_ward,
)
from tqd_sheets import office, spec
from tqd_sheets.config import Config, load_config
from tqd_sheets.fill import fill
from tqd_sheets.findings import Severity
from tqd_sheets.forms import (
    CHART_SHEET,
    FIRST_ROW,
    FORM_SHEETS,
    HEADER_ROWS,
    NO_DATA,
    NO_UNITS,
    FormLayout,
    layout,
)
from tqd_sheets.forms import (
    title as form_title,
)
from tqd_sheets.outputs import write_outputs
from tqd_sheets.periods import Period
from tqd_sheets.pipeline import Run, check_file, consolidate
from tqd_sheets.spec import Kind
from tqd_sheets.template import write_khom_template, write_templates, write_ward_template

pytestmark = needs_soffice

TODAY = date(2021, 1, 20)  # every run happens after its period
WARD = "29917"
ERRORS = ("#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#N/A", "#NUM!", "#NULL!", "Err:")
A4 = (841.89, 595.28)  # landscape, points
MOTTO = "Độc lập - Tự do - Hạnh phúc"
MM = 25.4  # millimetres per inch (openpyxl margins are inches)
PLACE = "Tân Quy Đông, ngày"
WORDS = {
    "2020": "Năm 2020",
    "2020Q2": "Quý II năm 2020",
    "2020Q4": "Quý IV năm 2020",
    "2020S1": "6 tháng đầu năm 2020",
}


# ── the runs ───────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Scenario:
    period: str
    sizes: dict[str, int]  # khóm → households in its register; a khóm absent sends nothing
    day: date  # Ngày lập of every workbook
    ward: bool = True


SCENARIOS = {
    "nam": Scenario("2020", {"K1": 12, "K2": 7, "K3": 30, "K4": 5}, date(2020, 12, 10)),
    "quy": Scenario("2020Q2", {"K1": 9, "K2": 16, "K3": 5, "K4": 22}, date(2020, 6, 15)),
    "sau-thang": Scenario("2020S1", {"K1": 25, "K2": 6, "K3": 11, "K4": 8}, date(2020, 6, 20)),
    "thieu-khom": Scenario("2020", {"K1": 10, "K2": 20, "K3": 6}, date(2020, 12, 12)),
    # a quarter: for the year's report an empty register is an error (R14), for a quarter's a
    # warning, and the khóm is consolidated with 0 households
    "khom-khong-ho": Scenario("2020Q4", {"K1": 14, "K2": 0, "K3": 9, "K4": 18}, date(2020, 12, 5)),
    "khong-phuong": Scenario(
        "2020", {"K1": 8, "K2": 13, "K3": 27, "K4": 5}, date(2020, 12, 8), ward=False
    ),
}
PERIODS = sorted({s.period for s in SCENARIOS.values()})
# Share of Đạt households and the self-assessment of each khóm: K1 meets everything, K2 too
# few Đạt, K3 under 80 points and no mediation case (rate "—"), K4 not safe per Công an.
DAT_SHARE = {"K1": 0.95, "K2": 0.6, "K3": 0.85, "K4": 0.8}
SELF = {
    "K1": dict(DIEM=92, HOA_GIAI=5, HOA_GIAI_THANH=4, CD_HOC_TAP=True),
    "K2": dict(DIEM=85.5, HOA_GIAI=3, HOA_GIAI_THANH=3, CD_HOC_TAP=False),
    "K3": dict(DIEM=75, HOA_GIAI=0, HOA_GIAI_THANH=0, CD_HOC_TAP=True),
    "K4": dict(DIEM=81, HOA_GIAI=2, HOA_GIAI_THANH=1, CD_HOC_TAP=False),
}
POLICE_SAFE = {"K1": True, "K2": True, "K3": True, "K4": False}
LABOUR = {"K1": (120, 110), "K2": (70, 61), "K3": (0, 0), "K4": (25, 25)}


@dataclass
class Outcome:
    name: str
    scenario: Scenario
    run: Run
    baocao: Path
    recalc: Path | None = None  # LibreOffice's re-save with every formula recomputed
    pdf: Path | None = None
    pages: list[str] = field(default_factory=list)  # pdftotext -layout, one string per page


def khom_book(code: str, n: int, day: date, rng: random.Random) -> KhomBook:
    no = KHOM.index(code) + 1
    poor = min(1, n)
    households = (
        random_households(
            rng, no, n, round(n * DAT_SHARE[code]), n_poor=poor, n_near=min(2, n - poor)
        )
        if n
        else []
    )
    own = SELF[code]
    return KhomBook(
        code,
        households,
        {
            "NGAY_HOI": True,
            "QUY_UOC": True,
            "CD_HOC_TAP": own["CD_HOC_TAP"],
            "ANTT": True,
            "TT_BUOI": 3 + no,
            "TT_LUOT": 90 * no + 7,
            "DIEM": own["DIEM"],
            "HOA_GIAI": own["HOA_GIAI"],
            "HOA_GIAI_THANH": own["HOA_GIAI_THANH"],
            "GUONG_TOT": no % 3,
            "KINH_PHI": 1_250_000 * no,
            "XA_HOI_HOA": 500_000 * (no - 1),
        },
        ngay_lap=day,
    )


def ward_book(books: dict[str, KhomBook], day: date) -> WardBook:
    agency = []
    for code in KHOM:
        hh = books[code].households if code in books else []
        lao, vl = LABOUR[code]
        agency.append(
            AgencyRow(
                code,
                ho_ngheo=sum(h.ngheo == "Nghèo" for h in hh),
                ho_can_ngheo=sum(h.ngheo == "Cận nghèo" for h in hh),
                nguoi_vi_pham=sum(h.vp for h in hh),
                antt=POLICE_SAFE[code],
                lao_dong=lao,
                co_viec_lam=vl,
            )
        )
    return WardBook(agency, dataset()[1].units, ngay_lap=day)


def convert_all(jobs: list[tuple[Path, str, Path, bool]]) -> list[Path]:
    """`office.convert` for every (src, fmt, out_dir, recalc): one LibreOffice process per
    (fmt, recalc) batch, since its start-up costs more than a conversion; batches side by side.
    Each result lands at `out_dir/<src stem>.<fmt>`, as `office.convert` puts it."""
    groups: dict[tuple[str, bool], list[int]] = {}
    for i, (_, fmt, _, recalc) in enumerate(jobs):
        groups.setdefault((fmt, recalc), []).append(i)
    results: dict[int, Path] = {}

    def run(key: tuple[str, bool], members: list[int]) -> None:
        fmt, recalc = key
        work = Path(tempfile.mkdtemp(prefix="tqd-batch-"))
        try:
            copies = []
            for i in members:
                src = jobs[i][0]
                copy = work / "in" / f"j{i}_{src.name}"
                copy.parent.mkdir(exist_ok=True)
                shutil.copy(src, copy)
                copies.append(copy)
            made = office.convert_many(copies, fmt, work / "out", recalc=recalc)
            for i, m in zip(members, made, strict=True):
                src, _, out_dir, _ = jobs[i]
                out_dir.mkdir(parents=True, exist_ok=True)
                results[i] = Path(shutil.move(m, out_dir / f"{src.stem}.{fmt}"))
        finally:
            shutil.rmtree(work, ignore_errors=True)

    with ThreadPoolExecutor(2) as pool:
        for f in [pool.submit(run, k, m) for k, m in groups.items()]:
            f.result()
    return [results[i] for i in range(len(jobs))]


@pytest.fixture(scope="module")
def cfg() -> Config:
    return load_config(CONFIG)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory, cfg: Config) -> dict[str, Outcome]:
    """Every scenario run once; its BaoCao recalculated by LibreOffice and printed to PDF."""
    base = tmp_path_factory.mktemp("lo-runs")
    blanks = base / "blanks"
    for period in PERIODS:
        write_templates(blanks, cfg, Period.parse(period))
    out: dict[str, Outcome] = {}
    for i, (name, sc) in enumerate(SCENARIOS.items()):
        rng = random.Random(2020 + i)
        books = {code: khom_book(code, n, sc.day, rng) for code, n in sc.sizes.items()}
        inbox = base / name / "inbox"
        files = [
            write_khom(b, blanks, inbox / f"{c}_{sc.period}.xlsx", sc.period)
            for c, b in books.items()
        ]
        if sc.ward:
            ward = ward_book(books, sc.day)
            files.append(write_ward(ward, blanks, inbox / f"Phuong_{sc.period}.xlsx", sc.period))
        run = consolidate(files, cfg, None, today=TODAY)
        errors = [f for f in run.results.findings if f.severity is Severity.ERROR]
        assert not errors, (name, errors)
        assert run.period.id == sc.period
        assert run.results.included == list(sc.sizes), name
        written = write_outputs(run, cfg, base / name / "outbox", files)
        baocao = next(p for p in written if p.name == f"BaoCao_{sc.period}.xlsx")
        out[name] = Outcome(name, sc, run, baocao)
    jobs = []
    for o in out.values():
        jobs.append((o.baocao, "xlsx", base / o.name / "recalc", True))
        jobs.append((o.baocao, "pdf", base / o.name / "pdf", False))
    made = iter(convert_all(jobs))
    for o in out.values():
        o.recalc, o.pdf = next(made), next(made)
        text = subprocess.run(
            ["pdftotext", "-layout", str(o.pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        o.pages = text.split("\f")[: pdf_page_count(o.pdf)]
    return out


@pytest.fixture(params=list(SCENARIOS))
def outcome(request, outcomes: dict[str, Outcome]) -> Outcome:
    return outcomes[request.param]


# ── reading workbooks ──────────────────────────────────────────────────────────────────────


def grid(path: Path, sheet: str) -> list[list]:
    wb = CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def at(g: list[list], row: int, col: int) -> object:
    return g[row][col] if row < len(g) and col < len(g[row]) else ""


def a1(row: int, col: int) -> str:
    return f"{openpyxl.utils.get_column_letter(col + 1)}{row + 1}"


def same(a: object, b: object) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def differences(original: Path, recalculated: Path, sheet: str) -> list[str]:
    """Every cell of `sheet` whose value differs between the two files."""
    mine, theirs = grid(original, sheet), grid(recalculated, sheet)
    rows = max(len(mine), len(theirs))
    cols = max((len(r) for r in (*mine, *theirs)), default=0)
    return [
        f"{sheet}!{a1(r, c)}: {at(mine, r, c)!r} ≠ {at(theirs, r, c)!r}"
        for r in range(rows)
        for c in range(cols)
        if not same(at(mine, r, c), at(theirs, r, c))
    ]


def error_cells(path: Path) -> list[str]:
    """Cells holding an error value (`#DIV/0!`, `Err:502`…), in any sheet."""
    wb = openpyxl.load_workbook(path, data_only=True)
    return [
        f"{ws.title}!{cell.coordinate}: {cell.value!r}"
        for ws in wb
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "e"
        or (isinstance(cell.value, str) and cell.value.strip().startswith(ERRORS))
    ]


def formula_cells(path: Path) -> dict[str, list[str]]:
    wb = openpyxl.load_workbook(path)
    return {
        name: [c.coordinate for row in wb[name].iter_rows() for c in row if c.data_type == "f"]
        for name in FORM_SHEETS
    }


def falsify_cached_results(src: Path, dest: Path) -> int:
    """A copy of `src` in which every formula's cached result is wrong; returns how many."""
    pattern = re.compile(rb"(<f>[^<]*</f><v>)([^<]*)(</v>)")
    count = 0
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data, n = pattern.subn(rb"\g<1>-7777\g<3>", data)
                count += n
            zout.writestr(item, data)
    return count


# ── reading PDFs ───────────────────────────────────────────────────────────────────────────


def pdf_page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))


def pdf_page_sizes(pdf: Path) -> list[tuple[float, float]]:
    n = pdf_page_count(pdf)
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", str(n), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    sizes = re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    assert len(sizes) == n
    return [(float(w), float(h)) for w, h in sizes]


def text_line(words: list[Word], text: str) -> tuple[float, float, float]:
    """x0, x1, bottom of the printed line whose words are `text`, in points."""
    want = text.split()
    for i in range(len(words)):
        run = words[i : i + len(want)]
        if [x.text for x in run] == want and len({round(x.y1, 1) for x in run}) == 1:
            return run[0].x0, run[-1].x1, run[0].y1
    raise AssertionError(f"{text!r} is not printed on the page")


@dataclass(frozen=True)
class Raster:
    width: int
    height: int
    pixels: bytes  # RGB
    scale: float  # pixels per point

    def dark(self, x: int, y: int) -> bool:
        i = (y * self.width + x) * 3
        return max(self.pixels[i : i + 3]) < 200

    def count(self, rgb: tuple[int, int, int]) -> int:
        needle = bytes(rgb)
        return sum(1 for i in range(0, len(self.pixels), 3) if self.pixels[i : i + 3] == needle)


def render(pdf: Path, page: int, dpi: int, work: Path) -> Raster:
    prefix = work / f"{pdf.stem}-{page}-{dpi}"
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(dpi),
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(pdf),
            str(prefix),
        ],
        check=True,
        capture_output=True,
    )
    data = prefix.with_suffix(".ppm").read_bytes()
    magic, w, h, maxval, rest = data.split(maxsplit=4)
    assert magic == b"P6" and maxval == b"255"
    return Raster(int(w), int(h), rest, dpi / 72)


def rule_under(r: Raster, x0: float, x1: float, bottom: float) -> tuple[float, float]:
    """The longest horizontal dark run just under a line of text (x0…x1, bottom, in points):
    its ends in points. Glyphs give short runs; a rule is long."""
    best = (0, 0)
    lo, hi = int((x0 - 60) * r.scale), int((x1 + 60) * r.scale)
    for y in range(int((bottom - 2) * r.scale), int((bottom + 10) * r.scale)):
        start = None
        for x in range(max(0, lo), min(r.width, hi) + 1):
            if x < min(r.width, hi) and r.dark(x, y):
                start = x if start is None else start
            elif start is not None:
                if x - start > best[1] - best[0]:
                    best = (start, x)
                start = None
    assert best[1] - best[0] > 10 * r.scale, f"no rule under the text at {x0:.0f}–{x1:.0f} pt"
    return best[0] / r.scale, best[1] / r.scale


def form_pages(o: Outcome) -> dict[str, int]:
    """Form sheet → the 1-based page it is printed on (asserting there is exactly one)."""
    found = {}
    for name in FORM_SHEETS:
        # each form numbers its pages in its footer ("Biểu 01 – Trang 1")
        pages = [i + 1 for i, text in enumerate(o.pages) if f"{name} – Trang" in text]
        assert len(pages) == 1, f"{o.name}: {name} printed on pages {pages}"
        found[name] = pages[0]
    return found


# ── 1. recalculation on real runs ──────────────────────────────────────────────────────────


def test_libreoffice_recalculates_every_form_cell_to_the_cached_value(outcome: Outcome) -> None:
    formulas = formula_cells(outcome.baocao)
    assert sum(map(len, formulas.values())) >= 20, formulas
    for name in ("Biểu 01", "Biểu 02", "Biểu 04", "Biểu 05"):
        assert formulas[name], f"{name} has no live formula"
    problems = [
        d
        for sheet in (*FORM_SHEETS, CHART_SHEET)
        for d in differences(outcome.baocao, outcome.recalc, sheet)
    ]
    assert not problems, f"{outcome.name}:\n" + "\n".join(problems[:40])
    assert not error_cells(outcome.recalc), error_cells(outcome.recalc)


def test_libreoffice_really_recomputes(outcomes: dict[str, Outcome], tmp_path: Path) -> None:
    """Control: with every cached result falsified, LibreOffice's re-save still gives the
    tool's values — so the comparisons above compare computed values, not copies."""
    source = outcomes["khom-khong-ho"].baocao
    falsified = tmp_path / "BaoCao_sai.xlsx"
    assert falsify_cached_results(source, falsified) >= 20
    assert differences(source, falsified, "Biểu 01"), "the falsification did not take"
    recalculated = office.convert(falsified, "xlsx", tmp_path / "out", recalc=True)
    problems = [d for sheet in FORM_SHEETS for d in differences(source, recalculated, sheet)]
    assert not problems, "\n".join(problems[:40])


def cell(g: list[list], lay: FormLayout, key: str, code: str) -> object:
    return at(g, lay.rows[key], lay.columns[code])


def test_zero_household_khom_shows_dashes_after_recalculation(outcomes) -> None:
    o = outcomes["khom-khong-ho"]
    assert o.run.results.value("K2", "HO") == 0
    lay = layout(o.run.results)["Biểu 01"]
    g = grid(o.recalc, "Biểu 01")
    assert at(g, lay.rows["K2"], 1) == "Khóm 2" and cell(g, lay, "K2", "HO") == 0
    for code in ("GDVH_DK_TL", "GDVH_DAT_TL"):
        assert cell(g, lay, "K2", code) == "—", code
    lay01b = layout(o.run.results)["Biểu 01b"]
    g01b = grid(o.recalc, "Biểu 01b")
    for code in ("GDHT_TL", "GDTT_TL"):
        assert cell(g01b, lay01b, "K2", code) == "—", code
    for code in ("DG_GDVH_DK_TL", "DG_GDVH_DAT_TL"):  # no verdict without households
        assert cell(g, lay, "K2", code) == "—", code
    ward_rate = cell(g, lay, WARD, "GDVH_DAT_TL")
    # rates are drawn in percent units
    assert same(ward_rate, o.run.results.value(WARD, "GDVH_DAT_TL") * 100)
    assert 0 < ward_rate <= 100


def test_missing_khom_after_recalculation(outcomes) -> None:
    o = outcomes["thieu-khom"]
    assert o.run.results.coverage == "Tổng hợp 3/4 khóm"
    lays = layout(o.run.results)
    for sheet in ("Biểu 01", "Biểu 01b", "Biểu 02", "Biểu 05", "Biểu 05b"):
        g = grid(o.recalc, sheet)
        row = lays[sheet].rows["K4"]
        assert at(g, row, 1) == "Khóm 4" and at(g, row, 2) == NO_DATA, sheet
        shown = {x for r in g for x in r}
        assert "Tổng cộng\n(Tổng hợp 3/4 khóm)" in shown or sheet == "Biểu 02"
    g = grid(o.recalc, "Biểu 01")
    assert cell(g, lays["Biểu 01"], WARD, "HO") == sum(o.scenario.sizes.values())


def test_without_ward_workbook_after_recalculation(outcomes) -> None:
    o = outcomes["khong-phuong"]
    assert not o.run.results.has_ward_workbook
    assert grid(o.recalc, "Biểu 03")[FIRST_ROW][0] == NO_UNITS.format(cha="phường")
    lay = layout(o.run.results)["Biểu 05b"]
    g = grid(o.recalc, "Biểu 05b")
    for key in (*KHOM, WARD):
        for code in ("LAO_DONG", "VIEC_LAM", "VIEC_LAM_TL"):  # no labour figures
            assert cell(g, lay, key, code) == "", (key, code)


# ── 2. print layout ────────────────────────────────────────────────────────────────────────


def test_every_page_is_a4_landscape_and_each_form_one_page(outcome: Outcome) -> None:
    sizes = pdf_page_sizes(outcome.pdf)
    for i, (w, h) in enumerate(sizes, start=1):
        assert abs(w - A4[0]) <= 2 and abs(h - A4[1]) <= 2, (outcome.name, i, w, h)
    pages = form_pages(outcome)
    # in order, one page each
    assert list(pages.values()) == list(range(1, len(FORM_SHEETS) + 1))
    coverage = f"(Tổng hợp {len(outcome.scenario.sizes)}/4 khóm)"
    assert coverage in outcome.pages[pages["Biểu 04"] - 1]
    for name, page in pages.items():
        text = outcome.pages[page - 1]
        ncols = len(layout(outcome.run.results)[name].columns)
        numbers = [f"({k})" for k in range(1, ncols - 1)]  # columns A, B, (1) … (n − 2)
        missing = [n for n in numbers if n not in text]
        assert not missing, f"{outcome.name} {name}: columns {missing} not on page {page}"
        for needed in (
            "UBND PHƯỜNG TÂN QUY ĐÔNG",
            "BAN CÔNG TÁC XDĐSVH - ĐTVM",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            MOTTO,
            form_title(name),
            WORDS[outcome.scenario.period],
            f"{PLACE} ..... tháng ..... năm 2020",
            "Kèm theo Báo cáo số ……/BC-…… ngày …… tháng …… năm 2020",
            "NGƯỜI LẬP BIỂU",
            "TM. BAN CÔNG TÁC XDĐSVH - ĐTVM",
            "KT. TRƯỞNG BAN",
            "PHÓ TRƯỞNG BAN",
        ):
            assert needed in text, f"{outcome.name} {name}: {needed!r} not on page {page}"
        if name in ("Biểu 01", "Biểu 01b", "Biểu 02", "Biểu 05", "Biểu 05b"):
            for k in KHOM:
                assert f"Khóm {k[1]}" in text
        assert "###" not in text
        rates = re.findall(r"\d+(?:[.,]\d+)?%", text)
        assert all(re.fullmatch(r"\d+[.,]\d\d%", r) for r in rates), rates


def test_page_setup_of_every_form(outcome: Outcome) -> None:
    for path in (outcome.baocao, outcome.recalc):  # as written, and after LibreOffice saved it
        wb = openpyxl.load_workbook(path)
        for name in FORM_SHEETS:
            ws = wb[name]
            ps = ws.page_setup
            assert int(ps.paperSize) == 9 and ps.orientation == "landscape", (path.name, name)
            assert ws.sheet_properties.pageSetUpPr.fitToPage
            assert ps.fitToWidth in (None, 1) and int(ps.fitToHeight or 1) in (0, 1)
            assert ws.print_title_rows == f"${HEADER_ROWS[0] + 1}:${HEADER_ROWS[1] + 1}"
            m = ws.page_margins  # Nghị định 30/2020/NĐ-CP, Phụ lục I (millimetres)
            for side, lo, hi in (
                ("top", 20, 25),
                ("bottom", 20, 25),
                ("left", 30, 35),
                ("right", 15, 20),
            ):
                mm = getattr(m, side) * MM
                assert lo - 0.05 <= mm <= hi + 0.05, (path.name, name, side, mm)
            assert "&P" in ws.oddFooter.center.text
    wb = openpyxl.load_workbook(outcome.baocao)
    for name in FORM_SHEETS:
        filled = [c for row in wb[name].iter_rows() for c in row if c.value not in (None, "")]
        header = [c for c in filled if c.row <= HEADER_ROWS[1] + 1]
        assert len(header) > 10
        fonts = {(c.coordinate, c.font.name) for c in filled if c.font.name != "Times New Roman"}
        assert not fonts, (name, sorted(fonts)[:5])
        place = [c for c in filled if isinstance(c.value, str) and c.value.startswith(PLACE)]
        assert len(place) == 1 and place[0].font.i, name
        title = next(c for c in header if c.value == form_title(name))
        period = next(c for c in header if c.value == WORDS[outcome.scenario.period])
        assert title.font.b and period.font.i


def test_header_blocks_and_signature_as_nghi_dinh_30(outcome: Outcome, tmp_path: Path) -> None:
    """Issuing body top left, motto top right; under the issuing body a rule 1/3–1/2 as long
    as its line, under the motto a rule as long as the motto, each centred under its text;
    place and date then the signature titles on the right, the preparer on the left —
    measured on the printed pages."""
    ban = load_config(CONFIG).phuong.ban
    for form, page in form_pages(outcome).items():
        words = pdf_words(outcome.pdf, page)
        middle = A4[0] / 2
        raster = render(outcome.pdf, page, 144, tmp_path)
        for text, lo, hi in ((MOTTO, 0.95, 1.05), (ban, 1 / 3 - 0.02, 1 / 2 + 0.02)):
            x0, x1, bottom = text_line(words, text)
            r0, r1 = rule_under(raster, x0, x1, bottom)
            where = f"{outcome.name} {form}: rule under {text!r} at {r0:.1f}–{r1:.1f} pt, "
            where += f"text {x0:.1f}–{x1:.1f} pt"
            assert lo <= (r1 - r0) / (x1 - x0) <= hi, where
            assert abs((r0 + r1) / 2 - (x0 + x1) / 2) <= 3, where
        left = ("UBND PHƯỜNG TÂN QUY ĐÔNG", ban, "NGƯỜI LẬP BIỂU")
        right = (
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            MOTTO,
            "TM. BAN CÔNG TÁC XDĐSVH - ĐTVM",
            "KT. TRƯỞNG BAN",
            "PHÓ TRƯỞNG BAN",
        )
        for text in left:
            assert text_line(words, text)[1] < middle, (outcome.name, form, text)
        for text in right:
            assert text_line(words, text)[0] > middle, (outcome.name, form, text)
        place = text_line(words, PLACE)
        tm = text_line(words, right[2])
        assert place[0] > middle and place[2] < tm[2], (outcome.name, form)


def test_not_met_is_highlighted_on_the_printed_forms(outcomes, tmp_path: Path) -> None:
    o = outcomes["quy"]
    pages = form_pages(o)
    for form in ("Biểu 01", "Biểu 02", "Biểu 04"):
        assert "Chưa đạt" in o.pages[pages[form] - 1]
        pink = render(o.pdf, pages[form], 36, tmp_path).count((0xFF, 0xC7, 0xCE))
        assert pink > 50, (form, pink)
    assert render(o.pdf, pages["Biểu 03"], 36, tmp_path).count((0xFF, 0xC7, 0xCE)) == 0


# ── 3. readable on paper (issue 10) ───────────────────────────────────────────────────────

# pdftotext's word box of Times New Roman is 1.30 em high (measured on LibreOffice's PDFs)
EM_BOX = 1.30


def printed_size(words: list[Word], text: str) -> float:
    """The printed font size (points) of the first word `text` on a page."""
    word = next(w for w in words if w.text == text)
    return (word.y1 - word.y0) / EM_BOX


def test_every_form_prints_at_full_size_with_one_header_size(outcome: Outcome) -> None:
    """Body text ≥ 10 pt (the table's labels, 11 pt at 100 %) and the motto's size the same on
    (nearly) every form: no form is shrunk below 90 %."""
    headers = {}
    for form, page in form_pages(outcome).items():
        words = pdf_words(outcome.pdf, page)
        body = printed_size(words, "STT")
        headers[form] = printed_size(words, "CỘNG")
        scale = headers[form] / 13
        assert body >= 10 or scale >= 0.85, (outcome.name, form, body, scale)
    # 13 pt as declared: a form is shrunk at most to 90 % to keep its signers on its page
    assert min(headers.values()) >= 13 * 0.9 - 0.1, headers
    assert sum(h >= 12.9 for h in headers.values()) >= len(headers) - 2, headers


def test_the_data_sheet_is_never_printed(outcome: Outcome) -> None:
    """The forms and the chart page only: `Dữ liệu` holds machine codes (still read by a
    parent's run from the workbook)."""
    assert len(outcome.pages) == len(FORM_SHEETS) + 1  # and the chart page
    for text in outcome.pages:
        assert "ma_chi_tieu" not in text and "GDVH_DAT_DK_TL" not in text
    assert "Biểu đồ – Trang 1" in outcome.pages[-1]
    wb = openpyxl.load_workbook(outcome.baocao)
    assert wb["Dữ liệu"].sheet_state == "hidden"
    assert [n for n in grid(outcome.baocao, "Dữ liệu")[0] if n][:3] == [
        "ky",
        "ma_don_vi",
        "ten_don_vi",
    ]


def test_signers_names_are_printed_under_the_signatures(outcomes) -> None:
    """The ward workbook's Người lập biểu is typed under NGƯỜI LẬP BIỂU on every form."""
    for o in outcomes.values():
        name = "Nguyễn Thị Mỹ Hạnh"  # builders.write_ward's Người lập biểu
        for form, page in form_pages(o).items():
            words = pdf_words(o.pdf, page)
            if not o.scenario.ward:
                assert name not in o.pages[page - 1]
                continue
            x0, x1, bottom = text_line(words, name)
            title = text_line(words, "NGƯỜI LẬP BIỂU")
            assert bottom > title[2] + 30, (o.name, form)  # room to sign between them
            assert abs((x0 + x1) / 2 - (title[0] + title[1]) / 2) < 3, (o.name, form)


def test_numbers_look_the_same_on_any_machine(outcome: Outcome) -> None:
    """Thousands with a dot and decimals with a comma are literal characters of the formats,
    so an en-US LibreOffice (this one) prints them as a vi-VN machine does."""
    wb = openpyxl.load_workbook(outcome.baocao)
    for name in FORM_SHEETS:
        formats = {c.number_format for row in wb[name].iter_rows() for c in row}
        assert not {f for f in formats if "0.0" in f or f == "#,##0"}, (name, formats)
    for text in outcome.pages[:-1]:
        assert not re.search(r"\d\.\d\d%|\d,\d\d\d\b(?!%)", text), text[:400]


# ── 4. templates survive LibreOffice ───────────────────────────────────────────────────────


STRUCTURE_CODES = {"F01", "F03", "F04", "F05", "R01", "R13"}


@dataclass
class TemplateCopies:
    blank: dict[str, Path]  # "khom" / "phuong" → the generated blank
    saved: dict[tuple[str, str], Path]  # (kind, "xlsx" / "ods") → LibreOffice's copy


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory, cfg: Config) -> TemplateCopies:
    base = tmp_path_factory.mktemp("lo-templates")
    year = Period.parse("2020")
    blank = {
        "khom": write_khom_template(base / "BieuKhom_K1_2020.xlsx", cfg, year, "K1"),
        "phuong": write_ward_template(base / "BieuPhuong_29917_2020.xlsx", cfg, year),
    }
    keys = [(kind, fmt) for kind in blank for fmt in ("xlsx", "ods")]
    made = convert_all([(blank[k], f, base / f"{k}-{f}", False) for k, f in keys])
    return TemplateCopies(blank, dict(zip(keys, made, strict=True)))


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
@pytest.mark.parametrize("kind", ["khom", "phuong"])
def test_saved_template_is_still_recognised(templates, cfg, kind: str, fmt: str) -> None:
    path = templates.saved[(kind, fmt)]
    assert path.suffix == f".{fmt}"
    checked = check_file(path, cfg, TODAY)
    assert checked.parsed is not None and not checked.ignored
    assert checked.parsed.kind is (Kind.KHOM if kind == "khom" else Kind.PHUONG)
    assert checked.parsed.version == spec.TEMPLATE_VERSION
    assert checked.period == Period.parse("2020")
    if kind == "khom":
        assert checked.parsed.khom == "K1"
    structural = [f for f in checked.findings if f.code in STRUCTURE_CODES]
    assert not structural, structural


def _validations(ws) -> dict[tuple[str, str | None], set[str]]:
    """(type, formula1) → the cells it covers."""
    out: dict[tuple[str, str | None], set[str]] = {}
    for dv in ws.data_validations.dataValidation:
        key = (dv.type, dv.formula1) if dv.type else ("any", None)  # input message only
        cells = out.setdefault(key, set())
        for rng in str(dv.sqref).split():
            for row in ws[rng] if ":" in rng else ((ws[rng],),):
                cells.update(c.coordinate for c in row)
    return out


@pytest.mark.parametrize("kind", ["khom", "phuong"])
def test_saved_xlsx_keeps_validations_protection_and_inputs(templates, kind: str) -> None:
    original = openpyxl.load_workbook(templates.blank[kind])
    saved = openpyxl.load_workbook(templates.saved[(kind, "xlsx")])
    for ws in original:
        theirs = saved[ws.title]
        assert theirs.protection.sheet, ws.title
        mine_dv, their_dv = _validations(ws), _validations(theirs)
        for key, cells in mine_dv.items():
            lost = cells - their_dv.get(key, set())
            assert not lost, f"{ws.title} {key}: {len(lost)} cells lost, e.g. {sorted(lost)[:3]}"
        unlocked = [
            c.coordinate for row in ws.iter_rows() for c in row if c.protection.locked is False
        ]
        relocked = [a for a in unlocked if theirs[a].protection.locked is not False]
        assert not relocked, f"{ws.title}: {relocked[:5]} locked again"
    if kind == "khom":
        reg = _validations(saved["Danh sách hộ"])
        fields = spec.HOUSEHOLDS.fields
        for i, f in enumerate(fields):
            if f.type in (spec.VType.MARK, spec.VType.CHOICE):
                letter = openpyxl.utils.get_column_letter(i + 1)
                want = {f"{letter}{r}" for r in range(4, 1504)}
                covered = set().union(*(c for (t, _), c in reg.items() if t == "list"))
                assert want <= covered, f.label
        assert sum(f.type is spec.VType.MARK for f in fields) == 5
        assert any(f.label == "Hộ nghèo/cận nghèo" and f.type is spec.VType.CHOICE for f in fields)


def test_filled_libreoffice_templates_consolidate(templates, cfg, tmp_path: Path) -> None:
    """An officer saves the blank in LibreOffice, then fills it: it consolidates cleanly."""
    books, ward = dataset()
    inbox = tmp_path / "inbox"
    k1 = books["K1"]
    files = [
        fill(
            templates.saved[("khom", "xlsx")],
            inbox / "K1_2020.xlsx",
            labels=k1.labels(),
            tables={"Danh sách hộ": [h.row() for h in k1.households]},
            codes={"Khóm": k1.codes()},
        ),
        fill(
            templates.saved[("phuong", "xlsx")],
            inbox / "Phuong_2020.xlsx",
            labels={"Người lập biểu": "Nguyễn Thị Mỹ Hạnh", "Ngày lập": ward.ngay_lap},
            tables={
                "Số liệu ngành": [a.row() for a in ward.agency],
                "Đơn vị": [u.row() for u in ward.units],
            },
        ),
    ]
    run = consolidate(files, cfg, None, today=TODAY)
    errors = [f for f in run.results.findings if f.severity is Severity.ERROR]
    assert not errors, errors
    assert run.results.included == ["K1"] and run.results.has_ward_workbook
    assert run.results.value("K1", "HO") == len(k1.households)
    assert run.results.value("K1", "GDVH_DAT") == sum(h.dat for h in k1.households)
    assert run.results.value(WARD, "DV") == len(ward.units)
