"""The station's web pages and API: upload and watch a batch, the review queue and page, roles and stations."""

from __future__ import annotations

import re
import time
from datetime import date

import pytest

from pipeline.wallet import load_record, load_record_versions
from pipeline.web.auth import Role
from samples.generator import generate_document
from tests.webtools import RoleClients, assert_role_access, csrf_header, make_app, role_cases, signed_in

NO_RECORD = "0" * 64
OPERATORS = frozenset({Role.OPERATOR, Role.ADMIN})
ROUTES = [
    ("GET", "/upload", OPERATORS),
    ("POST", "/api/batches", OPERATORS),
    ("GET", "/api/batches/no-such-batch", OPERATORS),
    ("GET", "/review", OPERATORS),
    ("GET", f"/review/{NO_RECORD}", OPERATORS),
    ("POST", f"/review/{NO_RECORD}", OPERATORS),
    ("GET", f"/documents/{NO_RECORD}/pages/1.png", frozenset({Role.OPERATOR, Role.BACKOFFICE, Role.ADMIN})),
]


@pytest.fixture(scope="module")
def clients(tmp_path_factory) -> RoleClients:
    return RoleClients(make_app(tmp_path_factory.mktemp("roles")))


@pytest.mark.parametrize("method,path,role,allowed", role_cases(ROUTES))
def test_each_route_checks_the_role(clients, method, path, role, allowed):
    assert_role_access(clients, method, path, role, allowed)


