"""The wallet record: one digitized paper in the document wallet (Kho metadata, Circular 01/2023 Art.24).

It is stored as JSON in the object store (the system of record) and is what the search index holds.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from schemas.result import Status


class Validity(StrEnum):
    VALID = "valid"          # còn hiệu lực
    EXPIRED = "expired"      # hết hiệu lực
    CANCELLED = "cancelled"  # đã hủy
    UNKNOWN = "unknown"      # not a result, or validity cannot be told


class ReviewState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class WalletRecord(BaseModel):
    record_id: str = Field(description="sha256 of the original file: one record per distinct paper")
    doc_type: str
    doc_type_confidence: float = 0.0
    file_key: str = Field(description="object key of the original scan")
    file_name: str
    sha256: str
    pages: int
    # Kho metadata
    owner_name: str | None = None
    owner_ids: list[str] = Field(default_factory=list, description="identity numbers of the people concerned")
    doc_number: str | None = None
    issue_date: date | None = None
    issuing_agency: str | None = None
    signer: str | None = None
    summary: str | None = None
    valid_until: date | None = None
    permanent: bool = False
    validity: Validity = Validity.UNKNOWN
    extraction_status: Status
    review_state: ReviewState = ReviewState.PENDING
    # traceability: who digitized it, where, when
    station: str
    operator: str
    digitized_at: datetime
    pipeline_version: str
    fields: dict[str, Any] = Field(default_factory=dict, description="extracted field values by contract name")
    text: str = ""
