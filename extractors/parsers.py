"""Value parsers: raw OCR text of one field → the normalised value of the output contract (DESIGN.md §3).

Pure functions, no document geometry: each takes the text found after a label and returns the contract value or
``None`` when the text does not hold one. They tolerate what OCR does to real pages (lost tone marks, ``Ð`` for
``Đ``, ``O``/``l`` inside numbers, merged words such as ``năm2021``) and reject values that cannot exist
(31 February, a wrong enterprise-code check digit), so a wrong read becomes "not found" rather than a wrong fact.
``find_*`` variants also return where in the text the value was, so the caller can box it on the page.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

from pipeline.textnorm import clean_spaces, fold, nfc, title_name
from schemas.identity import enterprise_code_ok

# ---------------------------------------------------------------- folding that keeps character positions


class _FoldTable(dict):
    """``str.translate`` table folding one character to one character, filled on first sight of each."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        folded = " " if ch.isspace() else (fold(ch)[:1] or " ")
        self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def fold_aligned(text: str) -> str:
    """:func:`fold` one character at a time, so index ``i`` of the result is character ``i`` of ``text``."""
    return nfc(text).translate(_FOLD_TABLE)


# OCR reads these for digits when they sit next to digits ("2O21", "L7", "0O1", "l2").
_DIGIT_LOOKALIKES = {"o": "0", "q": "0", "d": "0", "ø": "0", "i": "1", "l": "1", "|": "1", "!": "1", "[": "1",
                     "]": "1", "s": "5", "b": "8", "z": "2", "g": "9"}
_SAFE_LOOKALIKES = "oøil|!"  # the ones common enough to fix wherever a digit touches them


def fix_digit_lookalikes(folded: str, chars: str = _SAFE_LOOKALIKES) -> str:
    """Replace look-alike letters by digits where a digit is next to them (length-preserving)."""
    out = list(folded)
    for _ in range(2):  # a second pass fixes runs such as "lO2" once one neighbour became a digit
        for i, ch in enumerate(out):
            if ch in chars:
                left = out[i - 1] if i > 0 else ""
                right = out[i + 1] if i + 1 < len(out) else ""
                if left.isdigit() or right.isdigit():
                    out[i] = _DIGIT_LOOKALIKES[ch]
    return "".join(out)


# ---------------------------------------------------------------- dates

_MIN_YEAR, _MAX_YEAR = 1900, 2100
# "ngày 05 tháng 3 năm 2021" after folding, tolerant of OCR damage to "tháng"/"năm", of merged words and of specks
# read as punctuation between the parts ("tháng 6:năm").
# An italic "1" is often read as "/" in front of the day ("ngày /9" = 19); a slash cannot stand there otherwise.
_DATE_WORDS = re.compile(
    r"(?<![\d/])(/?\d{1,2})\s*[,.:;]?\s*th[a-z]{1,3}\s*[,.:;]?\s*(\d{1,2})\s*[,.:;]?\s*n[a-z]{1,2}m?\s*[,.:;]?\s*"
    r"(\d{4})(?!\d)"
)
_DATE_LOOKALIKES = _SAFE_LOOKALIKES + "[]"  # "ngày 3] tháng 8": italic 1 read as a bracket
_DATE_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})\s?[/.\-]\s?(\d{1,2})\s?[/.\-]\s?(\d{4})(?!\d)")
_DATE_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def _make_date(year: int, month: int, day: int) -> date | None:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


# Repairs tried only when no date reads as printed; each keeps the text's length (spans stay true). An italic 1
# read as a bracket set apart by a space ("tháng 1 ] năm" = 11, "28/06/201 I" = 2011) joins the number before it;
# a bracket after two digits is a speck, not a third digit ("ngày 11] tháng").
_SPLIT_LAST_DIGIT = re.compile(r"(?<=\d) ([il|!\[\]])(?![\w\[\]|!])")
_SPECK_AFTER_TWO_DIGITS = re.compile(r"(?<![\d/])(\d\d)[\[\]|!](?=\s)")


