"""Where each thing lives in the object store, and reading/writing it.

Layout (the store is the system of record; the index is rebuilt from ``records/``):
- ``incoming/<station>/<batch>/<file>``: originals as uploaded; written once, never changed or deleted;
- ``archive/…``: originals of older archives, digitized by the backfill flow; immutable like ``incoming/``;
- ``records/<sha256>/record.json``: the current wallet record of the paper whose original has that hash
  (object metadata ``record-version``, ``pipeline-version``: the sweep checks them with a HEAD, not a GET);
- ``records/<sha256>/versions/<n>.json``: every version of that record, 1, 2, …, with when, why and by whom it was
  saved; a review correction or an expiry adds one, copied to record.json; none is rewritten once current;
- ``records/<sha256>/ocr.json`` and ``extraction.json``: the OCR tree and the contract output beside it;
- ``records/<sha256>/searchable.pdf``: the pages with an invisible text layer (not for born-digital PDFs);
- ``quarantine/<sha256>.json``: why a file could not be processed (the original stays where it was);
- ``batches/<batch>.json``: a batch's summary; ``backfill/<run>/checkpoint.json``: how far a backfill got;
- ``sweep/etag-sha256/<etag>``: the sha256 of an original stored without one in its metadata (hashed once);
- ``audit/…``: one object per event (see :mod:`pipeline.audit`).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from pydantic import BaseModel

from pipeline.storage.base import ObjectExists, ObjectNotFound, ObjectStore
from schemas.wallet import WalletRecord

INCOMING = "incoming/"
ARCHIVE = "archive/"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def record_key(sha: str) -> str:
    return f"records/{sha}/record.json"


def record_version_key(sha: str, version: int) -> str:
    return f"records/{sha}/versions/{version:06d}.json"


def ocr_key(sha: str) -> str:
    return f"records/{sha}/ocr.json"


def extraction_key(sha: str) -> str:
    return f"records/{sha}/extraction.json"


def searchable_pdf_key(sha: str) -> str:
    return f"records/{sha}/searchable.pdf"


def quarantine_key(sha: str) -> str:
    return f"quarantine/{sha}.json"


class QuarantineEntry(BaseModel):
    object_key: str
    sha256: str
    reason: str
    message: str
    station: str
    operator: str
    pipeline_version: str
    at: datetime


class RecordVersion(BaseModel):
    """One saved state of a wallet record: the record plus when, why and by whom it was saved."""

    version: int
    saved_at: datetime
    reason: str  # digitized | expired | reviewed | ...
    actor: str
    record: WalletRecord


def safe_file_name(name: str) -> str:
    """The last path component with characters that would break an object key replaced."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "file"
    return "".join(ch if ch.isprintable() and ch not in '/\\' else "_" for ch in base).lstrip(".") or "file"


def upload_original(
    store: ObjectStore, data: bytes, file_name: str, station: str, operator: str, batch_id: str
) -> str:
    """Store an original under ``incoming/``; the same bytes re-uploaded to the same place are a no-op."""
    sha = sha256_hex(data)
    metadata = {"station": station, "operator": operator, "sha256": sha, "original-name": file_name,
                "uploaded-at": datetime.now(UTC).isoformat()}
    base = f"{INCOMING}{safe_file_name(station)}/{safe_file_name(batch_id)}/{safe_file_name(file_name)}"
    key, attempt = base, 1
    while True:
        try:
            store.put(key, data, metadata=metadata, overwrite=False)
            return key
        except ObjectExists:
            if store.stat(key).metadata.get("sha256") == sha:
                return key
            attempt += 1
            stem, dot, ext = base.rpartition(".")
            key = f"{stem}-{attempt}.{ext}" if dot and "/" not in ext else f"{base}-{attempt}"


def save_json(
    store: ObjectStore, key: str, payload: dict | BaseModel, metadata: dict[str, str] | None = None
) -> None:
    body = payload.model_dump_json(indent=1) if isinstance(payload, BaseModel) else json.dumps(
        payload, ensure_ascii=False, indent=1)
    store.put(key, body.encode("utf-8"), content_type="application/json", metadata=metadata)


def save_record(store: ObjectStore, record: WalletRecord, *, reason: str, actor: str) -> int:
    """Save ``record`` as the next version of its paper and make it current; returns the version number.

    The version is written first and ``record.json`` last, so ``record.json`` always names a version that exists;
    a crash between the two leaves an orphan version that the next save overwrites (the number comes from the
    current ``record.json``). Two writers saving the same paper at the same moment can pick the same number: S3 has
    no compare-and-swap here, and the later write wins (both also leave an audit event).
    """
    sha = record.record_id
    try:
        noted = store.stat(record_key(sha)).metadata.get("record-version", "")
    except ObjectNotFound:
        noted = "0"
    if noted.isdigit():
        current = int(noted)
    else:  # metadata lost (copied by a tool that drops it): the highest version stored
        current = max((int(k.rsplit("/", 1)[-1].split(".")[0]) for k in _version_keys(store, sha)), default=0)
    version = current + 1
    saved = RecordVersion(version=version, saved_at=datetime.now(UTC), reason=reason, actor=actor, record=record)
    save_json(store, record_version_key(sha, version), saved)
    save_json(store, record_key(sha), record,
              metadata={"record-version": str(version), "pipeline-version": record.pipeline_version})
    return version


def load_record_versions(store: ObjectStore, sha: str) -> list[RecordVersion]:
    """Every saved version of a paper's record, oldest first."""
    return [RecordVersion.model_validate_json(store.get(key)) for key in _version_keys(store, sha)]


def _version_keys(store: ObjectStore, sha: str) -> list[str]:
    return [info.key for info in store.list(f"records/{sha}/versions/") if info.key.endswith(".json")]


def load_record(store: ObjectStore, sha: str) -> WalletRecord | None:
    try:
        return WalletRecord.model_validate_json(store.get(record_key(sha)))
    except ObjectNotFound:
        return None


def load_quarantine(store: ObjectStore, sha: str) -> QuarantineEntry | None:
    try:
        return QuarantineEntry.model_validate_json(store.get(quarantine_key(sha)))
    except ObjectNotFound:
        return None
