"""The station's pages: upload a batch and watch it, the review queue, one paper under review, page images.

Operators see and change only their own station's work; admins see every station's. The logic lives in
:mod:`pipeline.batches` and :mod:`pipeline.review`; this module checks who may do what, reads forms and renders.
"""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.datastructures import FormData
from starlette.datastructures import UploadFile as StarletteUpload

from pipeline import review
from pipeline.batches import BatchProgress, BatchRunner, is_batch_id, load_batch, start_batch
from pipeline.errors import BadInput
from pipeline.process import limits_from
from pipeline.runtime import Runtime
from pipeline.storage.base import ObjectNotFound
from pipeline.wallet import load_record
from pipeline.web.auth import STATION_PATTERN, Role, User, csrf_protect, error_response, require_role
from pipeline.web.templating import format_date, format_time, message, register_messages, render, request_language
from schemas.doc_types import DOC_TYPES, FIELD_LABELS, field_label
from schemas.papers import field_kind
from schemas.validators import issue_message
from schemas.wallet import WalletRecord

log = logging.getLogger(__name__)
router = APIRouter()

MAX_FILES_PER_BATCH = 200
_RECORD_ID = re.compile(r"[0-9a-f]{64}")
_FIELD_PREFIX = "f_"

OPERATORS = require_role(Role.OPERATOR, Role.ADMIN)
PAGE_VIEWERS = require_role(Role.OPERATOR, Role.BACKOFFICE, Role.ADMIN)

