"""Gazetteer snapping: administrative units, agencies and nationalities written as they officially are.

OCR misreads the tone marks of place names (``Quận Đồng Đa`` for ``Quận Đống Đa``, ``THÀNH PHÔ`` for
``THÀNH PHỐ``, ``TÍNH`` for ``TỈNH``) and merges words (``NghệAn``). The units of Vietnam are a closed list, so a unit
named in an address or an agency's name is snapped to the official spelling when exactly one unit of that level,
inside the unit named after it (a district inside its province, a ward inside its district), has the same letters.
The table (``extractors/data/admin_units.json``) is derived from PyPI ``vietnamadminunits`` (MIT) by
:mod:`extractors.build_admin_units`: the 63 provinces with their districts and wards as they were before
2025-07-01, which older papers name, and the 34 provinces and their wards after it. The package itself is not a
run-time dependency (it pulls in GPL-licensed Unidecode and an online geocoder).

:func:`snap_place` returns the value and a quality factor (0–1) that lowers the field's confidence when a snap
was needed and more when a unit could not be found (a misread beyond repair, or a value cut short).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

from rapidfuzz import fuzz

from pipeline.textnorm import clean_spaces, fold, nfc

# ================================================================= the tables


@dataclass(frozen=True)
class Unit:
    kind: str  # "Tỉnh", "Thành phố", "Quận", "Huyện", "Thị xã", "Phường", "Xã", "Thị trấn", "Đặc khu"
    name: str  # without the kind: "Đống Đa", "9"
    key: str  # the package's key: "quandongda"

    @property
    def full(self) -> str:
        return f"{self.kind} {self.name}"


@dataclass
class Gazetteer:
    provinces: dict[str, list[Unit]] = field(default_factory=lambda: defaultdict(list))  # folded name → units
    districts: dict[str, dict[str, list[Unit]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    wards: dict[str, dict[str, list[Unit]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    all_districts: dict[str, list[tuple[str, Unit]]] = field(default_factory=lambda: defaultdict(list))


UNITS_PATH = Path(__file__).parent / "data" / "admin_units.json"


@lru_cache(maxsize=1 << 16)
def _key(name: str) -> str:
    """Folded letters and digits only: ``"Nghệ An"``, ``"NghệAn"``, ``"nghe-an"`` → ``"nghean"``; ``"09"`` → ``"9"``."""
    key = re.sub(r"[^a-z0-9]", "", fold(name))
    return key.lstrip("0") or key[:1]


def _add(index: dict[str, list[Unit]], unit: Unit) -> None:
    if not (isinstance(unit.name, str) and isinstance(unit.kind, str) and unit.name):
        return  # a few rows of the package's tables have no name
    bucket = index[_key(unit.name)]
    if unit not in bucket:
        bucket.append(unit)


@cache
def gazetteer() -> Gazetteer:
    """Both eras of units, loaded once (≈0.2 s)."""
    table = json.loads(UNITS_PATH.read_text(encoding="utf-8"))
    g = Gazetteer()
    for kind, name, key in table["provinces"]:
        _add(g.provinces, Unit(kind, name, key))
    for pkey, rows in table["districts"].items():
        for kind, name, key in rows:
            unit = Unit(kind, name, key)
            _add(g.districts[pkey], unit)
            g.all_districts[_key(name)].append((pkey, unit))
    for where, rows in table["wards"].items():
        for kind, name, key in rows:
            _add(g.wards[where], Unit(kind, name, key))
    return g


# ================================================================= kinds of unit as written on papers

# folded kind word(s) → (canonical kind, level): 1 province, 2 district, 3 ward
_KIND_WORDS: dict[tuple[str, ...], tuple[str, int | None]] = {
    ("tinh",): ("Tỉnh", 1),
    ("thanh", "pho"): ("Thành phố", None),  # a province-level city or a district-level one
    ("tp",): ("Thành phố", None),
    ("quan",): ("Quận", 2),
    ("huyen",): ("Huyện", 2),
    ("thi", "xa"): ("Thị xã", 2),
    ("phuong",): ("Phường", 3),
    ("xa",): ("Xã", 3),
    ("thi", "tran"): ("Thị trấn", 3),
    ("dac", "khu"): ("Đặc khu", 3),
}

# Agencies that sign papers, and words that open a place inside an address: written as printed.
AGENCY_PHRASES: tuple[str, ...] = (
    "Ủy ban nhân dân", "Hội đồng nhân dân", "Sở Kế hoạch và Đầu tư", "Sở Tài nguyên và Môi trường",
    "Sở Tài chính", "Sở Tư pháp", "Sở Nông nghiệp và Môi trường", "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Xây dựng", "Sở Nội vụ", "Sở Y tế", "Sở Giáo dục và Đào tạo", "Sở Lao động - Thương binh và Xã hội",
    "Phòng Đăng ký kinh doanh", "Văn phòng đăng ký đất đai", "Chi nhánh Văn phòng đăng ký đất đai",
    "Phòng Tài nguyên và Môi trường", "Phòng Tư pháp", "Công an", "Bộ Công an",
    "Cục Cảnh sát quản lý hành chính về trật tự xã hội", "Trạm y tế", "Bệnh viện", "Trung tâm y tế",
    "Trung tâm Phục vụ hành chính công", "Văn phòng Ủy ban nhân dân", "Sở Công Thương", "Sở Giao thông vận tải",
    "Sở Khoa học và Công nghệ", "Sở Thông tin và Truyền thông", "Sở Tài nguyên và Môi trường", "Thanh tra",
    "Cục Thuế", "Chi cục Thuế", "Ban Quản lý", "Phòng Kinh tế", "Phòng Quản lý đô thị", "Phòng Nội vụ",
)
NATIONALITIES: tuple[str, ...] = (
    "Việt Nam", "Lào", "Campuchia", "Trung Quốc", "Hàn Quốc", "Nhật Bản", "Hoa Kỳ", "Pháp", "Đức", "Anh", "Nga",
    "Úc", "Ca-na-đa", "Thái Lan", "Đài Loan", "Singapore", "Ma-lai-xi-a", "Phi-líp-pin", "In-đô-nê-xi-a",
)
_STREET_WORDS = {"so", "to", "ngo", "ngach", "hem", "kiet", "duong", "pho", "thon", "xom", "ap", "khu", "ban",
                 "lo", "khom", "khoi", "cum"}
_COUNTRY = {"vietnam"}


def _style(canonical: str, observed: str) -> str:
    """Write ``canonical`` in the case style of ``observed``: upper case, or a lower-case first word."""
    letters = [ch for ch in observed if ch.isalpha()]
    if letters and sum(ch.isupper() for ch in letters) / len(letters) > 0.8 and len(letters) > 1:
        return canonical.upper()
    if observed[:1].islower() and canonical[:1].isupper():
        first, _, rest = canonical.partition(" ")
        return f"{first.lower()} {rest}" if rest else first.lower()
    return canonical


# ================================================================= snapping


# How much a place is trusted after each kind of repair (multiplied into the field's confidence).
RESTORED_MARKS = 0.97  # marks OCR dropped put back
CHANGED_MARKS = 0.93  # a mark OCR saw replaced by another (TÍNH → TỈNH)
NEAR_NAME = 0.85  # a letter misread, the one near name in its parent unit taken
NOT_FOUND = 0.7  # a unit named that no table holds, or an address without its province
# A snap that is a guess between real names: the printed name is itself a unit of that level somewhere (the paper
# may name a unit our tables place elsewhere or lack), or units of different names fit the letters. Trusted no
# more than a unit not found: whichever name is kept, staff must look.
GUESSED_NAME = 0.7


@dataclass
class _Result:
    snapped: int = 0
    unknown: int = 0
    fuzzy: int = 0
    restored: int = 0
    guessed: int = 0

    def count(self, observed: str, canonical: str, fuzzy: bool = False, guessed: bool = False) -> None:
        from extractors.names import adds_marks_only

        if guessed:
            self.guessed += 1
        elif fuzzy:
            self.fuzzy += 1
        elif all(adds_marks_only(a, b) for a, b in zip(observed.split(), canonical.split(), strict=False)) \
                and len(observed.split()) == len(canonical.split()):
            self.restored += 1
        else:
            self.snapped += 1

    def quality(self) -> float:
        return (RESTORED_MARKS ** self.restored) * (CHANGED_MARKS ** self.snapped) * (NEAR_NAME ** self.fuzzy) \
            * (NOT_FOUND ** self.unknown) * (GUESSED_NAME ** self.guessed)


@dataclass(frozen=True)
class PlaceSnap:
    value: str
    snapped: int  # names put right (or, where putting one right would be a guess, doubted)
    unknown: int  # units named (a kind word then a name) that are in no table
    quality: float


_WORD = re.compile(r"\S+")
_NON_WORD = re.compile(r"[^\w\s]")


def _words(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]


def _kind_at(folded_words: list[str], i: int) -> tuple[int, str, int | None] | None:
    """The kind word starting at word ``i``: (number of words, canonical kind, level)."""
    for n in (2, 1):
        key = tuple(folded_words[i:i + n])
        if len(key) == n and key in _KIND_WORDS:
            kind, level = _KIND_WORDS[key]
            return n, kind, level
    return None


def _candidates(level: int | None, kind: str, parents: list[str]) -> list[tuple[int, dict[str, list[Unit]], str]]:
    """Where a unit of ``kind``/``level`` may be looked up, given the keys of the units found after it."""
    g = gazetteer()
    out: list[tuple[int, dict[str, list[Unit]], str]] = []
    levels = (1, 2) if level is None else (level,)
    for lv in levels:
        if lv == 1:
            out.append((1, g.provinces, ""))
        elif lv == 2:
            for p in parents[:1]:
                out.append((2, g.districts.get(p, {}), p))
            if not parents:  # no province named after it: a district name unique in the country will do
                out.append((2, _national_districts(), ""))
        elif lv == 3:
            if not parents:  # a ward named alone ("ỦY BAN NHÂN DÂN PHƯỜNG …"): its name in the whole country
                out.append((3, _national_wards(), ""))
            elif len(parents) >= 2:
                out.append((3, g.wards.get(f"{parents[0]}/{parents[1]}", {}), f"{parents[0]}/{parents[1]}"))
            elif parents:
                out.append((3, g.wards.get(parents[0], {}), parents[0]))
                for dkey in list(g.districts.get(parents[0], {}).values()):
                    for d in dkey:
                        out.append((3, g.wards.get(f"{parents[0]}/{d.key}", {}), f"{parents[0]}/{d.key}"))
    return out


@cache
def _national_wards() -> dict[str, list[Unit]]:
    """Folded ward name → the wards of that name in the whole country, both eras."""
    index: dict[str, list[Unit]] = defaultdict(list)
    for where, table in gazetteer().wards.items():
        for key, units in table.items():
            index[key].extend(Unit(u.kind, u.name, f"{where}|{u.key}") for u in units)
    return dict(index)


@cache
def _national_districts() -> dict[str, list[Unit]]:
    """Folded district name → the districts of that name, wherever they are (keys carry their province)."""
    return {k: [Unit(u.kind, u.name, f"{p}|{u.key}") for p, u in v] for k, v in gazetteer().all_districts.items()}


def _pick(units: list[Unit], observed: str, kind: str) -> Unit | None:
    """The one unit among ``units`` (same folded name) that ``observed`` names, preferring the same kind."""
    same_kind = [u for u in units if u.kind == kind] or units
    exact = [u for u in same_kind if nfc(u.name).lower() == nfc(observed).lower()]
    if exact:
        return exact[0]
    if len({u.name for u in same_kind}) == 1:
        return same_kind[0]
    return None


class _Match(NamedTuple):
    words: int  # how many of the words name the unit
    unit: Unit
    level: int
    parent: str  # key of the table it was found in
    fuzzy: bool  # a near name, not the same letters
    ambiguous: bool  # units of different names had the same letters and none is spelt as printed


def _as_printed_first(found: list[tuple[Unit, int, str]], observed: str, kind: str, n: int) -> _Match:
    """Among units of the same letters found in several tables (a province's wards, each of its districts'
    wards, both eras), the one spelt as printed, then one of the printed kind, then the first: a name the paper
    prints correctly is never traded for another unit's ("phường Tân Thành" kept, not made "Tân Thanh")."""
    def rank(hit: tuple[Unit, int, str]) -> tuple[bool, bool]:
        unit = hit[0]
        return not _same_spelling(unit.name, observed), unit.kind != kind

    unit, level, parent = min(found, key=rank)  # min keeps the first of equals: the nearest table wins ties
    ambiguous = not _same_spelling(unit.name, observed) and any(
        not _same_spelling(other.name, unit.name) for other, _, _ in found)
    return _Match(n, unit, level, parent, False, ambiguous)


