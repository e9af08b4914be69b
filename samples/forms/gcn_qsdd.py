"""Giấy chứng nhận quyền sử dụng đất (land-use right certificate, the "red book"): serial number, owners with
identity numbers, the parcel (number, map sheet, address, area in figures and words, use, term, origin),
issuing authority and date. The 2009–2024 form and the 2024 form differ in title and serial length."""

from __future__ import annotations

import datetime as dt
import random

from samples.fonts import FontFamily
from samples.forms.common import Draft, fit, labelled, motto, new_page, random_look, signer_block
from samples.layout import Segment, Style
from samples.names import random_name
from samples.people import TODAY, birthday_at, random_date, random_person
from samples.places import format_address, random_place, street_part
from samples.wording import area_in_words, format_area, format_date

URBAN_USES = ("Đất ở tại đô thị",)
RURAL_USES = ("Đất ở tại nông thôn", "Đất trồng lúa", "Đất trồng cây lâu năm", "Đất trồng cây hằng năm khác",
              "Đất nuôi trồng thủy sản")
ORIGINS = ("Công nhận quyền sử dụng đất như giao đất có thu tiền sử dụng đất",
           "Nhà nước giao đất có thu tiền sử dụng đất", ("Nhận chuyển nhượng đất được Công nhận QSDĐ như giao đất có "
           "thu tiền sử dụng đất"), "Nhà nước giao đất không thu tiền sử dụng đất", "Nhận thừa kế quyền sử dụng đất")
SERIAL_LETTERS = ("BA", "BB", "BC", "BD", "BE", "BH", "BK", "BL", "BM", "BN", "BP", "BR", "BS", "BT", "BU", "BV",
                  "BX", "BY", "CA", "CB", "CC", "CD", "CE", "CH", "CK", "CL", "CM", "CN", "CO", "CP", "CS", "CT",
                  "CU", "CV", "CX", "CY", "DA", "DB", "DC", "DD", "DE", "DG", "DH", "DK", "DL")


