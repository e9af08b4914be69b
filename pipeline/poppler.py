"""Poppler's command-line tools, wrapped in one place: the rest of the code never builds their command lines.

``pdfinfo`` tells page count, per-page size and encryption without rendering anything, so limits are checked
before a page is decoded; ``pdftoppm`` (through pdf2image) renders pages.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass

from pdf2image import convert_from_bytes
from pdf2image.exceptions import PDFInfoNotInstalledError, PDFPageCountError, PDFSyntaxError
from PIL import Image

from pipeline.errors import CorruptFile, EncryptedPdf, OcrEngineError

_PAGE_SIZE = re.compile(r"^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts", re.MULTILINE)
_PAGES = re.compile(r"^Pages:\s+(\d+)", re.MULTILINE)
_TIMEOUT_S = 60


@dataclass(frozen=True)
class PdfInfo:
    pages: int
    page_sizes_pt: list[tuple[float, float]]  # (width, height) in PDF points, one per page


def pdf_info(data: bytes, max_pages: int) -> PdfInfo:
    """Page count and sizes of the first ``max_pages`` pages; typed errors for encrypted or broken files."""
    proc = _run(["pdfinfo", "-f", "1", "-l", str(max_pages), "-"], data, "PDF could not be read in time")
    out = proc.stdout.decode("utf-8", "replace")
    err = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        if "password" in err.lower() or "encrypt" in err.lower():
            raise EncryptedPdf("PDF is password-protected; ask the sender for an unprotected copy")
        raise CorruptFile(f"PDF is damaged or truncated ({_first_line(err) or 'pdfinfo failed'})")
    pages_match = _PAGES.search(out)
    if not pages_match:
        raise CorruptFile("PDF has no readable page tree")
    sizes = [(float(w), float(h)) for _, w, h in _PAGE_SIZE.findall(out)]
    return PdfInfo(pages=int(pages_match.group(1)), page_sizes_pt=sizes)


def render_pdf_page(data: bytes, page: int, dpi: int, colour: bool = False) -> Image.Image:
    """One page (1-based) as an image at ``dpi``: grayscale, or RGB with ``colour``."""
    try:
        images = convert_from_bytes(
            data, dpi=dpi, first_page=page, last_page=page, fmt="ppm", grayscale=not colour, timeout=_TIMEOUT_S
        )
    except PDFInfoNotInstalledError as exc:
        raise OcrEngineError("poppler-utils (pdftoppm) is not installed") from exc
    except (PDFPageCountError, PDFSyntaxError, subprocess.TimeoutExpired) as exc:
        raise CorruptFile(f"PDF page {page} could not be rendered: {_first_line(str(exc))}") from exc
    if not images:
        raise CorruptFile(f"PDF page {page} rendered to nothing")
    return images[0]


def _run(cmd: list[str], data: bytes, timeout_message: str) -> subprocess.CompletedProcess[bytes]:
    """Run a poppler tool on ``data`` (stdin); a missing tool is an installation error, a hang a damaged file."""
    try:
        return subprocess.run(cmd, input=data, capture_output=True, timeout=_TIMEOUT_S, check=False)
    except FileNotFoundError as exc:
        raise OcrEngineError(f"poppler-utils ({cmd[0]}) is not installed") from exc
    except subprocess.TimeoutExpired as exc:
        raise CorruptFile(f"{timeout_message} ({cmd[0]} timed out)") from exc


def _first_line(text: str) -> str:
    return next((ln.strip() for ln in text.splitlines() if ln.strip()), "")


@dataclass(frozen=True)
class PdfWord:
    text: str
    x0: float  # PDF points from the page's top-left corner
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class PdfPageWords:
    width_pt: float
    height_pt: float
    blocks: list[list[list[PdfWord]]]  # blocks → lines → words, in the order pdftotext reads them


def pdf_words(data: bytes, max_pages: int) -> list[PdfPageWords]:
    """The text layer of the first ``max_pages`` pages with word boxes (``pdftotext -bbox-layout``); a page
    without text has no blocks."""
    import xml.etree.ElementTree as ET

    proc = _run(["pdftotext", "-bbox-layout", "-enc", "UTF-8", "-f", "1", "-l", str(max_pages), "-", "-"], data,
                "PDF text could not be read in time")
    if proc.returncode != 0:
        raise CorruptFile(f"PDF text layer is unreadable ({_first_line(proc.stderr.decode('utf-8', 'replace'))})")
    # pdftotext escapes the text it writes; the DOCTYPE names no entities, so nothing is fetched or expanded.
    try:
        root = ET.fromstring(proc.stdout)
    except ET.ParseError as exc:
        raise CorruptFile(f"PDF text layer is unreadable ({exc})") from exc
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    pages = []
    for page in root.iterfind(".//h:page", ns):
        blocks = [
            [
                [
                    PdfWord(word.text or "", *(float(word.get(k, 0)) for k in ("xMin", "yMin", "xMax", "yMax")))
                    for word in line.iterfind("h:word", ns)
                ]
                for line in block.iterfind("h:line", ns)
            ]
            for block in page.iterfind(".//h:block", ns)
        ]
        pages.append(PdfPageWords(float(page.get("width", 0)), float(page.get("height", 0)), blocks))
    return pages
