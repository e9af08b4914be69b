"""Bucket-event receiver: an original lands in ``incoming/``, the S3 server posts an event, digitizing starts.

Two payload shapes, one behaviour:

- ``POST /hooks/minio``: MinIO's bucket notification (S3 event JSON, ``Records[].s3.object.key/eTag``, keys
  URL-encoded), as production sends it (``mc event add … arn:minio:sqs::sohoa:webhook``);
- ``POST /hooks/seaweedfs``: SeaweedFS's filer webhook (``{"event_type", "key": "/buckets/<bucket>/<object>",
  "message": {"new_entry": …}}``), as the tests' real server sends it (DESIGN.md §6).

Both must carry ``Authorization: Bearer <SOHOA_WEBHOOK_TOKEN>`` (no token configured: everything is refused).
Only files under ``incoming/`` of the configured bucket start work; directories, deletes, SeaweedFS's own
``/buckets/.system/…`` entries, multipart parts and the pipeline's own writes (records, audit, …) are ignored.
Work starts through a :class:`Trigger` keyed on ``<key>@<etag>``, so the same event delivered twice (or a create
followed by an update) starts one run; digitizing is idempotent on the sha256 anyway. A bad body is answered 400,
a wrong token 401, an event for an object that is not there is logged and ignored: nothing a sender posts can
stop the receiver. When the store cannot be reached the answer is 503, so the sender retries (and the periodic
sweep catches whatever is still missed).
"""

from __future__ import annotations

import base64
import binascii
import concurrent.futures
import hmac
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import unquote_plus

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from pipeline.config import Settings
from pipeline.storage.base import ObjectNotFound, ObjectStore, StorageError, check_key
from pipeline.wallet import INCOMING

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
WATCHED_PREFIXES = (INCOMING,)  # archives go through the backfill flow, not one run per event


class BadEvent(ValueError):
    """The body is not an event of the expected shape."""


@dataclass(frozen=True)
class ObjectEvent:
    """A file was written to the bucket and may be an original to digitize."""

    key: str
    etag: str | None  # None when the event did not say; the receiver asks the store


class Trigger(Protocol):
    def submit(self, key: str, etag: str) -> str:
        """Start digitizing ``key`` unless ``key@etag`` was already started; return a run id or a note."""
        ...


# -- parsing ----------------------------------------------------------------------------------------------------


def parse_seaweedfs(payload: Any, bucket: str) -> tuple[list[ObjectEvent], list[str]]:
    """Events and ignore-notes from one SeaweedFS filer webhook body."""
    if not isinstance(payload, dict) or not isinstance(payload.get("event_type"), str):
        raise BadEvent("not a SeaweedFS filer event: no event_type")
    kind = payload["event_type"]
    message = payload.get("message") if isinstance(payload.get("message"), dict) else {}
    entry = message.get("new_entry")
    if kind not in ("create", "update", "rename"):
        return [], [f"{kind} event"]
    if not isinstance(entry, dict):
        raise BadEvent(f"SeaweedFS {kind} event without message.new_entry")
    parent, name = message.get("new_parent_path"), entry.get("name")
    path = f"{parent.rstrip('/')}/{name}" if isinstance(parent, str) and isinstance(name, str) else payload.get("key")
    if not isinstance(path, str):
        raise BadEvent("SeaweedFS event without a path")
    if entry.get("is_directory"):
        return [], [f"directory {path}"]
    prefix = "/buckets/"
    if not path.startswith(prefix):
        return [], [f"outside /buckets: {path}"]
    event_bucket, _, key = path[len(prefix):].partition("/")
    note = _ignore(event_bucket, key, bucket)
    if note:
        return [], [note]
    return [ObjectEvent(key, _seaweedfs_etag(entry))], []


def parse_minio(payload: Any, bucket: str) -> tuple[list[ObjectEvent], list[str]]:
    """Events and ignore-notes from one MinIO (S3 event notification) body."""
    records = payload.get("Records") if isinstance(payload, dict) else None
    if not isinstance(records, list):
        raise BadEvent("not an S3 event notification: no Records list")
    found, ignored = [], []
    for record in records:
        if not isinstance(record, dict) or not isinstance(record.get("s3"), dict):
            raise BadEvent("S3 event record without s3")
        name = str(record.get("eventName", ""))
        s3 = record["s3"]
        obj = s3.get("object") if isinstance(s3.get("object"), dict) else {}
        raw_key = obj.get("key")
        event_bucket = (s3.get("bucket") or {}).get("name") if isinstance(s3.get("bucket"), dict) else None
        if not isinstance(raw_key, str) or not isinstance(event_bucket, str):
            raise BadEvent("S3 event record without bucket name or object key")
        key = unquote_plus(raw_key)
        if not name.startswith("s3:ObjectCreated:"):
            ignored.append(f"{name or 'unnamed'} event")
            continue
        note = _ignore(event_bucket, key, bucket)
        if note:
            ignored.append(note)
            continue
        etag = obj.get("eTag")
        found.append(ObjectEvent(key, etag.strip('"') if isinstance(etag, str) and etag else None))
    return found, ignored


def _ignore(event_bucket: str, key: str, bucket: str) -> str | None:
    """Why an object event starts nothing, or None when it is an original to digitize."""
    if event_bucket != bucket:
        return f"other bucket {event_bucket!r}"
    try:
        check_key(key)
    except ValueError:
        return f"invalid key {key[:80]!r}"
    if not key.startswith(WATCHED_PREFIXES):
        return f"not an original: {key}"
    return None


