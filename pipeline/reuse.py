"""The reuse check, the point of the wallet: which papers a procedure requires that the state already holds.

A citizen applying for a procedure should not be asked again for a paper the state already issued and keeps
digitized (the "không yêu cầu nộp lại" principle behind the Kho). For each paper the procedure requires
(``schemas.procedures``), the wallet is asked for that citizen's papers of that type and the answer is one of:

- ``valid``: held and in force on the day of the check: reuse it, do not ask for it;
- ``unverified``: held, but its validity cannot be told (an expiry that was not read): check the original;
- ``expired`` / ``cancelled``: held but no longer in force (Decree 45/2020 Art.15 keeps them for lookup):
  the citizen brings a valid one;
- ``not_held``: the wallet keeps papers of this type but has none for this citizen: the citizen brings it;
- ``not_kept``: the wallet does not keep this kind of paper at all (an application form): the citizen brings it.

Validity is judged on the day of the check, not only as stored: a paper marked valid whose end date has passed
since the last ``revalidate`` run is expired. A digitization rejected in review is not a holding. One paper
answers one requirement, and so do its copies and re-issues (the same number): a procedure that needs two identity
cards (both spouses) is not satisfied twice by the applicant's card; the other party is checked under their own ID.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel

from pipeline.index.base import SearchIndex, SearchQuery
from schemas.procedures import ProcedureCatalogue, RequiredPaper
from schemas.result import Status
from schemas.wallet import ReviewState, Validity, WalletRecord

_PAGE = 100


class Holding(StrEnum):
    VALID = "valid"
    UNVERIFIED = "unverified"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    NOT_HELD = "not_held"
    NOT_KEPT = "not_kept"


_BY_VALIDITY = {
    Validity.VALID: Holding.VALID,
    Validity.UNKNOWN: Holding.UNVERIFIED,
    Validity.EXPIRED: Holding.EXPIRED,
    Validity.CANCELLED: Holding.CANCELLED,
}
# Which of a citizen's papers of one type answers a requirement: the one in force, then the one to check, …
_PREFERENCE = {Holding.VALID: 3, Holding.UNVERIFIED: 2, Holding.EXPIRED: 1, Holding.CANCELLED: 0}


class HeldPaper(BaseModel):
    """The wallet's copy of a paper, as the clerk needs it to reuse it."""

    record_id: str
    file_key: str
    doc_type: str
    owner_name: str | None
    doc_number: str | None
    issue_date: date | None
    issuing_agency: str | None
    valid_until: date | None
    permanent: bool
    validity: Validity  # on the day of the check
    confirmed: bool  # auto-approved or approved in review; otherwise its values still await a reviewer


class PaperCheck(BaseModel):
    name: str  # the paper as the procedure names it
    doc_type: str | None
    optional: bool
    holding: Holding
    paper: HeldPaper | None = None

    @property
    def reusable(self) -> bool:
        return self.holding is Holding.VALID

    @property
    def citizen_brings(self) -> bool:
        return self.holding not in (Holding.VALID, Holding.UNVERIFIED)


class ReuseReport(BaseModel):
    procedure_code: str
    procedure_name: str
    result_doc_type: str
    citizen_id: str
    checked_on: date
    papers: list[PaperCheck]

    @property
    def reusable(self) -> list[PaperCheck]:
        return [p for p in self.papers if p.reusable]

    @property
    def to_check(self) -> list[PaperCheck]:
        return [p for p in self.papers if p.holding is Holding.UNVERIFIED]

    @property
    def to_bring(self) -> list[PaperCheck]:
        return [p for p in self.papers if p.citizen_brings]


def validity_today(record: WalletRecord, today: date) -> Validity:
    """Validity on ``today``: "còn hiệu lực" = not cancelled and (permanent or expiry ≥ today) (Art.15).

    A paper marked cancelled or expired stays so (the mark records a decision); one marked valid or unknown is
    judged by its end date when it has one.
    """
    if record.validity in (Validity.CANCELLED, Validity.EXPIRED):
        return record.validity
    if record.permanent:
        return Validity.VALID
    if record.valid_until is not None:
        return Validity.VALID if record.valid_until >= today else Validity.EXPIRED
    return record.validity


