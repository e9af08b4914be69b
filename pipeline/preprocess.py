"""Clean a page image before OCR: a chain of small steps, each measured on its own (``bench/ocr.py --chains``).

Steps that need colour run first, on the RGB image (``inks``: red seals and blue signatures fade to paper);
the page is then made gray and the gray steps run in the order given. :data:`DEFAULT_CHAIN` holds the steps
that lowered the error on the measurement (generated clean and scan-degraded pages, real decisions), in order:
colour inks, flatten the background (shadows, uneven light), turn a sideways or upside-down page upright,
deskew, a median only on noisy pages, erase dust specks, erase dotted leaders. Leaving any one out raised the
CER (figures in the README's OCR section); ``orient`` costs ~40 ms and never turned an upright page measured.
Steps that move pixels (``orient``, ``deskew``, ``rescale``) can replay their move on the page as a reader sees
it (:func:`clean_page_with_view`), so the searchable PDF shows the page upright with its seal.
Upscaling a 150-dpi page to 300 (``rescale``) doubled the time and was worse on real pages, so it is not in
the chain; a median on a clean or a low-resolution page erased diacritics, so it runs only where it pays.
"""

from __future__ import annotations

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

    Projection-profile search: the right angle makes the row sums of ink most uneven (lines vs gaps).
    """
    scale = min(1.0, _ANALYSIS_WIDTH / gray.shape[1])
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    if cv2.countNonZero(ink) < 0.001 * ink.size:
        return 0.0
    h, w = ink.shape
    center = (w / 2, h / 2)

    def score(angle: float) -> float:
        matrix = cv2.getRotationMatrix2D(center, float(angle), 1.0)
        rotated = cv2.warpAffine(ink, matrix, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
        return float(np.var(rotated.sum(axis=1, dtype=np.float64)))

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
    paper = cv2.erode((filtered > level).astype(np.uint8), np.ones((7, 7), np.uint8)).astype(bool)
    if not paper.any():
        return 0.0
    return float(np.abs(gray.astype(np.int16) - filtered)[paper].mean())


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
    flat = gray.astype(np.float32) * 255.0 / np.maximum(background.astype(np.float32), 1.0)
    return np.clip(flat, 0, 255).astype(np.uint8)


def remove_specks(gray: np.ndarray, dpi: int) -> np.ndarray:
    """Paint over dust: specks of ink with no other ink within 1.5 mm.

    Dilating the ink by 1.5 mm joins every letter, diacritic and full stop to its word; what is still a tiny
    island after that is a speck Tesseract would read as ``.`` ``'`` ``-``, or a junk word.
    """
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    mm = dpi / 25.4
    reach = max(3, round(1.5 * mm)) | 1
    grown = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (reach, reach)))  # separable: fast
    _, labels, stats = _components(grown)
    limit = reach + 1.0 * mm  # an island no bigger than a 1 mm speck grown by the reach
    islands = np.flatnonzero((stats[:, cv2.CC_STAT_WIDTH] <= limit) & (stats[:, cv2.CC_STAT_HEIGHT] <= limit))
    islands = islands[islands > 0]
    if not len(islands):
        return gray
    out = gray.copy()
    paper = _paper_level(gray)
    for i in islands:
        x, y, w, h = (int(v) for v in stats[i, :4])
        region = out[y : y + h, x : x + w]
        region[labels[y : y + h, x : x + w] == i] = paper  # the island holds nothing but the speck
    return out


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
    n_rows, _, row_stats = _components(cv2.dilate(specks, bridge))
    out = gray.copy()
    pad = max(1, int(0.1 * mm))
    paper = _paper_level(gray)
    for r in range(1, n_rows):
        x0, y0, rw, rh = (int(v) for v in row_stats[r, :4])
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
CHAIN_STEPS = (*STEPS, RESCALE)

DEFAULT_CHAIN: tuple[str, ...] = ("inks", "flatten", "orient", "deskew", "denoise", "specks", "leaders")


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
    view = to_gray(image) if keep_view else None
    dpi = page.dpi
    for name in chain:
        step = STEPS.get(name)
        if step is not None and step.colour:
            image = step.run(image, dpi)
    gray = to_gray(image)
    for name in chain:
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
