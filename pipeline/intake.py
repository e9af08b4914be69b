"""Turn an uploaded file into page images, refusing anything that is not a readable paper.

The file's content decides its type, never its name: a text file renamed ``.pdf`` is refused with a reason.
Limits (file size, page count, decoded pixels) are checked before the expensive decode so a decompression bomb
costs nothing. Every refusal is a :class:`~pipeline.errors.BadInput` whose reason goes to quarantine.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from enum import StrEnum

from PIL import Image, ImageChops, ImageOps, UnidentifiedImageError

from pipeline import poppler
from pipeline.errors import (
    CorruptFile,
    EmptyFile,
    FileTooLarge,
    ImageTooLarge,
    TooManyPages,
    UnsupportedFileType,
)

DEFAULT_IMAGE_DPI = 300
_PDF_EOF_WINDOW = 2048
_SATURATED = 60  # max − min channel above which a pixel is coloured ink (as preprocess.drop_colour_ink)
_MIN_COLOURED_SHARE = 0.0002
# Kept in colour so preprocessing can tell a red seal or blue signature from black text.
_COLOUR_MODES = frozenset({"RGB", "RGBA", "RGBX", "CMYK", "YCbCr", "LAB", "HSV", "P", "PA"})


class FileKind(StrEnum):
    PDF = "pdf"
    PNG = "png"
    JPEG = "jpeg"
    TIFF = "tiff"


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int
    max_image_pixels: int
    max_pages: int
    pdf_dpi: int


@dataclass
class PageImage:
    number: int  # 1-based
    image: Image.Image  # mode "L", or "RGB" for a colour image (preprocess uses the colour, then makes it gray)
    dpi: int


def sniff(data: bytes) -> FileKind:
    """The file's real type from its first bytes."""
    if not data:
        raise EmptyFile("file is empty (0 bytes)")
    head = data[:1024]
    if b"%PDF-" in head:
        return FileKind.PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileKind.PNG
    if data.startswith(b"\xff\xd8\xff"):
        return FileKind.JPEG
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return FileKind.TIFF
    raise UnsupportedFileType(f"content is not a PDF, PNG, JPEG or TIFF ({_describe(head)})")


def load_pages(data: bytes, limits: Limits) -> list[PageImage]:
    """Every page of the file as an image (gray, or RGB where the source is colour), after checking the limits."""
    if len(data) > limits.max_file_bytes:
        raise FileTooLarge(f"file is {len(data):,} bytes; the limit is {limits.max_file_bytes:,}")
    kind = sniff(data)
    if kind is FileKind.PDF:
        return _pdf_pages(data, limits)
    return _image_pages(data, limits)


def _pdf_pages(data: bytes, limits: Limits) -> list[PageImage]:
    # A complete PDF ends with %%EOF; poppler would silently repair a cut-off file and lose its last pages.
    if b"%%EOF" not in data[-_PDF_EOF_WINDOW:]:
        raise CorruptFile("PDF is truncated (no %%EOF marker at the end): the upload or scan did not finish")
    info = poppler.pdf_info(data, limits.max_pages + 1)
    if info.pages == 0:
        raise CorruptFile("PDF has no pages")
    if info.pages > limits.max_pages:
        raise TooManyPages(f"PDF has {info.pages} pages; the limit is {limits.max_pages}")
    pages = []
    for number, (w_pt, h_pt) in enumerate(info.page_sizes_pt, start=1):
        pixels = (w_pt / 72 * limits.pdf_dpi) * (h_pt / 72 * limits.pdf_dpi)
        if pixels > limits.max_image_pixels:
            raise ImageTooLarge(
                f"page {number} would be {pixels:,.0f} pixels at {limits.pdf_dpi} dpi; "
                f"the limit is {limits.max_image_pixels:,}"
            )
        image = gray_unless_coloured(poppler.render_pdf_page(data, number, limits.pdf_dpi, colour=True))
        pages.append(PageImage(number, image, limits.pdf_dpi))
    return pages


def gray_unless_coloured(image: Image.Image) -> Image.Image:
    """The RGB render kept only where it holds coloured ink (a red seal, a blue signature) that preprocessing
    must tell from black text; a black-and-white page becomes gray, a third of the memory.

    Looked for on a 1/8 copy: a page is coloured when at least 0.02% of it is strongly saturated (a 4 cm seal's
    ring is ~0.5% of an A4 page; the chroma noise of a gray scan stays far below the saturation threshold).
    """
    if image.mode != "RGB":
        return image
    small = image.reduce(8)
    channels = small.split()
    spread = ImageChops.subtract(ImageChops.lighter(ImageChops.lighter(*channels[:2]), channels[2]),
                                 ImageChops.darker(ImageChops.darker(*channels[:2]), channels[2]))
    saturated = spread.point(lambda v: 255 if v > _SATURATED else 0).histogram()[255]
    return image if saturated >= _MIN_COLOURED_SHARE * small.width * small.height else image.convert("L")


def _image_pages(data: bytes, limits: Limits) -> list[PageImage]:
    with warnings.catch_warnings():
        # Pillow warns above its own bomb threshold; our explicit check below is the one that decides.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError as exc:
            raise ImageTooLarge(f"image is too large to decode safely: {exc}") from exc
        except (UnidentifiedImageError, OSError, SyntaxError) as exc:
            raise CorruptFile(f"image cannot be read: {exc}") from exc
        frames = getattr(img, "n_frames", 1)
        if frames > limits.max_pages:
            raise TooManyPages(f"image has {frames} pages; the limit is {limits.max_pages}")
        pages = []
        for index in range(frames):
            img.seek(index)
            width, height = img.size  # header only: nothing decoded yet
            if width * height > limits.max_image_pixels:
                raise ImageTooLarge(
                    f"page {index + 1} is {width}×{height} = {width * height:,} pixels; "
                    f"the limit is {limits.max_image_pixels:,} (decompression bomb?)"
                )
            try:
                frame = ImageOps.exif_transpose(img.copy()) or img.copy()
                pixels = frame.convert("RGB" if frame.mode in _COLOUR_MODES else "L")
            except Image.DecompressionBombError as exc:
                raise ImageTooLarge(f"image is too large to decode safely: {exc}") from exc
            except (OSError, SyntaxError, ValueError) as exc:
                raise CorruptFile(f"image page {index + 1} is damaged or truncated: {exc}") from exc
            pages.append(PageImage(index + 1, pixels, _image_dpi(img)))
        return pages


def _image_dpi(img: Image.Image) -> int:
    dpi = img.info.get("dpi")
    if dpi and dpi[0] and 50 <= float(dpi[0]) <= 1200:
        return round(float(dpi[0]))
    return DEFAULT_IMAGE_DPI


def _describe(head: bytes) -> str:
    sample = head[:64]
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError:
        return f"starts with bytes {sample[:8].hex(' ')}"
    return "looks like plain text" if text.isprintable() or text.strip() else "unknown content"
