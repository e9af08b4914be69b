"""Clean a page image before OCR: a chain of small steps, each measured on its own (``bench/ocr.py --chains``).

Steps that need colour run first, on the RGB image (``inks``: red seals and blue signatures fade to paper);
the page is then made gray and the gray steps run in the order given. :data:`DEFAULT_CHAIN` holds the steps
that lowered the error on the measurement (generated clean, scan-degraded and phone-photo pages, real
decisions), in order: cut the sheet out of a phone photo (``page``: it runs first, before any other step), colour
inks, flatten the background (shadows, uneven light), turn a sideways or upside-down page upright, deskew, a
median only on noisy pages, erase dust specks, erase dotted leaders. Leaving any one out raised the CER (figures
in the README's OCR section); ``orient`` costs ~40 ms and never turned an upright page measured; ``page`` says
no to a scan in ~2–8 ms and leaves it untouched, and took generated phone photos from 31% CER to 3.3%.
Steps that move pixels (``orient``, ``deskew``, ``rescale``) can replay their move on the page as a reader sees
it (:func:`clean_page_with_view`), so the searchable PDF shows the page upright with its seal.
Upscaling a 150-dpi page to 300 (``rescale``) doubled the time and was worse on real pages, so it is not in
the chain; a median on a clean or a low-resolution page erased diacritics, so it runs only where it pays.
Shrinking to 200 dpi pays (Tesseract reads better and faster there) but is the engine's business
(``pipeline.ocr.tesseract.PAGE_DPI``): here it would have to follow the median, and the cleaned page keeps the
geometry of the page as it came.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from pipeline.intake import PageImage

_MAX_SKEW_DEG = 5.0
_SKEW_STEP_DEG = 0.2
_ANALYSIS_WIDTH = 800  # the skew search runs on a small copy: the angle does not need full resolution
_ORIENT_DPI = 100
_ORIENT_STRIP_PX = 200  # 5 cm at 100 dpi
_MIN_ORIENT_INK = 0.002
_SIDEWAYS_RATIO = 1.5  # row vs column profile contrast; upright pages measured ≥ 2
_MIN_LEAN = 0.2  # |above − below| share under which the page is left as it is (A4 pages measured ≥ 0.32 either way)
# Shorter side under which no orientation is guessed: on an ID card (2.1 in) the photo, emblem and large type make
# both cues unreliable (upright generated cards measured from −0.36 to +0.4), and a wrong turn is worse than none.
_MIN_ORIENT_INCHES = 4.0
_RULE_MM = 6.0  # straight ink longer than this is a rule (table, underline), not part of a letter
_MAX_LINE_MM = 12.0  # a run of inked rows taller than this is not one line of text

TARGET_DPI = 300
_NOISY = 0.3  # noise_level above which the median pays (measured: clean and real pages ≤ 0.1, scans ≥ 0.36)
_MIN_MEDIAN_DPI = 200


# --- colour -------------------------------------------------------------------------------------------------


def to_gray(image: np.ndarray) -> np.ndarray:
    """Luminance (ITU-R 601, as Pillow's ``convert("L")``) of an RGB image; a gray image is returned as is."""
    if image.ndim == 2:
        return image
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def drop_colour_ink(rgb: np.ndarray, min_saturation: int = 60) -> np.ndarray:
    """Gray page in which red seals and blue signatures fade to light gray while black text stays black.

    A strongly coloured pixel takes its brightest channel instead of its luminance: a red seal (200, 32, 45)
    becomes 200, near the paper; black text under the seal is dark in every channel and stays dark.
    """
    if rgb.ndim == 2:
        return rgb
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    r, g, b = cv2.split(rgb)
    hi = cv2.max(cv2.max(r, g), b)
    saturated = cv2.compare(cv2.subtract(hi, cv2.min(cv2.min(r, g), b)), min_saturation, cv2.CMP_GT)
    cv2.copyTo(hi, saturated, gray)  # OpenCV on whole planes: ~10× faster than numpy's max(axis=2)
    return gray


# --- geometry -----------------------------------------------------------------------------------------------


def estimate_skew(gray: np.ndarray) -> float:
    """Angle in degrees (counter-clockwise positive) that makes text lines horizontal.

    Projection-profile search: the right angle makes the row sums of ink most uneven (lines vs gaps). The row
    sums of the page turned by an angle are a histogram of where its ink pixels land: counting them costs a
    third of turning the whole image for every angle tried.
    """
    scale = min(1.0, _ANALYSIS_WIDTH / gray.shape[1])
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    if cv2.countNonZero(ink) < 0.001 * ink.size:
        return 0.0
    h, w = ink.shape
    ys, xs = np.nonzero(ink)
    dx, dy = xs - w / 2, ys - h / 2

    def score(angle: float) -> float:
        # cv2.getRotationMatrix2D's turn (counter-clockwise, about the centre), ink leaving the frame dropped
        sin, cos = math.sin(math.radians(angle)), math.cos(math.radians(angle))
        rows = np.rint(cos * dy - sin * dx + h / 2)
        cols = np.rint(cos * dx + sin * dy + w / 2)
        inside = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)
        return float(np.var(np.bincount(rows[inside].astype(np.intp), minlength=h)))

    # Coarse to fine: whole degrees, then the step around the best one (22 rotations instead of 51).
    coarse = max(np.arange(-_MAX_SKEW_DEG, _MAX_SKEW_DEG + 1e-9, 1.0), key=score)
    fine = np.arange(coarse - 1.0, coarse + 1.0 + 1e-9, _SKEW_STEP_DEG)
    return round(float(max(fine[np.abs(fine) <= _MAX_SKEW_DEG + 1e-9], key=score)), 6)


