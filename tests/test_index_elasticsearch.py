"""The Elasticsearch adapter's own guarantees, checked on the requests it builds and sends.

No Elasticsearch server can be installed here (DESIGN.md §6), so: the mapping, the documents, the bulk actions
and the search bodies are pure functions, asserted on directly; and the official client, unchanged, talks to a
fake cluster on 127.0.0.1 that records every request and answers like Elasticsearch (product header included),
to check what actually goes over the wire: the template, ``<alias>-vN`` versions behind the alias, bulk with
refresh, the typo retry, hits, facets and highlights. Search behaviour itself is the contract suite's
(``test_index_contract.py``), which runs on a real cluster when ``SOHOA_ES_URL`` is set.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import socket
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
from elasticsearch import Elasticsearch

from pipeline.config import Settings
from pipeline.index import SearchIndex, SearchQuery, open_index
from pipeline.index.base import DayRange
from pipeline.index.elasticsearch import (
    ElasticsearchIndex,
    ElasticsearchNotConfigured,
    ElasticsearchSchemaMismatch,
    ElasticsearchUnavailable,
    build_search_body,
    build_stats_body,
    bulk_actions,
    can_correct,
    document,
    highlights,
    index_template,
    parse_stats,
)
from pipeline.index.terms import record_terms
from pipeline.storage.local import LocalDirStore
from pipeline.wallet import save_record
from schemas.wallet import WalletRecord
from tests.test_index_contract import RANGE, RECORDS, STATS_RECORDS, counted, vietnam_day

HANG, DECISION, COMPANY = RECORDS[0], RECORDS[4], RECORDS[5]

# -- a fake cluster -----------------------------------------------------------------------------------------------


@dataclass
class Seen:
    method: str
    path: str
    params: dict[str, str]
    body: Any
    headers: dict[str, str]


@dataclass
class FakeCluster:
    """Answers index administration like Elasticsearch (indices, aliases, templates) and data calls from
    ``canned`` (``(method, path)`` → responses, used in order). Everything it was sent is in ``seen``."""

    indices: dict[str, set[str]] = field(default_factory=dict)  # index name → its aliases
    mappings: dict[str, Any] = field(default_factory=dict)  # index name → its mappings (from the template)
    templates: dict[str, Any] = field(default_factory=dict)
    canned: dict[tuple[str, str], list[tuple[int, Any]]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)

    def answer(self, method: str, path: str, *responses: Any, status: int = 200) -> None:
        self.canned.setdefault((method, path), []).extend((status, r) for r in responses)

    def calls(self) -> list[str]:
        return [f"{s.method} {s.path}" for s in self.seen]

    def handle(self, request: Seen) -> tuple[int, Any]:
        self.seen.append(request)
        queue = self.canned.get((request.method, request.path))
        if queue:
            return queue.pop(0)
        parts = request.path.strip("/").split("/")
        m = request.method
        if m in ("POST", "PUT") and parts[-1] == "_bulk":
            lines = request.body
            items = [{"index": {"_index": line["index"]["_index"], "_id": line["index"]["_id"], "status": 201}}
                     for line in lines[::2]]
            return 200, {"took": 1, "errors": False, "items": items}
        if m == "PUT" and parts[0] == "_index_template":
            self.templates[parts[1]] = request.body
            return 200, {"acknowledged": True}
        if m == "HEAD" and parts[0] == "_alias":
            return (200 if any(parts[1] in a for a in self.indices.values()) else 404), None
        if m == "HEAD" and len(parts) == 1:
            return (200 if parts[0] in self.indices else 404), None
        if m == "GET" and len(parts) == 2 and parts[1] == "_alias":
            return 200, {name: {"aliases": {a: {} for a in aliases}} for name, aliases in self.indices.items()
                         if fnmatch.fnmatch(name, parts[0])}
        if m == "PUT" and len(parts) == 1:
            if parts[0] in self.indices:
                return 400, _error("resource_already_exists_exception", f"index [{parts[0]}] already exists")
            self.indices[parts[0]] = set()
            self.mappings[parts[0]] = next((t["template"]["mappings"] for t in self.templates.values()
                                            if any(fnmatch.fnmatch(parts[0], p) for p in t["index_patterns"])), {})
            return 200, {"acknowledged": True, "index": parts[0]}
        if m == "GET" and len(parts) == 2 and parts[1] == "_mapping":
            return 200, {name: {"mappings": self.mappings.get(name, {})} for name, aliases in self.indices.items()
                         if parts[0] == name or parts[0] in aliases}
        if m == "POST" and parts == ["_aliases"]:
            for action in request.body["actions"]:
                (kind, spec), = action.items()
                (self.indices[spec["index"]].add if kind == "add" else self.indices[spec["index"]].discard)(
                    spec["alias"])
            return 200, {"acknowledged": True}
        if m == "DELETE" and len(parts) == 1:
            for name in parts[0].split(","):
                self.indices.pop(name, None)
            return 200, {"acknowledged": True}
        return 404, _error("index_not_found_exception", f"no such index [{parts[0]}]")

    @contextlib.contextmanager
    def serving(self) -> Iterator[str]:
        cluster = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                url = urlsplit(self.path)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body: Any = None
                if raw:
                    text = raw.decode()
                    body = ([json.loads(line) for line in text.splitlines() if line.strip()]
                            if url.path.endswith("/_bulk") else json.loads(text))
                seen = Seen(self.command, unquote(url.path), dict(parse_qsl(url.query)), body,
                            {k.lower(): v for k, v in self.headers.items()})
                status, payload = cluster.handle(seen)
                data = b"" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("X-Elastic-Product", "Elasticsearch")  # the client refuses any other server
                self.send_header("Content-Type", "application/vnd.elasticsearch+json;compatible-with=9")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _any

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()


def _error(kind: str, reason: str) -> dict[str, Any]:
    return {"error": {"root_cause": [{"type": kind, "reason": reason}], "type": kind, "reason": reason},
            "status": 400 if kind.startswith("resource") else 404}


@pytest.fixture
def cluster() -> Iterator[tuple[FakeCluster, Elasticsearch]]:
    fake = FakeCluster()
    with fake.serving() as url:
        client = Elasticsearch(url, request_timeout=5)
        yield fake, client
        client.close()


def ready(fake: FakeCluster, client: Elasticsearch) -> ElasticsearchIndex:
    """An adapter on a cluster that already has ``sohoa-wallet-v1`` behind the alias; requests so far forgotten."""
    fake.indices["sohoa-wallet-v1"] = {"sohoa-wallet"}
    fake.mappings["sohoa-wallet-v1"] = index_template()["template"]["mappings"]
    idx = ElasticsearchIndex(client)
    idx.ensure()
    fake.seen.clear()
    return idx


def search_response(*records: WalletRecord, total: int | None = None, **extra: Any) -> dict[str, Any]:
    hits = [{"_index": "sohoa-wallet-v1", "_id": r.record_id, "_score": 9.5 - i, "_source": {"record": r.model_dump(
        mode="json")}, "highlight": {"owner_name": [f"<mark>{r.owner_name}</mark>"]}} for i, r in enumerate(records)]
    return {"took": 1, "timed_out": False, "hits": {"total": {"value": len(records) if total is None else total,
                                                             "relation": "eq"}, "hits": hits}, **extra}


# -- the mapping and the documents --------------------------------------------------------------------------------


def test_template_folds_diacritics_and_keeps_an_exact_subfield() -> None:
    template = index_template("sohoa-wallet")
    assert template["index_patterns"] == ["sohoa-wallet-v*"]
    analyzers = template["template"]["settings"]["analysis"]["analyzer"]
    assert analyzers["sohoa_folded"]["filter"] == ["lowercase", "asciifolding"]  # asciifolding maps đ → d
    assert analyzers["sohoa_exact"]["filter"] == ["lowercase"]
    props = template["template"]["mappings"]["properties"]
    for text_field in ("owner_name", "issuing_agency", "all"):
        assert props[text_field]["analyzer"] == "sohoa_folded"
        assert props[text_field]["fields"]["exact"]["analyzer"] == "sohoa_exact"
    for code in ("record_id", "doc_type", "validity", "station", "doc_number", "owner_ids", "keys"):
        assert props[code]["type"] == "keyword"
    assert props["issue_date"]["type"] == props["valid_until"]["type"] == "date"
    assert props["record"]["enabled"] is False  # stored to answer searches, never indexed


def test_every_document_field_is_mapped() -> None:
    props = index_template()["template"]["mappings"]["properties"]
    for record in RECORDS:
        assert set(document(record)) <= set(props)  # "dynamic": "strict" would refuse anything else


def test_document_holds_numbers_as_keys_and_the_record_itself() -> None:
    doc = document(DECISION)
    assert {"441/qd-ubnd", "036080000777", "decision"} <= set(doc["keys"])
    assert doc["owner_ids"] == ["036080000777"]
    assert doc["name_whole"] == ["dang van duc", "đặng văn đức"]
    assert doc["agency_key"] == "uy ban nhan dan quan dong da"
    assert "Về việc cấp giấy phép xây dựng" in doc["all"]
    assert doc["issue_date"] == "2023-09-15" and doc["validity"] == "expired"
    assert WalletRecord.model_validate(doc["record"]) == DECISION
    assert "0101234567" in document(COMPANY)["keys"]  # an extracted enterprise code, from a {"value": …} field


def test_document_text_is_nfc() -> None:
    nfd = HANG.model_copy(update={"owner_name": unicodedata.normalize("NFD", "Nguyễn Thị Hằng")})
    doc = document(nfd)
    assert doc["owner_name"] == "Nguyễn Thị Hằng" and unicodedata.is_normalized("NFC", doc["all"][0])


def test_bulk_actions_index_each_record_under_its_id() -> None:
    actions = list(bulk_actions(RECORDS[:2], "sohoa-wallet-v2"))
    assert [(a["_op_type"], a["_index"], a["_id"]) for a in actions] == [
        ("index", "sohoa-wallet-v2", "hang"), ("index", "sohoa-wallet-v2", "hang-nga")]
    assert actions[0]["_source"] == document(HANG)


# -- the query builder --------------------------------------------------------------------------------------------


def test_without_words_the_newest_digitized_come_first() -> None:
    body = build_search_body(SearchQuery(limit=20, offset=40))
    assert body["query"] == {"match_all": {}}
    assert body["sort"] == [{"digitized_at": "desc"}, {"record_id": "asc"}]
    assert (body["from"], body["size"], body["track_total_hits"]) == (40, 20, True)
    assert "highlight" not in body


def test_filters_restrict_without_scoring() -> None:
    query = SearchQuery(doc_type="quyet_dinh", validity="valid", station="HN-01", issuing_agency="UBND Quận Đống Đa",
                        owner_id="036 080 000 777", issued_from=date(2020, 1, 1), issued_to=date(2020, 12, 31))
    assert build_search_body(query)["query"] == {"bool": {"filter": [
        {"term": {"doc_type": "quyet_dinh"}},
        {"term": {"validity": "valid"}},
        {"term": {"station": "HN-01"}},
        {"term": {"agency_key": "ubnd quan dong da"}},
        {"term": {"owner_ids": "036080000777"}},
        {"range": {"issue_date": {"gte": "2020-01-01", "lte": "2020-12-31"}}},
    ]}}
    assert build_search_body(SearchQuery(issued_to=date(2018, 12, 31)))["query"]["bool"]["filter"] == [
        {"range": {"issue_date": {"lte": "2018-12-31"}}}]


def test_review_filters_are_keyword_terms_on_mapped_fields() -> None:
    query = SearchQuery(station="HN-01", review_state="pending", extraction_status=["needs_review", "rejected"])
    assert build_search_body(query)["query"] == {"bool": {"filter": [
        {"term": {"station": "HN-01"}},
        {"term": {"review_state": "pending"}},
        {"terms": {"extraction_status": ["needs_review", "rejected"]}},
    ]}}
    properties = index_template()["template"]["mappings"]["properties"]
    assert properties["review_state"] == properties["extraction_status"] == {"type": "keyword"}


def test_review_filters_refuse_unknown_states() -> None:
    with pytest.raises(ValueError):
        SearchQuery(review_state="waiting")
    with pytest.raises(ValueError):
        SearchQuery(extraction_status=["maybe"])


def test_a_name_must_match_every_word_or_be_a_whole_key() -> None:
    body = build_search_body(SearchQuery(text="Nguyễn  Thị Hằng", doc_type="khai_sinh"))
    query = body["query"]["bool"]
    (must,) = query["must"]
    assert must["bool"]["minimum_should_match"] == 1
    assert must["bool"]["should"] == [
        {"match": {"all": {"query": "Nguyễn Thị Hằng", "operator": "and"}}},
        {"constant_score": {"filter": {"term": {"keys": "nguyenthihang"}}, "boost": 100.0}},
    ]
    assert query["filter"] == [{"term": {"doc_type": "khai_sinh"}}]
    assert body["sort"] == ["_score", {"record_id": "asc"}]
    assert set(body["highlight"]["fields"]) == {"owner_name", "all"}


def test_whole_name_phrase_and_exact_form_rank() -> None:
    should = build_search_body(SearchQuery(text="Nguyễn Thị Hằng"))["query"]["bool"]["should"]
    assert {"constant_score": {"filter": {"term": {"name_whole": "nguyen thi hang"}}, "boost": 20.0}} in should
    assert {"constant_score": {"filter": {"term": {"name_whole": "nguyễn thị hằng"}}, "boost": 10.0}} in should
    assert {"match_phrase": {"owner_name": {"query": "Nguyễn Thị Hằng", "boost": 4.0}}} in should
    assert {"match": {"all.exact": {"query": "Nguyễn Thị Hằng", "boost": 2.0}}} in should
    folded = build_search_body(SearchQuery(text="nguyen thi hang"))["query"]["bool"]["should"]
    assert sum("name_whole" in json.dumps(clause) for clause in folded) == 1  # the same form once


def test_query_text_is_nfc_with_the_eth_read_as_d_with_stroke() -> None:
    nfd = build_search_body(SearchQuery(text=unicodedata.normalize("NFD", "Đặng Văn Đức")))
    assert nfd == build_search_body(SearchQuery(text="Đặng Văn Đức"))
    eth = build_search_body(SearchQuery(text="Ðặng"))  # U+00D0, as OCR writes it
    assert eth["query"]["bool"]["must"][0]["bool"]["should"][0]["match"]["all"]["query"] == "Đặng"


def test_highlights_are_asked_html_escaped_with_mark_tags() -> None:
    highlight = build_search_body(SearchQuery(text="giay phep"))["highlight"]
    assert (highlight["pre_tags"], highlight["post_tags"], highlight["encoder"]) == (["<mark>"], ["</mark>"], "html")
    assert highlight["fields"]["owner_name"] == {"number_of_fragments": 0}  # the whole name
    assert highlight["fields"]["all"] == {"number_of_fragments": 4, "fragment_size": 80}


def test_highlights_keep_the_name_apart_from_the_other_values() -> None:
    hit = {"highlight": {
        "owner_name": ["<mark>Đặng</mark> Văn Đức"],
        "all": ["<mark>Đặng</mark> Văn Đức", "Về việc <mark>cấp</mark> &lt;giấy&gt;", "a", "b"],
    }}
    assert highlights(hit, DECISION) == {"owner_name": ["<mark>Đặng</mark> Văn Đức"],
                                         "other_values": ["Về việc <mark>cấp</mark> &lt;giấy&gt;", "a", "b"]}
    assert highlights({}, DECISION) == {}
    assert highlights({"highlight": {"all": ["<mark>Đặng</mark> Văn Đức"]}}, DECISION) == {}


def test_documents_index_the_shared_texts_and_keys() -> None:
    for record in RECORDS:
        texts, keys = record_terms(record)
        assert (document(record)["all"], document(record)["keys"]) == (texts, keys)


def test_typo_pass_allows_one_edit_in_words_of_three_letters_or_more() -> None:
    body = build_search_body(SearchQuery(text="nguyen thi hnag"), fuzzy=True)
    assert body["query"]["bool"]["must"][0]["bool"]["should"][0] == {
        "match": {"all": {"query": "nguyen thi hnag", "operator": "and", "fuzziness": "AUTO:3,256"}}}
    should = body["query"]["bool"]["should"]
    assert {"constant_score": {"filter": {"fuzzy": {"name_whole": {"value": "nguyen thi hnag", "fuzziness": 1}}},
                               "boost": 20.0}} in should
    assert not any("match_phrase" in clause for clause in should)
    assert can_correct("dang van uc") and not can_correct("an uc") and not can_correct("  ")


def test_facets_ask_for_terms_aggregations() -> None:
    body = build_search_body(SearchQuery(text="nguyen", facets=["doc_type", "validity"]))
    assert body["aggs"] == {"doc_type": {"terms": {"field": "doc_type", "size": 100}},
                            "validity": {"terms": {"field": "validity", "size": 100}}}


# -- the figures ------------------------------------------------------------------------------------------------


def test_stats_ask_for_aggregations_only_on_mapped_keyword_date_and_boolean_fields() -> None:
    body = build_stats_body(RANGE)
    assert (body["size"], body["track_total_hits"], body["query"]) == (0, True, {"match_all": {}})
    aggs = body["aggs"]
    assert aggs["station"] == {"terms": {"field": "station", "size": 10_000}}
    assert aggs["status"]["terms"]["field"] == "extraction_status"
    assert aggs["status"]["aggs"]["review"]["terms"]["field"] == "review_state"
    props = index_template()["template"]["mappings"]["properties"]
    used = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "field":
                    used.add(value)
                elif key in ("term", "terms", "range") and "field" not in value:  # a query clause
                    used.update(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(body)
    assert used == {"station", "extraction_status", "review_state", "validity", "valid_until", "permanent",
                    "digitized_at"}
    assert {props[f]["type"] for f in used} == {"keyword", "date", "boolean"}


def test_stats_count_vietnam_days_and_judge_validity_on_the_last_day() -> None:
    aggs = build_stats_body(DayRange(first=date(2025, 3, 4), last=date(2025, 3, 10)))["aggs"]
    assert aggs["window"]["filter"] == {"range": {"digitized_at": {"gte": "2025-03-04", "lt": "2025-03-11",
                                                                    "time_zone": "+07:00"}}}
    per_day = aggs["window"]["aggs"]["day"]
    assert per_day["date_histogram"] == {"field": "digitized_at", "calendar_interval": "day",
                                         "time_zone": "+07:00", "format": "yyyy-MM-dd", "min_doc_count": 1}
    assert per_day["aggs"]["station"]["terms"]["field"] == "station"
    # the two groups whose validity the end date decides (pipeline.reuse.validity_today)
    assert aggs["lapsed"]["filter"] == {"bool": {
        "filter": [{"terms": {"validity": ["valid", "unknown"]}}, {"range": {"valid_until": {"lt": "2025-03-10"}}}],
        "must_not": [{"term": {"permanent": True}}]}}
    assert aggs["confirmed"]["filter"] == {"bool": {
        "filter": [{"term": {"validity": "unknown"}}],
        "should": [{"term": {"permanent": True}}, {"range": {"valid_until": {"gte": "2025-03-10"}}}],
        "minimum_should_match": 1}}


def test_stats_filter_like_a_search_and_refuse_words() -> None:
    query = SearchQuery(station="HN-01", review_state="pending", extraction_status=["needs_review"], limit=5)
    assert build_stats_body(RANGE, query)["query"] == {"bool": {"filter": build_search_body(query)["query"][
        "bool"]["filter"]}}
    with pytest.raises(ValueError, match="words"):
        build_stats_body(RANGE, SearchQuery(text="nguyen"))


def answer_stats(records: list[WalletRecord], days: DayRange) -> dict[str, Any]:
    """What a cluster answers to ``build_stats_body(days)`` over ``records``: each aggregation evaluated as
    the Elasticsearch documentation defines it (terms, filter, date_histogram in +07:00)."""

    def terms(values: list[str], sub: Callable[[str], dict] | None = None) -> dict[str, Any]:
        return {"buckets": [{"key": k, "doc_count": n, **(sub(k) if sub else {})}
                            for k, n in Counter(values).most_common()]}

    on = days.last
    lapsed = [r for r in records if r.validity in ("valid", "unknown") and not r.permanent
              and r.valid_until is not None and r.valid_until < on]
    confirmed = [r for r in records if r.validity == "unknown"
                 and (r.permanent or (r.valid_until is not None and r.valid_until >= on))]
    window = [r for r in records if days.first <= vietnam_day(r) <= days.last]
    day_buckets = [{"key_as_string": d.isoformat(), "key": 0, "doc_count": n,
                    "station": terms([r.station for r in window if vietnam_day(r) == d])}
                   for d, n in sorted(Counter(vietnam_day(r) for r in window).items())]
    return {"took": 3, "timed_out": False, "hits": {"total": {"value": len(records), "relation": "eq"}, "hits": []},
            "aggregations": {
                "station": terms([r.station for r in records]),
                "status": terms([r.extraction_status.value for r in records], lambda s: {"review": terms(
                    [r.review_state.value for r in records if r.extraction_status == s])}),
                "validity": terms([r.validity.value for r in records]),
                "lapsed": {"doc_count": len(lapsed), "validity": terms([r.validity.value for r in lapsed])},
                "confirmed": {"doc_count": len(confirmed)},
                "window": {"doc_count": len(window), "day": {"buckets": day_buckets}},
            }}


def test_stats_read_from_the_aggregations_agree_with_the_records() -> None:
    assert parse_stats(answer_stats(STATS_RECORDS, RANGE), RANGE) == counted(STATS_RECORDS, RANGE)
    earlier = DayRange.ending(RANGE.last - timedelta(days=1), 30)
    assert parse_stats(answer_stats(STATS_RECORDS, earlier), earlier) == counted(STATS_RECORDS, earlier)
    assert parse_stats(answer_stats([], RANGE), RANGE) == counted([], RANGE)


def test_stats_send_one_aggregations_search_through_the_alias(cluster) -> None:
    fake, client = cluster
    idx = ready(fake, client)
    dong_da = [r for r in STATS_RECORDS if r.station == "ubnd-dong-da"]
    fake.answer("POST", "/sohoa-wallet/_search", answer_stats(dong_da, RANGE))
    query = SearchQuery(station="ubnd-dong-da")
    stats = idx.stats(RANGE, query)
    (sent,) = fake.seen
    assert sent.body == build_stats_body(RANGE, query)
    assert stats == counted(dong_da, RANGE)


# -- what the client sends --------------------------------------------------------------------------------------


def test_opening_sends_nothing_and_first_use_makes_v1_behind_the_alias(cluster) -> None:
    fake, client = cluster
    idx = ElasticsearchIndex(client)
    assert fake.seen == []
    fake.answer("POST", "/sohoa-wallet/_count", {"count": 0}, {"count": 0})
    assert idx.count() == 0
    assert fake.calls() == [
        "PUT /_index_template/sohoa-wallet",
        "HEAD /_alias/sohoa-wallet",
        "HEAD /sohoa-wallet",
        "GET /sohoa-wallet-v*/_alias",
        "PUT /sohoa-wallet-v1",
        "HEAD /_alias/sohoa-wallet",  # another process may have made it meanwhile
        "GET /sohoa-wallet-v*/_alias",
        "POST /_aliases",
        "GET /sohoa-wallet/_mapping",  # made for this sohoa's mapping?
        "POST /sohoa-wallet/_count",
    ]
    assert fake.templates["sohoa-wallet"] == index_template("sohoa-wallet")
    assert fake.seen[-3].body == {"actions": [{"add": {"index": "sohoa-wallet-v1", "alias": "sohoa-wallet"}}]}
    assert fake.indices == {"sohoa-wallet-v1": {"sohoa-wallet"}}
    assert "compatible-with=9" in fake.seen[0].headers["accept"]
    idx.count()
    assert fake.calls()[-1] == "POST /sohoa-wallet/_count" and len(fake.seen) == 11  # set up once


def test_an_existing_alias_is_used_as_it_is(cluster) -> None:
    fake, client = cluster
    fake.indices["sohoa-wallet-v3"] = {"sohoa-wallet"}
    fake.mappings["sohoa-wallet-v3"] = index_template()["template"]["mappings"]
    ElasticsearchIndex(client).ensure()
    assert fake.calls() == ["PUT /_index_template/sohoa-wallet", "HEAD /_alias/sohoa-wallet",
                            "GET /sohoa-wallet/_mapping"]


def test_a_version_made_by_another_mapping_asks_for_a_rebuild_which_fixes_it(cluster) -> None:
    fake, client = cluster
    fake.indices["sohoa-wallet-v1"] = {"sohoa-wallet"}
    fake.mappings["sohoa-wallet-v1"] = {"_meta": {"sohoa_schema": 0}, "properties": {}}
    idx = ElasticsearchIndex(client)
    with pytest.raises(ElasticsearchSchemaMismatch, match="rebuild"):
        idx.count()
    idx.rebuild(RECORDS[:1])
    fake.answer("POST", "/sohoa-wallet/_count", {"count": 1})
    assert idx.count() == 1


def test_a_plain_index_where_the_alias_belongs_is_refused(cluster) -> None:
    fake, client = cluster
    fake.indices["sohoa-wallet"] = set()
    with pytest.raises(Exception, match="expects an alias"):
        ElasticsearchIndex(client).ensure()


def test_upsert_bulk_indexes_through_the_alias_and_waits_for_refresh(cluster) -> None:
    fake, client = cluster
    idx = ready(fake, client)
    assert idx.upsert(RECORDS[:2] + RECORDS[:1]) == 3
    (bulk,) = fake.seen
    assert (bulk.method, bulk.path, bulk.params) == ("PUT", "/_bulk", {"refresh": "wait_for"})
    assert bulk.body[0] == {"index": {"_index": "sohoa-wallet", "_id": "hang"}}
    assert bulk.body[1] == document(HANG)
    assert len(bulk.body) == 6
    assert idx.upsert([]) == 0


def test_search_sends_the_built_body_and_reads_hits_facets_and_highlights(cluster) -> None:
    fake, client = cluster
    idx = ready(fake, client)
    query = SearchQuery(text="nguyen thi hang", facets=["doc_type"])
    aggs = {"aggregations": {"doc_type": {"buckets": [{"key": "khai_sinh", "doc_count": 2}]}}}
    fake.answer("POST", "/sohoa-wallet/_search", search_response(HANG, RECORDS[3], **aggs))
    results = idx.search(query)
    assert fake.seen[0].body == build_search_body(query)
    assert results.total == 2 and [h.record for h in results.hits] == [HANG, RECORDS[3]]
    assert results.hits[0].score == 9.5
    assert results.facets == {"doc_type": {"khai_sinh": 2}}
    assert results.hits[0].highlights == {"owner_name": ["<mark>Nguyễn Thị Hằng</mark>"]}


def test_typos_are_tried_only_when_nothing_matched_as_typed(cluster) -> None:
    fake, client = cluster
    idx = ready(fake, client)
    fake.answer("POST", "/sohoa-wallet/_search", search_response(), search_response(DECISION))
    assert [h.record.record_id for h in idx.search(SearchQuery(text="dnag van duc")).hits] == ["decision"]
    first, second = fake.seen
    assert "fuzziness" not in json.dumps(first.body)
    assert second.body == build_search_body(SearchQuery(text="dnag van duc"), fuzzy=True)

    fake.seen.clear()
    fake.answer("POST", "/sohoa-wallet/_search", search_response(HANG), search_response())
    idx.search(SearchQuery(text="nguyen thi hang"))
    fake.answer("POST", "/sohoa-wallet/_search", search_response())
    idx.search(SearchQuery(text="an uc"))  # nothing, but no word long enough to guess a typo in
    assert len(fake.seen) == 2


def test_get_reads_the_stored_record_and_a_missing_one_is_none(cluster) -> None:
    fake, client = cluster
    idx = ready(fake, client)
    fake.answer("GET", "/sohoa-wallet/_doc/decision",
                {"_index": "sohoa-wallet-v1", "_id": "decision", "found": True,
                 "_source": {"record": DECISION.model_dump(mode="json")}})
    assert idx.get("decision") == DECISION
    assert fake.seen[0].params == {"_source_includes": "record"}
    fake.answer("GET", "/sohoa-wallet/_doc/missing", {"_index": "sohoa-wallet-v1", "_id": "missing", "found": False},
                status=404)
    assert idx.get("missing") is None


def test_clear_moves_the_alias_to_a_new_empty_version_and_drops_the_old(cluster) -> None:
    fake, client = cluster
    idx = ready(fake, client)
    idx.clear()
    assert "PUT /sohoa-wallet-v2" in fake.calls() and fake.calls()[-1] == "DELETE /sohoa-wallet-v1"
    assert fake.indices == {"sohoa-wallet-v2": {"sohoa-wallet"}}
    assert fake.mappings["sohoa-wallet-v2"] == index_template()["template"]["mappings"]


def test_rebuild_fills_the_next_version_then_swaps_the_alias_in_one_step(cluster) -> None:
    fake, client = cluster
    fake.indices.update({"sohoa-wallet-v1": set(), "sohoa-wallet-v2": {"sohoa-wallet"}, "other-v9": set()})
    idx = ElasticsearchIndex(client)
    assert idx.versions() == {"sohoa-wallet-v1": False, "sohoa-wallet-v2": True}
    assert idx.rebuild(RECORDS) == "sohoa-wallet-v3"
    bulk = next(s for s in fake.seen if s.path == "/_bulk")
    assert {line["index"]["_index"] for line in bulk.body[::2]} == {"sohoa-wallet-v3"}  # not yet live
    swap = [s for s in fake.seen if s.path == "/_aliases"][-1]
    assert swap.body == {"actions": [{"remove": {"index": "sohoa-wallet-v2", "alias": "sohoa-wallet"}},
                                     {"add": {"index": "sohoa-wallet-v3", "alias": "sohoa-wallet"}}]}
    assert fake.seen.index(bulk) < fake.seen.index(swap)
    assert fake.calls()[-1] == "DELETE /sohoa-wallet-v1"  # the one before the previous
    assert fake.indices == {"sohoa-wallet-v2": set(), "sohoa-wallet-v3": {"sohoa-wallet"}, "other-v9": set()}
    assert idx.current_version() == "sohoa-wallet-v3"
    idx.swap_alias("sohoa-wallet-v2")  # roll back
    assert idx.current_version() == "sohoa-wallet-v2"
    with pytest.raises(ValueError):
        idx.swap_alias("other-v9")


def test_unreachable_cluster_says_where_to_look() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    idx = ElasticsearchIndex(Elasticsearch(f"http://127.0.0.1:{port}", request_timeout=2, max_retries=0))
    with pytest.raises(ElasticsearchUnavailable, match="SOHOA_ES_URL"):
        idx.count()


def test_open_index_builds_the_adapter_from_settings_without_a_request(tmp_path) -> None:
    idx = open_index(Settings(data_dir=tmp_path, index="elasticsearch", es_url="http://127.0.0.1:9", es_alias="x"))
    assert isinstance(idx, ElasticsearchIndex) and isinstance(idx, SearchIndex)
    assert idx.alias == "x"
    with pytest.raises(ElasticsearchNotConfigured, match="SOHOA_ES_URL"):
        open_index(Settings(data_dir=tmp_path, index="elasticsearch", es_url=None))


def test_reindex_flow_rebuilds_behind_the_alias_without_emptying_the_live_index(cluster, tmp_path) -> None:
    from flows.reindex import rebuild_index

    fake, client = cluster
    store = LocalDirStore(tmp_path / "store")
    for record in RECORDS[:3]:
        save_record(store, record, reason="digitized", actor="test")
    store.put("records/broken/record.json", b"{not json")
    idx = ready(fake, client)
    report = rebuild_index(store, idx)
    assert report.indexed == 3 and report.unreadable == ["records/broken/record.json"]  # reported, left out
    bulk = next(s for s in fake.seen if s.path == "/_bulk")
    assert {line["index"]["_index"] for line in bulk.body[::2]} == {"sohoa-wallet-v2"}
    assert sorted(line["index"]["_id"] for line in bulk.body[::2]) == sorted(r.record_id for r in RECORDS[:3])
    assert fake.indices == {"sohoa-wallet-v1": set(), "sohoa-wallet-v2": {"sohoa-wallet"}}  # v1 kept to roll back
    live_emptied = [s for s in fake.seen[: fake.seen.index(bulk)] if s.method == "DELETE" or s.path == "/_aliases"]
    assert live_emptied == []  # nothing touched the live version before the new one was full
