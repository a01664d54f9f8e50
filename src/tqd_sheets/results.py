"""What a consolidation run computed: the one object every output writer renders.

Pure data. `indicators.compute` builds it; `forms`, `report`, the CSV and the manifest read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .findings import Finding
from .periods import Period
from .units import DEFAULT_CHILD

TARGET_COLUMNS = ["ma", "noi_dung", "don_vi", "chi_tieu", "ket_qua", "dat", "danh_gia", "con_thieu"]
# A child's title: its criteria, the verdict and why (`Results.khom_titles`).
TITLE_COLUMNS = ["ma_khom", "ten_khom", "DIEM", "GDVH_DAT_TL", "ANTT", "NGAY_HOI", "QUY_UOC"]
TITLE_COLUMNS += ["CD_HOC_TAP", "ket_qua", "ly_do"]
# levels.md's extended `Dữ liệu`: the same columns at every level, so a parent consolidates it.
DATA_COLUMNS = [
    "ky",
    "ma_don_vi",
    "ten_don_vi",
    "cap",
    "ma_don_vi_cha",
    "ma_chi_tieu",
    "phan_loai",
    "tu_so",
    "mau_so",
    "gia_tri",
]

# Title statuses
DAT, CHUA_DAT, CHUA_DU = "Đạt", "Chưa đạt", "Chưa đủ căn cứ"
# Submission statuses
DA_TONG_HOP, CO_LOI, CHUA_NOP = "Đã tổng hợp", "Có lỗi – chưa tổng hợp", "Chưa nộp"


def missing(x: object) -> bool:
    """A figure that is not there: None or NaN (pandas' or NumPy's), never a zero or a text."""
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class Coverage:
    """How many of the ward's khóm a ward-level verdict rests on."""

    expected: int  # khóm in configuration
    included: int  # khóm consolidated (valid workbook)
    dat: int  # included khóm whose title is Đạt
    unsure: int  # included khóm whose title is Chưa đủ căn cứ
    noun: str = DEFAULT_CHILD.noun  # "ấp" in a xã, "khóm/ấp" in a merged phường

    @property
    def missing(self) -> int:
        """Khóm with no valid workbook (Chưa nộp or Có lỗi)."""
        return self.expected - self.included

    @property
    def partial(self) -> bool:
        return self.missing > 0

    @property
    def text(self) -> str:
        return f"Tổng hợp {self.included}/{self.expected} {self.noun}"

    @property
    def unsure_verdict(self) -> str:
        """`Chưa đủ căn cứ`, with the coverage when khóm are missing."""
        return f"{CHUA_DU} ({self.text})" if self.partial else CHUA_DU

    @property
    def best(self) -> int:
        """Khóm đạt if every unsure and missing khóm turned out to pass."""
        return self.dat + self.unsure + self.missing


