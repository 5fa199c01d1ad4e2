"""Every read of intake: the queue and one enquiry for staff, matching an enquiry to groups, the
waiting lists, and the reports (counts only, never a person). Queries run in the caller's scope."""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Min, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from centres.models import Centre, Person
from intake.models import FINISHED, Enquiry
from meetings.booking import BookingOwner
from meetings.models import Group, Meeting, Membership

# --- the queue ------------------------------------------------------------------------------------

OPEN = [status for status in Enquiry.Status.values if status not in FINISHED]


def enquiry_list() -> QuerySet[Enquiry]:
    """The enquiries in scope, oldest first, with what a list shows of each."""
    return Enquiry.objects.select_related("centre", "person").prefetch_related("topics").order_by("created_at", "id")


def enquiry_queue(*, centre: Centre, status: str, search: str = "", newest_first: bool = False) -> QuerySet[Enquiry]:
    """The centre's intake queue: the open enquiries (`status` "open") or those in one status,
    the oldest first (or the newest); with `search`, those whose person's name, address or phone
    contains it. Anonymised ones are left out."""
    order = ("-created_at", "-pk") if newest_first else ("created_at", "pk")
    enquiries = (
        Enquiry.objects.filter(centre=centre, anonymised_at__isnull=True)
        .select_related("person", "assignee")
        .prefetch_related("topics")
        .order_by(*order)
    )
    if search:
        enquiries = enquiries.filter(
            Q(person__display_name__icontains=search)
            | Q(person__full_name__icontains=search)
            | Q(person__email__icontains=search)
            | Q(person__phone__icontains=search)
        )
    return enquiries.filter(status__in=OPEN) if status == "open" else enquiries.filter(status=status)


def enquiry_for_staff(*, centre: Centre, pk: int) -> Enquiry | None:
    """One enquiry of the centre as its page shows it, None if it is not there or anonymised."""
    return Enquiry.objects.filter(centre=centre, pk=pk, anonymised_at__isnull=True).select_related("person").first()


def enquiry_with_notes(pk: int) -> Enquiry:
    """One enquiry with its topics and notes (and their authors), for the audited detail."""
    return Enquiry.objects.prefetch_related("topics", "notes__author").select_related("person", "centre").get(pk=pk)


def open_enquiry_counts(centre: Centre) -> dict[str, int]:
    """How many of the centre's enquiries are new, and open in all (for its dashboard)."""
    open_enquiries = Enquiry.objects.filter(centre=centre, anonymised_at__isnull=True).exclude(status__in=FINISHED)
    return {
        "new_enquiries": open_enquiries.filter(status=Enquiry.Status.NEW).count(),
        "open_enquiries": open_enquiries.count(),
    }


def conversation_enquiry(meeting: Meeting) -> BookingOwner | None:
    """The enquiry whose intake conversation is this room booking (such a booking has no group),
    or None. Registered with meetings as the booking's owner (`IntakeConfig.ready`)."""
    if meeting.group_id is not None:
        return None
    enquiry = Enquiry.objects.filter(conversation_meeting=meeting).select_related("centre").first()
    if enquiry is None:
        return None
    return BookingOwner(
        record=enquiry,
        message=_("This is an intake conversation: change it on the enquiry's page."),
        link_text=_("Open the enquiry"),
        url=reverse("workspace-enquiry", args=[enquiry.centre.slug, enquiry.pk]),
    )


def person_by_address(*, centre: Centre, email: str) -> Person | None:
    """The centre's person with this e-mail address (in any case), if there is one."""
    return Person.objects.filter(centre=centre, email__iexact=email).first() if email else None


def free_places(group: Group) -> int:
    """Places left in the group: its size less its current members."""
    taken = Membership.objects.filter(group=group, left_on__isnull=True).count()
    return max(0, group.max_size - taken)


