"""The embedded search index: the wallet searchable on one machine with no server, on tantivy.

Why tantivy: measured on 200k records it builds as fast as SQLite FTS5, is half the size and folds `đ` to `d`
itself (DESIGN.md §6). It is an index, not a database: the object store is the system of record and ``reindex``
rebuilds this from it, so the full ``WalletRecord`` is kept here only as a stored copy, to answer a search
without a round trip to the store.

How text matches: every searchable value is put in NFC (``textnorm``) and indexed twice: folded (tantivy's
``ascii_fold``, which agrees with ``textnorm.fold`` on every Vietnamese letter: no diacritics, `đ` → `d`) to find,
and exact (lower case only) to rank an exact-form match above a folded one. All words of the query must match
(a name is a conjunction of syllables), or the whole query must equal a number or code of the record
(`441/QĐ-UBND`, a CCCD, an enterprise code). The owner's full name, the words in order, the owner's name rather
than a parent's, and exact-form words add to the score.

Typos: only when nothing matches as typed is a word of three letters or more replaced by the index's own words
one edit away (first only the words the index does not know, then any word). A correct query therefore never
drags in near-miss names and ``total`` stays honest. The corrections are spelled out (edits checked against the
term dictionary, ≈0.3 ms a word) rather than left to tantivy's FuzzyTermQuery, because explicit words can still
earn the whole-name and name-word scores: on 200k records that took the target into the top 10 for 94% of
one-typo names instead of 74%, at a third of the latency (bench/search.py).

Concurrency: tantivy allows one writer per index directory across processes (a lock file). The CLI, a Prefect
worker and the web app may all hold this index open, so the writer is opened per ``upsert``/``clear``, waited
for briefly while another process holds it, and closed (lock released) before returning. Readers reload when
``meta.json`` changes, so a search sees what another process committed.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from itertools import islice, product
from pathlib import Path
from typing import Literal

import tantivy

from pipeline.errors import SohoaError
from pipeline.index.base import (
    HIGHLIGHT_FRAGMENT_CHARS,
    HIGHLIGHT_FRAGMENTS,
    HIGHLIGHT_NAME,
    HIGHLIGHT_VALUES,
    VIETNAM,
    DayRange,
    SearchHit,
    SearchQuery,
    SearchResults,
    WalletStats,
    stats_filters,
    validity_on_day,
)
from pipeline.index.terms import MAX_KEY_LEN, lookup_key, record_terms
from pipeline.textnorm import clean_spaces, fold
from schemas.result import Status
from schemas.wallet import ReviewState, Validity, WalletRecord

# Tokenizer names registered on every opened index (tantivy does not persist custom analyzers).
_EXACT = "sohoa_exact"
_FOLDED = "sohoa_folded"

# Query shape. Whole-value matches score constants; the rest are boosts of BM25 scores (one term ≈ 1–10 here).
# Tuned with bench/search.py.
_KEY_SCORE = 100.0  # the whole query equals a number or code of the record (ID, doc number, enterprise code)
_WHOLE_NAME_SCORE = 20.0  # the whole query is the owner's full name, diacritics aside
_WHOLE_NAME_EXACT_SCORE = 10.0  # … and typed with the same diacritics
_NAME_PHRASE_BOOST = 4.0  # the query's words in order inside the owner's name
_PHRASE_BOOST = 2.0  # … or in order anywhere else
_NAME_TERM_BOOST = 1.5  # a word of the owner's name rather than of a summary or a parent's name
_EXACT_TERM_BOOST = 2.0  # a word typed with the same diacritics as stored
_CORRECTION_WEIGHT = 0.5  # a word one edit from the typed one, relative to the typed word
_TYPO_MIN_LEN = 3  # shorter words have too many neighbours to guess a typo ("an" → "anh", "ban", "han", "ai", …)
_MAX_CORRECTIONS = 16
_MAX_WHOLE_NAMES = 64
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_MAX_QUERY_TERMS = 24
# Typo fallback: first correct only the words the index does not know, then any word.
_WIDEN_STEPS: tuple[Literal["unknown", "all"], ...] = ("unknown", "all")

_NAME_SNIPPET_CHARS = 300  # a name is highlighted whole

# stats: terms aggregations are exact while a field has no more values than this (stations: a few hundred)
_STATS_TERMS = 10_000
_DAY_S = 86_400

_WRITER_HEAP = 128_000_000
_LOCK_WAIT_S = 15.0


class IndexBusy(SohoaError):
    """Another process kept the index writer longer than we could wait: try again shortly."""


class IndexSchemaMismatch(SohoaError):
    """The index on disk was built with another layout (an older sohoa): rebuild it from the store (reindex)."""


REBUILD_HINT = "rebuild it from the store: run the reindex flow (python -m flows.reindex)"


def _one_edit(word: str) -> set[str]:
    """Every string one edit from ``word``: delete, swap neighbours, replace, insert (Damerau, distance 1)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _ALPHABET}
    inserts = {a + c + b for a, b in splits for c in _ALPHABET}
    return (deletes | swaps | replaces | inserts) - {word, ""}


