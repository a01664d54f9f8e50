"""A generated `Results` of many children, every writer's path in one run, for the sameness
tests of issue 11 (`test_writers_same.py`).

Seeded and deterministic: children of two kinds (khóm and ấp), some missing (Chưa nộp, Có lỗi),
figures missing or infinite, zero denominators, every title status, last year's figures with
gaps, a re-run's changes, findings of every severity on every kind of place, names with
characters XML and spreadsheets treat specially. Nothing here is consistent arithmetic: the
writers render what `Results` holds, and these tests compare two renderings of it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from tqd_sheets import registry
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
    TITLE_COLUMNS,
    Results,
)
from tqd_sheets.spec import TARGETS, UNIT_TYPES

WARD = "29917"
ODD_NAMES = ('Tân <An> & "Hòa"', "=SUM(A1)", "  khoảng trắng  ", "Ấp 'Mỹ'")
ODD_TEXT = ("a & b < c", "80%", "=1+1", "dòng một\ndòng hai", "")


@dataclass
class Run:
    results: Results
    config: Config
    deadline: date | None
    received: dict[str, datetime]
    serials: dict[tuple[str, str, int], str]


def codes(n: int) -> list[str]:
    return [f"K{i}" if i % 3 else f"A{i}" for i in range(1, n + 1)]


def config_of(n: int, signer: str = "") -> Config:
    kids = []
    for i, k in enumerate(codes(n)):
        name = ODD_NAMES[i // 7 % len(ODD_NAMES)] + f" {i}" if i % 7 == 3 else f"Khóm {k[1:]}"
        if k.startswith("A"):
            name = f"Ấp {k[1:]}"
        kids.append({"ma": k, "ten": name, "cap": "Ấp" if k.startswith("A") else "Khóm"})
    return Config.model_validate(
        {
            "don_vi": {
                "ma": WARD,
                "ten": "Tân Quy Đông",
                "cap": "Phường",
                "ma_cha": "867",
                "thanh_pho": "thành phố Sa Đéc",
                "tinh": "tỉnh Đồng Tháp",
                "co_quan": "UBND PHƯỜNG TÂN QUY ĐÔNG",
                "dia_danh": "Tân Quy Đông",
            },
            "don_vi_con": kids,
            "chu_ky": {"ho_ten": signer},
            "bo_tieu_chi": {"ND122_2018": {"ten": "Nghị định 122/2018/NĐ-CP"}},
            "ap_dung": {"mac_dinh": "ND122_2018"},
        }
    )


def _count(rng: random.Random, low: int, high: int, gaps: float) -> float:
    return math.nan if rng.random() < gaps else float(rng.randint(low, high))


def _unit_rows(
    rng: random.Random, unit: str, name: str, cap: str, parent: str, ky: str, agency: bool
) -> list[dict]:
    counts: dict[str, float] = {}
    ho = float(rng.choice([0, rng.randint(40, 900), rng.randint(40, 900)]))
    counts["HO"] = ho
    counts["NK"] = ho * 4 + rng.randint(0, 50)
    dk = min(ho, float(rng.randint(0, int(ho) + 1)))
    counts["GDVH_DK"] = dk
    counts["GDVH_DAT"] = min(dk, float(rng.randint(int(dk * 0.7), int(dk) + 1)))
    counts["GDVH_3NAM"] = float(rng.randint(0, int(counts["GDVH_DAT"]) + 1))
    for code in ("GDHT", "GDTT", "HO_NGHEO", "HO_CAN_NGHEO", "HO_VI_PHAM"):
        counts[code] = float(rng.randint(0, max(1, int(ho) // 5)))
    for code in ("TT_BUOI", "TT_LUOT", "HOA_GIAI", "GUONG_TOT"):
        counts[code] = _count(rng, 0, 60, 0.05)
    hg = counts["HOA_GIAI"]
    counts["HOA_GIAI_THANH"] = hg if math.isnan(hg) else float(rng.randint(0, int(hg)))
    counts["KINH_PHI"] = _count(rng, 0, 20_000_000, 0.1)
    counts["XA_HOI_HOA"] = _count(rng, 0, 9_000_000, 0.1)
    if agency:
        for code in ("HO_NGHEO_LDTBXH", "HO_CAN_NGHEO_LDTBXH", "NGUOI_VI_PHAM"):
            counts[code] = _count(rng, 0, 12, 0.15)
        counts["LAO_DONG"] = _count(rng, 0, 600, 0.15)
        lao = counts["LAO_DONG"]
        counts["VIEC_LAM"] = lao if math.isnan(lao) else float(rng.randint(0, int(lao)))
        counts["KHOM_YTE"] = float(rng.randint(0, 1))
        counts["KHOM_QS"] = float(rng.randint(0, 1))
    counts["KHOM"] = 1.0
    counts["KHOM_VMDT"] = float(rng.randint(0, 1))
    counts["KHOM_CDHT"] = float(rng.randint(0, 1))
    counts["KHOM_ANTT"] = float(rng.randint(0, 1))
    rows = []
    place = {"ky": ky, "ma_don_vi": unit, "ten_don_vi": name, "cap": cap}
    for code, v in counts.items():
        rows.append(
            {**place, "ma_don_vi_cha": parent, "ma_chi_tieu": code, "phan_loai": ""}
            | {"tu_so": v, "mau_so": math.nan, "gia_tri": v}
        )
    for code, (num, den) in registry.RATES.items():
        if num in counts and den in counts:
            a, b = counts[num], counts[den]
            value = a / b if b and not math.isnan(b) else math.nan
            rows.append(
                {**place, "ma_don_vi_cha": parent, "ma_chi_tieu": code, "phan_loai": ""}
                | {"tu_so": a, "mau_so": b, "gia_tri": value}
            )
    return rows


def make_run(
    n: int,
    seed: int,
    *,
    missing: int = 3,
    ward_workbook: bool = True,
    history: bool = True,
    sample: bool = False,
    odd_column: bool = False,
) -> Run:
    rng = random.Random(seed)
    config = config_of(n, signer="Nguyễn Văn A" if seed % 2 else "")
    period = Period.parse("2020")
    expected = codes(n)
    gone = set(rng.sample(expected, missing)) if missing else set()
    included = [k for k in expected if k not in gone]
    ky = period.id
    rows: list[dict] = []
    for k in included:
        cap = "Ấp" if k.startswith("A") else "Khóm"
        rows += _unit_rows(rng, k, config.khom_name(k), cap, WARD, ky, ward_workbook)
    rows += _unit_rows(rng, WARD, "Phường Tân Quy Đông", "Phường", "867", ky, ward_workbook)
    if ward_workbook:
        for loai in UNIT_TYPES:
            for code in ("DV", "DV_DK", "DV_DAT"):
                v = float(rng.randint(0, 9))
                rows.append(
                    {"ky": ky, "ma_don_vi": WARD, "ten_don_vi": "Phường Tân Quy Đông"}
                    | {"cap": "Phường", "ma_don_vi_cha": "867", "ma_chi_tieu": code}
                    | {"phan_loai": loai, "tu_so": v, "mau_so": math.nan, "gia_tri": v}
                )
    data = pd.DataFrame(rows, columns=DATA_COLUMNS)
    data.loc[len(data) // 2, "ten_don_vi"] = None
    if odd_column:
        # a column of mixed values (the writers read no figure from it)
        odd = data["ma_don_vi_cha"].astype(object)
        odd.iloc[0:7] = [True, False, np.int64(7), 12.5, None, -math.inf, np.float64("nan")]
        data["ma_don_vi_cha"] = odd

    titles = []
    for i, k in enumerate(included):
        status = (DAT, CHUA_DAT, CHUA_DU)[i % 3]
        antt = (True, False, None)[i % 3] if ward_workbook else None
        titles.append(
            {
                "ma_khom": k,
                "ten_khom": config.khom_name(k),
                "DIEM": rng.choice([92.0, 79.5, 85.25, math.nan]),
                "GDVH_DAT_TL": rng.choice([0.95, 0.7912, math.nan, 1.0]),
                "ANTT": antt,
                "NGAY_HOI": rng.random() < 0.8,
                "QUY_UOC": rng.random() < 0.8,
                "CD_HOC_TAP": rng.choice([True, False, 1, 0]),
                "ket_qua": status,
                "ly_do": "" if status == DAT else rng.choice([*ODD_TEXT, None, math.nan]),
            }
        )
    # a title row for a child that is not included is never drawn as its figures
    if gone and titles:
        titles.append(dict(titles[0], ma_khom=sorted(gone)[0]))
    khom_titles = pd.DataFrame(titles, columns=[*TITLE_COLUMNS])

    targets = []
    for f in TARGETS.fields:
        if f.code == "DV_DAT_TL" and not ward_workbook:
            continue
        dat = rng.choice([True, False, None])
        unit = "%" if f.code.endswith("_TL") else ("khóm" if f.code == "KHOM_VMDT" else "")
        goal = {"%": 0.9, "khóm": float(n - 2), "": 1.0}[unit]
        result = rng.choice([0.93, 0.8, math.nan]) if unit == "%" else float(rng.randint(0, n))
        if f.code == "PHUONG_VMDT":
            result = rng.choice([1.0, 0.0, math.nan])
        targets.append(
            {
                "ma": f.code,
                "noi_dung": f.label,
                "don_vi": unit,
                "chi_tieu": goal,
                "ket_qua": result,
                "dat": dat,
                "danh_gia": CHUA_DU if dat is None else (DAT if dat else CHUA_DAT),
                "con_thieu": "còn thiếu 1234 hộ" if dat is False else "",
            }
        )
    targets_df = pd.DataFrame(targets, columns=TARGET_COLUMNS)

    units_by_type = pd.DataFrame(columns=["loai", "DV", "DV_DK", "DV_DAT", "DV_HT", "DV_ANTT"])
    if ward_workbook:
        units_by_type = pd.DataFrame(
            [(t, *(rng.randint(0, 12) for _ in range(5))) for t in UNIT_TYPES],
            columns=units_by_type.columns,
        )

    overview, received = [], {}
    for i, k in enumerate(expected):
        inc = k in included
        state = DA_TONG_HOP if inc else (CO_LOI if i % 2 else CHUA_NOP)
        tep = f"{k}_2020.xlsx" if state != CHUA_NOP else ""
        if tep and i % 5:
            received[tep] = datetime(2020, 12, 20 + i % 10, 8, i % 60)
        overview.append(
            {
                "loai": "Ấp" if k.startswith("A") else "Khóm",
                "ma": k,
                "ten": config.khom_name(k),
                "tep": tep,
                "ngay_lap": date(2020, 12, 1 + i % 28) if tep and i % 4 else None,
                "so_ho": rng.randint(40, 900) if inc else None,
                "loi": 0 if inc else 2,
                "canh_bao": i % 3,
                "trang_thai": state,
                "nop_tre": i % 6 == 0,
            }
        )
    overview.append(
        {
            "loai": "Phường",
            "ma": WARD,
            "ten": "Phường Tân Quy Đông",
            "tep": "Phuong_2020.xlsx" if ward_workbook else "",
            "ngay_lap": "31/02/2020" if ward_workbook else None,  # a text, written as typed
            "so_ho": None,
            "loi": 0,
            "canh_bao": 1,
            "trang_thai": DA_TONG_HOP if ward_workbook else CHUA_NOP,
            "nop_tre": False,
        }
    )
    ignored = pd.DataFrame(
        [
            ("K1_cu.xlsx", "Không phải kỳ báo cáo này"),
            ("ghi chu.txt", "Không phải tệp biểu " + "rất dài " * 20),
        ],
        columns=["tep", "ly_do"],
    )

    findings, serials = [], {}
    severities = (Severity.ERROR, Severity.WARNING, Severity.NOTE)
    for i, k in enumerate(expected):
        tep = f"{k}_2020.xlsx"
        for j in range(i % 4):
            row = 7 + j * 3
            if j % 2:
                serials[(tep, "Danh sách hộ", row)] = str(j + 1)
            findings.append(
                Finding(
                    code=("R01", "H05", "I05")[j % 3],
                    severity=severities[(i + j) % 3],
                    message=f"Ô có vấn đề {j} " + "dài " * (j * 15) + ODD_TEXT[j % len(ODD_TEXT)],
                    file=tep if j != 2 else "",
                    sheet=("Danh sách hộ", "Thông tin", "")[j % 3],
                    cell=f"B{row}" if j % 3 != 1 else "",
                    row=row if j % 3 != 2 else None,
                    value=ODD_TEXT[(i + j) % len(ODD_TEXT)],
                    khom=k if j != 1 else "",
                )
            )
    findings.append(Finding("I04", Severity.WARNING, "Chưa có biểu của phường."))
    findings.append(Finding("U05", Severity.NOTE, "Một tệp khác.", file="la.xlsx", khom="ZZ"))

    r = Results(
        period=period,
        ward_code=WARD,
        expected=expected,
        included=included,
        has_ward_workbook=ward_workbook,
        data=data,
        khom_titles=khom_titles,
        ward_title=rng.choice([DAT, CHUA_DAT, CHUA_DU]),
        ward_title_reasons="Tỷ lệ khóm đạt dưới 80%" if seed % 3 else "",
        targets=targets_df,
        units_by_type=units_by_type,
        overview=pd.DataFrame(overview),
        ignored=ignored,
        findings=findings,
        sample_data=sample,
        children="khóm/ấp",
        signers={"nguoi_lap": "Trần Thị B", "truong_ban": "Lê Văn C"},
        complete={k: bool(i % 4) for i, k in enumerate(included[:6])},
    )
    if history:
        before = data[data.ma_chi_tieu.isin(["HO", "GDVH_DAT", "GDVH_DAT_TL", "GDVH_DK_TL"])]
        before = before.copy()
        before["ky"] = "2019"
        before["gia_tri"] = before["gia_tri"] * 0.9
        before = before.iloc[::2]  # some units have nothing last year
        first = pd.DataFrame(
            [{"ma_don_vi": WARD, "ma_chi_tieu": "PHUONG_VMDT", "phan_loai": "", "gia_tri": 1.0}]
        )
        r.previous = pd.concat([before, first], ignore_index=True)
        r.previous_period = Period.parse("2019")
        r.previous_note = "Khóm 9 đã nhập vào Khóm 8."
        trend = []
        for year in ("2018", "2019", "2020"):
            for code in ("HO", "GDVH_DAT_TL", "GDVH_DK_TL"):
                trend.append(
                    {"ky": year, "ma_don_vi": WARD, "ma_chi_tieu": code, "gia_tri": rng.random()}
                )
        r.trend = pd.DataFrame(trend)
        r.changes = pd.DataFrame(
            [
                {
                    "ma_don_vi": k,
                    "ten_don_vi": config.khom_name(k),
                    "ma_chi_tieu": code,
                    "phan_loai": "",
                    "cu": rng.choice([10.0, math.nan]),
                    "moi": rng.choice([11.0, 0.5]),
                    "lan_truoc": "2021-01-05T10:20:30+07:00",
                }
                for k in included[:5]
                for code in ("HO", "GDVH_DAT_TL", "KHONG_CO")
            ]
        )
    return Run(r, config, date(2020, 12, 25), received, serials)
