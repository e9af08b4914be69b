"""Tesseract as an :class:`OcrEngine`, with the Vietnamese model chosen by engine name.

- ``tesseract``: the tessdata ``best_int`` ``vie`` model vendored in ``models/tessdata/`` (from npm
  ``@tesseract.js-data/vie``; Apache-2.0), or the folder named by ``SOHOA_TESSDATA_DIR``. It keeps tone marks
  that the Debian model drops (figures in ``bench/ocr.py`` and the README).
- ``tesseract-fast``: Debian's ``tesseract-ocr-vie`` (tessdata_fast, 2019), smaller and less accurate.

:meth:`TesseractEngine.read_line` re-reads one cropped line (``--psm 7``), optionally with a character whitelist;
crops of digits and Latin letters only are read with Tesseract's ``eng`` model (Debian's ``tesseract-ocr-eng``,
which ``tesseract-ocr`` depends on), which reads italic digits the ``vie`` models do not (:mod:`pipeline.reread`).

Tesseract runs as a subprocess with ``OMP_THREAD_LIMIT=1``: its own threading makes it ~7× slower on this
hardware (DESIGN.md §5), so parallelism comes from several pages at once instead. This is the only module that
builds a tesseract command line.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from PIL import Image

from pipeline.document import Block, Line, Page, Word
from pipeline.errors import OcrEngineError
from pipeline.intake import PageImage
from pipeline.ocr.base import LineOptions, LineReading
from pipeline.textnorm import nfc

_TIMEOUT_S = 300
VENDORED_TESSDATA = Path(__file__).resolve().parents[2] / "models" / "tessdata"


_LATIN_LANG = "eng"
_SINGLE_LINE = 7  # --psm 7: the image is one line of text


def tesseract_installed() -> bool:
    return shutil.which("tesseract") is not None


@lru_cache(maxsize=8)
def installed_languages(tessdata_dir: str | None = None) -> frozenset[str]:
    """The models Tesseract finds in ``tessdata_dir`` (``None``: its own folder)."""
    cmd = ["tesseract", "--list-langs"] + (["--tessdata-dir", tessdata_dir] if tessdata_dir else [])
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    lines = proc.stdout.decode("utf-8", "replace").splitlines()
    return frozenset(ln.strip() for ln in lines[1:] if ln.strip())  # the first line says where it looked


class TesseractEngine:
    """``tessdata_dir=None`` uses Tesseract's own (Debian) models."""

    def __init__(
        self, lang: str = "vie", psm: int = 3, tessdata_dir: str | Path | None = None, name: str = "tesseract"
    ) -> None:
        if not tesseract_installed():
            raise OcrEngineError("tesseract is not installed (Debian: apt-get install tesseract-ocr tesseract-ocr-vie)")
        if tessdata_dir is not None:
            model = Path(tessdata_dir) / f"{lang}.traineddata"
            if not model.is_file():
                raise OcrEngineError(f"no Tesseract model {model} (set SOHOA_TESSDATA_DIR to a folder that has it)")
        self.name = name
        self.lang = lang
        self.psm = psm
        self.tessdata_dir = str(tessdata_dir) if tessdata_dir is not None else None

    def recognize(self, page: PageImage) -> Page:
        tsv = self._run(page.image, page.dpi, self.lang, self.psm, self.tessdata_dir, f"page {page.number}")
        return _page_from_tsv(tsv, page)

    def read_line(self, image: Image.Image, dpi: int, options: LineOptions) -> LineReading | None:
        """One line crop read as a single line; its words joined by spaces, confidence weighted by length."""
        tessdata, lang = self._latin_model() if options.latin else (self.tessdata_dir, self.lang)
        extra = ["-c", f"tessedit_char_whitelist={options.allowed}"] if options.allowed else []
        tsv = self._run(image, dpi, lang, _SINGLE_LINE, tessdata, "a line crop", extra)
        words = [w for line in _page_from_tsv(tsv, PageImage(1, image, dpi)).lines for w in line.words]
        total = sum(len(w.text) for w in words)
        if not total:
            return LineReading(text="", confidence=0.0)
        confidence = sum(w.confidence * len(w.text) for w in words) / total
        return LineReading(text=nfc(" ".join(w.text for w in words)), confidence=confidence)

    def _latin_model(self) -> tuple[str | None, str]:
        """Where an ``eng`` model is (this engine's folder first, then Tesseract's own); this engine's own
        model when there is none."""
        for folder in (self.tessdata_dir, None):
            if _LATIN_LANG in installed_languages(folder):
                return folder, _LATIN_LANG
        return self.tessdata_dir, self.lang

    @staticmethod
    def _run(image: Image.Image, dpi: int, lang: str, psm: int, tessdata_dir: str | None, what: str,
             extra: list[str] | None = None) -> str:
        buf = io.BytesIO()
        # PNM is the cheapest format to encode and leptonica reads it natively.
        image.save(buf, format="PPM")
        cmd = ["tesseract", "stdin", "stdout", "-l", lang, "--psm", str(psm), "--dpi", str(dpi)]
        if tessdata_dir:
            cmd[1:1] = ["--tessdata-dir", tessdata_dir]
        # `-c` rather than the `tsv` config file, which lives in the system tessdata folder only.
        cmd += ["-c", "tessedit_create_tsv=1", "-c", "tessedit_create_txt=0", *(extra or [])]
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        try:
            proc = subprocess.run(
                cmd, input=buf.getvalue(), capture_output=True, timeout=_TIMEOUT_S, env=env, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise OcrEngineError(f"tesseract took longer than {_TIMEOUT_S} s on {what}") from exc
        if proc.returncode != 0:
            raise OcrEngineError(f"tesseract failed: {proc.stderr.decode('utf-8', 'replace').strip()[:300]}")
        return proc.stdout.decode("utf-8", "replace")


def _page_from_tsv(tsv: str, page: PageImage) -> Page:
    """Build the tree from tesseract's TSV (level 5 rows are words; block/paragraph/line numbers group them)."""
    lines: dict[tuple[int, int, int], list[Word]] = defaultdict(list)
    reader = csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    for row in reader:
        if row.get("level") != "5":
            continue
        text = nfc((row.get("text") or "").strip())
        if not text:
            continue
        left, top = int(row["left"]), int(row["top"])
        width, height = int(row["width"]), int(row["height"])
        conf = max(0.0, min(1.0, float(row["conf"]) / 100.0))
        key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        lines[key].append(Word(text=text, bbox=(left, top, left + width, top + height), confidence=conf))
    blocks: dict[int, list[Line]] = defaultdict(list)
    for (block_num, _par, _line), words in sorted(lines.items()):
        blocks[block_num].append(Line(words=words))
    width, height = page.image.size
    return Page(
        number=page.number,
        width=width,
        height=height,
        dpi=page.dpi,
        blocks=[Block(lines=blines) for _, blines in sorted(blocks.items())],
    )
