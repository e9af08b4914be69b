"""Document-type classification: titles decide, labels confirm, OCR damage is tolerated, the rest is unknown."""

from __future__ import annotations

import json
import shutil

import pytest
from PIL import Image

from extractors import classify
from pipeline.document import Document, Page
from tests.paths import REAL_DEV  # noqa: E402
from tests.test_fields import CCCD_2021, DKDN, GCN, KHAI_SINH, QUYET_DINH, doc_from_lines


def _real_dev(kind: str) -> list[str]:
    if not (REAL_DEV / "fields.json").exists():
        return []
    return [e["doc_id"] for e in json.loads((REAL_DEV / "fields.json").read_text()) if e["page_kind"] == kind]


def _layout_doc(doc_id: str) -> Document:
    return doc_from_lines((REAL_DEV / "pages" / f"{doc_id}_p1.layout.txt").read_text().split("\n"))


# ------------------------------------------------------------------ each paper by its own page

@pytest.mark.parametrize(
    "lines, expected",
    [
        (KHAI_SINH, "khai_sinh"),
        (CCCD_2021, "cccd"),
        (DKDN, "dang_ky_doanh_nghiep"),
        (QUYET_DINH, "quyet_dinh"),
        (GCN, "gcn_qsdd"),
        (["GIẤY CHỨNG NHẬN KẾT HÔN", "Họ, chữ đệm, tên chồng: PHAN MẠNH KHÔI", "Họ, chữ đệm, tên vợ: LÊ THỊ GIANG",
          "Nơi đăng ký: UBND phường Tân Phong"], "ket_hon"),
    ],
    ids=["khai_sinh", "cccd", "dang_ky_doanh_nghiep", "quyet_dinh", "gcn_qsdd", "ket_hon"],
)
def test_each_paper_is_recognised(lines, expected):
    doc_type, confidence = classify(doc_from_lines(lines))
    assert doc_type == expected
    assert 0.5 <= confidence <= 1.0


