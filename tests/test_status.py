"""A paper is auto-approved only when nothing about it is in doubt."""

from pipeline.process import decide_status
from schemas.doc_types import DOC_TYPES
from schemas.result import FieldValue, Status, ValidationIssue

REQUIRED = DOC_TYPES["cccd"].required


def _fields(confidence=0.95, **overrides):
    fields = {name: FieldValue(value="x", confidence=confidence) for name in REQUIRED}
    fields.update(overrides)
    return fields


def test_all_required_confident_and_valid_is_auto_approved():
    assert decide_status("cccd", _fields(), [], 0.8) is Status.AUTO_APPROVED


def test_missing_required_field_needs_review():
    fields = _fields()
    del fields[REQUIRED[0]]
    assert decide_status("cccd", fields, [], 0.8) is Status.NEEDS_REVIEW


def test_low_confidence_optional_field_needs_review():
    fields = _fields(quoc_tich=FieldValue(value="Vi Nam", confidence=0.62))
    assert decide_status("cccd", fields, [], 0.8) is Status.NEEDS_REVIEW


def test_validation_failure_needs_review():
    issue = ValidationIssue(field="so_dinh_danh", code="cccd_gender_mismatch", message="…")
    assert decide_status("cccd", _fields(), [issue], 0.8) is Status.NEEDS_REVIEW


def test_unknown_type_is_rejected():
    assert decide_status("unknown", {}, [], 0.8) is Status.REJECTED


def test_threshold_is_configurable():
    assert decide_status("cccd", _fields(confidence=0.7), [], 0.6) is Status.AUTO_APPROVED
    assert decide_status("cccd", _fields(confidence=0.7), [], 0.8) is Status.NEEDS_REVIEW
