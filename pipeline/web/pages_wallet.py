"""The back office's pages: search the wallet, open one paper (fields, history, the original), the reuse check.

Back-office staff and admins only. The logic lives elsewhere (:mod:`pipeline.index` searches,
:mod:`pipeline.review` reads fields and checks, :mod:`pipeline.reuse` answers the reuse check); this module reads
requests, checks roles and renders. Every page reads the store or the index afresh: nothing is cached here.

Personal data: lists (the results table, ``/api/search``) mask identity numbers, also inside highlights; the
paper's own page shows them whole. A reuse check is an audit event that names the citizen only masked and by a
keyed hash, never by the plain number. Originals are never served from a cacheable URL: MinIO answers a presigned
URL that expires within minutes, the local store's file is sent by this app with ``Cache-Control: no-store``.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import logging
import mimetypes
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from math import ceil
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from markupsafe import Markup
from starlette.routing import Match

from pipeline.audit import REUSE_CHECK, AuditEvent, events_for_record, events_on_days, record_event
from pipeline.errors import UnknownProcedure
from pipeline.index.base import HIGHLIGHT_NAME, HIGHLIGHT_VALUES, MAX_RESULT_WINDOW, SearchHit, SearchQuery
from pipeline.reuse import Holding, ReuseReport, check_reuse, validity_today
from pipeline.review import field_views
from pipeline.runtime import Runtime
from pipeline.storage.base import ObjectNotFound, ObjectStore, inline_disposition
from pipeline.wallet import RecordVersion, load_record, load_record_versions, searchable_pdf_key
from pipeline.web.auth import Role, User, require_role, session_secret
from pipeline.web.templating import (
    VIETNAM,
    format_date,
    format_time,
    mask_id,
    mask_ids_in_text,
    message,
    register_messages,
    render,
    request_language,
)
from schemas.doc_types import DOC_TYPES, UNKNOWN, field_label
from schemas.papers import field_kind
from schemas.procedures import ProcedureCatalogue
from schemas.result import Status
from schemas.wallet import ReviewState, Validity, WalletRecord

log = logging.getLogger(__name__)
router = APIRouter()

BACK_OFFICE = require_role(Role.BACKOFFICE, Role.ADMIN)
BackOffice = Annotated[User, Depends(BACK_OFFICE)]

PAGE_SIZE = 20
API_MAX_PAGE_SIZE = 100
ORIGINAL_LINK_LIFETIME = timedelta(minutes=5)  # a presigned link to an original: long enough to open it, no more
VALIDITIES = (Validity.VALID, Validity.EXPIRED, Validity.CANCELLED, Validity.UNKNOWN)
FACETS = ("doc_type", "validity", "station")
_RECORD_ID = re.compile(r"[0-9a-f]{64}")
_MARK = re.compile(r"&lt;(/?)mark&gt;")
_MAX_CITIZEN_ID = 32

MESSAGES = {
    "search_title": ("Tra cứu giấy tờ", "Search the wallet"),
    "search_query": ("Tìm theo tên, số định danh, số giấy tờ hoặc nội dung",
                     "Search by name, ID number, document number or words"),
    "search_query_hint": ("Gõ có dấu hoặc không dấu đều được (đ gõ là d); sai một chữ vẫn tìm thấy.",
                          "With or without diacritics (type d for đ); one typo is forgiven."),
    "search_submit": ("Tìm", "Search"),
    "search_doc_type": ("Loại giấy tờ", "Paper type"),
    "search_agency": ("Cơ quan cấp", "Issuing agency"),
    "search_validity": ("Hiệu lực", "Validity"),
    "search_station": ("Điểm số hóa", "Station"),
    "search_issued_from": ("Cấp từ ngày", "Issued from"),
    "search_issued_to": ("Cấp đến ngày", "Issued to"),
    "search_any": ("Tất cả", "Any"),
    "search_clear": ("Xóa bộ lọc", "Clear filters"),
    "search_found": ("{total} giấy tờ", "{total} papers"),
    "search_found_one": ("1 giấy tờ", "1 paper"),
    "search_browsing": ("Tất cả giấy tờ, mới số hóa nhất trước", "All papers, most recently digitized first"),
    "search_dates": ("Ngày cấp", "Issue date"),
    "search_date_from": ("từ", "from"),
    "search_date_to": ("đến", "to"),
    "search_showing": ("Hiển thị {first}–{last} trên {total}", "Showing {first}–{last} of {total}"),
    "search_none": ("Không tìm thấy giấy tờ nào. Thử bỏ bớt bộ lọc hoặc gõ ít chữ hơn.",
                    "No paper found. Try fewer filters or fewer words."),
    "search_empty_wallet": ("Kho chưa có giấy tờ nào.", "The wallet holds no paper yet."),
    "search_facets": ("Thu hẹp kết quả", "Narrow the results"),
    "search_col_matches": ("Khớp ở", "Matched in"),
    "search_prev": ("← Trang trước", "← Previous"),
    "search_next": ("Trang sau →", "Next →"),
    "search_page": ("Trang {page}/{pages}", "Page {page} of {pages}"),
    "search_pagination": ("Phân trang", "Pagination"),
    "search_bad_date": ("Ngày không hợp lệ ở ô “{label}”: dùng dạng ngày/tháng/năm.",
                        "Invalid date in “{label}”: use day/month/year or year-month-day."),
    "search_bad_range": ("Ngày bắt đầu sau ngày kết thúc.", "The start date is after the end date."),
    "search_bad_validity": ("Hiệu lực không hợp lệ: {value}", "Unknown validity: {value}"),
    "search_bad_page": ("Số trang không hợp lệ.", "Invalid page number."),
    "search_too_deep": (f"Chỉ xem được {MAX_RESULT_WINDOW:_} kết quả đầu tiên: hãy thêm bộ lọc để thu hẹp.".replace(
                        "_", "."), f"Only the first {MAX_RESULT_WINDOW:,} results can be paged: add filters."),
    "search_unnamed": ("(không rõ tên)", "(no name)"),
    "search_doc_unknown": ("Chưa rõ loại", "Unknown type"),
    "doc_title": ("Giấy tờ số hóa", "Digitized paper"),
    "doc_not_found": ("Không tìm thấy giấy tờ này trong kho.", "This paper is not in the wallet."),
    "doc_back": ("← Tra cứu", "← Search"),
    "doc_original": ("Xem bản gốc", "Open the original"),
    "doc_searchable_pdf": ("PDF tìm kiếm được", "Searchable PDF"),
    "doc_original_hint": ("Liên kết tới bản gốc chỉ dùng được trong {minutes} phút.",
                          "A link to the original works for {minutes} minutes only."),
    "doc_kho": ("Thông tin giấy tờ", "About the paper"),
    "doc_owner": ("Chủ sở hữu", "Owner"),
    "doc_ids": ("Số định danh", "ID numbers"),
    "doc_number": ("Số, ký hiệu", "Number"),
    "doc_issued": ("Ngày cấp / ban hành", "Issued on"),
    "doc_agency": ("Cơ quan cấp", "Issued by"),
    "doc_signer": ("Người ký", "Signed by"),
    "doc_summary": ("Trích yếu", "Summary"),
    "doc_valid_until": ("Hiệu lực đến", "Valid until"),
    "doc_validity_today": ("Hiệu lực hôm nay", "Validity today"),
    "doc_digitized": ("Số hóa", "Digitized"),
    "doc_digitized_by": ("{operator} tại {station}, {at}", "{operator} at {station}, {at}"),
    "doc_file": ("Tệp gốc", "Original file"),
    "doc_pages": ("{pages} trang", "{pages} pages"),
    "doc_pages_one": ("1 trang", "1 page"),
    "doc_review_state": ("Kiểm tra", "Review"),
    "doc_state_pending": ("chờ kiểm tra", "pending"),
    "doc_state_approved": ("đã duyệt", "approved"),
    "doc_state_rejected": ("đã từ chối", "rejected"),
    "doc_status_auto_approved": ("tự động duyệt", "auto-approved"),
    "doc_status_needs_review": ("cần kiểm tra", "needs review"),
    "doc_status_rejected": ("từ chối", "rejected"),
    "doc_fields": ("Thông tin trích xuất", "Extracted fields"),
    "doc_confidence": ("Độ tin cậy", "Confidence"),
    "doc_checks": ("Kiểm tra", "Checks"),
    "doc_corrected": ("đã sửa tay", "corrected by hand"),
    "doc_no_value": ("—", "—"),
    "doc_other_issues": ("Lỗi kiểm tra chung", "Other issues"),
    "doc_versions": ("Lịch sử phiên bản", "Version history"),
    "doc_version": ("Phiên bản", "Version"),
    "doc_when": ("Thời điểm", "When"),
    "doc_why": ("Lý do", "Why"),
    "doc_who": ("Người thực hiện", "Who"),
    "doc_where": ("Tại", "Where"),
    "doc_events": ("Nhật ký thao tác", "Audit events"),
    "doc_event_details": ("Chi tiết", "Details"),
    "doc_no_events": ("Không có sự kiện nào được ghi.", "No events recorded."),
    "doc_pages_title": ("Trang {number}", "Page {number}"),
    "doc_permanent": ("Lâu dài", "Permanent"),
    "doc_time_zone": ("giờ Việt Nam", "Vietnam time"),
    "doc_action_uploaded": ("tải lên", "uploaded"),
    "doc_action_digitized": ("số hóa", "digitized"),
    "doc_action_duplicate": ("tải lên trùng", "uploaded again"),
    "doc_action_corrected": ("sửa thông tin", "corrected"),
    "doc_action_approved": ("duyệt", "approved"),
    "doc_action_rejected": ("từ chối", "rejected"),
    "doc_action_expired": ("hết hiệu lực", "expired"),
    "doc_action_reviewed": ("kiểm tra", "reviewed"),
    "doc_action_quarantined": ("cách ly", "quarantined"),
    "doc_action_review_corrected": ("sửa khi kiểm tra", "corrected in review"),
    "doc_action_review_approved": ("duyệt", "approved"),
    "doc_action_review_rejected": ("từ chối", "rejected"),
    "doc_action_reuse_check": ("kiểm tra tái sử dụng", "reuse check"),
    "doc_review_auto": ("Tự động duyệt", "Approved automatically"),
    "doc_review_pending": ("Chờ cán bộ kiểm tra", "Waiting for review"),
    "doc_review_approved": ("Đã duyệt (sau kiểm tra)", "Approved (after review)"),
    "doc_review_rejected": ("Đã từ chối (sau kiểm tra)", "Rejected (after review)"),
    "doc_technical": ("Chi tiết kỹ thuật", "Technical detail"),
    "doc_empty_value": ("(trống)", "(empty)"),
    "doc_event_changed": ("Sửa {field}: {old} → {new}", "{field}: {old} → {new}"),
    "doc_event_version": ("Lưu phiên bản {version}", "Saved as version {version}"),
    "doc_event_open_issues": ("còn {count} lỗi kiểm tra", "{count} checks still failing"),
    "doc_event_rejected": ("Lý do: {reason}", "Reason: {reason}"),
    "doc_event_outcome": ("Kết quả: {status}", "Outcome: {status}"),
    "doc_event_batch": ("Lô {batch}", "Batch {batch}"),
    "doc_event_expired": ("Hiệu lực đến {day}", "Valid until {day}"),
    "doc_event_quarantined": ("Lý do: {reason}", "Reason: {reason}"),
    "reuse_page_title": ("Kiểm tra tái sử dụng giấy tờ", "Reuse check"),
    "reuse_intro": (("Chọn thủ tục và nhập số định danh của công dân (hoặc mã số doanh nghiệp): hệ thống cho biết "
                     "giấy tờ nào đã có trong kho và còn hiệu lực, để không yêu cầu công dân nộp lại."),
                    ("Choose the procedure and enter the citizen's ID number (or enterprise code): the wallet "
                     "tells which papers it already holds, valid, so the citizen is not asked for them again.")),
    "reuse_procedure": ("Thủ tục", "Procedure"),
    "reuse_citizen": ("Số định danh / mã số doanh nghiệp", "ID number / enterprise code"),
    "reuse_check": ("Kiểm tra", "Check"),
    "reuse_choose": ("— Chọn thủ tục —", "— Choose a procedure —"),
    "reuse_result": ("Kết quả cho {citizen}, ngày {day}", "Result for {citizen} on {day}"),
    "reuse_unknown_procedure": ("Không có thủ tục mã “{code}” trong danh mục thủ tục.",
                                "There is no procedure “{code}” in the catalogue."),
    "reuse_need_procedure": ("Hãy chọn thủ tục.", "Choose a procedure."),
    "reuse_need_citizen": ("Hãy nhập số định danh của công dân hoặc mã số doanh nghiệp.",
                           "Enter the citizen's ID number or the enterprise code."),
    "reuse_bad_citizen": ("Số định danh không hợp lệ (chỉ gồm chữ số, có thể có dấu “-”).",
                          "Invalid ID number (digits, possibly with “-”)."),
    "reuse_open": ("Xem", "Open"),
    "reuse_open_label": ("Xem {paper} trong kho", "Open the {paper} held"),
    "reuse_owner": ("Chủ giấy tờ", "Owner"),
    "reuse_not_confirmed": ("chưa duyệt", "not yet reviewed"),
    "reuse_to_bring": ("Công dân cần nộp", "The citizen brings them"),
}
register_messages(MESSAGES)

_HOLDING_BADGE = {
    Holding.VALID: "badge-ok",
    Holding.UNVERIFIED: "badge-warn",
    Holding.EXPIRED: "badge-error",
    Holding.CANCELLED: "badge-error",
    Holding.NOT_HELD: "badge-info",
    Holding.NOT_KEPT: "badge-info",
}
_VALIDITY_BADGE = {Validity.VALID: "badge-ok", Validity.EXPIRED: "badge-error", Validity.CANCELLED: "badge-error",
                   Validity.UNKNOWN: "badge-warn"}


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def _today() -> date:
    """The centre's calendar day: validity is judged on the day of the check, in Vietnam."""
    return datetime.now(VIETNAM).date()


