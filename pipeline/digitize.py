"""Digitize one stored original into the wallet: process it, store what came out, index it, audit it.

Idempotent on the original's sha256 + the pipeline version: the same paper uploaded again (at any station)
yields one record and one more audit event, and no second OCR. A bad file is quarantined with its reason;
storage or index errors propagate so the caller (a Prefect task) can retry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from pipeline.audit import AuditEvent, record_event
from pipeline.config import Settings
from pipeline.errors import BadInput
from pipeline.index.base import SearchIndex
from pipeline.ocr import OcrEngine
from pipeline.process import process_file
from pipeline.searchable_pdf import build_searchable_pdf
from pipeline.storage.base import ObjectStore
from pipeline.wallet import (
    QuarantineEntry,
    extraction_key,
    load_quarantine,
    load_record,
    ocr_key,
    quarantine_key,
    save_json,
    save_record,
    searchable_pdf_key,
    sha256_hex,
)
from schemas.kho import kho_metadata, validity_on
from schemas.result import ExtractionResult
from schemas.wallet import WalletRecord


class Outcome(StrEnum):
    DIGITIZED = "digitized"
    DUPLICATE = "duplicate"
    QUARANTINED = "quarantined"


@dataclass
class DigitizeResult:
    key: str
    sha256: str
    outcome: Outcome
    pages: int = 0
    record: WalletRecord | None = None
    reason: str | None = None  # quarantine reason code
    message: str | None = None


def digitize(
    key: str,
    *,
    store: ObjectStore,
    index: SearchIndex,
    engine: OcrEngine,
    settings: Settings,
    station: str | None = None,
    operator: str | None = None,
    today: date | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> DigitizeResult:
    """``on_stage`` hears each processing step as it starts (:func:`process_file`'s, then ``save``)."""
    info = store.stat(key)
    data = store.get(key)
    sha = sha256_hex(data)
    station = station or info.metadata.get("station") or "unknown"
    operator = operator or info.metadata.get("operator") or "unknown"

    existing = load_record(store, sha)
    if existing is not None and existing.pipeline_version == settings.pipeline_version:
        index.upsert([existing])  # cheap, and heals an index that missed it
        _audit(store, "duplicate", key, sha, station, operator, record_id=existing.record_id,
               first_key=existing.file_key)
        return DigitizeResult(key, sha, Outcome.DUPLICATE, existing.pages, record=existing)

    quarantined = load_quarantine(store, sha)
    if quarantined is not None and quarantined.pipeline_version == settings.pipeline_version:
        _audit(store, "duplicate", key, sha, station, operator, quarantined=quarantined.reason)
        return DigitizeResult(key, sha, Outcome.QUARANTINED, reason=quarantined.reason,
                              message=quarantined.message)

    try:
        processed = process_file(data, info.metadata.get("original-name") or key.rsplit("/", 1)[-1],
                                 settings, engine, today, on_stage)
    except BadInput as exc:
        entry = QuarantineEntry(object_key=key, sha256=sha, reason=exc.reason, message=str(exc), station=station,
                                operator=operator, pipeline_version=settings.pipeline_version,
                                at=datetime.now(UTC))
        _audit(store, "quarantined", key, sha, station, operator, reason=exc.reason, message=str(exc))
        save_json(store, quarantine_key(sha), entry, metadata={"pipeline-version": settings.pipeline_version})
        return DigitizeResult(key, sha, Outcome.QUARANTINED, reason=exc.reason, message=str(exc))

    if on_stage is not None:
        on_stage("save")
    record = build_record(processed.result, key, sha, station, operator, settings, today or date.today())
    save_json(store, ocr_key(sha), processed.document.export())
    save_json(store, extraction_key(sha), processed.result.contract_json())
    if processed.views:
        pdf = build_searchable_pdf(processed.views, processed.document)
        store.put(searchable_pdf_key(sha), pdf, content_type="application/pdf")
    # The record is written last: its presence means the paper is done everywhere (indexed, audited), so a worker
    # killed anywhere before it leaves the paper to be digitized again, never half-done and skipped by the sweep.
    index.upsert([record])
    _audit(store, "digitized", key, sha, station, operator, doc_type=record.doc_type,
           status=record.extraction_status.value, seconds={k: round(v, 3) for k, v in processed.seconds.items()})
    save_record(store, record, reason="digitized", actor=operator)
    return DigitizeResult(key, sha, Outcome.DIGITIZED, record.pages, record=record)


def build_record(
    result: ExtractionResult, key: str, sha: str, station: str, operator: str, settings: Settings, today: date
) -> WalletRecord:
    values = {name: fv.value for name, fv in result.fields.items() if fv.value is not None}
    meta = kho_metadata(result.doc_type, values)
    return WalletRecord(
        record_id=sha,
        doc_type=result.doc_type,
        doc_type_confidence=result.doc_type_confidence,
        file_key=key,
        file_name=result.file,
        sha256=sha,
        pages=result.pages,
        owner_name=meta.owner_name if meta else None,
        owner_ids=meta.owner_ids if meta else [],
        doc_number=meta.doc_number if meta else None,
        issue_date=meta.issue_date if meta else None,
        issuing_agency=meta.issuing_agency if meta else None,
        signer=meta.signer if meta else None,
        summary=meta.summary if meta else None,
        valid_until=meta.valid_until if meta else None,
        permanent=meta.permanent if meta else False,
        validity=validity_on(meta, today),
        extraction_status=result.status,
        station=station,
        operator=operator,
        digitized_at=datetime.now(UTC),
        pipeline_version=settings.pipeline_version,
        fields=values,
        text=result.text,
    )


def _audit(store: ObjectStore, action: str, key: str, sha: str, station: str, operator: str, **details) -> None:
    record_event(store, AuditEvent(action=action, object_key=key, sha256=sha, station=station, operator=operator,
                                   details=details))
