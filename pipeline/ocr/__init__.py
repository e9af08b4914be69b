"""OCR engines behind one protocol; :func:`open_engine` picks one by name from config."""

from __future__ import annotations

from pipeline.config import Settings
from pipeline.ocr.base import OcrEngine

ENGINES = ("tesseract", "tesseract-fast")


def open_engine(name: str, settings: Settings | None = None) -> OcrEngine:
    """``tesseract`` (vendored best_int model, or ``SOHOA_TESSDATA_DIR``) or ``tesseract-fast`` (Debian's model)."""
    if name == "tesseract":
        from pipeline.ocr.tesseract import VENDORED_TESSDATA, TesseractEngine

        tessdata = (settings or Settings()).tessdata_dir or VENDORED_TESSDATA
        return TesseractEngine(tessdata_dir=tessdata, name=name)
    if name == "tesseract-fast":
        from pipeline.ocr.tesseract import TesseractEngine

        return TesseractEngine(tessdata_dir=None, name=name)
    raise ValueError(f"unknown OCR engine {name!r} (available: {', '.join(ENGINES)})")


__all__ = ["OcrEngine", "open_engine"]
