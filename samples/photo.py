"""Make a rendered paper look like a phone photo of it: the sheet lying on a table (wood, fabric or a dark
surface), seen by a camera that is not square to it (perspective, a little roll), slightly bent, under uneven
light with a soft shadow, with a colour cast, mild defocus or motion blur, sensor grain, the phone's sharpening
and (at encoding) JPEG compression. An A4 page lands at ~180–240 dpi at the frame's centre, like a 12 MP photo
scaled to 2300–3500 px on its long side; a card, photographed from closer, at 400–600 dpi (at most the render's).

Everything is drawn from the given random generators, so the same seed gives the same pixels (with the same
OpenCV and Pillow). The geometry is kept (:class:`PhotoGeometry`) so ground-truth boxes on the flat page can be
carried into the photo.

Heavy work runs at frame size on float32 planes with OpenCV; smooth fields (light, wood grain, the warp's
coordinate maps) are computed on a coarse grid and enlarged, which is exact enough for things that vary slowly.
"""

from __future__ import annotations

import math
import random
from dataclasses import asdict, dataclass

import cv2
import numpy as np
from PIL import Image

from samples.degrade import ScanParams
from samples.layout import Box

BACKGROUNDS = ("wood", "fabric", "dark")
_WOODS = ((118, 76, 44), (150, 102, 62), (92, 60, 36), (168, 124, 82))
_FABRICS = ((42, 52, 84), (52, 82, 62), (92, 92, 98), (124, 44, 48), (70, 60, 52))
_MAP_STEP = 8  # the warp's coordinate maps are computed every 8 px and enlarged (the warp is smooth)
_EDGE_SAMPLES = 9  # points per box edge carried through the warp (the bend curves straight edges)
_FOCAL = 0.78  # focal length over the frame's long side: a phone's ~26 mm-equivalent main camera


@dataclass(frozen=True)
class PhotoParams:
    page_dpi: float  # resolution of the page at the frame's centre
    pitch: float  # degrees the camera leans forward/back (rotation about the page's horizontal axis)
    yaw: float  # degrees it leans left/right (about the vertical axis)
    roll: float  # degrees the page is turned in the frame
    fill: float  # share of the frame's long side the page spans
    place: tuple[float, float]  # where the page sits in the frame's free space (0 = left/top, 1 = right/bottom)
    bend: float  # bow of the lower page: its bottom edge bulges by this share of the page height at the middle
    background: str  # wood, fabric or dark
    exposure: float  # brightness of the best-lit paper (1 = 255)
    light: float  # how much darker the far side of the frame is
    light_angle: float  # direction the light falls off towards (degrees)
    shadow: float  # darkness of a hand's or phone's soft shadow (0 = none)
    cast: tuple[float, float, float]  # white-balance error: RGB multipliers
    blur: float  # defocus, gaussian sigma in px
    motion: float  # hand shake, length in px (0 = none)
    motion_angle: float
    noise: float  # sensor grain sigma in gray levels
    sharpen: float  # the phone's unsharp mask amount
    jpeg_quality: int

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["place"] = [round(v, 3) for v in self.place]
        data["cast"] = [round(v, 3) for v in self.cast]
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in data.items()}


def random_photo(rng: random.Random, *, card: bool = False) -> PhotoParams:
    """Camera, light and surface for one photo. A card is photographed from closer: more pixels per inch."""
    tilt = rng.uniform(5.0, 20.0)  # the camera's angle off square to the page
    lean = rng.uniform(0, math.tau)
    warm = rng.uniform(-0.06, 0.1)  # mostly warm indoor light, sometimes a cool cast
    motion = rng.random() < 0.35
    return PhotoParams(
        page_dpi=round(rng.uniform(400.0, 600.0) if card else rng.uniform(180.0, 240.0), 1),
        pitch=round(tilt * math.cos(lean), 3),
        yaw=round(tilt * math.sin(lean), 3),
        roll=round(rng.uniform(-6.0, 6.0), 3),
        fill=round(rng.uniform(0.8, 0.92), 3),
        place=(round(rng.uniform(0.2, 0.8), 3), round(rng.uniform(0.2, 0.8), 3)),
        bend=round(rng.uniform(-0.012, 0.012), 4),
        background=rng.choice(BACKGROUNDS),
        exposure=round(rng.uniform(0.84, 0.97), 3),
        light=round(rng.uniform(0.08, 0.3), 3),
        light_angle=round(rng.uniform(0, 360), 1),
        shadow=round(rng.uniform(0.12, 0.3), 3) if rng.random() < 0.4 else 0.0,
        cast=(round(1 + warm * 0.6, 3), 1.0, round(1 - warm, 3)),
        blur=round(rng.uniform(0.3, 0.9), 3),
        motion=round(rng.uniform(1.5, 3.5), 2) if motion else 0.0,
        motion_angle=round(rng.uniform(0, 180), 1),
        noise=round(rng.uniform(1.5, 4.5), 2),
        sharpen=round(rng.uniform(0.2, 0.6), 3),
        jpeg_quality=rng.randint(72, 92),
    )


