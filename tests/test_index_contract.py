"""The SearchIndex contract: every adapter finds wallet records the way a back-office clerk types: without
diacritics, with a typo, by number, narrowed by filters, counted per facet, and sees what another handle wrote.

Runs on the embedded index always, and on Elasticsearch when ``SOHOA_ES_URL`` names a cluster (each test run
uses its own alias ``sohoa-test-…`` and deletes it afterwards); without it those cases are skipped with the
reason. Adapter-only guarantees live beside each adapter (``test_index_embedded.py``: locks, files on disk;
``test_index_elasticsearch.py``: the requests it sends).
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import unicodedata
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from elasticsearch import ConnectionError as EsConnectionError

from pipeline.config import Settings
from pipeline.index import SearchIndex, SearchQuery
from pipeline.index.base import MAX_RESULT_WINDOW, MAX_STATS_DAYS, VIETNAM, DayRange, WalletStats
from pipeline.index.elasticsearch import ElasticsearchIndex, ElasticsearchUnavailable, connect
from pipeline.index.embedded import EmbeddedIndex
from pipeline.reuse import validity_today
from schemas.result import Status
from schemas.wallet import ReviewState, Validity, WalletRecord

ADAPTERS = ["embedded", "elasticsearch"]
NO_ES = "SOHOA_ES_URL is not set: no Elasticsearch cluster to run the index contract against (DESIGN.md §6)"


def record(record_id: str, **kw: object) -> WalletRecord:
    base: dict[str, object] = {
        "record_id": record_id,
        "doc_type": "khai_sinh",
        "file_key": f"originals/{record_id}.pdf",
        "file_name": f"{record_id}.pdf",
        "sha256": record_id,
        "pages": 1,
        "extraction_status": Status.AUTO_APPROVED,
        "station": "ubnd-phuong-1",
        "operator": "op1",
        "digitized_at": datetime(2025, 1, 1, 8, 0),
        "pipeline_version": "0.1.0",
    }
    base.update(kw)
    return WalletRecord.model_validate(base)


RECORDS = [
    record(
        "hang",
        owner_name="Nguyễn Thị Hằng",
        owner_ids=["001190012345"],
        doc_number="12/2020",
        issue_date=date(2020, 3, 5),
        issuing_agency="UBND phường Hàng Bạc",
        validity=Validity.VALID,
        permanent=True,
        fields={"ho_ten": "Nguyễn Thị Hằng", "ho_ten_me": "Trần Thị Mai", "noi_sinh": "Hà Nội"},
    ),
    record(
        "hang-nga",
        owner_name="Nguyễn Thị Hằng Nga",
        owner_ids=["001190099999"],
        issue_date=date(2021, 6, 1),
        issuing_agency="UBND phường Hàng Bạc",
        validity=Validity.VALID,
    ),
    record(
        "hanh",
        owner_name="Nguyễn Thị Hạnh",
        owner_ids=["001190054321"],
        issue_date=date(2019, 1, 10),
        validity=Validity.VALID,
        fields={"ho_ten_me": "Nguyễn Thị Hằng Thu"},
    ),
    record(
        "hang-ascii",
        owner_name="Nguyen Thi Hang",
        owner_ids=["079190011111"],
        issue_date=date(2022, 2, 2),
        validity=Validity.UNKNOWN,
    ),
    record(
        "decision",
        doc_type="quyet_dinh",
        owner_name="Đặng Văn Đức",
        owner_ids=["036080000777"],
        doc_number="441/QĐ-UBND",
        issue_date=date(2023, 9, 15),
        issuing_agency="Ủy ban nhân dân quận Đống Đa",
        summary="Về việc cấp giấy phép xây dựng",
        signer="Lê Văn Lâm",
        validity=Validity.EXPIRED,
        station="ubnd-dong-da",
        fields={"so_ky_hieu": "441/QĐ-UBND", "trich_yeu": "Về việc cấp giấy phép xây dựng"},
    ),
    record(
        "company",
        doc_type="dang_ky_doanh_nghiep",
        owner_name="Công ty TNHH Hoa Sen",
        owner_ids=["001080001234"],
        issue_date=date(2018, 11, 20),
        issuing_agency="Sở Kế hoạch và Đầu tư Hà Nội",
        validity=Validity.VALID,
        station="ubnd-dong-da",
        fields={
            "ma_so_doanh_nghiep": {"value": "0101234567", "confidence": 0.99},
            "ten_doanh_nghiep": {"value": "Công ty TNHH Hoa Sen", "confidence": 0.9},
            "nguoi_dai_dien": {"value": "Phạm Minh Tuấn", "confidence": 0.9},
        },
    ),
]



MakeIndex = Callable[[], SearchIndex]


@pytest.fixture(scope="module", params=ADAPTERS)
def make_index(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MakeIndex]:
    """Makes empty indexes of one adapter; whatever they hold is deleted when the module is done."""
    if request.param == "embedded":
        yield lambda: EmbeddedIndex(tmp_path_factory.mktemp("index"))
        return
    if not os.environ.get("SOHOA_ES_URL"):
        pytest.skip(NO_ES)
    client = connect(Settings())  # SOHOA_ES_URL, and SOHOA_ES_API_KEY / SOHOA_ES_CA_CERTS when set
    aliases: list[str] = []

    def make() -> SearchIndex:
        aliases.append(f"sohoa-test-{uuid.uuid4().hex[:12]}")
        return ElasticsearchIndex(client, alias=aliases[-1])

    yield make
    with contextlib.suppress(EsConnectionError, ElasticsearchUnavailable):  # a cluster gone: tests failed already
        for alias in aliases:
            versions = list(ElasticsearchIndex(client, alias=alias).versions())  # by name: ES refuses wildcards
            if versions:
                client.indices.delete(index=",".join(versions))
            client.options(ignore_status=404).indices.delete_index_template(name=alias)
    client.close()


@pytest.fixture(scope="module")
def index(make_index: MakeIndex) -> SearchIndex:
    idx = make_index()
    idx.upsert(RECORDS)
    return idx


def another_handle(idx: SearchIndex) -> SearchIndex:
    """A second handle on the same index, as another process (web app, worker) would open it."""
    if isinstance(idx, EmbeddedIndex):
        return EmbeddedIndex(idx.path)
    assert isinstance(idx, ElasticsearchIndex)
    return ElasticsearchIndex(idx.client, alias=idx.alias)


def ids(idx: SearchIndex, **query: object) -> list[str]:
    return [hit.record.record_id for hit in idx.search(SearchQuery.model_validate(query)).hits]


def test_it_implements_the_protocol(index: SearchIndex) -> None:
    assert isinstance(index, SearchIndex)


def test_count_and_get_return_the_stored_record(index: SearchIndex) -> None:
    assert index.count() == len(RECORDS)
    assert index.get("decision") == RECORDS[4]
    assert index.get("company") == RECORDS[5]  # nested field values come back as they went in
    assert index.get("missing") is None


def test_name_without_diacritics_ranks_the_full_name_first(index: SearchIndex) -> None:
    found = ids(index, text="nguyen thi hang")
    assert set(found[:2]) == {"hang", "hang-ascii"}  # the whole name
    assert found[2] == "hang-nga"  # the name inside a longer one
    assert found[3] == "hanh"  # only her mother is a Nguyễn Thị Hằng (Thu)


def test_exact_form_ranks_above_folded_form(index: SearchIndex) -> None:
    assert ids(index, text="Nguyễn Thị Hằng")[0] == "hang"
    assert ids(index, text="nguyen thi hang")[0] == "hang-ascii"


def test_d_with_stroke_matches_plain_d(index: SearchIndex) -> None:
    assert ids(index, text="dang van duc")[0] == "decision"
    assert ids(index, text="DANG")[0] == "decision"
    assert ids(index, text="Ðặng")[0] == "decision"  # OCR's Icelandic eth for Đ


def test_nfc_and_nfd_queries_are_the_same(index: SearchIndex) -> None:
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Hằng")
    assert nfd != "Nguyễn Thị Hằng"
    assert ids(index, text=nfd) == ids(index, text="Nguyễn Thị Hằng")


def test_nfd_record_is_found_by_nfc_query(make_index: MakeIndex) -> None:
    idx = make_index()
    idx.upsert([record("nfd", owner_name=unicodedata.normalize("NFD", "Trần Thị Thủy"))])
    assert ids(idx, text="Trần Thị Thủy") == ["nfd"]
    assert ids(idx, text="tran thi thuy") == ["nfd"]


def test_one_typo_in_a_name_still_finds_it(index: SearchIndex) -> None:
    assert set(ids(index, text="nguyen thi hnag")[:2]) == {"hang", "hang-ascii"}  # transposition
    assert ids(index, text="Nguyễn Thị Hnằg")[0] == "hang"  # exact-form words still rank
    assert ids(index, text="dnag van duc") == ["decision"]
    assert ids(index, text="dang van dcu") == ["decision"]
    assert ids(index, text="dang van uc") == []  # two letters: too short to guess a typo
    assert ids(index, text="Pham Minh Tuan")[0] == "company"
    assert ids(index, text="Pham Mihn Tuan") == ["company"]


def test_typo_into_another_real_word_is_corrected_when_nothing_matches(index: SearchIndex) -> None:
    # "hang", "van" and "duc" all exist, but no record has all three: "hang" is one edit from "dang".
    assert ids(index, text="hang van duc") == ["decision"]


def test_typo_search_does_not_pollute_correct_queries(index: SearchIndex) -> None:
    # "hanh" is a real name: no one-typo widening to "hang" when it matches as typed.
    assert ids(index, text="nguyen thi hanh") == ["hanh"]


def test_citizen_id_finds_the_record(index: SearchIndex) -> None:
    assert ids(index, text="001190012345") == ["hang"]
    assert ids(index, text=" 001190012345 ") == ["hang"]
    assert ids(index, text="001 190 012 345") == ["hang"]  # typed in groups


def test_enterprise_code_finds_the_company(index: SearchIndex) -> None:
    assert ids(index, text="0101234567") == ["company"]


@pytest.mark.parametrize("typed", ["441/QĐ-UBND", "441/qd-ubnd", "441/QD-UBND", "441 / QĐ-UBND"])
def test_document_number_finds_the_decision(index: SearchIndex, typed: str) -> None:
    assert ids(index, text=typed)[0] == "decision"


def test_summary_and_agency_words_are_searchable(index: SearchIndex) -> None:
    assert ids(index, text="giay phep xay dung") == ["decision"]
    assert ids(index, text="dong da") == ["decision"]


def test_filters_narrow_the_results(index: SearchIndex) -> None:
    assert ids(index, text="nguyen", doc_type="quyet_dinh") == []
    assert set(ids(index, doc_type="quyet_dinh")) == {"decision"}
    assert set(ids(index, validity="expired")) == {"decision"}
    assert set(ids(index, station="ubnd-dong-da")) == {"decision", "company"}
    assert set(ids(index, issuing_agency="ubnd phuong hang bac")) == {"hang", "hang-nga"}
    assert ids(index, owner_id="036080000777") == ["decision"]
    assert ids(index, owner_id="036 080 000 777") == ["decision"]  # typed in groups


def test_review_state_and_extraction_status_filter_the_review_backlog(make_index: MakeIndex) -> None:
    idx = make_index()
    idx.upsert([
        record("auto", extraction_status=Status.AUTO_APPROVED),
        record("waiting", extraction_status=Status.NEEDS_REVIEW),
        record("unknown-type", doc_type="unknown", extraction_status=Status.REJECTED),
        record("checked", extraction_status=Status.NEEDS_REVIEW, review_state=ReviewState.APPROVED),
        record("other-station", extraction_status=Status.NEEDS_REVIEW, station="ubnd-dong-da"),
    ])
    backlog = {"review_state": "pending", "extraction_status": ["needs_review", "rejected"]}
    assert set(ids(idx, **backlog)) == {"waiting", "unknown-type", "other-station"}
    assert set(ids(idx, station="ubnd-phuong-1", **backlog)) == {"waiting", "unknown-type"}
    assert set(ids(idx, review_state="approved")) == {"checked"}
    assert set(ids(idx, extraction_status=["auto_approved"])) == {"auto"}
    assert idx.search(SearchQuery.model_validate(backlog)).total == 3
    # A review changes the state: the paper leaves the backlog at the next search.
    idx.upsert([record("waiting", extraction_status=Status.NEEDS_REVIEW, review_state=ReviewState.APPROVED)])
    assert set(ids(idx, **backlog)) == {"unknown-type", "other-station"}


def test_issue_date_range_is_inclusive(index: SearchIndex) -> None:
    assert set(ids(index, issued_from="2020-03-05", issued_to="2021-06-01")) == {"hang", "hang-nga"}
    assert set(ids(index, issued_from="2023-01-01")) == {"decision"}
    assert set(ids(index, issued_to="2018-12-31")) == {"company"}


def test_name_with_type_and_date_range(index: SearchIndex) -> None:
    assert ids(index, text="nguyen thi hang", issued_from="2020-01-01", issued_to="2020-12-31") == ["hang"]


def test_pagination_and_total(index: SearchIndex) -> None:
    everything = index.search(SearchQuery(limit=100))
    assert everything.total == len(RECORDS)
    # Without words the newest digitized come first; pages do not overlap and cover everything.
    pages = [index.search(SearchQuery(limit=2, offset=o)) for o in (0, 2, 4)]
    assert all(page.total == len(RECORDS) for page in pages)
    seen = [hit.record.record_id for page in pages for hit in page.hits]
    assert sorted(seen) == sorted(r.record_id for r in RECORDS)
    text_page = index.search(SearchQuery(text="nguyen", limit=1, offset=1))
    assert text_page.total == 4 and len(text_page.hits) == 1


def test_pages_stop_at_the_result_window_and_total_still_counts_everything(index: SearchIndex) -> None:
    last_page = index.search(SearchQuery(limit=10, offset=MAX_RESULT_WINDOW - 10))
    assert last_page.total == len(RECORDS) and last_page.hits == []
    with pytest.raises(ValueError, match="narrow the search"):
        SearchQuery(limit=10, offset=MAX_RESULT_WINDOW - 9)


def test_without_words_the_newest_digitized_come_first(make_index: MakeIndex) -> None:
    idx = make_index()
    idx.upsert([record("old", digitized_at=datetime(2024, 5, 1)), record("new", digitized_at=datetime(2025, 5, 1))])
    assert ids(idx) == ["new", "old"]
    assert ids(idx, text="  ") == ["new", "old"]


def test_facets_count_matches_per_value(index: SearchIndex) -> None:
    results = index.search(SearchQuery(text="nguyen", facets=["doc_type", "validity"]))
    assert results.facets == {"doc_type": {"khai_sinh": 4}, "validity": {"valid": 3, "unknown": 1}}


def test_upsert_replaces_rather_than_duplicates(make_index: MakeIndex) -> None:
    idx = make_index()
    assert idx.upsert([RECORDS[0], RECORDS[0]]) == 2
    assert idx.count() == 1
    renamed = RECORDS[0].model_copy(update={"owner_name": "Nguyễn Thị Hoa"})
    idx.upsert([renamed])
    assert idx.count() == 1
    assert idx.get("hang") == renamed
    assert ids(idx, text="nguyen thi hoa") == ["hang"]
    assert ids(idx, text="nguyen thi hang", doc_type="khai_sinh") == ["hang"]  # still in her fields
    assert idx.search(SearchQuery(text="hoa")).total == 1


def test_clear_drops_everything(make_index: MakeIndex) -> None:
    idx = make_index()
    idx.upsert(RECORDS)
    idx.clear()
    assert idx.count() == 0
    assert idx.search(SearchQuery(text="nguyen")).total == 0
    idx.upsert(RECORDS[:1])
    assert idx.count() == 1


def test_two_handles_see_each_others_writes(make_index: MakeIndex) -> None:
    web = make_index()
    worker = another_handle(web)
    worker.upsert(RECORDS[:2])
    assert web.count() == 2
    web.upsert(RECORDS[2:3])
    assert worker.count() == 3


# -- highlights ---------------------------------------------------------------------------------------------------


def marked(fragment: str) -> list[str]:
    """The marked words of a highlight (a phrase marked in one piece counts word by word)."""
    return " ".join(re.findall(r"<mark>(.*?)</mark>", fragment)).split()


def unmarked(fragment: str) -> str:
    return html.unescape(re.sub(r"</?mark>", "", fragment)).strip("…")


def hit_for(idx: SearchIndex, record_id: str, text: str):
    return next(h for h in idx.search(SearchQuery(text=text)).hits if h.record.record_id == record_id)


def test_highlights_mark_the_name_as_stored_when_typed_without_diacritics(index: SearchIndex) -> None:
    (name,) = hit_for(index, "hang", "nguyen thi hang").highlights["owner_name"]
    assert unmarked(name) == "Nguyễn Thị Hằng"
    assert marked(name) == ["Nguyễn", "Thị", "Hằng"]
    (partial,) = hit_for(index, "hang-nga", "nguyen thi hang").highlights["owner_name"]
    assert marked(partial) == ["Nguyễn", "Thị", "Hằng"] and unmarked(partial) == "Nguyễn Thị Hằng Nga"
    assert marked(hit_for(index, "decision", "dang van duc").highlights["owner_name"][0]) == ["Đặng", "Văn", "Đức"]


def test_highlights_show_which_other_value_matched(index: SearchIndex) -> None:
    hit = hit_for(index, "decision", "giay phep xay dung")
    assert "owner_name" not in hit.highlights  # the name did not match
    (summary,) = [f for f in hit.highlights["other_values"] if marked(f)[:1] == ["giấy"]]
    assert marked(summary) == ["giấy", "phép", "xây", "dựng"]
    assert unmarked(summary) == "Về việc cấp giấy phép xây dựng"
    assert len(hit.highlights["other_values"]) <= 3
    name_only = hit_for(index, "decision", "dang").highlights
    assert marked(name_only["owner_name"][0]) == ["Đặng"]
    assert "other_values" not in name_only  # the name is not repeated


def test_highlights_mark_the_corrected_word_of_a_typo(index: SearchIndex) -> None:
    values = hit_for(index, "company", "Pham Mihn Tuan").highlights["other_values"]
    assert ["Phạm", "Minh", "Tuấn"] in [marked(f) for f in values]


def test_highlights_are_html_escaped(make_index: MakeIndex) -> None:
    idx = make_index()
    summary = 'Về việc khen thưởng <script>alert("x")</script> & biểu dương'
    idx.upsert([record("escaped", owner_name="Võ Thị Sáu", summary=summary)])
    (hit,) = idx.search(SearchQuery(text="khen thuong")).hits
    (fragment,) = hit.highlights["other_values"]
    assert "<script>" not in fragment and "&lt;script&gt;" in fragment
    assert re.sub(r"</?mark>", "", fragment).count("<") == 0
    assert unmarked(fragment) == summary and marked(fragment) == ["khen", "thưởng"]


def test_a_search_without_words_has_no_highlights(index: SearchIndex) -> None:
    assert all(hit.highlights == {} for hit in index.search(SearchQuery(limit=100)).hits)


# -- figures (SearchIndex.stats) ----------------------------------------------------------------------------------
# Expected figures are counted here in Python from the records (validity by pipeline.reuse.validity_today, days on
# the Vietnam calendar); each adapter counts them with its own aggregations.

ON = date(2025, 3, 10)  # "today" of the figures: the last day of the range
RANGE = DayRange.ending(ON, 7)  # 4–10 March


def at_utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


STATS_RECORDS = [
    # validity: each branch of validity_today
    record("perm", validity=Validity.VALID, permanent=True, digitized_at=at_utc(ON, 2)),
    record("lapsed", validity=Validity.VALID, valid_until=ON - timedelta(days=1), digitized_at=at_utc(ON, 3)),
    record("last-day", validity=Validity.VALID, valid_until=ON, digitized_at=at_utc(ON, 4),
           extraction_status=Status.NEEDS_REVIEW),
    record("unknown-lapsed", validity=Validity.UNKNOWN, valid_until=date(2024, 1, 1), digitized_at=at_utc(ON, 5),
           extraction_status=Status.NEEDS_REVIEW, review_state=ReviewState.APPROVED),
    record("unknown-perm", validity=Validity.UNKNOWN, permanent=True, station="ubnd-dong-da",
           digitized_at=at_utc(ON - timedelta(days=1), 17)),  # 00:00 on the 10th in Vietnam
    record("unknown-future", validity=Validity.UNKNOWN, valid_until=date(2030, 1, 1), station="ubnd-dong-da",
           digitized_at=at_utc(ON - timedelta(days=1), 16, 59)),  # 23:59 on the 9th in Vietnam
    record("unknown", validity=Validity.UNKNOWN, doc_type="unknown", extraction_status=Status.REJECTED,
           station="ubnd-dong-da", digitized_at=datetime(2025, 3, 4, 0, 0)),  # no zone: UTC; the range's first day
    record("cancelled", validity=Validity.CANCELLED, valid_until=date(2030, 1, 1), station="ubnd-dong-da",
           extraction_status=Status.NEEDS_REVIEW, digitized_at=at_utc(date(2025, 3, 3), 16, 59)),  # before it
    record("expired-perm", validity=Validity.EXPIRED, permanent=True, extraction_status=Status.NEEDS_REVIEW,
           review_state=ReviewState.REJECTED, digitized_at=at_utc(ON, 17)),  # the 11th in Vietnam: after it
    record("valid-no-date", validity=Validity.VALID, digitized_at=datetime(2024, 6, 1, 9, 0, tzinfo=VIETNAM)),
]


def vietnam_day(r: WalletRecord) -> date:
    at = r.digitized_at if r.digitized_at.tzinfo else r.digitized_at.replace(tzinfo=UTC)
    return at.astimezone(VIETNAM).date()


def counted(records: list[WalletRecord], days: DayRange) -> WalletStats:
    """The figures ``stats`` must give, counted record by record."""
    by_status: dict[Status, Counter[ReviewState]] = defaultdict(Counter)
    per_day: dict[date, Counter[str]] = defaultdict(Counter)
    for r in records:
        by_status[r.extraction_status][r.review_state] += 1
        if days.first <= vietnam_day(r) <= days.last:
            per_day[vietnam_day(r)][r.station] += 1
    validity = Counter(validity_today(r, days.last) for r in records)
    return WalletStats(days=days, total=len(records), by_station=dict(Counter(r.station for r in records)),
                       by_status={s: dict(c) for s, c in by_status.items()},
                       by_validity={v: validity[v] for v in Validity},
                       per_day={d: dict(per_day[d]) for d in sorted(per_day)})


@pytest.fixture(scope="module")
def stats_index(make_index: MakeIndex) -> SearchIndex:
    idx = make_index()
    idx.upsert(STATS_RECORDS)
    return idx


def test_stats_count_what_the_records_say(stats_index: SearchIndex) -> None:
    stats = stats_index.stats(RANGE)
    assert stats == counted(STATS_RECORDS, RANGE)
    # the cases the rules turn on, spelled out
    assert stats.by_validity[Validity.EXPIRED] == 3  # lapsed, unknown-lapsed by date; expired-perm as marked
    assert stats.per_day[ON] == {"ubnd-phuong-1": 4, "ubnd-dong-da": 1}  # 17:00 UTC on the 9th is the 10th here
    assert stats.per_day[date(2025, 3, 9)] == {"ubnd-dong-da": 1}
    assert min(stats.per_day) == RANGE.first and max(stats.per_day) == ON
    assert stats.review_backlog == 3  # last-day, unknown (rejected by extraction), cancelled
    assert stats.count_review_state(ReviewState.APPROVED) == 1 and stats.count_status(Status.NEEDS_REVIEW) == 4


def test_stats_validity_is_judged_on_the_ranges_last_day(stats_index: SearchIndex) -> None:
    earlier = DayRange.ending(date(2025, 3, 9), 1)
    stats = stats_index.stats(earlier)
    assert stats.by_validity == counted(STATS_RECORDS, earlier).by_validity
    assert stats.by_validity[Validity.EXPIRED] == 2  # on the 9th "lapsed" (ends the 9th) was still valid


def test_stats_count_within_the_querys_filters(stats_index: SearchIndex) -> None:
    dong_da = [r for r in STATS_RECORDS if r.station == "ubnd-dong-da"]
    assert stats_index.stats(RANGE, SearchQuery(station="ubnd-dong-da")) == counted(dong_da, RANGE)
    backlog = SearchQuery(review_state="pending", extraction_status=["needs_review", "rejected"])
    waiting = [r for r in STATS_RECORDS if r.review_state is ReviewState.PENDING
               and r.extraction_status is not Status.AUTO_APPROVED]
    assert stats_index.stats(RANGE, backlog) == counted(waiting, RANGE)
    none = stats_index.stats(RANGE, SearchQuery(doc_type="no_such_type"))
    assert none.total == 0 and none.by_station == {} and none.per_day == {}


def test_stats_of_an_empty_index_are_zero_for_every_validity(make_index: MakeIndex) -> None:
    stats = make_index().stats(RANGE)
    assert stats == WalletStats(days=RANGE, total=0, by_validity={v: 0 for v in Validity})


def test_stats_refuse_to_count_by_words(stats_index: SearchIndex) -> None:
    with pytest.raises(ValueError, match="words"):
        stats_index.stats(RANGE, SearchQuery(text="nguyen"))


def test_stats_follow_upserts(make_index: MakeIndex) -> None:
    idx = make_index()
    waiting = record("waiting", extraction_status=Status.NEEDS_REVIEW, digitized_at=at_utc(ON, 8))
    idx.upsert([waiting])
    assert idx.stats(RANGE).review_backlog == 1
    idx.upsert([waiting.model_copy(update={"review_state": ReviewState.APPROVED, "station": "ubnd-dong-da"})])
    stats = idx.stats(RANGE)
    assert stats.review_backlog == 0 and stats.total == 1
    assert stats.by_station == {"ubnd-dong-da": 1} and stats.per_day == {ON: {"ubnd-dong-da": 1}}


def test_a_day_range_is_ordered_and_at_most_a_year() -> None:
    assert DayRange.ending(ON, 1).days() == [ON]
    assert DayRange.ending(ON, 7).first == date(2025, 3, 4) and len(RANGE.days()) == 7
    assert len(DayRange.ending(ON, MAX_STATS_DAYS).days()) == MAX_STATS_DAYS
    with pytest.raises(ValueError, match="at most"):
        DayRange.ending(ON, MAX_STATS_DAYS + 1)
    with pytest.raises(ValueError, match="after it ends"):
        DayRange(first=ON, last=ON - timedelta(days=1))


# -- embedded only: an index built by an older sohoa ---------------------------------------------------------------
# (an adapter-only guarantee; it belongs with test_index_embedded.py's, kept here beside the filters that needed it)


def test_an_embedded_index_of_an_older_layout_opens_asks_for_a_rebuild_and_reindex_replaces_it(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    import tantivy

    from pipeline.index.embedded import IndexSchemaMismatch
    from pipeline.maintenance import reindex
    from pipeline.storage.local import LocalDirStore
    from pipeline.wallet import save_record

    path = tmp_path_factory.mktemp("old-index")
    older = tantivy.SchemaBuilder()
    older.add_text_field("record_id", tokenizer_name="raw", index_option="basic")
    older.add_bytes_field("record", stored=True)
    old = tantivy.Index(older.build(), path=str(path))
    writer = old.writer()
    doc = tantivy.Document()
    doc.add_text("record_id", "hang")
    writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()

    idx = EmbeddedIndex(path)  # opens: the app and the reindex flow can start
    assert idx.outdated
    with pytest.raises(IndexSchemaMismatch, match="reindex"):
        idx.search(SearchQuery(text="nguyen"))
    with pytest.raises(IndexSchemaMismatch, match="reindex"):  # the dashboard's figures too
        idx.stats(DayRange.ending(date(2025, 1, 1), 14))
    store = LocalDirStore(tmp_path_factory.mktemp("store"))
    for r in RECORDS[:2]:
        save_record(store, r, reason="digitized", actor="op1")
    report = reindex(store, idx)
    assert report.indexed == 2 and not idx.outdated
    assert ids(idx, text="nguyen thi hang")[0] == "hang"
    assert idx.stats(DayRange.ending(date(2025, 1, 1), 14)).total == 2
    assert not EmbeddedIndex(path).outdated  # the next process opens the rebuilt index as current
