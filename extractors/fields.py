"""Label-anchored field extraction: find the printed labels on the OCR lines, read the value beside or below.

Papers of one type print the same labels, but scans and OCR move, damage and merge them: tone marks go
("Ho va ten"), capitals change, words merge ("Họvàtên"), two labels share a line ("Giới tính: Nữ   Dân tộc:
Kinh"), a value wraps onto the next line or sits below its label, the left and right header columns come back as
one OCR line. So the engine works on *segments* (a line cut at wide horizontal gaps), compares labels with
rapidfuzz on folded text with spaces and punctuation removed, ends a value where the next known label starts,
and keeps page geometry to look right of and below a label (segments and label matching: :mod:`extractors.lines`). What labels cannot anchor (a decision's number,
date, agency, summary and signer) is found by position (``locate`` strategies below). Every value carries its
page and the box of its words, and a confidence from OCR word confidence, label match and parser success.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from extractors import parsers
from extractors.confidence import value_confidence
from extractors.layouts import LAYOUTS, FieldSpec, Layout
from extractors.lines import Hit, Phrase, Seg, View, build_view, find_hits, phrase
from pipeline.document import BBox, Document, union_bbox
from pipeline.textnorm import clean_spaces, fold, nfc
from schemas.identity import repair_cccd
from schemas.result import FieldValue
from schemas.validators import KNOWN_GENDER_BY_FIELD, PERSON_FIELDS

# ================================================================= extraction context


@dataclass(frozen=True)
class _CompiledLayout:
    layout: Layout
    phrases: tuple[Phrase, ...]
    owners: dict[str, frozenset[str]]
    section_phrases: dict[str, tuple[Phrase, ...]]


@lru_cache(maxsize=16)
def _compile(doc_type: str) -> _CompiledLayout:
    layout = LAYOUTS[doc_type]
    owners: dict[str, set[str]] = {}
    for spec in layout.fields:
        for label in (*spec.labels, *spec.generic):
            owners.setdefault(label, set()).add(spec.name)
    for label in layout.stops:
        owners.setdefault(label, set()).add("__stop__")
    sections = {name: tuple(phrase(p) for p in heads) for name, heads in (layout.sections or {}).items()}
    return _CompiledLayout(layout, tuple(phrase(p) for p in owners), {k: frozenset(v) for k, v in owners.items()},
                           sections)


@dataclass
class Context:
    view: View
    compiled: _CompiledLayout
    hits: dict[int, list[Hit]]  # seg.order → hits
    claimed: list[tuple[int, BBox]] = field(default_factory=list)  # (page, box) of the values found so far

    @property
    def layout(self) -> Layout:
        return self.compiled.layout

    def all_hits(self) -> list[Hit]:
        return [h for s in self.view.segs for h in self.hits[s.order]]


@dataclass
class Piece:
    seg: Seg
    start: int
    end: int
    closed: bool = False  # the value ends here (a label or leaders follow), it does not wrap on

    @property
    def text(self) -> str:
        return self.seg.text[self.start:self.end]


@dataclass
class Found:
    """A located value before parsing: its text pieces and how sure the locating was (0–1)."""

    pieces: list[Piece]
    anchor: float

    @property
    def text(self) -> str:
        return clean_spaces(" ".join(p.text for p in self.pieces))


_LEAD = " :：.-–—/|)]*•·…_„¬~^`'‘’“”\""  # with marks OCR makes of specks at a line's left edge
_TRAIL = " ,;:-–—/|([*•·…_"


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _LEAD:
        start += 1
    while end > start and text[end - 1] in _TRAIL:
        end -= 1
    while end > start + 1 and text[end - 2:end] == "..":
        end -= 1
    return start, end


def _has_alnum(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _first_hit_start(ctx: Context, seg: Seg, after: int = 0) -> int | None:
    starts = [h.start for h in ctx.hits[seg.order] if h.start >= after]
    return min(starts) if starts else None


def _overlaps(a0: float, a1: float, b0: float, b1: float) -> bool:
    return min(a1, b1) - max(a0, b0) > 0


def _right_of(ctx: Context, seg: Seg) -> Seg | None:
    """The next cell to the right on the same row, unless it belongs to a column of labels (a second column
    of the form, as on a marriage certificate with husband and wife side by side)."""
    width = ctx.view.pages[seg.page].width or 10**6
    cands = [s for s in ctx.view.by_page[seg.page]
             if s.row == seg.row and s.x0 >= seg.x1 - 2 and s.x0 - seg.x1 < 0.35 * width]
    if not cands:
        return None
    right = min(cands, key=lambda s: s.x0)
    if any(abs(s.x0 - right.x0) <= right.height and _first_hit_start(ctx, s) == 0
           for s in ctx.view.by_page[seg.page] if s is not right):
        return None
    return right


def _below(ctx: Context, ref: Seg, x_lo: float, x_hi: float, max_gap: float = 1.6, text_only: bool = False
           ) -> Seg | None:
    """The segment just under ``ref`` overlapping ``[x_lo, x_hi]``; ``text_only``: passing over rows of specks
    (single marks OCR read between two lines of a scan)."""
    cands = [s for s in ctx.view.by_page[ref.page]
             if s.row > ref.row and s.y0 - ref.y1 <= max_gap * ref.height and _overlaps(s.x0, s.x1, x_lo, x_hi)
             and not (text_only and _is_specks(s))]
    if not cands:
        return None
    top = min(s.row for s in cands)
    return min((s for s in cands if s.row == top), key=lambda s: abs(s.x0 - x_lo))


def _is_specks(seg: Seg) -> bool:
    return sum(ch.isalnum() for ch in seg.text) < 2


def _text_x0(seg: Seg) -> int:
    """Left edge of the first word holding a letter or digit ("„ . Hòa, Đồng Nai": specks left of a line), past
    single marks set apart ("à   Nguyễn Văn Cừ": a speck read as a letter)."""
    end = _speck_words_end(seg)
    return next((w.bbox[0] for w, ws in zip(seg.words, seg.starts) if ws >= end and _has_alnum(w.text)), seg.x0)


def _speck_words_end(seg: Seg) -> int:
    """Where the text of ``seg`` starts past what OCR made of specks at its left: words of at most one letter or
    digit that OCR was unsure of or set apart from the next word by more than a word space ("à   Nguyễn Văn
    Cừ", "“ˆ ' Phả")."""
    end = 0
    for (w, ws, n), nxt in zip(zip(seg.words, seg.starts, seg.lens), seg.words[1:]):
        if sum(ch.isalnum() for ch in w.text) > 1 or (w.confidence >= _SPECK_CONFIDENCE
                                                      and nxt.bbox[0] - w.bbox[2] <= _SPECK_GAP * seg.height):
            break
        end = ws + n
    return end


_SPECK_GAP = 0.6
_SPECK_CONFIDENCE = 0.5


_GENERIC_LABEL = re.compile(r"^\W*[^\W\d][^:]{0,28}:")  # "Điện thoại:", any short label we do not know
_NEW_ITEM = re.compile(r"^\s*(?:\d{1,2}|[IVX]{1,4}|[a-zđ])[.)]\s")  # "2. Địa chỉ trụ sở chính", "b) Tờ bản đồ"


_WRAP_GAP = 1.3


def _continuation(ctx: Context, last: Seg, label_x0: float) -> Seg | None:
    """The next line of a value that wraps: just below, not outdented, not a label line, after a full line."""
    column = [s for s in ctx.view.by_page[last.page]
              if _overlaps(s.x0, s.x1, last.x0, last.x1) and abs(s.yc - last.yc) < 8 * last.height]
    col_right = max((s.x1 for s in column), default=last.x1)
    col_left = min((s.x0 for s in column), default=last.x0)
    # The gap is measured in the line's median word height, which lower-case lines understate (x-height words):
    # papers set at 1.5 line spacing leave a gap of ~1.2 of it between a line and its wrapped rest.
    nxt = _below(ctx, last, last.x0, last.x1, max_gap=_WRAP_GAP, text_only=True)
    if nxt is None:
        return None
    # A line breaks where the next word no longer fits, so a wrapped line ends near the column's right edge.
    full = last.x1 >= col_right - max(3 * last.height, 0.25 * (col_right - col_left))
    first_word = nxt.words[0].bbox[2] - nxt.words[0].bbox[0]
    no_room = last.x1 + 0.5 * last.height + first_word > col_right - last.height
    if not (full or no_room or last.text.rstrip().endswith((",", "-"))):
        return None
    if _text_x0(nxt) < label_x0 - 1.5 * last.height:
        return None
    if _first_hit_start(ctx, nxt) == 0 or _GENERIC_LABEL.match(nxt.text) or _NEW_ITEM.match(nxt.text):
        return None
    chars = [ch for ch in _LEADER_RUN.split(nxt.text, maxsplit=1)[0] if not ch.isspace()]
    if sum(ch.isalpha() for ch in chars) < 0.5 * len(chars):
        return None  # what OCR made of a stamp, a signature or a dotted line
    return nxt


_LEADER_RUN = re.compile(r"\s*(?:[.…·_]{3,}|…)")  # dotted leaders (and the junk OCR makes of them) end a value


def _rest_of(ctx: Context, seg: Seg, start: int = 0) -> Piece | None:
    """Text of ``seg`` from ``start`` up to the next label or dotted leader on it, or ``None`` if that is empty.

    Only spaces are trimmed from the end of a value that runs to the line's end: a comma there may join it to
    a wrapped next line."""
    stop = _first_hit_start(ctx, seg, start)
    s, e = _trim(seg.text, start, stop if stop is not None else len(seg.text))
    leader = _LEADER_RUN.search(seg.text, s, e)
    if leader is not None and leader.start() > s:
        s, e = _trim(seg.text, s, leader.start())
        return Piece(seg, s, e, closed=True) if _has_alnum(seg.text[s:e]) else None
    if _has_alnum(seg.text[s:e]) and stop is None:
        e = max(len(seg.text.rstrip()), s + 1)
    return Piece(seg, s, e, closed=stop is not None) if _has_alnum(seg.text[s:e]) else None


def _open_end(ctx: Context, piece: Piece) -> bool:
    return not piece.closed and _first_hit_start(ctx, piece.seg, piece.end) is None


_WORD_GAP = 1.0  # line heights: wider than a word space, narrower than the column gap that cuts segments
_NAME_GAP = 5.0  # a name in capitals read in two cells (husband's and wife's columns stand much further apart)
_NAME_UPPER = 0.8


def _extend(ctx: Context, pieces: list[Piece], label_x0: float, multiline: bool, name: bool = False
            ) -> list[Piece]:
    """Add what continues the value: a number part after a wide gap, the rest of the line OCR set apart, wrapped
    lines of long values. ``name``: a printed name, whose capitals OCR may set further apart where it lost a
    letter ("NGUYÊN   MỸ BẢO NGA")."""
    if not _open_end(ctx, pieces[-1]):
        return pieces
    last = pieces[-1].seg
    right = _right_of(ctx, last)
    # A number typed into a blank on the form ("Số: 251      /QĐ-UBND") is split by a wide gap.
    if right is not None and right.text.startswith("/") and right.x0 - last.x1 < 8 * last.height:
        stop = _first_hit_start(ctx, right)
        pieces = [*pieces, Piece(right, 0, _trim(right.text, 0, stop if stop is not None else len(right.text))[1])]
        if stop is not None:
            return pieces
    # OCR may put the last word of a line on a line of its own, set just right of it ("Việt" | "Nam"): a word
    # gap, not a column gap, and no label there.
    elif right is not None and _first_hit_start(ctx, right) != 0 and (
            right.x0 - last.x1 <= _WORD_GAP * last.height
            or (name and right.x0 - last.x1 <= _NAME_GAP * last.height
                and min(_upper_share(pieces[-1].text), _upper_share(right.text)) >= _NAME_UPPER)):
        piece = _rest_of(ctx, right)
        if piece is not None:
            pieces = [*pieces, piece]
            if not _open_end(ctx, piece):
                return pieces
    if multiline:
        first = pieces[0]
        label_x0 = min(label_x0, first.seg.x0)
        for _ in range(3):
            cont = _continuation(ctx, pieces[-1].seg, label_x0)
            piece = _rest_of(ctx, cont, _speck_words_end(cont)) if cont is not None else None
            if piece is None:
                break
            pieces = [*pieces, piece]
            if not _open_end(ctx, piece):
                break
    return pieces


# The label's other-language half after a slash, up to its colon ("Quốc tịch / Nationaliyy: Việt Nam"), or to
# the end of the segment when OCR cut it there ("Nơi thường trú / Place of resi" | ": Số 85/10 …").
_OTHER_HALF = re.compile(r"\s*/\s*(?=[^\W\d_])([^:：]{0,32}?)(?:\s*[:：]|\s*$)")
_HALF_PREFIX_SCORE = 75


def _other_half_end(ctx: Context, hit: Hit) -> int:
    """Where the label of ``hit`` ends on its segment, its other-language half included however OCR spelt it:
    bilingual papers print "Vietnamese / English:", and an English half read too damaged to match is not the value.

    A half that ends at a colon is taken when it holds a lower-case letter (a number's "/QĐ-UBND" does not); one
    that runs to the segment's end without a colon only when it reads like the start of one of the field's own
    labels ("Place of resi", "Place of r -i1.n")."""
    text = hit.seg.text
    m = _OTHER_HALF.match(text, hit.end)
    if m is None or not any(ch.islower() for ch in m.group(1)):
        return hit.end
    if text[m.end() - 1:m.end()] in (":", "："):
        return m.end() if not any(ch.isdigit() for ch in m.group(1)) else hit.end
    half = "".join(ch for ch in parsers.fold_aligned(m.group(1)) if ch.isascii() and ch.isalnum())  # not "ˆ"
    names = ctx.compiled.owners.get(hit.phrase.text, frozenset())
    own = [lab for spec in ctx.layout.fields if spec.name in names for lab in (*spec.labels, *spec.generic)]
    # No longer than the label it starts: more is a value after it ("Giới tính / Sex Nữ").
    if len(half) >= 3 and any(len(half) <= len(label) and fuzz.ratio(half, label[:len(half)]) >= _HALF_PREFIX_SCORE
                              for label in (phrase(lab).compact for lab in own)):
        return len(text)
    return hit.end


_MIN_LINE_VALUE = 3  # letters and digits a place or address after its label holds at the least


def _too_short_for_a_place(piece: Piece) -> bool:
    return sum(ch.isalnum() for ch in piece.text) < _MIN_LINE_VALUE


def _values_after(ctx: Context, hit: Hit, multiline: bool, numeric: bool = False, name: bool = False
                  ) -> Iterable[Found]:
    """Where the value of a label may be, best first: after it on its line, right of it, under it.

    ``numeric``: the value holds digits (a date, a number), so a line under the label without any digit is not
    it but another line of the label (the English half of "Có giá trị đến / Date of expiry", however OCR spelt
    it), and the value may be under that."""
    seg = hit.seg
    label_x0 = seg.span_box(hit.start, hit.end)[0]
    line_x0 = seg.x0  # wrapped lines may start under an item letter ("b) Địa chỉ: …")
    anchor = hit.score / 100.0
    label_end = _other_half_end(ctx, hit)
    same = _rest_of(ctx, seg, label_end) if label_end < len(seg.text) else None
    if same is not None and multiline and _too_short_for_a_place(same):
        same = None  # "Nơi cư trú: ấg ." — a mark OCR made of the card's emblem beside the label; the value is below
    if same is not None and same.start < (_first_hit_start(ctx, seg, hit.end) or len(seg.text) + 1):
        yield Found(_extend(ctx, [same], line_x0, multiline, name), anchor)
    elif _first_hit_start(ctx, seg, hit.end) is not None:
        return  # another label follows on the same line: this one is blank
    if same is None or _open_end(ctx, same):
        tried: list[Seg] = []
        x_lo, x_hi = label_x0 - seg.height, max(seg.x1, label_x0 + 8 * seg.height)
        below = _below(ctx, seg, x_lo, x_hi)
        others = [_right_of(ctx, seg), below]
        if numeric and below is not None and not any(ch.isdigit() for ch in below.text):
            others.append(_below(ctx, below, x_lo, x_hi))
        for other in others:
            if other is None or other in tried or _first_hit_start(ctx, other) == 0:
                continue
            tried.append(other)
            piece = _rest_of(ctx, other)
            if piece is not None and not (multiline and _too_short_for_a_place(piece)):
                yield Found(_extend(ctx, [piece], line_x0, multiline, name), anchor * 0.95)


# ================================================================= sections and regions


@dataclass
class _Region:
    order: int
    end_order: float
    x_lo: float
    x_hi: float

    def holds(self, hit: Hit) -> bool:
        x = sum(hit.seg.span_box(hit.start, hit.end)[0::2]) / 2
        return self.order <= hit.seg.order < self.end_order and self.x_lo <= x < self.x_hi


def _section_headers(ctx: Context) -> list[tuple[str, Seg]]:
    found: list[tuple[str, Seg]] = []
    for seg in ctx.view.segs:
        head = seg.text.lstrip(_LEAD).split(":", 1)[0]  # ": Họ, chữ đệm, tên chồng:": a speck read as a colon
        compact = "".join(ch for ch in parsers.fold_aligned(head) if ch.isalnum())
        compact = re.sub(r"^(?:[ivx]{1,4}|\d{1,2})(?=[a-z])", "", compact) if len(compact) > 6 else compact
        if not compact:
            continue
        best: tuple[float, str] | None = None
        for name, heads in ctx.compiled.section_phrases.items():
            for ph in heads:
                score = fuzz.ratio(ph.compact, compact)
                if score >= (100 if ph.short else 88) and (best is None or score > best[0]):
                    best = (score, name)
        # A line that reads better as a field label ("Họ, chữ đệm, tên:") than as a header is a label.
        if best is not None and not any(fuzz.ratio(ph.compact, compact) > best[0] for ph in ctx.compiled.phrases):
            found.append((best[1], seg))
    return found


def _section_region(ctx: Context, name: str) -> _Region | None:
    headers = _section_headers(ctx)
    mine = [s for n, s in headers if n == name]
    if not mine:
        return None
    head = mine[0]
    x_lo, x_hi = float("-inf"), float("inf")
    for n, other in headers:
        if other is head or other.page != head.page or other.row != head.row:
            continue
        mid = ((head.x0 + head.x1) / 2 + (other.x0 + other.x1) / 2) / 2
        if other.x0 > head.x0:
            x_hi = min(x_hi, mid)
        else:
            x_lo = max(x_lo, mid)
    end = float("inf")
    for n, other in headers:
        if n != name and other.order > head.order and other.row != head.row \
                and x_lo <= (other.x0 + other.x1) / 2 < x_hi:
            end = min(end, other.order)
    return _Region(head.order, end, x_lo, x_hi)


def _in_top(ctx: Context, seg: Seg) -> bool:
    page = ctx.view.pages[seg.page]
    return seg.page == min(ctx.view.pages) and seg.y0 < 0.35 * page.height


# ================================================================= positional strategies

_MOTTO = phrase("Cộng hòa xã hội chủ nghĩa Việt Nam")
_MOTTO2 = phrase("Độc lập Tự do Hạnh phúc")
_ROLE_WORDS = ("chutich", "giamdoc", "truongphong", "thutruong", "bitruong", "chanhvanphong", "truongban",
               "cucpho", "cuctruong", "vutruong", "bothuong", "botruong", "uyvien", "phochutich", "phogiamdoc",
               "quyenchutich", "truongcongan", "thutuong", "chuyenvien", "nguoiky")
_SIGN_PREFIX = re.compile(r"^\s*(?:tm|kt|tl|tuq|q|ttl)\s*[.,]\s*", re.IGNORECASE)  # "TM.", "KT.", "Q.", "TM," …


def _upper_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    return sum(ch.isupper() for ch in letters) / len(letters) if letters else 0.0


# "<place>, ngày 05 tháng": the day may be blank, dotted or what OCR made of an italic number, in one token or
# two ("ngày /ở, tháng", "ngày Ì Ï tháng", "ngày 05tháng").
_PLACE_DATE = re.compile(r"[a-z0-9)]\s*(,)?\s*ngay(?:\W{0,3}[^\s]{0,3}){1,2}?\W{0,3}th")


def _date_line_parts(ctx: Context, seg: Seg) -> list[Seg]:
    """The date line and what may hold its rest: OCR cuts "ngày 05 tháng 3 | năm 2021" at a wide gap, or a
    narrow header column wraps it onto the next line."""
    parts = [seg]
    right = _right_of(ctx, seg)
    if right is not None and right.x0 - seg.x1 < 12 * seg.height:
        parts.append(right)
    below = _below(ctx, parts[-1], seg.x0, parts[-1].x1, max_gap=1.0)
    if below is not None and not parsers.find_date(below.text):
        parts.append(below)
    return parts


def _place_date_lines(ctx: Context, spec: FieldSpec) -> Iterable[tuple[Seg, re.Match[str]]]:
    """Each "<place>, ngày … tháng" line (and where on it the date starts) where ``spec`` may be printed: in the
    header above the title for ``region="top"``; elsewhere only after a comma, as a place-and-date line has."""
    title = _title_seg(ctx) if spec.region == "top" else None
    for seg in ctx.view.segs:
        top = _in_top(ctx, seg)
        if spec.region == "top" and (not top or (title is not None and seg.row >= title.row
                                                 and seg.page == title.page)):
            continue
        for m in _PLACE_DATE.finditer(seg.folded):
            if m.group(1) or top:
                yield seg, m


def _locate_place_date(ctx: Context, spec: FieldSpec) -> Found | None:
    """ "<place>, ngày … tháng … năm …": the date a paper was issued, in its header or above its signature."""
    for seg, m in _place_date_lines(ctx, spec):
        hit = parsers.find_date(seg.text[m.start():])
        if hit and hit[1] <= 12:
            return Found([Piece(seg, m.start() + hit[1], m.start() + hit[2])], 0.9)
        joined = _join_date_parts(ctx, seg, m.start())
        if joined is not None:
            return joined
    return None


def _join_date_parts(ctx: Context, seg: Seg, start: int) -> Found | None:
    """A date line cut in two (see :func:`_date_line_parts`): read it joined, keep the pieces it spans."""
    parts = _date_line_parts(ctx, seg)
    for n in range(2, len(parts) + 1):
        pieces = [Piece(seg, start, len(seg.text))] + [Piece(p, 0, len(p.text)) for p in parts[1:n]]
        text = " ".join(p.text for p in pieces)
        hit = parsers.find_date(text)
        if hit is None or hit[1] > 12:
            continue
        kept, offset = [], 0
        for piece in pieces:  # cut the pieces to the date's span
            lo, hi = max(hit[1] - offset, 0), min(hit[2] - offset, len(piece.text))
            if lo < hi:
                kept.append(Piece(piece.seg, piece.start + lo, piece.start + hi))
            offset += len(piece.text) + 1
        return Found(kept, 0.8)
    return None


def _title_seg(ctx: Context, title: str = "Quyết định") -> Seg | None:
    target = phrase(title).compact
    for seg in ctx.view.segs:
        if seg.page == min(ctx.view.pages) and fuzz.ratio(target, seg.compact) >= 85:
            return seg
    return None


def _number_seg(ctx: Context, right_x: float) -> Seg | None:
    for seg in ctx.view.segs:
        # "Số:", "Số 119", and "Sốl8l" (the label glued to a number read with look-alike letters).
        if _in_top(ctx, seg) and seg.x0 < right_x \
                and re.match(r"\W*s[o0](?![a-z])", parsers.fix_digit_lookalikes(seg.folded)) \
                and ("/" in seg.text or any(ch.isdigit() for ch in seg.text) or len(seg.compact) <= 3):
            return seg
    return None


def _header_split_x(ctx: Context) -> float:
    """Where the header's right column (the national motto) starts on the first page."""
    first = min(ctx.view.pages)
    motto_xs = [x for x in (_motto_x(s) for s in ctx.view.by_page[first] if _in_top(ctx, s)) if x is not None]
    return min(motto_xs, default=ctx.view.pages[first].width * 0.5)


def _locate_doc_number(ctx: Context, spec: FieldSpec) -> Found | None:
    """A decision's number in the left header column when no "Số:" label was read on it ("Sốl8l   /QĐ-UBND"):
    the line that starts like "Số" and holds digits or a slash, with a "/symbol" part set apart by a gap."""
    seg = _number_seg(ctx, _header_split_x(ctx))
    if seg is None:
        return None
    return Found(_extend(ctx, [Piece(seg, 0, len(seg.text))], seg.x0, multiline=False), 0.8)


def _motto_x(seg: Seg) -> float | None:
    """Left edge of the national motto on ``seg`` (it may share an OCR line with the agency's name)."""
    for p in (_MOTTO, _MOTTO2):
        if len(seg.compact) < 0.6 * len(p.compact):
            continue
        al = fuzz.partial_ratio_alignment(p.compact, seg.compact, score_cutoff=85)
        if al is not None:
            return seg.span_box(seg.cmap[al.dest_start], seg.cmap[al.dest_start] + 1)[0]
    return None


def _locate_agency_block(ctx: Context, spec: FieldSpec) -> Found | None:
    """The issuing agency printed top left, left of the national motto: 1–4 upper-case lines set close together,
    above "Số: …" where there is one."""
    first = min(ctx.view.pages)
    page = ctx.view.pages[first]
    segs = [s for s in ctx.view.by_page[first] if _in_top(ctx, s)]
    right_x = _header_split_x(ctx)
    number = _number_seg(ctx, right_x)
    limit = number.y0 if number else page.height
    pieces: list[Piece] = []
    for seg in segs:
        if seg.y0 >= limit - 0.3 * seg.height or seg.x0 >= right_x - seg.height:
            continue
        if _PLACE_DATE.search(seg.folded):
            break
        # Words left of the motto column, up to the last one holding a letter or digit, less what OCR made of the
        # rule printed under the name ("ĐẦU TƯ về."): an unsure word without a capital among the capitals.
        left = [(w, ws) for w, ws in zip(seg.words, seg.starts) if w.bbox[2] <= right_x + 0.5 * seg.height]
        junk = [ws for w, ws in left if w.confidence < _RULE_WORD_CONFIDENCE and _has_alnum(w.text)
                and not any(ch.isupper() for ch in w.text)]
        ends = [ws + len(w.text) for w, ws in left if _has_alnum(w.text) and ws not in junk]
        if not ends:
            continue
        text = seg.text[:max(ends)]
        upper = any(ch.isalpha() for ch in text) and _upper_share(text) >= 0.6
        if pieces and (not upper or seg.y0 - pieces[-1].seg.y1 > 0.9 * seg.height):
            break
        if upper:
            pieces.extend(_split_at(seg, 0, max(ends), junk))
        if len({p.seg.order for p in pieces}) >= 5:
            break
    if not pieces:
        return None
    return Found(pieces, 0.9)


_RULE_WORD_CONFIDENCE = 0.5


def _split_at(seg: Seg, start: int, end: int, dropped: list[int]) -> list[Piece]:
    """``seg.text[start:end]`` as pieces, leaving out the words that start at the offsets in ``dropped``."""
    pieces: list[Piece] = []
    for ws, n in zip(seg.starts, seg.lens):
        if start <= ws < end and ws in dropped:
            if ws > start:
                pieces.append(Piece(seg, start, ws))
            start = ws + n
    if end > start:
        pieces.append(Piece(seg, start, end))
    trimmed = [Piece(seg, *_trim(seg.text, p.start, p.end)) for p in pieces]  # ". THÀNH PHỐ": a speck before
    return [p for p in trimmed if _has_alnum(p.text)]


_STOP_AFTER_TITLE = re.compile(
    r"^\W*(can cu|dieu \d|xet de nghi|theo de nghi|quyet dinh\W*$|chu tich|pho chu tich|giam doc|bo truong|"
    r"uy ban nhan dan|thu truong|truong phong|cuc truong|tong cuc truong)")


def _locate_after_title(ctx: Context, spec: FieldSpec) -> Found | None:
    """A decision's summary (trích yếu): the lines right under the "QUYẾT ĐỊNH" title."""
    title = _title_seg(ctx)
    if title is None:
        return None
    pieces: list[Piece] = []
    prev = title
    for seg in ctx.view.by_page[title.page]:
        if seg.row <= title.row:
            continue
        if pieces and seg.row == prev.row:
            continue
        gap_limit = (0.9 if not pieces else 1.2) * prev.height
        if seg.y0 - prev.y1 > max(gap_limit, 0.6 * title.height) and pieces:
            break
        if seg.y0 - prev.y1 > 3 * prev.height:
            break
        text = seg.text
        if _is_specks(seg):
            continue  # a speck OCR read on a line of its own under the title ("QUYẾT ĐỊNH" then ".")
        if not any(ch.isalpha() for ch in text) or _STOP_AFTER_TITLE.match(parsers.fold_aligned(text)):
            break
        # An authority line in capitals ends the summary; a summary's own capitals (a name) do not.
        if pieces and _upper_share(text) >= 0.8 and len(text.split()) >= 4 \
                and _upper_share(pieces[-1].seg.text) < 0.8:
            break
        pieces.append(Piece(seg, 0, len(text)))
        prev = seg
        if len(pieces) >= 5:
            break
    return Found(pieces, 0.85) if pieces else None


_ROLE_PREFIX = re.compile(r"^(?:tm|kt|tl|tuq|ttl|q)(?=[a-z]{4})")  # "KT." before "GIÁM ĐỐC", compacted


def _is_role(seg: Seg) -> bool:
    # "GIÁẢM ĐỐC": OCR printed two readings of one marked vowel; no title doubles a vowel.
    compact = re.sub(r"([aeiouy])\1", r"\1", seg.compact)
    if len(compact) > 40:
        return False
    if any(_ROLE_PREFIX.sub("", compact).startswith(r) for r in _ROLE_WORDS):
        return True
    # "Ai GIAM ĐỌC": the "KT." before a title misread as one or two other letters; "“1x: KT. CHỦ TỊCH": specks
    # before it. Only long titles, which specks cannot spell by chance.
    return any(_ROLE_PREFIX.sub("", compact[cut:]).startswith(r) for cut in (1, 2, 3) for r in _ROLE_WORDS
               if len(r) >= 7)


def _locate_signer(ctx: Context, spec: FieldSpec) -> Found | None:
    """The signer's name: the name-like line under the last signature title (CHỦ TỊCH, KT. GIÁM ĐỐC …), the first
    whose every word is a name syllable before one that only looks like a name; without a title read, the lowest
    full name in the right half of the last page."""
    roles = [s for s in ctx.view.segs if _is_role(s)
             and (s.x0 + s.x1) / 2 > 0.4 * (ctx.view.pages[s.page].width or 1)]
    if not roles:
        return _lowest_name_right(ctx)
    role = roles[-1]
    loose: Found | None = None
    for seg in ctx.view.by_page[role.page]:
        if seg.row <= role.row or seg.y0 - role.y1 > 14 * role.height:
            continue
        if not _overlaps(seg.x0, seg.x1, role.x0 - 2 * role.height, role.x1 + 2 * role.height) or _is_role(seg):
            continue
        start = _text_start(seg)
        words = seg.text[start:].split()
        name = parsers.parse_name(seg.text[start:])
        if not (name and 2 <= len(words) <= 5 and all(w[:1].isupper() for w in words)):
            continue
        if _reads_as_full_name(words):
            return Found([Piece(seg, start, len(seg.text))], 0.85)
        # What OCR made of a stamp or a signature can pass for a short name ("Cđ VN"): a line whose every word is
        # a name syllable, further down, is the name; this one only where there is none.
        loose = loose or Found([Piece(seg, start, len(seg.text))], 0.6)
    return loose or _lowest_name_right(ctx)


def _lowest_name_right(ctx: Context) -> Found | None:
    """The signer's name where no title above it was read ("Z5 2O ÈÚ TỊCH"): the lowest line of the last page's
    right half that reads as a full name. A guess by position, so trusted less."""
    last = max(ctx.view.pages)
    width = ctx.view.pages[last].width or 1
    for seg in sorted(ctx.view.by_page[last], key=lambda s: -s.y0):
        if seg.x0 < 0.45 * width:
            continue
        start = _text_start(seg)
        words = seg.text[start:].split()
        if 2 <= len(words) <= 5 and all(w[:1].isupper() for w in words) and _reads_as_full_name(words):
            return Found([Piece(seg, start, len(seg.text))], 0.6)
    return None


def _text_start(seg: Seg) -> int:
    """Offset of the first word of ``seg`` holding a letter or digit ("⁄ Nguyễn Bảo Hiếu": a speck before)."""
    return next((ws for w, ws in zip(seg.words, seg.starts) if _has_alnum(w.text)), 0)


def _reads_as_full_name(words: list[str]) -> bool:
    """Whether every word is a syllable of a person's name, once marks OCR lost or swapped are put back."""
    from extractors.names import snap_name

    return all(w.isalpha() for w in words) and snap_name(" ".join(words)).unknown == 0


def _locate_sign_agency(ctx: Context, spec: FieldSpec) -> Found | None:
    """The issuing body printed under the place and date, above the signer's title ("TM. ỦY BAN NHÂN DÂN …",
    "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG / TỈNH …")."""
    found = _locate_place_date(ctx, FieldSpec(spec.name))
    # The place-and-date line anchors the agency even when its date could not be read ("ngày 17 tháng Ï Ï").
    start = found.pieces[0].seg if found is not None else \
        next((seg for seg, _ in _place_date_lines(ctx, FieldSpec(spec.name))), None)
    if start is None:
        return None
    pieces: list[Piece] = []
    for seg in ctx.view.by_page[start.page]:
        if seg.row <= start.row or not _overlaps(seg.x0, seg.x1, start.x0, start.x1):
            continue
        if _is_role(seg) or _upper_share(seg.text) < 0.8 or seg.row > (pieces[-1].seg.row if pieces else start.row) + 1:
            break
        m = _SIGN_PREFIX.match(seg.text)
        cut = m.end() if m and seg.text[m.end():m.end() + 2].isupper() else 0
        pieces.append(Piece(seg, cut, len(seg.text)))
        if len(pieces) >= 3:
            break
    return Found(pieces, 0.8) if pieces else None


def _body_after_article_one(ctx: Context) -> list[Seg]:
    start = next((s.order for s in ctx.view.segs if re.match(r"[^a-z0-9]*dieu\s*1\b", s.folded)), None)
    if start is None:
        return []
    end = next((s.order for s in ctx.view.segs[start + 1:]
                if re.match(r"[^a-z0-9]*dieu\s*[2-9]\b", s.folded)), len(ctx.view.segs))
    return ctx.view.segs[start:end]


def _pairs(segs: Sequence[Seg]) -> Iterable[tuple[Seg, Seg | None, str]]:
    """Each segment with the next one in reading order and their joined text (sentences wrap)."""
    segs = [s for s in segs if s.compact]  # specks OCR read as "|" or ":" are not text
    for i, seg in enumerate(segs):
        nxt = segs[i + 1] if i + 1 < len(segs) else None
        yield seg, nxt, seg.text + (" " + nxt.text if nxt is not None else "")


def _pieces_of(seg: Seg, nxt: Seg | None, start: int, end: int) -> list[Piece]:
    """Map a span of ``seg.text + " " + nxt.text`` back to pieces of the two segments."""
    cut = len(seg.text) + 1
    if end <= len(seg.text) or nxt is None:
        return [Piece(seg, start, min(end, len(seg.text)))]
    if start >= cut:
        return [Piece(nxt, start - cut, end - cut)]
    return [Piece(seg, start, len(seg.text)), Piece(nxt, 0, end - cut)]


_PERSON = re.compile(r"\b(?:ông|bà)\b[\s:'’`]*((?:[^\W\d_][^\s,;.()]*\s+){1,4}[^\W\d_][^\s,;.()]*)", re.IGNORECASE)


def _locate_person_mention(ctx: Context, spec: FieldSpec) -> Found | None:
    """The person a decision concerns: "ông/bà Nguyễn Văn A" in its first article (the name may wrap)."""
    for seg, nxt, joined in _pairs(_body_after_article_one(ctx)):
        for m in _PERSON.finditer(joined):
            if m.start() >= len(seg.text):
                break
            words = []
            for token in re.finditer(r"\S+", m.group(1)):
                if not token.group()[:1].isupper():
                    break
                words.append(token)
            if 2 <= len(words) <= 5:
                start, end = m.start(1) + words[0].start(), m.start(1) + words[-1].end()
                return Found(_pieces_of(seg, nxt, start, end), 0.75)
    return None


_UNTIL = re.compile(r"(hieu luc|gia tri|thoi han)[^.;]{0,60}?\b(den|toi)\b\s*(het\s*)?")


def _locate_valid_until(ctx: Context, spec: FieldSpec) -> Found | None:
    """ "… có hiệu lực (kể từ ngày ký) đến (hết) ngày <date>", the date possibly on the next line."""
    for seg, nxt, joined in _pairs(ctx.view.segs):
        for m in _UNTIL.finditer(parsers.fold_aligned(joined)):
            if m.start() >= len(seg.text):
                break
            hit = parsers.find_date(joined[m.end():])
            if hit and hit[1] <= 6:
                return Found(_pieces_of(seg, nxt, m.end() + hit[1], m.end() + hit[2]), 0.85)
    return None


def _locate_by(find: Callable[[str], tuple[Any, int, int] | None]) -> Callable[[Context, FieldSpec], Found | None]:
    def locate(ctx: Context, spec: FieldSpec) -> Found | None:
        for seg in ctx.view.segs:
            hit = find(seg.text)
            if hit:
                return Found([Piece(seg, hit[1], hit[2])], 0.7)
        return None

    return locate


_SERIAL = re.compile(r"\b([A-ZĐ]{2})[\s.]?(\d{6,8})\b")  # "BL 222183", "BL.222183" (a speck read as a dot)


def _find_serial(text: str) -> tuple[str, int, int] | None:
    m = _SERIAL.search(nfc(text))
    return (f"{m.group(1)}{m.group(2)}", m.start(), m.end()) if m else None


def parse_serial(text: str) -> str | None:
    hit = _find_serial(text)
    return hit[0] if hit else None


_LAST_SINGLE_LETTER = re.compile(r"(?<=[^\W\d_]{2})\s+([^\W\d_])\W*$")  # "HOÀNG VĂN LỰC a"


def parse_full_name(text: str) -> str | None:
    """A person's full name as printed: at least two syllables (one is what OCR kept of a longer name: "NGUYÊN",
    "Ng"), less a lone small letter after a name in capitals (a speck: "HOÀNG VĂN LỰC a")."""
    speck = _LAST_SINGLE_LETTER.search(text)
    if speck is not None and speck.group(1).islower() and _upper_share(text[:speck.start()]) >= _NAME_UPPER:
        text = text[:speck.start()]
    value = parsers.parse_name(text, printed=True)
    return value if value is not None and len(value.split()) >= 2 else None


_NATIONALITIES = ("Việt Nam",)  # what an identity card of a citizen prints; others are kept as read
_NATIONALITY_SCORE = 80


def parse_nationality(text: str) -> str | None:
    """A nationality as printed, put right when it reads as a known one however damaged or cut ("VIỆ", "Việt",
    "Việt Mam" → "Việt Nam"); other text as read."""
    value = parsers.clean_text(text)
    if value is None:
        return None
    compact = "".join(ch for ch in parsers.fold_aligned(value) if ch.isalnum())
    for name in _NATIONALITIES:
        target = phrase(name).compact
        if len(compact) >= 3 and (target.startswith(compact) or fuzz.ratio(compact, target) >= _NATIONALITY_SCORE):
            return name
    return value


def _known_nationality(text: str) -> bool:
    return parse_nationality(text) in _NATIONALITIES


_SPECK_QUOTE = re.compile(r"(?<=\s)['‘’`\"“”](?=[^\W\d_])")  # "Huyện 'Thanh Trì": a speck before a word
_SPECK_STOP = re.compile(r"(?<=[^\W\d_]{4})\.(?=\s+\w)")  # "Trần Hưng. Đạo", "đường. Trường Chinh"


# The unit an address starts with, before its number, folded → as written ("SỐ 5", "Tố 28", "Áp 3" as read).
_ADDRESS_UNITS = {"so": "Số", "to": "Tổ", "ap": "Ấp", "thon": "Thôn", "xom": "Xóm", "khom": "Khóm"}
_LEADING_UNIT = re.compile(r"^([^\W\d_]{2,4})(?=\s+\d)")


def parse_address(text: str) -> str | None:
    """An address as printed, less what OCR made of specks inside it: a quote before a word, a full stop after
    a word of four letters or more (abbreviations such as "Tp." or "TX." are shorter); a semicolon is a comma
    misread (an address sets its parts apart by commas); the unit word before its number written as the unit
    is ("SỐ 5" → "Số 5", "Tố 28" → "Tổ 28": no other word stands there)."""
    value = parsers.clean_text(_SPECK_STOP.sub("", _SPECK_QUOTE.sub("", text)).replace(";", ","))
    m = _LEADING_UNIT.match(value) if value else None
    if m is not None and (unit := _ADDRESS_UNITS.get(parsers.fold_aligned(m.group(1)))) is not None:
        value = unit + value[m.end():]
    return value


def _locate_nationality(ctx: Context, spec: FieldSpec) -> Found | None:
    """A known nationality after a colon, where OCR spoilt the label in front of it ("Quó: ch / Natonalny: Việt
    Nam"): the text after the segment's last colon, when it reads as one."""
    for seg in ctx.view.segs:
        colon = max(seg.text.rfind(":"), seg.text.rfind("："))
        if colon < 0:
            continue
        piece = _rest_of(ctx, seg, colon + 1)
        if piece is not None and _known_nationality(piece.text):
            return Found([piece], 0.6)
    return None


# What OCR leaves of "Giới tính / Sex" (folded) and the gender word after it, without the colon a label needs.
_GENDER_AFTER_LABEL = re.compile(r"(?:\bsex|\bgioi\W{0,2}[a-z]{0,5}nh)\W{0,4}\b(nam|nu|male|female)\b")


def _locate_gender(ctx: Context, spec: FieldSpec) -> Found | None:
    """A gender word after the remains of its label ("Giớiúnh/Sex Nam", "Giới tính / Sex Nữ" with no colon)."""
    for seg in ctx.view.segs:
        m = _GENDER_AFTER_LABEL.search(seg.folded)
        if m is not None:
            return Found([Piece(seg, m.start(1), m.end(1))], 0.7)
    return None


_FIRST_EXPIRY_YEAR = 2016  # chip identity cards, which print an expiry date, were first issued in 2016


def _locate_lone_date(ctx: Context, spec: FieldSpec) -> Found | None:
    """A date on a line of its own under lines that are no other field's label: an identity card's expiry date
    under its stacked "Có giá trị đến: / Date of expiry" when OCR read that label too damaged to match ("Cứ giá
    mị đốn: / Dan of cupiy"). A date right of other text (a label cut off by a gap) or under another field's
    label (the birth date of a 2024 card) is not it, nor is a value another field took, nor a date before
    expiry dates were printed (a birth date under a label OCR spoilt)."""
    for seg in ctx.view.segs:
        hit = parsers.find_date(seg.text)
        if hit is None or hit[0].year < _FIRST_EXPIRY_YEAR or ctx.hits[seg.order] \
                or any(ch.isalnum() for ch in seg.text[:hit[1]]):
            continue
        if any(_overlaps(seg.x0, seg.x1, b[0], b[2]) and _overlaps(seg.y0, seg.y1, b[1], b[3])
               for page, b in ctx.claimed if page == seg.page):
            continue
        row = ctx.view.by_page[seg.page]
        if any(s.row == seg.row and s.x1 <= seg.x0 and seg.x0 - s.x1 < 3 * seg.height for s in row):
            continue
        above = [s for s in row if seg.row - 2 <= s.row < seg.row and _overlaps(s.x0, s.x1, seg.x0, seg.x1)
                 and seg.y0 - s.y1 < 3 * seg.height]  # the label's two lines
        if not above or any(ch.isdigit() for s in above for ch in s.text):
            continue
        if any(spec.name not in ctx.compiled.owners.get(h.phrase.text, frozenset()) for s in above
               for h in ctx.hits[s.order]):
            continue
        return Found([Piece(seg, hit[1], hit[2])], 0.6)
    return None


def _locate_article_id(ctx: Context, spec: FieldSpec) -> Found | None:
    """An identity number in a decision's first article, however its label was worded or wrapped."""
    for seg in _body_after_article_one(ctx):
        hit = parsers.find_id_number(seg.text)
        if hit:
            return Found([Piece(seg, hit[1], hit[2])], 0.75)
    return None


LOCATORS: dict[str, Callable[[Context, FieldSpec], Found | None]] = {
    "article_id": _locate_article_id,
    "doc_number": _locate_doc_number,
    "place_date": _locate_place_date,
    "agency_block": _locate_agency_block,
    "after_title": _locate_after_title,
    "signer": _locate_signer,
    "sign_agency": _locate_sign_agency,
    "person_mention": _locate_person_mention,
    "valid_until": _locate_valid_until,
    "nationality": _locate_nationality,
    "gender": _locate_gender,
    "lone_date": _locate_lone_date,
    "any_cccd": _locate_by(lambda t: parsers.find_id_number(t, (12,))),
    "any_id": _locate_by(parsers.find_id_number),
    "any_mst": _locate_by(parsers.find_enterprise_code),
    "any_serial": _locate_by(_find_serial),
}

# Parser per kind, and the finder that narrows the box to the value inside the text (where there is one).
PARSERS: dict[str, Callable[[str], Any]] = {
    "text": parsers.clean_text,
    "name": lambda t: parse_full_name(t),
    "date": parsers.parse_date_iso,
    "id": parsers.parse_id_number,
    "cccd": lambda t: parsers.parse_id_number(t, (12,)),
    "mst": parsers.parse_enterprise_code,
    "docnum": parsers.parse_doc_number,
    "money": parsers.parse_money,
    "area": parsers.parse_area,
    "gender": parsers.parse_gender,
    "validity": parsers.parse_validity,
    "int": parsers.parse_int,
    "serial": parse_serial,
    "nationality": parse_nationality,
    "address": parse_address,
}
_FINDERS: dict[str, Callable[[str], tuple[Any, int, int] | None]] = {
    "date": parsers.find_date,
    "id": parsers.find_id_number,
    "cccd": lambda t: parsers.find_id_number(t, (12,)),
    "mst": parsers.find_enterprise_code,
}
_FREE_TEXT = {"text", "name", "nationality", "address"}
_NUMERIC = {"date", "id", "cccd", "mst", "docnum", "money", "area", "int"}  # values that always hold a digit


# ================================================================= one field


def _to_field_value(found: Found, kind: str) -> FieldValue | None:
    value = PARSERS[kind](found.text)
    if value is None:
        return None
    pieces = found.pieces
    finder = _FINDERS.get(kind)
    if finder and len(pieces) == 1:
        hit = finder(pieces[0].text)
        if hit:
            p = pieces[0]
            pieces = [Piece(p.seg, p.start + hit[1], p.start + hit[2])]
    # Free text is wrong when any one word is: one doubtful word is not averaged away (extractors/confidence.py).
    rule = "name" if kind == "name" else "text" if kind in _FREE_TEXT else "number"
    ocr = value_confidence([(p.seg, p.start, p.end) for p in pieces], rule)
    parse_q = 0.95 if kind in _FREE_TEXT else 1.0
    confidence = ocr * (0.5 + 0.5 * found.anchor) * parse_q
    page = pieces[0].seg.page
    boxes = [p.seg.span_box(p.start, p.end) for p in pieces if p.seg.page == page]
    return FieldValue(value=value, confidence=round(max(0.0, min(1.0, confidence)), 3), page=page,
                      bbox=union_bbox(boxes))


def _candidates(ctx: Context, spec: FieldSpec, labels: tuple[str, ...]) -> list[Hit]:
    wanted = set(labels)
    hits = [h for h in ctx.all_hits() if h.phrase.text in wanted]
    if spec.region == "top":
        hits = [h for h in hits if _in_top(ctx, h.seg)]
    return hits


def _extract(ctx: Context, spec: FieldSpec) -> FieldValue | None:
    value = _find_value(ctx, spec)
    return _other_printing(ctx, value) if value is not None and spec.parse == "name" else value


def _find_value(ctx: Context, spec: FieldSpec) -> FieldValue | None:
    region = _section_region(ctx, spec.section) if spec.section else None
    labelled = _candidates(ctx, spec, spec.labels)
    if region is not None:
        labelled = [h for h in labelled if region.holds(h)] or labelled
    for hit in labelled:
        for found in _values_after(ctx, hit, spec.multiline, spec.parse in _NUMERIC, spec.parse == "name"):
            if value := _to_field_value(found, spec.parse):
                return value
    if spec.generic:
        hits = _candidates(ctx, spec, spec.generic)
        if region is not None:
            hits = [h for h in hits if region.holds(h)][:1]
        else:
            hits = hits[spec.nth:spec.nth + 1]
        for hit in hits:
            for found in _values_after(ctx, hit, spec.multiline, spec.parse in _NUMERIC, spec.parse == "name"):
                if value := _to_field_value(found, spec.parse):
                    return value
    if spec.locate:
        found = LOCATORS[spec.locate](ctx, spec)
        if found:
            value = _to_field_value(found, spec.parse)
            if value is not None and labelled:
                # The paper printed this field's label but its value could not be read: what the fallback found
                # elsewhere (the header date for "Đăng ký lần đầu: 07/06/201 I") is a guess, not a reading.
                value.confidence = round(value.confidence * _UNREAD_LABEL_FALLBACK, 3)
            return value
    return None


_UNREAD_LABEL_FALLBACK = 0.6
_CLEARER_BY = 0.15  # how much surer the least sure word of another printing of a name must be read
_PRINTINGS_DISAGREE = 0.6  # a name printed twice and read two ways is at most this sure (under review threshold)


def _other_printing(ctx: Context, value: FieldValue) -> FieldValue:
    """A name read unsure where the paper prints it again (the spouses sign under their names, a decision names
    its person in two articles): the clearer reading of the same letters, when one is clearly surer
    ("Trần Thị Nhãn" at 0.70 beside "Trần Thị Nhàn" at 0.97). The confidence stays that of the value found
    under the label: two printings that disagree are for an officer to look at. A printing that reads as the
    value does confirms it, however unsure ("Vũ Thành Tuấn" at 0.66 in the article, "Vũ Thành Tuấn" again at 0.86,
    "VŨ THÀNH TUẦN" at 0.97 in the summary: the value stands)."""
    target = fold(str(value.value)).split()
    n = len(target)
    own: float | None = None
    others: list[tuple[float, str]] = []
    for seg in ctx.view.segs:
        tokens = [(w.text.strip(".,;:()'\"*"), w) for w in seg.words]
        for i in range(len(tokens) - n + 1):
            window = tokens[i:i + n]
            if [fold(t) for t, _ in window] != target:
                continue
            least = min(w.confidence for _, w in window)
            box = union_bbox([w.bbox for _, w in window])
            if seg.page == value.page and value.bbox is not None and _overlaps(box[0], box[2], value.bbox[0],
                                                                              value.bbox[2]) \
                    and _overlaps(box[1], box[3], value.bbox[1], value.bbox[3]):
                own = least if own is None else min(own, least)
            else:
                others.append((least, " ".join(t for t, _ in window)))
    if own is None or not others:
        return value
    readings = {parsers.parse_name(reading) for _, reading in others}
    if value.value in readings:
        return value  # another printing reads as the value does: it stands
    clearer = {parsers.parse_name(reading) for least, reading in others if least >= own + _CLEARER_BY}
    if len(clearer) != 1 or None in clearer:
        # none clearer, or the clearer printings disagree among themselves: the paper's printings of the name
        # disagree ("LÝ" under the label, "Ly" at the signature), which is for an officer to settle
        return value.model_copy(update={"confidence": min(value.confidence, _PRINTINGS_DISAGREE)})
    return value.model_copy(update={"value": clearer.pop()})


# ================================================================= where a value is printed (for a second reading)


def value_places(ctx: Context, spec: FieldSpec, labels: int = 2) -> list[Found]:
    """Where the value of ``spec`` is printed, whether or not its text reads as a value, best first: what follows
    each of its first ``labels`` printed labels (on the line, right of it, under it), then the lines its positional
    strategy looks for — the "<place>, ngày … tháng … năm …" lines from "ngày" on, with what OCR cut off to their
    right or below, or a decision's number line. For a second OCR pass over values found but not read
    (:mod:`pipeline.reread`); the text of each place is what the first pass made of it."""
    places: list[Found] = []
    for hit in _candidates(ctx, spec, spec.labels)[:labels]:
        places.extend(list(_values_after(ctx, hit, spec.multiline, spec.parse in _NUMERIC, spec.parse == "name"))[:1])
    if spec.locate == "place_date":
        lines: list[Seg] = []
        for seg, m in _place_date_lines(ctx, spec):
            if seg in lines:
                continue  # one place per line
            lines.append(seg)
            start = seg.folded.index("ngay", m.start())
            rest = [Piece(p, 0, len(p.text)) for p in _date_line_parts(ctx, seg)[1:]]
            places.append(Found([Piece(seg, start, len(seg.text)), *rest], 0.9))
            if len(lines) == 2:
                break
    elif spec.locate == "doc_number" and (found := _locate_doc_number(ctx, spec)) is not None:
        places.append(found)
    return places


def make_context(view: View, doc_type: str) -> Context:
    compiled = _compile(doc_type)
    hits = {s.order: find_hits(s, compiled.phrases, compiled.owners) for s in view.segs}
    return Context(view, compiled, hits)


def extract_fields(doc: Document, doc_type: str) -> dict[str, FieldValue]:
    """Contract field name → value with page and box, for the fields found on ``doc`` read as ``doc_type``."""
    if doc_type not in LAYOUTS:
        return {}
    ctx = make_context(build_view(doc), doc_type)
    out: dict[str, FieldValue] = {}
    for spec in ctx.layout.fields:
        value = _extract(ctx, spec)
        if value is not None:
            out[spec.name] = value
            if value.page is not None and value.bbox is not None:
                ctx.claimed.append((value.page, value.bbox))
    return _repair_identity_numbers(out)


_REPAIRED = 0.7  # a repaired digit is a reasoned guess: the paper goes to review, with the likely value


def _repair_identity_numbers(fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """Put right one misread digit of a CCCD when the paper's own birth date and gender leave exactly one way."""
    for id_field, (birth_field, gender_field) in PERSON_FIELDS.items():
        fv, birth = fields.get(id_field), fields.get(birth_field) if birth_field else None
        if fv is None or birth is None or not isinstance(fv.value, str) or not isinstance(birth.value, str):
            continue
        gender = fields[gender_field].value if gender_field in fields else KNOWN_GENDER_BY_FIELD.get(id_field)
        fixed = repair_cccd(fv.value, int(birth.value[:4]), gender)
        if fixed is not None:
            fields[id_field] = fv.model_copy(update={"value": fixed, "confidence": min(fv.confidence, _REPAIRED)})
    return fields
