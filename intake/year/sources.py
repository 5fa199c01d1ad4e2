"""Where each figure of the year's report comes from: a named queryset for a scope (centres,
period, now) and the filters a figure's link may add. The report counts these querysets grouped;
the list behind a figure is the same queryset filtered, so the two always agree."""

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Q, QuerySet

from config.periods import Period
from intake.models import Enquiry, ReferralPartner
from meetings import reports as meeting_reports
from meetings.models import Group
from notifications import reports as newsletter_reports
from volunteers import reports as volunteer_reports


@dataclass(frozen=True)
class Scope:
    centre_ids: tuple[int, ...]
    period: Period
    now: datetime

    @property
    def today(self) -> date:
        """Today in the period's time zone."""
        return self.now.astimezone(self.period.zone).date()

    @property
    def ids(self) -> list[int]:
        return list(self.centre_ids)

    def in_month(self, month: str) -> "Scope":
        """The same scope narrowed to one month ("YYYY-MM") of its period."""
        year, number = (int(part) for part in month.split("-"))
        first = date(year, number, 1)
        last = first + relativedelta(months=1) - timedelta(days=1)
        start, end = max(first, self.period.start), min(last, self.period.end)
        if end < start:
            raise ValueError(month)
        return replace(self, period=Period(start, end, self.period.zone))


def enquiries_received(scope: Scope) -> QuerySet[Enquiry]:
    """Enquiries received in the period; one still waiting for its address to confirm it does
    not count (unconfirmed, it is deleted, and a month's count must not shrink)."""
    return Enquiry.objects.filter(
        centre_id__in=scope.ids,
        created_at__gte=scope.period.since,
        created_at__lt=scope.period.until,
        awaiting_confirmation=False,
    )


def conversations_held(scope: Scope) -> QuerySet[Enquiry]:
    return Enquiry.objects.filter(
        centre_id__in=scope.ids,
        conversation_at__gte=scope.period.since,
        conversation_at__lt=min(scope.period.until, scope.now),
    ).exclude(status__in=[Enquiry.Status.NEW, Enquiry.Status.CONTACTED, Enquiry.Status.CONVERSATION_SCHEDULED])


def _finished_as(status: str) -> Callable[[Scope], QuerySet[Enquiry]]:
    def finished(scope: Scope) -> QuerySet[Enquiry]:
        return Enquiry.objects.filter(
            centre_id__in=scope.ids,
            status=status,
            finished_at__gte=scope.period.since,
            finished_at__lt=scope.period.until,
        )

    return finished


def waiting_now(scope: Scope) -> QuerySet[Enquiry]:
    """Who waits for a group today (a list has no history: this is today's, whatever the period)."""
    return Enquiry.objects.filter(centre_id__in=scope.ids, status=Enquiry.Status.WAITING, anonymised_at__isnull=True)


def _phased_out_groups(scope: Scope) -> QuerySet[Group]:
    steps = volunteer_reports.phased_out(scope.ids, scope.period).values("group_id")
    return Group.objects.filter(centre_id__in=scope.ids, pk__in=steps)


# Each source: the queryset, and the filters a link may add (name -> lookup; "none" means empty).
SOURCES: dict[str, tuple[Callable[[Scope], QuerySet[Any]], dict[str, str]]] = {
    "enquiries": (
        enquiries_received,
        {
            "channel": "channel",
            "topic": "topics",
            "category": "topics__category",
            "outcome": "status",
            "referrer": "referred_by__kind",
        },
    ),
    "conversations": (conversations_held, {}),
    "placed": (_finished_as(Enquiry.Status.PLACED), {}),
    "referred": (_finished_as(Enquiry.Status.REFERRED), {}),
    "waiting": (waiting_now, {"topic": "waiting_topic"}),
    "groups-supported": (
        lambda s: meeting_reports.groups_supported(s.ids, s.period),
        {"category": "topic__category", "age_band": "age_band"},
    ),
    "groups-founded": (
        lambda s: meeting_reports.groups_founded(s.ids, s.period),
        {"category": "topic__category", "age_band": "age_band"},
    ),
    "groups-paused": (
        lambda s: meeting_reports.groups_stepped(s.ids, s.period, Group.Status.PAUSED),
        {"category": "topic__category", "age_band": "age_band"},
    ),
    "groups-ended": (
        lambda s: meeting_reports.groups_ended(s.ids, s.period),
        {"category": "topic__category", "age_band": "age_band", "reason": "end_reason"},
    ),
    "meetings-held": (lambda s: meeting_reports.meetings_held(s.ids, s.period, s.now), {}),
    "bookings": (lambda s: meeting_reports.rooms_booked(s.ids, s.period), {"room": "room"}),
    "starts": (lambda s: volunteer_reports.starts(s.ids, s.period), {}),
    "crisis-starts": (lambda s: volunteer_reports.starts(s.ids, s.period, crisis=True), {}),
    "phase-outs": (_phased_out_groups, {}),
    "sessions": (lambda s: volunteer_reports.sessions(s.ids, s.period), {}),
    "subscribers": (lambda s: newsletter_reports.subscribed_at_end(s.ids, s.period), {}),
    "confirmed": (lambda s: newsletter_reports.confirmed_in(s.ids, s.period), {}),
    "unsubscribed": (lambda s: newsletter_reports.unsubscribed_in(s.ids, s.period), {}),
    "bounced": (lambda s: newsletter_reports.bounced_in(s.ids, s.period), {}),
    "issues": (lambda s: newsletter_reports.issues_sent(s.ids, s.period), {}),
}

# Filters on text fields, where "none" is the empty text (any age, no reason) rather than NULL.
TEXT_LOOKUPS = {"channel", "status", "age_band", "end_reason"}

# The field a source's month filter reads.
MONTH_FIELDS = {"enquiries": "created_at", "meetings-held": "starts_at", "sessions": "meeting__starts_at"}


def source_rows(name: str, scope: Scope, filters: dict[str, str]) -> QuerySet[Any]:
    """The rows behind a figure: source `name` with the link's `filters` (unknown names and
    filters raise KeyError, a month outside the period ValueError)."""
    build, allowed = SOURCES[name]
    month = filters.pop("month", "")
    if month:
        if name not in MONTH_FIELDS or not MONTH.fullmatch(month):
            raise KeyError("month")
        scope = scope.in_month(month)
    conditions = Q()
    for key, value in filters.items():
        lookup = allowed[key]
        _check(key, value)
        if value != "none":
            conditions &= Q(**{lookup: value})
        else:
            conditions &= Q(**{lookup: ""}) if lookup in TEXT_LOOKUPS else Q(**{f"{lookup}__isnull": True})
    rows = build(scope).filter(conditions)
    # Through a many-to-many filter (an enquiry's topics) a row would come once per match.
    return rows.distinct() if filters else rows


MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
# What a link's filter may say: one of the field's choices, or the id of a row.
CHOICES = {
    "channel": set(Enquiry.Channel.values),
    "outcome": set(Enquiry.Status.values),
    "referrer": set(ReferralPartner.Kind.values),
    "age_band": set(Group.AgeBand.values),
    "reason": set(Group.EndReason.values),
}
LARGEST_ID = 2**63 - 1


def _check(key: str, value: str) -> None:
    """Refuse (ValueError) a filter value no link of the report makes."""
    if value == "none":
        return
    if key in CHOICES:
        if value not in CHOICES[key]:
            raise ValueError(key)
    elif not value.isdigit() or not 0 < int(value) <= LARGEST_ID:
        raise ValueError(key)


def link_query(name: str) -> str:
    return f"figure={name}"
