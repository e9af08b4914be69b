"""Finding originals still to digitize: the periodic sweep of ``incoming/`` and the backfill walk of an archive.

Both are catch-alls next to the bucket-event receiver, so both must be cheap when nothing is new: whether an
original is done is told from object metadata (HEAD requests), never by downloading it. An original uploaded by
:func:`pipeline.wallet.upload_original` carries its sha256 in its metadata; one written by another tool is hashed
once and the hash remembered under ``sweep/etag-sha256/<etag>`` (the ETag changes whenever the bytes do). A paper
is done for this pipeline version when ``records/<sha>/record.json`` or ``quarantine/<sha>.json`` says so in its
``pipeline-version`` metadata.

The backfill walk is resumable: a checkpoint object records the last position whose documents are all done, so a
run killed at any point starts again there (documents done after the checkpoint are recognised as done and
skipped, never digitized twice).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from pipeline.storage.base import ObjectNotFound, ObjectStore
from pipeline.wallet import (
    INCOMING,
    QuarantineEntry,
    quarantine_key,
    record_key,
    save_json,
    sha256_hex,
)
from schemas.wallet import WalletRecord

_SHA256 = re.compile(r"[0-9a-f]{64}")
ETAG_MEMO_PREFIX = "sweep/etag-sha256/"


# -- is this original done? --------------------------------------------------------------------------------------


def original_sha256(store: ObjectStore, key: str, etag: str | None = None) -> str:
    """The sha256 of a stored original: from its metadata, else from the etag memo, else by hashing it (once)."""
    info = store.stat(key)
    noted = info.metadata.get("sha256", "").lower()
    if _SHA256.fullmatch(noted):
        return noted
    etag = etag or info.etag
    memo = f"{ETAG_MEMO_PREFIX}{_safe_etag(etag)}" if etag else None
    if memo:
        try:
            remembered = store.get(memo).decode().strip()
            if _SHA256.fullmatch(remembered):
                return remembered
        except ObjectNotFound:
            pass
    sha = sha256_hex(store.get(key))
    if memo:
        store.put(memo, sha.encode(), content_type="text/plain")
    return sha


def is_done(store: ObjectStore, sha: str, pipeline_version: str) -> bool:
    """Whether this pipeline version already made a record or a quarantine entry of the paper (HEAD requests)."""
    for key, model in ((record_key(sha), WalletRecord), (quarantine_key(sha), QuarantineEntry)):
        try:
            version = store.stat(key).metadata.get("pipeline-version")
            if version is None:  # written before the metadata existed: read it once
                version = model.model_validate_json(store.get(key)).pipeline_version
        except ObjectNotFound:
            continue
        if version == pipeline_version:
            return True
    return False


def needs_digitizing(store: ObjectStore, key: str, pipeline_version: str) -> bool:
    """Whether the original at ``key`` still has to go through :func:`pipeline.digitize.digitize`.

    Raises :class:`ObjectNotFound` when there is no such original (a manifest row naming a wrong key).
    """
    return not is_done(store, original_sha256(store, key), pipeline_version)


# -- the sweep ---------------------------------------------------------------------------------------------------


@dataclass
class SweepPlan:
    """What a sweep found to do, in two waves: one original per distinct paper, then the other copies.

    Copies of one paper (the same file scanned at two stations) must not be OCR'd side by side; run after the
    first wave, each becomes a ``duplicate`` audit event of the record the first one made.
    """

    first: list[str] = field(default_factory=list)
    copies: list[str] = field(default_factory=list)
    looked_at: int = 0

    @property
    def keys(self) -> list[str]:
        return self.first + self.copies


def plan_sweep(
    store: ObjectStore, pipeline_version: str, prefixes: tuple[str, ...] | list[str] = (INCOMING,),
    limit: int | None = None,
) -> SweepPlan:
    """Originals under ``prefixes`` that this pipeline version has not digitized or quarantined yet."""
    plan = SweepPlan()
    seen: set[str] = set()
    for prefix in prefixes:
        for info in store.list(prefix):
            plan.looked_at += 1
            try:
                sha = original_sha256(store, info.key, info.etag)
            except ObjectNotFound:
                continue
            if is_done(store, sha, pipeline_version):
                continue
            (plan.copies if sha in seen else plan.first).append(info.key)
            seen.add(sha)
            if limit is not None and len(plan.first) + len(plan.copies) >= limit:
                return plan
    return plan


# -- the backfill walk -------------------------------------------------------------------------------------------


class BackfillCheckpoint(BaseModel):
    """How far one backfill got; stored as ``backfill/<run>/checkpoint.json`` after every chunk."""

    run: str
    source: str  # "prefix:archive/2019/" or "manifest:manifests/hn-2019.csv"
    position: str = ""  # prefix: the last key done; manifest: the last row number done ("" = none)
    counts: dict[str, int] = Field(default_factory=dict)  # digitized / duplicate / quarantined / skipped / failed
    failed: list[str] = Field(default_factory=list)  # keys whose retries ran out; tried again on the next run
    finished: bool = False
    started_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    updated_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True)
class BackfillItem:
    key: str
    position: str
    station: str | None = None
    operator: str | None = None


def backfill_source(prefix: str | None, manifest: str | None) -> str:
    if bool(prefix) == bool(manifest):
        raise ValueError("give exactly one of an archive prefix or a manifest CSV key")
    return f"prefix:{prefix}" if prefix else f"manifest:{manifest}"


def backfill_run_name(source: str) -> str:
    """A stable name for a source, so running the same backfill again resumes it."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "-", source.split(":", 1)[1]).strip("-.")[:60] or "root"
    return f"{readable}-{hashlib.sha1(source.encode()).hexdigest()[:8]}"


