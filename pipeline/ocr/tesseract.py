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
builds a tesseract command line. What one page costs (``vie`` best_int, A4 at 300 dpi, CPU time on one core):
~0.1 s to load the model, ~0.3 s page layout, ~1 s LSTM recognition. The input file, inverted re-reads and
the page resolution below are set from that measurement.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import tempfile
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from pipeline.document import Block, Line, Page, Word
from pipeline.errors import OcrEngineError
from pipeline.intake import PageImage
from pipeline.ocr.base import LineOptions, LineReading
from pipeline.ocr.choices import WordChoices, alternatives_for, word_choices
from pipeline.textnorm import nfc

_TIMEOUT_S = 300
VENDORED_TESSDATA = Path(__file__).resolve().parents[2] / "models" / "tessdata"


_LATIN_LANG = "eng"
_SINGLE_LINE = 7  # --psm 7: the image is one line of text
# Pages above this resolution are read at it (boxes scaled back to the page): the LSTM scales every line to
# 36 px high whatever the input, so 300 dpi buys only slower layout analysis, and the page segmentation does
# better at 200 dpi. Measured (bench/ocr.py --count 1 --real-dev, 300-dpi input, default chain) CER 300 → 200:
# clean 1.70 → 1.09%, scan-degraded 2.94 → 1.55%, real 7.02 → 6.91% (bag WER 9.69 → 8.42%); ~15% less CPU.
# Shrinking inside the preprocessing chain instead (rescale200) before the median lost on degraded scans.
PAGE_DPI = 200
# Except small print, which the shrinking makes too small to read: an ID card prints its labels at 5–6 pt, ~7 px
# high at 200 dpi. A page that small (a card scanned alone) is read at its own resolution at once; a larger page
# whose words, read at PAGE_DPI, are this small (a card photocopied onto A4) is read again at its own resolution.
# Measured through the whole pipeline (second pass on) on generated cards at 300 dpi, 200 dpi → own resolution:
# cards alone field F1 .940 → 1.000 clean (seed 2026), .930 → .950 scan-degraded (seeds 2026, 4242); cards on A4
# .855 → .943 (both seeds, both variants). Enlarging to 450 or 600 dpi did no better than 300. Median word height:
# generated A4 papers 10–13 pt, the real pages 10.6–12 pt (none is read twice), cards 4–5.5 pt.
SMALL_PRINT_PT = 7.5
SMALL_PAGE_INCHES = 6.0  # longest side; an ID card is 3.4 in, A6 5.8 in
_MIN_WORDS_TO_JUDGE = 8
# Tesseract 5 reads every line whose confidence is under 0.7 a second time, inverted, in case it is white on
# black. Administrative papers have no such text, so this only re-reads the hardest lines for nothing (~6% of
# the page's CPU, same text measured).
_SETTINGS = ("tessedit_do_invert=0",)


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
        self, lang: str = "vie", psm: int = 3, tessdata_dir: str | Path | None = None, name: str = "tesseract",
        max_dpi: int | None = PAGE_DPI, alternatives: bool = True,
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
        self.max_dpi = max_dpi  # None: read pages at their own resolution
        self.alternatives = alternatives  # each word's other spellings weighed (pipeline/ocr/choices.py)

    def recognize(self, page: PageImage) -> Page:
        if not self.max_dpi or page.dpi <= 1.1 * self.max_dpi or _is_small_page(page):
            return self._read_page(page, page.image, page.dpi)
        read = self._read_page(page, _shrink(page.image, self.max_dpi / page.dpi), self.max_dpi)
        if print_size_pt(read) < SMALL_PRINT_PT:
            return self._read_page(page, page.image, page.dpi)  # small print: shrinking lost it
        return read

    def _read_page(self, page: PageImage, image: Image.Image, dpi: int) -> Page:
        """``page`` read from ``image`` (the page itself, or the page scaled to ``dpi``), boxes in the page's pixels."""
        tsv, hocr = self._run(image, dpi, self.lang, self.psm, self.tessdata_dir, f"page {page.number}",
                              choices=self.alternatives)
        return _page_from_tsv(tsv, page, scale=page.image.width / image.width, choices=word_choices(hocr or ""))

    def read_line(self, image: Image.Image, dpi: int, options: LineOptions) -> LineReading | None:
        """One line crop read as a single line; its words joined by spaces, confidence weighted by length."""
        tessdata, lang = self._latin_model() if options.latin else (self.tessdata_dir, self.lang)
        extra = ["-c", f"tessedit_char_whitelist={options.allowed}"] if options.allowed else []
        tsv, _ = self._run(image, dpi, lang, _SINGLE_LINE, tessdata, "a line crop", extra)
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
             extra: list[str] | None = None, choices: bool = False) -> tuple[str, str | None]:
        """Tesseract's TSV for ``image``; with ``choices`` also its hOCR with every character's choices
        (``lstm_choice_mode=2``: ~10% more CPU on a page), for :mod:`pipeline.ocr.choices`."""
        if image.mode not in ("1", "L", "RGB"):
            image = image.convert("RGB")
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        # A file, not stdin: tesseract reads stdin a byte at a time (0.25 s of CPU for an A4 page at 300 dpi).
        # BMP: uncompressed, so it costs ~5 ms to write, and leptonica reads it natively.
        with tempfile.TemporaryDirectory(prefix="sohoa-tesseract-") as folder:
            source = Path(folder) / "page.bmp"
            image.save(source, format="BMP")
            out = Path(folder) / "out"
            cmd = ["tesseract", str(source), str(out), "-l", lang, "--psm", str(psm), "--dpi", str(dpi)]
            if tessdata_dir:
                cmd[1:1] = ["--tessdata-dir", tessdata_dir]
            # `-c` rather than the `tsv` config file, which lives in the system tessdata folder only.
            cmd += ["-c", "tessedit_create_tsv=1", "-c", "tessedit_create_txt=0"]
            if choices:
                cmd += ["-c", "tessedit_create_hocr=1", "-c", "lstm_choice_mode=2"]
            cmd += [arg for setting in _SETTINGS for arg in ("-c", setting)] + list(extra or [])
            try:
                proc = subprocess.run(cmd, capture_output=True, timeout=_TIMEOUT_S, env=env, check=False)
            except subprocess.TimeoutExpired as exc:
                raise OcrEngineError(f"tesseract took longer than {_TIMEOUT_S} s on {what}") from exc
            if proc.returncode != 0:
                raise OcrEngineError(f"tesseract failed: {proc.stderr.decode('utf-8', 'replace').strip()[:300]}")
            tsv = out.with_suffix(".tsv").read_text("utf-8", "replace")
            hocr = out.with_suffix(".hocr").read_text("utf-8", "replace") if choices else None
        return tsv, hocr


