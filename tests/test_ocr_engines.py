"""Engines are picked by name from config; `tesseract` runs the vendored best_int model and keeps tone marks."""

from __future__ import annotations

import pytest

from pipeline.config import Settings
from pipeline.errors import OcrEngineError
from pipeline.ocr import ENGINES, open_engine
from pipeline.ocr.tesseract import VENDORED_TESSDATA
from tests.textimage import text_page

LINES = [
    "QUYẾT ĐỊNH bổ sung thẩm quyền",
    "ỦY BAN NHÂN DÂN TỈNH HƯNG YÊN",
    "Sở Tài nguyên và Môi trường cấp đổi",
    "Người đại diện theo pháp luật: Phạm Thế Hiển",
]


def test_vendored_model_is_in_the_repo():
    model = VENDORED_TESSDATA / "vie.traineddata"
    assert model.is_file() and model.stat().st_size < 20_000_000
    assert (VENDORED_TESSDATA / "LICENSE").is_file()


def test_default_engine_uses_the_vendored_model():
    engine = open_engine("tesseract", Settings())
    assert engine.name == "tesseract"
    assert engine.tessdata_dir == str(VENDORED_TESSDATA)


def test_best_model_reads_tone_marks():
    page = open_engine("tesseract", Settings()).recognize(text_page(LINES))
    assert len(page.lines) == len(LINES)
    read = page.text.split()
    missed = [word for word in " ".join(LINES).split() if word not in read]
    assert len(missed) <= 1, missed  # one slip allowed: Tesseract's output shifts a little with the page around
    assert {"QUYẾT", "ĐỊNH", "thẩm", "quyền", "Người", "Hiển"} <= set(read)


def test_fast_engine_uses_debian_model():
    engine = open_engine("tesseract-fast", Settings())
    assert engine.name == "tesseract-fast" and engine.tessdata_dir is None
    assert "Hạnh" in engine.recognize(text_page(["Độc lập - Tự do - Hạnh phúc"])).text


def test_tessdata_dir_comes_from_config(tmp_path, monkeypatch):
    monkeypatch.setenv("SOHOA_TESSDATA_DIR", str(tmp_path))
    with pytest.raises(OcrEngineError, match="vie.traineddata"):
        open_engine("tesseract", Settings())


def test_unknown_engine_names_the_known_ones():
    with pytest.raises(ValueError, match="tesseract-fast"):
        open_engine("abbyy")
    assert "tesseract" in ENGINES
