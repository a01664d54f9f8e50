"""The ward's internal lists: merged register and the decision lists."""

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pytest
import python_calamine as pc

from tqd_sheets.config import load_config
from tqd_sheets.periods import Period
from tqd_sheets.registers import KhomRegister, lists, merged_register, write_registers
from tqd_sheets.spec import HOUSEHOLDS as HOUSEHOLDS_SPEC

CFG = load_config(Path(__file__).resolve().parents[1] / "tqd.toml")


def reg(code, rows):
    frame = pd.DataFrame(
        [
            {
                "_row": 4 + i,
                "ma_ho": ma,
                "chu_ho": f"Hộ {ma}",
                "to": to,
                "dia_chi": "",
                "dk_gdvh": dk,
                "dat_gdvh": dat,
                "nam_lien_tuc": years,
                "nhan_khau": 3,
            }
            for i, (ma, to, dk, dat, years) in enumerate(rows)
        ]
    )
    return KhomRegister(code, f"Khóm {code[1:]}", frame)


REGS = [
    reg(
        "K1",
        [
            ("0003", 2, True, True, 4),
            ("0001", 2, True, False, 0),
            ("0002", 1, True, True, 1),
            ("0010", 1, False, False, None),
        ],
    ),
    reg("K2", [("0005", 1, True, True, 3)]),
]


def test_merged_register_is_grouped_by_khom_to_and_ma_ho():
    m = merged_register(REGS)
    assert list(zip(m.khom, m.ma_ho, strict=True)) == [
        ("K1", "0002"),
        ("K1", "0010"),
        ("K1", "0001"),
        ("K1", "0003"),
        ("K2", "0005"),
    ]


def test_decision_lists():
    got = {name: list(df.ma_ho) for name, _, df in lists(merged_register(REGS))}
    assert got == {
        "Đạt GĐVH": ["0002", "0003", "0005"],
        "GĐVH 3 năm liên tục": ["0003", "0005"],
        "Đăng ký chưa đạt": ["0001"],
    }


def test_written_lists_have_titles_counts_and_khom_groups(tmp_path):
    path = write_registers(tmp_path / "DanhSach.xlsx", REGS, CFG, Period.parse("2020"))
    wb = pc.CalamineWorkbook.from_path(str(path))
    assert wb.sheet_names == [
        "Đạt GĐVH",
        "GĐVH 3 năm liên tục",
        "Đăng ký chưa đạt",
        "Sổ hộ toàn phường",
    ]
    rows = wb.get_sheet_by_name("Đạt GĐVH").to_python(skip_empty_area=False)
    flat = [c for row in rows for c in row if c != ""]
    assert "Tổng số: 3 hộ" in flat and "Khóm 1: 2 hộ" in flat and "Khóm 2: 1 hộ" in flat
    assert [r[2] for r in rows if r[2] in ("0002", "0003", "0005")] == ["0002", "0003", "0005"]
    register = wb.get_sheet_by_name("Sổ hộ toàn phường").to_python(skip_empty_area=False)
    assert len([r for r in register[3:] if r[0]]) == 5


# ── the column-wise writer against the one it replaced (issue 11) ──────────────────────────

ODD_TEXT = [
    '  Lê & <Văn> "A"  ',  # escaped, spaces kept
    "dòng 1\ndòng 2",
    "=SUM(A1:A9)",  # looks like a formula: stays text
    "'=1+1",
    "+84 912 345 678",
    "x\x0by\x01z",  # a Word line break and a control character
    "\tthụt",
    "",
    "0012",  # number-like text stays text
    "a]]>b",
    "é" * 40_000,  # past Excel's cell limit: cut with a note
]


def odd_register(code: str, name: str, n: int, seed: int) -> KhomRegister:
    import numpy as np

    rows = []
    for i in range(n):
        j = (i + seed) % len(ODD_TEXT)
        rows.append(
            {
                "_row": 4 + i,
                "ma_ho": f"{seed:02d}{i:04d}" if i % 5 else ODD_TEXT[j],
                "chu_ho": ODD_TEXT[j],
                "to": [1, 2.5, float("nan"), 1e20, float("inf"), 7][i % 6],
                "dia_chi": [None, ODD_TEXT[(j + 1) % len(ODD_TEXT)], float("nan"), pd.NA][i % 4],
                "nhan_khau": [3, None, -0.1, 12345678901234567][i % 4],
                "ngheo": ["Nghèo", None, "Cận nghèo"][i % 3],
                "dk_gdvh": i % 3 != 0,
                "dat_gdvh": i % 2 == 0,
                "nam_lien_tuc": [None, 1, 3, 4.0, 10][i % 5],
                # One column of many kinds: True is a mark, 1 and 1.0 numbers, np.int64 text.
                "gd_hoc_tap": [True, 1, 1.0, False, 0, np.int64(2), "x", None][i % 8],
                "ghi_chu": ODD_TEXT[(j + 2) % len(ODD_TEXT)],
                "Cột thêm & <lạ>": [ODD_TEXT[j], 5, None, True][i % 4],
            }
        )
    return KhomRegister(code, name, pd.DataFrame(rows), ("Cột thêm & <lạ>",))


