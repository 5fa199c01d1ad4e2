"""Matching an enquiry to groups: each live group of the centre gets a score from topic,
language, age band, day and time of its meetings, place, free places and whether it takes
newcomers, with the reasons spelled out for the coordinator. Three queries, whatever the size."""

from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from meetings.intake.models import Enquiry
from meetings.models import Group, Meeting

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


def group_suggestions(enquiry: Enquiry, *, limit: int = 10) -> list[GroupSuggestion]:
    """The centre's live groups ranked for the enquiry, best first, each with its reasons."""
    now, zone = timezone.now(), ZoneInfo(enquiry.centre.time_zone)
    topic_ids = set(enquiry.topics.values_list("pk", flat=True))
    groups = list(
        Group.all_centres.filter(centre_id=enquiry.centre_id, status__in=LIVE_GROUP_STATUSES)
        .select_related("topic")
        .annotate(members=Count("memberships", filter=Q(memberships__left_on__isnull=True)))
    )
    upcoming: dict[int, list[tuple]] = {}
    for group_id, starts_at, location_id in Meeting.all_centres.filter(
        group_id__in=[group.pk for group in groups],
        status=Meeting.Status.SCHEDULED,
        starts_at__gte=now,
        starts_at__lt=now + timedelta(days=LOOK_AHEAD_DAYS),
    ).values_list("group_id", "starts_at", "room__location_id"):
        upcoming.setdefault(group_id, []).append((timezone.localtime(starts_at, zone), location_id))
    suggestions = []
    for group in groups:
        suggestion = GroupSuggestion(group=group, free_places=max(0, group.max_size - group.members))
        if group.topic_id in topic_ids:
            suggestion.add("topic", _("on the topic asked for: %(topic)s") % {"topic": group.topic.name})
        if enquiry.language in group.languages:
            suggestion.add("language", _("meets in the preferred language"))
        meetings = upcoming.get(group.pk, [])
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
        suggestions.append(suggestion)
    suggestions.sort(key=lambda item: (-item.score, -item.free_places, item.group.pk))
    return suggestions[:limit]
