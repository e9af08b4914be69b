"""What language-aware correction (``pipeline/ocr/correct.py``) recovers: the same OCR output scored without and
with it, on generated pages and on the real pages (their text layer is the truth).

    python bench/correction.py --real-dev ../shared/real-dev --count 1
    python bench/correction.py --real-dev ../shared/real-dev --count 0 --show 40   # list the changes
    python bench/correction.py --real-dev ../shared/real-dev --real-dpi 300 --count 0 --real-half dev --diff

Per page set: CER, CER without tone marks, order-insensitive word error (bag WER) and the same without tones, off →
on; the words correction changed, split into right (now equal to the truth word aligned with it), wrong (it was
equal before) and neither (wrong before and after); and milliseconds of correction per page (model loaded).
Then per set and document type: CER and bag WER with correction, and the truth words still wrong by kind
(``word_errors``: tone mark only, other marks, case, punctuation, words merged or split, reading order, other
letters, missing); ``--diff`` prints each of them. ``--real-half dev|held-out`` takes the first or second half of
the real pages by file name: correction rules are developed on one half and checked on the other.
Scoring is bench/ocr.py's: OCR pieces put in the truth's reading order, dotted leaders not scored. OCR output is
cached per engine × chain × file content in ``--cache`` (default /tmp/sohoa-correction-cache), so a second run
only corrects and scores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rapidfuzz.distance import Levenshtein

from bench.ocr import SETS, build_manifest, in_truth_order, measures, score_text, segments
from pipeline.document import Document, Page
from pipeline.ocr.correct import correct_document, default_model
from pipeline.textnorm import fold, strip_tones

# What a reference word the output does not hold went wrong with, most specific first (see word_errors).
ERROR_KINDS = ("tone", "shape", "case", "punctuation", "merged", "split", "order", "letters", "missing")

_engine: dict = {}


def _start(engine_name: str, chain_text: str) -> None:
    import cv2

    from pipeline.config import Settings
    from pipeline.ocr import open_engine
    from pipeline.preprocess import parse_chain

    cv2.setNumThreads(1)
    _engine["engine"] = open_engine(engine_name, Settings())
    _engine["chain"] = parse_chain(chain_text)


def _ocr(item: dict) -> str:
    from pipeline.intake import Limits, PageImage, load_pages
    from pipeline.preprocess import clean_page

    limits = Limits(max_file_bytes=500_000_000, max_image_pixels=200_000_000, max_pages=1, pdf_dpi=300)
    page = load_pages(Path(item["path"]).read_bytes(), limits)[0]
    if item["dpi"]:
        page = PageImage(page.number, page.image, item["dpi"])
    return _engine["engine"].recognize(clean_page(page, _engine["chain"])).model_dump_json()


def ocr_pages(manifest: list[dict], engine: str, chain: str, cache: Path, workers: int) -> list[Page]:
    """Each item's OCR page, from the cache when this engine × chain has already read this file."""
    cache.mkdir(parents=True, exist_ok=True)
    paths = []
    for item in manifest:
        digest = hashlib.sha1(Path(item["path"]).read_bytes() + str(item["dpi"]).encode()).hexdigest()[:16]
        paths.append(cache / f"{engine}-{chain}-{digest}.json")
    todo = [i for i, p in enumerate(paths) if not p.is_file()]
    if todo:
        print(f"OCR of {len(todo)} page(s) with {engine} × {chain}", file=sys.stderr)
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_start, initargs=(engine, chain)) as pool:
            for i, page_json in zip(todo, pool.map(_ocr, [manifest[i] for i in todo]), strict=True):
                paths[i].write_text(page_json, encoding="utf-8")
    return [Page.model_validate_json(p.read_text(encoding="utf-8")) for p in paths]


def ordered(pieces_read: list[str], pieces_corrected: list[str], truth: str) -> tuple[str, str]:
    """Both versions of the page in the truth's reading order, found once from the text as read (so the two
    are scored in the same order, token for token)."""
    lines = in_truth_order(pieces_read, truth).split("\n")
    free: dict[str, list[int]] = defaultdict(list)
    for index, piece in enumerate(pieces_read):
        free[score_text(piece)].append(index)
    order = [free[line].pop(0) for line in lines]
    return ("\n".join(score_text(pieces_read[i]) for i in order),
            "\n".join(score_text(pieces_corrected[i]) for i in order))


