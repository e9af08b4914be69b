"""The review desk on real digitized papers: queue, corrections (re-parsed, re-validated, re-indexed), approve, reject."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from pipeline import review
from pipeline.audit import events
from pipeline.config import Settings
from pipeline.digitize import digitize
from pipeline.index.base import SearchQuery
from pipeline.index.embedded import EmbeddedIndex
from pipeline.ocr import open_engine
from pipeline.storage.local import LocalDirStore
from pipeline.wallet import load_record, load_record_versions, upload_original
from samples.generator import generate_document
from schemas.identity import mask_id
from schemas.result import Status
from schemas.wallet import ReviewState

TODAY = date(2026, 11, 26)
# Every value OCR reads is below 1.0, so a threshold of 1.0 sends every paper to review: a real queue to work on.
PAPERS = (("khai_sinh", 311, "HN-01"), ("cccd", 312, "HN-01"), ("cccd", 313, "HN-02"))


@pytest.fixture(scope="module")
def digitized(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """Three papers digitized once (OCR is the slow part); each test works on its own copy."""
    root = tmp_path_factory.mktemp("review-wallet")
    settings = Settings(data_dir=root, ocr_workers=1, review_threshold=1.0)
    store, index = LocalDirStore(settings.local_store_dir), EmbeddedIndex(settings.index_dir)
    engine = open_engine("tesseract")
    ids = {}
    for doc_type, seed, station in PAPERS:
        doc = generate_document(doc_type, seed, variant="clean", fmt="png")
        key = upload_original(store, doc.data, f"{doc_type}-{seed}.png", station, "lan", "b1")
        result = digitize(key, store=store, index=index, engine=engine, settings=settings, today=TODAY)
        ids[f"{doc_type}-{seed}"] = result.sha256
    return root, ids


@pytest.fixture()
def wallet(digitized, tmp_path):
    root, ids = digitized
    shutil.copytree(root, tmp_path / "w")
    settings = Settings(data_dir=tmp_path / "w")
    return LocalDirStore(settings.local_store_dir), EmbeddedIndex(settings.index_dir), ids


def test_queue_holds_pending_papers_least_confident_first(wallet):
    store, index, ids = wallet
    queue = review.review_queue(store, index, today=TODAY)
    assert {item.record.record_id for item in queue} == set(ids.values())
    confidences = [item.confidence for item in queue]
    assert confidences == sorted(confidences)
    for item in queue:
        fields, _ = review.field_views(store, item.record, today=TODAY)
        assert item.confidence == review.paper_confidence(item.record, fields) < 1.0


def test_queue_filters_by_station(wallet):
    store, index, ids = wallet
    hn01 = review.review_queue(store, index, "HN-01", today=TODAY)
    hn02 = review.review_queue(store, index, "HN-02", today=TODAY)
    assert {i.record.record_id for i in hn01} == {ids["khai_sinh-311"], ids["cccd-312"]}
    assert [i.record.record_id for i in hn02] == [ids["cccd-313"]]
    assert review.review_queue(store, index, "DN-09", today=TODAY) == []


def test_queue_asks_the_index_for_the_backlog_only(wallet):
    store, index, ids = wallet
    asked: list[SearchQuery] = []

    class Recording(EmbeddedIndex):  # the real index, remembering what it was asked
        def search(self, query: SearchQuery):
            asked.append(query)
            return super().search(query)

    recording = Recording(index.path)
    review.approve(store, recording, ids["cccd-312"], actor="lan", station="HN-01", today=TODAY)
    asked.clear()
    queue = review.review_queue(store, recording, "HN-01", today=TODAY)
    assert [i.record.record_id for i in queue] == [ids["khai_sinh-311"]]
    assert asked and all(q.review_state == ReviewState.PENDING and q.station == "HN-01" for q in asked)
    assert all(set(q.extraction_status) == {Status.NEEDS_REVIEW, Status.REJECTED} for q in asked)


def test_queue_says_why_a_paper_waits(wallet):
    store, index, ids = wallet
    rid = ids["cccd-313"]
    review.correct(store, index, rid, {"ho_ten": ""}, actor="lan", station="HN-02", today=TODAY)
    (item,) = review.review_queue(store, index, "HN-02", today=TODAY)
    assert item.missing == ["ho_ten"] and item.confidence == 0.0
    assert item.known_type
    if item.weakest is not None:  # a machine-read value below the bar is named, never a corrected one
        assert item.weakest.confidence < review.LOW_CONFIDENCE and not item.weakest.corrected
    review.correct(store, index, rid, {"so_dinh_danh": "12345"}, actor="lan", station="HN-02", today=TODAY)
    (item,) = review.review_queue(store, index, "HN-02", today=TODAY)
    assert "cccd_format" in {issue.code for issue in item.issues if issue.field == "so_dinh_danh"}


def test_fields_carry_page_and_box_of_the_scan(wallet):
    store, _, ids = wallet
    view = review.review_view(store, load_record(store, ids["khai_sinh-311"]), today=TODAY)
    found = [f for f in view.fields if f.value is not None]
    assert found and all(f.page == 1 and f.bbox is not None for f in found)
    width, height = view.page_sizes[1]
    for f in found:
        x0, y0, x1, y1 = f.bbox
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
    assert not any(f.corrected for f in view.fields)


def test_correction_is_parsed_versioned_audited_and_reindexed(wallet):
    store, index, ids = wallet
    rid = ids["khai_sinh-311"]
    before = load_record(store, rid)
    outcome = review.correct(store, index, rid, {"ho_ten": "  trần   thị bích ngọc ", "ngay_sinh": "05/03/2001"},
                             actor="lan", station="HN-01", today=TODAY)
    assert outcome.record.fields["ho_ten"] == "Trần Thị Bích Ngọc"
    assert outcome.record.fields["ngay_sinh"] == "2001-03-05"
    assert outcome.record.owner_name == "Trần Thị Bích Ngọc"  # Kho metadata follows the corrected values
    assert load_record(store, rid) == outcome.record
    versions = load_record_versions(store, rid)
    assert [v.reason for v in versions] == ["digitized", "corrected"] and versions[-1].actor == "lan"
    assert versions[0].record == before
    event = [e for e in events(store) if e.action == "review_corrected"][-1]
    assert event.operator == "lan" and event.station == "HN-01" and event.sha256 == rid
    assert event.details["changes"]["ho_ten"] == {"old": before.fields.get("ho_ten"), "new": "Trần Thị Bích Ngọc"}
    hits = index.search(SearchQuery(text="tran thi bich ngoc")).hits
    assert hits and hits[0].record.record_id == rid and hits[0].record.fields["ngay_sinh"] == "2001-03-05"
    view = review.review_view(store, outcome.record, today=TODAY)
    corrected = {f.name: f for f in view.fields if f.corrected}
    assert set(corrected) == {"ho_ten", "ngay_sinh"}
    assert all(f.confidence == review.HUMAN_CONFIDENCE and f.bbox is not None for f in corrected.values())


def test_invalid_correction_is_kept_and_shows_as_an_issue(wallet):
    store, index, ids = wallet
    rid = ids["cccd-312"]
    outcome = review.correct(store, index, rid, {"so_dinh_danh": "12345", "ngay_sinh": "31/02/1990"},
                             actor="lan", station="HN-01", today=TODAY)
    assert outcome.record.fields["so_dinh_danh"] == "12345"
    codes = {(i.field, i.code) for i in outcome.issues}
    assert ("so_dinh_danh", "cccd_format") in codes and ("ngay_sinh", "invalid_date") in codes
    view = review.review_view(store, outcome.record, today=TODAY)
    by_name = {f.name: f for f in view.fields}
    assert [i.code for i in by_name["so_dinh_danh"].issues] == ["cccd_format"]
    # the human summary never shows an identity number in full; the audit details keep the exact values
    event = [e for e in events(store) if e.action == "review_corrected"][-1]
    old_id = load_record_versions(store, rid)[0].record.fields.get("so_dinh_danh")
    assert old_id and old_id not in event.details["summary"]
    assert mask_id(old_id) in event.details["summary"]
    assert "12345" not in event.details["summary"]
    assert event.details["changes"]["so_dinh_danh"]["new"] == "12345"


def test_changing_a_validity_field_recomputes_validity(wallet):
    store, index, ids = wallet
    rid = ids["cccd-312"]
    expired = review.correct(store, index, rid, {"ngay_het_han": "01/01/2020"}, actor="lan", station="HN-01",
                             today=TODAY)
    assert expired.record.valid_until == date(2020, 1, 1) and expired.record.validity == "expired"
    valid = review.correct(store, index, rid, {"ngay_het_han": "2040-01-01"}, actor="lan", station="HN-01",
                           today=TODAY)
    assert valid.record.validity == "valid"
    assert index.get(rid).validity == "valid"


def test_same_value_again_saves_no_version(wallet):
    store, index, ids = wallet
    rid = ids["cccd-313"]
    current = load_record(store, rid).fields
    name, value = next((k, v) for k, v in current.items() if isinstance(v, str))
    outcome = review.correct(store, index, rid, {name: value}, actor="an", station="HN-02", today=TODAY)
    assert outcome.version is None and outcome.changes == {}
    assert len(load_record_versions(store, rid)) == 1
    assert not [e for e in events(store) if e.action == "review_corrected"]


def test_empty_value_clears_the_field(wallet):
    store, index, ids = wallet
    rid = ids["cccd-313"]
    assert load_record(store, rid).fields.get("quoc_tich") is not None
    outcome = review.correct(store, index, rid, {"quoc_tich": "  "}, actor="an", station="HN-02", today=TODAY)
    assert "quoc_tich" not in outcome.record.fields


def test_unknown_field_is_refused(wallet):
    store, index, ids = wallet
    with pytest.raises(review.UnknownField):
        review.correct(store, index, ids["cccd-313"], {"so_phat_hanh": "BT255184"}, actor="an", station="HN-02")


def test_approve_closes_the_review(wallet):
    store, index, ids = wallet
    rid = ids["khai_sinh-311"]
    outcome = review.approve(store, index, rid, actor="lan", station="HN-01", today=TODAY)
    assert outcome.record.review_state is ReviewState.APPROVED
    assert index.get(rid).review_state is ReviewState.APPROVED
    assert load_record_versions(store, rid)[-1].reason == "approved"
    assert [e.action for e in events(store)][-1] == "review_approved"
    assert rid not in {i.record.record_id for i in review.review_queue(store, index, today=TODAY)}
    with pytest.raises(review.ReviewClosed):
        review.correct(store, index, rid, {"ho_ten": "Lê Văn Tám"}, actor="lan", station="HN-01")
    with pytest.raises(review.ReviewClosed):
        review.reject(store, index, rid, "nhầm", actor="lan", station="HN-01")


def test_reject_needs_a_reason_and_records_it(wallet):
    store, index, ids = wallet
    rid = ids["cccd-313"]
    with pytest.raises(review.ReviewError):
        review.reject(store, index, rid, "   ", actor="an", station="HN-02")
    outcome = review.reject(store, index, rid, "Bản scan thiếu mặt sau", actor="an", station="HN-02")
    assert outcome.record.review_state is ReviewState.REJECTED
    event = [e for e in events(store) if e.action == "review_rejected"][-1]
    assert event.details["reason"] == "Bản scan thiếu mặt sau" and event.operator == "an"
    assert index.get(rid).review_state is ReviewState.REJECTED
    assert review.review_queue(store, index, "HN-02", today=TODAY) == []


def test_missing_record_is_reported(wallet):
    store, index, _ = wallet
    with pytest.raises(review.RecordNotFound):
        review.approve(store, index, "0" * 64, actor="lan", station="HN-01")


def test_parse_correction_reads_values_as_extraction_does():
    assert review.parse_correction("khai_sinh", "ngay_sinh", "ngày 05 tháng 3 năm 2021") == "2021-03-05"
    assert review.parse_correction("khai_sinh", "gioi_tinh", "nu") == "Nữ"
    assert review.parse_correction("khai_sinh", "ho_ten", "NGUYỄN  THỊ HẰNG") == "Nguyễn Thị Hằng"
    assert review.parse_correction("gcn_qsdd", "dien_tich", "120,5 m²") == 120.5
    assert review.parse_correction("khai_sinh", "noi_sinh", "   ") is None
    assert mask_id("001190012345") == "0011******45"