def _repaired_for_dates(folded: str) -> str:
    for _ in range(2):  # a second round for the bracket a first fix set beside a digit ("tháng 1] ]" = 11)
        folded = _SPECK_AFTER_TWO_DIGITS.sub(r"\1 ", _SPLIT_LAST_DIGIT.sub(r"\1 ", folded))
        folded = fix_digit_lookalikes(folded, _DATE_LOOKALIKES)
    return folded


def find_date(text: str) -> tuple[date, int, int] | None:
    """The first valid date in ``text`` and its ``(start, end)`` character span, or ``None``."""
    folded = fold_aligned(text)
    hit = _find_date(fix_digit_lookalikes(folded, _DATE_LOOKALIKES))
    if hit is not None:
        return hit
    hit = _find_date(_repaired_for_dates(folded))
    if hit is not None and text[hit[2] - 1].isspace():  # the joined digit sits one place right of its space
        hit = (hit[0], hit[1], hit[2] + 1)
    return hit


def _find_date(folded: str) -> tuple[date, int, int] | None:
    found: list[tuple[int, int, date]] = []
    for pattern, order in ((_DATE_WORDS, "dmy"), (_DATE_NUMERIC, "dmy"), (_DATE_ISO, "ymd")):
        for m in pattern.finditer(folded):
            a, b, c = (int("1" + g[1:] if g.startswith("/") else g) for g in m.groups())
            value = _make_date(c, b, a) if order == "dmy" else _make_date(a, b, c)
            if value is not None:
                found.append((m.start(), m.end(), value))
                break
    if not found:
        return None
    start, end, value = min(found)
    # Include a leading "ngày" in the span: it belongs to the written date.
    prefix = re.search(r"ngay\s*$", folded[:start])
    if prefix:
        start = prefix.start()
    return value, start, end


def parse_date(text: str) -> date | None:
    """``"ngày 05 tháng 3 năm 2021"``, ``"05/03/2021"``, ``"5-3-2021"``, ``"05.03.2021"`` → ``date(2021, 3, 5)``."""
    hit = find_date(text)
    return hit[0] if hit else None


def parse_date_iso(text: str) -> str | None:
    """:func:`parse_date` as the contract's ``YYYY-MM-DD`` string."""
    value = parse_date(text)
    return value.isoformat() if value else None


# ---------------------------------------------------------------- identity numbers

_DIGIT_RUN = re.compile(r"\d+(?:[ .]\d+)*")


def find_id_number(text: str, lengths: tuple[int, ...] = (12, 9)) -> tuple[str, int, int] | None:
    """The first identity number (12-digit CCCD or 9-digit CMND) in ``text``, digits only, with its span.

    Look-alike letters inside the number are read as digits; single spaces or dots between digit groups are
    dropped ("001 090 012345"). A run of digits of any other length is not an identity number.
    """
    plain = fold_aligned(text)
    for folded in (plain, fix_digit_lookalikes(plain, chars=_SAFE_LOOKALIKES + "qdszbg")):
        hit = _find_digit_run(folded, lengths)
        if hit:
            return hit
    return None


def _find_digit_run(folded: str, lengths: tuple[int, ...]) -> tuple[str, int, int] | None:
    for m in _DIGIT_RUN.finditer(folded):
        digits = re.sub(r"\D", "", m.group())
        if len(digits) in lengths:
            return digits, m.start(), m.end()
        # Grouped runs may hold the number followed by another number: try the run's parts too.
        for part in re.finditer(r"\d+", m.group()):
            if len(part.group()) in lengths:
                return part.group(), m.start() + part.start(), m.start() + part.end()
    return None


def parse_id_number(text: str, lengths: tuple[int, ...] = (12, 9)) -> str | None:
    """``"Số: 0O1090012345"`` → ``"001090012345"``; ``None`` when no 12- or 9-digit number is there."""
    hit = find_id_number(text, lengths)
    return hit[0] if hit else None


