"""The audit log: one immutable object per event, listed by day, and a paper's own history found by its hash."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from pipeline.audit import (
    BY_RECORD,
    AuditEvent,
    backfill_record_pointers,
    events,
    events_for_record,
    events_on_days,
    record_event,
)
from pipeline.storage.local import LocalDirStore

SHA_A = "a" * 64
SHA_B = "b" * 64
DAY = datetime(2026, 11, 25, 23, 50, tzinfo=UTC)


@pytest.fixture()
def store(tmp_path) -> LocalDirStore:
    return LocalDirStore(tmp_path / "store")


def event(action: str, sha: str | None, at: datetime, **details: object) -> AuditEvent:
    return AuditEvent(action=action, object_key=f"incoming/HN-01/b1/{action}.pdf", sha256=sha, station="HN-01",
                      operator="lan", at=at, details=dict(details))


def write_without_pointer(store: LocalDirStore, e: AuditEvent) -> str:
    """An event as the log was written before per-paper pointers existed."""
    key = f"audit/{e.at:%Y/%m/%d}/{e.at:%Y%m%dT%H%M%S%fZ}-{e.sha256[:12]}.json"
    store.put(key, e.model_dump_json().encode(), content_type="application/json", overwrite=False)
    return key


def test_an_event_is_filed_under_its_day(store):
    key = record_event(store, event("uploaded", SHA_A, DAY))
    assert key.startswith("audit/2026/11/25/20261125T235000")
    assert [e.action for e in events(store, "audit/2026/11/25/")] == ["uploaded"]


def test_a_papers_history_lists_only_its_own_events_across_days_oldest_first(store):
    record_event(store, event("uploaded", SHA_A, DAY))
    record_event(store, event("uploaded", SHA_B, DAY + timedelta(minutes=1)))
    record_event(store, event("review_corrected", SHA_A, DAY + timedelta(days=3), version=2))
    record_event(store, event("digitized", SHA_A, DAY + timedelta(minutes=5)))
    history = events_for_record(store, SHA_A)
    assert [e.action for e in history] == ["uploaded", "digitized", "review_corrected"]
    assert history[-1].details == {"version": 2}
    assert [e.action for e in events_for_record(store, SHA_B)] == ["uploaded"]
    assert events_for_record(store, "c" * 64) == []


def test_an_event_about_no_paper_leaves_no_pointer(store):
    record_event(store, event("reuse_check", None, DAY, procedure="1.001193"))
    assert list(store.list(BY_RECORD)) == []
    assert [e.action for e in events(store)] == ["reuse_check"]


def test_the_whole_log_reads_events_not_pointers(store):
    record_event(store, event("uploaded", SHA_A, DAY))
    record_event(store, event("digitized", SHA_A, DAY + timedelta(seconds=1)))
    assert len(list(store.list(BY_RECORD))) == 2
    assert [e.action for e in events(store)] == ["uploaded", "digitized"]


def test_events_written_before_pointers_are_found_by_day_and_backfilled_once(store):
    write_without_pointer(store, event("uploaded", SHA_A, DAY))
    write_without_pointer(store, event("digitized", SHA_A, DAY + timedelta(minutes=20)))  # the next UTC day
    write_without_pointer(store, event("uploaded", SHA_B, DAY))
    assert events_for_record(store, SHA_A) == []
    by_day = events_on_days(store, {date(2026, 11, 25), date(2026, 11, 26)}, SHA_A)
    assert [e.action for e in by_day] == ["uploaded", "digitized"]
    assert events_on_days(store, {date(2026, 11, 26)}, SHA_A)[0].action == "digitized"

    assert backfill_record_pointers(store) == 3
    assert [e.action for e in events_for_record(store, SHA_A)] == ["uploaded", "digitized"]
    assert backfill_record_pointers(store) == 0  # idempotent
    record_event(store, event("review_approved", SHA_A, DAY + timedelta(days=1)))
    assert backfill_record_pointers(store) == 0  # new events come with their pointer
    assert [e.action for e in events_for_record(store, SHA_A)] == ["uploaded", "digitized", "review_approved"]


def test_a_day_scan_also_matches_the_papers_file_key(store):
    e = event("uploaded", None, DAY)
    record_event(store, e)
    assert events_on_days(store, {DAY.date()}, SHA_A, object_key=e.object_key) == [e]
    assert events_on_days(store, {DAY.date()}, SHA_A) == []


def test_a_pointer_whose_event_is_unreadable_is_skipped(store):
    key = record_event(store, event("uploaded", SHA_A, DAY))
    store.put(key, b"{not json", content_type="application/json")  # a damaged object
    assert events_for_record(store, SHA_A) == []
