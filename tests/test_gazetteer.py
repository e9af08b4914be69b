"""Gazetteer snapping: units, agencies and nationalities in their official spelling, from offline tables."""

import subprocess
import sys

from extractors.gazetteer import snap_fields, snap_nationality, snap_place
from schemas.result import FieldValue


def test_a_district_is_snapped_inside_its_province():
    snap = snap_place("Phường Khâm Thiên, Quận Đồng Đa, Thành phố Hà Nội")
    assert snap.value == "Phường Khâm Thiên, Quận Đống Đa, Thành phố Hà Nội"
    assert snap.snapped == 1 and snap.unknown == 0 and snap.quality < 1.0


def test_kind_words_and_agency_names_in_capitals():
    assert snap_place("SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG TÍNH THANH HÓA", address=False).value == \
        "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG TỈNH THANH HÓA"
    assert snap_place("ỦY BAN NHÂN DẪN THÀNH PHÔ ĐÔNG HỚI", address=False).value == \
        "ỦY BAN NHÂN DÂN THÀNH PHỐ ĐỒNG HỚI"
    assert snap_place("SỞ KẾ HOẠCH VÀ ĐẦU TƯ “THÀNH PHỐ HẢI PHÒNG PHÒNG ĐĂNG KÝ KINH DOANH", address=False).value \
        == "SỞ KẾ HOẠCH VÀ ĐẦU TƯ THÀNH PHỐ HẢI PHÒNG PHÒNG ĐĂNG KÝ KINH DOANH"


def test_spelling_as_printed_is_kept():
    for printed in ("UỶ BAN NHÂN DÂN TỈNH ĐẮK LẮK", "Ủy ban nhân dân phường 9, quận 3, thành phố Hồ Chí Minh",
                    "Kim Mã, Ba Đình, Hà Nội"):
        snap = snap_place(printed, address="BAN" not in printed)
        assert (snap.value, snap.quality) == (printed, 1.0)


def test_merged_words_and_short_addresses():
    assert snap_place("Bệnh viện Sản Nhi Nghệ An, Tỉnh NghệAn").value == "Bệnh viện Sản Nhi Nghệ An, Tỉnh Nghệ An"
    assert snap_place("Đống Ngàn, Từ Sơn, Bắc Ninh").value == "Đông Ngàn, Từ Sơn, Bắc Ninh"


def test_an_address_cut_short_or_misread_is_doubted():
    assert snap_place("Ủy ban nhân dân phường 9, thành phố Đà Lạt, tỉnh Lâm").quality <= 0.7
    assert snap_place("Số 5, Phường 4, Quận Tân Bình, Thành phố Hồ Chí").quality <= 0.7
    assert snap_place("Ủy ban nhân dân 0P ng Hà Cầu, quận Hà Đông, thành phố Hà Nội").quality <= 0.7


def test_nationality():
    assert snap_nationality("Vi Nam")[0] == "Việt Nam"
    assert snap_nationality("Nationality, Việt Nam")[0] == "Việt Nam"
    assert snap_nationality("Việt Nam") == ("Việt Nam", 1.0)


def test_snap_fields_lowers_confidence_only_where_a_snap_was_needed():
    fields = {"ho_ten": FieldValue(value="Nguyên Thị Thắm", confidence=0.9),
              "quoc_tich": FieldValue(value="Việt Nam", confidence=0.9),
              "que_quan": FieldValue(value="Phường Khâm Thiên, Quận Đống Đa, Thành phố Hà Nội", confidence=0.9),
              "ngay_sinh": FieldValue(value="1990-01-01", confidence=0.9)}
    out = snap_fields("cccd", fields)
    assert out["ho_ten"].value == "Nguyễn Thị Thắm" and out["ho_ten"].confidence < 0.9
    assert all(out[k] == fields[k] for k in ("quoc_tich", "que_quan", "ngay_sinh"))


