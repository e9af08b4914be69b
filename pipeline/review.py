"""The review desk: papers the pipeline was not sure of, checked by an operator against the scan.

A paper waits for review while its record is ``review_state == pending`` and extraction did not auto-approve it
(``needs_review``, or ``rejected`` for a paper of no known type, which can only be rejected here). The queue puts
the least confident paper first. An operator can

- :func:`correct` values: each typed value is read with the same parser extraction uses, the paper is validated
  again (an invalid correction is kept and shows as an issue, it is never silently dropped), and the record's Kho
  metadata and validity are recomputed from the corrected values;
- :func:`approve` the paper, or :func:`reject` it with a reason.

Every change is a new record version (:func:`pipeline.wallet.save_record`), an audit event with the old and new
values, and an index update. ``extraction.json`` stays what the machine read, so the review view can tell a
corrected value (shown as certain) from a machine one (shown with its confidence, page and box).
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from PIL import Image

from extractors import parsers
from extractors.fields import PARSERS
from extractors.layouts import LAYOUTS
from pipeline.audit import AuditEvent, record_event
from pipeline.document import BBox
from pipeline.errors import SohoaError
from pipeline.index.base import MAX_RESULT_WINDOW, SearchIndex, SearchQuery
from pipeline.intake import FileKind, Limits, load_pages, sniff
from pipeline.poppler import render_pdf_page
from pipeline.storage.base import ObjectNotFound, ObjectStore
from pipeline.textnorm import clean_spaces
from pipeline.wallet import extraction_key, load_record, ocr_key, save_record
from schemas.doc_types import DOC_TYPES
from schemas.identity import mask_id
from schemas.kho import kho_metadata, validity_on
from schemas.papers import field_kind
from schemas.result import FieldValue, Status, ValidationIssue
from schemas.validators import validate
from schemas.wallet import ReviewState, Validity, WalletRecord

log = logging.getLogger(__name__)

HUMAN_CONFIDENCE = 1.0  # a value an operator typed or confirmed against the scan
MAX_REASON_CHARS = 500
LOW_CONFIDENCE = 0.8  # below this a machine-read value is named as a reason for review
_QUEUE_PAGE = 1000  # backlog records read from the index per request while building the queue
_ID_KINDS = {"cccd", "id"}  # personal identity numbers: masked wherever a summary is shown


class ReviewError(SohoaError):
    """A review action that cannot be done; the message says why, for the operator."""


class RecordNotFound(ReviewError):
    pass


class ReviewClosed(ReviewError):
    """The paper was already approved or rejected."""


class UnknownField(ReviewError):
    pass


@dataclass(frozen=True)
class FieldView:
    """One field of a paper under review: current value, and where extraction found it."""

    name: str
    value: Any
    confidence: float  # HUMAN_CONFIDENCE once corrected; 0.0 when nothing was found
    page: int | None
    bbox: BBox | None  # pixels of the page image OCR saw (see ``page_sizes``)
    corrected: bool
    required: bool
    issues: list[ValidationIssue] = field(default_factory=list)


@dataclass(frozen=True)
class ReviewView:
    record: WalletRecord
    fields: list[FieldView]
    issues: list[ValidationIssue]  # every issue, including those that name no field
    page_sizes: dict[int, tuple[int, int]]  # page number → (width, height) in the unit of the boxes

    @property
    def confidence(self) -> float:
        return paper_confidence(self.record, self.fields)


@dataclass(frozen=True)
class QueueItem:
    """A paper waiting for review, and why it waits: what a clerk needs to pick it up."""

    record: WalletRecord
    confidence: float
    missing: list[str]  # required fields with no value (names of the contract)
    issues: list[ValidationIssue]  # failed checks
    weakest: FieldView | None  # the least confident value read by the machine, when below LOW_CONFIDENCE

    @property
    def known_type(self) -> bool:
        return self.record.doc_type in DOC_TYPES


@dataclass(frozen=True)
class ReviewOutcome:
    record: WalletRecord
    version: int | None  # None when nothing changed (no new version saved)
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # field → (old, new)
    issues: list[ValidationIssue] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- reading


def waits_for_review(record: WalletRecord) -> bool:
    return record.review_state is ReviewState.PENDING and record.extraction_status is not Status.AUTO_APPROVED


# The review backlog as index filters: pending papers that extraction did not approve by itself.
_BACKLOG = {"review_state": ReviewState.PENDING, "extraction_status": [Status.NEEDS_REVIEW, Status.REJECTED]}


def review_queue(
    store: ObjectStore, index: SearchIndex, station: str | None = None, *, today: date | None = None
) -> list[QueueItem]:
    """Papers waiting for review (of one station, or all), least confident first, then oldest first.

    The index answers the backlog itself (review state and extraction status filters), so the work is
    proportional to the backlog, not to the station's wallet. The queue holds at most the first
    ``MAX_RESULT_WINDOW`` waiting papers (newest first from the index, then sorted); a larger backlog is logged.
    """
    waiting: list[WalletRecord] = []
    offset = total = 0
    while offset < MAX_RESULT_WINDOW:
        limit = min(_QUEUE_PAGE, MAX_RESULT_WINDOW - offset)
        page = index.search(SearchQuery(station=station, limit=limit, offset=offset, **_BACKLOG))
        total = page.total
        # The index's copy decides; the same rule as the filters, in case an adapter matched loosely.
        waiting.extend(hit.record for hit in page.hits if waits_for_review(hit.record))
        offset += len(page.hits)
        if len(page.hits) < limit:
            break
    if total > MAX_RESULT_WINDOW:
        log.warning("review queue of %s: %d papers wait, only the first %d are listed", station or "all stations",
                    total, MAX_RESULT_WINDOW)
    items = [queue_item(store, record, today=today) for record in waiting]
    items.sort(key=lambda item: (item.confidence, item.record.digitized_at))
    return items


def queue_item(store: ObjectStore, record: WalletRecord, *, today: date | None = None) -> QueueItem:
    """``record`` as the queue lists it: its confidence and the reasons it waits for review."""
    fields, issues = field_views(store, record, today=today)
    missing = [f.name for f in fields if f.required and f.value is None]
    read = [f for f in fields if f.value is not None and not f.corrected]
    weakest = min(read, key=lambda f: f.confidence, default=None)
    if weakest is not None and weakest.confidence >= LOW_CONFIDENCE:
        weakest = None
    return QueueItem(record, paper_confidence(record, fields), missing, issues, weakest)


def review_view(store: ObjectStore, record: WalletRecord, *, today: date | None = None) -> ReviewView:
    """``record`` for the review page: its fields, issues and the size of each page the boxes refer to."""
    fields, issues = field_views(store, record, today=today)
    return ReviewView(record, fields, issues, _page_sizes(store, record.record_id))


def field_views(
    store: ObjectStore, record: WalletRecord, *, today: date | None = None
) -> tuple[list[FieldView], list[ValidationIssue]]:
    """Every field of the paper's type with its current value, machine confidence, page and box, and issues."""
    machine = _machine_fields(store, record.record_id)
    issues = validate(record.doc_type, _as_field_values(record.fields), today)
    by_field: dict[str, list[ValidationIssue]] = {}
    for issue in issues:
        if issue.field:
            by_field.setdefault(issue.field, []).append(issue)
    doc_type = DOC_TYPES.get(record.doc_type)
    names = list(doc_type.fields) if doc_type else []
    names += [n for n in record.fields if n not in names]
    views = []
    for name in names:
        value = record.fields.get(name)
        found = machine.get(name)
        corrected = (found.value if found else None) != value
        confidence = HUMAN_CONFIDENCE if corrected and value is not None else (found.confidence if found else 0.0)
        views.append(FieldView(
            name=name, value=value, confidence=0.0 if value is None else confidence,
            page=found.page if found else None, bbox=tuple(found.bbox) if found and found.bbox else None,
            corrected=corrected, required=bool(doc_type and name in doc_type.required),
            issues=by_field.get(name, []),
        ))
    return views, issues


