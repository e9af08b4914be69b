"""Giấy chứng nhận kết hôn (marriage certificate), modelled on the Circular 04/2020/TT-BTP form: the husband's
and the wife's details side by side (or one after the other), registration date and office, signatures."""

from __future__ import annotations

import datetime as dt
import random

from samples.fonts import FontFamily
from samples.forms.common import (
    SIGN_NOTE,
    Draft,
    Look,
    labelled,
    motto,
    new_page,
    random_look,
    registration_office,
    signer_block,
)
from samples.layout import Flow, Segment, Style
from samples.names import random_name
from samples.people import TODAY, Person, age_on, random_date, random_person
from samples.places import format_address, random_place

ID_LABELS = ("Số định danh cá nhân:", "Giấy tờ tùy thân: CCCD số", "Số CCCD:")


def build(rng: random.Random, family: FontFamily, dpi: int, shrink: float = 1.0) -> Draft:
    look = random_look(rng, leaders_share=0.25)
    registered = random_date(rng, dt.date(2016, 3, 1), TODAY)
    office_place = random_place(rng)
    husband = random_person(rng, born_from=registered.replace(year=registered.year - 45, day=1),
                            born_to=registered.replace(year=registered.year - 21, day=1), gender="Nam")
    wife = random_person(rng, born_from=max(husband.birth.replace(year=husband.birth.year - 3, day=1),
                                            dt.date(1950, 1, 1)),
                         born_to=min(husband.birth.replace(year=husband.birth.year + 9, day=1),
                                     registered.replace(year=registered.year - 19, day=1)), gender="Nữ")
    assert age_on(wife.birth, registered) >= 18 and age_on(husband.birth, registered) >= 20
    number = str(rng.randint(1, 250))
    book = f"{rng.randint(1, 3):02d}/{registered.year}" if rng.random() < 0.6 else f"{rng.randint(1, 3):02d}"
    office = registration_office(office_place)
    id_label = rng.choice(ID_LABELS)

    sheet, flow = new_page(family, dpi, look, shrink)
    body = look.body
    motto(flow, body.size)
    flow.skip(7)
    flow.write(Segment("GIẤY CHỨNG NHẬN KẾT HÔN", Style(body.size + 4, "bold")), align="center")
    flow.skip(1)
    flow.row([(30, [Segment("Số:", body), Segment(number, body, "so")]),
              (95, [Segment("Quyển số:", body), Segment(book, body)])])
    flow.skip(6)

    side_by_side = rng.random() < 0.55
    if side_by_side:
        x0, x1 = flow.x0_mm, flow.x1_mm
        mid = (x0 + x1) / 2
        left, right = flow.columns((x0, mid - 4), (mid + 4, x1))
        _spouse_column(left, look, "chồng", husband, "chong", id_label)
        _spouse_column(right, look, "vợ", wife, "vo", id_label)
        flow.join([left, right])
    else:
        for word, person, prefix in (("chồng", husband, "chong"), ("vợ", wife, "vo")):
            flow.write(Segment(f"Thông tin người {word}:", body.but(face="bold")))
            _spouse_lines(flow, look, word, person, prefix, id_label)
            flow.skip(2)
    flow.skip(3)
    labelled(flow, look, "Nơi đăng ký:", office, "noi_dang_ky")
    labelled(flow, look, "Ngày, tháng, năm đăng ký:", look.date(registered), "ngay_dang_ky")
    flow.skip(6)

    x0, x1 = flow.x0_mm, flow.x1_mm
    width = x1 - x0
    husband_col, wife_col, official = flow.columns((x0 - 5, x0 + width * 0.27), (x0 + width * 0.27, x0 + width * 0.52),
                                                   (x0 + width * 0.52, x1 + 5))
    for col, word, person in ((husband_col, "Chồng", husband), (wife_col, "Vợ", wife)):
        col.write(Segment(word, Style(body.size, "bold")), align="center", leading=1.2)
        col.write(Segment("(Ký, ghi rõ họ tên)", Style(body.size - 2.5, "italic")), align="center")
        col.skip(20)
        col.write(Segment(person.name, Style(body.size - 0.5)), align="center")
    signer = random_name(rng, rng.choice(("Nam", "Nữ")))
    signer_block(official, ["NGƯỜI KÝ GIẤY CHỨNG NHẬN"], f"{rng.choice(('Phó Chủ tịch', 'Chủ tịch'))} {signer}",
                 size=body.size - 0.5, note=SIGN_NOTE, space_mm=20)
    flow.join([husband_col, wife_col, official])

    fields = {
        "so": number,
        "ngay_dang_ky": registered.isoformat(),
        "noi_dang_ky": office,
        "chong_ho_ten": husband.name,
        "chong_ngay_sinh": husband.birth.isoformat(),
        "chong_so_dinh_danh": husband.id_number,
        "vo_ho_ten": wife.name,
        "vo_ngay_sinh": wife.birth.isoformat(),
        "vo_so_dinh_danh": wife.id_number,
    }
    return Draft(sheet, fields, "a4-columns" if side_by_side else "a4", seal=office.split(",")[0].upper())


def _spouse_column(flow: Flow, look: Look, word: str, person: Person, prefix: str, id_label: str) -> None:
    """Narrow column: each label on its own line, the value under it."""
    label, value = look.label.but(size=look.label.size - 0.5), look.value.but(size=look.value.size - 0.5)
    rows = [
        (f"Họ, chữ đệm, tên {word}:", look.name(person.name), f"{prefix}_ho_ten", value.but(face="bold")),
        ("Ngày, tháng, năm sinh:", look.date(person.birth), f"{prefix}_ngay_sinh", value),
        ("Dân tộc:", person.ethnicity, None, value),
        ("Quốc tịch:", "Việt Nam", None, value),
        ("Nơi cư trú:", format_address(person.residence, person.residence_street, look.address_style), None, value),
        (id_label, person.id_number, f"{prefix}_so_dinh_danh", value),
    ]
    for text, shown, field, style in rows:
        if text in ("Dân tộc:", "Quốc tịch:"):
            flow.write([Segment(text, label), Segment(shown, style, field)], leading=1.45)
        else:
            flow.write(Segment(text, label), leading=1.3)
            flow.write(Segment(shown, style, field), leading=1.45)


def _spouse_lines(flow: Flow, look: Look, word: str, person: Person, prefix: str, id_label: str) -> None:
    labelled(flow, look, f"Họ, chữ đệm, tên {word}:", look.name(person.name), f"{prefix}_ho_ten",
             value_style=look.value.but(face="bold"))
    labelled(flow, look, "Ngày, tháng, năm sinh:", look.date(person.birth), f"{prefix}_ngay_sinh")
    flow.row([(0, [Segment("Dân tộc:", look.label), Segment(person.ethnicity, look.value)]),
              (70, [Segment("Quốc tịch:", look.label), Segment("Việt Nam", look.value)])])
    labelled(flow, look, "Nơi cư trú:", format_address(person.residence, person.residence_street,
                                                       look.address_style), None)
    labelled(flow, look, id_label, person.id_number, f"{prefix}_so_dinh_danh")
