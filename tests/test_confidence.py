"""A value's OCR confidence: one doubtful word is not averaged away in free text (punctuation and closed-list
wording aside), a name is as sure as its least sure syllable, numbers and dates are their words on average."""

from __future__ import annotations

from extractors import extract_fields
from extractors.confidence import RESTORED_FAMILY_NAME, RIVAL_NAME_CONFIDENCE, value_confidence
from extractors.lines import Seg, build_view
from pipeline.document import Block, Document, Line, Page, Word


def _document(*lines: list[tuple[str, float]]) -> Document:
    """One page holding ``lines`` of (word, confidence), words 10 px per character apart by one space."""
    blocks = []
    for row, words in enumerate(lines):
        x, placed = 40, []
        for text, confidence in words:
            placed.append(Word(text=text, bbox=(x, 40 + 30 * row, x + 10 * len(text), 56 + 30 * row),
                               confidence=confidence))
            x += 10 * (len(text) + 1)
        blocks.append(Block(lines=[Line(words=placed)]))
    return Document(pages=[Page(number=1, width=1200, height=800, dpi=150, blocks=blocks)], engine="test")


def _seg(*words: tuple[str, float]) -> Seg:
    (seg,) = build_view(_document(list(words))).segs
    return seg


def _confidence(seg: Seg, rule: str = "text") -> float:
    return value_confidence([(seg, 0, len(seg.text))], rule)


def test_one_doubtful_word_is_not_hidden_by_the_sure_words_around_it():
    seg = _seg(("CÔNG", 0.96), ("TY", 0.95), ("TNHH", 0.95), ("THỰC", 0.95), ("PHẨM", 0.96), ("TIỀN", 0.69),
               ("ĐẠT", 0.96))
    assert _confidence(seg) == 0.69
    assert 0.9 < _confidence(seg, "number") < 0.95  # what the length-weighted mean made of it


def test_words_read_as_sure_are_averaged_in_text_but_not_in_names():
    seg = _seg(("Trần", 0.97), ("Thị", 0.96), ("Thùy", 0.86), ("Dung", 0.97))
    assert _confidence(seg) == _confidence(seg, "number") > 0.9  # no word is doubtful: their mean
    assert _confidence(seg, "name") == 0.86  # which of two valid names a person bears, nothing else checks


def test_lone_punctuation_at_an_edge_or_joining_words_does_not_count():
    seg = _seg((",", 0.0), ("Bệnh", 0.95), ("viện", 0.94), ("Phụ", 0.93), ("sản", 0.95), ("-", 0.0), ("Nhi", 0.92),
               ("Đà", 0.95), ("Nẵng", 0.95), (".", 0.0))
    assert _confidence(seg, "name") == 0.92
    assert _confidence(seg) > 0.9 and _confidence(seg, "number") > 0.9


def test_a_lone_mark_between_two_words_stands_where_a_word_was_lost():
    seg = _seg(("CÔNG", 0.96), ("TY", 0.97), ("CỔ", 0.93), ("PHẦN", 0.93), ("XUẤT", 0.96), (".", 0.0),
               ("KHẨU", 0.96))
    assert _confidence(seg) == 0.0


def test_closed_list_wording_vouches_for_its_words_in_text_but_not_in_names():
    seg = _seg(("ỦY", 0.95), ("BAN", 0.94), ("NHÂN", 0.95), ("DÂN", 0.95), ("THÀNH", 0.94), ("PHỐ", 0.5),
               ("HẠ", 0.95), ("LONG", 0.94))
    assert _confidence(seg) > 0.85  # "THÀNH PHỐ" is a kind of unit, spelt as it is printed
    assert _confidence(seg, "name") == 0.5
    # a word only vouched for inside its phrase: "PHỐ" alone (a street) stays doubtful
    street = _seg(("phố", 0.5), ("Lê", 0.95), ("Thánh", 0.95), ("Tôn", 0.95))
    assert _confidence(street) == 0.5
    # nor a single word, which too many valid syllables spell: "PHƯỜNG" may be "PHƯƠNG" misread
    enterprise = _seg(("CÔNG", 0.96), ("TY", 0.97), ("CỔ", 0.93), ("PHẦN", 0.93), ("PHƯỜNG", 0.5), ("ĐÔNG", 0.97))
    assert _confidence(enterprise) == 0.5
    # nor when it is misspelt: the list vouches for its own spelling only ("THANH PHỐ" is not "THÀNH PHỐ")
    misread = _seg(("THANH", 0.6), ("PHỐ", 0.95), ("HẠ", 0.95), ("LONG", 0.94))
    assert _confidence(misread) == 0.6


def test_specks_at_a_word_edge_do_not_hide_closed_list_wording():
    seg = _seg(("SỞ", 0.95), ("KẾ", 0.95), ("HOẠCH", 0.95), ("VÀ", 0.95), ("ĐẦU", 0.95), ("TƯ.", 0.42),
               ("“THÀNH", 0.65), ("PHỐ", 0.5), ("HÀ", 0.95), ("NỘI", 0.95))
    # every doubtful word is vouched for: the mean of its words
    assert _confidence(seg) == _confidence(seg, "number") > 0.75