def _wait(client, url: str, timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        batch = client.get(url).json()
        if batch["finished"] or time.monotonic() > deadline:
            return batch
        time.sleep(0.3)


@pytest.fixture(scope="module")
def station(tmp_path_factory):
    """A station's app with one uploaded batch, digitized to the end (a threshold of 1.0: every paper to review)."""
    app = make_app(tmp_path_factory.mktemp("station"), review_threshold=1.0)
    operator = signed_in(app, "operator", station="HN-01")
    paper = generate_document("khai_sinh", 611, variant="clean", fmt="png")
    files = [("files", ("khai sinh.png", paper.data, "image/png")),
             ("files", ("cut.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "application/pdf"))]
    response = operator.post("/api/batches", files=files, headers=csrf_header(operator))
    assert response.status_code == 202, response.text
    started = response.json()
    assert [f["state"] for f in started["files"]] == ["queued", "queued"]
    batch = _wait(operator, started["url"])
    return app, operator, batch


def test_upload_then_poll_until_every_file_is_done(station):
    _, _, batch = station
    assert batch["finished"] and batch["done"] == batch["total"] == 2
    paper, cut = batch["files"]
    assert paper["state"] == "needs_review" and paper["record_id"] and paper["doc_type"] == "khai_sinh"
    assert cut["state"] == "quarantined" and cut["reason"] == "corrupt_file" and cut["reason_label"]


def test_upload_needs_the_csrf_token(station):
    _, operator, _ = station
    response = operator.post("/api/batches", files=[("files", ("a.png", b"x", "image/png"))])
    assert response.status_code == 403


def test_review_queue_lists_the_paper_with_its_id_masked(station):
    app, operator, batch = station
    record = load_record(app.state.store, batch["files"][0]["record_id"])
    page = operator.get("/review")
    assert page.status_code == 200 and f"/review/{record.record_id}" in page.text
    for owner_id in record.owner_ids:
        assert owner_id not in page.text


def test_review_page_shows_the_scan_and_a_box_per_found_field(station):
    app, operator, batch = station
    rid = batch["files"][0]["record_id"]
    record = load_record(app.state.store, rid)
    page = operator.get(f"/review/{rid}")
    assert page.status_code == 200
    assert f'src="/documents/{rid}/pages/1.png"' in page.text
    for name in record.fields:
        assert f'id="box-{name}"' in page.text and f'name="f_{name}"' in page.text
    image = operator.get(f"/documents/{rid}/pages/1.png")
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    assert operator.get(f"/documents/{rid}/pages/2.png").status_code == 404


def test_upload_reasons_are_in_the_readers_language_and_the_technical_text_apart(station):
    _, operator, batch = station
    url = f"/api/batches/{batch['batch_id']}"
    vi = operator.get(url, params={"lang": "vi"}).json()
    en = operator.get(url, params={"lang": "en"}).json()
    operator.get("/upload", params={"lang": "vi"})
    cut_vi, cut_en = vi["files"][1], en["files"][1]
    assert cut_vi["reason_label"] == "Tệp hỏng hoặc tải lên chưa hết"
    assert cut_en["reason_label"] == "Damaged or incompletely uploaded file"
    assert cut_vi["message"] and cut_vi["message"] not in (cut_vi["reason_label"], cut_en["reason_label"])
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", vi["created_label"])  # the batch's time, Vietnam clock
    assert vi["counts"] == {"needs_review": 1, "quarantined": 1}
    page = operator.get("/upload").text
    assert 'data-msg-technical="Chi tiết kỹ thuật"' in page and 'href="/review"' in page


def test_review_form_shows_dates_as_people_write_them_and_an_untouched_form_changes_nothing(station):
    app, operator, batch = station
    rid = batch["files"][0]["record_id"]
    record = load_record(app.state.store, rid)
    born = date.fromisoformat(record.fields["ngay_sinh"])
    page = operator.get(f"/review/{rid}").text
    assert f'name="f_ngay_sinh" value="{born:%d/%m/%Y}"' in page
    form = dict(re.findall(r'name="(f_[a-z_]+)" value="([^"]*)"', page))
    form["csrf_token"] = csrf_header(operator)["X-CSRF-Token"]
    response = operator.post(f"/review/{rid}", data={**form, "action": "save"})
    assert response.headers["location"] == f"/review/{rid}?done=saved&n=0"
    assert len(load_record_versions(app.state.store, rid)) == 1


def test_review_queue_says_why_a_paper_waits(station):
    _, operator, batch = station
    rid = batch["files"][0]["record_id"]
    token = csrf_header(operator)["X-CSRF-Token"]
    operator.post(f"/review/{rid}", data={"csrf_token": token, "action": "save", "f_ho_ten": ""})
    page = operator.get("/review").text
    row = page[page.index(f'href="/review/{rid}"') - 2000:page.index(f'href="/review/{rid}"')]
    assert "Thiếu: Họ và tên" in row
    assert '<span class="empty"' in row  # no owner name yet: a dash, not an empty cell
    assert "Missing: Full name" in operator.get("/review", params={"lang": "en"}).text
    operator.get("/review", params={"lang": "vi"})


def test_a_correction_through_the_form_changes_the_record(station):
    app, operator, batch = station
    rid = batch["files"][0]["record_id"]
    token = csrf_header(operator)["X-CSRF-Token"]
    response = operator.post(f"/review/{rid}", data={"csrf_token": token, "action": "save",
                                                     "f_ho_ten": "lê thị thu hà", "f_ngay_sinh": "31/02/2001"})
    assert response.status_code == 303 and response.headers["location"] == f"/review/{rid}?done=saved&n=2"
    record = load_record(app.state.store, rid)
    assert record.fields["ho_ten"] == "Lê Thị Thu Hà" and record.owner_name == "Lê Thị Thu Hà"
    assert load_record_versions(app.state.store, rid)[-1].actor == "operator-hn-01"
    page = operator.get(f"/review/{rid}?done=saved&n=2")
    assert 'aria-invalid="true" aria-describedby="issues-ngay_sinh"' in page.text  # the bad date shows its issue
    # approving with the issue unfixed in the field just corrected sends the operator back to it
    again = operator.post(f"/review/{rid}", data={"csrf_token": token, "action": "approve",
                                                  "f_ngay_sinh": "30/02/2001"})
    assert again.headers["location"] == f"/review/{rid}?done=fix"
    approved = operator.post(f"/review/{rid}", data={"csrf_token": token, "action": "approve",
                                                     "f_ngay_sinh": "28/02/2001"})
    assert approved.status_code == 303 and approved.headers["location"].startswith("/review?done=review_approved")
    assert load_record(app.state.store, rid).review_state == "approved"
    assert app.state.runtime.index.get(rid).fields["ngay_sinh"] == "2001-02-28"


def test_other_stations_and_back_office_are_refused(station):
    app, _, batch = station
    rid = batch["files"][0]["record_id"]
    batch_url = f"/api/batches/{batch['batch_id']}"
    other = signed_in(app, "operator", station="HN-02")
    for path in (f"/review/{rid}", f"/documents/{rid}/pages/1.png", batch_url):
        assert other.get(path).status_code == 403, path
    assert other.post(f"/review/{rid}", data={"csrf_token": csrf_header(other)["X-CSRF-Token"],
                                              "action": "reject", "reason": "x"}).status_code == 403
    assert f"/review/{rid}" not in other.get("/review").text
    back_office = signed_in(app, "backoffice")
    for path in ("/upload", "/review", f"/review/{rid}", batch_url):
        assert back_office.get(path).status_code == 403, path
    assert back_office.get(f"/documents/{rid}/pages/1.png").status_code == 200
    admin = signed_in(app, "admin")
    assert admin.get(f"/review/{rid}").status_code == 200 and admin.get(batch_url).status_code == 200
