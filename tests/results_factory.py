"""A realistic `Results` built by hand, with known numbers, for the writers' tests.

Four khóm K1..K4 of ward TQD. `KHOM_INPUTS` holds the hand-picked counts; `make_results`
derives every `data` row from them the way indicators.md defines (ward counts are sums over the
included khóm, ward rates are ward numerator over ward denominator), so a test can recompute any
expected value independently from `KHOM_INPUTS`.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

from builders import AGENCY_CODES, RATES  # the test side's one copy of indicators.md's rates
from tqd_sheets.config import Config
from tqd_sheets.findings import Finding, Severity
from tqd_sheets.periods import Period
from tqd_sheets.results import (
    CHUA_DAT,
    CHUA_DU,
    CHUA_NOP,
    CO_LOI,
    DA_TONG_HOP,
    DAT,
    DATA_COLUMNS,
    TARGET_COLUMNS,
    Results,
)
from tqd_sheets.spec import TARGETS, UNIT_TYPES

WARD = "29917"
KHOM = ("K1", "K2", "K3", "K4")

# Hand-picked inputs per khóm.
KHOM_INPUTS: dict[str, dict] = {
    "K1": dict(
        HO=120,
        NK=455,
        GDVH_DK=118,
        GDVH_DAT=113,
        GDVH_3NAM=90,
        GDHT=61,
        GDTT=40,
        HO_NGHEO=3,
        HO_CAN_NGHEO=5,
        HO_VI_PHAM=1,
        TT_BUOI=6,
        TT_LUOT=350,
        HOA_GIAI=4,
        HOA_GIAI_THANH=3,
        GUONG_TOT=5,
        KINH_PHI=12_500_000,
        XA_HOI_HOA=4_000_000,
        LAO_DONG=300,
        VIEC_LAM=285,
        HO_NGHEO_LDTBXH=3,
        HO_CAN_NGHEO_LDTBXH=5,
        NGUOI_VI_PHAM=2,
        KHOM_YTE=1,
        KHOM_QS=1,
        DIEM=92.0,
        NGAY_HOI=True,
        QUY_UOC=True,
        CD_HOC_TAP=True,
        ANTT=True,
    ),
    "K2": dict(
        HO=95,
        NK=371,
        GDVH_DK=95,
        GDVH_DAT=80,
        GDVH_3NAM=52,
        GDHT=30,
        GDTT=21,
        HO_NGHEO=2,
        HO_CAN_NGHEO=4,
        HO_VI_PHAM=0,
        TT_BUOI=4,
        TT_LUOT=210,
        HOA_GIAI=2,
        HOA_GIAI_THANH=2,
        GUONG_TOT=3,
        KINH_PHI=8_000_000,
        XA_HOI_HOA=2_500_000,
        LAO_DONG=230,
        VIEC_LAM=221,
        HO_NGHEO_LDTBXH=2,
        HO_CAN_NGHEO_LDTBXH=4,
        NGUOI_VI_PHAM=0,
        KHOM_YTE=1,
        KHOM_QS=0,
        DIEM=85.5,
        NGAY_HOI=True,
        QUY_UOC=True,
        CD_HOC_TAP=False,
        ANTT=True,
    ),
    "K3": dict(
        HO=150,
        NK=602,
        GDVH_DK=140,
        GDVH_DAT=110,
        GDVH_3NAM=70,
        GDHT=45,
        GDTT=33,
        HO_NGHEO=6,
        HO_CAN_NGHEO=9,
        HO_VI_PHAM=3,
        TT_BUOI=5,
        TT_LUOT=280,
        HOA_GIAI=0,
        HOA_GIAI_THANH=0,
        GUONG_TOT=2,
        KINH_PHI=9_750_000,
        XA_HOI_HOA=1_000_000,
        LAO_DONG=390,
        VIEC_LAM=351,
        HO_NGHEO_LDTBXH=7,
        HO_CAN_NGHEO_LDTBXH=9,
        NGUOI_VI_PHAM=4,
        KHOM_YTE=0,
        KHOM_QS=1,
        DIEM=78.0,
        NGAY_HOI=True,
        QUY_UOC=False,
        CD_HOC_TAP=True,
        ANTT=True,
    ),
    "K4": dict(
        HO=60,
        NK=230,
        GDVH_DK=59,
        GDVH_DAT=57,
        GDVH_3NAM=41,
        GDHT=20,
        GDTT=12,
        HO_NGHEO=1,
        HO_CAN_NGHEO=2,
        HO_VI_PHAM=0,
        TT_BUOI=3,
        TT_LUOT=120,
        HOA_GIAI=1,
        HOA_GIAI_THANH=1,
        GUONG_TOT=1,
        KINH_PHI=5_000_000,
        XA_HOI_HOA=0,
        LAO_DONG=150,
        VIEC_LAM=140,
        HO_NGHEO_LDTBXH=1,
        HO_CAN_NGHEO_LDTBXH=2,
        NGUOI_VI_PHAM=1,
        KHOM_YTE=1,
        KHOM_QS=1,
        DIEM=88.0,
        NGAY_HOI=True,
        QUY_UOC=True,
        CD_HOC_TAP=False,
        ANTT=False,
    ),
}

HOUSEHOLD_COUNTS = (
    "HO",
    "NK",
    "GDVH_DK",
    "GDVH_DAT",
    "GDVH_3NAM",
    "GDHT",
    "GDTT",
    "HO_NGHEO",
    "HO_CAN_NGHEO",
    "HO_VI_PHAM",
)
KHOM_COUNTS = (
    *HOUSEHOLD_COUNTS,
    "TT_BUOI",
    "TT_LUOT",
    "HOA_GIAI",
    "HOA_GIAI_THANH",
    "GUONG_TOT",
    "KINH_PHI",
    "XA_HOI_HOA",
)
# What the ward workbook's `Số liệu ngành` gives per khóm (K3's Hộ nghèo differs from its
# register on purpose: the two are reported side by side, never merged).
AGENCY_COUNTS = AGENCY_CODES

# loai, DV, DV_DK, DV_DAT, DV_HT, DV_ANTT
UNIT_ROWS = (
    (UNIT_TYPES[0], 3, 3, 3, 2, 3),
    (UNIT_TYPES[1], 4, 4, 3, 1, 4),
    (UNIT_TYPES[2], 5, 5, 5, 5, 5),
    (UNIT_TYPES[3], 12, 9, 7, 0, 10),
    (UNIT_TYPES[4], 0, 0, 0, 0, 0),
)

DEFAULT_TARGETS = {
    "GDVH_DK_TL": 1.0,
    "GDVH_DAT_TL": 0.94,
    "KHOM_VMDT": 4.0,
    "PHUONG_VMDT": 1.0,
    "DV_DAT_TL": 1.0,
}


def register(n: int, dat: int) -> pd.DataFrame:
    """A parsed register of `n` households, every one registered, the first `dat` đạt GĐVH
    (4 people each, 1 year in a row, no other mark)."""
    return pd.DataFrame(
        [
            {
                "ma_ho": f"{i:03d}",
                "dk_gdvh": True,
                "dat_gdvh": i < dat,
                "nam_lien_tuc": 1,
                "gd_hoc_tap": False,
                "gd_the_thao": False,
                "ngheo": None,
                "vi_pham": False,
                "nhan_khau": 4,
            }
            for i in range(n)
        ]
    )


def make_config(names: dict[str, str] | None = None) -> Config:
    names = names or {}
    return Config.model_validate(
        {
            "phuong": {
                "ma": WARD,
                "ten": "Tân Quy Đông",
                "cap": "Phường",
                "thanh_pho": "thành phố Sa Đéc",
                "tinh": "tỉnh Đồng Tháp",
                "co_quan": "UBND PHƯỜNG TÂN QUY ĐÔNG",
                "ban": "BAN CÔNG TÁC XDĐSVH - ĐTVM",
                "dia_danh": "Tân Quy Đông",
            },
            "khom": [{"ma": k, "ten": names.get(k, f"Khóm {k[1:]}")} for k in KHOM],
            "bo_tieu_chi": {"ND122_2018": {"ten": "Nghị định 122/2018/NĐ-CP"}},
            "ap_dung": {"mac_dinh": "ND122_2018"},
        }
    )


def khom_inputs(
    included: tuple[str, ...] = KHOM,
    zero_households: tuple[str, ...] = (),
    overrides: dict[str, dict] | None = None,
    has_ward_workbook: bool = True,
    agency_rows: tuple[str, ...] = KHOM,
) -> dict[str, dict]:
    """The inputs actually used for the included khóm, after the parameters are applied."""
    out = {}
    for k in included:
        d = dict(KHOM_INPUTS[k])
        if k in zero_households:
            for code in HOUSEHOLD_COUNTS:
                d[code] = 0
        d.update((overrides or {}).get(k, {}))
        if not has_ward_workbook or k not in agency_rows:
            for c in AGENCY_COUNTS:
                d.pop(c)
        if not has_ward_workbook:
            d["ANTT"] = None
        out[k] = d
    return out


def khom_title(d: dict, rate: float) -> tuple[str, str]:
    reasons = []
    if not (rate >= 0.80):
        reasons.append("Tỷ lệ hộ đạt GĐVH dưới 80%")
    if d["ANTT"] is False:
        reasons.append("Công an chưa xác nhận An toàn về ANTT")
    if not (d["NGAY_HOI"] and d["QUY_UOC"]):
        reasons.append("Chưa tổ chức Ngày hội hoặc chưa thực hiện tốt Quy ước")
    if d["DIEM"] < 80:
        reasons.append("Điểm tự chấm dưới 80")
    if reasons:
        return CHUA_DAT, "; ".join(reasons)
    if d["ANTT"] is None:
        return CHUA_DU, "Chưa có xác nhận An toàn về ANTT của Công an (chưa có biểu của phường)"
    return DAT, ""


def _frac(num: float, den: float) -> float:
    return num / den if den else math.nan


def make_results(
    period: str = "2020",
    included: tuple[str, ...] = KHOM,
    zero_households: tuple[str, ...] = (),
    overrides: dict[str, dict] | None = None,
    has_ward_workbook: bool = True,
    reasons: dict[str, str] | None = None,
    unit_type_names: dict[str, str] | None = None,
    targets: dict[str, float] | None = None,
    findings: list[Finding] | None = None,
    ignored: list[tuple[str, str]] | None = None,
    names: dict[str, str] | None = None,
    agency_rows: tuple[str, ...] = KHOM,
) -> Results:
    """`agency_rows`: the khóm the ward workbook's `Số liệu ngành` has a row for."""
    p = Period.parse(period)
    config = make_config(names)
    inputs = khom_inputs(included, zero_households, overrides, has_ward_workbook, agency_rows)
    rows: list[dict] = []

    def _place(unit: str) -> dict[str, str]:
        """The extended Dữ liệu's columns of a total row (levels.md)."""
        ward = unit == WARD
        return {
            "cap": "Phường" if ward else "Khóm",
            "ma_don_vi_cha": "" if ward else WARD,
            "phan_loai": "",
        }

    def count(unit: str, name: str, code: str, v: float) -> None:
        rows.append(
            dict(
                ky=p.id,
                ma_don_vi=unit,
                ten_don_vi=name,
                **_place(unit),
                ma_chi_tieu=code,
                tu_so=float(v),
                mau_so=math.nan,
                gia_tri=float(v),
            )
        )

    def rate(unit: str, name: str, code: str, num: float, den: float) -> None:
        rows.append(
            dict(
                ky=p.id,
                ma_don_vi=unit,
                ten_don_vi=name,
                **_place(unit),
                ma_chi_tieu=code,
                tu_so=float(num),
                mau_so=float(den),
                gia_tri=_frac(num, den),
            )
        )

    titles = []
    values: dict[str, dict] = {}
    for k, d in inputs.items():
        name = config.khom_name(k)
        v = {c: d[c] for c in KHOM_COUNTS}
        v.update({c: d[c] for c in AGENCY_COUNTS if c in d})
        ket_qua, ly_do = khom_title(d, _frac(d["GDVH_DAT"], d["HO"]))
        if reasons and k in reasons:
            ly_do = reasons[k]
        v.update(
            KHOM=1,
            KHOM_VMDT=int(ket_qua == DAT),
            KHOM_CDHT=int(d["CD_HOC_TAP"]),
            KHOM_ANTT=int(bool(d["ANTT"])),
        )
        values[k] = v
        for code, x in v.items():
            count(k, name, code, x)
        for code, (num, den) in RATES.items():
            if num in v and den in v:
                rate(k, name, code, v[num], v[den])
        titles.append(
            dict(
                ma_khom=k,
                ten_khom=name,
                DIEM=float(d["DIEM"]),
                GDVH_DAT_TL=_frac(d["GDVH_DAT"], d["HO"]),
                ANTT=d["ANTT"],
                NGAY_HOI=d["NGAY_HOI"],
                QUY_UOC=d["QUY_UOC"],
                CD_HOC_TAP=d["CD_HOC_TAP"],
                ket_qua=ket_qua,
                ly_do=ly_do,
            )
        )

    ward_name = "Phường Tân Quy Đông"
    codes = [
        c
        for c in (*KHOM_COUNTS, *AGENCY_COUNTS, "KHOM", "KHOM_VMDT", "KHOM_CDHT", "KHOM_ANTT")
        if values and all(c in v for v in values.values())
    ]
    ward = {c: sum(v.get(c, 0) for v in values.values()) for c in codes}
    units = pd.DataFrame(columns=["loai", "DV", "DV_DK", "DV_DAT", "DV_HT", "DV_ANTT"])
    if has_ward_workbook:
        unit_rows = [((unit_type_names or {}).get(r[0], r[0]), *r[1:]) for r in UNIT_ROWS]
        units = pd.DataFrame(unit_rows, columns=units.columns)
        for c in ("DV", "DV_DK", "DV_DAT", "DV_HT", "DV_ANTT"):
            ward[c] = int(units[c].sum())
    # Verdicts over every khóm of the ward: a missing khóm may pass or fail.
    expected, n_missing = len(KHOM), len(KHOM) - len(included)
    dat_n = sum(t["ket_qua"] == DAT for t in titles)
    unsure_n = sum(t["ket_qua"] == CHUA_DU for t in titles)
    best = dat_n + unsure_n + n_missing
    dat_rate = _frac(ward.get("GDVH_DAT", 0), ward.get("HO", 0))
    ward_reasons = []
    if best / expected < 0.80:
        ward_reasons.append("Tỷ lệ khóm đạt chuẩn văn minh đô thị dưới 80%")
    if not n_missing and not (dat_rate >= 0.80):
        ward_reasons.append("Tỷ lệ hộ đạt GĐVH của phường dưới 80%")
    if ward_reasons:
        ward_title = CHUA_DAT
    elif n_missing or dat_n / expected < 0.80:
        ward_title = CHUA_DU
    else:
        ward_title = DAT
    ward["KHOM_TONG"] = expected
    if ward_title != CHUA_DU:
        ward["PHUONG_VMDT"] = int(ward_title == DAT)
    coverage = f"Tổng hợp {len(included)}/{expected} khóm"
    unsure_text = f"{CHUA_DU} ({coverage})" if n_missing else CHUA_DU
    for code, x in ward.items():
        count(WARD, ward_name, code, x)
    for code, (num, den) in RATES.items():
        if num in ward and den in ward:
            rate(WARD, ward_name, code, ward[num], ward[den])
    data = pd.DataFrame(rows, columns=DATA_COLUMNS)

    chosen = {**DEFAULT_TARGETS, **(targets or {})}
    target_rows = []
    for f in TARGETS.fields:
        if f.code not in chosen:
            continue
        target = chosen[f.code]
        if f.code == "KHOM_VMDT":
            ket, unit = float(ward.get("KHOM_VMDT", 0)), "khóm"
            dat = True if dat_n >= target else False if best < target else None
            gap = f"còn thiếu {int(target - ket)} khóm"
            missing = (
                gap if dat is False else f"{n_missing} khóm chưa tổng hợp" if dat is None else ""
            )
        elif f.code == "PHUONG_VMDT":
            ket, unit = float(ward.get("PHUONG_VMDT", math.nan)), ""
            dat = None if ward_title == CHUA_DU else ket >= target
            missing = ward_title_text(ward_title) if dat is False else ""
        else:
            num, den = RATES[f.code]
            ket, unit = _frac(ward.get(num, 0), ward.get(den, 0)), "%"
            dat = None if math.isnan(ket) else ket >= target
            if n_missing and not f.code.startswith("DV"):
                dat = None
            short = math.ceil(target * ward.get(den, 0) - ward.get(num, 0) - 1e-9)
            noun = "đơn vị" if f.code.startswith("DV") else "hộ"
            missing = f"còn thiếu {short} {noun}" if dat is False else ""
        by_khom = not f.code.startswith("DV")
        target_rows.append(
            dict(
                ma=f.code,
                noi_dung=f.label,
                don_vi=unit,
                chi_tieu=target,
                ket_qua=ket,
                dat=dat,
                danh_gia=(unsure_text if by_khom else CHUA_DU)
                if dat is None
                else (DAT if dat else CHUA_DAT),
                con_thieu=missing,
            )
        )
    targets_df = pd.DataFrame(target_rows, columns=TARGET_COLUMNS)

    overview = []
    for k in KHOM:
        inc = k in included
        overview.append(
            dict(
                loai="Khóm",
                ma=k,
                ten=config.khom_name(k),
                tep=f"{k}_2020.xlsx" if inc or k == "K4" else "",
                ngay_lap=date(2020, 12, 10 + int(k[1])) if inc or k == "K4" else None,
                so_ho=inputs[k]["HO"] if inc else None,
                loi=0 if inc else (2 if k == "K4" else 0),
                canh_bao=1 if k == "K2" else 0,
                trang_thai=DA_TONG_HOP if inc else (CO_LOI if k == "K4" else CHUA_NOP),
                nop_tre=k == "K3",
            )
        )
    overview.append(
        dict(
            loai="Phường",
            ma=WARD,
            ten=ward_name,
            tep="TQD_2020.xlsx" if has_ward_workbook else "",
            ngay_lap=date(2020, 12, 20) if has_ward_workbook else None,
            so_ho=None,
            loi=0,
            canh_bao=0,
            trang_thai=DA_TONG_HOP if has_ward_workbook else CHUA_NOP,
            nop_tre=False,
        )
    )
    return Results(
        period=p,
        ward_code=WARD,
        expected=list(KHOM),
        included=list(included),
        has_ward_workbook=has_ward_workbook,
        data=data,
        khom_titles=pd.DataFrame(
            titles,
            columns=[
                "ma_khom",
                "ten_khom",
                "DIEM",
                "GDVH_DAT_TL",
                "ANTT",
                "NGAY_HOI",
                "QUY_UOC",
                "CD_HOC_TAP",
                "ket_qua",
                "ly_do",
            ],
        ),
        ward_title=ward_title,
        ward_title_reasons="; ".join(ward_reasons),
        targets=targets_df,
        units_by_type=units,
        overview=pd.DataFrame(overview),
        ignored=pd.DataFrame(ignored or [], columns=["tep", "ly_do"]),
        findings=list(findings) if findings is not None else sample_findings(),
    )


