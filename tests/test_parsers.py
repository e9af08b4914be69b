"""Value parsers: the forms real papers and OCR produce, and the values that must be refused."""

from datetime import date

import pytest

from extractors.parsers import (
    clean_text,
    find_date,
    fold_aligned,
    parse_area,
    parse_date,
    parse_date_iso,
    parse_doc_number,
    parse_enterprise_code,
    parse_gender,
    parse_id_number,
    parse_int,
    parse_money,
    parse_name,
    parse_number_words,
    parse_validity,
)
from schemas.identity import enterprise_code_ok

# ------------------------------------------------------------------ dates

@pytest.mark.parametrize(
    "text, expected",
    [
        ("ngày 05 tháng 3 năm 2021", date(2021, 3, 5)),
        ("Ngày 5 tháng 03 năm 2021", date(2021, 3, 5)),
        ("NGÀY 05 THÁNG 3 NĂM 2021", date(2021, 3, 5)),
        ("05/03/2021", date(2021, 3, 5)),
        ("5/3/2021", date(2021, 3, 5)),
        ("5-3-2021", date(2021, 3, 5)),
        ("05.03.2021", date(2021, 3, 5)),
        ("05 / 03 / 2021", date(2021, 3, 5)),
        ("2021-03-05", date(2021, 3, 5)),
        ("ngày 05 thảng 3 nãm 2021", date(2021, 3, 5)),  # OCR tone damage
        ("ngày 05 tháng 3 năm2021", date(2021, 3, 5)),  # merged words
        ("ngày 19tháng 6 năm 2015", date(2015, 6, 19)),
        ("ngay 05 thang 3 nam 2021", date(2021, 3, 5)),  # tone marks lost
        ("Hà Nội, ngày L7 tháng 02 năm 2025", date(2025, 2, 17)),  # l read for 1
        ("ngày 1O tháng 1O năm 2O2O", date(2020, 10, 10)),  # O read for 0
        ("Ninh Bình, ngày 17 tháng 02 năm 2025", date(2025, 2, 17)),
        ("Sinh ngày: 29/02/2024 tại Hà Nội", date(2024, 2, 29)),
        ("Có giá trị đến: 12/08/2041", date(2041, 8, 12)),
    ],
)
def test_parse_date_reads_written_and_numeric_forms(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2021",  # no 31 February
        "29/02/2023",  # not a leap year
        "ngày 32 tháng 1 năm 2020",
        "ngày 79 tháng 22 năm 2025",  # what OCR made of "19 tháng 02"
        "05/13/2021",
        "01/01/1850",  # out of range for these papers
        "ngày … tháng … năm …",  # blank form
        "Số: 119/QĐ-UBND",
        "",
    ],
)
def test_parse_date_refuses_impossible_or_absent_dates(text):
    assert parse_date(text) is None


def test_parse_date_iso_gives_contract_string():
    assert parse_date_iso("ngày 5 tháng 3 năm 2021") == "2021-03-05"
    assert parse_date_iso("không rõ") is None


def test_find_date_returns_span_of_the_date_including_ngay():
    text = "Hà Nội, ngày 17 tháng 02 năm 2025"
    value, start, end = find_date(text)
    assert value == date(2025, 2, 17)
    assert text[start:end] == "ngày 17 tháng 02 năm 2025"


@pytest.mark.parametrize("text, expected, span", [
    ("Lệ Thủy, ngày 0l tháng 1 ] năm 2026", date(2026, 11, 1), "ngày 0l tháng 1 ] năm 2026"),  # italic 1 apart
    ("Đăng ký lần đầu: 28/06/201 I", date(2011, 6, 28), "28/06/201 I"),
    ("Thái Bình, ngày 11] tháng 05 năm 2019", date(2019, 5, 11), "ngày 11] tháng 05 năm 2019"),  # a speck
    ("Tam Kỳ, ngày 08 tháng 1] ] năm 2020", date(2020, 11, 8), "ngày 08 tháng 1] ] năm 2020"),
    ("Hồ Chí Minh, ngày 01 tháng 6:năm 2025", date(2025, 6, 1), "ngày 01 tháng 6:năm 2025"),  # a speck
])
def test_a_date_whose_digit_ocr_set_apart_or_doubled_is_read(text, expected, span):
    value, start, end = find_date(text)
    assert value == expected and text[start:end] == span