@dataclass
class Results:
    period: Period
    ward_code: str
    expected: list[str]  # khóm codes from configuration, in order
    included: list[str]  # khóm codes consolidated (valid workbook), in configuration order
    has_ward_workbook: bool
    # One row per unit × indicator × breakdown, columns DATA_COLUMNS. `ma_don_vi` is a khóm
    # code or `ward_code`; `cap` the unit's kind; `ma_don_vi_cha` the ward's code on a child's
    # rows, the ward's own parent (or "") on the ward's. `phan_loai` is "" on totals and the
    # loại đơn vị on the DV* rows broken down by it. Counts: tu_so = gia_tri = the count,
    # mau_so = NaN. Rates (codes ending _TL): tu_so, mau_so, gia_tri = tu_so / mau_so
    # unrounded, NaN when mau_so == 0.
    data: pd.DataFrame
    # One row per included khóm, in configuration order, columns:
    # ma_khom, ten_khom, DIEM (float), GDVH_DAT_TL (float or NaN), ANTT (True/False/None —
    # Công an's mark, None when no ward workbook), NGAY_HOI, QUY_UOC, CD_HOC_TAP (bool),
    # ket_qua (DAT / CHUA_DAT / CHUA_DU), ly_do (str: the failed criteria, "; "-joined).
    khom_titles: pd.DataFrame
    ward_title: str  # DAT / CHUA_DAT / CHUA_DU
    ward_title_reasons: str
    # One row per target of `Chỉ tiêu`, columns: ma, noi_dung, don_vi ("%", "khóm", ""),
    # chi_tieu (float; rates as fractions, PHUONG_VMDT 1/0), ket_qua (float or NaN),
    # dat (True/False/None when it cannot be assessed), danh_gia (the verdict as printed:
    # DAT / CHUA_DAT / CHUA_DU, or `Chưa đủ căn cứ (Tổng hợp 2/4 khóm)` when it rests on a
    # missing khóm), con_thieu (str, e.g. "còn thiếu 12 hộ"; never a gap over partial data).
    targets: pd.DataFrame
    # One row per Loại đơn vị (spec.UNIT_TYPES order; all five, zeros included), columns:
    # loai, DV, DV_DK, DV_DAT, DV_HT, DV_ANTT (ints). Empty when there is no ward workbook.
    units_by_type: pd.DataFrame
    # `Tổng quan` of KiemTra: one row per expected khóm, then one for the ward workbook; columns
    # loai ("Khóm"/"Phường"), ma, ten, tep (file name used or ""), ngay_lap (date or None),
    # so_ho (int or None), loi (int), canh_bao (int), trang_thai (DA_TONG_HOP / CO_LOI /
    # CHUA_NOP), nop_tre (bool).
    overview: pd.DataFrame = field(default_factory=pd.DataFrame)
    # Files not used and why: columns tep, ly_do.
    ignored: pd.DataFrame = field(default_factory=pd.DataFrame)
    findings: list[Finding] = field(default_factory=list)
    sample_data: bool = False  # the run consolidated the shipped sample workbooks
    children: str = DEFAULT_CHILD.noun  # "ấp" in a xã, "khóm/ấp" in a merged phường
    # Names typed under the signatures, by role: `nguoi_lap` (Người lập biểu), `truong_ban`,
    # `ky` (who signs for the unit). From the unit's own workbook, else the configuration.
    signers: dict[str, str] = field(default_factory=dict)
    # --- from history (history.md); all empty when history holds nothing to compare ---
    # The same period one year earlier: DATA_COLUMNS rows, unit codes already mapped to this
    # run's units (closed units → their successor across the 2025 reform).
    previous: pd.DataFrame | None = None
    previous_period: Period | None = None
    previous_note: str = ""  # e.g. how closed units were mapped to their successor
    # Every year history holds, for the So sánh chart: columns ky, ma_don_vi, ma_chi_tieu,
    # gia_tri (totals only).
    trend: pd.DataFrame | None = None
    # A re-run of this period that changed figures: columns ma_don_vi, ten_don_vi, ma_chi_tieu,
    # phan_loai, cu, moi, lan_truoc (the earlier run's time, ISO).
    changes: pd.DataFrame | None = None
    # --- a parent's run (levels.md): children are units one level down, read from outputs ---
    # Per child: True when its own output covered all of its children (no U07).
    complete: dict[str, bool] = field(default_factory=dict)

    def previous_value(self, unit: str, code: str) -> float:
        """The same period one year earlier, or NaN when history holds none."""
        d = self.previous
        if d is None:
            return float("nan")
        x = self._previous_totals(d).get((unit, code))
        return float("nan") if x is None else float(x)

    def _previous_totals(self, d: pd.DataFrame) -> dict[tuple[str, str], object]:
        """(unit, code) → last year's gia_tri of the totals (the first row of a key, as a
        filter's `.iloc[0]` took it), built once per `previous` frame: every child row of every
        form asks for it."""
        cached = self.__dict__.get("_previous_index")
        if cached is not None and cached[0] is d and cached[1] == len(d):
            return cached[2]
        index: dict[tuple[str, str], object] = {}
        if len(d):
            totals = d[d.phan_loai == ""]
            for unit, code, value in zip(
                totals.ma_don_vi, totals.ma_chi_tieu, totals.gia_tri, strict=True
            ):
                index.setdefault((unit, code), value)
        self.__dict__["_previous_index"] = (d, len(d), index)
        return index

    def _totals(self) -> dict[tuple[str, str], tuple[float, float, float]]:
        """(unit, code) → (tu_so, mau_so, gia_tri) of the totals, built once per `data` frame:
        a form asks for every child × indicator, and filtering the frame each time made
        writing the forms quadratic in the number of children."""
        d = self.data
        cached = self.__dict__.get("_index")
        if cached is not None and cached[0] is d and cached[1] == len(d):
            return cached[2]
        index: dict[tuple[str, str], tuple[float, float, float]] = {}
        totals = d[d.phan_loai == ""] if len(d) else d.iloc[0:0]
        if not len(totals):
            self.__dict__["_index"] = (d, len(d), index)
            return index
        for unit, code, num, den, val in zip(
            totals.ma_don_vi,
            totals.ma_chi_tieu,
            totals.tu_so,
            totals.mau_so,
            totals.gia_tri,
            strict=True,
        ):
            index.setdefault((unit, code), (float(num), float(den), float(val)))
        self.__dict__["_index"] = (d, len(d), index)
        return index

    def value(self, unit: str, code: str) -> float:
        row = self._totals().get((unit, code))
        return row[2] if row else float("nan")

    def fraction(self, unit: str, code: str) -> tuple[float, float]:
        row = self._totals().get((unit, code))
        return (row[0], row[1]) if row else (float("nan"), float("nan"))

    @property
    def partial(self) -> bool:
        """Some expected khóm has no valid workbook (Chưa nộp or Có lỗi)."""
        return len(self.included) < len(self.expected)

    def verdict_text(self, status: str) -> str:
        """A ward-level verdict as printed: `Chưa đủ căn cứ (Tổng hợp 2/4 khóm)` on partial
        data, so no reader takes it for a verdict on the whole ward."""
        return f"{CHUA_DU} ({self.coverage})" if status == CHUA_DU and self.partial else status

    @property
    def coverage(self) -> str:
        """`Tổng hợp 3/4 khóm` (or ấp…), shown beside totals."""
        return f"Tổng hợp {len(self.included)}/{len(self.expected)} {self.children}"
