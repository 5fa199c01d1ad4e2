"""The federation's figures: the centres' year summed and side by side, counts only, each table
published with small-cell suppression (`centres.suppression`) so that no figure points to a
person in a small centre or a rare topic. One grouped query per figure, whatever the number of
centres."""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from centres.models import Centre
from centres.suppression import Published, suppress
from intake.models import Enquiry
from intake.year.sources import Scope, source_rows
from meetings.models import TopicCategory
from meetings.reports import evaluation_results


@dataclass
class PublishedTable:
    key: str
    title: str
    columns: list[str]
    rows: list[tuple[str, list[int | None], int | None]]  # centre, its cells, its total
    column_totals: list[int | None]
    total: int | None
    additive: bool  # whether a row's total means something (the columns are parts of one whole)
    note: str = ""


def _counts(scope: Scope, name: str, key: str | None) -> dict[tuple[Hashable, Hashable], int]:
    """{(centre id, key value): count} for source `name` over every centre of `scope`."""
    rows = source_rows(name, scope, {}).order_by()
    fields = ["centre_id", key] if key else ["centre_id"]
    counted = rows.values_list(*fields).annotate(number=Count("id", distinct=True))
    return {(found[0], found[1] if key else name): found[-1] for found in counted}


def _publish(
    key: str,
    title: str,
    centres: list[Centre],
    columns: list[tuple[Hashable, str]],
    counts: dict[tuple[Hashable, Hashable], int],
    *,
    additive: bool,
    note: str = "",
) -> PublishedTable:
    threshold = settings.REPORT_THRESHOLD
    row_keys, column_keys = [centre.pk for centre in centres], [value for value, _label in columns]
    if additive:
        published = suppress(counts, row_keys, column_keys, threshold=threshold)
    else:
        # Columns that are not parts of a whole have no row totals to publish: each column is
        # a table of its own (its cells and their sum), suppressed on its own.
        published = _by_column(counts, row_keys, column_keys, threshold)
    return PublishedTable(
        key=key,
        title=title,
        columns=[label for _value, label in columns],
        rows=[
            (
                centre.name,
                [published.cells[(centre.pk, column)] for column in column_keys],
                published.row_totals[centre.pk],
            )
            for centre in centres
        ],
        column_totals=[published.column_totals[column] for column in column_keys],
        total=published.total,
        additive=additive,
        note=note,
    )


def _by_column(
    counts: dict[tuple[Hashable, Hashable], int], rows: Sequence[Hashable], columns: Sequence[Hashable], threshold: int
) -> Published:
    parts = {
        column: suppress({key: n for key, n in counts.items() if key[1] == column}, rows, [column], threshold=threshold)
        for column in columns
    }
    return Published(
        cells={key: value for part in parts.values() for key, value in part.cells.items()},
        row_totals=dict.fromkeys(rows),
        column_totals={column: part.column_totals[column] for column, part in parts.items()},
        total=None,
    )


def federation_report(scope: Scope, centres: list[Centre]) -> list[PublishedTable]:
    """Every table of the federation's figures for `scope` (whose centres are `centres`)."""
    categories: list[tuple[Hashable, str]] = [
        (category.pk, str(category.display_name)) for category in TopicCategory.objects.all()
    ]
    categories.append((None, _("No category")))
    channels: list[tuple[Hashable, str]] = [(value, str(label)) for value, label in Enquiry.Channel.choices]
    measures = {
        "groups-founded": _("Founded"),
        "groups-paused": pgettext("groups", "Paused"),
        "groups-ended": pgettext("groups", "Ended"),
        "phase-outs": _("Phased out to run themselves"),
    }
    intake = {
        "conversations": _("Intake conversations"),
        "placed": _("Placed in a group"),
        "referred": _("Referred elsewhere"),
        "starts": _("Starters' starts"),
        "meetings-held": _("Group meetings held"),
    }
    return [
        _publish(
            "enquiries-channel",
            _("Enquiries by channel"),
            centres,
            channels,
            _counts(scope, "enquiries", "channel"),
            additive=True,
        ),
        _publish(
            "enquiries-category",
            _("Enquiries by topic category"),
            centres,
            categories,
            _counts(scope, "enquiries", "topics__category"),
            additive=False,  # an enquiry about two topics is in two columns: a row's sum means nothing
            note=_("An enquiry about two topics counts under each."),
        ),
        _publish(
            "groups-category",
            _("Groups supported by topic category"),
            centres,
            categories,
            _counts(scope, "groups-supported", "topic__category"),
            additive=True,
        ),
        _publish(
            "groups-life", _("Groups' steps"), centres, list(measures.items()), _merged(scope, measures), additive=False
        ),
        _publish(
            "intake",
            _("Intake, starters and meetings"),
            centres,
            list(intake.items()),
            _merged(scope, intake),
            additive=False,
        ),
    ]


def _merged(scope: Scope, names: dict[str, Any]) -> dict[tuple[Hashable, Hashable], int]:
    merged: dict[tuple[Hashable, Hashable], int] = {}
    for name in names:
        merged.update(_counts(scope, name, None))
    return merged


def federation_evaluation(scope: Scope, centres: list[Centre]) -> list[tuple[str, str, dict[str, Any]]]:
    """The anonymous evaluation per centre and topic category: (centre, category, results) from
    closed rounds with at least `REPORT_THRESHOLD` answers each. No totals: a total with a cell
    left out would give the left-out cell away."""
    names = {centre.pk: centre.name for centre in centres}
    categories: dict[Any, str] = {category.pk: str(category.display_name) for category in TopicCategory.objects.all()}
    today = scope.today
    results = evaluation_results(scope.ids, scope.period, settings.REPORT_THRESHOLD, today)
    rows = [
        (names[centre], categories.get(category, _("No category")), result)
        for (centre, category), result in results.items()
    ]
    return sorted(rows, key=lambda row: (row[0], row[1]))  # names need not be unique: never compare results