def test_repairs_are_tried_only_when_no_date_reads_as_printed():
    # Repaired, the first date would read 03/11/2020; a date that needs no repair is there, so it is taken.
    assert find_date("ngày 3 tháng 1 | năm 2020 hoặc 05/03/2021")[0] == date(2021, 3, 5)
    assert find_date("ngày 3 tháng 1 | năm 2020")[0] == date(2020, 11, 3)


def test_find_date_takes_the_first_valid_date():
    value, _, _ = find_date("ngày 31/02/2020, sửa lại ngày 01/03/2020 và 02/03/2020")
    assert value == date(2020, 3, 1)


def test_fold_aligned_keeps_positions():
    text = "Nguyễn Thị Hằng, Đà Nẵng"
    folded = fold_aligned(text)
    assert len(folded) == len(text)
    assert folded == "nguyen thi hang, da nang"


# ------------------------------------------------------------------ identity numbers

@pytest.mark.parametrize(
    "text, expected",
    [
        ("001090012345", "001090012345"),
        ("Số / No.: 001090012345", "001090012345"),
        ("0O1O90012345", "001090012345"),  # O read for 0
        ("00l09001234S", "001090012345"),  # l for 1, S for 5
        ("001 090 012 345", "001090012345"),
        ("CMND số: 012345678 cấp ngày 12/05/2010", "012345678"),
        ("Số định danh cá nhân: 036195001234.", "036195001234"),
    ],
)
def test_parse_id_number_reads_cccd_and_cmnd(text, expected):
    assert parse_id_number(text) == expected


@pytest.mark.parametrize("text", ["12345", "0010900123456", "không có", "01/01/2021", ""])
def test_parse_id_number_refuses_wrong_lengths(text):
    assert parse_id_number(text) is None


def test_parse_id_number_can_ask_for_cccd_only():
    assert parse_id_number("012345678", lengths=(12,)) is None


# ------------------------------------------------------------------ enterprise codes

@pytest.mark.parametrize("code", ["0100109106", "0301123125", "0101245486"])
def test_mst_check_digit_accepts_real_codes(code):
    assert enterprise_code_ok(code)


@pytest.mark.parametrize("code", ["0100109107", "0301123120", "010010910", "abcdefghij"])
def test_mst_check_digit_refuses_wrong_codes(code):
    assert not enterprise_code_ok(code)


def test_mst_check_digit_agrees_with_python_stdnum():
    mst = pytest.importorskip("stdnum.vn.mst")
    import random

    rng = random.Random(7)
    for _ in range(500):
        code = f"{rng.randrange(10**10):010d}"
        assert enterprise_code_ok(code) == mst.is_valid(code), code


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Mã số doanh nghiệp: 0100109106", "0100109106"),
        ("0100109106-001", "0100109106-001"),
        ("0100109106 - 012", "0100109106-012"),
        ("01001O9106", "0100109106"),
        ("0100 109106", "0100109106"),
    ],
)
def test_parse_enterprise_code(text, expected):
    assert parse_enterprise_code(text) == expected


def test_parse_enterprise_code_refuses_bad_check_digit_unless_asked():
    assert parse_enterprise_code("0100109107") is None
    assert parse_enterprise_code("0100109107", check=False) == "0100109107"


# ------------------------------------------------------------------ document numbers

@pytest.mark.parametrize(
    "text, expected",
    [
        ("Số: 123/2024/QĐ-UBND", "123/2024/QĐ-UBND"),
        ("Số: 119 /QĐ-UBND", "119/QĐ-UBND"),
        ("Số:119/QÐ-UBND", "119/QĐ-UBND"),  # Icelandic eth
        ("Sô: 311 /QĐ-UBND", "311/QĐ-UBND"),
        ("SỐ: 45 / QĐ - UBND", "45/QĐ-UBND"),
        ("Số: 631 /QĐ-UBND Thành phố Hồ Chí Minh, ngày 18", "631/QĐ-UBND"),
        ("Số: 122 /QĐÐ-TTPVHCC", "122/QĐ-TTPVHCC"),  # doubled Đ/Ð
        ("4626OQĐ-BNN-LN", "4626/QĐ-BNN-LN"),  # slash read as O
        ("Số: 441/QD-UBND", "441/QĐ-UBND"),
        ("Số: 125", "125"),
        ("125/2021", "125/2021"),
        ("57/TTr-STNMT", "57/TTr-STNMT"),
        ("Số: /QĐ-UBND", "/QĐ-UBND"),  # number left blank on a draft
    ],
)
def test_parse_doc_number(text, expected):
    assert parse_doc_number(text) == expected


