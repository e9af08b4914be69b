"""Throughput benchmark: pages per minute end to end on this machine, and what that means for 28M dossiers.

End to end = upload the scans to the store, then the ``ingest-batch`` Prefect flow (render, clean, OCR, extract,
validate, record + OCR JSON in the store, index, audit). Each file is a scan-like image-only PDF of ``--pages``
pages (degraded synthetic papers: noise, skew, JPEG), so every page really goes through OCR.

Four ways of using the cores are timed, each on a fresh store and index (otherwise the second run would only find
duplicates): one document at a time with one page at a time, with pages in parallel (``SOHOA_OCR_WORKERS``),
several documents at once (the flow's task runner), and both. The projection takes the best one, assumes
``--pages-per-dossier``, and says how many such machines (Prefect workers) finish 28M dossiers in a given time;
it assumes workers scale linearly (each brings its own cores; the store and the index are not the bottleneck).

The load average is printed beside the figures: on a shared machine other work slows every figure down.

    .venv/bin/python -m bench.throughput --files 8 --pages 4
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DOSSIERS = 28_000_000


@dataclass
class Mode:
    name: str
    documents: int  # documents in flight at once
    page_workers: int  # pages of one document OCR'd at once


MODES = [
    Mode("sequential", 1, 1),
    Mode("parallel pages", 1, 2),
    Mode("parallel documents", 2, 1),
    Mode("both (default)", 2, 2),
]


def scan_pdf(first_seed: int, pages: int, dpi: int) -> bytes:
    """An image-only PDF of ``pages`` degraded synthetic papers (as a scanner makes it)."""
    from PIL import Image

    from samples.generator import DOC_TYPES, generate_document

    images = []
    for i in range(pages):
        doc = generate_document(DOC_TYPES[(first_seed + i) % len(DOC_TYPES)], first_seed + i, variant="degraded",
                                fmt="jpg", dpi=dpi)
        images.append(Image.open(io.BytesIO(doc.data)).convert("RGB"))
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return out.getvalue()


def run_mode(mode: Mode, files: list[bytes], work: Path) -> dict:
    from prefect.task_runners import ThreadPoolTaskRunner

    from flows.ingest_batch import ingest_batch
    from pipeline.config import Settings
    from pipeline.runtime import get_runtime
    from pipeline.wallet import upload_original

    data_dir = work / mode.name.replace(" ", "-").strip("()")
    os.environ["SOHOA_DATA_DIR"] = str(data_dir)
    os.environ["SOHOA_OCR_WORKERS"] = str(mode.page_workers)
    rt = get_runtime(Settings())
    flow = ingest_batch.with_options(task_runner=ThreadPoolTaskRunner(max_workers=mode.documents))
    load_before = os.getloadavg()[0]
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    keys = [upload_original(rt.store, data, f"dossier-{i:04d}.pdf", "BENCH", "bench", mode.name.replace(" ", "-"))
            for i, data in enumerate(files)]
    uploaded = time.perf_counter()
    summary = flow(keys, f"bench-{data_dir.name}")
    seconds = time.perf_counter() - started
    pages = summary["pages"]
    cpu = _cpu_seconds() - cpu_before
    return {"mode": mode.name, "files": len(files), "pages": pages, "seconds": seconds, "cpu_per_page": cpu / pages,
            "upload_s": uploaded - started, "pages_per_min": pages / seconds * 60,
            "outcomes": summary["outcomes"], "load": (load_before, os.getloadavg()[0])}


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the Tesseract processes), user + system."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def projection(pages_per_min: float, pages_per_dossier: float, months: tuple[int, ...] = (6, 12, 24)) -> list[str]:
    pages = DOSSIERS * pages_per_dossier
    machine_days = pages / pages_per_min / 60 / 24
    lines = [(f"28M dossiers x {pages_per_dossier:g} pages = {pages / 1e6:,.0f}M pages; at {pages_per_min:.1f} "
             f"pages/min one such machine needs {machine_days:,.0f} days ({machine_days / 365:,.1f} years) "
             "running around the clock")]
    for m in months:
        machines = machine_days / (m * 30.4)
        lines.append(f"  to finish in {m:2d} months: {machines:,.0f} such 2-core workers "
                     f"({machines * 2:,.0f} cores) running 24/7")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=8, help="files (dossiers) per mode")
    parser.add_argument("--pages", type=int, default=4, help="pages per file")
    parser.add_argument("--dpi", type=int, default=300, help="scan resolution of the pages")
    parser.add_argument("--pages-per-dossier", type=float, default=10.0,
                        help="average pages of a real dossier, for the projection (an assumption: measure yours)")
    parser.add_argument("--modes", default="all", help="comma-separated mode numbers 1-4 (default all)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sohoa-throughput-"))
    os.environ.setdefault("PREFECT_HOME", str(work / "prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    chosen = MODES if args.modes == "all" else [MODES[int(n) - 1] for n in args.modes.split(",")]
    try:
        print(f"generating {args.files} files x {args.pages} pages at {args.dpi} dpi …", file=sys.stderr)
        files = [scan_pdf(1000 + i * args.pages, args.pages, args.dpi) for i in range(args.files)]
        from prefect import flow

        flow(lambda: None, name="warm-up")()  # start Prefect's temporary API outside the timings
        print(f"{os.cpu_count()} cores; {args.files} files x {args.pages} pages, {args.dpi} dpi, degraded scans")
        print(f"{'mode':<20} {'pages':>5} {'seconds':>8} {'pages/min':>9} {'CPU s/page':>10}  load avg before/after"
              "  outcomes")
        results = []
        for mode in chosen:
            r = run_mode(mode, files, work)
            results.append(r)
            print(f"{r['mode']:<20} {r['pages']:>5} {r['seconds']:>8.1f} {r['pages_per_min']:>9.1f} "
                  f"{r['cpu_per_page']:>10.2f}  {r['load'][0]:>5.1f} / {r['load'][1]:<5.1f}           "
                  f"{r['outcomes']}", flush=True)
        best = max(results, key=lambda r: r["pages_per_min"])
        print(f"\nbest measured: {best['mode']} ({best['pages_per_min']:.1f} pages/min)")
        for line in projection(best["pages_per_min"], args.pages_per_dossier):
            print(line)
        cores = os.cpu_count() or 1
        cpu = min(r["cpu_per_page"] for r in results)
        ceiling = cores * 60 / cpu
        print(f"\nCPU-bound ceiling: {cpu:.2f} CPU s/page on {cores} cores = {ceiling:.1f} pages/min if every core "
              "did nothing else (unaffected by other load; reached when documents keep all cores busy)")
        for line in projection(ceiling, args.pages_per_dossier):
            print(line)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
