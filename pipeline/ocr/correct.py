"""Language-aware correction of OCR words: Vietnamese syllable rules plus a syllable bigram model.

Recognisers misread the stacked marks of Vietnamese capitals and the hook tone (DESIGN.md §5): ``QUYÉT`` for
``QUYẾT``, ``HUÉ`` for ``HUẾ``, ``bồ sung`` for ``bổ sung``, ``TÍNH`` for ``TỈNH`` after ``NHÂN DÂN``. Two facts
put most of them right without looking at the image again:

- A Vietnamese syllable has a fixed shape (onset, optional medial /w/, nucleus, coda, one tone) with known rules:
  ``uye`` is no rhyme (it must be ``uyê``), a syllable ending in p/t/c/ch takes only the acute or dot-below tone,
  ``k``/``gh``/``ngh`` go only before i/e/ê/y. A word that breaks them is certainly misread.
- A misread keeps the letters and loses or swaps marks, so the candidates for a word are the known syllables with
  the same letters once marks are removed (its "folded" form). A bigram model of administrative Vietnamese
  (``data/syllables.lm.gz``, built by ``data/build_language_model.py``) ranks them in context, against the cost
  of each mark changed (the error model). A word that is a valid syllable is changed only when its neighbours
  make the other spelling far more likely; an invalid one takes its best candidate, or stays as read if none.

Only words made of letters are touched: numbers, codes (``123/2024/QĐ-UBND``), abbreviations and foreign words
have no candidate and stay as read, and so do unmarked words beside a foreign one (``PHAT LOC TRADING``: a name
transliterated without marks) and a line printed without any mark. Proper names (a run of capitalised words:
``Trần Minh``, ``Phương``) are changed for their context only on much stronger evidence: the model knows
administrative text, not which of two valid names a person bears. In capitals, where a tone stacked on a shaped
vowel or a hook told from an acute is a few pixels, those misreads cost less (``NGUYÊN`` → ``NGUYỄN``,
``TÍNH`` → ``TỈNH``). A token that is words run together (``năm2023``, ``bôsung``, ``Họ,chữ``) is split first. Letter case is kept. Tone placement: both ``hòa`` and ``hoà`` are valid and
read as the same syllable; a word that is changed is written in the project's style (``hòa``, ``thủy``, as in
``extractors/names.py``). A changed word's confidence is lowered (times the share of probability its spelling won,
and at most ×0.9), so review shows it.
"""

from __future__ import annotations

import gzip
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Self

from pipeline.document import Document, Line, Page, Word
from pipeline.textnorm import nfc

MODEL_PATH = Path(__file__).resolve().parent / "data" / "syllables.lm.gz"

# --- letters and tones ----------------------------------------------------------------------------------------

# Combining tone marks → tone number (0 = level tone, no mark).
_TONE_OF_MARK = {"\u0301": 1, "\u0300": 2, "\u0309": 3, "\u0303": 4, "\u0323": 5}
_MARK_OF_TONE = {tone: mark for mark, tone in _TONE_OF_MARK.items()}
_ACUTE, _HOOK, _DOT = 1, 3, 5
_VOWELS = frozenset("aăâeêioôơuưy")
_SHAPED = frozenset("ăâêôơư")  # vowels whose own mark is a shape, not a tone: the tone sits on them
# The letters a Vietnamese syllable is spelt with (tone marks come on top of the vowels).
_LETTERS = frozenset("abcdđeghiklmnopqrstuvxyăâêôơư")

# --- syllable structure ---------------------------------------------------------------------------------------

