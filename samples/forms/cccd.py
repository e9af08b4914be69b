"""Căn cước công dân (chip card, 2021) and Căn cước (2024 card): the front as a card image, or front and
back photocopied onto an A4 page as dossiers carry them.

The 2021 front has place of origin, residence and expiry; the 2024 front only identity, name, birth date,
sex and nationality, with residence and expiry on the back. Fields not on the rendered image are None.
"""

from __future__ import annotations

import datetime as dt
import random

from samples.fonts import FontFamily
from samples.forms.common import A4_MM, MOTTO, Draft, fit
from samples.layout import Flow, Segment, Sheet, Style
from samples.names import random_name
from samples.people import TODAY, Person, age_on, birthday_at, random_date, random_person
from samples.places import format_address

CARD_MM = (85.6, 53.98)
MOTTO_EN = "SOCIALIST REPUBLIC OF VIET NAM"
MOTTO_SUB_EN = "Independence - Freedom - Happiness"


def expiry_date(birth: dt.date, issued: dt.date) -> dt.date | None:
    """Cards run to the 25th, 40th or 60th birthday; one issued within two years of a milestone skips it."""
    age = age_on(birth, issued)
    for milestone in (25, 40, 60):
        if age < milestone - 2:
            return birthday_at(birth, milestone)
    return None


def build(rng: random.Random, family: FontFamily, dpi: int, shrink: float = 1.0) -> Draft:
    model = "2024" if rng.random() < 0.4 else "2021"
    if model == "2021":
        issued = random_date(rng, dt.date(2021, 1, 15), dt.date(2024, 6, 30))
    else:
        issued = random_date(rng, dt.date(2024, 7, 1), TODAY - dt.timedelta(days=2))
    person = random_person(rng, born_from=issued.replace(year=issued.year - 57, day=1),
                           born_to=issued.replace(year=issued.year - 14, day=1))
    expiry = expiry_date(person.birth, issued)
    on_page = rng.random() < 0.4
    address_style = "short" if rng.random() < 0.7 else "full"
    residence = format_address(person.residence, person.residence_street, address_style)
    origin = format_address(person.origin, None, address_style)

    if on_page:
        sheet = Sheet(*A4_MM, dpi, family)
        ox, oy = rng.uniform(20, 40), rng.uniform(20, 35)
        gap = rng.uniform(12, 25)
        front_fields = _front(sheet, ox, oy, model, person, origin, residence, expiry)
        back_fields = _back(sheet, ox, oy + CARD_MM[1] + gap, model, person, residence, issued, expiry, rng)
        fields = {**front_fields, **back_fields}
    else:
        sheet = Sheet(*CARD_MM, dpi, family)
        fields = _front(sheet, 0, 0, model, person, origin, residence, expiry)
    full = {
        "so_dinh_danh": person.id_number,
        "ho_ten": person.name,
        "ngay_sinh": person.birth.isoformat(),
        "gioi_tinh": person.gender,
        "quoc_tich": "Việt Nam",
        "que_quan": None,
        "noi_thuong_tru": None,
        "ngay_het_han": None,
    }
    full.update(fields)
    layout = f"card-{model}" + ("-page" if on_page else "")
    return Draft(sheet, full, layout)


def _card_frame(sheet: Sheet, ox: float, oy: float) -> None:
    x0, y0 = sheet.px(ox), sheet.px(oy)
    box = (x0, y0, x0 + sheet.px(CARD_MM[0]) - 1, y0 + sheet.px(CARD_MM[1]) - 1)
    sheet.add_shape("rounded", box, width=max(2.0, sheet.dpi / 150), gray=110, radius=sheet.px(3.2))


