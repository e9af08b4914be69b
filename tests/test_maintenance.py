"""Records are versioned in the store; revalidate expires results whose validity ended; reindex rebuilds the index.

Runs against both stores (local directory and a real SeaweedFS) where the store's behaviour matters.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from pipeline.audit import events
from pipeline.index.base import SearchQuery
from pipeline.index.embedded import EmbeddedIndex
from pipeline.maintenance import reindex, revalidate
from pipeline.wallet import (
    load_record,
    load_record_versions,
    record_key,
    record_version_key,
    save_json,
    save_record,
)
from schemas.result import Status
from schemas.wallet import Validity, WalletRecord

TODAY = date(2026, 11, 26)


def record(sha: str, **kw: object) -> WalletRecord:
    base: dict[str, object] = {
        "record_id": sha, "doc_type": "cccd", "file_key": f"incoming/HN-01/b1/{sha}.png", "file_name": f"{sha}.png",
        "sha256": sha, "pages": 1, "extraction_status": Status.AUTO_APPROVED, "station": "HN-01",
        "operator": "lan", "digitized_at": datetime(2026, 1, 5, 8, 0, tzinfo=UTC), "pipeline_version": "0.1.0",
        "owner_name": "Nguyễn Thị Hằng", "owner_ids": ["001190012345"],
    }
    base.update(kw)
    return WalletRecord.model_validate(base)


def test_saving_a_record_again_keeps_the_previous_version(store):
    first = record("a" * 64, validity=Validity.VALID, valid_until=date(2030, 1, 1))
    assert save_record(store, first, reason="digitized", actor="lan") == 1
    corrected = first.model_copy(update={"owner_name": "Nguyễn Thị Hằng Nga"})
    assert save_record(store, corrected, reason="reviewed", actor="minh") == 2

    assert load_record(store, first.record_id) == corrected
    meta = store.stat(record_key(first.record_id)).metadata
    assert meta == {"record-version": "2", "pipeline-version": "0.1.0"}
    history = load_record_versions(store, first.record_id)
    assert [(v.version, v.reason, v.actor) for v in history] == [(1, "digitized", "lan"), (2, "reviewed", "minh")]
    assert history[0].record == first and history[1].record == corrected


def test_a_version_orphaned_by_a_crash_is_overwritten_not_skipped(tmp_path):
    from pipeline.storage.local import LocalDirStore

    store = LocalDirStore(tmp_path)
    rec = record("b" * 64)
    save_record(store, rec, reason="digitized", actor="lan")
    # A crash after writing version 2 but before record.json: the next save writes version 2 again.
    save_json(store, record_version_key(rec.record_id, 2), {"half": "written"})
    assert save_record(store, rec, reason="reviewed", actor="minh") == 2
    assert [v.reason for v in load_record_versions(store, rec.record_id)] == ["digitized", "reviewed"]


def test_record_copied_without_metadata_continues_after_the_highest_version(tmp_path):
    from pipeline.storage.local import LocalDirStore

    store = LocalDirStore(tmp_path)
    rec = record("c" * 64)
    save_record(store, rec, reason="digitized", actor="lan")
    save_record(store, rec, reason="reviewed", actor="lan")
    store.put(record_key(rec.record_id), store.get(record_key(rec.record_id)))  # metadata dropped
    assert save_record(store, rec, reason="expired", actor="revalidate") == 3


def test_revalidate_marks_ended_results_expired_in_record_index_and_audit(store, tmp_path):
    index = EmbeddedIndex(tmp_path / "index")
    ended = record("1" * 64, validity=Validity.VALID, valid_until=date(2026, 11, 25), owner_name="Lê Văn Hết")
    today_last = record("2" * 64, validity=Validity.VALID, valid_until=TODAY, owner_name="Lê Văn Nay")
    permanent = record("3" * 64, validity=Validity.VALID, permanent=True, owner_name="Lê Văn Mãi")
    unknown = record("4" * 64, validity=Validity.UNKNOWN, doc_type="khai_sinh", owner_name="Lê Văn Không")
    for r in (ended, today_last, permanent, unknown):
        save_record(store, r, reason="digitized", actor="lan")
    index.upsert([ended, today_last, permanent, unknown])

    report = revalidate(store, index, TODAY)

    assert report.checked == 4 and report.expired == [ended.record_id]
    now = load_record(store, ended.record_id)
    assert now.validity is Validity.EXPIRED and now.valid_until == ended.valid_until  # kept, marked, not removed
    assert [v.record.validity for v in load_record_versions(store, ended.record_id)] == [Validity.VALID,
                                                                                          Validity.EXPIRED]
    assert index.get(ended.record_id).validity is Validity.EXPIRED
    assert [h.record.record_id for h in index.search(SearchQuery(validity="expired")).hits] == [ended.record_id]
    assert load_record(store, today_last.record_id).validity is Validity.VALID  # valid through its last day
    expired_events = [e for e in events(store) if e.action == "expired"]
    assert len(expired_events) == 1 and expired_events[0].sha256 == ended.record_id
    assert expired_events[0].details["valid_until"] == "2026-11-25"

    again = revalidate(store, index, TODAY)  # the next run the same day changes nothing
    assert again.expired == [] and len(load_record_versions(store, ended.record_id)) == 2


def test_reindex_rebuilds_the_index_from_the_store_alone(tmp_path):
    from pipeline.storage.local import LocalDirStore

    store = LocalDirStore(tmp_path / "store")
    index = EmbeddedIndex(tmp_path / "index")
    kept = [record(f"{i:064x}", owner_name=f"Trần Văn {name}") for i, name in enumerate(["An", "Bình", "Chi"])]
    for r in kept:
        save_record(store, r, reason="digitized", actor="lan")
    save_record(store, kept[0].model_copy(update={"owner_name": "Trần Văn Ân"}), reason="reviewed", actor="minh")
    index.upsert([record("f" * 64, owner_name="Không Có Trong Kho")])  # stale: not in the store
    store.put("records/" + "e" * 64 + "/record.json", json.dumps({"broken": True}).encode())

    report = reindex(store, index, batch=2)

    assert report.indexed == 3 and report.unreadable == ["records/" + "e" * 64 + "/record.json"]
    assert index.count() == 3 and index.get("f" * 64) is None
    assert index.get(kept[0].record_id).owner_name == "Trần Văn Ân"  # the current version, not the first
    assert index.search(SearchQuery(text="tran van binh")).hits[0].record.record_id == kept[1].record_id


def test_reindex_and_revalidate_flows_work_on_the_configured_wallet(prefect_harness, tmp_path, monkeypatch):
    from flows.reindex import reindex as reindex_flow
    from flows.revalidate import revalidate as revalidate_flow
    from pipeline.config import Settings
    from pipeline.runtime import get_runtime

    monkeypatch.setenv("SOHOA_DATA_DIR", str(tmp_path))
    rt = get_runtime(Settings())
    ended = record("9" * 64, validity=Validity.VALID, valid_until=date(2020, 1, 1))
    save_record(rt.store, ended, reason="digitized", actor="lan")

    assert reindex_flow() == {"indexed": 1, "unreadable": []}
    assert rt.index.get(ended.record_id).validity is Validity.VALID
    assert revalidate_flow(today=TODAY)["expired"] == [ended.record_id]
    assert rt.index.get(ended.record_id).validity is Validity.EXPIRED


def test_an_index_of_an_older_layout_is_rebuilt_from_the_store_when_the_runtime_opens(tmp_path):
    """An upgrade changes the embedded index's fields: the first process to open it rebuilds it (the index is
    derived), so the wallet is searchable again without anyone running reindex by hand."""
    import tantivy

    from pipeline.config import Settings
    from pipeline.runtime import get_runtime
    from pipeline.storage.local import LocalDirStore

    settings = Settings(data_dir=tmp_path)
    kept = record("a" * 64, owner_name="Đặng Thu Thảo")
    save_record(LocalDirStore(settings.local_store_dir), kept, reason="digitized", actor="lan")
    older = tantivy.SchemaBuilder()
    older.add_text_field("record_id", tokenizer_name="raw", index_option="basic")
    settings.index_dir.mkdir(parents=True)
    tantivy.Index(older.build(), path=str(settings.index_dir))
    assert EmbeddedIndex(settings.index_dir).outdated

    index = get_runtime(settings).index

    assert not index.outdated
    assert [h.record.record_id for h in index.search(SearchQuery(text="dang thu thao")).hits] == [kept.record_id]
