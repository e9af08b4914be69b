"""The Elasticsearch index: the wallet searchable across a cluster, for production (DESIGN.md §1).

It behaves like the embedded index (``pipeline.index.embedded``, the reference): one contract suite tests both
(``tests/test_index_contract.py``, run here whenever ``SOHOA_ES_URL`` names a cluster). No Elasticsearch server
can be installed on the development machines (DESIGN.md §6), so this module is built against the official
client and the documented REST API, and its requests are unit-tested: the request bodies are pure functions
(``index_template``, ``document``, ``bulk_actions``, ``build_search_body``, ``build_stats_body``), and a fake
server on 127.0.0.1 checks what the real client sends.

Layout: versioned indices ``<alias>-v1``, ``<alias>-v2``… made from one index template, behind the alias that
every read and write goes through. A rebuild fills the next version while searches go on against the current one,
then moves the alias in one atomic ``_aliases`` call (``create_next_version``, ``swap_alias``, ``rebuild``).

How text matches, as in the embedded index: values are put in NFC by ``textnorm`` before they are sent, then
analysed twice: folded (lowercase + ``asciifolding``, which maps ``đ``→``d`` like ``textnorm.fold``) to find,
and exact (lowercase only, the ``.exact`` sub-fields) to rank the typed diacritics first. All words must match,
or the whole query must equal a number or code of the record (``keys``: folded, spaces removed; texts and keys both
come from ``terms.record_terms``, as in the embedded index). The owner's full name, the words in order, the owner's name rather than a
parent's, and exact-form words add to the score. Keyword equality (the issuing agency filter, whole names) is
folded in Python by ``textnorm.fold``, the one folding rule.

Typos: only when nothing matches as typed is the query run again with ``fuzziness`` (one edit, words of three
letters or more; transpositions count as one), so a correct query never drags in near-miss names and ``total``
stays honest.

Paging is ``from``/``size``, which Elasticsearch serves up to ``index.max_result_window`` (10,000 by default);
``SearchQuery`` refuses pages past ``MAX_RESULT_WINDOW`` (the same 10,000) on every adapter, so this adapter never
needs ``search_after`` and ``total`` still counts every match (``track_total_hits``). Highlights come back
HTML-escaped (``encoder: html``) with ``<mark>`` tags, keyed as ``SearchHit.highlights`` says.
"""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from elasticsearch import BadRequestError, Elasticsearch, NotFoundError, helpers
from elasticsearch import ConnectionError as EsConnectionError

from pipeline.errors import SohoaError
from pipeline.index.base import (
    HIGHLIGHT_FRAGMENT_CHARS,
    HIGHLIGHT_FRAGMENTS,
    HIGHLIGHT_NAME,
    HIGHLIGHT_VALUES,
    JUDGED_BY_DATE,
    DayRange,
    SearchHit,
    SearchQuery,
    SearchResults,
    WalletStats,
    stats_filters,
    validity_on_day,
)
from pipeline.index.terms import MAX_KEY_LEN, lookup_key, record_terms
from pipeline.textnorm import clean_spaces, fold, nfc
from schemas.result import Status
from schemas.wallet import ReviewState, WalletRecord

if TYPE_CHECKING:
    from pipeline.config import Settings

DEFAULT_ALIAS = "sohoa-wallet"
SCHEMA_VERSION = 1  # bump when the mapping changes; a rebuild() moves the wallet onto the new mapping

# Scores, as in the embedded index (tuned there with bench/search.py).
KEY_SCORE = 100.0  # the whole query equals a number or code of the record
WHOLE_NAME_SCORE = 20.0  # the whole query is the owner's full name, diacritics aside
WHOLE_NAME_EXACT_SCORE = 10.0  # … and typed with the same diacritics
NAME_PHRASE_BOOST = 4.0
PHRASE_BOOST = 2.0
NAME_TERM_BOOST = 1.5
EXACT_TERM_BOOST = 2.0
# One edit for words of three letters or more (shorter words have too many neighbours); never two.
TYPO_FUZZINESS = "AUTO:3,256"
TYPO_MIN_LEN = 3
MAX_QUERY_WORDS = 24
FACET_SIZE = 100
STATS_TERMS = 10_000  # stats' terms aggregations are exact while a field has no more values (stations: hundreds)
TIME_ZONE = "+07:00"  # the centre's calendar day (Asia/Ho_Chi_Minh keeps UTC+7 all year)
BULK_CHUNK = 500