def build(rng: random.Random, family: FontFamily, dpi: int, shrink: float = 1.0) -> Draft:
    look = random_look(rng, leaders_share=0.15)
    form2024 = rng.random() < 0.3
    if form2024:
        issued = random_date(rng, dt.date(2024, 8, 1), TODAY)
        serial = f"{rng.choice(('AA', 'AB', 'AC'))}{rng.randrange(10**8):08d}"
    else:
        issued = random_date(rng, dt.date(2016, 1, 1), dt.date(2024, 7, 31))
        serial = f"{rng.choice(SERIAL_LETTERS)}{rng.randrange(10**6):06d}"
    shown_serial = f"{serial[:2]} {serial[2:]}"
    place = random_place(rng)
    urban = not place.ward.startswith("Xã")
    use = rng.choice(URBAN_USES) if urban else rng.choice(RURAL_USES)
    residential = use.startswith("Đất ở")
    area = round(rng.uniform(30, 250) if urban else rng.uniform(80, 600) if residential else rng.uniform(300, 5000),
                 rng.choice((0, 1)))
    term = "Lâu dài" if residential else birthday_at(issued, 50).isoformat()
    parcel, map_sheet = str(rng.randint(1, 1200)), str(rng.randint(1, 80))
    land_address = format_address(place, street_part(rng, place) if urban and rng.random() < 0.6 else None,
                                  look.address_style)
    owner = random_person(rng, born_from=dt.date(1945, 1, 1), born_to=issued.replace(year=issued.year - 22, day=1))
    spouse = None
    if rng.random() < 0.4:
        spouse = random_person(rng, born_from=owner.birth.replace(year=owner.birth.year - 5, day=1),
                               born_to=owner.birth.replace(year=owner.birth.year + 5, day=1),
                               gender="Nữ" if owner.gender == "Nam" else "Nam")
    by_department = rng.random() < 0.5
    if by_department:
        agency = f"SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG {place.province.full_name.upper()}"
        titles = ["SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG", place.province.full_name.upper(), "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]
    else:
        agency = f"ỦY BAN NHÂN DÂN {place.district_full().upper()}"
        titles = ["TM. ỦY BAN NHÂN DÂN", place.district_full().upper(), "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]

    sheet, flow = new_page(family, dpi, look, shrink)
    body = look.body
    motto(flow, body.size)
    flow.skip(8)
    big = Style(body.size + 5, "bold")
    if form2024:
        flow.write(Segment("GIẤY CHỨNG NHẬN", big), align="center", leading=1.3)
        subtitle = "QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU TÀI SẢN GẮN LIỀN VỚI ĐẤT"
        flow.write(Segment(subtitle, fit(sheet, subtitle, Style(body.size + 1, "bold"), flow.x1 - flow.x0)),
                   align="center")
    else:
        flow.write(Segment("GIẤY CHỨNG NHẬN", big), align="center", leading=1.3)
        flow.write(Segment("QUYỀN SỬ DỤNG ĐẤT", Style(body.size + 2, "bold")), align="center", leading=1.3)
        flow.write(Segment("QUYỀN SỞ HỮU NHÀ Ở VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT", Style(body.size, "bold")),
                   align="center")
    serial_on_top = rng.random() < 0.5
    if serial_on_top:
        flow.write([Segment("Số phát hành:", body), Segment(shown_serial, body.but(face="bold"), "so_phat_hanh")],
                   align="center")
    flow.skip(5)

    section = body.but(face="bold")
    flow.write(Segment("I. Người sử dụng đất, chủ sở hữu nhà ở và tài sản khác gắn liền với đất", section))
    for index, person in enumerate(p for p in (owner, spouse) if p):
        honorific = "Ông" if person.gender == "Nam" else "Bà"
        name_field, id_field = ("chu_su_dung", "so_dinh_danh") if index == 0 else (None, None)
        shown = person.name.upper() if look.upper_names else person.name
        flow.row([(0, [Segment(f"{honorific}:", look.label), Segment(shown, look.value.but(face="bold"),
                                                                        name_field)]),
                  (95, [Segment("Sinh năm:", look.label), Segment(str(person.birth.year), look.value)])])
        labelled(flow, look, "CCCD số:", person.id_number, id_field)
        labelled(flow, look, "Địa chỉ thường trú:",
                 format_address(owner.residence, owner.residence_street, look.address_style), None)
    flow.skip(3)
    flow.write(Segment("II. Thửa đất, nhà ở và tài sản khác gắn liền với đất", section))
    flow.write(Segment("1. Thửa đất:", section))
    indent = 5.0
    if rng.random() < 0.5:
        flow.row([(indent, [Segment("a) Thửa đất số:", look.label), Segment(parcel, look.value, "thua_dat_so")]),
                  (indent + 65, [Segment("Tờ bản đồ số:", look.label),
                                 Segment(map_sheet, look.value, "to_ban_do_so")])])
    else:
        labelled(flow, look, "a) Thửa đất số:", parcel, "thua_dat_so", indent_mm=indent)
        labelled(flow, look, "Tờ bản đồ số:", map_sheet, "to_ban_do_so", indent_mm=indent)
    labelled(flow, look, "b) Địa chỉ:", land_address, "dia_chi", indent_mm=indent, hang_mm=indent)
    flow.write([Segment("c) Diện tích:", look.label),
                Segment(format_area(area, rng.choice(("m²", "m²", "m2"))), look.value, "dien_tich"),
                Segment(f"(Bằng chữ: {area_in_words(area)})", look.label.but(face="italic"))], indent_mm=indent)
    labelled(flow, look, "d) Hình thức sử dụng:", rng.choice(("Sử dụng riêng", "Sử dụng chung")), None,
             indent_mm=indent)
    labelled(flow, look, "đ) Mục đích sử dụng:", use, "muc_dich_su_dung", indent_mm=indent)
    term_text = "Lâu dài" if residential else f"đến ngày {format_date(dt.date.fromisoformat(term), 'slash')}"
    labelled(flow, look, "e) Thời hạn sử dụng:", term_text, "thoi_han_su_dung", indent_mm=indent)
    labelled(flow, look, "g) Nguồn gốc sử dụng:", rng.choice(ORIGINS), None, indent_mm=indent, hang_mm=indent)
    for label in ("2. Nhà ở:", "3. Công trình xây dựng khác:", "4. Rừng sản xuất là rừng trồng:",
                  "5. Cây lâu năm:", "6. Ghi chú:"):
        flow.write([Segment(label, look.label), Segment("-/-", look.label)], leading=1.4)
    flow.skip(5)

    x0, x1 = flow.x0_mm, flow.x1_mm
    left, right = flow.columns((x0, x0 + (x1 - x0) * 0.42), (x0 + (x1 - x0) * 0.38, x1 + 5))
    locality = place.province.name
    right.write([Segment(f"{locality},", Style(body.size, "italic")),
                 Segment(format_date(issued, look.date_style if look.date_style.startswith("words") else "words"),
                         Style(body.size, "italic"), "ngay_cap")], align="center", leading=1.5)
    signer = random_name(rng, rng.choice(("Nam", "Nữ")))
    agency_titles = titles[:2]
    for title in agency_titles:
        right.write(Segment(title, Style(body.size, "bold"), "co_quan_cap"), align="center", leading=1.25)
    signer_block(right, titles[2:], signer, size=body.size, space_mm=22)
    book_no = f"{rng.choice(('CH', 'CS', 'VP'))} {rng.randint(1, 99999):05d}"
    left.skip(20)
    left.write(Segment(f"Số vào sổ cấp GCN: {book_no}", Style(body.size - 1)), leading=1.4)
    if not serial_on_top:
        left.write(Segment(shown_serial, Style(body.size + 2, "bold"), "so_phat_hanh"), leading=1.4)
    flow.join([left, right])

    fields = {
        "so_phat_hanh": serial,
        "chu_su_dung": owner.name,
        "so_dinh_danh": owner.id_number,
        "thua_dat_so": parcel,
        "to_ban_do_so": map_sheet,
        "dia_chi": land_address,
        "dien_tich": float(area),
        "muc_dich_su_dung": use,
        "thoi_han_su_dung": term,
        "ngay_cap": issued.isoformat(),
        "co_quan_cap": agency,
    }
    return Draft(sheet, fields, "a4-2024" if form2024 else "a4", seal=agency)
