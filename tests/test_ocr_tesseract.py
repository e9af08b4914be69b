"""The Tesseract engine returns the typed tree with Vietnamese text, boxes and confidences (real tesseract)."""

from __future__ import annotations

import numpy as np

from pipeline.ocr import open_engine
from pipeline.ocr.tesseract import PAGE_DPI, SMALL_PRINT_PT, VENDORED_TESSDATA, TesseractEngine, print_size_pt
from pipeline.textnorm import fold
from tests.textimage import assert_read_in_reading_order_on_the_page, text_page

LINES = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Họ và tên: Nguyễn Thị Hằng", "Ngày sinh: 12/03/1995"]


def test_recognises_lines_in_order_with_boxes():
    page = text_page(LINES)
    result = open_engine("tesseract").recognize(page)
    assert result.number == 1 and result.dpi == 300
    assert (result.width, result.height) == page.image.size
    texts = [ln.text for ln in result.lines]
    assert len(texts) == 3
    # folded comparison: Debian's fast `vie` model may drop a tone mark; issue 4 raises the bar
    assert [fold(t) for t in texts] == [fold(t) for t in LINES]
    assert_read_in_reading_order_on_the_page(result, page)
    assert result.lines[1].confidence > 0.5


def test_keeps_diacritics_on_a_clean_line():
    result = open_engine("tesseract").recognize(text_page(["Nguyễn Thị Hằng"]))
    assert "Nguyễn" in result.text


def test_blank_page_gives_no_lines():
    page = text_page([])
    assert open_engine("tesseract").recognize(page).lines == []


def test_a_colour_or_palette_image_reads_as_its_gray_page():
    # Tesseract is handed a file of the page; any Pillow mode must reach it (a palette PNG, a scan with alpha).
    page = text_page(LINES[1:])
    engine = open_engine("tesseract")
    gray_text = engine.recognize(page).text
    for mode in ("P", "RGBA", "RGB"):
        converted = type(page)(page.number, page.image.convert(mode), page.dpi)
        assert engine.recognize(converted).text == gray_text


def test_no_temporary_file_is_left_behind(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # so TMPDIR is read again
    assert tempfile.gettempdir() == str(tmp_path)
    open_engine("tesseract").recognize(text_page(LINES[:1]))
    assert list(tmp_path.iterdir()) == []


def test_a_300_dpi_page_read_at_200_dpi_keeps_its_own_geometry():
    # The engine reads pages above PAGE_DPI at PAGE_DPI; boxes, size and dpi must still be the page's own.
    page = text_page(LINES, dpi=300)
    engine = open_engine("tesseract")
    assert engine.max_dpi == PAGE_DPI < page.dpi
    result = engine.recognize(page)
    assert (result.width, result.height, result.dpi) == (*page.image.size, 300)
    line_h = round(13 * 300 / 72 * 1.8)  # text_page's line pitch
    ink = np.asarray(page.image) < 128
    for i, line in enumerate(result.lines):
        x0, y0, x1, _ = line.bbox
        assert abs(y0 - line_h * (i + 1)) < line_h / 2  # text_page draws line i at y = line_h * (i + 1)
        # the box holds the line's ink: nearly no ink of that line lies outside it
        band = ink[line_h * (i + 1) - line_h // 4 : line_h * (i + 2) - line_h // 2]
        cols = np.flatnonzero(band.any(axis=0))
        assert abs(x0 - cols[0]) <= 4 and abs(x1 - 1 - cols[-1]) <= 4
    full = TesseractEngine(tessdata_dir=VENDORED_TESSDATA, max_dpi=None).recognize(page)
    assert [fold(t) for t in (ln.text for ln in result.lines)] == [fold(t) for t in (ln.text for ln in full.lines)]


CARD_LINES = ["Nơi thường trú / Place of residence: Số 52 đường Nguyễn Văn", "Linh, Phường Minh Khai, Thành phố Hưng Yên",
              "Họ, chữ đệm và tên khai sinh / Full name:", "NGUYỄN THỊ HẰNG", "Quê quán / Place of origin: Thanh Hóa"]


def test_small_print_is_read_at_the_pages_own_resolution():
    # An ID card prints 5–6 pt, too small once shrunk to PAGE_DPI: a card-sized page (a card scanned alone) and a
    # wide page of such print (a card copied onto A4) are both read as they are.
    engine = open_engine("tesseract")
    native = TesseractEngine(tessdata_dir=VENDORED_TESSDATA, max_dpi=None)
    for width_px in (1011, 2480):  # 85.6 mm, 210 mm at 300 dpi
        page = text_page(CARD_LINES, dpi=300, size_pt=6, width_px=width_px)
        read = engine.recognize(page)
        assert read == native.recognize(page)
        assert print_size_pt(read) < SMALL_PRINT_PT
        assert [fold(ln.text) for ln in read.lines] == [fold(t) for t in CARD_LINES]


def test_print_size_tells_papers_from_cards():
    engine = open_engine("tesseract")
    assert print_size_pt(engine.recognize(text_page(LINES))) > SMALL_PRINT_PT  # 13 pt: read at PAGE_DPI
    assert print_size_pt(engine.recognize(text_page([]))) == float("inf")  # nothing read: nothing to judge
