"""Checks on extracted fields that a back-office officer would otherwise have to do by eye.

Each failure is a :class:`ValidationIssue` with a stable ``code`` and a Vietnamese message. The checks read each
value against its type (:mod:`schemas.papers`: a real calendar date, an enterprise code whose check digit holds, a
number and symbol of the right shape), the paper's own values against each other (an ID whose gender digit
disagrees with the stated gender, a birth after the registration) and against the calendar; they never need a
server. :func:`validate` is the entry point; :func:`apply_to_confidence` lets a failed check lower the confidence
of the fields it names, so a value that failed validation is never reported as sure.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from schemas import codes
from schemas.identity import PROVINCE_CODES, enterprise_code_ok, parse_cccd
from schemas.papers import field_errors, field_kind
from schemas.result import FieldValue, ValidationIssue

Check = Callable[[str, dict[str, FieldValue], date], list[ValidationIssue]]

# identity-number field → the birth-date and gender fields of the same person on the same paper
# identity-number field → (its holder's birth-date field, gender field) on the same paper
PERSON_FIELDS: dict[str, tuple[str | None, str | None]] = {
    "so_dinh_danh": ("ngay_sinh", "gioi_tinh"),
    "chong_so_dinh_danh": ("chong_ngay_sinh", None),
    "vo_so_dinh_danh": ("vo_ngay_sinh", None),
    "so_dinh_danh_nguoi_dai_dien": (None, None),
}
KNOWN_GENDER_BY_FIELD = {"chong_so_dinh_danh": "Nam", "vo_so_dinh_danh": "Nữ"}

# name field → (the field stating its bearer's gender on the same paper, or the gender its place on the form says)
NAME_GENDER_FIELDS: dict[str, tuple[str | None, str | None]] = {
    "ho_ten": ("gioi_tinh", None),
    "chong_ho_ten": (None, "Nam"),
    "vo_ho_ten": (None, "Nữ"),
    "ho_ten_cha": (None, "Nam"),
    "ho_ten_me": (None, "Nữ"),
}

# (earlier field, later field, code, message) for dates that must be ordered on one paper
_DATE_ORDER: tuple[tuple[str, str, str, str], ...] = (
    ("ngay_sinh", "ngay_dang_ky", "birth_after_registration", "Ngày sinh sau ngày đăng ký"),
    ("chong_ngay_sinh", "ngay_dang_ky", "birth_after_registration", "Ngày sinh của chồng sau ngày đăng ký"),
    ("vo_ngay_sinh", "ngay_dang_ky", "birth_after_registration", "Ngày sinh của vợ sau ngày đăng ký"),
    ("ngay_sinh", "ngay_het_han", "birth_after_expiry", "Ngày sinh sau ngày hết hạn"),
    ("ngay_ban_hanh", "hieu_luc_den", "expiry_before_issue", "Ngày hết hiệu lực trước ngày ban hành"),
    ("ngay_cap", "thoi_han_su_dung", "expiry_before_issue", "Thời hạn sử dụng đất kết thúc trước ngày cấp"),
)
_FUTURE_NOT_ALLOWED = ("ngay_sinh", "ngay_dang_ky", "ngay_ban_hanh", "ngay_cap", "ngay_dang_ky_lan_dau",
                       "chong_ngay_sinh", "vo_ngay_sinh")
# Law on Marriage and Family 2014 Art.8: a man may marry from 20, a woman from 18 (full years).
_MARRIAGE_AGE = (("chong_ngay_sinh", 20, "chồng", "đủ 20 tuổi"), ("vo_ngay_sinh", 18, "vợ", "đủ 18 tuổi"))

# What a value of each kind must look like, said to the officer who reviews it.
_KIND_ISSUES: dict[str, tuple[str, str]] = {
    "date": ("invalid_date", "Ngày không có thật trên lịch"),
    "land_term": ("invalid_land_term", "Thời hạn sử dụng phải là một ngày hoặc “Lâu dài”"),
    "name": ("name_format", "Họ tên phải gồm các chữ, mỗi chữ viết hoa chữ cái đầu"),
    "gender": ("gender_invalid", "Giới tính phải là Nam hoặc Nữ"),
    "doc_number": ("doc_number_format", "Số, ký hiệu văn bản không đúng dạng (ví dụ 123/2024/QĐ-UBND)"),
    "register_number": ("register_number_format", "Số đăng ký không đúng dạng (ví dụ 39 hoặc 05/2016)"),
    "money": ("money_invalid", "Số tiền phải là số nguyên dương (đồng)"),
    "area": ("area_invalid", "Diện tích phải là số dương (m²)"),
    "serial": ("serial_format", "Số phát hành phải gồm 2 chữ cái và 6–8 chữ số"),
    "digits": ("number_format", "Số thửa, số tờ bản đồ phải là số"),
    "text": ("text_invalid", "Nội dung trống hoặc không đọc được"),
}
_OWN_CHECKS = {"cccd", "id", "enterprise_code"}  # kinds with a dedicated check below


def _value(fields: dict[str, FieldValue], name: str | None):
    fv = fields.get(name) if name else None
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


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def check_types(doc_type: str, fields: dict[str, FieldValue], today: date) -> list[ValidationIssue]:
    """Each value against its field's type (schemas.papers)."""
    values = {name: fv.value for name, fv in fields.items()}
    issues = []
    for name in field_errors(doc_type, values):
        kind = field_kind(doc_type, name)
        if kind in _OWN_CHECKS:
            continue
        code, message = _KIND_ISSUES.get(kind or "", ("invalid_value", "Giá trị không hợp lệ"))
        issues.append(ValidationIssue(field=name, code=code, message=message))
    return issues