_WORD = re.compile(r"\w+")


class ElasticsearchUnavailable(SohoaError):
    """The cluster did not answer: check ``SOHOA_ES_URL`` and that Elasticsearch is running."""


# -- the index template ------------------------------------------------------------------------------------------

_FOLDED_TEXT = {"type": "text", "analyzer": "sohoa_folded", "fields": {"exact": {"type": "text",
                                                                                  "analyzer": "sohoa_exact"}}}

MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "_meta": {"sohoa_schema": SCHEMA_VERSION},
    "properties": {
        # identity, codes and filters: exact keywords
        "record_id": {"type": "keyword"},
        "doc_type": {"type": "keyword"},
        "validity": {"type": "keyword"},
        "station": {"type": "keyword"},
        "review_state": {"type": "keyword"},
        "extraction_status": {"type": "keyword"},
        "doc_number": {"type": "keyword"},
        "owner_ids": {"type": "keyword"},  # folded, spaces removed (the same form as ``keys``)
        "keys": {"type": "keyword"},  # every number or code of the record, for whole-value lookup
        "agency_key": {"type": "keyword"},  # folded issuing agency, for the filter
        "name_whole": {"type": "keyword"},  # the owner's full name, folded and lower-case exact
        # words to search
        "owner_name": _FOLDED_TEXT,
        "issuing_agency": _FOLDED_TEXT,
        "all": _FOLDED_TEXT,  # name, number, agency, summary, signer, IDs and every extracted value
        # dates and validity
        "issue_date": {"type": "date", "format": "strict_date"},
        "valid_until": {"type": "date", "format": "strict_date"},
        "permanent": {"type": "boolean"},
        "digitized_at": {"type": "date"},
        # the WalletRecord itself, kept to answer without a round trip to the store; not indexed
        "record": {"type": "object", "enabled": False},
    },
}

SETTINGS: dict[str, Any] = {
    "analysis": {
        "analyzer": {
            "sohoa_folded": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase", "asciifolding"]},
            "sohoa_exact": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase"]},
        }
    }
}


def index_template(alias: str = DEFAULT_ALIAS) -> dict[str, Any]:
    """The ``_index_template`` body every version ``<alias>-vN`` is created from."""
    return {
        "index_patterns": [f"{alias}-v*"],
        "priority": 200,
        "template": {"settings": SETTINGS, "mappings": MAPPINGS},
        "_meta": {"managed_by": "sohoa", "sohoa_schema": SCHEMA_VERSION},
    }


# -- documents ---------------------------------------------------------------------------------------------------


def _whole(text: str) -> str:
    """A name as one keyword: its words, folded ("Nguyễn  Thị Hằng" → "nguyen thi hang")."""
    return " ".join(_WORD.findall(fold(text)))


def _whole_exact(text: str) -> str:
    """A name as one keyword, diacritics kept: "Nguyễn Thị Hằng" → "nguyễn thị hằng"."""
    return " ".join(_WORD.findall(nfc(text).lower()))


def document(record: WalletRecord) -> dict[str, Any]:
    """The indexed document of a record: what to find it by, and the record itself."""
    texts, keys = record_terms(record)
    name = clean_spaces(record.owner_name) if record.owner_name else None
    return {
        "record_id": record.record_id,
        "doc_type": record.doc_type,
        "validity": str(record.validity),
        "station": record.station,
        "review_state": str(record.review_state),
        "extraction_status": str(record.extraction_status),
        "doc_number": record.doc_number,
        "owner_ids": list(dict.fromkeys(lookup_key(owner_id) for owner_id in record.owner_ids)),
        "keys": keys,
        "agency_key": fold(record.issuing_agency) if record.issuing_agency else None,
        "name_whole": list(dict.fromkeys((_whole(name), _whole_exact(name)))) if name else [],
        "owner_name": name,
        "issuing_agency": clean_spaces(record.issuing_agency) if record.issuing_agency else None,
        "all": texts,
        "issue_date": record.issue_date.isoformat() if record.issue_date else None,
        "valid_until": record.valid_until.isoformat() if record.valid_until else None,
        "permanent": record.permanent,
        "digitized_at": record.digitized_at.isoformat(),
        "record": record.model_dump(mode="json"),
    }