def rotate(gray: np.ndarray, angle: float, fill: int = 255) -> np.ndarray:
    """Rotate about the centre, filling the corners with ``fill`` (white: paper), keeping the size."""
    if abs(angle) < 1e-6:
        return gray
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=fill)


def estimate_orientation(gray: np.ndarray, dpi: int) -> int:
    """Degrees (0, 90, 180 or 270, clockwise) to turn the page by so its text reads upright; 0 when unsure.

    Two cheap cues on a 100-dpi copy, no OCR: text lines make the row sums of ink far more uneven than the
    column sums (so a page turned sideways shows it), and a line of Vietnamese carries more ink above its
    x-height band (capitals, ascenders, nearly every tone mark and circumflex) than below it (descenders, the
    dot below), so an upside-down page shows the opposite. The profile is taken in narrow vertical strips
    after the residual skew is removed, so neither a two-column header nor a tilted scan blurs the bands.
    """
    if min(gray.shape[:2]) / dpi < _MIN_ORIENT_INCHES:
        return 0  # card-sized: see _MIN_ORIENT_INCHES
    ink = _analysis_ink(gray, dpi)
    if cv2.countNonZero(ink) < _MIN_ORIENT_INK * ink.size:
        return 0  # blank or nearly blank: nothing to read the orientation from
    rows, cols = _profile_contrast(ink, axis=1), _profile_contrast(ink, axis=0)
    sideways = cols > _SIDEWAYS_RATIO * rows
    if sideways:
        ink = np.ascontiguousarray(np.rot90(ink))  # turned 90° counter-clockwise: lines are horizontal now
    elif rows < _SIDEWAYS_RATIO * cols:
        return 0  # neither direction has clear lines (a photo, a table grid): leave the page as it is
    ink = rotate(ink, estimate_skew(255 - ink), fill=0)
    lean = _ink_above_minus_below(ink)
    if sideways:
        # The turn above was 90° counter-clockwise (= 270° clockwise); if that left the text upside down, the
        # page needs the other quarter turn. A sideways page is turned either way: it cannot be upright.
        return 270 if lean >= 0 else 90
    return 180 if lean < -_MIN_LEAN else 0


def turn(gray: np.ndarray, degrees_clockwise: int) -> np.ndarray:
    """The page turned by a multiple of 90° clockwise (lossless: pixels are moved, not resampled)."""
    quarter_turns = (degrees_clockwise // 90) % 4
    return np.ascontiguousarray(np.rot90(gray, -quarter_turns)) if quarter_turns else gray


def orient(gray: np.ndarray, dpi: int) -> np.ndarray:
    return turn(gray, estimate_orientation(gray, dpi))


def _analysis_ink(gray: np.ndarray, dpi: int) -> np.ndarray:
    """Ink (255) on paper (0) at 100 dpi, without ruled lines: a table's rules would join all its rows into one
    block and hide the lines of text; no stroke of a letter is as long as a rule."""
    scale = min(1.0, _ORIENT_DPI / dpi)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    rule = max(3, round(_RULE_MM / 25.4 * _ORIENT_DPI))
    rules = cv2.max(cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((rule, 1), np.uint8)),
                    cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, rule), np.uint8)))
    return cv2.subtract(ink, rules)


def _profile_contrast(ink: np.ndarray, axis: int) -> float:
    """How uneven the ink's projection along ``axis`` is (variance over squared mean): high across text lines."""
    profile = ink.sum(axis=axis, dtype=np.float64)
    mean = profile.mean()
    return float(profile.var() / (mean * mean)) if mean > 0 else 0.0


