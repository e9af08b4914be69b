"""The administrator's pages: user accounts (``/admin/users``) and the centre's dashboard (``/dashboard``).

The dashboard reads the system of record, not the index: wallet records (``records/<sha>/record.json``) and audit
events (``audit/YYYY/MM/DD/…``). :class:`DashboardSource` keeps a small summary of each object in memory and, on
each refresh, fetches only what changed: a record whose ETag moved, an audit event it has not seen (events are
immutable). Listing stays proportional to the store (every record key, the window's audit days), which is fine for
tens of thousands of papers; see the issue note for what this costs at a million.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from pipeline.audit import REUSE_CHECK, AuditEvent, record_event
from pipeline.storage.base import ObjectNotFound, ObjectStore
from pipeline.web.auth import AccountError, Role, User, UserStore, csrf_protect, get_auth, require_role
from pipeline.web.templating import VIETNAM, message, register_messages, render, request_language
from schemas.result import Status
from schemas.wallet import ReviewState, Validity

log = logging.getLogger(__name__)


MESSAGES = {
    "admin_users_title": ("Người dùng", "Users"),
    "admin_col_username": ("Tên đăng nhập", "Username"),
    "admin_col_name": ("Họ tên", "Name"),
    "admin_col_role": ("Vai trò", "Role"),
    "admin_col_station": ("Điểm số hóa", "Station"),
    "admin_col_state": ("Trạng thái", "State"),
    "admin_col_actions": ("Thao tác", "Actions"),
    "admin_active": ("Đang hoạt động", "Active"),
    "admin_inactive": ("Đã khóa", "Deactivated"),
    "admin_deactivate": ("Khóa", "Deactivate"),
    "admin_activate": ("Mở khóa", "Reactivate"),
    "admin_new_password": ("Mật khẩu mới", "New password"),
    "admin_reset_password": ("Đặt lại mật khẩu", "Reset password"),
    "admin_add_title": ("Thêm người dùng", "Add a user"),
    "admin_add_submit": ("Thêm", "Add"),
    "admin_password_hint": ("Ít nhất 10 ký tự. Trao trực tiếp cho người dùng, không gửi qua tin nhắn.",
                            "At least 10 characters. Hand it over in person, not by message."),
    "admin_station_hint": ("Bắt buộc với cán bộ số hóa, ví dụ HN-01.", "Required for operators, e.g. HN-01."),
    "admin_you": ("(bạn)", "(you)"),
    "admin_no_users": ("Chưa có người dùng.", "No users yet."),
    "admin_done_created": ("Đã thêm người dùng {who}.", "User {who} added."),
    "admin_done_deactivated": ("Đã khóa tài khoản {who}; các phiên đăng nhập của họ đã kết thúc.",
                               "{who} is deactivated; their sessions have ended."),
    "admin_done_activated": ("Đã mở khóa tài khoản {who}.", "{who} is active again."),
    "admin_done_password": ("Đã đặt lại mật khẩu của {who}; các phiên đăng nhập cũ đã kết thúc.",
                            "{who}'s password is reset; their old sessions have ended."),
    "admin_not_found_title": ("Không tìm thấy", "Not found"),
    "dash_title": ("Bảng điều khiển", "Dashboard"),
    "dash_records": ("Giấy tờ đã số hóa", "Papers digitized"),
    "dash_auto_rate": ("Tỷ lệ tự động duyệt", "Auto-approval rate"),
    "dash_backlog": ("Chờ kiểm tra", "Review backlog"),
    "dash_quarantined": ("Cách ly (không xử lý được)", "Quarantined (unprocessable)"),
    "dash_valid_expired": ("Hiệu lực của giấy tờ", "Validity of the papers"),
    "dash_reuse": ("Kiểm tra tái sử dụng", "Reuse checks"),
    "dash_reuse_hits": ("{hits}/{checks} lần có giấy tờ dùng lại được ({rate})",
                        "{hits} of {checks} found a paper to reuse ({rate})"),
    "dash_reuse_none": ("Chưa có lần kiểm tra nào trong {days} ngày qua.", "No checks in the last {days} days."),
    "dash_per_day": ("Số giấy tờ số hóa theo ngày và điểm ({days} ngày gần nhất)",
                     "Papers digitized per day and station (last {days} days)"),
    "dash_per_station": ("Theo điểm số hóa", "Per station"),
    "dash_day": ("Ngày", "Day"),
    "dash_total": ("Tổng", "Total"),
    "dash_in_window": ("Trong {days} ngày", "Last {days} days"),
    "dash_all_time": ("Từ trước đến nay", "All time"),
    "dash_of_records": ("trên {total} giấy tờ", "of {total} papers"),
    "dash_generated": ("Số liệu lúc {at} (làm mới mỗi {seconds} giây)", "Figures as of {at} (refreshed every {seconds} s)"),
    "dash_empty": ("Chưa có giấy tờ nào được số hóa.", "No paper has been digitized yet."),
    "dash_active_days": ("Chỉ liệt kê những ngày có giấy tờ số hóa hoặc lượt kiểm tra.",
                         "Only days with papers digitized or checks run are listed."),
    "dash_no_activity": ("Không có hoạt động nào trong {days} ngày qua.", "No activity in the last {days} days."),
}
register_messages(MESSAGES)

router = APIRouter(tags=["admin"])
AdminUser = Annotated[User, Depends(require_role(Role.ADMIN))]
DONE_MESSAGES = {"created", "deactivated", "activated", "password"}


# -- users ------------------------------------------------------------------------------------------------------


def _users(request: Request) -> UserStore:
    return get_auth(request).users


def _users_page(request: Request, admin: User, *, status_code: int = 200, flashes: list[dict] | None = None,
                form: dict[str, str] | None = None) -> Response:
    done, who = request.query_params.get("done"), request.query_params.get("who", "")
    flashes = list(flashes or [])
    if done in DONE_MESSAGES:
        flashes.append({"kind": "ok", "text": message(f"admin_done_{done}", request_language(request), who=who)})
    return render(request, "admin_users.html", {
        "accounts": [a.public() for a in _users(request).list()], "roles": list(Role), "me": admin,
        "form": form or {"role": Role.OPERATOR.value}, "flashes": flashes}, status_code=status_code)


def _error_flash(request: Request, exc: AccountError) -> dict[str, str]:
    return {"kind": "error", "text": message(f"auth_error_{exc.code}", request_language(request), **exc.details)}


def _audit_user_change(request: Request, admin: User, action: str, username: str, **details: Any) -> None:
    record_event(request.app.state.store, AuditEvent(
        action=action, object_key=UserStore.key(username), station=admin.station or "-", operator=admin.username,
        details={"user": username, **details}))


def _done(action: str, username: str) -> RedirectResponse:
    return RedirectResponse(f"/admin/users?done={action}&who={username}", status_code=303)


@router.get("/admin/users", include_in_schema=False)
def users_page(request: Request, admin: AdminUser) -> Response:
    return _users_page(request, admin)


@router.post("/admin/users", include_in_schema=False, dependencies=[Depends(csrf_protect)])
def add_user(request: Request, admin: AdminUser, username: Annotated[str, Form()] = "",
             display_name: Annotated[str, Form()] = "", role: Annotated[str, Form()] = "",
             station: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "") -> Response:
    entered = {"username": username, "display_name": display_name, "role": role, "station": station}
    try:
        account = _users(request).create(username, password, Role(role) if role in set(Role) else Role.OPERATOR,
                                         station=station, display_name=display_name)
    except AccountError as exc:
        return _users_page(request, admin, status_code=400, flashes=[_error_flash(request, exc)], form=entered)
    _audit_user_change(request, admin, "user_created", account.username, role=account.role.value,
                       user_station=account.station)
    log.info("user %s (%s) created by %s", account.username, account.role, admin.username)
    return _done("created", account.username)


@router.post("/admin/users/{username}/active", include_in_schema=False, dependencies=[Depends(csrf_protect)])
def set_user_active(request: Request, admin: AdminUser, username: str,
                    active: Annotated[str, Form()] = "0") -> Response:
    activate = active == "1"
    try:
        if not activate and _users(request).get(username) is not None and username == admin.username:
            raise AccountError("self")
        account = _users(request).set_active(username, activate)
    except AccountError as exc:
        return _account_error(request, admin, exc)
    action = "activated" if activate else "deactivated"
    _audit_user_change(request, admin, f"user_{action}", account.username)
    log.info("user %s %s by %s", account.username, action, admin.username)
    return _done(action, account.username)


@router.post("/admin/users/{username}/password", include_in_schema=False, dependencies=[Depends(csrf_protect)])
def reset_password(request: Request, admin: AdminUser, username: str,
                   password: Annotated[str, Form()] = "") -> Response:
    try:
        account = _users(request).set_password(username, password)
    except AccountError as exc:
        return _account_error(request, admin, exc)
    _audit_user_change(request, admin, "password_reset", account.username)
    log.info("password of %s reset by %s", account.username, admin.username)
    return _done("password", account.username)


def _account_error(request: Request, admin: User, exc: AccountError) -> Response:
    if exc.code == "user_unknown":
        text = message("auth_error_user_unknown", request_language(request))
        return render(request, "error.html", {"title_id": "admin_not_found_title", "message": text}, status_code=404)
    return _users_page(request, admin, status_code=400, flashes=[_error_flash(request, exc)])


# -- dashboard figures -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordFacts:
    """What the dashboard needs of one wallet record."""

    station: str
    day: date  # digitized on, in Vietnam time
    status: Status
    review_state: ReviewState
    validity: Validity


@dataclass(frozen=True)
class ReuseCheckFacts:
    day: date
    station: str
    hit: bool  # at least one required paper was held and valid


class DashboardSource:
    """The records' and reuse checks' facts, refreshed incrementally from the store at most every ``ttl`` s."""

    def __init__(self, store: ObjectStore, ttl_seconds: float = 30.0) -> None:
        self.store = store
        self.ttl = ttl_seconds
        self._records: dict[str, tuple[str, RecordFacts]] = {}  # key → (etag, facts)
        self._events: dict[str, ReuseCheckFacts | None] = {}  # key → facts (None: not a reuse check)
        self._quarantined = 0
        self._refreshed_at = 0.0
        self._window: tuple[date, int] | None = None  # the (today, days) the audit events were read for
        self._lock = threading.Lock()

    def snapshot(self, today: date, days: int, *, force: bool = False) -> tuple[list[RecordFacts],
                                                                                 list[ReuseCheckFacts], int]:
        with self._lock:
            stale = time.monotonic() - self._refreshed_at >= self.ttl or (today, days) != self._window
            if force or stale:
                self._refresh(today, days)
                self._refreshed_at, self._window = time.monotonic(), (today, days)
            return ([facts for _, facts in self._records.values()],
                    [e for e in self._events.values() if e is not None], self._quarantined)

    def _refresh(self, today: date, days: int) -> None:
        seen: dict[str, tuple[str, RecordFacts]] = {}
        for info in self.store.list("records/"):
            if not info.key.endswith("/record.json"):
                continue
            cached = self._records.get(info.key)
            if cached is not None and cached[0] == info.etag:
                seen[info.key] = cached
                continue
            try:
                facts = _record_facts(json.loads(self.store.get(info.key)))
            except ObjectNotFound:
                continue
            seen[info.key] = (info.etag, facts)
        self._records = seen
        self._quarantined = sum(1 for _ in self.store.list("quarantine/"))
        # Audit keys are dated in UTC; a Vietnam day spans two UTC days, so list one more. Events are immutable:
        # each is read once; those that left the window are forgotten.
        events: dict[str, ReuseCheckFacts | None] = {}
        for offset in range(days + 1):
            utc_day = today - timedelta(days=offset)
            for info in self.store.list(f"audit/{utc_day:%Y/%m/%d}/"):
                events[info.key] = (self._events[info.key] if info.key in self._events
                                    else _reuse_facts(self.store, info.key))
        self._events = events


def _record_facts(data: dict) -> RecordFacts:
    digitized = datetime.fromisoformat(data["digitized_at"])
    if digitized.tzinfo is None:
        digitized = digitized.replace(tzinfo=UTC)
    return RecordFacts(station=data.get("station") or "?", day=digitized.astimezone(VIETNAM).date(),
                       status=Status(data["extraction_status"]),
                       review_state=ReviewState(data.get("review_state", ReviewState.PENDING)),
                       validity=Validity(data.get("validity", Validity.UNKNOWN)))


def _reuse_facts(store: ObjectStore, key: str) -> ReuseCheckFacts | None:
    try:
        event = AuditEvent.model_validate_json(store.get(key))
    except (ObjectNotFound, ValueError):
        return None
    if event.action != REUSE_CHECK:
        return None
    reusable = event.details.get("reusable", 0)
    hit = (reusable > 0) if isinstance(reusable, int | float) else bool(reusable)
    return ReuseCheckFacts(day=event.at.astimezone(VIETNAM).date(), station=event.station, hit=hit)


def dashboard_figures(records: list[RecordFacts], checks: list[ReuseCheckFacts], quarantined: int, today: date,
                      days: int) -> dict[str, Any]:
    """The dashboard's numbers, as ``/api/dashboard`` returns them."""
    first_day = today - timedelta(days=days - 1)
    status = Counter(r.status for r in records)
    validity = Counter(r.validity for r in records)
    backlog = sum(1 for r in records if r.status is Status.NEEDS_REVIEW and r.review_state is ReviewState.PENDING)
    per_day: dict[date, Counter] = defaultdict(Counter)
    per_station_all, per_station_window = Counter(), Counter()
    for r in records:
        per_station_all[r.station] += 1
        if first_day <= r.day <= today:
            per_day[r.day][r.station] += 1
            per_station_window[r.station] += 1
    window_checks = [c for c in checks if first_day <= c.day <= today]
    hits = sum(1 for c in window_checks if c.hit)
    checks_per_day = Counter(c.day for c in window_checks)
    hits_per_day = Counter(c.day for c in window_checks if c.hit)
    day_list = [first_day + timedelta(days=n) for n in range(days)][::-1]  # most recent first
    return {
        "today": today.isoformat(),
        "days": days,
        "totals": {
            "records": len(records),
            "auto_approved": status[Status.AUTO_APPROVED],
            "needs_review": status[Status.NEEDS_REVIEW],
            "rejected": status[Status.REJECTED],
            "auto_approval_rate": round(status[Status.AUTO_APPROVED] / len(records), 4) if records else None,
            "review_backlog": backlog,
            "quarantined": quarantined,
        },
        "validity": {v.value: validity[v] for v in Validity},
        "per_day": [{"day": d.isoformat(), "total": sum(per_day[d].values()), "stations": dict(sorted(per_day[d].items()))}
                    for d in day_list],
        "per_station": [{"station": s, "total": per_station_all[s], "in_window": per_station_window[s]}
                        for s in sorted(per_station_all)],
        "reuse_checks": {
            "checks": len(window_checks), "hits": hits,
            "hit_rate": round(hits / len(window_checks), 4) if window_checks else None,
            "per_day": [{"day": d.isoformat(), "checks": checks_per_day[d], "hits": hits_per_day[d]} for d in day_list],
        },
    }


