"""Validators catch papers whose own values disagree, and say so in Vietnamese with a stable code."""

from datetime import date

from schemas.identity import enterprise_code_ok, parse_cccd
from schemas.result import FieldValue
from schemas.validators import validate

TODAY = date(2026, 11, 26)


def _f(**values):
    return {k: FieldValue(value=v, confidence=0.9) for k, v in values.items()}


def _codes(fields, doc_type="cccd"):
    return sorted(i.code for i in validate(doc_type, fields, TODAY))


def test_consistent_cccd_passes():
    # 001 Hà Nội, 1 = 1900s female, 95 = 1995
    assert _codes(_f(so_dinh_danh="001195012345", ngay_sinh="1995-03-12", gioi_tinh="Nữ")) == []


def test_gender_digit_disagreeing_with_stated_gender_is_flagged():
    issues = validate("cccd", _f(so_dinh_danh="001095012345", ngay_sinh="1995-03-12", gioi_tinh="Nữ"), TODAY)
    assert [i.code for i in issues] == ["cccd_gender_mismatch"]
    assert issues[0].field == "so_dinh_danh" and "giới tính" in issues[0].message


def test_birth_year_digits_disagreeing_with_birth_date_are_flagged():
    assert _codes(_f(so_dinh_danh="001196012345", ngay_sinh="1995-03-12")) == ["cccd_birth_year_mismatch"]


def test_century_digit_counts_for_the_birth_year():
    # 2 = 2000s male: 2005, not 1905
    assert _codes(_f(so_dinh_danh="001205012345", ngay_sinh="2005-01-01", gioi_tinh="Nam")) == []
    assert parse_cccd("001205012345").birth_year == 2005


def test_unknown_province_and_bad_format_are_flagged():
    assert _codes(_f(so_dinh_danh="003195012345")) == ["cccd_province"]
    assert _codes(_f(so_dinh_danh="00119501234")) == ["cccd_format"]


def test_spouse_ids_are_checked_against_their_roles():
    fields = _f(chong_so_dinh_danh="001190000001", chong_ngay_sinh="1990-05-05",
                vo_so_dinh_danh="001192000002", vo_ngay_sinh="1992-06-06")
    # the husband's number has a female digit
    assert _codes(fields, "ket_hon") == ["cccd_gender_mismatch"]


def test_dates_in_the_future_and_out_of_order_are_flagged():
    assert _codes(_f(ngay_sinh="2027-01-01"), "khai_sinh") == ["date_in_future"]
    assert _codes(_f(ngay_sinh="2020-05-01", ngay_dang_ky="2020-04-01"), "khai_sinh") == ["birth_after_registration"]
    assert _codes(_f(ngay_ban_hanh="2024-05-01", hieu_luc_den="2024-04-01"), "quyet_dinh") == ["expiry_before_issue"]


def test_enterprise_code_check_digit():
    assert enterprise_code_ok("0100109106")  # a real, published enterprise code
    assert enterprise_code_ok("0100109106-001")
    assert not enterprise_code_ok("0100109107")
    assert not enterprise_code_ok("01001091")
