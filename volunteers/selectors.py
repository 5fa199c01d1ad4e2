"""The reads of the volunteers app: assignments and the starters a group may get, phase-outs due,
requests and recruitment needs, portal logins, and the volunteer portal (a volunteer sees only
their own groups, meetings, logs, hours and requests, whichever centres they volunteer at).

Reads run in the caller's scope; none opens one. The figures for coordinators and funders are in
`volunteers.reports`, the writes in `volunteers.services`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict, cast

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext

from config.signed_links import max_age, unsign
from meetings.models import ContactPerson, Group, Meeting, Membership
from meetings.selectors import group_next_meetings
from volunteers.models import ChecklistItem, RecruitmentNeed, SessionLog, StarterAssignment, StarterRequest, Volunteer
from volunteers.services.checklist import checklist_items

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class ForAssignment(TypedDict):
    assignment_id: int


# A meeting a starter may log, with the assignment it is logged for.
MeetingToLog: TypeAlias = "WithAnnotations[Meeting, ForAssignment]"

STARTERS_PER_GROUP = 2
# Groups that get starters: new ones, and self-run (or paused) ones in a crisis, for a short spell.
STARTER_STATUSES = (Group.Status.FORMING, Group.Status.STARTING, Group.Status.SELF_RUN, Group.Status.PAUSED)
CRISIS_STATUSES = (Group.Status.SELF_RUN, Group.Status.PAUSED)
# A request to start a group may be answered as long as its link is valid.
REQUEST_MAX_AGE = int(cast(timedelta, max_age("volunteer.request")).total_seconds())
UPCOMING_DAYS = 56
LOGGABLE_DAYS = 90

# --- assignments and matching ---------------------------------------------------------------------


def volunteer_open_assignments(volunteer: Volunteer) -> QuerySet[StarterAssignment]:
    """The volunteer's assignments that have not ended (active or phasing out)."""
    return StarterAssignment.objects.filter(volunteer=volunteer).exclude(status=StarterAssignment.Status.ENDED)


def assignment_meetings(group_id: int, starts_on: date, count: int) -> list[Meeting]:
    """The meetings a starter is planned for: the group's first `count` live meetings from
    `starts_on`."""
    return list(
        Meeting.objects.filter(
            group_id=group_id, status=Meeting.Status.SCHEDULED, starts_at__date__gte=starts_on
        ).order_by("starts_at")[:count]
    )


def open_starter_places(group: Group) -> int:
    """Places requests may fill: up to the centre's starters per new group."""
    taken = StarterAssignment.objects.filter(group=group).exclude(status=StarterAssignment.Status.ENDED).count()
    return max(0, min(group.centre.starters_needed, STARTERS_PER_GROUP) - taken)


@dataclass
class Suggestion:
    volunteer: Volunteer
    score: int
    reasons: list[str] = field(default_factory=list)
    # Would start groups on the group's topic, or speaks one of its languages.
    matches: bool = False


REASONS = {
    "topic": gettext_lazy("would start groups on this topic"),
    "language": gettext_lazy("speaks %(languages)s"),
    "weekday": gettext_lazy("free on the group's weekday"),
    "time": gettext_lazy("free at the group's time of day"),
    "load": gettext_lazy("already starts %(count)s group(s)"),
}


def starter_suggestions(group: Group, *, limit: int | None = 10) -> list[Suggestion]:
    """Active volunteers ranked for `group`: topic (+3), a shared language (+2), free on the
    group's weekday (+1) at its time of day (+1), minus one per group they already start. Each
    suggestion says why."""
    moments = [timezone.localtime(meeting.starts_at) for meeting in group_next_meetings(group, count=4)]
    weekdays = {moment.weekday() for moment in moments}
    evening = any(moment.hour >= 17 for moment in moments)
    daytime = any(moment.hour < 17 for moment in moments)
    open_assignments = StarterAssignment.objects.exclude(status=StarterAssignment.Status.ENDED)
    already = set(open_assignments.filter(group=group).values_list("volunteer_id", flat=True))
    volunteers = (
        Volunteer.objects.filter(centre_id=group.centre_id, status=Volunteer.Status.ACTIVE)
        .exclude(pk__in=already)
        .select_related("person")
        .prefetch_related("topics")
    )
    loads: dict[int, int] = {}
    for volunteer_id in open_assignments.filter(
        centre_id=group.centre_id, volunteer__status=Volunteer.Status.ACTIVE
    ).values_list("volunteer_id", flat=True):
        loads[volunteer_id] = loads.get(volunteer_id, 0) + 1
    suggestions = []
    for volunteer in volunteers:
        suggestion = Suggestion(volunteer=volunteer, score=0)
        if any(topic.pk == group.topic_id for topic in volunteer.topics.all()):
            suggestion.score += 3
            suggestion.matches = True
            suggestion.reasons.append(str(REASONS["topic"]))
        shared = sorted(set(volunteer.languages) & set(group.languages))
        if shared:
            suggestion.score += 2
            suggestion.matches = True
            suggestion.reasons.append(str(REASONS["language"]) % {"languages": ", ".join(shared)})
        if weekdays and weekdays <= set(volunteer.weekdays):
            suggestion.score += 1
            suggestion.reasons.append(str(REASONS["weekday"]))
        if (evening and volunteer.evening) or (daytime and volunteer.daytime):
            suggestion.score += 1
            suggestion.reasons.append(str(REASONS["time"]))
        load = loads.get(volunteer.pk, 0)
        if load:
            suggestion.score -= load
            suggestion.reasons.append(str(REASONS["load"]) % {"count": load})
        suggestions.append(suggestion)
    suggestions.sort(key=lambda item: (-item.score, item.volunteer.pk))
    return suggestions[:limit]