def judge_changes(read: str, corrected: str, truth: str) -> tuple[Counter, list[tuple[str, str, str, str]]]:
    """Count changed words as right / wrong / neither against the truth word aligned with each. A word given back
    its spaces (``năm2023`` → ``năm 2023``) is right when every piece is the truth word aligned with it."""
    before, after, reference = read.split(), corrected.split(), score_text(truth).split()
    in_before, in_after = _aligned(before, reference), _aligned(after, reference)
    tally: Counter = Counter()
    examples = []
    for op in Levenshtein.opcodes(before, after):
        if op.tag == "equal":
            continue
        if op.src_end - op.src_start == op.dest_end - op.dest_start:
            for i, j in zip(range(op.src_start, op.src_end), range(op.dest_start, op.dest_end), strict=True):
                old, new = before[i], after[j]
                truth_word = reference[in_before[i]] if i in in_before else ""
                verdict = "right" if new == truth_word else "wrong" if old == truth_word else "neither"
                tally[verdict] += 1
                examples.append((verdict, old, new, truth_word))
            continue
        old, new = " ".join(before[op.src_start:op.src_end]), " ".join(after[op.dest_start:op.dest_end])
        truth_words = [reference[in_after[j]] if j in in_after else "" for j in range(op.dest_start, op.dest_end)]
        right = truth_words == after[op.dest_start:op.dest_end]
        tally["right" if right else "neither"] += 1
        examples.append(("right" if right else "neither", old, new, " ".join(truth_words)))
    return tally, examples


def _aligned(words: list[str], reference: list[str]) -> dict[int, int]:
    """Index of each word → index of the truth word it stands for, where a word alignment pairs them one to one."""
    aligned: dict[int, int] = {}
    for op in Levenshtein.opcodes(words, reference):
        if op.tag in ("equal", "replace") and op.src_end - op.src_start == op.dest_end - op.dest_start:
            for k in range(op.src_end - op.src_start):
                aligned[op.src_start + k] = op.dest_start + k
    return aligned


def _bare(word: str) -> str:
    return "".join(ch for ch in word if ch.isalnum())


def _pair_kind(read: str, truth: str) -> str:
    """Why one word read in place of one truth word is wrong."""
    if read.lower() == truth.lower():
        return "case"
    if strip_tones(read) == strip_tones(truth):
        return "tone"  # only a tone mark differs
    if fold(read) == fold(truth):
        return "shape"  # a vowel's shape or đ (maybe a tone too): the letters are right
    if _bare(read) == _bare(truth) or fold(_bare(read)) == fold(_bare(truth)):
        return "punctuation"
    return "letters"


def word_errors(read: str, truth: str) -> Counter:
    """Truth words the output gets wrong, by kind. The output (in the truth's order) is aligned with the truth
    word by word; each run of differing words is explained left to right: ``merged`` (truth words read as one:
    ``năm2023``, ``bôsung`` for ``bổ sung``), ``split`` (one truth word read as several), a word read in the
    place of a truth word (``case``, ``tone``: only a tone mark, ``shape``: other marks, ``punctuation``,
    ``letters``), and truth words left over: ``order`` when the page holds that word unaccounted for elsewhere
    (a column read in another order), else ``missing``."""
    hyp, ref = score_text(read).split(), score_text(truth).split()
    kinds: Counter = Counter()
    blocks: list[tuple[list[str], list[str]]] = []
    for op in Levenshtein.opcodes(hyp, ref):
        if op.tag == "equal":
            blocks.append(([], []))
            continue
        if not blocks:
            blocks.append(([], []))
        blocks[-1][0].extend(hyp[op.src_start:op.src_end])
        blocks[-1][1].extend(ref[op.dest_start:op.dest_end])
    unplaced: Counter = Counter()  # words read but matched to no truth word where they stand
    left_over: list[str] = []  # truth words with nothing read in their place
    for got, want in blocks:
        i = j = 0
        while j < len(want) and i < len(got):
            merged = next((k for k in (2, 3, 4) if j + k <= len(want)
                           and _joined(want[j:j + k]) == _joined([got[i]])), 0)
            split = next((k for k in (2, 3, 4) if i + k <= len(got)
                          and _joined(got[i:i + k]) == _joined([want[j]])), 0)
            if merged:
                kinds["merged"] += merged
                i, j = i + 1, j + merged
            elif split:
                kinds["split"] += 1
                i, j = i + split, j + 1
            else:
                kinds[_pair_kind(got[i], want[j])] += 1
                i, j = i + 1, j + 1
        unplaced.update(got[i:])
        left_over.extend(want[j:])
    for word in left_over:
        if unplaced[word] > 0:
            unplaced[word] -= 1
            kinds["order"] += 1
        else:
            kinds["missing"] += 1
    return kinds