def _ink_above_minus_below(ink: np.ndarray) -> float:
    """Over every text line: (ink above its x-height band − ink below it) / both, in ``[-1, 1]``.

    The band of a line is where its row profile reaches half its peak; a line is a run of rows with ink, found
    in each vertical strip on its own (a strip is narrow enough that a two-column page's lines don't mix).
    """
    w = ink.shape[1]
    strips = max(1, w // _ORIENT_STRIP_PX)
    max_line = round(_MAX_LINE_MM / 25.4 * _ORIENT_DPI)
    above = below = 0.0
    for s in range(strips):
        strip = ink[:, s * w // strips : (s + 1) * w // strips]
        rows = strip.sum(axis=1, dtype=np.float64) / 255.0
        occupied = np.concatenate(([False], rows > 0, [False]))
        edges = np.flatnonzero(occupied[1:] != occupied[:-1])
        for start, stop in zip(edges[::2], edges[1::2], strict=True):
            line = rows[start:stop]
            if not 4 <= len(line) <= max_line:
                continue  # a speck, or a seal, photo or drawing: not a line of text
            band = np.flatnonzero(line >= 0.5 * line.max())
            above += line[: band[0]].sum()
            below += line[band[-1] + 1 :].sum()
    total = above + below
    return float((above - below) / total) if total else 0.0


def deskew(gray: np.ndarray) -> np.ndarray:
    return rotate(gray, estimate_skew(gray))


def rescale(gray: np.ndarray, dpi: int, target_dpi: int = TARGET_DPI) -> tuple[np.ndarray, int]:
    """The page at ``target_dpi`` (cubic up, area down); unchanged within 10% of it."""
    if abs(dpi - target_dpi) <= 0.1 * target_dpi:
        return gray, dpi
    factor = target_dpi / dpi
    method = cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA
    return cv2.resize(gray, None, fx=factor, fy=factor, interpolation=method), target_dpi


# --- light and noise ----------------------------------------------------------------------------------------


def denoise(gray: np.ndarray) -> np.ndarray:
    """3×3 median: removes JPEG speckle and dust that Tesseract otherwise reads as punctuation."""
    return cv2.medianBlur(gray, 3)


def noise_level(gray: np.ndarray, filtered: np.ndarray | None = None) -> float:
    """Mean gray-level change a 3×3 median makes on plain paper (away from ink): ~0 on a clean render or a
    born-digital page, ≥ 2 on a JPEG scan with grain (measured on generated and real pages at 150–300 dpi)."""
    filtered = cv2.medianBlur(gray, 3) if filtered is None else filtered
    level, _ = cv2.threshold(filtered, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    _, paper = cv2.threshold(filtered, level, 255, cv2.THRESH_BINARY)  # brighter than the Otsu level
    paper = cv2.erode(paper, np.ones((7, 7), np.uint8))
    if not cv2.countNonZero(paper):
        return 0.0
    return float(cv2.mean(cv2.absdiff(gray, filtered), mask=paper)[0])  # OpenCV: 2× faster than a numpy mask


def denoise_if_noisy(gray: np.ndarray, dpi: int = TARGET_DPI, threshold: float = _NOISY) -> np.ndarray:
    """The 3×3 median only on a noisy page of at least 200 dpi. On a clean page it thins strokes and blurs the
    small diacritics (about a point of word error on the real pages); under 200 dpi its window is as wide as a
    stroke and it erases them (generated scans at 150 dpi: CER 13.4% with it, 9.0% without)."""
    if dpi < _MIN_MEDIAN_DPI:
        return gray
    filtered = cv2.medianBlur(gray, 3)
    return filtered if noise_level(gray, filtered) > threshold else gray


def flatten_background(gray: np.ndarray, dpi: int) -> np.ndarray:
    """Divide by an estimate of the paper's brightness: evens out a scanner lid's dark edge band, uneven
    light and gray paper, so the page is white wherever there is no ink.

    The background is a grayscale closing over ~6 mm (wider than any stroke), computed on a 100-dpi copy.
    """
    h, w = gray.shape
    scale = min(1.0, 100 / dpi)  # 100 dpi is plenty for light that varies over centimetres
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    size = max(3, round(6 / 25.4 * dpi * scale) | 1)
    # A closing lifts everything darker than the paper and narrower than the window (the ink) to the paper
    # around it, and follows a shadow's ramp where a plain maximum filter would overshoot it.
    padded = cv2.copyMakeBorder(small, size, size, size, size, cv2.BORDER_REPLICATE)  # no overshoot at the edges
    closed = cv2.morphologyEx(padded, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))
    background = cv2.blur(closed, (3, 3))[size:-size, size:-size]
    background = cv2.resize(background, (w, h), interpolation=cv2.INTER_LINEAR)
    # In 8 bits, saturating (and rounding): 5× faster than the same division in float32 with numpy.
    return cv2.divide(gray, cv2.max(background, 1), scale=255.0)


def remove_specks(gray: np.ndarray, dpi: int) -> np.ndarray:
    """Paint over dust: specks of ink with no other ink within 1.5 mm.

    Dilating the ink by 1.5 mm joins every letter, diacritic and full stop to its word; what is still a tiny
    island after that is a speck Tesseract would read as ``.`` ``'`` ``-``, or a junk word.
    """
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    mm = dpi / 25.4
    reach = max(3, round(1.5 * mm)) | 1
    grown = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (reach, reach)))  # separable: fast
    limit = reach + 1.0 * mm  # an island no bigger than a 1 mm speck grown by the reach
    islands = [(outline, box) for outline, box in _outlines(grown) if box[2] <= limit and box[3] <= limit]
    if not islands:
        return gray
    out = gray.copy()
    paper = _paper_level(gray)
    for outline, (x, y, w, h) in islands:
        inside = np.zeros((h, w), np.uint8)
        cv2.drawContours(inside, [outline], -1, 255, cv2.FILLED, offset=(-x, -y))
        out[y : y + h, x : x + w][inside > 0] = paper  # the island holds nothing but the speck
    return out


