"""The OCR engine protocol: page image in, one :class:`~pipeline.document.Page` of the typed tree out.

Engines are chosen by name in config (``SOHOA_OCR_ENGINE``) and load their models from local files only.
An engine may also re-read one cropped line under constraints (:meth:`OcrEngine.read_line`), which the second,
targeted pass over values that did not parse uses (:mod:`pipeline.reread`); engines that cannot return ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from PIL import Image

from pipeline.document import Page
from pipeline.intake import PageImage


@dataclass(frozen=True)
class LineOptions:
    """How to read one line crop.

    ``allowed``: the only characters the reading may hold (``None``: any). ``latin``: the crop holds digits and
    Latin letters only, so a recogniser of plain Latin print may read it (Tesseract's ``eng`` model reads
    italic digits that the Vietnamese model turns into ``/ở`` or ``J#``)."""

    allowed: str | None = None
    latin: bool = False


@dataclass(frozen=True)
class LineReading:
    text: str  # NFC
    confidence: float  # 0–1; 0 when nothing was read


@runtime_checkable
class OcrEngine(Protocol):
    name: str

    def recognize(self, page: PageImage) -> Page:
        """Words with boxes and confidences, grouped into lines and blocks in reading order."""
        ...

    def read_line(self, image: Image.Image, dpi: int, options: LineOptions) -> LineReading | None:
        """Read one cropped line of text; ``None`` when the engine cannot read single lines."""
        return None


def read_line(engine: object, image: Image.Image, dpi: int, options: LineOptions) -> LineReading | None:
    """:meth:`OcrEngine.read_line` of ``engine``, or ``None`` for an engine that has no such method (engines
    are duck-typed: one that does not subclass the protocol does not inherit its default)."""
    method = getattr(engine, "read_line", None)
    return method(image, dpi, options) if callable(method) else None