def checkpoint_key(run: str) -> str:
    return f"backfill/{run}/checkpoint.json"


def load_checkpoint(store: ObjectStore, run: str, source: str) -> BackfillCheckpoint:
    try:
        checkpoint = BackfillCheckpoint.model_validate_json(store.get(checkpoint_key(run)))
    except ObjectNotFound:
        return BackfillCheckpoint(run=run, source=source)
    if checkpoint.source != source:
        raise ValueError(f"backfill run {run!r} walks {checkpoint.source!r}, not {source!r}: use another run name")
    return checkpoint


def save_checkpoint(store: ObjectStore, checkpoint: BackfillCheckpoint) -> None:
    checkpoint.updated_at = datetime.now(UTC)
    save_json(store, checkpoint_key(checkpoint.run), checkpoint)


def walk_backfill(store: ObjectStore, source: str, after: str = "") -> Iterator[BackfillItem]:
    """The source's originals after position ``after``, in a stable order (key order, or manifest row order).

    A manifest is a CSV object in the store with a header row: ``key`` (required), ``station``, ``operator``.
    """
    kind, _, where = source.partition(":")
    if kind == "prefix":
        for info in store.list(where):
            if info.key > after:
                yield BackfillItem(info.key, info.key)
        return
    start = int(after) if after else 0
    rows = csv.DictReader(io.StringIO(store.get(where).decode("utf-8-sig")))
    if "key" not in (rows.fieldnames or []):
        raise ValueError(f"manifest {where!r} has no 'key' column (header: {rows.fieldnames})")
    for number, row in enumerate(rows, start=1):
        key = (row.get("key") or "").strip()
        if number > start and key:
            yield BackfillItem(key, str(number), (row.get("station") or "").strip() or None,
                               (row.get("operator") or "").strip() or None)


def chunks(items: Iterator[BackfillItem], size: int) -> Iterator[list[BackfillItem]]:
    chunk: list[BackfillItem] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _safe_etag(etag: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9-]", "", etag)
    return cleaned or hashlib.sha1(etag.encode()).hexdigest()

