"""The ingest flow end to end on the embedded defaults (local store, embedded index, Prefect test server).

A batch mixing good papers and every kind of bad input finishes; the bad ones are quarantined with a reason,
the good ones are searchable by name typed without diacritics, and a summary object is stored.
"""

from __future__ import annotations

import io
import json
import struct
import zlib

import pytest
from PIL import Image

from pipeline.config import Settings
from pipeline.index.base import SearchQuery
from pipeline.runtime import get_runtime
from pipeline.textnorm import fold
from pipeline.wallet import upload_original
from samples.generator import generate_document


def _png_bomb() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 50_001 * 4))
            + chunk(b"IEND", b""))


def _truncated_pdf() -> bytes:
    buf = io.BytesIO()
    Image.new("L", (800, 1000), 255).save(buf, format="PDF", resolution=100)
    data = buf.getvalue()
    return data[: len(data) * 2 // 3]


@pytest.fixture()
def embedded_env(tmp_path, monkeypatch):
    monkeypatch.setenv("SOHOA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SOHOA_OCR_WORKERS", "1")
    return get_runtime(Settings())


def test_batch_with_bad_inputs_completes_and_is_searchable(prefect_harness, embedded_env):
    from flows.ingest_batch import ingest_batch

    store = embedded_env.store
    good = [generate_document(t, 300 + i, variant=v, fmt=f)
            for i, (t, v, f) in enumerate([("khai_sinh", "clean", "pdf"), ("cccd", "degraded", "jpg"),
                                           ("quyet_dinh", "clean", "pdf")])]
    bad = {"empty.pdf": b"", "notes.pdf": "Biên bản họp, không phải PDF\n".encode(),
           "cut.pdf": _truncated_pdf(), "bomb.png": _png_bomb()}
    keys = [upload_original(store, d.data, f"good{i}.{d.ext}", "HN-01", "lan", "batch-1") for i, d in enumerate(good)]
    keys += [upload_original(store, data, name, "HN-01", "lan", "batch-1") for name, data in bad.items()]

    summary = ingest_batch(keys, "batch-1", "HN-01", "lan")

    assert summary["files"] == 7
    assert summary["outcomes"] == {"digitized": 3, "quarantined": 4}
    reasons = {q["key"].rsplit("/", 1)[-1]: q["reason"] for q in summary["quarantined"]}
    assert reasons == {"empty.pdf": "empty_file", "notes.pdf": "unsupported_file_type",
                       "cut.pdf": "corrupt_file", "bomb.png": "image_too_large"}
    assert summary["doc_types"] == {"khai_sinh": 1, "cccd": 1, "quyet_dinh": 1}
    assert json.loads(store.get("batches/batch-1.json"))["outcomes"] == summary["outcomes"]

    name = good[0].truth["fields"]["ho_ten"]
    hits = embedded_env.index.search(SearchQuery(text=fold(name))).hits
    assert hits and fold(hits[0].record.owner_name) == fold(name)

    # Rerunning the same batch is idempotent: no new records, every file is a duplicate or stays quarantined.
    again = ingest_batch(keys, "batch-1-rerun", "HN-01", "lan")
    assert again["outcomes"] == {"duplicate": 3, "quarantined": 4}
    assert embedded_env.index.count() == 3