def _joined(words: list[str]) -> str:
    """Words run together without punctuation, marks or case: the key a merge or split leaves unchanged."""
    return fold(_bare("".join(words)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", default="tesseract")
    parser.add_argument("--chain", default="default")
    parser.add_argument("--count", type=int, default=1, help="generated pages per document type and variant")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--variants", default="clean,degraded")
    parser.add_argument("--types", default="", help="document types (default: all six)")
    parser.add_argument("--gen-dpi", type=int, default=300)
    parser.add_argument("--real-dev", type=Path, default=None, help="folder like ../shared/real-dev")
    parser.add_argument("--real-dpi", type=int, choices=(150, 300), default=150)
    parser.add_argument("--real-half", choices=("all", "dev", "held-out"), default="all",
                        help="the first (dev) or second (held-out) half of the real pages by file name: develop "
                             "correction rules on one, check them on the other")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "sohoa-correction-cache")
    parser.add_argument("--show", type=int, default=15, help="list this many wrong and neither changes per set")
    parser.add_argument("--diff", action="store_true", help="print every page's remaining word errors")
    args = parser.parse_args()

    print("# " + " ".join(["bench/correction.py", *sys.argv[1:]]))
    default_model()  # loaded once, outside the timings
    rows, examples = [], defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="sohoa-bench-correction-") as tmp:
        manifest = build_manifest(args, Path(tmp))
        pages = ocr_pages(manifest, args.engine, args.chain, args.cache, args.workers)
    for item, page in zip(manifest, pages, strict=True):
        start = time.perf_counter()
        corrected_doc, stats = correct_document(Document(pages=[page]))
        ms = (time.perf_counter() - start) * 1000
        read, corrected = ordered(segments(page), segments(corrected_doc.pages[0]), item["truth"])
        tally, changes = judge_changes(read, corrected, item["truth"])
        examples[item["set"]] += [(item["id"], *c) for c in changes]
        errors = word_errors(corrected, item["truth"])
        if args.diff:
            _print_diff(item["id"], corrected, item["truth"])
        doc_type = item["id"].rsplit("-", 2)[0] if item["set"] != "real" else "real"
        rows.append({"set": item["set"], "type": doc_type, "errors": errors, "ms": ms, "words": stats.syllables, "invalid": stats.invalid, **tally,
                     **{f"{k}_off": v for k, v in measures(read, item["truth"]).items()},
                     **{f"{k}_on": v for k, v in measures(corrected, item["truth"]).items()}})
    print("| set | pages | CER off → on | CER no tones off → on | bag WER off → on | bag WER no tones off → on "
          "| invalid syllables | changed: right / wrong / neither | ms/page |")
    print("|---|---|---|---|---|---|---|---|---|")
    for set_name in SETS:
        chosen = [r for r in rows if r["set"] == set_name]
        if not chosen:
            continue

        def pair(key: str, chosen: list[dict] = chosen) -> str:
            return f"{mean(r[key + '_off'] for r in chosen):.2%} → {mean(r[key + '_on'] for r in chosen):.2%}"

        total = {k: sum(r.get(k, 0) for r in chosen) for k in ("right", "wrong", "neither", "words", "invalid")}
        print(f"| {set_name} | {len(chosen)} | {pair('cer')} | {pair('cer_no_tones')} | {pair('bag')} "
              f"| {pair('bag_no_tones')} | {total['invalid']} of {total['words']} | {total['right']} / "
              f"{total['wrong']} / {total['neither']} | {mean(r['ms'] for r in chosen):.1f} |")
    print("\n| set | type | pages | CER on | bag WER on | word errors after correction by kind |")
    print("|---|---|---|---|---|---|")
    for set_name in SETS:
        for doc_type in sorted({r["type"] for r in rows if r["set"] == set_name}):
            chosen = [r for r in rows if r["set"] == set_name and r["type"] == doc_type]
            kinds = sum((r["errors"] for r in chosen), Counter())
            listed = ", ".join(f"{k} {kinds[k]}" for k in ERROR_KINDS if kinds[k])
            print(f"| {set_name} | {doc_type} | {len(chosen)} | {mean(r['cer_on'] for r in chosen):.2%} "
                  f"| {mean(r['bag_on'] for r in chosen):.2%} | {listed} |")
    for set_name, found in examples.items():
        bad = [e for e in found if e[1] != "right"][: args.show]
        if bad:
            print(f"\n{set_name}: changes that were not right (page, verdict, read → corrected, truth)")
            for page_id, verdict, old, new, truth_word in bad:
                print(f"- {page_id}: {verdict}: {old} → {new} (truth {truth_word or '?'})")
    print("\nper page:", json.dumps([{k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()
                                       if k in ("set", "cer_off", "cer_on", "bag_off", "bag_on", "right", "wrong")}
                                      for r in rows], ensure_ascii=False))


def _print_diff(page_id: str, read: str, truth: str) -> None:
    hyp, ref = score_text(read).split(), score_text(truth).split()
    for op in Levenshtein.opcodes(hyp, ref):
        if op.tag != "equal":
            before = " ".join(ref[max(0, op.dest_start - 2):op.dest_start])
            print(f"  {page_id}: [{before}] {' '.join(hyp[op.src_start:op.src_end])!r} → truth "
                  f"{' '.join(ref[op.dest_start:op.dest_end])!r}")


if __name__ == "__main__":
    main()
