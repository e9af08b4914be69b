"""The administrator's pages: accounts (web and CLI) and the dashboard's figures, read from real records and events."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime, time, timedelta

import pytest
from typer.testing import CliRunner

from pipeline.audit import AuditEvent, events, record_event
from pipeline.digitize import Outcome, digitize
from pipeline.wallet import load_record, save_record, upload_original
from pipeline.web.auth import Role, UserStore
from pipeline.web.pages_admin import VIETNAM
from samples.generator import generate_document
from schemas.result import Status
from schemas.wallet import ReviewState, Validity, WalletRecord
from tests.webtools import PASSWORD, client, csrf_header, make_app, sign_in, signed_in


@pytest.fixture()
def app(tmp_path):
    return make_app(tmp_path)


@pytest.fixture()
def admin(app):
    return signed_in(app, "admin")


def _post(browser, path: str, **form: str):
    return browser.post(path, data={**form, "csrf_token": csrf_header(browser)["X-CSRF-Token"]})


# -- accounts ---------------------------------------------------------------------------------------------------


def test_admin_adds_a_user_who_can_then_sign_in(app, admin):
    response = _post(admin, "/admin/users", username="Lan", display_name="Nguyễn Thị Lan", role="operator",
                     station="HN-02", password="mat-khau-cua-lan")
    assert response.status_code == 303
    page = admin.get(response.headers["location"])
    assert "Đã thêm người dùng lan" in page.text and "Nguyễn Thị Lan" in page.text
    account = app.state.auth.users.get("lan")
    assert (account.role, account.station, account.active) == (Role.OPERATOR, "HN-02", True)
    assert sign_in(client(app), "lan", "mat-khau-cua-lan").headers["location"] == "/upload"
    created = [e for e in events(app.state.store) if e.action == "user_created"]
    assert [(e.operator, e.details["user"], e.details["role"]) for e in created] == [
        ("admin-hn-01", "lan", "operator")]


@pytest.mark.parametrize(("form", "message"), [
    ({"username": "lan", "role": "operator", "station": "", "password": "mat-khau-du-dai"},
     "Cán bộ số hóa phải thuộc một điểm số hóa"),
    ({"username": "lan", "role": "backoffice", "station": "", "password": "ngan"}, "ít nhất 10 ký tự"),
    ({"username": "Lan Anh", "role": "backoffice", "station": "", "password": "mat-khau-du-dai"},
     "Tên đăng nhập gồm 2–32 ký tự"),
    ({"username": "lan", "role": "backoffice", "station": "HN/01", "password": "mat-khau-du-dai"},
     "Mã điểm số hóa chỉ gồm"),
])
def test_a_bad_new_user_is_refused_with_the_reason_and_the_form_kept(app, admin, form, message):
    response = _post(admin, "/admin/users", display_name="Nguyễn Thị Lan", **form)
    assert response.status_code == 400
    assert message in response.text and 'value="Nguyễn Thị Lan"' in response.text
    assert [a.username for a in app.state.auth.users.list()] == ["admin-hn-01"]


def test_a_username_cannot_be_taken_twice(app, admin):
    form = {"username": "lan", "role": "backoffice", "station": "", "password": "mat-khau-du-dai"}
    assert _post(admin, "/admin/users", **form).status_code == 303
    again = _post(admin, "/admin/users", **{**form, "password": "mat-khau-khac-nua"})
    assert again.status_code == 400 and "Tên đăng nhập đã có" in again.text
    assert UserStore(app.state.store).authenticate("lan", "mat-khau-du-dai") is not None  # first one untouched


def test_admin_deactivates_and_reactivates_a_user(app, admin):
    backoffice = signed_in(app, "backoffice", username="minh")
    response = _post(admin, "/admin/users/minh/active", active="0")
    assert response.status_code == 303
    assert "Đã khóa tài khoản minh" in admin.get(response.headers["location"]).text
    assert backoffice.get("/").headers["location"] == "/login"  # their open session ended
    assert sign_in(client(app), "minh", PASSWORD).status_code == 401
    assert 'class="inactive"' in admin.get("/admin/users").text
    assert _post(admin, "/admin/users/minh/active", active="1").status_code == 303
    assert sign_in(client(app), "minh", PASSWORD).status_code == 303
    assert [e.action for e in events(app.state.store) if e.details.get("user") == "minh"] == [
        "user_deactivated", "user_activated"]


def test_an_admin_cannot_lock_themselves_out(app, admin):
    response = _post(admin, "/admin/users/admin-hn-01/active", active="0")
    assert response.status_code == 400 and "Không thể tự khóa" in response.text
    assert app.state.auth.users.get("admin-hn-01").active


def test_admin_resets_a_password(app, admin):
    backoffice = signed_in(app, "backoffice", username="minh")
    assert _post(admin, "/admin/users/minh/password", password="short").status_code == 400
    assert _post(admin, "/admin/users/minh/password", password="mat-khau-moi-2026").status_code == 303
    assert backoffice.get("/").headers["location"] == "/login"
    assert sign_in(client(app), "minh", PASSWORD).status_code == 401
    assert sign_in(client(app), "minh", "mat-khau-moi-2026").status_code == 303
    raw = app.state.store.get(UserStore.key("minh"))
    assert b"mat-khau-moi-2026" not in raw


def test_changing_an_unknown_user_is_404(admin):
    assert _post(admin, "/admin/users/khong-co/active", active="0").status_code == 404
    assert _post(admin, "/admin/users/khong-co/password", password="mat-khau-moi-2026").status_code == 404


def test_cli_adds_a_user_with_a_password_from_stdin_or_the_hidden_prompt(tmp_path, monkeypatch):
    from pipeline.cli import app as cli

    monkeypatch.setenv("SOHOA_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    result = runner.invoke(cli, ["user", "add", "lan", "--role", "operator", "--station", "HN-01",
                                 "--display-name", "Nguyễn Thị Lan", "--password-stdin"],
                           input="mat-khau-cua-lan\n")
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["user", "add", "an", "--role", "admin"],
                           input="mat-khau-cua-an-1\nmat-khau-cua-an-1\n")
    assert result.exit_code == 0, result.output
    assert "mat-khau-cua-an-1" not in result.output  # the prompt does not echo
    refused = runner.invoke(cli, ["user", "add", "minh", "--role", "operator", "--password-stdin"],
                            input="mat-khau-cua-minh\n")
    assert refused.exit_code == 2 and "phải thuộc một điểm số hóa" in refused.output
    app = make_app(tmp_path)
    assert sign_in(client(app), "lan", "mat-khau-cua-lan").headers["location"] == "/upload"
    assert sign_in(client(app), "an", "mat-khau-cua-an-1").headers["location"] == "/dashboard"
    assert app.state.auth.users.get("minh") is None


# -- dashboard --------------------------------------------------------------------------------------------------


def _paper(n: int, station: str, at: datetime, status: Status, validity: Validity,
           review: ReviewState = ReviewState.PENDING) -> WalletRecord:
    sha = f"{n:064x}"
    return WalletRecord(record_id=sha, doc_type="quyet_dinh", file_key=f"incoming/{station}/b/{n}.pdf",
                        file_name=f"{n}.pdf", sha256=sha, pages=1, validity=validity, extraction_status=status,
                        review_state=review, station=station, operator="lan", digitized_at=at,
                        pipeline_version="0.1.0")


def _reuse_check(store, station: str, reusable: int, at: datetime | None = None) -> None:
    # The shape pipeline.web.pages_wallet records for each reuse check.
    record_event(store, AuditEvent(action="reuse_check", object_key="procedures/1.001193", station=station,
                                   operator="hoa", at=at or datetime.now(UTC),
                                   details={"procedure": "1.001193", "reusable": reusable, "to_check": 0,
                                            "to_bring": 2 - reusable}))


def test_dashboard_counts_records_and_reuse_checks_from_the_store(app, admin):
    store = app.state.store
    midnight = datetime.combine(datetime.now(VIETNAM).date(), time(0, 0), tzinfo=VIETNAM)
    papers = [
        _paper(1, "HN-01", midnight + timedelta(minutes=10), Status.AUTO_APPROVED, Validity.VALID),
        _paper(2, "HN-01", midnight + timedelta(minutes=20), Status.NEEDS_REVIEW, Validity.EXPIRED),
        _paper(3, "HN-07", midnight + timedelta(minutes=30), Status.NEEDS_REVIEW, Validity.VALID,
               ReviewState.APPROVED),  # reviewed already: not in the backlog
        # 10 minutes before midnight in Vietnam is yesterday, though it is the same day in UTC.
        _paper(4, "HN-07", midnight - timedelta(minutes=10), Status.REJECTED, Validity.UNKNOWN),
        _paper(5, "HN-01", midnight - timedelta(days=20), Status.AUTO_APPROVED, Validity.CANCELLED),
    ]
    for paper in papers:
        save_record(store, paper, reason="digitized", actor="lan")
    _reuse_check(store, "HN-01", reusable=2)
    _reuse_check(store, "HN-01", reusable=0)
    _reuse_check(store, "HN-07", reusable=1)
    _reuse_check(store, "HN-07", reusable=1, at=datetime.now(UTC) - timedelta(days=40))  # outside the window
    record_event(store, AuditEvent(action="digitized", object_key="incoming/x", station="HN-01", operator="lan"))

    figures = admin.get("/api/dashboard?days=14").json()
    assert figures["totals"] == {"records": 5, "auto_approved": 2, "needs_review": 2, "rejected": 1,
                                 "auto_approval_rate": 0.4, "review_backlog": 1, "quarantined": 0}
    assert figures["validity"] == {"valid": 2, "expired": 1, "cancelled": 1, "unknown": 1}
    today, yesterday = figures["per_day"][0], figures["per_day"][1]
    assert today == {"day": midnight.date().isoformat(), "total": 3, "stations": {"HN-01": 2, "HN-07": 1}}
    assert yesterday["stations"] == {"HN-07": 1} and len(figures["per_day"]) == 14
    assert sum(d["total"] for d in figures["per_day"]) == 4  # paper 5 is 20 days old
    assert figures["per_station"] == [{"station": "HN-01", "total": 3, "in_window": 2},
                                      {"station": "HN-07", "total": 2, "in_window": 2}]
    assert figures["reuse_checks"]["checks"] == 3 and figures["reuse_checks"]["hits"] == 2
    assert admin.get("/api/dashboard?days=30").json()["per_station"][0]["in_window"] == 3

    page = admin.get("/dashboard")
    assert page.status_code == 200
    assert "40.0%" in page.text and "2/3 lần có giấy tờ dùng lại được" in page.text
    assert "HN-07" in page.text and midnight.date().strftime("%d/%m/%Y") in page.text


def test_dashboard_follows_changes_after_its_short_cache(app, admin):
    store = app.state.store
    now = datetime.now(UTC)
    paper = _paper(1, "HN-01", now, Status.NEEDS_REVIEW, Validity.VALID)
    save_record(store, paper, reason="digitized", actor="lan")
    assert admin.get("/api/dashboard").json()["totals"]["review_backlog"] == 1
    save_record(store, paper.model_copy(update={"review_state": ReviewState.APPROVED}), reason="reviewed",
                actor="lan")
    save_record(store, _paper(2, "HN-02", now, Status.AUTO_APPROVED, Validity.VALID), reason="digitized",
                actor="an")
    assert admin.get("/api/dashboard").json()["totals"]["review_backlog"] == 1  # cached for a few seconds
    fresh = admin.get("/api/dashboard?fresh=1").json()
    assert fresh["totals"]["review_backlog"] == 0 and fresh["totals"]["records"] == 2


def test_dashboard_of_papers_digitized_by_the_pipeline(app, admin):
    runtime = app.state.runtime
    keys = [upload_original(runtime.store, generate_document("khai_sinh", 7, fmt="png", dpi=100).data, "ks.png",
                            "HN-01", "lan", "b1"),
            upload_original(runtime.store, generate_document("cccd", 8, fmt="png", dpi=100).data, "cc.png",
                            "HN-07", "minh", "b2"),
            upload_original(runtime.store, b"not a paper at all", "notes.txt", "HN-07", "minh", "b2")]
    results = [digitize(key, store=runtime.store, index=runtime.index, engine=runtime.engine,
                        settings=runtime.settings) for key in keys]
    assert [r.outcome for r in results] == [Outcome.DIGITIZED, Outcome.DIGITIZED, Outcome.QUARANTINED]
    records = [load_record(runtime.store, r.sha256) for r in results[:2]]

    figures = admin.get("/api/dashboard").json()
    statuses = [r.extraction_status for r in records]
    assert figures["totals"]["records"] == 2 and figures["totals"]["quarantined"] == 1
    assert figures["totals"]["auto_approved"] == statuses.count(Status.AUTO_APPROVED)
    assert figures["totals"]["review_backlog"] == statuses.count(Status.NEEDS_REVIEW)
    assert figures["per_day"][0]["stations"] == {"HN-01": 1, "HN-07": 1}
    assert sum(figures["validity"].values()) == 2
    assert figures["validity"][records[0].validity.value] >= 1


@pytest.mark.skipif(importlib.util.find_spec("pipeline.web.pages_wallet") is None, reason="no wallet pages yet")
def test_dashboard_counts_reuse_checks_run_through_the_wallet_api(app, admin):
    backoffice = signed_in(app, "backoffice")
    response = backoffice.get("/api/reuse", params={"procedure": "1.001193", "citizen": "001090012345"})
    assert response.status_code == 200, response.text
    checks = admin.get("/api/dashboard?fresh=1").json()["reuse_checks"]
    assert checks["checks"] == 1 and checks["hits"] == 0  # an empty wallet holds nothing to reuse