def doc_type_label(code: str, lang: str) -> str:
    known = DOC_TYPES.get(code)
    if known is None:
        return message("search_doc_unknown", lang) if code == UNKNOWN else code
    return known.title_en if lang == "en" else known.title_vi


def _has(message_id: str) -> bool:
    try:
        message(message_id, "vi")
    except KeyError:
        return False
    return True


def marked_html(fragment: str) -> Markup:
    """A highlight as safe HTML: only ``<mark>`` tags survive, and identity numbers in it are masked.

    The index already escapes highlights; escaping again from the unescaped text keeps this safe whatever an
    index returns, without showing ``&amp;lt;`` where it did escape.
    """
    text = mask_ids_in_text(html.unescape(fragment))
    return Markup(_MARK.sub(r"<\1mark>", html.escape(text, quote=False)))


# ---------------------------------------------------------------------------------------------- search


@dataclass
class SearchForm:
    """What the search page was asked, as typed, and what was wrong with it (message texts)."""

    text: str = ""
    doc_type: str = ""
    agency: str = ""
    validity: str = ""
    station: str = ""
    issued_from: str = ""
    issued_to: str = ""
    page: int = 1
    errors: list[str] = field(default_factory=list)

    def params(self, **changes: Any) -> str:
        """This search's query string with ``changes`` (a page, a facet), empty values left out."""
        values = {"q": self.text, "doc_type": self.doc_type, "agency": self.agency, "validity": self.validity,
                  "station": self.station, "issued_from": self.issued_from, "issued_to": self.issued_to,
                  "page": str(self.page)}
        values.update({k: str(v) for k, v in changes.items()})
        if values["page"] == "1":
            values.pop("page")
        return urlencode({k: v for k, v in values.items() if v})

    @property
    def filtered(self) -> bool:
        return any((self.doc_type, self.agency, self.validity, self.station, self.issued_from, self.issued_to))


