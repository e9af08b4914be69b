"""Who may use the web pages: accounts, argon2 password hashes, signed session cookies, roles and CSRF tokens.

- Accounts live in the object store (``system/users/<username>.json``), so every web server behind a load balancer
  sees the same ones and a backup of the bucket keeps them. Only the argon2id hash of a password is stored.
- A session is a signed, time-limited cookie (``itsdangerous``) holding the username, the account's session
  generation and the session's CSRF token. The account is read back on every request, so deactivating a user or
  resetting a password (both bump the generation) ends their sessions at once, on every server.
- Every route names its roles with :func:`require_role`; admin is not implicitly allowed anywhere.
- Every state-changing route depends on :func:`csrf_protect`: the token from the form field ``csrf_token`` or the
  ``X-CSRF-Token`` header must match the session's (or, before sign-in, the signed ``sohoa_csrf`` cookie's).
- Repeated wrong passwords pause sign-in for that account (and, at a higher count, that address) for a while.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import secrets
import threading
import time
import unicodedata
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from pydantic import BaseModel

from pipeline.config import Settings
from pipeline.storage.base import ObjectExists, ObjectNotFound, ObjectStore
from pipeline.web.templating import register_messages

log = logging.getLogger(__name__)

SESSION_COOKIE = "sohoa_session"
CSRF_COOKIE = "sohoa_csrf"
USERS_PREFIX = "system/users/"
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 256  # argon2 takes any length; a cap keeps a huge POST from costing anything extra
USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")
STATION_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")


class Role(StrEnum):
    OPERATOR = "operator"      # uploads and reviews the papers of their own station
    BACKOFFICE = "backoffice"  # searches the wallet, views papers, runs reuse checks
    ADMIN = "admin"            # users, procedure catalogue, dashboard


class User(BaseModel):
    """A signed-in person as the pages see them (never with the password hash)."""

    username: str
    display_name: str = ""
    role: Role
    station: str = ""  # the operator's station code; informative for the other roles
    active: bool = True

    @property
    def label(self) -> str:
        return self.display_name or self.username


class Account(User):
    """A user as stored: with the password hash and the session generation."""

    password_hash: str
    session_generation: int = 0  # bumped on password reset and deactivation: older sessions stop working
    created_at: datetime
    updated_at: datetime

    def public(self) -> User:
        return User.model_validate(self.model_dump(include=set(User.model_fields)))


class AccountError(ValueError):
    """An account change was refused; ``code`` names the message (``auth_error_<code>``) shown to the person."""

    def __init__(self, code: str, **details: object) -> None:
        super().__init__(f"{code}: {details}" if details else code)
        self.code = code
        self.details = details


# -- accounts ---------------------------------------------------------------------------------------------------


def normalize_username(username: str) -> str:
    return unicodedata.normalize("NFC", username).strip().lower()


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError("password_short", minimum=MIN_PASSWORD_CHARS)
    if len(password) > MAX_PASSWORD_CHARS:
        raise AccountError("password_long", maximum=MAX_PASSWORD_CHARS)


class UserStore:
    """Accounts in the object store, one JSON object each; the store's last write wins."""

    def __init__(self, store: ObjectStore, hasher: PasswordHasher | None = None) -> None:
        self.store = store
        # argon2id with the library's defaults: RFC 9106's second recommended profile (64 MiB, 3 passes).
        self.hasher = hasher or PasswordHasher()
        self._dummy_hash: str | None = None

    @staticmethod
    def key(username: str) -> str:
        return f"{USERS_PREFIX}{username}.json"

    def get(self, username: str) -> Account | None:
        username = normalize_username(username)
        if not USERNAME_PATTERN.fullmatch(username):
            return None
        try:
            return Account.model_validate_json(self.store.get(self.key(username)))
        except ObjectNotFound:
            return None

    def list(self) -> list[Account]:
        accounts = [Account.model_validate_json(self.store.get(info.key))
                    for info in self.store.list(USERS_PREFIX) if info.key.endswith(".json")]
        return sorted(accounts, key=lambda a: a.username)

    def create(self, username: str, password: str, role: Role | str, station: str = "",
               display_name: str = "") -> Account:
        username = normalize_username(username)
        if not USERNAME_PATTERN.fullmatch(username):
            raise AccountError("username_invalid")
        role = Role(role)
        station = station.strip()
        if station and not STATION_PATTERN.fullmatch(station):
            raise AccountError("station_invalid")
        if role is Role.OPERATOR and not station:
            raise AccountError("station_required")
        check_password(password)
        now = datetime.now(UTC)
        account = Account(username=username, display_name=unicodedata.normalize("NFC", display_name).strip(),
                          role=role, station=station, password_hash=self.hasher.hash(password), created_at=now,
                          updated_at=now)
        try:
            self.store.put(self.key(username), account.model_dump_json().encode(), content_type="application/json",
                           overwrite=False)
        except ObjectExists:
            raise AccountError("username_taken") from None
        return account

    def set_active(self, username: str, active: bool) -> Account:
        account = self._require(username)
        return self._save(account.model_copy(update={
            "active": active, "session_generation": account.session_generation + (0 if active else 1)}))

    def set_password(self, username: str, password: str) -> Account:
        check_password(password)
        account = self._require(username)
        return self._save(account.model_copy(update={
            "password_hash": self.hasher.hash(password), "session_generation": account.session_generation + 1}))

    def authenticate(self, username: str, password: str) -> Account | None:
        """The active account whose password this is, else None (same work whether or not the user exists)."""
        account = self.get(username)
        if account is None:
            self._verify(self._dummy(), password)
            return None
        if not self._verify(account.password_hash, password) or not account.active:
            return None
        if self.hasher.check_needs_rehash(account.password_hash):  # the cost profile was raised since
            account = self._save(account.model_copy(update={"password_hash": self.hasher.hash(password)}))
        return account

    def _verify(self, password_hash: str, password: str) -> bool:
        if len(password) > MAX_PASSWORD_CHARS:
            return False
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))
        return self._dummy_hash

    def _require(self, username: str) -> Account:
        account = self.get(username)
        if account is None:
            raise AccountError("user_unknown")
        return account

    def _save(self, account: Account) -> Account:
        account = account.model_copy(update={"updated_at": datetime.now(UTC)})
        self.store.put(self.key(account.username), account.model_dump_json().encode(),
                       content_type="application/json")
        return account


