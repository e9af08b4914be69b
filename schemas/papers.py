"""One pydantic model per document type: the contract's fields (DESIGN.md §3) with typed values.

The field names are the public contract of :mod:`schemas.doc_types`; a test keeps the two in step. Each value type
checks what one value can be checked for on its own — a real calendar date, 12 digits for a CCCD, an enterprise
code whose check digit holds, a number-and-symbol of the right shape, money and area that are positive numbers —
and takes the contract's normalised string form (``"2021-03-05"``, ``"0101234567-001"``). Checks that read two
values together (birth before registration, an ID that agrees with the stated gender) are
:mod:`schemas.validators`' job, because they produce review issues rather than refuse a value.

Every field is optional here: a paper may not show a field, and which ones a record needs before it can be
auto-approved is ``DocType.required``.
"""

from __future__ import annotations

import re
import typing
import unicodedata
from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from schemas import codes
from schemas.doc_types import DOC_TYPES
from schemas.identity import enterprise_code_ok

# ---------------------------------------------------------------- value types


def _nfc_text(value: str) -> str:
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", value)).strip()
    if not text:
        raise ValueError("empty text")
    return text


def _person_name(value: str) -> str:
    name = _nfc_text(value)
    if not all(part[:1].isupper() and all(ch.isalpha() or ch in "'-" for ch in part) for part in name.split(" ")):
        raise ValueError("a person's name is words of letters, each with a capital first letter")
    return name


def _digits(length: tuple[int, ...]):
    def check(value: str) -> str:
        if not (value.isdigit() and value.isascii() and len(value) in length):
            raise ValueError(f"must be {' or '.join(map(str, length))} digits")
        return value

    return check


_ENTERPRISE_CODE = re.compile(r"^\d{10}(?:-\d{3})?$")


def _enterprise_code(value: str) -> str:
    if not _ENTERPRISE_CODE.match(value):
        raise ValueError("must be 10 digits, or 10 digits and a branch suffix -001 … -999")
    if value.endswith("-000"):
        raise ValueError("branch suffix -000 does not exist")
    if not enterprise_code_ok(value):
        raise ValueError("check digit does not match")
    return value


def _doc_number(value: str) -> str:
    if codes.parse_doc_number(value) is None:
        raise ValueError("not a number and symbol such as 123/2024/QĐ-UBND")
    return value


def _register_number(value: str) -> str:
    if not codes.is_register_number(value):
        raise ValueError("not a register number such as 39 or 05/2016")
    return value


def _positive(value: float) -> float:
    if value <= 0:
        raise ValueError("must be positive")
    return value


Text = Annotated[str, AfterValidator(_nfc_text)]
PersonName = Annotated[str, AfterValidator(_person_name)]
CccdNumber = Annotated[str, AfterValidator(_digits((12,)))]
IdNumber = Annotated[str, AfterValidator(_digits((12, 9)))]  # CCCD, or the 9-digit CMND on older papers
EnterpriseCode = Annotated[str, AfterValidator(_enterprise_code)]
DocNumber = Annotated[str, AfterValidator(_doc_number)]
RegisterNumber = Annotated[str, AfterValidator(_register_number)]
Money = Annotated[int, Field(strict=False), AfterValidator(_positive)]  # VND
Area = Annotated[float, AfterValidator(_positive)]  # m²
Gender = Literal["Nam", "Nữ"]
Serial = Annotated[str, Field(pattern=r"^[A-ZĐ]{2}\d{6,8}$")]  # land certificate serial "BT255184"
Digits = Annotated[str, Field(pattern=r"^\d{1,6}$")]  # parcel, map sheet
PERMANENT = "Lâu dài"
LandTerm = date | Literal["Lâu dài"]


