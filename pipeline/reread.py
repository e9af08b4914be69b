"""Second, targeted OCR pass: re-read the values the first pass found but could not read.

The first pass reads whole pages with the Vietnamese model. Where a field's label or line was found but its
value did not parse or failed validation — most often the italic, filled-in day of a decision's date line
("Hà Nội, ngày /9 tháng 22 năm 2025" for 19 and 02), or a digit of a number on a degraded scan — this pass cuts
the value out of the cleaned page and reads it again under constraints that fit the field: digits only, read by
a recogniser of plain Latin print, each number of a written date on its own, as printed and straightened
(italics leaned upright), enlarged when the text is small. A reading is kept only when it is confident, parses
and passes the paper's checks; otherwise the field stays as it was. A re-read value never looks sure: its
confidence is capped at :data:`REREAD_CONFIDENCE`, below the default review threshold, so its paper goes to an
officer with the likely value filled in.

Also re-read: a value that parsed but holds a number the first pass itself gave (near) zero confidence
(:data:`DOUBTFUL`), which is a guess rather than a reading; the re-reading replaces it only when it is sure.

Only what has the shape of the value is re-read — a run of digit-like characters for an identity number, the
numbers between "ngày", "tháng" and "năm" — never a whole line read with digits only, which would string the
digits of unrelated words into a number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from PIL import Image

from extractors import parsers
from extractors.fields import PARSERS, Context, Found, Piece, make_context, value_places
from extractors.layouts import LAYOUTS, FieldSpec
from extractors.lines import Seg, build_view
from pipeline.document import BBox, Document, union_bbox
from pipeline.intake import PageImage
from pipeline.ocr.base import LineOptions, LineReading, read_line
from schemas.result import FieldValue
from schemas.validators import validate

REREAD_CONFIDENCE = 0.75  # a re-read value is a second opinion: below the default review threshold (0.80)
DOUBTFUL = 0.35  # a parsed value holding a number word the first pass was this unsure of is a guess
MIN_READING = 0.6  # a constrained reading less sure than this is not taken
_SLANT = 0.2  # shear that stands italic print upright (≈11°, the slant of Times New Roman italic)
_SMALL_LINE_PX = 32  # lines shorter than this are enlarged before re-reading (Tesseract likes ≈30–50 px caps)
_MAX_TARGETS = 4  # places re-read per paper at most: the pass must stay cheap on a paper that reads badly

_DIGITS = "0123456789"
# Parser kind (extractors.fields.PARSERS) → how to read its crop.
_READ_AS: dict[str, LineOptions] = {
    "date": LineOptions(allowed=_DIGITS + "/.-", latin=True),
    "id": LineOptions(allowed=_DIGITS, latin=True),
    "cccd": LineOptions(allowed=_DIGITS, latin=True),
    "mst": LineOptions(allowed=_DIGITS + "-", latin=True),
    # Symbols hold Đ (QĐ), which a Latin model does not know: the Vietnamese model, held to what numbers use.
    "docnum": LineOptions(allowed=_DIGITS + "/-.:ABCDEFGHIJKLMNOPQRSTUVWXYZĐabcdefghijklmnopqrstuvwxyzđốỐ"),
}
_NUMBER = LineOptions(allowed=_DIGITS, latin=True)

PageSource = Callable[[int], PageImage | None]  # page number → the cleaned page image the words were read on


@dataclass(frozen=True)
class _Target:
    name: str
    kind: str
    found: Found


@dataclass(frozen=True)
class _Reading:
    text: str
    confidence: float
    box: BBox


def reread_fields(
    document: Document,
    doc_type: str,
    fields: dict[str, FieldValue],
    engine: object,
    page_image: PageSource,
    today: date | None = None,
) -> dict[str, FieldValue]:
    """``fields`` with values that were found but not read re-read from the page; the rest unchanged."""
    layout = LAYOUTS.get(doc_type)
    if layout is None:
        return fields
    specs = [s for s in layout.fields if s.parse in _READ_AS]
    failed = {i.field for i in validate(doc_type, fields, today) if i.field}
    wanted = [s for s in specs if s.name not in fields or s.name in failed
              or _least_sure_number(document, fields[s.name]) < DOUBTFUL]
    if not wanted:
        return fields
    ctx = make_context(build_view(document), doc_type)
    out = dict(fields)
    for target in [t for spec in wanted for t in _targets(ctx, spec, fields.get(spec.name))][:_MAX_TARGETS]:
        if target.name in out and out[target.name] is not fields.get(target.name):
            continue  # already re-read from an earlier place
        value = _reread(target, engine, page_image)
        if value is None:
            continue
        trial = {**out, target.name: value}
        if any(i.field == target.name for i in validate(doc_type, trial, today)):
            continue
        out[target.name] = value
    return out


def _least_sure_number(document: Document, value: FieldValue) -> float:
    """The lowest first-pass confidence of a word holding a digit inside the value's box (1.0: none)."""
    page = next((p for p in document.pages if p.number == value.page), None)
    if page is None or value.bbox is None:
        return 1.0
    x0, y0, x1, y1 = value.bbox
    return min((w.confidence for ln in page.lines for w in ln.words
                if any(ch.isdigit() for ch in w.text) and w.bbox[0] < x1 and w.bbox[2] > x0
                and w.bbox[1] < y1 and w.bbox[3] > y0), default=1.0)