def bulk_actions(records: Iterable[WalletRecord], index: str) -> Iterator[dict[str, Any]]:
    """``helpers.bulk`` actions: index (add or replace) each record under its ``record_id``."""
    for record in records:
        yield {"_op_type": "index", "_index": index, "_id": record.record_id, "_source": document(record)}


# -- the query builder -------------------------------------------------------------------------------------------


def _query_text(text: str) -> tuple[str, list[str]]:
    """The query in NFC with single spaces (at most ``MAX_QUERY_WORDS`` words), and its folded words."""
    text = " ".join(clean_spaces(text).split(" ")[:MAX_QUERY_WORDS])
    return text, _WORD.findall(fold(text))


def can_correct(text: str) -> bool:
    """Whether a typo pass could find more: some word is long enough to guess a typo in."""
    return any(len(word) >= TYPO_MIN_LEN for word in _query_text(text)[1])


def _filters(query: SearchQuery) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for field, value in (("doc_type", query.doc_type), ("validity", query.validity), ("station", query.station),
                         ("review_state", query.review_state)):
        if value:
            out.append({"term": {field: str(value)}})
    if query.extraction_status:
        out.append({"terms": {"extraction_status": [str(status) for status in query.extraction_status]}})
    if query.issuing_agency:
        out.append({"term": {"agency_key": fold(query.issuing_agency)}})
    if query.owner_id:
        out.append({"term": {"owner_ids": lookup_key(query.owner_id)}})
    if query.issued_from or query.issued_to:
        bounds: dict[str, str] = {}
        if query.issued_from:
            bounds["gte"] = query.issued_from.isoformat()
        if query.issued_to:
            bounds["lte"] = query.issued_to.isoformat()
        out.append({"range": {"issue_date": bounds}})
    return out


def _constant(clause: dict[str, Any], score: float) -> dict[str, Any]:
    return {"constant_score": {"filter": clause, "boost": score}}


def _text_query(text: str, words: list[str], fuzzy: bool, filters: list[dict[str, Any]]) -> dict[str, Any]:
    """All words must match, or the whole text is a key; the rest only ranks; filters only restrict."""
    typo: dict[str, Any] = {"fuzziness": TYPO_FUZZINESS} if fuzzy else {}
    match_any: list[dict[str, Any]] = [{"match": {"all": {"query": text, "operator": "and", **typo}}}]
    key = lookup_key(text)
    if 0 < len(key) <= MAX_KEY_LEN:
        match_any.append(_constant({"term": {"keys": key}}, KEY_SCORE))

    def whole_name(value: str) -> dict[str, Any]:
        if fuzzy:  # one typo in the whole name: the typed name still earns the whole-name score
            return {"fuzzy": {"name_whole": {"value": value, "fuzziness": 1}}}
        return {"term": {"name_whole": value}}

    folded, exact = " ".join(words), _whole_exact(text)
    should: list[dict[str, Any]] = [
        {"match": {"owner_name": {"query": text, "boost": NAME_TERM_BOOST, **typo}}},
        _constant(whole_name(folded), WHOLE_NAME_SCORE),
    ]
    if exact != folded:
        should.append(_constant(whole_name(exact), WHOLE_NAME_EXACT_SCORE))
    if len(words) > 1 and not fuzzy:  # a phrase of the typed words: pointless once they are corrected
        should.append({"match_phrase": {"owner_name": {"query": text, "boost": NAME_PHRASE_BOOST}}})
        should.append({"match_phrase": {"all": {"query": text, "boost": PHRASE_BOOST}}})
    should.append({"match": {"all.exact": {"query": text, "boost": EXACT_TERM_BOOST, **typo}}})
    must = [{"bool": {"should": match_any, "minimum_should_match": 1}}]
    return {"bool": {"must": must, "should": should, "filter": filters}}


