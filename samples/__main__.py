"""Command line for the synthetic paper generator.

    python -m samples --out DIR --count N --seed S --variants clean,degraded,photo --types all [--dpi 300]
        [--format pdf|png|jpg] [--quiet]

Writes `<id>.<ext>` and `<id>.truth.json` per document and variant, and prints a one-line summary.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from samples.fonts import FontsMissing
from samples.generator import DOC_TYPES, VARIANTS, generate_set


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samples", description="Generate synthetic Vietnamese "
                                     "administrative papers with ground truth.")
    parser.add_argument("--out", required=True, type=Path, help="output folder (created if missing)")
    parser.add_argument("--count", type=int, default=12, help="number of documents; types are taken in turn")
    parser.add_argument("--seed", type=int, default=0, help="set seed: same seed, same files")
    parser.add_argument("--variants", type=_csv, default=list(VARIANTS), help="clean,degraded,photo (phone photo of the paper)")
    parser.add_argument("--types", default="all", help=f"all, or some of {','.join(DOC_TYPES)}")
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--format", dest="fmt", choices=("pdf", "png", "jpg"), default=None,
                        help="default: pdf for clean, jpg for degraded")
    parser.add_argument("--quiet", action="store_true", help="no per-file progress on stderr")
    args = parser.parse_args(argv)
    bad = [v for v in args.variants if v not in VARIANTS]
    if bad or not args.variants:
        parser.error(f"--variants must be some of {','.join(VARIANTS)}")
    if args.count < 0:
        parser.error("--count must not be negative")

    def report(done: int, total: int, path: Path) -> None:
        if not args.quiet:
            print(f"[{done}/{total}] {path}", file=sys.stderr)

    started = time.perf_counter()
    try:
        paths = generate_set(args.out, args.count, args.seed, args.variants, args.types, dpi=args.dpi,
                             fmt=args.fmt, progress=report)
    except (ValueError, FontsMissing) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started
    rate = len(paths) / elapsed if elapsed > 0 else float("inf")
    print(f"wrote {len(paths)} documents (+ truth) to {args.out} in {elapsed:.1f} s ({rate:.1f} pages/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