def test_a_value_without_letters_or_digits_has_no_confidence():
    seg = _seg(("-", 0.0), (".", 0.3))
    assert _confidence(seg) == _confidence(seg, "name") == _confidence(seg, "number") == 0.0


def test_part_of_a_line_counts_only_the_words_inside_the_value():
    seg = _seg(("Họ", 0.4), ("tên:", 0.4), ("Nguyễn", 0.95), ("Văn", 0.93), ("An", 0.97))
    start = seg.text.index("Nguyễn")
    assert value_confidence([(seg, start, len(seg.text))], "name") == 0.93


def test_an_enterprise_name_with_one_doubtful_word_goes_below_the_review_threshold():
    def name_confidence(doubtful: float) -> float:
        doc = _document([("Tên", 0.97), ("công", 0.96), ("ty", 0.96), ("viết", 0.96), ("bằng", 0.96),
                         ("tiếng", 0.96), ("Việt:", 0.97), ("CÔNG", 0.97), ("TY", 0.93), ("TNHH", 0.92),
                         ("THỰC", 0.93), ("PHẨM", 0.97), ("TIỀN", doubtful), ("ĐẠT", 0.96)])
        found = extract_fields(doc, "dang_ky_doanh_nghiep")["ten_doanh_nghiep"]
        assert found.value == "CÔNG TY TNHH THỰC PHẨM TIỀN ĐẠT"
        return found.confidence

    assert name_confidence(0.69) < 0.8
    assert name_confidence(0.95) >= 0.8


def _seg_with_alternatives(*words: tuple[str, float, list[tuple[str, float]]]) -> Seg:
    document = _document([(text, confidence) for text, confidence, _ in words])
    line = document.pages[0].blocks[0].lines[0]
    line.words = [w.model_copy(update={"alternatives": alt}) for w, (_, _, alt) in zip(line.words, words, strict=True)]
    (seg,) = build_view(document).segs
    return seg


def test_a_name_syllable_the_recogniser_also_read_as_another_name_is_doubtful():
    # "LÝ" read at 0.95 with "LY" (also a given name) as a close second: which one she bears is not for OCR to say
    rival = _seg_with_alternatives(("NGUYỄN", 0.96, []), ("MỸ", 0.95, []), ("THANH", 0.96, []),
                                   ("LÝ", 0.95, [("LY", 0.31)]))
    assert _confidence(rival, "name") == RIVAL_NAME_CONFIDENCE
    # a weak second opinion, or one that is no name for its place (Nguyên is no family name), changes nothing
    weak = _seg_with_alternatives(("NGUYỄN", 0.96, [("NGUYÊN", 1.0)]), ("MỸ", 0.95, []), ("LÝ", 0.95, [("LY", 0.1)]))
    assert _confidence(weak, "name") == 0.95


def test_a_family_name_whose_marks_follow_from_its_letters_is_not_a_guess():
    # the correction put NGUYÊN (no family name) right as NGUYỄN, the only family name spelt so, and capped it at 0.5
    restored = _seg_with_alternatives(("NGUYỄN", 0.5, [("NGUYÊN", 1.0)]), ("LAN", 0.96, []), ("VÂN", 0.96, []))
    assert _confidence(restored, "name") == RESTORED_FAMILY_NAME
    # letters that spell two family names (Hà, Hạ) leave the choice open: the cap stands
    open_choice = _seg_with_alternatives(("HẠ", 0.5, [("HA", 1.0)]), ("LAN", 0.96, []), ("VÂN", 0.96, []))
    assert _confidence(open_choice, "name") == 0.5
    # only the first syllable is a family name
    later = _seg_with_alternatives(("LÊ", 0.96, []), ("NGUYỄN", 0.5, [("NGUYÊN", 1.0)]), ("VÂN", 0.96, []))
    assert _confidence(later, "name") == 0.5


def test_a_province_vouches_for_its_kind_word_read_unsure():
    agency = _seg(("SỞ", 0.97), ("TÀI", 0.97), ("NGUYÊN", 0.96), ("VÀ", 0.93), ("MÔI", 0.93), ("TRƯỜNG", 0.96),
                  ("TỈNH", 0.79), ("KHÁNH", 0.97), ("HÒA", 0.96))
    assert _confidence(agency) > 0.9  # "Tỉnh Khánh Hòa" is printed from the list of provinces
    misread = _seg(("SỞ", 0.97), ("TÀI", 0.97), ("NGUYÊN", 0.96), ("VÀ", 0.93), ("MÔI", 0.93), ("TRƯỜNG", 0.96),
                   ("TĨNH", 0.63), ("KHÁNH", 0.97), ("HÒA", 0.96))
    assert _confidence(misread) == 0.63  # a kind word not spelt as the list is no part of it