def _names_a_unit(name: str, level: int) -> bool:
    """Whether ``name``, spelt as it is, is the name of some unit of ``level`` in the country (either era)."""
    index = gazetteer().provinces if level == 1 else _national_districts() if level == 2 else _national_wards()
    return any(_same_spelling(unit.name, name) for unit in index.get(_key(name), ()))


def _same_spelling(a: str, b: str) -> bool:
    """Whether two names are the same words, case and old/new tone placement aside (``Thuỷ``/``Thủy``)."""
    from extractors.names import same_syllable

    wa, wb = _NON_WORD.sub("", a).split(), _NON_WORD.sub("", b).split()  # "Tân Thành," as printed before a comma
    return len(wa) == len(wb) and all(same_syllable(x, y) for x, y in zip(wa, wb, strict=True))


def _match_name(words: list[str], kind: str, level: int | None, parents: list[str]) -> _Match | None:
    """The longest run of ``words`` (up to 5) naming a unit."""
    for n in range(min(5, len(words)), 0, -1):
        observed = " ".join(words[:n])
        k = _key(observed)
        found: list[tuple[Unit, int, str]] = []
        for lv, index, parent in _candidates(level, kind, parents):
            # "TẤÂN BÌNH": OCR printed two readings of one marked vowel; no unit name doubles a vowel.
            units = index.get(k) or index.get(_key(_DOUBLED_VOWEL.sub(r"\1", fold(observed))))
            if units:
                unit = _pick(units, observed, kind)
                if unit is not None:
                    found.append((unit, lv, parent))
        if found:
            return _as_printed_first(found, observed, kind, n)
    # Nothing exact: a near name inside a known parent (a letter misread), when one stands out; a province needs
    # no parent (the list is short enough for one near name to stand out, "HA NQỌI" → "HÀ NỘI").
    if parents or level in (1, None):
        for n in range(min(5, len(words)), 0, -1):
            observed = _key(" ".join(words[:n]))
            if len(observed) < 4:
                continue
            for lv, index, parent in _candidates(level, kind, parents):
                if not parents and lv != 1:
                    continue
                scored = sorted(((fuzz.ratio(observed, k), k) for k in index), reverse=True)[:2]
                if scored and scored[0][0] >= 88 and (len(scored) == 1 or scored[0][0] - scored[1][0] >= 6):
                    unit = _pick(index[scored[0][1]], observed, kind)
                    if unit is not None:
                        return _Match(n, unit, lv, parent, True, False)
    return None