# --- matching an enquiry to groups ----------------------------------------------------------------
# Each live group of the centre gets a score from topic, language, age band, day and time of its
# meetings, place, free places and whether it takes newcomers, with the reasons spelled out for the
# coordinator. Three queries, whatever the size.

LIVE_GROUP_STATUSES = (Group.Status.FORMING, Group.Status.STARTING, Group.Status.SELF_RUN)
LOOK_AHEAD_DAYS = 35
WEIGHTS = {
    "topic": 4,
    "language": 3,
    "weekday": 2,
    "time": 1,
    "age_band": 1,
    "location": 1,
    "relatives": 1,
    "free": 1,
    "full": -2,
    "closed": -5,
}


@dataclass
class GroupSuggestion:
    group: Group
    score: int = 0
    free_places: int = 0
    reasons: list[str] = field(default_factory=list)

    def add(self, weight: str, reason: str) -> None:
        self.score += WEIGHTS[weight]
        self.reasons.append(reason)


UpcomingMeeting = tuple[datetime, int | None]  # its local start, and the place (location id)


def _upcoming_meetings(groups: Sequence[Group], zone: ZoneInfo) -> dict[int, list[UpcomingMeeting]]:
    now = timezone.now()
    upcoming: dict[int, list[UpcomingMeeting]] = {}
    for group_id, starts_at, location_id in Meeting.objects.filter(
        group_id__in=[group.pk for group in groups],
        status=Meeting.Status.SCHEDULED,
        starts_at__gte=now,
        starts_at__lt=now + timedelta(days=LOOK_AHEAD_DAYS),
    ).values_list("group_id", "starts_at", "room__location_id"):
        upcoming.setdefault(group_id, []).append((timezone.localtime(starts_at, zone), location_id))
    return upcoming


def _suggestion(enquiry: Enquiry, group: Any, topic_ids: set[int], meetings: list[UpcomingMeeting]) -> GroupSuggestion:
    suggestion = GroupSuggestion(group=group, free_places=max(0, group.max_size - group.members))
    if group.topic_id in topic_ids:
        suggestion.add("topic", _("on the topic asked for: %(topic)s") % {"topic": group.topic.name})
    if enquiry.language in group.languages:
        suggestion.add("language", _("meets in the preferred language"))
    weekdays = {starts_at.weekday() for starts_at, _location in meetings}
    if weekdays and enquiry.weekdays and weekdays <= set(enquiry.weekdays):
        suggestion.add("weekday", _("meets on a day that suits"))
    if any(
        (enquiry.evening and starts_at.hour >= 17) or (enquiry.daytime and starts_at.hour < 17)
        for starts_at, _location in meetings
    ):
        suggestion.add("time", _("meets at a time of day that suits"))
    if enquiry.age_band and group.age_band in ("", enquiry.age_band):
        suggestion.add("age_band", _("fits the age band"))
    if enquiry.location_id and any(location == enquiry.location_id for _start, location in meetings):
        suggestion.add("location", _("meets at the preferred place"))
    if enquiry.is_relative and group.relatives_welcome:
        suggestion.add("relatives", _("welcomes relatives"))
    if suggestion.free_places:
        suggestion.add(
            "free",
            ngettext("%(count)s place free", "%(count)s places free", suggestion.free_places)
            % {"count": suggestion.free_places},
        )
    else:
        suggestion.add("full", _("full"))
    if not group.accepts_newcomers:
        suggestion.add("closed", _("takes no newcomers at the moment"))
    return suggestion


def group_suggestions(enquiry: Enquiry, *, limit: int = 10) -> list[GroupSuggestion]:
    """The centre's live groups ranked for the enquiry, best first, each with its reasons."""
    topic_ids = set(enquiry.topics.values_list("pk", flat=True))
    groups = list(
        Group.objects.filter(centre_id=enquiry.centre_id, status__in=LIVE_GROUP_STATUSES)
        .select_related("topic")
        .annotate(members=Count("memberships", filter=Q(memberships__left_on__isnull=True)))
    )
    upcoming = _upcoming_meetings(groups, ZoneInfo(enquiry.centre.time_zone))
    suggestions = [_suggestion(enquiry, group, topic_ids, upcoming.get(group.pk, [])) for group in groups]
    suggestions.sort(key=lambda item: (-item.score, -item.free_places, item.group.pk))
    return suggestions[:limit]