def paper_confidence(record: WalletRecord, fields: list[FieldView]) -> float:
    """How sure the paper is: its least confident field, a missing required field counting as 0."""
    if record.doc_type not in DOC_TYPES:
        return 0.0
    scores = [f.confidence for f in fields if f.value is not None or f.required]
    return min([record.doc_type_confidence, *scores])


def _machine_fields(store: ObjectStore, sha: str) -> dict[str, FieldValue]:
    try:
        contract = json.loads(store.get(extraction_key(sha)))
    except ObjectNotFound:
        return {}
    return {name: FieldValue.model_validate(fv) for name, fv in (contract.get("fields") or {}).items()}


def _page_sizes(store: ObjectStore, sha: str) -> dict[int, tuple[int, int]]:
    """Size of each page image OCR saw: field boxes are in its pixels, whatever resolution a viewer renders."""
    try:
        tree = json.loads(store.get(ocr_key(sha)))
    except ObjectNotFound:
        return {}
    return {int(p["number"]): (int(p["width"]), int(p["height"])) for p in tree.get("pages", [])}


def _as_field_values(values: Mapping[str, Any]) -> dict[str, FieldValue]:
    return {name: FieldValue(value=value, confidence=HUMAN_CONFIDENCE) for name, value in values.items()}


# ---------------------------------------------------------------------------------------------- page images

