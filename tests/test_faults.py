"""Faults, against a real SeaweedFS and a real Prefect server: the S3 server dies mid-batch, a worker is killed
mid-flow. Running again completes the job with no paper lost and none digitized twice."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from pipeline.audit import events
from pipeline.config import Settings
from pipeline.runtime import get_runtime
from pipeline.sweep import backfill_run_name, load_checkpoint
from pipeline.wallet import load_record_versions, sha256_hex, upload_original
from samples.generator import generate_document
from tests.servers import SeaweedFS

ROOT = Path(__file__).resolve().parents[1]


def _papers(count: int, first_seed: int) -> list[bytes]:
    """Small distinct papers (100 dpi): real OCR, under a second each."""
    return [generate_document("khai_sinh", first_seed + i, fmt="png", dpi=100).data for i in range(count)]


def _record_shas(store) -> list[str]:
    return [i.key.split("/")[1] for i in store.list("records/") if i.key.endswith("/record.json")]


def _assert_each_paper_once(store, index, shas: list[str], in_flight: int = 2) -> None:
    """0 lost, 0 duplicated: one record (one version) and one index entry per paper.

    Only a paper in flight when the fault hit can have been OCR'd twice (its first run never wrote its record);
    the audit log then truthfully shows both runs.
    """
    assert sorted(_record_shas(store)) == sorted(shas)
    assert index.count() == len(shas)
    assert all(index.get(sha) is not None for sha in shas)
    assert all(len(load_record_versions(store, sha)) == 1 for sha in shas)
    digitized = Counter(e.sha256 for e in events(store) if e.action == "digitized")
    assert set(digitized) == set(shas)
    assert sum(n - 1 for n in digitized.values()) <= in_flight


def _wait_for(condition, timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(message)
        time.sleep(0.1)


def _point_at(monkeypatch, server: SeaweedFS, data_dir: Path) -> dict[str, str]:
    env = {**server.sohoa_env(f"faults-{uuid.uuid4().hex[:12]}"), "SOHOA_DATA_DIR": str(data_dir),
           "SOHOA_OCR_WORKERS": "1"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def test_s3_server_killed_mid_batch_and_restarted_loses_and_duplicates_nothing(prefect_harness, tmp_path,
                                                                               monkeypatch):
    from flows.sweep import sweep

    server = SeaweedFS(tmp_path / "weed")
    server.start()
    try:
        _point_at(monkeypatch, server, tmp_path / "data")
        rt = get_runtime(Settings())
        papers = _papers(20, 7000)
        for i, data in enumerate(papers):
            upload_original(rt.store, data, f"p{i:02d}.png", "HN-01", "lan", "b1")
        shas = [sha256_hex(d) for d in papers]

        outcome: dict = {}

        def first_run() -> None:
            try:
                outcome["result"] = sweep()
            except Exception as exc:  # noqa: BLE001 — the flow may fail while the store is down; that is the point
                outcome["error"] = exc

        worker = threading.Thread(target=first_run)
        worker.start()
        _wait_for(lambda: len(_record_shas(rt.store)) >= 4, 60, "the batch never started")
        server.stop()  # SIGKILL, mid-batch: every request fails until it is back
        time.sleep(0.5)
        server.start()
        worker.join(timeout=120)
        assert not worker.is_alive()

        left = len(papers) - len(_record_shas(rt.store))
        assert sweep()["pending"] == left  # the rerun does what the first run could not finish, nothing more
        assert sweep()["pending"] == 0
        _assert_each_paper_once(rt.store, rt.index, shas)
    finally:
        server.stop()


@pytest.mark.parametrize("flow", ["sweep", "backfill"])
def test_worker_killed_mid_flow_is_resumed_without_processing_anything_twice(prefect_harness, seaweedfs, tmp_path,
                                                                             monkeypatch, flow):
    from prefect.settings import PREFECT_API_URL

    env = _point_at(monkeypatch, seaweedfs, tmp_path)
    rt = get_runtime(Settings())
    papers = _papers(8, 8000 if flow == "sweep" else 8100)
    for i, data in enumerate(papers):
        if flow == "sweep":
            upload_original(rt.store, data, f"p{i:02d}.png", "HN-01", "lan", "b1")
        else:
            rt.store.put(f"archive/2015/p{i:02d}.png", data)
    shas = [sha256_hex(d) for d in papers]
    call = "from flows.sweep import sweep; sweep()" if flow == "sweep" else (
        "from flows.backfill import backfill; backfill(prefix='archive/2015/', chunk_size=2)")

    worker = subprocess.Popen([sys.executable, "-c", call], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL,
                              env={**os.environ, **env, "PREFECT_API_URL": PREFECT_API_URL.value()})
    try:
        _wait_for(lambda: len(_record_shas(rt.store)) >= 3 or worker.poll() is not None, 90, "worker never started")
        worker.kill()  # SIGKILL: no cleanup, mid-flow
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    done_at_kill = len(_record_shas(rt.store))
    assert 3 <= done_at_kill < len(papers), "the kill must land mid-flow"

    if flow == "sweep":
        from flows.sweep import sweep

        result = sweep()
        assert result["pending"] <= len(papers) - done_at_kill + 2  # only what was not done (and what was in flight)
    else:
        from prefect import get_client
        from prefect.client.schemas.actions import GlobalConcurrencyLimitUpdate

        from flows.backfill import CONCURRENCY_LIMIT, backfill

        # The killed worker still holds its backfill slots: a Prefect server frees them when their lease expires,
        # but the tests' temporary server runs no lease repossessor, so do what it (or an operator) would do.
        with get_client(sync_client=True) as client:
            client.update_global_concurrency_limit(CONCURRENCY_LIMIT, GlobalConcurrencyLimitUpdate(active_slots=0))
        source = "prefix:archive/2015/"
        assert load_checkpoint(rt.store, backfill_run_name(source), source).position  # it had checkpointed
        result = backfill(prefix="archive/2015/", chunk_size=2)
        assert result["finished"] is True
        assert result["processed"] < len(papers)  # resumed after the checkpoint, not from the start
    _assert_each_paper_once(rt.store, rt.index, shas)
