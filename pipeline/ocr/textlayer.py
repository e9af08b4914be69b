"""Born-digital PDFs: read the PDF's own text layer into the Document tree instead of running OCR.

A PDF exported from a word processor (or signed and published as most decisions are) carries its exact text;
OCR could only lose some of it. ``pdftotext -bbox-layout`` (poppler, wrapped in :mod:`pipeline.poppler`) gives
every word with its box. A page's layer is used only when it looks like Vietnamese: enough letters, and nearly
every word a well-formed Vietnamese syllable with its tone marks. An old OCR layer of junk (``Vé viéc cong
nhan T6 truéng`` from an English model, or a layer with no diacritics) fails that check and the page is OCR'd.

Boxes are scaled to pixels at the pipeline's render resolution, so a page read here has the same coordinates as
the same page rendered and OCR'd.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pipeline import poppler
from pipeline.document import Block, Line, Page, Word
from pipeline.textnorm import nfc

ENGINE_NAME = "pdf-text-layer"
MIN_LETTERS = 40  # fewer letters than a heading and a line: nothing worth trusting, OCR the page
MIN_SYLLABLE_SHARE = 0.9  # of the words made of letters (measured: real decisions ≥ 0.96, eng-model OCR 0.75)
MIN_TONED_SHARE = 0.5  # words with a diacritic (measured: real decisions ≥ 0.86, eng-model OCR 0.18)
_TEXT_LAYER_CONFIDENCE = 1.0

# --- Vietnamese syllables -------------------------------------------------------------------------------------

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # grave, acute, tilde, hook, dot below
_INITIALS = ("ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
             "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x")
_RHYMES = frozenset(
    """a ai ao au ay ac ach am an ang anh ap at ăc ăm ăn ăng ăp ăt âc âm ân âng âp ât âu ây
    e eo ec em en eng ep et ê êch êm ên ênh êp êt êu
    i ia ich im in inh ip it iu iêc iêm iên iêng iêp iêt iêu
    o oa oac oach oai oam oan oang oanh oao oap oat oay oăc oăm oăn oăng oăt oe oen oeo oet oi oc om on ong op ot
    ooc oong ô ôc ôi ôm ôn ông ôp ôt ơ ơi ơm ơn ơp ơt
    u ua uân uâng uât uây uc ui um un ung up ut uê uêch uênh uơ uy uya uych uyên uyêt uynh uyt uyu
    uôc uôi uôm uôn uông uôt ư ưa ưc ưi ưm ưn ưng ưt ưu ươc ươi ươm ươn ương ươp ươt ươu
    y yên yêt yêu yêm""".split()  # noqa: SIM905 - the table reads better as text
)
_STOP_FINALS = ("c", "ch", "p", "t")
_WORD = re.compile(r"[^\W\d_]+")


def is_vietnamese_syllable(word: str) -> bool:
    """``True`` for a well-formed Vietnamese syllable in any case (``Quyết``, ``NGHĨA``, ``gì``): a known
    initial and rhyme, at most one tone mark, and only the acute or dot below on a rhyme ending in c/ch/p/t."""
    decomposed = unicodedata.normalize("NFD", nfc(word).lower())
    tones = [ch for ch in decomposed if ch in _TONES]
    if len(tones) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    for initial in (*_INITIALS, ""):
        if not bare.startswith(initial):
            continue
        rhyme = bare[len(initial):]
        if initial == "gi" and rhyme not in _RHYMES:
            rhyme = "i" + rhyme  # the i of "gi" is also the rhyme's: gì, gìn, giếng
        elif initial == "qu" and rhyme not in _RHYMES:
            rhyme = "u" + rhyme  # qu + ynh = quỳnh, like h + uynh
        if rhyme in _RHYMES:
            # a rhyme ending in c/ch/p/t takes only the acute or the dot below
            return not (tones and rhyme.endswith(_STOP_FINALS) and tones[0] not in ("\u0301", "\u0323"))
    return False


@dataclass(frozen=True)
class LayerQuality:
    letters: int
    syllable_share: float  # of the words made of letters
    toned_share: float  # of the words made of letters: those with a tone mark or a Vietnamese letter

    @property
    def usable(self) -> bool:
        return (self.letters >= MIN_LETTERS and self.syllable_share >= MIN_SYLLABLE_SHARE
                and self.toned_share >= MIN_TONED_SHARE)


def layer_quality(text: str) -> LayerQuality:
    """How much a text looks like Vietnamese. Abbreviations in capitals (``UBND``, ``QĐ``) are left out."""
    words = [w for w in _WORD.findall(nfc(text)) if not (w.isupper() and not is_vietnamese_syllable(w))]
    letters = sum(len(w) for w in words)
    if not words:
        return LayerQuality(letters, 0.0, 0.0)
    valid = sum(1 for w in words if is_vietnamese_syllable(w))
    toned = sum(1 for w in words if _marked(w))
    return LayerQuality(letters, valid / len(words), toned / len(words))


def _marked(word: str) -> bool:
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "đ" in word.lower() or any(unicodedata.category(ch) == "Mn" for ch in decomposed)


# --- the tree -------------------------------------------------------------------------------------------------


def text_layer_pages(data: bytes, pages: int, dpi: int) -> list[Page | None]:
    """The tree of each of the first ``pages`` pages read from the PDF's text layer, or ``None`` for a page
    whose layer is missing or not trustworthy (that page must be OCR'd)."""
    layers = poppler.pdf_words(data, pages)
    result: list[Page | None] = []
    for number, layer in enumerate(layers, start=1):
        page = _page_from_layer(number, layer, dpi)
        result.append(page if page is not None and layer_quality(page.text).usable else None)
    return result + [None] * (pages - len(result))


def _page_from_layer(number: int, layer: poppler.PdfPageWords, dpi: int) -> Page | None:
    scale = dpi / 72
    blocks = []
    for block in layer.blocks:
        lines = []
        for line in block:
            words = [
                Word(text=nfc(w.text), confidence=_TEXT_LAYER_CONFIDENCE,
                     bbox=(round(w.x0 * scale), round(w.y0 * scale),
                           max(round(w.x1 * scale), round(w.x0 * scale) + 1),
                           max(round(w.y1 * scale), round(w.y0 * scale) + 1)))
                for w in line if w.text.strip()
            ]
            if words:
                lines.append(Line(words=words))
        if lines:
            blocks.append(Block(lines=lines))
    if not blocks:
        return None
    return Page(number=number, width=round(layer.width_pt * scale), height=round(layer.height_pt * scale), dpi=dpi,
                blocks=blocks)
