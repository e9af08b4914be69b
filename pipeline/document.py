"""The OCR result as a typed tree: Document → Page → Block → Line → Word.

Every OCR engine produces this tree and everything downstream (classification, field extraction, review UI,
searchable PDF) reads it, so engines can be swapped without touching their callers. Coordinates are pixels of the
page image the engine saw, as ``(x0, y0, x1, y1)``; confidences are in ``[0, 1]``; text is NFC.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from pipeline.textnorm import nfc

BBox = tuple[int, int, int, int]


def union_bbox(boxes: list[BBox]) -> BBox:
    """The smallest box that holds all ``boxes`` (which must not be empty)."""
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


class Word(BaseModel):
    text: str
    bbox: BBox
    confidence: float = Field(ge=0.0, le=1.0)
    # Other spellings the recogniser weighed (marks only: "TUẤN" beside "TUẦN"), each with its score relative to
    # the reading chosen (0–1), likeliest first; see pipeline/ocr/choices.py. Empty when it had no doubt.
    alternatives: list[tuple[str, float]] = Field(default_factory=list)


class Line(BaseModel):
    words: list[Word]

    @property
    def text(self) -> str:
        return nfc(" ".join(w.text for w in self.words))

    @property
    def bbox(self) -> BBox:
        return union_bbox([w.bbox for w in self.words])

    @property
    def confidence(self) -> float:
        """Mean word confidence weighted by word length (long words carry more of the line)."""
        total = sum(len(w.text) for w in self.words)
        if total == 0:
            return 0.0
        return sum(w.confidence * len(w.text) for w in self.words) / total


class Block(BaseModel):
    lines: list[Line]

    @property
    def bbox(self) -> BBox:
        return union_bbox([ln.bbox for ln in self.lines])


class Page(BaseModel):
    number: int = Field(ge=1, description="1-based page number in the file")
    width: int
    height: int
    dpi: int
    blocks: list[Block] = Field(default_factory=list)

    @property
    def lines(self) -> list[Line]:
        return [ln for b in self.blocks for ln in b.lines]

    @property
    def text(self) -> str:
        return "\n".join(ln.text for ln in self.lines)


class Document(BaseModel):
    pages: list[Page] = Field(default_factory=list)
    engine: str = ""

    @property
    def text(self) -> str:
        return nfc("\n\n".join(p.text for p in self.pages))

    def export(self) -> dict:
        """Plain dict for JSON storage (the OCR JSON object stored beside the original)."""
        return self.model_dump(mode="json")
