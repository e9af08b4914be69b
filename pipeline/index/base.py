"""The search index protocol: a derived, rebuildable view of the wallet records for back-office search.

Adapters: the embedded default (one machine, no server) and Elasticsearch. One contract suite tests both.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, Field

from schemas.wallet import WalletRecord


class SearchQuery(BaseModel):
    text: str = Field(default="", description="free text: a name (with or without diacritics), number or words")
    doc_type: str | None = None
    validity: str | None = None
    station: str | None = None
    issuing_agency: str | None = None
    owner_id: str | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    limit: int = Field(default=10, ge=1, le=1000)
    offset: int = Field(default=0, ge=0)
    facets: list[Literal["doc_type", "validity", "station"]] = Field(
        default_factory=list, description="count matching records per value of these fields (for filter menus)"
    )


class SearchHit(BaseModel):
    record: WalletRecord
    score: float


class SearchResults(BaseModel):
    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="field → value → matching records, for the fields asked in the query"
    )


@runtime_checkable
class SearchIndex(Protocol):
    def upsert(self, records: Iterable[WalletRecord]) -> int:
        """Add or replace records (keyed on ``record_id``); visible to search when this returns."""
        ...

    def get(self, record_id: str) -> WalletRecord | None: ...

    def search(self, query: SearchQuery) -> SearchResults: ...

    def count(self) -> int: ...

    def clear(self) -> None:
        """Drop every record (used by reindex before rebuilding from the store)."""
        ...
