"""The OCR engine protocol: page image in, one :class:`~pipeline.document.Page` of the typed tree out.

Engines are chosen by name in config (``SOHOA_OCR_ENGINE``) and load their models from local files only.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from pipeline.document import Page
from pipeline.intake import PageImage


@runtime_checkable
class OcrEngine(Protocol):
    name: str

    def recognize(self, page: PageImage) -> Page:
        """Words with boxes and confidences, grouped into lines and blocks in reading order."""
        ...
