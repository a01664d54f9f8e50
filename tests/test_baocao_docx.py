"""`BaoCao_P.docx`, the draft báo cáo: its figures, read back from its own sentences, are the
`Dữ liệu` figures; numbers are written the Vietnamese way; a partial run gives no verdict on
the data it lacks; the signer's name is typed under the signature.

The figures are parsed from the PDF LibreOffice renders (what the officer prints), and compared
with `Results.data` — which `results_factory` derives from hand-picked inputs, and which the
tests below re-add from those inputs where it matters.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from results_factory import KHOM, KHOM_INPUTS, WARD, make_config, make_results
from tqd_sheets import office
from tqd_sheets.baocao_docx import (
    ANNEX,
    OFFICER_MARK,
    diem,
    recipients,
    sections,
    so,
    ty_le,
    write_baocao,
)
from tqd_sheets.periods import Period

docx = pytest.importorskip("docx")

SIGNER = "Nguyễn Thị Bích Ngọc"
NUM = r"(\d{1,3}(?:\.\d{3})*)"  # 3.481, never 3,481
RATE = r"(\d+,\d{2}) %"  # 99,40 %


def _plain(text: str) -> str:
    """One line of text, non-breaking spaces as spaces (the PDF and the .docx alike)."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def docx_text(path: Path) -> str:
    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        for cell in table._cells:
            parts.extend(p.text for p in cell.paragraphs)
    return _plain("\n".join(parts))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The text of each scenario's report as LibreOffice prints it (PDF)."""
    if office.soffice() is None or not office.has_writer():
        pytest.skip("LibreOffice Writer is not installed (CI installs libreoffice-writer-nogui)")
    work = tmp_path_factory.mktemp("baocao")
    config = make_config()
    docs = {}
    for name, r in scenarios().items():
        docs[name] = write_baocao(work / f"{name}.docx", r, config)
    pdfs = office.convert_many(list(docs.values()), "pdf", work / "pdf")
    out = {}
    for pdf in pdfs:
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        out[pdf.stem] = _plain(text)
    return out


def scenarios() -> dict[str, object]:
    full = make_results()
    full.signers = {"ky": SIGNER, "nguoi_lap": "Trần Văn Lập"}
    return {"full": full, "partial": make_results(included=("K1", "K2"))}


def value(r, unit: str, code: str) -> float:
    d = r.data
    row = d[(d.ma_don_vi == unit) & (d.ma_chi_tieu == code) & (d.phan_loai == "")]
    assert len(row) == 1, (unit, code)
    return float(row.gia_tri.iloc[0])


def count(text: str) -> int:
    return int(text.replace(".", ""))


def percent(text: str) -> float:
    return float(text.replace(",", "."))


def as_percent(x: float) -> float:
    return round(x * 100, 2)


# ── number style ───────────────────────────────────────────────────────────────────────────


def test_gaps_in_vietnamese_style() -> None:
    from tqd_sheets.baocao_docx import gap_words

    assert gap_words("còn thiếu 1234 hộ") == "còn thiếu 1.234 hộ"
    assert gap_words("còn thiếu 12 hộ") == "còn thiếu 12 hộ"
    assert gap_words("nhiều nhất 3/4 khóm") == "nhiều nhất 3/4 khóm"


def test_vietnamese_number_style() -> None:
    assert so(3481) == "3.481"
    assert so(35_250_000) == "35.250.000"
    assert so(999) == "999"
    assert so(12.5) == "12,5"
    assert ty_le(0.994).replace("\u00a0", " ") == "99,40 %"
    assert ty_le(3284 / 3481).replace("\u00a0", " ") == "94,34 %"
    assert diem(0.9434 - 0.94).replace("\u00a0", " ") == "0,34 điểm %"
    assert diem(-0.05).replace("\u00a0", " ") == "5,00 điểm %"


# ── figures parsed back from the printed sentences ─────────────────────────────────────────


def test_ward_figures_read_back_equal_du_lieu(rendered) -> None:
    r = make_results()
    text = rendered["full"]
    m = re.search(
        rf"Toàn phường có {NUM} hộ, {NUM} hộ đăng ký xây dựng gia đình văn hóa \({RATE}\)",
        text,
    )
    assert m, text[:600]
    assert count(m[1]) == value(r, WARD, "HO") == sum(KHOM_INPUTS[k]["HO"] for k in KHOM)
    assert count(m[2]) == value(r, WARD, "GDVH_DK")
    assert percent(m[3]) == as_percent(value(r, WARD, "GDVH_DK_TL"))
    m = re.search(rf"{NUM} hộ đạt chuẩn GĐVH \({RATE}\)", text)
    assert count(m[1]) == value(r, WARD, "GDVH_DAT") == 360
    assert percent(m[2]) == as_percent(360 / 425) == 84.71
    m = re.search(rf"trong đó {NUM} hộ đạt GĐVH 3 năm liên tục trở lên \({RATE}\)", text)
    assert count(m[1]) == value(r, WARD, "GDVH_3NAM")
    assert percent(m[2]) == as_percent(value(r, WARD, "GDVH_3NAM_TL"))
    for label, code in (
        ("Gia đình học tập", "GDHT"),
        ("gia đình thể thao", "GDTT"),
        ("hộ nghèo", "HO_NGHEO"),
        ("hộ cận nghèo", "HO_CAN_NGHEO"),
    ):
        m = re.search(rf"{label}: {NUM} hộ \({RATE}\)", text)
        assert m, label
        assert count(m[1]) == value(r, WARD, code)
        assert percent(m[2]) == as_percent(value(r, WARD, code + "_TL"))