def snap_place(text: str, address: bool = True) -> PlaceSnap:
    """Snap the units named in an address or an agency's name to their official spelling.

    ``"Ủy ban nhân dân phường Lộc Thọ, thành phô Nha Trang, tỉnh Khánh Hoà"`` → official spelling, written in the
    case the paper used. Units are resolved from the right (province first) so a ward is looked up in its
    district and a district in its province. ``address``: the text is an address, which ends with its province.
    """
    result = _Result()
    text = _LEADER_DOTS.sub("", _SPECKS.sub(" ", clean_spaces(text)))
    text, n_hyphens = _HYPHENED_KIND.subn(r"\1 \2", text)  # "Thành-phố": a speck read as a hyphen
    result.restored += n_hyphens
    text, n_quotes = _STRAY_QUOTE.subn("", text)
    result.restored += n_quotes
    if not address:  # "ỦY BAN.NHÂN DÂN": a speck read as a dot between two words
        text, n_dots = _DOT_BETWEEN_WORDS.subn(lambda m: m.group(1) + " ", text)
        result.restored += n_dots
    words = [w for w in text.split() if _key(w) or w in _KEEP_TOKENS]
    if not address:
        # a dot after a word that is no abbreviation, and a stray letter ("ĐẦU TƯ Ì THÀNH PHỐ"), are specks
        words = [w[:-1] if w.endswith(".") and len(w) > 2 and w[:-1].upper() not in _ABBREVIATIONS else w
                 for w in words]
        stray = [w for w in words if len(w) == 1 and w.isalpha() and w not in "YĐ"]
        result.unknown += len(stray)
        words = [w for w in words if w not in stray]
    text = " ".join(words)
    if address:  # "Quận Ngũ Hành Sơn; Thành phố …", "Phường Sở Dầu. Quận …": OCR's commas
        # "đường. Trường Chinh": a street or hamlet word always has its name after it, so a dot there is a speck
        text, n_kind_dots = _DOT_AFTER_STREET_WORD.subn(r"\1", text)
        result.restored += n_kind_dots
        text, n = _UNIT_SEPARATOR.subn(",", text)
        text, n_semicolons = re.subn(r"\s*;", ",", text)  # no address holds a semicolon
        result.restored += n + n_semicolons
    text = _snap_phrases(text, result)
    result.unknown += _junk_syllables(text) + _bodies_without_unit(text)
    parts = re.split(r"(?<=[,;])\s*", text)
    # resolve from the right: the province names its districts, the district its wards
    parents: list[str] = []
    fixed_parts: list[str] = []
    ward_slot = False
    for part in reversed(parts):
        before = list(parents)
        fixed, parents = _snap_part(part, parents, result, agency=not address)
        fixed_parts.append(fixed)
        if address and ward_slot and parents == before and fixed == part and not _opens_street(part):
            result.unknown += 1  # where the ward should stand, something that is neither a ward nor a street
        ward_slot = len(parents) == 2 and len(before) < 2  # a district was just found: its ward comes next
    value = " ".join(p for p in reversed(fixed_parts) if p)
    value = _fix_street_case(value)
    if address and not _ends_in_province(parts):
        result.unknown += 1  # an address names its province last: this one is cut short or misread
    return PlaceSnap(value, result.snapped + result.restored + result.fuzzy + result.guessed, result.unknown,
                     result.quality())


