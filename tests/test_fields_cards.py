"""Identity cards (cccd) as OCR reads them: bilingual labels with a damaged half, values that wrap, the two-column
row of gender and nationality, specks, and labels OCR spoilt beyond a match.

Documents come from ``tests.test_fields.doc_from_lines`` (10 px per character, 16 px per line; four spaces or more
are a column gap) or are built word by word where OCR's own line split matters.
"""

from __future__ import annotations

import pytest

from extractors import extract_fields
from extractors.fields import parse_address, parse_nationality
from pipeline.document import Block, Document, Line, Page, Word
from tests.test_fields import doc_from_lines, values

HEAD = ["CĂN CƯỚC CÔNG DÂN", "Số / No.: 001195012345", "Họ và tên / Full name: NGUYỄN THỊ HẰNG",
        "Ngày sinh / Date of birth: 12/03/1995"]


# ------------------------------------------------------------------ bilingual labels


def test_english_half_cut_off_at_a_gap_is_label_not_value():
    # OCR cut "Place of residence:" after "resi" and put the colon and the value in the next cell
    lines = HEAD + ["Nơi thường trú / Place of resi     : Số 85/10 đường Lý Bôn, Lê",
                    "Hồng Phong, Phường Trần Lãm, Thành phố Thái Bình, Thái Bình"]
    assert values(doc_from_lines(lines), "cccd")["noi_thuong_tru"] == \
        "Số 85/10 đường Lý Bôn, Lê Hồng Phong, Phường Trần Lãm, Thành phố Thái Bình, Thái Bình"


def test_english_half_alone_on_its_line_leaves_the_value_below():
    lines = HEAD + ["Quê quán / Place of ori", "Trâu Quỳ, Gia Lâm, Hà Nội", "Nơi thường trú / Place of residence:",
                    "Số 3 phố Huế, Hà Nội"]
    got = values(doc_from_lines(lines), "cccd")
    assert (got["que_quan"], got["noi_thuong_tru"]) == ("Trâu Quỳ, Gia Lâm, Hà Nội", "Số 3 phố Huế, Hà Nội")


@pytest.mark.parametrize(("line", "field", "expected"), [
    ("Quốc tịch / Nationaliyy: Việt Nam", "quoc_tich", "Việt Nam"),
    ("Nơi thường trú / Place of residenee: Xóm 7, Hoằng Đạo, Hoằng Hóa", "noi_thuong_tru",
     "Xóm 7, Hoằng Đạo, Hoằng Hóa"),
    ("Nơi thường trú / Plsce of rexidcnce: Xóm 7, Hoằng Đạo", "noi_thuong_tru", "Xóm 7, Hoằng Đạo"),
])
def test_misspelt_english_half_before_its_colon_is_not_taken_as_value(line, field, expected):
    assert values(doc_from_lines(HEAD + [line]), "cccd")[field] == expected


def test_a_value_right_after_an_english_half_without_colon_is_kept():
    # "Sex" with its colon lost: what follows the half is the value, not more of the label
    got = values(doc_from_lines(HEAD + ["Giới tính / Sex Nữ       Quốc tịch / Nationality: Việt Nam"]), "cccd")
    assert (got["gioi_tinh"], got["quoc_tich"]) == ("Nữ", "Việt Nam")


def test_stacked_halves_joined_by_a_misread_slash():
    lines = HEAD[:3] + ["Ngày, tháng, năm sinh ý Date of binh:", "28/09/1976"]
    assert values(doc_from_lines(lines), "cccd")["ngay_sinh"] == "1976-09-28"


# ------------------------------------------------------------------ wrapped values and split labels


def test_label_split_by_a_wide_ocr_gap_keeps_the_wrapped_value_and_the_field_above():
    # OCR boxed "thường" too narrow: a gap as wide as a column's in the middle of the label, the wrapped line
    # starting under the label's start, not under its second half
    lines = HEAD + ["Quê quán / Place of origin:", "Phường Mỹ An, Quận Ngũ Hành Sơn, Thành phố Đà Nẵng",
                    "Nơi thường     trú / Place of residence: Số 39, ngách 85/75, ngõ 85, Võ",
                    "Nguyên Giáp, Phường An Hải Bắc, Quận Sơn Trà, Đà Nẵng"]
    got = values(doc_from_lines(lines), "cccd")
    assert got["que_quan"] == "Phường Mỹ An, Quận Ngũ Hành Sơn, Thành phố Đà Nẵng"
    assert got["noi_thuong_tru"] == "Số 39, ngách 85/75, ngõ 85, Võ Nguyên Giáp, Phường An Hải Bắc, Quận Sơn Trà, Đà Nẵng"


def test_a_capitalised_cell_after_a_gap_is_still_a_column():
    lines = HEAD + ["Giới tính / Sex: Nam       Quốc tịch / Nationality: Việt Nam"]
    got = values(doc_from_lines(lines), "cccd")
    assert (got["gioi_tinh"], got["quoc_tich"]) == ("Nam", "Việt Nam")


def _words_doc(lines: list[list[tuple[str, int, int]]], height: int = 20) -> Document:
    """One OCR line per list of (text, x0, y0) words, each word 10 px per character wide."""
    blocks = [Block(lines=[Line(words=[Word(text=t, bbox=(x, y, x + 10 * len(t), y + height), confidence=0.95)
                                       for t, x, y in line])]) for line in lines]
    return Document(pages=[Page(number=1, width=1000, height=600, dpi=300, blocks=blocks)], engine="text")