def read_search(params: Mapping[str, str], lang: str, per_page: int) -> tuple[SearchForm, SearchQuery | None]:
    """The form as typed and the query to run (None when the form has errors to show instead)."""
    form = SearchForm(**{name: (params.get(key) or "").strip()[:200] for name, key in (
        ("text", "q"), ("doc_type", "doc_type"), ("agency", "agency"), ("validity", "validity"),
        ("station", "station"), ("issued_from", "issued_from"), ("issued_to", "issued_to"))})
    dates: dict[str, date | None] = {}
    for name, label in (("issued_from", "search_issued_from"), ("issued_to", "search_issued_to")):
        typed = getattr(form, name)
        try:
            dates[name] = _typed_date(typed) if typed else None
        except ValueError:
            dates[name] = None
            form.errors.append(message("search_bad_date", lang, label=message(label, lang)))
    if dates["issued_from"] and dates["issued_to"] and dates["issued_from"] > dates["issued_to"]:
        form.errors.append(message("search_bad_range", lang))
    if form.validity and form.validity not in {v.value for v in VALIDITIES}:
        form.errors.append(message("search_bad_validity", lang, value=form.validity))
    page = params.get("page") or "1"
    if not page.isdigit() or int(page) < 1:
        form.errors.append(message("search_bad_page", lang))
    else:
        form.page = int(page)
        if form.page * per_page > MAX_RESULT_WINDOW:
            form.errors.append(message("search_too_deep", lang))
    if form.errors:
        return form, None
    query = SearchQuery(
        text=form.text, doc_type=form.doc_type or None, issuing_agency=form.agency or None,
        validity=form.validity or None, station=form.station or None, issued_from=dates["issued_from"],
        issued_to=dates["issued_to"], limit=per_page, offset=(form.page - 1) * per_page, facets=list(FACETS))
    return form, query


