"""Prefect flow: the periodic sweep of ``incoming/`` that catches every original a bucket event missed.

Cheap when nothing is new (HEAD requests only, see :mod:`pipeline.sweep`); what it finds goes through the same
``ingest-batch`` flow as an upload, so it gets the same retries, progress log lines and batch summary object.
"""

from __future__ import annotations

from datetime import UTC, datetime

from prefect import flow, get_run_logger

from flows.ingest_batch import ingest_batch
from pipeline.runtime import get_runtime
from pipeline.sweep import plan_sweep
from pipeline.wallet import INCOMING


@flow(name="sweep")
def sweep(prefixes: list[str] | None = None, limit: int | None = None) -> dict:
    """Digitize the originals under ``prefixes`` (default ``incoming/``) that this pipeline version has not done."""
    logger = get_run_logger()
    rt = get_runtime()
    prefixes = prefixes or [INCOMING]
    plan = plan_sweep(rt.store, rt.settings.pipeline_version, prefixes, limit)
    logger.info("sweep of %s: %d originals, %d to digitize (%d copies of papers in this sweep)",
                ", ".join(prefixes), plan.looked_at, len(plan.keys), len(plan.copies))
    result: dict = {"looked_at": plan.looked_at, "pending": len(plan.keys), "outcomes": {}, "batches": []}
    if not plan.keys:
        return result
    batch_id = f"sweep-{datetime.now(UTC):%Y%m%d-%H%M%S-%f}"
    # Copies of a paper found in the same sweep wait for the first one, so the paper is OCR'd once.
    for wave, keys in ((batch_id, plan.first), (f"{batch_id}-copies", plan.copies)):
        if keys:
            summary = ingest_batch(keys, wave)
            result["batches"].append(wave)
            for outcome, n in summary["outcomes"].items():
                result["outcomes"][outcome] = result["outcomes"].get(outcome, 0) + n
    logger.info("sweep done: %s", result["outcomes"])
    return result


if __name__ == "__main__":
    sweep()
