"""The searchable PDF: the page images with an invisible text layer that poppler reads back word for word, with
tone marks, on the words' boxes; one PDF page per page, of the page's physical size."""

from __future__ import annotations

import re
import subprocess
import unicodedata
import xml.etree.ElementTree as ET

import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.document import Block, Document, Line, Page, Word
from pipeline.searchable_pdf import SearchablePdfError, build_searchable_pdf
from tests.textimage import SERIF

A4_300DPI = (2480, 3508)
PT_PER_PX = 72 / 300

LINES_P1 = [
    "QUYẾT ĐỊNH Về việc công nhận kết quả",
    "Ông Trần Văn Hùng, Tiền Giang, bổ sung hồ sơ",
    "Điều 1. Phó Chủ tịch UBND tỉnh Thừa Thiên Huế",
]
LINES_P2 = ["Nơi nhận: Như Điều 3; Lưu: VT, LĐTBXH.", "Nguyễn Thị Hằng ký ngày 05/3/2021"]


def _page(lines: list[str], number: int, size: tuple[int, int] = A4_300DPI) -> tuple[Image.Image, Page]:
    """A page image with ``lines`` drawn on it and the Page whose word boxes are where they were drawn."""
    font = ImageFont.truetype(SERIF, 54)  # 13 pt at 300 dpi
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    blocks = []
    for i, text in enumerate(lines):
        x, y = 240, 300 + 130 * i
        words = []
        for token in text.split():
            box = draw.textbbox((x, y), token, font=font)
            draw.text((x, y), token, font=font, fill=0)
            words.append(Word(text=token, bbox=tuple(round(v) for v in box), confidence=0.9))
            x = box[2] + draw.textlength(" ", font=font)
        blocks.append(Block(lines=[Line(words=words)]))
    return image, Page(number=number, width=size[0], height=size[1], dpi=300, blocks=blocks)


@pytest.fixture(scope="module")
def two_page_pdf(tmp_path_factory) -> tuple[bytes, Document]:
    (img1, page1), (img2, page2) = _page(LINES_P1, 1), _page(LINES_P2, 2)
    document = Document(pages=[page1, page2], engine="test")
    return build_searchable_pdf([img1, img2], document), document


def _run(*cmd: str, data: bytes) -> str:
    return subprocess.run([*cmd], input=data, capture_output=True, check=True).stdout.decode("utf-8")


def test_text_layer_reads_back_with_every_tone_mark(two_page_pdf):
    pdf, _ = two_page_pdf
    text = _run("pdftotext", "-enc", "UTF-8", "-", "-", data=pdf)
    assert unicodedata.is_normalized("NFC", text)
    words = text.split()
    for line in LINES_P1 + LINES_P2:
        for word in line.split():
            assert word in words, f"{word!r} missing from the text layer"
    assert "Tien" not in text and "QUYET" not in text  # nothing lost its marks


def test_pages_have_the_page_size_and_count(two_page_pdf):
    pdf, _ = two_page_pdf
    info = _run("pdfinfo", "-f", "1", "-l", "2", "-", data=pdf)
    assert re.search(r"^Pages:\s+2$", info, re.MULTILINE)
    sizes = re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info, re.MULTILINE)
    assert [(round(float(w)), round(float(h))) for w, h in sizes] == [(595, 842), (595, 842)]  # A4
    assert re.search(r"^PDF version:\s+1\.[4-7]$", info, re.MULTILINE)  # Decree 30/2020 asks for PDF ≥ 1.4


def test_words_sit_on_their_boxes(two_page_pdf):
    pdf, document = two_page_pdf
    root = ET.fromstring(_run("pdftotext", "-bbox", "-enc", "UTF-8", "-", "-", data=pdf))
    pages = root.findall(".//{http://www.w3.org/1999/xhtml}page")
    assert len(pages) == 2
    for page_xml, page in zip(pages, document.pages, strict=True):
        placed = [w for w in page_xml.iter("{http://www.w3.org/1999/xhtml}word")]
        expected = [(w, line) for line in page.lines for w in line.words]
        assert [w.text for w in placed] == [w.text for w, _ in expected]
        for xml_word, (word, line) in zip(placed, expected, strict=True):
            x0, y0, x1, y1 = (float(xml_word.get(k)) for k in ("xMin", "yMin", "xMax", "yMax"))
            # across: the word's own box; up and down: its line's (one size and baseline per line)
            assert x0 == pytest.approx(word.bbox[0] * PT_PER_PX, abs=1.5)
            assert x1 == pytest.approx(word.bbox[2] * PT_PER_PX, abs=1.5)
            assert y0 == pytest.approx(line.bbox[1] * PT_PER_PX, abs=1.5)
            assert y1 == pytest.approx(line.bbox[3] * PT_PER_PX, abs=1.5)


def test_the_text_is_invisible_and_the_image_shows(two_page_pdf, tmp_path):
    pdf, _ = two_page_pdf
    (tmp_path / "a.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-gray", str(tmp_path / "a.pdf"),
                    str(tmp_path / "p")], check=True)
    [png] = list(tmp_path.glob("p*.pgm"))
    text_area = (40, 40, 400, 130)  # at 50 dpi: where the lines are
    shown = Image.open(png).crop(text_area)
    expected = _page(LINES_P1, 1)[0].resize((414, 585), Image.Resampling.BOX).crop(text_area)
    # rendered page = the image alone (JPEG and resampling differences only): visible text would add its own ink
    diff = [abs(a - b) for a, b in zip(shown.getdata(), expected.getdata(), strict=True)]
    assert sum(diff) / len(diff) < 4
    assert min(shown.getdata()) < 100  # the page's own text is there


def test_empty_page_has_the_image_and_no_text():
    image, page = _page([], 1)
    pdf = build_searchable_pdf([image], Document(pages=[page]))
    assert _run("pdftotext", "-", "-", data=pdf).strip() == ""
    assert re.search(r"^Pages:\s+1$", _run("pdfinfo", "-", data=pdf), re.MULTILINE)


def test_a_smaller_image_keeps_the_page_size_and_word_places():
    image, page = _page(LINES_P1[:1], 1)
    small = image.resize((image.width // 2, image.height // 2))  # e.g. stored at 150 dpi to save space
    pdf = build_searchable_pdf([small], Document(pages=[page]))
    assert "595.2 x 841.92 pts" in _run("pdfinfo", "-", data=pdf)
    root = ET.fromstring(_run("pdftotext", "-bbox", "-enc", "UTF-8", "-", "-", data=pdf))
    first = next(root.iter("{http://www.w3.org/1999/xhtml}word"))
    assert float(first.get("xMin")) == pytest.approx(page.lines[0].words[0].bbox[0] * PT_PER_PX, abs=1.5)


def test_page_images_must_match_the_document():
    image, page = _page(LINES_P2, 1)
    with pytest.raises(SearchablePdfError, match="2 page images"):
        build_searchable_pdf([image, image], Document(pages=[page]))
    with pytest.raises(SearchablePdfError, match="at least one page"):
        build_searchable_pdf([], Document())


def test_same_input_gives_the_same_bytes():
    image, page = _page(LINES_P2, 1)
    document = Document(pages=[page])
    assert build_searchable_pdf([image], document) == build_searchable_pdf([image], document)
