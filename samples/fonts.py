"""Serif fonts that really cover Vietnamese, found on this machine, and a glyph check that proves it.

Official papers are set in Times New Roman; TeX Gyre Termes is its free look-alike. Noto Serif, FreeSerif
and DejaVu Serif add variety. Liberation is left out on purpose: it lacks the stacked Vietnamese capitals.
Install them on Debian with `apt-get install fonts-texgyre fonts-noto-core fonts-freefont-ttf fonts-dejavu-core`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont

FACES = ("regular", "bold", "italic", "bolditalic")

# family → file name of each face, in the order a document draws them (first = most like official papers).
FAMILY_FILES: dict[str, dict[str, str]] = {
    "TeX Gyre Termes": {
        "regular": "texgyretermes-regular.otf", "bold": "texgyretermes-bold.otf",
        "italic": "texgyretermes-italic.otf", "bolditalic": "texgyretermes-bolditalic.otf",
    },
    "Noto Serif": {
        "regular": "NotoSerif-Regular.ttf", "bold": "NotoSerif-Bold.ttf",
        "italic": "NotoSerif-Italic.ttf", "bolditalic": "NotoSerif-BoldItalic.ttf",
    },
    "FreeSerif": {
        "regular": "FreeSerif.ttf", "bold": "FreeSerifBold.ttf",
        "italic": "FreeSerifItalic.ttf", "bolditalic": "FreeSerifBoldItalic.ttf",
    },
    "DejaVu Serif": {
        "regular": "DejaVuSerif.ttf", "bold": "DejaVuSerif-Bold.ttf",
        "italic": "DejaVuSerif-Italic.ttf", "bolditalic": "DejaVuSerif-BoldItalic.ttf",
    },
}

# How often each family is drawn: Times-like pages dominate real archives.
FAMILY_WEIGHTS: dict[str, float] = {"TeX Gyre Termes": 0.45, "Noto Serif": 0.2, "FreeSerif": 0.2, "DejaVu Serif": 0.15}

FONT_DIRS = ("/usr/share/fonts", "/usr/share/texmf/fonts", "/usr/share/texlive/texmf-dist/fonts",
             "/usr/local/share/fonts", str(Path.home() / ".fonts"), str(Path.home() / ".local/share/fonts"))

# Letters a Vietnamese font must draw: every vowel with every tone, stacked capitals, đ/Đ, and the m² sign.
VIETNAMESE_SAMPLE = (
    "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
    "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ²"
)

LAYOUT = ImageFont.Layout.BASIC  # the same glyph positions whether or not libraqm is installed


class FontsMissing(RuntimeError):
    """No Vietnamese-capable serif family is installed."""


@dataclass(frozen=True)
class FontFamily:
    name: str
    paths: dict[str, str]  # face → file path

    def font(self, face: str, size_px: int) -> ImageFont.FreeTypeFont:
        return _load(self.paths[face], size_px)


@functools.lru_cache(maxsize=512)
def _load(path: str, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size_px, layout_engine=LAYOUT)


def _font_dirs() -> list[str]:
    extra = os.environ.get("SOHOA_FONT_DIRS", "")
    return [d for d in extra.split(os.pathsep) if d] + list(FONT_DIRS)


@functools.lru_cache(maxsize=1)
def _files_by_name() -> dict[str, str]:
    wanted = {name for files in FAMILY_FILES.values() for name in files.values()}
    found: dict[str, str] = {}
    for root_dir in _font_dirs():
        for root, _dirs, files in os.walk(root_dir):
            for name in sorted(files):
                if name in wanted and name not in found:
                    found[name] = os.path.join(root, name)
    return found


def missing_glyphs(font: ImageFont.FreeTypeFont, text: str = VIETNAMESE_SAMPLE) -> list[str]:
    """Characters of `text` the font has no glyph for (it would draw its .notdef box or nothing)."""
    notdef = font.getmask("\ue000")
    notdef_key = (notdef.size, bytes(notdef))
    missing = []
    for ch in dict.fromkeys(text):
        if ch.isspace():
            continue
        mask = font.getmask(ch)
        if mask.getbbox() is None or (mask.size, bytes(mask)) == notdef_key:
            missing.append(ch)
    return missing


@functools.lru_cache(maxsize=1)
def available_families() -> tuple[FontFamily, ...]:
    """Installed families whose four faces all draw every Vietnamese letter, in FAMILY_FILES order."""
    files = _files_by_name()
    families = []
    for name, faces in FAMILY_FILES.items():
        if not all(f in files for f in faces.values()):
            continue
        family = FontFamily(name, {face: files[f] for face, f in faces.items()})
        if all(not missing_glyphs(family.font(face, 40)) for face in FACES):
            families.append(family)
    return tuple(families)


def family(name: str) -> FontFamily:
    for fam in available_families():
        if fam.name == name:
            return fam
    raise FontsMissing(f"font family {name!r} is not installed or lacks Vietnamese glyphs; "
                       f"available: {[f.name for f in available_families()]}")


def choose_family(rng_value: float, names: Iterable[str] | None = None) -> FontFamily:
    """Pick a family by FAMILY_WEIGHTS from a uniform number in [0, 1)."""
    fams = [f for f in available_families() if names is None or f.name in set(names)]
    if not fams:
        raise FontsMissing(
            "no Vietnamese serif font found; install fonts-texgyre fonts-noto-core fonts-freefont-ttf "
            "fonts-dejavu-core (or set SOHOA_FONT_DIRS)")
    total = sum(FAMILY_WEIGHTS.get(f.name, 0.1) for f in fams)
    acc = 0.0
    for fam in fams:
        acc += FAMILY_WEIGHTS.get(fam.name, 0.1) / total
        if rng_value < acc:
            return fam
    return fams[-1]