def starter_request_candidates(group: Group, *, limit: int, matching_only: bool) -> list[Volunteer]:
    """The volunteers a request to start `group` would go to: the best-suited active ones
    (`starter_suggestions`) not asked before (still thinking, declined or let it expire); with
    `matching_only`, those who would start groups on its topic or speak one of its languages."""
    asked = set(
        StarterRequest.objects.filter(
            group=group,
            status__in=[StarterRequest.Status.PENDING, StarterRequest.Status.DECLINED, StarterRequest.Status.EXPIRED],
        ).values_list("volunteer_id", flat=True)
    )
    chosen = [
        suggestion.volunteer
        for suggestion in starter_suggestions(group, limit=None)
        if suggestion.volunteer.pk not in asked and (suggestion.matches or not matching_only)
    ]
    return chosen[:limit]


# --- checklist, notes and phase-out ---------------------------------------------------------------


def checklist_reached(group_ids: list[int]) -> dict[int, set[int]]:
    """The checklist items each group's starters have logged as reached, by group id: one query
    for any number of groups."""
    reached: dict[int, set[int]] = {}
    for group_id, item_id in SessionLog.checklist.through.objects.filter(
        sessionlog__assignment__group_id__in=group_ids
    ).values_list("sessionlog__assignment__group_id", "checklistitem_id"):
        reached.setdefault(group_id, set()).add(item_id)
    return reached


def checklist_progress(group: Group) -> dict[int, bool]:
    """Which of the centre's checklist items the group has reached, from its starters' logs."""
    reached = checklist_reached([group.pk]).get(group.pk, set())
    return {item.pk: item.pk in reached for item in checklist_items(group.centre)}


