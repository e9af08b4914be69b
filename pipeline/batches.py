"""Upload batches from the counter: store the originals, digitize them in the background, show each file's state.

Each file goes ``queued → ocr → extracted →`` one of ``indexed`` (auto-approved), ``needs_review``,
``quarantined`` (with the reason) or ``failed`` (a storage or index error: the periodic sweep digitizes it later).
The progress of a batch is one small JSON object in the store, ``batches/<batch_id>.json``, rewritten at every
change by the process that runs the batch, so any web server, or a page reloaded later, reads the same thing.

The work runs on a :class:`BatchRunner` (a thread pool in the web process: the embedded setup). A file left
unfinished by a process that stopped is shown from its record or quarantine entry once those exist, so a
restart never leaves a batch looking stuck once the sweep has done the work.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field

from pipeline.audit import AuditEvent, record_event
from pipeline.digitize import DigitizeResult, Outcome, digitize
from pipeline.review import waits_for_review
from pipeline.runtime import Runtime
from pipeline.storage.base import ObjectNotFound, ObjectStore
from pipeline.textnorm import nfc
from pipeline.wallet import load_quarantine, load_record, save_json, sha256_hex, upload_original
from schemas.wallet import WalletRecord

log = logging.getLogger(__name__)

BATCH_PREFIX = "batches/"
STALE_AFTER = timedelta(minutes=2)  # a file not heard of for this long may belong to a process that stopped


class FileState(StrEnum):
    QUEUED = "queued"
    OCR = "ocr"
    EXTRACTED = "extracted"
    INDEXED = "indexed"
    NEEDS_REVIEW = "needs_review"
    QUARANTINED = "quarantined"
    FAILED = "failed"

    @property
    def final(self) -> bool:
        return self in _FINAL


_FINAL = {FileState.INDEXED, FileState.NEEDS_REVIEW, FileState.QUARANTINED, FileState.FAILED}

# What digitize reports as each step starts (see pipeline.process / pipeline.digitize) → the state shown.
_STAGE_STATES = {"load": FileState.OCR, "ocr": FileState.OCR, "extract": FileState.OCR, "save": FileState.EXTRACTED}


class BatchFile(BaseModel):
    name: str  # as the operator's computer named it (NFC)
    key: str  # the stored original
    sha256: str
    size: int
    state: FileState = FileState.QUEUED
    record_id: str | None = None
    doc_type: str | None = None
    duplicate: bool = False  # the paper was already in the wallet
    reason: str | None = None  # quarantine reason code
    message: str | None = None  # quarantine or failure detail
    updated_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


class BatchProgress(BaseModel):
    batch_id: str
    kind: str = "upload"  # batches/ also holds the CLI/flow batch summaries, which have another shape
    station: str
    operator: str
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    files: list[BatchFile] = Field(default_factory=list)

    @property
    def finished(self) -> bool:
        return all(f.state.final for f in self.files)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.files:
            out[f.state.value] = out.get(f.state.value, 0) + 1
        return out


def batch_key(batch_id: str) -> str:
    return f"{BATCH_PREFIX}{batch_id}.json"


def new_batch_id(station: str) -> str:
    """Readable and unique: ``HN-01-20260310-142501-3fa2c1``."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in station)[:40] or "station"
    return f"{safe}-{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def is_batch_id(value: str) -> bool:
    return 0 < len(value) <= 80 and all(ch.isalnum() or ch in "-_" for ch in value)


def load_batch(store: ObjectStore, batch_id: str, *, now: datetime | None = None) -> BatchProgress | None:
    """The batch as last written, with files whose worker went quiet shown from what the store now holds."""
    if not is_batch_id(batch_id):
        return None
    try:
        raw = store.get(batch_key(batch_id))
    except ObjectNotFound:
        return None
    try:
        batch = BatchProgress.model_validate_json(raw)
    except ValueError:  # another shape under batches/ (a flow's summary): not an upload batch
        return None
    now = now or datetime.now(UTC)
    batch.files = [_settled(store, f) if not f.state.final and now - f.updated_at > STALE_AFTER else f
                   for f in batch.files]
    return batch


def _settled(store: ObjectStore, item: BatchFile) -> BatchFile:
    record = load_record(store, item.sha256)
    if record is not None:
        return item.model_copy(update=_record_state(record))
    quarantined = load_quarantine(store, item.sha256)
    if quarantined is not None:
        return item.model_copy(update={"state": FileState.QUARANTINED, "reason": quarantined.reason,
                                       "message": quarantined.message})
    return item


