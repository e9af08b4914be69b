"""Helpers for web tests: an app on a temporary wallet, clients signed in through the real form, role checks.

- ``make_app(tmp_path, **settings)``: the real app (local store and embedded index under ``tmp_path``, inline
  trigger, a cheap argon2 profile so tests sign in fast).
- ``signed_in(app, role, station="HN-01")``: a TestClient signed in through ``/login`` as a user of that role and
  station (created on first use, password ``PASSWORD``).
- Role tables: each web test module lists its routes as ``(method, path, allowed roles)`` and parametrises one test
  with ``role_cases(routes)``, checked by ``assert_role_access``; :data:`ROUTE_ROLES` holds the sign-in/admin
  routes, and other modules may extend it or keep their own list.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI

from pipeline.config import Settings
from pipeline.web import create_app
from pipeline.web.auth import SESSION_COOKIE, Role

with warnings.catch_warnings():  # starlette's notice that its test client will move to httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PASSWORD = "mat-khau-thu-nghiem-2026"
ALL_ROLES = tuple(Role)
_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')

# (method, path, roles allowed). Paths are requested as they are: give a real id where the route takes one.
ROUTE_ROLES: list[tuple[str, str, frozenset[Role]]] = [
    ("GET", "/dashboard", frozenset({Role.ADMIN})),
    ("GET", "/api/dashboard", frozenset({Role.ADMIN})),
    ("GET", "/admin/users", frozenset({Role.ADMIN})),
    ("POST", "/admin/users", frozenset({Role.ADMIN})),
    ("POST", "/admin/users/nobody/active", frozenset({Role.ADMIN})),
    ("POST", "/admin/users/nobody/password", frozenset({Role.ADMIN})),
]


def make_app(tmp_path: Path, **settings_overrides: Any) -> FastAPI:
    """The real app on an empty wallet under ``tmp_path``; ``settings_overrides`` are Settings fields."""
    values: dict[str, Any] = {"data_dir": tmp_path, "ocr_workers": 1, **settings_overrides}
    app = create_app(Settings(**values))
    # A cheap argon2 profile: the production one costs ~0.4 s per hash here, and tests sign in hundreds of times.
    app.state.auth.users.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return app


def client(app: FastAPI) -> TestClient:
    """A client that does not follow redirects (tests look at the 303s themselves)."""
    return TestClient(app, follow_redirects=False)


def form_token(html: str) -> str:
    """The CSRF token of the first form in a page."""
    found = _CSRF_FIELD.search(html)
    assert found, "no csrf_token field in the page"
    return found.group(1)


def sign_in(test_client: TestClient, username: str, password: str, next_path: str = ""):
    """Post the sign-in form as a browser would (GET the form for its token first); returns the POST response."""
    page = test_client.get("/login")
    assert page.status_code == 200, page.text
    return test_client.post("/login", data={"username": username, "password": password, "next": next_path,
                                            "csrf_token": form_token(page.text)})


def ensure_user(app: FastAPI, username: str, role: Role | str, station: str = "HN-01",
                password: str = PASSWORD) -> None:
    users = app.state.auth.users
    if users.get(username) is None:
        users.create(username, password, Role(role), station=station, display_name=username.title())


def signed_in(app: FastAPI, role: Role | str, station: str = "HN-01", username: str | None = None) -> TestClient:
    """A client signed in through the real /login form as a ``role`` user of ``station``."""
    role = Role(role)
    username = username or f"{role.value}-{station}".lower()
    ensure_user(app, username, role, station)
    test_client = client(app)
    response = sign_in(test_client, username, PASSWORD)
    assert response.status_code == 303, f"sign-in as {username} failed: {response.status_code}"
    return test_client


def csrf_header(test_client: TestClient) -> dict[str, str]:
    """``X-CSRF-Token`` of a signed-in client's session (what pages put in their ``csrf-token`` meta tag)."""
    session = test_client.app.state.auth.read_session_cookie(test_client.cookies.get(SESSION_COOKIE))
    assert session is not None, "the client is not signed in"
    return {"X-CSRF-Token": session.csrf}


def role_cases(routes: list[tuple[str, str, frozenset[Role]]]) -> list:
    """pytest params ``(method, path, role, allowed)``: every route crossed with every role."""
    return [pytest.param(method, path, role, role in allowed, id=f"{method} {path} as {role.value}")
            for method, path, allowed in routes for role in ALL_ROLES]


class RoleClients:
    """One app with a signed-in client per role, built once per module (signing in costs a hash)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self._clients: dict[Role, TestClient] = {}
        self._headers: dict[Role, dict[str, str]] = {}

    def client(self, role: Role) -> TestClient:
        if role not in self._clients:
            self._clients[role] = signed_in(self.app, role)
            self._headers[role] = csrf_header(self._clients[role])
        return self._clients[role]

    def request(self, role: Role | None, method: str, path: str):
        """``method path`` as ``role`` (None: not signed in), with a valid CSRF token so only the role decides."""
        if role is None:
            anonymous = client(self.app)  # fresh each time, with the sign-in form's token: only the role decides
            token = form_token(anonymous.get("/login").text)
            return anonymous.request(method, path, headers={"X-CSRF-Token": token})
        test_client = self.client(role)
        return test_client.request(method, path, headers=self._headers[role])


def assert_role_access(clients: RoleClients, method: str, path: str, role: Role, allowed: bool) -> None:
    """Wrong role: 403. Right role: anything but 401/403. Not signed in: 401 under /api/, else 303 to /login."""
    response = clients.request(role, method, path)
    if allowed:
        assert response.status_code not in (401, 403), f"{role} refused on {method} {path}: {response.status_code}"
    else:
        assert response.status_code == 403, f"{role} got {response.status_code} on {method} {path}, not 403"
    anonymous = clients.request(None, method, path)
    if path.startswith("/api/"):
        assert anonymous.status_code == 401, f"anonymous got {anonymous.status_code} on {method} {path}"
    else:
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next="), (
            f"anonymous got {anonymous.status_code} on {method} {path}")
