"""``paddle+tesseract``: PP-OCR finds the text lines, Tesseract's Vietnamese model reads them.

PP-OCR's detector is robust on documents (seals, two-column headers, tables, noise), but no released PaddleOCR
recogniser knows Vietnamese tone marks; Tesseract's ``vie`` model does, but its own page segmentation is what
fails on busy pages. So each detected box is cut out with a margin (the stacked marks of "Ễ", "Ổ" stand above
the box PP-OCR draws), the crops are stacked under one another on a white strip with clear gaps, and Tesseract
reads the strip in one run (one model load per page, not one per line). Each word it finds is mapped back to
the crop it lies in, and so to page coordinates. In each crop the other detected lines and a table's vertical
rules are painted white first: Tesseract would read them as junk ("|", halves of letters).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from statistics import median

import cv2
import numpy as np
from PIL import Image

from pipeline.document import BBox, Line, Page, Word
from pipeline.intake import PageImage
from pipeline.ocr.base import LineOptions, LineReading
from pipeline.ocr.layout import page_from_segments
from pipeline.ocr.paddle import PaddleDetector, to_bgr
from pipeline.ocr.tesseract import TesseractEngine

_PAD_Y = 0.2  # of the box height, above and below: room for stacked diacritics and descenders
_PAD_X = 0.3  # of the box height, left and right
_GAP = 0.4  # white between stacked crops, in line heights: Tesseract must not merge two crops into one line
_MARGIN = 20  # px of white around the strip
_MIN_HEIGHT = 0.5  # of the median line height: thinner "lines" are slivers of a neighbour


@dataclass(frozen=True)
class _Slot:
    """Where a crop of the page sits on the strip."""

    page_box: BBox  # the padded crop, in page pixels
    top: int  # its top on the strip (its left is _MARGIN)


class PaddleTesseractEngine:
    def __init__(
        self, tessdata_dir: str | Path | None, det_model: Path | None = None, name: str = "paddle+tesseract",
        psm: int = 4,
    ) -> None:
        self.detector = PaddleDetector(det_model)
        # psm 4: a single column of text of variable sizes, which is what the strip is. The strip is read at the
        # page's own resolution: the 200-dpi reading of the `tesseract` engine was measured for whole pages only.
        self.reader = TesseractEngine(tessdata_dir=tessdata_dir, psm=psm, name=name, max_dpi=None)
        self.name = name

    def recognize(self, page: PageImage) -> Page:
        width, height = page.image.size
        detections = self.detector.detect(to_bgr(page.image))
        boxes = [d.box for d in detections]
        lines: list[list[list[Word]]] = [[] for _ in boxes]
        if boxes:
            gray = np.asarray(page.image.convert("L"))
            strip, slots = _stack(gray, boxes)
            read = self.reader.recognize(PageImage(number=page.number, image=Image.fromarray(strip), dpi=page.dpi))
            # Tesseract's lines are kept as they are: one box may hold lines the detector ran together.
            for line in _full_height(read.lines):
                by_slot: dict[int, list[Word]] = {}
                for word in line.words:
                    index = _slot_of(word.bbox, slots)
                    if index is not None:
                        by_slot.setdefault(index, []).append(_to_page(word, slots[index], width, height))
                for index, words in by_slot.items():
                    lines[index].append(words)
        return page_from_segments(page.number, width, height, page.dpi, boxes, lines)

    def read_line(self, image: Image.Image, dpi: int, options: LineOptions) -> LineReading | None:
        """A single line needs no detector: Tesseract reads it as the ``tesseract`` engine would."""
        return self.reader.read_line(image, dpi, options)


def _full_height(lines: list[Line]) -> list[Line]:
    """The lines at least half as tall as the median line: a thinner one is the cut-off top or bottom of a
    neighbouring line at a crop's edge, which Tesseract reads as junk ("3 3 NHI", "—=—=s")."""
    if not lines:
        return []
    typical = median(ln.bbox[3] - ln.bbox[1] for ln in lines)
    return [ln for ln in lines if ln.bbox[3] - ln.bbox[1] >= _MIN_HEIGHT * typical]


