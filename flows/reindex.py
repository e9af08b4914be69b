"""Prefect flow: rebuild the search index from the records in the store (the index is derived, DESIGN.md §1).

Where the index can swap in a rebuilt copy (Elasticsearch: a new versioned index, then one alias move), the
wallet stays searchable all along and is never seen empty or half filled. The embedded index is emptied and
filled again (``pipeline.maintenance.reindex``): one machine, seconds per hundred thousand records.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from prefect import flow, get_run_logger

from pipeline.audit import backfill_record_pointers
from pipeline.index.base import RebuildableIndex, SearchIndex
from pipeline.maintenance import ReindexReport, current_records
from pipeline.maintenance import reindex as clear_and_refill
from pipeline.runtime import get_runtime
from pipeline.storage.base import ObjectStore
from schemas.wallet import WalletRecord


def rebuild_index(store: ObjectStore, index: SearchIndex) -> ReindexReport:
    """Rebuild ``index`` from the records in ``store``, without an empty moment where the index allows it."""
    if not isinstance(index, RebuildableIndex):
        return clear_and_refill(store, index)
    report = ReindexReport()

    def counted(records: Iterable[WalletRecord]) -> Iterator[WalletRecord]:
        for record in records:
            report.indexed += 1
            yield record

    index.rebuild(counted(current_records(store, report.unreadable)))
    return report


@flow(name="reindex")
def reindex() -> dict:
    rt = get_runtime()
    logger = get_run_logger()
    # Events written before per-record pointers and reuse-check marks existed get them (idempotent: none after once).
    pointers = backfill_record_pointers(rt.store)
    if pointers:
        logger.info("reindex: %d audit events given their pointers or reuse marks", pointers)
    report = rebuild_index(rt.store, rt.index)
    logger.info("reindex: %d records indexed", report.indexed)
    for key in report.unreadable:
        logger.error("reindex: unreadable record %s (left out of the index)", key)
    return {"indexed": report.indexed, "unreadable": report.unreadable}


if __name__ == "__main__":
    reindex()