def _outlines(binary: np.ndarray) -> list[tuple[np.ndarray, tuple[int, int, int, int]]]:
    """The outer outline of every 8-connected component of ``binary`` with its bounding box (x, y, w, h), those
    inside another's hole (a speck in a table cell) included. On a sparse page ~7× faster than labelling every
    pixel, where only the boxes and outlines are needed."""
    outlines, hierarchy = cv2.findContours(binary, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return []
    return [(c, cv2.boundingRect(c)) for c, h in zip(outlines, hierarchy[0], strict=True) if h[3] < 0]


def _components(binary: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """8-connected components with their stats; Grana's algorithm is ~2.5× faster than OpenCV's default here."""
    count, labels, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(binary, 8, cv2.CV_32S, cv2.CCL_GRANA)
    return count, labels, stats


def _paper_level(gray: np.ndarray) -> int:
    """The shade of the paper: the 90th percentile of a sparse sample of the page."""
    return int(np.percentile(gray[::7, ::7], 90))


# --- dotted leaders -----------------------------------------------------------------------------------------


def remove_dotted_leaders(gray: np.ndarray, dpi: int, min_dots: int = 5) -> np.ndarray:
    """Paint over the rows of dots that forms print after a label ("Họ tên: ..........").

    Tesseract reads such a row as a word of junk (``...—.,:``) that lands in field values. A leader is a row,
    at least 6 mm long, of at least ``min_dots`` low specks (or of dashes, where scanning blur has run the dots
    together) with nothing just above it. The dot under a Vietnamese vowel (ạ, ị, ọ) always has its letter
    above, and an ellipsis is too short, so neither is touched.
    """
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    count, _, stats = _components(ink)
    if count <= 1:
        return gray
    mm = dpi / 25.4
    x, y, w, h, area = (stats[1:, i] for i in range(5))
    low = np.flatnonzero((h <= 0.75 * mm) & (h >= 0.12 * mm) & (w >= 0.12 * mm) & (area >= 0.3 * w * h))
    if len(low) < 2:
        return gray
    x, y, w, h = x[low], y[low], w[low], h[low]
    specks = np.zeros_like(ink)
    for i in range(len(low)):
        specks[y[i] : y[i] + h[i], x[i] : x[i] + w[i]] = 1
    # Join the specks of one row: a horizontal-only dilation never merges rows at different heights.
    bridge = cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, int(1.5 * mm)), 1))
    out = gray.copy()
    pad = max(1, int(0.1 * mm))
    paper = _paper_level(gray)
    for _, (x0, y0, rw, rh) in _outlines(cv2.dilate(specks, bridge)):
        if rw < 6 * mm or rh > 1.0 * mm:
            continue
        members = np.flatnonzero((x >= x0) & (x + w <= x0 + rw) & (y >= y0) & (y + h <= y0 + rh))
        if len(members) < min_dots and w[members].max() < 4 * mm:
            continue
        above = ink[max(0, y0 - int(1.5 * mm)) : max(0, y0 - int(0.25 * mm)), x0 : x0 + rw]
        if above.size and cv2.countNonZero(above) > 0.08 * above.size:
            continue  # letters above: dots under vowels, or a word's underline
        for m in members:
            out[max(0, y[m] - pad) : y[m] + h[m] + pad, max(0, x[m] - pad) : x[m] + w[m] + pad] = paper
    return out