def _typed_date(typed: str) -> date:
    """A date from the form: ISO (what a date input sends) or dd/mm/yyyy (typed by hand); ValueError otherwise."""
    try:
        return date.fromisoformat(typed)
    except ValueError:
        return datetime.strptime(typed, "%d/%m/%Y").date()


def hit_view(hit: SearchHit, lang: str) -> dict[str, Any]:
    """A result row as lists show it: identity numbers masked, highlights as safe HTML."""
    record = hit.record
    return {
        "record_id": record.record_id,
        "url": f"/documents/{record.record_id}",
        "doc_type": record.doc_type,
        "doc_type_label": doc_type_label(record.doc_type, lang),
        "owner_name": record.owner_name,
        "owner_ids": [mask_id(owner_id) for owner_id in record.owner_ids],
        "doc_number": mask_ids_in_text(record.doc_number) if record.doc_number else None,  # a card's is its ID
        "issue_date": record.issue_date.isoformat() if record.issue_date else None,
        "issuing_agency": record.issuing_agency,
        "validity": record.validity.value,
        "station": record.station,
        "digitized_at": record.digitized_at.isoformat(),
        "highlights": {name: [str(marked_html(f)) for f in fragments]
                       for name, fragments in hit.highlights.items() if name in (HIGHLIGHT_NAME, HIGHLIGHT_VALUES)},
        "score": hit.score,
    }


