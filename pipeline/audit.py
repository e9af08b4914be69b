"""Append-only audit log in the object store: who did what to which paper, at which station, when.

One object per event (``audit/YYYY/MM/DD/<timestamp>-<uuid>.json``): concurrent workers never contend for a
shared object, nothing is ever rewritten, and a day's events list with one prefix scan.

A paper's own history must not cost a scan of every event of its days, so an event about a paper (one with a
``sha256``) also leaves a small pointer ``audit/by-record/<sha256>/<timestamp>-<uuid>`` whose name is the event's
(its body is the event's key, for people). :func:`events_for_record` lists that one prefix. Events written before
the pointers existed are found by :func:`events_on_days` and given pointers by :func:`backfill_record_pointers`.

The dashboard counts reuse checks and their hits over weeks; reading every event of those days would cost a read
per event (every upload and digitization too). So a reuse check also leaves a mark whose name says whether it
found a paper to reuse, ``stats/reuse/checks/YYYY/MM/DD/<timestamp>-<uuid>.hit`` (or ``.miss``): a day's checks
are counted from one listing, without reading anything. A UTC day that is over is counted once per hour into
``stats/reuse/YYYY-MM-DD.json`` and read from there (:func:`reuse_checks_per_day`); hours let any whole-hour zone
(Vietnam: UTC+7) sum its own calendar days from them.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from pipeline.storage.base import ObjectExists, ObjectNotFound, ObjectStore

log = logging.getLogger(__name__)

PREFIX = "audit/"
BY_RECORD = "audit/by-record/"

# Actions other modules count or label (the pipeline's own: uploaded, digitized, duplicate, quarantined, expired;
# review_corrected / review_approved / review_rejected; user_* and password_reset from the admin pages).
REUSE_CHECK = "reuse_check"  # a back-office reuse check; the dashboard counts them and their hits

REUSE_MARKS = "stats/reuse/checks/"  # one mark per reuse check, by UTC day: <name>.hit or <name>.miss
REUSE_TALLIES = "stats/reuse/"  # stats/reuse/<UTC day>.json: a finished day's checks and hits per hour
_HIT, _MISS = ".hit", ".miss"
# A day's tally is written once the day is this far behind: a check that began before midnight has been written.
TALLY_AFTER = timedelta(minutes=10)


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
    # After the event: a failure here loses only a shortcut, and backfill_record_pointers restores it.
    if event.sha256:
        store.put(_pointer_key(event.sha256, name), key.encode(), content_type="text/plain", overwrite=False)
    if event.action == REUSE_CHECK:
        store.put(_mark_key(name, reuse_check_hit(event)), key.encode(), content_type="text/plain",
                  overwrite=False)
    return key


def reuse_check_hit(event: AuditEvent) -> bool:
    """Whether a reuse check found at least one required paper held and valid (``details["reusable"]``)."""
    reusable = event.details.get("reusable", 0)
    return reusable > 0 if isinstance(reusable, int | float) else bool(reusable)


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
    """Give every event written before the shortcuts existed its own: a paper's event its pointer, a reuse check
    its mark (and a day tallied before then is counted again); returns how many were added.

    Idempotent and resumable: a pointer's or mark's name is its event's, so a second run adds nothing.
    """
    added = 0
    marked_days: set[date] = set()
    for info in store.list(PREFIX):
        if info.key.startswith(BY_RECORD) or not info.key.endswith(".json"):
            continue
        event = _read(store, info.key)
        if event is None:
            continue
        name = info.key.rsplit("/", 1)[-1].removesuffix(".json")
        shortcuts = []
        if event.sha256:
            shortcuts.append(_pointer_key(event.sha256, name))
        if event.action == REUSE_CHECK:
            shortcuts.append(_mark_key(name, reuse_check_hit(event)))
        for key in shortcuts:
            try:
                store.put(key, info.key.encode(), content_type="text/plain", overwrite=False)
            except ObjectExists:
                continue
            added += 1
            if key.startswith(REUSE_MARKS):
                marked_days.add(_name_time(name).date())
    for day in sorted(marked_days):
        if store.exists(_tally_key(day)):
            _write_tally(store, day)
    return added


# -- reuse checks, counted ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReuseTally:
    checks: int = 0
    hits: int = 0  # checks that found at least one paper to reuse

    def __add__(self, other: ReuseTally) -> ReuseTally:
        return ReuseTally(self.checks + other.checks, self.hits + other.hits)


def reuse_checks_per_day(store: ObjectStore, days: Iterable[date], zone: tzinfo,
                         now: datetime | None = None) -> dict[date, ReuseTally]:
    """Reuse checks and hits on each of ``days``, calendar days in ``zone`` (an offset of whole hours).

    Each UTC day the days touch is read once: from its tally when it is over (written on first need), otherwise
    by listing its marks. A month costs about thirty small reads, whatever the number of checks or events.
    """
    now = now or datetime.now(UTC)
    wanted = sorted(set(days))
    bounds = {day: (_start_of(day, zone), _start_of(day + timedelta(days=1), zone)) for day in wanted}
    utc_days = sorted({d for start, end in bounds.values() for d in _utc_days(start, end)})
    hours: dict[datetime, ReuseTally] = {}
    for utc_day in utc_days:
        hours.update(_hourly(store, utc_day, now))
    out = {}
    for day, (start, end) in bounds.items():
        total = ReuseTally()
        for hour, tally in hours.items():
            if start <= hour < end:
                total += tally
        out[day] = total
    return out


def _start_of(day: date, zone: tzinfo) -> datetime:
    start = datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
    if start.minute or start.second:
        raise ValueError("reuse checks are tallied per hour: the zone's offset must be whole hours")
    return start


def _utc_days(start: datetime, end: datetime) -> list[date]:
    last = (end - timedelta(microseconds=1)).date()
    return [start.date() + timedelta(days=n) for n in range((last - start.date()).days + 1)]


def _hourly(store: ObjectStore, utc_day: date, now: datetime) -> dict[datetime, ReuseTally]:
    """One UTC day's checks per hour (keys: the hour's start, UTC)."""
    over = now >= datetime(utc_day.year, utc_day.month, utc_day.day, tzinfo=UTC) + timedelta(days=1) + TALLY_AFTER
    if over:
        try:
            saved = json.loads(store.get(_tally_key(utc_day)))
            return {datetime.fromisoformat(hour): ReuseTally(*counts) for hour, counts in saved["hours"].items()}
        except ObjectNotFound:
            return _write_tally(store, utc_day)
    return _count_marks(store, utc_day)


def _count_marks(store: ObjectStore, utc_day: date) -> dict[datetime, ReuseTally]:
    hours: dict[datetime, ReuseTally] = {}
    for info in store.list(f"{REUSE_MARKS}{utc_day:%Y/%m/%d}/"):
        name = info.key.rsplit("/", 1)[-1]
        if not name.endswith((_HIT, _MISS)):
            continue
        hour = _name_time(name).replace(minute=0, second=0, microsecond=0)
        hours[hour] = hours.get(hour, ReuseTally()) + ReuseTally(1, int(name.endswith(_HIT)))
    return hours


def _write_tally(store: ObjectStore, utc_day: date) -> dict[datetime, ReuseTally]:
    """Count a finished UTC day's marks into its tally (rewritten when late marks were backfilled)."""
    hours = _count_marks(store, utc_day)
    body = {"day": utc_day.isoformat(), "hours": {h.isoformat(): [t.checks, t.hits] for h, t in sorted(hours.items())}}
    store.put(_tally_key(utc_day), json.dumps(body).encode(), content_type="application/json")
    return hours


def _name_time(name: str) -> datetime:
    """The UTC time in an event's name (``YYYYMMDDTHHMMSSffffffZ-…``)."""
    return datetime.strptime(name[:22], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)


def _mark_key(name: str, hit: bool) -> str:
    return f"{REUSE_MARKS}{name[0:4]}/{name[4:6]}/{name[6:8]}/{name}{_HIT if hit else _MISS}"


def _tally_key(utc_day: date) -> str:
    return f"{REUSE_TALLIES}{utc_day.isoformat()}.json"


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
