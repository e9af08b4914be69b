"""The administrator's pages: user accounts (``/admin/users``) and the centre's dashboard (``/dashboard``).

The dashboard's figures come from the search index and small tallies, never from reading every record: the
index counts the papers (``SearchIndex.stats``: per station and Vietnam day, extraction status, review state,
validity today) with aggregations, and reuse checks are counted from their marks in the store, a finished day
from one small tally (``audit.reuse_checks_per_day``). The cost is the same for a thousand papers or millions;
the figures are kept for ``ttl`` seconds so a refreshing page does not recount them.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from pipeline.audit import AuditEvent, ReuseTally, record_event, reuse_checks_per_day
from pipeline.index.base import DayRange, SearchIndex, WalletStats
from pipeline.storage.base import ObjectStore
from pipeline.web.auth import AccountError, Role, User, UserStore, csrf_protect, get_auth, require_role
from pipeline.web.templating import VIETNAM, message, register_messages, render, request_language
from schemas.result import Status

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
    "dash_validity_today": ("Tính đến hôm nay: giấy tờ đã quá ngày hết hạn được tính là hết hiệu lực.",
                            "As of today: a paper past its end date counts as expired."),
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


def dashboard_figures(stats: WalletStats, checks: dict[date, ReuseTally], quarantined: int) -> dict[str, Any]:
    """The dashboard's numbers, as ``/api/dashboard`` returns them, from the index's counts (``stats``, over the
    window ``stats.days``) and the window's reuse checks per day."""
    window = stats.days
    total = stats.total
    auto = stats.count_status(Status.AUTO_APPROVED)
    in_window = {station: sum(per_station.get(station, 0) for per_station in stats.per_day.values())
                 for station in stats.by_station}
    day_list = window.days()[::-1]  # most recent first
    window_checks = sum(checks.values(), ReuseTally())
    return {
        "today": window.last.isoformat(),
        "days": len(day_list),
        "totals": {
            "records": total,
            "auto_approved": auto,
            "needs_review": stats.count_status(Status.NEEDS_REVIEW),
            "rejected": stats.count_status(Status.REJECTED),
            "auto_approval_rate": round(auto / total, 4) if total else None,
            "review_backlog": stats.review_backlog,
            "quarantined": quarantined,
        },
        "validity": {v.value: n for v, n in stats.by_validity.items()},
        "per_day": [{"day": d.isoformat(), "total": sum(stats.per_day.get(d, {}).values()),
                     "stations": dict(sorted(stats.per_day.get(d, {}).items()))} for d in day_list],
        "per_station": [{"station": s, "total": stats.by_station[s], "in_window": in_window[s]}
                        for s in sorted(stats.by_station)],
        "reuse_checks": {
            "checks": window_checks.checks, "hits": window_checks.hits,
            "hit_rate": round(window_checks.hits / window_checks.checks, 4) if window_checks.checks else None,
            "per_day": [{"day": d.isoformat(), "checks": checks.get(d, ReuseTally()).checks,
                         "hits": checks.get(d, ReuseTally()).hits} for d in day_list],
        },
    }


class DashboardSource:
    """The figures for a window of days, counted at most every ``ttl`` seconds (per window)."""

    def __init__(self, store: ObjectStore, index: SearchIndex, ttl_seconds: float = 30.0) -> None:
        self.store = store
        self.index = index
        self.ttl = ttl_seconds
        self._cached: dict[DayRange, tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def figures(self, window: DayRange, *, force: bool = False) -> dict[str, Any]:
        with self._lock:
            cached = self._cached.get(window)
            if force or cached is None or time.monotonic() - cached[0] >= self.ttl:
                self._cached = {window: (time.monotonic(), self._count(window))}  # one window kept: today's
                cached = self._cached[window]
            return cached[1]

    def _count(self, window: DayRange) -> dict[str, Any]:
        stats = self.index.stats(window)
        checks = reuse_checks_per_day(self.store, window.days(), VIETNAM)
        # Quarantined originals are few (the unreadable), and not in the index: they are listed.
        quarantined = sum(1 for _ in self.store.list("quarantine/"))
        figures = dashboard_figures(stats, checks, quarantined)
        figures["generated_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        return figures


def _source(request: Request) -> DashboardSource:
    state = request.app.state
    if getattr(state, "dashboard_source", None) is None:
        state.dashboard_source = DashboardSource(state.store, state.runtime.index)
    return state.dashboard_source


def _figures(request: Request, days: int, fresh: bool) -> dict[str, Any]:
    return _source(request).figures(DayRange.ending(datetime.now(VIETNAM).date(), days), force=fresh)


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