def check_reuse(
    procedure_code: str, citizen_id: str, index: SearchIndex, catalogue: ProcedureCatalogue, today: date
) -> ReuseReport:
    """For each paper ``procedure_code`` requires, whether the state holds a valid one for ``citizen_id``.

    Raises ``UnknownProcedure`` for a code the catalogue does not have, ``ValueError`` for an empty citizen ID.
    """
    procedure = catalogue.get(procedure_code)
    citizen_id = citizen_id.strip()
    if not citizen_id:
        raise ValueError("a citizen identity number (or enterprise code) is needed for the reuse check")
    held: dict[str, list[WalletRecord]] = {}
    used: set[tuple[str, str]] = set()
    checks = []
    for required in procedure.required_papers:
        if required.doc_type is None:
            checks.append(_check(required, Holding.NOT_KEPT))
            continue
        if required.doc_type not in held:
            held[required.doc_type] = _holdings(index, citizen_id, required.doc_type)
        candidates = [(r, validity_today(r, today)) for r in held[required.doc_type] if _paper(r) not in used]
        if not candidates:
            checks.append(_check(required, Holding.NOT_HELD))
            continue
        record, validity = max(candidates, key=lambda c: _rank(*c))
        used.add(_paper(record))
        checks.append(_check(required, _BY_VALIDITY[validity], _held(record, validity)))
    return ReuseReport(
        procedure_code=procedure.code,
        procedure_name=procedure.name,
        result_doc_type=procedure.result_doc_type,
        citizen_id=citizen_id,
        checked_on=today,
        papers=checks,
    )


def _holdings(index: SearchIndex, citizen_id: str, doc_type: str) -> list[WalletRecord]:
    """Every paper of ``doc_type`` that concerns ``citizen_id``, less digitizations rejected in review."""
    found: list[WalletRecord] = []
    while True:
        page = index.search(SearchQuery(owner_id=citizen_id, doc_type=doc_type, limit=_PAGE, offset=len(found)))
        found.extend(hit.record for hit in page.hits)
        if not page.hits or len(found) >= page.total:
            break
    return [r for r in found
            if r.review_state is not ReviewState.REJECTED and r.extraction_status is not Status.REJECTED]


def _paper(record: WalletRecord) -> tuple[str, str]:
    """The paper a record is a copy of: re-issues and copies of one card or certificate keep its number."""
    return (record.doc_type, record.doc_number) if record.doc_number else ("", record.record_id)


def _confirmed(record: WalletRecord) -> bool:
    return record.review_state is ReviewState.APPROVED or (
        record.extraction_status is Status.AUTO_APPROVED and record.review_state is ReviewState.PENDING)


def _rank(record: WalletRecord, validity: Validity) -> tuple[int, bool, date, float]:
    """In force first, then confirmed, then the latest issued, then the latest digitized."""
    return (_PREFERENCE[_BY_VALIDITY[validity]], _confirmed(record), record.issue_date or date.min,
            record.digitized_at.timestamp())


def _held(record: WalletRecord, validity: Validity) -> HeldPaper:
    return HeldPaper(
        record_id=record.record_id,
        file_key=record.file_key,
        doc_type=record.doc_type,
        owner_name=record.owner_name,
        doc_number=record.doc_number,
        issue_date=record.issue_date,
        issuing_agency=record.issuing_agency,
        valid_until=record.valid_until,
        permanent=record.permanent,
        validity=validity,
        confirmed=_confirmed(record),
    )


def _check(required: RequiredPaper, holding: Holding, paper: HeldPaper | None = None) -> PaperCheck:
    return PaperCheck(name=required.name, doc_type=required.doc_type, optional=required.optional, holding=holding,
                      paper=paper)
