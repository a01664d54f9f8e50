"""`tqd.toml`: the ward, its khóm, the title rule sets and the signature block."""

from __future__ import annotations

import codecs
import tomllib
from datetime import date, datetime
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from . import titles
from .oserrors import in_vietnamese
from .periods import Period


class ConfigError(Exception):
    """A configuration problem, already worded for the officer."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Ward(_Model):
    ma: str = Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9_]+$")
    ten: str = Field(min_length=1)
    cap: str = "Phường"
    thanh_pho: str = ""
    tinh: str = ""
    co_quan: str = Field(min_length=1)
    ban: str = "BAN CÔNG TÁC XDĐSVH - ĐTVM"
    dia_danh: str = ""
    don_vi_con: str = "khóm"

    @property
    def place(self) -> str:
        return self.dia_danh or self.ten


class Khom(_Model):
    ma: str = Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9_]+$")
    ten: str = Field(min_length=1)


class Signatures(_Model):
    nguoi_lap: str = "NGƯỜI LẬP BIỂU"
    thay_mat: str = "TM. BAN CÔNG TÁC XDĐSVH - ĐTVM"
    ky_thay: str = "KT. TRƯỞNG BAN"
    chuc_vu: str = "PHÓ TRƯỞNG BAN"


class RuleSet(_Model):
    """One rule set: the regime whose titles apply (declared in `titles`) and its thresholds.

    The `khom_*` thresholds are the child level's (khóm, ấp, tổ dân phố), `phuong_*` the
    parent's (phường, xã, thị trấn), whatever the regime calls its titles."""

    ten: str = ""
    danh_hieu: str = titles.ND122
    khom_gdvh_dat_tl: float = Field(0.80, ge=0, le=1)
    khom_diem: float = Field(80, ge=0, le=100)
    phuong_khom_vmdt_tl: float = Field(0.80, ge=0, le=1)
    phuong_gdvh_dat_tl: float = Field(0.80, ge=0, le=1)

    @field_validator("danh_hieu")
    @classmethod
    def _known_regime(cls, name: str) -> str:
        if name not in titles.REGIMES:
            raise ValueError(
                f"'{name}' không phải bộ danh hiệu đã biết: {', '.join(titles.REGIMES)}"
            )
        return name


class RuleChoice(_Model):
    model_config = ConfigDict(extra="allow", frozen=True)
    mac_dinh: str


class Config(_Model):
    phuong: Ward
    khom: tuple[Khom, ...] = Field(min_length=1)
    chu_ky: Signatures = Signatures()
    bo_tieu_chi: dict[str, RuleSet] = Field(min_length=1)
    ap_dung: RuleChoice
    han_nop: dict[str, str] = {}

    @field_validator("khom")
    @classmethod
    def _unique_codes(cls, khom: tuple[Khom, ...]) -> tuple[Khom, ...]:
        # Officers type `k1` for `K1`, and the workbooks compare codes that way: two codes
        # that differ only by case would be one khóm.
        by_key: dict[str, list[str]] = {}
        for k in khom:
            by_key.setdefault(k.ma.casefold(), []).append(k.ma)
        repeated = [" và ".join(same) for same in by_key.values() if len(same) > 1]
        if repeated:
            raise ValueError(
                f"mã khóm bị lặp (chữ hoa và chữ thường được coi là một): {'; '.join(repeated)}"
            )
        return khom

    @model_validator(mode="after")
    def _rule_sets_exist(self) -> Config:
        chosen = {"mac_dinh": self.ap_dung.mac_dinh, **(self.ap_dung.model_extra or {})}
        for key, name in chosen.items():
            if key != "mac_dinh" and not (key.isdigit() and len(key) == 4):
                raise ValueError(f'ap_dung.{key}: khóa phải là một năm, ví dụ "2024"')
            if name not in self.bo_tieu_chi:
                raise ValueError(
                    f"ap_dung.{key} chọn bộ tiêu chí '{name}' nhưng không có [bo_tieu_chi.{name}]"
                )
        for key, text in self.han_nop.items():
            Period.parse(key)
            _parse_day(text)
        return self

    @property
    def khom_codes(self) -> tuple[str, ...]:
        return tuple(k.ma for k in self.khom)

    def khom_name(self, code: str) -> str:
        return next((k.ten for k in self.khom if k.ma == code), code)

    def rule_set(self, year: int) -> RuleSet:
        """`"2024" = X` in `[ap_dung]` applies X from 2024 on (a decree stays in force until the
        next one); years before the first listed use `mac_dinh`."""
        extra = self.ap_dung.model_extra or {}
        since = [int(y) for y in extra if int(y) <= year]
        return self.bo_tieu_chi[extra[str(max(since))] if since else self.ap_dung.mac_dinh]

    def deadline(self, period: Period) -> date:
        """Reports are due in the last week of the period's last month, unless configured."""
        text = self.han_nop.get(period.id)
        return _parse_day(text) if text else period.end


