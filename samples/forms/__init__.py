"""One builder per document type: `build(rng, family, dpi, shrink) -> Draft` lays out a paper and returns its
fields; `shrink` > 1 fits a crowded paper onto its page (see `samples.layout.Sheet`)."""

from __future__ import annotations

import random
from collections.abc import Callable

from samples.fonts import FontFamily
from samples.forms import cccd, doanh_nghiep, gcn_qsdd, ket_hon, khai_sinh, quyet_dinh
from samples.forms.common import Draft

Builder = Callable[[random.Random, FontFamily, int, float], Draft]

BUILDERS: dict[str, Builder] = {
    "khai_sinh": khai_sinh.build,
    "cccd": cccd.build,
    "ket_hon": ket_hon.build,
    "dang_ky_doanh_nghiep": doanh_nghiep.build,
    "quyet_dinh": quyet_dinh.build,
    "gcn_qsdd": gcn_qsdd.build,
}

__all__ = ["BUILDERS", "Builder", "Draft"]
