"""Object storage: the protocol, its two adapters, and ``open_store`` to pick one from the settings.

Callers import from here (``from pipeline.storage import open_store, ObjectNotFound``) and never name an adapter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.storage.base import (
    ObjectExists,
    ObjectInfo,
    ObjectNotFound,
    ObjectStore,
    StorageError,
    check_key,
    check_metadata,
)

if TYPE_CHECKING:
    from pipeline.config import Settings

__all__ = [
    "ObjectExists",
    "ObjectInfo",
    "ObjectNotFound",
    "ObjectStore",
    "StorageError",
    "check_key",
    "check_metadata",
    "open_store",
]


def open_store(settings: Settings) -> ObjectStore:
    """The store ``settings.store`` names; opening does no network I/O (the S3 bucket is made on first use)."""
    if settings.store == "local":
        from pipeline.storage.local import LocalDirStore

        return LocalDirStore(settings.local_store_dir)
    if settings.store == "minio":
        from pipeline.storage.minio_store import MinioStore

        return MinioStore(
            settings.minio_endpoint,
            settings.minio_access_key,
            settings.minio_secret_key.get_secret_value(),
            settings.minio_bucket,
            secure=settings.minio_secure,
        )
    raise ValueError(f"unknown store {settings.store!r}: expected 'local' or 'minio'")