def _parse_day(text: str) -> date:
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        raise ValueError(f"ngày '{text}' phải viết dd/mm/yyyy, ví dụ 20/12/2020") from None


_PYDANTIC_VI = {
    "missing": "thiếu, cần khai báo",
    "extra_forbidden": "không phải khóa hợp lệ (viết sai tên?)",
    "string_type": "phải là chữ đặt trong dấu nháy",
    "string_too_short": "không được để trống",
    "string_pattern_mismatch": "chỉ được gồm chữ không dấu, số và dấu _",
    "float_parsing": "phải là số",
    "float_type": "phải là số",
    "greater_than_equal": "nhỏ hơn mức cho phép",
    "less_than_equal": "lớn hơn mức cho phép (tỷ lệ viết dạng 0.80, không phải 80)",
    "too_short": "cần ít nhất một mục",
    "dict_type": "phải là một bảng [..]",
    "model_type": "phải là một bảng [..]",
}


def _describe(error: dict) -> str:
    key = ".".join(str(p) for p in error["loc"]) or "(toàn tệp)"
    text = _PYDANTIC_VI.get(error["type"])
    if text is None:
        text = str(error.get("ctx", {}).get("error") or error["msg"])
    return f"khóa '{key}': {text}"


DEFAULT_NAME = "tqd.toml"
PACKAGED = "tqd_mac_dinh.toml"  # shipped with the package, for a khóm checking its own file


def _decode(data: bytes) -> str:
    """Text as Windows Notepad saves it: UTF-8 with or without BOM, UTF-16 with BOM."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


def load_config(path: Path) -> Config:
    if path.is_dir():
        inside = path / DEFAULT_NAME
        hint = f" Có lẽ cần: --config {inside}" if inside.is_file() else ""
        raise ConfigError(
            f"{path} là một thư mục, không phải tệp cấu hình: ghi đường dẫn đến tệp .toml." + hint
        )
    try:
        text = _decode(path.read_bytes())
    except FileNotFoundError:
        raise ConfigError(f"Không tìm thấy tệp cấu hình {path}.") from None
    except OSError as exc:
        raise ConfigError(f"Không đọc được tệp cấu hình {path}: {in_vietnamese(exc)}.") from None
    except UnicodeDecodeError:
        raise ConfigError(
            f"Tệp cấu hình {path} không lưu theo mã UTF-8: mở bằng Notepad, chọn Lưu thành, "
            "Mã hóa (Encoding) UTF-8, rồi chạy lại."
        ) from None
    return parse_config(text, str(path))


def parse_config(text: str, where: str) -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Tệp cấu hình {where} viết sai cú pháp TOML: {exc}.") from None
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        lines = "\n".join(f"  - {_describe(e)}" for e in exc.errors())
        raise ConfigError(f"Tệp cấu hình {where} có lỗi:\n{lines}") from None


def packaged_config() -> Config:
    """The configuration shipped with the package (the same as the project's tqd.toml)."""
    text = resources.files(__package__).joinpath(PACKAGED).read_bytes()
    return parse_config(_decode(text), f"{PACKAGED} (đi kèm phần mềm)")
