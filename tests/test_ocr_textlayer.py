"""A PDF's own text layer becomes the Document tree when it is real Vietnamese; junk layers are refused.

The PDFs are made the way a scanning workstation makes a searchable PDF: page image + invisible text
(``tesseract … pdf``): with the Vietnamese model the layer is good, with the English model it is the junk an
old OCR pass leaves in archives (``Vé viéc cong nhan``).
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from pipeline.ocr.textlayer import is_vietnamese_syllable, layer_quality, text_layer_pages
from pipeline.textnorm import fold
from tests.textimage import text_page

LINES = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "QUYẾT ĐỊNH",
    "Về việc công nhận Tổ trưởng tổ dân phố số 25",
    "Căn cứ Luật Tổ chức chính quyền địa phương năm 2015;",
    "Điều 1. Công nhận ông Phạm Thế Minh Nghĩa, sinh ngày 27/05/1997",
]


def _searchable_pdf(tmp_path: Path, lang: str, name: str) -> bytes:
    page = text_page(LINES)
    image = tmp_path / f"{name}.png"
    page.image.save(image, dpi=(page.dpi, page.dpi))
    # Debian's own tessdata has the `pdf` config and the glyphless font a searchable PDF needs.
    subprocess.run(["tesseract", str(image), str(tmp_path / name), "-l", lang, "pdf"], check=True,
                   capture_output=True, env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"})
    return (tmp_path / f"{name}.pdf").read_bytes()


def _image_only_pdf() -> bytes:
    buf = io.BytesIO()
    text_page(LINES).image.save(buf, format="PDF", resolution=300)
    return buf.getvalue()


@pytest.mark.parametrize("word", ["Quyết", "NGHĨA", "gì", "giếng", "Quỳnh", "người", "được", "Nguyễn", "khuya",
                                  "thuở", "y", "ương", "oanh", "Việt"])
def test_real_syllables_are_vietnamese(word):
    assert is_vietnamese_syllable(word)


@pytest.mark.parametrize("word", ["viéc", "truéng", "chttc", "Diéu", "QUYÉTS", "thẩmm", "Vietnamese", "bổ̀",
                                  "cấc̀", "hàt"])
def test_junk_and_impossible_syllables_are_not(word):
    assert not is_vietnamese_syllable(word)


def test_layer_quality_tells_vietnamese_from_english_model_junk():
    good = layer_quality(" ".join(LINES))
    junk = layer_quality("CONG HOA XA HOI CHU NGHIA VIET NAM Doc lap - Tu do - Hanh phtc QUYET DINH "
                         "Vé viéc cong nhan T6 truéng t6 dan phé sé 25 Can cw Luat T6 chttc chinh quyén dia phuong")
    assert good.usable
    assert not junk.usable


def test_good_text_layer_becomes_the_tree_with_pixel_boxes(tmp_path):
    data = _searchable_pdf(tmp_path, "vie", "good")
    [page] = text_layer_pages(data, pages=1, dpi=300)
    assert page is not None
    image = text_page(LINES).image
    assert (page.width, page.height, page.dpi) == (image.width, image.height, 300)
    assert [fold(line.text) for line in page.lines] == [fold(line) for line in LINES]
    first = page.lines[0].words[0]
    assert first.text == "CỘNG" and first.confidence == 1.0
    assert abs(first.bbox[0] - 120) <= 12  # text_page draws every line from x = 120 px
    for line in page.lines:
        for word in line.words:
            x0, y0, x1, y1 = word.bbox
            assert 0 <= x0 < x1 <= page.width and 0 <= y0 < y1 <= page.height


def test_boxes_follow_the_render_resolution(tmp_path):
    data = _searchable_pdf(tmp_path, "vie", "good")
    [at300] = text_layer_pages(data, pages=1, dpi=300)
    [at150] = text_layer_pages(data, pages=1, dpi=150)
    assert at150.width == pytest.approx(at300.width / 2, abs=1)
    assert at150.lines[2].bbox[1] == pytest.approx(at300.lines[2].bbox[1] / 2, abs=1)


def test_junk_ocr_layer_is_refused(tmp_path):
    data = _searchable_pdf(tmp_path, "eng", "junk")
    assert text_layer_pages(data, pages=1, dpi=300) == [None]


def test_scan_without_text_layer_needs_ocr():
    assert text_layer_pages(_image_only_pdf(), pages=1, dpi=300) == [None]


def test_each_page_is_judged_on_its_own(tmp_path):
    good = tmp_path / "good.pdf"
    good.write_bytes(_searchable_pdf(tmp_path, "vie", "good"))
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(_image_only_pdf())
    both = tmp_path / "both.pdf"
    subprocess.run(["qpdf", "--empty", "--pages", str(good), str(scan), "--", str(both)], check=True)
    first, second = text_layer_pages(both.read_bytes(), pages=2, dpi=300)
    assert first is not None and first.number == 1
    assert second is None


def test_blank_image_pdf_has_no_layer():
    buf = io.BytesIO()
    Image.new("L", (850, 1100), 255).save(buf, format="PDF", resolution=100)
    assert text_layer_pages(buf.getvalue(), pages=1, dpi=300) == [None]
