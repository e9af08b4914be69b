"""Sign-in, sessions, CSRF, roles and the privacy of identity numbers in the web app."""

from __future__ import annotations

import logging
import stat
import time

import pytest
from itsdangerous import URLSafeTimedSerializer
from pydantic import SecretStr

from pipeline.storage import open_store
from pipeline.web.auth import CSRF_COOKIE, SESSION_COOKIE, Role, UserStore, session_secret
from pipeline.web.templating import MaskIdsFilter, mask_id, mask_ids_in_text
from tests.webtools import (
    PASSWORD,
    ROUTE_ROLES,
    RoleClients,
    TestClient,
    assert_role_access,
    client,
    csrf_header,
    ensure_user,
    form_token,
    make_app,
    role_cases,
    sign_in,
    signed_in,
)


@pytest.fixture()
def app(tmp_path):
    return make_app(tmp_path)


@pytest.fixture(scope="module")
def role_clients(tmp_path_factory):
    return RoleClients(make_app(tmp_path_factory.mktemp("roles")))


# -- signing in -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "home"), [("operator", "/upload"), ("backoffice", "/search"),
                                            ("admin", "/dashboard")])
def test_a_user_signs_in_through_the_form_and_lands_on_their_home(app, role, home):
    ensure_user(app, "lan", role)
    browser = client(app)
    response = sign_in(browser, "lan", PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == home
    assert browser.get("/").headers["location"] == home
    assert browser.get("/login").headers["location"] == home  # signed in: the form is skipped


def test_sign_in_returns_to_the_page_asked_for_but_never_to_another_site(app):
    ensure_user(app, "an", "admin")
    assert sign_in(client(app), "an", PASSWORD, "/admin/users?x=1").headers["location"] == "/admin/users?x=1"
    for hostile in ("//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
        assert sign_in(client(app), "an", PASSWORD, hostile).headers["location"] == "/dashboard"


def test_a_page_asked_for_before_sign_in_is_reached_after_it(app):
    ensure_user(app, "an", "admin")
    browser = client(app)
    redirect = browser.get("/admin/users?page=2")
    assert redirect.status_code == 303
    assert redirect.headers["location"] == "/login?next=%2Fadmin%2Fusers%3Fpage%3D2"
    form = browser.get(redirect.headers["location"])
    assert 'name="next" value="/admin/users?page=2"' in form.text
    assert sign_in(browser, "an", PASSWORD, "/admin/users?page=2").headers["location"] == "/admin/users?page=2"


@pytest.mark.parametrize("case", ["wrong password", "unknown user", "deactivated user", "empty password"])
def test_sign_in_is_refused_with_one_message_whatever_was_wrong(app, case):
    ensure_user(app, "lan", "operator")
    username, password = {"wrong password": ("lan", PASSWORD + "x"), "unknown user": ("khong-co", PASSWORD),
                          "deactivated user": ("lan", PASSWORD), "empty password": ("lan", "")}[case]
    if case == "deactivated user":
        app.state.auth.users.set_active("lan", False)
    browser = client(app)
    response = sign_in(browser, username, password)
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.text
    assert SESSION_COOKIE not in browser.cookies
    assert browser.get("/admin/users").status_code == 303  # still signed out


def test_usernames_are_case_insensitive(app):
    ensure_user(app, "lan", "backoffice")
    assert sign_in(client(app), "  LAN ", PASSWORD).status_code == 303


def test_repeated_wrong_passwords_pause_sign_in_for_that_account_only(tmp_path):
    app = make_app(tmp_path, login_max_failures=3)
    ensure_user(app, "lan", "operator")
    ensure_user(app, "minh", "operator")
    browser = client(app)
    for _ in range(3):
        assert sign_in(browser, "lan", "doan-sai-mat-khau").status_code == 401
    paused = sign_in(browser, "lan", PASSWORD)  # even the right password waits now
    assert paused.status_code == 429 and int(paused.headers["retry-after"]) > 0
    assert "Đăng nhập sai quá nhiều lần" in paused.text
    assert sign_in(client(app), "minh", PASSWORD).status_code == 303


def test_sign_out_ends_the_session(app):
    browser = signed_in(app, "admin")
    response = browser.post("/logout", headers=csrf_header(browser))
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert browser.get("/admin/users").status_code == 303


# -- sessions ---------------------------------------------------------------------------------------------------


def test_session_cookie_is_http_only_same_site_and_secure_when_configured(tmp_path):
    for secure in (False, True):
        app = make_app(tmp_path / str(secure), cookie_secure=secure)
        ensure_user(app, "lan", "admin")
        browser = TestClient(app, base_url="https://testserver", follow_redirects=False)  # Secure needs https
        cookie = sign_in(browser, "lan", PASSWORD).headers["set-cookie"]
        assert f"{SESSION_COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert ("Secure" in cookie) is secure


def test_a_tampered_session_cookie_is_treated_as_signed_out(app):
    operator = signed_in(app, "operator")
    raw = operator.cookies[SESSION_COOKIE]
    rest = raw.partition(".")[2]  # timestamp.signature
    # Promote the payload to another (admin) user while keeping the old signature.
    ensure_user(app, "boss", "admin")
    forged_payload = URLSafeTimedSerializer("x").dumps({"u": "boss", "g": 0, "c": "t"}).partition(".")[0]
    for value in (forged_payload + "." + rest, raw[:-2] + ("AA" if not raw.endswith("AA") else "BB"), "garbage"):
        browser = client(app)
        browser.cookies.set(SESSION_COOKIE, value)
        assert browser.get("/admin/users").status_code == 303
        assert browser.get("/api/dashboard").status_code == 401


def test_a_session_signed_with_another_key_is_refused(tmp_path):
    app = make_app(tmp_path / "a", secret_key=SecretStr("a" * 40))
    other = make_app(tmp_path / "b", secret_key=SecretStr("b" * 40))
    ensure_user(other, "admin-hn-01", "admin")
    cookie = signed_in(app, "admin").cookies[SESSION_COOKIE]
    browser = client(other)
    browser.cookies.set(SESSION_COOKIE, cookie)
    assert browser.get("/admin/users").status_code == 303


def test_a_session_expires(tmp_path):
    app = make_app(tmp_path, session_hours=1 / 3600)  # one second
    browser = signed_in(app, "admin")
    assert browser.get("/admin/users").status_code == 200
    time.sleep(2.2)
    assert browser.get("/admin/users").status_code == 303


def test_deactivating_or_resetting_a_password_ends_existing_sessions(app):
    for change in ("deactivate", "reset"):
        username = f"lan-{change}"
        browser = signed_in(app, "backoffice", username=username)
        assert browser.get("/").headers["location"] == "/search"
        if change == "deactivate":
            app.state.auth.users.set_active(username, False)
        else:
            app.state.auth.users.set_password(username, "mat-khau-moi-2026")
        assert browser.get("/").headers["location"] == "/login"


def test_the_session_key_is_generated_once_private_and_reused(tmp_path):
    first = make_app(tmp_path)
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key_file.read_text().strip()) >= 48
    cookie = signed_in(first, "admin").cookies[SESSION_COOKIE]
    second = make_app(tmp_path)  # a restart: the same key, so sessions survive
    browser = client(second)
    browser.cookies.set(SESSION_COOKIE, cookie)
    assert browser.get("/admin/users").status_code == 200


def test_a_short_configured_session_key_is_refused(tmp_path):
    with pytest.raises(ValueError, match="at least 32"):
        make_app(tmp_path, secret_key=SecretStr("short"))
    from pipeline.config import Settings

    assert session_secret(Settings(data_dir=tmp_path, secret_key=SecretStr("k" * 32))) == "k" * 32


# -- CSRF -------------------------------------------------------------------------------------------------------


def test_sign_in_without_or_with_a_wrong_csrf_token_is_refused(app):
    ensure_user(app, "lan", "admin")
    browser = client(app)
    token = form_token(browser.get("/login").text)
    assert CSRF_COOKIE in browser.cookies
    form = {"username": "lan", "password": PASSWORD}
    assert browser.post("/login", data=form).status_code == 403
    assert browser.post("/login", data={**form, "csrf_token": token + "x"}).status_code == 403
    stranger = client(app)  # a token from someone else's page does not match this browser's cookie
    assert stranger.post("/login", data={**form, "csrf_token": token}).status_code == 403
    assert browser.post("/login", data={**form, "csrf_token": token}).status_code == 303


def test_state_changing_requests_need_the_sessions_csrf_token(app):
    admin = signed_in(app, "admin")
    other_admin = signed_in(app, "admin", username="admin-2")
    form = {"username": "moi", "role": "backoffice", "password": PASSWORD}
    for bad in ({}, {"csrf_token": "sai"}, csrf_header(other_admin)):
        data = {**form, **({"csrf_token": bad["X-CSRF-Token"]} if "X-CSRF-Token" in bad else bad)}
        response = admin.post("/admin/users", data=data)
        assert response.status_code == 403, bad
        assert "Phiên làm việc của biểu mẫu đã hết hạn" in response.text
    assert admin.post("/logout").status_code == 403
    assert admin.get("/admin/users").status_code == 200  # still signed in
    assert app.state.auth.users.get("moi") is None
    assert admin.post("/admin/users", data=form, headers=csrf_header(admin)).status_code == 303
    assert app.state.auth.users.get("moi") is not None


# -- roles ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "role", "allowed"), role_cases(ROUTE_ROLES))
def test_each_route_refuses_the_roles_it_is_not_for(role_clients, method, path, role, allowed):
    assert_role_access(role_clients, method, path, role, allowed)


def test_a_refused_page_says_why_and_a_refused_api_call_is_json(role_clients):
    page = role_clients.request(Role.OPERATOR, "GET", "/admin/users")
    assert page.status_code == 403 and "Cán bộ số hóa" in page.text and "text/html" in page.headers["content-type"]
    api = role_clients.request(Role.BACKOFFICE, "GET", "/api/dashboard")
    assert api.status_code == 403 and api.json()["error"] == "forbidden"
    assert role_clients.request(None, "GET", "/api/dashboard").json() == {"error": "sign_in_required"}


def test_the_menu_shows_only_the_pages_of_the_users_role(role_clients):
    admin_page = role_clients.request(Role.ADMIN, "GET", "/admin/users").text
    assert 'href="/dashboard"' in admin_page and 'href="/admin/users"' in admin_page
    operator_page = role_clients.request(Role.OPERATOR, "GET", "/admin/users").text  # the 403 page has the menu
    assert 'href="/dashboard"' not in operator_page and 'href="/admin/users"' not in operator_page


# -- passwords, language, privacy --------------------------------------------------------------------------------


def test_passwords_are_stored_as_argon2id_hashes_only(tmp_path):
    store = open_store(make_app(tmp_path).state.settings)
    users = UserStore(store)  # the production hasher profile
    users.create("lan", PASSWORD, Role.OPERATOR, station="HN-01")
    raw = store.get(UserStore.key("lan"))
    assert PASSWORD.encode() not in raw
    stored = users.get("lan")
    assert stored.password_hash.startswith("$argon2id$") and "m=65536,t=3" in stored.password_hash
    assert "password_hash" not in stored.public().model_dump()
    assert users.authenticate("lan", PASSWORD) is not None
    assert users.authenticate("lan", PASSWORD[:-1]) is None


def test_a_weaker_old_hash_is_upgraded_at_the_next_sign_in(tmp_path):
    app = make_app(tmp_path)  # the test profile hashes at 1 MiB
    ensure_user(app, "lan", "backoffice")
    cheap = app.state.auth.users.get("lan").password_hash
    users = UserStore(app.state.store)  # production profile
    assert users.authenticate("lan", PASSWORD) is not None
    upgraded = users.get("lan").password_hash
    assert upgraded != cheap and "m=65536" in upgraded


def test_pages_are_vietnamese_by_default_and_english_on_request(app):
    browser = client(app)
    assert "Đăng nhập" in browser.get("/login").text
    english = browser.get("/login?lang=en")
    assert '<html lang="en">' in english.text and "Sign in" in english.text
    assert "Sign in" in browser.get("/login").text  # remembered in the lang cookie
    assert "Đăng nhập" in browser.get("/login?lang=vi").text


def test_security_headers_are_set(app):
    headers = client(app).get("/login").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["cache-control"] == "no-store"


def test_identity_numbers_are_masked():
    assert mask_id("001090012345") == "0010******45"
    assert mask_id("012345678") == "0123***78"
    assert mask_id("1234") == "**34"
    assert mask_id(None) == "" and mask_id("") == ""
    assert mask_ids_in_text("GET /api/reuse?citizen=001090012345&procedure=1.001193 200") == (
        "GET /api/reuse?citizen=0010******45&procedure=1.001193 200")
    assert mask_ids_in_text("dossier 000.00.01.H26-250101-0001") == "dossier 000.00.01.H26-250101-0001"


def test_the_access_log_masks_identity_numbers(app, caplog):
    access = logging.getLogger("uvicorn.access")
    assert any(isinstance(f, MaskIdsFilter) for f in access.filters)
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        access.info('%s - "%s %s HTTP/1.1" %d', "127.0.0.1", "GET", "/api/reuse?citizen=001090012345", 200)
    assert "001090012345" not in caplog.text and "0010******45" in caplog.text
