"""Accuracy of the whole pipeline: generated papers (clean and scan-degraded) and the real pages in shared/real-dev.

Prints doc-type accuracy, field precision/recall/F1 per type and per field, the precision of fields on
auto-approved papers (what back-office staff rely on), CER with and without tone marks and folded, and speed.

    python bench/accuracy.py --count 10 --seed 11                 # 10 papers per type and variant
    python bench/accuracy.py --count 5 --real-dev ../shared/real-dev
"""

from __future__ import annotations

import argparse
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

from bench.metrics import FieldScore, TypeScores, bag_word_error, cer, cer_folded, cer_without_tones
from pipeline.config import Settings
from pipeline.errors import BadInput
from pipeline.ocr import open_engine
from pipeline.process import process_file
from pipeline.textnorm import clean_spaces
from schemas.doc_types import DOC_TYPES
from schemas.result import Status


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


def run_generated(count: int, seed: int, variants: list[str], types: list[str], workers: int) -> list[Outcome]:
    from samples.generator import generate_document

    settings = Settings(ocr_workers=1)
    engine = open_engine(settings.ocr_engine)
    jobs = [(t, v, seed + i * 7919 + j * 104729 + k * 15485863)
            for k, v in enumerate(variants) for j, t in enumerate(types) for i in range(count)]

    def one(job) -> Outcome:
        doc_type, variant, doc_seed = job
        doc = generate_document(doc_type, doc_seed, variant=variant, fmt="pdf" if variant == "clean" else "jpg")
        start = time.perf_counter()
        processed = process_file(doc.data, f"{doc_type}-{doc_seed}.{doc.ext}", settings, engine)
        elapsed = time.perf_counter() - start
        r = processed.result
        return Outcome(doc_type, variant, doc.truth, r.doc_type, {k: v.value for k, v in r.fields.items()},
                       r.status.value, r.text, r.pages, elapsed)

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
    print(f"\nspeed: {pages} pages in {wall:.1f} s wall with {workers} worker(s) = {pages / wall * 60:.1f} pages/min; "
          f"{cpu / pages:.2f} s per page per worker")


def run_real_dev(folder: Path, workers: int) -> None:
    truths = json.loads((folder / "fields.json").read_text())
    settings = Settings(ocr_workers=1)
    engine = open_engine(settings.ocr_engine)

    def one(item: dict):
        image = folder / "pages300" / Path(item["image"]).name
        reference = (folder / "pages" / f"{item['doc_id']}_p1.layout.txt").read_text()
        start = time.perf_counter()
        try:
            r = process_file(image.read_bytes(), image.name, settings, engine).result
        except BadInput as exc:
            return item, None, reference, str(exc), time.perf_counter() - start
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
        "co_quan_ban_hanh": lambda item, r: clean_spaces(str(_value(r, "co_quan_ban_hanh") or "")).upper()
        == clean_spaces(item["co_quan_ban_hanh"]).upper(),
        "trich_yeu (≥90% similar)": lambda item, r: fuzz.ratio(str(_value(r, "trich_yeu") or ""),
                                                                item["trich_yeu"]) >= 90,
    }
    print(f"decision first pages: {len(decisions)}")
    for name, check in checks.items():
        ok = sum(1 for item, r in decisions if r is not None and check(item, r))
        print(f"  {name}: {ok}/{len(decisions)} = {ok / max(1, len(decisions)):.3f}")
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
    args = parser.parse_args()
    print(f"# bench/accuracy.py --count {args.count} --seed {args.seed} --variants {args.variants} "
          f"--workers {args.workers}")
    if args.count > 0:
        start = time.perf_counter()
        outcomes = run_generated(args.count, args.seed, args.variants.split(","), args.types.split(","),
                                 args.workers)
        report_generated(outcomes, time.perf_counter() - start, args.workers)
    if args.real_dev:
        run_real_dev(args.real_dev, args.workers)


if __name__ == "__main__":
    main()