def _whole(text: str, analyzer: tantivy.TextAnalyzer) -> str:
    """A full name as one term, for whole-name equality: its words as the analyzer sees them."""
    return " ".join(analyzer.analyze(text))


def _total(found: tantivy.SearchResult) -> int:
    """Matching documents (asked with ``count=True``; the attribute is missing from tantivy's type stubs)."""
    return int(found.count)  # type: ignore[attr-defined]


def _buckets(terms: dict) -> dict[str, int]:
    """A terms aggregation's answer as value → documents."""
    return {b["key"]: b["doc_count"] for b in terms["buckets"]}


def _epoch_seconds(at: datetime) -> int:
    """Seconds since 1970; a time without a zone is UTC (as Elasticsearch reads it), never the server's zone."""
    return int((at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp())


def _utc_day(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


# Fields filtered on by exact value (``SearchQuery``'s filters of the same names); the first three also facet.
_KEYWORD_FIELDS = ("doc_type", "validity", "station", "review_state", "extraction_status")


def _build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("record_id", tokenizer_name="raw", index_option="basic")
    sb.add_bytes_field("record", stored=True)  # the WalletRecord as JSON
    sb.add_text_field("name_folded", tokenizer_name=_FOLDED, index_option="position")
    sb.add_text_field("name_whole", tokenizer_name="raw", index_option="basic")  # folded and exact full name
    sb.add_text_field("all_folded", tokenizer_name=_FOLDED, index_option="position")
    sb.add_text_field("all_exact", tokenizer_name=_EXACT, index_option="freq")
    sb.add_text_field("keys", tokenizer_name="raw", index_option="basic")
    for name in _KEYWORD_FIELDS:
        sb.add_text_field(name, tokenizer_name="raw", index_option="basic", fast=True)
    sb.add_text_field("agency", tokenizer_name="raw", index_option="basic")  # folded issuing agency
    sb.add_text_field("owner_id", tokenizer_name="raw", index_option="basic")
    sb.add_date_field("issue_date", indexed=True, fast=True)
    sb.add_integer_field("digitized_ts", fast=True)  # seconds since 1970 (UTC): order and days digitized
    # what validity on a given day is judged by (``stats``; ``base.validity_on_day``)
    sb.add_date_field("valid_until", fast=True)
    sb.add_boolean_field("permanent", indexed=True)
    return sb.build()


_FOLDED_ANALYZER = (
    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    .filter(tantivy.Filter.lowercase())
    .filter(tantivy.Filter.ascii_fold())
    .build()
)
_EXACT_ANALYZER = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.lowercase()).build()

# One writer per index directory per process: threads queue here instead of spinning on tantivy's lock file.
_DIR_LOCKS: dict[Path, threading.Lock] = {}
_DIR_LOCKS_GUARD = threading.Lock()


def _dir_lock(path: Path) -> threading.Lock:
    with _DIR_LOCKS_GUARD:
        return _DIR_LOCKS.setdefault(path, threading.Lock())


class EmbeddedIndex:
    """``SearchIndex`` on a tantivy directory. Safe to open from several processes; one writes at a time."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._schema = _build_schema()
        self._write_lock = _dir_lock(self.path.resolve())
        self._meta = self.path / "meta.json"
        self._seen_meta: tuple[int, int, int] | None = None
        self._index: tantivy.Index | None = None
        # An index built by an older sohoa (another field layout) still opens: the app and the reindex flow start,
        # searches say to rebuild, and ``clear()`` (the first step of reindex) replaces it with the current layout.
        self._try_open()

    @property
    def outdated(self) -> bool:
        """The directory holds an index of another layout; ``clear()`` and a reindex replace it."""
        return self._index is None

    def _try_open(self) -> bool:
        try:
            index = tantivy.Index(self._schema, path=str(self.path), reuse=True)
        except ValueError as exc:
            if "schema does not match" not in str(exc):
                raise
            return False
        index.register_tokenizer(_FOLDED, _FOLDED_ANALYZER)
        index.register_tokenizer(_EXACT, _EXACT_ANALYZER)
        self._index = index
        self._seen_meta = None
        self._refresh()
        return True

    def _current(self) -> tantivy.Index:
        """The open index; if it is of another layout, look again (another process may have rebuilt it)."""
        if self._index is None and not self._try_open():
            raise IndexSchemaMismatch(
                f"the search index at {self.path} was built by another sohoa version; {REBUILD_HINT}")
        assert self._index is not None
        return self._index

    # -- writing ---------------------------------------------------------------------------------

    def upsert(self, records: Iterable[WalletRecord]) -> int:
        """Add or replace records (keyed on ``record_id``) in one commit; visible to search on return."""
        with self._writer() as writer:
            n = 0
            for record in records:
                writer.delete_documents_by_term("record_id", record.record_id)
                writer.add_document(self._document(record))
                n += 1
            if n:
                writer.commit()
        return n

    def clear(self) -> None:
        if self._index is None and not self._try_open():
            self._replace_outdated()
            return
        with self._writer() as writer:
            writer.delete_all_documents()
            writer.commit()

    def _replace_outdated(self) -> None:
        """Delete an index of another layout and create an empty current one in its place.

        Only tantivy's own files are removed (the directory is flat): the index is derived, the store keeps every
        record, and the reindex that called ``clear()`` fills the new one.
        """
        with self._write_lock:
            for entry in self.path.iterdir():
                if entry.is_file():
                    entry.unlink()
            if not self._try_open():
                raise IndexSchemaMismatch(f"could not replace the outdated search index at {self.path}")

    def _writer(self) -> _WriterSession:
        return _WriterSession(self)

    def _open_writer(self) -> tantivy.IndexWriter:
        """Take tantivy's writer lock, waiting while another process holds it."""
        deadline = time.monotonic() + _LOCK_WAIT_S
        pause = 0.02
        while True:
            try:
                return self._current().writer(heap_size=_WRITER_HEAP)
            except ValueError as exc:
                if "LockBusy" not in str(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise IndexBusy(
                        f"another process is writing the search index at {self.path} "
                        f"(waited {_LOCK_WAIT_S:.0f} s); retry shortly"
                    ) from exc
                time.sleep(pause)
                pause = min(pause * 2, 0.5)

    def _document(self, record: WalletRecord) -> tantivy.Document:
        doc = tantivy.Document()
        doc.add_text("record_id", record.record_id)
        doc.add_bytes("record", record.model_dump_json().encode())

        texts, keys = record_terms(record)
        if record.owner_name:
            name = clean_spaces(record.owner_name)
            doc.add_text("name_folded", name)
            doc.add_text("name_whole", _whole(name, _FOLDED_ANALYZER))
            doc.add_text("name_whole", _whole(name, _EXACT_ANALYZER))
        for owner_id in record.owner_ids:
            doc.add_text("owner_id", lookup_key(owner_id))
        for text in texts:
            doc.add_text("all_folded", text)
            doc.add_text("all_exact", text)
        for key in keys:
            doc.add_text("keys", key)

        doc.add_text("doc_type", record.doc_type)
        doc.add_text("validity", str(record.validity))
        doc.add_text("station", record.station)
        doc.add_text("review_state", str(record.review_state))
        doc.add_text("extraction_status", str(record.extraction_status))
        if record.issuing_agency:
            doc.add_text("agency", fold(record.issuing_agency))
        if record.issue_date:
            doc.add_date("issue_date", _utc_day(record.issue_date))
        if record.valid_until:
            doc.add_date("valid_until", _utc_day(record.valid_until))
        doc.add_boolean("permanent", record.permanent)
        doc.add_integer("digitized_ts", _epoch_seconds(record.digitized_at))
        return doc

    # -- reading ---------------------------------------------------------------------------------

    def _refresh(self, *, force: bool = False) -> None:
        """Reload the reader when a writer (this or another process) committed since we last looked.

        A ``stat`` of ``meta.json`` per search costs microseconds; tantivy rewrites it atomically on commit.
        """
        try:
            st = self._meta.stat()
            seen: tuple[int, int, int] | None = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            seen = None
        if self._index is not None and (force or seen != self._seen_meta):
            self._index.reload()
            self._seen_meta = seen

    def count(self) -> int:
        self._refresh()
        return self._current().searcher().num_docs

    def get(self, record_id: str) -> WalletRecord | None:
        self._refresh()
        searcher = self._current().searcher()
        found = searcher.search(tantivy.Query.term_query(self._schema, "record_id", record_id), 1, count=False)
        if not found.hits:
            return None
        return self._load(searcher, found.hits[0][1])

    def search(self, query: SearchQuery) -> SearchResults:
        self._refresh()
        searcher = self._current().searcher()
        filters = self._filters(query)
        text = self._text_query(query.text)

        if text is None:
            # No words: newest first within the filters.
            q = self._combine(None, filters)
            found = searcher.search(
                q,
                query.limit,
                count=True,
                offset=query.offset,
                order_by_field="digitized_ts",
                order=tantivy.Order.Desc,
            )
            hits = [SearchHit(record=self._load(searcher, addr), score=0.0) for _, addr in found.hits]
        else:
            q = self._combine(text, filters)
            found = searcher.search(q, query.limit, count=True, offset=query.offset)
            # Nothing as typed: correct the words the index does not know, then, failing that, any word.
            for widen in _WIDEN_STEPS:
                if _total(found):
                    break
                widened = self._text_query(query.text, searcher, widen=widen)
                if widened is not None:
                    q = self._combine(widened, filters)
                    found = searcher.search(q, query.limit, count=True, offset=query.offset)
            records = [(score, self._load(searcher, addr)) for score, addr in found.hits]
            marked = _Highlighter(searcher, q, self._schema) if records else None
            hits = [SearchHit(record=record, score=score, highlights=marked.highlights(record) if marked else {})
                    for score, record in records]

        facets = self._facets(searcher, q, query.facets) if query.facets else {}
        return SearchResults(total=_total(found), hits=hits, facets=facets)

    def stats(self, days: DayRange, query: SearchQuery | None = None) -> WalletStats:
        """Counted with tantivy's aggregations over fast fields, no stored record read: four passes over the
        matching documents (all-time terms, the range's days, and the two groups whose validity the date decides;
        a ``filter`` sub-aggregation would save two but takes only query-parser text)."""
        filters = self._filters(stats_filters(query))
        self._refresh()
        searcher = self._current().searcher()
        Q, Occur = tantivy.Query, tantivy.Occur
        everything = self._combine(None, filters)

        terms = {"terms": {"field": "station", "size": _STATS_TERMS}}
        found = searcher.aggregate(everything, {
            "station": terms,
            "status": {"terms": {"field": "extraction_status", "size": _STATS_TERMS},
                       "aggs": {"review": {"terms": {"field": "review_state", "size": _STATS_TERMS}}}},
            "validity": {"terms": {"field": "validity", "size": _STATS_TERMS}},
        })
        by_status = {Status(b["key"]): {ReviewState(r["key"]): r["doc_count"] for r in b["review"]["buckets"]}
                     for b in found["status"]["buckets"]}

        # Digitized days: Vietnam midnights are 17:00 UTC, so day buckets start 17 h into each UTC day.
        start = int(datetime.combine(days.first, datetime.min.time(), VIETNAM).timestamp())
        end = start + _DAY_S * len(days.days())
        in_range = Q.range_query(self._schema, "digitized_ts", tantivy.FieldType.Integer, start, end,
                                 include_upper=False)
        per_day_found = searcher.aggregate(self._combine(None, [*filters, in_range]), {
            "day": {"histogram": {"field": "digitized_ts", "interval": _DAY_S, "offset": start % _DAY_S},
                    "aggs": {"station": terms}},
        })
        per_day = {datetime.fromtimestamp(int(b["key"]), VIETNAM).date():
                   {s["key"]: s["doc_count"] for s in b["station"]["buckets"]}
                   for b in per_day_found["day"]["buckets"] if b["doc_count"]}

        # Validity on the range's last day (base.validity_on_day). The lapsed group is counted per stored mark and
        # only the date-judged marks are read from it, so it is not narrowed to them: that intersection with most
        # of the wallet cost 4× the count itself at 1M records.
        on = _utc_day(days.last)
        scope = [(Occur.Must, everything)] if filters else []
        ends_before = Q.range_query(self._schema, "valid_until", tantivy.FieldType.Date, None, on,
                                    include_upper=False)
        lapsed_q = Q.boolean_query([*scope, (Occur.Must, ends_before),
                                    (Occur.MustNot, self._term_bool("permanent", True))])
        lapsed = searcher.aggregate(lapsed_q, {"validity": {"terms": {"field": "validity", "size": _STATS_TERMS}}})
        in_force = Q.boolean_query([
            (Occur.Should, self._term_bool("permanent", True)),
            (Occur.Should, Q.range_query(self._schema, "valid_until", tantivy.FieldType.Date, on, None)),
        ])
        confirmed_q = Q.boolean_query([*scope, (Occur.Must, self._term("validity", str(Validity.UNKNOWN))),
                                       (Occur.Must, in_force)])
        confirmed = _total(searcher.search(confirmed_q, 1, count=True))

        return WalletStats(
            days=days,
            total=sum(sum(counts.values()) for counts in by_status.values()),  # every record has a status
            by_station={b["key"]: b["doc_count"] for b in found["station"]["buckets"]},
            by_status=by_status,
            by_validity=validity_on_day(_buckets(found["validity"]), _buckets(lapsed["validity"]), confirmed),
            per_day=dict(sorted(per_day.items())),
        )

    def _load(self, searcher: tantivy.Searcher, address: tantivy.DocAddress) -> WalletRecord:
        stored = searcher.doc(address).get_first("record")
        assert isinstance(stored, bytes), "every document stores its record"
        return WalletRecord.model_validate_json(stored)

    def _facets(
        self, searcher: tantivy.Searcher, q: tantivy.Query, fields: Sequence[str]
    ) -> dict[str, dict[str, int]]:
        aggs = {name: {"terms": {"field": name, "size": 100}} for name in fields}
        out = searcher.aggregate(q, aggs)
        return {name: {b["key"]: b["doc_count"] for b in out[name]["buckets"]} for name in fields}

    # -- query building --------------------------------------------------------------------------

    def _term(self, field: str, value: str) -> tantivy.Query:
        return tantivy.Query.term_query(self._schema, field, value)

    def _term_bool(self, field: str, value: bool) -> tantivy.Query:
        return tantivy.Query.term_query(self._schema, field, value)

    def _text_query(
        self,
        text: str,
        searcher: tantivy.Searcher | None = None,
        *,
        widen: Literal["unknown", "all"] = "unknown",
    ) -> tantivy.Query | None:
        """All words must match, or the whole text is a key; the rest only ranks.

        With ``searcher`` (the typo fallback) each word of three letters or more may instead be any word of the
        index one edit away (substitution, insertion, deletion, swap of neighbours), so the typed name still earns
        the whole-name and name-word scores through its corrections.
        """
        text = clean_spaces(text)
        terms = _FOLDED_ANALYZER.analyze(text)[:_MAX_QUERY_TERMS]
        if not terms:
            return None
        exact_terms = _EXACT_ANALYZER.analyze(text)[:_MAX_QUERY_TERMS]
        Q, Occur = tantivy.Query, tantivy.Occur
        should: list[tuple[tantivy.Occur, tantivy.Query]] = []
        # per word: (word, weight) alternatives; the typed word weighs 1, a correction less
        alternatives: list[list[tuple[str, float]]] = [[(term, 1.0)] for term in terms]
        if searcher is not None:
            widened = [self._alternatives(searcher, term, known_too=widen == "all") for term in terms]
            if widened == alternatives:
                return None  # nothing to correct: the same query again would find nothing again
            alternatives = widened

        must: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for alts in alternatives:
            if not alts:
                return Q.empty_query()
            clause = Q.boolean_query(
                [(Occur.Should, Q.boost_query(self._term("all_folded", word), weight)) for word, weight in alts]
            )
            must.append((Occur.Must, clause))
            for word, weight in alts:
                name_term = self._term("name_folded", word)
                should.append((Occur.Should, Q.boost_query(name_term, _NAME_TERM_BOOST * weight)))
        match_any: list[tuple[tantivy.Occur, tantivy.Query]] = [(Occur.Should, Q.boolean_query(must))]
        key = lookup_key(text)
        if 0 < len(key) <= MAX_KEY_LEN:
            match_any.append((Occur.Should, Q.const_score_query(self._term("keys", key), _KEY_SCORE)))

        wholes = [" ".join(w for w, _ in combo) for combo in islice(product(*alternatives), _MAX_WHOLE_NAMES)]
        whole_names = Q.term_set_query(self._schema, "name_whole", wholes)
        should.append((Occur.Should, Q.const_score_query(whole_names, _WHOLE_NAME_SCORE)))
        whole_exact = " ".join(exact_terms)
        if whole_exact not in wholes:
            exact_name = self._term("name_whole", whole_exact)
            should.append((Occur.Should, Q.const_score_query(exact_name, _WHOLE_NAME_EXACT_SCORE)))
        if len(terms) > 1 and searcher is None:  # a phrase of the typed words: pointless once they are corrected
            for field, boost in (("name_folded", _NAME_PHRASE_BOOST), ("all_folded", _PHRASE_BOOST)):
                phrase = Q.phrase_query(self._schema, field, list[str | tuple[int, str]](terms))
                should.append((Occur.Should, Q.boost_query(phrase, boost)))
        for term in dict.fromkeys(exact_terms):
            should.append((Occur.Should, Q.boost_query(self._term("all_exact", term), _EXACT_TERM_BOOST)))
        return Q.boolean_query([(Occur.Must, Q.boolean_query(match_any)), *should])

    def _alternatives(self, searcher: tantivy.Searcher, term: str, *, known_too: bool) -> list[tuple[str, float]]:
        """The word itself if the index has it, and the index's words one edit away (most frequent first)."""
        out = [(term, 1.0)] if searcher.doc_freq("all_folded", term) else []
        if len(term) < _TYPO_MIN_LEN or (out and not known_too):
            return out
        found = [(searcher.doc_freq("all_folded", near), near) for near in _one_edit(term)]
        found = sorted((f for f in found if f[0]), reverse=True)[:_MAX_CORRECTIONS]
        return out + [(near, _CORRECTION_WEIGHT) for _, near in found]

    def _filters(self, query: SearchQuery) -> list[tantivy.Query]:
        out: list[tantivy.Query] = []
        for field, value in (("doc_type", query.doc_type), ("validity", query.validity), ("station", query.station),
                             ("review_state", query.review_state)):
            if value:
                out.append(self._term(field, str(value)))
        if query.extraction_status:
            out.append(tantivy.Query.term_set_query(self._schema, "extraction_status",
                                                    [str(status) for status in query.extraction_status]))
        if query.issuing_agency:
            out.append(self._term("agency", fold(query.issuing_agency)))
        if query.owner_id:
            out.append(self._term("owner_id", lookup_key(query.owner_id)))
        if query.issued_from or query.issued_to:
            out.append(
                tantivy.Query.range_query(
                    self._schema,
                    "issue_date",
                    tantivy.FieldType.Date,
                    _utc_day(query.issued_from) if query.issued_from else None,
                    _utc_day(query.issued_to) if query.issued_to else None,
                )
            )
        return out

    @staticmethod
    def _combine(text: tantivy.Query | None, filters: list[tantivy.Query]) -> tantivy.Query:
        """Text decides the score; filters only restrict (constant zero score)."""
        if text is None and not filters:
            return tantivy.Query.all_query()
        clauses = [(tantivy.Occur.Must, tantivy.Query.const_score_query(f, 0.0)) for f in filters]
        if text is not None:
            clauses.append((tantivy.Occur.Must, text))
        return tantivy.Query.boolean_query(clauses)


class _Highlighter:
    """Where a query's words matched in a record: its name, and the first few other values that matched.

    tantivy's snippet generator finds the query's terms (typo corrections included) in a text through the field's
    analyzer, so a folded query marks the words as stored, with their diacritics. It is fed the record's own texts
    (``record_terms``) rather than stored fields: nothing extra is kept on disk, and each value is a fragment of
    its own, never run into the next one.
    """

    def __init__(self, searcher: tantivy.Searcher, query: tantivy.Query, schema: tantivy.Schema) -> None:
        self._name = tantivy.SnippetGenerator.create(searcher, query, schema, "name_folded")
        self._name.set_max_num_chars(_NAME_SNIPPET_CHARS)
        self._values = tantivy.SnippetGenerator.create(searcher, query, schema, "all_folded")
        self._values.set_max_num_chars(HIGHLIGHT_FRAGMENT_CHARS)

    def highlights(self, record: WalletRecord) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        name = clean_spaces(record.owner_name) if record.owner_name else ""
        if name and (marked := _marked(self._name, "name_folded", name)):
            out[HIGHLIGHT_NAME] = [marked]
        fragments: list[str] = []
        for text in record_terms(record)[0]:
            if text != name and (marked := _marked(self._values, "all_folded", text)):
                fragments.append(marked)
                if len(fragments) == HIGHLIGHT_FRAGMENTS:
                    break
        if fragments:
            out[HIGHLIGHT_VALUES] = fragments
        return out


def _marked(generator: tantivy.SnippetGenerator, field: str, text: str) -> str | None:
    """The best fragment of ``text`` HTML-escaped, matched words in ``<mark>``; None when nothing matched."""
    doc = tantivy.Document()
    doc.add_text(field, text)
    snippet = generator.snippet_from_doc(doc)
    ranges = snippet.highlighted()
    if not ranges:
        return None
    fragment = snippet.fragment().encode()  # ranges are UTF-8 byte offsets into the fragment
    parts: list[str] = []
    at = 0
    for span in ranges:
        parts.append(html.escape(fragment[at : span.start].decode()))
        parts.append(f"<mark>{html.escape(fragment[span.start : span.end].decode())}</mark>")
        at = span.end
    parts.append(html.escape(fragment[at:].decode()))
    cut = snippet.fragment_range()
    head = "…" if cut.start > 0 else ""
    tail = "…" if cut.end < len(text.encode()) else ""
    return head + "".join(parts).strip() + tail


class _WriterSession:
    """The writer for one upsert/clear: in-process lock, tantivy lock, commit visible, lock released on exit."""

    def __init__(self, index: EmbeddedIndex) -> None:
        self._owner = index
        self._writer: tantivy.IndexWriter | None = None

    def __enter__(self) -> tantivy.IndexWriter:
        self._owner._write_lock.acquire()
        try:
            self._writer = self._owner._open_writer()
        except BaseException:
            self._owner._write_lock.release()
            raise
        return self._writer

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        writer, self._writer = self._writer, None
        try:
            if writer is not None:
                if exc_type is not None:
                    writer.rollback()
                writer.wait_merging_threads()  # finishes merges and drops the writer: releases the lock file
                del writer
            self._owner._refresh(force=True)
        finally:
            self._owner._write_lock.release()
