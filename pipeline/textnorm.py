"""Vietnamese text normalisation shared by every boundary: NFC, whitespace, diacritic folding, name case.

One place for these rules so OCR output, extracted values, the search index and queries all agree
(a query typed "nguyen thi hang" must meet an index that stored "Nguyễn Thị Hằng").
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# OCR engines sometimes emit the Icelandic eth (U+00D0/U+00F0) for the Vietnamese D with stroke (U+0110/U+0111).
_LOOKALIKES = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111"})


def nfc(text: str) -> str:
    """NFC form, with look-alike letters mapped to the Vietnamese ones."""
    return unicodedata.normalize("NFC", text.translate(_LOOKALIKES))


def clean_spaces(text: str) -> str:
    """NFC with runs of whitespace collapsed to one space and the ends trimmed."""
    return _SPACES.sub(" ", nfc(text)).strip()


def fold(text: str) -> str:
    """Lower-case ASCII form for matching: diacritics dropped, đ → d ("Đặng Thị Hằng" → "dang thi hang")."""
    decomposed = unicodedata.normalize("NFD", nfc(text).replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return clean_spaces(stripped).lower()


def strip_tones(text: str) -> str:
    """Remove the five tone marks but keep letter shapes (ă, â, ê, ô, ơ, ư, đ): shows tone errors apart."""
    tone_marks = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    decomposed = unicodedata.normalize("NFD", nfc(text))
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in tone_marks))


def title_name(text: str) -> str:
    """Person name in title case, NFC, single spaces: "NGUYỄN THỊ  HẰNG" → "Nguyễn Thị Hằng"."""
    return " ".join(part[:1].upper() + part[1:].lower() for part in clean_spaces(text).split(" ") if part)