def _front(sheet: Sheet, ox: float, oy: float, model: str, person: Person, origin: str, residence: str,
           expiry: dt.date | None) -> dict[str, str | None]:
    px = sheet.px
    _card_frame(sheet, ox, oy)
    sheet.add_shape("emblem", (px(ox + 3.5), px(oy + 3), px(ox + 15.5), px(oy + 15)), width=max(1.0, sheet.dpi / 150))
    photo = (px(ox + 3.5), px(oy + 19), px(ox + 22.5), px(oy + 44))
    sheet.add_shape("photo", photo)

    head = Flow(sheet, ox + 17, ox + CARD_MM[0] - 2, oy + 2.2)
    small = Style(5.6, "bold")
    head.write(Segment(MOTTO, fit(sheet, MOTTO, small, head.x1 - head.x0)), align="center", leading=1.15)
    if model == "2021":
        head.write(Segment("Độc lập - Tự do - Hạnh phúc", Style(5.6, "bold")), align="center", leading=1.15)
        head.write(Segment(MOTTO_EN, Style(4.8)), align="center", leading=1.15)
        head.write(Segment(MOTTO_SUB_EN, Style(4.8)), align="center", leading=1.2)
        head.write(Segment("CĂN CƯỚC CÔNG DÂN", Style(8.5, "bold")), align="center", leading=1.1)
        head.write(Segment("Citizen Identity Card", Style(5.6)), align="center", leading=1.2)
    else:
        head.write(Segment(MOTTO_EN, Style(4.8)), align="center", leading=1.3)
        head.write(Segment("CĂN CƯỚC", Style(10, "bold")), align="center", leading=1.1)
        head.write(Segment("IDENTITY CARD", Style(6.0)), align="center", leading=1.3)

    body = Flow(sheet, ox + 24.5, ox + CARD_MM[0] - 2.5, head.y_mm + 0.3)
    label = Style(5.4)
    value = Style(6.4, "bold")
    big = Style(8.0, "bold")
    fields: dict[str, str | None] = {}
    if model == "2021":
        body.write([Segment("Số / No.:", label), Segment(person.id_number, big, "so_dinh_danh")], leading=1.3)
        body.write(Segment("Họ và tên / Full name:", label), leading=1.15)
        body.write(Segment(person.name.upper(), Style(7.0, "bold"), "ho_ten"), leading=1.25)
        body.write([Segment("Ngày sinh / Date of birth:", label),
                    Segment(person.birth.strftime("%d/%m/%Y"), value, "ngay_sinh")], leading=1.25)
        body.row([(0, [Segment("Giới tính / Sex:", label), Segment(person.gender, value, "gioi_tinh")]),
                  (22, [Segment("Quốc tịch / Nationality:", label), Segment("Việt Nam", value, "quoc_tich")])],
                 leading=1.25)
        body.write(Segment("Quê quán / Place of origin:", label), leading=1.15)
        body.write(Segment(origin, value, "que_quan"), leading=1.25)
        body.write([Segment("Nơi thường trú / Place of residence:", label),
                    Segment(residence, value, "noi_thuong_tru")], leading=1.2)
        fields.update(que_quan=origin, noi_thuong_tru=residence)
        exp = Flow(sheet, ox + 1.5, ox + 24.5, oy + 45.2)
        exp.write(Segment("Có giá trị đến:", Style(4.8, "italic")), align="center", leading=1.1)
        exp.write(Segment("Date of expiry", Style(4.8, "italic")), align="center", leading=1.2)
        expiry_text = expiry.strftime("%d/%m/%Y") if expiry else "Không thời hạn"
        exp.write(Segment(expiry_text, Style(5.6, "bold"), "ngay_het_han" if expiry else None), align="center")
        fields["ngay_het_han"] = expiry.isoformat() if expiry else None
    else:
        body.skip(0.5)
        body.write(Segment("Số định danh cá nhân / Personal identification number:", label), leading=1.2)
        body.write(Segment(person.id_number, Style(9.0, "bold"), "so_dinh_danh"), leading=1.35)
        body.write(Segment("Họ, chữ đệm và tên khai sinh / Full name:", label), leading=1.2)
        body.write(Segment(person.name.upper(), Style(7.2, "bold"), "ho_ten"), leading=1.35)
        body.write(Segment("Ngày, tháng, năm sinh / Date of birth:", label), leading=1.2)
        body.write(Segment(person.birth.strftime("%d/%m/%Y"), value, "ngay_sinh"), leading=1.35)
        body.row([(0, [Segment("Giới tính / Sex:", label), Segment(person.gender, value, "gioi_tinh")]),
                  (22, [Segment("Quốc tịch / Nationality:", label), Segment("Việt Nam", value, "quoc_tich")])],
                 leading=1.25)
    return fields


def _back(sheet: Sheet, ox: float, oy: float, model: str, person: Person, residence: str, issued: dt.date,
          expiry: dt.date | None, rng: random.Random) -> dict[str, str | None]:
    px = sheet.px
    _card_frame(sheet, ox, oy)
    fields: dict[str, str | None] = {}
    label = Style(5.4)
    value = Style(6.2, "bold")
    if model == "2021":
        sheet.add_shape("chip", (px(ox + 62), px(oy + 5), px(ox + 76), px(oy + 16)), width=2)
        flow = Flow(sheet, ox + 3, ox + 58, oy + 4)
        flow.write(Segment("Đặc điểm nhân dạng / Personal identification:", label), leading=1.2)
        mark = rng.choice(("Nốt ruồi", "Sẹo chấm")) + f" C:{rng.randint(1, 3)}cm " + rng.choice(
            ("trên trước đầu mày phải", "dưới trước mép trái", "sau cánh mũi phải", "trên trước mép phải"))
        flow.write(Segment(mark, value), leading=1.3)
        flow.write([Segment("Ngày, tháng, năm / Date, month, year:", label),
                    Segment(issued.strftime("%d/%m/%Y"), value)], leading=1.3)
        flow.write(Segment("CỤC TRƯỞNG CỤC CẢNH SÁT", Style(5.4, "bold")), leading=1.15)
        flow.write(Segment("QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI", Style(5.4, "bold")), leading=1.15)
        flow.skip(5)
        flow.write(Segment(random_name(rng, "Nam"), Style(6.0, "bold")), align="center")
    else:
        sheet.add_shape("qr", (px(ox + 63), px(oy + 3), px(ox + 82), px(oy + 22)), width=1, seed=rng.randrange(10**6))
        sheet.add_shape("chip", (px(ox + 4), px(oy + 4), px(ox + 17), px(oy + 14)), width=2)
        flow = Flow(sheet, ox + 3, ox + 61, oy + 16)
        flow.write(Segment("Nơi cư trú / Place of residence:", label), leading=1.15)
        flow.write(Segment(residence, value, "noi_thuong_tru"), leading=1.3)
        birth_office = format_address(person.origin, None, "full")
        flow.write(Segment("Nơi đăng ký khai sinh / Place of birth:", label), leading=1.15)
        flow.write(Segment(birth_office, value), leading=1.3)
        flow.row([(0, [Segment("Ngày, tháng, năm cấp / Date of issue:", label),
                       Segment(issued.strftime("%d/%m/%Y"), value)])], leading=1.3)
        expiry_text = expiry.strftime("%d/%m/%Y") if expiry else "Không thời hạn"
        flow.write([Segment("Ngày, tháng, năm hết hạn / Date of expiry:", label),
                    Segment(expiry_text, value, "ngay_het_han" if expiry else None)], leading=1.3)
        flow.write(Segment("BỘ CÔNG AN / MINISTRY OF PUBLIC SECURITY", Style(5.4, "bold")), leading=1.2)
        fields.update(noi_thuong_tru=residence, ngay_het_han=expiry.isoformat() if expiry else None)
    return fields