MESSAGES = {
    "upload_title": ("Tải lên giấy tờ", "Upload papers"),
    "upload_intro": (("Kéo thả các bản scan (PDF, PNG, JPEG, TIFF) vào khung dưới đây hoặc chọn tệp. Mỗi tệp là một "
                     "giấy tờ; hệ thống nhận dạng và trích xuất tự động."),
                     ("Drag scans (PDF, PNG, JPEG, TIFF) onto the box below or choose files. One file per paper; "
                     "reading and extraction are automatic.")),
    "upload_drop": ("Thả tệp vào đây", "Drop files here"),
    "upload_choose": ("Chọn tệp…", "Choose files…"),
    "upload_station": ("Điểm tiếp nhận", "Station"),
    "upload_start": ("Tải lên và xử lý", "Upload and process"),
    "upload_selected": ("{count} tệp đã chọn", "{count} files selected"),
    "upload_sending": ("Đang gửi {count} tệp…", "Sending {count} files…"),
    "upload_failed": ("Tải lên không thành công: {error}", "Upload failed: {error}"),
    "upload_batch": ("Lô tải lên lúc {time}", "Batch uploaded at {time}"),
    "upload_batch_id": ("Mã lô {batch}", "Batch id {batch}"),
    "upload_summary_indexed": ("{count} vào kho", "{count} in the wallet"),
    "upload_summary_needs_review": ("{count} cần kiểm tra", "{count} to review"),
    "upload_summary_quarantined": ("{count} cách ly", "{count} quarantined"),
    "upload_summary_failed": ("{count} lỗi, sẽ thử lại", "{count} failed, will be retried"),
    "upload_review_now": ("Kiểm tra ngay", "Review now"),
    "upload_more": ("Tải lô khác", "Upload another batch"),
    "upload_technical": ("Chi tiết kỹ thuật", "Technical detail"),
    "upload_done": ("Đã xử lý xong {done}/{total} tệp", "{done} of {total} files done"),
    "upload_finished": ("Đã xử lý xong {total} tệp:", "All {total} files done:"),
    "upload_no_files": ("Chưa chọn tệp nào", "No files chosen"),
    "upload_too_many": ("Tối đa {max} tệp mỗi lô", "At most {max} files per batch"),
    "upload_no_station": ("Tài khoản chưa gắn điểm tiếp nhận: hãy nhập mã điểm", ("Your account has no station: "
                          "enter a station code")),
    "upload_col_file": ("Tệp", "File"),
    "upload_col_state": ("Trạng thái", "State"),
    "upload_col_detail": ("Chi tiết", "Detail"),
    "upload_open_review": ("Mở kiểm tra", "Open review"),
    "upload_duplicate": ("đã có trong kho", "already in the wallet"),
    "state_queued": ("Chờ xử lý", "Queued"),
    "state_ocr": ("Đang nhận dạng (OCR)", "Reading (OCR)"),
    "state_extracted": ("Đã trích xuất, đang lưu", "Extracted, saving"),
    "state_indexed": ("Đã vào kho", "In the wallet"),
    "state_needs_review": ("Cần kiểm tra", "Needs review"),
    "state_quarantined": ("Cách ly", "Quarantined"),
    "state_failed": ("Lỗi — sẽ thử lại", "Failed — will be retried"),
    "reason_empty_file": ("Tệp rỗng", "Empty file"),
    "reason_file_too_large": ("Tệp quá lớn", "File too large"),
    "reason_unsupported_file_type": ("Không phải PDF hoặc ảnh (nội dung khác với tên tệp)",
                                     "Not a PDF or an image (content differs from its name)"),
    "reason_corrupt_file": ("Tệp hỏng hoặc tải lên chưa hết", "Damaged or incompletely uploaded file"),
    "reason_encrypted_pdf": ("PDF có mật khẩu", "Password-protected PDF"),
    "reason_image_too_large": ("Ảnh quá lớn (nghi bom giải nén)", "Image too large (decompression bomb?)"),
    "reason_too_many_pages": ("Quá nhiều trang", "Too many pages"),
    "reason_bad_input": ("Không đọc được tệp", "Unreadable file"),
    "reason_other": ("Không xử lý được tệp", "The file could not be processed"),
    "review_queue_title": ("Hàng chờ kiểm tra", "Review queue"),
    "review_queue_intro": ("Giấy tờ hệ thống chưa chắc chắn, độ tin cậy thấp nhất lên đầu.",
                           "Papers the system was not sure of, least confident first."),
    "review_queue_empty": ("Không còn giấy tờ nào cần kiểm tra.", "Nothing is waiting for review."),
    "review_all_stations": ("Tất cả điểm", "All stations"),
    "review_filter": ("Lọc", "Filter"),
    "review_col_confidence": ("Độ tin cậy", "Confidence"),
    "review_col_type": ("Loại giấy tờ", "Document type"),
    "review_col_owner": ("Chủ sở hữu", "Owner"),
    "review_col_id": ("Số định danh", "ID number"),
    "review_col_file": ("Tệp", "File"),
    "review_col_station": ("Điểm", "Station"),
    "review_col_when": ("Số hóa lúc", "Digitized"),
    "review_col_issues": ("Lý do cần kiểm tra", "Why it needs review"),
    "review_no_owner": ("chưa có tên", "no name yet"),
    "review_why_missing": ("Thiếu: {fields}", "Missing: {fields}"),
    "review_why_checks": ("Lỗi kiểm tra: {issues}", "Failed checks: {issues}"),
    "review_why_more": ("và {count} lỗi khác", "and {count} more"),
    "review_why_low": ("Đọc chưa chắc: {field} ({value})", "Unsure reading: {field} ({value})"),
    "review_why_unknown_type": ("Không nhận ra loại giấy tờ", "Paper type not recognised"),
    "review_why_threshold": ("Độ tin cậy dưới ngưỡng tự duyệt", "Confidence below the auto-approval bar"),
    "review_open": ("Kiểm tra", "Review"),
    "review_title": ("Kiểm tra giấy tờ", "Review paper"),
    "review_scan": ("Bản scan", "Scan"),
    "review_page": ("Trang {n}", "Page {n}"),
    "review_fields": ("Thông tin trích xuất", "Extracted fields"),
    "review_keys": (("Tab: sang trường tiếp; Enter: lưu sửa; Ctrl+Enter: duyệt. Khung đỏ trên ảnh chỉ vị trí của "
                    "trường đang chọn."),
                    ("Tab: next field; Enter: save corrections; Ctrl+Enter: approve. The box on the scan shows where "
                    "the selected field was read.")),
    "review_save": ("Lưu sửa", "Save corrections"),
    "review_approve": ("Duyệt", "Approve"),
    "review_reject": ("Từ chối", "Reject"),
    "review_reject_reason": ("Lý do từ chối", "Reason for rejecting"),
    "review_reject_hint": ("Ví dụ: bản scan mờ, thiếu trang, không phải giấy tờ hành chính",
                           "e.g. blurred scan, missing page, not an administrative paper"),
    "review_required": ("bắt buộc", "required"),
    "review_corrected": ("đã sửa", "corrected"),
    "review_not_found_on_scan": ("không tìm thấy trên bản scan", "not found on the scan"),
    "review_confidence": ("độ tin cậy {value}", "confidence {value}"),
    "review_other_issues": ("Lỗi kiểm tra chung", "Other issues"),
    "review_saved": ("Đã lưu {count} thay đổi.", "Saved {count} changes."),
    "review_nothing_changed": ("Không có thay đổi nào.", "Nothing changed."),
    "review_approved": ("Đã duyệt giấy tờ {file}.", "Approved {file}."),
    "review_rejected": ("Đã từ chối giấy tờ {file}.", "Rejected {file}."),
    "review_fix_first": ("Đã lưu sửa, nhưng còn lỗi kiểm tra ở trường vừa sửa: xem lại rồi bấm Duyệt.",
                         "Corrections saved, but a corrected field fails a check: look again, then approve."),
    "review_closed": ("Giấy tờ này đã được xử lý ({state}).", "This paper was already handled ({state})."),
    "review_state_approved": ("đã duyệt", "approved"),
    "review_state_rejected": ("đã từ chối", "rejected"),
    "review_unknown_type": ("Không nhận ra loại giấy tờ: chỉ có thể từ chối.",
                            "Unknown paper type: it can only be rejected."),
    "review_reason_needed": ("Cần ghi lý do từ chối.", "A reason is needed to reject."),
    "review_back": ("← Hàng chờ", "← Queue"),
    "review_other_station": ("Giấy tờ này thuộc điểm tiếp nhận khác.", "This paper belongs to another station."),
    "review_not_found": ("Không tìm thấy giấy tờ.", "Paper not found."),
    "review_doc_unknown": ("Chưa rõ loại", "Unknown type"),
}

