"""The six document types of the wallet and their field names — a public contract (DESIGN.md §3).

Benchmarks and users outside this repository read these names from `sohoa extract --json`: change them only on
purpose. Per-type pydantic models with typed values and validators build on this table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocType:
    code: str
    title_vi: str
    title_en: str
    fields: tuple[str, ...]
    required: tuple[str, ...]  # without these a record cannot be auto-approved


DOC_TYPES: dict[str, DocType] = {
    t.code: t
    for t in (
        DocType(
            "khai_sinh",
            "Giấy khai sinh",
            "Birth certificate",
            ("so", "quyen_so", "ho_ten", "gioi_tinh", "ngay_sinh", "noi_sinh", "dan_toc", "quoc_tich",
             "so_dinh_danh", "ho_ten_me", "ho_ten_cha", "noi_dang_ky", "ngay_dang_ky"),
            ("so", "ho_ten", "gioi_tinh", "ngay_sinh", "noi_dang_ky", "ngay_dang_ky"),
        ),
        DocType(
            "cccd",
            "Căn cước công dân",
            "Citizen identity card",
            ("so_dinh_danh", "ho_ten", "ngay_sinh", "gioi_tinh", "quoc_tich", "que_quan", "noi_thuong_tru",
             "ngay_het_han"),
            ("so_dinh_danh", "ho_ten", "ngay_sinh", "gioi_tinh"),
        ),
        DocType(
            "ket_hon",
            "Giấy chứng nhận kết hôn",
            "Marriage certificate",
            ("so", "ngay_dang_ky", "noi_dang_ky", "chong_ho_ten", "chong_ngay_sinh", "chong_so_dinh_danh",
             "vo_ho_ten", "vo_ngay_sinh", "vo_so_dinh_danh"),
            ("so", "ngay_dang_ky", "noi_dang_ky", "chong_ho_ten", "vo_ho_ten"),
        ),
        DocType(
            "dang_ky_doanh_nghiep",
            "Giấy chứng nhận đăng ký doanh nghiệp",
            "Enterprise registration certificate",
            ("ma_so_doanh_nghiep", "ten_doanh_nghiep", "dia_chi_tru_so", "von_dieu_le", "nguoi_dai_dien",
             "so_dinh_danh_nguoi_dai_dien", "ngay_dang_ky_lan_dau", "co_quan_cap"),
            ("ma_so_doanh_nghiep", "ten_doanh_nghiep", "nguoi_dai_dien", "ngay_dang_ky_lan_dau"),
        ),
        DocType(
            "quyet_dinh",
            "Quyết định",
            "Decision (People's Committee)",
            ("so_ky_hieu", "ngay_ban_hanh", "co_quan_ban_hanh", "trich_yeu", "nguoi_ky", "ho_ten", "so_dinh_danh",
             "hieu_luc_den"),
            ("so_ky_hieu", "ngay_ban_hanh", "co_quan_ban_hanh", "trich_yeu"),
        ),
        DocType(
            "gcn_qsdd",
            "Giấy chứng nhận quyền sử dụng đất",
            "Land-use right certificate",
            ("so_phat_hanh", "chu_su_dung", "so_dinh_danh", "thua_dat_so", "to_ban_do_so", "dia_chi", "dien_tich",
             "muc_dich_su_dung", "thoi_han_su_dung", "ngay_cap", "co_quan_cap"),
            ("so_phat_hanh", "chu_su_dung", "thua_dat_so", "to_ban_do_so", "dien_tich", "ngay_cap"),
        ),
    )
}

# Every contract field as an officer reads it, (Vietnamese, English): the review and document pages and the CLI's
# field table show these; the names above stay the machine contract.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "so": ("Số", "Number"),
    "quyen_so": ("Quyển số", "Book number"),
    "ho_ten": ("Họ và tên", "Full name"),
    "gioi_tinh": ("Giới tính", "Sex"),
    "ngay_sinh": ("Ngày sinh", "Date of birth"),
    "noi_sinh": ("Nơi sinh", "Place of birth"),
    "dan_toc": ("Dân tộc", "Ethnicity"),
    "quoc_tich": ("Quốc tịch", "Nationality"),
    "so_dinh_danh": ("Số định danh cá nhân", "Personal ID number"),
    "ho_ten_me": ("Họ tên mẹ", "Mother's name"),
    "ho_ten_cha": ("Họ tên cha", "Father's name"),
    "noi_dang_ky": ("Nơi đăng ký", "Place of registration"),
    "ngay_dang_ky": ("Ngày đăng ký", "Date of registration"),
    "que_quan": ("Quê quán", "Place of origin"),
    "noi_thuong_tru": ("Nơi thường trú", "Permanent residence"),
    "ngay_het_han": ("Có giá trị đến", "Valid until"),
    "chong_ho_ten": ("Họ tên chồng", "Husband's name"),
    "chong_ngay_sinh": ("Ngày sinh chồng", "Husband's date of birth"),
    "chong_so_dinh_danh": ("Số định danh chồng", "Husband's ID number"),
    "vo_ho_ten": ("Họ tên vợ", "Wife's name"),
    "vo_ngay_sinh": ("Ngày sinh vợ", "Wife's date of birth"),
    "vo_so_dinh_danh": ("Số định danh vợ", "Wife's ID number"),
    "ma_so_doanh_nghiep": ("Mã số doanh nghiệp", "Enterprise code"),
    "ten_doanh_nghiep": ("Tên doanh nghiệp", "Enterprise name"),
    "dia_chi_tru_so": ("Địa chỉ trụ sở", "Head office address"),
    "von_dieu_le": ("Vốn điều lệ (đồng)", "Charter capital (VND)"),
    "nguoi_dai_dien": ("Người đại diện theo pháp luật", "Legal representative"),
    "so_dinh_danh_nguoi_dai_dien": ("Số định danh người đại diện", "Representative's ID number"),
    "ngay_dang_ky_lan_dau": ("Ngày đăng ký lần đầu", "First registered"),
    "co_quan_cap": ("Cơ quan cấp", "Issuing agency"),
    "so_ky_hieu": ("Số, ký hiệu", "Number and symbol"),
    "ngay_ban_hanh": ("Ngày ban hành", "Date issued"),
    "co_quan_ban_hanh": ("Cơ quan ban hành", "Issuing agency"),
    "trich_yeu": ("Trích yếu", "Summary"),
    "nguoi_ky": ("Người ký", "Signed by"),
    "hieu_luc_den": ("Hiệu lực đến", "In force until"),
    "so_phat_hanh": ("Số phát hành", "Serial number"),
    "chu_su_dung": ("Người sử dụng đất", "Land user"),
    "thua_dat_so": ("Thửa đất số", "Parcel number"),
    "to_ban_do_so": ("Tờ bản đồ số", "Map sheet number"),
    "dia_chi": ("Địa chỉ thửa đất", "Parcel address"),
    "dien_tich": ("Diện tích (m²)", "Area (m²)"),
    "muc_dich_su_dung": ("Mục đích sử dụng", "Land use"),
    "thoi_han_su_dung": ("Thời hạn sử dụng", "Term of use"),
    "ngay_cap": ("Ngày cấp", "Date issued"),
}

UNKNOWN = "unknown"
ALL_DOC_TYPE_CODES: tuple[str, ...] = (*DOC_TYPES, UNKNOWN)


def field_label(name: str, lang: str = "vi") -> str:
    """A contract field's label in ``lang`` (``"vi"`` or ``"en"``); a name without a label is shown as it is."""
    pair = FIELD_LABELS.get(name)
    if pair is None:
        return name
    return pair[1] if lang == "en" else pair[0]


assert {n for t in DOC_TYPES.values() for n in t.fields} <= set(FIELD_LABELS), "a label for every contract field"