# ---------------------------------------------------------------- enterprise code (mã số doanh nghiệp / MST)

_MST = re.compile(r"(?<!\d)(\d{10})(?:\s?[-–]\s?(\d{3}))?(?!\d)")


def find_enterprise_code(text: str, check: bool = True) -> tuple[str, int, int] | None:
    """The first enterprise code (``0101234567`` or branch ``0101234567-001``) in ``text``, with its span."""
    folded = fix_digit_lookalikes(fold_aligned(text))
    # OCR sometimes splits the 10 digits with a space ("0101 234567"): join runs of digits first.
    joined, index = [], []
    for i, ch in enumerate(folded):
        if ch == " " and 0 < i < len(folded) - 1 and folded[i - 1].isdigit() and folded[i + 1].isdigit():
            continue
        joined.append(ch)
        index.append(i)
    compact = "".join(joined)
    for m in _MST.finditer(compact):
        code = m.group(1)
        if check and not enterprise_code_ok(code):
            continue
        value = f"{code}-{m.group(2)}" if m.group(2) else code
        return value, index[m.start()], index[m.end() - 1] + 1
    return None


def parse_enterprise_code(text: str, check: bool = True) -> str | None:
    """``"Mã số doanh nghiệp: 0101234567"`` → ``"0101234567"`` if its check digit holds (``check``)."""
    hit = find_enterprise_code(text, check)
    return hit[0] if hit else None


# ---------------------------------------------------------------- document numbers (số, ký hiệu)

_NUMBER_LABEL = re.compile(r"^\s*(?:s[o0]|n[o0])(?![a-z])\.?\s*:?\s*")
_SYMBOL_SEP = re.compile(r"\s*([/\-–])\s*")
# 123 | 123/2024 | 01/2021 | 119/QĐ-UBND | 123/2024/QĐ-UBND | 57/TTr-STNMT | /QĐ-UBND (number left blank)
_DOC_NUMBER = re.compile(r"\d*(?:/\d{2,4})?(?:/[^\W\d_][\w]*(?:-[\w]+)*)?", re.UNICODE)


def _number_part(part: str) -> str:
    """The number before the first slash with look-alike letters read as digits ("l8l" → "181"), when it is
    digits and look-alikes only and holds at least one real digit; anything else is left as it is."""
    folded = fold_aligned(part).lower()
    # Letters only: "!" or "§" inside a number ("27!1") is a number OCR could not read, not a digit.
    if not any(ch.isdigit() for ch in part) or not all(ch.isdigit() or ch in "oil" for ch in folded):
        return part
    return "".join(ch if ch.isdigit() else _DIGIT_LOOKALIKES[ch] for ch in folded)


def parse_doc_number(text: str) -> str | None:
    """``"Số: 123 /2024/ QĐ-UBND"`` → ``"123/2024/QĐ-UBND"`` (spaces removed, ``Ð`` → ``Đ``).

    The number is the first token holding a digit or a slash after an optional "Số:" label; what follows it
    on the line (a place and date from the next column) is not part of it.
    """
    s = clean_spaces(text)
    # The label may be glued to a number OCR read with look-alike letters ("Sốl8l" = "Số 181").
    label = _NUMBER_LABEL.match(fix_digit_lookalikes(fold_aligned(s)))
    if label:
        s = s[label.end():]
    s = _SYMBOL_SEP.sub(lambda m: "-" if m.group(1) == "–" else m.group(1), s)
    token = s.split(" ", 1)[0].strip(".,;:()") if s else ""
    token = re.sub(r"^[^/]+", lambda m: _number_part(m.group()), token)
    token = re.sub(r"(?<=\d)[.,:;]+/", "/", token)  # "311./QĐ-UBND": a speck between number and slash
    if not token or not (any(ch.isdigit() for ch in token) or "/" in token):
        return None
    token = token.replace("ĐĐ", "Đ")
    # "QĐ" (quyết định) with its Đ misread; no symbol of Decree 30/2020's list is spelt QD, QP or QÐ.
    token = re.sub(r"(?<![A-ZĐ])Q[DPÐ](?=-|$)", "QĐ", token)
    if "/" not in token:
        # The slash read as "O"/"Ø" or lost between number and symbol ("4626OQĐ-BNN" → "4626/QĐ-BNN").
        token = re.sub(r"^(\d+)[OØ]?(?=[A-ZĐ]{2,}-)", r"\1/", token)
    # What OCR made of a number it could not read ("27!1/QĐ-UBND", "1I§I/QĐ-UBND") is not a number.
    return token if _DOC_NUMBER.fullmatch(token) else None


