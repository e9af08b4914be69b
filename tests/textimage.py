"""Render a few lines of Vietnamese text to a page image, for engine and preprocessing tests."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

from pipeline.document import Page
from pipeline.intake import PageImage

SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"


def text_page(lines: list[str], dpi: int = 300, size_pt: int = 13, width_px: int = 2000) -> PageImage:
    font = ImageFont.truetype(SERIF, round(size_pt * dpi / 72))
    line_h = round(size_pt * dpi / 72 * 1.8)
    img = Image.new("L", (width_px, line_h * (len(lines) + 2)), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((120, line_h * (i + 1)), line, font=font, fill=0)
    return PageImage(number=1, image=img, dpi=dpi)


def assert_read_in_reading_order_on_the_page(read: Page, page: PageImage) -> None:
    """What an engine gives back for ``page``: lines top to bottom, every word's box inside the image and its
    confidence between 0 and 1."""
    tops = [line.bbox[1] for line in read.lines]
    assert tops == sorted(tops)
    for line in read.lines:
        for word in line.words:
            x0, y0, x1, y1 = word.bbox
            assert 0 <= x0 < x1 <= page.image.width and 0 <= y0 < y1 <= page.image.height
            assert 0.0 <= word.confidence <= 1.0