# -- sign-in throttling -----------------------------------------------------------------------------------------


class LoginThrottle:
    """Counts recent wrong passwords per key (``user:<name>``, ``addr:<ip>``) in this process.

    One counter per web server: with N servers an attacker gets N times the tries, which is still a few per
    quarter hour. An address gets four times an account's allowance, since a whole centre may sit behind one NAT.
    """

    MAX_KEYS = 10_000

    def __init__(self, max_failures: int, window_seconds: float) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _limit(self, key: str) -> int:
        return self.max_failures * (4 if key.startswith("addr:") else 1)

    def retry_after(self, *keys: str) -> float:
        """Seconds until sign-in may be tried again for any of ``keys`` (0: now)."""
        now = time.monotonic()
        wait = 0.0
        with self._lock:
            for key in keys:
                recent = self._recent(key, now)
                if len(recent) >= self._limit(key):
                    wait = max(wait, recent[-self._limit(key)] + self.window - now)
        return wait

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)
            if len(self._failures) > self.MAX_KEYS:  # a spray of made-up usernames must not grow memory forever
                for key in [k for k, q in self._failures.items() if not q or q[-1] <= now - self.window]:
                    del self._failures[key]

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        recent = self._failures.setdefault(key, deque(maxlen=self._limit(key)))
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        return recent


# -- sessions ---------------------------------------------------------------------------------------------------


def session_secret(settings: Settings) -> str:
    """``SOHOA_SECRET_KEY``, else a key generated once into ``<data_dir>/secret_key`` (mode 0600) and reused."""
    if settings.secret_key is not None and settings.secret_key.get_secret_value():
        secret = settings.secret_key.get_secret_value()
        if len(secret) < 32:
            raise ValueError("SOHOA_SECRET_KEY must be at least 32 characters (e.g. `openssl rand -base64 48`)")
        return secret
    path = Path(settings.data_dir) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            log.warning("%s is readable by other users; restricting it to its owner", path)
            path.chmod(0o600)
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    log.info("generated a session key in %s (set SOHOA_SECRET_KEY to share one between servers)", path)
    return path.read_text().strip()


