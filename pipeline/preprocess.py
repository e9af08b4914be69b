"""Clean a page image before OCR: a chain of small steps, each measured on its own (``bench/ocr.py --chains``).

Steps that need colour run first, on the RGB image (``inks``: red seals and blue signatures fade to paper);
the page is then made gray and the gray steps run in the order given. :data:`DEFAULT_CHAIN` holds the steps
that lowered the error on the measurement (generated clean and scan-degraded pages, real decisions), in order:
colour inks, flatten the background (shadows, uneven light), deskew, a median only on noisy pages, erase dust
specks, erase dotted leaders. Leaving any one out raised the CER (figures in the README's OCR section).
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


def rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    """Rotate about the centre, filling the corners with white (paper), keeping the size."""
    if abs(angle) < 1e-6:
        return gray
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


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


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[np.ndarray, int], np.ndarray]
    colour: bool = False  # runs on the RGB image, before the page is made gray
    help: str = ""


STEPS: dict[str, Step] = {
    s.name: s
    for s in (
        Step("inks", lambda img, dpi: drop_colour_ink(img), colour=True, help="fade red seals, blue signatures"),
        Step("flatten", flatten_background, help="even out shadows, uneven light, gray paper"),
        Step("deskew", lambda img, dpi: deskew(img), help="straighten text lines"),
        Step("median", lambda img, dpi: denoise(img), help="3×3 median against speckle"),
        Step("denoise", denoise_if_noisy, help="3×3 median on noisy pages of ≥ 200 dpi only"),
        Step("specks", remove_specks, help="erase dust: ink islands far from any other ink"),
        Step("leaders", remove_dotted_leaders, help="erase dotted leader rows"),
    )
}
RESCALE = "rescale"  # not a Step: it changes the page's dpi (``rescale`` = to 300 dpi, ``rescale200`` = to 200)
CHAIN_STEPS = (*STEPS, RESCALE)

DEFAULT_CHAIN: tuple[str, ...] = ("inks", "flatten", "deskew", "denoise", "specks", "leaders")


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
    mode = page.image.mode
    image = np.asarray(page.image if mode in ("L", "RGB") else page.image.convert("RGB" if "RGB" in mode else "L"))
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
            continue
        step = STEPS[name]
        if not step.colour:
            gray = step.run(gray, dpi)
    return PageImage(page.number, Image.fromarray(np.ascontiguousarray(gray)), dpi)