# ---------------------------------------------------------------- money and area

_MULTIPLIERS = {"ty": 10**9, "ti": 10**9, "trieu": 10**6, "nghin": 10**3, "ngan": 10**3}
_MONEY_PART = re.compile(r"(\d[\d.,\s]*\d|\d)\s*(ty|ti|trieu|nghin|ngan)?\b")


def _decimal(number: str, thousands_only: bool) -> Decimal | None:
    """A number written the Vietnamese way: ``.`` groups thousands, ``,`` marks decimals (either may be swapped)."""
    s = re.sub(r"\s+(?=\d{3}\b)", "", number.strip())  # "1 500 000" → "1500000"
    seps = [ch for ch in s if ch in ".,"]
    if not seps:
        whole, frac = s, ""
    elif len(set(seps)) == 2:  # both kinds: the last one is the decimal mark
        last = max(s.rfind("."), s.rfind(","))
        whole, frac = re.sub(r"[.,]", "", s[:last]), s[last + 1:]
    else:
        groups = re.split(r"[.,]", s)
        sep = seps[0]
        all_thousands = all(len(g) == 3 for g in groups[1:])
        if thousands_only or (all_thousands and (len(groups) > 2 or sep == ".")):
            whole, frac = "".join(groups), ""
        elif len(groups) == 2:
            whole, frac = groups
        else:
            return None
    if not whole.isdigit() or (frac and not frac.isdigit()):
        return None
    try:
        return Decimal(f"{whole}.{frac}" if frac else whole)
    except InvalidOperation:
        return None


def parse_money(text: str) -> int | None:
    """``"1.500.000.000 đồng"`` → ``1500000000``; ``"1,5 tỷ đồng"`` → ``1500000000``; ``"2 tỷ 500 triệu"`` too."""
    folded = fix_digit_lookalikes(fold(text))
    folded = re.split(r"\(|bang chu", folded)[0]  # the amount in words repeats it
    total = Decimal(0)
    found = False
    for m in _MONEY_PART.finditer(folded):
        multiplier = _MULTIPLIERS.get(m.group(2) or "", 1)
        value = _decimal(m.group(1), thousands_only=multiplier == 1)
        if value is None:
            continue
        if found and multiplier == 1:
            break  # a plain number after a complete amount is something else
        total += value * multiplier
        found = True
        if multiplier == 1:
            break
    return int(total) if found else None


_AREA = re.compile(r"(\d[\d.,\s]*\d|\d)\s*(?:m\s*2|m²|m\s*\^?2|met\s*vuong)?")

# ---------------------------------------------------------------- numbers written in words ("bằng chữ")

_DIGIT_WORDS = {"khong": 0, "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "lam": 5, "sau": 6,
                "bay": 7, "tam": 8, "chin": 9}
_SCALE_WORDS = {"nghin": 10**3, "ngan": 10**3, "trieu": 10**6, "ty": 10**9, "ti": 10**9}
_FILLER_WORDS = {"linh", "le"}  # "một trăm linh năm": no tens
_IN_WORDS = re.compile(r"(?:bang\s*chu\s*:?|\()\s*([a-z\s,]+?)\s*(met\s*vuong|dong)\b")