def _is_small_page(page: PageImage) -> bool:
    return max(page.image.size) < SMALL_PAGE_INCHES * page.dpi


def print_size_pt(page: Page) -> float:
    """How large the page's print is: the median height of its words' boxes, in points (``inf`` when too few
    words were read to judge). Words of one character are left out (specks, punctuation)."""
    heights = sorted(w.bbox[3] - w.bbox[1] for ln in page.lines for w in ln.words
                     if sum(ch.isalnum() for ch in w.text) >= 2)
    if len(heights) < _MIN_WORDS_TO_JUDGE or not page.dpi:
        return float("inf")
    return heights[len(heights) // 2] * 72 / page.dpi


def _shrink(image: Image.Image, factor: float) -> Image.Image:
    """The image scaled down by ``factor`` with pixel-area averaging (OpenCV: ~5× faster than Pillow's)."""
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB" if "RGB" in image.mode or image.mode == "P" else "L")
    small = cv2.resize(np.asarray(image), None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    return Image.fromarray(small)


def _page_from_tsv(tsv: str, page: PageImage, scale: float = 1.0, choices: WordChoices | None = None) -> Page:
    """Build the tree from tesseract's TSV (level 5 rows are words; block/paragraph/line numbers group them);
    ``scale``: how much larger ``page`` is than the image Tesseract read, so the boxes fit ``page``; ``choices``:
    each word's character choices by its box (hOCR), for its alternatives."""
    img_w, img_h = page.image.size
    lines: dict[tuple[int, int, int], list[Word]] = defaultdict(list)
    reader = csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    for row in reader:
        if row.get("level") != "5":
            continue
        text = nfc((row.get("text") or "").strip())
        if not text:
            continue
        left, top = int(row["left"]), int(row["top"])
        right, bottom = left + int(row["width"]), top + int(row["height"])
        groups = (choices or {}).get((left, top, right, bottom))
        alternatives = alternatives_for(text, groups) if groups else []
        if scale != 1.0:
            left, top = int(left * scale), int(top * scale)
            right, bottom = min(img_w, round(right * scale)), min(img_h, round(bottom * scale))
        conf = max(0.0, min(1.0, float(row["conf"]) / 100.0))
        key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        lines[key].append(Word(text=text, bbox=(left, top, right, bottom), confidence=conf,
                               alternatives=alternatives))
    blocks: dict[int, list[Line]] = defaultdict(list)
    for (block_num, _par, _line), words in sorted(lines.items()):
        blocks[block_num].append(Line(words=words))
    return Page(
        number=page.number,
        width=img_w,
        height=img_h,
        dpi=page.dpi,
        blocks=[Block(lines=blines) for _, blines in sorted(blocks.items())],
    )
