"""Name syllables: a tone mark OCR lost comes back when exactly one name syllable fits; valid ones never change."""

import pytest

from extractors.names import NameSnap, snap_name, snap_syllable


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


def test_ambiguous_syllables_are_left_as_read_and_lower_the_quality():
    snap = snap_name("Lê Hoàng Tuần")  # Tuấn? Tuân? both are names
    assert snap.value == "Lê Hoàng Tuần" and snap.unknown == 1
    assert snap.quality < snap_name("Lê Hoàng Tuấn").quality == 1.0


def test_quality_orders_the_kinds_of_doubt():
    clean = snap_name("Nguyễn Thị Hằng").quality
    restored = snap_name("Nguyen Thị Hằng").quality  # marks only added
    changed = snap_name("Võ Phương Hỏng").quality  # a mark replaced
    unknown = snap_name("Lê Hoàng Tuần").quality
    assert clean == 1.0 > restored > changed > unknown
    assert snap_name("Ng").quality <= 0.5  # one syllable is not a full name


def test_result_reports_counts():
    assert snap_name("Le Tuyet Thanh Xuan") == NameSnap("Lê Tuyết Thanh Xuân", snapped=3, unknown=0, syllables=4,
                                                        restored=3)


def test_an_uncommon_name_one_mark_from_a_common_one_is_doubted():
    snap = snap_name("Phan Tiền Minh Khánh")  # far more often a misread Tiến than a real Tiền
    assert snap.value == "Phan Tiền Minh Khánh" and snap.quality < 0.8
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