ODD = [
    odd_register("K1", 'Khóm <1> & "A"', 23, 1),
    KhomRegister("K2", "Khóm 2", REGS[0].frame.iloc[0:0]),  # a khóm without households
    odd_register("K3", "  Khóm 3 ", 17, 3),
]


def sheets_of(path) -> dict[str, list[list[object]]]:
    wb = pc.CalamineWorkbook.from_path(str(path))
    return {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in wb.sheet_names}


def sheet_xml(path) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")}


@pytest.mark.parametrize("sheet_rows", [1_048_576, 12, 10])
def test_the_writer_matches_the_one_it_replaced_cell_for_cell(tmp_path, monkeypatch, sheet_rows):
    """Every sheet's cells (and its XML, byte for byte) as the row-by-row writer made them;
    with short sheets, the lists and the register go on into `… (2)`, `… (3)`…"""
    import registers_before
    from tqd_sheets import registers

    monkeypatch.setattr(registers, "SHEET_ROWS", sheet_rows)
    monkeypatch.setattr(registers_before, "SHEET_ROWS", sheet_rows)
    period = Period.parse("2020")
    new = registers.write_registers(tmp_path / "new.xlsx", ODD, CFG, period)
    old = registers_before.write_registers(tmp_path / "old.xlsx", ODD, CFG, period)
    got, want = sheets_of(new), sheets_of(old)
    assert list(got) == list(want)
    assert got == want
    assert sheet_xml(new) == sheet_xml(old)
    if sheet_rows == 10:
        assert "Sổ hộ toàn phường (6)" in got  # 40 households, 7 a sheet
        assert "Đạt GĐVH (2)" in got


def test_odd_text_is_written_as_text(tmp_path):
    path = write_registers(tmp_path / "D.xlsx", ODD, CFG, Period.parse("2020"))
    register = sheets_of(path)["Sổ hộ toàn phường"]
    names = [r[2] for r in register[3:26]]
    assert "=SUM(A1:A9)" in names and "'=1+1" in names and "+84 912 345 678" in names
    assert "x\nyz" in names and '  Lê & <Văn> "A"  ' in names and "a]]>b" in names
    cut = next(n for n in names if n.startswith("éé"))
    assert len(cut) == 32_767 and cut.endswith("ký tự của một ô Excel]")
    assert register[3][0] == 'Khóm <1> & "A"'
    marks = {r[10] for r in register[3:]}  # Gia đình học tập: marks, numbers, text, empty
    assert marks == {"x", "", 1.0, 0.0, "2"}


# ── typed columns, as parse hands them over (issue 11: bare text columns, factorize) ──────