_KEEP_TOKENS = {"-", "–", "/", "&"}
_DOT_AFTER_STREET_WORD = re.compile(r"\b(đường|phố|ngõ|ngách|hẻm|kiệt|thôn|ấp|xóm|tổ)\.(?=\s+\w)", re.IGNORECASE)
_LEADER_DOTS = re.compile(r"(?<=\w)[.…]{2,}|[.…]{2,}(?=\w)")  # dotted leaders OCR glued to a word
_STRAY_QUOTE = re.compile(r"(?<!\w)['’]|['’](?!\w)")  # a quote at a word's edge ("'Số 50"), not H'Mông
_DOT_BETWEEN_WORDS = re.compile(r"\b(?!(?:TP|TM|KT|TL|TX|TT)\.)(\w{2,})\.(?=\w{2,})")
_SPECKS = re.compile(r"[„“”«»¿¡~^`|•]")  # marks no address or agency name holds: OCR made them of specks
_ABBREVIATIONS = {"TP", "TM", "KT", "TL", "TUQ", "TX", "TT", "Q", "P"}  # "TM.", "KT." end with a dot
_KIND_START = r"(?:t[iỉíìịĩ]nh|th[aàáảãạ]nh\s+ph[oốồổỗộôóòỏõọ]|qu[aậạấầẩẫâ]n|huy[eệệếềểễê]n|th[iịí]\s+x[aãá]|" \
    r"ph[uư][oờớởỡợơ]ng|x[aãá]|th[iịí]\s+tr[aấầẩẫậâ]n)\b"
