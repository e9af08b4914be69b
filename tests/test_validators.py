"""Validators catch papers whose own values disagree, and say so in Vietnamese with a stable code."""

from datetime import date

from schemas.identity import enterprise_code_ok, parse_cccd
from schemas.result import FieldValue, ValidationIssue
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


# ---------------------------------------------------------------- enterprise code, numbers, dates, confidence

def test_enterprise_code_rule_agrees_with_python_stdnum():
    import random

    from stdnum.vn import mst

    rng = random.Random(5)
    for _ in range(2000):
        code = f"{rng.randrange(10**10):010d}"
        assert enterprise_code_ok(code) == mst.is_valid(code), code


def test_enterprise_code_issues():
    assert _codes(_f(ma_so_doanh_nghiep="0100109106-001"), "dang_ky_doanh_nghiep") == []
    assert _codes(_f(ma_so_doanh_nghiep="0100109107"), "dang_ky_doanh_nghiep") == ["enterprise_code_check_digit"]
    assert _codes(_f(ma_so_doanh_nghiep="0100109106-000"), "dang_ky_doanh_nghiep") == ["enterprise_branch_suffix"]
    assert _codes(_f(ma_so_doanh_nghiep="01001091"), "dang_ky_doanh_nghiep") == ["enterprise_code_format"]


def test_decision_number_must_name_a_decision_of_its_year():
    ok = _f(so_ky_hieu="12/2024/QĐ-UBND", ngay_ban_hanh="2024-05-01")
    assert _codes(ok, "quyet_dinh") == []
    assert _codes(_f(so_ky_hieu="12/2023/QĐ-UBND", ngay_ban_hanh="2024-05-01"), "quyet_dinh") == [
        "doc_number_year_mismatch"]
    assert _codes(_f(so_ky_hieu="57/TTr-STNMT"), "quyet_dinh") == ["doc_number_not_decision"]
    assert _codes(_f(so_ky_hieu="57 TTr"), "quyet_dinh") == ["doc_number_format"]


def test_values_of_the_wrong_type_are_issues_with_vietnamese_messages():
    issues = validate("khai_sinh", _f(ngay_sinh="2021-02-30", gioi_tinh="X", so="3A"), TODAY)
    by_field = {i.field: i for i in issues}
    assert by_field["ngay_sinh"].code == "invalid_date" and "lịch" in by_field["ngay_sinh"].message
    assert by_field["gioi_tinh"].code == "gender_invalid"
    assert by_field["so"].code == "register_number_format"


def test_old_nine_digit_id_is_accepted_where_the_paper_allows_it():
    assert _codes(_f(chong_so_dinh_danh="123456789"), "ket_hon") == []
    assert _codes(_f(so_dinh_danh="123456789"), "cccd") == ["cccd_format"]


def test_land_term_ends_after_issue_and_spouses_are_of_age():
    assert _codes(_f(ngay_cap="2020-01-01", thoi_han_su_dung="2019-01-01"), "gcn_qsdd") == ["expiry_before_issue"]
    assert _codes(_f(ngay_cap="2020-01-01", thoi_han_su_dung="Lâu dài"), "gcn_qsdd") == []
    # he turned 20 on the day they registered; she was one day short of 18
    issues = validate("ket_hon", _f(ngay_dang_ky="2020-06-01", chong_ngay_sinh="2000-06-01",
                                    vo_ngay_sinh="2002-06-02"), TODAY)
    assert [(i.field, i.code) for i in issues] == [("vo_ngay_sinh", "below_marriage_age")]


def test_a_field_that_failed_a_check_is_no_longer_confident():
    from schemas.validators import FAILED_CONFIDENCE, apply_to_confidence

    fields = _f(so_dinh_danh="001095012345", ngay_sinh="1995-03-12", gioi_tinh="Nữ")
    capped = apply_to_confidence(fields, validate("cccd", fields, TODAY))
    assert capped["so_dinh_danh"].confidence == FAILED_CONFIDENCE
    assert capped["ngay_sinh"].confidence == 0.9


def test_a_womans_middle_name_beside_a_stated_male_gender_is_flagged_on_the_gender():
    issues = validate("khai_sinh", _f(ho_ten="Nguyễn Thị Hằng", gioi_tinh="Nam"), TODAY)
    assert [(i.field, i.code) for i in issues] == [("gioi_tinh", "name_gender_mismatch")]
    assert "Nguyễn Thị Hằng" in issues[0].message


def test_a_name_in_the_wrong_place_on_a_marriage_paper_is_flagged():
    fields = _f(chong_ho_ten="Lê Thị Mai", vo_ho_ten="Trần Văn Nam")
    assert sorted(i.field for i in validate("ket_hon", fields, TODAY) if i.code == "name_gender_mismatch") \
        == ["chong_ho_ten", "vo_ho_ten"]


def test_names_that_say_nothing_of_gender_pass():
    assert _codes(_f(ho_ten="Văn Minh Tú", gioi_tinh="Nữ"), "khai_sinh") == []  # Văn as family name
    assert _codes(_f(ho_ten_me="Nguyễn Văn Anh"), "khai_sinh") == ["name_gender_mismatch"]
    assert _codes(_f(ho_ten_me="Nguyễn Minh Anh", ho_ten_cha="Trần Thị"), "khai_sinh") == []


def test_every_check_has_an_english_message_for_english_pages():
    import inspect
    import re

    from schemas import validators

    source = inspect.getsource(validators)
    codes = set(re.findall(r'code="([a-z_]+)"', source))
    codes |= {code for code, _ in validators._KIND_ISSUES.values()} | {"invalid_value"}
    codes |= {code for _, _, code, _ in validators._DATE_ORDER}
    assert codes - set(validators.MESSAGES_EN) == set()
    issue = ValidationIssue(field="so_dinh_danh", code="cccd_province", message="Mã tỉnh 099 không tồn tại")
    assert validators.issue_message(issue, "vi") == issue.message  # the contract's own words on Vietnamese pages
    assert validators.issue_message(issue, "en") == "The identity number's province code does not exist"
