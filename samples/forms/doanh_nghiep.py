"""Giấy chứng nhận đăng ký doanh nghiệp (enterprise registration certificate) as the business registration
office of a provincial Department of Planning and Investment issues it: enterprise code with a valid check
digit, names, head office, charter capital in figures and words, legal representative."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata

from samples.fonts import FontFamily
from samples.forms.common import Draft, labelled, new_page, official_header, random_look, signer_block
from samples.identity import enterprise_code
from samples.layout import Segment, Style
from samples.names import random_name
from samples.people import TODAY, random_date, random_person
from samples.places import format_address, random_place, random_province, street_part
from samples.wording import format_date, format_money, money_in_words

COMPANY_KINDS = (
    ("CÔNG TY TRÁCH NHIỆM HỮU HẠN HAI THÀNH VIÊN TRỞ LÊN", "CÔNG TY TNHH", "COMPANY LIMITED", "CO., LTD"),
    ("CÔNG TY TRÁCH NHIỆM HỮU HẠN MỘT THÀNH VIÊN", "CÔNG TY TNHH MỘT THÀNH VIÊN", "ONE MEMBER COMPANY LIMITED",
     "CO., LTD"),
    ("CÔNG TY CỔ PHẦN", "CÔNG TY CỔ PHẦN", "JOINT STOCK COMPANY", "JSC"),
)
TRADES = (
    ("THƯƠNG MẠI VÀ DỊCH VỤ", "TRADING AND SERVICES"), ("ĐẦU TƯ XÂY DỰNG", "CONSTRUCTION INVESTMENT"),
    ("CÔNG NGHỆ", "TECHNOLOGY"), ("THỰC PHẨM", "FOOD"), ("VẬN TẢI", "TRANSPORT"), ("TƯ VẤN", "CONSULTING"),
    ("XUẤT NHẬP KHẨU", "IMPORT EXPORT"), ("DU LỊCH", "TRAVEL"), ("GIÁO DỤC", "EDUCATION"),
    ("NỘI THẤT", "FURNITURE"), ("DƯỢC PHẨM", "PHARMACEUTICAL"), ("CƠ KHÍ", "MECHANICAL"),
)
BRANDS = ("AN PHÁT", "HƯNG THỊNH", "MINH ĐỨC", "ĐẠI VIỆT", "HOÀNG LONG", "SAO MAI", "TÂN PHÚ", "THÀNH CÔNG",
          "PHÚ GIA", "BẢO NGỌC", "TRƯỜNG SƠN", "HẢI ĐĂNG", "VIỆT Á", "ĐÔNG DƯƠNG", "KIM NGÂN", "THIÊN ÂN",
          "NAM VIỆT", "HỒNG HÀ", "PHƯƠNG ĐÔNG", "QUANG MINH", "TIẾN ĐẠT", "LỘC PHÁT", "ÁNH DƯƠNG")
TITLES = ("Giám đốc", "Tổng giám đốc", "Chủ tịch Hội đồng quản trị", "Chủ tịch công ty")


def ascii_fold(text: str) -> str:
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def build(rng: random.Random, family: FontFamily, dpi: int, shrink: float = 1.0) -> Draft:
    look = random_look(rng, leaders_share=0.1)
    province = random_province(rng, with_tax_prefix=True)
    code = enterprise_code(rng, province.tax_prefix or "01")
    first = random_date(rng, dt.date(2008, 1, 1), TODAY - dt.timedelta(days=10))
    changes = rng.randint(0, 6) if first < TODAY - dt.timedelta(days=400) else 0
    if first < dt.date(2016, 6, 1):  # the representative's 12-digit identity number dates the paper after 2016
        changes = max(changes, 1)
    changed = random_date(rng, max(first + dt.timedelta(days=30), dt.date(2016, 6, 1)), TODAY) if changes else None
    latest = changed or first
    kind, short_kind, kind_en, kind_abbr = rng.choice(COMPANY_KINDS)
    trade, trade_en = rng.choice(TRADES)
    brand = rng.choice(BRANDS)
    name_vi = f"{short_kind} {trade} {brand}"
    name_en = f"{ascii_fold(brand)} {trade_en} {kind_en}"
    abbr = f"{ascii_fold(brand)} {kind_abbr}"
    office_place = random_place(rng, province, urban=True)
    head_office = format_address(office_place, street_part(rng, office_place), "full") + ", Việt Nam"
    capital = rng.choice((1, 2, 3, 5, 8, 10, 15, 20, 30, 50)) * rng.choice((10**8, 10**9))
    rep = random_person(rng, born_from=dt.date(1960, 1, 1), born_to=first.replace(year=first.year - 22, day=1))
    rep_title = rng.choice(TITLES[2:] if short_kind == "CÔNG TY CỔ PHẦN" and rng.random() < 0.4 else TITLES[:2])
    agency_lines = [(f"SỞ KẾ HOẠCH VÀ ĐẦU TƯ {province.full_name.upper()}", "regular"),
                    ("PHÒNG ĐĂNG KÝ KINH DOANH", "bold")]
    if len(agency_lines[0][0]) > 34:  # a long province name goes on a line of its own
        agency_lines = [("SỞ KẾ HOẠCH VÀ ĐẦU TƯ", "regular"), (province.full_name.upper(), "regular"),
                        agency_lines[1]]
    agency = " ".join(text for text, _ in agency_lines)

    sheet, flow = new_page(family, dpi, look, shrink)
    body = look.body
    date_place = f"{province.name}, {format_date(latest, 'words')}"
    official_header(flow, agency_lines, [], [Segment(date_place, Style(body.size - 0.5, "italic"))],
                    body.size - 0.5, agency_field="co_quan_cap")
    flow.skip(7)
    flow.write(Segment("GIẤY CHỨNG NHẬN ĐĂNG KÝ DOANH NGHIỆP", Style(body.size + 2, "bold")), align="center",
               leading=1.3)
    flow.write(Segment(kind, Style(body.size, "bold")), align="center", leading=1.5)
    flow.write([Segment("Mã số doanh nghiệp:", Style(body.size, "bold")),
                Segment(code, Style(body.size + 1, "bold"), "ma_so_doanh_nghiep")], align="center")
    flow.write([Segment("Đăng ký lần đầu:", look.label.but(face="italic")),
                Segment(format_date(first, look.date_style if look.date_style != "slash_short" else "slash"),
                        look.label.but(face="italic"), "ngay_dang_ky_lan_dau")], align="center", leading=1.3)
    if changed:
        flow.write(Segment(f"Đăng ký thay đổi lần thứ: {changes}, {format_date(changed, 'words')}",
                           look.label.but(face="italic")), align="center")
    flow.skip(5)

    section = body.but(face="bold")
    flow.write(Segment("1. Tên công ty", section))
    labelled(flow, look, "Tên công ty viết bằng tiếng Việt:", name_vi, "ten_doanh_nghiep",
             value_style=look.value.but(face="bold"))
    labelled(flow, look, "Tên công ty viết bằng tiếng nước ngoài:", name_en, None)
    labelled(flow, look, "Tên công ty viết tắt:", abbr, None)
    flow.write(Segment("2. Địa chỉ trụ sở chính", section))
    flow.write(Segment(head_office, look.value.but(face="regular"), "dia_chi_tru_so"))
    flow.row([(0, [Segment("Điện thoại:", look.label), Segment(_phone(rng, province.name), look.label)]),
              (80, [Segment("Fax:", look.label)])])
    flow.write(Segment("3. Vốn điều lệ", section))
    labelled(flow, look, "Vốn điều lệ:", f"{format_money(capital)} đồng", "von_dieu_le")
    labelled(flow, look, "Bằng chữ:", money_in_words(capital), None, value_style=look.label.but(face="italic"))
    flow.write(Segment("4. Người đại diện theo pháp luật của công ty", section))
    flow.row([(0, [Segment("* Họ và tên:", look.label),
                   Segment(rep.name.upper() if look.upper_names else rep.name, look.value.but(face="bold"),
                           "nguoi_dai_dien")]),
              (105, [Segment("Giới tính:", look.label), Segment(rep.gender, look.value)])])
    labelled(flow, look, "Chức danh:", rep_title, None)
    flow.row([(0, [Segment("Sinh ngày:", look.label), Segment(rep.birth.strftime("%d/%m/%Y"), look.value)]),
              (55, [Segment("Dân tộc:", look.label), Segment(rep.ethnicity, look.value)]),
              (100, [Segment("Quốc tịch:", look.label), Segment("Việt Nam", look.value)])])
    labelled(flow, look, "Loại giấy tờ pháp lý của cá nhân:", "Thẻ căn cước công dân", None)
    labelled(flow, look, "Số giấy tờ pháp lý của cá nhân:", rep.id_number, "so_dinh_danh_nguoi_dai_dien")
    id_issued = random_date(rng, max(dt.date(2016, 1, 1), rep.birth.replace(year=rep.birth.year + 14, day=1)),
                            latest)
    flow.row([(0, [Segment("Ngày cấp:", look.label), Segment(id_issued.strftime("%d/%m/%Y"), look.value)]),
              (50, [Segment("Nơi cấp:", look.label),
                    Segment("Cục Cảnh sát quản lý hành chính về trật tự xã hội", look.value)])])
    labelled(flow, look, "Địa chỉ thường trú:",
             format_address(rep.residence, rep.residence_street, look.address_style), None)
    labelled(flow, look, "Địa chỉ liên lạc:",
             format_address(rep.residence, rep.residence_street, look.address_style), None)
    flow.skip(5)

    x0, x1 = flow.x0_mm, flow.x1_mm
    (right,) = flow.columns((x0 + (x1 - x0) * 0.45, x1 + 5))
    chief = random_name(rng, rng.choice(("Nam", "Nữ")))
    titles = ["TRƯỞNG PHÒNG"] if rng.random() < 0.6 else ["KT. TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG"]
    signer_block(right, titles, chief, size=body.size, space_mm=22)
    flow.join([right])

    fields = {
        "ma_so_doanh_nghiep": code,
        "ten_doanh_nghiep": name_vi,
        "dia_chi_tru_so": head_office,
        "von_dieu_le": capital,
        "nguoi_dai_dien": rep.name,
        "so_dinh_danh_nguoi_dai_dien": rep.id_number,
        "ngay_dang_ky_lan_dau": first.isoformat(),
        "co_quan_cap": agency,
    }
    return Draft(sheet, fields, "a4", seal=f"PHÒNG ĐĂNG KÝ KINH DOANH {province.name.upper()}")


def _phone(rng: random.Random, province: str) -> str:
    area = {"Hà Nội": "024", "Hồ Chí Minh": "028", "Hải Phòng": "0225", "Đà Nẵng": "0236", "Cần Thơ": "0292"}
    return f"{area.get(province, '024')} {rng.randint(3000, 3999)} {rng.randint(1000, 9999)}"