_DOUBLED_VOWEL = re.compile(r"([aeiouy])\1")
_HYPHENED_KIND = re.compile(r"\b(th[aàáảãạ]nh|th[iịí])-(ph[oốồổỗộôóòỏõọ]|x[aãá]|tr[aấầẩẫậâ]n)\b", re.IGNORECASE)
_UNIT_SEPARATOR = re.compile(rf"\s*[;.](?=\s+{_KIND_START})", re.IGNORECASE)


def _opens_street(part: str) -> bool:
    """Whether a part of an address names a street, house or hamlet rather than a unit."""
    words = [_key(w) for w in part.split() if _key(w)]
    return bool(words) and (words[0] in _STREET_WORDS or words[0][:1].isdigit() or len(words) > 5)
_VOWELS = set("aeiouy")
# Bodies whose name goes on with the unit they belong to ("Ủy ban nhân dân" + "phường Kim Mã").
_BODIES_OF_A_UNIT = ("Ủy ban nhân dân", "Hội đồng nhân dân", "Trạm y tế")


def _junk_syllables(text: str) -> int:
    """Words of letters with no vowel ("nn", "Tl"): no Vietnamese syllable is written so; OCR made them.
    Abbreviations in capitals (TNHH, TP, XNK) are words."""
    return sum(1 for w in re.findall(r"[^\W\d_]+", text) if not (set(fold(w)) & _VOWELS)
               and not (w.isupper() and len(w) >= 2))


def _bodies_without_unit(text: str) -> int:
    """Times a body that belongs to a unit ("Ủy ban nhân dân") is followed by something that is not one."""
    words = [_key(w) for w in text.split() if _key(w)]
    count = 0
    for body in _BODIES_OF_A_UNIT:
        target = [_key(w) for w in body.split()]
        n = len(target)
        for i in range(len(words) - n + 1):
            if words[i:i + n] == target and i + n < len(words) and _kind_at(words, i + n) is None:
                count += 1
    return count


def _ends_in_province(parts: list[str]) -> bool:
    """Whether the last part (before a closing "Việt Nam") names a province, with or without its kind."""
    tail = [p for p in parts if _key(p) and _key(p) not in _COUNTRY]
    if not tail:
        return False
    words = [w for w in tail[-1].split() if _key(w)]
    hit = _kind_at([_key(w) for w in words], 0)
    rest = words[hit[0]:] if hit else words
    return bool(rest) and _key(" ".join(rest)) in gazetteer().provinces


def _snap_phrases(text: str, result: _Result, phrases: tuple[str, ...] | None = None, counted: bool = False) -> str:
    """Fixed wording in its official spelling (``ỦY BAN NHÂN DẪN`` → ``ỦY BAN NHÂN DÂN``); ``counted``: each fix
    counts as a snap (lowers the quality) rather than passing as free."""
    for phrase in phrases or _agency_phrases():
        n = len(phrase.split())
        words = _words(text)
        folded = [_key(w) for w, _, _ in words]
        target = [_key(w) for w in phrase.split()]
        i = 0
        while i + n <= len(words):
            if folded[i:i + n] == target:
                start, end = words[i][1], words[i + n - 1][2]
                observed = text[start:end]
                trail = re.search(r"[^\w)]+$", observed)
                if trail:
                    end -= len(trail.group())
                    observed = text[start:end]
                canonical = _keep_tone_placement(_style(phrase, observed), observed)
                if canonical != observed:
                    if counted:
                        result.count(observed, canonical)
                    text = text[:start] + canonical + text[end:]
                    words = _words(text)
                    folded = [_key(w) for w, _, _ in words]
                i += n
            else:
                i += 1
    return text


