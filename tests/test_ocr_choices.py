"""The recogniser's alternatives: parsed from Tesseract's hOCR choices, mark variants only, on the Word."""

from __future__ import annotations

import pytest

from pipeline.ocr.choices import MIN_CHOICE, alternatives_for, letter_base, word_choices
from pipeline.ocr.tesseract import tesseract_installed

# The shape Tesseract 5 writes with lstm_choice_mode=2 (trimmed): one ocrx_word, one lstm_choices group per
# character, the chosen symbol first.
_HOCR = """
<span class='ocr_line' id='line_1_9' title="bbox 10 20 200 60">
 <span class='ocrx_word' id='word_1_40' title='bbox 10 20 90 60; x_wconf 92'>TUẦN
  <span class='ocrx_cinfo' id='lstm_choices_1_40_1'>
   <span class='ocrx_cinfo' id='choice_1_40_1' title='x_confs 95.1'>T</span>
   <span class='ocrx_cinfo' id='choice_1_40_2' title='x_confs 0'>I</span></span>
  <span class='ocrx_cinfo' id='lstm_choices_1_40_2'>
   <span class='ocrx_cinfo' id='choice_1_40_3' title='x_confs 95.0'>U</span>
   <span class='ocrx_cinfo' id='choice_1_40_4' title='x_confs 40.0'>Ư</span></span>
  <span class='ocrx_cinfo' id='lstm_choices_1_40_3'>
   <span class='ocrx_cinfo' id='choice_1_40_5' title='x_confs 95.0'>Ầ</span>
   <span class='ocrx_cinfo' id='choice_1_40_6' title='x_confs 38.0'>Ấ</span>
   <span class='ocrx_cinfo' id='choice_1_40_7' title='x_confs 30.0'>B</span>
   <span class='ocrx_cinfo' id='choice_1_40_8' title='x_confs 5.0'>Ẩ</span></span>
  <span class='ocrx_cinfo' id='lstm_choices_1_40_4'>
   <span class='ocrx_cinfo' id='choice_1_40_9' title='x_confs 94.0'>N</span></span>
 </span>
 <span class='ocrx_word' id='word_1_41' title='bbox 100 20 190 60; x_wconf 96'>Hà
  <span class='ocrx_cinfo' id='lstm_choices_1_41_1'>
   <span class='ocrx_cinfo' id='choice_1_41_1' title='x_confs 96.0'>H</span></span>
  <span class='ocrx_cinfo' id='lstm_choices_1_41_2'>
   <span class='ocrx_cinfo' id='choice_1_41_2' title='x_confs 96.0'>à</span></span>
 </span>
</span>
"""


def test_choices_are_found_by_the_words_box():
    choices = word_choices(_HOCR)
    assert set(choices) == {(10, 20, 90, 60), (100, 20, 190, 60)}
    assert [g[0][0] for g in choices[(10, 20, 90, 60)]] == ["T", "U", "Ầ", "N"]


def test_only_mark_variants_above_the_floor_are_alternatives_scored_against_the_letter_read():
    groups = word_choices(_HOCR)[(10, 20, 90, 60)]
    alternatives = dict(alternatives_for("TUẦN", groups))
    # Ư (a shape) and Ấ (a tone) are readings of the same letters; B is another letter; Ẩ is under the floor
    assert set(alternatives) == {"TƯẦN", "TUẤN"}
    assert alternatives["TUẤN"] == pytest.approx(38 / 95, abs=1e-3)
    assert alternatives_for("TUẦN", groups)[0][0] == "TƯẦN"  # likeliest first
    assert 5.0 < MIN_CHOICE


def test_choices_that_do_not_line_up_with_the_word_give_no_alternatives():
    groups = word_choices(_HOCR)[(10, 20, 90, 60)]
    assert alternatives_for("TUẦNG", groups) == []
    assert alternatives_for("Hà", word_choices(_HOCR)[(100, 20, 190, 60)]) == []  # no doubt, no alternative


def test_letter_base_strips_every_vietnamese_mark():
    assert [letter_base(c) for c in "ẤưđĐÐỹ"] == list("AudDDy")


@pytest.mark.skipif(not tesseract_installed(), reason="tesseract not installed")
def test_words_recognised_carry_alternatives_that_differ_only_in_one_letters_marks():
    from samples.generator import generate_document
    from pipeline.config import Settings
    from pipeline.intake import load_pages
    from pipeline.ocr import open_engine
    from pipeline.preprocess import clean_page
    from pipeline.process import limits_from

    doc = generate_document("khai_sinh", 424242, variant="degraded", fmt="jpg")
    page = clean_page(load_pages(doc.data, limits_from(Settings()))[0])
    words = [w for line in open_engine("tesseract").recognize(page).lines for w in line.words]
    with_alternatives = [w for w in words if w.alternatives]
    assert with_alternatives, "a scan-degraded Vietnamese page always leaves the recogniser some doubt on marks"
    for word in with_alternatives:
        for spelling, score in word.alternatives:
            assert 0 < score <= 1 and spelling != word.text and len(spelling) == len(word.text)
            differing = [(a, b) for a, b in zip(word.text, spelling, strict=True) if a != b]
            assert len(differing) == 1 and letter_base(differing[0][0]) == letter_base(differing[0][1])
