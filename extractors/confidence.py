"""How sure a value read from the page is, from the OCR confidences of the words it was read from.

A value is wrong when any one of its words is: ``CÔNG TY TNHH THỰC PHẨM TIỀN ĐẠT`` with ``TIỀN`` at 0.69 and
every other word at 0.95 is a doubtful value, although the mean of its words (weighted by length) is 0.91. So one
doubtful word makes a free-text value (an address, an agency, a summary) as doubtful as that word. A word is
doubtful below :data:`DOUBTFUL_WORD`: Tesseract rates most words it reads right 0.85–0.97 and most misreads lower,
and the OCR correction caps a word it changed for its context at 0.5. A person's name is stricter: as sure as its
least sure syllable, whatever it is, for nothing else checks which of two valid names (``Thùy``/``Thủy``) a
person bears. Two kinds of word never count against a value:

- lone punctuation at a value's edge (``,`` ``.`` ``:``) or joining two words (``Phụ sản - Nhi``): Tesseract rates
  it near 0 whatever it read, and no value is wrong for it. A lone dot or comma *between* two words is another
  matter: no text is printed so, it stands where OCR lost a word (``XUẤT . KHẨU`` for ``XUẤT NHẬP KHẨU``);
- in text, words that read as a phrase of wording printed from a closed list (``THÀNH PHỐ``, ``Ủy ban nhân
  dân``, ``CỔ PHẦN``, ``Việt Nam``, a province) spelt as the list spells it: the list vouches for them (often
  the OCR correction put them right, and capped them). A single word vouches for nothing: too many valid
  syllables spell one (``PHƯỜNG`` for ``PHƯƠNG``, ``Đức`` in a person's name). The gazetteer checks place values
  again when it snaps them.

Numbers, dates and codes (the finder narrows them to the value itself) are as sure as their words on average.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

from extractors.gazetteer import fixed_wording
from extractors.lines import Seg
from extractors.names import is_name_syllable, same_syllable, sole_family_name
from pipeline.textnorm import fold

Span = tuple[Seg, int, int]  # a segment and the characters [start, end) of the value on it


@dataclass(frozen=True)
class WordRead:
    text: str  # the part of the word inside the value
    confidence: float
    chars: int
    alternatives: tuple[tuple[str, float], ...] = ()  # other spellings the recogniser weighed (Word.alternatives)


JOINING_MARKS = frozenset({"-", "–", "—", "/", "&", "+"})  # stand alone between words in print


def words_read(spans: Sequence[Span]) -> list[WordRead]:
    """The words of a value, in order, with their OCR confidence: those holding a letter or a digit, and lone
    marks other than joining ones that stand between two of them (where a word was lost)."""
    tokens = []
    for seg, start, end in spans:
        for word, ws, n in zip(seg.words, seg.starts, seg.lens, strict=True):
            lo, hi = max(start, ws), min(end, ws + n)
            if lo < hi:
                # the segment's own rule for one word (a dotted leader OCR glued to the value does not count)
                tokens.append(WordRead(seg.text[lo:hi], seg.span_least_confidence(lo, hi), hi - lo,
                                       tuple(word.alternatives)))
    has_word = [_has_alnum(t.text) for t in tokens]
    first = has_word.index(True) if any(has_word) else len(tokens)
    last = len(tokens) - 1 - has_word[::-1].index(True) if any(has_word) else -1
    return [t for i, t in enumerate(tokens)
            if has_word[i] or (first < i < last and t.text.strip() not in JOINING_MARKS)]


def _has_alnum(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


ValueRule = Literal["name", "text", "number"]

DOUBTFUL_WORD = 0.8  # a word OCR rates below this may be misread: the value holding it is no surer


def value_confidence(spans: Sequence[Span], rule: ValueRule) -> float:
    """The OCR confidence of a value read from ``spans`` (0 when no word of letters or digits was read):
    ``name``: its least sure syllable (capped where the recogniser weighed another name, raised where the family
    name's marks follow from its letters); ``text``: its least sure doubtful word, closed-list wording aside, else
    the mean of its words; ``number``: the mean of its words weighted by length. Never above the mean of its words
    (as adjusted for names)."""
    words = words_read(spans)
    if not words:
        return 0.0
    mean = sum(w.confidence * w.chars for w in words) / sum(w.chars for w in words)
    if rule == "name":
        sure = [_as_name_syllable(w, first=i == 0) for i, w in enumerate(words)]
        return min(min(sure), sum(c * w.chars for c, w in zip(sure, words, strict=True)) / sum(w.chars for w in words))
    if rule == "text":
        vouched = _vouched(words)
        return min([mean] + [w.confidence for i, w in enumerate(words)
                             if w.confidence < DOUBTFUL_WORD and i not in vouched])
    return mean


# The recogniser weighed another spelling of a name syllable at least this much (relative to what it chose), and
# that spelling is a name too (LÝ beside LY, Hiển beside Hiền): which one the person bears is not for it to say.
RIVAL_SCORE = 0.3
RIVAL_NAME_CONFIDENCE = 0.7


# A family name whose marks the OCR correction restored from its letters (NGUYÊN → NGUYỄN: "Nguyên" is no family
# name, and Nguyễn is the only one spelt n-g-u-y-e-n) is as sure as a word read well: the correction capped it as a
# context guess, but the family-name list leaves no choice.
RESTORED_FAMILY_NAME = 0.85


def _as_name_syllable(word: WordRead, first: bool) -> float:
    """A name syllable's confidence, capped when the recogniser also weighed another name (family names for the
    first syllable, given names after it)."""
    bare = _bare(word.text)
    if first and word.alternatives and _restored_family_name(bare, _bare(word.alternatives[0][0])):
        return max(word.confidence, RESTORED_FAMILY_NAME)
    for spelling, score in word.alternatives:
        rival = _bare(spelling)
        if score >= RIVAL_SCORE and rival.lower() != bare.lower() and is_name_syllable(rival, family=first):
            return min(word.confidence, RIVAL_NAME_CONFIDENCE)
    return word.confidence


def _restored_family_name(text: str, read: str) -> bool:
    """``text`` is the sole family name of its letters, and the recogniser read them as a word that is none."""
    return (text.lower() != read.lower() and fold(text) == fold(read) and sole_family_name(text)
            and not is_name_syllable(read, family=True))


def _vouched(words: list[WordRead]) -> set[int]:
    """Indexes of the words that, with their neighbours, spell wording of a closed list as it is printed."""
    bare = [_bare(w.text) for w in words]
    folded = [fold(b) for b in bare]
    out: set[int] = set()
    by_first = _phrases_by_first_word()
    for i, key in enumerate(folded):
        for phrase, phrase_folded in by_first.get(key, ()):
            n = len(phrase)
            if tuple(folded[i:i + n]) == phrase_folded \
                    and all(same_syllable(b, w) for b, w in zip(bare[i:i + n], phrase, strict=True)):
                out.update(range(i, i + n))
                break  # longest first: the rest are shorter readings of the same words
    return out


def _bare(text: str) -> str:
    """A word without the specks and punctuation at its edges (``“THÀNH`` → ``THÀNH``, ``TƯ.`` → ``TƯ``)."""
    start, end = 0, len(text)
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return text[start:end]


@cache
def _phrases_by_first_word() -> dict[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]]:
    """Folded first word → the closed-list phrases it opens, as (words, folded words), longest first."""
    index: dict[str, set[tuple[tuple[str, ...], tuple[str, ...]]]] = defaultdict(set)
    for phrase in fixed_wording():
        words = tuple(phrase.split())
        if len(words) >= 2:  # a single word vouches for nothing (see the module's docstring)
            index[fold(words[0])].add((words, tuple(fold(w) for w in words)))
    return {first: tuple(sorted(phrases, key=lambda p: len(p[0]), reverse=True)) for first, phrases in index.items()}
