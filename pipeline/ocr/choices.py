"""The recogniser's second opinions on a word's marks, from Tesseract's per-character choices.

Tesseract's LSTM, asked with ``lstm_choice_mode=2``, lists for every character of a word the symbols it weighed and
how sure it was of each (hOCR ``ocrx_cinfo`` spans, ``x_confs`` 0–100). On Vietnamese the misreads that matter are
marks: ``TUẦN`` read where the paper says ``TUẤN`` comes with ``Ấ`` as a close second (36 beside 95), ``trần`` for
``trấn`` with ``ấ`` at 59. The choices that differ from the word's own letter only by a mark are kept as the word's
*alternatives*: other spellings the recogniser itself found plausible, each with how plausible relative to what it
chose. Language correction, name snapping and confidence then know which changes the image supports.

Only mark variants are kept (same letter, other tone, shape or stroke): a choice of another letter (``G`` for ``C``)
is the recogniser's noise, not a reading. One position is varied at a time: a word misread twice over is rare, and
the cartesian product of every position's choices would be mostly noise.
"""

from __future__ import annotations

import html
import re

from pipeline.textnorm import fold, nfc

# A choice scored under this (0–100) is not an alternative worth naming.
MIN_CHOICE = 15.0
# At most this many alternatives per word, the likeliest first.
MAX_ALTERNATIVES = 3

_WORD = re.compile(r"<span class='ocrx_word'[^>]*>")
_GROUP = re.compile(r"id='lstm_choices_")
_BBOX = re.compile(r"bbox (\d+) (\d+) (\d+) (\d+)")
_CHOICE = re.compile(r"title='x_confs ([0-9.]+)'>([^<]*)</span>")


def letter_base(ch: str) -> str:
    """A letter without tone, shape and stroke, its case kept: ``Ấ`` → ``A``, ``đ`` → ``d`` (and the Icelandic
    ``Ð`` that OCR emits for ``Đ`` → ``D``)."""
    base = fold(ch.replace("Ð", "Đ"))
    return base.upper() if ch.isupper() else base


def _groups(word_html: str) -> Choices:
    """Per character position of one hOCR word: (symbol, confidence) as listed, the chosen one first."""
    groups = []
    for part in _GROUP.split(word_html)[1:]:
        choices = [(nfc(html.unescape(sym)), float(conf)) for conf, sym in _CHOICE.findall(part)]
        choices = [(sym, conf) for sym, conf in choices if sym.strip()]
        if choices:
            groups.append(choices)
    return groups


def alternatives_for(text: str, groups: Choices) -> list[tuple[str, float]]:
    """Mark variants of ``text`` the choices support, each with its score relative to the letter read (0–1).
    Empty when the choices do not line up one position per character (the decoder merged or split symbols)."""
    chars = list(nfc(text))
    if len(groups) != len(chars):
        return []
    found: dict[str, float] = {}
    for i, (ch, choices) in enumerate(zip(chars, groups, strict=True)):
        own = next((conf for sym, conf in choices if sym == ch), None)
        if own is None:
            own = max(conf for _, conf in choices)
        base = letter_base(ch)
        for sym, conf in choices:
            if sym == ch or conf < MIN_CHOICE or len(sym) != 1 or letter_base(sym) != base:
                continue
            variant = "".join(chars[:i] + [sym] + chars[i + 1:])
            score = min(1.0, conf / own) if own > 0 else 1.0
            found[variant] = max(found.get(variant, 0.0), round(score, 3))
    return sorted(found.items(), key=lambda kv: -kv[1])[:MAX_ALTERNATIVES]


Choices = list[list[tuple[str, float]]]  # per character position: (symbol, confidence 0–100), the chosen first
WordChoices = dict[tuple[int, int, int, int], Choices]


def word_choices(hocr: str) -> WordChoices:
    """Each hOCR word's choice groups, by its box (x0, y0, x1, y1) — the box Tesseract's TSV gives the same word."""
    found = {}
    matches = list(_WORD.finditer(hocr))
    ends = [m.start() for m in matches[1:]] + [len(hocr)] if matches else []
    for m, end in zip(matches, ends, strict=True):
        box = _BBOX.search(m.group(0))
        if box:
            found[tuple(int(v) for v in box.groups())] = _groups(hocr[m.end():end])
    return found
