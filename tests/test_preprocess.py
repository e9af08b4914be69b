"""Each cleaning step does its one job and leaves text alone: deskew, colour inks, background, median,
dust, dotted leaders, resolution; chains are named steps."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.intake import PageImage
from pipeline.preprocess import (
    DEFAULT_CHAIN,
    clean_page,
    denoise_if_noisy,
    drop_colour_ink,
    estimate_skew,
    flatten_background,
    noise_level,
    parse_chain,
    remove_dotted_leaders,
    remove_specks,
    rescale,
    rotate,
)
from tests.textimage import SERIF, text_page

LINES = [f"Dòng thứ {i}: Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015" for i in range(12)]


@pytest.mark.parametrize("angle", [-3.0, -1.2, 0.0, 0.8, 2.5])
def test_estimate_skew_recovers_applied_rotation(angle):
    gray = np.asarray(text_page(LINES).image)
    skewed = rotate(gray, angle)
    assert estimate_skew(skewed) == pytest.approx(-angle, abs=0.25)


def test_blank_page_has_no_skew():
    assert estimate_skew(np.full((1000, 800), 255, dtype=np.uint8)) == 0.0


def test_clean_page_straightens_and_keeps_geometry():
    page = text_page(LINES)
    skewed = PageImage(3, page.image.rotate(2.0, fillcolor=255), page.dpi)
    cleaned = clean_page(skewed)
    assert cleaned.number == 3 and cleaned.dpi == page.dpi
    assert cleaned.image.size == page.image.size
    assert abs(estimate_skew(np.asarray(cleaned.image))) <= 0.25


# --- the separate steps ---------------------------------------------------------------------------------------

MM = 300 / 25.4  # pixels per millimetre at 300 dpi


def _form_line(label: str, leader: str = "." * 60) -> np.ndarray:
    """A 300-dpi strip with ``label`` and a dotted leader after it, as forms print them."""
    font = ImageFont.truetype(SERIF, 50)
    img = Image.new("L", (2400, 160), 255)
    draw = ImageDraw.Draw(img)
    draw.text((60, 40), label, font=font, fill=0)
    draw.text((60 + draw.textlength(label + " ", font=font), 40), leader, font=font, fill=0)
    return np.array(img)


def test_dotted_leader_is_erased_and_label_kept():
    label = "Họ và tên: Nguyễn Thị Hằng"
    gray = _form_line(label)
    cleaned = remove_dotted_leaders(gray, 300)
    label_only = _form_line(label, leader="")
    label_end = int(np.nonzero((label_only < 128).any(axis=0))[0].max()) + 1
    assert np.array_equal(cleaned[:, :label_end], gray[:, :label_end])  # the label is untouched
    assert (cleaned < 128).sum() == pytest.approx((label_only < 128).sum(), rel=0.02)  # the dots are gone


def test_dots_under_vowels_and_an_ellipsis_are_not_leaders():
    gray = _form_line("Hạnh phúc, độc lập ... ạ ị ọ ụ ạ ị ọ ụ ạ ị", leader="")
    assert np.array_equal(remove_dotted_leaders(gray, 300), gray)


def test_leader_blurred_into_a_dashed_line_is_erased():
    gray = _form_line("Nơi sinh:", leader="")
    y = 40 + 40
    for x in range(700, 2300, 40):  # dashes 3 mm apart: dots a scanner's blur has run together
        gray[y : y + 5, x : x + 32] = 0
    cleaned = remove_dotted_leaders(gray, 300)
    assert (cleaned[:, 700:] < 128).sum() == 0


def test_red_seal_fades_and_black_text_stays():
    rgb = np.full((100, 300, 3), 240, np.uint8)
    rgb[20:80, 20:120] = (0, 0, 0)  # black text
    rgb[20:80, 150:250] = (200, 32, 45)  # red seal ink
    rgb[40:60, 60:200] = (20, 5, 8)  # text under the seal: dark in every channel
    gray = drop_colour_ink(rgb)
    assert gray[30, 60] < 30 and gray[50, 180] < 30  # text, also where the seal covers it
    assert gray[30, 200] >= 200  # the seal is near paper white
    assert np.asarray(Image.fromarray(rgb).convert("L"))[30, 200] < 100  # plain grayscale keeps it dark


def test_blue_signature_fades():
    rgb = np.full((10, 10, 3), 240, np.uint8)
    rgb[5, 5] = (28, 42, 140)
    assert drop_colour_ink(rgb)[5, 5] >= 140


def test_flatten_removes_a_dark_edge_band_and_keeps_text():
    page = np.full((1200, 900), 230, np.uint8)
    page[:, :120] = np.linspace(90, 230, 120, dtype=np.uint8)[None, :]  # scanner lid shadow on the left
    page[500:540, 300:600] = 30  # a word
    flat = flatten_background(page, 300)
    assert flat[100:1100, :120].min() >= 240  # the shadow is now paper
    assert flat[520, 450] < 60  # the word is still ink


def test_rescale_brings_a_150_dpi_page_to_300():
    gray = np.full((100, 80), 255, np.uint8)
    out, dpi = rescale(gray, 150)
    assert dpi == 300 and out.shape == (200, 160)
    same, dpi = rescale(gray, 300)
    assert same is gray and dpi == 300


def test_chains_are_named_steps():
    assert parse_chain("none") == ()
    assert parse_chain("inks+deskew+median") == ("inks", "deskew", "median")
    with pytest.raises(ValueError, match="unknown"):
        parse_chain("deskew+sharpen")


def test_colour_page_comes_out_gray_without_its_seal():
    rgb = Image.new("RGB", (400, 200), (240, 240, 240))
    ImageDraw.Draw(rgb).ellipse((100, 20, 260, 180), outline=(200, 32, 45), width=12)
    cleaned = clean_page(PageImage(1, rgb, 300), ("inks",))
    assert cleaned.image.mode == "L"
    assert np.asarray(cleaned.image).min() >= 190


def test_median_runs_on_a_grainy_scan_only():
    clean = np.array(text_page(LINES[:4]).image)
    grain = np.random.default_rng(7).normal(0, 8, clean.shape)
    noisy = np.clip(clean.astype(float) * 0.85 + 20 + grain, 0, 255).astype(np.uint8)
    assert noise_level(clean) < 0.5
    assert noise_level(noisy) > 1.5
    assert denoise_if_noisy(clean) is clean
    assert not np.array_equal(denoise_if_noisy(noisy), noisy)


def test_no_median_on_a_low_resolution_page():
    grain = np.random.default_rng(7).normal(200, 8, (400, 400)).clip(0, 255).astype(np.uint8)
    assert denoise_if_noisy(grain, dpi=150) is grain
    assert denoise_if_noisy(grain, dpi=300) is not grain


def test_rescale_takes_a_target_resolution():
    page = PageImage(1, Image.new("L", (600, 300), 255), 300)
    assert parse_chain("rescale200") == ("rescale200",)
    small = clean_page(page, ("rescale200",))
    assert small.dpi == 200 and small.image.size == (400, 200)
    with pytest.raises(ValueError, match="unknown"):
        parse_chain("rescale2000")


def test_default_names_the_pipeline_chain():
    assert parse_chain("default") == DEFAULT_CHAIN
    assert parse_chain("rescale+default") == ("rescale", *DEFAULT_CHAIN)


def test_dust_is_erased_and_dots_of_the_text_are_kept():
    text = np.array(text_page(["Điều 1. Hà Nội, ngày 5/3/2021; ị ạ ọ ủ ỹ i."]).image)
    dusty = text.copy()
    for x, y in ((1700, 40), (300, 20), (1900, 200)):
        dusty[y : y + 6, x : x + 6] = 0  # specks of dust, far from any letter
    cleaned = remove_specks(dusty, 300)
    assert np.array_equal(cleaned < 128, text < 128)


def test_colour_scan_keeps_its_colour_through_intake_until_the_seal_is_faded():
    import io

    from pipeline.intake import Limits, load_pages

    rgb = Image.new("RGB", (600, 400), (235, 232, 228))
    draw = ImageDraw.Draw(rgb)
    draw.ellipse((150, 50, 450, 350), outline=(200, 32, 45), width=14)  # a red seal
    draw.text((60, 180), "Phó Chủ tịch", font=ImageFont.truetype(SERIF, 40), fill=(20, 20, 20))
    buf = io.BytesIO()
    rgb.save(buf, format="JPEG", quality=90, dpi=(300, 300))
    [page] = load_pages(buf.getvalue(), Limits(10_000_000, 10_000_000, 1, 300))
    assert page.image.mode == "RGB"
    cleaned = np.asarray(clean_page(page).image)
    assert cleaned[200, 440:460].min() > 150  # where the seal's ring was, right of the text: paper now
    assert cleaned[170:230, 60:300].min() < 80  # the text is still ink


def test_dust_inside_a_table_cell_is_erased_and_the_rules_kept():
    page = np.full((900, 1200), 255, np.uint8)
    page[100:104, 100:1100] = page[800:804, 100:1100] = 0  # a cell's rules: one shape with the cell as its hole
    page[100:804, 100:104] = page[100:804, 1096:1100] = 0
    page[450:456, 600:606] = 0  # a speck in the middle of the cell
    cleaned = remove_specks(page, 300)
    assert cleaned[450:456, 600:606].min() > 200
    assert np.array_equal(cleaned[100:104] < 128, page[100:104] < 128)
