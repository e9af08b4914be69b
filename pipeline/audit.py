"""Append-only audit log in the object store: who did what to which paper, at which station, when.

One object per event (``audit/YYYY/MM/DD/<timestamp>-<uuid>.json``): concurrent workers never contend for a
shared object, nothing is ever rewritten, and a day's events list with one prefix scan.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from pipeline.storage.base import ObjectStore


class AuditEvent(BaseModel):
    action: str  # uploaded | digitized | duplicate | quarantined | reviewed | ...
    object_key: str
    sha256: str | None = None
    station: str
    operator: str
    at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    details: dict[str, Any] = Field(default_factory=dict)


def record_event(store: ObjectStore, event: AuditEvent) -> str:
    key = f"audit/{event.at:%Y/%m/%d}/{event.at:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:12]}.json"
    store.put(key, event.model_dump_json().encode(), content_type="application/json", overwrite=False)
    return key


def events(store: ObjectStore, prefix: str = "audit/") -> list[AuditEvent]:
    return [AuditEvent.model_validate(json.loads(store.get(info.key))) for info in store.list(prefix)]
