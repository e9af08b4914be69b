"""Vietnamese personal names for synthetic papers: family names weighted by how common they are, middle and
given names per gender, all NFC with full diacritics.

Kept apart from the form builders so the same name lists can feed other test data (wallet records, search
benchmarks) without pulling in the renderer.
"""

from __future__ import annotations

import random

# (family name, rough share of the population in %): Nguyễn alone is about 38%.
FAMILY_NAMES: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 38.0), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.0), ("Hoàng", 3.0), ("Huỳnh", 2.0),
    ("Phan", 4.5), ("Vũ", 2.5), ("Võ", 1.5), ("Đặng", 2.1), ("Bùi", 2.0), ("Đỗ", 1.4), ("Hồ", 1.3),
    ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.5), ("Đinh", 0.6), ("Trịnh", 0.5), ("Đào", 0.5), ("Lương", 0.4),
    ("Mai", 0.4), ("Tạ", 0.3), ("Cao", 0.3), ("Lâm", 0.3), ("Quách", 0.2), ("Tô", 0.2), ("Hà", 0.3),
    ("Chu", 0.2), ("Kiều", 0.2), ("Phùng", 0.2), ("Nghiêm", 0.1), ("Lưu", 0.2), ("Triệu", 0.2),
    ("Vương", 0.2), ("Khúc", 0.1), ("Thái", 0.1), ("Doãn", 0.1), ("Âu", 0.1), ("Ứng", 0.05),
)

MIDDLE_NAMES: dict[str, tuple[str, ...]] = {
    "Nam": ("Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Thành", "Công", "Xuân", "Ngọc", "Anh", "Tuấn",
            "Gia", "Đình", "Thế", "Trọng", "Việt", "Bảo", "Hoàng", "Mạnh", "Quốc", "Tiến", "Duy", "Khắc"),
    "Nữ": ("Thị", "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Hồng", "Kim", "Bảo", "Khánh",
           "Mai", "Diệu", "Thùy", "Hoài", "Lan", "Quỳnh", "Bích", "Hải", "Tuyết", "Mỹ"),
}

GIVEN_NAMES: dict[str, tuple[str, ...]] = {
    "Nam": ("An", "Anh", "Bảo", "Bình", "Cường", "Dũng", "Dương", "Duy", "Đạt", "Định", "Đức", "Giang", "Hải",
            "Hiếu", "Hòa", "Hoàng", "Huy", "Hùng", "Hưng", "Khánh", "Khoa", "Khải", "Kiên", "Lâm", "Long",
            "Lộc", "Lực", "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Quang", "Quyết", "Sơn", "Tài",
            "Thắng", "Thành", "Thịnh", "Thuận", "Tiến", "Toàn", "Trung", "Trường", "Tú", "Tuấn", "Việt", "Vinh",
            "Vũ", "Hậu", "Đông", "Chiến", "Nhật", "Hiển", "Luân", "Thái", "Khôi", "Phát", "Tùng"),
    "Nữ": ("Anh", "Ánh", "Chi", "Diệp", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hồng", "Huệ",
           "Hương", "Huyền", "Lan", "Liên", "Linh", "Loan", "Ly", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nguyệt",
           "Nhung", "Oanh", "Phương", "Quyên", "Quỳnh", "Thảo", "Thoa", "Thủy", "Thư", "Trang", "Trinh",
           "Tuyết", "Uyên", "Vân", "Vy", "Xuân", "Yến", "Hường", "Lụa", "Thắm", "Nhàn", "Duyên", "Hảo", "Giao"),
}

# A second middle name makes the four-syllable names common in the south and among younger people.
SECOND_MIDDLE: dict[str, tuple[str, ...]] = {
    "Nam": ("Minh", "Quốc", "Hoàng", "Gia", "Đăng", "Nhật"),
    "Nữ": ("Ngọc", "Thu", "Thanh", "Bảo", "Phương", "Kim", "Mỹ"),
}


def random_family_name(rng: random.Random) -> str:
    names, weights = zip(*FAMILY_NAMES, strict=True)
    return rng.choices(names, weights=weights, k=1)[0]


def random_name(rng: random.Random, gender: str, family: str | None = None) -> str:
    """A full name in title case, e.g. "Nguyễn Thị Hằng"; `gender` is "Nam" or "Nữ"."""
    family = family or random_family_name(rng)
    middle = [rng.choice(MIDDLE_NAMES[gender])]
    if rng.random() < 0.15:
        second = rng.choice(SECOND_MIDDLE[gender])
        if second != middle[0]:
            middle.append(second)
    given = rng.choice(GIVEN_NAMES[gender])
    while given in middle:
        given = rng.choice(GIVEN_NAMES[gender])
    return " ".join([family, *middle, given])