register_messages(MESSAGES)
# The review page's labels are the contract's (schemas.doc_types), under ids the browser test finds them by.
register_messages({f"review_field_{name}": pair for name, pair in FIELD_LABELS.items()})


# ---------------------------------------------------------------------------------------------- helpers


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def _runner(request: Request) -> BatchRunner:
    """One runner per app, made on first upload (the app is built elsewhere; its lifespan does not know us)."""
    state = request.app.state
    runner = getattr(state, "batch_runner", None)
    if runner is None:
        runner = state.batch_runner = BatchRunner(state.runtime)
    return runner


def _sees_station(user: User, station: str) -> bool:
    """Operators work on their own station only; admins and back-office look at every station."""
    return user.role is not Role.OPERATOR or user.station == station


def _forbidden_other_station(request: Request) -> Response:
    return error_response(request, 403, "forbidden", "review_other_station")


def _not_found(request: Request) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": "not_found"}, status_code=404)
    return render(request, "error.html", {"title_id": "review_not_found", "message": message(
        "review_not_found", request_language(request))}, status_code=404)


def _record_for(request: Request, user: User, record_id: str) -> WalletRecord | Response:
    if not _RECORD_ID.fullmatch(record_id):
        return _not_found(request)
    record = load_record(_runtime(request).store, record_id)
    if record is None:
        return _not_found(request)
    if not _sees_station(user, record.station):
        return _forbidden_other_station(request)
    return record


def _doc_title(doc_type: str, lang: str) -> str:
    known = DOC_TYPES.get(doc_type)
    if known is None:
        return message("review_doc_unknown", lang)
    return known.title_en if lang == "en" else known.title_vi