# ---------------------------------------------------------------- where to look


def _targets(ctx: Context, spec: FieldSpec, current: FieldValue | None) -> list[_Target]:
    """Where the value of ``spec`` is printed: the box of the value read (``current``), else what follows its
    label, else the line its positional strategy looks for — found whether or not the text parses."""
    if current is not None:
        found = _found_at(ctx, current)
        places = [found] if found else []
    else:
        places = value_places(ctx, spec)
    narrowed = [n for n in (_narrow(f, spec.parse) for f in places) if n is not None]
    return [_Target(spec.name, spec.parse, f) for f in narrowed[:2]]


# Digits and what OCR makes of them (folded text): the characters a misread number is made of.
_DIGITISH = r"[0-9oqdøilsbzg|!\[\]#]"
_NUMBER_RUN = re.compile(rf"{_DIGITISH}+(?:[ .\-]{_DIGITISH}+)*")
_NUMERIC_DATE = re.compile(rf"{_DIGITISH}{{1,3}} ?[/.\-] ?{_DIGITISH}{{1,3}} ?[/.\-] ?{_DIGITISH}{{2,5}}")
_ID_LENGTHS = {"id": (8, 14), "cccd": (10, 14), "mst": (9, 15)}  # non-space characters, a digit or two off


def _narrow(found: Found, kind: str) -> Found | None:
    """The part of ``found`` that has the shape of a ``kind`` value, however misread; ``None`` if none has."""
    text = parsers.fold_aligned(_joined(found.pieces))
    if kind == "date":
        if (m := _WRITTEN.search(text)) is not None:
            return _sub(found, m.start(), m.end())
        m = _NUMERIC_DATE.search(text)
        return _sub(found, m.start(), m.end()) if m and _mostly_digits(m.group(), 0.5) else None
    if kind in _ID_LENGTHS:
        lo, hi = _ID_LENGTHS[kind]
        for m in _NUMBER_RUN.finditer(text):
            chars = m.group().replace(" ", "").replace(".", "")
            if lo <= len(chars) <= hi and _mostly_digits(chars, 0.6):
                return _sub(found, m.start(), m.end())
        return None
    return found if any(ch.isdigit() or ch == "/" for ch in text) else None


def _mostly_digits(text: str, share: float) -> bool:
    marks = [ch for ch in text if ch.isalnum() or ch in "|![]#"]
    return bool(marks) and sum(ch.isdigit() for ch in marks) >= share * len(marks)


