"""Orientation: a page scanned sideways or upside down is turned upright before OCR, an upright page is never
turned, and the page a reader sees (the searchable PDF's image) is turned and straightened with it."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.config import Settings
from pipeline.intake import PageImage, load_pages
from pipeline.process import limits_from
from pipeline.preprocess import (
    DEFAULT_CHAIN,
    clean_page,
    clean_page_with_view,
    estimate_orientation,
    orient,
    rotate,
    turn,
)
from samples.generator import generate_document
from tests.textimage import SERIF

BOLD = SERIF.replace("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf")
BODY = [
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
    "Căn cứ Nghị định số 20/2021/NĐ-CP ngày 15 tháng 3 năm 2021 của Chính phủ",
    "quy định chính sách trợ giúp xã hội đối với đối tượng bảo trợ xã hội;",
    "Theo đề nghị của Trưởng phòng Lao động - Thương binh và Xã hội,",
    "Điều 1. Trợ cấp xã hội hằng tháng cho ông Huỳnh Khắc Hiển, sinh ngày",
    "09/07/1959, thường trú tại Phường Hưng Phú, Quận Cái Răng, Cần Thơ.",
    "Điều 2. Quyết định có hiệu lực từ ngày ký.",
]


def decision_page(dpi: int = 300, table: bool = False) -> np.ndarray:
    """An A4 decision page: a two-column header in capitals, a title, body text (or the body in a ruled table)."""
    px = dpi / 72
    image = Image.new("L", (round(595 * px), round(842 * px)), 255)
    draw = ImageDraw.Draw(image)
    regular, bold = ImageFont.truetype(SERIF, round(13 * px)), ImageFont.truetype(BOLD, round(13 * px))
    draw.text((60 * px, 50 * px), "ỦY BAN NHÂN DÂN", font=bold, fill=0)
    draw.text((300 * px, 50 * px), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", font=bold, fill=0)
    draw.text((330 * px, 68 * px), "Độc lập - Tự do - Hạnh phúc", font=bold, fill=0)
    draw.text((230 * px, 120 * px), "QUYẾT ĐỊNH", font=bold, fill=0)
    y = 160 * px
    for line in BODY * 2:
        draw.text((60 * px, y), line, font=regular, fill=0)
        if table:
            draw.line((50 * px, y - 4 * px, 560 * px, y - 4 * px), fill=0, width=max(1, round(px)))
        y += 22 * px
    if table:
        for x in (50, 300, 560):
            draw.line((x * px, 156 * px, x * px, y - 4 * px), fill=0, width=max(1, round(px)))
    return np.asarray(image)


@pytest.mark.parametrize("table", [False, True])
@pytest.mark.parametrize("quarter_turns", [0, 1, 2, 3])
def test_orientation_is_found(quarter_turns, table):
    upright = decision_page(table=table)
    turned = np.ascontiguousarray(np.rot90(upright, quarter_turns))  # counter-clockwise
    assert estimate_orientation(turned, 300) == 90 * quarter_turns  # the clockwise turn that undoes it


@pytest.mark.parametrize("dpi", [150, 200])
def test_orientation_at_lower_resolutions(dpi):
    upright = decision_page(dpi)
    assert estimate_orientation(upright, dpi) == 0
    assert estimate_orientation(np.ascontiguousarray(upright[::-1, ::-1]), dpi) == 180


@pytest.mark.parametrize("variant", ["clean", "degraded"])
def test_upright_generated_papers_are_never_turned(variant):
    """A wrong turn costs a whole paper: ID cards (whose photo and large type fool both cues) and A4 papers."""
    for doc_type, fmt in (("cccd", "png"), ("khai_sinh", "pdf"), ("quyet_dinh", "jpg")):
        for seed in range(9001, 9011):
            doc = generate_document(doc_type, seed, variant=variant, fmt=fmt)
            page = load_pages(doc.data, limits_from(Settings()))[0]
            assert estimate_orientation(np.asarray(page.image.convert("L")), page.dpi) == 0, (doc_type, seed)


def test_a_slightly_skewed_upright_scan_is_not_turned():
    for angle in (-3.0, 2.0):
        assert estimate_orientation(rotate(decision_page(), angle), 300) == 0


def test_turning_restores_the_page_exactly():
    upright = decision_page(150)
    for quarter_turns in range(4):
        assert np.array_equal(orient(np.ascontiguousarray(np.rot90(upright, quarter_turns)), 150), upright)
    assert turn(upright, 0) is upright


def test_nothing_to_read_means_no_turn():
    assert estimate_orientation(np.full((1200, 900), 255, np.uint8), 300) == 0
    grid = np.full((1200, 900), 255, np.uint8)
    grid[::100, :] = 0
    grid[:, ::100] = 0  # a ruled grid without text
    assert estimate_orientation(grid, 300) == 0
    noise = (np.random.default_rng(3).random((1200, 900)) > 0.5).astype(np.uint8) * 255
    assert estimate_orientation(noise, 300) == 0


def test_orientation_runs_in_the_default_chain_before_deskew():
    assert DEFAULT_CHAIN.index("orient") < DEFAULT_CHAIN.index("deskew")
    upright = decision_page()
    page = PageImage(2, Image.fromarray(np.ascontiguousarray(np.rot90(upright))), 300)
    cleaned = clean_page(page)
    assert cleaned.image.size == (upright.shape[1], upright.shape[0])  # portrait again
    ink = np.asarray(cleaned.image) < 128
    assert (ink & (upright < 128)).sum() > 0.8 * (upright < 128).sum()  # the text is where it belongs


def test_the_view_is_moved_with_the_ocr_image_and_keeps_the_seal():
    upright = decision_page()
    rgb = np.repeat(upright[:, :, None], 3, axis=2).copy()
    ImageDraw.Draw(seal := Image.fromarray(rgb)).ellipse((1500, 2300, 2100, 2900), outline=(200, 30, 40), width=25)
    turned = Image.fromarray(np.ascontiguousarray(np.rot90(np.asarray(seal), 2)))  # upside down
    cleaned, view = clean_page_with_view(PageImage(1, turned, 300))
    assert view.image.mode == "L" and view.image.size == cleaned.image.size and view.dpi == cleaned.dpi
    shown, read = np.asarray(view.image), np.asarray(cleaned.image)
    text = upright < 128
    assert (shown[text] < 128).mean() > 0.8 and (read[text] < 128).mean() > 0.8  # both upright, text in place
    ring = (slice(2600 - 10, 2600 + 10), slice(1500, 1530))  # the seal's left edge
    assert shown[ring].min() < 120  # the reader sees the seal
    assert read[ring].min() > 150  # the OCR image has it faded
