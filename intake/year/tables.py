"""The shapes a report is made of: figures that link to their lists, tables, charts and sections.
Pages, exports and the PDF all read these; none of them computes a figure of its own."""

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode


@dataclass
class Cell:
    """One figure, and the query of the list behind it ("" when it has none)."""

    value: Any
    link: str = ""


@dataclass
class Chart:
    """Bars per month, stacked by `series`, with the year before as a line where known."""

    title: str
    months: list[str]
    series: list[tuple[str, list[float]]]
    before: list[float] | None = None

    def rows(self) -> list[tuple[str, list[float | str]]]:
        """The chart's figures as table rows: per month, each series and the year before."""
        rows: list[tuple[str, list[float | str]]] = []
        for index, month in enumerate(self.months):
            cells: list[float | str] = [values[index] for _label, values in self.series]
            if self.before is not None:
                cells.append(_figure(self.before[index]))
            rows.append((month, cells))
        return rows


def _figure(value: float) -> float | str:
    return "–" if value != value else value  # NaN: nothing counted yet then


@dataclass
class Table:
    key: str
    title: str
    label: str  # the heading of the first column, what the rows are
    columns: list[str]
    rows: list[tuple[str, list[Cell]]]
    total: list[Cell] | None = None
    note: str = ""
    chart: Chart | None = None


@dataclass
class Section:
    key: str
    title: str
    figures: list[tuple[str, Cell]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    note: str = ""


def counted(values: dict[Any, int], labels: dict[Any, str], link: str, key: str) -> list[tuple[str, list[Cell]]]:
    """Rows of one count each, in the order of `labels` (then unknown keys), zero rows left out."""
    order = [value for value in labels if values.get(value)] + [value for value in values if value not in labels]
    return [
        (labels.get(value, str(value)), [Cell(values[value], narrowed(link, key, value))])
        for value in order
        if values.get(value)
    ]


def narrowed(link: str, key: str, value: Any) -> str:
    """The list `link` narrowed to `key` = `value` (empty or None: "none")."""
    return f"{link}&{urlencode({key: 'none' if value in (None, '') else value})}" if link else ""
