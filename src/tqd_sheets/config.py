"""`tqd.toml`: the unit, its children, the title rule sets and the signature block.

`[don_vi]` / `[[don_vi_con]]` (levels.md) are the keys; the older `[phuong]` / `[[khom]]` mean
the same and keep working. Every word for a unit (khóm/ấp, phường/xã) comes from its `cap`.
"""

from __future__ import annotations

import codecs
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from . import titles, units
from .oserrors import in_vietnamese
from .periods import Period


class ConfigError(Exception):
    """A configuration problem, already worded for the officer."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _known_cap(cap: str) -> str:
    if cap not in units.LEVEL:
        raise ValueError(f"cấp '{cap}' không có; chọn một trong: {', '.join(units.LEVEL)}")
    return cap


class Ward(_Model):
    """The unit that runs the tool (`[don_vi]`)."""

    ma: str = Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9_]+$")
    ten: str = Field(min_length=1)
    cap: str = units.DEFAULT_PARENT.cap
    ma_cha: str = ""
    thanh_pho: str = ""
    tinh: str = ""
    co_quan: str = Field(min_length=1)
    ban: str = "BAN CÔNG TÁC XDĐSVH - ĐTVM"
    dia_danh: str = ""
    # Older configurations name the children's kind here ("khóm" or "ấp"); a child's own
    # `cap` wins.
    don_vi_con: str = ""
    # The periods this configuration is for (levels.md: 29917 up to 2025Q2, 29905 from
    # 2025Q3): a run for a period ending outside them is refused with the successor to use.
    tu_ngay: date | None = None
    den_ngay: date | None = None

    @field_validator("cap")
    @classmethod
    def _cap_known(cls, v: str) -> str:
        return _known_cap(v)

    @field_validator("tu_ngay", "den_ngay", mode="before")
    @classmethod
    def _empty_day(cls, v: object) -> object:
        return None if v == "" else v

    def valid_on(self, day: date) -> bool:
        return (self.tu_ngay or date.min) <= day <= (self.den_ngay or date.max)

    @property
    def place(self) -> str:
        return self.dia_danh or self.ten

    @property
    def level(self) -> units.Level:
        return units.LEVEL[self.cap]

    @property
    def child_cap(self) -> str:
        """The kind of a child that does not say its own: the old key, else the usual one."""
        named = self.don_vi_con.strip().casefold()
        by_noun = {lv.noun: lv.cap for lv in units.LEVELS}
        return by_noun.get(named) or units.usual_child(self.cap)


class Khom(_Model):
    """A child unit (`[[don_vi_con]]`); `cap` empty means the parent's usual kind."""

    ma: str = Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9_]+$")
    ten: str = Field(min_length=1)
    cap: str = ""
    tu_ngay: date | None = None
    den_ngay: date | None = None

    @field_validator("cap")
    @classmethod
    def _cap_known(cls, v: str) -> str:
        return _known_cap(v) if v else v

    @field_validator("tu_ngay", "den_ngay", mode="before")
    @classmethod
    def _empty_day(cls, v: object) -> object:
        return None if v == "" else v

    @property
    def level(self) -> units.Level:
        return units.LEVEL[self.cap or units.DEFAULT_CHILD.cap]

    def valid_on(self, day: date) -> bool:
        return (self.tu_ngay or date.min) <= day <= (self.den_ngay or date.max)


class Signatures(_Model):
    nguoi_lap: str = "NGƯỜI LẬP BIỂU"
    thay_mat: str = "TM. BAN CÔNG TÁC XDĐSVH - ĐTVM"
    ky_thay: str = "KT. TRƯỞNG BAN"
    chuc_vu: str = "PHÓ TRƯỞNG BAN"
    ho_ten: str = ""  # the name typed under the unit's signature (right-hand block)


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


class HistorySettings(_Model):
    """`[lich_su]` (history.md): `tep` is the history file, relative to the configuration;
    empty means `lich-su/<ma>.sqlite` beside it."""

    tep: str = ""


class RuleChoice(_Model):
    model_config = ConfigDict(extra="allow", frozen=True)
    mac_dinh: str


@dataclass(frozen=True)
class _Children:
    children: tuple[Khom, ...]
    by_code: dict[str, Khom]
    codes: tuple[str, ...]
    levels: tuple[units.Level, ...]


_CHILDREN: dict[int, _Children] = {}


