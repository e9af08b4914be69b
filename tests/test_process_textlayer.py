"""A born-digital PDF is read from its text layer; a scanned PDF is OCR'd (real poppler and tesseract)."""

from __future__ import annotations

import io
import subprocess

from pipeline.config import Settings
from pipeline.ocr import open_engine
from pipeline.process import process_file
from tests.textimage import text_page

LINES = ["ỦY BAN NHÂN DÂN QUẬN BA ĐÌNH", "QUYẾT ĐỊNH", "Về việc công nhận Tổ trưởng tổ dân phố số 25",
         "Căn cứ Luật Tổ chức chính quyền địa phương năm 2015;"]


def _searchable_pdf(tmp_path) -> bytes:
    page = text_page(LINES)
    image = tmp_path / "page.png"
    page.image.save(image, dpi=(page.dpi, page.dpi))
    subprocess.run(["tesseract", str(image), str(tmp_path / "page"), "-l", "vie", "pdf"], check=True,
                   capture_output=True, env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"})
    return (tmp_path / "page.pdf").read_bytes()


def test_pdf_with_a_good_text_layer_skips_ocr(tmp_path):
    processed = process_file(_searchable_pdf(tmp_path), "qd.pdf", Settings(ocr_workers=1), open_engine("tesseract"))
    assert processed.document.engine == "pdf-text-layer"
    assert "Tổ chức chính quyền địa phương" in processed.result.text


def test_scanned_pdf_is_ocrd(tmp_path):
    buf = io.BytesIO()
    text_page(LINES).image.save(buf, format="PDF", resolution=300)
    processed = process_file(buf.getvalue(), "scan.pdf", Settings(ocr_workers=1), open_engine("tesseract"))
    assert processed.document.engine == "tesseract"
    assert processed.result.pages == 1
