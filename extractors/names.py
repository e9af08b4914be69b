"""Vietnamese person names: restore tone marks that OCR lost, and say how much a name read can be trusted.

OCR on scans drops or swaps tone marks (``Nguyen``, ``Nguyên`` for ``Nguyễn``; ``Pham`` for ``Phạm``; ``Hỏng`` for
``Hồng``). Names are drawn from a small vocabulary, so a syllable that is not a common name syllable for its place
in the name (family name first, then middle and given names) can often be put right: when exactly one syllable of
the list has the same letters without marks (the folded form), it is that one; when several do, the one that only
*adds* marks to what OCR saw wins if it is alone. A syllable that already is a name syllable for its place is never
changed. What could not be put right is left as read and makes the name less trusted (:attr:`NameSnap.quality`),
so the paper goes to review instead of being approved with a wrong name.

The lists are common syllables of Vietnamese names written in the contract's style (``Hòa``, ``Thủy``); the old
tone placement (``Hoà``, ``Thuỷ``) counts as the same syllable.

Where a name stands and whose it is narrows the choice: ``Thị`` and ``Văn`` are middle names, never the given name
that ends a name (``Nguyễn Thị Văn`` is a misread ``Nguyễn Thị Vân``); a name with ``Thị`` is a woman's, with
``Văn`` a man's, and a woman is not given ``Tuấn``. When several name syllables still fit what OCR saw and none
only adds marks to it, the one OCR most often turns into that reading is taken (a grave read for an acute:
``Tuần`` is ``Tuấn`` far more often than ``Tuân``, which has no tone to lose) when it clearly stands out. Such a
choice is a guess, so the name is trusted less (:data:`GUESSED`) and the paper goes to review.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from pipeline.textnorm import fold, nfc

# Family names (họ), the most common first.
FAMILY_NAMES: tuple[str, ...] = tuple("""
Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trịnh Đào Lương Mai Tạ Cao Lâm
Quách Tô Hà Chu Kiều Phùng Nghiêm Lưu Triệu Vương Khúc Thái Doãn Âu Ứng Đoàn Đàm Văn Hứa Tăng Châu Lại Lục
Từ Thân Tôn Thạch Giang Quan Quang Khổng Khương Mạc Nông Ninh Phí Phó Phương Tiêu Trương Trang Trình Viên
Vi Yên Cù Cung Diệp Đồng Đông Giáp Hàn Hầu Hoa Kha Kim La Lã Lạc Liêu Lò Lô Lữ Mã Mẫn Mông Nhan Ông Phí
Quản Sầm Sơn Thang Thi Tiết Tòng Trác Triệu Ung Vòng Vy Bạch Bế Biện Cấn Chế Chung Công Diêm Dư Đàm Đổng
Hạ Hoàng Khuất Khúc Lạc Lâm Lê Luân Ma Mạch Mạnh Nhâm Ôn Sái Sử Tào Thiều Tống Trầm Văn Vưu Xa
""".split())  # noqa: SIM905 (a block of names reads better than a list)

# Middle names (tên đệm) and given names (tên), both sexes. Uncommon names one mark away from a common one (Tiền
# beside Tiến, Yên beside Yến, Thi beside Thị) are left out on purpose: read on a scan they are far more often the
# common name misread, so they are snapped or doubted rather than trusted.
GIVEN_NAMES: tuple[str, ...] = tuple("""
An Ân Anh Ánh Ẩn Bá Bạch Bằng Bảo Bắc Bích Biên Bình Bội Cát Cảnh Cầm Cẩm Cần Chánh Châm Chân Châu Chi Chí
Chiến Chiêu Chinh Chính Chung Công Cúc Cung Cường Cương Danh Dạ Diễm Diệp Diệu Doanh Du Dung Dũng Duy Duyên
Dư Dương Đài Đan Đang Đạo Đạt Đăng Đắc Đằng Điền Điệp Đình Định Đoan Đông Đồng Đức Gia Giang Giao Giáp Hà
Hạ Hải Hán Hạnh Hào Hảo Hằng Hân Hậu Hiền Hiển Hiệp Hiếu Hinh Hoa Hòa Hóa Hoài Hoan Hoàn Hoàng Hoanh
Hòe Hồ Hội Hồng Hợp Huân Huấn Huệ Hùng Hưng Hương Hường Hữu Huy Huyền Huỳnh Khả Khải Khang Khanh Khánh
Khiêm Khoa Khôi Khuê Khương Kiên Kiều Kim Kha Lam Lâm Lan Lãm Lành Lạc Lệ Lễ Liên Liêm Liễu Linh Loan Lộc
Lợi Long Lụa Luân Lực Lương Ly Lý Mai Mạnh Mẫn Miên Minh My Mỹ Nam Nga Ngân Nghĩa Nghiêm Ngọc Nguyên
Nguyệt Nhã Nhàn Nhân Nhật Nhi Nhiên Nhu Nhung Như Ninh Oanh Phát Phi Phong Phú Phúc Phụng Phước Phương Phượng
Quang Quân Quế Quốc Quý Quyên Quyết Quỳnh Sang Sâm Sinh Sơn Sương Tài Tâm Tân Tấn Thạch Thái Thắm Thắng
Thanh Thành Thạnh Thảo Thế Thị Thiên Thiện Thịnh Thoa Thông Thu Thuận Thục Thúy Thùy Thủy Thư Thương
Thường Tiến Tiên Tín Tình Toàn Toản Trà Trâm Trang Trí Trinh Trọng Trung Trúc Trường Tú Tuấn Tuân Tuệ
Tùng Tường Tuyến Tuyết Uyên Vân Văn Vi Việt Vinh Vĩnh Võ Vũ Vương Vy Xuân Yến Khắc Đức Hữu Công Đình Quý
""".split())  # noqa: SIM905 (a block of names reads better than a list)

# Middle names only: no name ends with them, so at the end of a name they are another syllable misread.
MIDDLE_ONLY: frozenset[str] = frozenset({"thị", "văn"})

# Middle and given names almost only men or only women bear (lower case): a tie between two readings of a given
# name is broken towards the one that fits the person, as the other names tell it. Names both bear (Anh, Bảo, Hải,
# Minh, Xuân …) are in neither.
MEN_ONLY: frozenset[str] = frozenset("""
bá chí công cường dũng đạt đình định đức hiển hiếu hùng hưng hữu huy khắc khải khang khoa khôi kiên lực mạnh nghĩa
phát phong quân quang quốc quyết sơn tài thắng thịnh thuận tiến toàn toản trọng trung trường tuấn tùng văn việt
vĩnh vũ lâm long luân
""".split())  # noqa: SIM905
WOMEN_ONLY: frozenset[str] = frozenset("""
ánh bích châm chi cúc diễm diệu dung duyên hằng hạnh hảo hiền hoa huệ hương hường huyền lan liên liễu loan lụa ly mai my
mỹ nga ngân nguyệt nhàn nhung oanh phượng quyên thảo thắm thị thoa thu thúy thùy thủy thư trâm trang trinh tuyết
uyên vân vy yến
""".split())  # noqa: SIM905

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền, sắc, ngã, hỏi, nặng
_SHAPES = {"\u0306", "\u0302", "\u031b"}  # breve (ă), circumflex (â ê ô), horn (ơ ư)


def _marks(syllable: str) -> frozenset[tuple[str, str]]:
    """The marks on a syllable as (base letter or "", mark): shapes stay with their letter, the tone does not."""
    out: set[tuple[str, str]] = set()
    base = ""
    for ch in unicodedata.normalize("NFD", nfc(syllable).lower()):
        if ch in _TONES:
            out.add(("", ch))
        elif ch in _SHAPES:
            out.add((base, ch))
        else:
            base = "d" if ch == "đ" else ch
            if ch == "đ":
                out.add(("d", "stroke"))
    return frozenset(out)


def _tone_variants(syllable: str) -> set[str]:
    """The syllable with its tone on each vowel of an ``oa``/``oe``/``uy`` pair (old and new placement)."""
    s = nfc(syllable).lower()
    decomposed = unicodedata.normalize("NFD", s)
    tone = next((ch for ch in decomposed if ch in _TONES), None)
    if tone is None:
        return {s}
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch != tone))
    out = {s}
    for pair in ("oa", "oe", "uy"):
        i = bare.find(pair)
        if i >= 0:
            for j in (i, i + 1):
                out.add(unicodedata.normalize("NFC", bare[:j + 1] + tone + bare[j + 1:]))
    return out


def same_syllable(a: str, b: str) -> bool:
    """Whether two spellings are one syllable, case and old/new tone placement aside (``Hoà``/``HÒA``)."""
    return nfc(b).lower() in _tone_variants(a)


@dataclass(frozen=True)
class _Lexicon:
    known: frozenset[str]  # lower-case NFC, both tone placements
    by_fold: dict[str, tuple[str, ...]]  # folded → lower-case NFC syllables


def _lexicon(words: tuple[str, ...]) -> _Lexicon:
    known: set[str] = set()
    by_fold: dict[str, set[str]] = defaultdict(set)
    for w in words:
        low = nfc(w).lower()
        known |= _tone_variants(low)
        by_fold[fold(low)].add(low)
    return _Lexicon(frozenset(known), {k: tuple(sorted(v)) for k, v in by_fold.items()})


@cache
def _family() -> _Lexicon:
    return _lexicon(FAMILY_NAMES)


@cache
def _given() -> _Lexicon:
    return _lexicon(GIVEN_NAMES)


def _styled(syllable: str, like: str) -> str:
    """``syllable`` (lower case) written in the case of ``like``: ``NGUYỄN``, ``Nguyễn`` or ``nguyễn``."""
    if like.isupper() and len(like) > 1:
        return syllable.upper()
    if like[:1].isupper():
        return syllable[:1].upper() + syllable[1:]
    return syllable


def adds_marks_only(observed: str, canonical: str) -> bool:
    """Whether ``canonical`` is ``observed`` with marks added and none changed (what OCR loses most often)."""
    return fold(observed) == fold(canonical) and _marks(observed) <= _marks(canonical)


def snap_syllable(syllable: str, family: bool = False) -> str | None:
    """The name syllable OCR most likely misread as ``syllable``, or ``None`` when it is already a name syllable
    for its place or no single syllable fits. ``family``: the syllable is a family name (first in the name)."""
    fix = _snap(syllable, family=family, last=False, gender=None)
    return fix[0] if fix is not None else None


def _fits(low: str, last: bool) -> bool:
    """Whether ``low`` (lower case) is a given or middle name for its place: not a middle-only one at the end."""
    return low in _given().known and not (last and _canonical(low) in MIDDLE_ONLY)


def _canonical(low: str, family: bool = False) -> str:
    """The list's spelling of a name syllable written with either tone placement (``hoà`` → ``hòa``); ``family``:
    of the family names rather than the middle and given ones."""
    lexicon = _family() if family else _given()
    return next((c for c in lexicon.by_fold.get(fold(low), ()) if low in _tone_variants(c)), low)


def _snap(syllable: str, family: bool, last: bool, gender: str | None) -> tuple[str, bool] | None:
    """The syllable put right and whether that was a guess between several readings, or ``None`` when it already
    fits its place or no reading stands out. ``last``: it ends the name (the given name); ``gender``: "Nam"/"Nữ"."""
    lex = _family() if family else _given()
    low = nfc(syllable).lower()
    if not low.isalpha() or (low in lex.known if family else _fits(low, last)):
        return None
    if fold(low) not in lex.by_fold:
        fixed = _snap_doubled_vowel(syllable, low, lex)
        return (fixed, False) if fixed is not None else None
    candidates = lex.by_fold.get(fold(low), ())
    if last and not family:
        candidates = tuple(c for c in candidates if c not in MIDDLE_ONLY)
    guessed = low in lex.known  # a name syllable, just not one that ends a name: changing it is a guess
    if len(candidates) > 1:
        only_added = tuple(c for c in candidates if adds_marks_only(low, c))
        if len(only_added) == 1:
            candidates = only_added
        else:
            candidates = _likeliest(low, only_added or candidates, gender if last and not family else None)
            guessed = True
    if len(candidates) != 1:
        return None
    return _styled(candidates[0], syllable), guessed


# How often OCR turns a printed tone into the one it shows (printed → read), relative to reading it right. A tone
# lost is common; a tone seen where none is printed is rare; grave/acute and hook/tilde look alike.
_TONE_READ_AS: dict[tuple[str | None, str | None], float] = {
    ("\u0301", "\u0300"): 0.3, ("\u0300", "\u0301"): 0.3,  # sắc ↔ huyền
    ("\u0309", "\u0303"): 0.3, ("\u0303", "\u0309"): 0.3,  # hỏi ↔ ngã
}
_TONE_LOST = 0.5
_TONE_OTHER = 0.1
_TONE_ADDED = 0.05
_SHAPE_LOST = 0.5
_SHAPE_SWAPPED = 0.3  # ă for â, ơ for ô: the letter kept, its hat misread
_SHAPE_ADDED = 0.1
_STANDS_OUT = 3.0  # how much likelier than the next the chosen reading must be


def _tone(low: str) -> str | None:
    return next((ch for ch in unicodedata.normalize("NFD", low) if ch in _TONES), None)


def _misread_odds(printed: str, read: str) -> float:
    """How likely OCR shows ``read`` for a printed ``printed`` (same letters), relative to reading it right."""
    tp, tr = _tone(printed), _tone(read)
    odds = 1.0 if tp == tr else _TONE_LOST if tr is None else _TONE_ADDED if tp is None \
        else _TONE_READ_AS.get((tp, tr), _TONE_OTHER)
    shapes_p = {m for m in _marks(printed) if m[0]}
    shapes_r = {m for m in _marks(read) if m[0]}
    bases_p, bases_r = {b for b, _ in shapes_p}, {b for b, _ in shapes_r}
    for base, _ in shapes_p - shapes_r:
        odds *= _SHAPE_SWAPPED if base in bases_r else _SHAPE_LOST
    for base, _ in shapes_r - shapes_p:
        if base not in bases_p:
            odds *= _SHAPE_ADDED
    return odds


def _likeliest(low: str, candidates: tuple[str, ...], gender: str | None) -> tuple[str, ...]:
    """The candidate OCR most likely misread as ``low``, alone, when it stands out (after the person's gender
    where one is known); otherwise all of them."""
    if gender is not None:
        other = MEN_ONLY if gender == "Nữ" else WOMEN_ONLY
        candidates = tuple(c for c in candidates if c not in other) or candidates
    if len(candidates) <= 1:
        return candidates
    ranked = sorted(((_misread_odds(c, low), c) for c in candidates), reverse=True)
    if ranked[0][0] >= _STANDS_OUT * ranked[1][0]:
        return (ranked[0][1],)
    return candidates


def _snap_doubled_vowel(syllable: str, low: str, lex: _Lexicon) -> str | None:
    """OCR sometimes prints two readings of one marked vowel side by side ("Nguyếễn"): no name syllable has the
    same vowel twice in a row, so each reading is tried alone and kept when exactly one is a name syllable."""
    readings = set()
    for i in range(len(low) - 1):
        a, b = fold(low[i]), fold(low[i + 1])
        if a == b and a in "aeiouy":
            readings.update((low[:i] + low[i + 1:], low[:i + 1] + low[i + 2:]))
    found = {r for r in readings if r in lex.known}
    if not found and readings:
        # Each reading may hold part of the marks ("nguyếẽn": the circumflex in one, the tilde in the other):
        # a name syllable with those letters whose marks all come from the two readings.
        seen = frozenset().union(*(_marks(r) for r in readings))
        found = {c for r in readings for c in lex.by_fold.get(fold(r), ()) if _marks(c) <= seen}
    return _styled(found.pop(), syllable) if len(found) == 1 else None


def is_name_syllable(syllable: str, family: bool = False) -> bool:
    return nfc(syllable).lower() in (_family() if family else _given()).known


def sole_family_name(syllable: str) -> bool:
    """Whether ``syllable`` is the one family name written with its letters (``Nguyễn`` for n-g-u-y-e-n: no other
    family name folds so), so that its marks follow from its letters alone."""
    low = nfc(syllable).lower()
    return _family().by_fold.get(fold(low), ()) == (_canonical(low, family=True),)


def name_gender(words: list[str]) -> str | None:
    """ "Nữ" for a name with the middle name Thị, "Nam" for one with Văn, else ``None`` (the family name and the
    given name are left out: Văn is also a family name). Sure enough to check a paper's stated gender against."""
    middle = {_canonical(nfc(w).lower()) for w in words[1:-1]}
    if "thị" in middle and "văn" not in middle:
        return "Nữ"
    if "văn" in middle and "thị" not in middle:
        return "Nam"
    return None