class Config(_Model):
    don_vi: Ward
    don_vi_con: tuple[Khom, ...] = Field(min_length=1)
    chu_ky: Signatures = Signatures()
    bo_tieu_chi: dict[str, RuleSet] = Field(min_length=1)
    ap_dung: RuleChoice
    han_nop: dict[str, str] = {}
    lich_su: HistorySettings = HistorySettings()

    @model_validator(mode="before")
    @classmethod
    def _older_keys(cls, data: object) -> object:
        """`[phuong]` / `[[khom]]` are the older names of `[don_vi]` / `[[don_vi_con]]`."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for old, new in _OLDER_KEYS.items():
            if old in data and new not in data:
                data[new] = data.pop(old)
        return data

    @model_validator(mode="after")
    def _children_kinds(self) -> Config:
        # A child without its own kind takes the parent's usual one (khóm in a phường), so
        # every reader sees a filled `cap`.
        default = self.don_vi.child_cap
        fixed = tuple(k if k.cap else k.model_copy(update={"cap": default}) for k in self.khom)
        object.__setattr__(self, "don_vi_con", fixed)  # frozen model, set once while validating
        return self

    @field_validator("don_vi_con")
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
                "mã đơn vị con bị lặp (chữ hoa và chữ thường được coi là một): "
                + "; ".join(repeated)
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
    def phuong(self) -> Ward:
        """The running unit (older name, kept for the code that reads it)."""
        return self.don_vi

    @property
    def khom(self) -> tuple[Khom, ...]:
        """The children (older name, kept for the code that reads it)."""
        return self.don_vi_con

    def on(self, day: date) -> Config:
        """The configuration with the children valid on `day` (a period's last day): closed
        khóm stay in the file for history, new ones wait for their first period. Unchanged
        when none would be left, so a mistyped date never empties a run."""
        valid = tuple(k for k in self.khom if k.valid_on(day))
        if not valid or len(valid) == len(self.khom):
            return self
        return self.model_copy(update={"don_vi_con": valid})

    def child(self, code: str) -> Khom | None:
        return self._children().by_code.get(code)

    def _children(self) -> _Children:
        """Children by code (the first of a code, as a scan finds it), their codes and their
        kinds, made once per list of children: a province's run asks thousands of times.
        Kept beside the model, not in it (a model's private state would count in its
        equality)."""
        children = self.don_vi_con
        held = _CHILDREN.get(id(children))
        if held is None or held.children is not children:  # it holds its tuple: no reused id
            if len(_CHILDREN) > 64:
                _CHILDREN.clear()
            by_code: dict[str, Khom] = {}
            for k in children:
                by_code.setdefault(k.ma, k)
            codes = tuple(k.ma for k in children)
            levels = tuple(dict.fromkeys(k.level for k in children))
            held = _CHILDREN[id(children)] = _Children(children, by_code, codes, levels)
        return held

    def child_level(self, code: str) -> units.Level:
        """The words of child `code`; an unknown code gets the parent's usual kind."""
        k = self.child(code)
        return k.level if k else units.LEVEL[self.don_vi.child_cap]

    @property
    def child_levels(self) -> tuple[units.Level, ...]:
        """The kinds of the children, each once, in configuration order."""
        return self._children().levels

    @property
    def children_word(self) -> str:
        """`khóm`, `ấp`, or `khóm, ấp` for a merged phường with both."""
        return units.nouns(self.child_levels)

    @property
    def khom_codes(self) -> tuple[str, ...]:
        return self._children().codes

    def khom_name(self, code: str) -> str:
        k = self.child(code)
        return k.ten if k else code

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


_OLDER_KEYS = {"phuong": "don_vi", "khom": "don_vi_con"}


def _describe(error: dict, written: dict[str, str]) -> str:
    """`written`: the key the file used for each model key (an older `[phuong]` stays so)."""
    loc = [str(p) for p in error["loc"]]
    if loc:
        loc[0] = written.get(loc[0], loc[0])
    key = ".".join(loc) or "(toàn tệp)"
    text = _PYDANTIC_VI.get(error["type"])
    if text is None:
        text = str(error.get("ctx", {}).get("error") or error["msg"])
    return f"khóa '{key}': {text}"


DEFAULT_NAME = "tqd.toml"
PACKAGED = "tqd_mac_dinh.toml"  # shipped with the package, for a child checking its own file


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
        written = {new: old for old, new in _OLDER_KEYS.items() if old in data and new not in data}
        lines = "\n".join(f"  - {_describe(e, written)}" for e in exc.errors())
        raise ConfigError(f"Tệp cấu hình {where} có lỗi:\n{lines}") from None


def packaged_config() -> Config:
    """The configuration shipped with the package (the same as the project's tqd.toml)."""
    text = resources.files(__package__).joinpath(PACKAGED).read_bytes()
    return parse_config(_decode(text), f"{PACKAGED} (đi kèm phần mềm)")
