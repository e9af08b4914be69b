"""Line boxes from a text detector → blocks and lines of the :class:`~pipeline.document.Page` in reading order.

A detector such as PP-OCR's finds text segments, not lines: one printed line may come back as two boxes (a
wide space, a tab stop) and a two-column header ("ỦY BAN NHÂN DÂN ... | CỘNG HÒA XÃ HỘI ...") as two boxes
per row. Segments are grouped into rows by vertical overlap and each row is cut at gaps wider than two line
heights. Consecutive rows cut in two whose halves are centred text form a two-column header whose left column
is read before its right one (each column a block), as a person reads an administrative header; any other row
(a form's label and value, a table's cells) is read part by part, left to right, each part a line.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from statistics import median

from pipeline.document import BBox, Block, Line, Page, Word

_SAME_ROW = 0.5  # a box joins a row when at least half of its height overlaps the row
_COLUMN_GAP = 2.0  # a horizontal gap wider than this many line heights separates two columns


def page_from_segments(
    number: int, width: int, height: int, dpi: int, boxes: Sequence[BBox], lines: Sequence[list[list[Word]]]
) -> Page:
    """Assemble the page from each detected box and the lines read in it (``lines[i]`` belongs to ``boxes[i]``,
    top to bottom). Boxes in which nothing was read are dropped. The boxes of one row and column that hold
    one line each form one line; a box that held several (lines the detector ran together) keeps them."""
    kept = [i for i in range(len(boxes)) if any(lines[i])]
    blocks = []
    for block in reading_order([boxes[i] for i in kept], kept):
        out: list[Line] = []
        for group in block:
            if all(len(lines[i]) == 1 for i in group):
                out.append(Line(words=sorted((w for i in group for w in lines[i][0]), key=lambda w: w.bbox[0])))
            else:
                out += [Line(words=words) for i in group for words in lines[i] if words]
        blocks.append(Block(lines=out))
    return Page(number=number, width=width, height=height, dpi=dpi, blocks=blocks)


def reading_order(boxes: Sequence[BBox], ids: Sequence[int] | None = None) -> list[list[list[int]]]:
    """Blocks of lines of box ids (``ids[i]`` names ``boxes[i]``; default: the indices) in reading order.

    Consecutive rows cut by a wide gap into exactly two parts, whose left parts and right parts are each
    centred on one axis, are a two-column header: its left column is read before its right one. Any other
    row is read left to right, each part a line (a form's label and value, a table's cells).
    """
    ids = list(range(len(boxes))) if ids is None else list(ids)
    if not boxes:
        return []
    line_height = median(b[3] - b[1] for b in boxes)
    blocks: list[list[list[int]]] = []
    single: list[list[int]] = []  # the lines of the current one-column block
    band: list[list[list[int]]] = []  # consecutive rows cut in two: [left part, right part] each

    def flush_band() -> None:
        nonlocal single
        if len(band) >= 2 and all(_centred([row[side] for row in band], boxes, line_height) for side in (0, 1)):
            if single:
                blocks.append(single)
                single = []
            blocks.extend([[row[0] for row in band], [row[1] for row in band]])
        else:
            single += [part for row in band for part in row]
        band.clear()

    for row in _rows(boxes):
        parts = _split_row(row, boxes, line_height)
        if len(parts) == 2:
            band.append(parts)
            continue
        flush_band()
        single += parts
    flush_band()
    if single:
        blocks.append(single)
    return [[[ids[i] for i in line] for line in block] for block in blocks]


def _centred(parts: list[list[int]], boxes: Sequence[BBox], line_height: float) -> bool:
    """Whether the lines share one centre (a header) more closely than one left edge (labels, a list)."""
    extents = [(min(boxes[i][0] for i in part), max(boxes[i][2] for i in part)) for part in parts]
    centres = [(x0 + x1) / 2 for x0, x1 in extents]
    lefts = [x0 for x0, _ in extents]
    centre_spread, left_spread = max(centres) - min(centres), max(lefts) - min(lefts)
    return centre_spread <= line_height and centre_spread < left_spread


def _rows(boxes: Sequence[BBox]) -> list[list[int]]:
    """Box indices grouped into rows, top to bottom; each row left to right.

    A box joins a row when half of its height overlaps the row's first box and it stands beside, not under,
    every box already in the row. Measuring against the first box (not the row's growing extent) keeps the
    staggered lines of a table's cells from chaining into one tall "row".
    """
    rows: list[list[int]] = []
    for i in sorted(range(len(boxes)), key=lambda i: (boxes[i][1] + boxes[i][3]) / 2):
        x0, top, x1, bottom = boxes[i]
        for members in reversed(rows[-3:]):  # only the last few rows can still reach this far down
            seed = boxes[members[0]]
            overlap = min(bottom, seed[3]) - max(top, seed[1])
            beside = all(boxes[j][2] <= x0 or boxes[j][0] >= x1 for j in members)
            if overlap >= _SAME_ROW * min(bottom - top, seed[3] - seed[1]) and beside:
                members.append(i)
                break
        else:
            rows.append([i])
    rows.sort(key=lambda members: boxes[members[0]][1])
    return [sorted(members, key=lambda i: boxes[i][0]) for members in rows]


def _split_row(row: list[int], boxes: Sequence[BBox], line_height: float) -> list[list[int]]:
    """A row's boxes (left to right) cut wherever a gap is wide enough to part two columns."""
    parts = [[row[0]]]
    for a, b in pairwise(row):
        if boxes[b][0] - boxes[a][2] > _COLUMN_GAP * line_height:
            parts.append([])
        parts[-1].append(b)
    return parts
