"""The report's charts, drawn on the server with matplotlib: bars per month stacked by series,
the year before as a dashed line. SVG for the page (with a title and a description, beside the
table of the same figures) and PNG for the PDF. Colours from the Okabe-Ito palette, which
colour-blind readers can tell apart. A drawn chart is cached by its figures and language."""

import hashlib
import io
from base64 import b64encode
from datetime import date
from typing import Any

from django.core.cache import cache
from django.utils import translation
from django.utils.dateformat import format as date_format
from django.utils.html import escape
from django.utils.translation import gettext as _

from intake.year.tables import Chart

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
CACHE_SECONDS = 24 * 3600


def _month_labels(months: list[str]) -> list[str]:
    firsts = [date(int(month[:4]), int(month[5:7]), 1) for month in months]
    pattern = "M" if len({first.year for first in firsts}) == 1 else "M y"
    return [date_format(first, pattern) for first in firsts]


def _figure(chart: Chart) -> Any:
    """The chart as a matplotlib figure (the object API: no global state, safe in threads)."""
    # Imported on first drawing: a process that draws nothing is spared matplotlib.
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(7.2, 3.0), dpi=100)
    figure.subplots_adjust(left=0.07, right=0.78, top=0.95, bottom=0.1)
    axes = figure.add_subplot()
    positions = list(range(len(chart.months)))
    bottom = [0.0] * len(positions)
    for index, (label, values) in enumerate(chart.series):
        axes.bar(positions, values, bottom=bottom, label=str(label), color=PALETTE[index % len(PALETTE)], width=0.7)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    if chart.before is not None:
        axes.plot(positions, chart.before, color="#333333", linestyle="--", marker="o", label=_("A year before"))
    axes.set_xticks(positions, _month_labels(chart.months), fontsize=8)
    axes.tick_params(axis="y", labelsize=8)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    if chart.series or chart.before is not None:
        axes.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return figure


def _cached(chart: Chart, kind: str, draw: Any) -> Any:
    key = hashlib.sha256(repr((kind, translation.get_language(), chart)).encode()).hexdigest()
    drawn = cache.get(f"report-chart:{key}")
    if drawn is None:
        drawn = draw()
        cache.set(f"report-chart:{key}", drawn, CACHE_SECONDS)
    return drawn


def chart_svg(chart: Chart) -> str:
    """The chart as an SVG document with a title and a description for assistive technology."""

    def draw() -> str:
        from matplotlib import rc_context

        buffer = io.StringIO()
        with rc_context({"svg.fonttype": "none", "font.family": "sans-serif", "svg.hashsalt": "kontakt"}):
            _figure(chart).savefig(buffer, format="svg", metadata={"Date": None})
        svg = buffer.getvalue()
        start = svg.index("<svg")
        head_end = svg.index(">", start)
        described = (
            f'{svg[start:head_end]} role="img" aria-labelledby="chart-title chart-desc">'
            f'<title id="chart-title">{escape(chart.title)}</title>'
            f'<desc id="chart-desc">{escape(describe(chart))}</desc>'
        )
        return described + svg[head_end + 1 :]

    return str(_cached(chart, "svg", draw))


def chart_data_uri(chart: Chart) -> str:
    """The SVG as a data address for an <img>: drawn styles stay inside the image, so the page's
    strict style policy stands."""
    return "data:image/svg+xml;base64," + b64encode(chart_svg(chart).encode()).decode()


def chart_png(chart: Chart) -> bytes:
    def draw() -> bytes:
        buffer = io.BytesIO()
        _figure(chart).savefig(buffer, format="png", dpi=150)
        return buffer.getvalue()

    return bytes(_cached(chart, "png", draw))


def describe(chart: Chart) -> str:
    """A sentence for readers who do not see the chart (the table beside it has every figure)."""
    totals = [sum(values) for values in zip(*(values for _label, values in chart.series), strict=True)] or []
    if not totals or not any(totals):
        return _("Nothing to show in this period.")
    labels = _month_labels(chart.months)
    highest = max(range(len(totals)), key=lambda index: totals[index])
    return _("%(title)s: %(total)s in all, most in %(month)s (%(most)s). The table beside it has every figure.") % {
        "title": chart.title,
        "total": _number(sum(totals)),
        "month": labels[highest],
        "most": _number(totals[highest]),
    }


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
