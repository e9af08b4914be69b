"""Tesseract as an :class:`OcrEngine`, with the Vietnamese model chosen by engine name.

- ``tesseract``: the tessdata ``best_int`` ``vie`` model vendored in ``models/tessdata/`` (from npm
  ``@tesseract.js-data/vie``; Apache-2.0), or the folder named by ``SOHOA_TESSDATA_DIR``. It keeps tone marks
  that the Debian model drops (figures in ``bench/ocr.py`` and the README).
- ``tesseract-fast``: Debian's ``tesseract-ocr-vie`` (tessdata_fast, 2019), smaller and less accurate.

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
from pathlib import Path

from pipeline.document import Block, Line, Page, Word
from pipeline.errors import OcrEngineError
from pipeline.intake import PageImage
from pipeline.textnorm import nfc

_TIMEOUT_S = 300
VENDORED_TESSDATA = Path(__file__).resolve().parents[2] / "models" / "tessdata"


def tesseract_installed() -> bool:
    return shutil.which("tesseract") is not None


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
        tsv = self._run(page)
        return _page_from_tsv(tsv, page)

    def _run(self, page: PageImage) -> str:
        buf = io.BytesIO()
        # PNM is the cheapest format to encode and leptonica reads it natively.
        page.image.save(buf, format="PPM")
        cmd = ["tesseract", "stdin", "stdout", "-l", self.lang, "--psm", str(self.psm), "--dpi", str(page.dpi)]
        if self.tessdata_dir:
            cmd[1:1] = ["--tessdata-dir", self.tessdata_dir]
        # `-c` rather than the `tsv` config file, which lives in the system tessdata folder only.
        cmd += ["-c", "tessedit_create_tsv=1", "-c", "tessedit_create_txt=0"]
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        try:
            proc = subprocess.run(
                cmd, input=buf.getvalue(), capture_output=True, timeout=_TIMEOUT_S, env=env, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise OcrEngineError(f"tesseract took longer than {_TIMEOUT_S} s on page {page.number}") from exc
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