@dataclass(frozen=True)
class Session:
    username: str
    generation: int
    csrf: str


class Auth:
    """What sign-in needs in one app (``app.state.auth``): the accounts, the cookie signers, the throttle."""

    def __init__(self, settings: Settings, store: ObjectStore) -> None:
        self.settings = settings
        self.users = UserStore(store)
        secret = session_secret(settings)
        self._sessions = URLSafeTimedSerializer(secret, salt="sohoa.session")
        self._csrf = URLSafeTimedSerializer(secret, salt="sohoa.csrf")
        self.session_seconds = int(settings.session_hours * 3600)
        self.throttle = LoginThrottle(settings.login_max_failures, settings.login_lockout_minutes * 60)

    def read_session(self, request: Request) -> Session | None:
        return self.read_session_cookie(request.cookies.get(SESSION_COOKIE))

    def read_session_cookie(self, raw: str | None) -> Session | None:
        """The session in a ``sohoa_session`` cookie value, or None when absent, forged or expired."""
        if not raw:
            return None
        try:
            data = self._sessions.loads(raw, max_age=self.session_seconds)
            return Session(str(data["u"]), int(data["g"]), str(data["c"]))
        except (BadSignature, KeyError, TypeError, ValueError):
            return None

    def start_session(self, response: Response, account: Account) -> None:
        """Sign ``account`` in on ``response``: a fresh session cookie with a fresh CSRF token."""
        token = self._sessions.dumps({"u": account.username, "g": account.session_generation,
                                      "c": secrets.token_urlsafe(32)})
        self._set_cookie(response, SESSION_COOKIE, token, self.session_seconds)
        response.delete_cookie(CSRF_COOKIE, path="/")

    def end_session(self, response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                               secure=self.settings.cookie_secure)

    def anonymous_csrf(self, request: Request) -> str:
        """The CSRF token of a visitor who has not signed in yet (the sign-in form), minted on first use."""
        cached = getattr(request.state, "anonymous_csrf", None)
        if cached:
            return cached
        token = None
        raw = request.cookies.get(CSRF_COOKIE)
        if raw:
            try:
                token = str(self._csrf.loads(raw, max_age=self.session_seconds))
            except BadSignature:
                token = None
        if token is None:
            token = secrets.token_urlsafe(32)
            request.state.new_csrf_cookie = self._csrf.dumps(token)
        request.state.anonymous_csrf = token
        return token

    def attach_cookies(self, request: Request, response: Response) -> None:
        """Set the CSRF cookie minted while this request's page was rendered, if any."""
        minted = getattr(request.state, "new_csrf_cookie", None)
        if minted:
            self._set_cookie(response, CSRF_COOKIE, minted, self.session_seconds)

    def _set_cookie(self, response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="lax",
                            secure=self.settings.cookie_secure)


def get_auth(request: Request) -> Auth:
    return request.app.state.auth


# -- what routes depend on ----------------------------------------------------------------------------------------


class SignInRequired(Exception):
    """No valid session: pages redirect to /login, the API answers 401 (handlers in pipeline.web.app)."""


class RoleForbidden(Exception):
    """Signed in, but this route is for other roles: 403."""

    def __init__(self, user: User, allowed: frozenset[Role]) -> None:
        super().__init__(f"{user.username} ({user.role}) is not one of {sorted(allowed)}")
        self.user = user
        self.allowed = allowed


class CsrfFailed(Exception):
    """A state-changing request without the right CSRF token: 403."""


def current_user(request: Request) -> User | None:
    """The signed-in user of this request (read once per request), or None."""
    if getattr(request.state, "user_checked", False):
        return request.state.user
    auth = get_auth(request)
    session = auth.read_session(request)
    account = auth.users.get(session.username) if session else None
    valid = account is not None and account.active and account.session_generation == session.generation
    request.state.user = account.public() if valid else None
    request.state.user_checked = True
    return request.state.user


