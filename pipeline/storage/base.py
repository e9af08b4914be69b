"""The object store protocol: the system of record for originals, records, OCR JSON and audit events.

Two adapters implement it (local directory, MinIO/S3) and one contract test suite runs against both.
There is deliberately no delete: originals are immutable and nothing the pipeline writes is ever removed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable
from urllib.parse import quote


class ObjectNotFound(KeyError):
    """The key does not exist in the store."""


class ObjectExists(Exception):
    """``put(..., overwrite=False)`` found the key already present (immutable objects are written once)."""


class StorageError(Exception):
    """The store could not be reached or refused the operation: transient, worth a retry."""


@dataclass(frozen=True)
class ObjectInfo:
    """What a store knows about one object.

    ``etag`` is an opaque change marker. It is the MD5 hex digest of the bytes whenever the object was stored in one
    part: always in the local store, below the multipart threshold (5 MiB) on S3; a multipart S3 upload has
    ``"<hex>-<parts>"``. ``metadata`` and ``content_type`` are filled by ``put`` and ``stat``; ``list`` leaves them
    at their defaults because S3 listings do not carry them (call ``stat`` for one object).
    """

    key: str
    size: int
    etag: str
    last_modified: datetime | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/octet-stream"


MAX_KEY_BYTES = 1024  # S3's limit on the UTF-8 length of a key
MAX_METADATA_BYTES = 2048  # S3's limit on user metadata (keys + values, UTF-8)
_METADATA_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")


def check_key(key: str) -> str:
    """Keys are relative, '/'-separated paths without '..' segments (the local adapter maps them to files).

    Also refused everywhere, so that both adapters accept the same keys: control characters (S3 listings are XML,
    file names cannot hold NUL) and keys over 1024 UTF-8 bytes (S3's limit). Keys are not Unicode-normalised: the
    caller decides (NFC recommended), and 'Hằng' in NFC and NFD are two different keys.
    """
    if not isinstance(key, str) or not key or key.startswith("/") or key.endswith("/") or "\\" in key:
        raise ValueError(f"invalid object key: {key!r}")
    if any(part in ("", ".", "..") for part in key.split("/")):
        raise ValueError(f"invalid object key: {key!r}")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in key):
        raise ValueError(f"invalid object key (control character): {key!r}")
    if len(key.encode("utf-8")) > MAX_KEY_BYTES:
        raise ValueError(f"invalid object key (over {MAX_KEY_BYTES} bytes): {key[:60]!r}…")
    return key


def check_metadata(metadata: Mapping[str, str] | None) -> dict[str, str]:
    """User metadata as every adapter stores and returns it: names lower-cased, values exact.

    S3 lower-cases (or capitalises) metadata names in headers, so names are case-insensitive and always returned
    lower-case; they must be ``[a-z0-9][a-z0-9_-]*`` after lower-casing. Values are any ``str`` (Vietnamese text
    included) and come back byte-for-byte, not Unicode-normalised. Names and values together must fit in 2 KiB of
    UTF-8, S3's limit, so that what the local store accepts a server accepts too.
    """
    result: dict[str, str] = {}
    for name, value in (metadata or {}).items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise ValueError(f"metadata names and values must be str: {name!r}={value!r}")
        lowered = name.lower()
        if not _METADATA_NAME.fullmatch(lowered):
            raise ValueError(f"invalid metadata name {name!r}: use letters, digits, '-' and '_'")
        if lowered in result:
            raise ValueError(f"metadata name {name!r} given twice (names are case-insensitive)")
        result[lowered] = value
    size = sum(len(n.encode()) + len(v.encode("utf-8")) for n, v in result.items())
    if size > MAX_METADATA_BYTES:
        raise ValueError(f"metadata is {size} bytes, over the {MAX_METADATA_BYTES}-byte limit")
    return result


def check_content_type(content_type: str) -> str:
    """A content type travels as an HTTP header: printable ASCII only (no line breaks to inject headers)."""
    printable = isinstance(content_type, str) and all(0x20 <= ord(c) < 0x7F for c in content_type)
    if not content_type or not printable:
        raise ValueError(f"invalid content type: {content_type!r}")
    return content_type


def inline_disposition(file_name: str) -> str:
    """``Content-Disposition`` that shows a file in the browser under its own name, Vietnamese included
    (RFC 6266: an ASCII ``filename`` for old clients, the UTF-8 ``filename*``)."""
    plain = unicodedata.normalize("NFD", file_name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = "".join(ch if 0x20 <= ord(ch) < 0x7F and ch not in '"\\' else "_"
                         for ch in plain if not unicodedata.combining(ch)) or "file"
    return f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name, safe='')}"


@runtime_checkable
class ObjectStore(Protocol):
    def put(
        self,
        key: str,
        data: bytes,
        *,
        content_type: str = "application/octet-stream",
        metadata: dict[str, str] | None = None,
        overwrite: bool = True,
    ) -> ObjectInfo:
        """Store ``data`` under ``key``. With ``overwrite=False`` an existing key raises :class:`ObjectExists`.

        Readers never see a partly written object. Invalid keys, metadata or content types raise ``ValueError``
        before anything is written (see :func:`check_key`, :func:`check_metadata`).
        """
        ...

    def get(self, key: str) -> bytes:
        """The object's bytes; :class:`ObjectNotFound` when absent."""
        ...

    def stat(self, key: str) -> ObjectInfo:
        """The object's metadata; :class:`ObjectNotFound` when absent."""
        ...

    def exists(self, key: str) -> bool:
        """Whether ``key`` is present (a store that cannot be reached raises :class:`StorageError`)."""
        ...

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Every object whose key starts with ``prefix`` (recursively), in key order (code point = UTF-8 byte order).

        ``prefix`` is a plain string prefix, as in S3: ``"a/b"`` matches ``a/b``, ``a/bc`` and ``a/b/c``; end it
        with ``/`` (``"a/b/"``) to list one folder only. Items carry key, size, etag and last_modified only.
        """
        ...

    def presigned_url(
        self, key: str, expires: timedelta, *, content_type: str | None = None, file_name: str | None = None
    ) -> str | None:
        """A signed URL that downloads the object until ``expires`` has passed (S3 allows 1 s to 7 days), for a
        browser to fetch the original straight from the store; ``None`` where the store cannot make one (local:
        stream it instead). ``content_type`` and ``file_name`` make the server answer with that type and
        ``Content-Disposition: inline`` under that name, so a browser shows the file rather than saving it.

        The URL is signed, not checked: a missing key gives a URL that answers 404. Anyone holding it can read the
        object until it expires, so keep ``expires`` short (minutes) for personal data.
        """
        ...
