"""Prefect flow: digitize an archive already in the store, walked by prefix or by a manifest CSV.

Resumable: after every chunk a checkpoint object (``backfill/<run>/checkpoint.json``) records how far the walk got,
so a run killed anywhere (worker lost, machine rebooted) is started again with the same parameters and goes on
from there; documents finished after the last checkpoint are recognised from the store and skipped, never
digitized twice. Rate-limited: the documents a run has in flight hold slots of the Prefect global concurrency
limit ``sohoa-backfill`` (one per document, taken per chunk), shared by every backfill run on every worker, so an
archive migration cannot starve the counters' uploads. Tune it with ``prefect gcl update sohoa-backfill --limit N``
(0 pauses every backfill between chunks); the flow creates it with ``max_parallel`` slots when it does not exist.
Slots are taken by the flow once per chunk rather than by each document's task: Prefect queues slot requests made
from tasks one at a time, which cost ~2 s per document even with slots free (measured with Prefect 3.9).

Validity is decided on the day the paper is digitized, as for any upload: a result whose validity already ended is
kept and marked ``expired`` (Decree 45/2020 Art.15), only results still in force are marked ``valid``.
"""

from __future__ import annotations

import time

from prefect import flow, get_client, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.concurrency.sync import concurrency
from prefect.futures import wait
from prefect.task_runners import ThreadPoolTaskRunner

from flows.process_document import RETRY_DELAYS_S, digitize_task
from pipeline.runtime import get_runtime
from pipeline.storage.base import ObjectNotFound
from pipeline.sweep import (
    BackfillCheckpoint,
    BackfillItem,
    backfill_run_name,
    backfill_source,
    chunks,
    load_checkpoint,
    needs_digitizing,
    save_checkpoint,
    walk_backfill,
)

CONCURRENCY_LIMIT = "sohoa-backfill"
CHUNK_SIZE = 20
# Slots are leased and renewed while held; a worker killed mid-chunk keeps its slots until the lease runs out and
# the Prefect server's lease repossessor frees them (~60 + 15 s). 60 s is the shortest lease Prefect renews.
LEASE_S = 60
THREADS = 2  # per run (one OCR per core); the global concurrency limit caps all runs on all workers together


@task(name="backfill-document", retries=len(RETRY_DELAYS_S), retry_delay_seconds=RETRY_DELAYS_S,
      cache_policy=NO_CACHE, task_run_name="backfill {key}")
def backfill_document(key: str, station: str, operator: str) -> dict:
    rt = get_runtime()
    try:
        if not needs_digitizing(rt.store, key, rt.settings.pipeline_version):
            return {"key": key, "outcome": "skipped"}
        return digitize_task.fn(key, station, operator)
    except ObjectNotFound:  # a manifest row naming an object that is not there: nothing to retry
        return {"key": key, "outcome": "missing"}


@flow(name="backfill", task_runner=ThreadPoolTaskRunner(max_workers=THREADS))
def backfill(
    prefix: str | None = None,
    manifest: str | None = None,
    run: str | None = None,
    station: str = "ARCHIVE",
    operator: str = "backfill",
    max_parallel: int = 2,
    chunk_size: int = CHUNK_SIZE,
    max_items: int | None = None,
) -> dict:
    """Walk ``prefix`` (e.g. ``archive/2019/``) or the ``manifest`` CSV object; resume run ``run`` if unfinished.

    ``max_items`` stops after that many documents with the checkpoint saved (the next run goes on from there).
    A finished run started again walks the source afresh, skipping what is done (cheap: HEAD requests).
    """
    logger = get_run_logger()
    store = get_runtime().store
    source = backfill_source(prefix, manifest)
    run = run or backfill_run_name(source)
    checkpoint = load_checkpoint(store, run, source)
    if checkpoint.finished:
        checkpoint = BackfillCheckpoint(run=run, source=source)
    elif checkpoint.position:
        logger.info("backfill %s: resuming after %s (%s)", run, checkpoint.position, dict(checkpoint.counts))
    parallel = max(1, min(THREADS, _ensure_concurrency_limit(CONCURRENCY_LIMIT, max_parallel)))

    started, processed = time.perf_counter(), 0
    retry_first = [BackfillItem(key, checkpoint.position) for key in checkpoint.failed]
    checkpoint.failed = []
    walk = walk_backfill(store, source, checkpoint.position)
    for chunk in _with_retries(retry_first, chunks(walk, chunk_size), chunk_size):
        if max_items is not None and processed >= max_items:
            break
        chunk = chunk if max_items is None else chunk[: max_items - processed]
        with concurrency(CONCURRENCY_LIMIT, occupy=min(parallel, len(chunk)), lease_duration=LEASE_S):
            outcomes = _run_chunk(chunk, station, operator, parallel)
        for item, outcome in zip(chunk, outcomes, strict=True):
            checkpoint.counts[outcome] = checkpoint.counts.get(outcome, 0) + 1
            if outcome == "failed":
                checkpoint.failed.append(item.key)
        processed += len(chunk)
        checkpoint.position = chunk[-1].position  # retried failures carry the position they were found at
        save_checkpoint(store, checkpoint)
        logger.info("backfill %s: %d documents this run, up to %s; %s", run, processed, checkpoint.position,
                    dict(checkpoint.counts))
    else:
        checkpoint.finished = True
        save_checkpoint(store, checkpoint)
    seconds = time.perf_counter() - started
    logger.info("backfill %s %s after %d documents in %.1f s: %s", run,
                "finished" if checkpoint.finished else "paused", processed, seconds, dict(checkpoint.counts))
    return {**checkpoint.model_dump(mode="json"), "processed": processed, "seconds": round(seconds, 2)}


def _run_chunk(chunk: list[BackfillItem], station: str, operator: str, parallel: int) -> list[str]:
    futures = []
    step = len(chunk) if parallel >= THREADS else parallel  # fewer slots than threads: that many at a time
    for start in range(0, len(chunk), step):
        group = [backfill_document.submit(item.key, item.station or station, item.operator or operator)
                 for item in chunk[start:start + step]]
        wait(group)
        futures += group
    outcomes = []
    for item, future in zip(chunk, futures, strict=True):
        try:
            outcomes.append(future.result()["outcome"])
        except Exception as exc:  # noqa: BLE001 — retries exhausted: note it, go on, retry on the next run
            get_run_logger().warning("backfill: %s failed after retries: %s", item.key, exc)
            outcomes.append("failed")
    return outcomes


def _with_retries(retry_first: list[BackfillItem], walk, size: int):
    yield from chunks(iter(retry_first), size)
    yield from walk


def _ensure_concurrency_limit(name: str, slots: int) -> int:
    """The limit's slots; created with ``slots`` if missing, an existing one (tuned by an operator) is kept."""
    from prefect.exceptions import ObjectNotFound as PrefectNotFound

    with get_client(sync_client=True) as client:
        try:
            limit = client.read_global_concurrency_limit_by_name(name)
        except PrefectNotFound:
            client.upsert_global_concurrency_limit_by_name(name, slots)
            return slots
    return limit.limit if limit.active else THREADS


if __name__ == "__main__":
    import sys

    backfill(prefix=sys.argv[1] if len(sys.argv) > 1 else "archive/")
