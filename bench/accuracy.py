"""Accuracy of the whole pipeline: generated papers (clean and scan-degraded) and the real pages in shared/real-dev.

Prints doc-type accuracy, field precision/recall/F1 per type and per field, the precision of fields on
auto-approved papers (what back-office staff rely on), CER with and without tone marks and folded, and speed.

    python bench/accuracy.py --count 10 --seed 11                 # 10 papers per type and variant
    python bench/accuracy.py --count 5 --real-dev ../shared/real-dev
    python bench/accuracy.py --count 10 --seed 9001 --ocr-cache /tmp/ocr-cache   # OCR once, then seconds per run
    python bench/accuracy.py --count 10 --seed 9001 --ocr-cache /tmp/ocr-cache --reread   # with the second pass

With ``--ocr-cache DIR`` each paper's OCR tree (and the generated paper's ground truth) is kept in DIR, keyed by
type, variant, seed, OCR engine and preprocessing chain; later runs skip rendering and OCR and time only the
extraction (classify → fields → snapping → validation → status). On a cache miss the bench checks that the
cached path gives the same result as ``process_file`` so the two can never drift apart silently.

The second, targeted OCR pass (:mod:`pipeline.reread`) needs the page images, which the cache does not hold: with
``--ocr-cache`` alone, cache hits measure extraction without it; add ``--reread`` to run it on cache hits too
(generated papers are generated again from their seed, real pages read again) — exactly what ``process_file``
does. Without ``--ocr-cache`` every paper goes through ``process_file``, second pass included.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rapidfuzz import fuzz

from bench.metrics import FieldScore, TypeScores, bag_word_error, cer, cer_folded, cer_without_tones, values_equal
from pipeline.config import Settings
from pipeline.document import Document
from pipeline.errors import BadInput
from pipeline.intake import PageImage, load_pages
from pipeline.ocr import open_engine
from pipeline.ocr.correct import canonical_syllable
from pipeline.preprocess import DEFAULT_CHAIN
from pipeline.process import analyse, analyse_and_reread, limits_from, process_file
from pipeline.textnorm import clean_spaces
from schemas.doc_types import DOC_TYPES
from schemas.result import ExtractionResult, Status


@dataclass
class Outcome:
    doc_type: str
    variant: str
    truth: dict
    predicted_type: str
    fields: dict
    status: str
    text: str
    pages: int
    seconds: float
    extract_seconds: float
    reread_seconds: float = 0.0


def _ocr_code_digest() -> str:
    """A digest of the source and data that turn page images into an OCR tree."""
    root = Path(__file__).resolve().parents[1]
    files = sorted([root / "pipeline" / "preprocess.py", root / "pipeline" / "intake.py",
                    *(root / "pipeline" / "ocr").rglob("*.py"), *(root / "pipeline" / "ocr" / "data").glob("*.gz")])
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


class OcrCache:
    """OCR trees (and ground truth) on disk, one JSON file per paper; ``None`` folder = no cache."""

    def __init__(self, folder: Path | None, settings: Settings, frozen: bool = False) -> None:
        self.folder = folder
        self.frozen = frozen  # reuse OCR made with any recipe: extraction work while the OCR code changes
        # A different engine, preprocessing chain, correction or pipeline version must not reuse old OCR; nor
        # may OCR made before the code that makes it changed (the recogniser adapters, cleaning, correction).
        recipe = (f"{settings.ocr_engine}|{'+'.join(DEFAULT_CHAIN)}|{settings.pipeline_version}|{settings.ocr_dpi}"
                  f"|{settings.ocr_correction}|{settings.ocr_alternatives}|{_ocr_code_digest()}")
        self.tag = f"{settings.ocr_engine}-{hashlib.sha256(recipe.encode()).hexdigest()[:10]}"
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path | None:
        return self.folder / f"{key}.{self.tag}.json" if self.folder is not None else None

    def get(self, key: str) -> dict | None:
        path = self._path(key)
        if path is None:
            return None
        if self.frozen:
            made = sorted(self.folder.glob(f"{key}.*.json"), key=lambda p: p.stat().st_mtime)
            path = made[0] if made else path  # the first OCR made of this paper, whatever made it
        return json.loads(path.read_text()) if path.exists() else None

    def put(self, key: str, document: Document, pages: int, truth: dict | None = None) -> None:
        path = self._path(key)
        if path is None:
            return
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"document": document.export(), "pages": pages, "truth": truth},
                                  ensure_ascii=False))
        tmp.replace(path)


def _timed_analyse(document: Document, file_name: str, pages: int, settings: Settings
                   ) -> tuple[ExtractionResult, float]:
    # CPU time of this thread: on a machine shared with other jobs, wall time per page says more about the load.
    start = time.thread_time()
    result = analyse(document, file_name, pages, settings)
    return result, time.thread_time() - start


def _timed_reread(document: Document, file_name: str, pages: list[PageImage], settings: Settings, engine
                  ) -> tuple[ExtractionResult, float, float]:
    """:func:`analyse_and_reread`: the result, extraction CPU seconds and re-read wall seconds (Tesseract runs
    in a subprocess, so the thread's CPU time does not see it)."""
    start = time.thread_time()
    result, reread = analyse_and_reread(document, file_name, pages, settings, engine)
    return result, max(0.0, time.thread_time() - start - reread), reread


def _check_same(cached: ExtractionResult, direct: ExtractionResult) -> None:
    a = cached.model_dump(exclude={"file"})
    b = direct.model_dump(exclude={"file"})
    if a != b:
        print(f"\nwarning: cached analysis differs from process_file for {direct.file}", file=sys.stderr)


# A paper's seed comes from its type's and variant's place in these orders, not in the lists asked for, so that
# `--types cccd` or `--variants degraded` makes the very papers of the full run (and hits its OCR cache).
_VARIANT_ORDER = ("clean", "degraded", "photo")


def paper_seed(seed: int, doc_type: str, variant: str, i: int) -> int:
    """The seed of the ``i``-th generated paper of ``doc_type`` in ``variant`` for a run with ``seed``."""
    return seed + i * 7919 + list(DOC_TYPES).index(doc_type) * 104729 + _VARIANT_ORDER.index(variant) * 15485863


def run_generated(count: int, seed: int, variants: list[str], types: list[str], workers: int,
                  cache_dir: Path | None = None, frozen: bool = False, reread: bool = False) -> list[Outcome]:
    from samples.generator import generate_document

    settings = Settings(ocr_workers=1)
    engine = open_engine(settings.ocr_engine, settings)
    cache = OcrCache(cache_dir, settings, frozen)
    jobs = [(t, v, paper_seed(seed, t, v, i)) for v in variants for t in types for i in range(count)]

    def one(job) -> Outcome:
        doc_type, variant, doc_seed = job
        key = f"{doc_type}-{variant}-{doc_seed}"
        hit = cache.get(key)
        if hit is not None:
            document = Document.model_validate(hit["document"])
            if not reread:
                r, extract = _timed_analyse(document, key, hit["pages"], settings)
                return Outcome(doc_type, variant, hit["truth"], r.doc_type,
                               {k: v.value for k, v in r.fields.items()}, r.status.value, r.text, r.pages, extract,
                               extract)
            doc = generate_document(doc_type, doc_seed, variant=variant, fmt="pdf" if variant == "clean" else "jpg")
            pages = load_pages(doc.data, limits_from(settings))
            r, extract, again_s = _timed_reread(document, f"{doc_type}-{doc_seed}.{doc.ext}", pages, settings, engine)
            return Outcome(doc_type, variant, hit["truth"], r.doc_type, {k: v.value for k, v in r.fields.items()},
                           r.status.value, r.text, r.pages, extract + again_s, extract, again_s)
        doc = generate_document(doc_type, doc_seed, variant=variant, fmt="pdf" if variant == "clean" else "jpg")
        start = time.perf_counter()
        processed = process_file(doc.data, f"{doc_type}-{doc_seed}.{doc.ext}", settings, engine)
        elapsed = time.perf_counter() - start
        r = processed.result
        again, extract = _timed_analyse(processed.document, r.file, r.pages, settings)
        if cache.folder is None:
            pass  # no cache: process_file's result, second pass included
        elif reread:
            _check_same(_timed_reread(processed.document, r.file, load_pages(doc.data, limits_from(settings)),
                                      settings, engine)[0], r)
        else:
            r = again  # what later cache hits (no second pass) will report
        cache.put(key, processed.document, r.pages, doc.truth)
        return Outcome(doc_type, variant, doc.truth, r.doc_type, {k: v.value for k, v in r.fields.items()},
                       r.status.value, r.text, r.pages, elapsed, extract, processed.seconds.get("reread", 0.0))

    if cache.folder is not None and jobs:
        one(jobs[0])  # warm-up, not timed: tables (gazetteer, names) load once per process, not per page
    done = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for n, outcome in enumerate(pool.map(one, jobs), start=1):
            done.append(outcome)
            print(f"\r{n}/{len(jobs)} papers", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return done


def report_generated(outcomes: list[Outcome], wall: float, workers: int) -> None:
    for variant in sorted({o.variant for o in outcomes}):
        subset = [o for o in outcomes if o.variant == variant]
        print(f"\n## Generated papers — {variant} ({len(subset)} papers)")
        type_ok = sum(o.predicted_type == o.doc_type for o in subset)
        print(f"doc-type accuracy: {type_ok}/{len(subset)} = {type_ok / len(subset):.3f}")
        print(f"CER: {mean(cer(o.text, o.truth['text']) for o in subset):.4f}   "
              f"CER without tone marks: {mean(cer_without_tones(o.text, o.truth['text']) for o in subset):.4f}   "
              f"CER folded: {mean(cer_folded(o.text, o.truth['text']) for o in subset):.4f}   "
              f"order-free word error: {mean(bag_word_error(o.text, o.truth['text']) for o in subset):.4f}")
        per_type: dict[str, TypeScores] = defaultdict(TypeScores)
        approved = FieldScore()
        statuses: dict[str, int] = defaultdict(int)
        for o in subset:
            statuses[o.status] += 1
            for name in DOC_TYPES[o.doc_type].fields:
                predicted = o.fields.get(name) if o.predicted_type == o.doc_type else None
                truth = o.truth["fields"].get(name)
                per_type[o.doc_type].add(name, predicted, truth)
                if o.status == Status.AUTO_APPROVED and predicted is not None:
                    approved.add(predicted, truth)
        print("statuses: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
        print(f"precision of fields on auto-approved papers: {approved.precision:.4f} "
              f"({approved.fp} wrong of {approved.tp + approved.fp})")
        print("\n| type | field | P | R | F1 | n |\n|---|---|---|---|---|---|")
        for doc_type in sorted(per_type):
            scores = per_type[doc_type]
            total = scores.total()
            print(f"| **{doc_type}** | *all* | {total.precision:.3f} | {total.recall:.3f} | **{total.f1:.3f}** | "
                  f"{total.tp + total.fn} |")
            for name, s in scores.fields.items():
                print(f"| {doc_type} | {name} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.tp + s.fn} |")
    pages = sum(o.pages for o in outcomes)
    cpu = sum(o.seconds for o in outcomes)
    extract_ms = sorted(o.extract_seconds / max(1, o.pages) * 1000 for o in outcomes)
    print(f"\nspeed: {pages} pages in {wall:.1f} s wall with {workers} worker(s) = {pages / wall * 60:.1f} pages/min; "
          f"{cpu / pages:.2f} s per page per worker (OCR cache hits count extraction only)")
    print(f"extraction (after OCR) CPU per page: mean {mean(extract_ms):.1f} ms, "
          f"p95 {extract_ms[int(0.95 * (len(extract_ms) - 1))]:.1f} ms, max {extract_ms[-1]:.1f} ms")
    reread_ms = sorted(o.reread_seconds / max(1, o.pages) * 1000 for o in outcomes)
    print(f"second OCR pass (re-read, wall) per page: mean {mean(reread_ms):.0f} ms, "
          f"p95 {reread_ms[int(0.95 * (len(reread_ms) - 1))]:.0f} ms, max {reread_ms[-1]:.0f} ms; "
          f"papers re-read: {sum(o.reread_seconds > 0.02 for o in outcomes)}/{len(outcomes)}")


def report_errors(outcomes: list[Outcome]) -> None:
    """Every field whose value differs from the truth: what to look at next."""
    print("\n## Field errors (variant, paper, field: predicted ≠ truth, status)")
    for o in outcomes:
        for name in DOC_TYPES[o.doc_type].fields:
            predicted = o.fields.get(name) if o.predicted_type == o.doc_type else None
            truth = o.truth["fields"].get(name)
            if (predicted is None and truth is None) or (
                    predicted is not None and truth is not None and values_equal(predicted, truth)):
                continue
            print(f"{o.variant} {o.doc_type}-{o.truth.get('seed')} {name}: {predicted!r} ≠ {truth!r} [{o.status}]")



def _spelling(text: str) -> str:
    """Case and tone placement left out: "UỶ BAN" (old placement, as many papers print it) and "Ủy ban" are the
    same words, which NFC alone does not make equal."""
    return " ".join(canonical_syllable(word) for word in clean_spaces(text).split())


def run_real_dev(folder: Path, workers: int, cache_dir: Path | None = None, frozen: bool = False,
                 show_errors: bool = False, reread: bool = False) -> None:
    truths = json.loads((folder / "fields.json").read_text())
    settings = Settings(ocr_workers=1)
    engine = open_engine(settings.ocr_engine, settings)
    cache = OcrCache(cache_dir, settings, frozen)

    def one(item: dict):
        image = folder / "pages300" / Path(item["image"]).name
        reference = (folder / "pages" / f"{item['doc_id']}_p1.layout.txt").read_text()
        key = f"real-{image.stem}"
        hit = cache.get(key)
        if hit is not None:
            document = Document.model_validate(hit["document"])
            if reread:
                r, extract, again_s = _timed_reread(document, image.name,
                                                    load_pages(image.read_bytes(), limits_from(settings)),
                                                    settings, engine)
                return item, r, reference, None, extract + again_s
            r, extract = _timed_analyse(document, image.name, hit["pages"], settings)
            return item, r, reference, None, extract
        start = time.perf_counter()
        try:
            processed = process_file(image.read_bytes(), image.name, settings, engine)
        except BadInput as exc:
            return item, None, reference, str(exc), time.perf_counter() - start
        r = processed.result
        if cache.folder is not None:
            cache.put(key, processed.document, r.pages)
            if reread:
                _check_same(_timed_reread(processed.document, r.file,
                                          load_pages(image.read_bytes(), limits_from(settings)), settings,
                                          engine)[0], r)
            else:
                r = _timed_analyse(processed.document, r.file, r.pages, settings)[0]  # as later cache hits
        return item, r, reference, None, time.perf_counter() - start

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(one, truths))
    print(f"\n## Real pages ({folder}, 300 dpi, {len(results)} pages)")
    print(f"order-free word error: {mean(bag_word_error(r.text, ref) for _, r, ref, _, _ in results if r):.4f}   "
          f"CER (reading order matters): {mean(cer(r.text, ref) for _, r, ref, _, _ in results if r):.4f}   "
          f"s/page: {mean(s for *_, s in results):.2f}")
    decisions = [(item, r) for item, r, _, _, _ in results if item["page_kind"] == "decision_first_page"]
    checks = {
        "doc_type": lambda item, r: r.doc_type == "quyet_dinh",
        "so_ky_hieu": lambda item, r: _value(r, "so_ky_hieu") == item["so_ky_hieu_norm"],
        "ngay_ban_hanh": lambda item, r: _value(r, "ngay_ban_hanh")
        == f"{item['nam']}-{int(item['thang']):02d}-{int(item['ngay']):02d}",
        "co_quan_ban_hanh": lambda item, r: _spelling(str(_value(r, "co_quan_ban_hanh") or ""))
        == _spelling(item["co_quan_ban_hanh"]),
        "trich_yeu (≥90% similar)": lambda item, r: fuzz.ratio(str(_value(r, "trich_yeu") or ""),
                                                                item["trich_yeu"]) >= 90,
    }
    print(f"decision first pages: {len(decisions)}")
    for name, check in checks.items():
        ok = sum(1 for item, r in decisions if r is not None and check(item, r))
        print(f"  {name}: {ok}/{len(decisions)} = {ok / max(1, len(decisions)):.3f}")
        if show_errors:
            field = name.split()[0]
            for item, r in decisions:
                if r is None or not check(item, r):
                    got = r.doc_type if r is not None and field == "doc_type" else _value(r, field) if r else None
                    print(f"    {item['doc_id']}: {got!r} ≠ {item.get(field + '_norm', item.get(field))!r}")
    others = [(item, r) for item, r, _, _, _ in results if item["page_kind"] != "decision_first_page"]
    print("annex/other pages classified: " + ", ".join(f"{i['doc_id']}→{r.doc_type if r else 'error'}"
                                                         for i, r in others))


def _value(result, name):
    fv = result.fields.get(name)
    return fv.value if fv else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10, help="papers per type and variant")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--variants", default="clean,degraded")
    parser.add_argument("--types", default=",".join(DOC_TYPES))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--real-dev", type=Path, default=None, help="folder like ../shared/real-dev")
    parser.add_argument("--ocr-cache", type=Path, default=None,
                        help="folder for OCR trees: OCR each paper once, then rerun extraction in seconds")
    parser.add_argument("--frozen-ocr", action="store_true",
                        help="with --ocr-cache: reuse the first OCR cached for each paper even if the OCR engine or "
                             "preprocessing changed since (to work on extraction alone)")
    parser.add_argument("--show-errors", action="store_true", help="list every wrong or missed field value")
    parser.add_argument("--reread", action="store_true",
                        help="with --ocr-cache: run the second OCR pass over values found but not read on cache "
                             "hits too (needs the page images: papers are generated again, real pages read again)")
    args = parser.parse_args()
    print(f"# bench/accuracy.py --count {args.count} --seed {args.seed} --variants {args.variants} "
          f"--workers {args.workers}" + (" (frozen OCR cache)" if args.frozen_ocr else "")
          + (" --reread" if args.reread else ""))
    if args.count > 0:
        start = time.perf_counter()
        outcomes = run_generated(args.count, args.seed, args.variants.split(","), args.types.split(","),
                                 args.workers, args.ocr_cache, args.frozen_ocr, args.reread)
        report_generated(outcomes, time.perf_counter() - start, args.workers)
        if args.show_errors:
            report_errors(outcomes)
    if args.real_dev:
        run_real_dev(args.real_dev, args.workers, args.ocr_cache, args.frozen_ocr, args.show_errors, args.reread)


if __name__ == "__main__":
    main()
