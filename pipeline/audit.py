"""Append-only audit log in the object store: who did what to which paper, at which station, when.

One object per event (``audit/YYYY/MM/DD/<timestamp>-<uuid>.json``): concurrent workers never contend for a
shared object, nothing is ever rewritten, and a day's events list with one prefix scan.

A paper's own history must not cost a scan of every event of its days, so an event about a paper (one with a
``sha256``) also leaves a small pointer ``audit/by-record/<sha256>/<timestamp>-<uuid>`` whose name is the event's
(its body is the event's key, for people). :func:`events_for_record` lists that one prefix. Events written before
the pointers existed are found by :func:`events_on_days` and given pointers by :func:`backfill_record_pointers`.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from pipeline.storage.base import ObjectExists, ObjectNotFound, ObjectStore

log = logging.getLogger(__name__)

PREFIX = "audit/"
BY_RECORD = "audit/by-record/"

# Actions other modules count or label (the pipeline's own: uploaded, digitized, duplicate, quarantined, expired;
# review_corrected / review_approved / review_rejected; user_* and password_reset from the admin pages).
REUSE_CHECK = "reuse_check"  # a back-office reuse check; the dashboard counts them and their hits


class AuditEvent(BaseModel):
    action: str  # uploaded | digitized | duplicate | quarantined | review_corrected | reuse_check | ...
    object_key: str
    sha256: str | None = None
    station: str
    operator: str
    at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    details: dict[str, Any] = Field(default_factory=dict)


def record_event(store: ObjectStore, event: AuditEvent) -> str:
    """Write ``event`` (and, for a paper's event, its pointer); returns the event's key."""
    name = f"{event.at:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:12]}"
    key = _event_key(name)
    store.put(key, event.model_dump_json().encode(), content_type="application/json", overwrite=False)
    if event.sha256:
        # After the event: a failure here loses only the shortcut, and backfill_record_pointers restores it.
        store.put(_pointer_key(event.sha256, name), key.encode(), content_type="text/plain", overwrite=False)
    return key


def events(store: ObjectStore, prefix: str = PREFIX) -> list[AuditEvent]:
    """Every event under ``prefix`` (default: the whole log), in key order (= time order within a day)."""
    return [AuditEvent.model_validate(json.loads(store.get(info.key)))
            for info in store.list(prefix) if not info.key.startswith(BY_RECORD)]


def events_for_record(store: ObjectStore, sha256: str) -> list[AuditEvent]:
    """The events about one paper that left a pointer, oldest first: one listing and one read per event."""
    found = []
    for info in store.list(f"{BY_RECORD}{sha256}/"):
        name = info.key.rsplit("/", 1)[-1]
        event = _read(store, _event_key(name))
        if event is not None:
            found.append(event)
    return sorted(found, key=lambda e: e.at)


def events_on_days(store: ObjectStore, days: Iterable[date], sha256: str, object_key: str | None = None,
                   ) -> list[AuditEvent]:
    """The events about one paper on the given (UTC) days, by reading every event of those days, oldest first.

    The slow way, for events older than the pointers; ``object_key`` also matches events that name the paper's
    file but not its hash.
    """
    found = []
    for day in sorted(set(days)):
        for info in store.list(f"{PREFIX}{day:%Y/%m/%d}/"):
            event = _read(store, info.key)
            if event is not None and (event.sha256 == sha256 or (object_key and event.object_key == object_key)):
                found.append(event)
    return sorted(found, key=lambda e: e.at)


def backfill_record_pointers(store: ObjectStore) -> int:
    """Give every paper's event written before the pointers existed its pointer; returns how many were added.

    Idempotent and resumable: a pointer's name is its event's, so a second run adds nothing.
    """
    added = 0
    for info in store.list(PREFIX):
        if info.key.startswith(BY_RECORD) or not info.key.endswith(".json"):
            continue
        event = _read(store, info.key)
        if event is None or not event.sha256:
            continue
        name = info.key.rsplit("/", 1)[-1].removesuffix(".json")
        try:
            store.put(_pointer_key(event.sha256, name), info.key.encode(), content_type="text/plain",
                      overwrite=False)
            added += 1
        except ObjectExists:
            continue
    return added


def _event_key(name: str) -> str:
    """``audit/YYYY/MM/DD/<name>.json`` for an event named ``YYYYMMDDTHHMMSSffffffZ-<uuid>``."""
    return f"{PREFIX}{name[0:4]}/{name[4:6]}/{name[6:8]}/{name}.json"


def _pointer_key(sha256: str, name: str) -> str:
    return f"{BY_RECORD}{sha256}/{name}"


def _read(store: ObjectStore, key: str) -> AuditEvent | None:
    try:
        return AuditEvent.model_validate_json(store.get(key))
    except ObjectNotFound:
        return None
    except ValidationError:
        log.error("unreadable audit event %s", key)
        return None
