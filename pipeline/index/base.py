"""The search index protocol: a derived, rebuildable view of the wallet records for back-office search.

Adapters: the embedded default (one machine, no server) and Elasticsearch. One contract suite tests both.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta, timezone
from typing import Literal, Protocol, Self, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.result import Status
from schemas.wallet import ReviewState, Validity, WalletRecord

# How deep a search pages: ``offset + limit`` may not pass this. Elasticsearch refuses deeper ``from``/``size``
# (``index.max_result_window``) and the embedded index would rank every skipped hit; nobody reads 10,000 results,
# so past it the clerk narrows the search with filters. ``total`` still counts every match.
MAX_RESULT_WINDOW = 10_000

# Keys of ``SearchHit.highlights``.
HIGHLIGHT_NAME = "owner_name"  # the owner's name, whole, with the matched words marked
HIGHLIGHT_VALUES = "other_values"  # up to three fragments of the record's other values that matched
HIGHLIGHT_FRAGMENTS = 3
HIGHLIGHT_FRAGMENT_CHARS = 80

# The centre's calendar: a paper digitized at 23:30 in Hà Nội counts on that day, not on the UTC one.
# Vietnam keeps UTC+7 all year (no daylight saving), so a fixed offset is the Asia/Ho_Chi_Minh zone.
VIETNAM = timezone(timedelta(hours=7), "ICT")
MAX_STATS_DAYS = 366  # the longest day range ``stats`` counts per day (a year, leap day included)


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


class DayRange(BaseModel):
    """Calendar days in Vietnam time, ``first`` and ``last`` included."""

    model_config = ConfigDict(frozen=True)

    first: date
    last: date

    @model_validator(mode="after")
    def _ordered_and_bounded(self) -> Self:
        if self.first > self.last:
            raise ValueError(f"the day range starts ({self.first}) after it ends ({self.last})")
        if (self.last - self.first).days >= MAX_STATS_DAYS:
            raise ValueError(f"figures per day cover at most {MAX_STATS_DAYS} days")
        return self

    @classmethod
    def ending(cls, last: date, days: int) -> DayRange:
        """The ``days`` days up to and including ``last``."""
        return cls(first=last - timedelta(days=days - 1), last=last)

    def days(self) -> list[date]:
        """Every day of the range, oldest first."""
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


class WalletStats(BaseModel):
    """What the wallet holds, counted by the index (the dashboard's figures; no record is read).

    Every count is of the records matching the query's filters. ``per_day`` counts only the range's days; the
    other counts are of every matching record, whenever digitized.
    """

    days: DayRange
    total: int
    by_station: dict[str, int] = Field(default_factory=dict, description="station → records")
    by_status: dict[Status, dict[ReviewState, int]] = Field(
        default_factory=dict,
        description="extraction outcome → review state → records (pairs without records are left out)",
    )
    by_validity: dict[Validity, int] = Field(
        default_factory=dict,
        description=(
            "validity on the range's last day, judged as ``pipeline.reuse.validity_today`` judges it: a paper "
            "stored as valid whose end date has passed since the last revalidation counts as expired; every "
            "Validity is a key"
        ),
    )
    per_day: dict[date, dict[str, int]] = Field(
        default_factory=dict,
        description="digitized day (Vietnam time) → station → records, for the range's days that have any",
    )

    def count_status(self, status: Status) -> int:
        return sum(self.by_status.get(status, {}).values())

    def count_review_state(self, state: ReviewState) -> int:
        return sum(counts.get(state, 0) for counts in self.by_status.values())

    @property
    def review_backlog(self) -> int:
        """Papers waiting for review (``pipeline.review.waits_for_review``): pending, not auto-approved."""
        return sum(counts.get(ReviewState.PENDING, 0) for status, counts in self.by_status.items()
                   if status is not Status.AUTO_APPROVED)


# How ``stats`` judges validity on a day from what the index keeps, the rule of ``pipeline.reuse.validity_today``:
# a paper marked cancelled or expired stays so; one marked valid or unknown is judged by its end date, unless it is
# permanent. Each adapter counts two groups besides the stored marks, and ``validity_on_day`` adds them up:
# - LAPSED: marked valid or unknown, not permanent, ``valid_until`` before the day → expired that day;
# - CONFIRMED: marked unknown, and permanent or ``valid_until`` on or after the day → valid that day.
JUDGED_BY_DATE = (Validity.VALID, Validity.UNKNOWN)


def validity_on_day(stored: dict[str, int], lapsed: dict[str, int], confirmed: int) -> dict[Validity, int]:
    """Records per validity on a day, from the counts per stored mark and the LAPSED / CONFIRMED groups above.

    ``lapsed`` is counted per stored mark; an adapter may leave the "marked valid or unknown" condition out of it
    and count the other marks too: only those two are read.
    """
    out = {v: stored.get(v.value, 0) for v in Validity}
    for mark in JUDGED_BY_DATE:
        out[mark] -= lapsed.get(mark.value, 0)
        out[Validity.EXPIRED] += lapsed.get(mark.value, 0)
    out[Validity.UNKNOWN] -= confirmed
    out[Validity.VALID] += confirmed
    return out


def stats_filters(query: SearchQuery | None) -> SearchQuery:
    """The query ``stats`` counts within: its filters; refused when it has words (see ``SearchIndex.stats``)."""
    query = query or SearchQuery()
    if query.text.strip():
        raise ValueError("stats count records by filters; a search's words cannot be counted by")
    return query


@runtime_checkable
class SearchIndex(Protocol):
    def upsert(self, records: Iterable[WalletRecord]) -> int:
        """Add or replace records (keyed on ``record_id``); visible to search when this returns."""
        ...

    def get(self, record_id: str) -> WalletRecord | None: ...

    def search(self, query: SearchQuery) -> SearchResults: ...

    def count(self) -> int: ...

    def stats(self, days: DayRange, query: SearchQuery | None = None) -> WalletStats:
        """Counts of the records matching ``query``'s filters (all records without one); see ``WalletStats``.

        Counting by words is not supported (a search's words rank; they do not make a population to count):
        a query with ``text`` is refused with ``ValueError``. Paging and facet fields are ignored.
        """
        ...

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