def _keep_tone_placement(canonical: str, observed: str) -> str:
    """``canonical`` with each word kept as printed where it differs only in where the tone sits (``UỶ``/``ỦY``)."""
    from extractors.names import same_syllable

    a, b = canonical.split(), observed.split()
    if len(a) != len(b):
        return canonical
    return " ".join(o if same_syllable(o, c) else c for c, o in zip(a, b, strict=True))


@cache
def _agency_phrases() -> tuple[str, ...]:
    return tuple(sorted(AGENCY_PHRASES, key=lambda p: -len(p.split())))


# The kinds of enterprise (Law on Enterprises 2020) and the commonest words of business lines in company names.
ENTERPRISE_WORDING: tuple[str, ...] = (
    "Công ty trách nhiệm hữu hạn một thành viên", "Công ty trách nhiệm hữu hạn hai thành viên trở lên",
    "Công ty trách nhiệm hữu hạn", "Công ty TNHH một thành viên", "Công ty TNHH hai thành viên trở lên",
    "Công ty TNHH", "Công ty cổ phần", "Công ty hợp danh", "Doanh nghiệp tư nhân", "Hợp tác xã", "Chi nhánh",
    "Văn phòng đại diện", "Thương mại", "Dịch vụ", "Xây dựng", "Đầu tư", "Sản xuất", "Xuất nhập khẩu",
    "Công nghệ", "Thực phẩm", "Vận tải", "Du lịch", "Bất động sản", "Tư vấn", "Giáo dục", "Nội thất", "Kỹ thuật",
    "Phát triển", "Truyền thông", "Môi trường", "Nông nghiệp", "Thiết bị", "Vật liệu", "Y tế", "Dược phẩm",
    "Thời trang", "Điện tử", "Phần mềm", "Kinh doanh", "Quảng cáo", "Tổng hợp", "Cơ khí", "Năng lượng",
    "Thủy sản", "Chế biến", "Điện lạnh", "In ấn", "Bao bì", "Dệt may", "Giải pháp", "Tài chính", "Bảo hiểm",
    "Khách sạn", "Nhà hàng", "Ẩm thực", "Viễn thông", "Tin học", "Địa ốc", "Kiến trúc", "Vật tư", "Hóa chất",
    "Mỹ phẩm", "Thủ công mỹ nghệ", "Nông sản", "Lâm sản", "Vận chuyển", "Giao nhận", "Điện nước",
)


@cache
def _enterprise_wording() -> tuple[str, ...]:
    return tuple(sorted(ENTERPRISE_WORDING, key=lambda p: -len(p.split())))


_KINDS_AS_PRINTED = ("Tỉnh", "Thành phố", "Quận", "Huyện", "Thị xã", "Phường", "Xã", "Thị trấn", "Đặc khu")


@cache
def fixed_wording() -> tuple[str, ...]:
    """Wording papers print from closed lists, as it is spelt: agencies' names, kinds of unit and of enterprise,
    common business words, nationalities and province names (with and without their kind). A word OCR was unsure
    of that reads as part of one of these (``THÀNH PHỐ`` with ``PHỐ`` put right by the OCR correction) is vouched
    for by the list; a word of a person's or a street's name never is."""
    units = [unit for units in gazetteer().provinces.values() for unit in units]
    provinces = {unit.name for unit in units}
    with_kind = {f"{unit.kind} {unit.name}" for unit in units}  # "Tỉnh Khánh Hòa": TỈNH vouched by its province
    return tuple(dict.fromkeys((*AGENCY_PHRASES, *ENTERPRISE_WORDING, *NATIONALITIES, *_KINDS_AS_PRINTED,
                                *sorted(provinces), *sorted(with_kind))))


def snap_enterprise_name(text: str) -> tuple[str, float]:
    """An enterprise's name with its kind (``CÔNG TY CÔ PHẦN`` → ``CÔNG TY CỔ PHẦN``) and common business words
    (``THỤC PHẨM`` → ``THỰC PHẨM``) spelt right, and the quality of the result."""
    result = _Result()
    value = _snap_phrases(clean_spaces(text), result, _enterprise_wording(), counted=True)
    result.unknown += _junk_syllables(value)
    return value, result.quality()


