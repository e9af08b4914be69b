"""The back office's wallet pages: search, one paper with its history and original, the reuse check.

The wallet is filled the way the centre fills it: one generated paper goes through the real pipeline
(``pipeline.digitize``: OCR, extraction, record, audit, index); the others are wallet records saved as the pipeline
saves them (``save_record``, then the index) so every validity and filter case is there without OCR'ing each.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from pipeline.audit import AuditEvent, events, record_event
from pipeline.digitize import Outcome, digitize
from pipeline.textnorm import fold
from pipeline.wallet import save_record, upload_original
from pipeline.web.auth import Role
from pipeline.web.pages_wallet import ORIGINAL_LINK_LIFETIME, PAGE_SIZE
from samples.generator import generate_document
from schemas.procedures import CatalogueError
from schemas.result import Status
from schemas.wallet import ReviewState, Validity, WalletRecord
from tests.servers import SeaweedFS
from tests.webtools import PASSWORD, RoleClients, assert_role_access, make_app, role_cases, signed_in

TODAY = date.today()
FAR = TODAY + timedelta(days=3650)
PAST = TODAY - timedelta(days=30)

DUC_ID = "036080000777"  # Đặng Văn Đức: a valid identity card and a birth certificate
HA_ID = "001190012345"  # Đỗ Thị Hà: her identity card has expired
LAN_ID = "079185000123"  # Phạm Thị Lan: her identity card was cancelled
SON_ID = "031095004567"  # Vũ Văn Sơn: a card whose expiry was not read
NOBODY_ID = "048200009999"  # the wallet holds nothing of hers
BIRTH = "1.001193"  # Đăng ký khai sinh: needs the registering person's identity card
MARRIAGE = "1.000894"  # Đăng ký kết hôn: needs two identity cards (one per spouse) and forms the wallet does not keep
MARY_MAI = 25  # records of "Lê Thị Mai": more than one page


def sha(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def wallet_record(name: str, **kw: Any) -> WalletRecord:
    record_id = sha(name)
    base: dict[str, Any] = {
        "record_id": record_id, "doc_type": "cccd", "file_key": f"incoming/HN-01/b0/{name}.pdf",
        "file_name": f"{name}.pdf", "sha256": record_id, "pages": 1, "extraction_status": Status.AUTO_APPROVED,
        "station": "HN-01", "operator": "lan", "digitized_at": datetime(2025, 3, 1, 8, 0),
        "pipeline_version": "test",
    }
    base.update(kw)
    return WalletRecord.model_validate(base)


RECORDS = [
    wallet_record("duc-cccd", owner_name="Đặng Văn Đức", owner_ids=[DUC_ID], doc_number=DUC_ID,
                  issue_date=date(2021, 5, 1), valid_until=FAR, validity=Validity.VALID,
                  issuing_agency="Cục Cảnh sát quản lý hành chính về trật tự xã hội",
                  fields={"so_dinh_danh": DUC_ID, "ho_ten": "Đặng Văn Đức"}),
    wallet_record("duc-ks", doc_type="khai_sinh", owner_name="Đặng Văn Đức", owner_ids=[DUC_ID], doc_number="12/1980",
                  issue_date=date(1980, 2, 3), permanent=True, validity=Validity.VALID,
                  issuing_agency="UBND phường Hàng Bạc", fields={"ho_ten": "Đặng Văn Đức", "ho_ten_me": "Lê Thị Hoa"}),
    wallet_record("ha-cccd", owner_name="Đỗ Thị Hà", owner_ids=[HA_ID], doc_number=HA_ID, station="HN-02",
                  issue_date=date(2012, 7, 9), valid_until=PAST, validity=Validity.EXPIRED,
                  issuing_agency="Cục Cảnh sát quản lý hành chính về trật tự xã hội"),
    wallet_record("lan-cccd", owner_name="Phạm Thị Lan", owner_ids=[LAN_ID], doc_number=LAN_ID, station="HN-02",
                  issue_date=date(2022, 1, 4), valid_until=FAR, validity=Validity.CANCELLED,
                  issuing_agency="Cục Cảnh sát quản lý hành chính về trật tự xã hội"),
    wallet_record("son-cccd", owner_name="Vũ Văn Sơn", owner_ids=[SON_ID], doc_number=SON_ID,
                  issue_date=date(2023, 3, 3), validity=Validity.UNKNOWN, extraction_status=Status.NEEDS_REVIEW,
                  issuing_agency="Cục Cảnh sát quản lý hành chính về trật tự xã hội"),
    wallet_record("decision", doc_type="quyet_dinh", owner_name="Trần Quốc Toản", owner_ids=["001099000111"],
                  doc_number="441/QĐ-UBND", issue_date=date(2024, 9, 15), validity=Validity.VALID, permanent=True,
                  issuing_agency="UBND quận Đống Đa", summary='Về việc khen thưởng <script>alert("x")</script>'),
    *[wallet_record(f"mai-{n:02d}", doc_type="khai_sinh", owner_name="Lê Thị Mai", doc_number=f"{n}/2001",
                    issue_date=date(2001, 1, 1) + timedelta(days=n), validity=Validity.VALID, permanent=True,
                    digitized_at=datetime(2025, 1, 1, 8, 0) + timedelta(minutes=n))
      for n in range(1, MARY_MAI + 1)],
]
BY_NAME = {"duc-cccd": RECORDS[0], "duc-ks": RECORDS[1], "ha": RECORDS[2], "decision": RECORDS[5]}


def fill(app: FastAPI, records: list[WalletRecord]) -> None:
    rt = app.state.runtime
    for record in records:
        save_record(rt.store, record, reason="digitized", actor=record.operator)
    rt.index.upsert(records)


@pytest.fixture(scope="module")
def wallet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """An app whose wallet holds ``RECORDS`` and one paper digitized by the pipeline (its original kept)."""
    app = make_app(tmp_path_factory.mktemp("wallet"))
    fill(app, RECORDS)
    rt = app.state.runtime
    paper = generate_document("khai_sinh", 4711, variant="clean", fmt="pdf")
    key = upload_original(rt.store, paper.data, "Giấy khai sinh.pdf", "HN-03", "minh", "b1")
    result = digitize(key, store=rt.store, index=rt.index, engine=rt.engine, settings=rt.settings)
    assert result.outcome is Outcome.DIGITIZED and result.record is not None
    yield {"app": app, "backoffice": signed_in(app, Role.BACKOFFICE), "paper": paper, "digitized": result.record}


def api(wallet: dict[str, Any], path: str, **params: Any) -> Any:
    response = wallet["backoffice"].get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def found_ids(wallet: dict[str, Any], **params: Any) -> list[str]:
    return [hit["record_id"] for hit in api(wallet, "/api/search", **params)["hits"]]


# -- search ---------------------------------------------------------------------------------------------------------


def test_a_name_typed_without_diacritics_finds_the_paper_and_d_stands_for_d_with_stroke(wallet) -> None:
    duc = {BY_NAME["duc-cccd"].record_id, BY_NAME["duc-ks"].record_id}
    assert set(found_ids(wallet, q="dang van duc")[:2]) == duc
    assert set(found_ids(wallet, q="Đặng Văn Đức")[:2]) == duc
    assert found_ids(wallet, q="do thi ha") == [BY_NAME["ha"].record_id]


def test_the_digitized_paper_is_found_by_its_owner_typed_without_diacritics(wallet) -> None:
    owner = wallet["paper"].truth["fields"]["ho_ten"]
    assert found_ids(wallet, q=fold(owner))[0] == wallet["digitized"].record_id


def test_search_page_shows_the_name_with_the_typed_words_marked(wallet) -> None:
    page = wallet["backoffice"].get("/search", params={"q": "dang van duc"})
    assert page.status_code == 200
    assert "<mark>Đặng</mark> <mark>Văn</mark> <mark>Đức</mark>" in page.text
    assert f'href="/documents/{BY_NAME["duc-cccd"].record_id}"' in page.text


def test_an_id_number_finds_its_papers_and_lists_show_it_masked(wallet) -> None:
    found = api(wallet, "/api/search", q=HA_ID)
    assert [hit["record_id"] for hit in found["hits"]] == [BY_NAME["ha"].record_id]
    assert found["hits"][0]["owner_ids"] == ["0011******45"]
    assert HA_ID not in json.dumps(found)  # not in the IDs, not in the highlights
    assert "<mark>0011******45</mark>" in found["hits"][0]["highlights"]["other_values"]
    page = wallet["backoffice"].get("/search", params={"q": HA_ID})
    table = page.text[page.text.index('<table class="data results">'):page.text.index("</table>")]
    assert HA_ID not in table and "0011******45" in table  # the typed query stays in the box and links only


def test_highlights_are_escaped_html(wallet) -> None:
    (hit,) = api(wallet, "/api/search", q="khen thuong")["hits"]
    (fragment,) = hit["highlights"]["other_values"]
    assert fragment.startswith('Về việc <mark>khen</mark> <mark>thưởng</mark> &lt;script&gt;alert("x")')
    assert "<script" not in fragment
    page = wallet["backoffice"].get("/search", params={"q": "khen thuong"})
    assert "<script>alert" not in page.text and "&lt;script&gt;alert" in page.text


def test_filters_narrow_the_results(wallet) -> None:
    cards = {r.record_id for r in RECORDS if r.doc_type == "cccd"}
    assert set(found_ids(wallet, doc_type="cccd", per_page=100)) == cards
    assert found_ids(wallet, validity="expired") == [BY_NAME["ha"].record_id]
    assert set(found_ids(wallet, station="HN-02")) == {BY_NAME["ha"].record_id, RECORDS[3].record_id}
    assert found_ids(wallet, agency="ubnd quan dong da") == [BY_NAME["decision"].record_id]
    assert found_ids(wallet, q="dang van duc", doc_type="khai_sinh") == [BY_NAME["duc-ks"].record_id]
    assert found_ids(wallet, issued_from="1980-01-01", issued_to="1980-12-31") == [BY_NAME["duc-ks"].record_id]


def test_facets_count_the_matches_per_type_validity_and_station(wallet) -> None:
    facets = api(wallet, "/api/search", q="cuc canh sat")["facets"]
    assert facets == {"doc_type": {"cccd": 4}, "validity": {"valid": 1, "expired": 1, "cancelled": 1, "unknown": 1},
                      "station": {"HN-01": 2, "HN-02": 2}}
    page = wallet["backoffice"].get("/search", params={"q": "cuc canh sat"})
    assert re.search(r'href="/search\?q=cuc\+canh\+sat&amp;validity=expired"[^>]*>\s*<span>Hết hiệu lực</span>\s*'
                     r'<span class="count">1</span>', page.text)


def test_results_page_without_overlap_and_the_pager_links_to_the_next_page(wallet) -> None:
    first = api(wallet, "/api/search", q="le thi mai")
    second = api(wallet, "/api/search", q="le thi mai", page=2)
    assert first["total"] == second["total"] == MARY_MAI and first["pages"] == 2
    assert len(first["hits"]) == PAGE_SIZE and len(second["hits"]) == MARY_MAI - PAGE_SIZE
    seen = [h["record_id"] for h in first["hits"] + second["hits"]]
    assert len(set(seen)) == MARY_MAI
    page = wallet["backoffice"].get("/search", params={"q": "le thi mai"})
    assert 'rel="next" href="/search?q=le+thi+mai&amp;page=2"' in page.text
    assert "Trang 1/2" in page.text


def test_bad_search_input_is_explained_not_crashed(wallet) -> None:
    page = wallet["backoffice"].get("/search", params={"q": "mai", "issued_from": "31/02/2020"})
    assert page.status_code == 422 and "Ngày không hợp lệ" in page.text
    assert wallet["backoffice"].get("/search", params={"q": "mai", "issued_from": "2020-13-01"}).status_code == 422
    # a date typed as people write it is read, not refused
    typed = api(wallet, "/api/search", issued_from="31/12/2020")
    assert typed == api(wallet, "/api/search", issued_from="2020-12-31")
    assert typed["total"] < api(wallet, "/api/search")["total"]  # … and it filters
    too_deep = wallet["backoffice"].get("/api/search", params={"q": "mai", "page": 501})
    assert too_deep.status_code == 422 and "10.000 kết quả đầu tiên" in too_deep.json()["message"]
    assert wallet["backoffice"].get("/api/search", params={"per_page": 1000}).status_code == 422


# -- one paper -----------------------------------------------------------------------------------------------------


def test_document_page_shows_fields_full_ids_history_and_events(wallet) -> None:
    record = wallet["digitized"]
    store = wallet["app"].state.runtime.store
    # an officer approved it after review (whether the machine sent this sample to review depends on its OCR)
    corrected = record.model_copy(update={"review_state": ReviewState.APPROVED,
                                          "extraction_status": Status.NEEDS_REVIEW})
    save_record(store, corrected, reason="approved", actor="reviewer-hn-03")
    page = wallet["backoffice"].get(f"/documents/{record.record_id}")
    assert page.status_code == 200
    text = page.text
    assert record.owner_name in text
    for owner_id in record.owner_ids:
        assert owner_id in text  # whole on the paper's own page
    assert "Họ và tên" in text  # field labels
    # versions, newest first: when (Vietnam time, dd/mm/yyyy), why, who (display name, username as a tooltip), where
    when = r'<td class="nowrap">\d\d/\d\d/\d{4} \d\d:\d\d</td>'
    assert re.search(r'<td class="num">2</td>' + when + r'<td>duyệt</td><td><span title="reviewer-hn-03">reviewer-hn-03'
                     r'</span></td>', text)
    assert re.search(r'<td class="num">1</td>' + when + r'<td>số hóa</td><td><span title="minh">minh</span></td>'
                     r'<td class="nowrap">HN-03</td>', text)
    assert re.search(when + r'<td>số hóa</td><td><span title="minh">minh</span></td><td class="nowrap">HN-03</td>',
                     text)  # the audit event
    assert "Đã duyệt (sau kiểm tra)" in text  # where the paper stands in review, in one phrase
    assert f'href="/documents/{record.record_id}/original"' in text
    assert f'href="/documents/{record.record_id}/searchable.pdf"' in text  # the pipeline stored one


def test_document_history_tells_a_correction_in_words_and_folds_technical_details(wallet) -> None:
    record = wallet["digitized"]
    store = wallet["app"].state.runtime.store
    users = wallet["app"].state.auth.users
    if users.get("lan.hn03") is None:
        users.create("lan.hn03", PASSWORD, Role.OPERATOR, station="HN-03", display_name="Trần Thị Lan")
    record_event(store, AuditEvent(
        action="review_corrected", object_key=record.file_key, sha256=record.sha256, station="HN-03",
        operator="lan.hn03", details={"version": 7, "changes": {"ho_ten": {"old": None, "new": "Nguyễn Mỹ Uyên"},
                                                                 "ngay_sinh": {"old": "1987-06-05",
                                                                               "new": "1987-06-06"}},
                                      "issues": [], "summary": "ho_ten: ∅ → Nguyễn Mỹ Uyên"}))
    vi = wallet["backoffice"].get(f"/documents/{record.record_id}").text
    assert "sửa khi kiểm tra" in vi and "review_corrected" not in vi
    assert "Sửa Họ và tên: (trống) → Nguyễn Mỹ Uyên" in vi
    assert "Sửa Ngày sinh: 05/06/1987 → 06/06/1987" in vi  # dates as people write them
    assert '<span title="lan.hn03">Trần Thị Lan</span>' in vi
    assert re.search(r"<details class=\"technical\"><summary>Chi tiết kỹ thuật</summary>[^<]*<span[^>]*>[^<]*"
                     r"version: 7", vi)
    en = wallet["backoffice"].get(f"/documents/{record.record_id}", params={"lang": "en"}).text
    assert "corrected in review" in en and "Full name: (empty) → Nguyễn Mỹ Uyên" in en
    assert "Date of birth: 1987-06-05 → 1987-06-06" in en
    wallet["backoffice"].get("/search", params={"lang": "vi"})  # the shared client reads Vietnamese again


def test_document_page_shows_validation_messages(wallet) -> None:
    broken = wallet_record("bad-id", owner_name="Hồ Văn Tư", owner_ids=["123"],
                           fields={"so_dinh_danh": "123", "ho_ten": "Hồ Văn Tư"})
    fill(wallet["app"], [broken])
    text = wallet["backoffice"].get(f"/documents/{broken.record_id}").text
    assert re.search(r'<ul class="issues"><li>[^<]+</li>', text)


def test_unknown_or_malformed_paper_is_404(wallet) -> None:
    client = wallet["backoffice"]
    assert client.get(f"/documents/{sha('nobody')}").status_code == 404
    assert client.get("/documents/..%2Fsecret_key").status_code == 404
    assert client.get(f"/documents/{sha('nobody')}/original").status_code == 404


def test_original_from_the_local_store_is_streamed_byte_identical_inline(wallet) -> None:
    response = wallet["backoffice"].get(f"/documents/{wallet['digitized'].record_id}/original")
    assert response.status_code == 200
    assert response.content == wallet["paper"].data
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline;")
    assert "Gi%E1%BA%A5y%20khai%20sinh.pdf" in response.headers["content-disposition"]
    assert response.headers["cache-control"] == "no-store"


def test_a_searchable_pdf_is_linked_and_served_when_the_pipeline_stored_one(wallet) -> None:
    record = BY_NAME["duc-ks"]
    store = wallet["app"].state.runtime.store
    store.put(f"records/{record.record_id}/searchable.pdf", b"%PDF-1.7 searchable", content_type="application/pdf")
    assert f"/documents/{record.record_id}/searchable.pdf" in wallet["backoffice"].get(
        f"/documents/{record.record_id}").text
    served = wallet["backoffice"].get(f"/documents/{record.record_id}/searchable.pdf")
    assert served.status_code == 200 and served.content == b"%PDF-1.7 searchable"


def test_original_on_minio_is_a_presigned_redirect_that_expires_within_minutes(
        tmp_path: Path, seaweedfs: SeaweedFS) -> None:
    app = make_app(tmp_path, store="minio", minio_endpoint=seaweedfs.endpoint,
                   minio_access_key=seaweedfs.access_key, minio_secret_key=SecretStr(seaweedfs.secret_key),
                   minio_bucket=f"wallet-{uuid.uuid4().hex[:12]}")
    rt = app.state.runtime
    data = b"%PDF-1.4 original scan bytes"
    key = upload_original(rt.store, data, "Quyết định.pdf", "HN-01", "lan", "b1")
    record = wallet_record("minio-paper", file_key=key, file_name="Quyết định.pdf")
    fill(app, [record])
    response = signed_in(app, Role.ADMIN).get(f"/documents/{record.record_id}/original")
    assert response.status_code == 303
    url = response.headers["location"]
    expires = int(re.search(r"X-Amz-Expires=(\d+)", url).group(1))
    assert 0 < expires <= ORIGINAL_LINK_LIFETIME.total_seconds() <= 300
    with urllib.request.urlopen(url, timeout=10) as original:
        assert original.read() == data
        assert original.headers["Content-Type"] == "application/pdf"


# -- reuse check ---------------------------------------------------------------------------------------------------


def holdings(report: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [(paper["doc_type"], paper["holding"]) for paper in report["papers"]]


def test_reuse_a_valid_card_is_not_asked_again_and_a_second_card_is_not_held(wallet) -> None:
    report = api(wallet, "/api/reuse", procedure=MARRIAGE, citizen=DUC_ID)
    assert holdings(report) == [(None, "not_kept"), ("cccd", "valid"), ("cccd", "not_held"), (None, "not_kept")]
    valid = report["papers"][1]
    assert valid["reusable"] and not valid["citizen_brings"]
    assert valid["paper"]["record_id"] == BY_NAME["duc-cccd"].record_id and valid["paper"]["valid_until"] == str(FAR)
    assert report["summary"] == {"reusable": 1, "to_check": 0, "to_bring": 3}
    assert report["citizen"] == "0360******77"


@pytest.mark.parametrize(("citizen", "holding", "brings"), [
    (DUC_ID, "valid", False), (SON_ID, "unverified", False), (HA_ID, "expired", True),
    (LAN_ID, "cancelled", True), (NOBODY_ID, "not_held", True),
])
def test_reuse_every_branch_of_a_required_card(wallet, citizen: str, holding: str, brings: bool) -> None:
    card = api(wallet, "/api/reuse", procedure=BIRTH, citizen=citizen)["papers"][-1]
    assert (card["doc_type"], card["holding"], card["citizen_brings"]) == ("cccd", holding, brings)
    assert (card["paper"] is None) == (holding == "not_held")


def test_reuse_page_shows_every_paper_with_its_answer(wallet) -> None:
    page = wallet["backoffice"].get("/reuse", params={"procedure": BIRTH, "citizen": HA_ID})
    assert page.status_code == 200
    assert 'data-holding="expired"' in page.text and 'data-holding="not_kept"' in page.text
    assert "Đã có nhưng hết hiệu lực" in page.text
    assert f'href="/documents/{BY_NAME["ha"].record_id}"' in page.text
    in_english = signed_in(wallet["app"], Role.ADMIN)  # its own client: the language choice is a cookie
    english = in_english.get("/reuse", params={"procedure": BIRTH, "citizen": HA_ID, "lang": "en"})
    assert "Held but expired" in english.text


def test_reuse_unknown_procedure_is_a_clear_404_in_vietnamese(wallet) -> None:
    response = wallet["backoffice"].get("/api/reuse", params={"procedure": "9.999999", "citizen": DUC_ID})
    assert response.status_code == 404
    assert response.json() == {"error": "unknown_procedure",
                               "message": "Không có thủ tục mã “9.999999” trong danh mục thủ tục."}
    page = wallet["backoffice"].get("/reuse", params={"procedure": "9.999999", "citizen": DUC_ID})
    assert page.status_code == 404 and "Không có thủ tục mã “9.999999”" in page.text
    for bad in ({"procedure": BIRTH}, {"procedure": BIRTH, "citizen": "<b>x</b>"}, {"citizen": DUC_ID}):
        assert wallet["backoffice"].get("/api/reuse", params=bad).status_code == 422


def test_each_reuse_check_is_an_audit_event_without_the_plain_id(wallet) -> None:
    store = wallet["app"].state.runtime.store
    before = len([e for e in events(store) if e.action == "reuse_check"])
    api(wallet, "/api/reuse", procedure=MARRIAGE, citizen=DUC_ID)
    api(wallet, "/api/reuse", procedure=MARRIAGE, citizen=DUC_ID)
    checks: list[AuditEvent] = [e for e in events(store) if e.action == "reuse_check"][before:]
    assert len(checks) == 2
    event = checks[-1]
    assert event.operator == "backoffice-hn-01" and event.station == "HN-01"
    assert event.details["procedure"] == MARRIAGE
    assert (event.details["reusable"], event.details["to_check"], event.details["to_bring"]) == (1, 0, 3)
    assert event.details["citizen"] == "0360******77"
    assert checks[0].details["citizen_ref"] == event.details["citizen_ref"]  # one citizen, countable
    assert DUC_ID not in event.model_dump_json()
    assert hashlib.sha256(DUC_ID.encode()).hexdigest()[:24] != event.details["citizen_ref"]  # keyed, not a bare hash


# -- roles -----------------------------------------------------------------------------------------------------------

SOME_ID = sha("duc-cccd")
BACK_OFFICE = frozenset({Role.BACKOFFICE, Role.ADMIN})
ROUTES = [
    ("GET", "/search", BACK_OFFICE),
    ("GET", "/api/search?q=dang", BACK_OFFICE),
    ("GET", f"/documents/{SOME_ID}", BACK_OFFICE),
    ("GET", f"/documents/{SOME_ID}/original", BACK_OFFICE),
    ("GET", f"/documents/{SOME_ID}/searchable.pdf", BACK_OFFICE),
    ("GET", "/reuse", BACK_OFFICE),
    ("GET", f"/api/reuse?procedure={BIRTH}&citizen={DUC_ID}", BACK_OFFICE),
]


@pytest.fixture(scope="module")
def role_clients(tmp_path_factory: pytest.TempPathFactory) -> RoleClients:
    app = make_app(tmp_path_factory.mktemp("roles"))
    fill(app, RECORDS[:1])
    return RoleClients(app)


@pytest.mark.parametrize(("method", "path", "role", "allowed"), role_cases(ROUTES))
def test_only_back_office_and_admin_reach_the_wallet(role_clients, method, path, role, allowed) -> None:
    assert_role_access(role_clients, method, path, role, allowed)


def test_the_app_refuses_to_start_with_a_malformed_procedure_catalogue(tmp_path) -> None:
    catalogue = tmp_path / "procedures.json"
    catalogue.write_text('{"procedures": "none"}')
    with pytest.raises(CatalogueError) as raised:
        make_app(tmp_path / "app", procedure_catalogue=catalogue)
    assert str(catalogue) in str(raised.value)