def test_tables_load_from_the_shipped_file_without_vietnamadminunits_or_unidecode():
    # The package (and the GPL-licensed Unidecode it pulls in) is only needed to rebuild the table.
    code = ("import sys\n"
            "class Block:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name.split('.')[0] in {'vietnamadminunits', 'unidecode', 'geopy'}:\n"
            "            raise ImportError(name)\n"
            "sys.meta_path.insert(0, Block())\n"
            "from extractors.gazetteer import gazetteer, snap_place\n"
            "g = gazetteer()\n"
            "assert len(g.provinces) >= 63, len(g.provinces)\n"
            "assert snap_place('Phường Khâm Thiên, Quận Đồng Đa, Thành phố Hà Nội').value.endswith("
            "'Quận Đống Đa, Thành phố Hà Nội')\n"
            "print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert out.stdout.strip() == "ok", out.stderr


def test_ocr_commas_and_specks_between_units():
    assert snap_place("Số 74 đường Điện Biên Phủ, Phường Khuê Mỹ, Quận Ngũ Hành Sơn; Thành phố Đà Nẵng").value == \
        "Số 74 đường Điện Biên Phủ, Phường Khuê Mỹ, Quận Ngũ Hành Sơn, Thành phố Đà Nẵng"
    snap = snap_place("SỞ KẾ HOẠCH VÀ ĐẦU TƯ Ì THANH PHO CAN THƠ PHÒNG ĐĂNG KÝ KINH DOANH", address=False)
    assert snap.value == "SỞ KẾ HOẠCH VÀ ĐẦU TƯ THÀNH PHỐ CẦN THƠ PHÒNG ĐĂNG KÝ KINH DOANH" and snap.quality < 0.8


def test_what_stands_where_the_ward_should_must_be_a_ward_or_a_street():
    assert snap_place("hường 10, Gò Vấp, Hồ Chí Minh").quality <= 0.7  # "Phường" lost its first letter
    assert snap_place("Phường 10, Gò Vấp, Hồ Chí Minh").quality == 1.0
    assert snap_place("Tổ 34, Nhật Tân, Tây Hồ, Hà Nội").quality == 1.0


def test_enterprise_kind_and_business_words():
    from extractors.gazetteer import snap_enterprise_name

    assert snap_enterprise_name("CÔNG TY CÔ PHẦN GIÁO DỤC SAO MAI")[0] == "CÔNG TY CỔ PHẦN GIÁO DỤC SAO MAI"
    value, quality = snap_enterprise_name("CÔNG TY TNHH MỘT THÀNH VIÊN THỤC PHẨM ĐÔNG DƯƠNG")
    assert value == "CÔNG TY TNHH MỘT THÀNH VIÊN THỰC PHẨM ĐÔNG DƯƠNG" and 0.8 < quality < 1.0
    assert snap_enterprise_name("CÔNG TY CỔ PHẦN CÔNG NGHỆ THIÊN ÂN") == ("CÔNG TY CỔ PHẦN CÔNG NGHỆ THIÊN ÂN", 1.0)


def test_a_speck_read_as_a_dot_after_a_street_word_is_dropped_and_counted():
    read = snap_place("Số 16/110 đường. Trường Chinh, Lộc Hạ, Nam Định, Nam Định")
    assert read.value == "Số 16/110 đường Trường Chinh, Lộc Hạ, Nam Định, Nam Định"
    assert read.quality < snap_place("Số 16/110 đường Trường Chinh, Lộc Hạ, Nam Định, Nam Định").quality


def test_a_unit_printed_as_it_is_named_is_kept_over_a_namesake_elsewhere():
    # "thành phố Ninh Bình" is not in the tables (merged into Hoa Lư in 2025): the ward is looked up in the whole
    # province, where a commune "Tân Thanh" and a ward "Tân Thành" share the letters; the printed one stands.
    printed = "Ủy ban nhân dân phường Tân Thành, thành phố Ninh Bình, tỉnh Ninh Bình"
    snap = snap_place(printed)
    assert (snap.value, snap.snapped, snap.quality) == (printed, 0, 1.0)


def test_a_snap_that_trades_one_real_name_for_another_is_doubted():
    # "Tân Thạnh" is a real ward name (in the south); here it would become "Tân Thành" or "Tân Thanh": a guess
    snap = snap_place("Ủy ban nhân dân phường Tân Thạnh, thành phố Ninh Bình, tỉnh Ninh Bình")
    assert snap.snapped == 1 and snap.quality <= 0.7
    # letters that fit two names in the province, neither printed: a guess as well
    assert snap_place("Ủy ban nhân dân phường Tan Thanh, thành phố Ninh Bình, tỉnh Ninh Bình").quality <= 0.7


def test_a_repair_of_a_misread_stays_trusted():
    # "Đồng Đa" names no district anywhere: putting "Đống Đa" is a repair, not a guess
    snap = snap_place("Phường Khâm Thiên, Quận Đồng Đa, Thành phố Hà Nội")
    assert 0.9 <= snap.quality < 1.0


def test_fixed_wording_holds_agencies_kinds_nationalities_and_provinces():
    from extractors.gazetteer import fixed_wording

    wording = set(fixed_wording())
    assert {"Ủy ban nhân dân", "Thành phố", "Thị trấn", "Công ty cổ phần", "Việt Nam", "Hà Nội", "Cần Thơ",
            "Quảng Bình"} <= wording
    assert "Tân Thành" not in wording  # a ward's name is checked by snapping, in its district, not vouched for


def test_a_real_name_printed_is_kept_where_the_tables_hold_only_a_near_one():
    # "An Dương" is a ward of Hải Phòng (in its 2025 list), not one of the wards of the old district "An Dương",
    # where the near name is "An Đồng": the paper is kept as printed, not made to name another ward, and doubted
    snap = snap_place("Tổ 5, An Dương, An Dương, Hải Phòng")
    assert snap.value == "Tổ 5, An Dương, An Dương, Hải Phòng" and snap.quality <= 0.7


def test_a_street_named_like_a_ward_stays_a_street():
    # Hải Phòng has a ward Trần Nguyên Hãn; here it is the street, and the ward is printed after it
    text = ("Số 258, ngõ 144, phố Trần Nguyên Hãn, Phường Dư Hàng Kênh, Quận Lê Chân, Thành phố Hải Phòng, "
            "Việt Nam")
    snap = snap_place(text)
    assert snap.value == text and snap.snapped == 0


def test_names_are_snapped_with_the_gender_the_paper_gives_and_stay_doubtful():
    read = {"vo_ho_ten": FieldValue(value="Nguyễn Minh Hiến", confidence=0.9),
            "chong_ho_ten": FieldValue(value="Lê Minh Hiến", confidence=0.9)}
    snapped = snap_fields("ket_hon", read)
    # "Hiến" is no name; the wife is Hiền, the husband Hiển — each a guess, so each goes to review
    assert snapped["vo_ho_ten"].value == "Nguyễn Minh Hiền" and snapped["chong_ho_ten"].value == "Lê Minh Hiển"
    assert all(fv.confidence < 0.8 for fv in snapped.values())
