"""The `page` step: the sheet in a phone photo is found, cut out flat and given its real dpi; a scan, or a photo
whose sheet cannot be found for sure, comes out untouched and quickly."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from PIL import Image

from pipeline.config import Settings
from pipeline.intake import PageImage, load_pages
from pipeline.preprocess import (
    DEFAULT_CHAIN,
    clean_page,
    clean_page_with_view,
    estimate_skew,
    find_page,
    page_aspect,
    parse_chain,
)
from pipeline.process import limits_from
from samples.generator import generate_document
from tests.paths import REAL_DEV

A4 = math.sqrt(2)
CARD = 85.6 / 53.98


def _page(doc) -> PageImage:
    return load_pages(doc.data, limits_from(Settings()))[0]


@pytest.fixture(scope="module")
def photos():
    return [generate_document(t, s, "photo") for t, s in (("quyet_dinh", 31), ("khai_sinh", 32), ("gcn_qsdd", 33))]


def test_the_sheet_s_corners_are_found(photos):
    for doc in photos:
        page = _page(doc)
        assert page.dpi == 72  # what the phone's JPEG says
        found = find_page(np.asarray(page.image), page.dpi)
        assert found is not None
        truth = np.array(doc.truth["photo"]["corners"])
        assert np.abs(found.corners - truth).max() < 0.006 * max(page.image.size)  # ~20 px on a 3300-px photo


def test_a_photo_is_rectified_to_an_upright_a4_page_at_its_real_dpi(photos):
    for doc in photos:
        cleaned = clean_page(_page(doc), ("page",))
        w, h = cleaned.image.size
        assert h / w == pytest.approx(A4, rel=0.01)
        assert cleaned.dpi == pytest.approx(doc.truth["photo"]["page_dpi"], rel=0.12)
        gray = np.asarray(cleaned.image.convert("L"))
        # the page's corners are the image's corners: no table left along any edge
        band = max(4, w // 100)
        for edge in (gray[:band], gray[-band:], gray[:, :band], gray[:, -band:]):
            assert np.median(edge) > 150
        assert abs(estimate_skew(gray)) <= 0.6  # the text lines come out level


def test_a_card_photo_is_rectified_to_a_card():
    doc = generate_document("cccd", 13, "photo")
    assert max(doc.truth["width"], doc.truth["height"]) < 2000  # this seed's CCCD is the card alone
    cleaned = clean_page(_page(doc), ("page",))
    w, h = cleaned.image.size
    assert max(w, h) / min(w, h) == pytest.approx(CARD, rel=0.02)


def test_the_aspect_of_a_tilted_sheet_is_recovered(photos):
    for doc in photos:
        corners = np.array(doc.truth["photo"]["corners"])
        size = (doc.truth["width"], doc.truth["height"])
        assert 1 / page_aspect(corners, size) == pytest.approx(A4, rel=0.04)


@pytest.mark.parametrize("variant", ["clean", "degraded"])
def test_a_generated_scan_comes_out_unchanged(variant):
    for doc_type, seed in (("quyet_dinh", 41), ("cccd", 42), ("ket_hon", 43)):
        page = _page(generate_document(doc_type, seed, variant))
        assert find_page(np.asarray(page.image), page.dpi) is None
        with_step = clean_page(page, ("page", "inks", "flatten"))
        without = clean_page(page, ("inks", "flatten"))
        assert with_step.dpi == page.dpi
        assert np.array_equal(np.asarray(with_step.image), np.asarray(without.image))


@pytest.mark.skipif(not (REAL_DEV / "pages300").is_dir(), reason="real-dev pages not on this machine")
def test_real_scans_come_out_unchanged():
    paths = sorted((REAL_DEV / "pages300").glob("*.jpg")) + sorted((REAL_DEV / "pages").glob("*.jpg"))
    assert paths
    for path in paths:
        image = np.asarray(load_pages(path.read_bytes(), limits_from(Settings()))[0].image)
        assert find_page(image, 300) is None, path.name


def test_saying_no_on_a_scan_is_fast():
    page = _page(generate_document("quyet_dinh", 44, "degraded"))  # RGB, A4 at 300 dpi
    image = np.asarray(page.image)
    find_page(image, page.dpi)
    best = min(_seconds(lambda: find_page(image, page.dpi)) for _ in range(3))
    assert best < 0.15  # ~10 ms measured; generous for a loaded CI machine


def test_a_sheet_running_out_of_the_frame_is_left_alone(photos):
    doc = photos[0]
    corners = np.array(doc.truth["photo"]["corners"])
    image = np.asarray(_page(doc).image)
    cut = image[:, : int(corners[:, 0].max() - 0.1 * doc.truth["width"])]  # the right-hand corners cut off
    assert find_page(np.ascontiguousarray(cut), 72) is None


def test_a_photo_the_sheet_fills_gets_a_sheet_s_dpi_instead_of_the_camera_s(photos):
    doc = photos[1]
    corners = np.array(doc.truth["photo"]["corners"])
    x0, y0 = corners.min(axis=0) + 0.1 * np.array([doc.truth["width"], doc.truth["height"]])
    x1, y1 = corners.max(axis=0) - 0.1 * np.array([doc.truth["width"], doc.truth["height"]])
    inner = Image.fromarray(np.asarray(_page(doc).image)[int(y0) : int(y1), int(x0) : int(x1)])
    cleaned = clean_page(PageImage(1, inner, 72), ("page",))
    assert np.array_equal(np.asarray(cleaned.image), np.asarray(inner.convert("L")))  # not cut: no sheet edge
    assert cleaned.dpi == round(max(inner.size) / (297 / 25.4))
    assert clean_page(PageImage(1, inner, 150), ("page",)).dpi == 150  # a scanner's dpi is kept


def test_a_sheet_on_a_surface_as_light_as_itself_is_left_alone():
    page = np.asarray(_page(generate_document("ket_hon", 45, "clean")).image.convert("RGB"))
    table = np.full((page.shape[0] + 400, page.shape[1] + 400, 3), 248, np.uint8)  # a white desk
    table[200:-200, 200:-200] = page
    assert find_page(table, 300) is None


def test_page_runs_first_wherever_it_is_named_and_the_view_follows(photos):
    page = _page(photos[1])
    assert parse_chain("default+page") == (*DEFAULT_CHAIN, "page")
    first = clean_page(page, ("page", "inks", "flatten"))
    last = clean_page(page, ("inks", "flatten", "page"))
    assert np.array_equal(np.asarray(first.image), np.asarray(last.image)) and first.dpi == last.dpi
    assert DEFAULT_CHAIN[0] == "page"
    cleaned, view = clean_page_with_view(page)
    assert view.image.size == cleaned.image.size and view.dpi == cleaned.dpi > 150
    assert cleaned.image.size[1] / cleaned.image.size[0] == pytest.approx(A4, rel=0.01)


def test_a_flat_sheet_photographed_square_on_keeps_its_drawn_shape():
    # A 2:1 white sheet on a dark table, camera square to it: not a known paper, so its drawn shape is kept.
    image = np.full((1600, 2400, 3), 40, np.uint8)
    image[300:1300, 200:2200] = 240
    found = find_page(image, 72)
    assert found is not None
    assert found.size[0] / found.size[1] == pytest.approx(2.0, rel=0.02)


def _seconds(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start

