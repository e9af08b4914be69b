"""Prefect flow: rebuild the search index from the records in the store (the index is derived, DESIGN.md §1)."""

from __future__ import annotations

from prefect import flow, get_run_logger

from pipeline.maintenance import reindex as rebuild
from pipeline.runtime import get_runtime


@flow(name="reindex")
def reindex() -> dict:
    rt = get_runtime()
    report = rebuild(rt.store, rt.index)
    logger = get_run_logger()
    logger.info("reindex: %d records indexed", report.indexed)
    for key in report.unreadable:
        logger.error("reindex: unreadable record %s (left out of the index)", key)
    return {"indexed": report.indexed, "unreadable": report.unreadable}


if __name__ == "__main__":
    reindex()
