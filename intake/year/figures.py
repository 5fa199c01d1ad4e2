"""The centre's year (or any period): every figure of the report, from the sources, in a fixed
number of queries whatever the number of groups, enquiries or meetings. Counts and hours only;
each figure carries the query of the list behind it."""

import math
import statistics
from collections import defaultdict
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from config.dates import EARLIEST_REPORT_DAY
from config.periods import Period
from events import reports as event_reports
from events.models import Event
from intake.models import Enquiry, ReferralPartner
from intake.year.sources import Scope, link_query, source_rows
from intake.year.tables import Cell, Chart, Section, Table, counted, narrowed
from meetings import reports as meeting_reports
from meetings.models import EvaluationRound, Group, Topic, TopicCategory
from notifications import reports as newsletter_reports
from volunteers import reports as volunteer_reports

NOT_MAPPED = None


def _rows(name: str, scope: Scope) -> Any:
    return source_rows(name, scope, {}).order_by()


def _category_labels() -> dict[Any, str]:
    labels: dict[Any, str] = {category.pk: str(category.display_name) for category in TopicCategory.objects.all()}
    labels[NOT_MAPPED] = _("No category")
    return labels


def _labels(choices: Any) -> dict[Any, str]:
    """A model's choices as plain text in the active language."""
    return {value: str(label) for value, label in choices}


def _monthly(period: Period, counts: Mapping[str, float]) -> list[float]:
    return [counts.get(month, 0) for month in period.months]


def _year_before(scope: Scope, name: str, field: str) -> list[float] | None:
    """The source's monthly counts a year earlier, or None before the platform knew anything."""
    if scope.period.start - relativedelta(years=1) < EARLIEST_REPORT_DAY:
        return None  # no year before the first a report may cover
    before = Scope(scope.centre_ids, scope.period.year_before(), scope.now)
    counts = meeting_reports.by_month(_rows(name, before), field, before.period)
    if not counts:
        return None
    # No line before the first month anything was counted: the platform was not in use yet.
    first = min(counts)
    return [counts.get(month, 0) if month >= first else math.nan for month in before.period.months]


def _channel_chart(scope: Scope, received: Any) -> tuple[dict[str, int], Chart]:
    """Enquiries per channel, and the chart of them per month and channel."""
    per_month: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for month, channel, number in (
        received.annotate(month=TruncMonth("created_at", tzinfo=scope.period.zone))
        .values_list("month", "channel")
        .annotate(number=Count("id"))
    ):
        per_month[channel][f"{month:%Y-%m}"] += number
    channels = _labels(Enquiry.Channel.choices)
    chart = Chart(
        _("Enquiries per month, by channel"),
        scope.period.months,
        [(channels[c], _monthly(scope.period, per_month[c])) for c in channels if c in per_month],
        _year_before(scope, "enquiries", "created_at"),
    )
    return {channel: sum(months.values()) for channel, months in per_month.items()}, chart


def enquiries(scope: Scope, categories: dict[Any, str]) -> Section:
    received = _rows("enquiries", scope)
    link = link_query("enquiries")
    by_channel, chart = _channel_chart(scope, received)
    total = sum(by_channel.values())
    channels = _labels(Enquiry.Channel.choices)
    topics = dict(received.values_list("topics").annotate(number=Count("id", distinct=True)))
    topic_names: dict[Any, str] = {
        topic.pk: topic.display_name for topic in Topic.objects.filter(pk__in=[t for t in topics if t])
    }
    topic_names[None] = _("No topic")
    in_category = dict(received.values_list("topics__category").annotate(number=Count("id", distinct=True)))
    outcomes = dict(received.values_list("status").annotate(number=Count("id")))
    column = [_("Enquiries")]
    section = Section("enquiries", _("Enquiries"))
    section.figures = [
        (_("Enquiries received"), Cell(total, link)),
        *_first_contact(received, scope),
        (_("Intake conversations held"), _count("conversations", scope)),
        (_("Placed in a group"), _count("placed", scope)),
        (_("Referred elsewhere"), _count("referred", scope)),
    ]
    section.tables = [
        Table(
            "enquiries-channel",
            _("By channel"),
            _("Channel"),
            column,
            counted(by_channel, channels, link, "channel"),
            [Cell(total, link)],
            chart=chart,
        ),
        Table("enquiries-topic", _("By topic"), _("Topic"), column, counted(topics, topic_names, link, "topic")),
        Table(
            "enquiries-category",
            _("By topic category"),
            _("Topic category"),
            column,
            counted(in_category, categories, link, "category"),
            note=_("An enquiry about two topics counts under each."),
        ),
        _referrers(received, link, column, total),
        Table(
            "enquiries-outcome",
            _("By outcome so far"),
            _("Outcome"),
            column,
            counted(outcomes, _labels(Enquiry.Status.choices), link, "outcome"),
            [Cell(total, link)],
        ),
    ]
    return section


