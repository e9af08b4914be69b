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
    lex = _family() if family else _given()
    low = nfc(syllable).lower()
    if not low.isalpha() or low in lex.known:
        return None
    if fold(low) not in lex.by_fold:
        return _snap_doubled_vowel(syllable, low, lex)
    candidates = lex.by_fold.get(fold(low), ())
    if len(candidates) > 1:
        candidates = tuple(c for c in candidates if adds_marks_only(low, c))
    if len(candidates) != 1:
        return None
    return _styled(candidates[0], syllable)


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


# How much a name is trusted after each kind of repair (multiplied into the field's confidence).
RESTORED_MARKS = 0.97  # marks OCR dropped put back: the letters and the marks it saw all agree
CHANGED_MARKS = 0.9  # a mark OCR saw replaced by another (Hỏng → Hồng)
NOT_A_NAME = 0.75  # a syllable no common name has, left as read
TOO_SHORT = 0.5  # one syllable is not a Vietnamese full name


@dataclass(frozen=True)
class NameSnap:
    value: str
    snapped: int  # syllables put right
    unknown: int  # syllables that are not name syllables and could not be put right
    syllables: int
    restored: int = 0  # of ``snapped``, those where marks were only added

    @property
    def quality(self) -> float:
        """How far the name can be trusted, 0–1: 1 when every syllable is a name syllable as read."""
        if self.syllables < 2:
            return TOO_SHORT
        return (RESTORED_MARKS ** self.restored) * (CHANGED_MARKS ** (self.snapped - self.restored)) \
            * (NOT_A_NAME ** self.unknown)


def snap_name(name: str) -> NameSnap:
    """``"Nguyên Thị Hằng"`` → ``"Nguyễn Thị Hằng"`` (a family name ``Nguyên`` does not exist, ``Nguyễn`` does)."""
    words = name.split()
    out, snapped, unknown, restored = [], 0, 0, 0
    for i, word in enumerate(words):
        family = i == 0 and len(words) >= 2
        fixed = snap_syllable(word, family=family)
        if fixed is not None:
            out.append(fixed)
            snapped += 1
            restored += adds_marks_only(word, fixed)
            continue
        out.append(word)
        if not is_name_syllable(word, family=family):
            unknown += 1
    return NameSnap(" ".join(out), snapped, unknown, len(words), restored)