@pytest.mark.parametrize(
    "title, expected",
    [
        ("CĂN CƯỚC", "cccd"),
        ("IDENTITY CARD", "cccd"),
        ("Citizen Identity Card", "cccd"),
        ("TRÍCH LỤC KHAI SINH", "khai_sinh"),
        ("GIẤY CHỨNG NHẬN ĐĂNG KÝ DOANH NGHIỆP", "dang_ky_doanh_nghiep"),
        ("GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT", "gcn_qsdd"),
    ],
)
def test_title_alone_decides(title, expected):
    doc = doc_from_lines(["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "", title])
    assert classify(doc)[0] == expected


# ------------------------------------------------------------------ OCR damage

@pytest.mark.parametrize(
    "title, expected",
    [
        ("GIAY KHAI SINH", "khai_sinh"),  # tone marks lost
        ("giấy khai sinh", "khai_sinh"),  # lower case
        ("GIẤYKHAISINH", "khai_sinh"),  # merged words
        ("QUYÉT ÐỊNH", "quyet_dinh"),  # Tesseract's QUYÉT and the Icelandic eth
        ("QUYẾT ĐJNH", "quyet_dinh"),  # one wrong letter
        ("CĂN CUỚC CÔNG DÂN", "cccd"),
        ("GIẤY CHỨNG NHẬN KÊT HÔN", "ket_hon"),
        ("GlẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐÁT", "gcn_qsdd"),
    ],
)
def test_titles_survive_ocr_damage(title, expected):
    assert classify(doc_from_lines(["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "", title]))[0] == expected


def test_labels_alone_identify_a_paper_whose_title_was_lost():
    lines = ["Số / No.: 001090012345", "Họ và tên / Full name: NGUYỄN VĂN AN", "Ngày sinh / Date of birth: 12/08/1990",
             "Quốc tịch / Nationality: Việt Nam", "Quê quán / Place of origin: Hà Nội",
             "Nơi thường trú / Place of residence: Hà Nội", "Có giá trị đến: 12/08/2030"]
    doc_type, confidence = classify(doc_from_lines(lines))
    assert doc_type == "cccd"
    assert confidence < 0.8  # less sure than with its title


# ------------------------------------------------------------------ the title wins over mentions

@pytest.mark.parametrize(
    "summary",
    [
        "Về việc cấp lại Giấy khai sinh cho ông Nguyễn Văn An",
        "VỀ VIỆC CẤP LẠI GIẤY KHAI SINH",
        "Về việc thu hồi Giấy chứng nhận quyền sử dụng đất tại thửa đất số 12, tờ bản đồ số 5",
        "Về việc điều chỉnh Giấy chứng nhận đăng ký doanh nghiệp",
    ],
)
def test_decision_mentioning_another_paper_is_a_decision(summary):
    lines = ["ỦY BAN NHÂN DÂN          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 12/QĐ-UBND", "", "QUYẾT ĐỊNH",
             summary, "", "Căn cứ Luật Đất đai ngày 29 tháng 11 năm 2013;", "Mục đích sử dụng: đất ở",
             "Thời hạn sử dụng: lâu dài", "Điều 1. Thu hồi thửa đất số 12, tờ bản đồ số 5."]
    assert classify(doc_from_lines(lines))[0] == "quyet_dinh"


# ------------------------------------------------------------------ unknown

@pytest.mark.parametrize(
    "lines",
    [
        ["Kính gửi: Ban Giám đốc", "Tôi viết thư này để cảm ơn anh chị đã giúp đỡ gia đình.", "Trân trọng."],
        ["Hóa đơn bán hàng", "Tên hàng: Xi măng", "Số lượng: 10 bao", "Thành tiền: 950.000 đồng"],
        ["Không quy định", "Căn cứ pháp lý: Luật Hộ tịch năm 2014"],
    ],
    ids=["letter", "invoice", "table-cells"],
)
def test_other_papers_are_unknown(lines):
    assert classify(doc_from_lines(lines))[0] == "unknown"


def test_blank_page_is_unknown():
    blank = Document(pages=[Page(number=1, width=1240, height=1754, dpi=150, blocks=[])])
    assert classify(blank) == ("unknown", 1.0)


def test_empty_document_is_unknown():
    assert classify(Document())[0] == "unknown"


# ------------------------------------------------------------------ real decisions (real-dev)

@pytest.mark.skipif(not _real_dev("decision_first_page"), reason="real-dev pages not on this machine")
@pytest.mark.parametrize("doc_id", _real_dev("decision_first_page"))
def test_real_decision_first_pages_from_exact_text(doc_id):
    doc_type, confidence = classify(_layout_doc(doc_id))
    assert doc_type == "quyet_dinh"
    assert confidence >= 0.8


@pytest.mark.skipif(not _real_dev("annex_or_other"), reason="real-dev pages not on this machine")
@pytest.mark.parametrize("doc_id", _real_dev("annex_or_other"))
def test_real_annex_pages_are_not_another_paper(doc_id):
    # An annex page (tables of procedures "kèm theo Quyết định số …") carries no title: unknown on its own.
    assert classify(_layout_doc(doc_id))[0] == "unknown"


@pytest.mark.skipif(shutil.which("tesseract") is None or not _real_dev("decision_first_page"),
                    reason="needs tesseract and the real-dev pages")
@pytest.mark.parametrize("doc_id", _real_dev("decision_first_page")[:2])
def test_real_decision_pages_through_tesseract(doc_id):
    from pipeline.intake import PageImage
    from pipeline.ocr import open_engine

    image = Image.open(REAL_DEV / "pages300" / f"{doc_id}_p1.jpg").convert("L")
    page = open_engine("tesseract").recognize(PageImage(number=1, image=image, dpi=300))
    assert classify(Document(pages=[page], engine="tesseract"))[0] == "quyet_dinh"
