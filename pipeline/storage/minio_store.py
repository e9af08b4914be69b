"""The object store on an S3 server (MinIO in production, SeaweedFS in tests), through the ``minio`` SDK.

What this adapter adds on top of the SDK, so that it behaves like the local store:

- User metadata round-trips exactly. S3 carries it in ``x-amz-meta-*`` headers, which are ASCII and whose names
  servers re-case, so names are lower-cased (:func:`~pipeline.storage.base.check_metadata`) and values are
  percent-encoded (UTF-8) on the way in and decoded on the way out. A value written by another tool that contains
  a literal ``%xx`` is therefore decoded too.
- ``overwrite=False`` is stat-then-put, which races: two writers that both stat before either puts both succeed
  and the later one wins. Harmless where the key is derived from the content (same key, same bytes); never use it
  as a lock. (A conditional PUT, ``If-None-Match: *``, would close the race; SeaweedFS and MinIO honour it, but the
  SDK's public ``put_object`` cannot send it.)
- ``list`` is recursive and sorted here: SeaweedFS walks folders depth-first, which puts ``a/b/x`` before
  ``a/b-c``, unlike S3. Sorting holds one listing's keys and sizes in memory (a few hundred bytes per object).
- Errors become :class:`~pipeline.storage.base.ObjectNotFound` / :class:`~pipeline.storage.base.StorageError`,
  and a dead server fails within seconds: short connect timeout, two retries, not the SDK's 5 minutes x 5.
- The bucket is created on first use, not on construction, so a process can start while the server is down.
"""

from __future__ import annotations

import contextlib
import io
import threading
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import quote, unquote

import urllib3
from minio import Minio
from minio.error import MinioException, S3Error
from urllib3.util import Retry, Timeout

from pipeline.storage.base import (
    ObjectExists,
    ObjectInfo,
    ObjectNotFound,
    StorageError,
    check_content_type,
    check_key,
    check_metadata,
    inline_disposition,
)

_META_PREFIX = "x-amz-meta-"
_NOT_FOUND_CODES = frozenset({"NoSuchKey", "NoSuchObject", "ResourceNotFound"})
# Printable ASCII left as is in encoded metadata values; '%' and space (which SigV4 trims) are always encoded.
_SAFE = "!#$&'()*+,/:;=?@[]^`{|}"
_NETWORK_ERRORS = (MinioException, urllib3.exceptions.HTTPError, OSError)


class MinioStore:
    """:class:`~pipeline.storage.base.ObjectStore` over one bucket of an S3 server."""

    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        *,
        secure: bool = False,
        connect_timeout: float = 3.0,
        read_timeout: float = 30.0,
        retries: int = 2,
    ) -> None:
        http = urllib3.PoolManager(
            timeout=Timeout(connect=connect_timeout, read=read_timeout),
            retries=Retry(total=retries, backoff_factor=0.2, status_forcelist=(500, 502, 503, 504)),
            maxsize=10,
        )
        self.endpoint = endpoint
        self.bucket = bucket
        self._client = Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=secure, http_client=http)
        self._bucket_ready = False
        self._bucket_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"MinioStore({self.endpoint!r}, bucket={self.bucket!r})"

    def put(
        self,
        key: str,
        data: bytes,
        *,
        content_type: str = "application/octet-stream",
        metadata: dict[str, str] | None = None,
        overwrite: bool = True,
    ) -> ObjectInfo:
        check_key(key)
        content_type = check_content_type(content_type)
        clean_metadata = check_metadata(metadata)
        data = bytes(data)
        headers: dict[str, str | list[str] | tuple[str]] = {
            _META_PREFIX + name: quote(value, safe=_SAFE) for name, value in clean_metadata.items()
        }
        if not overwrite and self.exists(key):
            raise ObjectExists(key)
        with self._errors(key):
            self._ensure_bucket()
            result = self._client.put_object(
                self.bucket, key, io.BytesIO(data), len(data), content_type=content_type, metadata=headers
            )
        return ObjectInfo(key, len(data), _etag(result.etag), result.last_modified, clean_metadata, content_type)

    def get(self, key: str) -> bytes:
        check_key(key)
        with self._errors(key):
            self._ensure_bucket()
            response = self._client.get_object(self.bucket, key)
            try:
                return response.read()
            finally:
                response.close()
                response.release_conn()

    def stat(self, key: str) -> ObjectInfo:
        check_key(key)
        with self._errors(key):
            self._ensure_bucket()
            found = self._client.stat_object(self.bucket, key)
        metadata = {
            name.lower()[len(_META_PREFIX) :]: unquote(value)
            for name, value in (found.metadata or {}).items()
            if name.lower().startswith(_META_PREFIX)
        }
        return ObjectInfo(
            key,
            found.size or 0,
            _etag(found.etag),
            found.last_modified,
            metadata,
            found.content_type or "application/octet-stream",
        )

    def exists(self, key: str) -> bool:
        try:
            self.stat(key)
        except ObjectNotFound:
            return False
        return True

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        with self._errors(prefix):
            self._ensure_bucket()
            found = [
                ObjectInfo(item.object_name, item.size or 0, _etag(item.etag), item.last_modified)
                for item in self._client.list_objects(self.bucket, prefix=prefix or None, recursive=True)
                if not item.is_dir and item.object_name is not None
            ]
        found.sort(key=lambda info: info.key)
        yield from found

    def presigned_url(
        self, key: str, expires: timedelta, *, content_type: str | None = None, file_name: str | None = None
    ) -> str | None:
        check_key(key)
        if not timedelta(seconds=1) <= expires <= timedelta(days=7):
            raise ValueError(f"a presigned URL lasts from 1 second to 7 days, not {expires}")
        answer: dict[str, str | list[str] | tuple[str]] = {}  # response-* overrides, part of the signature
        if content_type:
            answer["response-content-type"] = check_content_type(content_type)
        if file_name:
            answer["response-content-disposition"] = inline_disposition(file_name)
        with self._errors(key):
            self._ensure_bucket()  # the SDK asks the server for the bucket's region to sign
            return self._client.presigned_get_object(self.bucket, key, expires=expires,
                                                     response_headers=answer or None)

    # -- internals --------------------------------------------------------------------------------------------

    def _ensure_bucket(self) -> None:
        if self._bucket_ready:
            return
        with self._bucket_lock:
            if not self._bucket_ready:
                if not self._client.bucket_exists(self.bucket):
                    try:
                        self._client.make_bucket(self.bucket)
                    except S3Error as exc:
                        if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                            raise
                self._bucket_ready = True

    @contextlib.contextmanager
    def _errors(self, key: str) -> Iterator[None]:
        """Turn SDK and network errors into the store's own exceptions."""
        try:
            yield
        except S3Error as exc:
            if exc.code in _NOT_FOUND_CODES:
                raise ObjectNotFound(key) from None
            if exc.code == "NoSuchBucket":
                self._bucket_ready = False  # created again on the next call
            raise StorageError(f"{self!r} failed on {key!r}: {exc.code}: {exc.message}") from exc
        except _NETWORK_ERRORS as exc:
            raise StorageError(f"{self!r} failed on {key!r}: {_describe(exc)}") from exc


def _etag(value: str | None) -> str:
    return (value or "").strip('"')


def _describe(exc: BaseException) -> str:
    if isinstance(exc, urllib3.exceptions.MaxRetryError) and exc.reason is not None:
        return f"unreachable ({exc.reason})"
    return f"{type(exc).__name__}: {exc}"
