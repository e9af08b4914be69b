"""Where each thing lives in the object store, and reading/writing it.

Layout (the store is the system of record; the index is rebuilt from ``records/``):
- ``incoming/<station>/<batch>/<file>``: originals as uploaded; written once, never changed or deleted;
- ``records/<sha256>/record.json``: the wallet record of the paper whose original has that hash;
- ``records/<sha256>/ocr.json`` and ``extraction.json``: the OCR tree and the contract output beside it;
- ``quarantine/<sha256>.json``: why a file could not be processed (the original stays where it was);
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


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def record_key(sha: str) -> str:
    return f"records/{sha}/record.json"


def ocr_key(sha: str) -> str:
    return f"records/{sha}/ocr.json"


def extraction_key(sha: str) -> str:
    return f"records/{sha}/extraction.json"


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


def save_json(store: ObjectStore, key: str, payload: dict | BaseModel) -> None:
    body = payload.model_dump_json(indent=1) if isinstance(payload, BaseModel) else json.dumps(
        payload, ensure_ascii=False, indent=1)
    store.put(key, body.encode("utf-8"), content_type="application/json")


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


def iter_records(store: ObjectStore):
    for info in store.list("records/"):
        if info.key.endswith("/record.json"):
            yield WalletRecord.model_validate_json(store.get(info.key))
