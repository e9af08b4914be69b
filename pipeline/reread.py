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
(:data:`DOUBTFUL`), or a name with a syllable no Vietnamese name has ("Lêthếlong"): a guess rather than a
reading; the re-reading replaces it only when it is sure (a name: when every syllable is a name syllable).

Also re-read: values the first pass dropped entirely — a label was read but no words follow it, because a seal,
a speck or faint print hid them. The space right of the label on its line (up to the next label or the column's
edge), else the line under it (stacked bilingual labels): its first line of ink is cut out and read, and a
blank with no ink (a form left empty) costs no reading. Besides dates and numbers this pass reads person names
(the Vietnamese model, as printed; kept only when every syllable is a Vietnamese name syllable as read or put
right by :func:`extractors.names.snap_name`), genders (an identity card's "Giới tính / Sex:"), parcel numbers
and land-certificate serials (two capitals and 6–8 digits, "ÁC 19720579" as the first pass may read it).

The pass runs only on a paper that cannot be approved as it stands — a required field missing, a check failed,
or a number read as a guess — so it never costs a paper its approval, and a paper that reads well costs nothing.

Only what has the shape of the value is re-read — a run of digit-like characters for an identity number, the
numbers between "ngày", "tháng" and "năm" — never a whole line read with digits only, which would string the
digits of unrelated words into a number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from PIL import Image

from extractors import parsers
from extractors.fields import PARSERS, Context, Found, Piece, make_context, value_places
from extractors.layouts import LAYOUTS, FieldSpec
from extractors.lines import Hit, Seg, build_view
from extractors.names import snap_name
from pipeline.document import BBox, Document, union_bbox
from pipeline.intake import PageImage
from pipeline.ocr.base import LineOptions, LineReading, read_line
from schemas.doc_types import DOC_TYPES
from schemas.result import FieldValue
from schemas.validators import validate

REREAD_CONFIDENCE = 0.75  # a re-read value is a second opinion: below the default review threshold (0.80)
DOUBTFUL = 0.35  # a parsed value holding a number word the first pass was this unsure of is a guess
MIN_READING = 0.6  # a constrained reading less sure than this is not taken
_SLANT = 0.2  # shear that stands italic print upright (≈11°, the slant of Times New Roman italic)
_SMALL_LINE_PX = 32  # lines shorter than this are enlarged before re-reading (Tesseract likes ≈30–50 px caps)
_MAX_TARGETS = 6  # places re-read per paper at most: the pass must stay cheap on a paper that reads badly
_BLANK_MIN_WIDTH = 2.5  # a blank narrower than this many line heights holds no value
_BLANK_MAX_WIDTH = 24.0  # nor is a value wider than this many line heights (the longest names and numbers)
_NAME_SYLLABLES = (2, 5)  # a Vietnamese full name read again: two to five syllables

_DIGITS = "0123456789"
_CAPITALS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


# Parser kind (extractors.fields.PARSERS) → how to read its crop.
_READ_AS: dict[str, LineOptions] = {
    "date": LineOptions(allowed=_DIGITS + "/.-", latin=True),
    "id": LineOptions(allowed=_DIGITS, latin=True),
    "cccd": LineOptions(allowed=_DIGITS, latin=True),
    "mst": LineOptions(allowed=_DIGITS + "-", latin=True),
    # Symbols hold Đ (QĐ), which a Latin model does not know: the Vietnamese model, held to what numbers use.
    "docnum": LineOptions(allowed=_DIGITS + "/-.:ABCDEFGHIJKLMNOPQRSTUVWXYZĐabcdefghijklmnopqrstuvwxyzđốỐ"),
    "int": LineOptions(allowed=_DIGITS, latin=True),  # a parcel's or a map sheet's number
    # Names: the Vietnamese model (tone marks), free: a whitelist makes its line recogniser drop the spaces and
    # lose confidence; what is not a name syllable is refused afterwards (:func:`_field_value`).
    "name": LineOptions(),
    # A land certificate's serial ("AC 19720579"): capitals and digits, plain Latin print.
    "serial": LineOptions(allowed=_CAPITALS + _DIGITS + " ", latin=True),
    # A gender ("Nam", "Nữ"): the Vietnamese model, free; only what parses as a gender is kept.
    "gender": LineOptions(),
}
_NUMBER = LineOptions(allowed=_DIGITS, latin=True)

PageSource = Callable[[int], PageImage | None]  # page number → the cleaned page image the words were read on


@dataclass(frozen=True)
class _Target:
    """One place to read again: the words the first pass read there (``found``), or, where it read nothing,
    a box of the page (``page``, ``box``)."""

    name: str
    kind: str
    found: Found | None = None
    page: int = 0
    box: BBox | None = None


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
    """``fields`` with values that were found but not read, or dropped under their label, re-read from the page;
    the rest unchanged. Nothing is read on a paper that could be approved as it stands."""
    layout = LAYOUTS.get(doc_type)
    if layout is None:
        return fields
    issues = validate(doc_type, fields, today)
    failed = {i.field for i in issues if i.field}
    specs = [s for s in layout.fields if s.parse in _READ_AS]
    doubtful = {s.name for s in specs if s.name in fields and _doubtful(document, s.parse, fields[s.name])}
    required = DOC_TYPES[doc_type].required if doc_type in DOC_TYPES else ()
    if not (issues or doubtful or any(name not in fields for name in required)):
        return fields  # it may be approved as read: a second opinion could only send it to review
    wanted = [s for s in specs if s.name not in fields or s.name in failed or s.name in doubtful]
    if not wanted:
        return fields
    wanted.sort(key=lambda s: s.name not in required)  # what stops approval first
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


def _doubtful(document: Document, kind: str, value: FieldValue) -> bool:
    """A value read as a guess: a number the first pass was (nearly) blind on, or a name with a syllable no
    Vietnamese name has ("Lêthếlong", "Hiồen")."""
    if kind == "name":
        return isinstance(value.value, str) and snap_name(value.value).unknown > 0
    return _least_sure_number(document, value) < DOUBTFUL


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
    label, else the line its positional strategy looks for — found whether or not the text parses; else the
    blank where a label's value should be but nothing was read."""
    if current is not None:
        found = _found_at(ctx, current)
        places = [found] if found else []
    else:
        places = value_places(ctx, spec)
        if spec.parse == "serial":
            places += _serial_lines(ctx)
    narrowed = [n for n in (_narrow(f, spec.parse) for f in places) if n is not None]
    targets = [_Target(spec.name, spec.parse, found=f) for f in narrowed[:2]]
    if current is None and not targets:
        targets = [_Target(spec.name, spec.parse, page=page, box=box) for page, box in _blank_places(ctx, spec)[:2]]
    return targets


# ---------------------------------------------------------------- blanks: a label with nothing read after it


def _label_hits(ctx: Context, spec: FieldSpec) -> list[Hit]:
    """The printed labels of ``spec`` in reading order; a label shared by several fields (the husband's and the
    wife's "Ngày, tháng, năm sinh") counted by its ``nth`` place."""
    ordered = sorted(ctx.all_hits(), key=lambda h: (h.seg.order, h.start))
    own = [h for h in ordered if h.phrase.text in spec.labels]
    if spec.region == "top":
        own = [h for h in own if h.seg.page == min(ctx.view.pages)
               and h.seg.y0 < 0.35 * (ctx.view.pages[h.seg.page].height or 10**6)]
    if own or not spec.generic:
        return own[:2]
    shared = [h for h in ordered if h.phrase.text in spec.generic]
    return shared[spec.nth:spec.nth + 1]


def _blank_places(ctx: Context, spec: FieldSpec) -> list[tuple[int, BBox]]:
    """Boxes where the value of a label of ``spec`` should be printed but the first pass read no word: right of
    the label on its line, up to the next label or the edge of its column, else the line under the label."""
    places: list[tuple[int, BBox]] = []
    for hit in _label_hits(ctx, spec):
        seg = hit.seg
        lx0, ly0, lx1, ly1 = seg.span_box(hit.start, hit.end)
        h = max(ly1 - ly0, 1)
        next_label = min((o.start for o in ctx.hits[seg.order] if o.start >= hit.end), default=None)
        rest = seg.text[hit.end:next_label]
        if any(ch.isalnum() for ch in rest):
            continue  # words follow the label: :func:`value_places` has them
        if (marks := len(rest.rstrip())) > 0:  # the label's colon: the value starts after it
            lx1 = max(lx1, seg.span_box(hit.end + marks - 1, hit.end + marks)[2])
        if next_label is not None:
            right = seg.span_box(next_label, next_label + 1)[0]
        else:
            right = _column_edge(ctx, seg, lx1)
        right = min(right, lx1 + _BLANK_MAX_WIDTH * h)
        if right - lx1 >= _BLANK_MIN_WIDTH * h:
            places.append((seg.page, (round(lx1 + 0.3 * h), ly0, round(right - 0.3 * h), ly1)))
        if next_label is None and (under := _under(ctx, spec, seg, lx0, ly1, h, right)) is not None:
            places.append((seg.page, under))
    return places


def _column_edge(ctx: Context, seg: Seg, x: float) -> float:
    """Where the column that ``seg`` is in ends right of ``x``: the next cell on its row, else the right margin
    (as wide as the left one: the text read may all end short of it when the widest value is the one lost)."""
    segs = ctx.view.by_page[seg.page]
    cells = [s.x0 for s in segs if s.row == seg.row and s is not seg and s.x0 >= x]
    if cells:
        return min(cells)
    width = ctx.view.pages[seg.page].width
    return max(max(s.x1 for s in segs), (width - min(s.x0 for s in segs)) if width else 0)


def _under(ctx: Context, spec: FieldSpec, seg: Seg, x0: float, y1: float, h: float, right: float) -> BBox | None:
    """The line under a label that ends its line, down to the next line that starts with a label — past the
    label's own second half ("Ngày sinh" / "Date of birth" printed one under the other)."""
    own = set(spec.labels) | set(spec.generic)
    top = y1
    for _ in range(2):
        below = sorted((s for s in ctx.view.by_page[seg.page]
                        if s is not seg and s.y0 > top - 0.3 * h and s.x1 > x0 and s.x0 < right), key=lambda s: s.y0)
        label_line = next((s for s in below if any(o.start <= 2 for o in ctx.hits[s.order])), None)
        if label_line is not None and label_line.y0 < top + h \
                and any(o.phrase.text in own and o.start <= 2 for o in ctx.hits[label_line.order]):
            top = label_line.y1  # the label's other half: the value is under it
            continue
        bottom = min(top + 1.5 * h, label_line.y0 - 1 if label_line is not None else float("inf"))
        if bottom - top < 0.8 * h:
            return None  # the next field's label follows at once: no line for a value
        return round(x0 - 0.3 * h), round(top + 0.1 * h), round(right), round(bottom)
    return None


def _serial_lines(ctx: Context) -> list[Found]:
    """Runs anywhere on the paper shaped like a land certificate's serial however OCR read the letters'
    marks or the digits ("ÁC 19720579"): two capital letters and six to eight digit-like characters."""
    out = []
    for seg in ctx.view.segs:
        for m in _SERIAL_SHAPE.finditer(seg.folded):
            if seg.text[m.start():m.start() + 2].isupper() and _mostly_digits(m.group()[2:], 0.75):
                out.append(Found([Piece(seg, m.start(), m.end())], 0.5))
    return out[:2]


# Digits and what OCR makes of them (folded text): the characters a misread number is made of.
_DIGITISH = r"[0-9oqdøilsbzg|!\[\]#]"
_NUMBER_RUN = re.compile(rf"{_DIGITISH}+(?:[ .\-]{_DIGITISH}+)*")
_NUMERIC_DATE = re.compile(rf"{_DIGITISH}{{1,3}} ?[/.\-] ?{_DIGITISH}{{1,3}} ?[/.\-] ?{_DIGITISH}{{2,5}}")
_SERIAL_SHAPE = re.compile(rf"(?<![a-z0-9])[a-z]{{2}} ?{_DIGITISH}{{6,8}}(?![a-z0-9])")
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
    if kind == "serial":
        m = _SERIAL_SHAPE.search(text)
        return _sub(found, m.start(), m.end()) if m else None
    if kind in ("name", "gender"):
        return found if sum(ch.isalpha() for ch in text) >= 2 else None
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
    accept = (lambda text: _field_value(target.kind, _Reading(text, 1.0, (0, 0, 0, 0)), 0) is not None)
    if target.found is None:
        page = page_image(target.page)
        box = _ink_band(page.image, target.box) if page is not None and target.box is not None else None
        reading = _read_box(engine, page, box, _READ_AS[target.kind], pad_x=0.0, keep_spaces=target.kind == "name",
                            accept=accept) if page is not None and box is not None else None
        return _field_value(target.kind, reading, target.page)
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
        reading = _read_box(engine, page, box, _READ_AS[target.kind], pad_x=0.15, keep_spaces=target.kind == "name",
                            accept=accept)
    return _field_value(target.kind, reading, pieces[0].seg.page)


def _field_value(kind: str, reading: _Reading | None, page: int) -> FieldValue | None:
    """The reading as a value of ``kind`` when it parses (a name: when every syllable is a name syllable)."""
    if reading is None:
        return None
    value = PARSERS[kind](reading.text)
    if value is None:
        return None
    confidence = reading.confidence
    if kind == "name":
        snap = snap_name(value)
        if snap.unknown or not _NAME_SYLLABLES[0] <= snap.syllables <= _NAME_SYLLABLES[1]:
            return None  # not a Vietnamese name as read: what a seal or a signature made of the crop
        value, confidence = snap.value, confidence * snap.quality
    return FieldValue(value=value, confidence=round(min(REREAD_CONFIDENCE, confidence), 3), page=page,
                      bbox=reading.box)


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


def _read_box(engine: object, page: PageImage, box: BBox, options: LineOptions, pad_x: float,
              keep_spaces: bool = False, accept: Callable[[str], bool] | None = None) -> _Reading | None:
    """The box cut from the page and read as printed and leaned upright (enlarged if small): the surest
    reading (that ``accept`` takes), or ``None`` when none is sure enough. Spaces are dropped unless
    ``keep_spaces`` (names)."""
    crop = _crop(page.image, box, pad_x)
    if crop is None:
        return None
    best: LineReading | None = None
    for variant in _variants(crop) if not keep_spaces else [crop]:  # names are printed upright
        reading = read_line(engine, variant, page.dpi, options)
        if reading is None:
            return None  # the engine cannot read single lines
        text = reading.text if keep_spaces else reading.text.replace(" ", "")
        if text and (accept is None or accept(text)) and (best is None or reading.confidence > best.confidence):
            best = reading
        if best is not None and best.confidence >= 0.9:
            break  # sure enough: spare the other variants
    if best is None or best.confidence < MIN_READING:
        return None
    return _Reading(best.text if keep_spaces else best.text.replace(" ", ""), best.confidence, box)


_INK = 128  # a pixel darker than this is print
_TONE_GAP = 0.25  # share of the box's height a gap between ink rows may take and still be one line (tone marks)
_MIN_BAND = 0.4  # share of the box's height a line of print takes at least; less is a speck or a rule's edge


def _ink_band(image: Image.Image, box: BBox) -> BBox | None:
    """The first line of print inside ``box`` (a box cut where nothing was read): its rows and columns of ink,
    so the crop holds one line and not the edge of the next; ``None`` when the box holds no line of print."""
    x0, y0, x1, y1 = box
    h = y1 - y0
    if h <= 2 or x1 - x0 <= 2:
        return None
    ink = np.asarray(image.crop(box).convert("L")) < _INK
    width = ink.shape[1]
    rows = np.flatnonzero(ink.sum(axis=1) >= max(2, 0.005 * width)).tolist()
    if not rows:
        return None
    top = bottom = rows[0]
    for y in rows[1:]:
        if y - bottom > _TONE_GAP * h:
            break
        bottom = y
    if bottom - top + 1 < _MIN_BAND * min(h, 40):
        return None
    cols = np.flatnonzero(ink[top:bottom + 1].any(axis=0)).tolist()
    line = bottom - top + 1
    # A narrow mark standing apart at the left (the label's colon, a speck) is not part of the value.
    while (gap := next((i for i in range(1, len(cols)) if cols[i] - cols[i - 1] > line), None)) is not None \
            and cols[gap - 1] - cols[0] < 0.3 * line:
        cols = cols[gap:]
    pad = line // 2
    return (max(x0, x0 + cols[0] - pad), y0 + top, min(x1, x0 + cols[-1] + pad + 1), y0 + bottom + 1)


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


_GAP_INSET = 0.25


def _box(pieces: Sequence[Piece], start: int, end: int, gap: bool = False) -> BBox | None:
    """The page box of characters ``[start, end)`` of the pieces joined by spaces (first page's part only).

    ``gap``: the box between the characters just before ``start`` and just after ``end`` instead, on one
    line — where a number stands between two words however OCR read it, even as nothing."""
    if gap:
        before, after = _char_box(pieces, start - 1), _char_box(pieces, end)
        if before is None or after is None or before[0] is not after[0]:
            return None
        (seg, b), (_, a) = before, after
        # the word before's last letter may reach past its box (italic "ngày20": the y's tail; a box that
        # correction estimated when it gave a glued token back its space): a quarter line height is left out
        x0, x1 = b[2] + 1 + round(_GAP_INSET * seg.height), a[0] - 1
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