def _snap_part(part: str, parents: list[str], result: _Result, agency: bool = False) -> tuple[str, list[str]]:
    """One comma-separated part: its unit mentions snapped; the keys of the units found, nearest last.
    ``agency``: the part is an agency's name, where only another body's name may follow a unit."""
    words = _words(part)
    if not words:
        return part, parents
    folded = [_key(w) for w, _, _ in words]
    if "".join(folded) in _COUNTRY:
        return part, parents
    pieces: list[str] = []
    last = 0
    i = 0
    found_any = False
    new_parents = list(parents)
    while i < len(words):
        kind_hit = _kind_at(folded, i)
        at_unit_place = i == 0 or (i > 0 and _ends_phrase_or_unit(part[:words[i][1]]))
        if kind_hit and at_unit_place:
            n_kind, kind, level = kind_hit
            names = [w for w, _, _ in words[i + n_kind:]]
            hit = _match_name(names, kind, level, new_parents) if names else None
            if hit is None:
                if names and _candidates(level, kind, new_parents):
                    result.unknown += 1  # a unit is named, the tables that should hold it do not
                i += n_kind + len(names)
                continue
            n_name, unit, lv = hit.words, hit.unit, hit.level
            start, end = words[i][1], words[i + n_kind + n_name - 1][2]
            observed = part[start:end]
            trail = re.search(r"[^\w]+$", observed)
            if trail:
                end -= len(trail.group())
                observed = part[start:end]
            canonical = _keep_tone_placement(_style(f"{kind} {unit.name}", observed), observed)
            canonical = _replacement(hit, " ".join(names[:n_name]), observed, canonical, result)
            pieces.append(part[last:start] + canonical)
            last = end
            new_parents = _descend(new_parents, unit, lv, hit.parent)
            found_any = True
            i += n_kind + n_name
            continue
        i += 1
    pieces.append(part[last:])
    if agency and found_any and _unknown_tail(part[last:]):
        result.unknown += 1  # "… QUẬN PHÚ NHUẬN KT. CHỦ TỊCH": the signer's title ran into the agency's name
    if not found_any and parents is not None:
        fixed = _snap_bare(part, new_parents, result)
        if fixed is not None:
            return fixed
    return "".join(pieces), new_parents


def _unknown_tail(tail: str) -> bool:
    """Whether text after an agency's unit holds more than other bodies' names ("PHÒNG ĐĂNG KÝ KINH DOANH")."""
    key = _key(tail)
    for phrase in sorted(_phrase_keys(), key=len, reverse=True):
        key = key.replace(phrase, "")
    return bool(key)


def _ends_phrase_or_unit(before: str) -> bool:
    """Whether a kind word after ``before`` stands where a unit is named: after an agency's name or after
    another unit ("SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG TỈNH …", "Trạm y tế phường 13")."""
    key = _key(before)
    return not key or any(key.endswith(p) for p in _phrase_keys()) or bool(re.search(r"[,;]\s*$", before))


@cache
def _phrase_keys() -> tuple[str, ...]:
    return tuple(_key(p) for p in AGENCY_PHRASES)


def _descend(parents: list[str], unit: Unit, level: int, parent: str) -> list[str]:
    if level == 1:
        return [unit.key]
    if level == 2:
        if "|" in unit.key:  # found in the national list: its key carries the province
            return unit.key.split("|")
        return [parent.split("/")[0], unit.key]
    if "|" in unit.key:  # a ward found in the national list: where it lies is not known
        return list(parents)
    return [*parents[:2], unit.key]  # a ward: nothing lies below it, but it marks its place as found


def _snap_bare(part: str, parents: list[str], result: _Result) -> tuple[str, list[str]] | None:
    """A part without a kind word, as chip cards print addresses ("Kim Mã, Ba Đình, Hà Nội"): the next level
    down from what was found to its right."""
    words = [w for w, _, _ in _words(part)]
    if not words or len(words) > 5 or any(ch.isdigit() for ch in part) and len(parents) < 2:
        return None
    if len(parents) >= 3 or _opens_street(part):
        return None  # nothing is below a ward; "phố Trần Nguyên Hãn" is a street, even where a ward shares its name
    level = 1 if not parents else 2 if len(parents) == 1 else 3
    trail = re.search(r"[^\w]+$", part)
    core = part[:trail.start()] if trail else part
    hit = _match_name(core.split(), "", level, parents)
    if hit is None or hit.words != len(core.split()):
        return None
    canonical = _replacement(hit, core, core, _keep_tone_placement(_style(hit.unit.name, core), core), result)
    return canonical + (trail.group() if trail else ""), _descend(parents, hit.unit, hit.level, hit.parent)


def _replacement(hit: _Match, printed_name: str, observed: str, canonical: str, result: _Result) -> str:
    """What is written for ``observed`` (a unit as printed, ``printed_name`` its name) where ``hit`` matched it,
    the repair counted in ``result``. A real unit's name printed where our tables hold only a near one ("An Dương"
    read right, "An Đồng" the near ward in the tables): the paper is kept, the tables may lack the unit."""
    if canonical == observed:
        return observed
    guessed = _guessed(hit, printed_name)
    result.count(observed, canonical, hit.fuzzy, guessed)
    return observed if guessed and hit.fuzzy else canonical


