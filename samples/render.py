"""Rasterise a laid-out sheet with Pillow (black text on white) and encode it as PDF, PNG or JPEG.

Encoding is deterministic: PDF dates are fixed rather than read from the clock, so the same seed gives the
same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import random

from PIL import Image, ImageDraw

from samples.layout import Shape, Sheet
from samples.pdfimage import image_pdf

FORMATS = ("pdf", "png", "jpg")


def rasterise(sheet: Sheet) -> Image.Image:
    """Grayscale page image of the sheet."""
    image = Image.new("L", (sheet.width, sheet.height), 255)
    draw = ImageDraw.Draw(image)
    for shape in sheet.shapes:
        _draw_shape(draw, shape, sheet)
    for line in sheet.lines:
        for run in line.runs:
            draw.text((run.x, line.baseline), run.text, fill=0, font=sheet.font(run.style), anchor="ls")
    return image


def _draw_shape(draw: ImageDraw.ImageDraw, shape: Shape, sheet: Sheet) -> None:
    x0, y0, x1, y1 = shape.box
    width = max(1, round(shape.width))
    if shape.kind == "line":
        draw.line((x0, y0, x1, y1), fill=shape.gray, width=width)
    elif shape.kind == "rect":
        draw.rectangle(shape.box, outline=shape.gray, width=width)
    elif shape.kind == "rounded":
        draw.rounded_rectangle(shape.box, radius=shape.params.get("radius", 20), outline=shape.gray, width=width)
    elif shape.kind == "ellipse":
        draw.ellipse(shape.box, outline=shape.gray, width=width)
    elif shape.kind == "photo":
        _photo(draw, shape.box)
    elif shape.kind == "emblem":
        _emblem(draw, shape.box, width)
    elif shape.kind == "chip":
        draw.rounded_rectangle(shape.box, radius=(x1 - x0) * 0.15, outline=90, width=width, fill=215)
        for k in (1, 2):
            y = y0 + (y1 - y0) * k / 3
            draw.line((x0, y, x1, y), fill=90, width=width)
        xm = (x0 + x1) / 2
        draw.line((xm, y0, xm, y1), fill=90, width=width)
    elif shape.kind == "qr":
        _qr(draw, shape.box, int(shape.params.get("seed", 0)))
    else:
        raise ValueError(f"unknown shape {shape.kind!r}")


def _photo(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float]) -> None:
    """A portrait placeholder: grey frame, head and shoulders silhouette."""
    x0, y0, x1, y1 = box
    draw.rectangle(box, fill=228, outline=150, width=2)
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    draw.ellipse((cx - w * 0.2, y0 + h * 0.18, cx + w * 0.2, y0 + h * 0.55), fill=170)
    draw.chord((x0 + w * 0.08, y0 + h * 0.6, x1 - w * 0.08, y1 + h * 0.35), 180, 360, fill=170)


def _emblem(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], width: int) -> None:
    """The national emblem reduced to what a grey photocopy keeps: rings and a five-pointed star."""
    x0, y0, x1, y1 = box
    draw.ellipse(box, outline=80, width=width * 2)
    inset = (x1 - x0) * 0.12
    draw.ellipse((x0 + inset, y0 + inset, x1 - inset, y1 - inset), outline=130, width=width)
    cx, cy, r = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) * 0.25
    points = []
    for k in range(10):
        radius = r if k % 2 == 0 else r * 0.4
        angle = -math.pi / 2 + k * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    draw.polygon(points, fill=70)


def _qr(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], seed: int) -> None:
    """A QR-looking block (random modules plus the three finder squares); it encodes nothing."""
    x0, y0, x1, _ = box
    n = 25
    cell = (x1 - x0) / n
    rng = random.Random(seed)
    for i in range(n):
        for j in range(n):
            if rng.random() < 0.5:
                draw.rectangle((x0 + i * cell, y0 + j * cell, x0 + (i + 1) * cell, y0 + (j + 1) * cell), fill=0)
    for fx, fy in ((0, 0), (n - 7, 0), (0, n - 7)):
        a, b = x0 + fx * cell, y0 + fy * cell
        draw.rectangle((a, b, a + 7 * cell, b + 7 * cell), fill=255)
        draw.rectangle((a, b, a + 7 * cell, b + 7 * cell), outline=0, width=max(1, round(cell)))
        draw.rectangle((a + 2 * cell, b + 2 * cell, a + 5 * cell, b + 5 * cell), fill=0)


def encode(image: Image.Image, fmt: str, dpi: int, *, title: str, date: dt.date, quality: int | None = None) -> bytes:
    """Bytes of the image as a one-page PDF (page size from dpi), PNG or JPEG.

    `quality` None keeps a PDF lossless (Flate); a number makes it JPEG inside, as scanners write. JPEG files
    use 92 when no quality is given.
    """
    out = io.BytesIO()
    created = dt.datetime(date.year, date.month, date.day, 9, 0, 0)
    if fmt == "pdf":
        if quality is None:
            return image_pdf(image, dpi, title=title, created=created)
        image.save(out, "PDF", resolution=float(dpi), title=title, producer="sohoa samples",
                   creationDate=created.timetuple(), modDate=created.timetuple(), quality=quality)
    elif fmt == "png":
        image.save(out, "PNG", dpi=(dpi, dpi), compress_level=6)
    elif fmt in ("jpg", "jpeg"):
        image.save(out, "JPEG", dpi=(dpi, dpi), quality=quality or 92)
    else:
        raise ValueError(f"unknown format {fmt!r}; use one of {FORMATS}")
    return out.getvalue()
