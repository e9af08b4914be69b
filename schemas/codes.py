"""Formats of the codes printed on administrative papers: document numbers, dossier codes and result codes.

- Document number and symbol (số, ký hiệu; Decree 30/2020 Art.8): ``441/QĐ-UBND`` or, for legal normative
  documents, ``12/2024/QĐ-UBND`` — a number, optionally the year, then the type of document joined by ``-`` to
  the issuing body (``QĐ-UBND``, ``QĐ-STNMT``, ``TTr-SKHĐT``).
- Dossier code (mã hồ sơ; DESIGN.md §4): ``V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX`` — the receiving agency's code
  (``000.00.01.H29``), the day the dossier was received and its serial number that day.
- Result code (Decree 45/2020 Art.14): an electronic result carries ``<dossier code>-KQ(n)``, ``n`` numbering the
  results of one dossier. Papers print it as ``…-KQ1`` or ``…-KQ01``; both are read, the first form is written.

Pure functions over strings; the values are expected in the contract's normalised form (no inner spaces).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# ---------------------------------------------------------------- document number and symbol (số, ký hiệu)

_LETTERS = "A-ZĐ"
DOC_NUMBER = re.compile(
    rf"^(?P<number>\d{{1,6}})?(?:/(?P<year>\d{{4}}))?/(?P<kind>[{_LETTERS}][{_LETTERS}a-zđ]{{0,7}})"
    rf"(?:-(?P<body>[{_LETTERS}0-9][{_LETTERS}0-9a-zđ]*(?:-[{_LETTERS}0-9][{_LETTERS}0-9a-zđ]*)*))?$"
)
# Kinds of administrative document a symbol may open with (Decree 30/2020 Annex III), decision first.
DECISION_KINDS = frozenset({"QĐ"})


@dataclass(frozen=True)
class DocNumber:
    number: str | None  # blank on a form where the number is written in by hand later
    year: int | None
    kind: str  # "QĐ", "TTr", "CV" …
    body: str | None  # "UBND", "STNMT" …


def parse_doc_number(text: str) -> DocNumber | None:
    """``"123/2024/QĐ-UBND"`` → its parts; ``None`` when it does not have the form of a number and symbol."""
    m = DOC_NUMBER.match(text)
    if not m:
        return None
    year = int(m["year"]) if m["year"] else None
    return DocNumber(m["number"], year, m["kind"], m["body"])


def is_register_number(text: str) -> bool:
    """A civil-status register entry (khai sinh, kết hôn): ``"39"``, ``"123/2016"``, ``"05/2016"``."""
    return bool(re.fullmatch(r"\d{1,6}(?:/\d{4})?", text))


# ---------------------------------------------------------------- dossier code and result code

DOSSIER_CODE = re.compile(
    r"^(?P<agency>(?P<v>[0-9A-Z]{3})\.(?P<z>\d{2})\.(?P<y>\d{2})\.(?P<m>[A-Z])(?P<x>\d{2}))"
    r"-(?P<received>\d{6})-(?P<serial>\d{4})$"
)
RESULT_CODE = re.compile(r"^(?P<dossier>.+)-KQ(?:\((?P<n1>\d{1,3})\)|(?P<n2>\d{1,3}))$")


@dataclass(frozen=True)
class DossierCode:
    agency: str  # "000.00.01.H29"
    received: date
    serial: int

    def __str__(self) -> str:
        return f"{self.agency}-{self.received:%y%m%d}-{self.serial:04d}"


@dataclass(frozen=True)
class ResultCode:
    dossier: DossierCode
    n: int  # 1 for the first result of the dossier

    def __str__(self) -> str:
        return f"{self.dossier}-KQ{self.n}"


def parse_dossier_code(text: str) -> DossierCode | None:
    """``"000.00.01.H29-260310-0420"`` → agency, day received, serial; ``None`` if malformed or not a real day."""
    m = DOSSIER_CODE.match(text.strip())
    if not m:
        return None
    raw = m["received"]
    try:
        received = date(2000 + int(raw[:2]), int(raw[2:4]), int(raw[4:]))
    except ValueError:
        return None
    serial = int(m["serial"])
    return DossierCode(m["agency"], received, serial) if serial > 0 else None


def parse_result_code(text: str) -> ResultCode | None:
    """``"000.00.01.H29-260310-0420-KQ1"`` (or ``…-KQ(1)``, ``…-KQ01``) → its dossier code and result number."""
    m = RESULT_CODE.match(text.strip())
    if not m:
        return None
    dossier = parse_dossier_code(m["dossier"])
    n = int(m["n1"] or m["n2"])
    return ResultCode(dossier, n) if dossier is not None and n > 0 else None


def result_code(dossier: DossierCode | str, n: int = 1) -> str:
    """The code of the ``n``-th electronic result of a dossier: ``<dossier code>-KQ<n>``."""
    parsed = parse_dossier_code(dossier) if isinstance(dossier, str) else dossier
    if parsed is None or n < 1:
        raise ValueError(f"not a dossier code or result number: {dossier!r}, {n}")
    return str(ResultCode(parsed, n))
