"""Giấy khai sinh (birth certificate), modelled on the form of Circular 04/2020/TT-BTP: motto, number and book,
title, the child's lines, the parents' lines, registration office and date, signer."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

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
from samples.people import TODAY, Person, random_date, random_person
from samples.places import birth_place, format_address, random_place
from samples.wording import date_in_words

LABELS = {
    "ho_ten": ("Họ, chữ đệm, tên:", "Họ và tên:", "Họ, chữ đệm và tên:"),
    "ngay_sinh": ("Ngày, tháng, năm sinh:", "Ngày sinh:", "Sinh ngày:"),
    "so_dinh_danh": ("Số định danh cá nhân:", "Số ĐDCN:", "Mã số định danh cá nhân:"),
    "ho_ten_me": ("Họ, chữ đệm, tên người mẹ:", "Họ và tên mẹ:", "Họ tên người mẹ:"),
    "ho_ten_cha": ("Họ, chữ đệm, tên người cha:", "Họ và tên cha:", "Họ tên người cha:"),
    "noi_dang_ky": ("Nơi đăng ký khai sinh:", "Nơi đăng ký:", "Cơ quan đăng ký:"),
    "ngay_dang_ky": ("Ngày, tháng, năm đăng ký:", "Ngày đăng ký:", "Đăng ký ngày:"),
}


def build(rng: random.Random, family: FontFamily, dpi: int, shrink: float = 1.0) -> Draft:
    look = random_look(rng)
    label_set = rng.randrange(3)
    label = {key: options[label_set if rng.random() < 0.8 else rng.randrange(3)] for key, options in LABELS.items()}

    birth = random_date(rng, dt.date(2016, 1, 1), TODAY - dt.timedelta(days=3))
    registered = min(TODAY, birth + dt.timedelta(days=rng.randint(1, 60)))
    office_place = random_place(rng)
    mother = random_person(rng, born_from=birth.replace(year=birth.year - 42, day=min(birth.day, 28)),
                           born_to=birth.replace(year=birth.year - 18, day=min(birth.day, 28)), gender="Nữ")
    has_father = rng.random() < 0.9
    father = random_person(rng, born_from=mother.birth.replace(year=mother.birth.year - 8, day=1),
                           born_to=mother.birth.replace(year=mother.birth.year + 2, day=1), gender="Nam")
    child = random_person(rng, born_from=birth, born_to=birth, birth_province=office_place.province,
                          family=(father if has_father else mother).name.split()[0])
    child = replace(child, ethnicity=mother.ethnicity)
    father_name = father.name if has_father else None
    book = f"{rng.randint(1, 6):02d}/{registered.year}" if rng.random() < 0.6 else f"{rng.randint(1, 6):02d}"
    number = str(rng.randint(1, 480))
    office = registration_office(office_place)
    where_born = birth_place(rng, office_place.province)

    sheet, flow = new_page(family, dpi, look, shrink)
    body = look.body
    number_first = rng.random() < 0.5
    if number_first:
        flow.row([(0, [Segment("Số:", body), Segment(number, body, "so")]),
                  (110, [Segment("Quyển số:", body), Segment(book, body, "quyen_so")])])
        flow.skip(2)
    motto(flow, body.size)
    flow.skip(6)
    flow.write(Segment("GIẤY KHAI SINH", Style(body.size + 5, "bold")), align="center")
    if not number_first:
        flow.skip(1)
        flow.row([(35, [Segment("Số:", body), Segment(number, body, "so")]),
                  (95, [Segment("Quyển số:", body), Segment(book, body, "quyen_so")])])
    flow.skip(5)

    labelled(flow, look, label["ho_ten"], look.name(child.name), "ho_ten",
             value_style=look.value.but(face="bold"))
    labelled(flow, look, label["ngay_sinh"], look.date(birth), "ngay_sinh")
    flow.write([Segment("ghi bằng chữ:", body.but(face="italic")), Segment(date_in_words(birth), body)],
               indent_mm=10, hang_mm=0, leading=look.leading)
    personal_row = [
        (0, [Segment("Giới tính:", look.label), Segment(child.gender, look.value, "gioi_tinh")]),
        (55, [Segment("Dân tộc:", look.label), Segment(child.ethnicity, look.value, "dan_toc")]),
        (108, [Segment("Quốc tịch:", look.label), Segment("Việt Nam", look.value, "quoc_tich")]),
    ]
    id_line = (label["so_dinh_danh"], child.id_number)
    if rng.random() < 0.3:
        labelled(flow, look, *id_line, "so_dinh_danh")
        flow.row(personal_row, leading=look.leading)
    else:
        flow.row(personal_row, leading=look.leading)
    labelled(flow, look, "Nơi sinh:", where_born, "noi_sinh")
    origin = format_address(child.origin, None, look.address_style)
    labelled(flow, look, "Quê quán:", origin, None)
    if not any(line.text.startswith(id_line[0]) for line in sheet.lines):
        labelled(flow, look, *id_line, "so_dinh_danh")
    flow.skip(2)

    _parent(flow, look, label["ho_ten_me"], mother.name, mother.birth.year, mother, "ho_ten_me")
    if has_father:
        _parent(flow, look, label["ho_ten_cha"], father.name, father.birth.year, father, "ho_ten_cha",
                same_home=mother)
    else:
        labelled(flow, look, label["ho_ten_cha"], None, None)
    flow.skip(2)
    if rng.random() < 0.6:
        declarant = mother.name if not has_father or rng.random() < 0.5 else father.name
        relation = "mẹ" if declarant == mother.name else "cha"
        labelled(flow, look, "Người đi khai sinh:", f"{look.name(declarant)}, quan hệ với người được khai sinh: "
                 f"{relation}", None)
    labelled(flow, look, label["noi_dang_ky"], office, "noi_dang_ky")
    labelled(flow, look, label["ngay_dang_ky"], look.date(registered), "ngay_dang_ky")
    flow.skip(4)

    signer = random_name(rng, rng.choice(("Nam", "Nữ")))
    x0, x1 = flow.x0_mm, flow.x1_mm
    (right,) = flow.columns((x0 + (x1 - x0) * 0.45, x1))
    signer_block(right, ["NGƯỜI KÝ GIẤY KHAI SINH"], f"{rng.choice(('Phó Chủ tịch', 'Chủ tịch'))} {signer}",
                 size=body.size, note=SIGN_NOTE)
    flow.join([right])

    fields = {
        "so": number,
        "quyen_so": book,
        "ho_ten": child.name,
        "gioi_tinh": child.gender,
        "ngay_sinh": birth.isoformat(),
        "noi_sinh": where_born,
        "dan_toc": child.ethnicity,
        "quoc_tich": "Việt Nam",
        "so_dinh_danh": child.id_number,
        "ho_ten_me": mother.name,
        "ho_ten_cha": father_name,
        "noi_dang_ky": office,
        "ngay_dang_ky": registered.isoformat(),
    }
    return Draft(sheet, fields, "a4", seal=office.split(",")[0].upper())


def _parent(flow: Flow, look: Look, label: str, name: str, year: int, person: Person, field: str,
            same_home: Person | None = None) -> None:
    labelled(flow, look, label, look.name(name), field, value_style=look.value.but(face="bold"))
    flow.row([
        (0, [Segment("Năm sinh:", look.label), Segment(str(year), look.value)]),
        (55, [Segment("Dân tộc:", look.label), Segment(person.ethnicity, look.value)]),
        (108, [Segment("Quốc tịch:", look.label), Segment("Việt Nam", look.value)]),
    ], leading=look.leading)
    home = same_home or person
    labelled(flow, look, "Nơi cư trú:", format_address(home.residence, home.residence_street, look.address_style),
             None)
