"""How Vietnamese papers write dates, money, areas and numbers: `ngày 05 tháng 3 năm 2021`, `05/03/2021`,
`1.500.000.000 đồng`, `120,5 m²`, and the same values spelled out in words ("Một tỷ năm trăm triệu đồng").

The renderer prints these strings; the ground truth keeps the normalised value (DESIGN.md §3) beside them.
"""

from __future__ import annotations

import datetime as dt

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")

DATE_STYLES = ("words", "words_padded", "slash", "slash_short")


def format_date(day: dt.date, style: str = "slash") -> str:
    """Date as printed.

    words: "ngày 05 tháng 3 năm 2021" (months 1 and 2 padded, as the Decree 30 rule asks);
    words_padded: "ngày 05 tháng 03 năm 2021"; slash: "05/03/2021"; slash_short: "5/3/2021".
    """
    if style == "words":
        month = f"{day.month:02d}" if day.month < 3 else str(day.month)
        return f"ngày {day.day:02d} tháng {month} năm {day.year}"
    if style == "words_padded":
        return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
    if style == "slash":
        return day.strftime("%d/%m/%Y")
    if style == "slash_short":
        return f"{day.day}/{day.month}/{day.year}"
    raise ValueError(f"unknown date style {style!r}")


def _two_digits(n: int, after_hundreds: bool) -> str:
    """0–99 in words, as read after a hundreds digit when `after_hundreds` (5 → "linh năm")."""
    tens, units = divmod(n, 10)
    if tens == 0:
        if units == 0:
            return ""
        return f"linh {_DIGITS[units]}" if after_hundreds else _DIGITS[units]
    words = ["mười" if tens == 1 else f"{_DIGITS[tens]} mươi"]
    if units == 1 and tens > 1:
        words.append("mốt")
    elif units == 4 and tens > 1:
        words.append("tư")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(_DIGITS[units])
    return " ".join(words)


def _three_digits(n: int, full: bool) -> str:
    """0–999 in words; `full` reads leading zeros ("không trăm linh năm") as inner groups need."""
    hundreds, rest = divmod(n, 100)
    if hundreds == 0 and not full:
        return _two_digits(rest, after_hundreds=False)
    head = f"{_DIGITS[hundreds]} trăm"
    tail = _two_digits(rest, after_hundreds=True)
    return f"{head} {tail}".strip()


def number_in_words(n: int) -> str:
    """Non-negative integer in Vietnamese words, lower case: 2021 → "hai nghìn không trăm hai mươi mốt"."""
    if n < 0:
        raise ValueError("negative numbers are not written on these papers")
    if n == 0:
        return "không"
    units = ("", "nghìn", "triệu", "tỷ")
    groups: list[int] = []
    while n:
        n, group = divmod(n, 1000)
        groups.append(group)
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        leading = index == len(groups) - 1
        if group == 0:
            if index % 3 == 0 and index and not leading:
                words.append(units[3] if index == 3 else "")
            continue
        words.append(_three_digits(group, full=not leading))
        if index:
            words.append(units[3] if index % 3 == 0 else units[index % 3])
    return " ".join(w for w in words if w)


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def money_in_words(amount: int) -> str:
    """"Một tỷ năm trăm triệu đồng"."""
    return capitalise(number_in_words(amount)) + " đồng"


def format_money(amount: int) -> str:
    """Dots between thousands: 1500000000 → "1.500.000.000"."""
    return f"{amount:,}".replace(",", ".")


def format_area(area: float, style: str = "m²") -> str:
    """Decimal comma: 120.5 → "120,5 m²" (or "120,5m2")."""
    number = f"{area:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{number} m²" if style == "m²" else f"{number}m2"


def area_in_words(area: float) -> str:
    """"Một trăm hai mươi phẩy năm mét vuông"."""
    whole = int(area)
    tenths = round((area - whole) * 10)
    words = number_in_words(whole)
    if tenths:
        words += f" phẩy {_DIGITS[tenths]}"
    return capitalise(words) + " mét vuông"


def date_in_words(day: dt.date) -> str:
    """As birth certificates spell it: "Ngày mười lăm, tháng ba, năm hai nghìn không trăm hai mươi mốt"."""
    month = {1: "một", 4: "tư"}.get(day.month, number_in_words(day.month))
    day_words = number_in_words(day.day)
    if day.day <= 10:
        day_words = "mồng " + day_words if day.day < 10 else "mười"
    return f"Ngày {day_words}, tháng {month}, năm {number_in_words(day.year)}"
