"""OCR engines behind one protocol; :func:`open_engine` picks one by name from config."""

from __future__ import annotations

from pipeline.ocr.base import OcrEngine


def open_engine(name: str) -> OcrEngine:
    if name == "tesseract":
        from pipeline.ocr.tesseract import TesseractEngine

        return TesseractEngine()
    raise ValueError(f"unknown OCR engine {name!r} (available: tesseract)")


__all__ = ["OcrEngine", "open_engine"]
