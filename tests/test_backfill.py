"""The backfill flow digitizes an archive by prefix or manifest, resumes from its checkpoint, holds a Prefect
global concurrency limit, and keeps results whose validity already ended, marked expired (Decree 45/2020 Art.15)."""

from __future__ import annotations

import json
from datetime import date
from itertools import pairwise

import pytest

from pipeline.audit import events
from pipeline.config import Settings
from pipeline.index.base import SearchQuery
from pipeline.runtime import get_runtime
from pipeline.sweep import backfill_run_name, checkpoint_key, load_checkpoint
from pipeline.wallet import load_record, sha256_hex
from samples.generator import generate_document
from schemas.wallet import Validity


@pytest.fixture()
def wallet_env(tmp_path, monkeypatch):
    monkeypatch.setenv("SOHOA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SOHOA_OCR_WORKERS", "1")
    return get_runtime(Settings())


def _archive(store, papers: dict[str, bytes]) -> dict[str, str]:
    """Put papers under archive/ as an old archive would be: no upload metadata at all."""
    for key, data in papers.items():
        store.put(key, data)
    return {key: sha256_hex(data) for key, data in papers.items()}


def test_backfill_resumes_after_a_pause_and_marks_ended_results_expired(prefect_harness, wallet_env):
    from prefect import get_client

    from flows.backfill import CONCURRENCY_LIMIT, backfill

    store, index = wallet_env.store, wallet_env.index
    ended = generate_document("quyet_dinh", 1, fmt="png", dpi=100)  # in force until 2023-02-15
    assert ended.truth["fields"]["hieu_luc_den"] < date.today().isoformat()
    shas = _archive(store, {
        "archive/2019/a-birth.png": generate_document("khai_sinh", 21, fmt="png", dpi=100).data,
        "archive/2019/b-decision.png": ended.data,
        "archive/2019/c-birth.png": generate_document("khai_sinh", 23, fmt="png", dpi=100).data,
        "archive/2020/d-birth.png": generate_document("khai_sinh", 24, fmt="png", dpi=100).data,
    })

    first = backfill(prefix="archive/2019/", max_items=2, chunk_size=1)
    assert first["finished"] is False and first["processed"] == 2
    assert first["position"] == "archive/2019/b-decision.png"
    run = backfill_run_name("prefix:archive/2019/")
    assert load_checkpoint(store, run, "prefix:archive/2019/").counts == {"digitized": 2}

    second = backfill(prefix="archive/2019/", chunk_size=1)
    assert second["finished"] is True and second["processed"] == 1  # only what was left
    assert second["counts"] == {"digitized": 3}
    assert json.loads(store.get(checkpoint_key(run)))["finished"] is True

    assert index.count() == 3 and load_record(store, shas["archive/2020/d-birth.png"]) is None  # outside prefix
    digitized = [e.sha256 for e in events(store) if e.action == "digitized"]
    assert sorted(digitized) == sorted(shas[k] for k in shas if k.startswith("archive/2019/"))  # each once
    assert {e.station for e in events(store)} == {"ARCHIVE"}

    decision = load_record(store, shas["archive/2019/b-decision.png"])
    assert decision.validity is Validity.EXPIRED  # kept and marked, not dropped
    assert load_record(store, shas["archive/2019/a-birth.png"]).validity is Validity.VALID
    expired_hits = index.search(SearchQuery(validity="expired")).hits
    assert [h.record.record_id for h in expired_hits] == [decision.record_id]

    # Walking a finished source again starts afresh and skips everything, from metadata.
    third = backfill(prefix="archive/2019/")
    assert third["counts"] == {"skipped": 3} and len(events(store)) == 3

    with get_client(sync_client=True) as client:
        assert client.read_global_concurrency_limit_by_name(CONCURRENCY_LIMIT).limit == 2


def test_backfill_from_a_manifest_uses_its_stations_and_notes_missing_objects(prefect_harness, wallet_env):
    from flows.backfill import backfill

    store = wallet_env.store
    shas = _archive(store, {"archive/hn/x.png": generate_document("khai_sinh", 31, fmt="png", dpi=100).data})
    manifest = "key,station,operator\narchive/hn/x.png,HN-ARCHIVE,thu\narchive/hn/gone.png,,\n\n"
    store.put("manifests/hn.csv", manifest.encode(), content_type="text/csv")

    result = backfill(manifest="manifests/hn.csv")

    assert result["finished"] is True and result["position"] == "2"
    assert result["counts"] == {"digitized": 1, "missing": 1}
    record = load_record(store, shas["archive/hn/x.png"])
    assert (record.station, record.operator) == ("HN-ARCHIVE", "thu")


def test_backfill_refuses_a_manifest_without_a_key_column(prefect_harness, wallet_env):
    from flows.backfill import backfill

    wallet_env.store.put("manifests/bad.csv", b"path,station\narchive/x.png,HN\n")
    with pytest.raises(ValueError, match="no 'key' column"):
        backfill(manifest="manifests/bad.csv")


def test_backfill_keeps_to_the_global_concurrency_limit(prefect_harness, wallet_env):
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    from flows.backfill import CONCURRENCY_LIMIT, backfill

    _archive(wallet_env.store, {f"archive/slow/{i}.png": generate_document("khai_sinh", 60 + i, fmt="png",
                                                                              dpi=100).data for i in range(3)})
    with get_client(sync_client=True) as client:
        client.upsert_global_concurrency_limit_by_name(CONCURRENCY_LIMIT, 1)  # an operator throttles backfills
        try:
            state = backfill(prefix="archive/slow/", return_state=True)
        finally:
            client.upsert_global_concurrency_limit_by_name(CONCURRENCY_LIMIT, 2)
        assert state.result()["counts"] == {"digitized": 3}
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(
            any_=[state.state_details.flow_run_id])))
    spans = sorted((r.start_time, r.end_time) for r in runs if r.name.startswith("backfill "))
    assert len(spans) == 3
    assert all(end <= next_start for (_, end), (next_start, _) in pairwise(spans))  # one at a time