def _display(doc_type: str, name: str, value: Any, lang: str) -> str:
    """A stored value as the form shows it (and as an unchanged submission comes back): a date as people write it
    (``dd/mm/yyyy`` in Vietnamese, which the correction parser reads back to the same date)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and field_kind(doc_type, name) == "date":
        return format_date(value, lang)
    return str(value)


def batch_json(batch: BatchProgress, lang: str) -> dict[str, Any]:
    """The progress as the upload page shows it: states and reasons in the reader's language.

    ``reason_label`` is always in the reader's language; ``message`` is the pipeline's own (English, technical)
    explanation, which the page keeps behind a "technical detail" disclosure.
    """
    files = []
    for item in batch.files:
        reason = None
        if item.reason:
            reason = message(f"reason_{item.reason}" if f"reason_{item.reason}" in _REASONS else "reason_other", lang)
        files.append({
            "name": item.name, "state": item.state.value, "state_label": message(f"state_{item.state.value}", lang),
            "final": item.state.final, "record_id": item.record_id, "doc_type": item.doc_type,
            "doc_title": _doc_title(item.doc_type, lang) if item.doc_type else None, "duplicate": item.duplicate,
            "reason": item.reason, "reason_label": reason, "message": item.message,
        })
    done = sum(1 for f in batch.files if f.state.final)
    return {"batch_id": batch.batch_id, "station": batch.station, "operator": batch.operator,
            "created_at": batch.created_at.isoformat(), "created_label": format_time(batch.created_at, lang),
            "finished": batch.finished, "done": done, "total": len(batch.files), "counts": batch.counts(),
            "files": files}


_REASONS = {k for k in MESSAGES if k.startswith("reason_")}


# ---------------------------------------------------------------------------------------------- upload


@router.get("/upload", include_in_schema=False)
def upload_page(request: Request, user: Annotated[User, Depends(OPERATORS)], batch: str | None = None) -> Response:
    shown = batch if batch and is_batch_id(batch) else ""
    return render(request, "upload.html", {"batch_id": shown, "max_files": MAX_FILES_PER_BATCH})


@router.post("/api/batches", status_code=202, dependencies=[Depends(csrf_protect)],
             summary="Upload a batch of scans (multipart field `files`) and start digitizing them")
async def create_batch(request: Request, user: Annotated[User, Depends(OPERATORS)]) -> Response:
    lang = request_language(request)
    form = await request.form(max_files=MAX_FILES_PER_BATCH + 1)
    station = _upload_station(user, form)
    if station is None:
        return JSONResponse({"error": "no_station", "message": message("upload_no_station", lang)}, status_code=400)
    uploads = [f for f in form.getlist("files") if isinstance(f, StarletteUpload | UploadFile)]
    if not uploads:
        return JSONResponse({"error": "no_files", "message": message("upload_no_files", lang)}, status_code=400)
    if len(uploads) > MAX_FILES_PER_BATCH:
        return JSONResponse({"error": "too_many_files",
                             "message": message("upload_too_many", lang, max=MAX_FILES_PER_BATCH)}, status_code=400)
    limit = _runtime(request).settings.max_file_bytes
    files = []
    for upload in uploads:
        # Read one byte past the limit: digitizing quarantines an oversized file with its reason, and the rest
        # of a huge upload is never held in memory.
        files.append((upload.filename or "file", await upload.read(limit + 1)))
    batch = await run_in_threadpool(start_batch, _runtime(request), _runner(request), files, station=station,
                                    operator=user.username)
    log.info("batch %s: %d files from %s at %s", batch.batch_id, len(files), user.username, station)
    body = batch_json(batch, lang)
    body["url"] = f"/api/batches/{batch.batch_id}"
    body["page"] = f"/upload?batch={batch.batch_id}"
    return JSONResponse(body, status_code=202)


def _upload_station(user: User, form: FormData) -> str | None:
    if user.role is Role.OPERATOR:
        return user.station or None
    asked = str(form.get("station") or "").strip()
    station = asked or user.station
    return station if station and STATION_PATTERN.fullmatch(station) else None


@router.get("/api/batches/{batch_id}", summary="Progress of an upload batch, per file")
def batch_progress(request: Request, batch_id: str, user: Annotated[User, Depends(OPERATORS)]) -> Response:
    batch = load_batch(_runtime(request).store, batch_id)
    if batch is None:
        return _not_found(request)
    if not _sees_station(user, batch.station):
        return _forbidden_other_station(request)
    return JSONResponse(batch_json(batch, request_language(request)))


# ---------------------------------------------------------------------------------------------- review

MAX_CHECKS_SHOWN = 1  # the queue names the first failed check and counts the rest


def why_in_review(item: review.QueueItem, lang: str) -> list[str]:
    """Why a paper waits, in words: what is missing, which checks failed, which reading is unsure."""
    why = []
    if not item.known_type:
        why.append(message("review_why_unknown_type", lang))
    if item.missing:
        why.append(message("review_why_missing", lang,
                           fields=", ".join(field_label(name, lang) for name in item.missing)))
    if item.issues:
        shown = "; ".join(issue_message(issue, lang) if lang == "vi" or not issue.field
                          else f"{field_label(issue.field, lang)}: {issue_message(issue, lang)}"
                          for issue in item.issues[:MAX_CHECKS_SHOWN])
        rest = len(item.issues) - MAX_CHECKS_SHOWN
        if rest > 0:
            shown += " " + message("review_why_more", lang, count=rest)
        why.append(message("review_why_checks", lang, issues=shown))
    if item.weakest is not None:
        why.append(message("review_why_low", lang, field=field_label(item.weakest.name, lang),
                           value=f"{item.weakest.confidence:.0%}"))
    return why or [message("review_why_threshold", lang)]



@router.get("/review", include_in_schema=False)
def review_queue_page(request: Request, user: Annotated[User, Depends(OPERATORS)], station: str | None = None,
                      done: str | None = None, file: str = "") -> Response:
    rt = _runtime(request)
    if user.role is Role.OPERATOR:
        station = user.station
    station = station or None
    items = review.review_queue(rt.store, rt.index, station)
    lang = request_language(request)
    rows = [{"id": i.record.record_id, "confidence": i.confidence, "why": why_in_review(i, lang),
             "type": _doc_title(i.record.doc_type, lang), "owner": i.record.owner_name or "",
             "ids": i.record.owner_ids, "file": i.record.file_name, "station": i.record.station,
             "when": format_time(i.record.digitized_at, lang)} for i in items]
    flashes = ([{"kind": "ok", "text": message(done, lang, file=file[:200])}]
               if done in ("review_approved", "review_rejected") else [])
    return render(request, "review_queue.html", {"rows": rows, "station": station or "", "flashes": flashes,
                                                 "all_stations": user.role is Role.ADMIN})


@router.get("/review/{record_id}", include_in_schema=False)
def review_page(request: Request, record_id: str, user: Annotated[User, Depends(OPERATORS)],
                done: str | None = None, n: int = 0) -> Response:
    found = _record_for(request, user, record_id)
    if isinstance(found, Response):
        return found
    lang = request_language(request)
    flashes = []
    if done == "saved":
        flashes.append({"kind": "ok", "text": message("review_saved" if n else "review_nothing_changed", lang,
                                                      count=n)})
    elif done == "fix":
        flashes.append({"kind": "warn", "text": message("review_fix_first", lang)})
    return _render_review(request, found, flashes)


def _render_review(request: Request, record: WalletRecord, flashes: list[dict], status_code: int = 200,
                   typed: dict[str, str] | None = None) -> Response:
    lang = request_language(request)
    view = review.review_view(_runtime(request).store, record)
    if record.review_state.value != "pending":
        flashes = [*flashes, {"kind": "info", "text": message(
            "review_closed", lang, state=message(f"review_state_{record.review_state.value}", lang))}]
    fields = []
    for f in view.fields:
        size = view.page_sizes.get(f.page or 0)
        box = None
        if f.bbox and size:
            x0, y0, x1, y1 = f.bbox
            width, height = size
            box = {"page": f.page, "left": 100 * x0 / width, "top": 100 * y0 / height,
                   "width": 100 * (x1 - x0) / width, "height": 100 * (y1 - y0) / height}
        fields.append({"name": f.name, "label": field_label(f.name, lang), "value": (typed or {}).get(f.name, _display(record.doc_type, f.name, f.value, lang)),
                       "confidence": f.confidence, "corrected": f.corrected, "required": f.required,
                       "issues": f.issues, "box": box, "missing": f.value is None})
    return render(request, "review.html", {
        "record": record, "fields": fields, "pages": list(range(1, record.pages + 1)),
        "other_issues": [i for i in view.issues if not i.field], "doc_title": _doc_title(record.doc_type, lang),
        "pending": record.review_state.value == "pending", "known_type": record.doc_type in DOC_TYPES,
        "confidence": view.confidence, "flashes": flashes,
    }, status_code=status_code)


@router.post("/review/{record_id}", include_in_schema=False, dependencies=[Depends(csrf_protect)])
async def review_action(request: Request, record_id: str, user: Annotated[User, Depends(OPERATORS)]) -> Response:
    found = _record_for(request, user, record_id)
    if isinstance(found, Response):
        return found
    record = found
    form = await request.form()
    action = str(form.get("action") or "save")
    rt = _runtime(request)
    lang = request_language(request)
    station = user.station or record.station
    try:
        if action == "reject":
            await run_in_threadpool(review.reject, rt.store, rt.index, record.record_id,
                                    str(form.get("reason") or ""), actor=user.username, station=station)
            return _next(request, "review_rejected", record)
        changes = _changes(record, form, lang)
        outcome = await run_in_threadpool(review.correct, rt.store, rt.index, record.record_id, changes,
                                          actor=user.username, station=station) if changes else None
        changed = outcome.changes if outcome else {}
        if action == "approve":
            if any(i.field in changed for i in (outcome.issues if outcome else [])):
                return RedirectResponse(f"/review/{record.record_id}?done=fix", status_code=303)
            await run_in_threadpool(review.approve, rt.store, rt.index, record.record_id, actor=user.username,
                                    station=station)
            return _next(request, "review_approved", record)
        return RedirectResponse(f"/review/{record.record_id}?done=saved&n={len(changed)}", status_code=303)
    except review.ReviewClosed:
        return _render_review(request, load_record(rt.store, record.record_id) or record, [], status_code=409)
    except review.ReviewError as exc:
        text = message("review_reason_needed", lang) if action == "reject" else (
            message("review_unknown_type", lang) if record.doc_type not in DOC_TYPES else str(exc))
        return _render_review(request, record, [{"kind": "error", "text": text}], status_code=400)


def _changes(record: WalletRecord, form: FormData, lang: str) -> dict[str, str]:
    """Fields whose text differs from what the page showed (an untouched field is not a correction)."""
    allowed = DOC_TYPES[record.doc_type].fields if record.doc_type in DOC_TYPES else ()
    changes = {}
    for name in allowed:
        typed = form.get(_FIELD_PREFIX + name)
        shown = _display(record.doc_type, name, record.fields.get(name), lang)
        if isinstance(typed, str) and typed.strip() != shown.strip():
            changes[name] = typed
    return changes


def _next(request: Request, done_id: str, record: WalletRecord) -> Response:
    """After approving or rejecting: back to the queue, saying what was done."""
    return RedirectResponse(f"/review?done={done_id}&file={quote(record.file_name)}", status_code=303)


# ---------------------------------------------------------------------------------------------- page images


@router.get("/documents/{record_id}/pages/{number}.png", include_in_schema=False)
def page_image(request: Request, record_id: str, number: int,
               user: Annotated[User, Depends(PAGE_VIEWERS)]) -> Response:
    found = _record_for(request, user, record_id)
    if isinstance(found, Response):
        return found
    rt = _runtime(request)
    try:
        png = review.page_preview(rt.store, found, number, limits_from(rt.settings))
    except ValueError:
        return _not_found(request)
    except (ObjectNotFound, BadInput):
        log.warning("page %d of %s cannot be shown", number, record_id)
        return _not_found(request)
    # Personal data: the browser may keep it for this session's back/forward only.
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=300"})
