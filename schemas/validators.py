"""Checks on extracted fields that a back-office officer would otherwise have to do by eye.

Each failure is a :class:`ValidationIssue` with a stable ``code`` and a Vietnamese message. These checks read the
paper's own values against each other (an ID whose gender digit disagrees with the stated gender) and against
the calendar; they never need a server.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from schemas.identity import PROVINCE_CODES, parse_cccd
from schemas.result import FieldValue, ValidationIssue

# identity-number field → the birth-date and gender fields of the same person on the same paper
_PERSON_FIELDS: dict[str, tuple[str | None, str | None]] = {
    "so_dinh_danh": ("ngay_sinh", "gioi_tinh"),
    "chong_so_dinh_danh": ("chong_ngay_sinh", None),
    "vo_so_dinh_danh": ("vo_ngay_sinh", None),
    "so_dinh_danh_nguoi_dai_dien": (None, None),
}
_KNOWN_GENDER_BY_FIELD = {"chong_so_dinh_danh": "Nam", "vo_so_dinh_danh": "Nữ"}

# (earlier field, later field, code, message) for dates that must be ordered on one paper
_DATE_ORDER: tuple[tuple[str, str, str, str], ...] = (
    ("ngay_sinh", "ngay_dang_ky", "birth_after_registration", "Ngày sinh sau ngày đăng ký"),
    ("ngay_sinh", "ngay_het_han", "birth_after_expiry", "Ngày sinh sau ngày hết hạn"),
    ("ngay_ban_hanh", "hieu_luc_den", "expiry_before_issue", "Ngày hết hiệu lực trước ngày ban hành"),
)
_FUTURE_NOT_ALLOWED = ("ngay_sinh", "ngay_dang_ky", "ngay_ban_hanh", "ngay_cap", "ngay_dang_ky_lan_dau",
                       "chong_ngay_sinh", "vo_ngay_sinh")


def _value(fields: dict[str, FieldValue], name: str):
    fv = fields.get(name)
    return None if fv is None else fv.value


def _as_date(value) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def check_identity_numbers(fields: dict[str, FieldValue], today: date) -> list[ValidationIssue]:
    issues = []
    for id_field, (birth_field, gender_field) in _PERSON_FIELDS.items():
        number = _value(fields, id_field)
        if number is None:
            continue
        parts = parse_cccd(str(number))
        if parts is None:
            issues.append(ValidationIssue(field=id_field, code="cccd_format",
                                          message="Số định danh phải gồm đúng 12 chữ số"))
            continue
        if parts.province_code not in PROVINCE_CODES:
            issues.append(ValidationIssue(field=id_field, code="cccd_province",
                                          message=f"Mã tỉnh {parts.province_code} không tồn tại"))
        birth = _as_date(_value(fields, birth_field)) if birth_field else None
        if birth is not None and birth.year != parts.birth_year:
            issues.append(ValidationIssue(
                field=id_field, code="cccd_birth_year_mismatch",
                message=f"Số định danh ứng với năm sinh {parts.birth_year}, giấy ghi {birth.year}"))
        gender = _value(fields, gender_field) if gender_field else _KNOWN_GENDER_BY_FIELD.get(id_field)
        if gender in ("Nam", "Nữ") and gender != parts.gender:
            issues.append(ValidationIssue(
                field=id_field, code="cccd_gender_mismatch",
                message=f"Số định danh ứng với giới tính {parts.gender}, giấy ghi {gender}"))
    return issues


def check_dates(fields: dict[str, FieldValue], today: date) -> list[ValidationIssue]:
    issues = []
    for name in _FUTURE_NOT_ALLOWED:
        d = _as_date(_value(fields, name))
        if d is not None and d > today:
            issues.append(ValidationIssue(field=name, code="date_in_future",
                                          message=f"Ngày {d.isoformat()} ở tương lai"))
    for earlier, later, code, message in _DATE_ORDER:
        a, b = _as_date(_value(fields, earlier)), _as_date(_value(fields, later))
        if a is not None and b is not None and a > b:
            issues.append(ValidationIssue(field=later, code=code, message=message))
    return issues


CHECKS: tuple[Callable[[dict[str, FieldValue], date], list[ValidationIssue]], ...] = (
    check_identity_numbers,
    check_dates,
)


def validate(doc_type: str, fields: dict[str, FieldValue], today: date | None = None) -> list[ValidationIssue]:
    today = today or date.today()
    return [issue for check in CHECKS for issue in check(fields, today)]
