"""Name syllables: a tone mark OCR lost comes back when exactly one name syllable fits; valid ones never change."""

import pytest

from extractors.names import GUESSED, NameSnap, name_gender, snap_name, snap_syllable


@pytest.mark.parametrize("read, fixed", [
    ("Nguyên Thị Hằng", "Nguyễn Thị Hằng"),  # Nguyên is a given name, not a family name
    ("Pham Duc Thang", "Phạm Đức Thắng"),
    ("Pham Bảo Tú", "Phạm Bảo Tú"),
    ("Le The Duy", "Lê Thế Duy"),
    ("Võ Phương Hỏng", "Võ Phương Hồng"),  # one name syllable folds to "hong"
    ("NGUYÊN THẾ QUẦN", "NGUYỄN THẾ QUÂN"),  # capitals stay capitals
])
def test_lost_or_misread_marks_are_restored(read, fixed):
    assert snap_name(read).value == fixed


def test_a_valid_name_syllable_is_never_changed():
    assert snap_name("Trần Nguyên Hạnh").value == "Trần Nguyên Hạnh"  # Nguyên as a given name
    assert snap_name("Lê Thị Tiên").value == "Lê Thị Tiên"  # Tiến is a name too: both stay as read
    assert snap_syllable("Thị") is None
    assert snap_name("Nguyễn Thị Hoà").value == "Nguyễn Thị Hoà"  # old tone placement is the same syllable


def test_the_reading_ocr_most_often_makes_wins_and_sends_the_name_to_review():
    snap = snap_name("Lê Hoàng Tuần")  # Tuấn (acute read as grave) or Tuân (no tone to lose): Tuấn
    assert snap.value == "Lê Hoàng Tuấn" and snap.guessed == 1
    assert snap.quality <= GUESSED < snap_name("Lê Hoàng Tuấn").quality == 1.0
    assert snap.doubtful and not snap_name("Lê Hoàng Tuấn").doubtful  # worth a second reading


def test_readings_that_fit_equally_well_are_left_as_read_and_doubted():
    snap = snap_name("Lê Thị Thuy")  # Thúy, Thùy, Thủy: each only adds a tone
    assert snap.value == "Lê Thị Thuy" and snap.unknown == 1 and snap.quality < 0.8


def test_a_middle_name_does_not_end_a_name():
    snap = snap_name("Nguyễn Thị Văn")  # Văn is a middle name: the given name is Vân misread
    assert snap.value == "Nguyễn Thị Vân" and snap.quality <= GUESSED
    assert snap_name("Nguyễn Văn Vân").value == "Nguyễn Văn Vân"  # as a middle name Văn stays
    assert snap_name("Văn Thị Hằng").value == "Văn Thị Hằng"  # and as a family name


def test_the_persons_gender_breaks_a_tie():
    assert snap_name("Nguyễn Thị Hien").value == "Nguyễn Thị Hiền"  # Thị: a woman
    assert snap_name("Nguyễn Văn Hien").value == "Nguyễn Văn Hiển"  # Văn: a man
    assert snap_name("Nguyễn Minh Hien", gender="Nữ").value == "Nguyễn Minh Hiền"  # the paper says whose
    assert snap_name("Trần Mạnh Hiến").value == "Trần Mạnh Hiển"  # Mạnh: a man's middle name
    snap = snap_name("Nguyễn Minh Hien")
    assert snap.value == "Nguyễn Minh Hien" and snap.unknown == 1
    assert name_gender(["Trần", "Thị", "Mai"]) == "Nữ" and name_gender(["Văn", "Minh", "Tú"]) is None


def test_quality_orders_the_kinds_of_doubt():
    clean = snap_name("Nguyễn Thị Hằng").quality
    restored = snap_name("Nguyen Thị Hằng").quality  # marks only added
    changed = snap_name("Võ Phương Hỏng").quality  # a mark replaced
    guessed = snap_name("Lê Hoàng Tuần").quality  # one of several readings taken
    unknown = snap_name("Lê Thị Thuy").quality  # none taken
    assert clean == 1.0 > restored > changed > guessed > unknown
    assert snap_name("Ng").quality <= 0.5  # one syllable is not a full name


def test_result_reports_counts():
    assert snap_name("Le Tuyet Thanh Xuan") == NameSnap("Lê Tuyết Thanh Xuân", snapped=3, unknown=0, syllables=4,
                                                        restored=3)


def test_an_uncommon_name_one_mark_from_a_common_one_is_doubted():
    snap = snap_name("Phan Tiền Minh Khánh")  # far more often a misread Tiến than a real Tiền
    assert snap.value == "Phan Tiến Minh Khánh" and snap.quality < 0.8
    assert snap_name("Nguyễn Thi Hằng").value == "Nguyễn Thị Hằng"


def test_two_readings_of_one_vowel_become_the_name_syllable_that_fits():
    snap = snap_name("Nguyếễn Bảo Ánh")
    assert snap.value == "Nguyễn Bảo Ánh" and snap.quality < 1.0
    assert snap_name("Nguyễn Ngọqc Huyền").value == "Nguyễn Ngọqc Huyền"  # not a doubled vowel: left, doubted


def test_two_readings_that_each_hold_part_of_the_marks_are_joined():
    # The circumflex in one reading, the tone in the other: the name syllable whose marks all come from them.
    assert snap_name("Nguyếẽn Hồng Lụa").value == "Nguyễn Hồng Lụa"
    assert snap_name("NGUYẼÊN QUỲNH LAN").value == "NGUYỄN QUỲNH LAN"
    assert snap_name("Lê Thị Hoaà").value == "Lê Thị Hoaà"  # Hoa and Hòa both fit: left, doubted
