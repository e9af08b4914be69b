"""The sweep of ``incoming/`` finds exactly the originals still to digitize, from metadata alone, and the sweep
flow digitizes them (once per paper) on a real SeaweedFS."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from pipeline.audit import events
from pipeline.config import Settings
from pipeline.runtime import get_runtime
from pipeline.storage.local import LocalDirStore
from pipeline.sweep import ETAG_MEMO_PREFIX, plan_sweep
from pipeline.wallet import QuarantineEntry, quarantine_key, save_json, save_record, sha256_hex, upload_original
from samples.generator import generate_document
from schemas.result import Status
from schemas.wallet import WalletRecord

VERSION = "0.1.0"


class CountingStore:
    """A store that counts downloads (``get``) of originals: the sweep must not download what is done."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.original_gets = 0

    def get(self, key: str) -> bytes:
        if key.startswith("incoming/"):
            self.original_gets += 1
        return self.inner.get(key)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


def _done(store, data: bytes, version: str = VERSION) -> None:
    sha = sha256_hex(data)
    record = WalletRecord(record_id=sha, doc_type="cccd", file_key="x", file_name="x", sha256=sha, pages=1,
                          extraction_status=Status.AUTO_APPROVED, station="HN-01", operator="lan",
                          digitized_at=datetime.now(UTC), pipeline_version=version)
    save_record(store, record, reason="digitized", actor="lan")


def _quarantined(store, data: bytes) -> None:
    sha = sha256_hex(data)
    entry = QuarantineEntry(object_key="x", sha256=sha, reason="empty_file", message="", station="HN-01",
                            operator="lan", pipeline_version=VERSION, at=datetime.now(UTC))
    save_json(store, quarantine_key(sha), entry, metadata={"pipeline-version": VERSION})


def test_sweep_plans_only_what_this_pipeline_version_has_not_done(store):
    keys = {name: upload_original(store, name.encode() * 50, f"{name}.pdf", "HN-01", "lan", "b1")
            for name in ("done", "quarantined", "old-version", "new", "other")}
    copy = upload_original(store, b"new" * 50, "new-again.pdf", "HN-07", "minh", "b2")  # same paper, 2nd station
    _done(store, b"done" * 50)
    _quarantined(store, b"quarantined" * 50)
    _done(store, b"old-version" * 50, version="0.0.9")
    store.put("records/unrelated.json", b"{}")  # nothing outside incoming/ is looked at

    counting = CountingStore(store)
    plan = plan_sweep(counting, VERSION)

    assert plan.looked_at == 6
    assert sorted(plan.first) == sorted([keys["old-version"], keys["new"], keys["other"]])
    assert plan.copies == [copy]
    assert counting.original_gets == 0  # decided from metadata (HEAD), no original downloaded


def test_originals_without_sha_metadata_are_hashed_once(tmp_path):
    store = CountingStore(LocalDirStore(tmp_path))
    store.put("incoming/scanner-3/a.pdf", b"a" * 100)  # written by another tool: no sha256 metadata
    store.put("incoming/scanner-3/b.pdf", b"b" * 100)
    _done(store, b"a" * 100)

    first = plan_sweep(store, VERSION)
    assert first.keys == ["incoming/scanner-3/b.pdf"] and store.original_gets == 2
    assert len(list(store.list(ETAG_MEMO_PREFIX))) == 2

    again = plan_sweep(store, VERSION)
    assert again.keys == ["incoming/scanner-3/b.pdf"] and store.original_gets == 2  # remembered by ETag


def test_sweep_limit_stops_early(tmp_path):
    store = LocalDirStore(tmp_path)
    for i in range(5):
        upload_original(store, b"%d" % i * 40, f"{i}.pdf", "HN-01", "lan", "b1")
    assert len(plan_sweep(store, VERSION, limit=2).keys) == 2


@pytest.fixture()
def s3_env(seaweedfs, tmp_path, monkeypatch):
    """The pipeline pointed at a fresh bucket of the session's SeaweedFS, index and Prefect home under tmp_path."""
    for name, value in seaweedfs.sohoa_env(f"sweep-{uuid.uuid4().hex[:12]}").items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SOHOA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SOHOA_OCR_WORKERS", "1")
    return get_runtime(Settings())


def test_sweep_flow_digitizes_missed_originals_once_per_paper(prefect_harness, s3_env):
    from flows.sweep import sweep

    store, index = s3_env.store, s3_env.index
    a = generate_document("khai_sinh", 11, fmt="png", dpi=100)
    b = generate_document("khai_sinh", 12, fmt="png", dpi=100)
    upload_original(store, a.data, "a.png", "HN-01", "lan", "b1")
    upload_original(store, b.data, "b.png", "HN-01", "lan", "b1")
    upload_original(store, a.data, "a-scan2.png", "HN-07", "minh", "b5")  # the same paper at another station
    upload_original(store, b"", "empty.pdf", "HN-01", "lan", "b1")

    result = sweep()

    assert result["pending"] == 4
    assert result["outcomes"] == {"digitized": 2, "duplicate": 1, "quarantined": 1}
    assert index.count() == 2
    actions = sorted((e.action, e.station) for e in events(store))
    assert actions == [("digitized", "HN-01"), ("digitized", "HN-01"), ("duplicate", "HN-07"),
                       ("quarantined", "HN-01")]
    assert sweep()["pending"] == 0  # nothing new: the next sweep does nothing
    assert len(events(store)) == 4