def check_identity_numbers(doc_type: str, fields: dict[str, FieldValue], today: date) -> list[ValidationIssue]:
    """12-digit CCCD: province code exists; century/gender and year digits agree with the paper's own birth
    date and gender. A 9-digit CMND (older papers, where the field allows it) has no structure to check."""
    issues = []
    for id_field, (birth_field, gender_field) in PERSON_FIELDS.items():
        number = _value(fields, id_field)
        if number is None:
            continue
        number = str(number)
        if len(number) == 9 and number.isdigit() and field_kind(doc_type, id_field) != "cccd":
            continue
        parts = parse_cccd(number)
        if parts is None:
            issues.append(ValidationIssue(field=id_field, code="cccd_format",
                                          message="Số định danh phải gồm đúng 12 chữ số"))
            continue
        if parts.province_code not in PROVINCE_CODES:
            issues.append(ValidationIssue(field=id_field, code="cccd_province",
                                          message=f"Mã tỉnh {parts.province_code} không tồn tại"))
        birth = _as_date(_value(fields, birth_field))
        if birth is not None and birth.year != parts.birth_year:
            issues.append(ValidationIssue(
                field=id_field, code="cccd_birth_year_mismatch",
                message=f"Số định danh ứng với năm sinh {parts.birth_year}, giấy ghi {birth.year}"))
        gender = _value(fields, gender_field) if gender_field else KNOWN_GENDER_BY_FIELD.get(id_field)
        if gender in ("Nam", "Nữ") and gender != parts.gender:
            issues.append(ValidationIssue(
                field=id_field, code="cccd_gender_mismatch",
                message=f"Số định danh ứng với giới tính {parts.gender}, giấy ghi {gender}"))
    return issues


def check_enterprise_code(doc_type: str, fields: dict[str, FieldValue], today: date) -> list[ValidationIssue]:
    """10 digits ending in their check digit (stdnum.vn.mst rule), optionally a branch suffix -001 … -999."""
    code = _value(fields, "ma_so_doanh_nghiep")
    if code is None:
        return []
    code = str(code)
    head, _, branch = code.partition("-")
    if not (len(head) == 10 and head.isdigit()):
        return [ValidationIssue(field="ma_so_doanh_nghiep", code="enterprise_code_format",
                                message="Mã số doanh nghiệp phải gồm 10 chữ số")]
    issues = []
    if not enterprise_code_ok(head):
        issues.append(ValidationIssue(field="ma_so_doanh_nghiep", code="enterprise_code_check_digit",
                                      message="Chữ số kiểm tra của mã số doanh nghiệp không đúng"))
    if "-" in code and not (len(branch) == 3 and branch.isdigit() and branch != "000"):
        issues.append(ValidationIssue(field="ma_so_doanh_nghiep", code="enterprise_branch_suffix",
                                      message="Mã đơn vị phụ thuộc phải từ -001 đến -999"))
    return issues


def check_doc_numbers(doc_type: str, fields: dict[str, FieldValue], today: date) -> list[ValidationIssue]:
    """A decision's number and symbol names a decision (QĐ); a year in it is the year the decision was issued."""
    number = _value(fields, "so_ky_hieu")
    parsed = codes.parse_doc_number(str(number)) if number is not None else None
    if parsed is None or doc_type != "quyet_dinh":
        return []
    issues = []
    if parsed.kind not in codes.DECISION_KINDS:
        issues.append(ValidationIssue(field="so_ky_hieu", code="doc_number_not_decision",
                                      message=f"Ký hiệu {parsed.kind} không phải của một quyết định (QĐ)"))
    issued = _as_date(_value(fields, "ngay_ban_hanh"))
    if parsed.year is not None and issued is not None and parsed.year != issued.year:
        issues.append(ValidationIssue(
            field="so_ky_hieu", code="doc_number_year_mismatch",
            message=f"Số văn bản ghi năm {parsed.year}, ngày ban hành năm {issued.year}"))
    return issues