# --- the page in a photo ------------------------------------------------------------------------------------

_PAGE_ANALYSIS_PX = 1024  # long side of the copy the sheet is looked for on (a corner within ~3 px at 3000 px)
_PAGE_MIN_SHARE = 0.2  # a sheet covers at least this share of a photo of it
_PAGE_EDGE_MARGIN = 0.004  # a corner this close to the image's edge (share of its side): no background around
_PAGE_MIN_CONTRAST = 20  # paper at least this many gray levels brighter than the surface just outside it
_PAGE_MAX_BORDER = 0.5  # more of the image's edge than this is paper: a scan, or a sheet running out of the frame
_PAGE_MIN_FILL = 0.9  # the sheet fills at least this share of its quadrilateral (not a blob of other bright things)
_PAGE_MAX_SATURATION = 60  # paper under a warm or cool cast stays below this channel spread; wood, fabric do not
_PAGE_TRIM = 0.004  # share of the sheet trimmed off each side, so no sliver of the table is left at its edges
_PAGE_MAX_DPI = 300  # a sheet photographed at more is brought down to this; never enlarged (cf. ``rescale``)
_PAGE_SNAP = 0.06  # an estimated aspect within 6% of a known paper's is taken to be that paper
# Known papers by long/short side ratio, with the length of their long side in inches: A-series (A4 assumed: the
# administrative papers are A4; an A5 sheet gets half its true dpi, which only the dpi-sized steps notice) and
# ID-1 cards (CCCD, driving licences).
_PAPERS = ((math.sqrt(2), 297 / 25.4), (85.6 / 53.98, 85.6 / 25.4))
_ASSUMED_LONG_INCHES = 11.0  # a sheet of unknown shape: about A4 or Letter
_MIN_CLAIMED_DPI = 100  # under this a file's dpi is a camera's 72, not a scanner's resolution


@dataclass(frozen=True)
class PageQuad:
    """A sheet of paper found in a photo: its corners in the image (top-left, top-right, bottom-right,
    bottom-left, clockwise from the corner nearest the image's top-left), its size once flat, and its dpi."""

    corners: np.ndarray  # 4×2 float32
    size: tuple[int, int]  # width × height of the rectified sheet in pixels
    dpi: int

    def rectify(self, image: np.ndarray) -> np.ndarray:
        """The sheet cut out of ``image`` (gray or RGB) and made an upright rectangle of :attr:`size`."""
        w, h = self.size
        tx, ty = _PAGE_TRIM * w, _PAGE_TRIM * h
        target = np.float32([[-tx, -ty], [w - 1 + tx, -ty], [w - 1 + tx, h - 1 + ty], [-tx, h - 1 + ty]])
        matrix = cv2.getPerspectiveTransform(self.corners.astype(np.float32), target)
        return cv2.warpPerspective(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def find_page(image: np.ndarray, dpi: int) -> PageQuad | None:
    """The sheet in a photo of a paper lying on a darker or coloured surface; None when there is none to find.

    None is the answer for a scan (the paper fills the image: the brightest region reaches its edges), for a
    photo whose sheet runs out of the frame, for a sheet on a surface as light as itself, and for anything that
    is not a convex four-cornered bright shape clearly brighter than what surrounds it: a wrong crop would cost
    more than no crop. Looked for on a ~1000-px copy: ~15 ms to say no on an A4 scan at 300 dpi.
    """
    h, w = image.shape[:2]
    scale = min(1.0, _PAGE_ANALYSIS_PX / max(h, w))
    # Linear, not area, resampling: 10× faster on a colour page, and the text is closed over anyway.
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR) if scale < 1 else image
    paper = _paper_mask(small)
    if _border_share(paper) > _PAGE_MAX_BORDER:
        return None  # paper all round the image's edge: a scan (the common case, so decided first and cheaply)
    count, labels, stats = _components(paper)
    if count < 2:
        return None
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    x, y, bw, bh, area = (int(v) for v in stats[largest])
    sh, sw = paper.shape
    margin = _PAGE_EDGE_MARGIN * max(sh, sw)
    if area < _PAGE_MIN_SHARE * sh * sw:
        return None
    if x <= margin and y <= margin and x + bw >= sw - margin and y + bh >= sh - margin:
        return None  # the bright region spans the image: a scan, or a sheet filling the photo (the common case)
    sheet = (labels == largest).astype(np.uint8) * 255
    contours, _ = cv2.findContours(sheet, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    hull = cv2.convexHull(max(contours, key=cv2.contourArea))
    corners = _four_corners(hull)
    if corners is None:
        return None
    if (corners.min(axis=0) < margin).any() or (corners[:, 0] > sw - 1 - margin).any() \
            or (corners[:, 1] > sh - 1 - margin).any():
        return None  # a corner at the image's edge: the sheet runs out of the frame
    quad_area = cv2.contourArea(corners.astype(np.float32))
    if quad_area <= 0 or area < _PAGE_MIN_FILL * quad_area:
        return None
    if _edge_contrast(to_gray(small), corners) < _PAGE_MIN_CONTRAST:
        return None
    corners = corners / scale
    size, found_dpi = _flat_size(corners, (w, h), dpi)
    return PageQuad(corners.astype(np.float32), size, found_dpi)


def _paper_mask(small: np.ndarray) -> np.ndarray:
    """Bright, unsaturated pixels, the text closed over: paper (255) against a table or fabric (0)."""
    gray = to_gray(small)
    reach = max(3, round(0.012 * max(gray.shape)) | 1)  # ~3 mm on the sheet: wider than any stroke
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (reach, reach))
    closed = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, kernel)
    _, bright = cv2.threshold(closed, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    if small.ndim == 3:
        spread = cv2.subtract(cv2.max(cv2.max(small[..., 0], small[..., 1]), small[..., 2]),
                              cv2.min(cv2.min(small[..., 0], small[..., 1]), small[..., 2]))
        # A seal or signature on the sheet is saturated too: closing the gray mask keeps them part of it.
        grey = cv2.morphologyEx((spread < _PAGE_MAX_SATURATION).astype(np.uint8) * 255, cv2.MORPH_CLOSE, kernel)
        bright = cv2.bitwise_and(bright, grey)
    # A small opening cuts thin bright bridges (a glare on the table touching the sheet's edge); a wide one would
    # round the sheet's corners off.
    return cv2.morphologyEx(bright, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))