def paper_params(rng: random.Random, *, signing_space: bool) -> ScanParams:
    """The printed original before it is photographed: a seal and a signature, near-black ink on white paper;
    no scanner rotation, grain, specks or shading (the camera adds its own)."""
    return ScanParams(angle=0.0, blur=0.0, noise=0.0, ink=round(rng.uniform(18.0, 45.0), 3),
                      paper=round(rng.uniform(238.0, 252.0), 3), tint=(1.0, 1.0, 1.0), shade=0.0, edge_shadow=0,
                      speckles=0, jpeg_quality=92, seal=signing_space and rng.random() < 0.85,
                      signature=signing_space and rng.random() < 0.9)


@dataclass(frozen=True)
class PhotoGeometry:
    """Where a point of the flat page lands in the photo: scale to the photo's resolution, bend, then the
    camera's homography."""

    size: tuple[int, int]  # the frame, width × height
    page_size: tuple[int, int]  # the rendered page, width × height
    scale: float  # rendered page px → page px at the photo's resolution
    bend: float
    homography: np.ndarray  # 3×3, scaled (flat, bent) page px → frame px

    def points(self, xy: np.ndarray) -> np.ndarray:
        """Frame positions of rendered-page points (N×2)."""
        u = xy[:, 0] * self.scale
        v = xy[:, 1] * self.scale
        w = self.page_size[0] * self.scale
        h = self.page_size[1] * self.scale
        v = v + self.bend * h * _bow(u, w) * (v / h)
        flat = np.stack([u, v, np.ones_like(u)])
        mapped = self.homography @ flat
        return (mapped[:2] / mapped[2]).T

    def box(self, box: Box) -> Box:
        """The upright box around a page box as photographed (its edges sampled: the bend curves them)."""
        x0, y0, x1, y1 = box
        t = np.linspace(0.0, 1.0, _EDGE_SAMPLES)
        xs = np.concatenate([x0 + (x1 - x0) * t, np.full_like(t, x1), x1 - (x1 - x0) * t, np.full_like(t, x0)])
        ys = np.concatenate([np.full_like(t, y0), y0 + (y1 - y0) * t, np.full_like(t, y1), y1 - (y1 - y0) * t])
        mapped = self.points(np.stack([xs, ys], axis=1))
        return (float(mapped[:, 0].min()), float(mapped[:, 1].min()),
                float(mapped[:, 0].max()), float(mapped[:, 1].max()))

    def corners(self) -> list[list[float]]:
        """The page's corners in the frame: top-left, top-right, bottom-right, bottom-left."""
        w, h = self.page_size
        mapped = self.points(np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float64))
        return [[round(float(x), 1), round(float(y), 1)] for x, y in mapped]


def _bow(u: np.ndarray, width: float) -> np.ndarray:
    """0 at the page's side edges, 1 in the middle: the shape of a bent sheet's lower edge."""
    return 1.0 - (2.0 * u / width - 1.0) ** 2