def _whole_in_words(tokens: list[str]) -> int | None:
    """ "hai nghìn không trăm hai mươi mốt" (folded, as tokens) → 2021; ``None`` unless every token is a number
    word in a valid order. Folding makes "mười" (ten) and "mươi" (tens) one word: a digit before it says which."""
    total, group, digit = 0, 0, None
    for token in tokens:
        if token in _DIGIT_WORDS:
            if digit is not None:
                return None  # two digits in a row: not a number ("hai ba")
            digit = _DIGIT_WORDS[token]
        elif token == "muoi":
            group += 10 * (digit if digit is not None else 1)
            digit = None
        elif token == "tram":
            if digit is None:
                return None
            group += 100 * digit
            digit = None
        elif token in _SCALE_WORDS:
            total += (group + (digit or 0)) * _SCALE_WORDS[token]
            group, digit = 0, None
        elif token not in _FILLER_WORDS:
            return None
    return total + group + (digit or 0) if tokens else None


def parse_number_words(text: str) -> Decimal | None:
    """A number written in Vietnamese words: "Ba mươi chín phẩy chín" → 39.9, "một trăm linh năm" → 105,
    "hai tỷ năm trăm triệu" → 2500000000; ``None`` when any word is not part of a number."""
    tokens = re.findall(r"[a-z]+", fold(text))
    whole_tokens, comma, fraction_tokens = " ".join(tokens).partition("phay")
    whole = _whole_in_words(whole_tokens.split())
    if whole is None:
        return None
    if not comma:
        return Decimal(whole)
    fraction = fraction_tokens.split()
    if not fraction:
        return None  # "ba mươi chín phẩy": the decimals were not read
    if all(t in _DIGIT_WORDS for t in fraction):  # "phẩy không năm": read digit by digit
        digits = "".join(str(_DIGIT_WORDS[t]) for t in fraction)
    else:
        value = _whole_in_words(fraction)
        if value is None:
            return None
        digits = str(value)
    return Decimal(f"{whole}.{digits}")


def amount_in_words(text: str) -> Decimal | None:
    """The amount a paper repeats in words after the figures ("(Bằng chữ: Năm mươi phẩy hai mét vuông)",
    "… đồng"), when its words are all read as a number up to the unit; ``None`` otherwise."""
    m = _IN_WORDS.search(fold(text))
    return parse_number_words(m.group(1)) if m else None


_SPECK_IN_NUMBER = re.compile(r"(\d[.,])[/'’`|]+(?=\d)")  # "164,/7m2": a speck OCR read after the decimal comma


def parse_area(text: str) -> float | None:
    """``"120,5 m²"`` → ``120.5``; ``"120.5m2"`` → ``120.5``; ``"1.250,5 m2"`` → ``1250.5`` (square metres)."""
    folded = fix_digit_lookalikes(nfc(text).lower().replace("m²", "m2"))
    folded = _SPECK_IN_NUMBER.sub(r"\1", fold(folded))
    m = _AREA.search(folded)
    if not m:
        return None
    raw = m.group(1).strip()
    # An area of land with one "." and three digits after it is a thousands group only when written with ","
    # decimals elsewhere; "120.500" alone is ambiguous and read the Vietnamese way (thousands).
    value = _decimal(raw, thousands_only=False)
    # The area in words says the same with more letters per digit: where every word of it was read and the
    # figures say otherwise, a misread figure ("39,0" for "39,9") is far likelier than words misread into others.
    spelt = amount_in_words(text)
    if spelt is not None and spelt > 0:
        value = spelt
    return float(value) if value is not None and value > 0 else None


# ---------------------------------------------------------------- gender, names, free text, validity

_MALE = {"nam", "male", "m", "narn", "nain"}
_FEMALE = {"nu", "female", "f", "nuu"}
_GENDER_LABEL_WORDS = {"gioi", "tinh", "sex", "gender"}


