"""Prefect flow: digitize a batch of stored originals, several at once, with progress and a summary object."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime

from prefect import flow, get_run_logger
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from flows.process_document import digitize_task
from pipeline import progress
from pipeline.runtime import get_runtime
from pipeline.wallet import save_json

# Documents in flight at once. Each OCR process uses one core; pages of one document are also parallel,
# so two documents keep a 2-core machine busy without oversubscribing it.
BATCH_CONCURRENCY = 2


@flow(name="ingest-batch", task_runner=ThreadPoolTaskRunner(max_workers=BATCH_CONCURRENCY))
def ingest_batch(keys: list[str], batch_id: str, station: str | None = None, operator: str | None = None) -> dict:
    logger = get_run_logger()
    started = time.perf_counter()
    total = len(keys)
    logger.info("batch %s: %d files", batch_id, total)
    progress.report(0, total, "")
    futures = [digitize_task.submit(key, station, operator) for key in keys]
    items, failed = [], []
    for done, future in enumerate(as_completed(futures), start=1):
        try:
            item = future.result()
        except Exception as exc:  # retries exhausted: report, keep going, the sweep will pick it up again
            failed.append(str(exc))
            item = {"outcome": "failed", "message": str(exc), "pages": 0}
        items.append(item)
        logger.info("batch %s: %d/%d done (%s)", batch_id, done, total, item.get("outcome"))
        progress.report(done, total, item.get("key", ""))
    summary = summarise(batch_id, items, time.perf_counter() - started)
    save_json(get_runtime().store, f"batches/{batch_id}.json", summary)
    logger.info("batch %s finished: %s", batch_id, summary["outcomes"])
    return summary


def summarise(batch_id: str, items: list[dict], seconds: float) -> dict:
    pages = sum(i.get("pages") or 0 for i in items)
    return {
        "batch_id": batch_id,
        "finished_at": datetime.now(UTC).isoformat(),
        "files": len(items),
        "pages": pages,
        "seconds": round(seconds, 2),
        "pages_per_minute": round(pages / seconds * 60, 1) if seconds > 0 else 0.0,
        "outcomes": dict(Counter(i["outcome"] for i in items)),
        "doc_types": dict(Counter(i["doc_type"] for i in items if i.get("doc_type"))),
        "statuses": dict(Counter(i["status"] for i in items if i.get("status"))),
        "fields_extracted": sum(i.get("fields") or 0 for i in items),
        "quarantined": [{"key": i["key"], "reason": i["reason"], "message": i["message"]}
                        for i in items if i["outcome"] == "quarantined"],
        "items": items,
    }
