"""Quyết định of a People's Committee (UBND) about one person, laid out as Decree 30/2020 prescribes: agency and
number left, motto and place-date right, title and summary (trích yếu), legal bases (Căn cứ …), articles
naming the person with their identity number, validity end, recipients and signer."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace

from samples.fonts import FontFamily
from samples.forms.common import Draft, new_page, official_header, random_look, signer_block
from samples.layout import Flow, Segment, Style
from samples.names import random_name
from samples.people import TODAY, random_date, random_person
from samples.places import format_address, random_place
from samples.wording import format_date, format_money

LAW_BASES = (
    ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật sửa đổi, bổ sung một số điều "
    "của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương ngày 22 tháng 11 năm 2019;"),
)


@dataclass(frozen=True)
class Topic:
    summary: str  # trích yếu, with {who} for "ông NGUYỄN VĂN AN"
    bases: tuple[str, ...]
    proposer: str  # the office that proposes it
    proposer_abbr: str  # its abbreviation in document symbols
    article: str  # Điều 1 after "{verb} {who}, sinh ngày …, số định danh cá nhân …, thường trú tại …,"
    verb: str


TOPICS = (
    Topic("Về việc cho phép {who} sử dụng tạm thời một phần hè phố để trông giữ xe đạp, xe máy",
          ("Căn cứ Luật Giao thông đường bộ ngày 13 tháng 11 năm 2008;",
           ("Căn cứ Nghị định số 100/2013/NĐ-CP ngày 03 tháng 9 năm 2013 của Chính phủ sửa đổi, bổ sung một số "
           "điều của Nghị định số 11/2010/NĐ-CP quy định về quản lý và bảo vệ kết cấu hạ tầng giao thông đường bộ;")),
          "Trưởng phòng Quản lý đô thị", "QLĐT",
          "được sử dụng tạm thời {area} m² hè phố trước số nhà {house} để trông giữ xe đạp, xe máy.", "Cho phép"),
    Topic("Về việc cấp Giấy phép xây dựng có thời hạn cho hộ {who}",
          (("Căn cứ Luật Xây dựng ngày 18 tháng 6 năm 2014; Luật sửa đổi, bổ sung một số điều của Luật Xây dựng "
           "ngày 17 tháng 6 năm 2020;"),
           ("Căn cứ Nghị định số 15/2021/NĐ-CP ngày 03 tháng 3 năm 2021 của Chính phủ quy định chi tiết một số nội "
           "dung về quản lý dự án đầu tư xây dựng;")),
          "Trưởng phòng Quản lý đô thị", "QLĐT",
          "được xây dựng công trình nhà ở riêng lẻ có thời hạn tại thửa đất số {parcel}, tờ bản đồ số {sheet}, "
          "diện tích xây dựng {area} m², số tầng: {floors}.", "Cấp Giấy phép xây dựng có thời hạn cho"),
    Topic("Về việc công nhận Tổ trưởng tổ dân phố số {group}",
          ("Căn cứ Luật Thực hiện dân chủ ở cơ sở ngày 10 tháng 11 năm 2022;",
           ("Căn cứ Thông tư số 04/2012/TT-BNV ngày 31 tháng 8 năm 2012 của Bộ Nội vụ hướng dẫn về tổ chức và hoạt "
           "động của thôn, tổ dân phố;")),
          "Trưởng phòng Nội vụ", "NV",
          "giữ chức danh Tổ trưởng tổ dân phố số {group}.", "Công nhận"),
    Topic("Về việc trợ cấp xã hội hằng tháng đối với {who}",
          (("Căn cứ Nghị định số 20/2021/NĐ-CP ngày 15 tháng 3 năm 2021 của Chính phủ quy định chính sách trợ giúp "
           "xã hội đối với đối tượng bảo trợ xã hội;"),),
          "Trưởng phòng Lao động - Thương binh và Xã hội", "LĐTBXH",
          "được hưởng trợ cấp xã hội hằng tháng với mức {money} đồng/tháng.", "Trợ cấp xã hội hằng tháng cho"),
    Topic("Về việc cho {who} thuê đất để sản xuất nông nghiệp",
          ("Căn cứ Luật Đất đai ngày 29 tháng 11 năm 2013;",
           ("Căn cứ Nghị định số 43/2014/NĐ-CP ngày 15 tháng 5 năm 2014 của Chính phủ quy định chi tiết thi hành "
           "một số điều của Luật Đất đai;")),
          "Trưởng phòng Tài nguyên và Môi trường", "TNMT",
          "thuê {farm} m² đất nông nghiệp tại thửa đất số {parcel}, tờ bản đồ số {sheet} để trồng cây hằng năm.",
          "Cho"),
)


def build(rng: random.Random, family: FontFamily, dpi: int, shrink: float = 1.0) -> Draft:
    look = random_look(rng, leaders_share=0.0)
    issued = random_date(rng, dt.date(2017, 1, 1), TODAY - dt.timedelta(days=1))
    valid_until = random_date(rng, issued + dt.timedelta(days=180), issued + dt.timedelta(days=5 * 365))
    place = random_place(rng)
    level = rng.choice(("district", "district", "ward"))
    agency_unit = place.district_full() if level == "district" else place.ward
    agency = f"ỦY BAN NHÂN DÂN {agency_unit.upper()}"
    agency_lines = [("ỦY BAN NHÂN DÂN", rng.choice(("regular", "bold"))), (agency_unit.upper(), "bold")]
    locality = place.district.name if level == "district" and not place.district.name.isdigit() \
        else place.province.name
    number = rng.randint(12, 4800)
    symbol = rng.choice(("QĐ-UBND", "QĐ-UBND", "QĐ-CT"))
    so_ky_hieu = f"{number}/{issued.year}/{symbol}" if rng.random() < 0.25 else f"{number}/{symbol}"
    shown_number = so_ky_hieu.replace("/", " /", 1) if rng.random() < 0.3 else so_ky_hieu
    person = random_person(rng, born_from=dt.date(1950, 1, 1), born_to=issued.replace(year=issued.year - 20, day=1),
                           birth_province=place.province if rng.random() < 0.6 else None)
    topic = rng.choice(TOPICS)
    if level == "ward":  # a ward has no departments: its civil servants propose
        topic = replace(topic, proposer="Công chức Văn phòng - Thống kê", proposer_abbr="VP")
    signer = random_name(rng, rng.choice(("Nam", "Nam", "Nữ")))
    values = {
        "area": str(rng.randint(6, 300)), "farm": str(rng.randint(300, 5000)), "house": str(rng.randint(1, 300)),
        "parcel": str(rng.randint(1, 900)),
        "sheet": str(rng.randint(1, 60)), "floors": str(rng.randint(1, 4)), "group": str(rng.randint(1, 40)),
        "money": format_money(rng.choice((360_000, 540_000, 720_000, 1_000_000))),
    }
    upper_summary = rng.random() < 0.5
    who_summary = f"{person.honorific} {person.name.upper() if upper_summary else person.name}"
    summary = topic.summary.format(who=who_summary, **values)

    sheet, flow = new_page(family, dpi, look, shrink)
    body = look.body
    head_size = body.size - 0.5
    date_text = format_date(issued, "words" if rng.random() < 0.8 else "words_padded")
    italic = Style(head_size, "italic")
    official_header(flow, agency_lines,
                    [Segment("Số:", Style(head_size)), Segment(shown_number, Style(head_size), "so_ky_hieu")],
                    [Segment(f"{locality},", italic), Segment(date_text, italic, "ngay_ban_hanh")],
                    head_size, agency_field="co_quan_ban_hanh")
    flow.skip(6)
    flow.write(Segment("QUYẾT ĐỊNH", Style(body.size + 1, "bold")), align="center", leading=1.3)
    summary_lines = flow.write(Segment(summary, Style(body.size, "bold"), "trich_yeu"), align="center",
                               leading=1.3)
    flow.rule_under(summary_lines[-1], fraction=0.35, gap_mm=1.0)
    flow.skip(4)
    authority = f"ỦY BAN NHÂN DÂN {agency_unit.upper()}" if symbol == "QĐ-UBND" else \
        f"CHỦ TỊCH ỦY BAN NHÂN DÂN {agency_unit.upper()}"
    flow.write(Segment(authority, Style(body.size, "bold")), align="center")
    flow.skip(3)
    base_style = body.but(face="italic")
    for text in (*LAW_BASES, *topic.bases):
        flow.write(Segment(text, base_style), justify=True, indent_mm=10, leading=1.4)
        flow.skip(1)
    proposed = issued - dt.timedelta(days=rng.randint(3, 30))
    proposal = (f"Theo đề nghị của {topic.proposer} tại Tờ trình số {rng.randint(5, 900)}/TTr-{topic.proposer_abbr} "
                f"ngày {proposed:%d/%m/%Y}.")
    flow.write(Segment(proposal, base_style), justify=True, indent_mm=10)
    flow.skip(4)
    flow.write(Segment("QUYẾT ĐỊNH:", Style(body.size, "bold")), align="center")
    flow.skip(3)

    shown_name = person.name.upper() if look.upper_names else person.name
    address = format_address(person.residence, person.residence_street, look.address_style)
    article = [
        Segment("Điều 1.", body.but(face="bold")),
        Segment(f"{topic.verb} {person.honorific}", body),
        Segment(shown_name, body.but(face="bold"), "ho_ten"),
        Segment(f", sinh ngày {person.birth:%d/%m/%Y}, số định danh cá nhân", body),
        Segment(person.id_number, body, "so_dinh_danh"),
        Segment(f", thường trú tại {address}, {topic.article.format(**values)}", body),
    ]
    _write_article(flow, article)
    validity = rng.choice((
        "Quyết định có hiệu lực đến ngày",
        "Quyết định này có hiệu lực kể từ ngày ký đến hết ngày",
        "Quyết định có hiệu lực từ ngày ký đến ngày",
    ))
    valid_text = format_date(valid_until, rng.choice(("slash", "words"))).removeprefix("ngày ")
    _write_article(flow, [Segment("Điều 2.", body.but(face="bold")), Segment(validity, body),
                          Segment(valid_text, body, "hieu_luc_den"), Segment(".", body)])
    ward_name = place.ward if level == "district" else ""
    executors = (f"Chánh Văn phòng Hội đồng nhân dân và Ủy ban nhân dân, {topic.proposer}"
                 + (f", Chủ tịch Ủy ban nhân dân {ward_name}" if ward_name else "")
                 + f" và {person.honorific} {person.name} chịu trách nhiệm thi hành Quyết định này./.")
    _write_article(flow, [Segment("Điều 3.", body.but(face="bold")), Segment(executors, body)])
    flow.skip(5)

    x0, x1 = flow.x0_mm, flow.x1_mm
    left, right = flow.columns((x0, x0 + (x1 - x0) * 0.45), (x0 + (x1 - x0) * 0.45, x1 + 5))
    small = Style(body.size - 2)
    left.write(Segment("Nơi nhận:", Style(body.size - 1, "bolditalic")), leading=1.3)
    for item in ("- Như Điều 3;", "- TT HĐND, UBND;" if level == "ward" else "- TT Quận ủy, TT HĐND;",
                 "- Lãnh đạo UBND;", f"- Lưu: VT, {topic.proposer_abbr}."):
        left.write(Segment(item, small), leading=1.25)
    titles = ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"] if symbol == "QĐ-UBND" else ["CHỦ TỊCH"]
    if rng.random() < 0.4:
        titles = [*titles[:-1], "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    signer_block(right, titles, signer, size=body.size, field="nguoi_ky")
    flow.join([left, right])

    fields = {
        "so_ky_hieu": so_ky_hieu,
        "ngay_ban_hanh": issued.isoformat(),
        "co_quan_ban_hanh": agency,
        "trich_yeu": summary,
        "nguoi_ky": signer,
        "ho_ten": person.name,
        "so_dinh_danh": person.id_number,
        "hieu_luc_den": valid_until.isoformat(),
    }
    return Draft(sheet, fields, "a4", seal=agency)


def _write_article(flow: Flow, segments: list[Segment]) -> None:
    """An article paragraph: first-line indent, justified; segments starting with punctuation are glued on."""
    glued = [Segment(seg.text, seg.style, seg.field, glue=seg.text[:1] in ",.;:") for seg in segments]
    flow.write(glued, justify=True, indent_mm=10, leading=1.4)
    flow.skip(1.5)
