"""Identity and enterprise numbers that obey the real rules (DESIGN.md §4), so validators can be tested on
synthetic papers: CCCD numbers that agree with birth province, century, gender and year; enterprise codes
with a valid check digit (the `stdnum.vn.mst` rule).
"""

from __future__ import annotations

import datetime as dt
import random

from schemas.identity import MST_WEIGHTS, century_gender_digit, mst_check_digit

__all__ = ["MST_WEIGHTS", "cccd_number", "enterprise_code", "mst_check_digit"]


def cccd_number(province_code: str, birth: dt.date, gender: str, rng: random.Random) -> str:
    """12 digits: province of birth registration + century/gender + two year digits + six random digits."""
    if len(province_code) != 3 or not province_code.isdigit():
        raise ValueError(f"province code must be 3 digits, got {province_code!r}")
    return f"{province_code}{century_gender_digit(birth.year, gender)}{birth.year % 100:02d}{rng.randrange(10**6):06d}"



def enterprise_code(rng: random.Random, prefix: str = "01") -> str:
    """A 10-digit enterprise code (mã số doanh nghiệp) starting with a province's two-digit prefix."""
    while True:
        body = prefix + str(rng.choice((0, 0, 1))) + f"{rng.randrange(10**6):06d}"
        check = mst_check_digit(body)
        if check is not None and body[2:] != "0000000":  # an all-zero sequence number is not issued
            return body + str(check)
