"""The document as OCR line segments, and printed labels found on them: what classification and field extraction share.

A *segment* is the words of one OCR line with no wide gap between them (one cell of text: two columns of a header
come back from OCR as one line and are cut apart here), with its text folded character by character so that
labels can be compared without tone marks, capitals, spaces or punctuation. A *phrase* is a label prepared for
that comparison; ``raw_hits``/``find_hits`` say where a phrase stands on a segment *as a label* (line start,
before a colon, or spelt out in full mid-line), scored with rapidfuzz so that OCR damage is tolerated.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from statistics import median

from rapidfuzz import fuzz, process

from extractors import parsers
from pipeline.document import BBox, Document, Word, union_bbox
from pipeline.textnorm import nfc

# ================================================================= the document as segments


@dataclass(eq=False)
class Seg:
    """Words of one OCR line with no wide gap between them: one cell of text on the page."""

    page: int
    words: list[Word]
    text: str
    starts: list[int]  # offset of each word in ``text``
    lens: list[int]  # length of each word in ``text``
    folded: str  # ``text`` folded character by character (same length)
    compact: str  # folded, letters and digits only: what labels are matched against
    cmap: list[int]  # compact index → text index
    colons: list[int]  # compact index just after each colon (labels end there)
    bbox: BBox
    height: float
    order: int = 0  # reading order over the document
    row: int = 0  # row number on its page (segments side by side share a row)

    @property
    def x0(self) -> int:
        return self.bbox[0]

    @property
    def y0(self) -> int:
        return self.bbox[1]

    @property
    def x1(self) -> int:
        return self.bbox[2]

    @property
    def y1(self) -> int:
        return self.bbox[3]

    @property
    def yc(self) -> float:
        return (self.bbox[1] + self.bbox[3]) / 2

    def span_box(self, start: int, end: int) -> BBox:
        """Box of the characters ``[start, end)``; a partly covered word is cut in proportion."""
        boxes = []
        for word, ws, n_chars in zip(self.words, self.starts, self.lens):
            we = ws + n_chars
            lo, hi = max(start, ws), min(end, we)
            if lo >= hi:
                continue
            x0, y0, x1, y1 = word.bbox
            n = max(1, we - ws)
            boxes.append((x0 + (x1 - x0) * (lo - ws) // n, y0, x0 + (x1 - x0) * (hi - ws) // n, y1))
        return union_bbox(boxes) if boxes else self.bbox

    def span_confidence(self, start: int, end: int) -> float:
        parts = [(self._word_confidence(w, ws, n, end), n) for w, ws, n in zip(self.words, self.starts, self.lens)
                 if ws < end and ws + n > start]
        total = sum(n for _, n in parts)
        return sum(c * n for c, n in parts) / total if total else 0.0

    def span_least_confidence(self, start: int, end: int) -> float:
        """The confidence of the least sure word in ``[start, end)`` (0 when none)."""
        return min((self._word_confidence(w, ws, n, end) for w, ws, n in zip(self.words, self.starts, self.lens)
                    if ws < end and ws + n > start), default=0.0)

    def _word_confidence(self, word: Word, ws: int, n: int, end: int) -> float:
        """A word's OCR confidence, except where OCR glued a dotted leader to the value ("Ngọc......nnnn"): the
        junk it made of the dots, not the value, set that word's confidence; the line's other words stand in."""
        if ws + n <= end or not _GLUED_LEADER.match(self.text, end, ws + n):
            return word.confidence
        others = [w.confidence for w in self.words if not _GLUED_LEADER.search(w.text)]
        return min(word.confidence if word.confidence > 0.5 else 1.0, median(others)) if others else word.confidence


_GLUED_LEADER = re.compile(r"\s*[.…·_]{3,}")


@dataclass
class PageInfo:
    number: int
    width: int
    height: int


@dataclass
class View:
    """All segments of a document in reading order, with per-page lookup."""

    segs: list[Seg]
    pages: dict[int, PageInfo]
    by_page: dict[int, list[Seg]] = field(default_factory=dict)


def _make_seg(page: int, words: list[Word]) -> Seg:
    texts = [w.text for w in words]
    if not all(t.isascii() for t in texts):
        texts = nfc("\x00".join(texts)).split("\x00")  # one normalisation call per line, not per word
    starts, lens, pos = [], [], 0
    for t in texts:
        starts.append(pos)
        lens.append(len(t))
        pos += len(t) + 1
    text = " ".join(texts)
    folded = parsers.fold_aligned(text)
    cmap = [i for i, ch in enumerate(folded) if ch.isalnum()]
    compact = "".join(folded[i] for i in cmap)
    heights = [w.bbox[3] - w.bbox[1] for w in words]
    colons = [k for k in (bisect_left(cmap, i) for i, ch in enumerate(text) if ch in ":：") if k > 0]
    return Seg(page, words, text, starts, lens, folded, compact, cmap, colons, union_bbox([w.bbox for w in words]),
               float(max(1.0, median(heights))))


def _split_line(words: list[Word]) -> list[list[Word]]:
    """Cut a line where the gap between words is much wider than the text is tall (a column gap)."""
    words = sorted((w for w in words if w.text.strip()), key=lambda w: w.bbox[0])
    if not words:
        return []
    h = median(max(1, w.bbox[3] - w.bbox[1]) for w in words)
    parts, current = [], [words[0]]
    for prev, word in pairwise(words):
        gap = word.bbox[0] - prev.bbox[2]
        # A word that starts in lower case right after a letter goes on a phrase ("Nơi thường   trú / Place of
        # residence"): OCR boxes a word of small print too narrow now and then; a cell starts in a capital or a digit.
        goes_on = word.text[:1].islower() and prev.text[-1:].isalpha() and gap <= 4.0 * h
        if gap > 2.0 * h and not goes_on:
            parts.append(current)
            current = []
        current.append(word)
    parts.append(current)
    return parts


def build_view(doc: Document) -> View:
    """Segments of every page, ordered by rows top to bottom and left to right within a row."""
    segs: list[Seg] = []
    pages: dict[int, PageInfo] = {}
    by_page: dict[int, list[Seg]] = {}
    for page in doc.pages:
        pages[page.number] = PageInfo(page.number, page.width, page.height)
        page_segs = [_make_seg(page.number, part) for line in page.lines for part in _split_line(line.words)]
        page_segs.sort(key=lambda s: s.yc)
        row, row_yc, row_h = -1, -1e9, 0.0
        for s in page_segs:
            if abs(s.yc - row_yc) > 0.5 * max(row_h, s.height):
                row, row_yc, row_h = row + 1, s.yc, s.height
            s.row = row
        page_segs.sort(key=lambda s: (s.row, s.x0))
        by_page[page.number] = page_segs
        segs.extend(page_segs)
    for i, s in enumerate(segs):
        s.order = i
    return View(segs, pages, by_page)


# ================================================================= label matching


@dataclass(frozen=True)
class Phrase:
    text: str
    compact: str
    cutoff: float
    short: bool


@lru_cache(maxsize=2048)
def phrase(text: str) -> Phrase:
    folded = parsers.fold_aligned(text)
    compact = "".join(ch for ch in folded if ch.isalnum())
    n = len(compact)
    cutoff = 100.0 if n <= 4 else 88.0 if n <= 7 else 84.0 if n <= 11 else 80.0
    return Phrase(text, compact, cutoff, n <= 4)


@dataclass(eq=False)
class Hit:
    """A label found on a segment: text offsets ``[start, end)`` and the match score (0–100)."""

    phrase: Phrase
    seg: Seg
    start: int
    end: int
    score: float


_ENUMERATOR = re.compile(r"[\W_]*(?:(?:[a-z]|\d{1,2}|[ivx]{1,4})[.)]?)?[\W_]*")


def _refine(needle: str, hay: str, ds: int, de: int) -> tuple[int, int, float]:
    """Best start/end around a partial alignment (rapidfuzz aligns windows of the needle's length)."""
    best = (ds, de, fuzz.ratio(needle, hay[ds:de]))
    for s in range(max(0, ds - 2), min(len(hay), ds + 3)):
        for e in range(max(s + 1, de - 2), min(len(hay), de + 2) + 1):
            score = fuzz.ratio(needle, hay[s:e])
            if score > best[2] + 1e-9:
                best = (s, e, score)
    return best


_WINDOW = 48  # compact characters around a line start or a colon that can hold a label


def _windows(seg: Seg) -> list[tuple[int, int]]:
    """Stretches of ``seg.compact`` where a label can stand: the line start, and before each colon."""
    return [(0, min(len(seg.compact), _WINDOW))] + [(max(0, k - _WINDOW), k) for k in seg.colons]


def raw_hits(seg: Seg, phrases: Sequence[Phrase]) -> list[Hit]:
    """Every place a phrase of ``phrases`` stands on ``seg`` as a label: at the line start, before a colon,
    or spelt out in full mid-line. Overlaps are not resolved."""
    spans: dict[Phrase, set[tuple[int, int, float]]] = {}
    needles = [ph.compact for ph in phrases]
    for lo, hi in _windows(seg):
        hay = seg.compact[lo:hi]
        if not hay:
            continue
        # One C-level pass over all phrases, then exact alignment only for the few that came close.
        for _, _, idx in process.extract(hay, needles, scorer=fuzz.partial_ratio, score_cutoff=80, limit=None):
            ph = phrases[idx]
            n = len(ph.compact)
            if ph.short:
                i = hay.find(ph.compact)
                while i >= 0:
                    spans.setdefault(ph, set()).add((lo + i, lo + i + n, 100.0))
                    i = hay.find(ph.compact, i + 1)
                continue
            al = fuzz.partial_ratio_alignment(ph.compact, hay, score_cutoff=ph.cutoff)
            if al is not None and al.src_end - al.src_start >= n:
                spans.setdefault(ph, set()).add(
                    _refine(ph.compact, seg.compact, lo + al.dest_start, lo + al.dest_end))
    for ph in phrases:
        if len(ph.compact) >= 6 and ph.compact in seg.compact:
            i = seg.compact.find(ph.compact)
            while i >= 0:
                spans.setdefault(ph, set()).add((i, i + len(ph.compact), 100.0))
                i = seg.compact.find(ph.compact, i + 1)
    hits: list[Hit] = []
    for ph, found in spans.items():
        hits.extend(_accept(seg, ph, found))
    return hits


_LABEL_END_SLACK = 2  # letters a label's match may stop short of its word's end
_LETTERS = re.compile(r"[^\W\d_]*")


def _accept(seg: Seg, ph: Phrase, spans: set[tuple[int, int, float]]) -> list[Hit]:
    """Keep the spans that stand where labels stand (word start; line start or colon after)."""
    hits: list[Hit] = []
    text, n = seg.text, len(ph.compact)
    for ds, de, score in sorted(spans):
        # Most of the label must be there: "II. Thửa đất" is not a damaged "Địa chỉ thửa đất".
        if score < ph.cutoff or de - ds < 0.85 * n or any(h.start == seg.cmap[ds] for h in hits):
            continue
        ts, te = seg.cmap[ds], seg.cmap[de - 1] + 1
        # The best alignment may leave a damaged last letter out ("Place of residenee" ≈ "…residene"): a label
        # ends with its word.
        rest = _LETTERS.match(text, te).end() - te
        if not ph.short and score < 100 and 0 < rest <= _LABEL_END_SLACK:
            te += rest
        word_start = ts == 0 or not text[ts - 1].isalnum()
        word_end = te >= len(text) or not text[te].isalpha()
        # A label ends at its colon: a match running past one has eaten the value ("tên: Nguyễn" ≈ "tên người").
        if not word_start or not word_end or text[ts:te].count(":") > ph.text.count(":"):
            continue
        at_start = bool(_ENUMERATOR.fullmatch(seg.folded[:ts]))
        colon_after = bool(re.match(r"[\s.)]*[:：]", text[te:te + 4]))
        if ph.short and not (colon_after or (at_start and text[te:te + 1].isdigit())):
            continue  # "Số:" (or OCR's "Só251") is a label, "Số 29, ngõ 5" is an address
        # Spelt out in full mid-line, a label must be followed by its value ("số định danh cá nhân 0012…"),
        # not by punctuation ("ghi rõ họ, chữ đệm, tên,").
        inline = not ph.short and n >= 9 and score >= 95 and (te >= len(text.rstrip())
                                                              or bool(re.match(r" ?\w", text[te:te + 2])))
        if at_start or colon_after or inline:
            hits.append(Hit(ph, seg, ts, te, score))
    return hits


def find_hits(seg: Seg, phrases: Sequence[Phrase], owners: dict[str, frozenset[str]] | None = None) -> list[Hit]:
    """Non-overlapping label hits on one segment, left to right.

    Where labels overlap, the longer (more specific) one wins unless it matched much worse: "Họ, chữ đệm, tên
    người mẹ" beats "Họ, chữ đệm, tên", "Quyển số" beats "Số". Adjacent hits of labels that share an owner
    field ("Họ và tên / Full name") become one.
    """
    found = raw_hits(seg, phrases)
    found.sort(key=lambda h: h.score + 2 * len(h.phrase.compact), reverse=True)
    kept: list[Hit] = []
    for h in found:
        if all(h.end <= k.start or h.start >= k.end for k in kept):
            kept.append(h)
    kept.sort(key=lambda h: h.start)
    if owners is None:
        return kept
    merged: list[Hit] = []
    for h in kept:
        if merged:
            prev = merged[-1]
            between = seg.text[prev.end:h.start]
            shared = owners.get(prev.phrase.text, frozenset()) & owners.get(h.phrase.text, frozenset())
            # "Ngày sinh / Date of birth", or with the slash misread as one mark ("Ngày sinh ý Date of birth").
            if shared and re.fullmatch(r"[\s/|:().,\-]*\S?[\s/|:().,\-]*", between):
                prev.end = h.end
                continue
        merged.append(h)
    return merged
