"""The list behind a figure of the year's report: its rows, each as a line a coordinator can read
and the page where they work with it."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from centres.models import Centre
from intake.models import Enquiry
from meetings.models import Group, Meeting
from notifications.models import NewsletterIssue, Subscription, SuppressedAddress
from volunteers.models import SessionLog, StarterAssignment

# What each source's rows need from other tables, so a page of 50 is one query.
RELATED: dict[type[Model], tuple[str, ...]] = {
    Enquiry: ("person",),
    Group: ("topic",),
    Meeting: ("group", "room", "room__location"),
    StarterAssignment: ("volunteer__person", "group"),
    SessionLog: ("assignment__volunteer__person", "assignment__group", "meeting"),
    Subscription: ("person", "newsletter"),
}


@dataclass
class Line:
    text: str
    details: list[str]
    url: str = ""


def with_related(rows: QuerySet[Any]) -> QuerySet[Any]:
    related = RELATED.get(rows.model, ())
    return rows.select_related(*related) if related else rows


def _when(moment: Any) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def line(row: Any, centre: Centre) -> Line:
    slug = centre.slug
    if isinstance(row, Enquiry):
        name = row.person.display_name if row.person_id and row.person else _("anonymised")
        return Line(
            _("Enquiry #%(number)s") % {"number": row.pk} + f" · {name}",
            [_when(row.created_at), row.get_channel_display(), row.get_status_display()],
            reverse("workspace-enquiry", args=[slug, row.pk]),
        )
    if isinstance(row, Group):
        details = [row.topic.display_name, row.get_status_display()]
        return Line(row.name, details, reverse("workspace-group", args=[slug, row.pk]))
    if isinstance(row, Meeting):
        place = f"{row.room.location.name}, {row.room.name}" if row.room else row.place
        return Line(
            row.group.name if row.group else row.title,
            [_when(row.starts_at), place, row.get_status_display()],
            reverse("planner-meeting", args=[slug, row.pk]),
        )
    if isinstance(row, StarterAssignment):
        return Line(
            row.volunteer.person.display_name,
            [row.group.name, date_format(row.starts_on, "SHORT_DATE_FORMAT"), row.get_status_display()],
            reverse("workspace-volunteer", args=[slug, row.volunteer_id]),
        )
    if isinstance(row, SessionLog):
        return Line(
            row.assignment.volunteer.person.display_name,
            [row.assignment.group.name, _when(row.meeting.starts_at), _("%(hours)s hours") % {"hours": row.hours}],
            reverse("workspace-volunteer", args=[slug, row.assignment.volunteer_id]),
        )
    if isinstance(row, Subscription):
        return Line(
            row.person.display_name,
            [row.newsletter.name, row.get_status_display()],
            reverse("workspace-person", args=[slug, row.person_id]),
        )
    if isinstance(row, SuppressedAddress):
        return Line(row.email, [row.get_reason_display(), _when(row.created_at)])
    if isinstance(row, NewsletterIssue):
        return Line(
            row.title,
            [_when(row.started_at) if row.started_at else "", row.get_status_display()],
            reverse("workspace-issue", args=[slug, row.pk]),
        )
    raise TypeError(type(row))
