"""The output of processing one file: the `sohoa extract --json` contract (DESIGN.md §3)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from pipeline.document import BBox


class Status(StrEnum):
    AUTO_APPROVED = "auto_approved"
    NEEDS_REVIEW = "needs_review"
    REJECTED = "rejected"


class FieldValue(BaseModel):
    value: Any = None
    confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    page: int | None = None
    bbox: BBox | None = None


class ValidationIssue(BaseModel):
    field: str | None = None
    code: str
    message: str


class ExtractionResult(BaseModel):
    file: str
    pages: int
    doc_type: str
    doc_type_confidence: float = Field(ge=0.0, le=1.0)
    fields: dict[str, FieldValue] = Field(default_factory=dict)
    validation: list[ValidationIssue] = Field(default_factory=list)
    status: Status
    text: str

    def contract_json(self) -> dict:
        """The exact JSON shape of DESIGN.md §3."""
        return self.model_dump(mode="json")