def _seaweedfs_etag(entry: dict) -> str | None:
    """The S3 ETag of a filer entry: the stored ``Seaweed-X-Amz-ETag``, else the entry's MD5 (both base64)."""
    extended = entry.get("extended") if isinstance(entry.get("extended"), dict) else {}
    attributes = entry.get("attributes") if isinstance(entry.get("attributes"), dict) else {}
    try:
        if isinstance(extended.get("Seaweed-X-Amz-ETag"), str):
            return base64.b64decode(extended["Seaweed-X-Amz-ETag"], validate=True).decode("ascii").strip('"')
        if isinstance(attributes.get("md5"), str):
            return base64.b64decode(attributes["md5"], validate=True).hex()
    except (binascii.Error, UnicodeDecodeError):
        pass
    return None


# -- triggering -------------------------------------------------------------------------------------------------


class InlineTrigger:
    """Digitize in this process, on background threads: the embedded setup, with no Prefect worker.

    Remembers the last ``remember`` ``key@etag`` it started, so a repeated event starts nothing; a run that fails
    is forgotten, so the next event (or the sweep) tries again.
    """

    def __init__(self, settings: Settings, workers: int = 1, remember: int = 10_000) -> None:
        self.settings = settings
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sohoa-hook")
        self._started: OrderedDict[str, Future] = OrderedDict()
        self._remember = remember
        self._lock = threading.Lock()

    def submit(self, key: str, etag: str) -> str:
        ident = f"{key}@{etag}"
        with self._lock:
            if ident in self._started:
                return "already started"
            future = self._pool.submit(self._digitize, key, ident)
            self._started[ident] = future
            while len(self._started) > self._remember:
                self._started.popitem(last=False)
        return ident

    @property
    def started(self) -> list[str]:
        """The ``key@etag`` runs started (the most recent ``remember`` of them), oldest first."""
        with self._lock:
            return list(self._started)

    def wait(self, timeout: float | None = None) -> None:
        """Wait until every run started so far has finished (for tests and orderly shutdown)."""
        with self._lock:
            futures = list(self._started.values())
        concurrent.futures.wait(futures, timeout=timeout)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _digitize(self, key: str, ident: str) -> str | None:
        from pipeline.digitize import digitize
        from pipeline.runtime import get_runtime

        try:
            rt = get_runtime(self.settings)
            result = digitize(key, store=rt.store, index=rt.index, engine=rt.engine, settings=rt.settings)
            log.info("hook: %s → %s", key, result.outcome.value)
            return result.outcome.value
        except ObjectNotFound:
            log.warning("hook: %s is gone; ignored", key)
            return None
        except Exception:
            log.exception("hook: digitizing %s failed; the next event or the sweep will try again", key)
            with self._lock:
                self._started.pop(ident, None)
            return None


# -- the router -------------------------------------------------------------------------------------------------

router = APIRouter(prefix="/hooks", tags=["hooks"])
Parser = Callable[[Any, str], tuple[list[ObjectEvent], list[str]]]


@router.post("/seaweedfs", summary="SeaweedFS filer webhook")
async def seaweedfs_event(request: Request) -> JSONResponse:
    return await _receive(request, parse_seaweedfs, "seaweedfs")


@router.post("/minio", summary="MinIO / S3 bucket notification")
async def minio_event(request: Request) -> JSONResponse:
    return await _receive(request, parse_minio, "minio")


async def _receive(request: Request, parse: Parser, source: str) -> JSONResponse:
    settings: Settings = request.app.state.settings
    if not _authorized(request.headers.get("authorization", ""), settings):
        log.warning("hook %s: refused a request from %s (bad or missing bearer token)", source,
                    request.client.host if request.client else "?")
        return JSONResponse({"error": "unauthorized"}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        log.warning("hook %s: body of %d bytes refused", source, len(body))
        return JSONResponse({"error": "body too large"}, status_code=413)
    try:
        events, ignored = parse(json.loads(body), settings.minio_bucket)
    except (ValueError, TypeError, AttributeError) as exc:  # json.JSONDecodeError and BadEvent are ValueErrors
        log.warning("hook %s: malformed event (%s): %r", source, exc, body[:200])
        return JSONResponse({"error": f"malformed event: {exc}"}, status_code=400)
    try:
        started, more_ignored = await run_in_threadpool(
            _start, events, request.app.state.store, request.app.state.trigger)
    except StorageError as exc:
        log.error("hook %s: store unreachable, asking the sender to retry: %s", source, exc)
        return JSONResponse({"error": "store unavailable"}, status_code=503)
    except Exception as exc:  # the trigger (e.g. the Prefect API) failed; the sweep will catch it
        log.exception("hook %s: could not start processing", source)
        return JSONResponse({"error": f"could not start processing: {type(exc).__name__}"}, status_code=503)
    ignored += more_ignored
    if ignored:
        log.debug("hook %s: ignored %s", source, ignored)
    return JSONResponse({"started": started, "ignored": ignored}, status_code=202)


def _start(events: list[ObjectEvent], store: ObjectStore, trigger: Trigger) -> tuple[list[str], list[str]]:
    started, ignored = [], []
    for event in events:
        try:
            info = store.stat(event.key)
        except ObjectNotFound:
            log.warning("hook: event for %s, which is not in the store; ignored", event.key)
            ignored.append(f"missing: {event.key}")
            continue
        etag = event.etag or info.etag
        started.append(trigger.submit(event.key, etag))
        log.info("hook: %s@%s → %s", event.key, etag, started[-1])
    return started, ignored


def _authorized(header: str, settings: Settings) -> bool:
    if settings.webhook_token is None or not settings.webhook_token.get_secret_value():
        return False
    scheme, _, token = header.partition(" ")
    expected = settings.webhook_token.get_secret_value()
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), expected.encode())
