"""Administrative units (pre-2025: 63 provinces with their identity-number codes, districts, wards), streets
and hospitals, and random Vietnamese addresses written the ways real papers write them.

Papers issued before 2025-07-01 name the old units (DESIGN.md §4), which is what these synthetic papers
imitate. Codes are the 3-digit province codes that open a CCCD number.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from schemas.identity import PROVINCE_CODES as CODE_TO_PROVINCE

# All 63 provinces before 2025 with the 3-digit code used in identity numbers (one table: schemas.identity).
PROVINCE_CODES: dict[str, str] = {name: code for code, name in CODE_TO_PROVINCE.items()}

CENTRAL_CITIES = frozenset({"Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ"})


@dataclass(frozen=True)
class District:
    kind: str  # Quận, Huyện, Thị xã, Thành phố
    name: str
    wards: tuple[str, ...]  # "Phường Kim Mã", "Xã Bát Tràng", "Thị trấn Trâu Quỳ"

    @property
    def urban(self) -> bool:
        return self.kind in ("Quận", "Thành phố", "Thị xã")


@dataclass(frozen=True)
class Province:
    name: str
    districts: tuple[District, ...]
    streets: tuple[str, ...]
    hospitals: tuple[str, ...] = ()
    tax_prefix: str | None = None  # first two digits of enterprise codes registered there

    @property
    def code(self) -> str:
        return PROVINCE_CODES[self.name]

    @property
    def kind(self) -> str:
        return "Thành phố" if self.name in CENTRAL_CITIES else "Tỉnh"

    @property
    def full_name(self) -> str:
        return f"{self.kind} {self.name}"


def _d(kind: str, name: str, *wards: str) -> District:
    return District(kind, name, wards)


PROVINCES: tuple[Province, ...] = (
    Province(
        "Hà Nội",
        (
            _d("Quận", "Ba Đình", "Phường Điện Biên", "Phường Kim Mã", "Phường Ngọc Hà", "Phường Liễu Giai",
               "Phường Cống Vị", "Phường Giảng Võ", "Phường Đội Cấn"),
            _d("Quận", "Hoàn Kiếm", "Phường Hàng Bạc", "Phường Hàng Bông", "Phường Tràng Tiền",
               "Phường Lý Thái Tổ", "Phường Hàng Trống", "Phường Phan Chu Trinh"),
            _d("Quận", "Đống Đa", "Phường Văn Miếu", "Phường Láng Thượng", "Phường Kim Liên", "Phường Trung Liệt",
               "Phường Ô Chợ Dừa", "Phường Khâm Thiên", "Phường Quốc Tử Giám"),
            _d("Quận", "Cầu Giấy", "Phường Dịch Vọng", "Phường Dịch Vọng Hậu", "Phường Nghĩa Đô", "Phường Quan Hoa",
               "Phường Yên Hòa", "Phường Trung Hòa", "Phường Mai Dịch"),
            _d("Quận", "Hai Bà Trưng", "Phường Bạch Đằng", "Phường Minh Khai", "Phường Thanh Nhàn",
               "Phường Lê Đại Hành", "Phường Bách Khoa", "Phường Trương Định"),
            _d("Quận", "Thanh Xuân", "Phường Khương Trung", "Phường Nhân Chính", "Phường Thượng Đình",
               "Phường Thanh Xuân Bắc", "Phường Hạ Đình"),
            _d("Quận", "Long Biên", "Phường Bồ Đề", "Phường Ngọc Lâm", "Phường Gia Thụy", "Phường Đức Giang",
               "Phường Thạch Bàn"),
            _d("Quận", "Hoàng Mai", "Phường Định Công", "Phường Tương Mai", "Phường Hoàng Liệt", "Phường Đại Kim"),
            _d("Quận", "Hà Đông", "Phường Văn Quán", "Phường Mộ Lao", "Phường Hà Cầu", "Phường Quang Trung"),
            _d("Quận", "Tây Hồ", "Phường Quảng An", "Phường Nhật Tân", "Phường Xuân La", "Phường Bưởi"),
            _d("Huyện", "Gia Lâm", "Thị trấn Trâu Quỳ", "Xã Bát Tràng", "Xã Đa Tốn", "Xã Kim Sơn"),
            _d("Huyện", "Đông Anh", "Thị trấn Đông Anh", "Xã Uy Nỗ", "Xã Kim Chung", "Xã Cổ Loa"),
            _d("Huyện", "Thanh Trì", "Thị trấn Văn Điển", "Xã Tả Thanh Oai", "Xã Vĩnh Quỳnh"),
            _d("Huyện", "Ba Vì", "Thị trấn Tây Đằng", "Xã Tản Lĩnh", "Xã Vân Hòa"),
        ),
        ("Kim Mã", "Đội Cấn", "Liễu Giai", "Nguyễn Chí Thanh", "Láng Hạ", "Tôn Đức Thắng", "Xã Đàn", "Phố Huế",
         "Bạch Mai", "Minh Khai", "Trần Duy Hưng", "Cầu Giấy", "Xuân Thủy", "Hoàng Quốc Việt", "Nguyễn Trãi",
         "Giải Phóng", "Trường Chinh", "Lê Duẩn", "Hàng Bài", "Nguyễn Văn Cừ", "Ngọc Lâm", "Lạc Long Quân",
         "Âu Cơ", "Nguyễn Khánh Toàn", "Thái Hà", "Chùa Bộc", "Khương Đình", "Trần Khát Chân"),
        ("Bệnh viện Phụ sản Hà Nội", "Bệnh viện Bạch Mai", "Bệnh viện Phụ sản Trung ương",
         "Bệnh viện Đa khoa Hà Đông", "Bệnh viện Thanh Nhàn", "Bệnh viện Đa khoa Đức Giang"),
        "01",
    ),
    Province(
        "Hồ Chí Minh",
        (
            _d("Quận", "1", "Phường Bến Nghé", "Phường Bến Thành", "Phường Đa Kao", "Phường Tân Định",
               "Phường Cầu Ông Lãnh", "Phường Nguyễn Thái Bình", "Phường Phạm Ngũ Lão"),
            _d("Quận", "3", "Phường Võ Thị Sáu", "Phường 4", "Phường 5", "Phường 9", "Phường 14"),
            _d("Quận", "Bình Thạnh", "Phường 1", "Phường 2", "Phường 15", "Phường 22", "Phường 25"),
            _d("Quận", "Tân Bình", "Phường 2", "Phường 4", "Phường 12", "Phường 13"),
            _d("Quận", "Gò Vấp", "Phường 1", "Phường 5", "Phường 10", "Phường 17"),
            _d("Quận", "Phú Nhuận", "Phường 2", "Phường 9", "Phường 15"),
            _d("Thành phố", "Thủ Đức", "Phường Thảo Điền", "Phường An Phú", "Phường Linh Trung",
               "Phường Hiệp Bình Chánh", "Phường Tăng Nhơn Phú A"),
            _d("Huyện", "Bình Chánh", "Thị trấn Tân Túc", "Xã Vĩnh Lộc A", "Xã Bình Hưng"),
            _d("Huyện", "Củ Chi", "Thị trấn Củ Chi", "Xã Tân Thông Hội", "Xã Phước Hiệp"),
        ),
        ("Nguyễn Huệ", "Lê Lợi", "Hai Bà Trưng", "Điện Biên Phủ", "Nguyễn Thị Minh Khai", "Cách Mạng Tháng Tám",
         "Võ Văn Tần", "Nam Kỳ Khởi Nghĩa", "Xô Viết Nghệ Tĩnh", "Phan Đăng Lưu", "Hoàng Văn Thụ", "Cộng Hòa",
         "Quang Trung", "Nguyễn Oanh", "Xa lộ Hà Nội", "Võ Văn Ngân", "Nguyễn Văn Linh", "Trường Chinh"),
        ("Bệnh viện Từ Dũ", "Bệnh viện Hùng Vương", "Bệnh viện Nhân dân Gia Định", "Bệnh viện Chợ Rẫy"),
        "03",
    ),
    Province(
        "Hải Phòng",
        (
            _d("Quận", "Lê Chân", "Phường An Biên", "Phường Trại Cau", "Phường Dư Hàng Kênh", "Phường Hồ Nam"),
            _d("Quận", "Ngô Quyền", "Phường Lạch Tray", "Phường Máy Tơ", "Phường Cầu Đất", "Phường Đằng Giang"),
            _d("Quận", "Hồng Bàng", "Phường Minh Khai", "Phường Hoàng Văn Thụ", "Phường Sở Dầu"),
            _d("Huyện", "An Dương", "Thị trấn An Dương", "Xã Lê Thiện", "Xã An Hòa"),
        ),
        ("Lạch Tray", "Trần Nguyên Hãn", "Tô Hiệu", "Lê Lợi", "Điện Biên Phủ", "Hoàng Văn Thụ", "Văn Cao"),
        ("Bệnh viện Phụ sản Hải Phòng", "Bệnh viện Hữu nghị Việt Tiệp"),
        "02",
    ),
    Province(
        "Đà Nẵng",
        (
            _d("Quận", "Hải Châu", "Phường Thạch Thang", "Phường Hải Châu I", "Phường Hòa Cường Bắc",
               "Phường Phước Ninh"),
            _d("Quận", "Thanh Khê", "Phường Tân Chính", "Phường Chính Gián", "Phường Thạc Gián"),
            _d("Quận", "Sơn Trà", "Phường An Hải Bắc", "Phường Mân Thái", "Phường Phước Mỹ"),
            _d("Quận", "Ngũ Hành Sơn", "Phường Mỹ An", "Phường Khuê Mỹ"),
            _d("Quận", "Liên Chiểu", "Phường Hòa Khánh Bắc", "Phường Hòa Minh"),
            _d("Huyện", "Hòa Vang", "Xã Hòa Phong", "Xã Hòa Tiến"),
        ),
        ("Bạch Đằng", "Trần Phú", "Lê Duẩn", "Nguyễn Văn Linh", "Điện Biên Phủ", "Ngô Quyền", "Võ Nguyên Giáp"),
        ("Bệnh viện Phụ sản - Nhi Đà Nẵng", "Bệnh viện Đà Nẵng"),
        "04",
    ),
    Province(
        "Cần Thơ",
        (
            _d("Quận", "Ninh Kiều", "Phường Tân An", "Phường An Hòa", "Phường Xuân Khánh", "Phường Hưng Lợi"),
            _d("Quận", "Cái Răng", "Phường Lê Bình", "Phường Hưng Phú"),
            _d("Huyện", "Phong Điền", "Thị trấn Phong Điền", "Xã Mỹ Khánh"),
        ),
        ("Ba Tháng Hai", "Trần Hưng Đạo", "Nguyễn Văn Cừ", "Mậu Thân", "Hòa Bình"),
        ("Bệnh viện Phụ sản Thành phố Cần Thơ", "Bệnh viện Đa khoa Trung ương Cần Thơ"),
        "18",
    ),
    Province(
        "Thừa Thiên Huế",
        (
            _d("Thành phố", "Huế", "Phường Phú Hội", "Phường Vĩnh Ninh", "Phường Thuận Thành", "Phường Tây Lộc"),
            _d("Thị xã", "Hương Thủy", "Phường Phú Bài", "Phường Thủy Dương"),
        ),
        ("Lê Lợi", "Hùng Vương", "Trần Hưng Đạo", "Điện Biên Phủ", "Nguyễn Huệ"),
        ("Bệnh viện Trung ương Huế",),
    ),
    Province(
        "Nghệ An",
        (
            _d("Thành phố", "Vinh", "Phường Hưng Bình", "Phường Lê Lợi", "Phường Quang Trung", "Phường Trường Thi",
               "Phường Bến Thủy"),
            _d("Huyện", "Nam Đàn", "Thị trấn Nam Đàn", "Xã Kim Liên", "Xã Nam Giang"),
            _d("Huyện", "Diễn Châu", "Thị trấn Diễn Châu", "Xã Diễn Kỷ"),
        ),
        ("Lê Lợi", "Quang Trung", "Nguyễn Du", "Trường Thi", "Phong Định Cảng"),
        ("Bệnh viện Sản Nhi Nghệ An",),
    ),
    Province(
        "Thanh Hóa",
        (
            _d("Thành phố", "Thanh Hóa", "Phường Điện Biên", "Phường Ba Đình", "Phường Lam Sơn",
               "Phường Đông Thọ"),
            _d("Huyện", "Hoằng Hóa", "Thị trấn Bút Sơn", "Xã Hoằng Đạo"),
            _d("Huyện", "Thọ Xuân", "Thị trấn Thọ Xuân", "Xã Xuân Giang"),
        ),
        ("Lê Hoàn", "Trần Phú", "Bà Triệu", "Hạc Thành", "Lê Lai"),
        ("Bệnh viện Phụ sản Thanh Hóa",),
    ),
    Province(
        "Quảng Ninh",
        (
            _d("Thành phố", "Hạ Long", "Phường Bạch Đằng", "Phường Hồng Gai", "Phường Bãi Cháy", "Phường Hồng Hà"),
            _d("Thành phố", "Cẩm Phả", "Phường Cẩm Trung", "Phường Cẩm Thủy"),
        ),
        ("Lê Thánh Tông", "Hạ Long", "Nguyễn Văn Cừ", "Trần Hưng Đạo"),
        ("Bệnh viện Sản Nhi Quảng Ninh",),
    ),
    Province(
        "Bắc Ninh",
        (
            _d("Thành phố", "Bắc Ninh", "Phường Suối Hoa", "Phường Tiền An", "Phường Vũ Ninh", "Phường Đại Phúc"),
            _d("Thành phố", "Từ Sơn", "Phường Đông Ngàn", "Phường Đình Bảng"),
            _d("Huyện", "Thuận Thành", "Thị trấn Hồ", "Xã Đình Tổ"),
        ),
        ("Ngô Gia Tự", "Lý Thái Tổ", "Nguyễn Đăng Đạo", "Trần Hưng Đạo"),
        ("Bệnh viện Sản Nhi Bắc Ninh",),
    ),
    Province(
        "Nam Định",
        (
            _d("Thành phố", "Nam Định", "Phường Trần Hưng Đạo", "Phường Năng Tĩnh", "Phường Lộc Hạ"),
            _d("Huyện", "Hải Hậu", "Thị trấn Yên Định", "Thị trấn Cồn"),
        ),
        ("Trần Hưng Đạo", "Hàng Tiện", "Trường Chinh", "Điện Biên"),
        ("Bệnh viện Phụ sản Nam Định",),
    ),
    Province(
        "Thái Bình",
        (
            _d("Thành phố", "Thái Bình", "Phường Lê Hồng Phong", "Phường Kỳ Bá", "Phường Bồ Xuyên"),
        ),
        ("Lý Bôn", "Trần Hưng Đạo", "Lê Lợi", "Hai Bà Trưng"),
        ("Bệnh viện Phụ sản Thái Bình",),
    ),
    Province(
        "Ninh Bình",
        (
            _d("Thành phố", "Ninh Bình", "Phường Đông Thành", "Phường Tân Thành", "Phường Vân Giang"),
            _d("Huyện", "Hoa Lư", "Thị trấn Thiên Tôn", "Xã Trường Yên"),
        ),
        ("Trần Hưng Đạo", "Lê Hồng Phong", "Lương Văn Thăng"),
        ("Bệnh viện Sản Nhi Ninh Bình",),
    ),
    Province(
        "Hưng Yên",
        (
            _d("Thành phố", "Hưng Yên", "Phường Lê Lợi", "Phường Hiến Nam", "Phường Minh Khai"),
            _d("Huyện", "Văn Giang", "Thị trấn Văn Giang", "Xã Xuân Quan"),
        ),
        ("Nguyễn Văn Linh", "Điện Biên", "Phạm Ngũ Lão"),
        ("Bệnh viện Sản Nhi Hưng Yên",),
    ),
    Province(
        "Hải Dương",
        (
            _d("Thành phố", "Hải Dương", "Phường Trần Phú", "Phường Phạm Ngũ Lão", "Phường Nguyễn Trãi"),
        ),
        ("Trần Hưng Đạo", "Nguyễn Lương Bằng", "Thanh Niên"),
        ("Bệnh viện Phụ sản Hải Dương",),
    ),
    Province(
        "Phú Thọ",
        (
            _d("Thành phố", "Việt Trì", "Phường Gia Cẩm", "Phường Tiên Cát", "Phường Nông Trang"),
        ),
        ("Hùng Vương", "Châu Phong", "Trần Phú"),
        ("Bệnh viện Sản Nhi Phú Thọ",),
    ),
    Province(
        "Quảng Bình",
        (
            _d("Thành phố", "Đồng Hới", "Phường Hải Đình", "Phường Đồng Phú", "Phường Nam Lý"),
            _d("Huyện", "Lệ Thủy", "Thị trấn Kiến Giang", "Xã Lộc Thủy"),
        ),
        ("Quang Trung", "Trần Hưng Đạo", "Lý Thường Kiệt"),
    ),
    Province(
        "Quảng Nam",
        (
            _d("Thành phố", "Hội An", "Phường Minh An", "Phường Cẩm Phô", "Phường Sơn Phong"),
            _d("Thành phố", "Tam Kỳ", "Phường An Mỹ", "Phường Tân Thạnh"),
        ),
        ("Trần Phú", "Phan Chu Trinh", "Hùng Vương"),
    ),
    Province(
        "Khánh Hòa",
        (
            _d("Thành phố", "Nha Trang", "Phường Lộc Thọ", "Phường Vĩnh Hải", "Phường Phước Hòa",
               "Phường Tân Lập"),
        ),
        ("Trần Phú", "Thống Nhất", "Lê Thánh Tôn", "Hùng Vương"),
        ("Bệnh viện Đa khoa tỉnh Khánh Hòa",),
    ),
    Province(
        "Lâm Đồng",
        (
            _d("Thành phố", "Đà Lạt", "Phường 1", "Phường 2", "Phường 9", "Phường 10"),
            _d("Thành phố", "Bảo Lộc", "Phường 1", "Phường Lộc Sơn"),
        ),
        ("Trần Phú", "Phan Đình Phùng", "Hai Bà Trưng", "Ba Tháng Hai"),
    ),
    Province(
        "Bình Dương",
        (
            _d("Thành phố", "Thủ Dầu Một", "Phường Phú Cường", "Phường Hiệp Thành", "Phường Chánh Nghĩa"),
            _d("Thành phố", "Dĩ An", "Phường Dĩ An", "Phường Đông Hòa"),
        ),
        ("Đại lộ Bình Dương", "Yersin", "Cách Mạng Tháng Tám"),
    ),
    Province(
        "Đồng Nai",
        (
            _d("Thành phố", "Biên Hòa", "Phường Tân Phong", "Phường Trảng Dài", "Phường Quyết Thắng"),
        ),
        ("Phạm Văn Thuận", "Đồng Khởi", "Võ Thị Sáu"),
        ("Bệnh viện Đa khoa Đồng Nai",),
    ),
)

PROVINCE_BY_NAME: dict[str, Province] = {p.name: p for p in PROVINCES}

# Where people tend to be born: the large cities weigh more.
_PROVINCE_WEIGHTS: tuple[float, ...] = tuple(
    {"Hà Nội": 10.0, "Hồ Chí Minh": 6.0, "Hải Phòng": 2.0, "Đà Nẵng": 1.5}.get(p.name, 1.0) for p in PROVINCES
)

RURAL_HAMLETS = ("Thôn Đông", "Thôn Đoài", "Thôn Trung", "Thôn 1", "Thôn 3", "Thôn 5", "Xóm 2", "Xóm 7",
                 "Thôn Thượng", "Thôn Hạ", "Tổ dân phố số 4")
SOUTHERN_HAMLETS = ("Ấp Bình Hòa", "Ấp 3", "Ấp Mỹ Lợi", "Ấp 1", "Ấp Tân Thạnh")  # the south says "ấp"
SOUTHERN = frozenset({"Hồ Chí Minh", "Cần Thơ", "Bình Dương", "Đồng Nai"})


@dataclass(frozen=True)
class Place:
    """A ward-level place: the parts an address is written from."""

    province: Province
    district: District
    ward: str  # with its kind: "Phường Kim Mã"

    def ward_name(self) -> str:
        return self.ward.split(" ", 1)[1] if not self.ward.startswith("Thị trấn") else self.ward[len("Thị trấn "):]

    def district_full(self) -> str:
        return f"{self.district.kind} {self.district.name}"


def random_province(rng: random.Random, *, with_tax_prefix: bool = False) -> Province:
    if with_tax_prefix:
        return rng.choice([p for p in PROVINCES if p.tax_prefix])
    return rng.choices(PROVINCES, weights=_PROVINCE_WEIGHTS, k=1)[0]


def random_place(rng: random.Random, province: Province | None = None, *, urban: bool | None = None) -> Place:
    province = province or random_province(rng)
    districts = [d for d in province.districts if urban is None or d.urban == urban] or list(province.districts)
    district = rng.choice(districts)
    return Place(province, district, rng.choice(district.wards))


def street_part(rng: random.Random, place: Place) -> str:
    """The part of an address below the ward: house number, lane, street, or a hamlet in the countryside."""
    if place.ward.startswith("Xã"):
        return rng.choice(SOUTHERN_HAMLETS if place.province.name in SOUTHERN else RURAL_HAMLETS)
    street = rng.choice(place.province.streets)
    number = rng.randint(1, 320)
    lane = rng.randint(2, 180)
    pattern = rng.random()
    if pattern < 0.3:
        return f"Số {number} {'phố' if place.province.name == 'Hà Nội' else 'đường'} {street}"
    if pattern < 0.55:
        return f"Số {number}, ngõ {lane}, {'phố' if rng.random() < 0.5 else 'đường'} {street}"
    if pattern < 0.7:
        return f"Số {number}/{lane} đường {street}"
    if pattern < 0.85:
        return f"Tổ {rng.randint(1, 40)}"
    return f"Số {rng.randint(1, 60)}, ngách {lane}/{rng.randint(2, 90)}, ngõ {lane}, {street}"


def format_address(place: Place, street: str | None, style: str = "full") -> str:
    """Write an address the way a given paper does.

    styles: "full" (Phường Kim Mã, Quận Ba Đình, Thành phố Hà Nội), "lower" (phường Kim Mã, quận Ba Đình,
    thành phố Hà Nội), "short" as printed on chip identity cards (Kim Mã, Ba Đình, Hà Nội).
    """
    if style == "short":
        parts = [place.ward_name() if not place.ward_name().isdigit() else place.ward, place.district.name
                 if not place.district.name.isdigit() else place.district_full(), place.province.name]
    else:
        parts = [place.ward, place.district_full(), place.province.full_name]
        if style == "lower":
            parts = [lower_kind(p) for p in parts]
    if street:
        parts.insert(0, street)
    return ", ".join(parts)


def lower_kind(unit: str) -> str:
    for kind in ("Thành phố", "Thị trấn", "Thị xã", "Phường", "Quận", "Huyện", "Tỉnh", "Xã"):
        if unit.startswith(kind + " "):
            return kind.lower() + unit[len(kind):]
    return unit


def random_address(rng: random.Random, province: Province | None = None, *, style: str = "full",
                   with_street: bool = True, urban: bool | None = None) -> str:
    place = random_place(rng, province, urban=urban)
    return format_address(place, street_part(rng, place) if with_street else None, style)


def birth_place(rng: random.Random, province: Province) -> str:
    """Where a child was born, as written on a birth certificate: a hospital, or a commune health station."""
    if province.hospitals and rng.random() < 0.7:
        return f"{rng.choice(province.hospitals)}, {province.full_name}"
    place = random_place(rng, province)
    station = "Trạm y tế " + lower_kind(place.ward)
    return f"{station}, {lower_kind(place.district_full())}, {lower_kind(province.full_name)}"