def test_each_child_figures_read_back(rendered) -> None:
    r = make_results()
    for k in KHOM:
        name = f"Khóm {k[1:]}"
        m = re.search(
            rf"- {name}: {NUM} hộ, {NUM} hộ đăng ký \({RATE}\), {NUM} hộ đạt chuẩn GĐVH "
            rf"\({RATE}\), {NUM} hộ đạt 3 năm liên tục trở lên",
            rendered["full"],
        )
        assert m, name
        assert count(m[1]) == value(r, k, "HO") == KHOM_INPUTS[k]["HO"]
        assert count(m[2]) == value(r, k, "GDVH_DK")
        assert percent(m[3]) == as_percent(value(r, k, "GDVH_DK_TL"))
        assert count(m[4]) == value(r, k, "GDVH_DAT") == KHOM_INPUTS[k]["GDVH_DAT"]
        assert percent(m[5]) == as_percent(value(r, k, "GDVH_DAT_TL"))
        assert count(m[6]) == value(r, k, "GDVH_3NAM")


def test_gaps_to_the_target_per_child(rendered) -> None:
    """Target 94 %: K2 has 80/95 → needs ceil(0.94·95) = 90 → 10 more; K3 110/150 → 141 → 31;
    K1 (113/120 = 94,17 %) and K4 (57/60) need none."""
    text = rendered["full"]
    assert "Khóm 2: 95 hộ" in text
    assert re.search(r"- Khóm 2: [^-]*còn thiếu 10 hộ đạt chuẩn để đạt chỉ tiêu 94,00 %", text)
    assert re.search(r"- Khóm 3: [^-]*còn thiếu 31 hộ đạt chuẩn", text)
    k1 = re.search(r"- Khóm 1: [^-]*\.", text)[0]
    assert "còn thiếu" not in k1


def test_ward_targets_and_activities_read_back(rendered) -> None:
    r = make_results()
    text = rendered["full"]
    # 360/425 = 84,71 % against 94 %: 9,29 points short, ceil(0.94·425) − 360 = 40 households
    assert re.search(
        r"360 hộ đạt chuẩn GĐVH \(84,71 %\), chưa đạt chỉ tiêu 94,00 % "
        r"\(thấp hơn 9,29 điểm %, còn thiếu 40 hộ\)",
        text,
    )
    m = re.search(
        rf"Tổ chức {NUM} buổi tuyên truyền, vận động với {NUM} lượt người dự; hòa giải {NUM} "
        rf"vụ việc, thành {NUM} vụ việc \({RATE}\); biểu dương {NUM} gương người tốt, việc tốt; "
        rf"kinh phí Phong trào đã sử dụng {NUM} đồng, vận động xã hội hóa {NUM} đồng; {NUM} hộ",
        text,
    )
    assert m
    codes = ("TT_BUOI", "TT_LUOT", "HOA_GIAI", "HOA_GIAI_THANH")
    for i, code in enumerate(codes, start=1):
        assert count(m[i]) == value(r, WARD, code) == sum(KHOM_INPUTS[k][code] for k in KHOM)
    assert percent(m[5]) == as_percent(value(r, WARD, "HOA_GIAI_TL"))
    assert count(m[6]) == value(r, WARD, "GUONG_TOT")
    assert count(m[7]) == value(r, WARD, "KINH_PHI") == 35_250_000
    assert count(m[8]) == value(r, WARD, "XA_HOI_HOA")
    assert count(m[9]) == value(r, WARD, "HO_VI_PHAM")
    m = re.search(
        rf"có {NUM} cơ quan, đơn vị; {NUM} đơn vị đăng ký đạt chuẩn văn hóa; {NUM} đơn vị đạt "
        rf"chuẩn văn hóa \({RATE} so với số đăng ký\)",
        text,
    )
    assert (count(m[1]), count(m[2]), count(m[3])) == (24, 21, 18)
    assert percent(m[4]) == as_percent(18 / 21) == as_percent(value(r, WARD, "DV_DAT_TL"))
    assert "Đạt 0/5 chỉ tiêu, chưa đạt 5." in text
    assert "Có 2/4 khóm đạt chuẩn văn minh đô thị (50,00 %): Khóm 1, Khóm 2." in text


