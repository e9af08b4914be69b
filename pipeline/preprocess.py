"""Clean a page image before OCR: deskew, then a 3×3 median filter.

Measured on synthetic scans (DESIGN.md §5): a median filter removes JPEG speckle that otherwise becomes junk
characters, and deskewing helps; adaptive thresholding and upscaling made things worse, so neither is here.
Each step is a plain function so ``bench/`` can measure its effect alone.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from pipeline.intake import PageImage

_MAX_SKEW_DEG = 5.0
_SKEW_STEP_DEG = 0.2
_ANALYSIS_WIDTH = 800  # the skew search runs on a small copy: the angle does not need full resolution


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
    best_angle, best_score = 0.0, -1.0
    for angle in np.arange(-_MAX_SKEW_DEG, _MAX_SKEW_DEG + 1e-9, _SKEW_STEP_DEG):
        matrix = cv2.getRotationMatrix2D(center, float(angle), 1.0)
        rotated = cv2.warpAffine(ink, matrix, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
        rows = rotated.sum(axis=1, dtype=np.float64)
        score = float(np.var(rows))
        if score > best_score:
            best_angle, best_score = float(angle), score
    return best_angle


def rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    """Rotate about the centre, filling the corners with white (paper), keeping the size."""
    if abs(angle) < 1e-6:
        return gray
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def denoise(gray: np.ndarray) -> np.ndarray:
    return cv2.medianBlur(gray, 3)


def clean_page(page: PageImage) -> PageImage:
    gray = np.asarray(page.image.convert("L"))
    angle = estimate_skew(gray)
    cleaned = denoise(rotate(gray, angle))
    return PageImage(page.number, Image.fromarray(cleaned), page.dpi)
