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


def test_blank_required_field_needs_review():
    assert decide_status("cccd", _fields(**{REQUIRED[0]: FieldValue(value="  ", confidence=0.99)}), [], 0.8) \
        is Status.NEEDS_REVIEW


def test_a_field_found_without_a_value_does_not_hold_the_paper_back():
    fields = _fields(quoc_tich=FieldValue(value=None, confidence=0.1), que_quan=FieldValue(value="", confidence=0.0))
    assert decide_status("cccd", fields, [], 0.8) is Status.AUTO_APPROVED


def test_one_doubtful_value_among_sure_ones_needs_review():
    fields = _fields(confidence=0.99, **{REQUIRED[-1]: FieldValue(value="x", confidence=0.79)})
    assert decide_status("cccd", fields, [], 0.8) is Status.NEEDS_REVIEW


def _birth_paper(place: str) -> dict[str, FieldValue]:
    from extractors.gazetteer import snap_fields

    sure = {name: FieldValue(value="x", confidence=0.97) for name in DOC_TYPES["khai_sinh"].required}
    sure.update(snap_fields("khai_sinh", {"noi_dang_ky": FieldValue(value=place, confidence=0.97)}))
    return sure


def test_a_place_snapped_from_one_real_unit_name_to_another_needs_review():
    # what the paper prints is a real ward name, and the one it would become is another: staff must look
    guessed = _birth_paper("Ủy ban nhân dân phường Tân Thạnh, thành phố Ninh Bình, tỉnh Ninh Bình")
    assert decide_status("khai_sinh", guessed, [], 0.8) is Status.NEEDS_REVIEW
    printed = _birth_paper("Ủy ban nhân dân phường Tân Thành, thành phố Ninh Bình, tỉnh Ninh Bình")
    assert printed["noi_dang_ky"].value == "Ủy ban nhân dân phường Tân Thành, thành phố Ninh Bình, tỉnh Ninh Bình"
    assert decide_status("khai_sinh", printed, [], 0.8) is Status.AUTO_APPROVED
