"""Small-cell suppression for published count tables, as official statistics do it.

A table of counts (rows × columns, with row, column and grand totals) is published with every
count from 1 to `threshold - 1` hidden (primary suppression), and then as many further cells hidden
as it takes for no hidden cell to be recomputable from what is shown (secondary suppression):
with the totals shown, a row with one hidden cell would give it away by subtraction, and so would
longer chains of rows and columns.

A hidden cell can be recomputed exactly when the published equations (each row adds up to its
total, each column to its total, the totals to the grand total) fix its value, i.e. when its unit
vector lies in the row space of those equations restricted to the hidden cells. That is decided
by Gaussian elimination (modulo a large prime: the equations' coefficients are 0 and ±1, so their
rank over the rationals is the rank modulo the prime). While a hidden cell is determined, the
smallest shown count in its row or column (or, failing that, anywhere) is hidden too.
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import cast

PRIME = (1 << 61) - 1

Key = tuple[str, Hashable]  # ("cell", (row, column)), ("row", row), ("column", column), ("total", None)


@dataclass(frozen=True)
class Published:
    """What may be shown: each value, or None where it is hidden."""

    cells: dict[tuple[Hashable, Hashable], int | None]
    row_totals: dict[Hashable, int | None]
    column_totals: dict[Hashable, int | None]
    total: int | None

    def hidden(self) -> set[Key]:
        keys: set[Key] = {("cell", key) for key, value in self.cells.items() if value is None}
        keys |= {("row", key) for key, value in self.row_totals.items() if value is None}
        keys |= {("column", key) for key, value in self.column_totals.items() if value is None}
        return keys | ({("total", None)} if self.total is None else set())


def equations(rows: Sequence[Hashable], columns: Sequence[Hashable]) -> list[dict[Key, int]]:
    """Every linear equation a reader knows holds, as {key: coefficient} summing to zero."""
    found: list[dict[Key, int]] = []
    for row in rows:
        found.append({("row", row): -1, **{("cell", (row, column)): 1 for column in columns}})
    for column in columns:
        found.append({("column", column): -1, **{("cell", (row, column)): 1 for row in rows}})
    found.append({("total", None): -1, **{("row", row): 1 for row in rows}})
    found.append({("total", None): -1, **{("column", column): 1 for column in columns}})
    return found


def determined(hidden: set[Key], rows: Sequence[Hashable], columns: Sequence[Hashable]) -> set[Key]:
    """The hidden keys whose value the shown ones fix: those whose unit vector is in the row
    space of the equations over the hidden keys (a row of the reduced echelon form with one
    nonzero entry)."""
    order = sorted(hidden, key=repr)
    index = {key: position for position, key in enumerate(order)}
    matrix = []
    for equation in equations(rows, columns):
        row = [0] * len(order)
        for key, coefficient in equation.items():
            if key in index:
                row[index[key]] = coefficient % PRIME
        if any(row):
            matrix.append(row)
    reduced = _reduced_echelon(matrix, len(order))
    return {order[next(i for i, v in enumerate(row) if v)] for row in reduced if sum(1 for v in row if v) == 1}


def _reduced_echelon(matrix: list[list[int]], width: int) -> list[list[int]]:
    rows, pivot_row = [row[:] for row in matrix], 0
    for column in range(width):
        pivot = next((r for r in range(pivot_row, len(rows)) if rows[r][column]), None)
        if pivot is None:
            continue
        rows[pivot_row], rows[pivot] = rows[pivot], rows[pivot_row]
        inverse = pow(rows[pivot_row][column], PRIME - 2, PRIME)
        rows[pivot_row] = [value * inverse % PRIME for value in rows[pivot_row]]
        for r in range(len(rows)):
            if r != pivot_row and rows[r][column]:
                factor = rows[r][column]
                rows[r] = [(a - factor * b) % PRIME for a, b in zip(rows[r], rows[pivot_row], strict=True)]
        pivot_row += 1
    return [row for row in rows[:pivot_row] if any(row)]


def suppress(
    counts: dict[tuple[Hashable, Hashable], int],
    rows: Sequence[Hashable],
    columns: Sequence[Hashable],
    *,
    threshold: int = 5,
) -> Published:
    """The table of `counts` (missing cells count 0) with its totals, ready to publish: counts
    from 1 to threshold - 1 hidden, and further cells hidden until none of them can be
    recomputed. Zeros are shown where nothing forces them hidden."""
    values: dict[Key, int] = {
        ("cell", (row, column)): counts.get((row, column), 0) for row in rows for column in columns
    }
    for row in rows:
        values[("row", row)] = sum(values[("cell", (row, column))] for column in columns)
    for column in columns:
        values[("column", column)] = sum(values[("cell", (row, column))] for row in rows)
    values[("total", None)] = sum(values[("row", row)] for row in rows)
    hidden = {key for key, value in values.items() if 0 < value < threshold}
    while hidden:
        exposed = determined(hidden, rows, columns)
        if not exposed:
            break
        hidden.add(_next_to_hide(min(exposed, key=repr), values, hidden, rows, columns))
    return Published(
        cells={(row, column): _shown(("cell", (row, column)), values, hidden) for row in rows for column in columns},
        row_totals={row: _shown(("row", row), values, hidden) for row in rows},
        column_totals={column: _shown(("column", column), values, hidden) for column in columns},
        total=_shown(("total", None), values, hidden),
    )


def _next_to_hide(
    exposed: Key, values: dict[Key, int], hidden: set[Key], rows: Sequence[Hashable], columns: Sequence[Hashable]
) -> Key:
    """The shown count to hide so that `exposed` is no longer fixed. Cells before totals (totals
    are what readers want most), those in its row or column first, the smallest first but never a
    zero while a count is left; the first of a few that frees `exposed`, else the first of them."""
    row, column = _line_of(exposed)
    shown = [key for key in values if key not in hidden]

    def rank(key: Key) -> tuple[bool, bool, int, str]:
        near = key[0] == "cell" and (_line_of(key)[0] == row or _line_of(key)[1] == column)
        return (key[0] != "cell", not near, values[key], repr(key))

    # A zero hidden beside a small count protects nothing: the hidden cells of a line would still
    # add up to that count. Zeros are hidden only where nothing else is left.
    candidates = sorted((key for key in shown if values[key]), key=rank) or sorted(shown, key=rank)
    for candidate in candidates[:TRIES]:
        if exposed not in determined(hidden | {candidate}, rows, columns):
            return candidate
    return candidates[0]


# How many candidates `_next_to_hide` tries before it takes the first.
TRIES = 8


def _line_of(key: Key) -> tuple[Hashable, Hashable]:
    """The row and column a key lies on (None where it is a total across them)."""
    kind, where = key
    if kind == "cell":
        return cast(tuple[Hashable, Hashable], where)
    return (where, None) if kind == "row" else (None, where) if kind == "column" else (None, None)


def _shown(key: Key, values: dict[Key, int], hidden: set[Key]) -> int | None:
    return None if key in hidden else values[key]