HIGHLIGHT: dict[str, Any] = {
    "pre_tags": ["<mark>"],
    "post_tags": ["</mark>"],
    "encoder": "html",  # the text around the tags is HTML-escaped, as the pages show it
    "fields": {
        "owner_name": {"number_of_fragments": 0},  # the whole name
        # one more than kept: the owner's name is among the values too, and is dropped from them
        "all": {"number_of_fragments": HIGHLIGHT_FRAGMENTS + 1, "fragment_size": HIGHLIGHT_FRAGMENT_CHARS},
    },
}
_TAG = re.compile(r"</?mark>")


def highlights(hit: dict[str, Any], record: WalletRecord) -> dict[str, list[str]]:
    """``SearchHit.highlights`` from a hit's ``highlight``: the name, then the other values that matched."""
    found = hit.get("highlight") or {}
    out: dict[str, list[str]] = {}
    if found.get("owner_name"):
        out[HIGHLIGHT_NAME] = found["owner_name"][:1]
    name = html.escape(clean_spaces(record.owner_name)) if record.owner_name else None
    values = [fragment for fragment in found.get("all", []) if _TAG.sub("", fragment) != name]
    if values:
        out[HIGHLIGHT_VALUES] = values[:HIGHLIGHT_FRAGMENTS]
    return out


def build_search_body(query: SearchQuery, *, fuzzy: bool = False) -> dict[str, Any]:
    """The ``_search`` request body for ``query``; ``fuzzy`` is the typo pass (one edit per word).

    Words decide the score and filters only restrict; without words the newest digitized come first.
    """
    text, words = _query_text(query.text)
    filters = _filters(query)
    body: dict[str, Any] = {
        "from": query.offset,
        "size": query.limit,
        "track_total_hits": True,
        "_source": ["record"],
    }
    if words:
        body["query"] = _text_query(text, words, fuzzy, filters)
        body["sort"] = ["_score", {"record_id": "asc"}]  # ties in a stable order, so pages do not overlap
        body["highlight"] = HIGHLIGHT
    else:
        body["query"] = {"bool": {"filter": filters}} if filters else {"match_all": {}}
        body["sort"] = [{"digitized_at": "desc"}, {"record_id": "asc"}]
    if query.facets:
        body["aggs"] = {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in query.facets}
    return body


def parse_results(response: Any, query: SearchQuery, *, scored: bool) -> SearchResults:
    """``SearchResults`` from a ``_search`` response to ``build_search_body(query)``."""
    found = response["hits"]
    hits: list[SearchHit] = []
    for hit in found["hits"]:
        record = WalletRecord.model_validate(hit["_source"]["record"])
        score = float(hit.get("_score") or 0.0) if scored else 0.0
        hits.append(SearchHit(record=record, score=score, highlights=highlights(hit, record)))
    aggs = response.get("aggregations", {})
    facets = {
        name: {str(b["key"]): int(b["doc_count"]) for b in aggs.get(name, {}).get("buckets", [])}
        for name in query.facets
    }
    return SearchResults(total=int(found["total"]["value"]), hits=hits, facets=facets)


# -- the figures ---------------------------------------------------------------------------------------------------


def _terms(field: str, **sub: dict[str, Any]) -> dict[str, Any]:
    agg: dict[str, Any] = {"terms": {"field": field, "size": STATS_TERMS}}
    if sub:
        agg["aggs"] = sub
    return agg


