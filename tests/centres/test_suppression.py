"""Small-cell suppression: no count below the threshold is shown, and no hidden cell can be
recomputed from a published table and its totals. Checked against an independent solver
(exact fractions) on random tables."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from centres.suppression import Published, suppress

THRESHOLD = 5


def published_values(table: Published):
    """Every published key with its value (None when hidden), keyed as the solver keys them."""
    values = {("cell", key): value for key, value in table.cells.items()}
    values |= {("row", key): value for key, value in table.row_totals.items()}
    values |= {("column", key): value for key, value in table.column_totals.items()}
    values[("total", None)] = table.total
    return values


def recomputable(table: Published, rows, columns) -> set:
    """The hidden keys a reader can work out exactly: solve the equations with exact fractions
    (the hidden keys as unknowns, the shown values moved to the right) and see which unknowns
    have one value whatever the free ones are."""
    values = published_values(table)
    unknowns = sorted((key for key, value in values.items() if value is None), key=repr)
    position = {key: i for i, key in enumerate(unknowns)}
    lines = []
    sums = [[("row", row), *[("cell", (row, column)) for column in columns]] for row in rows]
    sums += [[("column", column), *[("cell", (row, column)) for row in rows]] for column in columns]
    sums += [[("total", None), *[("row", row) for row in rows]], [("total", None), *[("column", c) for c in columns]]]
    for total, *parts in sums:
        line = [Fraction(0)] * (len(unknowns) + 1)
        for key, sign in [(total, -1), *[(part, 1) for part in parts]]:
            if key in position:
                line[position[key]] += sign
            else:
                line[-1] -= sign * values[key]
        lines.append(line)
    # Reduced row echelon form; an unknown is fixed when its pivot row has no free column.
    pivots, r = {}, 0
    for c in range(len(unknowns)):
        pivot = next((i for i in range(r, len(lines)) if lines[i][c] != 0), None)
        if pivot is None:
            continue
        lines[r], lines[pivot] = lines[pivot], lines[r]
        lines[r] = [value / lines[r][c] for value in lines[r]]
        for i in range(len(lines)):
            if i != r and lines[i][c] != 0:
                lines[i] = [a - lines[i][c] * b for a, b in zip(lines[i], lines[r], strict=True)]
        pivots[c], r = r, r + 1
    return {
        unknowns[c]
        for c, row in pivots.items()
        if all(lines[row][other] == 0 for other in range(len(unknowns)) if other != c)
    }


tables = st.integers(1, 5).flatmap(
    lambda n_rows: st.integers(1, 5).flatmap(
        lambda n_columns: st.tuples(
            st.just(n_rows),
            st.just(n_columns),
            st.lists(
                st.one_of(st.integers(0, 6), st.integers(0, 40)),
                min_size=n_rows * n_columns,
                max_size=n_rows * n_columns,
            ),
        )
    )
)


@settings(max_examples=300, deadline=None)
@given(tables)
def test_no_small_count_is_shown_and_no_hidden_cell_can_be_recomputed(table):
    n_rows, n_columns, flat = table
    rows, columns = [f"centre {i}" for i in range(n_rows)], [f"topic {j}" for j in range(n_columns)]
    counts = {(rows[i], columns[j]): flat[i * n_columns + j] for i in range(n_rows) for j in range(n_columns)}
    published = suppress(counts, rows, columns, threshold=THRESHOLD)
    shown = [value for value in published_values(published).values() if value is not None]
    assert not [value for value in shown if 0 < value < THRESHOLD]
    assert recomputable(published, rows, columns) == set()
    # What is shown is true.
    for key, value in published.cells.items():
        assert value in (None, counts[key])


def test_a_single_small_cell_takes_a_second_cell_of_its_row_and_column_with_it():
    rows, columns = ["A", "B"], ["x", "y"]
    published = suppress({("A", "x"): 3, ("A", "y"): 10, ("B", "x"): 20, ("B", "y"): 30}, rows, columns)
    # 3 is hidden; its row total (13) and column total (23) are shown, so the 10 beside it and the
    # 20 below it must go too, and then the 30 that would give those away.
    assert published.cells == {("A", "x"): None, ("A", "y"): None, ("B", "x"): None, ("B", "y"): None}
    assert (published.row_totals, published.column_totals, published.total) == (
        {"A": 13, "B": 50},
        {"x": 23, "y": 40},
        63,
    )
    assert recomputable(published, rows, columns) == set()


def test_a_table_without_small_counts_is_shown_whole():
    published = suppress({("A", "x"): 0, ("A", "y"): 12}, ["A"], ["x", "y"])
    assert published.cells == {("A", "x"): 0, ("A", "y"): 12}
    assert published.total == 12