@router.get("/search", include_in_schema=False)
def search_page(request: Request, user: BackOffice) -> Response:
    lang = request_language(request)
    form, query = read_search(request.query_params, lang, PAGE_SIZE)
    context: dict[str, Any] = {
        "form": form, "hits": [], "total": None, "facets": {}, "pages": 0,
        "doc_types": [(code, doc_type_label(code, lang)) for code in DOC_TYPES],
        "validities": [v.value for v in VALIDITIES], "validity_badge": {v.value: b for v, b in
                                                                          _VALIDITY_BADGE.items()},
        "doc_type_label": lambda code: doc_type_label(code, lang), "marked": marked_html,
        "flashes": [{"kind": "error", "text": error} for error in form.errors],
    }
    if query is None:
        return render(request, "search.html", context, status_code=422)
    results = _runtime(request).index.search(query)
    context.update(
        hits=[hit_view(hit, lang) for hit in results.hits], total=results.total, facets=results.facets,
        pages=_pages(results.total, PAGE_SIZE), first=query.offset + 1, last=query.offset + len(results.hits),
    )
    return render(request, "search.html", context)


@router.get("/api/search", summary="Search the wallet (back office): hits with masked IDs, facets, highlights")
def search_api(request: Request, user: BackOffice) -> Response:
    lang = request_language(request)
    per_page = request.query_params.get("per_page") or str(PAGE_SIZE)
    if not per_page.isdigit() or not 1 <= int(per_page) <= API_MAX_PAGE_SIZE:
        return _bad_request(f"per_page: 1–{API_MAX_PAGE_SIZE}")
    form, query = read_search(request.query_params, lang, int(per_page))
    if query is None:
        return _bad_request("; ".join(form.errors))
    results = _runtime(request).index.search(query)
    return JSONResponse({
        "total": results.total,
        "page": form.page,
        "per_page": query.limit,
        "pages": _pages(results.total, query.limit),
        "hits": [hit_view(hit, lang) for hit in results.hits],
        "facets": results.facets,
    })


def _pages(total: int, per_page: int) -> int:
    """Pages one can open: all of them, up to the result window."""
    return ceil(min(total, MAX_RESULT_WINDOW) / per_page)


def _bad_request(text: str) -> JSONResponse:
    return JSONResponse({"error": "bad_request", "message": text}, status_code=422)


# ---------------------------------------------------------------------------------------------- one paper