def build_stats_body(days: DayRange, query: SearchQuery | None = None) -> dict[str, Any]:
    """The ``_search`` request body for ``stats``: no hits (``size: 0``), only aggregations.

    Days are Vietnam days (``time_zone``); validity is judged on ``days.last`` by the rule of
    ``base.validity_on_day``: the records whose end date decides (``lapsed``, ``confirmed``) are counted apart.
    Buckets made: stations × (1 + days with papers) + a dozen; a year of 170+ busy stations passes the cluster's
    ``search.max_buckets`` (65,536 by default), which answers with an error rather than wrong figures.
    """
    filters = _filters(stats_filters(query))
    on = days.last.isoformat()
    judged = {"terms": {"validity": [str(v) for v in JUDGED_BY_DATE]}}
    lapsed = {"bool": {"filter": [judged, {"range": {"valid_until": {"lt": on}}}],
                       "must_not": [{"term": {"permanent": True}}]}}
    confirmed = {"bool": {"filter": [{"term": {"validity": "unknown"}}],
                          "should": [{"term": {"permanent": True}}, {"range": {"valid_until": {"gte": on}}}],
                          "minimum_should_match": 1}}
    in_range = {"range": {"digitized_at": {"gte": days.first.isoformat(),
                                           "lt": (days.last + timedelta(days=1)).isoformat(),
                                           "time_zone": TIME_ZONE}}}
    per_day = {"date_histogram": {"field": "digitized_at", "calendar_interval": "day", "time_zone": TIME_ZONE,
                                  "format": "yyyy-MM-dd", "min_doc_count": 1},
               "aggs": {"station": _terms("station")}}
    return {
        "size": 0,
        "track_total_hits": True,
        "query": {"bool": {"filter": filters}} if filters else {"match_all": {}},
        "aggs": {
            "station": _terms("station"),
            "status": _terms("extraction_status", review=_terms("review_state")),
            "validity": _terms("validity"),
            "lapsed": {"filter": lapsed, "aggs": {"validity": _terms("validity")}},
            "confirmed": {"filter": confirmed},
            "window": {"filter": in_range, "aggs": {"day": per_day}},
        },
    }


def _bucket_counts(agg: dict[str, Any]) -> dict[str, int]:
    return {str(b["key"]): int(b["doc_count"]) for b in agg["buckets"]}


def parse_stats(response: Any, days: DayRange) -> WalletStats:
    """``WalletStats`` from a ``_search`` response to ``build_stats_body(days, …)``."""
    aggs = response["aggregations"]
    per_day = {date.fromisoformat(b["key_as_string"]): _bucket_counts(b["station"])
               for b in aggs["window"]["day"]["buckets"] if b["doc_count"]}
    return WalletStats(
        days=days,
        total=int(response["hits"]["total"]["value"]),
        by_station=_bucket_counts(aggs["station"]),
        by_status={Status(b["key"]): {ReviewState(k): v for k, v in _bucket_counts(b["review"]).items()}
                   for b in aggs["status"]["buckets"]},
        by_validity=validity_on_day(_bucket_counts(aggs["validity"]), _bucket_counts(aggs["lapsed"]["validity"]),
                                    int(aggs["confirmed"]["doc_count"])),
        per_day=dict(sorted(per_day.items())),
    )


class ElasticsearchNotConfigured(SohoaError):
    """``SOHOA_INDEX=elasticsearch`` without ``SOHOA_ES_URL``."""


class ElasticsearchSchemaMismatch(SohoaError):
    """The live index was made by another sohoa version's mapping: rebuild it (``reindex``)."""


def connect(settings: Settings) -> Elasticsearch:
    """The client for ``SOHOA_ES_URL`` (with ``SOHOA_ES_API_KEY`` and ``SOHOA_ES_CA_CERTS`` when set)."""
    if not settings.es_url:
        raise ElasticsearchNotConfigured(
            "SOHOA_INDEX=elasticsearch needs SOHOA_ES_URL (e.g. https://user:password@es.example:9200); "
            "unset SOHOA_INDEX to use the embedded index"
        )
    options: dict[str, Any] = {"request_timeout": 30, "max_retries": 2, "retry_on_timeout": True}
    if settings.es_api_key:
        options["api_key"] = settings.es_api_key.get_secret_value()
    if settings.es_ca_certs:
        options["ca_certs"] = str(settings.es_ca_certs)
    return Elasticsearch(settings.es_url, **options)


