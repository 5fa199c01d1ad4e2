"""Reads for the volunteer portal: a volunteer sees only their own groups, meetings, logs, hours
and requests, whichever centres they volunteer at."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from meetings.models import Meeting
from volunteers.accounts import linked_volunteers
from volunteers.models import ChecklistItem, SessionLog, StarterAssignment, StarterRequest
from volunteers.services import REQUEST_MAX_AGE, checklist_items, checklist_reached

UPCOMING_DAYS = 56
LOGGABLE_DAYS = 90


def portal_volunteer_ids(user: AbstractBaseUser) -> list[int]:
    """The volunteer records the portal shows this login: see `accounts.linked_volunteers`."""
    if not user.is_authenticated:
        return []
    return list(linked_volunteers(user).values_list("pk", flat=True))


def my_assignments(volunteer_ids: list[int]) -> list[StarterAssignment]:
    """The volunteer's open assignments (active or phasing out), soonest start first."""
    return list(
        StarterAssignment.all_centres.filter(volunteer_id__in=volunteer_ids)
        .exclude(status=StarterAssignment.Status.ENDED)
        .select_related("group__centre", "group__topic", "volunteer")
        .order_by("starts_on", "pk")
    )


@dataclass
class ChecklistStep:
    item: ChecklistItem
    reached: bool


def my_checklists(assignments: list[StarterAssignment]) -> dict[int, list[ChecklistStep]]:
    """Each assigned group's self-run checklist with the steps its starters have reached, by
    group id: one query for the progress of all groups."""
    reached = checklist_reached([assignment.group_id for assignment in assignments])
    items_by_centre: dict[int, list[ChecklistItem]] = {}
    result = {}
    for assignment in assignments:
        centre = assignment.group.centre
        if centre.pk not in items_by_centre:
            items_by_centre[centre.pk] = checklist_items(centre)
        result[assignment.group_id] = [
            ChecklistStep(item=item, reached=item.pk in reached.get(assignment.group_id, set()))
            for item in items_by_centre[centre.pk]
        ]
    return result


def my_upcoming_meetings(assignments: list[StarterAssignment], *, days: int = UPCOMING_DAYS) -> list[Meeting]:
    """The next `days` days of meetings of the groups the volunteer starts, cancelled ones too
    (so they know), from each assignment's start."""
    now = timezone.now()
    condition = Q()
    for assignment in assignments:
        condition |= Q(group_id=assignment.group_id, starts_at__date__gte=assignment.starts_on)
    if not assignments:
        return []
    return list(
        Meeting.all_centres.filter(condition, ends_at__gte=now, starts_at__lt=now + timedelta(days=days))
        .select_related("group", "room__location")
        .order_by("starts_at", "pk")[:100]
    )


def meetings_to_log(assignments: list[StarterAssignment], *, days: int = LOGGABLE_DAYS) -> list[Meeting]:
    """Meetings of the volunteer's groups that took place in the last `days` days, since each
    assignment began, and that the assignment has not logged yet. Each meeting carries
    `assignment_id` for the form."""
    if not assignments:
        return []
    now = timezone.now()
    by_group = {assignment.group_id: assignment for assignment in assignments}
    condition = Q()
    for assignment in assignments:
        condition |= Q(group_id=assignment.group_id, starts_at__date__gte=assignment.starts_on)
    logged = set(SessionLog.all_centres.filter(assignment__in=assignments).values_list("assignment_id", "meeting_id"))
    meetings = []
    for meeting in (
        Meeting.all_centres.filter(
            condition,
            status=Meeting.Status.SCHEDULED,
            starts_at__lt=now,
            starts_at__gte=now - timedelta(days=days),
        )
        .select_related("group")
        .order_by("-starts_at", "-pk")[:200]
    ):
        assignment = by_group[meeting.group_id]
        if (assignment.pk, meeting.pk) not in logged:
            meeting.assignment_id = assignment.pk
            meetings.append(meeting)
    return meetings


def my_session_logs(volunteer_ids: list[int]):
    return (
        SessionLog.all_centres.filter(assignment__volunteer_id__in=volunteer_ids)
        .select_related("meeting", "assignment__group")
        .prefetch_related("checklist")
        .order_by("-meeting__starts_at", "-pk")
    )


def my_hours_by_month(volunteer_ids: list[int], *, months: int = 12) -> list[dict]:
    """Logged hours and sessions per month over the last `months` months, newest first, months
    in the installation's time zone. Months without sessions are left out."""
    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    rows = (
        SessionLog.all_centres.filter(
            assignment__volunteer_id__in=volunteer_ids,
            meeting__starts_at__gte=datetime.combine(first, time.min, tzinfo=zone),
        )
        .annotate(month=TruncMonth("meeting__starts_at", tzinfo=zone))
        .values("month")
        .annotate(sessions=Count("id"), hours=Sum("hours"))
        .order_by("-month")
    )
    return [
        {"month": row["month"].strftime("%Y-%m"), "sessions": row["sessions"], "hours": row["hours"] or Decimal(0)}
        for row in rows
    ]


def my_open_requests(volunteer_ids: list[int]) -> list[StarterRequest]:
    """Requests to start a group still waiting for the volunteer's answer, and still valid."""
    return list(
        StarterRequest.all_centres.filter(
            volunteer_id__in=volunteer_ids,
            status=StarterRequest.Status.PENDING,
            created_at__gte=timezone.now() - timedelta(seconds=REQUEST_MAX_AGE),
        )
        .select_related("group__centre", "group__topic")
        .order_by("created_at", "pk")
    )
