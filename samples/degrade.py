"""Make a clean render look like a scan of a real paper: small rotation, blur, uneven light, grey paper and ink,
gaussian noise, speckle, a red seal and a blue signature over the signing space, and (at encoding) JPEG
compression. Everything is drawn from the given random generators, so the same seed gives the same pixels.

The heavy full-page work stays on one grey channel; colour is added once at the end and the seal and
signature are multiplied into small patches, which keeps a 300-dpi A4 page well under half a second.
"""

from __future__ import annotations

import math
import random
from dataclasses import asdict, dataclass

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from samples.layout import Box

SEAL_RED = (200, 32, 45)
INK_BLUE = (28, 42, 140)


@dataclass(frozen=True)
class ScanParams:
    angle: float  # degrees, counter-clockwise
    blur: float  # gaussian radius at 300 dpi
    noise: float  # gaussian sigma in grey levels
    ink: float  # grey level of black ink after scanning
    paper: float  # grey level of white paper
    tint: tuple[float, float, float]  # paper colour multipliers
    shade: float  # strength of uneven light
    edge_shadow: int  # 0 none, 1 left, 2 right, 3 top, 4 bottom
    speckles: int
    jpeg_quality: int
    seal: bool
    signature: bool

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["tint"] = [round(t, 3) for t in self.tint]
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in data.items()}


def random_scan(rng: random.Random, *, signing_space: bool) -> ScanParams:
    warm = rng.uniform(0.0, 0.06)
    return ScanParams(
        angle=round(rng.uniform(-2.0, 2.0), 3),
        blur=round(rng.uniform(0.35, 1.1), 3),
        noise=round(rng.uniform(3.0, 11.0), 3),
        ink=round(rng.uniform(15.0, 70.0), 3),
        paper=round(rng.uniform(222.0, 250.0), 3),
        tint=(1.0, round(1.0 - warm * 0.4, 3), round(1.0 - warm, 3)),
        shade=round(rng.uniform(0.0, 0.08), 3),
        edge_shadow=rng.choice((0, 0, 0, 1, 2, 3, 4)),
        speckles=rng.randint(20, 400),
        jpeg_quality=rng.randint(40, 82),
        seal=signing_space and rng.random() < 0.85,
        signature=signing_space and rng.random() < 0.9,
    )


def rotate_point(x: float, y: float, angle: float, size: tuple[int, int]) -> tuple[float, float]:
    """Where a point lands after Pillow's `rotate(angle)` about the image centre."""
    cx, cy = size[0] / 2, size[1] / 2
    th = math.radians(angle)
    dx, dy = x - cx, y - cy
    return cx + dx * math.cos(th) + dy * math.sin(th), cy - dx * math.sin(th) + dy * math.cos(th)


def rotate_box(box: Box, angle: float, size: tuple[int, int]) -> Box:
    """The upright box around a rotated box."""
    corners = [rotate_point(x, y, angle, size) for x in (box[0], box[2]) for y in (box[1], box[3])]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    return (min(xs), min(ys), max(xs), max(ys))


def degrade(
    image: Image.Image,
    params: ScanParams,
    *,
    dpi: int,
    rng: random.Random,
    np_rng: np.random.Generator,
    signing_space: Box | None = None,
    seal_text: str = "ỦY BAN NHÂN DÂN",
    seal_font: str | None = None,
) -> Image.Image:
    """An RGB scan-like version of a grey page image (JPEG compression is left to the encoder)."""
    scale = dpi / 300
    page = image.convert("L").copy()
    a4_share = page.width * page.height / (2480 * 3508 * scale * scale)  # fewer specks on a small card
    _speckle(page, round(params.speckles * min(1.0, a4_share)), scale, rng)
    if params.angle:
        page = page.rotate(params.angle, resample=Image.Resampling.BILINEAR, fillcolor=255)
    if params.blur > 0:
        page = page.filter(ImageFilter.BoxBlur(params.blur * scale))
    # ink and paper grey levels, then light, then grain: all 8-bit Pillow operations on one channel
    span = (params.paper - params.ink) / 255.0
    page = page.point([round(params.ink + span * v) for v in range(256)])
    page = ImageChops.multiply(page, _light(page.size, params, np_rng))
    page = ImageChops.add(page, _grain(page.size, params.noise, np_rng), 1.0, -128)
    rgb = Image.merge("RGB", [page.point([min(255, int(v * t)) for v in range(256)]) for t in params.tint])

    if signing_space is not None:
        x0, y0, x1, y1 = signing_space
        if params.signature:
            _multiply(rgb, *_signature(signing_space, params.angle, page.size, scale, rng), INK_BLUE)
        if params.seal:
            diameter = 36 / 25.4 * dpi * rng.uniform(0.95, 1.12)
            cx = x0 + (x1 - x0) * rng.uniform(0.18, 0.38)
            cy = (y0 + y1) / 2 + (y1 - y0) * rng.uniform(-0.15, 0.1)
            cx, cy = rotate_point(cx, cy, params.angle, page.size)
            mask = _seal(int(diameter), seal_text, seal_font, rng, np_rng)
            _multiply(rgb, mask, int(cx - diameter / 2), int(cy - diameter / 2), SEAL_RED)
    return rgb