def _border_share(mask: np.ndarray) -> float:
    """Share of the image's outermost pixels that are set in ``mask``."""
    ring = np.concatenate([mask[0], mask[-1], mask[1:-1, 0], mask[1:-1, -1]])
    return cv2.countNonZero(ring) / max(1, ring.size)


def _four_corners(hull: np.ndarray) -> np.ndarray | None:
    """The hull simplified to four corners (clockwise from the one nearest the top-left), if it simplifies to four
    at a tolerance that leaves a bowed edge straight but no real corner cut off."""
    perimeter = cv2.arcLength(hull, True)
    for share in (0.01, 0.015, 0.02, 0.03, 0.04, 0.05):
        approx = cv2.approxPolyDP(hull, share * perimeter, True)
        if len(approx) == 4:
            break
    else:
        return None
    points = approx.reshape(4, 2).astype(np.float64)
    centre = points.mean(axis=0)
    order = np.argsort(np.arctan2(points[:, 1] - centre[1], points[:, 0] - centre[0]))  # clockwise (y down)
    points = points[order]
    start = int(np.argmin(points.sum(axis=1)))
    return np.roll(points, -start, axis=0)


def _edge_contrast(gray: np.ndarray, corners: np.ndarray) -> float:
    """Median paper brightness just inside the quadrilateral minus the median of the surface just outside."""
    inside = np.zeros(gray.shape, np.uint8)
    cv2.fillConvexPoly(inside, np.round(corners).astype(np.int32), 255)
    band = max(3, round(0.015 * max(gray.shape)))
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (band, band))
    outer = cv2.subtract(cv2.dilate(inside, kernel), inside)
    inner = cv2.subtract(inside, cv2.erode(inside, kernel))
    if not outer.any() or not inner.any():
        return 0.0
    return float(np.median(gray[inner > 0])) - float(np.median(gray[outer > 0]))


