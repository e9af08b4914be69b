"""Upload batches: real papers through real digitizing, per-file progress in the store, bad files quarantined."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from pipeline.audit import events
from pipeline.batches import (
    STALE_AFTER,
    BatchRunner,
    FileState,
    batch_key,
    load_batch,
    start_batch,
)
from pipeline.config import Settings
from pipeline.index.embedded import EmbeddedIndex
from pipeline.ocr import open_engine
from pipeline.runtime import Runtime
from pipeline.storage.local import LocalDirStore
from pipeline.wallet import load_record, save_json
from samples.generator import generate_document


class WatchedStore(LocalDirStore):
    """The real local store, noting every state each batch object is written with (to see the live steps)."""

    def __init__(self, root) -> None:
        super().__init__(root)
        self.seen: dict[str, list[list[str]]] = {}

    def put(self, key, data, *args, **kwargs):
        result = super().put(key, data, *args, **kwargs)
        payload = json.loads(data) if key.startswith("batches/") else {}
        if isinstance(payload.get("files"), list):
            self.seen.setdefault(key, []).append([f["state"] for f in json.loads(data)["files"]])
        return result


def _runtime(tmp_path, **overrides) -> Runtime:
    settings = Settings(data_dir=tmp_path, ocr_workers=2, **overrides)
    return Runtime(settings, WatchedStore(settings.local_store_dir), EmbeddedIndex(settings.index_dir),
                   open_engine("tesseract"))


@pytest.fixture(scope="module")
def finished_batch(tmp_path_factory):
    runtime = _runtime(tmp_path_factory.mktemp("batches"))
    clean = generate_document("khai_sinh", 501, variant="clean", fmt="pdf")
    degraded = generate_document("quyet_dinh", 502, variant="degraded", fmt="jpg")
    files = [
        ("giấy khai sinh.pdf", clean.data),
        ("quyết định.jpg", degraded.data),
        ("truncated.pdf", clean.data[: len(clean.data) // 2]),  # the scan upload stopped half-way
        ("disguised.pdf", b"MZ\x90\x00 this is an executable, not a paper\n" * 20),
    ]
    runner = BatchRunner(runtime)
    batch = start_batch(runtime, runner, files, station="HN-01", operator="lan")
    runner.wait(timeout=300)
    runner.close()
    return runtime, batch


def test_every_file_reaches_a_final_state(finished_batch):
    runtime, started = finished_batch
    batch = load_batch(runtime.store, started.batch_id)
    assert batch is not None and batch.finished
    states = {f.name: f.state for f in batch.files}
    assert states["giấy khai sinh.pdf"] in (FileState.INDEXED, FileState.NEEDS_REVIEW)
    assert states["quyết định.jpg"] in (FileState.INDEXED, FileState.NEEDS_REVIEW)
    for item in batch.files[:2]:
        record = load_record(runtime.store, item.sha256)
        assert record is not None and item.record_id == record.record_id and item.doc_type == record.doc_type
        assert runtime.index.get(item.record_id) is not None
        assert record.station == "HN-01" and record.operator == "lan"


def test_bad_files_are_quarantined_with_their_reason_and_the_batch_goes_on(finished_batch):
    runtime, started = finished_batch
    batch = load_batch(runtime.store, started.batch_id)
    bad = {f.name: f for f in batch.files if f.state is FileState.QUARANTINED}
    assert set(bad) == {"truncated.pdf", "disguised.pdf"}
    assert bad["truncated.pdf"].reason == "corrupt_file" and "truncated" in bad["truncated.pdf"].message
    assert bad["disguised.pdf"].reason == "unsupported_file_type"


def test_progress_is_written_at_each_step(finished_batch):
    runtime, started = finished_batch
    history = runtime.store.seen[batch_key(started.batch_id)]
    assert history[0] == ["queued"] * 4
    for index in (0, 1):  # the two papers went through OCR and extraction before their final state
        steps = [states[index] for states in history]
        seen = list(dict.fromkeys(steps))
        assert seen[:3] == ["queued", "ocr", "extracted"], seen
        assert seen[-1] in ("indexed", "needs_review")
    truncated = list(dict.fromkeys(states[2] for states in history))
    assert truncated[0] == "queued" and truncated[-1] == "quarantined" and "extracted" not in truncated


def test_originals_are_stored_under_the_batch_and_uploads_audited(finished_batch):
    runtime, started = finished_batch
    batch = load_batch(runtime.store, started.batch_id)
    for item in batch.files:
        assert item.key.startswith(f"incoming/HN-01/{started.batch_id}/")
        assert runtime.store.stat(item.key).metadata["original-name"] == item.name
    uploaded = [e for e in events(runtime.store) if e.action == "uploaded"]
    assert sorted(e.object_key for e in uploaded) == sorted(f.key for f in batch.files)
    assert all(e.details["batch"] == started.batch_id and e.operator == "lan" for e in uploaded)


def test_a_file_left_behind_by_a_stopped_worker_shows_what_the_store_holds(finished_batch):
    runtime, started = finished_batch
    batch = load_batch(runtime.store, started.batch_id)
    old = datetime.now(UTC) - STALE_AFTER - timedelta(seconds=5)
    # As a process killed mid-OCR leaves it; the sweep digitized the files since.
    stuck = batch.model_copy(update={"batch_id": "stuck-batch", "files": [
        f.model_copy(update={"state": FileState.OCR, "record_id": None, "reason": None, "updated_at": old})
        for f in batch.files]})
    save_json(runtime.store, batch_key("stuck-batch"), stuck)
    settled = load_batch(runtime.store, "stuck-batch")
    assert [f.state for f in settled.files] == [f.state for f in batch.files]
    fresh = stuck.model_copy(update={"batch_id": "busy-batch", "files": [
        f.model_copy(update={"updated_at": datetime.now(UTC)}) for f in stuck.files]})
    save_json(runtime.store, batch_key("busy-batch"), fresh)
    assert {f.state for f in load_batch(runtime.store, "busy-batch").files} == {FileState.OCR}


def test_unknown_or_malformed_batch_ids_read_as_none(finished_batch):
    runtime, _ = finished_batch
    assert load_batch(runtime.store, "no-such-batch") is None
    assert load_batch(runtime.store, "../records/x") is None
    save_json(runtime.store, batch_key("flow-summary"), {"batch_id": "flow-summary", "files": 3})
    assert load_batch(runtime.store, "flow-summary") is None
