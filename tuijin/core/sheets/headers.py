"""Find the header of a ledger-like sheet: the title and unit lines above it, and a label per column.

Government templates put a title row and a "单位：万元" line above a header of one to three rows,
with merged group headers ("项目业主单位" over "业主名称 | 负责人 | …"). The caller says which labels
it knows (``score``); this module finds the rows, fills the merged cells and flattens each column
to a path such as "项目业主单位/业主名称".
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from .reader import Sheet
from .values import normalize_label, unit_in

MAX_HEADER_ROWS = 3
MIN_KNOWN = 2
# A grid header labels most columns between its first and last label, and mostly differently. A
# one-page card alternates a label and a wide value cell; a sub-header row whose parent row went
# unrecognised repeats a few labels ("上旬 中旬 下旬 小计" for every month) across the width.
MIN_DENSITY = 0.5
MIN_DISTINCT = 0.5
_UNIT_LINE = re.compile(r"^(?:计量)?单位\s*:")
_COLUMN_CODES = {"甲", "乙", "丙", "丁", "戊", "己"}
_YEAR_GROUP = re.compile(r"^(?:19|20)\d{2}\s*年度?$")


@dataclass(frozen=True)
class Column:
    """One column of the header: its 0-based index, the distinct labels top-down, and their path."""

    index: int
    parts: tuple[str, ...]
    label: str


@dataclass(frozen=True)
class HeaderBlock:
    """Header rows ``top``..``bottom`` (0-based, inclusive); data starts at ``bottom + 1``.

    ``title`` is the first text above the header that is not a unit line; ``unit`` the money unit
    declared above the header ("单位：万元", or in the title). A row numbering the columns
    ("甲 | 乙 | 1 | 2 | …") right under the labels belongs to the block but adds no label.
    """

    top: int
    bottom: int
    columns: list[Column]
    title: str | None
    unit: str | None

    def labels(self) -> list[str]:
        return [column.label for column in self.columns]


def merged_origins(sheet: Sheet, rows: range | None = None) -> dict[tuple[int, int], tuple[int, int]]:
    """Each cell a merged range covers, other than its first cell → the range's first cell.

    ``rows`` limits the map to those rows, so a huge merge costs only what is asked for.
    """
    origins: dict[tuple[int, int], tuple[int, int]] = {}
    for (top, left), (bottom, right) in sheet.merged:
        first, last = top, bottom
        if rows is not None:
            first, last = max(top, rows.start), min(bottom, rows.stop - 1)
        for row in range(first, last + 1):
            for col in range(left, right + 1):
                if (row, col) != (top, left):
                    origins[(row, col)] = (top, left)
    return origins


class _Grid:
    """The first rows of a sheet as normalized labels, with merged ranges resolved."""

    def __init__(self, sheet: Sheet, height: int):
        rows = sheet.rows[:height]
        self.height = len(rows)
        self.width = max((len(row) for row in rows), default=0)
        pad = [""] * self.width
        self.text = [[normalize_label(value) for value in row] + pad[len(row) :] for row in rows]
        self.value = [[_is_value(value) for value in row] + [False] * (self.width - len(row)) for row in rows]
        self.merges = [(start, end) for start, end in sheet.merged if start[0] < self.height]
        self.origin = merged_origins(sheet, range(0, self.height))

    def label(self, row: int, col: int, top: int) -> str:
        """The label shown at (row, col) in a block starting at ``top``: the cell's text or, inside
        a merge starting in the block, the merge's text. Numbers label sub-header rows only."""
        first = self.origin.get((row, col), (row, col))
        if first[0] < top or (self.value[first[0]][first[1]] and first[0] == top):
            return ""
        return self.text[first[0]][first[1]]

    def own_text(self, row: int, col: int) -> str:
        """Text physically in the cell (not a number, not covered by a merge)."""
        if (row, col) in self.origin or self.value[row][col]:
            return ""
        return self.text[row][col]

    def group(self, row: int, col: int, top: int) -> bool:
        """Whether (row, col) lies in a labelled horizontal merge starting in the block."""
        return any(
            top <= r0 <= row <= r1 and c0 <= col <= c1 and c1 > c0 and self.text[r0][c0]
            for (r0, c0), (r1, c1) in self.merges
        )

    def spanned(self, row: int, top: int, bottom: int) -> bool:
        """Whether a merge starting in rows top..bottom reaches down into ``row``."""
        return any(top <= r0 <= bottom and r1 >= row for (r0, _c0), (r1, _c1) in self.merges)


def _is_value(value) -> bool:
    return value not in ("", None) and not isinstance(value, str)


