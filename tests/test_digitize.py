"""Digitizing a stored original: record, OCR JSON and audit in the store, the index updated, idempotent."""

from __future__ import annotations

import subprocess
from datetime import date

import pytest

from pipeline.audit import events
from pipeline.config import Settings
from pipeline.digitize import Outcome, digitize
from pipeline.index.base import SearchQuery
from pipeline.index.embedded import EmbeddedIndex
from pipeline.ocr import open_engine
from pipeline.storage.local import LocalDirStore
from pipeline.textnorm import nfc
from pipeline.wallet import (
    extraction_key,
    ocr_key,
    quarantine_key,
    record_key,
    searchable_pdf_key,
    upload_original,
)
from samples.generator import generate_document

TODAY = date(2026, 11, 26)


@pytest.fixture()
def wallet(tmp_path):
    settings = Settings(data_dir=tmp_path, ocr_workers=1)
    store = LocalDirStore(settings.local_store_dir)
    index = EmbeddedIndex(settings.index_dir)
    return settings, store, index, open_engine("tesseract")


def _run(wallet, key, **kw):
    settings, store, index, engine = wallet
    return digitize(key, store=store, index=index, engine=engine, settings=settings, today=TODAY, **kw)


def test_paper_becomes_record_ocr_and_index_entry(wallet):
    settings, store, index, _ = wallet
    doc = generate_document("khai_sinh", 101, variant="clean", fmt="pdf")
    key = upload_original(store, doc.data, "ks.pdf", "HN-01", "lan", "b1")
    result = _run(wallet, key)
    assert result.outcome is Outcome.DIGITIZED
    for k in (record_key(result.sha256), ocr_key(result.sha256), extraction_key(result.sha256)):
        assert store.exists(k)
    record = result.record
    assert record.doc_type == "khai_sinh"
    assert record.station == "HN-01" and record.operator == "lan"
    assert record.file_key == key and record.pipeline_version == settings.pipeline_version
    hits = index.search(SearchQuery(text=doc.truth["fields"]["ho_ten"])).hits
    assert [h.record.record_id for h in hits][:1] == [result.sha256]
    assert [e.action for e in events(store)] == ["digitized"]
    assert store.get(key) == doc.data  # original untouched


def test_scanned_paper_gets_a_searchable_pdf_with_its_words(wallet, tmp_path):
    settings, store, index, _ = wallet
    doc = generate_document("khai_sinh", 103, variant="degraded", fmt="jpg")
    result = _run(wallet, upload_original(store, doc.data, "ks.jpg", "HN-01", "lan", "b1"))
    pdf = tmp_path / "out.pdf"
    pdf.write_bytes(store.get(searchable_pdf_key(result.sha256)))
    text = nfc(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
    assert "GIẤY KHAI SINH" in text.upper()
    assert doc.truth["fields"]["ho_ten"].split()[-1] in text  # the given name, tone marks intact


def test_no_searchable_pdf_when_turned_off(tmp_path):
    settings = Settings(data_dir=tmp_path, ocr_workers=1, searchable_pdf=False)
    store, index = LocalDirStore(settings.local_store_dir), EmbeddedIndex(settings.index_dir)
    doc = generate_document("cccd", 104, variant="clean", fmt="png")
    key = upload_original(store, doc.data, "c.png", "HN-01", "lan", "b1")
    result = digitize(key, store=store, index=index, engine=open_engine("tesseract"), settings=settings, today=TODAY)
    assert result.outcome is Outcome.DIGITIZED and not store.exists(searchable_pdf_key(result.sha256))


def test_same_paper_at_two_stations_is_one_record_and_two_events(wallet):
    settings, store, index, _ = wallet
    doc = generate_document("cccd", 202, variant="clean", fmt="png")
    first = upload_original(store, doc.data, "a.png", "HN-01", "lan", "b1")
    second = upload_original(store, doc.data, "scan-again.png", "HN-07", "minh", "b9")
    assert first != second
    r1, r2 = _run(wallet, first), _run(wallet, second)
    assert (r1.outcome, r2.outcome) == (Outcome.DIGITIZED, Outcome.DUPLICATE)
    assert r1.sha256 == r2.sha256
    assert index.count() == 1
    audit = events(store)
    assert sorted((e.action, e.station) for e in audit) == [("digitized", "HN-01"), ("duplicate", "HN-07")]
    assert len([i for i in store.list("records/") if i.key.endswith("record.json")]) == 1


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty_file"),
        (b"just some text pretending to be a PDF\n", "unsupported_file_type"),
        (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "corrupt_file"),
    ],
)
def test_bad_file_goes_to_quarantine_with_reason(wallet, data, reason):
    _, store, index, _ = wallet
    key = upload_original(store, data, "bad.pdf", "HN-01", "lan", "b1")
    result = _run(wallet, key)
    assert result.outcome is Outcome.QUARANTINED and result.reason == reason
    entry = store.get(quarantine_key(result.sha256)).decode()
    assert reason in entry and key in entry
    assert store.get(key) == data  # the original is kept as uploaded
    assert index.count() == 0
    assert [e.action for e in events(store)] == ["quarantined"]
