"""The long-lived resources of one process (store, index, OCR engine), opened once from the settings.

Flows and the CLI ask for them here instead of opening their own, so a worker keeps one index writer and one
engine however many documents it processes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from pipeline.config import Settings
from pipeline.index import open_index
from pipeline.index.base import SearchIndex
from pipeline.ocr import OcrEngine, open_engine
from pipeline.storage import open_store
from pipeline.storage.base import ObjectStore


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    store: ObjectStore
    index: SearchIndex
    engine: OcrEngine


_cache: dict[str, Runtime] = {}
_lock = threading.Lock()


def get_runtime(settings: Settings | None = None) -> Runtime:
    """Resources for ``settings`` (default: from the environment), shared by every caller in the process."""
    settings = settings or Settings()
    key = repr(sorted((k, str(getattr(v, "get_secret_value", lambda v=v: v)())) for k, v in settings))
    with _lock:
        if key not in _cache:
            _cache[key] = Runtime(settings, open_store(settings), open_index(settings),
                                  open_engine(settings.ocr_engine))
        return _cache[key]