def find_header(sheet: Sheet, score: Callable[[str], bool], *, scan_rows: int = 30) -> HeaderBlock | None:
    """The header block of ``sheet``, or None when the first ``scan_rows`` hold no grid header.

    ``score(label)`` says whether a label (normalized with ``values.normalize_label``) is a known
    column. A header starts at a row with at least two known labels and grows over the rows
    beneath it that sit under merged or empty parents, up to three rows. Among candidates the block
    with the most known columns wins, the higher one on ties.
    """
    grid = _Grid(sheet, scan_rows + MAX_HEADER_ROWS + 1)
    best: tuple[int, HeaderBlock] | None = None
    for top in range(min(scan_rows, grid.height)):
        own = sum(1 for col in range(grid.width) if (label := grid.own_text(top, col)) and score(label))
        if own < MIN_KNOWN:
            continue
        bottom = _grow(grid, top)
        columns = _columns(grid, top, bottom)
        if not _grid_like(columns):
            continue
        known = sum(1 for column in columns if score(column.label) or any(map(score, column.parts)))
        if known >= MIN_KNOWN and (best is None or known > best[0]):
            if bottom + 1 < grid.height and _numbers_columns(grid, bottom + 1):
                bottom += 1
            title, unit = _title_and_unit(grid, top)
            best = (known, HeaderBlock(top=top, bottom=bottom, columns=columns, title=title, unit=unit))
    return best[1] if best else None


def _grow(grid: _Grid, top: int) -> int:
    bottom = top
    while bottom - top + 1 < MAX_HEADER_ROWS and bottom + 1 < grid.height:
        if not _continues(grid, top, bottom, bottom + 1):
            break
        bottom += 1
    return bottom


def _continues(grid: _Grid, top: int, bottom: int, row: int) -> bool:
    """Whether ``row`` is more header: each label under a merged group or an empty parent.

    Numbers count as labels (years, months) only while merges from the header reach the row;
    otherwise a number marks a data row.
    """
    spanned = grid.spanned(row, top, bottom)
    children = []
    for col in range(grid.width):
        if (row, col) in grid.origin or not grid.text[row][col]:
            continue
        if grid.value[row][col] and not spanned:
            return False
        children.append(col)
    if not children:
        return spanned
    child_set = set(children)
    for col in children:
        if not any(grid.label(r, col, top) for r in range(top, bottom + 1)):
            continue  # under an empty parent
        if any(grid.group(r, col, top) for r in range(top, bottom + 1)):
            continue  # under a merged group header
        if _unmerged_group(grid, top, bottom, col, child_set):
            continue
        if _YEAR_GROUP.match(next(label for r in range(bottom, top - 1, -1) if (label := grid.label(r, col, top)))):
            continue  # under a year's group of one column ("2025年 计划/完成 | 2026年 计划")
        return False
    return True


def _unmerged_group(grid: _Grid, top: int, bottom: int, col: int, children: set[int]) -> bool:
    """A group header left unmerged: its empty right-hand neighbour has a label below too."""
    row = next(r for r in range(bottom, top - 1, -1) if grid.label(r, col, top))
    if (row, col) in grid.origin or (row, col + 1) in grid.origin or col + 1 >= grid.width:
        return False
    return not grid.label(row, col + 1, top) and col + 1 in children


def _columns(grid: _Grid, top: int, bottom: int) -> list[Column]:
    levels = [[grid.label(row, col, top) for col in range(grid.width)] for row in range(top, bottom + 1)]
    # An unmerged group header spreads right over the empty cells that have labels beneath them.
    for level, line in enumerate(levels[:-1]):
        for col in range(1, grid.width):
            if line[col] or not line[col - 1] or (top + level, col) in grid.origin:
                continue
            below = any(lower[col] for lower in levels[level + 1 :])
            left_below = any(lower[col - 1] for lower in levels[level + 1 :])
            if below and left_below:
                line[col] = line[col - 1]
    columns = []
    for col in range(grid.width):
        parts: list[str] = []
        for line in levels:
            if line[col] and line[col] not in parts:
                parts.append(line[col])
        if parts:
            columns.append(Column(index=col, parts=tuple(parts), label="/".join(parts)))
    return columns


def _grid_like(columns: list[Column]) -> bool:
    if len(columns) < MIN_KNOWN:
        return False
    span = columns[-1].index - columns[0].index + 1
    distinct = len({column.label for column in columns})
    return len(columns) / span >= MIN_DENSITY and distinct / len(columns) >= MIN_DISTINCT


def _numbers_columns(grid: _Grid, row: int) -> bool:
    """A "栏次" row: 甲/乙… then 1, 2, 3… in order, numbering the columns rather than holding data."""
    cells = [grid.text[row][col] for col in range(grid.width) if grid.text[row][col]]
    numbers = [cell for cell in cells if cell not in _COLUMN_CODES]
    if len(numbers) < 3 or any(not cell.isdigit() for cell in numbers):
        return False
    return [int(cell) for cell in numbers] == list(range(int(numbers[0]), int(numbers[0]) + len(numbers)))


def _title_and_unit(grid: _Grid, top: int) -> tuple[str | None, str | None]:
    title = unit = None
    for row in range(top):
        for col in range(grid.width):
            label = grid.own_text(row, col)
            if not label:
                continue
            if unit is None:
                unit = unit_in(label)
            if title is None and not _UNIT_LINE.match(label):
                title = label
    return title, unit