def require_role(*roles: Role):
    """A dependency returning the signed-in user when their role is one of ``roles``.

    ``user: Annotated[User, Depends(require_role(Role.BACKOFFICE, Role.ADMIN))]``
    """
    if not roles:
        raise ValueError("require_role needs at least one role")
    allowed = frozenset(Role(r) for r in roles)

    def dependency(request: Request) -> User:
        user = current_user(request)
        if user is None:
            raise SignInRequired()
        if user.role not in allowed:
            log.warning("role refused: %s (%s) on %s %s", user.username, user.role, request.method,
                        request.url.path)
            raise RoleForbidden(user, allowed)
        return user

    dependency.__name__ = "require_" + "_or_".join(sorted(allowed))
    return dependency


def csrf_token(request: Request) -> str:
    """The token forms put in ``csrf_token`` and scripts send as ``X-CSRF-Token``."""
    auth = get_auth(request)
    session = auth.read_session(request)
    return session.csrf if session else auth.anonymous_csrf(request)


async def csrf_protect(request: Request) -> None:
    """Refuse (403) a state-changing request whose CSRF token is missing or wrong."""
    expected = csrf_token(request)
    sent = request.headers.get("x-csrf-token")
    content_type = request.headers.get("content-type", "")
    if sent is None and content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        sent = (await request.form()).get("csrf_token")
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), expected.encode()):
        log.warning("CSRF token %s on %s %s", "missing" if not sent else "wrong", request.method, request.url.path)
        raise CsrfFailed()