def _sub(found: Found, start: int, end: int) -> Found:
    """The pieces cut to characters ``[start, end)`` of their joined text."""
    kept, offset = [], 0
    for piece in found.pieces:
        lo, hi = max(start - offset, 0), min(end - offset, len(piece.text))
        if lo < hi:
            kept.append(Piece(piece.seg, piece.start + lo, piece.start + hi))
        offset += len(piece.text) + 1
    return Found(kept, found.anchor)


def _found_at(ctx: Context, value: FieldValue) -> Found | None:
    """The words of the page that lie in a value's box."""
    if value.page is None or value.bbox is None:
        return None
    x0, y0, x1, y1 = value.bbox
    pieces = []
    for seg in ctx.view.by_page.get(value.page, []):
        inside = [i for i, w in enumerate(seg.words)
                  if min(w.bbox[2], x1) - max(w.bbox[0], x0) > 0 and min(w.bbox[3], y1) - max(w.bbox[1], y0) > 0]
        if inside:
            pieces.append(Piece(seg, seg.starts[inside[0]], seg.starts[inside[-1]] + seg.lens[inside[-1]]))
    return Found(pieces, 1.0) if pieces else None


# ---------------------------------------------------------------- reading


def _reread(target: _Target, engine: object, page_image: PageSource) -> FieldValue | None:
    pieces = target.found.pieces
    page = page_image(pieces[0].seg.page)
    if page is None:
        return None
    reading = None
    if target.kind == "date":
        reading = _read_written_date(pieces, engine, page)
    if reading is None:
        box = _box(pieces, 0, len(_joined(pieces)))
        if box is None:
            return None
        reading = _read_box(engine, page, box, _READ_AS[target.kind], pad_x=0.15)
    if reading is None:
        return None
    value = PARSERS[target.kind](reading.text)
    if value is None:
        return None
    return FieldValue(value=value, confidence=round(min(REREAD_CONFIDENCE, reading.confidence), 3),
                      page=pieces[0].seg.page, bbox=reading.box)


# "ngày 18 tháng 02 năm 2025" after folding, the numbers as anything OCR made of them (or nothing).
_WRITTEN = re.compile(r"ngay(?P<d>.{0,8}?)(?<![a-z])th[a-z]{1,4}(?P<m>.{0,8}?)(?<![a-z])n[a-z]{1,2}m?"
                      r"(?P<y>\s*[^\s,.;]{1,6})")


def _read_written_date(pieces: Sequence[Piece], engine: object, page: PageImage) -> _Reading | None:
    """A date written out in words: each number read on its own, between the words around it (so the crop
    holds no letters a digits-only reader would turn into digits), then put together as ``d/m/y``."""
    text = _joined(pieces)
    m = _WRITTEN.search(parsers.fold_aligned(text))
    if m is None:
        return None
    parts: list[_Reading] = []
    for slot in ("d", "m", "y"):
        if slot == "y":  # the year ends the line or is followed by a comma: its own box, not a gap
            lead = len(m.group("y")) - len(m.group("y").lstrip())
            box = _box(pieces, m.start("y") + lead, m.end("y"))
        else:
            box = _box(pieces, m.start(slot), m.end(slot), gap=True)
        reading = _read_box(engine, page, box, _NUMBER, pad_x=0.0) if box is not None else None
        if reading is None or not reading.text.isdigit():
            return None
        parts.append(reading)
    day, month, year = (p.text for p in parts)
    if not (len(day) <= 2 and len(month) <= 2 and len(year) == 4):
        return None
    return _Reading(f"{day}/{month}/{year}", min(p.confidence for p in parts),
                    union_bbox([p.box for p in parts]))


