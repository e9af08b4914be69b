"""The synthetic paper generator: deterministic, contract-shaped ground truth that agrees with what is drawn."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import struct
import unicodedata
import zlib
from pathlib import Path

import pytest
from PIL import Image
from stdnum.vn import mst

from pipeline.textnorm import title_name
from samples.__main__ import main as cli_main
from samples.fonts import FACES, VIETNAMESE_SAMPLE, available_families, missing_glyphs
from samples.generator import DOC_TYPES, generate_document, generate_set
from samples.identity import cccd_number, century_gender_digit, enterprise_code, mst_check_digit
from samples.people import TODAY
from samples.places import PROVINCE_CODES
from samples.wording import DATE_STYLES, format_area, format_date, format_money, number_in_words
from schemas.doc_types import DOC_TYPES as CONTRACT

SEEDS = (1, 2, 3, 4)
DPI = 100
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_FIELDS = {"ngay_sinh", "ngay_dang_ky", "ngay_het_han", "chong_ngay_sinh", "vo_ngay_sinh",
               "ngay_dang_ky_lan_dau", "ngay_ban_hanh", "hieu_luc_den", "ngay_cap"}
ID_FIELDS = {"so_dinh_danh", "chong_so_dinh_danh", "vo_so_dinh_danh", "so_dinh_danh_nguoi_dai_dien"}
NAME_FIELDS = {"ho_ten", "ho_ten_me", "ho_ten_cha", "chong_ho_ten", "vo_ho_ten", "nguoi_dai_dien", "nguoi_ky",
               "chu_su_dung"}


@pytest.fixture(scope="module")
def clean_docs():
    return [generate_document(t, seed, "clean", dpi=DPI) for t in DOC_TYPES for seed in SEEDS]


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_same_seed_gives_identical_truth_and_bytes() -> None:
    for doc_type in DOC_TYPES:
        first = generate_document(doc_type, 11, "clean", dpi=DPI)
        again = generate_document(doc_type, 11, "clean", dpi=DPI)
        assert first.truth_json() == again.truth_json()
        assert first.data == again.data
    scan = generate_document("quyet_dinh", 11, "degraded", dpi=DPI)
    assert scan.data == generate_document("quyet_dinh", 11, "degraded", dpi=DPI).data


def test_clean_and_degraded_of_one_seed_show_the_same_paper() -> None:
    clean = generate_document("ket_hon", 5, "clean", dpi=DPI)
    scan = generate_document("ket_hon", 5, "degraded", dpi=DPI)
    assert clean.truth["lines"] == scan.truth["lines"] and clean.truth["fields"] == scan.truth["fields"]
    assert scan.truth["scan"] is not None and clean.truth["scan"] is None


def test_different_seeds_give_different_papers() -> None:
    texts = {generate_document("khai_sinh", seed, dpi=DPI).truth["text"] for seed in range(5)}
    assert len(texts) == 5


def test_truth_has_exactly_the_contract_fields(clean_docs) -> None:
    for doc in clean_docs:
        assert set(doc.truth["fields"]) == set(CONTRACT[doc.truth["doc_type"]].fields)
        assert set(doc.truth) >= {"id", "doc_type", "variant", "seed", "font", "dpi", "fields", "lines", "text"}


def test_values_are_normalised_as_the_contract_says(clean_docs) -> None:
    for doc in clean_docs:
        for name, value in doc.truth["fields"].items():
            if value is None:
                continue
            if name in DATE_FIELDS:
                assert ISO_DATE.match(value) and _date(value)
            elif name in ID_FIELDS:
                assert re.fullmatch(r"\d{12}", value), (name, value)
            elif name in NAME_FIELDS:
                assert value == title_name(value), (name, value)
            elif name == "gioi_tinh":
                assert value in ("Nam", "Nữ")
            elif name == "von_dieu_le":
                assert isinstance(value, int) and value > 0
            elif name == "dien_tich":
                assert isinstance(value, float) and value > 0
            elif name == "thoi_han_su_dung":
                assert value == "Lâu dài" or ISO_DATE.match(value)
            elif name == "ma_so_doanh_nghiep":
                assert re.fullmatch(r"\d{10}", value) and mst.is_valid(value)
            elif isinstance(value, str):
                assert " " not in value.strip(" ") or value == " ".join(value.split()), (name, value)
                if name in ("so_ky_hieu", "so_phat_hanh", "so", "quyen_so"):
                    assert " " not in value


def test_identity_numbers_agree_with_birth_date_and_gender(clean_docs) -> None:
    checked = 0
    for doc in clean_docs:
        fields = doc.truth["fields"]
        pairs = {"khai_sinh": [("so_dinh_danh", "ngay_sinh", fields.get("gioi_tinh"))],
                 "cccd": [("so_dinh_danh", "ngay_sinh", fields.get("gioi_tinh"))],
                 "ket_hon": [("chong_so_dinh_danh", "chong_ngay_sinh", "Nam"),
                             ("vo_so_dinh_danh", "vo_ngay_sinh", "Nữ")]}.get(doc.truth["doc_type"], [])
        for id_field, birth_field, gender in pairs:
            number, birth = fields[id_field], _date(fields[birth_field])
            assert number[:3] in PROVINCE_CODES.values()
            assert number[3] == century_gender_digit(birth.year, gender)
            assert number[4:6] == f"{birth.year % 100:02d}"
            checked += 1
        for id_field in ID_FIELDS & fields.keys():
            assert fields[id_field][:3] in PROVINCE_CODES.values()
    assert checked >= 3 * len(SEEDS)


def test_dates_are_consistent(clean_docs) -> None:
    for doc in clean_docs:
        f = {k: _date(v) for k, v in doc.truth["fields"].items() if k in DATE_FIELDS and v}
        kind = doc.truth["doc_type"]
        issued = [v for k, v in f.items() if k in ("ngay_dang_ky", "ngay_ban_hanh", "ngay_cap", "ngay_dang_ky_lan_dau")]
        assert all(d <= TODAY for d in issued)
        if kind == "khai_sinh":
            assert f["ngay_sinh"] <= f["ngay_dang_ky"]
        if kind == "cccd":
            assert f["ngay_sinh"] < TODAY and ("ngay_het_han" not in f or f["ngay_het_han"] > f["ngay_sinh"])
        if kind == "ket_hon":
            assert f["chong_ngay_sinh"].replace(year=f["chong_ngay_sinh"].year + 20) <= f["ngay_dang_ky"]
            assert f["vo_ngay_sinh"].replace(year=f["vo_ngay_sinh"].year + 18) <= f["ngay_dang_ky"]
        if kind == "quyet_dinh":
            assert f["ngay_ban_hanh"] < f["hieu_luc_den"]
        if kind == "gcn_qsdd" and doc.truth["fields"]["thoi_han_su_dung"] != "Lâu dài":
            assert _date(doc.truth["fields"]["thoi_han_su_dung"]) > f["ngay_cap"]


def test_every_field_value_is_printed_on_the_page(clean_docs) -> None:
    for doc in clean_docs:
        flat = " ".join(doc.truth["lines"])
        squeezed = flat.replace(" ", "").upper()
        for name, value in doc.truth["fields"].items():
            if value is None:
                continue
            if name in DATE_FIELDS or (name == "thoi_han_su_dung" and value != "Lâu dài"):
                day = _date(value)
                forms = [format_date(day, s) for s in DATE_STYLES]
                assert any(form.removeprefix("ngày ") in flat for form in forms), (name, value)
            elif name == "von_dieu_le":
                assert format_money(value) in flat
            elif name == "dien_tich":
                assert format_area(value) in flat or format_area(value, "m2") in flat
            else:
                assert str(value).replace(" ", "").upper() in squeezed, (doc.truth["id"], name, value)


def test_all_text_is_nfc_and_text_joins_the_lines(clean_docs) -> None:
    for doc in clean_docs:
        truth = doc.truth
        strings = [*truth["lines"], *(v for v in truth["fields"].values() if isinstance(v, str))]
        assert all(unicodedata.is_normalized("NFC", s) for s in strings)
        assert truth["text"] == "\n".join(truth["lines"])
        assert len(truth["line_boxes"]) == len(truth["lines"])
        assert all(line == " ".join(line.split()) for line in truth["lines"])


def test_pages_render_at_the_size_of_the_paper() -> None:
    a4 = generate_document("quyet_dinh", 2, "clean", fmt="png", dpi=300)
    assert a4.image.size == (2480, 3508)
    assert Image.open(io.BytesIO(a4.data)).size == (2480, 3508)
    card = next(d for d in (generate_document("cccd", s, dpi=300) for s in range(40))
                if d.truth["layout"] in ("card-2021", "card-2024"))
    assert card.image.size == (1011, 638)
    scan = generate_document("gcn_qsdd", 2, "degraded", dpi=DPI)
    decoded = Image.open(io.BytesIO(scan.data))
    assert decoded.format == "JPEG" and decoded.size == (827, 1169) and decoded.mode == "RGB"


def test_boxes_lie_inside_the_image(clean_docs) -> None:
    docs = [*clean_docs[:6], generate_document("quyet_dinh", 3, "degraded", dpi=DPI)]
    for doc in docs:
        w, h = doc.truth["width"], doc.truth["height"]
        for x0, y0, x1, y1 in [*doc.truth["line_boxes"], *doc.truth["field_boxes"].values()]:
            assert -2 <= x0 < x1 <= w + 2 and -2 <= y0 < y1 <= h + 2


def _pdf_image(data: bytes) -> Image.Image:
    """Rebuild a PNG from the Flate/PNG-predictor image stream of our one-page PDF."""
    head = re.search(rb"/Width (\d+) /Height (\d+) /ColorSpace /DeviceGray.*?/Length (\d+) >>\nstream\n", data)
    assert head, "no grey image stream"
    width, height, length = (int(g) for g in head.groups())
    stream = data[head.end():head.end() + length]
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", stream) + chunk(b"IEND", b"")
    return Image.open(io.BytesIO(png))


def test_clean_pdf_carries_the_page_losslessly() -> None:
    doc = generate_document("khai_sinh", 4, "clean", fmt="pdf", dpi=DPI)
    assert doc.data.startswith(b"%PDF-1.4") and doc.data.rstrip().endswith(b"%%EOF")
    assert b"/MediaBox [0 0 595.440 841.680]" in doc.data  # 827 x 1169 px at 100 dpi
    assert _pdf_image(doc.data).tobytes() == doc.image.tobytes()


def test_installed_fonts_draw_every_vietnamese_letter() -> None:
    families = available_families()
    assert families, "install fonts-texgyre fonts-noto-core fonts-freefont-ttf fonts-dejavu-core"
    for family in families:
        for face in FACES:
            font = family.font(face, 40)
            assert missing_glyphs(font, "ỄẰỢữ" + VIETNAMESE_SAMPLE) == [], (family.name, face)
            assert font.getmask("ỄẰỢữ").getbbox() is not None
    assert missing_glyphs(families[0].font("regular", 40), "中") == ["中"]


def test_fonts_vary_and_are_recorded() -> None:
    names = {generate_document("cccd", seed, dpi=DPI).truth["font"] for seed in range(30)}
    assert names <= {f.name for f in available_families()} and len(names) >= min(3, len(available_families()))


def test_enterprise_check_digit_follows_stdnum() -> None:
    import random

    rng = random.Random(3)
    for _ in range(300):
        code = enterprise_code(rng, rng.choice(("01", "03", "02")))
        assert mst.is_valid(code), code
        assert mst_check_digit(code[:9]) == int(code[9])
    assert mst_check_digit("010112345") == 10 - (sum(w * int(d) for w, d in zip(
        (31, 29, 23, 19, 17, 13, 7, 5, 3), "010112345", strict=True)) % 11)


def test_cccd_number_encodes_province_century_gender_and_year() -> None:
    import random

    number = cccd_number("001", dt.date(1990, 5, 4), "Nữ", random.Random(0))
    assert number[:6] == "001190" and len(number) == 12
    assert cccd_number("079", dt.date(2004, 1, 1), "Nam", random.Random(0))[:6] == "079204"
    assert century_gender_digit(2010, "Nữ") == "3"


@pytest.mark.parametrize(("number", "words"), [
    (15, "mười lăm"), (21, "hai mươi mốt"), (24, "hai mươi tư"), (105, "một trăm linh năm"),
    (2005, "hai nghìn không trăm linh năm"), (2021, "hai nghìn không trăm hai mươi mốt"),
    (1_500_000_000, "một tỷ năm trăm triệu"), (1_050_000_000, "một tỷ không trăm năm mươi triệu"),
])
def test_numbers_in_words(number: int, words: str) -> None:
    assert number_in_words(number) == words


def test_generate_set_and_cli_write_documents_with_truth(tmp_path: Path) -> None:
    paths = generate_set(tmp_path / "set", 7, seed=9, variants=["clean", "degraded"], types="all", dpi=DPI)
    assert len(paths) == 14
    kinds = {json.loads(p.with_suffix("").with_suffix(".truth.json").read_text())["doc_type"] for p in paths}
    assert kinds == set(DOC_TYPES)
    for path in paths:
        truth = json.loads((path.parent / (path.name.rsplit(".", 1)[0] + ".truth.json")).read_text("utf-8"))
        assert truth["id"] == path.name.rsplit(".", 1)[0] and path.suffix[1:] in ("pdf", "jpg")
    assert cli_main(["--out", str(tmp_path / "cli"), "--count", "2", "--seed", "9", "--dpi", str(DPI),
                     "--types", "cccd,quyet_dinh", "--variants", "clean", "--quiet"]) == 0
    assert min(p.name for p in (tmp_path / "cli").iterdir()) == "00000-cccd-clean.pdf"
    assert cli_main(["--out", str(tmp_path / "bad"), "--types", "passport", "--quiet"]) == 2
