"""The administrator's pages: accounts (web and CLI) and the dashboard's figures, read from real records and events."""

from __future__ import annotations

import importlib.util
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest
from typer.testing import CliRunner

from pipeline.audit import AuditEvent, backfill_record_pointers, events, record_event
from pipeline.digitize import Outcome, digitize
from pipeline.reuse import validity_today
from pipeline.review import approve, waits_for_review
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
# The expected figures are counted here, in Python, from the papers themselves; the dashboard counts them in the
# search index (and reuse checks from their marks in the store), so the two ways must agree.


def _paper(n: int, station: str, at: datetime, status: Status, validity: Validity,
           review: ReviewState = ReviewState.PENDING, **kw: object) -> WalletRecord:
    sha = f"{n:064x}"
    return WalletRecord(record_id=sha, doc_type="quyet_dinh", file_key=f"incoming/{station}/b/{n}.pdf",
                        file_name=f"{n}.pdf", sha256=sha, pages=1, validity=validity, extraction_status=status,
                        review_state=review, station=station, operator="lan", digitized_at=at,
                        pipeline_version="0.1.0", **kw)


def _file(runtime, paper: WalletRecord) -> None:
    """File a paper as digitize does: a record version in the store, then the index."""
    save_record(runtime.store, paper, reason="digitized", actor=paper.operator)
    runtime.index.upsert([paper])


def _reuse_check(store, station: str, reusable: int, at: datetime | None = None) -> None:
    # The shape pipeline.web.pages_wallet records for each reuse check.
    record_event(store, AuditEvent(action="reuse_check", object_key="procedures/1.001193", station=station,
                                   operator="hoa", at=at or datetime.now(UTC),
                                   details={"procedure": "1.001193", "reusable": reusable, "to_check": 0,
                                            "to_bring": 2 - reusable}))


def _vietnam_day(paper: WalletRecord) -> date:
    return paper.digitized_at.astimezone(VIETNAM).date()


def _expected_totals(papers: list[WalletRecord], quarantined: int = 0) -> dict:
    status = Counter(p.extraction_status for p in papers)
    return {"records": len(papers), "auto_approved": status[Status.AUTO_APPROVED],
            "needs_review": status[Status.NEEDS_REVIEW], "rejected": status[Status.REJECTED],
            "auto_approval_rate": round(status[Status.AUTO_APPROVED] / len(papers), 4),
            "review_backlog": sum(waits_for_review(p) for p in papers), "quarantined": quarantined}


def test_dashboard_counts_papers_in_the_index_and_reuse_checks_from_the_store(app, admin):
    runtime = app.state.runtime
    today = datetime.now(VIETNAM).date()
    midnight = datetime.combine(today, time(0, 0), tzinfo=VIETNAM)
    papers = [
        _paper(1, "HN-01", midnight + timedelta(minutes=10), Status.AUTO_APPROVED, Validity.VALID),
        _paper(2, "HN-01", midnight + timedelta(minutes=20), Status.NEEDS_REVIEW, Validity.EXPIRED),
        _paper(3, "HN-07", midnight + timedelta(minutes=30), Status.NEEDS_REVIEW, Validity.VALID,
               ReviewState.APPROVED),  # reviewed already: not in the backlog
        # 10 minutes before midnight in Vietnam is yesterday, though it is the same day in UTC.
        _paper(4, "HN-07", midnight - timedelta(minutes=10), Status.REJECTED, Validity.UNKNOWN),
        _paper(5, "HN-01", midnight - timedelta(days=20), Status.AUTO_APPROVED, Validity.CANCELLED),
        # Marked valid when digitized, but its end date passed since: expired today, as the reuse check says.
        _paper(6, "HN-07", midnight - timedelta(days=3), Status.AUTO_APPROVED, Validity.VALID,
               valid_until=today - timedelta(days=1)),
        _paper(7, "HN-07", midnight - timedelta(days=3), Status.AUTO_APPROVED, Validity.VALID, valid_until=today),
    ]
    for paper in papers:
        _file(runtime, paper)
    _reuse_check(runtime.store, "HN-01", reusable=2)
    _reuse_check(runtime.store, "HN-01", reusable=0)
    _reuse_check(runtime.store, "HN-07", reusable=1)
    _reuse_check(runtime.store, "HN-07", reusable=1, at=datetime.now(UTC) - timedelta(days=40))  # outside
    record_event(runtime.store, AuditEvent(action="digitized", object_key="incoming/x", station="HN-01",
                                           operator="lan"))

    figures = admin.get("/api/dashboard?days=14").json()
    assert figures["totals"] == _expected_totals(papers)
    assert figures["validity"] == {v.value: sum(validity_today(p, today) is v for p in papers) for v in Validity}
    assert figures["validity"]["expired"] == 2  # paper 2 as marked, paper 6 by its date
    window = [today - timedelta(days=n) for n in range(14)]
    assert [d["day"] for d in figures["per_day"]] == [d.isoformat() for d in window]  # most recent first
    for day, counted in zip(window, figures["per_day"], strict=True):
        assert counted["stations"] == dict(Counter(p.station for p in papers if _vietnam_day(p) == day))
        assert counted["total"] == sum(counted["stations"].values())
    assert figures["per_day"][1]["stations"] == {"HN-07": 1}  # paper 4, on the Vietnam calendar
    assert figures["per_station"] == [
        {"station": s, "total": sum(p.station == s for p in papers),
         "in_window": sum(p.station == s and _vietnam_day(p) in window for p in papers)}
        for s in sorted({p.station for p in papers})]
    assert figures["reuse_checks"]["checks"] == 3 and figures["reuse_checks"]["hits"] == 2
    assert figures["reuse_checks"]["per_day"][0] == {"day": today.isoformat(), "checks": 3, "hits": 2}
    month = admin.get("/api/dashboard?days=30").json()
    assert month["per_station"][0] == {"station": "HN-01", "total": 3, "in_window": 3}  # paper 5 is 20 days old

    page = admin.get("/dashboard")
    assert page.status_code == 200
    rate = figures["totals"]["auto_approval_rate"]
    assert f"{rate * 100:.1f}%" in page.text and "2/3 lần có giấy tờ dùng lại được" in page.text
    assert "HN-07" in page.text and today.strftime("%d/%m/%Y") in page.text


