"""Reads of the coordinators' workspace pages in the meetings app: the groups' list and page
(roster, former members, what closing would do), closures and what a new one would cancel."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from centres.models import Centre
from meetings.booking import local_today
from meetings.models import Closure, Group, Meeting, MeetingSeries, Membership, Topic
from meetings.selectors import closure_future_meetings, membership_list, notice_memberships


def group_topics(centre: Centre) -> QuerySet[Topic]:
    """The topics a group of the centre may be founded on."""
    return Topic.objects.filter(centre=centre, is_offered=True)


@dataclass(frozen=True)
class ClosingEffects:
    """What closing a group would do, shown before it is done."""

    meetings: int
    told: int


def group_closing_effects(group: Group) -> ClosingEffects:
    """The later meetings that would be cancelled and the members who would be told
    (all current members: by mail, by text or on the list to phone), if the group closed now."""
    later = Meeting.objects.filter(group=group, status=Meeting.Status.SCHEDULED, starts_at__gte=timezone.now())
    return ClosingEffects(
        meetings=later.count(),
        told=group_notice_recipients(group) if later.exists() else 0,
    )


def group_notice_recipients(group: Group) -> int:
    """How many people a change notice about the group's meetings reaches (as
    `change_notices_queue` picks them)."""
    return notice_memberships([group.pk], today=timezone.now().date()).count()


def series_first_meeting(series: MeetingSeries) -> Meeting | None:
    """The first meeting of a series that takes place, with its room."""
    return (
        Meeting.objects.filter(series=series, status=Meeting.Status.SCHEDULED)
        .select_related("room")
        .order_by("starts_at")
        .first()
    )


def group_former_members(group: Group) -> list[Membership]:
    """Who left the group, the latest first (for the roster's history)."""
    return list(membership_list().filter(group=group, left_on__isnull=False).order_by("-left_on")[:50])


def workspace_membership(centre: Centre, group: Group, pk: int) -> Membership | None:
    """One membership of the group, as the roster's actions open it."""
    return membership_list().filter(centre=centre, group=group, pk=pk).first()


@dataclass(frozen=True)
class ClosureEffects:
    """What a closure about to be made would cancel, shown before it is made."""

    meetings: int
    groups: int


def closure_effects(closure: Closure) -> ClosureEffects:
    """How many live meetings of how many groups an unsaved closure would cancel."""
    hit = closure_future_meetings(closure).filter(status=Meeting.Status.SCHEDULED)
    return ClosureEffects(meetings=hit.count(), groups=hit.exclude(group=None).values("group").distinct().count())


def workspace_closures(centre: Centre) -> QuerySet[Closure]:
    """The centre's closures that have not ended, then the last year's, the soonest first."""
    since = local_today(centre.time_zone) - timedelta(days=366)
    return (
        Closure.objects.filter(centre=centre, ends_on__gte=since)
        .select_related("location", "room__location")
        .annotate(cancelled=Count("meetings", filter=Q(meetings__starts_at__gte=timezone.now())))
        .order_by("-ends_on", "-starts_on")
    )