def test_every_number_is_written_the_vietnamese_way(rendered) -> None:
    for text in rendered.values():
        assert not re.search(r"\d,\d{3}(?!\d)\b(?! %)", text.replace("điểm %", "")), text
        assert not re.search(r"\d%", text)  # always `80 %`
        assert not re.search(r"\d\.\d{1,2} ?%", text)  # never 99.40 %
    assert "1.070 người trong độ tuổi lao động" in rendered["full"]


def test_layout_elements_and_signer(rendered) -> None:
    text = rendered["full"]
    for piece in (
        "UBND PHƯỜNG TÂN QUY ĐÔNG",
        "BAN CÔNG TÁC XDĐSVH - ĐTVM",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: ……/BC-……",
        "Tân Quy Đông, ngày …… tháng …… năm 2020",
        "BÁO CÁO",
        "Kết quả thực hiện Phong trào “Toàn dân đoàn kết xây dựng đời sống văn hóa” năm 2020",
        "I. KẾT QUẢ THỰC HIỆN",
        "II. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN",
        "III. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI",
        OFFICER_MARK.strip(),
        ANNEX,
        "Nơi nhận:",
        "- Lưu: VT.",
        "TM. BAN CÔNG TÁC XDĐSVH - ĐTVM",
        "KT. TRƯỞNG BAN",
        "PHÓ TRƯỞNG BAN",
        SIGNER,
    ):
        assert piece in text, piece
    assert text.index("PHÓ TRƯỞNG BAN") < text.index(SIGNER)


def test_no_signer_leaves_a_line(tmp_path) -> None:
    r = make_results()
    path = write_baocao(tmp_path / "BaoCao_2020.docx", r, make_config())
    text = docx_text(path)
    assert text.endswith("PHÓ TRƯỞNG BAN ……………………………")
    r.signers = {"ky": SIGNER}
    assert SIGNER in docx_text(write_baocao(tmp_path / "b.docx", r, make_config()))


# ── partial runs, history ──────────────────────────────────────────────────────────────────


def test_partial_run_says_what_it_covers_and_gives_no_verdict(rendered) -> None:
    text = rendered["partial"]
    assert "Tổng hợp 2/4 khóm. Chưa có số liệu hợp lệ của: Khóm 3 (Chưa nộp), Khóm 4" in text
    # 120 + 95 = 215 households, 113 + 80 = 193 đạt: the included khóm's figures only
    assert "Tổng hợp 2/4 khóm (Khóm 1, Khóm 2): các khóm đã tổng hợp có 215 hộ" in text
    assert (
        "193 hộ đạt chuẩn GĐVH (89,77 %), chưa đủ căn cứ đánh giá so với chỉ tiêu 94,00 %" in text
    )
    assert "Toàn phường có" not in text
    assert "vượt chỉ tiêu" not in text
    assert not re.search(r"(?<!- Khóm \d: )còn thiếu \d+ hộ\)", text)  # no ward gap
    assert "- Khóm 3: chưa có số liệu hợp lệ" in text
    assert "Các chỉ tiêu đạt" not in text
    # Only the cơ quan, đơn vị rate (from the ward's own workbook) is judged: 18/21 < 100 %.
    # The GĐVH rates rest on the missing khóm; 2 khóm đạt + 2 missing may still reach the 4
    # khóm of the plan, and the ward's title waits for them.
    assert "Đạt 0/5 chỉ tiêu, chưa đạt 1, chưa đủ căn cứ đánh giá 4." in text
    assert (
        "Chưa đủ căn cứ đánh giá (Tổng hợp 2/4 khóm): Tỷ lệ hộ đăng ký GĐVH (chỉ tiêu 100,00 %, "
        "kết quả 99,07 %); " in text
    )
    assert "; Số khóm đạt chuẩn văn minh đô thị (chỉ tiêu 4 khóm, kết quả 2 khóm);" in text