def _guessed(hit: _Match, printed: str) -> bool:
    """Whether putting ``hit``'s name for the ``printed`` one is a guess rather than a repair: other names fitted
    too, or what the paper prints is itself a unit of that level (our tables may lack or misplace it)."""
    return hit.ambiguous or (not _same_spelling(hit.unit.name, printed) and _names_a_unit(printed, hit.level))


def _fix_street_case(value: str) -> str:
    """``SỐ 66 phố Ngọc Lâm`` → ``Số 66 phố Ngọc Lâm``: an address word OCR read in capitals in a mixed-case value."""
    letters = [ch for ch in value if ch.isalpha()]
    if not letters or sum(ch.islower() for ch in letters) < 0.5 * len(letters):
        return value

    def fix(m: re.Match) -> str:
        word = m.group()
        return word[0] + word[1:].lower() if len(word) > 1 and word.isupper() and _key(word) in _STREET_WORDS \
            else word

    return re.sub(r"(?<!\w)\w+(?!\w)", fix, value)


def snap_nationality(text: str) -> tuple[str, float]:
    """``"Vi Nam"`` → ``"Việt Nam"``; ``"Nationality, Việt Nam"`` → ``"Việt Nam"``; unknown text is kept with
    quality 0.7."""
    key = _key(text)
    for nat in NATIONALITIES:
        if _key(nat) == key:
            return nat, 1.0 if nat == clean_spaces(text) else 0.93
    for nat in NATIONALITIES:
        if len(_key(nat)) >= 4 and _key(nat) in key:
            return nat, 0.9
    best = max(NATIONALITIES, key=lambda n: fuzz.ratio(_key(n), key))
    if fuzz.ratio(_key(best), key) >= 80:
        return best, 0.85
    return text, 0.7


# ================================================================= fields of a paper

AGENCY_FIELDS = frozenset({"co_quan_cap", "co_quan_ban_hanh"})
NAMED_TEXT_FIELDS = frozenset({"trich_yeu"})  # free text that names a person ("… cho ông NGUYỄN VĂN A …")
_PERSON_IN_TEXT = re.compile(r"\b(?:ông|bà|anh|chị)\s+((?:[A-ZĐÀ-Ỹ][^\s,;.()]*\s*){2,5})")


def snap_names_in_text(text: str) -> tuple[str, float]:
    """The names of people a free text mentions, snapped like names (:func:`extractors.names.snap_name`), and
    the quality of the text: lower for snaps and for words no Vietnamese syllable is written as."""
    from extractors.names import snap_name

    quality = 0.75 ** _junk_syllables(text)

    def fix(m: re.Match) -> str:
        nonlocal quality
        run = m.group(1)
        words = run.split()
        snap = snap_name(" ".join(words))
        quality *= snap.quality
        return m.group(0)[:m.start(1) - m.start(0)] + snap.value + run[len(run.rstrip()):]

    return _PERSON_IN_TEXT.sub(fix, text), quality


PLACE_FIELDS = frozenset({"noi_sinh", "que_quan", "noi_thuong_tru", "dia_chi_tru_so", "dia_chi", "noi_dang_ky",
                          "co_quan_cap", "co_quan_ban_hanh"})


def snap_fields(doc_type: str, fields: dict) -> dict:
    """Names, places and nationalities of a paper's fields in their known spelling; each field's confidence
    multiplied by the quality of its snap (lower when a snap was needed, lower still when nothing fitted)."""
    from extractors.names import snap_name
    from schemas.papers import field_kind

    out = {}
    for name, fv in fields.items():
        value = fv.value
        quality = 1.0
        if isinstance(value, str) and value:
            if field_kind(doc_type, name) == "name":
                snap = snap_name(value, gender=_stated_gender(name, fields))
                value, quality = snap.value, snap.quality
            elif name in PLACE_FIELDS:
                place = snap_place(value, address=name not in AGENCY_FIELDS)
                value, quality = place.value, place.quality
            elif name in NAMED_TEXT_FIELDS:
                value, quality = snap_names_in_text(value)
            elif name == "ten_doanh_nghiep":
                value, quality = snap_enterprise_name(value)
            elif name == "quoc_tich":
                value, quality = snap_nationality(value)
        if value != fv.value or quality < 1.0:
            fv = fv.model_copy(update={"value": value, "confidence": round(fv.confidence * quality, 3)})
        out[name] = fv
    return out


def _stated_gender(name_field: str, fields: dict) -> str | None:
    """The gender the paper gives the person named in ``name_field``: its own sex field ("Giới tính: Nữ"), or
    the place on the form (the wife, the father); None when the paper does not say."""
    from schemas.validators import NAME_GENDER_FIELDS

    gender_field, known = NAME_GENDER_FIELDS.get(name_field, (None, None))
    stated = fields.get(gender_field).value if gender_field and fields.get(gender_field) is not None else None
    return stated if stated in ("Nam", "Nữ") else known
