"""OCR engines behind one protocol; :func:`open_engine` picks one by name from config."""

from __future__ import annotations

from pipeline.config import Settings
from pipeline.ocr.base import OcrEngine

ENGINES = ("tesseract", "tesseract-fast", "paddle", "paddle+tesseract")


def open_engine(name: str, settings: Settings | None = None) -> OcrEngine:
    """``tesseract`` (vendored best_int model, or ``SOHOA_TESSDATA_DIR``), ``tesseract-fast`` (Debian's model),
    ``paddle`` (PaddleOCR detection + recognition; no Vietnamese tone marks) or ``paddle+tesseract`` (PaddleOCR
    finds the lines, the ``tesseract`` model reads them). The paddle engines need the ``paddle`` extra."""
    settings = settings or Settings()
    if name == "tesseract":
        from pipeline.ocr.tesseract import VENDORED_TESSDATA, TesseractEngine

        return TesseractEngine(tessdata_dir=settings.tessdata_dir or VENDORED_TESSDATA, name=name,
                               alternatives=settings.ocr_alternatives)
    if name == "tesseract-fast":
        from pipeline.ocr.tesseract import TesseractEngine

        return TesseractEngine(tessdata_dir=None, name=name, alternatives=settings.ocr_alternatives)
    if name == "paddle":
        from pipeline.ocr.paddle import PaddleEngine

        return PaddleEngine(settings.paddle_det_model_dir, settings.paddle_rec_model_dir, name=name)
    if name == "paddle+tesseract":
        from pipeline.ocr.hybrid import PaddleTesseractEngine
        from pipeline.ocr.tesseract import VENDORED_TESSDATA

        return PaddleTesseractEngine(settings.tessdata_dir or VENDORED_TESSDATA, settings.paddle_det_model_dir,
                                     name=name)
    raise ValueError(f"unknown OCR engine {name!r} (available: {', '.join(ENGINES)})")


__all__ = ["OcrEngine", "open_engine"]