def page_aspect(corners: np.ndarray, image_size: tuple[int, int]) -> float:
    """Width / height of the flat rectangle whose photo is the quadrilateral ``corners`` (TL, TR, BR, BL).

    Zhang & He's rectangle rectification ("Whiteboard scanning and image enhancement", 2007): with the principal
    point at the image's centre and square pixels, the quadrilateral fixes the camera's focal length and so the
    true aspect. When the camera is nearly square to the sheet the focal length is undetermined (and the drawn
    aspect is right anyway), or implausible: then the mean side lengths are used.
    """
    tl, tr, br, bl = corners.astype(np.float64)
    apparent = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr))
    cx, cy = image_size[0] / 2, image_size[1] / 2
    m1, m2, m3, m4 = (np.array([p[0] - cx, p[1] - cy, 1.0]) for p in (tl, tr, bl, br))
    d2, d3 = np.dot(np.cross(m2, m4), m3), np.dot(np.cross(m3, m4), m2)
    if abs(d2) < 1e-9 or abs(d3) < 1e-9:
        return float(apparent)  # three corners in a line: not a sheet's photo
    k2 = np.dot(np.cross(m1, m4), m3) / d2
    k3 = np.dot(np.cross(m1, m4), m2) / d3
    n2, n3 = k2 * m2 - m1, k3 * m3 - m1
    if abs(n2[2] * n3[2]) < 1e-9:
        return float(apparent)
    f2 = -(n2[0] * n3[0] + n2[1] * n3[1]) / (n2[2] * n3[2])
    long_side = max(image_size)
    if not (0.3 * long_side) ** 2 <= f2 <= (3.0 * long_side) ** 2:
        return float(apparent)  # nearly square to the sheet, or corners too rough to tell
    width2 = (n2[0] ** 2 + n2[1] ** 2) / f2 + n2[2] ** 2
    height2 = (n3[0] ** 2 + n3[1] ** 2) / f2 + n3[2] ** 2
    return float(math.sqrt(width2 / height2))


def _flat_size(corners: np.ndarray, image_size: tuple[int, int], claimed_dpi: int) -> tuple[tuple[int, int], int]:
    """Pixel size of the rectified sheet (its longer side as long as it is drawn, at most 300 dpi) and its dpi:
    from the paper's size when its shape is a known paper's, else the file's own dpi if it is a scanner's."""
    tl, tr, br, bl = corners
    drawn_w = max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))
    drawn_h = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))
    aspect = page_aspect(corners, image_size)
    ratio = max(aspect, 1 / aspect)
    long_inches = None
    for paper_ratio, inches in _PAPERS:
        if abs(ratio / paper_ratio - 1) <= _PAGE_SNAP:
            ratio, long_inches = paper_ratio, inches
            break
    long_px = max(drawn_w, drawn_h)
    if long_inches is not None:
        dpi = long_px / long_inches
    elif claimed_dpi >= _MIN_CLAIMED_DPI:
        dpi = float(claimed_dpi)
    else:
        dpi = long_px / _ASSUMED_LONG_INCHES
    if dpi > _PAGE_MAX_DPI:
        long_px, dpi = long_px * _PAGE_MAX_DPI / dpi, float(_PAGE_MAX_DPI)
    short_px = long_px / ratio
    size = (long_px, short_px) if aspect >= 1 else (short_px, long_px)
    return (max(1, round(size[0])), max(1, round(size[1]))), max(1, round(dpi))


def flatten_page(image: np.ndarray, dpi: int) -> tuple[np.ndarray, int]:
    """The sheet of a phone photo cut out, made an upright rectangle and given its real dpi; anything else (a
    scan, a sheet that cannot be found for sure) unchanged, with its dpi unless that is a camera's."""
    found = find_page(image, dpi)
    if found is None:
        if dpi < _MIN_CLAIMED_DPI:
            # A camera's 72 dpi on a photo the sheet fills: assume the sheet is A4, so the dpi-sized steps (the
            # background window, the median, dust) work at the right scale instead of at a 40-inch page's.
            dpi = max(dpi, round(max(image.shape[:2]) / _PAPERS[0][1]))
        return image, dpi
    return found.rectify(image), found.dpi


# --- the chain ----------------------------------------------------------------------------------------------


Transform = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[np.ndarray, int], np.ndarray]
    colour: bool = False  # runs on the RGB image, before the page is made gray
    help: str = ""
    # For a step that moves pixels (orientation, skew): measure the page, return the move, so the same move can
    # be applied to the page as a reader sees it (the searchable PDF's image) and word boxes fit both.
    geometry: Callable[[np.ndarray, int], Transform] | None = None


def _turn_measured(gray: np.ndarray, dpi: int) -> Transform:
    degrees = estimate_orientation(gray, dpi)
    return lambda image: turn(image, degrees)


def _skew_measured(gray: np.ndarray, dpi: int) -> Transform:
    angle = estimate_skew(gray)
    return lambda image: rotate(image, angle)