def parse_gender(text: str) -> str | None:
    """``"Nữ"``, ``"NỮ / Female"``, ``"nu"``, ``"Male"`` → ``"Nữ"`` / ``"Nam"``; anything else → ``None``."""
    for token in re.findall(r"[a-z]+", fold(text)):
        if token in _GENDER_LABEL_WORDS:
            continue
        if token in _MALE:
            return "Nam"
        if token in _FEMALE:
            return "Nữ"
        return None
    return None


_HONORIFIC = re.compile(r"^(?:ông\s*/\s*bà|ông|bà|anh|chị|mr|mrs|ms)\.?\s*[:.]?\s+", re.IGNORECASE)
_DOT_BETWEEN_LETTERS = re.compile(r"(?<=[^\W\d_]{2})\.(?=[^\W\d_]{2})")
_NAME_STOP = re.compile(r"[,;(\d/]|\s-\s|\s–\s")


def parse_name(text: str, printed: bool = False) -> str | None:
    """A person's name in title case, NFC: ``"NGUYỄN THỊ  HẰNG, sinh năm 1990"`` → ``"Nguyễn Thị Hằng"``.

    ``printed``: the text comes from a paper, where every word of a name starts with a capital, so lower-case
    words ("liền với đất") are not a name.
    """
    s = clean_spaces(text).strip(" :;,.-")  # "Họ tên người cha; TRẦN HỮU LỰC": a colon read as a semicolon
    stripped = _HONORIFIC.sub("", s)
    if len(stripped.split()) >= 2:
        s = stripped
    s = _NAME_STOP.split(s, maxsplit=1)[0]
    s = _DOT_BETWEEN_LETTERS.sub(" ", s)  # "NGUYỄN.KIM DIỆP": a speck read as a dot between two words
    words = [w.strip(".:'\"") for w in s.split(" ")]
    words = [w for w in words if w and all(ch.isalpha() for ch in w)]
    if not words or len(words) > 7 or sum(len(w) for w in words) < 2:
        return None
    if printed and not all(w[0].isupper() for w in words):
        return None
    return title_name(" ".join(words))


_LEADERS = re.compile(r"^[\s:;.,\-–…_·]+|[\s:;.,\-–…_·]+$")


_KEEP_MARKS = set("-–/&+,.;:()%")


def _is_junk(token: str) -> bool:
    """A stray mark OCR made of a speck or a rule ("ˆ", "¿", "~"): no letter, no digit, no usual punctuation."""
    return not any(unicodedata.category(ch) in ("Lu", "Ll", "Lt", "Lo", "Nd") or ch in _KEEP_MARKS for ch in token)


# Words an address puts before a number, which OCR glues to it when the space between is narrow ("Số11").
_NUMBERED_WORD = re.compile(r"(?<!\w)(số|ngõ|ngách|hẻm|kiệt|tổ)(?=\d)", re.IGNORECASE)


def clean_text(text: str) -> str | None:
    """Free text value: NFC, single spaces, no stray marks or label punctuation and dot leaders at the ends."""
    s = _LEADERS.sub("", " ".join(t for t in clean_spaces(text).split(" ") if not _is_junk(t)))
    s = _NUMBERED_WORD.sub(r"\1 ", _LEADERS.sub("", s))
    alnum = [ch for ch in s if ch.isalnum()]
    # One letter alone is a speck OCR read beside a heading ("2. Địa chỉ trụ sở chính s"), never a value.
    return s if alnum and not (len(alnum) == 1 and alnum[0].isalpha()) else None


def parse_validity(text: str) -> str | None:
    """``thoi_han_su_dung``: ``"Lâu dài"`` (however written) or an ISO date (``"đến ngày 15/10/2063"``)."""
    if re.search(r"lau\s*dai", fold(text)):
        return "Lâu dài"
    return parse_date_iso(text)


def parse_int(text: str) -> str | None:
    """A plain number such as a parcel or map-sheet number: ``"Thửa đất số: 1O5"`` → ``"105"``."""
    folded = fix_digit_lookalikes(fold_aligned(text))
    m = re.search(r"\d+", folded)
    return m.group() if m else None