def _speckle(page: Image.Image, count: int, scale: float, rng: random.Random) -> None:
    """Dust and toner dots; a few white drop-outs."""
    draw = ImageDraw.Draw(page)
    w, h = page.size
    for _ in range(count):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        r = rng.uniform(0.6, 2.6) * scale
        draw.ellipse((x - r, y - r * rng.uniform(0.6, 1.4), x + r, y + r), fill=rng.choice((0, 40, 90, 255)))


def _light(size: tuple[int, int], params: ScanParams, np_rng: np.random.Generator) -> Image.Image:
    """Multiplicative light field (255 = full light): a gentle gradient, maybe a scanner lid's dark edge band.

    Computed on a coarse grid and enlarged, which is exact enough for light that varies slowly.
    """
    w, h = max(2, size[0] // 8), max(2, size[1] // 8)
    gx = np.linspace(-1, 1, w, dtype=np.float32)
    gy = np.linspace(-1, 1, h, dtype=np.float32)
    ax, ay = np_rng.uniform(-1, 1, size=2).astype(np.float32) * np.float32(params.shade)
    field = (1 - params.shade / 2) + ax * gx[None, :] + ay * gy[:, None]
    if params.edge_shadow:
        across = w if params.edge_shadow <= 2 else h
        d = np.arange(across, dtype=np.float32)
        if params.edge_shadow in (2, 4):
            d = d[::-1]
        band = 1 - 0.45 * np.exp(-d / np.float32(0.035 * across))
        field = field * (band[None, :] if params.edge_shadow <= 2 else band[:, None])
    small = Image.fromarray(np.clip(field * 255, 0, 255).astype(np.uint8), "L")
    return small.resize(size, Image.Resampling.BILINEAR)


def _grain(size: tuple[int, int], sigma: float, np_rng: np.random.Generator) -> Image.Image:
    """Gaussian grain around 128: a 512-pixel tile of noise laid over the page with random flips."""
    tile_px = 512
    tile = np.clip(128 + np_rng.standard_normal((tile_px, tile_px), dtype=np.float32) * np.float32(sigma), 0, 255)
    tile_image = Image.fromarray(tile.astype(np.uint8), "L")
    tiles = [tile_image, tile_image.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
             tile_image.transpose(Image.Transpose.FLIP_TOP_BOTTOM), tile_image.transpose(Image.Transpose.ROTATE_180)]
    grain = Image.new("L", size, 128)
    ox, oy = (int(v) for v in np_rng.integers(0, tile_px, size=2))
    for y in range(-oy, size[1], tile_px):
        for x in range(-ox, size[0], tile_px):
            grain.paste(tiles[int(np_rng.integers(0, 4))], (x, y))
    return grain


def _multiply(rgb: Image.Image, mask: Image.Image, left: int, top: int, colour: tuple[int, int, int]) -> None:
    """Multiply a coloured ink, shaped by `mask` (0–255 coverage), into the page at (left, top)."""
    box = (max(0, left), max(0, top), min(rgb.width, left + mask.width), min(rgb.height, top + mask.height))
    if box[2] <= box[0] or box[3] <= box[1]:
        return
    alpha = np.asarray(mask.crop((box[0] - left, box[1] - top, box[2] - left, box[3] - top)),
                       dtype=np.float32)[..., None] / 255.0
    ink = np.asarray(colour, dtype=np.float32) / 255.0
    patch = np.asarray(rgb.crop(box), dtype=np.float32)
    rgb.paste(Image.fromarray((patch * (1 - alpha + alpha * ink)).astype(np.uint8), "RGB"), box[:2])


def _signature(space: Box, angle: float, size: tuple[int, int], scale: float,
               rng: random.Random) -> tuple[Image.Image, int, int]:
    """A handwritten-looking scribble across the signing space, as a mask with its page position."""
    x0, y0, x1, y1 = space
    width, height = (x1 - x0) * rng.uniform(0.35, 0.6), (y1 - y0) * rng.uniform(0.35, 0.7)
    cx = (x0 + x1) / 2 + rng.uniform(-0.1, 0.1) * (x1 - x0)
    cy = (y0 + y1) / 2
    points = []
    loops = rng.randint(3, 6)
    phase = [rng.uniform(0, math.tau) for _ in range(4)]
    steps = 160
    for k in range(steps + 1):
        t = k / steps
        x = cx - width / 2 + width * t + width * 0.08 * math.sin(loops * math.tau * t + phase[0])
        y = cy + height / 2 * (0.7 * math.sin(loops * math.tau * t * 1.3 + phase[1]) * (1 - t * 0.5)
                               + 0.3 * math.sin(math.tau * t + phase[2]))
        points.append(rotate_point(x, y, angle, size))
    tail = points[-1]
    points.append((tail[0] + width * 0.25, tail[1] - height * 0.3))
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    pad = int(6 * scale) + 2
    left, top = int(min(xs)) - pad, int(min(ys)) - pad
    mask = Image.new("L", (int(max(xs)) - left + pad, int(max(ys)) - top + pad), 0)
    stroke = max(2, round(rng.uniform(4, 6.5) * scale))
    ImageDraw.Draw(mask).line([(x - left, y - top) for x, y in points], fill=235, width=stroke, joint="curve")
    return mask.filter(ImageFilter.GaussianBlur(0.6 * scale)), left, top


def _seal(diameter: int, text: str, font_path: str | None, rng: random.Random,
          np_rng: np.random.Generator) -> Image.Image:
    """A round official seal: two rings, the agency name around the top, a star in the middle; unevenly inked."""
    d = diameter
    mask = Image.new("L", (d, d), 0)
    draw = ImageDraw.Draw(mask)
    ring = max(2, d // 45)
    draw.ellipse((ring, ring, d - ring, d - ring), outline=255, width=ring * 2)
    inner = int(d * 0.2)
    draw.ellipse((inner, inner, d - inner, d - inner), outline=255, width=max(1, ring // 2 + 1))
    cx = cy = d / 2
    r = d * 0.08
    star = []
    for k in range(10):
        radius = r if k % 2 == 0 else r * 0.4
        a = -math.pi / 2 + k * math.pi / 5
        star.append((cx + radius * math.cos(a), cy + radius * math.sin(a)))
    draw.polygon(star, fill=255)
    if font_path:
        font = ImageFont.truetype(font_path, max(8, int(d * 0.085)), layout_engine=ImageFont.Layout.BASIC)
        _text_on_circle(mask, text.upper(), font, radius=d * 0.385)
    mask = mask.rotate(rng.uniform(-25, 25), resample=Image.Resampling.BICUBIC)
    # uneven ink: a coarse random field, smoothed, scales coverage between about 45% and 95%
    coarse = np_rng.uniform(0.45, 0.95, size=(6, 6)).astype(np.float32)
    field = Image.fromarray((coarse * 255).astype(np.uint8), "L").resize((d, d), Image.Resampling.BICUBIC)
    ink = np.asarray(mask, dtype=np.float32) * (np.asarray(field, dtype=np.float32) / 255.0)
    return Image.fromarray(ink.astype(np.uint8), "L").filter(ImageFilter.GaussianBlur(max(0.5, d / 600)))


def _text_on_circle(mask: Image.Image, text: str, font: ImageFont.FreeTypeFont, radius: float) -> None:
    """Letters along the circle, centred on the top, reading clockwise."""
    widths = [font.getlength(ch) for ch in text]
    total = sum(widths) * 1.05
    span = min(total / radius, math.radians(300))
    spacing = span / max(total, 1)
    cx, cy = mask.width / 2, mask.height / 2
    angle = -math.pi / 2 - span / 2
    for ch, w in zip(text, widths, strict=True):
        mid = angle + w * spacing / 2
        angle += w * 1.05 * spacing
        if ch == " ":
            continue
        glyph = Image.new("L", (int(font.size * 1.6), int(font.size * 1.6)), 0)
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), ch, fill=255, font=font, anchor="mm")
        glyph = glyph.rotate(-math.degrees(mid + math.pi / 2), resample=Image.Resampling.BICUBIC)
        x = cx + radius * math.cos(mid) - glyph.width / 2
        y = cy + radius * math.sin(mid) - glyph.height / 2
        mask.paste(255, (int(x), int(y)), glyph)