def ward_title_text(title: str) -> str:
    return "chưa đạt chuẩn văn minh đô thị" if title == CHUA_DAT else ""


def sample_findings() -> list[Finding]:
    """Five errors, two warnings, one note, deliberately out of order."""
    e, w, n = Severity.ERROR, Severity.WARNING, Severity.NOTE
    return [
        Finding(
            "R04", e, "Đạt GĐVH chỉ nhận x.", "K4_2020.xlsx", "Danh sách hộ", "I17", 17, "có", "K4"
        ),
        Finding("R02", e, "Mã hộ bắt buộc.", "K4_2020.xlsx", "Danh sách hộ", "B9", 9, "", "K4"),
        Finding("I03", w, "Chưa có biểu của K3.", "", "", "", None, "", "K3"),
        Finding(
            "K01", e, "DIEM phải từ 0 đến 100.", "K4_2020.xlsx", "Khóm", "C11", 11, "120", "K4"
        ),
        Finding(
            "R04", e, "Vi phạm chỉ nhận x.", "K4_2020.xlsx", "Danh sách hộ", "M9", 9, "y", "K4"
        ),
        Finding(
            "R12",
            e,
            "Số nhân khẩu là công thức chưa có giá trị.",
            "K4_2020.xlsx",
            "Danh sách hộ",
            "F30",
            30,
            "=A1",
            "K4",
        ),
        Finding(
            "R10",
            w,
            "Gia đình học tập nhưng không Đạt GĐVH.",
            "K2_2020.xlsx",
            "Danh sách hộ",
            "K5",
            5,
            "x",
            "K2",
        ),
        Finding("F02", n, "Bỏ qua tệp ~$K1.xlsx.", "~$K1.xlsx", "", "", None, "", ""),
    ]


