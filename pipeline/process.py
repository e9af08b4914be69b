"""Process one file into the output contract: the whole job for one paper, as a short story of named steps.

load pages → clean → OCR → classify → extract fields → re-read what was found but not read → validate → decide
status. No storage, no index, no Prefect here: the CLI's ``extract`` and the flows both call :func:`process_file`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

from extractors import classify, extract_fields, snap_fields
from pipeline.config import Settings
from pipeline.document import Document, Page
from pipeline.intake import FileKind, Limits, PageImage, load_pages, sniff
from pipeline.ocr import OcrEngine
from pipeline.ocr.correct import correct_page
from pipeline.ocr.textlayer import ENGINE_NAME as TEXT_LAYER_ENGINE
from pipeline.ocr.textlayer import text_layer_pages
from pipeline.preprocess import clean_page, clean_page_with_view
from pipeline.reread import PageSource, reread_fields
from pipeline.searchable_pdf import page_jpeg
from schemas.doc_types import DOC_TYPES, UNKNOWN
from schemas.result import ExtractionResult, FieldValue, Status, ValidationIssue
from schemas.validators import apply_to_confidence, validate


@dataclass
class ProcessedFile:
    result: ExtractionResult
    document: Document
    seconds: dict[str, float] = field(default_factory=dict)  # time per step, for benchmarks and logs
    # what a reader sees of each page (gray JPEG, same geometry as the words) for the searchable PDF; empty when
    # not asked for or when every page came from the PDF's own text layer (the original is searchable already)
    views: list[bytes] = field(default_factory=list)


def process_file(
    data: bytes,
    file_name: str,
    settings: Settings,
    engine: OcrEngine,
    today: date | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> ProcessedFile:
    """Run every step on one file. Raises :class:`~pipeline.errors.BadInput` for a file that is not a paper.

    ``on_stage`` is told the name of each step (``load``, ``ocr``, ``extract``) as it starts: live progress.
    """
    timer = _StepTimer(on_stage)
    with timer("load"):
        pages = load_pages(data, limits_from(settings))
    with timer("ocr"):
        # A born-digital PDF carries its exact text: pages with a trustworthy text layer skip OCR.
        layer = text_layer_pages(data, len(pages), settings.ocr_dpi) if sniff(data) is FileKind.PDF else []
        document, views = ocr_pages(pages, engine, settings.ocr_workers, known=layer,
                                    correct=settings.ocr_correction, views=settings.searchable_pdf)
    with timer("extract"):
        if settings.reread:
            result, reread_seconds = analyse_and_reread(document, file_name, pages, settings, engine, today,
                                                        known=layer)
        else:
            result, reread_seconds = analyse(document, file_name, len(pages), settings, today), 0.0
    # The second OCR pass is OCR work: timed on its own, so "extract" stays what happens after OCR.
    timer.seconds["extract"] -= reread_seconds
    timer.seconds["reread"] = reread_seconds
    return ProcessedFile(result=result, document=document, seconds=timer.seconds, views=views)


def analyse(
    document: Document, file_name: str, pages: int, settings: Settings, today: date | None = None
) -> ExtractionResult:
    """Everything after OCR: classify → fields → snapping → validation → status (benchmarks call it on cached
    OCR trees, so they measure exactly what the pipeline does). No second OCR pass: that needs the pages."""
    return _analyse(document, file_name, pages, settings, today, reread=None)


def analyse_and_reread(
    document: Document,
    file_name: str,
    pages: list[PageImage],
    settings: Settings,
    engine: OcrEngine,
    today: date | None = None,
    known: Sequence[Page | None] = (),
) -> tuple[ExtractionResult, float]:
    """:func:`analyse`, with the values found but not read re-read from the cleaned pages by ``engine``
    (:mod:`pipeline.reread`); also the seconds the re-reading took. Only pages holding such a value are cleaned
    again (``pages`` are the loaded pages; ``known[i]``: page read from the PDF's text layer, never re-read)."""
    spent = 0.0

    def reread(doc_type: str, fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
        nonlocal spent
        start = time.perf_counter()
        try:
            return reread_fields(document, doc_type, fields, engine, _cleaned_pages(pages, known), today)
        finally:
            spent = time.perf_counter() - start

    result = _analyse(document, file_name, len(pages), settings, today, reread=reread)
    return result, spent


def _cleaned_pages(pages: list[PageImage], known: Sequence[Page | None]) -> PageSource:
    """Page number → that page cleaned again as it was for OCR (same steps, so the same geometry as the words),
    cleaned on first use: a 200-page file does not keep 200 cleaned images for the few values re-read."""
    cleaned: dict[int, PageImage] = {}

    def page_image(number: int) -> PageImage | None:
        index = number - 1
        if not 0 <= index < len(pages) or (index < len(known) and known[index] is not None):
            return None  # no such page, or its text came exact from the PDF: nothing to read better
        if number not in cleaned:
            cleaned[number] = clean_page(pages[index])
        return cleaned[number]

    return page_image


def _analyse(
    document: Document,
    file_name: str,
    pages: int,
    settings: Settings,
    today: date | None,
    reread: Callable[[str, dict[str, FieldValue]], dict[str, FieldValue]] | None,
) -> ExtractionResult:
    doc_type, type_confidence = classify(document)
    fields = snap_fields(doc_type, extract_fields(document, doc_type)) if doc_type != UNKNOWN else {}
    if reread is not None and doc_type != UNKNOWN:
        fields = reread(doc_type, fields)
    issues = validate(doc_type, fields, today)
    fields = apply_to_confidence(fields, issues)
    status = decide_status(doc_type, fields, issues, settings.review_threshold)
    return ExtractionResult(
        file=file_name,
        pages=pages,
        doc_type=doc_type,
        doc_type_confidence=round(type_confidence, 4),
        fields=fields,
        validation=issues,
        status=status,
        text=document.text,
    )


def limits_from(settings: Settings) -> Limits:
    return Limits(
        max_file_bytes=settings.max_file_bytes,
        max_image_pixels=settings.max_image_pixels,
        max_pages=settings.max_pages,
        pdf_dpi=settings.ocr_dpi,
    )


def ocr_pages(
    pages: list[PageImage],
    engine: OcrEngine,
    workers: int,
    known: Sequence[Page | None] = (),
    correct: bool = False,
    views: bool = False,
) -> tuple[Document, list[bytes]]:
    """Clean and recognise pages, several at once (each OCR process uses one core); a page already read from the
    PDF's text layer (``known[i]`` not None) is taken as it is. ``correct``: OCR'd pages (never text-layer ones)
    go through the Vietnamese syllable/bigram correction. ``views``: also the page images for a searchable PDF,
    compressed at once so a 200-page file does not hold 200 full images; none when every page came from the text
    layer (the original is searchable already)."""
    from_layer = sum(1 for k in known[: len(pages)] if k is not None)
    views = views and from_layer < len(pages)

    def one(page: PageImage) -> tuple[Page, bytes | None]:
        index = page.number - 1
        if index < len(known) and known[index] is not None:
            return known[index], page_jpeg(page.image, known[index]) if views else None
        if views:
            cleaned, view = clean_page_with_view(page)
        else:
            cleaned, view = clean_page(page), None
        recognised = engine.recognize(cleaned)
        if correct:
            recognised = correct_page(recognised)
        return recognised, page_jpeg(view.image, recognised) if view is not None else None

    if len(pages) == 1 or workers == 1:
        read = [one(p) for p in pages]
    else:
        with ThreadPoolExecutor(max_workers=min(workers, len(pages))) as pool:
            read = list(pool.map(one, pages))
    engines = ([engine.name] if from_layer < len(pages) else []) + ([TEXT_LAYER_ENGINE] if from_layer else [])
    document = Document(pages=[page for page, _ in read], engine="+".join(engines))
    return document, [view for _, view in read if view is not None]


def decide_status(
    doc_type: str, fields: dict[str, FieldValue], issues: list[ValidationIssue], threshold: float
) -> Status:
    """``auto_approved`` only when every required field is present, nothing failed validation and every value
    found is confident enough: a wrong value on an auto-approved paper is a silent error, so any doubt → review."""
    if doc_type not in DOC_TYPES:
        return Status.REJECTED
    if issues:
        return Status.NEEDS_REVIEW
    if not all(_has_value(fields.get(name)) for name in DOC_TYPES[doc_type].required):
        return Status.NEEDS_REVIEW
    if any(_has_value(fv) and fv.confidence < threshold for fv in fields.values()):
        return Status.NEEDS_REVIEW
    return Status.AUTO_APPROVED


def _has_value(fv: FieldValue | None) -> bool:
    """Whether a field holds a value: not absent, not null, not blank text."""
    return fv is not None and fv.value is not None and not (isinstance(fv.value, str) and not fv.value.strip())


class _StepTimer:
    def __init__(self, on_stage: Callable[[str], None] | None = None) -> None:
        self.seconds: dict[str, float] = {}
        self._on_stage = on_stage

    def __call__(self, step: str) -> _StepTimer:
        self._step = step
        if self._on_stage is not None:
            self._on_stage(step)
        return self

    def __enter__(self) -> None:
        self._start = time.perf_counter()

    def __exit__(self, *exc) -> None:
        self.seconds[self._step] = time.perf_counter() - self._start
