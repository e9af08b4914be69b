"""The long-lived resources of one process (store, index, OCR engine), opened once from the settings.

Flows and the CLI ask for them here instead of opening their own, so a worker keeps one index writer and one
engine however many documents it processes.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from pipeline.config import Settings
from pipeline.index import open_index
from pipeline.index.base import SearchIndex
from pipeline.maintenance import reindex
from pipeline.ocr import OcrEngine, open_engine
from pipeline.storage import open_store
from pipeline.storage.base import ObjectStore


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    store: ObjectStore
    index: SearchIndex
    engine: OcrEngine


log = logging.getLogger(__name__)

_cache: dict[str, Runtime] = {}
_lock = threading.Lock()


def get_runtime(settings: Settings | None = None) -> Runtime:
    """Resources for ``settings`` (default: from the environment), shared by every caller in the process."""
    settings = settings or Settings()
    key = repr(sorted((k, str(getattr(v, "get_secret_value", lambda v=v: v)())) for k, v in settings))
    with _lock:
        if key not in _cache:
            store, index = open_store(settings), open_index(settings)
            if getattr(index, "outdated", False):
                _rebuild(store, index)
            _cache[key] = Runtime(settings, store, index, open_engine(settings.ocr_engine, settings))
        return _cache[key]


def _rebuild(store: ObjectStore, index: SearchIndex) -> None:
    """An embedded index built by an older sohoa (another field layout) is rebuilt from the store on first use:
    the index is derived (the store keeps every record), so an upgrade never leaves the wallet unsearchable."""
    log.warning("the search index has an older layout: rebuilding it from the store")
    report = reindex(store, index)
    log.warning("search index rebuilt: %d records (%d unreadable)", report.indexed, len(report.unreadable))
