"""The reuse check tells the clerk, paper by paper, what the state already holds for a citizen and what the
citizen must still bring: held and valid, held but expired or cancelled, held with unknown validity, not held,
or a kind of paper the wallet does not keep. Runs on the embedded index with records as the pipeline writes them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from pipeline.errors import UnknownProcedure
from pipeline.index import SearchQuery, SearchResults
from pipeline.index.embedded import EmbeddedIndex
from pipeline.reuse import Holding, ReuseReport, check_reuse, validity_today
from schemas.procedures import Procedure, ProcedureCatalogue, RequiredPaper
from schemas.result import Status
from schemas.wallet import ReviewState, Validity
from tests.test_index_contract import record

TODAY = date(2025, 6, 1)
LAN = "001190012345"  # has a birth certificate, a valid card, a cancelled decision
MINH = "001085054321"  # has only expired cards
HOA = "079190011111"  # her card's expiry was not read; her birth certificate was rejected in review

BIRTH = "Giấy khai sinh"
CARD = "Căn cước"
DECISION = "Quyết định hưởng trợ cấp"
LAND = "Giấy chứng nhận quyền sử dụng đất"
FORM = "Tờ khai"

CATALOGUE = ProcedureCatalogue(procedures=(
    Procedure(code="1.001776", name="Thực hiện trợ cấp xã hội hằng tháng", sector="Bảo trợ xã hội",
              result_doc_type="quyet_dinh", required_papers=(
                  RequiredPaper(name=FORM),
                  RequiredPaper(name=BIRTH, doc_type="khai_sinh"),
                  RequiredPaper(name=CARD, doc_type="cccd"),
                  RequiredPaper(name=DECISION, doc_type="quyet_dinh"),
                  RequiredPaper(name=LAND, doc_type="gcn_qsdd", optional=True),
              )),
    Procedure(code="1.000894", name="Đăng ký kết hôn", sector="Hộ tịch", result_doc_type="ket_hon",
              required_papers=(
                  RequiredPaper(name="Căn cước của bên nam", doc_type="cccd"),
                  RequiredPaper(name="Căn cước của bên nữ", doc_type="cccd"),
              )),
))

RECORDS = [
    record("lan-birth", doc_type="khai_sinh", owner_name="Trần Thị Lan", owner_ids=[LAN], doc_number="12/2019",
           issue_date=date(1990, 2, 3), issuing_agency="UBND phường Hàng Bạc", permanent=True,
           validity=Validity.VALID),
    record("lan-card-old", doc_type="cccd", owner_name="Trần Thị Lan", owner_ids=[LAN], doc_number=LAN,
           valid_until=date(2021, 2, 3), validity=Validity.EXPIRED, digitized_at=datetime(2024, 1, 1)),
    record("lan-card", doc_type="cccd", owner_name="Trần Thị Lan", owner_ids=[LAN], doc_number=LAN,
           issue_date=date(2021, 2, 4), valid_until=date(2030, 2, 3), validity=Validity.VALID),
    record("lan-decision", doc_type="quyet_dinh", owner_name="Trần Thị Lan", owner_ids=[LAN],
           doc_number="441/QĐ-UBND", issue_date=date(2023, 9, 15), validity=Validity.CANCELLED),
    # Marked valid when digitized; its end date has passed since, and no revalidate run has marked it yet.
    record("minh-card", doc_type="cccd", owner_name="Lê Văn Minh", owner_ids=[MINH], doc_number=MINH,
           issue_date=date(2015, 5, 1), valid_until=date(2025, 5, 31), validity=Validity.VALID),
    record("hoa-card", doc_type="cccd", owner_name="Phạm Thị Hoa", owner_ids=[HOA], doc_number=HOA,
           validity=Validity.UNKNOWN, extraction_status=Status.NEEDS_REVIEW),
    record("hoa-birth", doc_type="khai_sinh", owner_name="Phạm Thị Hoa", owner_ids=[HOA], permanent=True,
           validity=Validity.VALID, review_state=ReviewState.REJECTED),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedIndex:
    idx = EmbeddedIndex(tmp_path_factory.mktemp("index"))
    idx.upsert(RECORDS)
    return idx


def check(index: EmbeddedIndex, citizen: str, code: str = "1.001776", today: date = TODAY) -> ReuseReport:
    return check_reuse(code, citizen, index, CATALOGUE, today)


def by_name(report: ReuseReport) -> dict[str, tuple[Holding, str | None]]:
    return {p.name: (p.holding, p.paper.record_id if p.paper else None) for p in report.papers}


def test_a_held_valid_paper_is_reused_with_its_number_and_validity(index: EmbeddedIndex) -> None:
    report = check(index, LAN)
    (birth,) = [p for p in report.papers if p.name == BIRTH]
    assert birth.holding is Holding.VALID and birth.reusable and not birth.citizen_brings
    assert birth.paper is not None
    assert (birth.paper.record_id, birth.paper.doc_number, birth.paper.issue_date) == (
        "lan-birth", "12/2019", date(1990, 2, 3))
    assert birth.paper.permanent and birth.paper.validity is Validity.VALID and birth.paper.confirmed
    assert birth.paper.file_key == "originals/lan-birth.pdf"  # the clerk can open the scan


def test_the_paper_in_force_answers_before_an_older_expired_one(index: EmbeddedIndex) -> None:
    assert by_name(check(index, LAN))[CARD] == (Holding.VALID, "lan-card")


def test_a_cancelled_paper_is_held_but_the_citizen_brings_a_valid_one(index: EmbeddedIndex) -> None:
    (decision,) = [p for p in check(index, LAN).papers if p.name == DECISION]
    assert decision.holding is Holding.CANCELLED and decision.citizen_brings
    assert decision.paper is not None and decision.paper.doc_number == "441/QĐ-UBND"


def test_a_paper_past_its_end_date_is_expired_on_the_day_of_the_check(index: EmbeddedIndex) -> None:
    assert by_name(check(index, MINH))[CARD] == (Holding.EXPIRED, "minh-card")
    assert by_name(check(index, MINH, today=date(2025, 5, 31)))[CARD] == (Holding.VALID, "minh-card")  # last day


def test_an_expired_card_is_still_shown_when_it_is_all_the_wallet_has(index: EmbeddedIndex) -> None:
    (card,) = [p for p in check(index, MINH).papers if p.name == CARD]
    assert card.citizen_brings and card.paper is not None and card.paper.valid_until == date(2025, 5, 31)


def test_a_paper_the_wallet_does_not_hold_for_this_citizen_must_be_brought(index: EmbeddedIndex) -> None:
    report = check(index, LAN)
    assert by_name(report)[LAND] == (Holding.NOT_HELD, None)
    assert by_name(check(index, MINH))[BIRTH] == (Holding.NOT_HELD, None)  # Lan's birth certificate is not his
    (land,) = [p for p in report.papers if p.name == LAND]
    assert land.optional and land.citizen_brings


def test_a_kind_of_paper_the_wallet_never_keeps_must_be_brought(index: EmbeddedIndex) -> None:
    class NoSearch:
        def search(self, query: SearchQuery) -> SearchResults:
            raise AssertionError(f"searched for {query.doc_type}")

    only_form = ProcedureCatalogue(procedures=(Procedure(
        code="2.000001", name="Thủ tục chỉ cần tờ khai", sector="Thử", result_doc_type="quyet_dinh",
        required_papers=(RequiredPaper(name=FORM),)),))
    report = check_reuse("2.000001", LAN, NoSearch(), only_form, TODAY)  # type: ignore[arg-type]
    (form,) = report.papers
    assert (form.holding, form.doc_type, form.paper, form.citizen_brings) == (Holding.NOT_KEPT, None, None, True)
    assert by_name(check(index, LAN))[FORM] == (Holding.NOT_KEPT, None)


def test_a_paper_whose_validity_cannot_be_told_is_to_be_checked(index: EmbeddedIndex) -> None:
    report = check(index, HOA)
    (card,) = [p for p in report.papers if p.name == CARD]
    assert card.holding is Holding.UNVERIFIED and not card.reusable and not card.citizen_brings
    assert card.paper is not None and not card.paper.confirmed  # awaiting review
    assert report.to_check == [card]


def test_a_digitization_rejected_in_review_is_not_a_holding(index: EmbeddedIndex) -> None:
    assert by_name(check(index, HOA))[BIRTH] == (Holding.NOT_HELD, None)


def test_one_paper_answers_one_requirement(index: EmbeddedIndex) -> None:
    # Marriage needs both spouses' cards: Lan's card answers one; her old card (same number) is not the other.
    assert list(by_name(check(index, LAN, "1.000894")).values()) == [(Holding.VALID, "lan-card"),
                                                                     (Holding.NOT_HELD, None)]
    assert list(by_name(check(index, MINH, "1.000894")).values()) == [(Holding.EXPIRED, "minh-card"),
                                                                      (Holding.NOT_HELD, None)]


def test_two_different_papers_of_one_type_answer_two_requirements(tmp_path: Path) -> None:
    idx = EmbeddedIndex(tmp_path)
    idx.upsert([record(f"d{n}", doc_type="quyet_dinh", owner_ids=[LAN], doc_number=f"{n}/QĐ-UBND",
                       issue_date=date(2020 + n, 1, 1), permanent=True, validity=Validity.VALID) for n in (1, 2)])
    two = ProcedureCatalogue(procedures=(Procedure(
        code="2.000002", name="Cần hai quyết định", sector="Thử", result_doc_type="quyet_dinh",
        required_papers=(RequiredPaper(name="A", doc_type="quyet_dinh"), RequiredPaper(name="B", doc_type="quyet_dinh"))),))
    report = check_reuse("2.000002", LAN, idx, two, TODAY)
    assert [(p.holding, p.paper.record_id if p.paper else None) for p in report.papers] == [
        (Holding.VALID, "d2"), (Holding.VALID, "d1")]  # the latest first


def test_the_report_names_the_procedure_and_sorts_what_to_do(index: EmbeddedIndex) -> None:
    report = check(index, f" {LAN} ")
    assert (report.procedure_code, report.procedure_name, report.result_doc_type) == (
        "1.001776", "Thực hiện trợ cấp xã hội hằng tháng", "quyet_dinh")
    assert (report.citizen_id, report.checked_on) == (LAN, TODAY)
    assert [p.name for p in report.papers] == [FORM, BIRTH, CARD, DECISION, LAND]  # the procedure's order
    assert [p.name for p in report.reusable] == [BIRTH, CARD]
    assert [p.name for p in report.to_bring] == [FORM, DECISION, LAND]


def test_an_unknown_procedure_is_a_clear_error(index: EmbeddedIndex) -> None:
    with pytest.raises(UnknownProcedure, match="9.999999"):
        check(index, LAN, "9.999999")


def test_a_citizen_id_is_required(index: EmbeddedIndex) -> None:
    with pytest.raises(ValueError, match="identity number"):
        check(index, "  ")


def test_validity_today_follows_the_marks_and_the_end_date() -> None:
    card = RECORDS[2]
    assert validity_today(card, date(2030, 2, 3)) is Validity.VALID
    assert validity_today(card, date(2030, 2, 4)) is Validity.EXPIRED
    assert validity_today(card.model_copy(update={"validity": Validity.CANCELLED}), TODAY) is Validity.CANCELLED
    assert validity_today(RECORDS[0], date(2100, 1, 1)) is Validity.VALID  # permanent
    assert validity_today(RECORDS[5], TODAY) is Validity.UNKNOWN


# -- the command --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    data = tmp_path_factory.mktemp("data")
    EmbeddedIndex(data / "index").upsert(RECORDS)
    catalogue = data / "procedures.json"
    catalogue.write_text(CATALOGUE.model_dump_json(), encoding="utf-8")
    return {**os.environ, "SOHOA_DATA_DIR": str(data), "SOHOA_INDEX": "embedded", "COLUMNS": "250",
            "SOHOA_LANG": "vi", "CATALOGUE": str(catalogue)}


def sohoa(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, env=env,
                          timeout=120, check=False, cwd=Path(__file__).resolve().parents[1])


def test_cli_answers_in_vietnamese_by_default(cli_env: dict[str, str]) -> None:
    done = sohoa(cli_env, "reuse", "--procedure", "1.001776", "--citizen", LAN, "--catalogue", cli_env["CATALOGUE"])
    assert done.returncode == 0, done.stderr
    assert "Đã có, còn hiệu lực — không yêu cầu nộp lại" in done.stdout
    assert "Đã có nhưng đã bị hủy" in done.stdout and "Kho không lưu loại giấy tờ này" in done.stdout
    assert "12/2019" in done.stdout and "Lâu dài" in done.stdout
    assert "Không cần nộp lại: 2 · Cần kiểm tra: 0 · Công dân cần nộp: 3" in done.stdout


def test_cli_answers_in_english_and_as_json(cli_env: dict[str, str]) -> None:
    done = sohoa(cli_env, "--lang", "en", "reuse", "--procedure", "1.001776", "--citizen", MINH,
                 "--catalogue", cli_env["CATALOGUE"])
    assert done.returncode == 0, done.stderr
    assert "Held but expired — the citizen brings a valid one" in done.stdout
    assert "Reused: 0 · To check: 0 · The citizen brings: 5" in done.stdout
    as_json = sohoa(cli_env, "reuse", "--procedure", "1.001776", "--citizen", LAN, "--json",
                    "--catalogue", cli_env["CATALOGUE"])
    report = json.loads(as_json.stdout)
    assert [p["holding"] for p in report["papers"]] == ["not_kept", "valid", "valid", "cancelled", "not_held"]


def test_cli_unknown_procedure_exits_2_with_the_reason(cli_env: dict[str, str]) -> None:
    done = sohoa(cli_env, "reuse", "--procedure", "9.999999", "--citizen", LAN, "--lang", "en",
                 "--catalogue", cli_env["CATALOGUE"])
    assert done.returncode == 2
    assert "No procedure with code 9.999999 in the catalogue" in done.stderr