def check_dates(doc_type: str, fields: dict[str, FieldValue], today: date) -> list[ValidationIssue]:
    """Issue and birth dates not in the future; births before registrations; ends of validity after issue;
    spouses of marriageable age on the day they registered."""
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
    registered = _as_date(_value(fields, "ngay_dang_ky"))
    if doc_type == "ket_hon" and registered is not None:
        for field, years, who, rule in _MARRIAGE_AGE:
            birth = _as_date(_value(fields, field))
            if birth is not None and birth <= registered and _age_on(birth, registered) < years:
                issues.append(ValidationIssue(
                    field=field, code="below_marriage_age",
                    message=f"Ngày đăng ký, {who} mới {_age_on(birth, registered)} tuổi (luật: {rule})"))
    return issues


def check_name_gender(doc_type: str, fields: dict[str, FieldValue], today: date) -> list[ValidationIssue]:
    """A middle name that only one sex bears (Thị: a woman; Văn: a man) against the gender the paper states or
    the place the name stands in (the wife, the father). Where a stated gender disagrees, the one-word gender is
    the likelier misread; where the form's place does, the name was read from the wrong place or misread."""
    from extractors.names import name_gender

    issues = []
    for name_field, (gender_field, known) in NAME_GENDER_FIELDS.items():
        name = _value(fields, name_field)
        gender = _value(fields, gender_field) if gender_field else known
        if not isinstance(name, str) or gender not in ("Nam", "Nữ"):
            continue
        by_name = name_gender(name.split())
        if by_name is not None and by_name != gender:
            issues.append(ValidationIssue(
                field=gender_field or name_field, code="name_gender_mismatch",
                message=f"Tên đệm của {name} là tên của {'nữ' if by_name == 'Nữ' else 'nam'}, giấy ghi {gender}"))
    return issues


CHECKS: tuple[Check, ...] = (
    check_types,
    check_identity_numbers,
    check_enterprise_code,
    check_doc_numbers,
    check_dates,
    check_name_gender,
)


def validate(doc_type: str, fields: dict[str, FieldValue], today: date | None = None) -> list[ValidationIssue]:
    """Every check's issues for the fields of one paper read as ``doc_type``."""
    today = today or date.today()
    return [issue for check in CHECKS for issue in check(doc_type, fields, today)]


FAILED_CONFIDENCE = 0.5  # a value that failed a check is at best a coin toss


def apply_to_confidence(fields: dict[str, FieldValue], issues: list[ValidationIssue]) -> dict[str, FieldValue]:
    """The fields with the confidence of each one named by an issue capped at :data:`FAILED_CONFIDENCE`."""
    failed = {issue.field for issue in issues if issue.field}
    return {name: fv.model_copy(update={"confidence": min(fv.confidence, FAILED_CONFIDENCE)})
            if name in failed else fv for name, fv in fields.items()}


# Each check's message for English pages: ``ValidationIssue.message`` is Vietnamese (the output contract); these
# say the same without the paper's own values, which the page shows beside them.
MESSAGES_EN: dict[str, str] = {
    "invalid_date": "Not a real calendar date",
    "invalid_land_term": "The land-use term must be a date or “Lâu dài” (permanent)",
    "name_format": "A name is words, each with a capital first letter",
    "gender_invalid": "Sex must be Nam (male) or Nữ (female)",
    "doc_number_format": "Not a document number and symbol (e.g. 123/2024/QĐ-UBND)",
    "register_number_format": "Not a register number (e.g. 39 or 05/2016)",
    "money_invalid": "An amount is a positive whole number of đồng",
    "area_invalid": "An area is a positive number of m²",
    "serial_format": "A serial number is 2 letters and 6–8 digits",
    "number_format": "Parcel and map sheet numbers are numbers",
    "text_invalid": "Empty or unreadable",
    "invalid_value": "Invalid value",
    "cccd_format": "An identity number has exactly 12 digits",
    "cccd_province": "The identity number's province code does not exist",
    "cccd_birth_year_mismatch": "The identity number encodes another birth year than the paper's",
    "cccd_gender_mismatch": "The identity number encodes another sex than the paper's",
    "enterprise_code_format": "An enterprise code has 10 digits",
    "enterprise_code_check_digit": "The enterprise code's check digit is wrong",
    "enterprise_branch_suffix": "A branch suffix runs from -001 to -999",
    "doc_number_not_decision": "The symbol is not a decision's (QĐ)",
    "doc_number_year_mismatch": "The number's year differs from the year of issue",
    "date_in_future": "The date is in the future",
    "birth_after_registration": "Born after the registration date",
    "birth_after_expiry": "Born after the expiry date",
    "expiry_before_issue": "Ends before it was issued",
    "below_marriage_age": "Under the legal age of marriage on the day of registration",
    "name_gender_mismatch": "The name's middle name does not fit the stated sex",
}


def issue_message(issue: ValidationIssue, lang: str) -> str:
    """The issue said in ``lang`` ("vi": its own message; "en": the English one for its code)."""
    return issue.message if lang == "vi" else MESSAGES_EN.get(issue.code, issue.message)