@router.get("/documents/{record_id}", include_in_schema=False)
def document_page(request: Request, record_id: str, user: BackOffice) -> Response:
    lang = request_language(request)
    store = _runtime(request).store
    record = _record(store, record_id)
    if record is None:
        return _not_found_page(request)
    today = _today()
    fields, issues = field_views(store, record, today=today)
    versions = load_record_versions(store, record.record_id)
    first_page = f"/documents/{record.record_id}/pages/1.png"  # the station pages render scans, when installed
    people = _people(request)
    context = {
        "record": record,
        "title": record.owner_name or record.file_name,
        "doc_type_label": doc_type_label(record.doc_type, lang),
        "validity_today": validity_today(record, today).value,
        "validity_badge": {v.value: b for v, b in _VALIDITY_BADGE.items()},
        "review_label": message(_review_message(record), lang),
        "pages_label": message("doc_pages_one", lang) if record.pages == 1 else message("doc_pages", lang,
                                                                                        pages=record.pages),
        "fields": [{"label": field_label(f.name, lang), "view": f,
                    "shown": shown_value(record.doc_type, f.name, f.value, lang)} for f in fields],
        "other_issues": [issue for issue in issues if not issue.field],
        "versions": [{"version": v.version, "when": format_time(v.saved_at, lang),
                      "why": action_label(v.reason, lang), "who": people(v.actor), "station": v.record.station}
                     for v in reversed(versions)],
        "events": [event_view(e, record.doc_type, lang, people)
                   for e in reversed(record_events(store, record, versions))],
        "digitized_by": people(record.operator),
        "searchable_pdf": store.exists(searchable_pdf_key(record.record_id)),
        "page_images": [f"/documents/{record.record_id}/pages/{n}.png" for n in range(1, min(record.pages, 3) + 1)]
        if _serves(request, first_page) else [],
        "link_minutes": int(ORIGINAL_LINK_LIFETIME.total_seconds() // 60),
    }
    return render(request, "document.html", context)


@router.get("/documents/{record_id}/original", include_in_schema=False)
def original(request: Request, record_id: str, user: BackOffice) -> Response:
    store = _runtime(request).store
    record = _record(store, record_id)
    if record is None:
        return _not_found_page(request)
    return _serve(request, store, record.file_key, record.file_name)


@router.get("/documents/{record_id}/searchable.pdf", include_in_schema=False)
def searchable_pdf(request: Request, record_id: str, user: BackOffice) -> Response:
    store = _runtime(request).store
    record = _record(store, record_id)
    if record is None or not store.exists(searchable_pdf_key(record.record_id)):
        return _not_found_page(request)
    stem = record.file_name.rsplit(".", 1)[0] or "document"
    return _serve(request, store, searchable_pdf_key(record.record_id), f"{stem}.ocr.pdf")


def _serves(request: Request, path: str) -> bool:
    """Whether some route of this app answers ``GET path`` (feature modules are included only when present)."""
    scope = {"type": "http", "path": path, "method": "GET", "root_path": "", "headers": []}
    return any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes)


def _record(store: ObjectStore, record_id: str) -> WalletRecord | None:
    """The paper's current record from the store (the system of record), or None; ids are sha256 hex."""
    if not _RECORD_ID.fullmatch(record_id):
        return None
    return load_record(store, record_id)


def _not_found_page(request: Request) -> Response:
    lang = request_language(request)
    return render(request, "error.html", {"title_id": "doc_title", "message": message("doc_not_found", lang)},
                  status_code=404)


def _serve(request: Request, store: ObjectStore, key: str, file_name: str) -> Response:
    """A stored file for the browser: a short-lived presigned URL where the store makes one, else the bytes."""
    try:
        stored_type = store.stat(key).content_type
    except ObjectNotFound:
        return _not_found_page(request)
    guessed = _content_type(file_name, stored_type)
    url = store.presigned_url(key, ORIGINAL_LINK_LIFETIME, content_type=guessed, file_name=file_name)
    if url is not None:
        return RedirectResponse(url, status_code=303)
    try:
        data = store.get(key)
    except ObjectNotFound:
        return _not_found_page(request)
    return Response(data, media_type=_content_type(file_name, stored_type, data),
                    headers={"Content-Disposition": inline_disposition(file_name), "Cache-Control": "no-store"})


