"""Progress as a tiny protocol: library code reports counts, the CLI draws a bar, flows write log lines.

Listeners are per process; a flow running in-process (the CLI's ingest) reaches the CLI's bar through them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

ProgressListener = Callable[[int, int, str], None]  # (done, total, message)

_listeners: list[ProgressListener] = []
_lock = threading.Lock()


def report(done: int, total: int, message: str = "") -> None:
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        listener(done, total, message)


@contextmanager
def listening(listener: ProgressListener) -> Iterator[None]:
    with _lock:
        _listeners.append(listener)
    try:
        yield
    finally:
        with _lock:
            _listeners.remove(listener)