def _referrers(received: Any, link: str, column: list[str], total: int) -> Table:
    """Enquiries by the kind of partner who referred them (a partner's link, flyer or a note)."""
    referrers = dict(received.values_list("referred_by__kind").annotate(number=Count("id")))
    names: dict[Any, str] = {**_labels(ReferralPartner.Kind.choices), None: _("Not through a partner")}
    return Table(
        "enquiries-referrer",
        _("Who referred them"),
        _("Referred by"),
        column,
        counted(referrers, names, link, "referrer"),
        [Cell(total, link)],
        note=_("Counted when the person came through a partner's link or flyer, or a coordinator noted it."),
    )


def _count(name: str, scope: Scope) -> Cell:
    return Cell(_rows(name, scope).count(), link_query(name))


def _first_contact(received: Any, scope: Scope) -> list[tuple[str, Cell]]:
    """The median wait for a first answer, the share answered within two days (of those answered
    and those still waiting longer than that), and how many still wait for one."""
    durations = [after for after in received.values_list("first_contact_after", flat=True) if after is not None]
    unanswered = received.filter(status=Enquiry.Status.NEW)
    late = unanswered.filter(created_at__lt=scope.now - ANSWER_WITHIN).count()
    within = sum(1 for after in durations if after <= ANSWER_WITHIN)
    measured = len(durations) + late
    median = statistics.median(durations) if durations else None
    return [
        (_("Days to first contact (median)"), Cell(round(median.total_seconds() / 86400, 1) if median else "–")),
        (_("Answered within two days"), Cell(f"{round(100 * within / measured)} %" if measured else "–")),
        (_("Waiting for a first answer"), Cell(unanswered.count(), f"{link_query('enquiries')}&outcome=new")),
    ]


ANSWER_WITHIN = timedelta(days=2)


def waiting(scope: Scope) -> Section:
    rows = _rows("waiting", scope)
    today = scope.today
    per_topic: dict[Any, list[int]] = defaultdict(list)
    for topic_id, since in rows.values_list("waiting_topic", "waiting_since"):
        per_topic[topic_id].append((today - since).days if since else 0)
    names: dict[Any, str] = {
        topic.pk: topic.display_name for topic in Topic.objects.filter(pk__in=[t for t in per_topic if t])
    }
    names[None] = _("Any topic")
    link = link_query("waiting")
    waits = [days for days_list in per_topic.values() for days in days_list]
    section = Section("waiting", _("Waiting lists today"), note=_("A waiting list has no history: these are today's."))
    section.figures = [
        (_("People waiting"), Cell(len(waits), link)),
        (_("Days waited (median)"), Cell(statistics.median(waits) if waits else "–")),
        (_("Longest wait in days"), Cell(max(waits) if waits else "–")),
    ]
    section.tables = [
        Table(
            "waiting-topic",
            _("Waiting per topic"),
            _("Topic"),
            [_("People waiting"), _("Longest wait in days")],
            [
                (names.get(topic, str(topic)), [Cell(len(days), narrowed(link, "topic", topic)), Cell(max(days))])
                for topic, days in sorted(per_topic.items(), key=lambda item: names.get(item[0], ""))
            ],
        )
    ]
    return section


GROUP_FIGURES = ("groups-supported", "groups-founded", "groups-paused", "groups-ended")


def groups(scope: Scope, categories: dict[Any, str]) -> Section:
    counts = {name: meeting_reports.by_category_and_age(_rows(name, scope)) for name in GROUP_FIGURES}
    headings: list[str] = [_("Supported"), _("Founded"), pgettext("groups", "Paused"), pgettext("groups", "Ended")]
    ages = _labels(Group.AgeBand.choices)
    tables = []
    for key, title, label, labels in (
        ("category", _("Groups by topic category"), _("Topic category"), categories),
        ("age_band", _("Groups by age band"), _("Age band"), ages),
    ):
        present = [value for value in labels if any(counts[name][key].get(value) for name in GROUP_FIGURES)]
        rows = [
            (
                labels[value],
                [
                    Cell(counts[name][key].get(value, 0), narrowed(link_query(name), key, value))
                    for name in GROUP_FIGURES
                ],
            )
            for value in present
        ]
        totals = [Cell(sum(counts[name][key].values()), link_query(name)) for name in GROUP_FIGURES]
        tables.append(Table(f"groups-{key}", title, label, headings, rows, totals))
    ended = meeting_reports.end_reasons(_rows("groups-ended", scope))
    tables.append(
        Table(
            "groups-ended",
            _("Why groups ended"),
            _("Reason"),
            [_("Groups")],
            counted(ended, _labels(Group.EndReason.choices), link_query("groups-ended"), "reason"),
        )
    )
    section = Section("groups", _("Groups"))
    section.figures = [
        (heading, Cell(sum(counts[name]["category"].values()), link_query(name)))
        for heading, name in zip(headings, GROUP_FIGURES, strict=True)
    ]
    section.tables = tables
    return section


