"""Prefect flow: one stored original → record + OCR JSON in the store → indexed.

Thin by design: the work is :func:`pipeline.digitize.digitize`; this adds retries with backoff for transient
storage/index failures (a bad file is not retried: it is quarantined inside the stage).
"""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from pipeline.digitize import digitize
from pipeline.runtime import get_runtime

RETRY_DELAYS_S = [2, 10, 30]


@task(name="digitize", retries=len(RETRY_DELAYS_S), retry_delay_seconds=RETRY_DELAYS_S, cache_policy=NO_CACHE,
      task_run_name="digitize {key}")
def digitize_task(key: str, station: str | None = None, operator: str | None = None) -> dict:
    rt = get_runtime()
    result = digitize(key, store=rt.store, index=rt.index, engine=rt.engine, settings=rt.settings,
                      station=station, operator=operator)
    record = result.record
    return {
        "key": result.key,
        "sha256": result.sha256,
        "outcome": result.outcome.value,
        "pages": result.pages,
        "doc_type": record.doc_type if record else None,
        "status": record.extraction_status.value if record else None,
        "fields": len(record.fields) if record else 0,
        "reason": result.reason,
        "message": result.message,
    }


@flow(name="process-document", log_prints=False)
def process_document(key: str, station: str | None = None, operator: str | None = None) -> dict:
    summary = digitize_task(key, station, operator)
    get_run_logger().info("%s → %s %s", key, summary["outcome"], summary["doc_type"] or summary["reason"])
    return summary