_MAGIC = ((b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
          (b"II*\x00", "image/tiff"), (b"MM\x00*", "image/tiff"))
_SHOWN_INLINE = {"application/pdf", "image/png", "image/jpeg", "image/tiff", "image/webp", "image/gif"}


def _content_type(file_name: str, stored: str, data: bytes | None = None) -> str:
    """What the browser should take the file for: its first bytes, else the store's type, else its name.

    Only types a browser shows without running anything are named; anything else goes as
    ``application/octet-stream``, so a file uploaded as HTML can never run as a page of this site.
    """
    if data is not None:
        for magic, kind in _MAGIC:
            if data.startswith(magic):
                return kind
    for candidate in (stored, mimetypes.guess_type(file_name)[0]):
        if candidate in _SHOWN_INLINE:
            return candidate
    return "application/octet-stream"


def action_label(code: str, lang: str) -> str:
    """Why a version was saved or what an audit event did, in words; an action without words shows its code."""
    message_id = f"doc_action_{code}"
    return message(message_id, lang) if _has(message_id) else code


def _review_message(record: WalletRecord) -> str:
    """Where the paper stands in review, as one phrase (not "needs review · approved")."""
    if record.review_state is ReviewState.PENDING:
        return "doc_review_auto" if record.extraction_status is Status.AUTO_APPROVED else "doc_review_pending"
    if record.extraction_status is Status.AUTO_APPROVED and record.review_state is ReviewState.APPROVED:
        return "doc_review_auto"
    return f"doc_review_{record.review_state.value}"


@dataclass(frozen=True)
class Person:
    username: str
    name: str  # the display name, else the username


def _people(request: Request) -> Callable[[str], Person]:
    """Display names of the accounts named in a page's history (each looked up once); pipeline actors as named."""
    users = getattr(getattr(request.app.state, "auth", None), "users", None)
    known: dict[str, Person] = {}

    def person(username: str) -> Person:
        if username not in known:
            account = users.get(username) if users is not None else None
            known[username] = Person(username, account.label if account else username)
        return known[username]

    return person


def shown_value(doc_type: str, name: str, value: Any, lang: str) -> str:
    """A field's value as people read it: dates as dd/mm/yyyy (Vietnamese), lists joined, nothing as ""."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(shown_value(doc_type, name, v, lang) for v in value)
    if isinstance(value, dict):
        return shown_value(doc_type, name, value.get("value"), lang) if "value" in value else ", ".join(
            f"{k}: {shown_value(doc_type, name, v, lang)}" for k, v in value.items())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and field_kind(doc_type, name) == "date":
        return format_date(value, lang)
    return str(value)


def event_view(event: AuditEvent, doc_type: str, lang: str, people: Callable[[str], Person]) -> dict[str, Any]:
    """An audit event as a history row: what happened in words, and the raw details folded away for support."""
    details = event.details
    said: list[str] = []
    if event.action == "review_corrected":
        for name, change in (details.get("changes") or {}).items():
            old, new = (change.get("old"), change.get("new")) if isinstance(change, dict) else (None, change)
            said.append(message("doc_event_changed", lang, field=field_label(name, lang),
                                old=shown_value(doc_type, name, old, lang) or message("doc_empty_value", lang),
                                new=shown_value(doc_type, name, new, lang) or message("doc_empty_value", lang)))
    if event.action == "review_rejected" and details.get("reason"):
        said.append(message("doc_event_rejected", lang, reason=str(details["reason"])))
    if event.action == "quarantined" and details.get("reason"):
        code = str(details["reason"])
        said.append(message("doc_event_quarantined", lang,
                            reason=message(f"reason_{code}", lang) if _has(f"reason_{code}") else code))
    if event.action in ("digitized", "duplicate") and details.get("status"):
        status = str(details["status"])
        status_id = f"doc_status_{status}"
        said.append(message("doc_event_outcome", lang,
                            status=message(status_id, lang) if _has(status_id) else status))
    if event.action == "uploaded" and details.get("batch"):
        said.append(message("doc_event_batch", lang, batch=str(details["batch"])))
    if event.action == "expired" and details.get("valid_until"):
        said.append(message("doc_event_expired", lang, day=format_date(str(details["valid_until"]), lang)))
    if event.action in ("review_corrected", "review_approved") and details.get("version"):
        said.append(message("doc_event_version", lang, version=details["version"]))
    if event.action == "review_approved" and details.get("issues"):
        said.append(message("doc_event_open_issues", lang, count=len(details["issues"])))
    technical = " · ".join(f"{k}: {_technical(v)}" for k, v in sorted(details.items())
                           if v not in (None, "", [], {}) and k not in ("changes", "summary"))
    return {"when": format_time(event.at, lang), "action": action_label(event.action, lang),
            "who": people(event.operator), "station": event.station, "said": said, "technical": technical}


def _technical(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={_technical(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_technical(v) for v in value)
    return str(value)


def record_events(store: ObjectStore, record: WalletRecord, versions: list[RecordVersion]) -> list[AuditEvent]:
    """The audit events about this paper, oldest first.

    Found through the paper's pointers (:func:`pipeline.audit.events_for_record`: one listing). A paper digitized
    before the pointers existed has none; then the days it changed are read whole, as before: the day before it
    was digitized (its upload) and each day a version was saved.
    """
    found = events_for_record(store, record.sha256)
    if found:
        return found
    days = {record.digitized_at.astimezone(UTC).date(), *(v.saved_at.astimezone(UTC).date() for v in versions)}
    days.add(min(days) - timedelta(days=1))
    return events_on_days(store, days, record.sha256, record.file_key)


# ---------------------------------------------------------------------------------------------- reuse check


class ReuseRefused(Exception):
    def __init__(self, status_code: int, code: str, text: str) -> None:
        super().__init__(text)
        self.status_code, self.code, self.text = status_code, code, text


_CITIZEN_ID = re.compile(r"[0-9][0-9 .-]*[0-9]")


def run_reuse_check(request: Request, user: User, procedure: str, citizen: str, lang: str) -> ReuseReport:
    """The reuse check for the form or API, recorded as an audit event; :class:`ReuseRefused` if it cannot run."""
    procedure, citizen = procedure.strip(), citizen.strip()
    if not procedure:
        raise ReuseRefused(422, "procedure_required", message("reuse_need_procedure", lang))
    if not citizen:
        raise ReuseRefused(422, "citizen_required", message("reuse_need_citizen", lang))
    if len(citizen) > _MAX_CITIZEN_ID or not _CITIZEN_ID.fullmatch(citizen):
        raise ReuseRefused(422, "citizen_invalid", message("reuse_bad_citizen", lang))
    try:
        report = check_reuse(procedure, citizen, _runtime(request).index, _catalogue(request), _today())
    except UnknownProcedure:
        raise ReuseRefused(404, "unknown_procedure",
                           message("reuse_unknown_procedure", lang, code=procedure[:40])) from None
    record_event(_runtime(request).store, AuditEvent(
        action=REUSE_CHECK, object_key=f"procedures/{report.procedure_code}", station=user.station or "-",
        operator=user.username,
        details={"procedure": report.procedure_code, "reusable": len(report.reusable),
                 "to_check": len(report.to_check), "to_bring": len(report.to_bring),
                 "citizen": mask_id(citizen), "citizen_ref": citizen_ref(request, citizen)},
    ))
    return report


def citizen_ref(request: Request, citizen: str) -> str:
    """A keyed hash of the citizen's number: repeat checks of one citizen can be counted, the number not read back.

    A plain hash of a 12-digit number is reversed by trying them all; the app's secret key prevents that.
    """
    digits = re.sub(r"\D", "", citizen)
    key = session_secret(request.app.state.settings).encode()
    return hmac.new(key, b"sohoa.reuse-citizen:" + digits.encode(), hashlib.sha256).hexdigest()[:24]


def _catalogue(request: Request) -> ProcedureCatalogue:
    """The catalogue create_app loaded and checked at start-up."""
    return request.app.state.catalogue


def report_view(report: ReuseReport, lang: str) -> dict[str, Any]:
    """The report as the page and the API give it: every paper with its holding, the citizen's ID masked."""
    papers = []
    for check in report.papers:
        paper = check.paper
        papers.append({
            "name": check.name,
            "doc_type": check.doc_type,
            "optional": check.optional,
            "holding": check.holding.value,
            "holding_label": message(f"reuse_{check.holding.value}", lang),
            "badge": _HOLDING_BADGE[check.holding],
            "reusable": check.reusable,
            "citizen_brings": check.citizen_brings,
            "paper": None if paper is None else {
                "record_id": paper.record_id,
                "url": f"/documents/{paper.record_id}",
                "doc_number": mask_ids_in_text(paper.doc_number) if paper.doc_number else None,
                "owner_name": paper.owner_name,
                "issue_date": paper.issue_date.isoformat() if paper.issue_date else None,
                "issuing_agency": paper.issuing_agency,
                "valid_until": paper.valid_until.isoformat() if paper.valid_until else None,
                "permanent": paper.permanent,
                "validity": paper.validity.value,
                "confirmed": paper.confirmed,
            },
        })
    return {
        "procedure": {"code": report.procedure_code, "name": report.procedure_name,
                      "result_doc_type": report.result_doc_type},
        "citizen": mask_id(report.citizen_id),
        "checked_on": report.checked_on.isoformat(),
        "papers": papers,
        "summary": {"reusable": len(report.reusable), "to_check": len(report.to_check),
                    "to_bring": len(report.to_bring)},
    }


@router.get("/reuse", include_in_schema=False)
def reuse_page(request: Request, user: BackOffice) -> Response:
    lang = request_language(request)
    procedure = (request.query_params.get("procedure") or "").strip()
    citizen = (request.query_params.get("citizen") or "").strip()
    context: dict[str, Any] = {
        "procedures": _catalogue(request).procedures, "procedure": procedure, "citizen": citizen, "report": None,
    }
    status = 200
    if procedure or citizen:
        try:
            context["report"] = report_view(run_reuse_check(request, user, procedure, citizen, lang), lang)
        except ReuseRefused as refused:
            context["flashes"] = [{"kind": "error", "text": refused.text}]
            status = refused.status_code
    return render(request, "reuse.html", context, status_code=status)


@router.get("/api/reuse", summary="Reuse check: which papers of a procedure the wallet holds, valid, for a citizen")
def reuse_api(request: Request, user: BackOffice, procedure: str = "", citizen: str = "") -> Response:
    lang = request_language(request)
    try:
        report = run_reuse_check(request, user, procedure, citizen, lang)
    except ReuseRefused as refused:
        return JSONResponse({"error": refused.code, "message": refused.text}, status_code=refused.status_code)
    return JSONResponse(report_view(report, lang))