def _source(request: Request) -> DashboardSource:
    state = request.app.state
    if getattr(state, "dashboard_source", None) is None:
        state.dashboard_source = DashboardSource(state.store)
    return state.dashboard_source


def _figures(request: Request, days: int, fresh: bool) -> dict[str, Any]:
    today = datetime.now(VIETNAM).date()
    records, checks, quarantined = _source(request).snapshot(today, days, force=fresh)
    figures = dashboard_figures(records, checks, quarantined, today, days)
    figures["generated_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return figures


@router.get("/api/dashboard", summary="The centre's figures (admin)")
def dashboard_api(request: Request, admin: AdminUser, days: Annotated[int, Query(ge=1, le=366)] = 14,
                  fresh: Annotated[bool, Query(description="skip the 30-second cache")] = False) -> JSONResponse:
    return JSONResponse(_figures(request, days, fresh))


@router.get("/dashboard", include_in_schema=False)
def dashboard_page(request: Request, admin: AdminUser, days: Annotated[int, Query(ge=1, le=366)] = 14,
                   fresh: bool = False) -> Response:
    figures = _figures(request, days, fresh)
    day_format = "%d/%m/%Y" if request_language(request) == "vi" else "%Y-%m-%d"
    return render(request, "dashboard.html", {
        "f": figures, "stations": [s["station"] for s in figures["per_station"]],
        # Days with something to show: a fortnight of zero rows would push the useful ones out of sight.
        "active_days": [(d, checks) for d, checks in zip(figures["per_day"], figures["reuse_checks"]["per_day"],
                                                          strict=True) if d["total"] or checks["checks"]],
        "peak": max([d["total"] for d in figures["per_day"]] + [1]), "ttl": int(_source(request).ttl),
        "day_label": lambda iso: date.fromisoformat(iso).strftime(day_format),
        "generated": datetime.fromisoformat(figures["generated_at"]).astimezone(VIETNAM).strftime(
            f"{day_format} %H:%M")})
