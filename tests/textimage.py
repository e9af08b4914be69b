"""Render a few lines of Vietnamese text to a page image, for engine and preprocessing tests."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

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
