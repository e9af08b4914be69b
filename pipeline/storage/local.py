"""The object store as plain files on one machine: the default, so a new user needs no server.

Layout under ``root`` (nothing else is ever written there)::

    objects/<key>        the bytes, one ordinary file per object (browse or back up with any tool)
    meta/<key>           sidecar, JSON: etag, size, content type, user metadata (never listed as an object)
    tmp/                 half-written files; same filesystem, so ``os.replace``/``os.link`` are atomic
    .lock                ``flock``: writers exclusive, ``stat``/``list`` shared

Writes go to ``tmp/`` first, are fsynced, then moved into place, so a reader never sees a partial object.
``overwrite=False`` publishes with ``os.link``, which fails if the name exists: atomic even against a writer in
another process that ignores the lock. The lock only keeps the data file and its sidecar in step.

A file with no sidecar (copied in by hand, or a crash between the two renames) still reads as an object: its
etag is computed from the bytes and its metadata is empty. A sidecar whose size disagrees with the file is
treated the same way (a crash in the middle of an overwrite that kept the size is not detected).

Unlike S3, a key cannot be both an object and a folder (``a/b`` and ``a/b/c``): the second put raises
``ValueError``. Files are created mode 0600 (they hold personal data). POSIX only (``fcntl``).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pipeline.storage.base import (
    ObjectExists,
    ObjectInfo,
    ObjectNotFound,
    StorageError,
    check_content_type,
    check_key,
    check_metadata,
)


class LocalDirStore:
    """:class:`~pipeline.storage.base.ObjectStore` over a directory tree."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).absolute()
        self._objects = self.root / "objects"
        self._meta = self.root / "meta"
        self._tmp = self.root / "tmp"
        for folder in (self._objects, self._meta, self._tmp):
            folder.mkdir(parents=True, exist_ok=True)
        self._lock_path = self.root / ".lock"
        self._lock_path.touch(exist_ok=True)

    def __repr__(self) -> str:
        return f"LocalDirStore({str(self.root)!r})"

    # -- writing ----------------------------------------------------------------------------------------------

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
        etag = hashlib.md5(data, usedforsecurity=False).hexdigest()
        sidecar = {"etag": etag, "size": len(data), "content_type": content_type, "metadata": clean_metadata}
        target, sidecar_target = self._object_path(key), self._sidecar_path(key)
        data_tmp = sidecar_tmp = None
        try:
            data_tmp = self._write_temp(data)
            sidecar_tmp = self._write_temp(json.dumps(sidecar, ensure_ascii=False).encode("utf-8"))
            self._make_parent(target, key)
            self._make_parent(sidecar_target, key)
            with self._locked(fcntl.LOCK_EX):
                if overwrite:
                    os.replace(data_tmp, target)
                    data_tmp = None
                else:
                    try:
                        os.link(data_tmp, target)  # fails if the name exists, unlike rename
                    except FileExistsError:
                        if target.is_dir():
                            raise IsADirectoryError(key) from None
                        raise ObjectExists(key) from None
                os.replace(sidecar_tmp, sidecar_target)
                sidecar_tmp = None
            _fsync_dir(target.parent)
            _fsync_dir(sidecar_target.parent)
            modified = _mtime(target.stat())
        except IsADirectoryError:
            raise ValueError(f"key {key!r} is a folder of other objects in the local store") from None
        except OSError as exc:
            raise _storage_error(exc, key) from exc
        finally:
            for leftover in (data_tmp, sidecar_tmp):
                if leftover is not None:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(leftover)
        return ObjectInfo(key, len(data), etag, modified, clean_metadata, content_type)

    # -- reading ----------------------------------------------------------------------------------------------

    def get(self, key: str) -> bytes:
        path = self._object_path(check_key(key))
        try:
            return path.read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise ObjectNotFound(key) from None
        except OSError as exc:
            raise _storage_error(exc, key) from exc

    def stat(self, key: str) -> ObjectInfo:
        check_key(key)
        try:
            with self._locked(fcntl.LOCK_SH):
                return self._info(key, full=True)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise ObjectNotFound(key) from None
        except OSError as exc:
            raise _storage_error(exc, key) from exc

    def exists(self, key: str) -> bool:
        return self._object_path(check_key(key)).is_file()

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        for key in _keys(self._objects, prefix):
            try:
                with self._locked(fcntl.LOCK_SH):
                    info = self._info(key, full=False)
            except FileNotFoundError:
                continue  # there is no delete, but a hand-made file may go away
            except OSError as exc:
                raise _storage_error(exc, key) from exc
            yield info  # outside the lock: the caller may put() while iterating

    def presigned_url(
        self, key: str, expires: timedelta, *, content_type: str | None = None, file_name: str | None = None
    ) -> str | None:
        check_key(key)
        return None  # no server to sign for: the web app streams the file itself

    # -- internals --------------------------------------------------------------------------------------------

    def _object_path(self, key: str) -> Path:
        return self._objects.joinpath(*key.split("/"))

    def _sidecar_path(self, key: str) -> Path:
        # The same relative path as the data file: the two trees can only conflict where objects/ does.
        return self._meta.joinpath(*key.split("/"))

    def _info(self, key: str, *, full: bool) -> ObjectInfo:
        """Read the data file's stat and its sidecar; a missing or stale sidecar falls back to the bytes."""
        path = self._object_path(key)
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise IsADirectoryError(key)
        sidecar = _read_sidecar(self._sidecar_path(key), st.st_size)
        if sidecar is None:
            sidecar = {"etag": _md5_file(path), "metadata": {}, "content_type": "application/octet-stream"}
        if not full:
            return ObjectInfo(key, st.st_size, sidecar["etag"], _mtime(st))
        return ObjectInfo(
            key, st.st_size, sidecar["etag"], _mtime(st), dict(sidecar["metadata"]), sidecar["content_type"]
        )

    def _write_temp(self, payload: bytes) -> str:
        fd, name = tempfile.mkstemp(dir=self._tmp, prefix="put-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            os.unlink(name)
            raise
        return name

    def _make_parent(self, path: Path, key: str) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise ValueError(f"key {key!r} lies under another object in the local store") from None

    @contextlib.contextmanager
    def _locked(self, mode: int) -> Iterator[None]:
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, mode)
            yield
        finally:
            os.close(fd)  # closing releases the lock