def test_last_word_ocr_put_on_a_line_of_its_own_joins_the_value():
    # "Việt" and "Nam" came back as two OCR lines, a word space apart and a few pixels lower
    doc = _words_doc([
        [("Số", 100, 20), ("/", 130, 20), ("No.:", 150, 20), ("001195012345", 200, 20)],
        [("Giới", 100, 60), ("tính", 150, 60), ("/", 200, 60), ("Sex:", 220, 60), ("Nữ", 270, 60),
         ("Quốc", 400, 60), ("tịch", 450, 60), ("/", 500, 60), ("Nationality:", 520, 60), ("Việt", 650, 60)],
        [("Nam", 705, 66)],
    ])
    assert values(doc, "cccd")["quoc_tich"] == "Việt Nam"


# ------------------------------------------------------------------ nationality, gender, expiry when labels are spoilt


@pytest.mark.parametrize(("read", "expected"), [
    ("VIỆ", "Việt Nam"), ("Việt", "Việt Nam"), ("Việt Mam", "Việt Nam"), ("Viet Nam", "Việt Nam"),
    ("Lào", "Lào"), ("Nam", "Nam"),
])
def test_nationality_reads_as_the_known_one_it_starts(read, expected):
    assert parse_nationality(read) == expected


def test_nationality_after_a_spoilt_label():
    lines = HEAD + ["Giới tính / Sex: Nữ     Quó:    ch / Natonalny: Việt Nam"]
    assert values(doc_from_lines(lines), "cccd")["quoc_tich"] == "Việt Nam"


@pytest.mark.parametrize("line", ["Giớiúnh/Sex Nam", "Gioi tỉnh/ Sex Nam"])
def test_gender_after_what_ocr_left_of_its_label(line):
    assert values(doc_from_lines(HEAD + [line]), "cccd")["gioi_tinh"] == "Nam"


def test_expiry_date_under_a_label_too_damaged_to_match():
    lines = HEAD + ["Quê quán / Place of origin: Bút Sơn, Hoằng Hóa, Thanh Hóa", "Cứ giá mị đốn:", "Dan of cupiy",
                    "10/08/2027"]
    got = extract_fields(doc_from_lines(lines), "cccd")
    assert got["ngay_het_han"].value == "2027-08-10"
    assert got["ngay_het_han"].confidence < 0.8  # found by position: for an officer to confirm


def test_a_lone_date_under_another_fields_label_is_not_the_expiry():
    lines = ["CĂN CƯỚC", "Số định danh cá nhân / Personal identification number:", "036195001234",
             "Ngày, tháng, năm sinh / Date of birth:", "01/02/1995"]
    got = values(doc_from_lines(lines), "cccd")
    assert got["ngay_sinh"] == "1995-02-01" and "ngay_het_han" not in got


def test_a_birth_date_under_a_spoilt_label_is_not_the_expiry():
    # cards have carried a chip and an expiry since 2016: an older lone date is a birth date
    lines = ["CĂN CƯỚC", "Số định danh cá nhân / Personal identification number:", "036195001234",
             "Ng  th  nă s / Dat of bi:", "01/02/1995"]
    assert "ngay_het_han" not in values(doc_from_lines(lines), "cccd")


def test_a_date_after_a_label_cut_off_by_a_gap_is_not_a_lone_date():
    lines = HEAD + ["Ngày, tháng, năm / Date, month, year:      09/07/2022"]
    assert "ngay_het_han" not in values(doc_from_lines(lines), "cccd")


# ------------------------------------------------------------------ specks in addresses


@pytest.mark.parametrize(("read", "expected"), [
    ("Xóm 7, Xã Vĩnh Quỳnh, Huyện 'Thanh Trì, Thành phố Hà Nội", "Xóm 7, Xã Vĩnh Quỳnh, Huyện Thanh Trì, Thành phố Hà Nội"),
    ("Số 274/145 đường Trần Hưng. Đạo, Cẩm Thủy", "Số 274/145 đường Trần Hưng Đạo, Cẩm Thủy"),
    ("Số 5 đường Phong Định Cảng; Hưng Bình, Vinh", "Số 5 đường Phong Định Cảng, Hưng Bình, Vinh"),
    ("Số 38 đường Lê Lợi, Tp. Huế", "Số 38 đường Lê Lợi, Tp. Huế"),  # an abbreviation keeps its stop
])
def test_address_specks_are_dropped(read, expected):
    assert parse_address(read) == expected


def test_quote_speck_at_the_start_of_a_wrapped_line():
    lines = HEAD + ["Nơi thường trú / Place of residence: Tổ 15, Cẩm Trung, Cẩm Phả,", "'Quảng Ninh"]
    assert values(doc_from_lines(lines), "cccd")["noi_thuong_tru"] == "Tổ 15, Cẩm Trung, Cẩm Phả, Quảng Ninh"


@pytest.mark.parametrize("mark", ["ấg .", "lí"])
def test_a_mark_beside_the_residence_label_is_not_the_address_under_it(mark):
    # the back of a 2024 card: OCR reads the emblem beside the label as a letter or two, in the label's cell or its own
    for gap in (" ", "      "):
        lines = HEAD + [f"Nơi cư trú / Place of residence:{gap}{mark}",
                        "Số 179/65 đường Trần Hưng Đạo, Phường Nam Lý, Thành", "phố Đồng Hới, Tỉnh Quảng Bình"]
        assert values(doc_from_lines(lines), "cccd")["noi_thuong_tru"] == \
            "Số 179/65 đường Trần Hưng Đạo, Phường Nam Lý, Thành phố Đồng Hới, Tỉnh Quảng Bình"