def _gender_hint(words: list[str]) -> str | None:
    """The bearer's likely gender from the middle names: Thị or Văn, else middle names only one sex bears
    ("Trần Mạnh …": a man). Only to break a tie between readings of the given name."""
    sure = name_gender(words)
    if sure is not None:
        return sure
    middle = {_canonical(nfc(w).lower()) for w in words[1:-1]}
    men, women = bool(middle & MEN_ONLY), bool(middle & WOMEN_ONLY)
    return "Nam" if men and not women else "Nữ" if women and not men else None


# How much a name is trusted after each kind of repair (multiplied into the field's confidence).
RESTORED_MARKS = 0.97  # marks OCR dropped put back: the letters and the marks it saw all agree
CHANGED_MARKS = 0.9  # a mark OCR saw replaced by another (Hỏng → Hồng)
GUESSED = 0.78  # one of several name syllables taken, or one changed for its place: below the review bar
NOT_A_NAME = 0.75  # a syllable no common name has, left as read
TOO_SHORT = 0.5  # one syllable is not a Vietnamese full name


@dataclass(frozen=True)
class NameSnap:
    value: str
    snapped: int  # syllables put right
    unknown: int  # syllables that are not name syllables and could not be put right
    syllables: int
    restored: int = 0  # of ``snapped``, those where marks were only added
    guessed: int = 0  # of ``snapped``, those chosen among several readings or changed for their place

    @property
    def doubtful(self) -> bool:
        """Whether a syllable was left unknown or guessed: worth reading again (:mod:`pipeline.reread`)."""
        return self.unknown > 0 or self.guessed > 0

    @property
    def quality(self) -> float:
        """How far the name can be trusted, 0–1: 1 when every syllable is a name syllable as read."""
        if self.syllables < 2:
            return TOO_SHORT
        changed = self.snapped - self.restored - self.guessed
        return (RESTORED_MARKS ** self.restored) * (CHANGED_MARKS ** changed) * (GUESSED ** self.guessed) \
            * (NOT_A_NAME ** self.unknown)


def snap_name(name: str, gender: str | None = None) -> NameSnap:
    """``"Nguyên Thị Hằng"`` → ``"Nguyễn Thị Hằng"`` (a family name ``Nguyên`` does not exist, ``Nguyễn`` does).

    ``gender`` ("Nam"/"Nữ"): the person's, where the paper says it (the wife, the mother); otherwise the middle
    names tell it where they can (:func:`name_gender`)."""
    words = name.split()
    gender = gender or _gender_hint(words)
    out, snapped, unknown, restored, guessed = [], 0, 0, 0, 0
    for i, word in enumerate(words):
        family = i == 0 and len(words) >= 2
        last = i == len(words) - 1 and len(words) >= 2
        fix = _snap(word, family=family, last=last, gender=gender)
        if fix is not None:
            fixed, guess = fix
            out.append(fixed)
            snapped += 1
            if guess:
                guessed += 1
            else:
                restored += adds_marks_only(word, fixed)
            continue
        out.append(word)
        if not (is_name_syllable(word, family=True) if family else _fits(nfc(word).lower(), last)):
            unknown += 1
    return NameSnap(" ".join(out), snapped, unknown, len(words), restored, guessed)
