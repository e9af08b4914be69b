"""Keeping the wallet true over time: rebuild the index from the store, and expire results whose validity ended.

The object store is the system of record and the index is derived (DESIGN.md §1), so both jobs read
``records/*/record.json`` from the store. An expired result is never removed: it gets a new record version marked
``expired``, stays searchable (filter ``validity=expired``) and leaves an audit event (Decree 45/2020 Art.15: an
expired or cancelled result is time-stamped, marked and kept for lookup).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from pydantic import ValidationError

from pipeline.audit import AuditEvent, record_event
from pipeline.index.base import SearchIndex
from pipeline.storage.base import ObjectNotFound, ObjectStore
from pipeline.wallet import save_record
from schemas.wallet import Validity, WalletRecord

log = logging.getLogger(__name__)

REINDEX_BATCH = 500
SYSTEM_STATION = "system"


def current_records(store: ObjectStore, unreadable: list[str] | None = None) -> Iterator[WalletRecord]:
    """Every paper's current record; a record that does not parse is logged, listed in ``unreadable``, skipped."""
    for info in store.list("records/"):
        if not info.key.endswith("/record.json"):
            continue
        try:
            yield WalletRecord.model_validate_json(store.get(info.key))
        except ObjectNotFound:
            continue
        except ValidationError as exc:
            log.error("unreadable record %s: %s", info.key, exc.errors()[:1])
            if unreadable is not None:
                unreadable.append(info.key)


@dataclass
class ReindexReport:
    indexed: int = 0
    unreadable: list[str] = field(default_factory=list)


def reindex(store: ObjectStore, index: SearchIndex, batch: int = REINDEX_BATCH) -> ReindexReport:
    """Empty the index and fill it again from the records in the store."""
    report = ReindexReport()
    index.clear()
    pending: list[WalletRecord] = []
    for record in current_records(store, report.unreadable):
        pending.append(record)
        if len(pending) >= batch:
            report.indexed += index.upsert(pending)
            pending = []
    report.indexed += index.upsert(pending)
    return report


def has_expired(record: WalletRecord, today: date) -> bool:
    """Marked valid, but its validity ended before ``today`` ("còn hiệu lực" = permanent or expiry ≥ today)."""
    return (record.validity is Validity.VALID and not record.permanent
            and record.valid_until is not None and record.valid_until < today)


@dataclass
class RevalidateReport:
    checked: int = 0
    expired: list[str] = field(default_factory=list)  # record ids marked expired by this run


def revalidate(store: ObjectStore, index: SearchIndex, today: date, actor: str = "revalidate") -> RevalidateReport:
    """Mark every result whose validity ended as expired: new record version, index entry, audit event.

    Idempotent: a record already marked expired is left alone, so a second run the same day changes nothing.
    """
    report = RevalidateReport()
    for record in current_records(store):
        report.checked += 1
        if not has_expired(record, today):
            continue
        expired = record.model_copy(update={"validity": Validity.EXPIRED})
        # Index and audit first, the record last (as in digitize): a run killed in between is redone next time.
        index.upsert([expired])
        record_event(store, AuditEvent(
            action="expired", object_key=record.file_key, sha256=record.sha256, station=SYSTEM_STATION,
            operator=actor, details={"valid_until": record.valid_until.isoformat() if record.valid_until else None,
                                     "checked_on": today.isoformat()},
        ))
        save_record(store, expired, reason="expired", actor=actor)
        report.expired.append(record.record_id)
    return report
