"""Reports on volunteering for coordinators and funders: hours per volunteer, group and month,
and counts. Only aggregates; no notes, no members. Reads, like `volunteers.selectors`."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from config.periods import Period
from meetings.models import Group, GroupStep, Meeting
from meetings.reports import NOT_MEETING, group_status_at
from volunteers.models import SessionLog, StarterAssignment, Volunteer


def hours_by_month(*, centre_ids: list[int], start: date, end: date) -> list[dict[str, Any]]:
    """Logged hours and sessions per month, volunteer and group, for meetings from `start` to
    `end` (inclusive), months in the installation's time zone."""
    zone = timezone.get_current_timezone()
    rows = (
        SessionLog.objects.filter(
            centre_id__in=centre_ids,
            meeting__starts_at__gte=datetime.combine(start, time.min, tzinfo=zone),
            meeting__starts_at__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
        )
        .annotate(month=TruncMonth("meeting__starts_at", tzinfo=zone))
        .values(
            "month",
            "centre__slug",
            "assignment__volunteer_id",
            "assignment__volunteer__person__display_name",
            "assignment__group_id",
            "assignment__group__name",
        )
        .annotate(sessions=Count("id"), hours=Sum("hours"))
        .order_by("month", "assignment__volunteer__person__display_name", "assignment__group__name")
    )
    return [
        {
            "month": row["month"].strftime("%Y-%m"),
            "centre": row["centre__slug"],
            "volunteer": row["assignment__volunteer_id"],
            "volunteer_name": row["assignment__volunteer__person__display_name"],
            "group": row["assignment__group_id"],
            "group_name": row["assignment__group__name"],
            "sessions": row["sessions"],
            "hours": row["hours"] or Decimal("0"),
        }
        for row in rows
    ]


def volunteering_summary(*, centre_ids: list[int], today: date | None = None) -> dict[str, int]:
    """Counts for the dashboard and funders: active starters, groups waiting for a starter, and
    phase-outs completed this quarter."""
    today = today or timezone.localdate()
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    open_assignments = StarterAssignment.objects.filter(centre_id__in=centre_ids).exclude(
        status=StarterAssignment.Status.ENDED
    )
    return {
        "active_volunteers": Volunteer.objects.filter(centre_id__in=centre_ids, status=Volunteer.Status.ACTIVE).count(),
        "active_starters": open_assignments.values("volunteer_id").distinct().count(),
        "groups_waiting_for_starters": Group.objects.filter(
            centre_id__in=centre_ids, status__in=[Group.Status.FORMING, Group.Status.STARTING]
        )
        .exclude(pk__in=open_assignments.values("group_id"))
        .count(),
        "phase_outs_this_quarter": StarterAssignment.objects.filter(
            centre_id__in=centre_ids, status=StarterAssignment.Status.ENDED, ended_on__gte=quarter_start
        )
        .values("group_id")
        .distinct()
        .count(),
    }


# --- the year's report: starters and their groups -------------------------------------------------

# "Still meeting" n days after the phase-out: the group held a meeting in the eight weeks up to
# then (the quiet spell after which the centre asks "Still meeting?").
LASTING_MARKS = {"6": timedelta(days=182), "12": timedelta(days=365)}
QUIET = timedelta(weeks=8)


def starts(centre_ids: list[int], period: Period, *, crisis: bool = False) -> QuerySet[StarterAssignment]:
    """Starters who began with a group in the period (`crisis`: spells with a self-run group)."""
    return StarterAssignment.objects.filter(
        centre_id__in=centre_ids, starts_on__gte=period.start, starts_on__lte=period.end, is_crisis=crisis
    )


def phased_out(centre_ids: list[int], period: Period) -> QuerySet[GroupStep]:
    """The steps by which groups became self-run from their starters' care in the period."""
    return GroupStep.objects.filter(
        centre_id__in=centre_ids,
        status=Group.Status.SELF_RUN,
        previous=Group.Status.STARTING,
        at__gte=period.since,
        at__lt=period.until,
    )


def lasting(centre_ids: list[int], period: Period, now: datetime) -> dict[str, dict[str, int]]:
    """For the groups phased out in the period (each once, at its first phase-out): per mark
    ("6", "12" months), how many have reached it (`due`) and how many of those still met then
    (`lasting`): a meeting held in the eight weeks up to the mark, and not paused or closed at
    it. One query."""
    annotations: dict[str, Any] = {}
    for mark, after in LASTING_MARKS.items():
        annotations[f"met_{mark}"] = Exists(
            Meeting.objects.filter(
                group_id=OuterRef("group_id"),
                status=Meeting.Status.SCHEDULED,
                starts_at__gt=OuterRef("at") + (after - QUIET),
                starts_at__lte=OuterRef("at") + after,
            )
        )
        annotations[f"status_{mark}"] = group_status_at(OuterRef("at") + after)
    result = {mark: {"due": 0, "lasting": 0} for mark in LASTING_MARKS}
    counted: set[int] = set()
    for row in (
        phased_out(centre_ids, period).annotate(**annotations).order_by("at").values("group_id", "at", *annotations)
    ):
        if row["group_id"] in counted:
            continue
        counted.add(row["group_id"])
        for mark, after in LASTING_MARKS.items():
            if row["at"] <= now - after:
                result[mark]["due"] += 1
                result[mark]["lasting"] += bool(row[f"met_{mark}"]) and row[f"status_{mark}"] not in NOT_MEETING
    return result


def sessions(centre_ids: list[int], period: Period) -> QuerySet[SessionLog]:
    return SessionLog.objects.filter(
        centre_id__in=centre_ids, meeting__starts_at__gte=period.since, meeting__starts_at__lt=period.until
    )


def hours_total(centre_ids: list[int], period: Period) -> dict[str, Any]:
    figures = sessions(centre_ids, period).aggregate(
        hours=Sum("hours"), sessions=Count("id"), volunteers=Count("assignment__volunteer", distinct=True)
    )
    return {**figures, "hours": figures["hours"] or Decimal("0")}
