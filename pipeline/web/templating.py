"""Server-rendered pages: one Jinja2 environment, the web messages in two languages, and what every page needs.

Every template gets ``t(message_id, **kw)`` (the message in the request's language), ``lang``, ``user`` (the
signed-in :class:`~pipeline.web.auth.User` or None), ``csrf_token`` (a string for hidden form fields),
``mask_id(value)``, ``nav_links`` and Starlette's ``url_for``. Feature modules register their own messages with
:func:`register_messages`; ids are prefixed by feature (``auth_``, ``search_``, ``review_``…).

Language: ``?lang=en`` or ``?lang=vi`` on any page switches and is remembered in the ``lang`` cookie; Vietnamese
otherwise. Citizen identity numbers are masked with :func:`mask_id` in list views, and in logs by
:class:`MaskIdsFilter` (installed by ``create_app`` on the web and access loggers).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from pipeline import i18n
from pipeline.index.base import VIETNAM  # the centre's clock and calendar day
from schemas.identity import mask_id, mask_ids_in_text
from schemas.validators import issue_message

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
LANGUAGES = ("vi", "en")
LANG_COOKIE = "lang"


templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
_messages: dict[str, tuple[str, str]] = {}

MESSAGES = {
    "app_name": ("Số hóa giấy tờ", "Paper digitization"),
    "nav_upload": ("Tải lên", "Upload"),
    "nav_review": ("Kiểm tra", "Review"),
    "nav_search": ("Tra cứu", "Search"),
    "nav_reuse": ("Kiểm tra tái sử dụng", "Reuse check"),
    "nav_dashboard": ("Bảng điều khiển", "Dashboard"),
    "nav_users": ("Người dùng", "Users"),
    "nav_main": ("Điều hướng chính", "Main navigation"),
    "lang_switch": ("English", "Tiếng Việt"),
    # The link's accessible name: its visible text first (so voice control finds it), then what it does.
    "lang_switch_label": ("English — chuyển giao diện sang tiếng Anh", "Tiếng Việt — switch the pages to Vietnamese"),
    "no_value": ("—", "—"),
    "time_zone_vn": ("giờ Việt Nam", "Vietnam time"),
    "skip_to_content": ("Bỏ qua đến nội dung", "Skip to content"),
    "error_back": ("Về trang chính", "Back to the home page"),
}

# (path, message id, roles) in menu order; a link shows when the route exists and the user has one of its roles.
NAV = [
    ("/upload", "nav_upload", ("operator", "admin")),
    ("/review", "nav_review", ("operator", "admin")),
    ("/search", "nav_search", ("backoffice", "admin")),
    ("/reuse", "nav_reuse", ("backoffice", "admin")),
    ("/dashboard", "nav_dashboard", ("admin",)),
    ("/admin/users", "nav_users", ("admin",)),
]


def register_messages(messages: Mapping[str, tuple[str, str]]) -> None:
    """Add a feature's ``{"id": ("vi", "en")}`` messages; re-registering the same text is harmless."""
    for message_id, pair in messages.items():
        if len(pair) != 2:
            raise ValueError(f"message {message_id!r} needs (vietnamese, english)")
        if message_id in _messages and _messages[message_id] != tuple(pair):
            raise ValueError(f"message {message_id!r} is registered twice with different text")
        _messages[message_id] = (pair[0], pair[1])


def message(message_id: str, lang: str, **kwargs: Any) -> str:
    """A web message (or, failing that, a CLI message of :mod:`pipeline.i18n`) in ``lang``."""
    pair = _messages.get(message_id) or i18n.MESSAGES.get(message_id)
    if pair is None:
        raise KeyError(f"no message {message_id!r}: register it with register_messages()")
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**kwargs) if kwargs else text


def format_date(value: date | str | None, lang: str) -> str:
    """A calendar date as people read it: ``dd/mm/yyyy`` on Vietnamese pages, ISO on English ones; ``""`` if none.

    Strings in ISO form (how records keep dates) are read first; any other string is shown as it is. Query strings
    and JSON keep ISO: only what a person reads changes.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat() if lang == "en" else value.strftime("%d/%m/%Y")


def format_time(moment: datetime | None, lang: str) -> str:
    """A stored moment (UTC) on the centre's clock: ``dd/mm/yyyy HH:MM`` (Vietnamese) or ``yyyy-mm-dd HH:MM``."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(VIETNAM)
    return local.strftime("%Y-%m-%d %H:%M" if lang == "en" else "%d/%m/%Y %H:%M")


def request_language(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    remembered = request.cookies.get(LANG_COOKIE)
    return remembered if remembered in LANGUAGES else "vi"


class MaskIdsFilter(logging.Filter):
    """Masks identity numbers in log lines (the access log carries URLs such as ``/api/reuse?citizen=…``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        rendered = record.getMessage()
        masked = mask_ids_in_text(rendered)
        if masked != rendered:
            record.msg, record.args = masked, None
        return True


def nav_links(request: Request, user) -> list[dict[str, Any]]:
    if user is None:
        return []
    here = request.url.path
    return [{"href": path, "label": message(label, request_language(request)),
             "current": here == path or here.startswith(path + "/")}
            for path, label, roles in NAV if user.role.value in roles]


def _with_query(request: Request, **params: str) -> str:
    """This page's path and query with ``params`` replaced (a relative URL, right behind any proxy)."""
    query = dict(request.query_params)
    query.update(params)
    return f"{request.url.path}?{urlencode(query)}"


def render(request: Request, template: str, context: dict[str, Any] | None = None,
           status_code: int = 200) -> HTMLResponse:
    """``template`` rendered for this request, with the shared globals (see the module docstring)."""
    from pipeline.web.auth import csrf_token, current_user, get_auth

    lang = request_language(request)
    user = current_user(request)
    values = {
        "t": lambda message_id, **kw: message(message_id, lang, **kw),
        "lang": lang,
        "other_lang": "en" if lang == "vi" else "vi",
        "user": user,
        "csrf_token": csrf_token(request),
        "mask_id": mask_id,
        "issue_text": lambda issue: issue_message(issue, lang),
        "fmt_date": lambda value: format_date(value, lang),
        "fmt_time": lambda moment: format_time(moment, lang),
        "nav_links": nav_links(request, user),
        "switch_lang_url": _with_query(request, lang="en" if lang == "vi" else "vi"),
        **(context or {}),
    }
    response = templates.TemplateResponse(request, template, values, status_code=status_code)
    get_auth(request).attach_cookies(request, response)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, path="/", samesite="lax", httponly=True)
    return response


register_messages(MESSAGES)
