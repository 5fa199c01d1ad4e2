"""Reads for a self-run group's contact persons: whose link is valid, what their page shows (the
group's meetings, size, what members shared, their requests), and the coordinators' queue."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone

from centres.models import Centre
from centres.scoping import all_centres_scope
from meetings.member_links import contact_token_read
from meetings.models import (
    ContactPerson,
    ContactShare,
    Group,
    GroupRequest,
    HeldStatement,
    Meeting,
    Membership,
    Room,
)


def contact_for_token(token: str) -> ContactPerson | None:
    """The contact role a link names, while it lasts: not stepped down, still a member, the group
    not closed. Read across centres (the link is the key); the caller then works in its centre."""
    contact_id = contact_token_read(token)
    if contact_id is None:
        return None
    with all_centres_scope():
        return (
            ContactPerson.objects.filter(pk=contact_id, ended_at__isnull=True, membership__left_on__isnull=True)
            .exclude(group__status=Group.Status.CLOSED)
            .select_related("group__centre", "group__topic", "membership__person", "centre")
            .first()
        )


def contact_rooms(contact: ContactPerson) -> list[Room]:
    """The rooms a contact person may move a meeting into: the rooms of the group's series and of
    its meetings ahead, and the rooms the centre opens to self-run groups."""
    group_rooms = set(contact.group.series.values_list("room_id", flat=True)) | set(
        Meeting.objects.filter(group=contact.group, ends_at__gt=timezone.now()).values_list("room_id", flat=True)
    )
    return list(
        Room.objects.filter(centre_id=contact.centre_id, is_active=True)
        .filter(Q(pk__in=group_rooms) | Q(open_to_self_run=True))
        .select_related("location")
    )


def contact_meetings(contact: ContactPerson, *, count: int = 10) -> list[Meeting]:
    """The group's next meetings, cancelled ones included (they can be reinstated)."""
    return list(
        Meeting.objects.filter(group=contact.group, ends_at__gt=timezone.now())
        .select_related("room__location", "centre")
        .order_by("starts_at")[:count]
    )


def contact_meeting(contact: ContactPerson, pk: int) -> Meeting | None:
    """One meeting of the contact person's group, ahead; None for any other."""
    return (
        Meeting.objects.filter(pk=pk, group=contact.group, ends_at__gt=timezone.now())
        .select_related("room__location", "centre", "group")
        .first()
    )


def group_member_count(group: Group) -> int:
    return Membership.objects.filter(group=group, left_on__isnull=True).count()


def group_shares(group: Group) -> list[ContactShare]:
    """What current members chose to share with their group's contact persons, and only that."""
    return list(
        ContactShare.objects.filter(membership__group=group, membership__left_on__isnull=True).order_by("first_name")
    )


def contact_requests(contact: ContactPerson, *, count: int = 10) -> list[GroupRequest]:
    """The group's latest requests to the centre, open ones first."""
    return list(GroupRequest.objects.filter(group=contact.group).order_by("-status", "-created_at")[:count])


def group_contacts(group: Group) -> list[ContactPerson]:
    """The group's current contact persons, with the person, for the coordinators' group page."""
    return list(ContactPerson.objects.filter(group=group, ended_at__isnull=True).select_related("membership__person"))


def open_group_requests(centre: Centre) -> QuerySet[GroupRequest]:
    """The coordinators' queue of what groups asked for, oldest first."""
    return (
        GroupRequest.objects.filter(centre=centre, status=GroupRequest.Status.OPEN)
        .select_related("group")
        .order_by("created_at", "id")
    )


def meetings_held(group: Group, year: int) -> list[Meeting]:
    """The meetings the group held in the year (its centre's local year): not cancelled, not
    closed, and over by now. What a grant counts; nothing about who came."""
    zone = ZoneInfo(group.centre.time_zone)
    first = datetime(year, 1, 1, tzinfo=zone)
    return list(
        Meeting.objects.filter(
            group=group,
            status=Meeting.Status.SCHEDULED,
            starts_at__gte=first,
            starts_at__lt=first.replace(year=year + 1),
            ends_at__lte=timezone.now(),
        )
        .select_related("room__location")
        .order_by("starts_at")
    )


def held_statement(group: Group, year: int) -> HeldStatement | None:
    return HeldStatement.objects.filter(group=group, year=year).first()


def held_years(group: Group) -> list[int]:
    """The years a statement can be asked for: from the group's founding to this year."""
    this_year = timezone.localdate().year
    return list(range(this_year, min(group.created_at.year, this_year) - 1, -1))