def typed_register(code: str, name: str, n: int, seed: int) -> KhomRegister:
    """A register whose columns have pandas' own dtypes, with runs of rows that are all plain
    text (written as they are) next to runs that are not (empty, spaced, escaped, missing)."""
    import random

    import numpy as np

    rng = random.Random(seed)
    plain = ["Nguyễn Văn A", "Lê Thị B", "12 Lê Lợi", "0012", "=A1", "+84 9", "ĐB"]
    odd = ["", " lề", "lề ", "a & b", "x\x0by", None, float("nan"), "\u00a0nbsp"]

    def texts(k: int) -> list:  # a run of plain rows, then now and then an odd one
        return [
            rng.choice(odd)
            if (i // 6) % 3 == 2 and rng.random() < 0.5
            else f"{rng.choice(plain)} {k}{i}"
            for i in range(n)
        ]

    frame = pd.DataFrame(
        {
            "_row": range(4, 4 + n),
            "ma_ho": pd.Series(texts(1), dtype="str"),
            "chu_ho": pd.Series(texts(2), dtype=object),
            "to": pd.Series([rng.choice([1, 2, None]) for _ in range(n)], dtype=object),
            "dia_chi": pd.Series([f"{i} Lê Lợi" for i in range(n)], dtype="str"),
            "nhan_khau": np.array([rng.choice([0, 3, -7, 12345678901234567]) for _ in range(n)]),
            "ngheo": pd.Series([rng.choice(["Nghèo", None, float("nan")]) for _ in range(n)]),
            "dk_gdvh": np.array([rng.random() < 0.7 for _ in range(n)]),
            "dat_gdvh": np.array([rng.random() < 0.5 for _ in range(n)]),
            "nam_lien_tuc": np.array(
                [rng.choice([0.0, -0.0, 1.0, 3.0, 2.5, np.nan, 1e20, np.inf]) for _ in range(n)]
            ),
            "gd_hoc_tap": pd.Series(
                [rng.choice([True, 1, 1.0, False, 0, None, float("nan"), "x"]) for _ in range(n)],
                dtype=object,
            ),
            "ghi_chu": pd.Series(
                [rng.choice(["a", "b", None]) for _ in range(n)], dtype="category"
            ),
            "Ngày": pd.to_datetime(["2020-01-02"] * n),
        }
    )
    return KhomRegister(code, name, frame, ("Ngày",))


TYPED = [
    typed_register("K1", "Khóm 1", 40, 1),
    typed_register("K2", "Khóm 2", 0, 2),
    typed_register("K3", "Khóm <3>", 33, 3),
]


@pytest.mark.parametrize(("sheet_rows", "piece"), [(1_048_576, 20_000), (1_048_576, 6), (17, 5)])
def test_typed_columns_match_the_writer_it_replaced(tmp_path, monkeypatch, sheet_rows, piece):
    """Columns of pandas dtypes (text, nullable integers, floats with NaN and -0.0, marks,
    categories, dates), made in slices small enough that some are all plain and some not."""
    import registers_before
    from tqd_sheets import registers

    monkeypatch.setattr(registers, "SHEET_ROWS", sheet_rows)
    monkeypatch.setattr(registers_before, "SHEET_ROWS", sheet_rows)
    monkeypatch.setattr(registers, "_SLICE", piece)
    monkeypatch.setattr(registers, "_BATCH", max(1, piece // 2))
    period = Period.parse("2020")
    new = registers.write_registers(tmp_path / "new.xlsx", TYPED, CFG, period)
    old = registers_before.write_registers(tmp_path / "old.xlsx", TYPED, CFG, period)
    assert sheet_xml(new) == sheet_xml(old)
    assert sheets_of(new) == sheets_of(old)


def test_bare_columns_are_exactly_the_plain_unspaced_texts():
    from tqd_sheets.registers import _bare

    assert _bare(["a", "Lê Lợi", "0012", "=1"])
    assert _bare(["Lê Lợi|Khóm 1", "a\u00a0b"])  # a space other than " " inside: still bare
    odds = ("", " a", "a ", "a\n", "\u00a0a", "a\u3000", "\ta", "a&b", "<", ">", "x\x0b")
    for odd in (*odds, "\ud800", "é" * 32_768, " "):
        assert not _bare(["a", odd, "b"]), odd
    assert not _bare([]) and not _bare(["a", None]) and not _bare(["a", 1])
    assert _bare(["é" * 32_767]) and _bare(["é" * 32_767, "a"]) and not _bare(["a", "é" * 32_768])


# ── merged_register against the frame-by-frame one it replaced (issue 11, commit c5b5067) ──


def merged_register_before(registers: Sequence[KhomRegister]) -> pd.DataFrame:
    """All registers in one table, khóm in configuration order, then tổ, then Mã hộ."""
    frames = []
    for order, reg in enumerate(registers):
        df = reg.frame.drop(columns=["_row", "_bad"], errors="ignore")  # a new frame
        df.insert(0, "khom", reg.code)
        df.insert(1, "ten_khom", reg.name)
        df["_order"] = order
        frames.append(df)
    if not frames:
        return pd.DataFrame(columns=["khom", "ten_khom", *(f.code for f in HOUSEHOLDS_SPEC.fields)])
    merged = pd.concat(frames, ignore_index=True)
    merged["_to"] = pd.to_numeric(merged["to"], errors="coerce")
    merged = merged.sort_values(["_order", "_to", "ma_ho"], kind="stable")
    return merged.drop(columns=["_order", "_to"]).reset_index(drop=True)


@pytest.mark.parametrize(
    "regs",
    [REGS, ODD, TYPED, [*TYPED, *ODD, *REGS], [ODD[1]], []],
    ids=["plain", "odd", "typed", "mixed", "empty-khom", "none"],
)
def test_merged_register_is_the_one_it_replaced(regs):
    pd.testing.assert_frame_equal(merged_register(regs), merged_register_before(regs))


@pytest.mark.parametrize("sheet_rows", [1_048_576, 12])
def test_a_khom_given_twice_is_written_as_the_writer_it_replaced_wrote_it(
    tmp_path, monkeypatch, sheet_rows
):
    import registers_before
    from tqd_sheets import registers

    monkeypatch.setattr(registers, "SHEET_ROWS", sheet_rows)
    monkeypatch.setattr(registers_before, "SHEET_ROWS", sheet_rows)
    twice = [ODD[0], TYPED[0], ODD[0], TYPED[2]]  # ODD[0] is K1, TYPED[0] too
    period = Period.parse("2020")
    new = registers.write_registers(tmp_path / "new.xlsx", twice, CFG, period)
    old = registers_before.write_registers(tmp_path / "old.xlsx", twice, CFG, period)
    assert sheet_xml(new) == sheet_xml(old)
