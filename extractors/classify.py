"""Document-type classification: which of the six papers (or none) an OCR'd document is.

A paper announces itself by its title ("GIẤY KHAI SINH", "QUYẾT ĐỊNH") printed alone on a line near the top
of its first page, and confirms it with labels only that paper prints ("Thửa đất số", "Mã số doanh nghiệp",
"Căn cứ …"). The title decides: a decision whose summary mentions a birth certificate or land is still a
decision, because its summary line is long, mixed case and below its own title. Matching is on folded text
with spaces and punctuation removed (lost tone marks, ``Ð``, merged or split words), scored with rapidfuzz.
Below a minimum score the answer is "unknown" (a letter, a blank page, a form we do not know).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from extractors.lines import Seg, View, build_view, phrase, raw_hits
from pipeline.document import Document
from schemas.doc_types import UNKNOWN

TITLES: dict[str, tuple[str, ...]] = {
    "khai_sinh": ("Giấy khai sinh", "Trích lục khai sinh"),
    "cccd": ("Căn cước công dân", "Căn cước", "Citizen Identity Card", "Identity Card"),
    "ket_hon": ("Giấy chứng nhận kết hôn", "Trích lục kết hôn"),
    "dang_ky_doanh_nghiep": ("Giấy chứng nhận đăng ký doanh nghiệp", "Giấy chứng nhận đăng ký kinh doanh"),
    "quyet_dinh": ("Quyết định",),
    "gcn_qsdd": ("Giấy chứng nhận quyền sử dụng đất",
                 "Quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất",
                 "Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất"),
}

# Labels printed on one paper type and rarely elsewhere; each counts once however often it appears.
LABELS: dict[str, tuple[str, ...]] = {
    "khai_sinh": ("Nơi sinh", "Họ, chữ đệm, tên người mẹ", "Họ, chữ đệm, tên người cha", "Họ và tên mẹ",
                  "Họ và tên cha", "Người đi khai sinh", "Quan hệ với người được khai sinh", "Quyển số",
                  "Ngày, tháng, năm sinh"),
    "cccd": ("Số định danh cá nhân", "Personal identification number", "Full name", "Date of birth",
             "Nationality", "Place of origin", "Place of residence", "Date of expiry", "Quê quán",
             "Nơi thường trú", "Có giá trị đến"),
    "ket_hon": ("Họ, chữ đệm, tên chồng", "Họ, chữ đệm, tên vợ", "Họ và tên chồng", "Họ và tên vợ",
                "Đăng ký kết hôn", "Giấy tờ tùy thân", "Nơi đăng ký"),
    "dang_ky_doanh_nghiep": ("Mã số doanh nghiệp", "Tên công ty viết bằng tiếng Việt", "Địa chỉ trụ sở chính",
                             "Vốn điều lệ", "Người đại diện theo pháp luật", "Đăng ký lần đầu",
                             "Tên công ty viết tắt", "Tên công ty viết bằng tiếng nước ngoài"),
    "quyet_dinh": ("Căn cứ", "Điều 1", "Điều 2", "Theo đề nghị của", "Xét đề nghị của", "Nơi nhận"),
    "gcn_qsdd": ("Thửa đất số", "Tờ bản đồ số", "Mục đích sử dụng", "Thời hạn sử dụng", "Nguồn gốc sử dụng",
                 "Hình thức sử dụng", "Người sử dụng đất"),
}

_LABEL_PHRASES = tuple(phrase(label) for labels in LABELS.values() for label in labels)

# A decision's number "Số: 119/QĐ-UBND" is as telling as a label.
_DECISION_NUMBER = re.compile(r"^\W*so\W*\d*\s*/\s*q\s*d\s*[-–]")

_TITLE_WEIGHT, _LABEL_WEIGHT = 0.7, 0.3
_LABELS_FOR_FULL = 3  # distinct labels that count as complete confirmation
_MIN_SCORE = 0.5


@dataclass(frozen=True)
class _TitleHit:
    doc_type: str
    similarity: float  # 0–1
    order: int  # reading order of the line: the first title on the paper is its title


def _title_similarity(title: str, seg: Seg) -> float:
    target, text = phrase(title).compact, seg.compact
    if not text:
        return 0.0
    n = len(target)
    cutoff = 90 if n <= 7 else 85
    if len(text) <= n + 2:
        score = fuzz.ratio(target, text)
    else:
        # A title starts its line; with a little more on it ("QUYẾT ĐỊNH:", "CĂN CƯỚC CÔNG DÂN / Citizen …") it
        # still counts, a long sentence that mentions it does not.
        al = fuzz.partial_ratio_alignment(target, text, score_cutoff=cutoff)
        if al is None or al.dest_start > 3:
            return 0.0
        score = al.score * min(1.0, n / (0.6 * len(text)))
    if score < cutoff:
        return 0.0
    letters = [ch for ch in seg.text if ch.isalpha()]
    upper = sum(ch.isupper() for ch in letters) / len(letters) if letters else 0.0
    return score / 100.0 * (1.0 if upper >= 0.7 else 0.75)


def _titles(view: View) -> list[_TitleHit]:
    first = min(view.pages) if view.pages else 1
    hits = []
    for seg in view.segs:
        if seg.page != first:
            continue
        for doc_type, titles in TITLES.items():
            best = max(_title_similarity(t, seg) for t in titles)
            if best > 0:
                page = view.pages[seg.page]
                in_top = seg.y0 < 0.5 * page.height if page.height else True
                hits.append(_TitleHit(doc_type, best * (1.0 if in_top else 0.8), seg.order))
    return hits


def _label_counts(view: View) -> dict[str, int]:
    seen = {h.phrase.text for seg in view.segs for h in raw_hits(seg, _LABEL_PHRASES)}
    counts = {doc_type: sum(label in seen for label in labels) for doc_type, labels in LABELS.items()}
    if any(_DECISION_NUMBER.match(s.folded) for s in view.segs):
        counts["quyet_dinh"] += 1
    return counts


def scores(doc: Document | View) -> dict[str, float]:
    """Score 0–1 per document type (title evidence weighs most; labels confirm)."""
    view = doc if isinstance(doc, View) else build_view(doc)
    titles = _titles(view)
    counts = _label_counts(view)
    first_title = min(titles, key=lambda t: (t.order, -t.similarity)) if titles else None
    out = {}
    for doc_type in TITLES:
        sims = [t.similarity for t in titles if t.doc_type == doc_type]
        title = max(sims, default=0.0)
        if first_title and first_title.doc_type != doc_type:
            title *= 0.6  # a later title-like line is a mention, not this paper's title
        label = min(1.0, counts[doc_type] / _LABELS_FOR_FULL)
        if title > 0:
            out[doc_type] = _TITLE_WEIGHT * title + _LABEL_WEIGHT * label
        else:
            # No title read (torn, stamped over, OCR lost it): many distinctive labels still say what it is.
            out[doc_type] = 0.6 * min(1.0, counts[doc_type] / 5)
    return out


def classify(doc: Document) -> tuple[str, float]:
    """``(doc_type, confidence)``; ``("unknown", …)`` when no type scores high enough."""
    ranked = sorted(scores(doc).items(), key=lambda kv: kv[1], reverse=True)
    best_type, best = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if best < _MIN_SCORE:
        return UNKNOWN, round(1.0 - best, 3)
    margin = min(1.0, (best - runner_up) / 0.3)
    confidence = best * (0.75 + 0.25 * margin)
    return best_type, round(min(1.0, confidence), 3)