def test_same_period_last_year_is_compared() -> None:
    r = make_results()
    before = r.data.copy()
    ho = (before.ma_don_vi == WARD) & (before.ma_chi_tieu == "HO")
    before.loc[ho, ["tu_so", "gia_tri"]] = 400.0
    tl = (before.ma_don_vi == WARD) & (before.ma_chi_tieu == "GDVH_DAT_TL")
    before.loc[tl, "gia_tri"] = 0.80
    r.previous, r.previous_period = before, Period(2019, "Y")
    text = _plain(" ".join(p.text for p in sections(r, make_config())))
    # 425 now, 400 then: +25; 84,71 % now, 80,00 % then: +4,71 points
    assert "So với cùng kỳ năm trước (Năm 2019): tổng số hộ tăng 25 hộ (cùng kỳ 400 hộ)" in text
    assert "tỷ lệ hộ đạt chuẩn GĐVH tăng 4,71 điểm % (cùng kỳ 80,00 %)" in text
    partial = make_results(included=("K1", "K2"))
    partial.previous, partial.previous_period = before, Period(2019, "Y")
    assert "cùng kỳ" not in " ".join(p.text for p in sections(partial, make_config()))


def test_a_xa_reads_ap_and_xa() -> None:
    config = make_config({k: f"Ấp {k[1:]}" for k in KHOM}).model_copy(deep=True)
    ward = config.don_vi.model_copy(update={"cap": "Xã", "co_quan": "UBND XÃ TÂN KHÁNH ĐÔNG"})
    kids = tuple(k.model_copy(update={"cap": "Ấp"}) for k in config.don_vi_con)
    config = config.model_copy(update={"don_vi": ward, "don_vi_con": kids})
    r = make_results(names={k: f"Ấp {k[1:]}" for k in KHOM})
    r.overview = r.overview.assign(loai=["Ấp" if m != WARD else "Xã" for m in r.overview.ma])
    # what the pipeline words in the run's words already (title reasons, target labels)
    r.ward_title_reasons = "Tỷ lệ ấp đạt chuẩn văn hóa dưới 80 %"
    for col in ("noi_dung", "con_thieu"):
        r.targets[col] = r.targets[col].str.replace("khóm", "ấp").str.replace("Phường", "Xã")
    text = " ".join(p.text for p in sections(r, config)).casefold()
    assert "toàn xã có 425 hộ" in text
    assert "tổng hợp 4/4 ấp" in text
    assert "khóm" not in text and "phường" not in text


def test_written_atomically(tmp_path) -> None:
    path = write_baocao(tmp_path / "BaoCao_2020.docx", make_results(), make_config())
    assert [p.name for p in tmp_path.iterdir()] == ["BaoCao_2020.docx"]
    assert docx_text(path).startswith("UBND PHƯỜNG TÂN QUY ĐÔNG") or "BÁO CÁO" in docx_text(path)


def test_a_report_that_cannot_be_made_is_a_finding(tmp_path, monkeypatch) -> None:
    """F08: the run goes on without the .docx; KiemTra (written after it) lists the finding."""
    from types import SimpleNamespace

    from tqd_sheets import baocao_docx, outputs

    def broken(path, results, config):
        raise ValueError("hỏng")

    monkeypatch.setattr(baocao_docx, "write_baocao", broken)
    run = SimpleNamespace(results=make_results(findings=[]))
    made = outputs._baocao_or_finding(run, tmp_path / "BaoCao_2020.docx", make_config())
    assert made == []
    assert [(f.code, f.severity.value) for f in run.results.findings] == [("F08", "Cảnh báo")]
    assert "hỏng" in run.results.findings[0].message


def test_a_parents_run_speaks_of_its_phuong_and_xa() -> None:
    """A city's run: its children are phường and xã, each named by its own kind."""
    names = {"K1": "Phường 1", "K2": "Phường 2", "K3": "Xã Tân Phú", "K4": "Xã Tân Khánh"}
    base = make_config(names)
    city = base.don_vi.model_copy(
        update={"cap": "Thành phố", "ten": "Sa Đéc", "co_quan": "UBND THÀNH PHỐ SA ĐÉC"}
    )
    kids = tuple(
        k.model_copy(update={"cap": "Xã" if k.ten.startswith("Xã") else "Phường"})
        for k in base.don_vi_con
    )
    config = base.model_copy(update={"don_vi": city, "don_vi_con": kids})
    r = make_results(names=names, included=("K1", "K2", "K3"))
    r.overview = r.overview.assign(
        loai=[("Xã" if n.startswith("Xã") else "Phường") for n in r.overview.ten[:-1]]
        + ["Thành phố"]
    )
    r.ward_title_reasons = ""
    r.khom_titles = r.khom_titles.assign(ly_do="")
    r.targets = r.targets.iloc[0:0]
    r.complete = {"K1": True, "K2": False, "K3": True}
    text = " ".join(p.text for p in sections(r, config))
    assert "Tổng hợp 3/4 phường/xã (Phường 1, Phường 2, Xã Tân Phú)" in text
    assert "Số liệu của Phường 2 chưa đầy đủ" in text
    assert "- Xã Tân Khánh: chưa có số liệu hợp lệ" in text
    assert "khóm" not in text.casefold()
    assert recipients(config)[1] == "- Đảng ủy, UBND thành phố (b/c);"