def _record_state(record: WalletRecord) -> dict:
    return {"state": FileState.NEEDS_REVIEW if waits_for_review(record) else FileState.INDEXED, "record_id": record.record_id,
            "doc_type": record.doc_type}


class BatchTracker:
    """The live progress of one batch, written to the store at every change (one writer: this object)."""

    def __init__(self, store: ObjectStore, batch: BatchProgress) -> None:
        self.store = store
        self.batch = batch
        self._lock = threading.Lock()

    def save(self) -> None:
        with self._lock:
            save_json(self.store, batch_key(self.batch.batch_id), self.batch)

    def update(self, index: int, **changes) -> None:
        with self._lock:
            item = self.batch.files[index]
            self.batch.files[index] = item.model_copy(update={**changes, "updated_at": datetime.now(UTC)})
            save_json(self.store, batch_key(self.batch.batch_id), self.batch)


class BatchRunner:
    """Digitizes uploaded files on a few background threads (documents at once; each OCRs its pages too)."""

    def __init__(self, runtime: Runtime, workers: int | None = None) -> None:
        self.runtime = runtime
        self._pool = ThreadPoolExecutor(max_workers=workers or runtime.settings.ocr_workers,
                                        thread_name_prefix="sohoa-batch")
        self._futures: list[Future] = []
        self._lock = threading.Lock()

    def submit(self, tracker: BatchTracker, index: int) -> None:
        future = self._pool.submit(run_file, self.runtime, tracker, index)
        with self._lock:
            self._futures = [f for f in self._futures if not f.done()] + [future]

    def wait(self, timeout: float | None = None) -> None:
        """Wait for every file submitted so far (tests, orderly shutdown)."""
        with self._lock:
            pending = list(self._futures)
        wait(pending, timeout=timeout)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def start_batch(
    runtime: Runtime, runner: BatchRunner, files: Iterable[tuple[str, bytes]], *, station: str, operator: str
) -> BatchProgress:
    """Store each original under ``incoming/<station>/<batch>/``, record the batch, queue every file."""
    store = runtime.store
    batch = BatchProgress(batch_id=new_batch_id(station), station=station, operator=operator)
    for name, data in files:
        name = nfc(name)
        key = upload_original(store, data, name, station, operator, batch.batch_id)
        sha = sha256_hex(data)
        record_event(store, AuditEvent(action="uploaded", object_key=key, sha256=sha, station=station,
                                       operator=operator, details={"batch": batch.batch_id, "bytes": len(data)}))
        batch.files.append(BatchFile(name=name, key=key, sha256=sha, size=len(data)))
    tracker = BatchTracker(store, batch)
    tracker.save()
    queued = batch.model_copy(deep=True)  # as saved: the workers change the tracker's copy from now on
    for index in range(len(batch.files)):
        runner.submit(tracker, index)
    return queued


def run_file(runtime: Runtime, tracker: BatchTracker, index: int) -> FileState:
    """Digitize one file of a batch, reporting each stage; never raises (the batch goes on)."""
    item = tracker.batch.files[index]
    batch = tracker.batch
    current = {"state": FileState.QUEUED}

    def on_stage(stage: str) -> None:
        state = _STAGE_STATES.get(stage)
        if state is not None and state is not current["state"]:
            current["state"] = state
            tracker.update(index, state=state)

    try:
        result = digitize(item.key, store=runtime.store, index=runtime.index, engine=runtime.engine,
                          settings=runtime.settings, station=batch.station, operator=batch.operator,
                          on_stage=on_stage)
    except Exception as exc:  # storage or index trouble: the sweep will digitize it later
        log.exception("batch %s: %s failed", batch.batch_id, item.key)
        tracker.update(index, state=FileState.FAILED, message=f"{type(exc).__name__}: {exc}"[:300])
        return FileState.FAILED
    changes = _outcome_state(result)
    tracker.update(index, **changes)
    return changes["state"]


def _outcome_state(result: DigitizeResult) -> dict:
    if result.outcome is Outcome.QUARANTINED:
        return {"state": FileState.QUARANTINED, "reason": result.reason, "message": result.message}
    assert result.record is not None
    return {**_record_state(result.record), "duplicate": result.outcome is Outcome.DUPLICATE}
