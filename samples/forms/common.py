"""Pieces every Vietnamese administrative paper shares: the national motto, the two-column official header,
labelled lines, the signer block, and the per-document "look" (type size, margins, how names and dates are
written, dotted leaders) that makes two papers of the same type differ the way real ones do.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from samples.fonts import FontFamily
from samples.layout import Flow, Line, Segment, Sheet, Style
from samples.places import Place, lower_kind
from samples.wording import format_date

MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_SUB = "Độc lập - Tự do - Hạnh phúc"
SIGN_NOTE = ("(Ký, ghi rõ họ, chữ đệm, tên,", "chức vụ và đóng dấu)")
A4_MM = (210.0, 297.0)


@dataclass
class Draft:
    """A laid-out paper and the normalised values of its contract fields (None where the paper has none)."""

    sheet: Sheet
    fields: dict[str, Any]
    layout: str
    seal: str | None = None  # text around the official seal, where the paper is sealed


@dataclass(frozen=True)
class Look:
    body: Style
    label: Style
    value: Style
    upper_names: bool
    date_style: str
    leaders: bool
    address_style: str
    left_mm: float
    right_mm: float
    top_mm: float
    leading: float  # line pitch of labelled lines, in type sizes

    def name(self, name: str) -> str:
        return name.upper() if self.upper_names else name

    def date(self, day: dt.date) -> str:
        return format_date(day, self.date_style)


def random_look(rng: random.Random, *, leaders_share: float = 0.4) -> Look:
    size = rng.choice((12.5, 13.0, 13.0, 13.5, 14.0))
    value_face = rng.choice(("regular", "bold", "bold"))
    return Look(
        body=Style(size),
        label=Style(size),
        value=Style(size, value_face),
        upper_names=rng.random() < 0.6,
        date_style=rng.choice(("words", "words_padded", "slash", "slash", "slash")),
        leaders=rng.random() < leaders_share,
        address_style=rng.choice(("full", "full", "lower")),
        left_mm=rng.uniform(25.0, 32.0),
        right_mm=rng.uniform(15.0, 20.0),
        top_mm=rng.uniform(14.0, 22.0),
        leading=rng.uniform(1.4, 1.75),
    )


def new_page(family: FontFamily, dpi: int, look: Look, shrink: float = 1.0) -> tuple[Sheet, Flow]:
    sheet = Sheet(*A4_MM, dpi, family, shrink)
    return sheet, Flow(sheet, look.left_mm, sheet.width_mm - look.right_mm, look.top_mm)


def fit(sheet: Sheet, text: str, style: Style, width_px: float, floor: float = 8.0) -> Style:
    """The largest size, not above `style`'s, at which `text` fits on one line of `width_px`."""
    while style.size > floor and sheet.length(text, style) > width_px:
        style = style.but(size=style.size - 0.5)
    return style


def motto(flow: Flow, size: float, *, rule: bool = True) -> list[Line]:
    width = flow.x1 - flow.x0
    top = flow.write(Segment(MOTTO, fit(flow.sheet, MOTTO, Style(size, "bold"), width)), align="center",
                     leading=1.25)
    sub = flow.write(Segment(MOTTO_SUB, Style(size + 1, "bold")), align="center", leading=1.2)
    if rule:
        flow.rule_under(sub[0])
    return top + sub


def official_header(
    flow: Flow,
    agency: list[tuple[str, str]],
    number: Sequence[Segment],
    place_date: Sequence[Segment],
    size: float,
    agency_field: str | None = None,
) -> list[Line]:
    """Left: agency lines (text, face), a short rule, "Số: …"; right: motto, rule, "Place, ngày … ".

    Read left column first, then right, as a column-aware OCR would. Returns the agency lines.
    """
    x0_mm, x1_mm = flow.x0_mm, flow.x1_mm
    split = x0_mm + (x1_mm - x0_mm) * 0.40
    left, right = flow.columns((x0_mm - 8, split), (split, x1_mm + 4))
    agency_lines: list[Line] = []
    for text, face in agency:
        style = fit(flow.sheet, text, Style(size, face), left.x1 - left.x0)
        agency_lines += left.write(Segment(text, style, agency_field), align="center", leading=1.2)
    left.rule_under(agency_lines[-1], fraction=0.45)
    left.skip(2.5)
    left.write(number, align="center")
    motto(right, size)
    right.skip(2.5)
    right.write(place_date, align="center")
    flow.join([left, right])
    return agency_lines


def labelled(
    flow: Flow,
    look: Look,
    label: str,
    value: str | None,
    field: str | None,
    *,
    value_style: Style | None = None,
    hang_mm: float = 0.0,
    indent_mm: float = 0.0,
    leading: float | None = None,
) -> list[Line]:
    """"Label: value" wrapping under the label's start; with no value, the label and a dotted line."""
    segments = [Segment(label, look.label)]
    if value:
        segments.append(Segment(value, value_style or look.value, field))
    return flow.write(segments, leaders=look.leaders or not value, leader_style=look.label, hang_mm=hang_mm,
                      indent_mm=indent_mm, leading=leading or look.leading)


def signer_block(
    flow: Flow,
    titles: list[str],
    name: str,
    *,
    size: float,
    field: str | None = None,
    note: tuple[str, ...] = (),
    space_mm: float = 24.0,
) -> list[Line]:
    """Centred titles ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"), note lines, the signing space (anchor
    "signature"), and the signer's name."""
    lines: list[Line] = []
    for title in titles:
        style = fit(flow.sheet, title, Style(size, "bold"), flow.x1 - flow.x0)
        lines += flow.write(Segment(title, style), align="center", leading=1.25)
    for text in note:
        lines += flow.write(Segment(text, Style(size - 1.5, "italic")), align="center", leading=1.25)
    top = flow.y
    flow.skip(space_mm)
    flow.sheet.anchors["signature"] = (flow.x0, top, flow.x1, flow.y)
    lines += flow.write(Segment(name, Style(size, "bold"), field), align="center")
    return lines


def registration_office(place: Place) -> str:
    """"Ủy ban nhân dân phường Kim Mã, quận Ba Đình, thành phố Hà Nội"."""
    units = (place.ward, place.district_full(), place.province.full_name)
    return "Ủy ban nhân dân " + ", ".join(lower_kind(u) for u in units)