def _keys(objects: Path, prefix: str) -> list[str]:
    """Keys under ``objects`` starting with ``prefix``, sorted; walks only the deepest folder the prefix names."""
    folder, _, _ = prefix.rpartition("/")
    start = objects
    if folder:
        with contextlib.suppress(ValueError):  # e.g. "../x": walk everything, the prefix test still decides
            start = objects.joinpath(*check_key(folder).split("/"))
    keys: list[str] = []
    for dirpath, _dirnames, filenames in os.walk(start):
        rel = Path(dirpath).relative_to(objects).as_posix()
        base = "" if rel == "." else rel + "/"
        keys.extend(base + name for name in filenames if (base + name).startswith(prefix))
    keys.sort()
    return keys


def _read_sidecar(path: Path, size: int) -> dict | None:
    """The sidecar if it exists, parses and describes a file of ``size`` bytes; otherwise ``None``."""
    try:
        sidecar = json.loads(path.read_bytes())
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError, ValueError):
        return None
    wanted = {"etag": str, "size": int, "content_type": str, "metadata": dict}
    if not isinstance(sidecar, dict) or any(not isinstance(sidecar.get(k), t) for k, t in wanted.items()):
        return None
    return sidecar if sidecar["size"] == size else None


def _md5_file(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _mtime(st: os.stat_result) -> datetime:
    return datetime.fromtimestamp(st.st_mtime, tz=UTC)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _storage_error(exc: OSError, key: str) -> Exception:
    if exc.errno == errno.ENAMETOOLONG:
        return ValueError(f"key {key!r} has a path segment too long for this filesystem")
    return StorageError(f"local store cannot access {key!r}: {exc}")