def names_in_note(note: str, group_id: int) -> list[str]:
    """Names of the group's members that appear in `note` (whole words, any case)."""
    names = set()
    for display_name, full_name in Membership.objects.filter(group_id=group_id, left_on__isnull=True).values_list(
        "person__display_name", "person__full_name"
    ):
        for name in (display_name, full_name):
            if name and len(name.strip()) >= 3:
                names.add(name.strip())
                names.update(part for part in name.split() if len(part) >= 3)
    return sorted(name for name in names if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", note, flags=re.IGNORECASE))


@dataclass
class PhaseOutDue:
    group: Group
    reasons: list[str]


def phase_outs_due(centre_ids: list[int] | None = None) -> list[PhaseOutDue]:
    """Starting groups whose active starters may phase out (see `phase_out_reasons`)."""
    assignments = StarterAssignment.objects.filter(
        status=StarterAssignment.Status.ACTIVE, group__status=Group.Status.STARTING
    )
    if centre_ids is not None:
        assignments = assignments.filter(centre_id__in=centre_ids)
    return [
        PhaseOutDue(group=group, reasons=reasons)
        for group, reasons in phase_out_reasons_by_group(assignments).values()
        if reasons
    ]


def phase_out_reasons_by_group(
    assignments: QuerySet[StarterAssignment],
) -> dict[int, tuple[Group, list[str]]]:
    """The phase-out reasons of the groups of `assignments` (active ones), in three queries
    whatever their number: the assignments with the meetings held since each began, the
    centres' checklist items, and the steps the groups reached."""
    held = (
        Meeting.objects.filter(
            group_id=OuterRef("group_id"),
            status=Meeting.Status.SCHEDULED,
            starts_at__lt=timezone.now(),
            starts_at__date__gte=OuterRef("starts_on"),
        )
        .order_by()
        .values("group_id")
        .annotate(count=Count("id"))
        .values("count")
    )
    rows = list(
        assignments.annotate(held=Coalesce(Subquery(held), 0))
        .select_related("group__centre")
        .order_by("group__name", "group_id", "pk")
    )
    groups = {assignment.group_id: assignment.group for assignment in rows}
    items: dict[int, set[int]] = {}
    for centre_id, item_id in ChecklistItem.objects.filter(
        centre_id__in={group.centre_id for group in groups.values()}, is_active=True
    ).values_list("centre_id", "pk"):
        items.setdefault(centre_id, set()).add(item_id)
    reached = checklist_reached(list(groups))
    found = {}
    for group_id, group in groups.items():
        reasons = []
        wanted = items.get(group.centre_id, set())
        if wanted and wanted <= reached.get(group_id, set()):
            reasons.append(str(gettext_lazy("the self-run checklist is complete")))
        done = next((row for row in rows if row.group_id == group_id and row.held >= row.planned_meetings), None)
        if done is not None:
            reasons.append(
                ngettext(
                    "the planned meeting has taken place",
                    "the %(count)s planned meetings have taken place",
                    done.planned_meetings,
                )
                % {"count": done.planned_meetings}
            )
        found[group_id] = (group, reasons)
    return found


# --- requests and recruitment ---------------------------------------------------------------------


def starter_request_from_token(token: str) -> StarterRequest | None:
    """The request a link from a request mail names, or None for a forged or expired link."""
    payload = unsign("volunteer.request", token)
    if payload is None:
        return None
    return (
        StarterRequest.objects.select_related("group__centre", "group__topic", "volunteer__person")
        .filter(pk=payload.get("r"))
        .first()
    )


def open_needs(centre_ids: list[int]) -> QuerySet[RecruitmentNeed]:
    """The centres' recruitment needs not met yet."""
    return (
        RecruitmentNeed.objects.filter(centre_id__in=centre_ids, resolved_at__isnull=True)
        .select_related("centre", "group__topic", "topic")
        .order_by("centre_id", "kind", "raised_at", "pk")
    )


# --- portal logins --------------------------------------------------------------------------------


def portal_volunteers(email: str) -> QuerySet[Volunteer]:
    """Volunteers who may use the portal with this address: confirmed and not retired."""
    return (
        Volunteer.objects.filter(person__email__iexact=email.strip(), email_confirmed_at__isnull=False)
        .exclude(status=Volunteer.Status.RETIRED)
        .select_related("person", "centre", "user")
    )


def linked_volunteers(user: User) -> QuerySet[Volunteer]:
    """The volunteer records a portal login reaches: linked to it and still at its address (an
    address changed by a coordinator no longer opens the old login)."""
    if not user.email:
        return Volunteer.objects.none()
    return portal_volunteers(user.email).filter(user=user)


def is_portal_user(user: User | AnonymousUser) -> bool:
    """A login that only opens the portal: active, not staff, no staff role anywhere."""
    return (
        isinstance(user, User)
        and user.is_active
        and not user.is_staff
        and not user.is_superuser
        and not user.staff_roles.exists()
        and not hasattr(user, "federation_role")
    )


def portal_user_by_email(email: str) -> User | None:
    """The portal login of this address, for password login."""
    volunteer = portal_volunteers(email).filter(user__email__iexact=email.strip()).first()
    if volunteer is None or volunteer.user is None or not is_portal_user(volunteer.user):
        return None
    return volunteer.user


def portal_volunteer_ids(user: User | AnonymousUser) -> list[int]:
    """The volunteer records the portal shows this login: see `linked_volunteers`."""
    if not isinstance(user, User) or not user.is_authenticated:
        return []
    return list(linked_volunteers(user).values_list("pk", flat=True))


# --- the volunteer portal -------------------------------------------------------------------------


def my_assignments(volunteer_ids: list[int]) -> list[StarterAssignment]:
    """The volunteer's open assignments (active or phasing out), soonest start first."""
    return list(
        StarterAssignment.objects.filter(volunteer_id__in=volunteer_ids)
        .exclude(status=StarterAssignment.Status.ENDED)
        .select_related("group__centre", "group__topic", "volunteer")
        .order_by("starts_on", "pk")
    )


@dataclass
class ChecklistStep:
    item: ChecklistItem
    reached: bool


def my_groups_members(assignments: list[StarterAssignment]) -> dict[int, list[Membership]]:
    """The current members of each assigned group that has no contact person yet, by group id:
    whom a starter may record as the contact person the group chose (a group's own starters know
    its members; the portal names them only for this choice, and only until it is made)."""
    members: dict[int, list[Membership]] = {assignment.group_id: [] for assignment in assignments}
    for membership in (
        Membership.objects.filter(group_id__in=list(members), left_on__isnull=True)
        .exclude(group_id__in=ContactPerson.objects.filter(ended_at__isnull=True).values("group_id"))
        .select_related("person", "group")
        .order_by("person__display_name")
    ):
        members[membership.group_id].append(membership)
    return members


def my_checklists(assignments: list[StarterAssignment]) -> dict[int, list[ChecklistStep]]:
    """Each assigned group's checklist (the self-run checklist, or a crisis spell's own) with the
    steps its starters have reached, by group id: one query for the progress of all groups (a
    centre's default checklists are made on first use, see `checklist_items`)."""
    reached = checklist_reached([assignment.group_id for assignment in assignments])
    items_by_list: dict[tuple[int, bool], list[ChecklistItem]] = {}
    result = {}
    for assignment in assignments:
        key = (assignment.group.centre_id, assignment.is_crisis)
        if key not in items_by_list:
            items_by_list[key] = checklist_items(assignment.group.centre, crisis=assignment.is_crisis)
        result[assignment.group_id] = [
            ChecklistStep(item=item, reached=item.pk in reached.get(assignment.group_id, set()))
            for item in items_by_list[key]
        ]
    return result


def _since_each_start(assignments: list[StarterAssignment]) -> Q:
    """The meetings of the assignments' groups from each assignment's start."""
    condition = Q()
    for assignment in assignments:
        condition |= Q(group_id=assignment.group_id, starts_at__date__gte=assignment.starts_on)
    return condition


def my_upcoming_meetings(assignments: list[StarterAssignment], *, days: int = UPCOMING_DAYS) -> list[Meeting]:
    """The next `days` days of meetings of the groups the volunteer starts, cancelled ones too
    (so they know), from each assignment's start."""
    if not assignments:
        return []
    now = timezone.now()
    return list(
        Meeting.objects.filter(
            _since_each_start(assignments), ends_at__gte=now, starts_at__lt=now + timedelta(days=days)
        )
        .select_related("group", "room__location")
        .order_by("starts_at", "pk")[:100]
    )


def meetings_to_log(assignments: list[StarterAssignment], *, days: int = LOGGABLE_DAYS) -> list[MeetingToLog]:
    """Meetings of the volunteer's groups that took place in the last `days` days, since each
    assignment began, and that the assignment has not logged yet. Each meeting carries
    `assignment_id` for the form."""
    if not assignments:
        return []
    now = timezone.now()
    by_group = {assignment.group_id: assignment.pk for assignment in assignments}
    logged = set(SessionLog.objects.filter(assignment__in=assignments).values_list("assignment_id", "meeting_id"))
    meetings = (
        Meeting.objects.filter(
            _since_each_start(assignments),
            status=Meeting.Status.SCHEDULED,
            starts_at__lt=now,
            starts_at__gte=now - timedelta(days=days),
        )
        .annotate(
            assignment_id=Case(
                *[When(group_id=group_id, then=Value(pk)) for group_id, pk in by_group.items()],
                output_field=IntegerField(),
            )
        )
        .select_related("group")
        .order_by("-starts_at", "-pk")[:200]
    )
    return [meeting for meeting in meetings if (meeting.assignment_id, meeting.pk) not in logged]


def my_session_logs(volunteer_ids: list[int]) -> QuerySet[SessionLog]:
    return (
        SessionLog.objects.filter(assignment__volunteer_id__in=volunteer_ids)
        .select_related("meeting", "assignment__group")
        .prefetch_related("checklist")
        .order_by("-meeting__starts_at", "-pk")
    )


def my_hours_by_month(volunteer_ids: list[int], *, months: int = 12) -> list[dict[str, Any]]:
    """Logged hours and sessions per month over the last `months` months, newest first, months
    in the installation's time zone. Months without sessions are left out."""
    zone = timezone.get_current_timezone()
    first = timezone.localdate().replace(day=1)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    rows = (
        SessionLog.objects.filter(
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
        StarterRequest.objects.filter(
            volunteer_id__in=volunteer_ids,
            status=StarterRequest.Status.PENDING,
            created_at__gte=timezone.now() - timedelta(seconds=REQUEST_MAX_AGE),
        )
        .select_related("group__centre", "group__topic")
        .order_by("created_at", "pk")
    )