def photograph(page: Image.Image, params: PhotoParams, *, dpi: int,
               np_rng: np.random.Generator) -> tuple[Image.Image, PhotoGeometry]:
    """An RGB phone photo of a page image rendered at ``dpi`` (JPEG compression is left to the encoder)."""
    rgb = np.asarray(page.convert("RGB"))
    scale = min(1.0, params.page_dpi / dpi)
    small = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else rgb
    geometry = _camera(page.size, scale, params)
    sheet, mask = _warp(small, geometry)
    frame = _background(params, geometry.size, np_rng)
    frame *= _drop_shadow(mask)[..., None]
    photo = cv2.blendLinear(sheet.astype(np.float32), frame, mask, 1.0 - mask)
    light = _light(params, geometry.size, np_rng)
    photo = cv2.multiply(photo, cv2.merge([light * np.float32(c) for c in params.cast]))
    photo = _blur(photo, params)
    h, w = photo.shape[:2]
    grain = np_rng.standard_normal((h, w), dtype=np.float32) * np.float32(params.noise)
    # chroma noise is blotchy on a phone: drawn at half resolution
    chroma = np_rng.standard_normal((h // 2 + 1, w // 2 + 1, 3), dtype=np.float32) * np.float32(params.noise * 0.5)
    photo = cv2.add(photo, cv2.add(cv2.merge([grain, grain, grain]), cv2.resize(chroma, (w, h))))
    if params.sharpen > 0:  # the phone's own sharpening, which also sharpens its noise
        soft = cv2.GaussianBlur(photo, (0, 0), 1.2)
        photo = cv2.addWeighted(photo, 1 + params.sharpen, soft, -params.sharpen, 0)
    np.clip(photo, 0, 255, out=photo)
    return Image.fromarray(photo.astype(np.uint8), "RGB"), geometry


def _camera(page_size: tuple[int, int], scale: float, params: PhotoParams) -> PhotoGeometry:
    """Project the page's plane through a pinhole camera tilted by pitch/yaw and rolled, its optical axis through
    the centre of a 4:3 frame (as in a phone's photo); the page is slid across the table to its place in it."""
    w, h = page_size[0] * scale, page_size[1] * scale
    focal = _FOCAL * max(w, h) / params.fill  # the frame is ~ long side / fill: focal as a share of it
    pitch, yaw, roll = (math.radians(a) for a in (params.pitch, params.yaw, params.roll))
    rx = np.array([[1, 0, 0], [0, math.cos(pitch), -math.sin(pitch)], [0, math.sin(pitch), math.cos(pitch)]])
    ry = np.array([[math.cos(yaw), 0, math.sin(yaw)], [0, 1, 0], [-math.sin(yaw), 0, math.cos(yaw)]])
    rz = np.array([[math.cos(roll), -math.sin(roll), 0], [math.sin(roll), math.cos(roll), 0], [0, 0, 1]])
    rotation = rx @ ry @ rz
    # The outline as bent (the bottom edge bows by bend × h), so the whole sheet is framed, not just its corners.
    t = np.linspace(0.0, 1.0, 17)
    bottom = h * (1.0 + params.bend * _bow(t * w, w))
    outline = np.concatenate([np.column_stack([t * w, np.zeros_like(t)]), np.column_stack([t * w, bottom]),
                              [[0.0, h], [w, h]]])

    def project(points: np.ndarray, shift: np.ndarray) -> np.ndarray:
        centred = np.column_stack([points[:, 0] - w / 2, points[:, 1] - h / 2, np.zeros(len(points))])
        world = centred @ rotation.T + np.array([shift[0], shift[1], focal])  # centre at distance = focal
        return focal * world[:, :2] / world[:, 2:3]  # relative to the principal point

    seen = project(outline, np.zeros(2))
    extent = seen.max(axis=0) - seen.min(axis=0)
    portrait = extent[1] >= extent[0]
    frame_long = math.ceil((extent[1] if portrait else extent[0]) / params.fill)
    frame_short = max(round(frame_long * 3 / 4), math.ceil((extent[0] if portrait else extent[1]) * 1.04))
    size = (frame_short, frame_long) if portrait else (frame_long, frame_short)
    half = np.array(size, dtype=np.float64) / 2
    wanted_low = (np.array(size) - extent) * np.array(params.place) - half  # where the sheet's box should start
    shift = np.zeros(2)
    for _ in range(4):  # sliding the sheet changes its perspective a little: correct a few times
        shift += wanted_low - project(outline, shift).min(axis=0)
    seen = project(outline, shift)
    inside = (seen.min(axis=0) >= 1 - half).all() and (seen.max(axis=0) <= half - 1).all()
    if not inside:
        shift = np.zeros(2)  # cannot happen with the frame sized above; keep the sheet centred if it did
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float64)
    projected = project(corners, shift) + half
    homography = cv2.getPerspectiveTransform(corners.astype(np.float32), projected.astype(np.float32))
    return PhotoGeometry(size, page_size, scale, params.bend, homography.astype(np.float64))


def _warp(small: np.ndarray, geometry: PhotoGeometry) -> tuple[np.ndarray, np.ndarray]:
    """The page as the camera sees it, and its coverage (0–1, soft at the edges)."""
    fw, fh = geometry.size
    gw, gh = fw // _MAP_STEP + 2, fh // _MAP_STEP + 2
    # cv2.resize by a factor of 8 reads frame pixel i from grid position i / 8 - 0.4375 (pixel centres), so grid
    # node k holds the map at frame pixel 8k + 3.5.
    nodes = (np.arange(max(gw, gh), dtype=np.float64) + 0.4375) * _MAP_STEP
    gx, gy = np.meshgrid(nodes[:gw], nodes[:gh])
    inverse = np.linalg.inv(geometry.homography)
    flat = inverse @ np.stack([gx.ravel(), gy.ravel(), np.ones(gx.size)])
    u, v = flat[0] / flat[2], flat[1] / flat[2]
    h, w = small.shape[:2]
    v = v / (1.0 + geometry.bend * _bow(u, w))  # undo the bend: v' = v (1 + bend × bow(u))
    size = (gw * _MAP_STEP, gh * _MAP_STEP)
    map_x = cv2.resize(u.reshape(gh, gw).astype(np.float32), size, interpolation=cv2.INTER_LINEAR)[:fh, :fw]
    map_y = cv2.resize(v.reshape(gh, gw).astype(np.float32), size, interpolation=cv2.INTER_LINEAR)[:fh, :fw]
    sheet = cv2.remap(small, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    coverage = np.full((h, w), 255, np.uint8)
    mask = cv2.remap(coverage, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    return sheet, mask.astype(np.float32) / 255.0


def _smooth_noise(shape: tuple[int, int], cells: int, np_rng: np.random.Generator) -> np.ndarray:
    """Values in about [0, 1] that vary smoothly over ~1/cells of the area."""
    coarse = np_rng.uniform(0, 1, size=(cells, cells)).astype(np.float32)
    return cv2.resize(coarse, (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC)


def _background(params: PhotoParams, size: tuple[int, int], np_rng: np.random.Generator) -> np.ndarray:
    """The surface under the page, RGB float32."""
    w, h = size
    sw, sh = max(16, w // 4), max(16, h // 4)
    if params.background == "wood":
        shade = _wood_grain((sh, sw), np_rng)
        colour = _WOODS[int(np_rng.integers(len(_WOODS)))]
    elif params.background == "fabric":
        shade = 0.8 + 0.2 * _smooth_noise((sh, sw), 8, np_rng)  # folds
        colour = _FABRICS[int(np_rng.integers(len(_FABRICS)))]
    else:
        shade = 0.85 + 0.15 * _smooth_noise((sh, sw), 4, np_rng)
        grey = float(np_rng.uniform(28, 62))
        colour = (grey, grey * 0.98, grey * 1.03)
    field = cv2.resize(shade.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    if params.background == "fabric":  # the weave: a fine cross pattern, too fine to draw on the coarse grid
        pitch = float(np_rng.uniform(3.0, 5.0))
        wx = np.sin(np.arange(w, dtype=np.float32) * np.float32(math.tau / pitch))
        wy = np.sin(np.arange(h, dtype=np.float32) * np.float32(math.tau / pitch))
        field = field * (0.92 + 0.04 * (wx[None, :] + wy[:, None]))
    texture = np_rng.standard_normal((h // 2 + 1, w // 2 + 1), dtype=np.float32)
    field = field + 0.03 * cv2.resize(texture, (w, h), interpolation=cv2.INTER_LINEAR)
    return field[..., None] * np.asarray(colour, dtype=np.float32)


def _wood_grain(shape: tuple[int, int], np_rng: np.random.Generator) -> np.ndarray:
    """Brightness of a wooden table top: streaks that run along the grain at a random angle, wavy growth rings."""
    side = int(math.hypot(*shape)) + 2
    # many values across the grain, few along it: long streaks once enlarged
    streaks = cv2.resize(np_rng.uniform(0, 1, size=(120, 5)).astype(np.float32), (side, side),
                         interpolation=cv2.INTER_CUBIC)
    across = np.arange(side, dtype=np.float32)[:, None]
    period = float(np_rng.uniform(25, 60))
    wobble = 6.0 * _smooth_noise((side, side), 4, np_rng)
    rings = 0.5 + 0.5 * np.sin(across * np.float32(math.tau / period) + wobble)
    grain = 0.6 * streaks + 0.4 * rings**3
    turn = cv2.getRotationMatrix2D((side / 2, side / 2), float(np_rng.uniform(0, 180)), 1.0)
    grain = cv2.warpAffine(grain, turn, (side, side), borderMode=cv2.BORDER_REFLECT)
    top, left = (side - shape[0]) // 2, (side - shape[1]) // 2
    return 0.7 + 0.3 * grain[top : top + shape[0], left : left + shape[1]]


def _drop_shadow(mask: np.ndarray) -> np.ndarray:
    """Light left on the surface around the sheet's soft shadow, cast a little down and to the right (the sheet
    is laid over it). Blurred on a 1/8 copy: a shadow this soft has no detail to lose."""
    h, w = mask.shape
    small = cv2.resize(mask, (max(2, w // 8), max(2, h // 8)), interpolation=cv2.INTER_AREA)
    shift = max(1, round(0.006 * max(w, h) / 8))
    shadow = np.zeros_like(small)
    shadow[shift:, shift:] = small[:-shift, :-shift]
    shadow = cv2.GaussianBlur(shadow, (0, 0), 0.008 * max(w, h) / 8)
    return cv2.resize(1.0 - 0.45 * shadow, (w, h), interpolation=cv2.INTER_LINEAR)


def _light(params: PhotoParams, size: tuple[int, int], np_rng: np.random.Generator) -> np.ndarray:
    """Multiplicative light over the frame: exposure, a fall-off across it, lens vignetting, maybe a soft shadow
    of the hand or phone. Computed on a coarse grid and enlarged."""
    w, h = size
    sw, sh = max(8, w // 16), max(8, h // 16)
    gx, gy = np.meshgrid(np.linspace(-1, 1, sw, dtype=np.float32), np.linspace(-1, 1, sh, dtype=np.float32))
    a = math.radians(params.light_angle)
    ramp = (gx * math.cos(a) + gy * math.sin(a) + 1.414) / 2.828  # 0 on the lit side, 1 on the far side
    field = params.exposure * (1.0 - params.light * ramp) * (1.0 - 0.08 * (gx * gx + gy * gy) / 2)
    if params.shadow > 0:  # centred just off one edge of the frame, reaching in
        along, out = float(np_rng.uniform(-0.8, 0.8)), float(np_rng.uniform(0.9, 1.2))
        edge = int(np_rng.integers(4))
        cx, cy = ((along, -out), (along, out), (-out, along), (out, along))[edge]
        rx, ry = (float(r) for r in np_rng.uniform(0.4, 0.7, size=2))
        blob = np.exp(-(((gx - cx) / rx) ** 2 + ((gy - cy) / ry) ** 2))
        field = field * (1.0 - params.shadow * blob)
    return cv2.resize(field.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)


def _blur(photo: np.ndarray, params: PhotoParams) -> np.ndarray:
    if params.blur > 0:
        photo = cv2.GaussianBlur(photo, (0, 0), params.blur)
    if params.motion > 0:
        length = max(2, math.ceil(params.motion))
        size = length * 2 + 1
        kernel = np.zeros((size, size), np.float32)
        a = math.radians(params.motion_angle)
        for t in np.linspace(-params.motion / 2, params.motion / 2, 4 * length + 1):
            kernel[round(length + t * math.sin(a)), round(length + t * math.cos(a))] += 1.0
        photo = cv2.filter2D(photo, -1, kernel / kernel.sum())
    return photo