def _read_box(engine: object, page: PageImage, box: BBox, options: LineOptions, pad_x: float) -> _Reading | None:
    """The box cut from the page and read as printed and leaned upright (enlarged if small): the surest
    reading, or ``None`` when none is sure enough."""
    crop = _crop(page.image, box, pad_x)
    if crop is None:
        return None
    best: LineReading | None = None
    for variant in _variants(crop):
        reading = read_line(engine, variant, page.dpi, options)
        if reading is None:
            return None  # the engine cannot read single lines
        if reading.text and (best is None or reading.confidence > best.confidence):
            best = reading
        if best is not None and best.confidence >= 0.9:
            break  # sure enough: spare the other variants
    if best is None or best.confidence < MIN_READING:
        return None
    return _Reading(best.text.replace(" ", ""), best.confidence, box)


def _crop(image: Image.Image, box: BBox, pad_x: float) -> Image.Image | None:
    """The box with a little of the page above and below (tone marks, descenders), set on a white margin."""
    x0, y0, x1, y1 = box
    h = y1 - y0
    if h <= 2 or x1 - x0 <= 2:
        return None
    width, height = image.size
    px, py = round(pad_x * h), round(0.25 * h)
    area = (max(0, x0 - px), max(0, y0 - py), min(width, x1 + px), min(height, y1 + py))
    crop = image.crop(area).convert("L")
    if crop.getextrema()[0] > 160:
        return None  # no ink: the blank of a form left empty
    margin = max(8, h // 2)
    canvas = Image.new("L", (crop.width + 2 * margin, crop.height + 2 * margin), 255)
    canvas.paste(crop, (margin, margin))
    if h < _SMALL_LINE_PX:
        scale = _SMALL_LINE_PX * 1.5 / h
        canvas = canvas.resize((round(canvas.width * scale), round(canvas.height * scale)), Image.Resampling.LANCZOS)
    return canvas


def _variants(crop: Image.Image) -> list[Image.Image]:
    """The crop as printed, and leaned back by the slant of italic print (dates are printed in italics)."""
    w, h = crop.size
    extra = round(_SLANT * h) + 1
    upright = crop.transform((w + extra, h), Image.Transform.AFFINE, (1, -_SLANT, _SLANT * h - extra, 0, 1, 0),
                             resample=Image.Resampling.BICUBIC, fillcolor=255)
    return [crop, upright]


# ---------------------------------------------------------------- pieces of text and their boxes


def _joined(pieces: Sequence[Piece]) -> str:
    return " ".join(p.text for p in pieces)


def _box(pieces: Sequence[Piece], start: int, end: int, gap: bool = False) -> BBox | None:
    """The page box of characters ``[start, end)`` of the pieces joined by spaces (first page's part only).

    ``gap``: the box between the characters just before ``start`` and just after ``end`` instead, on one
    line — where a number stands between two words however OCR read it, even as nothing."""
    if gap:
        before, after = _char_box(pieces, start - 1), _char_box(pieces, end)
        if before is None or after is None or before[0] is not after[0]:
            return None
        (seg, b), (_, a) = before, after
        x0, x1 = b[2] + 1, a[0] - 1
        if x1 - x0 < 0.3 * seg.height:
            return None
        return x0, min(b[1], a[1]), x1, max(b[3], a[3])
    boxes, offset = [], 0
    page = pieces[0].seg.page
    for piece in pieces:
        lo, hi = max(start - offset, 0), min(end - offset, len(piece.text))
        if lo < hi and piece.seg.page == page:
            boxes.append(piece.seg.span_box(piece.start + lo, piece.start + hi))
        offset += len(piece.text) + 1
    return union_bbox(boxes) if boxes else None


def _char_box(pieces: Sequence[Piece], index: int) -> tuple[Seg, BBox] | None:
    """The segment and box of character ``index`` of the joined pieces (a space between pieces: none)."""
    offset = 0
    for piece in pieces:
        if 0 <= index - offset < len(piece.text):
            at = piece.start + index - offset
            return piece.seg, piece.seg.span_box(at, at + 1)
        offset += len(piece.text) + 1
    return None