def safe_next(target: str | None) -> str | None:
    """A local path to go to after sign-in, or None (never another site: no scheme, no //host, no backslash)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(ch) < 0x20 for ch in target):
        return None
    return target


def home_for(user: User) -> str:
    return {Role.OPERATOR: "/upload", Role.BACKOFFICE: "/search", Role.ADMIN: "/dashboard"}[user.role]


def login_redirect(request: Request) -> str:
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/login?next={quote(path, safe='')}"


# -- pages ------------------------------------------------------------------------------------------------------

MESSAGES = {
    "auth_title": ("Đăng nhập", "Sign in"),
    "auth_username": ("Tên đăng nhập", "Username"),
    "auth_password": ("Mật khẩu", "Password"),
    "auth_submit": ("Đăng nhập", "Sign in"),
    "auth_sign_out": ("Đăng xuất", "Sign out"),
    "auth_intro": ("Hệ thống số hóa giấy tờ hành chính — dành cho cán bộ được cấp tài khoản.",
                   "Administrative paper digitization — for staff with an account."),
    "auth_failed": ("Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đã bị khóa.",
                    "Wrong username or password, or the account is deactivated."),
    "auth_throttled": ("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút.",
                       "Too many failed sign-ins. Please try again in {minutes} min."),
    "auth_signed_out": ("Bạn đã đăng xuất.", "You have signed out."),
    "auth_forbidden_title": ("Không có quyền truy cập", "Access denied"),
    "auth_forbidden": ("Tài khoản của bạn ({role}) không được dùng trang này.",
                       "Your account ({role}) may not use this page."),
    "auth_csrf": ("Phiên làm việc của biểu mẫu đã hết hạn. Vui lòng tải lại trang và thử lại.",
                  "The form has expired. Please reload the page and try again."),
    "auth_role_operator": ("Cán bộ số hóa", "Operator"),
    "auth_role_backoffice": ("Cán bộ nghiệp vụ", "Back-office"),
    "auth_role_admin": ("Quản trị", "Administrator"),
    "auth_error_username_invalid": ("Tên đăng nhập gồm 2–32 ký tự: chữ thường không dấu, số, dấu . _ -",
                                    "A username is 2–32 characters: lower-case letters, digits, . _ -"),
    "auth_error_username_taken": ("Tên đăng nhập đã có.", "That username is taken."),
    "auth_error_station_invalid": ("Mã điểm số hóa chỉ gồm chữ, số, dấu _ - (tối đa 32 ký tự).",
                                   "A station code is letters, digits, _ and - (at most 32)."),
    "auth_error_station_required": ("Cán bộ số hóa phải thuộc một điểm số hóa.",
                                    "An operator must belong to a station."),
    "auth_error_password_short": ("Mật khẩu phải có ít nhất {minimum} ký tự.",
                                  "A password has at least {minimum} characters."),
    "auth_error_password_long": ("Mật khẩu dài quá {maximum} ký tự.", "A password has at most {maximum} characters."),
    "auth_error_user_unknown": ("Không có tài khoản này.", "No such account."),
    "auth_error_self": ("Không thể tự khóa tài khoản của chính mình.", "You cannot deactivate your own account."),
}
register_messages(MESSAGES)  # at import, like every feature module: message("auth_…") works without an app

router = APIRouter(tags=["sign-in"])


@router.get("/", include_in_schema=False)
def home(request: Request) -> RedirectResponse:
    user = current_user(request)
    return RedirectResponse(home_for(user) if user else "/login", status_code=303)


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str | None = None) -> Response:
    from pipeline.web.templating import render

    user = current_user(request)
    if user is not None:
        return RedirectResponse(safe_next(next) or home_for(user), status_code=303)
    return render(request, "login.html", {"next": safe_next(next) or "", "error": None, "username": ""})


@router.post("/login", include_in_schema=False, dependencies=[Depends(csrf_protect)])
def login(request: Request, username: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = "") -> Response:
    from pipeline.web.templating import message, render, request_language

    auth = get_auth(request)
    name = normalize_username(username)
    address = request.client.host if request.client else "?"
    keys = (f"user:{name}", f"addr:{address}")
    wait = auth.throttle.retry_after(*keys)
    context = {"next": safe_next(next) or "", "username": name}
    if wait > 0:
        log.warning("sign-in paused for %r from %s (%.0f s left)", name, address, wait)
        error = message("auth_throttled", request_language(request), minutes=max(1, round(wait / 60)))
        response = render(request, "login.html", {**context, "error": error}, status_code=429)
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    account = auth.users.authenticate(name, password)
    if account is None:
        auth.throttle.failed(*keys)
        log.warning("sign-in failed for %r from %s", name, address)
        error = message("auth_failed", request_language(request))
        return render(request, "login.html", {**context, "error": error}, status_code=401)
    auth.throttle.succeeded(keys[0])
    log.info("signed in: %s (%s) from %s", account.username, account.role, address)
    response = RedirectResponse(safe_next(next) or home_for(account), status_code=303)
    auth.start_session(response, account)
    return response


@router.post("/logout", include_in_schema=False, dependencies=[Depends(csrf_protect)])
def logout(request: Request) -> Response:
    user = current_user(request)
    if user is not None:
        log.info("signed out: %s", user.username)
    response = RedirectResponse("/login?signed_out=1", status_code=303)
    get_auth(request).end_session(response)
    return response


def error_response(request: Request, status_code: int, code: str, message_id: str, **kw: object) -> Response:
    """A 401/403 as JSON under /api/, as a page elsewhere."""
    from pipeline.web.templating import message, render, request_language

    text = message(message_id, request_language(request), **kw)
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": code, "message": text}, status_code=status_code)
    return render(request, "error.html", {"title_id": "auth_forbidden_title", "message": text},
                  status_code=status_code)


def install(app) -> None:
    """Attach ``app.state.auth``, the sign-in routes and the answers to sign-in, role and CSRF failures."""
    from pipeline.web.templating import message, request_language

    app.state.auth = Auth(app.state.settings, app.state.store)
    app.include_router(router)

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "sign_in_required"}, status_code=401)
        return RedirectResponse(login_redirect(request), status_code=303)

    @app.exception_handler(RoleForbidden)
    async def _forbidden(request: Request, exc: RoleForbidden) -> Response:
        role = message(f"auth_role_{exc.user.role.value}", request_language(request))
        return error_response(request, 403, "forbidden", "auth_forbidden", role=role)

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, exc: CsrfFailed) -> Response:
        return error_response(request, 403, "csrf", "auth_csrf")