def _error_type(exc: BadRequestError) -> str | None:
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error")
    return error.get("type") if isinstance(error, dict) else None


# -- the adapter -------------------------------------------------------------------------------------------------


class ElasticsearchIndex:
    """``SearchIndex`` on an Elasticsearch cluster, through the alias ``alias`` (default ``sohoa-wallet``).

    Opening sends nothing; the first call puts the index template, makes ``<alias>-v1`` behind the alias if there
    is no alias yet, and checks that the live version has this sohoa's mapping.
    """

    def __init__(self, client_or_url: Elasticsearch | str, alias: str = DEFAULT_ALIAS) -> None:
        if isinstance(client_or_url, str):
            client_or_url = Elasticsearch(client_or_url, request_timeout=30, max_retries=2, retry_on_timeout=True)
        self.client = client_or_url
        self.alias = alias
        self._version = re.compile(rf"^{re.escape(alias)}-v(\d+)$")
        self._ready = False  # set up and checked
        self._template_put = False

    # -- versions and the alias ------------------------------------------------------------------------------

    def ensure(self) -> None:
        """Set up on first use (template, ``<alias>-v1`` behind the alias) and check the live mapping's version."""
        if self._ready:
            return
        self._set_up()
        with self._reaching():
            mappings = self.client.indices.get_mapping(index=self.alias)
        for name, info in mappings.items():
            made_for = (info.get("mappings") or {}).get("_meta", {}).get("sohoa_schema")
            if made_for != SCHEMA_VERSION:
                raise ElasticsearchSchemaMismatch(
                    f"the search index {name} behind {self.alias!r} has mapping version {made_for}, this sohoa "
                    f"needs {SCHEMA_VERSION}: rebuild it from the store (the reindex flow)"
                )
        self._ready = True

    def _set_up(self) -> None:
        """Put the template; make ``<alias>-v1`` behind the alias when there is no alias yet."""
        with self._reaching():
            self._put_template()
            if self.client.indices.exists_alias(name=self.alias):
                return
            if self.client.indices.exists(index=self.alias):
                raise SohoaError(
                    f"Elasticsearch has an index named {self.alias!r} where sohoa expects an alias; "
                    "rename or delete it, then reindex"
                )
            try:
                first = self.create_next_version()
            except BadRequestError as exc:  # another process made it first: use theirs
                if _error_type(exc) != "resource_already_exists_exception":
                    raise
                first = list(self.versions())[-1]
            if not self.client.indices.exists_alias(name=self.alias):
                self.swap_alias(first)

    def _put_template(self) -> None:
        """Put this version's index template (once per handle): every new ``<alias>-vN`` is made from it."""
        if not self._template_put:
            self.client.indices.put_index_template(name=self.alias, body=index_template(self.alias))
            self._template_put = True

    def versions(self) -> dict[str, bool]:
        """Every ``<alias>-vN`` index, oldest first, and whether the alias points at it."""
        with self._reaching():
            found = self.client.indices.get_alias(index=f"{self.alias}-v*", allow_no_indices=True)
        named = {name: self.alias in (info.get("aliases") or {}) for name, info in found.items()
                 if self._version.match(name)}
        return dict(sorted(named.items(), key=lambda item: self._number(item[0])))

    def current_version(self) -> str | None:
        """The index the alias points at (searches and writes go there), if any."""
        return next((name for name, live in self.versions().items() if live), None)

    def create_next_version(self) -> str:
        """Create ``<alias>-v(N+1)`` from the template, empty and not yet behind the alias; return its name."""
        with self._reaching():
            self._put_template()
            existing = [self._number(name) for name in self.versions()]
            name = f"{self.alias}-v{max(existing, default=0) + 1}"
            self.client.indices.create(index=name)
        return name

    def swap_alias(self, index: str) -> None:
        """Point the alias at ``index`` only, in one atomic step: searches never see a gap."""
        if not self._version.match(index):
            raise ValueError(f"{index!r} is not a version of {self.alias!r}")
        actions: list[dict[str, Any]] = [
            {"remove": {"index": name, "alias": self.alias}}
            for name, live in self.versions().items() if live and name != index
        ]
        actions.append({"add": {"index": index, "alias": self.alias}})
        with self._reaching():
            self.client.indices.update_aliases(actions=actions)

    def rebuild(self, records: Iterable[WalletRecord], *, keep_previous: bool = True) -> str:
        """Fill a new version from ``records`` while searches go on, then swap the alias to it; return its name.

        The new version has this sohoa's mapping, so this is also how a mapping change is rolled out. The version
        it replaces is kept (``keep_previous``) to swap back to; older ones are deleted.
        """
        self._set_up()
        new = self.create_next_version()
        self._bulk(records, new)
        self._switch_to(new, keep=self.current_version() if keep_previous else None)
        return new

    def _switch_to(self, new: str, keep: str | None) -> None:
        """Swap the alias to ``new`` and delete every other version but ``keep``."""
        self.swap_alias(new)
        stale = [name for name in self.versions() if name not in (new, keep)]
        if stale:
            with self._reaching():
                self.client.indices.delete(index=",".join(stale))
        self._ready = False  # check the new version's mapping on next use

    def _number(self, name: str) -> int:
        match = self._version.match(name)
        return int(match.group(1)) if match else 0

    @contextlib.contextmanager
    def _reaching(self) -> Iterator[None]:
        try:
            yield
        except EsConnectionError as exc:
            raise ElasticsearchUnavailable(
                f"cannot reach Elasticsearch ({exc.message}); check SOHOA_ES_URL and that the cluster is up"
            ) from exc

    # -- SearchIndex ------------------------------------------------------------------------------------------

    def upsert(self, records: Iterable[WalletRecord]) -> int:
        """Add or replace records (keyed on ``record_id``); visible to search on return (refresh wait_for)."""
        self.ensure()
        return self._bulk(records, self.alias)

    def _bulk(self, records: Iterable[WalletRecord], index: str) -> int:
        count = 0

        def counted() -> Iterator[WalletRecord]:
            nonlocal count
            for record in records:
                count += 1
                yield record

        with self._reaching():
            helpers.bulk(self.client, bulk_actions(counted(), index), chunk_size=BULK_CHUNK, refresh="wait_for")
        return count

    def get(self, record_id: str) -> WalletRecord | None:
        self.ensure()
        try:
            with self._reaching():
                found = self.client.get(index=self.alias, id=record_id, source_includes=["record"])
        except NotFoundError:
            return None
        return WalletRecord.model_validate(found["_source"]["record"])

    def search(self, query: SearchQuery) -> SearchResults:
        self.ensure()
        body = build_search_body(query)
        scored = "highlight" in body  # a text query; without words hits are in date order, score 0
        with self._reaching():
            response = self.client.search(index=self.alias, body=body)
            # Nothing as typed: try again with one typo allowed per word.
            if scored and response["hits"]["total"]["value"] == 0 and can_correct(query.text):
                response = self.client.search(index=self.alias, body=build_search_body(query, fuzzy=True))
        return parse_results(response, query, scored=scored)

    def count(self) -> int:
        self.ensure()
        with self._reaching():
            return int(self.client.count(index=self.alias)["count"])

    def stats(self, days: DayRange, query: SearchQuery | None = None) -> WalletStats:
        """One ``size: 0`` search whose aggregations are the figures (``build_stats_body``)."""
        body = build_stats_body(days, query)
        self.ensure()
        with self._reaching():
            response = self.client.search(index=self.alias, body=body)
        return parse_stats(response, days)

    def clear(self) -> None:
        """Drop every record: the alias moves to a new, empty version (this sohoa's mapping); the others go.

        Cheaper than deleting documents one by one, and the reindex flow (clear, then upsert from the store)
        thereby also rolls out a mapping change. ``rebuild`` replaces the wallet without an empty moment.
        """
        self._set_up()
        self._switch_to(self.create_next_version(), keep=None)
