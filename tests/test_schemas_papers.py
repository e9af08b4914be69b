"""One typed model per document type: the contract's field names, each value checked on its own."""

from datetime import date

import pytest
from pydantic import ValidationError

from schemas.doc_types import DOC_TYPES
from schemas.papers import PAPER_MODELS, field_errors, field_kind, paper_from_values


@pytest.mark.parametrize("doc_type", sorted(DOC_TYPES))
def test_each_model_has_exactly_the_contract_fields(doc_type):
    assert tuple(PAPER_MODELS[doc_type].model_fields) == DOC_TYPES[doc_type].fields


def test_contract_strings_become_typed_values():
    paper = paper_from_values("gcn_qsdd", {"ngay_cap": "2023-12-21", "dien_tich": 56.0, "thoi_han_su_dung": "Lâu dài",
                                           "so_phat_hanh": "BT255184", "thua_dat_so": "1160"})
    assert paper.ngay_cap == date(2023, 12, 21) and paper.dien_tich == 56.0 and paper.thoi_han_su_dung == "Lâu dài"
    assert paper_from_values("gcn_qsdd", {"thoi_han_su_dung": "2063-10-15"}).thoi_han_su_dung == date(2063, 10, 15)


def test_a_date_that_is_not_on_the_calendar_is_refused():
    with pytest.raises(ValidationError):
        paper_from_values("khai_sinh", {"ngay_sinh": "2021-02-30"})
    assert "ngay_sinh" in field_errors("khai_sinh", {"ngay_sinh": "2021-02-30", "ho_ten": "Trần Đình Phát"})


def test_enterprise_code_needs_its_check_digit_and_a_real_branch_suffix():
    assert field_errors("dang_ky_doanh_nghiep", {"ma_so_doanh_nghiep": "0100109106"}) == {}
    assert field_errors("dang_ky_doanh_nghiep", {"ma_so_doanh_nghiep": "0100109106-001"}) == {}
    for bad in ("0100109107", "0100109106-000", "010010910", "0100109106-1"):
        assert "ma_so_doanh_nghiep" in field_errors("dang_ky_doanh_nghiep", {"ma_so_doanh_nghiep": bad}), bad


def test_numbers_money_and_names_have_their_shapes():
    errors = field_errors("quyet_dinh", {"so_ky_hieu": "14O1 QĐ", "nguoi_ky": "nguyễn văn a"})
    assert set(errors) == {"so_ky_hieu", "nguoi_ky"}
    assert field_errors("quyet_dinh", {"so_ky_hieu": "1401/2021/QĐ-UBND", "nguoi_ky": "Trần Trọng Đạt"}) == {}
    assert "von_dieu_le" in field_errors("dang_ky_doanh_nghiep", {"von_dieu_le": -5})
    assert field_errors("cccd", {"so_dinh_danh": "00107147046"}) == {"so_dinh_danh": "must be 12 digits"}
    assert field_errors("ket_hon", {"chong_so_dinh_danh": "123456789"}) == {}  # an old 9-digit CMND


def test_field_kinds_name_what_each_field_holds():
    assert field_kind("khai_sinh", "ngay_sinh") == "date"
    assert field_kind("ket_hon", "vo_ho_ten") == "name"
    assert field_kind("gcn_qsdd", "thoi_han_su_dung") == "land_term"
    assert field_kind("quyet_dinh", "so_ky_hieu") == "doc_number"
    assert field_kind("cccd", "nope") is None