STEPS: dict[str, Step] = {
    s.name: s
    for s in (
        Step("inks", lambda img, dpi: drop_colour_ink(img), colour=True, help="fade red seals, blue signatures"),
        Step("flatten", flatten_background, help="even out shadows, uneven light, gray paper"),
        Step("orient", orient, help="turn a sideways or upside-down page upright (0/90/180/270)",
             geometry=_turn_measured),
        Step("deskew", lambda img, dpi: deskew(img), help="straighten text lines", geometry=_skew_measured),
        Step("median", lambda img, dpi: denoise(img), help="3×3 median against speckle"),
        Step("denoise", denoise_if_noisy, help="3×3 median on noisy pages of ≥ 200 dpi only"),
        Step("specks", remove_specks, help="erase dust: ink islands far from any other ink"),
        Step("leaders", remove_dotted_leaders, help="erase dotted leader rows"),
    )
}
RESCALE = "rescale"  # not a Step: it changes the page's dpi (``rescale`` = to 300 dpi, ``rescale200`` = to 200)
# Not a Step either: it finds the sheet in a phone photo, cuts it out flat and gives it its real dpi. It runs first,
# on the image as it came (colour helps tell paper from a table), wherever it is named in the chain: every other
# step assumes a page that fills its image.
PAGE = "page"
CHAIN_STEPS = (PAGE, *STEPS, RESCALE)

DEFAULT_CHAIN: tuple[str, ...] = ("page", "inks", "flatten", "orient", "deskew", "denoise", "specks", "leaders")


def parse_chain(text: str) -> tuple[str, ...]:
    """``"inks+deskew+median"`` → its step names; ``"none"`` or ``""`` → no step; ``"default"`` →
    :data:`DEFAULT_CHAIN` (it may be combined: ``"rescale+default"``)."""
    names: tuple[str, ...] = ()
    for name in text.replace(",", "+").split("+"):
        if name == "default":
            names += DEFAULT_CHAIN
        elif name and name != "none":
            names += (name,)
    unknown = [n for n in names if n not in CHAIN_STEPS and _rescale_target(n) is None]
    if unknown:
        raise ValueError(f"unknown preprocessing step(s) {unknown} (available: {', '.join(CHAIN_STEPS)})")
    return names


def _rescale_target(name: str) -> int | None:
    """``rescale`` → 300 dpi; ``rescale200`` → 200 dpi; anything else → None."""
    if not name.startswith(RESCALE):
        return None
    digits = name[len(RESCALE):]
    if not digits:
        return TARGET_DPI
    return int(digits) if digits.isdigit() and 100 <= int(digits) <= 600 else None


def clean_page(page: PageImage, chain: Sequence[str] = DEFAULT_CHAIN) -> PageImage:
    """Run ``chain`` on the page: colour steps on the RGB image, then the gray steps in order."""
    return _run_chain(page, chain, keep_view=False)[0]


def clean_page_with_view(page: PageImage, chain: Sequence[str] = DEFAULT_CHAIN) -> tuple[PageImage, PageImage]:
    """The page cleaned for OCR, and the page as a reader should see it: the original in gray (seal, signature
    and shading kept) turned, straightened and scaled exactly as the OCR image was, so word boxes fit it."""
    cleaned, view = _run_chain(page, chain, keep_view=True)
    assert view is not None
    return cleaned, view


def _run_chain(page: PageImage, chain: Sequence[str], keep_view: bool) -> tuple[PageImage, PageImage | None]:
    mode = page.image.mode
    image = np.asarray(page.image if mode in ("L", "RGB") else page.image.convert("RGB" if "RGB" in mode else "L"))
    dpi = page.dpi
    if PAGE in chain:
        image, dpi = flatten_page(image, dpi)
    view = to_gray(image) if keep_view else None
    for name in chain:
        step = STEPS.get(name)
        if step is not None and step.colour:
            image = step.run(image, dpi)
    gray = to_gray(image)
    for name in chain:
        if name == PAGE:
            continue  # done above, before everything else
        target = _rescale_target(name)
        if target is not None:
            gray, dpi = rescale(gray, dpi, target)
            if view is not None and view.shape != gray.shape:
                shrink = view.shape[0] > gray.shape[0]
                view = cv2.resize(view, gray.shape[::-1], interpolation=cv2.INTER_AREA if shrink else cv2.INTER_CUBIC)
            continue
        step = STEPS[name]
        if step.colour:
            continue
        if step.geometry is not None:
            move = step.geometry(gray, dpi)
            gray = move(gray)
            view = move(view) if view is not None else None
        else:
            gray = step.run(gray, dpi)
    cleaned = PageImage(page.number, Image.fromarray(np.ascontiguousarray(gray)), dpi)
    shown = PageImage(page.number, Image.fromarray(np.ascontiguousarray(view)), dpi) if view is not None else None
    return cleaned, shown
