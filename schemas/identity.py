"""Citizen identity numbers (CCCD / số định danh cá nhân): structure and consistency with the paper.

12 digits = 3-digit province code of birth registration + century/gender digit + 2 digits of the birth year +
6 serial digits (Circular 07/2016/TT-BCA; DESIGN.md §4). There is no check digit, so consistency with the
paper's own birth date and gender is the strongest check available.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Province codes of birth registration (Circular 07/2016/TT-BCA Annex; the pre-2025 63 provinces).
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
    "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
    "017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang",
    "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định", "037": "Ninh Bình",
    "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình", "045": "Quảng Trị",
    "046": "Thừa Thiên Huế", "048": "Đà Nẵng", "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định",
    "054": "Phú Yên", "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng", "070": "Bình Phước",
    "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai", "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh",
    "086": "Vĩnh Long", "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ",
    "093": "Hậu Giang", "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}

# century/gender digit → (first year of the century, gender)
_CENTURY_GENDER: dict[str, tuple[int, str]] = {
    "0": (1900, "Nam"), "1": (1900, "Nữ"),
    "2": (2000, "Nam"), "3": (2000, "Nữ"),
    "4": (2100, "Nam"), "5": (2100, "Nữ"),
    "6": (2200, "Nam"), "7": (2200, "Nữ"),
    "8": (1800, "Nam"), "9": (1800, "Nữ"),
}

_CCCD = re.compile(r"^\d{12}$")


@dataclass(frozen=True)
class CccdParts:
    province_code: str
    birth_year: int
    gender: str
    serial: str


def parse_cccd(number: str) -> CccdParts | None:
    """The parts of a 12-digit number, or ``None`` if it is not 12 digits."""
    if not _CCCD.match(number):
        return None
    century, gender = _CENTURY_GENDER[number[3]]
    return CccdParts(number[:3], century + int(number[4:6]), gender, number[6:])


def cccd_consistent(number: str, birth_year: int, gender: str | None) -> bool:
    """Province code exists and the century/gender and year digits agree with the paper's birth year (and
    gender, where the paper gives one)."""
    parts = parse_cccd(number)
    return parts is not None and parts.province_code in PROVINCE_CODES and parts.birth_year == birth_year \
        and (gender not in ("Nam", "Nữ") or parts.gender == gender)


def repair_cccd(number: str, birth_year: int, gender: str | None) -> str | None:
    """The number with one misread digit put right, when it disagrees with the paper's own birth year/gender and
    exactly one change of one digit among the first six (province, century/gender, year) makes it agree; else
    ``None``. The six serial digits carry no structure, so a misread there cannot be found; a number that
    disagrees with the paper's gender alone is not changed (the gender may as well be the misread)."""
    parts = parse_cccd(number)
    if parts is None or cccd_consistent(number, birth_year, gender) \
            or (parts.birth_year == birth_year and parts.province_code in PROVINCE_CODES):
        return None
    fits = {number[:i] + d + number[i + 1:] for i in range(6) for d in "0123456789" if d != number[i]}
    fits = {n for n in fits if cccd_consistent(n, birth_year, gender)}
    return fits.pop() if len(fits) == 1 else None


def century_gender_digit(birth_year: int, gender: str) -> str:
    """The 4th digit of a CCCD: 0/1 = born in the 1900s male/female, 2/3 = 2000s, …"""
    century = birth_year - birth_year % 100
    for digit, (first_year, digit_gender) in _CENTURY_GENDER.items():
        if first_year == century and digit_gender == gender:
            return digit
    raise ValueError(f"no CCCD century/gender digit for {birth_year}, {gender!r}")


# Enterprise code / tax code (mã số doanh nghiệp, MST): 10 digits, the last a check digit (stdnum.vn.mst rule).
MST_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def mst_check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or ``None`` where the rule gives 10 (no valid code has these digits)."""
    total = sum(w * int(d) for w, d in zip(MST_WEIGHTS, first_nine, strict=True))
    check = 10 - total % 11
    return None if check == 10 else check


def enterprise_code_ok(code: str) -> bool:
    """Whether the first ten characters are digits ending in their check digit (a branch suffix is ignored)."""
    digits = code[:10]
    return len(digits) == 10 and digits.isdigit() and mst_check_digit(digits[:9]) == int(digits[9])


# --- masking: citizen IDs shown to people who must not read them (list views, logs, audit summaries) ---

_DIGITS = re.compile(r"\d")
_ID_IN_TEXT = re.compile(r"(?<!\d)\d{9,12}(?!\d)")  # CMND (9) and CCCD/personal ID (12) numbers


def mask_id(value: object) -> str:
    """``001090012345`` → ``0010******45``: enough to tell papers apart at the counter, not to reuse the number.

    Short values keep only their last two digits; None and empty give ``""``.
    """
    text = "" if value is None else str(value)
    digits = len(_DIGITS.findall(text))
    if digits == 0:
        return text
    keep_head = 4 if digits >= 9 else 0
    seen, out = 0, []
    for ch in text:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen <= keep_head or seen > digits - 2 else "*")
        else:
            out.append(ch)
    return "".join(out)


def mask_ids_in_text(text: str) -> str:
    """Every 9- to 12-digit run (a CMND or CCCD number) in ``text`` masked with :func:`mask_id`."""
    return _ID_IN_TEXT.sub(lambda m: mask_id(m.group(0)), text)
