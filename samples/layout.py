"""A tiny page-layout engine for form-like papers: styled runs placed on baselines, word wrapping, justified
paragraphs, tab-stop rows, columns, dotted leaders, rules, and named anchors.

It records every line in reading order with its exact text and its pixel box, so the ground truth is a
by-product of layout instead of a second description of the page that could drift from what is drawn.
Coordinates are pixels at the sheet's dpi; builders speak millimetres and points.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from PIL import ImageFont

from samples.fonts import FontFamily

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels


@dataclass(frozen=True)
class Style:
    size: float = 13.0  # points
    face: str = "regular"  # regular, bold, italic, bolditalic

    def but(self, *, size: float | None = None, face: str | None = None) -> Style:
        return Style(self.size if size is None else size, self.face if face is None else face)


@dataclass(frozen=True)
class Segment:
    """Text in one style, optionally the printed form of a ground-truth field."""

    text: str
    style: Style
    field: str | None = None
    glue: bool = False  # no space before it: "NGUYỄN VĂN AN" + ", sinh ngày"


@dataclass
class Run:
    text: str
    x: float
    style: Style
    field: str | None = None
    space_before: bool = False


@dataclass
class Line:
    baseline: float
    runs: list[Run]

    @property
    def text(self) -> str:
        return "".join((" " if r.space_before and i else "") + r.text for i, r in enumerate(self.runs))


@dataclass
class Shape:
    """Non-text marks: kind is one of line, rect, rounded, ellipse, photo, emblem, chip, qr."""

    kind: str
    box: Box
    width: float = 2.0
    gray: int = 0
    params: dict[str, float] = field(default_factory=dict)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def union(boxes: Iterable[Box]) -> Box | None:
    boxes = list(boxes)
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


class Sheet:
    """One page (or card) being laid out: lines in reading order, shapes, and named anchor boxes."""

    def __init__(self, width_mm: float, height_mm: float, dpi: int, family: FontFamily, shrink: float = 1.0) -> None:
        """A page of real size width_mm × height_mm at `dpi`.

        `shrink` > 1 draws everything (type, margins, spacing) smaller by that factor, as if the page were
        shrink times larger: the way a crowded paper is fitted onto one sheet. Builders then see a page of
        `width_mm` × `height_mm` virtual millimetres.
        """
        self.dpi = dpi
        self.family = family
        self.shrink = shrink
        self.width = round(width_mm / 25.4 * dpi)
        self.height = round(height_mm / 25.4 * dpi)
        self.width_mm = width_mm * shrink
        self.height_mm = height_mm * shrink
        self._px_per_mm = dpi / 25.4 / shrink
        self.lines: list[Line] = []
        self.shapes: list[Shape] = []
        self.anchors: dict[str, Box] = {}

    # units
    def px(self, mm: float) -> float:
        return mm * self._px_per_mm

    def mm(self, px: float) -> float:
        return px / self._px_per_mm

    def size_px(self, style: Style) -> int:
        return max(1, round(style.size * self.dpi / 72 / self.shrink))

    def font(self, style: Style) -> ImageFont.FreeTypeFont:
        return self.family.font(style.face, self.size_px(style))

    def length(self, text: str, style: Style) -> float:
        return self.font(style).getlength(text)

    # content
    def add_line(self, runs: list[Run], baseline: float) -> Line:
        for run in runs:
            run.text = nfc(run.text)
        line = Line(baseline, runs)
        self.lines.append(line)
        return line

    def add_shape(self, kind: str, box: Box, *, width: float = 2.0, gray: int = 0, **params: float) -> Shape:
        shape = Shape(kind, box, width, gray, dict(params))
        self.shapes.append(shape)
        return shape

    def hline(self, x0: float, x1: float, y: float, width_pt: float = 0.6) -> None:
        w = max(1.0, width_pt * self.dpi / 72)
        self.add_shape("line", (x0, y, x1, y), width=w)

    # geometry
    def run_box(self, run: Run, baseline: float) -> Box:
        x0, y0, x1, y1 = self.font(run.style).getbbox(run.text, anchor="ls")
        return (run.x + x0, baseline + y0, run.x + x1, baseline + y1)

    def line_box(self, line: Line) -> Box:
        box = union(self.run_box(r, line.baseline) for r in line.runs if r.text.strip())
        return box or (0.0, line.baseline, 0.0, line.baseline)

    def content_box(self) -> Box | None:
        """Everything drawn: lines and shapes."""
        return union([*(self.line_box(line) for line in self.lines), *(shape.box for shape in self.shapes)])

    def field_boxes(self) -> dict[str, Box]:
        found: dict[str, list[Box]] = {}
        for line in self.lines:
            for run in line.runs:
                if run.field:
                    found.setdefault(run.field, []).append(self.run_box(run, line.baseline))
        return {name: union(boxes) for name, boxes in found.items()}  # type: ignore[misc]


@dataclass
class _Word:
    text: str
    style: Style
    field: str | None
    width: float
    glue: bool = False


class Flow:
    """Writes lines downwards between two x limits, starting at a y (all given in millimetres)."""

    def __init__(self, sheet: Sheet, x0_mm: float, x1_mm: float, y_mm: float) -> None:
        self.sheet = sheet
        self.x0 = sheet.px(x0_mm)
        self.x1 = sheet.px(x1_mm)
        self.y = sheet.px(y_mm)

    @property
    def y_mm(self) -> float:
        return self.sheet.mm(self.y)

    @property
    def x0_mm(self) -> float:
        return self.sheet.mm(self.x0)

    @property
    def x1_mm(self) -> float:
        return self.sheet.mm(self.x1)

    def skip(self, mm: float) -> None:
        self.y += self.sheet.px(mm)

    def columns(self, *bounds_mm: tuple[float, float]) -> list[Flow]:
        """Sub-flows side by side starting at the current y; fill them, then call `join`."""
        return [Flow(self.sheet, a, b, self.y_mm) for a, b in bounds_mm]

    def join(self, flows: Sequence[Flow]) -> None:
        self.y = max([self.y, *(f.y for f in flows)])

    def _next_baseline(self, size_px: int) -> float:
        return self.y + size_px * 1.02

    def _advance(self, baseline: float, size_px: int, leading: float) -> None:
        self.y = baseline + size_px * (leading - 1.02)

    def write(
        self,
        segments: Sequence[Segment] | Segment,
        *,
        align: str = "left",
        justify: bool = False,
        indent_mm: float = 0.0,
        hang_mm: float = 0.0,
        leading: float = 1.4,
        leaders: bool = False,
        leader_style: Style | None = None,
    ) -> list[Line]:
        """Wrap the words of `segments` into lines (one space between words) and place them.

        indent_mm shifts the first line, hang_mm the following ones; `leaders` fills the rest of the last
        line with dots, as printed forms do.
        """
        if isinstance(segments, Segment):
            segments = [segments]
        sheet = self.sheet
        words = [
            _Word(w, seg.style, seg.field, sheet.length(w, seg.style), glue=seg.glue and i == 0)
            for seg in segments for i, w in enumerate(nfc(seg.text).split())
        ]
        if not words:
            return []
        words[0].glue = False
        size_px = max(sheet.size_px(s.style) for s in segments)
        # words glued to the one before travel together to the next line
        clusters: list[list[_Word]] = []
        for word in words:
            if word.glue:
                clusters[-1].append(word)
            else:
                clusters.append([word])
        lines_words: list[list[_Word]] = []
        current: list[_Word] = []
        width = 0.0
        for cluster in clusters:
            limit = self.x1 - self.x0 - sheet.px(indent_mm if not lines_words else hang_mm)
            space = sheet.length(" ", cluster[0].style) if current else 0.0
            cluster_width = sum(w.width for w in cluster)
            if current and width + space + cluster_width > limit:
                lines_words.append(current)
                current, width, space = [], 0.0, 0.0
            current.extend(cluster)
            width += space + cluster_width
        lines_words.append(current)

        placed: list[Line] = []
        for index, line_words in enumerate(lines_words):
            left = self.x0 + sheet.px(indent_mm if index == 0 else hang_mm)
            last = index == len(lines_words) - 1
            placed.append(self._place(line_words, left, align, justify and not last, size_px, leading))
        if leaders:
            self._add_leaders(placed[-1], leader_style or segments[0].style)
        return placed

    def _place(self, words: list[_Word], left: float, align: str, justify: bool, size_px: int,
               leading: float) -> Line:
        sheet = self.sheet
        spaces = [0.0 if w.glue else sheet.length(" ", w.style) for w in words[1:]]
        natural = sum(w.width for w in words) + sum(spaces)
        avail = self.x1 - left
        extra = 0.0
        gaps = sum(1 for w in words[1:] if not w.glue)
        if justify and gaps:
            extra = max(0.0, (avail - natural) / gaps)
            if extra > sheet.size_px(words[0].style) * 0.8:  # a nearly empty line: do not stretch it
                extra = 0.0
        x = {"left": left, "center": left + (avail - natural) / 2, "right": self.x1 - natural}[align]
        runs: list[Run] = []
        for i, word in enumerate(words):
            if i and not word.glue:
                x += spaces[i - 1] + extra
            same = runs and runs[-1].style == word.style and runs[-1].field == word.field and (
                word.glue or not justify)
            if same:
                runs[-1].text += ("" if word.glue else " ") + word.text
            else:
                runs.append(Run(word.text, x, word.style, word.field, space_before=bool(i) and not word.glue))
            x += word.width
        baseline = self._next_baseline(size_px)
        line = sheet.add_line(runs, baseline)
        self._advance(baseline, size_px, leading)
        return line

    def _add_leaders(self, line: Line, style: Style) -> None:
        sheet = self.sheet
        last = line.runs[-1]
        start = last.x + sheet.length(last.text, last.style) + sheet.length(" ", style)
        dot = sheet.length(".", style)
        count = int((self.x1 - start) // dot)
        if count >= 3:
            line.runs.append(Run("." * count, start, style, None, space_before=True))

    def row(self, cells: Sequence[tuple[float, Sequence[Segment]]], *, leading: float = 1.4) -> list[Line]:
        """One line with cells at tab stops (x offsets in mm from the flow's left edge).

        When a cell would run into the next one, the cells are written one per line instead.
        """
        sheet = self.sheet
        runs: list[Run] = []
        fits = True
        size_px = max(sheet.size_px(seg.style) for _, segs in cells for seg in segs)
        for index, (offset, segs) in enumerate(cells):
            x = self.x0 + sheet.px(offset)
            if runs:
                prev = runs[-1]
                if prev.x + sheet.length(prev.text, prev.style) + sheet.px(2) > x:
                    fits = False
                    break
            for j, seg in enumerate(segs):
                text = " ".join(nfc(seg.text).split())
                runs.append(Run(text, x, seg.style, seg.field, space_before=bool(index or j)))
                x += sheet.length(text, seg.style) + sheet.length(" ", seg.style)
        if fits and runs and runs[-1].x + sheet.length(runs[-1].text, runs[-1].style) <= self.x1:
            baseline = self._next_baseline(size_px)
            line = sheet.add_line(runs, baseline)
            self._advance(baseline, size_px, leading)
            return [line]
        lines: list[Line] = []
        for _, segs in cells:
            lines += self.write(segs, leading=leading)
        return lines

    def rule_under(self, line: Line, fraction: float = 1.0, gap_mm: float = 0.8) -> None:
        """A centred rule under a line, as under the motto and the agency name."""
        x0, _, x1, y1 = self.sheet.line_box(line)
        width = (x1 - x0) * fraction
        mid = (x0 + x1) / 2
        y = max(y1, line.baseline + self.sheet.size_px(line.runs[0].style) * 0.25) + self.sheet.px(gap_mm)
        self.sheet.hline(mid - width / 2, mid + width / 2, y)
        self.y = max(self.y, y + self.sheet.px(1.0))