# ── last year's figures (history.md) ───────────────────────────────────────────────────────

# Same period one year earlier, per unit: households and GĐVH counts, and the title held.
PREVIOUS_INPUTS: dict[str, dict] = {
    "K1": dict(HO=118, GDVH_DK=110, GDVH_DAT=100, KHOM_VMDT=1),
    "K2": dict(HO=95, GDVH_DK=90, GDVH_DAT=83, KHOM_VMDT=1),
    "K3": dict(HO=149, GDVH_DK=139, GDVH_DAT=101, KHOM_VMDT=0),
    # K4 is not in last year's history: its comparison cells say "—"
}
TREND = {"2018": (0.78, 0.90), "2019": None}  # ward GĐVH đạt, đăng ký rates; 2019 from above


def with_previous(results: Results, note: str = "") -> Results:
    """`results` with history's same period one year earlier (PREVIOUS_INPUTS; the ward row is
    their sum) and the ward's GĐVH rates of 2018 and 2019 as the trend."""
    p = results.period
    prev = Period(p.year - 1, p.kind, p.number)
    ward = {c: sum(d[c] for d in PREVIOUS_INPUTS.values()) for c in ("HO", "GDVH_DK", "GDVH_DAT")}
    ward["KHOM_VMDT"] = sum(d["KHOM_VMDT"] for d in PREVIOUS_INPUTS.values())
    ward["PHUONG_VMDT"] = 0
    rows = []
    for unit, d in [*PREVIOUS_INPUTS.items(), (results.ward_code, ward)]:
        for code, x in d.items():
            rows.append(
                dict(
                    ky=prev.id,
                    ma_don_vi=unit,
                    ma_chi_tieu=code,
                    phan_loai="",
                    tu_so=float(x),
                    mau_so=math.nan,
                    gia_tri=float(x),
                )
            )
        for code, num in (("GDVH_DK_TL", "GDVH_DK"), ("GDVH_DAT_TL", "GDVH_DAT")):
            rows.append(
                dict(
                    ky=prev.id,
                    ma_don_vi=unit,
                    ma_chi_tieu=code,
                    phan_loai="",
                    tu_so=float(d[num]),
                    mau_so=float(d["HO"]),
                    gia_tri=_frac(d[num], d["HO"]),
                )
            )
    previous = pd.DataFrame(rows)
    for col in DATA_COLUMNS:
        if col not in previous:
            previous[col] = ""
    trend = [
        dict(ky="2018", ma_don_vi=results.ward_code, ma_chi_tieu="GDVH_DAT_TL", gia_tri=0.78),
        dict(ky="2018", ma_don_vi=results.ward_code, ma_chi_tieu="GDVH_DK_TL", gia_tri=0.90),
        dict(
            ky=prev.id,
            ma_don_vi=results.ward_code,
            ma_chi_tieu="GDVH_DAT_TL",
            gia_tri=_frac(ward["GDVH_DAT"], ward["HO"]),
        ),
        dict(
            ky=prev.id,
            ma_don_vi=results.ward_code,
            ma_chi_tieu="GDVH_DK_TL",
            gia_tri=_frac(ward["GDVH_DK"], ward["HO"]),
        ),
    ]
    results.previous = previous[DATA_COLUMNS]
    results.previous_period = prev
    results.previous_note = note
    results.trend = pd.DataFrame(trend)
    return results


