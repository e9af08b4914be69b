"""Accuracy measures shared by the benchmarks: character error rate, order-free word error, field matching."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein

from pipeline.textnorm import clean_spaces, fold, strip_tones


def cer(hypothesis: str, reference: str) -> float:
    """Character edit distance / reference length, on whitespace-normalised NFC text."""
    ref, hyp = clean_spaces(reference), clean_spaces(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return Levenshtein.distance(hyp, ref) / len(ref)


def cer_without_tones(hypothesis: str, reference: str) -> float:
    """CER with the five tone marks removed from both sides: the difference to :func:`cer` is tone errors."""
    return cer(strip_tones(hypothesis), strip_tones(reference))


def cer_folded(hypothesis: str, reference: str) -> float:
    """CER with all diacritics removed and lower-cased."""
    return cer(fold(hypothesis), fold(reference))


def bag_word_error(hypothesis: str, reference: str) -> float:
    """Share of reference words missing from the output, ignoring order (two-column headers read in any order)."""
    ref = Counter(clean_spaces(reference).split())
    hyp = Counter(clean_spaces(hypothesis).split())
    total = sum(ref.values())
    if total == 0:
        return 0.0
    return sum((ref - hyp).values()) / total


def values_equal(predicted, truth) -> bool:
    if predicted is None or truth is None:
        return predicted is truth
    if isinstance(truth, float) or isinstance(predicted, float):
        try:
            return math.isclose(float(predicted), float(truth), rel_tol=1e-6, abs_tol=1e-6)
        except (TypeError, ValueError):
            return False
    if isinstance(truth, int) and not isinstance(truth, bool):
        try:
            return int(predicted) == truth
        except (TypeError, ValueError):
            return False
    return clean_spaces(str(predicted)) == clean_spaces(str(truth))


@dataclass
class FieldScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted, truth) -> None:
        """A wrong value is both a false positive (we said something) and a false negative (we missed the truth)."""
        if truth is None and predicted is None:
            return
        if truth is None:
            self.fp += 1
        elif predicted is None:
            self.fn += 1
        elif values_equal(predicted, truth):
            self.tp += 1
        else:
            self.fp += 1
            self.fn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __iadd__(self, other: FieldScore) -> FieldScore:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        return self


@dataclass
class TypeScores:
    fields: dict[str, FieldScore] = field(default_factory=dict)

    def add(self, name: str, predicted, truth) -> None:
        self.fields.setdefault(name, FieldScore()).add(predicted, truth)

    def total(self) -> FieldScore:
        total = FieldScore()
        for score in self.fields.values():
            total += score
        return total
