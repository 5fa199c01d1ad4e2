"""Reports on volunteering for coordinators and funders: hours per volunteer, group and month,
and counts. Only aggregates; no notes, no members. Reads, like `volunteers.selectors`."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from meetings.models import Group
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
