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

UNKNOWN = "unknown"
ALL_DOC_TYPE_CODES: tuple[str, ...] = (*DOC_TYPES, UNKNOWN)
