"""OCR accuracy and cost per engine × preprocessing chain, on generated pages and on the real pages.

For every engine and chain it prints: CER, CER without tone marks, folded CER (no diacritics, lower case), word
error rate (in reading order), order-insensitive word error (share of reference words missing; the measure for
real pages, whose two-column headers any reader may read in either order) with and without tone marks, seconds
per page on one core (preprocessing + OCR) and peak RSS (the worker process, and the largest OCR subprocess).

    python bench/ocr.py --count 3 --seed 11 --real-dev ../shared/real-dev
    python bench/ocr.py --engines tesseract,tesseract-fast --chains none,deskew+median,inks+deskew+median+leaders
    python bench/ocr.py --engines tesseract=/path/to/tessdata --count 0 --real-dev ../shared/real-dev --real-dpi 150

    python bench/ocr.py --engines tesseract,paddle+tesseract,paddle --chains default --count 1 \\
        --real-dev ../shared/real-dev    # the paddle engines need the `paddle` extra

An engine is a name from ``pipeline.ocr.ENGINES``, optionally ``name=TESSDATA_DIR`` to try another model.
A chain is step names from ``pipeline.preprocess.CHAIN_STEPS`` joined by ``+`` (``none`` = no step, ``default`` =
the pipeline's ``DEFAULT_CHAIN``).

Scoring: dotted leaders ("Họ tên: ........") are layout, not content. Runs of three or more dots (or ``…``) are
replaced by a space in both the truth and the OCR output before any measure, so a leader read as dots costs
nothing and a leader read as other junk (``,.-:_``) costs what it adds. Generated pages are single pages: clean
ones go through intake as PDF (rendered at 300 dpi), degraded ones as JPEG, exactly as the pipeline sees them.
Each engine × chain runs in a fresh worker process, so its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from bench.metrics import bag_word_error, cer, cer_folded, cer_without_tones
from pipeline.textnorm import clean_spaces, nfc, strip_tones

_LEADER = re.compile(r"(?:\s*(?:\.{3,}|…+))+")
DEFAULT_CHAINS = "none,deskew+median,default"
SETS = ("clean", "degraded", "photo", "real")


def score_text(text: str) -> str:
    """The text as scored: NFC, dotted leaders replaced by a space, whitespace collapsed."""
    return clean_spaces(_LEADER.sub(" ", nfc(text)))


def word_error_rate(hypothesis: str, reference: str) -> float:
    """Word edit distance (in order) / reference word count."""
    ref, hyp = reference.split(), hypothesis.split()
    if not ref:
        return 0.0 if not hyp else 1.0
    return Levenshtein.distance(hyp, ref) / len(ref)


def measures(hypothesis: str, reference: str) -> dict[str, float]:
    hyp, ref = score_text(hypothesis), score_text(reference)
    return {
        "cer": cer(hyp, ref),
        "cer_no_tones": cer_without_tones(hyp, ref),
        "cer_folded": cer_folded(hyp, ref),
        "wer": word_error_rate(hyp, ref),
        "bag": bag_word_error(hyp, ref),
        "bag_no_tones": bag_word_error(strip_tones(hyp), strip_tones(ref)),
    }


# --- the page set -------------------------------------------------------------------------------------------


def build_manifest(args: argparse.Namespace, folder: Path) -> list[dict]:
    """Write the pages to ``folder`` once (all workers read the same files) and list them with their truth."""
    items: list[dict] = []
    if args.count > 0:
        from samples.generator import DOC_TYPES, generate_document

        types = args.types.split(",") if args.types else list(DOC_TYPES)
        for variant in args.variants.split(","):
            for t_index, doc_type in enumerate(types):
                for i in range(args.count):
                    seed = args.seed + i * 7919 + t_index * 104729
                    doc = generate_document(doc_type, seed, variant=variant, dpi=args.gen_dpi)
                    path = folder / f"{doc_type}-{seed}-{variant}.{doc.ext}"
                    path.write_bytes(doc.data)
                    items.append({"set": variant, "id": path.stem, "path": str(path), "dpi": None,
                                  "truth": doc.truth["text"]})
                    print(f"\rgenerated {len(items)} pages", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
    if args.real_dev:
        pages_dir = args.real_dev / ("pages300" if args.real_dpi == 300 else "pages")
        images = sorted(pages_dir.glob("*.jpg"))
        half = len(images) // 2
        # Rules for real pages are developed on the first half (by file name) and checked on the second.
        images = {"all": images, "dev": images[:half], "held-out": images[half:]}[getattr(args, "real_half", "all")]
        for image in images:
            truth = args.real_dev / "pages" / f"{image.stem}.layout.txt"
            items.append({"set": "real", "id": image.stem, "path": str(image), "dpi": args.real_dpi,
                          "truth": truth.read_text(encoding="utf-8")})
    return items


# --- one engine × chain, in its own pool of fresh processes ------------------------------------------------

_worker: dict = {}


def _start_worker(engine_spec: str, chain_text: str) -> None:
    import cv2

    from pipeline.config import Settings
    from pipeline.ocr import open_engine
    from pipeline.preprocess import parse_chain

    cv2.setNumThreads(1)  # one core per page, like a pipeline worker
    name, _, tessdata = engine_spec.partition("=")
    _worker["engine"] = open_engine(name, Settings(tessdata_dir=tessdata or None))
    _worker["chain"] = parse_chain(chain_text)
    _worker["memory"] = _MemorySampler()


def _one_page(item: dict) -> dict:
    from pipeline.intake import Limits, PageImage, load_pages
    from pipeline.preprocess import clean_page

    limits = Limits(max_file_bytes=500_000_000, max_image_pixels=200_000_000, max_pages=1, pdf_dpi=300)
    page = load_pages(Path(item["path"]).read_bytes(), limits)[0]
    if item["dpi"]:
        page = PageImage(page.number, page.image, item["dpi"])
    # process time, not thread time: Paddle's predictors may compute on threads of their own
    cpu0, children0, wall0 = time.process_time(), _children_cpu(), time.perf_counter()
    cleaned = clean_page(page, _worker["chain"])
    wall1, prep_cpu = time.perf_counter(), time.process_time() - cpu0
    result = _worker["engine"].recognize(cleaned)
    wall2 = time.perf_counter()
    cpu = time.process_time() - cpu0 + _children_cpu() - children0
    text = in_truth_order(segments(result), item["truth"])
    memory = _worker["memory"]
    return {"set": item["set"], "id": item["id"], "prep_s": wall1 - wall0, "ocr_s": wall2 - wall1, "cpu_s": cpu,
            "prep_cpu_s": prep_cpu,
            "rss_mb": memory.peak_total_mb, "ocr_rss_mb": memory.peak_child_mb,
            **measures(text, item["truth"])}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class _MemorySampler:
    """Peak resident memory of this worker process plus its running OCR subprocesses, sampled every 20 ms.

    ``ru_maxrss`` of children is no use here: a child started by vfork reports its parent's peak.
    """

    def __init__(self) -> None:
        import threading

        self.peak_total_mb = 0.0
        self.peak_child_mb = 0.0
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        me = os.getpid()
        own_exe = os.readlink(f"/proc/{me}/exe")
        while True:
            # a child that still runs our executable has not exec'd yet: its memory is still ours
            children = [pid for pid in _child_pids(me) if _exe(pid) not in (own_exe, None)]
            child_rss = [_status_mb(pid, "VmHWM") for pid in children]
            total = _status_mb(me, "VmRSS") + sum(_status_mb(pid, "VmRSS") for pid in children)
            self.peak_total_mb = max(self.peak_total_mb, total)
            self.peak_child_mb = max([self.peak_child_mb, *child_rss])
            time.sleep(0.02)


def _child_pids(pid: int) -> list[int]:
    pids = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            pids += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return pids


def _exe(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return None


def _status_mb(pid: int, key: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def segments(page) -> list[str]:
    """The page's text in pieces that any reader may order differently: each OCR line, split where a wide gap
    (over 1.5 line heights) separates two columns (Tesseract often reads a two-column header as one line)."""
    pieces = []
    for line in page.lines:
        height = max(1, line.bbox[3] - line.bbox[1])
        current = [line.words[0].text]
        for prev, word in zip(line.words, line.words[1:], strict=False):
            if word.bbox[0] - prev.bbox[2] > 1.5 * height:
                pieces.append(" ".join(current))
                current = []
            current.append(word.text)
        pieces.append(" ".join(current))
    return pieces


def in_truth_order(pieces: list[str], truth: str) -> str:
    """The OCR pieces sorted by where each best matches the truth, so CER and WER measure recognition, not the
    order in which columns were read. Longer pieces are placed first and use up the truth they match, so a
    repeated heading finds its own occurrence; a short piece goes where the truth holds it exactly, and an
    unmatched piece stays after the piece before it."""
    reference = score_text(truth)
    texts = [score_text(piece) for piece in pieces]
    found: dict[int, float] = {}
    for index in sorted(range(len(texts)), key=lambda i: -len(texts[i])):
        if len(texts[index]) < 6:
            break
        match = fuzz.partial_ratio_alignment(texts[index], reference, score_cutoff=70)
        if match is not None:
            found[index] = float(match.dest_start)
            span = match.dest_end - match.dest_start
            reference = reference[: match.dest_start] + "\0" * span + reference[match.dest_end :]
    placed, position = [], -1.0
    for index, text in enumerate(texts):
        if index not in found and text:
            # A short piece (a column heading, "Vợ") is placed where the unused truth holds it word for word, the
            # occurrence nearest to where it would otherwise stand; it cannot hide a misreading: it matches exactly.
            spots = [m.start() for m in re.finditer(rf"(?<!\S){re.escape(text)}(?!\S)", reference)]
            if spots:
                spot = min(spots, key=lambda s: abs(s - position))
                found[index] = float(spot)
                reference = reference[:spot] + "\0" * len(text) + reference[spot + len(text):]
        position = found.get(index, position + 1e-3)
        placed.append((position, index, text))
    return "\n".join(text for _, _, text in sorted(placed))


def run_combo(manifest: list[dict], engine_spec: str, chain_text: str, workers: int) -> dict:
    context = multiprocessing.get_context("spawn")  # fresh processes: the peak RSS is this combo's own
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                             initargs=(engine_spec, chain_text)) as pool:
        pages = list(pool.map(_one_page, manifest))
    return {"engine": engine_spec, "chain": chain_text, "pages": pages}


# --- report -------------------------------------------------------------------------------------------------

_MEASURES = ("cer", "cer_no_tones", "cer_folded", "wer", "bag", "bag_no_tones", "prep_s", "ocr_s", "cpu_s",
             "prep_cpu_s")


def summarise(run: dict) -> list[dict]:
    rows = []
    for set_name in SETS:
        pages = [p for p in run["pages"] if p["set"] == set_name]
        if pages:
            rows.append({"engine": run["engine"], "chain": run["chain"], "set": set_name, "n": len(pages),
                         **{k: mean(p[k] for p in pages) for k in _MEASURES},
                         "rss_mb": max(p["rss_mb"] for p in run["pages"]),
                         "ocr_rss_mb": max(p["ocr_rss_mb"] for p in run["pages"])})
    return rows


def print_table(rows: list[dict]) -> None:
    print("| set | engine | chain | pages | CER | CER no tones | CER folded | WER | bag WER | bag WER no tones "
          "| CPU s/page (of it preprocessing) | wall s/page prep + OCR | peak RSS MB worker (OCR process) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['set']} | {r['engine']} | {r['chain']} | {r['n']} | {r['cer']:.2%} | {r['cer_no_tones']:.2%} "
              f"| {r['cer_folded']:.2%} | {r['wer']:.2%} | {r['bag']:.2%} | {r['bag_no_tones']:.2%} "
              f"| {r['cpu_s']:.2f} ({r['prep_cpu_s']:.2f}) | {r['prep_s']:.2f} + {r['ocr_s']:.2f} | {r['rss_mb']:.0f} ({r['ocr_rss_mb']:.0f}) |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", default="tesseract,tesseract-fast")
    parser.add_argument("--chains", default=DEFAULT_CHAINS)
    parser.add_argument("--count", type=int, default=2, help="generated pages per document type and variant")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--variants", default="clean,degraded")
    parser.add_argument("--types", default="", help="document types (default: all six)")
    parser.add_argument("--gen-dpi", type=int, default=300, help="resolution of the generated pages")
    parser.add_argument("--real-dev", type=Path, default=None, help="folder like ../shared/real-dev")
    parser.add_argument("--real-dpi", type=int, choices=(150, 300), default=300)
    parser.add_argument("--real-half", choices=("all", "dev", "held-out"), default="all",
                        help="the first (dev) or second (held-out) half of the real pages by file name")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="pages at once (one core each)")
    parser.add_argument("--json", type=Path, default=None, help="also write every page's figures here")
    args = parser.parse_args()

    print("# " + " ".join(["bench/ocr.py", *sys.argv[1:]]))
    print(f"{os.cpu_count()} cores; {args.workers} page(s) at once, each on one core. CER/WER: OCR pieces put in "
          "the truth's reading order; bag WER: order-insensitive. Dotted leaders are not scored.\n")
    runs = []
    with tempfile.TemporaryDirectory(prefix="sohoa-bench-ocr-") as tmp:
        manifest = build_manifest(args, Path(tmp))
        for engine in args.engines.split(","):
            for chain in args.chains.split(","):
                start = time.perf_counter()
                runs.append(run_combo(manifest, engine, chain, args.workers))
                print(f"{engine} × {chain}: {time.perf_counter() - start:.0f} s", file=sys.stderr)
    rows = [row for run in runs for row in summarise(run)]
    rows.sort(key=lambda r: (SETS.index(r["set"]), r["engine"], r["chain"]))
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps(runs, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