@pytest.mark.parametrize("text", ["Số: Ninh Bình", "", "Quyết định", "Số: 27!1 /QĐ-UBND", "Số:1I§I /QĐĐ-UBND"])
def test_parse_doc_number_refuses_text_without_number(text):
    assert parse_doc_number(text) is None


# ------------------------------------------------------------------ money and area

@pytest.mark.parametrize(
    "text, expected",
    [
        ("1.500.000.000 đồng", 1_500_000_000),
        ("1.500.000.000 VNĐ", 1_500_000_000),
        ("1,500,000,000 đồng", 1_500_000_000),
        ("1 500 000 000 đồng", 1_500_000_000),
        ("1,5 tỷ đồng", 1_500_000_000),
        ("2 tỷ 500 triệu đồng", 2_500_000_000),
        ("500 triệu đồng", 500_000_000),
        ("10.000.000.000 đồng (Bằng chữ: Mười tỷ đồng)", 10_000_000_000),
        ("1,5 tỉ", 1_500_000_000),
        ("750.000 đồng", 750_000),
    ],
)
def test_parse_money(text, expected):
    assert parse_money(text) == expected


def test_parse_money_refuses_text_without_amount():
    assert parse_money("Bằng chữ: Một tỷ đồng") is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("120,5 m²", 120.5),
        ("120.5m2", 120.5),
        ("120 m2", 120.0),
        ("1.250,5 m2", 1250.5),
        ("1.250 m²", 1250.0),
        ("85,3 m2 (Tám mươi lăm phẩy ba mét vuông)", 85.3),
        ("Diện tích 200,0 mét vuông", 200.0),
        ("164,/7m2 (Bằng chữ: Một trăm sáu mươi tư phẩy bảy mét vuông)", 164.7),  # a speck after the comma
    ],
)
def test_parse_area(text, expected):
    assert parse_area(text) == pytest.approx(expected)


def test_parse_area_refuses_text_without_number():
    assert parse_area("mét vuông") is None


def test_an_area_whose_words_were_all_read_outweighs_a_misread_figure():
    assert parse_area("39,0m2 (Bằng chữ: Ba mươi chín phẩy chín mét vuông)") == pytest.approx(39.9)
    assert parse_area("39,0m2 (Ba mươi chín phẩy chín mét vuông)") == pytest.approx(39.9)


@pytest.mark.parametrize("text", [
    "39,9m2 (Bằng chữ: Ba mươi chín phẩy mét vuông)",  # the decimals were not read
    "39,9m2 (Bằng chữ: Ba mươi chíh phẩy chín mét vuông)",  # a word that is no number
    "39,9m2 (Bằng chữ: Ba mươi chín phẩy chín",  # cut before the unit: maybe not all of it
])
def test_an_area_in_words_not_fully_read_leaves_the_figure(text):
    assert parse_area(text) == pytest.approx(39.9)


@pytest.mark.parametrize("words, expected", [
    ("Ba mươi chín phẩy chín", "39.9"),
    ("một trăm linh năm", "105"),
    ("mười lăm", "15"),
    ("hai mươi mốt", "21"),
    ("một nghìn hai trăm ba mươi tư phẩy năm", "1234.5"),
    ("hai nghìn không trăm hai mươi mốt", "2021"),
    ("hai tỷ năm trăm triệu", "2500000000"),
    ("chín phẩy không năm", "9.05"),
    ("mười hai phẩy hai mươi lăm", "12.25"),
])
def test_numbers_written_in_words(words, expected):
    assert str(parse_number_words(words)) == expected


@pytest.mark.parametrize("words", ["hai ba", "ba mươi chín phẩy", "mét vuông", "", "trăm"])
def test_words_that_are_no_number_are_refused(words):
    assert parse_number_words(words) is None


# ------------------------------------------------------------------ gender, names, text, validity

@pytest.mark.parametrize(
    "text, expected",
    [("Nam", "Nam"), ("NAM", "Nam"), ("Nữ", "Nữ"), ("NỮ", "Nữ"), ("nu", "Nữ"), ("Nừ", "Nữ"),
     ("Male", "Nam"), ("Female", "Nữ"), ("Nữ / Female", "Nữ"), ("Giới tính: Nam", "Nam")],
)
def test_parse_gender(text, expected):
    assert parse_gender(text) == expected


