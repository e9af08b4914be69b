"""The search index protocol: a derived, rebuildable view of the wallet records for back-office search.

Adapters: the embedded default (one machine, no server) and Elasticsearch. One contract suite tests both.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Literal, Protocol, Self, runtime_checkable

from pydantic import BaseModel, Field, model_validator

from schemas.result import Status
from schemas.wallet import ReviewState, WalletRecord

# How deep a search pages: ``offset + limit`` may not pass this. Elasticsearch refuses deeper ``from``/``size``
# (``index.max_result_window``) and the embedded index would rank every skipped hit; nobody reads 10,000 results,
# so past it the clerk narrows the search with filters. ``total`` still counts every match.
MAX_RESULT_WINDOW = 10_000

# Keys of ``SearchHit.highlights``.
HIGHLIGHT_NAME = "owner_name"  # the owner's name, whole, with the matched words marked
HIGHLIGHT_VALUES = "other_values"  # up to three fragments of the record's other values that matched
HIGHLIGHT_FRAGMENTS = 3
HIGHLIGHT_FRAGMENT_CHARS = 80


class SearchQuery(BaseModel):
    text: str = Field(default="", description="free text: a name (with or without diacritics), number or words")
    doc_type: str | None = None
    validity: str | None = None
    station: str | None = None
    issuing_agency: str | None = None
    owner_id: str | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    review_state: ReviewState | None = Field(default=None, description="only papers in this review state")
    extraction_status: list[Status] = Field(
        default_factory=list, description="only papers whose extraction ended in one of these (empty: any)"
    )
    limit: int = Field(default=10, ge=1, le=1000)
    offset: int = Field(default=0, ge=0)
    facets: list[Literal["doc_type", "validity", "station"]] = Field(
        default_factory=list, description="count matching records per value of these fields (for filter menus)"
    )

    @model_validator(mode="after")
    def _within_result_window(self) -> Self:
        if self.offset + self.limit > MAX_RESULT_WINDOW:
            raise ValueError(
                f"results are paged only up to the first {MAX_RESULT_WINDOW:,}; narrow the search with filters"
            )
        return self


class SearchHit(BaseModel):
    record: WalletRecord
    score: float
    highlights: dict[str, list[str]] = Field(
        default_factory=dict,
        description=(
            "for a search with words: where they matched, as HTML-escaped text whose matched words are wrapped "
            f"in <mark>…</mark>; {HIGHLIGHT_NAME!r}: the owner's name, {HIGHLIGHT_VALUES!r}: up to "
            f"{HIGHLIGHT_FRAGMENTS} fragments of its other values (number, agency, summary, fields); "
            "a key is absent where nothing matched"
        ),
    )


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


@runtime_checkable
class RebuildableIndex(Protocol):
    """An index that can be rebuilt without an empty moment (Elasticsearch: a new version, then an alias swap)."""

    def rebuild(self, records: Iterable[WalletRecord]) -> str:
        """Fill a new index from ``records`` while searches go on against the old one, then make it live in one
        step; returns the new index's name."""
        ...
