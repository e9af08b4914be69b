"""The second, targeted OCR pass (pipeline.reread) on rendered lines, with real Tesseract."""

from __future__ import annotations

from datetime import date

import pytest
from PIL import Image, ImageDraw

from extractors.parsers import fold_aligned
from pipeline.document import Document, Page, Word, union_bbox
from pipeline.intake import PageImage
from pipeline.ocr import open_engine
from pipeline.ocr.base import LineOptions, LineReading
from pipeline.reread import REREAD_CONFIDENCE, reread_fields
from samples.fonts import available_families
from schemas.result import FieldValue

TODAY = date(2026, 1, 1)
DPI = 300


@pytest.fixture(scope="module")
def engine():
    return open_engine("tesseract")


class CountingEngine:
    """The real engine, counting the line crops it is asked to read."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.calls = inner, inner.name, 0

    def recognize(self, page: PageImage) -> Page:
        return self.inner.recognize(page)

    def read_line(self, image: Image.Image, dpi: int, options: LineOptions) -> LineReading | None:
        self.calls += 1
        return self.inner.read_line(image, dpi, options)


def _date_page(text: str, font) -> PageImage:
    """A header-sized page with the place-and-date line where a decision prints it (top right)."""
    img = Image.new("L", (2400, 1400), 255)
    ImageDraw.Draw(img).text((1000, 200), text, font=font, fill=0)
    return PageImage(number=1, image=img, dpi=DPI)


def _first_pass(engine, page: PageImage, day_as: str | None) -> Document:
    """The page read by the engine, with the day's word replaced by ``day_as`` (what OCR makes of an italic
    day on real decisions) so that the date does not parse, as on those pages."""
    read = engine.recognize(page)
    if day_as is not None:
        words = [w for ln in read.lines for w in ln.words]
        at = next(i for i, w in enumerate(words) if fold_aligned(w.text).startswith("ngay"))
        day = words[at + 1]
        assert any(ch.isdigit() for ch in day.text), "the first pass must have seen the day as a word"
        _misread(read, day, day_as, 0.3)
    return Document(pages=[read], engine=engine.name)


def _misread(read: Page, word: Word, as_text: str, confidence: float) -> None:
    """``word`` of the page ``read`` replaced by what OCR made of it, its box kept."""
    for line in read.lines:
        line.words = [Word(text=as_text, bbox=w.bbox, confidence=confidence) if w is word else w for w in line.words]


def _source(page: PageImage):
    return lambda number: page if number == page.number else None


def _italic_fonts():
    families = available_families()
    if not families:
        pytest.skip("no Vietnamese serif fonts installed")
    return [(f.name, f.font("italic", round(13 * DPI / 72))) for f in families]


def test_italic_day_misread_by_the_first_pass_is_recovered(engine):
    for name, font in _italic_fonts():
        page = _date_page("Hà Nội, ngày 18 tháng 02 năm 2025", font)
        document = _first_pass(engine, page, day_as="/ở")
        fields = reread_fields(document, "quyet_dinh", {}, engine, _source(page), TODAY)
        got = fields.get("ngay_ban_hanh")
        assert got is not None and got.value == "2025-02-18", name
        assert got.confidence <= REREAD_CONFIDENCE  # a second opinion never looks sure
        assert got.page == 1 and got.bbox is not None
        x0, y0, x1, y1 = got.bbox
        assert 1000 <= x0 < x1 <= page.image.width and 150 <= y0 < y1 <= 320, name


def test_reading_that_still_does_not_parse_leaves_the_field_as_it_was(engine):
    _name, font = _italic_fonts()[0]
    page = _date_page("Hà Nội, ngày 45 tháng 02 năm 2025", font)  # no 45th day: nothing valid to read
    document = _first_pass(engine, page, day_as="#5")
    counting = CountingEngine(engine)
    assert reread_fields(document, "quyet_dinh", {}, counting, _source(page), TODAY) == {}
    assert counting.calls > 0  # it did look


def test_values_that_parsed_are_never_reread(engine):
    _name, font = _italic_fonts()[0]
    page = _date_page("Hà Nội, ngày 18 tháng 02 năm 2025", font)
    document = _first_pass(engine, page, day_as=None)
    date_line = next(ln for ln in document.pages[0].lines if "2025" in ln.text)
    parsed = {"ngay_ban_hanh": FieldValue(value="2025-02-18", confidence=0.9, page=1, bbox=date_line.bbox),
              "so_ky_hieu": FieldValue(value="12/QĐ-UBND", confidence=0.9, page=1, bbox=(100, 100, 400, 150))}
    counting = CountingEngine(engine)
    assert reread_fields(document, "quyet_dinh", dict(parsed), counting, _source(page), TODAY) == parsed
    assert counting.calls == 0


def test_engine_that_cannot_read_lines_changes_nothing(engine):
    _name, font = _italic_fonts()[0]
    page = _date_page("Hà Nội, ngày 18 tháng 02 năm 2025", font)
    document = _first_pass(engine, page, day_as="/ở")

    class PageOnly:
        name = "page-only"

        def recognize(self, page: PageImage) -> Page:
            return engine.recognize(page)

    assert reread_fields(document, "quyet_dinh", {}, PageOnly(), _source(page), TODAY) == {}


def test_tesseract_reads_one_line_crop_with_a_whitelist(engine):
    _name, font = _italic_fonts()[0]
    img = Image.new("L", (900, 120), 255)
    ImageDraw.Draw(img).text((30, 25), "001095012345", font=font, fill=0)
    digits = engine.read_line(img, DPI, LineOptions(allowed="0123456789", latin=True))
    assert digits is not None and digits.text == "001095012345" and digits.confidence > 0.6
    # The Vietnamese model keeps its tone marks when not held to Latin print.
    img = Image.new("L", (900, 120), 255)
    ImageDraw.Draw(img).text((30, 25), "Hà Nội, ngày", font=font, fill=0)
    words = engine.read_line(img, DPI, LineOptions())
    assert words is not None and words.text == "Hà Nội, ngày"
    # Nothing on the crop: an empty reading, not an error.
    blank = engine.read_line(Image.new("L", (300, 80), 255), DPI, LineOptions(allowed="0123456789", latin=True))
    assert blank is not None and blank.text == "" and blank.confidence == 0.0


def test_identity_number_misread_after_its_label_is_recovered(engine):
    _italic_fonts()  # skips without fonts
    regular = available_families()[0].font("regular", round(13 * DPI / 72))
    img = Image.new("L", (2400, 600), 255)
    ImageDraw.Draw(img).text((150, 200), "Số định danh cá nhân: 001095012345", font=regular, fill=0)
    page = PageImage(number=1, image=img, dpi=DPI)
    read = engine.recognize(page)
    number = next(w for ln in read.lines for w in ln.words if w.text.startswith("0010"))
    _misread(read, number, "0010950#2#45", 0.4)  # two digits lost to a speck: no 12-digit number on the line
    document = Document(pages=[read], engine=engine.name)
    fields = reread_fields(document, "khai_sinh", {}, engine, _source(page), TODAY)
    got = fields.get("so_dinh_danh")
    assert got is not None and got.value == "001095012345"
    assert got.confidence <= REREAD_CONFIDENCE


def test_document_number_misread_in_the_header_is_recovered(engine):
    _italic_fonts()  # skips without fonts
    regular = available_families()[0].font("regular", round(13 * DPI / 72))
    img = Image.new("L", (2400, 1400), 255)
    draw = ImageDraw.Draw(img)
    draw.text((150, 150), "ỦY BAN NHÂN DÂN", font=regular, fill=0)
    draw.text((150, 260), "Số: 123/QĐ-UBND", font=regular, fill=0)
    page = PageImage(number=1, image=img, dpi=DPI)
    read = engine.recognize(page)
    number = next(w for ln in read.lines for w in ln.words if "/" in w.text)
    _misread(read, number, "1#3/QĐ-UBND", 0.4)  # what a speck over the digits makes of them: no number
    document = Document(pages=[read], engine=engine.name)
    fields = reread_fields(document, "quyet_dinh", {}, engine, _source(page), TODAY)
    got = fields.get("so_ky_hieu")
    assert got is not None and got.value == "123/QĐ-UBND"


# ---------------------------------------------------------------- values the first pass dropped entirely


def _regular(size_pt: float = 11):
    _italic_fonts()  # skips without fonts
    return available_families()[0].font("regular", round(size_pt * DPI / 72))


def _card_page(lines: list[tuple[int, str]], font) -> PageImage:
    """A card-like page with ``(y, text)`` lines printed from the same left margin."""
    img = Image.new("L", (2000, 1200), 255)
    draw = ImageDraw.Draw(img)
    for y, text in lines:
        draw.text((150, y), text, font=font, fill=0)
    return PageImage(number=1, image=img, dpi=DPI)


def _dropping(engine, page: PageImage, drop) -> Document:
    """The page read by the engine, less the words ``drop`` picks (what a seal or faint print hides)."""
    read = engine.recognize(page)
    for line in read.lines:
        line.words = [w for w in line.words if not drop(w)]
    return Document(pages=[read], engine=engine.name)


_CARD = [(100, "Số định danh cá nhân: 001195012345"), (190, "Họ và tên / Full name:"), (260, "NGUYỄN THỊ HẰNG"),
         (350, "Ngày sinh / Date of birth: 12/03/1995"), (440, "Giới tính / Sex: Nữ")]
_CARD_FIELDS = {"so_dinh_danh": FieldValue(value="001195012345", confidence=0.95, page=1, bbox=(0, 0, 1, 1)),
                "gioi_tinh": FieldValue(value="Nữ", confidence=0.95, page=1, bbox=(0, 0, 1, 1))}


def test_date_dropped_after_its_label_is_read_from_the_blank(engine):
    page = _card_page(_CARD, _regular())
    document = _dropping(engine, page, lambda w: "1995" in w.text or w.text.startswith("12/"))
    fields = {**_CARD_FIELDS, "ho_ten": FieldValue(value="Nguyễn Thị Hằng", confidence=0.95, page=1, bbox=(0, 0, 1, 1))}
    got = reread_fields(document, "cccd", fields, engine, _source(page), TODAY).get("ngay_sinh")
    assert got is not None and got.value == "1995-03-12"
    assert got.confidence <= REREAD_CONFIDENCE
    assert got.bbox is not None and 340 <= got.bbox[1] < got.bbox[3] <= 420  # on the label's line


def test_name_dropped_under_a_stacked_bilingual_label_is_read_and_snapped(engine):
    page = _card_page(_CARD, _regular())
    document = _dropping(engine, page, lambda w: fold_aligned(w.text) in {"nguyen", "thi", "hang"} and w.text.isupper())
    fields = {**_CARD_FIELDS, "ngay_sinh": FieldValue(value="1995-03-12", confidence=0.95, page=1, bbox=(0, 0, 1, 1))}
    got = reread_fields(document, "cccd", fields, engine, _source(page), TODAY).get("ho_ten")
    assert got is not None and got.value == "Nguyễn Thị Hằng"
    assert got.confidence <= REREAD_CONFIDENCE
    assert got.bbox is not None and 250 <= got.bbox[1] < got.bbox[3] <= 340  # the line under the label


def test_gender_dropped_after_its_label_is_read_from_the_blank(engine):
    page = _card_page(_CARD, _regular())
    document = _dropping(engine, page, lambda w: w.text.rstrip(".") == "Nữ")
    fields = {k: v for k, v in _CARD_FIELDS.items() if k != "gioi_tinh"}
    fields["ho_ten"] = FieldValue(value="Nguyễn Thị Hằng", confidence=0.95, page=1, bbox=(0, 0, 1, 1))
    fields["ngay_sinh"] = FieldValue(value="1995-03-12", confidence=0.95, page=1, bbox=(0, 0, 1, 1))
    got = reread_fields(document, "cccd", fields, engine, _source(page), TODAY).get("gioi_tinh")
    assert got is not None and got.value == "Nữ"
    assert got.confidence <= REREAD_CONFIDENCE
    assert got.bbox is not None and 430 <= got.bbox[1] < got.bbox[3] <= 520  # right of the label, on its line


def test_text_under_a_name_label_that_is_no_vietnamese_name_is_not_taken(engine):
    lines = [(y, "QWERTZ XKCD PLUGH" if y == 260 else text) for y, text in _CARD]
    page = _card_page(lines, _regular())
    document = _dropping(engine, page, lambda w: w.text.isupper() and len(w.text) > 3 and w.text.isalpha())
    fields = {**_CARD_FIELDS, "ngay_sinh": FieldValue(value="1995-03-12", confidence=0.95, page=1, bbox=(0, 0, 1, 1))}
    counting = CountingEngine(engine)
    assert "ho_ten" not in reread_fields(document, "cccd", fields, counting, _source(page), TODAY)
    assert counting.calls > 0  # it did read the line, and refused it


def test_a_blank_left_empty_on_the_form_costs_no_reading(engine):
    lines = [(y, "Họ và tên / Full name:" if y == 190 else text) for y, text in _CARD if y != 260]
    page = _card_page(lines, _regular())
    document = _dropping(engine, page, lambda w: False)
    fields = {**_CARD_FIELDS, "ngay_sinh": FieldValue(value="1995-03-12", confidence=0.95, page=1, bbox=(0, 0, 1, 1))}
    counting = CountingEngine(engine)
    assert reread_fields(document, "cccd", dict(fields), counting, _source(page), TODAY) == fields
    assert counting.calls == 0  # no ink where the value would be: nothing to read


def test_paper_that_can_be_approved_is_not_reread_for_an_optional_field(engine):
    page = _card_page(_CARD, _regular())
    document = _dropping(engine, page, lambda w: "1995" in w.text or w.text.startswith("12/"))
    fields = {**_CARD_FIELDS, "ho_ten": FieldValue(value="Nguyễn Thị Hằng", confidence=0.95, page=1, bbox=(0, 0, 1, 1)),
              "ngay_sinh": FieldValue(value="1995-03-12", confidence=0.95, page=1, bbox=(0, 0, 1, 1))}
    # ngay_het_han (optional) is missing, every required field is there and valid: a re-read value would only
    # send the paper to review.
    counting = CountingEngine(engine)
    assert reread_fields(document, "cccd", dict(fields), counting, _source(page), TODAY) == fields
    assert counting.calls == 0


def test_land_certificate_serial_misread_is_recovered(engine):
    page = _card_page([(100, "Số vào sổ cấp GCN: CH 46703"), (190, "AC 19720579")], _regular())
    read = engine.recognize(page)
    letters = next(w for ln in read.lines for w in ln.words if w.text == "AC")
    _misread(read, letters, "ÁC", 0.3)  # the capitals read with a stray tone mark, as on scans: not a serial
    assert "ÁC" in " ".join(ln.text for ln in read.lines)
    fields = reread_fields(Document(pages=[read], engine=engine.name), "gcn_qsdd", {}, engine, _source(page), TODAY)
    got = fields.get("so_phat_hanh")
    assert got is not None and got.value == "AC19720579" and got.confidence <= REREAD_CONFIDENCE


def test_name_read_with_a_syllable_no_name_has_is_read_again(engine):
    page = _card_page(_CARD, _regular())
    read = engine.recognize(page)
    for line in read.lines:  # the spaces of the name lost on a scan: one word no Vietnamese name is made of
        name = [w for w in line.words if w.text.isupper() and w.text.isalpha() and len(w.text) > 2]
        if len(name) == 3:
            line.words = [Word(text="NGUYỄNTHỊHẰNG", bbox=union_bbox([w.bbox for w in name]), confidence=0.5)]
    document = Document(pages=[read], engine=engine.name)
    line = next(ln for ln in read.lines if ln.text == "NGUYỄNTHỊHẰNG")
    fields = {**_CARD_FIELDS, "ngay_sinh": FieldValue(value="1995-03-12", confidence=0.95, page=1, bbox=(0, 0, 1, 1)),
              "ho_ten": FieldValue(value="Nguyễnthịhằng", confidence=0.3, page=1, bbox=line.bbox)}
    got = reread_fields(document, "cccd", fields, engine, _source(page), TODAY)["ho_ten"]
    assert got.value == "Nguyễn Thị Hằng" and got.confidence <= REREAD_CONFIDENCE
