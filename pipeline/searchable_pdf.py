"""The searchable PDF: each page image with an invisible text layer, so a reader can search, select and copy.

Every word of the :class:`~pipeline.document.Document` is drawn in text render mode 3 (invisible) over its box:
the line's height sets the font size and baseline, and a horizontal scale stretches the word to its box's width,
so a viewer's selection and ``pdftotext -bbox`` land on the word in the image. Words are written as Unicode
(NFC, tone marks intact) in a TrueType font that has the Vietnamese glyphs; only the glyphs used are embedded.

ReportLab (BSD, pure Python) writes the file: it embeds a TrueType subset with a ToUnicode map and passes JPEG
data through without decoding it. Pages are stored as grayscale JPEG (quality 65) at 200 dpi (Decree 30/2020's
minimum for scans): an A4 page is then ~0.2–0.4 MB. The original upload is kept unchanged in the store; this copy
is for reading, searching and copying text.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from reportlab import rl_config
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from pipeline.document import Document, Line, Page
from pipeline.textnorm import nfc

JPEG_QUALITY = 65
IMAGE_DPI = 200  # stored image resolution: Decree 30/2020's minimum for scans; 300 dpi doubles the file
# ReportLab's default wraps binary streams in ASCII85: a quarter larger and ~20× slower to write (pure Python).
rl_config.useA85 = 0
_FONT_NAME = "SohoaText"
# Debian fonts-dejavu-core / fonts-noto-core (installed by ./run); the first that exists is used.
FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"),
    Path("/usr/share/fonts/truetype/freefont/FreeSans.ttf"),
)
_VIETNAMESE_PROBE = "ĂăÂâĐđÊêÔôƠơƯưẾếỆệỮữỳ"  # a font without these would lose tone marks when copied


class SearchablePdfError(RuntimeError):
    """The searchable PDF cannot be made on this machine (no suitable font) or from these inputs."""


def build_searchable_pdf(
    pages: list[Image.Image | bytes], document: Document, dpi: int | None = None, image_dpi: int = IMAGE_DPI
) -> bytes:
    """A PDF with one page per image, each carrying the words of the matching page of ``document``.

    A page given as ``bytes`` is a JPEG already made by :func:`page_jpeg` (workers keep those, a few hundred KB,
    instead of full page images while a long file is read).

    ``pages[i]`` shows ``document.pages[i]`` in the same geometry (e.g. the view from
    :func:`pipeline.preprocess.clean_page_with_view`); its pixel size may differ, the image is stretched over the
    page. The PDF page has the page's physical size: ``Page.width / Page.dpi`` inches, or ``dpi`` when given (the
    resolution the Document's pixel coordinates were measured at). Images finer than ``image_dpi`` are scaled
    down to it before they are stored.
    """
    if len(pages) != len(document.pages):
        raise SearchablePdfError(f"{len(pages)} page images for a document of {len(document.pages)} pages")
    if not pages:
        raise SearchablePdfError("a PDF needs at least one page")
    font = text_font()
    out = io.BytesIO()
    # invariant: the same input gives the same bytes (no timestamp, fixed ID); PDF 1.4 as Decree 30/2020 asks;
    # the initial font is ours, so the file names no unembedded standard font.
    canvas = Canvas(out, pageCompression=1, invariant=1, pdfVersion=(1, 4), initialFontName=font, lang="vi")
    canvas.setCreator("sohoa")
    canvas.setTitle("")
    for image, page in zip(pages, document.pages, strict=True):
        jpeg = image if isinstance(image, bytes) else page_jpeg(image, page, dpi, image_dpi)
        _draw_page(canvas, jpeg, page, dpi or page.dpi, font)
    canvas.save()
    return out.getvalue()


def page_jpeg(image: Image.Image, page: Page, dpi: int | None = None, image_dpi: int = IMAGE_DPI) -> bytes:
    """The gray JPEG that shows ``page`` in the PDF: ``image`` scaled down to ``image_dpi`` at the page's size."""
    inches_wide, inches_high = page.width / (dpi or page.dpi), page.height / (dpi or page.dpi)
    return _gray_jpeg(image, max_size=(round(inches_wide * image_dpi), round(inches_high * image_dpi)))


def _draw_page(canvas: Canvas, jpeg: bytes, page: Page, dpi: int, font: str) -> None:
    points_per_px = 72.0 / dpi
    width_pt, height_pt = page.width * points_per_px, page.height * points_per_px
    canvas.setPageSize((width_pt, height_pt))
    canvas.drawImage(ImageReader(io.BytesIO(jpeg)), 0, 0, width_pt, height_pt)
    text = canvas.beginText()
    text.setTextRenderMode(3)  # invisible: searchable and selectable, the image is what shows
    for line in page.lines:
        _write_line(text, line, font, points_per_px, height_pt)
    canvas.drawText(text)
    canvas.showPage()


def _write_line(text, line: Line, font: str, points_per_px: float, height_pt: float) -> None:
    """The line's words on one baseline at one size; each stretched to its own box so selection fits."""
    words = [w for w in line.words if w.text.strip()]
    if not words:
        return
    ascent, descent = _font_extent(font)  # per unit of font size; descent negative
    top, bottom = line.bbox[1] * points_per_px, line.bbox[3] * points_per_px
    size = max((bottom - top) / (ascent - descent), 1.0)
    baseline = height_pt - bottom - descent * size  # the font's descent reaches the box's bottom edge
    for index, word in enumerate(words):
        word_text = nfc(word.text.strip())
        last = index == len(words) - 1
        # A real space after the word makes copy-paste keep word breaks in every viewer; it is stretched with the
        # word, which may overlap the next word's start, harmless for invisible text.
        shown = word_text if last else word_text + " "
        x0, x1 = word.bbox[0] * points_per_px, word.bbox[2] * points_per_px
        natural = pdfmetrics.stringWidth(word_text, font, size)
        text.setFont(font, size)
        text.setHorizScale(100.0 * max(x1 - x0, 0.5) / natural if natural > 0 else 100.0)
        text.setTextOrigin(x0, baseline)
        text.textOut(shown)


def _gray_jpeg(image: Image.Image, max_size: tuple[int, int]) -> bytes:
    gray = image if image.mode == "L" else image.convert("L")
    if gray.width > max_size[0] * 1.05:  # area averaging: fast, and no ringing around the letters
        pixels = cv2.resize(np.asarray(gray), max_size, interpolation=cv2.INTER_AREA)
        gray = Image.fromarray(pixels)
    buffer = io.BytesIO()
    gray.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return buffer.getvalue()


@lru_cache(maxsize=1)
def text_font() -> str:
    """Register (once) the first installed TrueType font with Vietnamese glyphs; its name for ReportLab."""
    for path in FONT_CANDIDATES:
        if path.is_file():
            font = TTFont(_FONT_NAME, str(path))
            if all(ord(ch) in font.face.charToGlyph for ch in _VIETNAMESE_PROBE):
                pdfmetrics.registerFont(font)
                return _FONT_NAME
    raise SearchablePdfError(
        "no TrueType font with Vietnamese glyphs found for the searchable PDF's text layer (looked for "
        + ", ".join(str(p) for p in FONT_CANDIDATES)
        + "); install Debian's fonts-dejavu-core or fonts-noto-core"
    )


@lru_cache(maxsize=4)
def _font_extent(font: str) -> tuple[float, float]:
    face = pdfmetrics.getFont(font).face
    return face.ascent / 1000.0, face.descent / 1000.0