@pytest.mark.parametrize("text", ["Kinh", "", "Việt Nam"])
def test_parse_gender_refuses_other_words(text):
    assert parse_gender(text) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("NGUYỄN THỊ  HẰNG", "Nguyễn Thị Hằng"),
        ("nguyễn văn an", "Nguyễn Văn An"),
        ("TRẦN VĂN BÌNH, sinh năm 1970", "Trần Văn Bình"),
        ("Ông NGUYỄN VĂN AN", "Nguyễn Văn An"),
        ("Bà: Lê Thị Thu", "Lê Thị Thu"),
        (": PHẠM MINH ĐỨC.", "Phạm Minh Đức"),
        ("ĐẶNG THU THẢO (đã ký)", "Đặng Thu Thảo"),
        ("NGUYỄN.KIM DIỆP", "Nguyễn Kim Diệp"),  # a speck read as a dot between two words
        ("; TRẦN HỮU LỰC", "Trần Hữu Lực"),  # the label's colon read as a semicolon
    ],
)
def test_parse_name(text, expected):
    assert parse_name(text) == expected


@pytest.mark.parametrize("text", ["", "123456", "....", ": ,"])
def test_parse_name_refuses_non_names(text):
    assert parse_name(text) is None


def test_clean_text_strips_label_punctuation_and_leaders():
    assert clean_text(" :  Thôn Đông,  xã Yên Phụ ") == "Thôn Đông, xã Yên Phụ"
    assert clean_text("Kinh ……") == "Kinh"
    assert clean_text(" : .... ") is None
    assert clean_text("ỦY BAN NHÂN DÂN ˆ TỈNH HÒA BÌNH") == "ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH"  # OCR speck
    assert clean_text("Số 5 - phố Huế") == "Số 5 - phố Huế"


def test_clean_text_parts_a_number_from_the_address_word_it_was_glued_to():
    assert clean_text("Số11, ngách 58/43, ngõ58, Ngọc Lâm") == "Số 11, ngách 58/43, ngõ 58, Ngọc Lâm"
    assert clean_text("SỐ11 phố Huế") == "SỐ 11 phố Huế"
    assert clean_text("Phường Hồ Số 5") == "Phường Hồ Số 5"


def test_clean_text_refuses_a_lone_letter():
    assert clean_text(" s") is None  # a speck beside a heading
    assert clean_text("5") == "5"


@pytest.mark.parametrize(
    "text, expected",
    [("Lâu dài", "Lâu dài"), ("LÂU DÀI", "Lâu dài"), ("lau dai", "Lâu dài"),
     ("đến ngày 15/10/2063", "2063-10-15"), ("Đến ngày 01 tháng 7 năm 2064", "2064-07-01")],
)
def test_parse_validity(text, expected):
    assert parse_validity(text) == expected


def test_parse_validity_refuses_other_text():
    assert parse_validity("theo quy định") is None


def test_parse_int_reads_parcel_numbers():
    assert parse_int("Thửa đất số: 1O5") == "105"
    assert parse_int(": 45,") == "45"
    assert parse_int("không") is None


@pytest.mark.parametrize(("text", "expected"), [
    ("Sốl8l /QĐ-UBND", "181/QĐ-UBND"),  # label glued to a number read with look-alike letters
    ("Số: 311. /QP-UBND", "311/QĐ-UBND"),  # a speck before the slash; Đ read as P
    ("Số: 27!1/QĐ-UBND", None),  # a "!" inside a number is a number OCR could not read
    ("Số: lO/2024/QĐ-UBND", None),  # look-alikes only, no real digit: not a number
])
def test_doc_number_with_misread_characters(text, expected):
    assert parse_doc_number(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Hà Đông, ngày 3] tháng 8 năm 2020", date(2020, 8, 31)),  # italic 1 read as a bracket
    ("Hà Nội, ngày 26 tháng 1] năm 2022", date(2022, 11, 26)),
    ("Hà Nội, ngày /9 tháng 02 năm 2025", date(2025, 2, 19)),  # italic 1 read as a slash before the day
    ("Bắc Kạn, ngày 7# tháng 02 năm 2025", None),  # an unreadable day is no date, not a guess
    ("ngày 19 tháng 22 năm 2025", None),  # month 22: 02 or 12, not for the parser to choose
])
def test_written_date_with_misread_digits(text, expected):
    assert parse_date(text) == expected