def meetings_and_rooms(scope: Scope, categories: dict[Any, str]) -> Section:
    held = _rows("meetings-held", scope)
    per_month: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for month, category, number in (
        held.annotate(month=TruncMonth("starts_at", tzinfo=scope.period.zone))
        .values_list("month", "group__topic__category")
        .annotate(number=Count("id"))
    ):
        per_month[category][f"{month:%Y-%m}"] += number
    chart = Chart(
        _("Meetings held per month, by topic category"),
        scope.period.months,
        [
            (label, _monthly(scope.period, per_month[value]))
            for value, label in categories.items()
            if value in per_month
        ],
        _year_before(scope, "meetings-held", "starts_at"),
    )
    months = {month: sum(per_month[c].get(month, 0) for c in per_month) for month in scope.period.months}
    link = link_query("meetings-held")
    rooms = meeting_reports.room_use(scope.ids, scope.period)
    section = Section("meetings", _("Meetings and rooms"))
    section.figures = [
        (_("Group meetings held"), Cell(sum(months.values()), link)),
        (_("Hours booked in rooms"), Cell(round(sum(room["hours"] for room in rooms), 1))),
    ]
    section.tables = [
        Table(
            "meetings-month",
            _("Meetings held per month"),
            _("Month"),
            [_("Meetings")],
            [(month, [Cell(number, f"{link}&month={month}")]) for month, number in months.items()],
            [Cell(sum(months.values()), link)],
            chart=chart,
        ),
        Table(
            "rooms",
            _("Room use"),
            _("Room"),
            [_("Bookings"), _("Hours booked"), _("Opening hours"), _("Occupancy")],
            [
                (
                    f"{room['room'].location.name}, {room['room'].name}",
                    [
                        Cell(room["bookings"], f"{link_query('bookings')}&room={room['room'].pk}"),
                        Cell(room["hours"]),
                        Cell(room["open_hours"] or "–"),
                        Cell(f"{room['occupancy']} %" if room["occupancy"] is not None else "–"),
                    ],
                )
                for room in rooms
            ],
            note=_("Occupancy: hours booked of the hours the room was open. A room without opening hours has none."),
        ),
    ]
    return section


def starters(scope: Scope) -> Section:
    lasting = volunteer_reports.lasting(scope.ids, scope.period, scope.now)
    hours = volunteer_reports.hours_total(scope.ids, scope.period)
    per_month = dict(
        _rows("sessions", scope)
        .annotate(month=TruncMonth("meeting__starts_at", tzinfo=scope.period.zone))
        .values_list("month")
        .annotate(hours=Sum("hours"))
    )
    monthly = {f"{month:%Y-%m}": float(value or 0) for month, value in per_month.items()}
    section = Section("starters", _("Volunteer starters"))
    section.figures = [
        (_("Starts with a new group"), _count("starts", scope)),
        (_("Crisis spells with self-run groups"), _count("crisis-starts", scope)),
        (_("Groups phased out to run themselves"), _count("phase-outs", scope)),
        *(
            (label, Cell(_share(lasting[mark]), link_query("phase-outs")))
            for mark, label in (
                ("6", _("Still meeting 6 months after the phase-out")),
                ("12", _("Still meeting 12 months after the phase-out")),
            )
        ),
        (_("Volunteer hours"), Cell(hours["hours"], link_query("sessions"))),
        (_("Sessions logged"), Cell(hours["sessions"], link_query("sessions"))),
        (_("Volunteers who logged sessions"), Cell(hours["volunteers"])),
    ]
    section.tables = [
        Table(
            "hours-month",
            _("Volunteer hours per month"),
            _("Month"),
            [_("Hours")],
            [
                (month, [Cell(monthly.get(month, 0), f"{link_query('sessions')}&month={month}")])
                for month in scope.period.months
            ],
            [Cell(hours["hours"], link_query("sessions"))],
            chart=Chart(
                _("Volunteer hours per month"), scope.period.months, [(_("Hours"), _monthly(scope.period, monthly))]
            ),
        )
    ]
    return section