def test_dashboard_follows_changes_after_its_short_cache(app, admin):
    runtime = app.state.runtime
    now = datetime.now(UTC)
    _file(runtime, _paper(1, "HN-01", now, Status.NEEDS_REVIEW, Validity.VALID))
    assert admin.get("/api/dashboard").json()["totals"]["review_backlog"] == 1
    approve(runtime.store, runtime.index, f"{1:064x}", actor="lan", station="HN-01")
    _file(runtime, _paper(2, "HN-02", now, Status.AUTO_APPROVED, Validity.VALID))
    assert admin.get("/api/dashboard").json()["totals"]["review_backlog"] == 1  # cached for a few seconds
    fresh = admin.get("/api/dashboard?fresh=1").json()
    assert fresh["totals"]["review_backlog"] == 0 and fresh["totals"]["records"] == 2


def test_reuse_checks_of_a_finished_day_are_tallied_once_and_read_back(app, admin):
    store = app.state.store
    today = datetime.now(VIETNAM).date()
    noon = datetime.combine(today - timedelta(days=3), time(12, 0), tzinfo=VIETNAM)
    late = datetime.combine(today - timedelta(days=3), time(23, 50), tzinfo=VIETNAM)  # 16:50 UTC, same VN day
    for at, reusable in [(noon, 1), (noon, 0), (late, 2)]:
        _reuse_check(store, "HN-01", reusable, at=at.astimezone(UTC))
    checks = admin.get("/api/dashboard?fresh=1").json()["reuse_checks"]
    assert checks["per_day"][3] == {"day": (today - timedelta(days=3)).isoformat(), "checks": 3, "hits": 2}
    tally_key = f"stats/reuse/{noon.astimezone(UTC).date().isoformat()}.json"
    assert store.exists(tally_key)  # the UTC day is over: counted once, kept
    # A finished day is read from its tally: a mark appearing afterwards is not listed again
    # (late marks come only from the backfill, which recounts the day itself).
    record_event(store, AuditEvent(action="reuse_check", object_key="procedures/1.001193", station="HN-01",
                                   operator="hoa", at=noon.astimezone(UTC), details={"reusable": 1}))
    assert admin.get("/api/dashboard?fresh=1").json()["reuse_checks"]["per_day"][3]["checks"] == 3


def test_reuse_checks_logged_before_their_marks_count_once_backfilled(app, admin):
    store = app.state.store
    yesterday_noon = datetime.combine(datetime.now(VIETNAM).date() - timedelta(days=1), time(12, 0),
                                      tzinfo=VIETNAM).astimezone(UTC)
    old = AuditEvent(action="reuse_check", object_key="procedures/1.001193", station="HN-01", operator="hoa",
                     at=yesterday_noon - timedelta(days=2), details={"reusable": 1})
    # As the log was written before reuse checks left marks: the event alone.
    store.put(f"audit/{old.at:%Y/%m/%d}/{old.at:%Y%m%dT%H%M%S%fZ}-0123456789ab.json", old.model_dump_json().encode())
    _reuse_check(store, "HN-01", reusable=0, at=yesterday_noon)
    assert admin.get("/api/dashboard?fresh=1").json()["reuse_checks"]["checks"] == 1  # its day is tallied
    assert backfill_record_pointers(store) == 1  # the old check's mark
    checks = admin.get("/api/dashboard?fresh=1").json()["reuse_checks"]
    assert (checks["checks"], checks["hits"]) == (2, 1)
    assert backfill_record_pointers(store) == 0


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
    today = datetime.now(VIETNAM).date()
    assert figures["totals"] == _expected_totals(records, quarantined=1)
    assert figures["per_day"][0]["stations"] == dict(Counter(r.station for r in records)) == {"HN-01": 1, "HN-07": 1}
    assert figures["validity"] == {v.value: sum(validity_today(r, today) is v for r in records) for v in Validity}


@pytest.mark.skipif(importlib.util.find_spec("pipeline.web.pages_wallet") is None, reason="no wallet pages yet")
def test_dashboard_counts_reuse_checks_run_through_the_wallet_api(app, admin):
    backoffice = signed_in(app, "backoffice")
    response = backoffice.get("/api/reuse", params={"procedure": "1.001193", "citizen": "001090012345"})
    assert response.status_code == 200, response.text
    checks = admin.get("/api/dashboard?fresh=1").json()["reuse_checks"]
    assert checks["checks"] == 1 and checks["hits"] == 0  # an empty wallet holds nothing to reuse
