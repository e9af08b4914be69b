"""PaddleOCR engines with the real PP-OCRv5 models, offline; and the reading order of detected line boxes.

The engine tests need the `paddle` extra; without it they are skipped, unless ``SOHOA_REQUIRE_PADDLE=1`` (CI
installs the extra and sets it), where a missing install fails instead of hiding behind a skip.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.config import Settings
from pipeline.document import Word
from pipeline.errors import OcrEngineError
from pipeline.intake import PageImage
from pipeline.ocr import open_engine
from pipeline.ocr.base import LineOptions, read_line
from pipeline.ocr.layout import page_from_segments, reading_order
from pipeline.ocr.paddle import paddle_installed, split_line
from tests.textimage import SERIF, assert_read_in_reading_order_on_the_page, text_page

REPO = Path(__file__).resolve().parents[1]

if not paddle_installed() and os.environ.get("SOHOA_REQUIRE_PADDLE") == "1":
    pytest.fail("SOHOA_REQUIRE_PADDLE=1 but PaddleOCR is not installed (pip install '.[paddle]')", pytrace=False)
needs_paddle = pytest.mark.skipif(not paddle_installed(), reason="PaddleOCR not installed (the `paddle` extra)")

LINES = [
    "QUYẾT ĐỊNH bổ sung thẩm quyền",
    "ỦY BAN NHÂN DÂN TỈNH HƯNG YÊN",
    "Sở Tài nguyên và Môi trường cấp đổi",
    "Người đại diện theo pháp luật: Phạm Thế Hiển",
]


def header_page() -> PageImage:
    """A decision's two-column header above a body line, as printed: left column, right column, then body."""
    dpi = 300
    font = ImageFont.truetype(SERIF, round(12 * dpi / 72))
    img = Image.new("L", (2480, 900), 255)
    draw = ImageDraw.Draw(img)
    for centre, top, text in ((550, 100, "ỦY BAN NHÂN DÂN"), (550, 200, "TỈNH NINH BÌNH"),
                              (1650, 100, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
                              (1650, 200, "Độc lập - Tự do - Hạnh phúc")):
        draw.text((centre - font.getlength(text) / 2, top), text, font=font, fill=0)  # centred, as printed
    draw.text((150, 500), "Căn cứ Luật Tổ chức chính quyền địa phương", font=font, fill=0)
    return PageImage(number=1, image=img, dpi=dpi)


@pytest.fixture(scope="module")
def hybrid():
    return open_engine("paddle+tesseract", Settings())


@pytest.fixture(scope="module")
def paddle():
    return open_engine("paddle", Settings())


# --- reading order (no model needed) ------------------------------------------------------------------------


def test_two_column_header_reads_left_column_first():
    boxes = [(1200, 100, 2000, 150), (100, 100, 800, 150), (200, 170, 700, 220), (1300, 172, 1900, 222),
             (100, 300, 2000, 350)]
    assert reading_order(boxes) == [[[1], [2]], [[0], [3]], [[4]]]


def test_form_labels_and_values_are_read_row_by_row():
    """Left-aligned labels with their values beside them are not a header: each row is read in turn."""
    boxes = [(100, 100, 400, 150), (1000, 100, 1500, 150), (100, 170, 600, 220), (1000, 170, 1300, 220)]
    assert reading_order(boxes) == [[[0], [1], [2], [3]]]


def test_table_row_is_read_cell_by_cell_and_segments_of_a_line_join():
    boxes = [(100, 400, 300, 450), (1500, 402, 1700, 452), (800, 398, 1000, 448),  # three cells
             (100, 500, 900, 550), (960, 505, 2000, 552)]  # one line cut by a narrow gap
    assert reading_order(boxes) == [[[0], [2], [1], [3, 4]]]


def test_boxes_of_one_row_join_but_a_box_holding_two_lines_keeps_them():
    def word(text: str, x: int, y: int) -> Word:
        return Word(text=text, bbox=(x, y, x + 80, y + 40), confidence=0.9)

    boxes = [(500, 100, 900, 150), (100, 100, 450, 150), (100, 200, 900, 330)]
    lines = [[[word("dân", 500, 105)]], [[word("Ủy", 100, 105), word("ban", 250, 105)]],
             [[word("Độc", 100, 205)], [word("lập", 100, 285)]]]
    page = page_from_segments(1, 1000, 400, 300, boxes, lines)
    assert [line.text for line in page.lines] == ["Ủy ban dân", "Độc", "lập"]


def test_split_line_gives_each_word_its_share_of_the_box():
    words = split_line("Số 119/QĐ-UBND", (100, 10, 240, 40), 0.9)
    assert [w.text for w in words] == ["Số", "119/QĐ-UBND"]
    assert words[0].bbox == (100, 10, 120, 40) and words[1].bbox == (130, 10, 240, 40)
    assert split_line("", (0, 0, 10, 10), 0.5) == []


# --- the engines, with the real models ----------------------------------------------------------------------


@needs_paddle
def test_engines_are_chosen_by_config(monkeypatch, hybrid):
    monkeypatch.setenv("SOHOA_OCR_ENGINE", "paddle+tesseract")
    settings = Settings()
    assert settings.ocr_engine == "paddle+tesseract"
    assert hybrid.name == "paddle+tesseract"
    assert (hybrid.detector.model_dir / "inference.pdiparams").is_file()


@needs_paddle
def test_hybrid_keeps_tone_marks_with_boxes_and_confidences(hybrid):
    page = text_page(LINES)
    result = hybrid.recognize(page)
    assert len(result.lines) == len(LINES)
    read = result.text.split()
    missed = [word for word in " ".join(LINES).split() if word not in read]
    assert len(missed) <= 1, missed
    assert {"QUYẾT", "ĐỊNH", "thẩm", "quyền", "Người", "Hiển"} <= set(read)
    assert_read_in_reading_order_on_the_page(result, page)
    # each line's box lies on its printed line (text_page prints line i at the top of band i + 1)
    band = round(13 * 300 / 72 * 1.8)
    for index, line in enumerate(result.lines):
        centre = (line.bbox[1] + line.bbox[3]) / 2
        assert band * (index + 1) < centre < band * (index + 2)


@needs_paddle
def test_hybrid_reads_a_two_column_header_column_by_column(hybrid):
    result = hybrid.recognize(header_page())
    texts = [line.text for line in result.lines]
    assert texts == ["ỦY BAN NHÂN DÂN", "TỈNH NINH BÌNH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                     "Độc lập - Tự do - Hạnh phúc", "Căn cứ Luật Tổ chức chính quyền địa phương"]
    assert [len(block.lines) for block in result.blocks] == [2, 2, 1]


@needs_paddle
def test_hybrid_rereads_a_single_line_with_tesseract(hybrid):
    crop = text_page(["Số 119/QĐ-UBND"]).image
    reading = read_line(hybrid, crop, 300, LineOptions())
    assert reading is not None and reading.text == "Số 119/QĐ-UBND" and reading.confidence > 0.5


@needs_paddle
def test_blank_page_gives_no_lines(hybrid, paddle):
    assert hybrid.recognize(text_page([])).lines == []
    assert paddle.recognize(text_page([])).lines == []


@needs_paddle
def test_paddle_engine_reads_a_line_with_word_boxes(paddle):
    page = text_page(["Decision 119/2025 of 17 February 2025"])
    result = paddle.recognize(page)
    assert [line.text for line in result.lines] == ["Decision 119/2025 of 17 February 2025"]
    words = result.lines[0].words
    assert [w.bbox[0] for w in words] == sorted(w.bbox[0] for w in words)
    assert all(0.5 < w.confidence <= 1.0 for w in words)


@needs_paddle
def test_missing_model_folder_names_the_setting(tmp_path):
    with pytest.raises(OcrEngineError, match="SOHOA_PADDLE_DET_MODEL_DIR"):
        open_engine("paddle+tesseract", Settings(paddle_det_model_dir=tmp_path))


@needs_paddle
def test_loads_and_reads_without_opening_a_socket(monkeypatch):
    """A fresh engine (models loaded again) must not try to reach a model hoster or anything else."""
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network disabled by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    engine = open_engine("paddle+tesseract", Settings())
    assert "Hạnh phúc" in engine.recognize(text_page(["Độc lập - Tự do - Hạnh phúc"])).text
    assert attempts == []


def _unshare_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-rn", "true"], capture_output=True, check=False).returncode == 0


@needs_paddle
@pytest.mark.skipif(not _unshare_works(), reason="cannot make a network namespace here")
def test_works_in_a_process_with_no_network():
    """The same, in a process whose network namespace has no interface at all (as in an air-gapped office)."""
    script = (
        "from pipeline.ocr import open_engine\n"
        "from tests.textimage import text_page\n"
        "print(open_engine('paddle+tesseract').recognize(text_page(['Nguyễn Thị Hằng'])).text)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PADDLE_PDX_", "HF_", "MODELSCOPE_"))}
    proc = subprocess.run(["unshare", "-rn", sys.executable, "-c", script], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Nguyễn Thị Hằng" in proc.stdout
