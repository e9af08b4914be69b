"""Deskew finds and removes a known rotation; the page keeps its size and number."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.intake import PageImage
from pipeline.preprocess import clean_page, estimate_skew, rotate
from tests.textimage import text_page

LINES = [f"Dòng thứ {i}: Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015" for i in range(12)]


@pytest.mark.parametrize("angle", [-3.0, -1.2, 0.0, 0.8, 2.5])
def test_estimate_skew_recovers_applied_rotation(angle):
    gray = np.asarray(text_page(LINES).image)
    skewed = rotate(gray, angle)
    assert estimate_skew(skewed) == pytest.approx(-angle, abs=0.25)


def test_blank_page_has_no_skew():
    assert estimate_skew(np.full((1000, 800), 255, dtype=np.uint8)) == 0.0


def test_clean_page_straightens_and_keeps_geometry():
    page = text_page(LINES)
    skewed = PageImage(3, page.image.rotate(2.0, fillcolor=255), page.dpi)
    cleaned = clean_page(skewed)
    assert cleaned.number == 3 and cleaned.dpi == page.dpi
    assert cleaned.image.size == page.image.size
    assert abs(estimate_skew(np.asarray(cleaned.image))) <= 0.25
