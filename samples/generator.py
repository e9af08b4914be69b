"""Public entry points of the synthetic paper generator: one document with its ground truth, or a whole set
written to a folder as `<id>.<ext>` + `<id>.truth.json`.

Ground truth (`truth`): id, doc_type, variant, seed, font, dpi, layout, width, height, fields (contract
names of DESIGN.md §3, values normalised as the contract says; None where the paper has no such value),
field_boxes and line_boxes (pixel boxes [x0, y0, x1, y1] in the output image), lines (the exact text of
every rendered line in reading order: columns left to right), text ("\\n".join(lines)), scan (degradation
parameters, None for clean), and for the phone-photo variant only photo (camera and light parameters, and
`corners`, the page's corners in the photo: top-left, top-right, bottom-right, bottom-left). Agency fields are
the agency lines as printed, joined by one space.

Variants: clean (the render), degraded (a scan: rotation, blur, grain, seal, signature, JPEG) and photo (the
paper with its seal and signature photographed by a phone on a table: see `samples.photo`). A photo's JPEG says
72 dpi, as phones write; an A4 page in it is at ~180–240 dpi, a card at up to the render's dpi (truth photo.page_dpi).

Everything is deterministic from the seed: the same seed, type, variant, format and dpi give the same
truth and the same bytes, on a machine with the same fonts and Pillow.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from samples.degrade import ScanParams, degrade, random_scan, rotate_box
from samples.fonts import FontFamily, choose_family, family
from samples.forms import BUILDERS, Draft
from samples.layout import Box, nfc
from samples.people import TODAY
from samples.photo import paper_params, photograph, random_photo
from samples.render import encode, rasterise

DOC_TYPES: tuple[str, ...] = tuple(BUILDERS)
VARIANTS: tuple[str, ...] = ("clean", "degraded", "photo")
DEFAULT_FORMAT = {"clean": "pdf", "degraded": "jpg", "photo": "jpg"}
PHOTO_FILE_DPI = 72  # what a phone writes in its JPEGs: not the page's resolution
CARD_INCHES = 5.0  # a sheet whose long side is shorter than this is a card (photographed from closer)


@dataclass(frozen=True)
class GeneratedDoc:
    data: bytes  # the encoded file
    ext: str  # pdf, png or jpg
    truth: dict[str, Any]
    image: Image.Image  # the page pixels that were encoded (before JPEG loss)

    def truth_json(self) -> str:
        return truth_json(self.truth)


def truth_json(truth: dict[str, Any]) -> str:
    return json.dumps(truth, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


def document_seed(set_seed: int, index: int) -> int:
    """The seed of the index-th document of a set: stable across Python versions and machines."""
    digest = hashlib.blake2b(f"sohoa-samples:{set_seed}:{index}".encode(), digest_size=6).digest()
    return int.from_bytes(digest, "big")


def generate_document(
    doc_type: str,
    rng_or_seed: int | random.Random,
    variant: str = "clean",
    fmt: str | None = None,
    dpi: int = 300,
    *,
    font: str | None = None,
    doc_id: str | None = None,
) -> GeneratedDoc:
    """Render one synthetic paper of `doc_type` with its ground truth.

    A `random.Random` is only used to draw the document's seed, which the truth records so the document
    can be made again with `generate_document(doc_type, truth["seed"], …)`. `fmt` defaults to pdf for clean
    and jpg for degraded and photo; `font` names a family (see `samples.fonts.FAMILY_FILES`) instead of a random one.
    """
    if doc_type not in BUILDERS:
        raise ValueError(f"unknown doc_type {doc_type!r}; use one of {DOC_TYPES}")
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; use one of {VARIANTS}")
    if not 72 <= dpi <= 1200:
        raise ValueError(f"dpi {dpi} is outside 72–1200")
    seed = rng_or_seed.getrandbits(48) if isinstance(rng_or_seed, random.Random) else int(rng_or_seed)
    fmt = (fmt or DEFAULT_FORMAT[variant]).lower().replace("jpeg", "jpg")
    doc_id = doc_id or f"{doc_type}-{seed}-{variant}"

    fam = _family(seed, font)
    draft = _laid_out(doc_type, seed, fam, dpi)
    sheet = draft.sheet
    image = rasterise(sheet)
    line_boxes: list[Box] = [sheet.line_box(line) for line in sheet.lines]
    field_boxes = sheet.field_boxes()
    scan: dict[str, Any] | None = None
    photo: dict[str, Any] | None = None
    quality: int | None = None
    file_dpi = dpi
    if variant == "degraded":
        scan_rng = random.Random(f"scan:{seed}")
        space = sheet.anchors.get("signature")
        params = random_scan(scan_rng, signing_space=space is not None)
        image = _printed(image, params, dpi, scan_rng, seed, space, draft.seal, fam)
        line_boxes = [rotate_box(b, params.angle, image.size) for b in line_boxes]
        field_boxes = {k: rotate_box(b, params.angle, image.size) for k, b in field_boxes.items()}
        scan = params.as_dict()
        quality = params.jpeg_quality
        if fmt == "png":  # keep the compression artefacts a scanner's JPEG would leave
            image = _jpeg_round_trip(image, quality)
    elif variant == "photo":
        photo_rng = random.Random(f"photo:{seed}")
        space = sheet.anchors.get("signature")
        paper = paper_params(photo_rng, signing_space=space is not None)
        image = _printed(image, paper, dpi, photo_rng, seed, space, draft.seal, fam)
        params = random_photo(photo_rng, card=max(sheet.width, sheet.height) < CARD_INCHES * dpi)
        params = replace(params, page_dpi=min(params.page_dpi, float(dpi)))  # no sharper than the render
        image, geometry = photograph(image, params, dpi=dpi, np_rng=np.random.default_rng([seed, 1]))
        line_boxes = [geometry.box(b) for b in line_boxes]
        field_boxes = {k: geometry.box(b) for k, b in field_boxes.items()}
        scan = paper.as_dict()
        photo = {**params.as_dict(), "corners": geometry.corners()}
        quality = params.jpeg_quality
        # a phone's JPEG says 72 dpi; a PDF of the photo is given the page's own resolution instead, so that
        # it is not rendered at 4× its pixels
        file_dpi = PHOTO_FILE_DPI if fmt != "pdf" else round(params.page_dpi)
        if fmt == "png":
            image = _jpeg_round_trip(image, quality)

    lines = [nfc(line.text) for line in sheet.lines]
    truth: dict[str, Any] = {
        "id": doc_id,
        "doc_type": doc_type,
        "variant": variant,
        "seed": seed,
        "font": fam.name,
        "dpi": dpi,
        "layout": draft.layout,
        "width": image.width,
        "height": image.height,
        "fields": {k: nfc(v) if isinstance(v, str) else v for k, v in draft.fields.items()},
        "field_boxes": {k: _int_box(b) for k, b in field_boxes.items()},
        "lines": lines,
        "line_boxes": [_int_box(b) for b in line_boxes],
        "text": "\n".join(lines),
        "scan": scan,
    }
    if photo is not None:
        truth["photo"] = photo
    data = encode(image, fmt, file_dpi, title=doc_id, date=TODAY, quality=quality)
    return GeneratedDoc(data, fmt, truth, image)



def _printed(image: Image.Image, params: ScanParams, dpi: int, rng: random.Random, seed: int,
             signing_space: Box | None, seal: str | None, fam: FontFamily) -> Image.Image:
    """The sheet as it left the office: paper, ink, seal and signature per ``params`` (``degrade``)."""
    return degrade(image, params, dpi=dpi, rng=rng, np_rng=np.random.default_rng(seed), signing_space=signing_space,
                   seal_text=seal or "ỦY BAN NHÂN DÂN", seal_font=fam.paths["bold"])


def generate_set(
    out_dir: str | Path,
    count: int,
    seed: int = 0,
    variants: Sequence[str] = VARIANTS,
    types: Sequence[str] | str = "all",
    *,
    dpi: int = 300,
    fmt: str | None = None,
    progress: Callable[[int, int, Path], None] | None = None,
) -> list[Path]:
    """Write `count` documents (types taken in turn), each in every variant, with their truth files.

    Document i has seed `document_seed(seed, i)` and id `{i:05d}-{doc_type}-{variant}`; its variants show the
    same content. Returns the paths of the document files written.
    """
    type_list = _types(types)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    total = count * len(variants)
    for index in range(count):
        doc_type = type_list[index % len(type_list)]
        doc_seed = document_seed(seed, index)
        for variant in variants:
            doc_id = f"{index:05d}-{doc_type}-{variant}"
            doc = generate_document(doc_type, doc_seed, variant, fmt, dpi, doc_id=doc_id)
            path = out / f"{doc_id}.{doc.ext}"
            path.write_bytes(doc.data)
            (out / f"{doc_id}.truth.json").write_text(doc.truth_json(), encoding="utf-8")
            written.append(path)
            if progress:
                progress(len(written), total, path)
    return written


SHRINK_STEPS = (1.0, 1.06, 1.12, 1.2, 1.28, 1.36, 1.45)
BOTTOM_MARGIN_MM = 8.0


def _laid_out(doc_type: str, seed: int, fam: FontFamily, dpi: int) -> Draft:
    """Lay the paper out at natural size, or smaller until it fits its page (same content every try)."""
    draft = None
    for shrink in SHRINK_STEPS:
        draft = BUILDERS[doc_type](random.Random(seed), fam, dpi, shrink)
        box = draft.sheet.content_box()
        if box is None or box[3] <= draft.sheet.height - BOTTOM_MARGIN_MM / 25.4 * dpi:
            break
    assert draft is not None
    return draft


def _types(types: Sequence[str] | str) -> list[str]:
    if isinstance(types, str):
        types = [t.strip() for t in types.split(",") if t.strip()]
    if not types or "all" in types:
        return list(DOC_TYPES)
    unknown = [t for t in types if t not in BUILDERS]
    if unknown:
        raise ValueError(f"unknown doc types {unknown}; use some of {DOC_TYPES} or 'all'")
    return list(types)


def _family(seed: int, name: str | None) -> FontFamily:
    if name:
        return family(name)
    return choose_family(random.Random(f"font:{seed}").random())


def _int_box(box: Box) -> list[int]:
    return [round(v) for v in box]


def _jpeg_round_trip(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    return Image.open(buffer).convert(image.mode)


def iter_truth(out_dir: str | Path) -> Iterable[dict[str, Any]]:
    """The truth records of a generated set, in id order."""
    for path in sorted(Path(out_dir).glob("*.truth.json")):
        yield json.loads(path.read_text(encoding="utf-8"))


__all__ = ["DOC_TYPES", "VARIANTS", "GeneratedDoc", "document_seed", "generate_document", "generate_set",
           "iter_truth", "truth_json"]