class Paper(BaseModel):
    """Fields of one paper. ``None`` = not on the paper or not read."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    doc_type: ClassVar[str] = ""


class KhaiSinh(Paper):
    doc_type: ClassVar[str] = "khai_sinh"
    so: RegisterNumber | None = None
    quyen_so: RegisterNumber | None = None
    ho_ten: PersonName | None = None
    gioi_tinh: Gender | None = None
    ngay_sinh: date | None = None
    noi_sinh: Text | None = None
    dan_toc: Text | None = None
    quoc_tich: Text | None = None
    so_dinh_danh: CccdNumber | None = None
    ho_ten_me: PersonName | None = None
    ho_ten_cha: PersonName | None = None
    noi_dang_ky: Text | None = None
    ngay_dang_ky: date | None = None


class Cccd(Paper):
    doc_type: ClassVar[str] = "cccd"
    so_dinh_danh: CccdNumber | None = None
    ho_ten: PersonName | None = None
    ngay_sinh: date | None = None
    gioi_tinh: Gender | None = None
    quoc_tich: Text | None = None
    que_quan: Text | None = None
    noi_thuong_tru: Text | None = None
    ngay_het_han: date | None = None


class KetHon(Paper):
    doc_type: ClassVar[str] = "ket_hon"
    so: RegisterNumber | None = None
    ngay_dang_ky: date | None = None
    noi_dang_ky: Text | None = None
    chong_ho_ten: PersonName | None = None
    chong_ngay_sinh: date | None = None
    chong_so_dinh_danh: IdNumber | None = None
    vo_ho_ten: PersonName | None = None
    vo_ngay_sinh: date | None = None
    vo_so_dinh_danh: IdNumber | None = None


class DangKyDoanhNghiep(Paper):
    doc_type: ClassVar[str] = "dang_ky_doanh_nghiep"
    ma_so_doanh_nghiep: EnterpriseCode | None = None
    ten_doanh_nghiep: Text | None = None
    dia_chi_tru_so: Text | None = None
    von_dieu_le: Money | None = None
    nguoi_dai_dien: PersonName | None = None
    so_dinh_danh_nguoi_dai_dien: IdNumber | None = None
    ngay_dang_ky_lan_dau: date | None = None
    co_quan_cap: Text | None = None


class QuyetDinh(Paper):
    doc_type: ClassVar[str] = "quyet_dinh"
    so_ky_hieu: DocNumber | None = None
    ngay_ban_hanh: date | None = None
    co_quan_ban_hanh: Text | None = None
    trich_yeu: Text | None = None
    nguoi_ky: PersonName | None = None
    ho_ten: PersonName | None = None
    so_dinh_danh: IdNumber | None = None
    hieu_luc_den: date | None = None


class GcnQsdd(Paper):
    doc_type: ClassVar[str] = "gcn_qsdd"
    so_phat_hanh: Serial | None = None
    chu_su_dung: PersonName | None = None
    so_dinh_danh: IdNumber | None = None
    thua_dat_so: Digits | None = None
    to_ban_do_so: Digits | None = None
    dia_chi: Text | None = None
    dien_tich: Area | None = None
    muc_dich_su_dung: Text | None = None
    thoi_han_su_dung: LandTerm | None = None
    ngay_cap: date | None = None
    co_quan_cap: Text | None = None


PAPER_MODELS: dict[str, type[Paper]] = {
    "khai_sinh": KhaiSinh,
    "cccd": Cccd,
    "ket_hon": KetHon,
    "dang_ky_doanh_nghiep": DangKyDoanhNghiep,
    "quyet_dinh": QuyetDinh,
    "gcn_qsdd": GcnQsdd,
}

assert set(PAPER_MODELS) == set(DOC_TYPES), "one model per document type"


def paper_from_values(doc_type: str, values: dict) -> Paper:
    """The typed paper of ``doc_type`` from contract values (``None`` values are skipped). Raises
    :class:`pydantic.ValidationError` for a value of the wrong type and ``KeyError`` for an unknown type."""
    model = PAPER_MODELS[doc_type]
    return model.model_validate({k: v for k, v in values.items() if v is not None})


def field_errors(doc_type: str, values: dict) -> dict[str, str]:
    """Field name → why its value is not of the field's type, checking each value on its own."""
    model = PAPER_MODELS.get(doc_type)
    if model is None:
        return {}
    errors: dict[str, str] = {}
    for name, value in values.items():
        if value is None or name not in model.model_fields:
            continue
        try:
            model.model_validate({name: value})
        except ValidationError as exc:
            errors[name] = exc.errors()[0]["msg"].removeprefix("Value error, ")
    return errors


# ---------------------------------------------------------------- kinds of value, for messages and snapping

_KINDS: tuple[tuple[object, str], ...] = (
    (Text, "text"), (PersonName, "name"), (CccdNumber, "cccd"), (IdNumber, "id"),
    (EnterpriseCode, "enterprise_code"), (DocNumber, "doc_number"), (RegisterNumber, "register_number"),
    (Money, "money"), (Area, "area"), (Gender, "gender"), (Serial, "serial"), (Digits, "digits"),
)


def field_kind(doc_type: str, name: str) -> str | None:
    """What kind of value a field holds: ``"date"``, ``"name"``, ``"cccd"``, ``"land_term"`` …"""
    model = PAPER_MODELS.get(doc_type)
    info = model.model_fields.get(name) if model else None
    if info is None:
        return None
    args = typing.get_args(info.annotation) or (info.annotation,)
    if Literal[PERMANENT] in args:
        return "land_term"
    for arg in args:
        if arg is date:
            return "date"
        for annotated, kind in _KINDS:
            if arg == annotated:
                return kind
    return None