def _stack(gray: np.ndarray, boxes: list[BBox]) -> tuple[np.ndarray, list[_Slot]]:
    """The padded crops of ``boxes`` stacked top to bottom on a white strip, and where each one went."""
    height, width = gray.shape
    slots, crops, top = [], [], _MARGIN
    for x0, y0, x1, y1 in boxes:
        h = y1 - y0
        pad_x, pad_y = round(_PAD_X * h), round(_PAD_Y * h)
        box = (max(0, x0 - pad_x), max(0, y0 - pad_y), min(width, x1 + pad_x), min(height, y1 + pad_y))
        crop = _without_rules(_without_neighbours(gray, box, (x0, y0, x1, y1), boxes))
        slots.append(_Slot(page_box=box, top=top))
        crops.append(crop)
        top += crop.shape[0] + max(_MARGIN, round(_GAP * h))
    strip = np.full((top + _MARGIN, max(c.shape[1] for c in crops) + 2 * _MARGIN), 255, dtype=np.uint8)
    for slot, crop in zip(slots, crops, strict=True):
        strip[slot.top : slot.top + crop.shape[0], _MARGIN : _MARGIN + crop.shape[1]] = crop
    return strip, slots


def _without_neighbours(gray: np.ndarray, crop_box: BBox, own: BBox, boxes: list[BBox]) -> np.ndarray:
    """The page inside ``crop_box`` with every other detected box painted white (outside ``own``): the margin
    that keeps this line's marks would otherwise bring in the top or bottom of the lines above and below,
    which Tesseract reads as junk."""
    cx0, cy0, cx1, cy1 = crop_box
    crop = gray[cy0:cy1, cx0:cx1].copy()
    keep = crop[own[1] - cy0 : own[3] - cy0, own[0] - cx0 : own[2] - cx0].copy()
    for x0, y0, x1, y1 in boxes:
        if x0 < cx1 and x1 > cx0 and y0 < cy1 and y1 > cy0:
            crop[max(0, y0 - cy0) : max(0, y1 - cy0), max(0, x0 - cx0) : max(0, x1 - cx0)] = 255
    crop[own[1] - cy0 : own[3] - cy0, own[0] - cx0 : own[2] - cx0] = keep
    return crop


def _without_rules(crop: np.ndarray) -> np.ndarray:
    """The crop with a table's vertical rules painted white. A rule crosses the whole crop, margins included;
    no letter does (the margins add 40% to the line's height), so Tesseract no longer reads rules as "|"."""
    height = crop.shape[0]
    if height < 10:
        return crop
    ink = (crop < 128).astype(np.uint8)
    rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, int(0.9 * height))))
    if not rules.any():
        return crop
    rules = cv2.dilate(rules, np.ones((1, 3), np.uint8))  # the rule's anti-aliased edges too
    out = crop.copy()
    out[rules.astype(bool)] = 255
    return out


def _slot_of(bbox: BBox, slots: list[_Slot]) -> int | None:
    """The crop whose band on the strip holds the word's vertical centre (None: it lies in a gap)."""
    centre = (bbox[1] + bbox[3]) / 2
    for index, slot in enumerate(slots):
        if slot.top <= centre < slot.top + (slot.page_box[3] - slot.page_box[1]):
            return index
    return None


def _to_page(word: Word, slot: _Slot, width: int, height: int) -> Word:
    dx, dy = slot.page_box[0] - _MARGIN, slot.page_box[1] - slot.top
    x0, y0, x1, y1 = word.bbox
    box = (max(0, x0 + dx), max(0, y0 + dy), min(width, x1 + dx), min(height, y1 + dy))
    return Word(text=word.text, bbox=box, confidence=word.confidence)