_ONSETS = ("ngh", "ng", "nh", "gh", "gi", "kh", "ph", "th", "tr", "ch", "qu",
           "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "")

# Rhymes without a medial /w/, as spelt after an onset (or alone).
_PLAIN_RHYMES = frozenset(["a", "ac", "ach", "ai", "am", "an", "ang", "anh", "ao", "ap", "at", "au", "ay", "ăc", "ăm", "ăn", "ăng", "ăp", "ăt", "âc", "âm", "ân", "âng", "âp", "ât", "âu", "ây", "e", "ec", "em", "en", "eng", "eo", "ep", "et", "ê", "êch", "êm", "ên", "ênh", "êp", "êt", "êu", "i", "ia", "ich", "im", "in", "inh", "ip", "it", "iu", "iêc", "iêm", "iên", "iêng", "iêp", "iêt", "iêu", "o", "oc", "oi", "om", "on", "ong", "op", "ot", "oong", "ooc", "ô", "ôc", "ôi", "ôm", "ôn", "ông", "ôp", "ôt", "ơ", "ơi", "ơm", "ơn", "ơp", "ơt", "u", "ua", "uc", "ui", "um", "un", "ung", "up", "ut", "uôc", "uôi", "uôm", "uôn", "uông", "uôt", "ư", "ưa", "ưc", "ưi", "ưm", "ưn", "ưng", "ưt", "ưu", "ươc", "ươi", "ươm", "ươn", "ương", "ươp", "ươt", "ươu", "y", "yêm", "yên", "yêt", "yêu"])

# The part after a medial /w/. It is spelt "o" before a/ă/e ("hoa", "hoặc", "khoẻ") and "u" otherwise ("tuần",
# "thuế", "thuỷ", "thuở"); after q it is always "u" ("qua", "quen", "quyết").
_AFTER_MEDIAL = frozenset(["a", "ac", "ach", "ai", "am", "an", "ang", "anh", "ao", "ap", "at", "ay", "ăc", "ăm", "ăn", "ăng", "ăt", "ân", "âng", "ât", "ây", "e", "en", "eo", "et", "ê", "êch", "ên", "ênh", "êt", "y", "ych", "ynh", "yt", "yu", "ya", "yên", "yêt", "ơ"])

_STOPS = ("ch", "c", "p", "t")  # codas that allow only the acute and dot-below tones


def _medial_spelling(rest: str) -> str:
    return ("o" if rest[0] in "aăe" else "u") + rest


_MEDIAL_RHYMES = frozenset(_medial_spelling(r) for r in _AFTER_MEDIAL)


def split_tone(syllable: str) -> tuple[str, int, int]:
    """``(letters without tone, tone number, how many tone marks there were)`` of a lower-case syllable."""
    tone, marks, kept = 0, 0, []
    for ch in unicodedata.normalize("NFD", syllable):
        if ch in _TONE_OF_MARK:
            tone, marks = _TONE_OF_MARK[ch], marks + 1
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)), tone, marks


def _rhyme_fits(onset: str, rhyme: str) -> bool:
    """Whether ``rhyme`` (as spelt) may follow ``onset``."""
    if onset == "qu":
        # "qu" carries the medial: "qua", "quyết"; "quốc" keeps the plain rhyme "uôc" after its q.
        return rhyme in _AFTER_MEDIAL or rhyme in ("i", "it", "ôc", "ăp", "au")
    if onset == "gi":
        # "gi" + rhyme: "gia", "giữ"; "giêng"/"giết" write the rhyme iê without its i; "gì" has no rhyme letters.
        return rhyme == "" or (rhyme[0] != "i" and (rhyme in _PLAIN_RHYMES or "i" + rhyme in _PLAIN_RHYMES))
    if rhyme in _MEDIAL_RHYMES:
        return onset not in ("c", "k", "gh", "ngh", "q")
    if rhyme not in _PLAIN_RHYMES:
        return False
    front = rhyme[0] in "ieêy"
    if onset in ("k", "gh", "ngh"):
        return front
    if onset in ("c", "g", "ng") and front:
        return False
    if rhyme.startswith("yê"):
        return onset == ""  # "yêu", "yên"; after an onset it is written iê
    if rhyme.startswith("iê"):
        return onset != ""
    return True


@cache
def _base_is_valid(base: str) -> bool:
    for onset in _ONSETS:
        if base.startswith(onset) and _rhyme_fits(onset, base[len(onset):]):
            return True
    return False


def is_valid_syllable(word: str) -> bool:
    """Whether ``word`` (any case, NFC or not) is spelt like a Vietnamese syllable, tone included."""
    base, tone, marks = split_tone(nfc(word).lower())
    if marks > 1 or not base or not set(base) <= _LETTERS or not _VOWELS & set(base):
        return False
    if not _base_is_valid(base):
        return False
    if base.endswith(_STOPS) and tone not in (0, _ACUTE, _DOT):
        return False
    # A stop-final syllable with the level tone exists only in loans ("pin" has no stop); Vietnamese has none.
    return not (base.endswith(_STOPS) and tone == 0)


def _nucleus_span(base: str) -> tuple[int, int]:
    """Start and end of the vowel run that carries the tone (the u of "qu" and the i of "gi" are onset)."""
    start = 0
    if base.startswith("qu") or base.startswith("gi") and len(base) > 2 and base[2] in _VOWELS:
        start = 2
    while start < len(base) and base[start] not in _VOWELS:
        start += 1
    end = start
    while end < len(base) and base[end] in _VOWELS:
        end += 1
    if start == len(base):  # "gì": the i of gi is the only vowel
        start, end = 1, 2
    return start, end