# --- waiting lists --------------------------------------------------------------------------------


def waiting_lists(centre_ids: list[int]) -> list[dict[str, Any]]:
    """The people waiting, counted per centre, topic and language, with the longest wait and
    whether the list is long enough to found a group (the centre's `founding_group_size`). One
    query, counts only."""
    rows = (
        Enquiry.objects.filter(centre_id__in=centre_ids, status=Enquiry.Status.WAITING, anonymised_at__isnull=True)
        .values("centre_id", "centre__slug", "waiting_topic_id", "waiting_topic__name", "language")
        .annotate(
            waiting=Count("person", distinct=True), since=Min("waiting_since"), needed=F("centre__founding_group_size")
        )
        .order_by("centre_id", "waiting_topic__name", "language")
    )
    return [{**row, "ready_to_found": row["waiting"] >= row["needed"]} for row in rows]


def founding_suggestions(centre_ids: list[int]) -> list[dict[str, Any]]:
    """Waiting lists long enough to found a group."""
    return [row for row in waiting_lists(centre_ids) if row["ready_to_found"]]


# --- reports for coordinators and funders: counts only, never a person ----------------------------


def _range(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    return datetime.combine(start, time.min, tzinfo=zone), until


def enquiries_by_month(*, centre_ids: list[int], start: date, end: date) -> list[dict[str, Any]]:
    """Enquiries received from `start` to `end` (inclusive) per month, channel, topic and current
    outcome. An enquiry about two topics counts once under each; one without a topic under none.
    Anonymised enquiries still count; one still waiting for its address to confirm it does not
    (unconfirmed, it is deleted, and a month's count must not shrink)."""
    since, until = _range(start, end)
    rows = (
        Enquiry.objects.filter(centre_id__in=centre_ids, created_at__gte=since, created_at__lt=until)
        .exclude(awaiting_confirmation=True)
        .annotate(month=TruncMonth("created_at", tzinfo=timezone.get_current_timezone()))
        .values("month", "centre__slug", "channel", "topics__name", "status")
        .annotate(enquiries=Count("id", distinct=True))
        .order_by("month", "centre__slug", "channel", "topics__name", "status")
    )
    return [
        {
            "month": row["month"].strftime("%Y-%m"),
            "centre": row["centre__slug"],
            "channel": row["channel"],
            "topic": row["topics__name"] or "",
            "outcome": row["status"],
            "enquiries": row["enquiries"],
        }
        for row in rows
    ]


def waiting_times(*, centre_ids: list[int], start: date, end: date) -> dict[str, Any]:
    """Days from enquiry to placement for people placed from `start` to `end`, and how long the
    people waiting now have waited."""
    since, until = _range(start, end)
    placed = [
        (finished - created).days
        for created, finished in Enquiry.objects.filter(
            centre_id__in=centre_ids, status=Enquiry.Status.PLACED, finished_at__gte=since, finished_at__lt=until
        ).values_list("created_at", "finished_at")
        if finished is not None
    ]
    today = timezone.localdate()
    waiting = [
        (today - waiting_since).days
        for waiting_since in Enquiry.objects.filter(
            centre_id__in=centre_ids, status=Enquiry.Status.WAITING, waiting_since__isnull=False
        ).values_list("waiting_since", flat=True)
        if waiting_since is not None
    ]
    return {
        "placed": len(placed),
        "days_to_placement_median": statistics.median(placed) if placed else None,
        "days_to_placement_mean": round(statistics.fmean(placed), 1) if placed else None,
        "waiting_now": len(waiting),
        "longest_wait_days": max(waiting) if waiting else None,
    }