# ── a parent's run (levels.md): a city over its phường and xã ─────────────────────────────

CITY = "867"
# K1..K3's figures as three units one level down, each with its own kind
CITY_CHILDREN = {
    "K1": ("29917", "Phường Tân Quy Đông", "Phường"),
    "K2": ("29914", "Xã Tân Khánh Đông", "Xã"),
    "K3": ("29911", "Phường An Hòa", "Phường"),
}


def make_city_config(year: int = 2020) -> Config:
    regime = "ND86_2023" if year >= 2024 else "ND122_2018"
    return Config.model_validate(
        {
            "don_vi": {
                "ma": CITY,
                "ten": "Sa Đéc",
                "cap": "Thành phố",
                "tinh": "tỉnh Đồng Tháp",
                "co_quan": "UBND THÀNH PHỐ SA ĐÉC",
                "ban": "BAN CHỈ ĐẠO PHONG TRÀO TDĐKXDĐSVH",
                "dia_danh": "Sa Đéc",
            },
            "don_vi_con": [
                {"ma": code, "ten": name, "cap": cap} for code, name, cap in CITY_CHILDREN.values()
            ],
            "bo_tieu_chi": {regime: {"ten": regime, "danh_hieu": regime}},
            "ap_dung": {"mac_dinh": regime},
        }
    )