PREVIEW_DPI = 120  # sharp enough to read a value against the scan, light enough to load at once


def preview_key(sha: str, number: int, dpi: int = PREVIEW_DPI) -> str:
    return f"records/{sha}/pages/{number:04d}-{dpi}dpi.png"


def page_preview(store: ObjectStore, record: WalletRecord, number: int, limits: Limits,
                 dpi: int = PREVIEW_DPI) -> bytes:
    """Page ``number`` of the paper's original as a PNG at about ``dpi``, rendered once and kept in the store.

    Raises ``ValueError`` for a page the paper does not have. Field boxes are in the pixels OCR saw
    (:attr:`ReviewView.page_sizes`), so a viewer scales them to this image by proportion, whatever its size.
    """
    if not 1 <= number <= record.pages:
        raise ValueError(f"the paper has {record.pages} page(s), not {number}")
    key = preview_key(record.record_id, number, dpi)
    try:
        return store.get(key)
    except ObjectNotFound:
        pass
    data = store.get(record.file_key)
    if sniff(data) is FileKind.PDF:
        image = render_pdf_page(data, number, dpi)
    else:
        page = load_pages(data, limits)[number - 1]
        image = page.image
        if page.dpi > dpi:
            image = image.resize((max(1, image.width * dpi // page.dpi), max(1, image.height * dpi // page.dpi)),
                                 Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    png = out.getvalue()
    store.put(key, png, content_type="image/png")
    return png


# ---------------------------------------------------------------------------------------------- changing


def parse_correction(doc_type: str, name: str, typed: str) -> Any:
    """The value an operator typed, read as extraction reads that field (``"05/03/2021"`` → ``"2021-03-05"``).

    Empty text clears the field (``None``). Text the field's parser cannot read is kept as typed (cleaned), so
    validation reports it beside the field instead of the correction vanishing.
    """
    text = clean_spaces(typed)
    if not text:
        return None
    parse = _parser_for(doc_type, name)
    value = parse(text) if parse else None
    return text if value is None else value


def _parser_for(doc_type: str, name: str) -> Callable[[str], Any] | None:
    layout = LAYOUTS.get(doc_type)
    spec = next((s for s in layout.fields if s.name == name), None) if layout else None
    if spec is None:
        return None
    if spec.parse == "name":
        # A name printed on a paper is capitalised, so extraction refuses lower-case words; an operator may type
        # "nguyen thi hang" and mean it.
        return parsers.parse_name
    return PARSERS.get(spec.parse)


def correct(
    store: ObjectStore,
    index: SearchIndex,
    record_id: str,
    changes: Mapping[str, str],
    *,
    actor: str,
    station: str,
    today: date | None = None,
) -> ReviewOutcome:
    """Apply an operator's corrections to a paper waiting for review (see the module docstring)."""
    today = today or date.today()
    record = _pending(store, record_id)
    allowed = DOC_TYPES[record.doc_type].fields if record.doc_type in DOC_TYPES else ()
    unknown = [name for name in changes if name not in allowed]
    if unknown:
        raise UnknownField(f"{record.doc_type} has no field {', '.join(sorted(unknown))}")
    values = dict(record.fields)
    changed: dict[str, tuple[Any, Any]] = {}
    for name, typed in changes.items():
        new = parse_correction(record.doc_type, name, typed)
        old = values.get(name)
        if new == old:
            continue
        changed[name] = (old, new)
        if new is None:
            values.pop(name, None)
        else:
            values[name] = new
    issues = validate(record.doc_type, _as_field_values(values), today)
    if not changed:
        index.upsert([record])  # a retry after a failed index update heals it here
        return ReviewOutcome(record, None, {}, issues)
    updated = with_values(record, values, today)
    version = save_record(store, updated, reason="corrected", actor=actor)
    record_event(store, AuditEvent(
        action="review_corrected", object_key=record.file_key, sha256=record.record_id, station=station,
        operator=actor,
        details={"version": version,
                 "changes": {name: {"old": old, "new": new} for name, (old, new) in changed.items()},
                 "issues": [issue.code for issue in issues],
                 "summary": correction_summary(record.doc_type, changed)},
    ))
    index.upsert([updated])
    return ReviewOutcome(updated, version, changed, issues)


def approve(
    store: ObjectStore, index: SearchIndex, record_id: str, *, actor: str, station: str, today: date | None = None
) -> ReviewOutcome:
    """The operator checked the paper against the scan: it joins the wallet as approved.

    Remaining validation issues do not block approval (a real paper can carry an inconsistency the officer has
    seen); they are named in the audit event so the decision can be traced.
    """
    record = _pending(store, record_id)
    if record.doc_type not in DOC_TYPES:
        raise ReviewError("giấy tờ chưa rõ loại không thể duyệt; hãy từ chối kèm lý do")
    issues = validate(record.doc_type, _as_field_values(record.fields), today)
    updated = record.model_copy(update={"review_state": ReviewState.APPROVED})
    version = save_record(store, updated, reason="approved", actor=actor)
    record_event(store, AuditEvent(
        action="review_approved", object_key=record.file_key, sha256=record.record_id, station=station,
        operator=actor, details={"version": version, "issues": [issue.code for issue in issues]},
    ))
    index.upsert([updated])
    return ReviewOutcome(updated, version, {}, issues)


def reject(
    store: ObjectStore, index: SearchIndex, record_id: str, reason: str, *, actor: str, station: str
) -> ReviewOutcome:
    """The scan is not a usable digitization (wrong paper, unreadable, incomplete): kept, marked rejected."""
    why = clean_spaces(reason)
    if not why:
        raise ReviewError("cần ghi lý do từ chối")
    why = why[:MAX_REASON_CHARS]
    record = _pending(store, record_id)
    updated = record.model_copy(update={"review_state": ReviewState.REJECTED})
    version = save_record(store, updated, reason="rejected", actor=actor)
    record_event(store, AuditEvent(
        action="review_rejected", object_key=record.file_key, sha256=record.record_id, station=station,
        operator=actor, details={"version": version, "reason": why},
    ))
    index.upsert([updated])
    return ReviewOutcome(updated, version)


def with_values(record: WalletRecord, values: dict[str, Any], today: date) -> WalletRecord:
    """``record`` holding ``values``, with its Kho metadata and validity read again from them."""
    meta = kho_metadata(record.doc_type, values)
    kho = asdict(meta) if meta else {"owner_name": None, "owner_ids": [], "doc_number": None, "issue_date": None,
                                     "issuing_agency": None, "signer": None, "summary": None,
                                     "valid_until": None, "permanent": False}
    validity = validity_on(meta, today, cancelled=record.validity is Validity.CANCELLED)
    return record.model_copy(update={**kho, "fields": values, "validity": validity})


def _pending(store: ObjectStore, record_id: str) -> WalletRecord:
    record = load_record(store, record_id)
    if record is None:
        raise RecordNotFound(f"không có bản số hóa {record_id}")
    if record.review_state is not ReviewState.PENDING:
        raise ReviewClosed(f"giấy tờ đã được xử lý ({record.review_state.value})")
    return record


# ---------------------------------------------------------------------------------------------- summaries


def is_identity_field(doc_type: str, name: str) -> bool:
    return field_kind(doc_type, name) in _ID_KINDS


def correction_summary(doc_type: str, changed: Mapping[str, tuple[Any, Any]]) -> str:
    """One line for people (logs, history lists): ``so_dinh_danh: 0011******45 → 0011******46``."""

    def shown(name: str, value: Any) -> str:
        if value is None:
            return "∅"
        return mask_id(value) if is_identity_field(doc_type, name) else str(value)

    return "; ".join(f"{name}: {shown(name, old)} → {shown(name, new)}" for name, (old, new) in changed.items())
