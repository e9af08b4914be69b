"""Red seals and blue signatures: a PDF page reaches preprocessing in colour when it has coloured ink (so the
``inks`` step can fade the seal and keep the black text under it) and in gray when it has none."""

from __future__ import annotations

import datetime as dt

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from pipeline import poppler
from pipeline.intake import Limits, gray_unless_coloured, load_pages
from pipeline.preprocess import DEFAULT_CHAIN, clean_page
from samples.pdfimage import image_pdf
from tests.textimage import SERIF

LIMITS = Limits(max_file_bytes=50_000_000, max_image_pixels=50_000_000, max_pages=5, pdf_dpi=200)
TEXT_AT = (150, 420)
SEAL = (300, 250, 900, 850)  # a 5 cm seal at 300 dpi over the end of the line


def sealed_page(seal: bool = True) -> Image.Image:
    """A 300-dpi strip of a signed decision: a name in black, a red seal ring and star over it."""
    image = Image.new("RGB", (1400, 1100), (246, 244, 240))
    draw = ImageDraw.Draw(image)
    draw.text(TEXT_AT, "Nguyễn Văn Luân ký", font=ImageFont.truetype(SERIF, 60), fill=(15, 15, 15))
    if seal:
        draw.ellipse(SEAL, outline=(205, 35, 50), width=22)
        draw.ellipse((SEAL[0] + 60, SEAL[1] + 60, SEAL[2] - 60, SEAL[3] - 60), outline=(205, 35, 50), width=10)
        draw.regular_polygon((600, 550, 90), 5, fill=(205, 35, 50))
    return image


def as_pdf(image: Image.Image) -> bytes:
    return image_pdf(image, 300, title="test", created=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))


def test_a_pdf_page_with_a_red_seal_reaches_preprocessing_in_colour():
    [page] = load_pages(as_pdf(sealed_page()), LIMITS)
    assert page.image.mode == "RGB"
    assert abs(page.image.width - 1400 * 200 / 300) <= 1  # rendered at the pipeline's 200 dpi


def test_a_black_and_white_pdf_page_is_rendered_gray():
    [page] = load_pages(as_pdf(sealed_page(seal=False)), LIMITS)
    assert page.image.mode == "L"  # a third of the memory; nothing for the inks step to do


def test_the_seal_fades_and_the_text_under_it_stays():
    [page] = load_pages(as_pdf(sealed_page()), LIMITS)
    cleaned = np.asarray(clean_page(page, DEFAULT_CHAIN).image)
    scale = 200 / 300
    star = cleaned[round(540 * scale) : round(560 * scale), round(560 * scale) : round(640 * scale)]
    ring = cleaned[round(545 * scale) : round(555 * scale), round(302 * scale) : round(318 * scale)]
    assert star.min() > 150 and ring.min() > 150  # the seal is paper now
    text = cleaned[round(430 * scale) : round(490 * scale), round(150 * scale) : round(1100 * scale)]
    assert (text < 100).sum() > 500  # the name is still ink, also where the seal crossed it


def test_without_colour_the_seal_stays_dark():
    [page] = load_pages(as_pdf(sealed_page()), LIMITS)
    gray_page = page.__class__(page.number, page.image.convert("L"), page.dpi)  # what a gray render gave
    cleaned = np.asarray(clean_page(gray_page, DEFAULT_CHAIN).image)
    scale = 200 / 300
    ring = cleaned[round(545 * scale) : round(555 * scale), round(302 * scale) : round(318 * scale)]
    assert ring.min() < 120


def test_a_blue_signature_alone_keeps_the_colour():
    image = sealed_page(seal=False)
    ImageDraw.Draw(image).line([(200, 700), (400, 620), (520, 760), (700, 640)], fill=(30, 45, 150), width=8)
    assert gray_unless_coloured(image).mode == "RGB"


def test_colour_noise_of_a_gray_scan_is_not_colour():
    rng = np.random.default_rng(5)
    gray = np.asarray(sealed_page(seal=False).convert("L")).astype(np.int16)
    noisy = np.clip(gray[:, :, None] + rng.normal(0, 6, (*gray.shape, 3)), 0, 255).astype(np.uint8)
    assert gray_unless_coloured(Image.fromarray(noisy)).mode == "L"


def test_other_callers_still_get_gray_renders():
    assert poppler.render_pdf_page(as_pdf(sealed_page()), 1, 72).mode == "L"
    assert poppler.render_pdf_page(as_pdf(sealed_page()), 1, 72, colour=True).mode == "RGB"