def make_parent_results(period: str = "2020", signers: dict[str, str] | None = None) -> Results:
    """A city's Results of the same shape as a ward's: children are phường/xã read from their
    outputs (figures of K1..K3 under the children's codes), their title statuses without a
    khóm's criteria, no targets, no units by type."""
    r = make_results(period=period, included=tuple(CITY_CHILDREN))
    codes = {k: v[0] for k, v in CITY_CHILDREN.items()} | {WARD: CITY}
    names = {v[0]: v[1] for v in CITY_CHILDREN.values()} | {CITY: "Thành phố Sa Đéc"}
    caps = {v[0]: v[2] for v in CITY_CHILDREN.values()} | {CITY: "Thành phố"}
    d = r.data[r.data.ma_don_vi.isin(codes)].copy()
    d["ma_don_vi"] = d.ma_don_vi.map(codes)
    d["ten_don_vi"] = d.ma_don_vi.map(names)
    d["cap"] = d.ma_don_vi.map(caps)
    d["ma_don_vi_cha"] = d.ma_don_vi.map(lambda u: "" if u == CITY else CITY)
    t = r.khom_titles.copy()
    t["ma_khom"] = t.ma_khom.map(codes)
    t["ten_khom"] = t.ma_khom.map(names)
    for col in ("DIEM", "ANTT", "NGAY_HOI", "QUY_UOC", "CD_HOC_TAP"):
        t[col] = None
    overview = pd.DataFrame(
        [dict(loai=caps[c], ma=c, ten=names[c], trang_thai=DA_TONG_HOP) for c in codes.values()]
    )
    return Results(
        period=r.period,
        ward_code=CITY,
        expected=[v[0] for v in CITY_CHILDREN.values()],
        included=[v[0] for v in CITY_CHILDREN.values()],
        has_ward_workbook=True,
        data=d.reset_index(drop=True),
        khom_titles=t,
        ward_title=CHUA_DU,
        ward_title_reasons="Bộ tiêu chí không có danh hiệu cho cấp thành phố",
        targets=pd.DataFrame(columns=TARGET_COLUMNS),
        units_by_type=pd.DataFrame(columns=["loai", "DV", "DV_DK", "DV_DAT", "DV_HT", "DV_ANTT"]),
        overview=overview,
        findings=[],
        children="phường/xã",
        signers=signers or {},
        complete={c: True for c in codes.values() if c != CITY},
    )
