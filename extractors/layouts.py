"""What each document type prints: the labels in front of each contract field, and the labels that end a value.

Data only — the engine in :mod:`extractors.fields` reads it. Labels are written as printed on the papers (with
their Vietnamese and English variants, old and new forms); the engine folds them, so tone marks and capitals
here do not matter. A field found by page position rather than by a label names a ``locate`` strategy.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldSpec:
    """How to find one contract field.

    ``labels`` are tried first; ``generic`` labels are shared by several fields of the same paper (the
    husband's and the wife's "Họ, chữ đệm, tên") and are told apart by ``section`` (a header above or beside
    them) or, without one, by ``nth`` (0 = first in reading order). ``region="top"`` limits the search to the
    head of the first page. ``locate`` names a positional strategy used when no label yields a value.
    """

    name: str
    parse: str = "text"
    labels: tuple[str, ...] = ()
    generic: tuple[str, ...] = ()
    section: str | None = None
    nth: int = 0
    multiline: bool = False
    region: str | None = None
    locate: str | None = None


@dataclass(frozen=True)
class Layout:
    doc_type: str
    fields: tuple[FieldSpec, ...]
    stops: tuple[str, ...] = ()  # printed labels that are not contract fields but end a value
    sections: dict[str, tuple[str, ...]] | None = None  # section name → header phrases


_ID_LABELS = ("Số định danh cá nhân", "Số ĐDCN", "Số CCCD", "CCCD số", "Căn cước công dân số", "Số căn cước",
              "Số CMND", "CMND số", "Chứng minh nhân dân số")
_ID_PAPER_LABELS = ("Giấy tờ tùy thân", "Giấy tờ tuỳ thân", "Giấy tờ tùy thân: CCCD số",
                    "Giấy tờ tùy thân: CMND số")
_PERSON_STOPS = ("Dân tộc", "Quốc tịch", "Năm sinh", "Sinh năm", "Nơi cư trú", "Nơi thường trú", "Quê quán",
                 "Giấy tờ tùy thân", "Giấy tờ tuỳ thân", "Giới tính", "Địa chỉ thường trú", "Chỗ ở hiện tại",
                 "Nghề nghiệp", "Cấp ngày", "Ngày cấp", "Nơi cấp")

KHAI_SINH = Layout(
    "khai_sinh",
    fields=(
        FieldSpec("so", "docnum", labels=("Số",), region="top"),
        FieldSpec("quyen_so", "docnum", labels=("Quyển số",)),
        FieldSpec("ho_ten", "name", labels=("Họ, chữ đệm, tên", "Họ, chữ đệm và tên", "Họ và tên", "Họ tên")),
        FieldSpec("gioi_tinh", "gender", labels=("Giới tính",)),
        FieldSpec("ngay_sinh", "date", labels=("Ngày, tháng, năm sinh", "Ngày tháng năm sinh", "Ngày sinh",
                                               "Sinh ngày")),
        FieldSpec("noi_sinh", "text", labels=("Nơi sinh",), multiline=True),
        FieldSpec("dan_toc", "text", labels=("Dân tộc",)),
        FieldSpec("quoc_tich", "text", labels=("Quốc tịch",)),
        FieldSpec("so_dinh_danh", "cccd", labels=("Số định danh cá nhân", "Mã số định danh cá nhân", "Số ĐDCN")),
        FieldSpec("ho_ten_me", "name", labels=("Họ, chữ đệm, tên người mẹ", "Họ, chữ đệm, tên mẹ", "Họ và tên mẹ",
                                               "Họ và tên người mẹ", "Họ tên mẹ", "Họ tên người mẹ")),
        FieldSpec("ho_ten_cha", "name", labels=("Họ, chữ đệm, tên người cha", "Họ, chữ đệm, tên cha",
                                                "Họ và tên cha", "Họ và tên người cha", "Họ tên cha",
                                                "Họ tên người cha")),
        FieldSpec("noi_dang_ky", "text", labels=("Nơi đăng ký", "Nơi đăng ký khai sinh", "Cơ quan đăng ký"),
                  multiline=True),
        FieldSpec("ngay_dang_ky", "date", labels=("Ngày đăng ký", "Ngày, tháng, năm đăng ký", "Đăng ký ngày"),
                  locate="place_date"),
    ),
    stops=_PERSON_STOPS + ("Ghi bằng chữ", "Bằng chữ", "Người đi khai sinh", "Họ, chữ đệm, tên người đi khai sinh",
                           "Quan hệ với người được khai sinh", "Người thực hiện", "Người ký Giấy khai sinh",
                           "Số CMND", "Số CCCD", "Nơi cư trú"),
)

CCCD = Layout(
    "cccd",
    fields=(
        FieldSpec("so_dinh_danh", "cccd", labels=("Số định danh cá nhân", "Personal identification number",
                                                  "Số", "No."), locate="any_cccd"),
        FieldSpec("ho_ten", "name", labels=("Họ và tên", "Full name", "Họ, chữ đệm và tên khai sinh",
                                            "Họ, chữ đệm và tên", "Họ tên")),
        FieldSpec("ngay_sinh", "date", labels=("Ngày sinh", "Date of birth", "Ngày, tháng, năm sinh")),
        FieldSpec("gioi_tinh", "gender", labels=("Giới tính", "Sex"), locate="gender"),
        FieldSpec("quoc_tich", "nationality", labels=("Quốc tịch", "Nationality"), locate="nationality"),
        FieldSpec("que_quan", "address", labels=("Quê quán", "Place of origin"), multiline=True),
        FieldSpec("noi_thuong_tru", "address", labels=("Nơi thường trú", "Place of residence", "Nơi cư trú"),
                  multiline=True),
        FieldSpec("ngay_het_han", "date", labels=("Có giá trị đến", "Date of expiry", "Ngày hết hạn",
                                                  "Có giá trị đến ngày", "Ngày, tháng, năm hết hạn"),
                  locate="lone_date"),
    ),
    stops=("Nơi đăng ký khai sinh", "Place of birth", "Đặc điểm nhân dạng", "Personal identification",
           "Ngày, tháng, năm", "Date, month, year", "Ngày, tháng, năm cấp", "Ngày cấp", "Date of issue",
           "Dân tộc", "Ethnicity", "Bộ Công an", "Ministry of Public Security"),
)

KET_HON = Layout(
    "ket_hon",
    fields=(
        FieldSpec("so", "docnum", labels=("Số",), region="top"),
        FieldSpec("ngay_dang_ky", "date", labels=("Ngày đăng ký", "Ngày, tháng, năm đăng ký", "Đăng ký ngày",
                                                  "Ngày đăng ký kết hôn"), locate="place_date"),
        FieldSpec("noi_dang_ky", "text", labels=("Nơi đăng ký", "Nơi đăng ký kết hôn", "Cơ quan đăng ký"),
                  multiline=True),
        FieldSpec("chong_ho_ten", "name", labels=("Họ, chữ đệm, tên chồng", "Họ và tên chồng", "Họ tên chồng",
                                                  "Tên chồng"),
                  generic=("Họ, chữ đệm, tên", "Họ, chữ đệm và tên", "Họ và tên", "Họ tên"), section="chong", nth=0),
        FieldSpec("chong_ngay_sinh", "date", labels=("Ngày sinh của chồng", "Ngày sinh chồng"),
                  generic=("Ngày, tháng, năm sinh", "Ngày tháng năm sinh", "Ngày sinh", "Sinh ngày"),
                  section="chong", nth=0),
        FieldSpec("chong_so_dinh_danh", "id", labels=("Số định danh cá nhân của chồng",),
                  generic=_ID_LABELS + _ID_PAPER_LABELS, section="chong", nth=0),
        FieldSpec("vo_ho_ten", "name", labels=("Họ, chữ đệm, tên vợ", "Họ và tên vợ", "Họ tên vợ", "Tên vợ"),
                  generic=("Họ, chữ đệm, tên", "Họ, chữ đệm và tên", "Họ và tên", "Họ tên"), section="vo", nth=1),
        FieldSpec("vo_ngay_sinh", "date", labels=("Ngày sinh của vợ", "Ngày sinh vợ"),
                  generic=("Ngày, tháng, năm sinh", "Ngày tháng năm sinh", "Ngày sinh", "Sinh ngày"),
                  section="vo", nth=1),
        FieldSpec("vo_so_dinh_danh", "id", labels=("Số định danh cá nhân của vợ",),
                  generic=_ID_LABELS + _ID_PAPER_LABELS, section="vo", nth=1),
    ),
    stops=_PERSON_STOPS + ("Nơi đăng ký khai sinh", "Ghi chú", "Quyển số"),
    sections={
        # A header line, or the husband's / wife's own name label, opens their part of the paper.
        "chong": ("Chồng", "Bên chồng", "Thông tin người chồng", "Thông tin về chồng", "Người chồng",
                  "Họ, chữ đệm, tên chồng", "Họ và tên chồng"),
        "vo": ("Vợ", "Bên vợ", "Thông tin người vợ", "Thông tin về vợ", "Người vợ", "Họ, chữ đệm, tên vợ",
               "Họ và tên vợ"),
    },
)

DANG_KY_DOANH_NGHIEP = Layout(
    "dang_ky_doanh_nghiep",
    fields=(
        FieldSpec("ma_so_doanh_nghiep", "mst", labels=("Mã số doanh nghiệp", "Mã số thuế", "Mã số"),
                  locate="any_mst"),
        FieldSpec("ten_doanh_nghiep", "text", labels=("Tên công ty viết bằng tiếng Việt",
                                                      "Tên doanh nghiệp viết bằng tiếng Việt", "Tên doanh nghiệp",
                                                      "Tên công ty"), multiline=True),
        FieldSpec("dia_chi_tru_so", "text", labels=("Địa chỉ trụ sở chính", "Địa chỉ trụ sở", "Trụ sở chính"),
                  multiline=True),
        FieldSpec("von_dieu_le", "money", labels=("Vốn điều lệ", "Vốn đầu tư")),
        FieldSpec("nguoi_dai_dien", "name", labels=("Người đại diện theo pháp luật",),
                  generic=("Họ và tên", "Họ, chữ đệm và tên", "Họ tên"), section="dai_dien"),
        FieldSpec("so_dinh_danh_nguoi_dai_dien", "id",
                  generic=_ID_LABELS + ("Số giấy tờ pháp lý của cá nhân", "Số giấy chứng thực cá nhân",
                                        "Số giấy tờ chứng thực cá nhân"), section="dai_dien"),
        FieldSpec("ngay_dang_ky_lan_dau", "date", labels=("Đăng ký lần đầu", "Ngày đăng ký lần đầu"),
                  locate="place_date"),
        FieldSpec("co_quan_cap", "text", labels=("Cơ quan cấp", "Cơ quan đăng ký"), locate="agency_block"),
    ),
    stops=("Tên công ty viết bằng tiếng nước ngoài", "Tên doanh nghiệp viết bằng tiếng nước ngoài",
           "Tên công ty viết tắt", "Tên doanh nghiệp viết tắt", "Điện thoại", "Fax", "Email", "Website",
           "Bằng chữ", "Mệnh giá cổ phần", "Tổng số cổ phần", "Chức danh", "Giới tính", "Sinh ngày", "Dân tộc",
           "Quốc tịch", "Loại giấy tờ pháp lý của cá nhân", "Loại giấy tờ chứng thực cá nhân", "Ngày cấp",
           "Nơi cấp", "Địa chỉ thường trú", "Địa chỉ liên lạc", "Chỗ ở hiện tại", "Đăng ký thay đổi lần thứ",
           # Section headings that contain a field's label but hold no value.
           "Người đại diện theo pháp luật của công ty", "Người đại diện theo pháp luật của doanh nghiệp"),
    sections={"dai_dien": ("Người đại diện theo pháp luật của công ty", "Người đại diện theo pháp luật",
                           "Người đại diện theo pháp luật của doanh nghiệp")},
)

QUYET_DINH = Layout(
    "quyet_dinh",
    fields=(
        FieldSpec("so_ky_hieu", "docnum", labels=("Số",), region="top", locate="doc_number"),
        FieldSpec("ngay_ban_hanh", "date", region="top", locate="place_date"),
        FieldSpec("co_quan_ban_hanh", "text", locate="agency_block"),
        FieldSpec("trich_yeu", "text", locate="after_title"),
        FieldSpec("nguoi_ky", "name", locate="signer"),
        FieldSpec("ho_ten", "name", labels=("Họ và tên", "Họ, chữ đệm và tên", "Ông/Bà", "Ông (bà)"),
                  locate="person_mention"),
        FieldSpec("so_dinh_danh", "id", labels=_ID_LABELS, locate="article_id"),
        FieldSpec("hieu_luc_den", "date", locate="valid_until"),
    ),
    stops=_PERSON_STOPS,
)

GCN_QSDD = Layout(
    "gcn_qsdd",
    fields=(
        FieldSpec("so_phat_hanh", "serial", labels=("Số phát hành", "Số seri", "Số sê-ri", "Số hiệu"),
                  locate="any_serial"),
        FieldSpec("chu_su_dung", "name", labels=("Người sử dụng đất", "Chủ sử dụng", "Chủ sử dụng đất", "Ông",
                                                 "Bà", "Ông (Bà)", "Hộ ông", "Hộ bà", "Họ và tên")),
        FieldSpec("so_dinh_danh", "id", labels=_ID_LABELS + ("Giấy tờ nhân thân", "Số giấy tờ nhân thân"),
                  locate="any_id"),
        FieldSpec("thua_dat_so", "int", labels=("Thửa đất số", "Thửa số")),
        FieldSpec("to_ban_do_so", "int", labels=("Tờ bản đồ số", "Tờ bản đồ")),
        FieldSpec("dia_chi", "text", labels=("Địa chỉ", "Địa chỉ thửa đất"), multiline=True, section="thua_dat"),
        FieldSpec("dien_tich", "area", labels=("Diện tích",)),
        FieldSpec("muc_dich_su_dung", "text", labels=("Mục đích sử dụng", "Mục đích sử dụng đất"), multiline=True),
        FieldSpec("thoi_han_su_dung", "validity", labels=("Thời hạn sử dụng", "Thời hạn sử dụng đất")),
        FieldSpec("ngay_cap", "date", labels=("Ngày cấp",), locate="place_date"),
        FieldSpec("co_quan_cap", "text", labels=("Cơ quan cấp",), locate="sign_agency"),
    ),
    stops=_PERSON_STOPS + ("Người sử dụng đất, chủ sở hữu nhà ở và tài sản khác gắn liền với đất",
                           "Hình thức sử dụng", "Nguồn gốc sử dụng", "Sử dụng riêng", "Sử dụng chung",
                           "Nhà ở", "Ghi chú", "Tài sản khác gắn liền với đất", "Số vào sổ cấp GCN",
                           "Số vào sổ cấp giấy chứng nhận"),
    sections={"thua_dat": ("Thửa đất", "II. Thửa đất, nhà ở và tài sản khác gắn liền với đất")},
)

LAYOUTS: dict[str, Layout] = {
    layout.doc_type: layout
    for layout in (KHAI_SINH, CCCD, KET_HON, DANG_KY_DOANH_NGHIEP, QUYET_DINH, GCN_QSDD)
}