def _share(counts: dict[str, int]) -> str:
    """ "5 of 7 (71 %)", or a dash when no group has reached the mark yet."""
    if not counts["due"]:
        return "–"
    return _("%(lasting)s of %(due)s (%(share)s %%)") % {
        "lasting": counts["lasting"],
        "due": counts["due"],
        "share": round(100 * counts["lasting"] / counts["due"]),
    }


def newsletter(scope: Scope) -> Section:
    reach = newsletter_reports.reach(scope.ids, scope.period)
    section = Section("newsletter", _("Newsletter reach"))
    section.figures = [
        (_("Subscriptions at the end of the period"), Cell(reach["subscribers"], link_query("subscribers"))),
        (_("Newly confirmed"), Cell(reach["confirmed"], link_query("confirmed"))),
        (_("Unsubscribed"), Cell(reach["unsubscribed"], link_query("unsubscribed"))),
        (_("Addresses that bounced"), Cell(reach["bounced"], link_query("bounced"))),
        (_("Issues sent"), Cell(reach["issues"], link_query("issues"))),
    ]
    return section


def evaluation(scope: Scope, categories: dict[Any, str]) -> Section | None:
    """The anonymous evaluation's results per topic category, from closed rounds with enough
    answers each; None where the centre asked no group in the period."""
    rounds = EvaluationRound.objects.filter(
        centre_id__in=scope.ids, held_on__gte=scope.period.start, held_on__lte=scope.period.end
    ).aggregate(groups=Count("group", distinct=True), asked=Sum("invited"))
    if not rounds["groups"]:
        return None
    threshold = settings.REPORT_THRESHOLD
    today = scope.today
    results = meeting_reports.evaluation_results(scope.ids, scope.period, threshold, today)
    section = Section(
        "evaluation",
        _("Anonymous evaluation"),
        note=_(
            "Results count the questionnaires that have closed and that at least %(count)s members answered; "
            "a figure everyone answered alike is not shown."
        )
        % {"count": threshold},
    )
    section.figures = [
        (_("Groups asked"), Cell(rounds["groups"])),
        (_("Members asked"), Cell(rounds["asked"] or 0)),
        (_("Answers counted"), Cell(sum(result["answers"] for result in results.values()))),
    ]
    rows = [
        (
            label,
            [
                Cell(result["answers"]),
                Cell("–" if result["who5"] is None else result["who5"]),
                Cell("–" if result["recommend"] is None else f"{result['recommend']} %"),
            ],
        )
        for value, label in categories.items()
        for (_centre, category), result in results.items()
        if category == value
    ]
    section.tables = [
        Table(
            "evaluation-category",
            _("Results by topic category"),
            _("Topic category"),
            [_("Answers"), _("WHO-5 well-being (0–100, mean)"), _("Would recommend the group")],
            rows,
        )
    ]
    return section


def events(scope: Scope) -> Section | None:
    """Events held in the period by kind, with places taken and who came; None without any."""
    held = event_reports.held_by_kind(scope.ids, scope.period, scope.now)
    if not held:
        return None
    kinds = _labels(Event.Kind.choices)
    section = Section("events", _("Events"), note=_("Events that took place; cancelled ones are not counted."))
    section.figures = [
        (_("Events held"), Cell(sum(row["events"] for row in held.values()))),
        (_("Places taken"), Cell(sum(row["taken"] for row in held.values()))),
        (_("People who came"), Cell(sum(row["attended"] for row in held.values()))),
    ]
    section.tables = [
        Table(
            "events-kind",
            _("By kind"),
            _("Kind"),
            [_("Events"), _("Places taken"), _("People who came")],
            [
                (label, [Cell(held[kind]["events"]), Cell(held[kind]["taken"]), Cell(held[kind]["attended"])])
                for kind, label in kinds.items()
                if kind in held
            ],
        )
    ]
    return section


def year_report(scope: Scope) -> list[Section]:
    """Every section of the report for `scope`."""
    categories = _category_labels()
    return [
        enquiries(scope, categories),
        waiting(scope),
        groups(scope, categories),
        meetings_and_rooms(scope, categories),
        starters(scope),
        newsletter(scope),
        *filter(None, [events(scope), evaluation(scope, categories)]),
    ]
