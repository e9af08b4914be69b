"""The phone-photo variant of the generator: deterministic, the same paper as the clean render, a page smaller
than the frame on a darker surface, and ground-truth boxes carried through the camera's warp."""

from __future__ import annotations

import io
import math
import random
import shutil

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw
from rapidfuzz import fuzz

from pipeline.intake import PageImage
from samples.generator import PHOTO_FILE_DPI, VARIANTS, generate_document
from samples.photo import photograph, random_photo

A4_DPI = 150  # small enough for quick tests, still a real A4 page


@pytest.fixture(scope="module")
def decision():
    return generate_document("quyet_dinh", 21, "photo", dpi=A4_DPI)


def test_photo_is_a_registered_variant_written_as_a_phone_jpeg(decision):
    assert "photo" in VARIANTS
    assert decision.ext == "jpg"
    with Image.open(io.BytesIO(decision.data)) as img:
        assert img.format == "JPEG" and img.mode == "RGB"
        assert round(img.info["dpi"][0]) == PHOTO_FILE_DPI  # as phones write: not the page's resolution
        assert img.size == (decision.truth["width"], decision.truth["height"]) == decision.image.size


def test_same_seed_gives_the_same_photo_and_another_seed_another():
    first = generate_document("cccd", 5, "photo")
    assert first.data == generate_document("cccd", 5, "photo").data
    assert first.truth_json() == generate_document("cccd", 5, "photo").truth_json()
    other = generate_document("cccd", 6, "photo")
    assert other.truth["photo"] != first.truth["photo"]


def test_the_photo_shows_the_same_paper_as_the_clean_render(decision):
    clean = generate_document("quyet_dinh", 21, "clean", dpi=A4_DPI)
    assert decision.truth["lines"] == clean.truth["lines"]
    assert decision.truth["fields"] == clean.truth["fields"]
    assert decision.truth["variant"] == "photo" and "photo" not in clean.truth


def test_camera_parameters_stay_in_their_ranges():
    for seed in range(40):
        p = random_photo(random.Random(seed))
        tilt = (p.pitch**2 + p.yaw**2) ** 0.5
        assert 5.0 - 1e-6 <= tilt <= 20.0 + 1e-6
        assert 180 <= p.page_dpi <= 240 and 72 <= p.jpeg_quality <= 92
        assert p.background in ("wood", "fabric", "dark")


def test_the_page_lies_inside_the_frame_on_a_darker_surface(decision):
    photo = np.asarray(decision.image.convert("L"), dtype=np.float32)
    h, w = photo.shape
    corners = np.array(decision.truth["photo"]["corners"])
    assert (corners[:, 0] > 0).all() and (corners[:, 0] < w).all()
    assert (corners[:, 1] > 0).all() and (corners[:, 1] < h).all()
    page = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(page, np.round(corners).astype(np.int32), 1)
    share = page.mean()
    assert 0.45 < share < 0.85  # a page in a frame, not a scan
    assert np.median(photo[page == 1]) > np.median(photo[page == 0]) + 40


def test_the_page_resolution_is_a_phone_photo_s():
    doc = generate_document("khai_sinh", 8, "photo")  # rendered at 300 dpi
    params = doc.truth["photo"]
    assert 180 <= params["page_dpi"] <= 240
    assert 2000 <= max(doc.truth["width"], doc.truth["height"]) <= 3600
    top = np.hypot(*np.subtract(params["corners"][1], params["corners"][0]))
    assert top == pytest.approx(210 / 25.4 * params["page_dpi"], rel=0.3)  # ~A4 width at that dpi


def test_a_box_painted_on_the_page_lands_inside_its_transformed_box():
    """Geometry alone: paint known boxes black on a white page, photograph it, and compare."""
    page = Image.new("L", (1240, 1754), 255)  # A4 at 150 dpi
    boxes = [(100, 120, 600, 180), (700, 900, 1150, 960), (150, 1500, 1100, 1600)]
    draw = ImageDraw.Draw(page)
    for box in boxes:
        draw.rectangle(box, fill=0)
    for seed in (1, 2, 3):
        params = random_photo(random.Random(seed))
        photo, geometry = photograph(page, params, dpi=150, np_rng=np.random.default_rng(seed))
        dark = np.asarray(photo.convert("L")) < 90
        for box in boxes:
            x0, y0, x1, y1 = (round(v) for v in geometry.box(box))
            inside = dark[y0:y1, x0:x1]
            # the painted quadrilateral fills most of its upright bounding box, and nothing of it lies outside
            assert inside.mean() > 0.5
            ring = dark[y0 - 6 : y1 + 6, x0 - 6 : x1 + 6].sum() - inside.sum()
            assert ring <= 0.02 * inside.sum()


def test_every_line_box_holds_ink(decision):
    photo = np.asarray(decision.image.convert("L"))
    for box, line in zip(decision.truth["line_boxes"], decision.truth["lines"], strict=True):
        x0, y0, x1, y1 = box
        region = photo[y0:y1, x0:x1]
        assert region.size and region.min() < np.median(region) - 60, line


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs tesseract")
def test_the_text_under_a_field_box_reads_as_the_field():
    from pipeline.ocr import open_engine

    doc = next(d for d in (generate_document("khai_sinh", seed, "photo") for seed in range(1, 30)) if _mild(d))
    engine = open_engine("tesseract")
    (left, top), (right, rise) = doc.truth["photo"]["corners"][:2]
    slant = math.degrees(math.atan2(rise - top, right - left))  # the page's top edge: roughly the lines' slant
    for name in ("ho_ten", "so_dinh_danh"):
        x0, y0, x1, y1 = doc.truth["field_boxes"][name]
        crop = doc.image.convert("L").crop((x0 - 4, y0 - 4, x1 + 4, y1 + 4))
        paper = int(np.median(np.asarray(crop)))
        canvas = Image.new("L", (crop.width + 200, crop.height + 200), paper)  # Tesseract wants a margin
        canvas.paste(crop, (100, 100))
        canvas = canvas.rotate(slant, resample=Image.Resampling.BICUBIC, fillcolor=paper)
        text = " ".join(w.text for line in engine.recognize(PageImage(1, canvas, 220)).lines for w in line.words)
        value = doc.truth["fields"][name]
        assert fuzz.ratio(text.casefold(), value.casefold()) >= 85, (name, text, value)


def _mild(doc) -> bool:
    """A clean-ish photo: sharp, steady, and not too steep."""
    p = doc.truth["photo"]
    return p["blur"] < 0.6 and p["motion"] == 0 and (p["pitch"] ** 2 + p["yaw"] ** 2) ** 0.5 < 12