def place_tone(base: str, tone: int) -> str:
    """Put ``tone`` on ``base`` in the project's style: on the shaped vowel if any (ế, ờ), else on the last vowel
    before a coda (oán), else on the first of two open vowels (hòa, thủy, mía) or the middle of three (ngoái)."""
    if tone == 0:
        return base
    start, end = _nucleus_span(base)
    vowels = base[start:end]
    shaped = [i for i, ch in enumerate(vowels) if ch in _SHAPED]
    if shaped:
        at = shaped[-1]  # "ươ" takes it on ơ
    elif len(vowels) == 1:
        at = 0
    elif end < len(base):
        at = len(vowels) - 1
    else:
        at = 1 if len(vowels) == 3 else 0
    i = start + at
    marked = unicodedata.normalize("NFC", base[i] + _MARK_OF_TONE[tone])
    return base[:i] + marked + base[i + 1:]


def canonical_syllable(word: str) -> str:
    """Lower case, NFC, tone in the project's place: "HOÀ" and "hòa" → "hòa". Other words: just lower-cased NFC."""
    lowered = nfc(word).lower()
    base, tone, marks = split_tone(lowered)
    if marks != 1 or not _base_is_valid(base):
        return lowered
    return place_tone(base, tone)


def fold_syllable(word: str) -> str:
    """Letters without any mark, đ as d: the key that all misreads of one syllable share."""
    decomposed = unicodedata.normalize("NFD", word.lower().replace("đ", "d"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


# --- the language model ---------------------------------------------------------------------------------------


@dataclass
class SyllableModel:
    """Unigram and bigram counts of canonical syllables, with absolute-discount backoff to the unigram."""

    unigrams: dict[str, int]
    bigrams: dict[tuple[str, str], int]
    discount: float = 0.75
    _total: int = 0
    _follow_total: dict[str, int] = field(default_factory=dict)
    _follow_kinds: dict[str, int] = field(default_factory=dict)
    _by_fold: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._total = sum(self.unigrams.values())
        for (left, _), count in self.bigrams.items():
            self._follow_total[left] = self._follow_total.get(left, 0) + count
            self._follow_kinds[left] = self._follow_kinds.get(left, 0) + 1
        for syllable in self.unigrams:
            self._by_fold.setdefault(fold_syllable(syllable), []).append(syllable)
        size = self._total + len(self.unigrams)
        self._floor_p = 0.5 / size
        self._p = {word: (count + 0.5) / size for word, count in self.unigrams.items()}
        self._log_p = {word: math.log(p) for word, p in self._p.items()}
        self._floor = math.log(self._floor_p)

    def log_unigram(self, word: str) -> float:
        return self._log_p.get(word, self._floor)

    def log_bigram(self, left: str, word: str) -> float:
        """log P(word | left)."""
        total = self._follow_total.get(left, 0)
        if not total:
            return self._log_p.get(word, self._floor)
        seen = max(self.bigrams.get((left, word), 0) - self.discount, 0.0)
        backoff = self.discount * self._follow_kinds[left] * self._p.get(word, self._floor_p)
        return math.log((seen + backoff) / total)

    def spellings(self, folded: str) -> list[str]:
        """Known syllables with these letters, however marked."""
        return self._by_fold.get(folded, [])

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> SyllableModel:
        """Read the ``U\\tword\\tcount`` / ``B\\tleft\\tright\\tcount`` lines of a model file."""
        unigrams: dict[str, int] = {}
        bigrams: dict[tuple[str, str], int] = {}
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                parts = line.rstrip("\n").split("\t")
                if parts[0] == "U":
                    unigrams[parts[1]] = int(parts[2])
                elif parts[0] == "B":
                    bigrams[(parts[1], parts[2])] = int(parts[3])
        return cls(unigrams, bigrams)


@cache
def default_model() -> SyllableModel:
    return SyllableModel.load()


# --- the error model ------------------------------------------------------------------------------------------

# Cost (in natural-log units) of one mark the recogniser got wrong. A tone swapped or lost and a vowel's shape lost
# (ê→e, ô→o) are the common misreads; đ↔d is rarer. A low-confidence word makes every change cheaper.
TONE_COST = 3.0
SHAPE_COST = 3.0
# In a word set in capitals, a tone stacked over a circumflex, breve or horn (Ễ, Ố, Ầ, Ợ) squeezes against the line
# above and is the mark recognisers drop most (NGUYỄN → NGUYÊN, PHỐ → PHÔ): a tone added there costs less.
STACKED_TONE_COST = 1.5
# Also in capitals, the hook above and the acute are both a small stroke over the letter, told apart by a few pixels
# (TỈNH → TÍNH, GIÁM → GIẢM): taking one for the other costs less.
CAPITAL_HOOK_COST = 1.5
STROKE_COST = 4.5
LOW_CONFIDENCE = 0.6
LOW_CONFIDENCE_FACTOR = 0.7
# A word that is a valid syllable stays unless another spelling is this much likelier in context after its error
# cost (3 nats: about 20 times). Words, names above all, that the model knows little about stay as read.
KEEP_MARGIN = 3.0
# A valid word in a run of capitalised words is a proper name (Trần Minh, Nguyễn Thị Phương): it is changed for its
# context only on this much more evidence, since both names exist (measured on generated papers: Trần → Trấn,
# Phương → Phường, Hiếu → Hiệu were most of the wrong changes; real decisions lost nothing).
PROPER_NAME_MARGIN = 2.0
# The most a changed word keeps of its confidence, so that review always sees a change.
CHANGED_CONFIDENCE_FACTOR = 0.9
# A word the recogniser read as a valid syllable and the model replaced for its context is the model's guess
# against what was seen: names (Thùy/Thủy, Tiến/Tiền) are both valid and the context says little about them. Such a
# word is at most this sure, under any review threshold, so a paper holding it is never approved unseen.
CONTEXT_CHANGE_CONFIDENCE = 0.5
# The recogniser's own second opinions (Word.alternatives, pipeline/ocr/choices.py): a spelling it weighed at a
# relative score s costs -ln(s) nats instead of the fixed cost of a misread mark (never under the floor), and a
# context change to it is no blind guess — unless the word is part of a proper name, where the model's context
# says little (both names exist).
SUPPORTED_SCORE = 0.3
SUPPORTED_COST_FLOOR = 0.3

_SHAPE_OF = {"ă": "a", "â": "a", "ê": "e", "ô": "o", "ơ": "o", "ư": "u", "đ": "d"}


def _letters_and_tones(base_syllable: str) -> tuple[str, int]:
    base, tone, _ = split_tone(base_syllable)
    return base, tone


def change_cost(observed: str, candidate: str, capitals: bool = False) -> float:
    """Error-model cost of reading ``candidate`` as ``observed`` (both lower case, same folded letters);
    ``capitals``: the word was read in capitals, where a tone stacked on a shaped vowel is easily lost."""
    seen_base, seen_tone = _letters_and_tones(observed)
    cand_base, cand_tone = _letters_and_tones(candidate)
    cost = TONE_COST if seen_tone != cand_tone else 0.0
    if capitals and seen_base == cand_base:
        if seen_tone == 0 and cand_tone and _SHAPED & set(seen_base):
            cost = STACKED_TONE_COST
        elif {seen_tone, cand_tone} == {_ACUTE, _HOOK}:
            cost = CAPITAL_HOOK_COST
    for a, b in zip(seen_base, cand_base, strict=False):
        if a != b:
            cost += STROKE_COST if "đ" in (a, b) else SHAPE_COST
    return cost


# --- words ----------------------------------------------------------------------------------------------------

_WORD = re.compile(r"^(\W*)(\w+?)(\W*)$")


@dataclass(frozen=True)
class _Reading:
    """What one token of OCR output is, for correction."""

    core: str  # the letters, as read ("QUYÉT"); "" for a token that is not a word of letters
    key: str  # canonical lower-case syllable, or "" when the core is not a valid syllable
    valid: bool
    candidates: tuple[tuple[str, float], ...]  # other known spellings and their change cost


@lru_cache(maxsize=200_000)
def _read(core: str) -> _Reading:
    if not core.isalpha():
        return _Reading("", "", False, ())
    lowered = core.lower()
    if not set(split_tone(lowered)[0]) <= _LETTERS:
        return _Reading("", "", False, ())  # letters Vietnamese does not use (ï, ç, w…): not a Vietnamese word
    valid = is_valid_syllable(lowered)
    key = canonical_syllable(lowered) if valid else ""
    model = default_model()
    capitals = core.isupper() and len(core) > 1
    candidates = tuple(
        (spelling, change_cost(lowered, spelling, capitals=capitals))
        for spelling in model.spellings(fold_syllable(lowered))
        if spelling != key and is_valid_syllable(spelling)
    )
    if not valid and not candidates and len(lowered) >= 3:  # "AA" (a serial's letters) is no doubled vowel
        candidates = _undoubled(lowered, model, capitals)
    return _Reading(core, key, valid, candidates)


# A vowel printed once and read twice ("PHỔO", "NGUYỄẼN"): the recogniser saw the marked vowel and again its bare
# or re-marked shadow. Costs a misread mark on top of whatever the shorter word needs.
DOUBLED_VOWEL_COST = 3.0


def _undoubled(lowered: str, model: SyllableModel, capitals: bool) -> tuple[tuple[str, float], ...]:
    """Spellings of ``lowered`` with one of two adjacent readings of the same vowel dropped, and their costs."""
    found: dict[str, float] = {}
    bases = [fold_syllable(ch) for ch in lowered]
    for i in range(len(lowered) - 1):
        if bases[i] != bases[i + 1] or bases[i] not in "aeiouy":
            continue
        for shorter in (lowered[:i] + lowered[i + 1:], lowered[:i + 1] + lowered[i + 2:]):
            for spelling in model.spellings(fold_syllable(shorter)):
                if is_valid_syllable(spelling):
                    cost = DOUBLED_VOWEL_COST + change_cost(shorter, spelling, capitals=capitals)
                    found[spelling] = min(found.get(spelling, math.inf), cost)
    return tuple(found.items())


def _split(token: str) -> tuple[str, str, str]:
    """Leading punctuation, letters, trailing punctuation ("(QUYÉT," → "(", "QUYÉT", ",")."""
    match = _WORD.match(token)
    if not match or "_" in match.group(2):
        return "", "", token
    return match.group(1), match.group(2), match.group(3)


def _with_case(spelling: str, observed: str) -> str:
    """``spelling`` in the letter case of ``observed`` (same number of letters: only marks differ)."""
    if observed.isupper():
        return spelling.upper()
    if len(spelling) != len(observed):
        return spelling.capitalize() if observed[:1].isupper() else spelling
    return "".join(c.upper() if o.isupper() else c for c, o in zip(spelling, observed, strict=True))


@dataclass
class CorrectionStats:
    words: int = 0  # tokens seen
    syllables: int = 0  # tokens made of letters
    invalid: int = 0  # of those, not a valid Vietnamese syllable
    changed_invalid: int = 0  # invalid ones replaced by a valid syllable
    changed_in_context: int = 0  # valid ones replaced because the context asked for another spelling
    unglued: int = 0  # tokens read as one that were words run together (năm2023, bôsung): given their spaces
    changes: list[tuple[str, str]] = field(default_factory=list)  # (as read, as corrected)

    @property
    def changed(self) -> int:
        return self.changed_invalid + self.changed_in_context

    def __iadd__(self, other: CorrectionStats) -> Self:
        self.words += other.words
        self.syllables += other.syllables
        self.invalid += other.invalid
        self.changed_invalid += other.changed_invalid
        self.changed_in_context += other.changed_in_context
        self.unglued += other.unglued
        self.changes += other.changes
        return self


@dataclass(frozen=True)
class _Choice:
    token: str  # the corrected token, punctuation kept
    changed: bool
    share: float  # share of probability the chosen spelling won among the candidates (1.0 when unchanged)
    margin: float = 0.0  # how much better (log) the chosen spelling scored than the word as read, if it was valid
    in_context: bool = False  # a valid word replaced because its context asked for another spelling
    supported: bool = False  # the spelling chosen was one the recogniser itself weighed (not in a proper name)


def correct_tokens(
    tokens: list[str],
    confidences: list[float] | None = None,
    model: SyllableModel | None = None,
    stats: CorrectionStats | None = None,
    foreign_around: tuple[bool, bool] = (False, False),
    alternatives: list[list[tuple[str, float]]] | None = None,
) -> list[_Choice]:
    """Correct one line of OCR tokens in order, each in the context of its corrected left neighbour and its
    right neighbour as read. Punctuation and non-words break the context. ``foreign_around``: whether the line
    before ends, and the line after starts, with foreign words (a transliterated name wrapped over two lines).
    ``alternatives``: per token, the other spellings the recogniser weighed and their scores (cheaper changes).
    A token that is words run together (``năm2023``, ``bôsung``) is given its spaces first; its choice holds
    them (``năm 2023``, ``bổ sung``)."""
    model = model or default_model()
    stats = stats if stats is not None else CorrectionStats()
    pieces = [unglue(nfc(token), model) for token in tokens]
    if all(len(p) == 1 for p in pieces):
        return _correct_pieces(tokens, confidences, model, stats, foreign_around, alternatives)
    flat = [piece for p in pieces for piece in p]
    flat_confidences = [c for c, p in zip(confidences, pieces, strict=True) for _ in p] if confidences else None
    # a token given back its spaces has no alternatives of its own pieces
    flat_alternatives = [a if len(p) == 1 else [] for a, p in zip(alternatives, pieces, strict=True)
                         for _ in p] if alternatives else None
    flat_choices = _correct_pieces(flat, flat_confidences, model, stats, foreign_around, flat_alternatives)
    choices, at = [], 0
    for token, p in zip(tokens, pieces, strict=True):
        group = flat_choices[at:at + len(p)]
        at += len(p)
        if len(p) == 1:
            choices.append(group[0])
            continue
        joined = " ".join(c.token for c in group)
        stats.unglued += 1
        stats.changes.append((token, joined))
        choices.append(_Choice(joined, True, min(c.share for c in group), in_context=any(c.in_context for c in group),
                               supported=all(c.supported for c in group if c.in_context)))
    return choices


# A syllable glued before a number (năm2023, Số251), and the shortest lower-case syllable split off the end of a
# number or code (19tháng, 92/2017/NĐ-CPngày): "2ha" (hectares) stays as written.
_GLUED_BEFORE_NUMBER = re.compile(r"^([^\W\d_]{2,})(\d[\d/.,]*\W*)$")
_MIN_GLUED_TAIL = 3


# A comma or semicolon with a letter right after it ("Họ,chữ", "VT,NV."; "133,7" is a decimal comma), and a list
# dash glued to its first word ("-Lưu:"): a space lost.
_GLUED_AFTER_PUNCTUATION = re.compile(r"(?<=[^\W\d_][,;])(?=[^\W\d_])|(?<=^[-+•])(?=[^\W\d_])")


def unglue(token: str, model: SyllableModel | None = None) -> list[str]:
    """``token`` as the words it holds, where the recogniser lost the space between them: a syllable glued to a
    number (``năm2023``, ``19tháng``, ``Số251``) or to a code (``92/2017/NĐ-CPngày``), two syllables run
    together (``bôsung``, ``đềnghị``, ``Trườnghợp``) that the model knows as a pair (in some spelling), words
    after a comma (``Họ,chữ``) or a list dash (``-Lưu:``). A Vietnamese word is never written that way; a token
    that is one syllable, a code or a foreign word is returned alone."""
    parts = _GLUED_AFTER_PUNCTUATION.split(token)
    if len(parts) > 1:
        return [piece for part in parts if part for piece in unglue(part, model)]
    before = _GLUED_BEFORE_NUMBER.match(token)
    if before and is_valid_syllable(before.group(1)):
        return [before.group(1), before.group(2)]
    cut = len(token)
    while cut > 0 and token[cut - 1].isalpha() and token[cut - 1].islower():
        cut -= 1
    head, tail = token[:cut], token[cut:]
    if len(tail) >= _MIN_GLUED_TAIL and any(ch.isdigit() for ch in head) and (head[-1].isdigit() or head[-1].isupper()) \
            and is_valid_syllable(tail):
        return [head, tail]
    lead, core, trail = _split(token)
    if len(core) < 4 or not core.isalpha() or is_valid_syllable(core):
        return [token]
    model = model or default_model()
    best, best_count = None, 0
    for cut in range(2, len(core) - 1):
        first, second = core[:cut], core[cut:]
        if not (second.islower() or core.isupper()) or not (is_valid_syllable(first) and is_valid_syllable(second)):
            continue
        count = max((model.bigrams.get((a, b), 0) for a in model.spellings(fold_syllable(first))
                     for b in model.spellings(fold_syllable(second))), default=0)
        if count > best_count:
            best, best_count = cut, count
    if best is None:
        return [token]
    return [lead + core[:best], core[best:] + trail]


def _correct_pieces(
    tokens: list[str],
    confidences: list[float] | None,
    model: SyllableModel,
    stats: CorrectionStats,
    foreign_around: tuple[bool, bool],
    alternatives: list[list[tuple[str, float]]] | None = None,
) -> list[_Choice]:
    parts = [_split(nfc(t)) for t in tokens]
    readings = _readings(parts)
    choices: list[_Choice] = []
    unmarked_line = all(core.isascii() for _, core, _ in parts)
    transliterated = _beside_foreign_words(parts, readings, *foreign_around)
    proper = _in_proper_names(parts, readings)
    left = ""  # the corrected previous syllable, or "" after a break
    for i, (lead, core, trail) in enumerate(parts):
        reading = readings[i]
        stats.words += 1
        if not reading.core:
            choices.append(_Choice(tokens[i], False, 1.0))
            left = ""
            continue
        stats.syllables += 1
        stats.invalid += not reading.valid
        right = ""
        if not trail and i + 1 < len(parts) and not parts[i + 1][0]:
            right = _best_alone(readings[i + 1], model)
        left_ctx = "" if lead else left
        factor = LOW_CONFIDENCE_FACTOR if confidences and confidences[i] < LOW_CONFIDENCE else 1.0
        weighed = _weighed_spellings(alternatives[i]) if alternatives else {}
        options = [(c, min(cost, max(SUPPORTED_COST_FLOOR, -math.log(weighed[c]))) * factor if c in weighed
                    else cost * factor) for c, cost in reading.candidates]
        if unmarked_line or transliterated[i]:
            # a line printed without any diacritics (a machine-readable zone, a name in ASCII) means it, and so
            # does an unmarked word among foreign ones (a company's name in English: PHAT LOC TRADING)
            choices.append(_Choice(tokens[i], False, 1.0))
            left = ""
            continue
        if reading.valid:
            options.append((reading.key, -KEEP_MARGIN - (PROPER_NAME_MARGIN if proper[i] else 0.0)))
        if not options:
            choices.append(_Choice(tokens[i], False, 1.0))
            left = "" if trail else reading.key
            continue
        scored = [(_context_score(model, left_ctx, c, right) - cost, c) for c, cost in options]
        best_score, best = max(scored)
        if best == reading.key:
            choices.append(_Choice(tokens[i], False, 1.0))
        else:
            share = 1.0 / sum(math.exp(s - best_score) for s, _ in scored)
            corrected = _with_case(best, core)
            kept = [s for s, c in scored if c == reading.key]
            margin = best_score - kept[0] if kept else math.inf
            supported = weighed.get(best, 0.0) >= SUPPORTED_SCORE and not proper[i]
            choices.append(_Choice(lead + corrected + trail, True, share, margin, in_context=reading.valid,
                                   supported=supported))
            stats.changes.append((core, corrected))
            if reading.valid:
                stats.changed_in_context += 1
            else:
                stats.changed_invalid += 1
        left = "" if trail else best
    return choices


def _weighed_spellings(alternatives: list[tuple[str, float]]) -> dict[str, float]:
    """The recogniser's alternatives of one token as canonical syllables → score."""
    weighed: dict[str, float] = {}
    for spelling, score in alternatives:
        core = _split(nfc(spelling))[1].lower()
        if core and is_valid_syllable(core):
            key = canonical_syllable(core)
            weighed[key] = max(weighed.get(key, 0.0), score)
    return weighed


def _readings(parts: list[tuple[str, str, str]]) -> list[_Reading]:
    return [_read(core) if core else _Reading("", "", False, ()) for _, core, _ in parts]


def _unmarked_runs(parts: list[tuple[str, str, str]], readings: list[_Reading]) -> list[tuple[int, int, bool]]:
    """Runs of consecutive unmarked (ASCII) words, punctuation allowed between them: ``(start, end, foreign)``,
    foreign when a word of the run fits no Vietnamese spelling at all (TRADING, COMPANY, JSC)."""
    runs = []
    start = 0
    while start < len(parts):
        end = start
        while end < len(parts) and parts[end][1].isascii() and parts[end][1].isalpha():
            end += 1
        if end > start:
            foreign = any(not r.core or not r.valid and not r.candidates for r in readings[start:end])
            runs.append((start, end, foreign))
        start = end + 1
    return runs


def foreign_edges(tokens: list[str]) -> tuple[bool, bool]:
    """Whether a line starts, and whether it ends, with a run of unmarked words holding a foreign one."""
    parts = [_split(nfc(t)) for t in tokens]
    runs = _unmarked_runs(parts, _readings(parts))
    starts = bool(runs) and runs[0][0] == 0 and runs[0][2]
    ends = bool(runs) and runs[-1][1] == len(parts) and runs[-1][2]
    return starts, ends


def _beside_foreign_words(parts: list[tuple[str, str, str]], readings: list[_Reading], foreign_before: bool = False,
                          foreign_after: bool = False) -> list[bool]:
    """Per token: an unmarked word in a run of unmarked words that holds a foreign word, or that continues such a
    run from the line before or into the line after: the run is a transliteration (PHAT LOC TRADING)."""
    flags = [False] * len(readings)
    for start, end, foreign in _unmarked_runs(parts, readings):
        if (foreign and end - start >= 2) or (start == 0 and foreign_before) or (end == len(readings) and foreign_after):
            flags[start:end] = [True] * (end - start)
    return flags


def _in_proper_names(parts: list[tuple[str, str, str]], readings: list[_Reading]) -> list[bool]:
    """Per token: a valid word written with a capital and lower case after it, next to another such word with no
    punctuation between them (Trần Minh, Nguyễn Thị Phương): part of a proper name. A capitalised word at the
    start of a sentence has a lower-case neighbour, and a heading in capitals is not title case. On a line that
    also holds lower-case words, a run of words in capitals is a name written after its label ("Họ và tên cha:
    NGUYỄN TUẤN THUẬN") — a heading line in capitals (QUYẾT ĐỊNH, TỈNH LẠNG SƠN) has no lower-case words."""
    lower_case_line = any(core and core.islower() for _, core, _ in parts)

    def titled(i: int) -> bool:
        core = parts[i][1]
        if not readings[i].valid or len(core) < 2:
            return False
        return (core[0].isupper() and core[1:].islower()) or (lower_case_line and core.isupper())

    flags = []
    for i in range(len(parts)):
        joined_left = i > 0 and not parts[i - 1][2] and not parts[i][0] and titled(i - 1)
        joined_right = i + 1 < len(parts) and not parts[i][2] and not parts[i + 1][0] and titled(i + 1)
        flags.append(titled(i) and (joined_left or joined_right))
    return flags


def _context_score(model: SyllableModel, left: str, word: str, right: str) -> float:
    score = model.log_bigram(left, word) if left else model.log_unigram(word)
    if right:
        score += model.log_bigram(word, right)
    return score


def _best_alone(reading: _Reading, model: SyllableModel) -> str:
    """The right neighbour as context: itself if valid, else its likeliest spelling on its own."""
    if not reading.core:
        return ""
    if reading.valid:
        return reading.key
    if not reading.candidates:
        return ""
    return max(reading.candidates, key=lambda c: model.log_unigram(c[0]) - c[1])[0]


def correct_text(text: str, model: SyllableModel | None = None) -> str:
    """Correct every line of ``text`` (whitespace between words is normalised to one space per line)."""
    out = []
    for line in nfc(text).split("\n"):
        tokens = line.split()
        out.append(" ".join(c.token for c in correct_tokens(tokens, model=model)))
    return "\n".join(out)


def correct_line(line: Line, model: SyllableModel | None = None, stats: CorrectionStats | None = None,
                 foreign_around: tuple[bool, bool] = (False, False)) -> Line:
    """The line with its words corrected; boxes kept; a changed word's confidence lowered."""
    choices = correct_tokens([w.text for w in line.words], [w.confidence for w in line.words], model, stats,
                             foreign_around, [w.alternatives for w in line.words])
    words = []
    for word, choice in zip(line.words, choices, strict=True):
        if choice.changed:
            confidence = word.confidence * min(CHANGED_CONFIDENCE_FACTOR, choice.share)
            if choice.in_context and not choice.supported:
                confidence = min(confidence, CONTEXT_CHANGE_CONFIDENCE)
            texts = choice.token.split(" ")
            if len(texts) == 1:
                # what the recogniser read becomes the corrected word's first alternative: it preferred it
                alternatives = [(word.text, 1.0)] + [a for a in word.alternatives if a[0] != choice.token]
                words.append(word.model_copy(update={"text": choice.token, "confidence": round(confidence, 4),
                                                     "alternatives": alternatives[:3]}))
            else:
                words += _words_in_box(texts, word.bbox, round(confidence, 4))
        else:
            words.append(word)
    return Line(words=words)


def _words_in_box(texts: list[str], bbox: tuple[int, int, int, int], confidence: float) -> list[Word]:
    """Words sharing one box (a token given back its spaces), each a slice of its width by letter count."""
    left, top, right, bottom = bbox
    total = sum(len(t) for t in texts) + len(texts) - 1
    words, used = [], 0
    for text in texts:
        start = left + (right - left) * used // total
        used += len(text)
        words.append(Word(text=text, bbox=(start, top, max(start + 1, left + (right - left) * used // total), bottom),
                          confidence=confidence))
        used += 1
    return words


def correct_page(page: Page, model: SyllableModel | None = None, stats: CorrectionStats | None = None) -> Page:
    """A corrected copy of one OCR'd page (the input is not changed)."""
    stats = stats if stats is not None else CorrectionStats()
    blocks = []
    for block in page.blocks:
        edges = [foreign_edges([w.text for w in line.words]) for line in block.lines]
        lines = [
            correct_line(line, model, stats, (i > 0 and edges[i - 1][1], i + 1 < len(edges) and edges[i + 1][0]))
            for i, line in enumerate(block.lines)
        ]
        blocks.append(block.model_copy(update={"lines": lines}))
    return page.model_copy(update={"blocks": blocks})


def correct_document(doc: Document, model: SyllableModel | None = None) -> tuple[Document, CorrectionStats]:
    """A corrected copy of ``doc`` (the input is not changed) and what was done to it."""
    stats = CorrectionStats()
    pages = [correct_page(page, model, stats) for page in doc.pages]
    return doc.model_copy(update={"pages": pages}), stats
