"""The public group finder's entries: a publicly listed group with its next meetings and where
they are, and the finder's filters (day, language, place, step-free access) applied to them.
Pure: `selectors.public_groups` reads the rows and filters them here."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from meetings.models import Group, Room

PUBLIC_GROUP_STATUSES = (Group.Status.FORMING, Group.Status.STARTING, Group.Status.SELF_RUN)


@dataclass(frozen=True, slots=True)
class PublicMeeting:
    """A meeting as the finder shows it: when and in which room (shared, with its place)."""

    starts_at: datetime
    room: Room


@dataclass
class PublicGroup:
    group: Group
    next_meetings: list[PublicMeeting]

    @property
    def step_free(self) -> bool:
        return bool(self.next_meetings) and all(m.room.step_free_access for m in self.next_meetings)

    @property
    def hearing_loop(self) -> bool:
        return bool(self.next_meetings) and all(m.room.hearing_loop for m in self.next_meetings)


def finder_entries(
    groups: list[Group],
    meetings_by_group: dict[int, list[PublicMeeting]],
    zone: ZoneInfo,
    *,
    weekday: int | None,
    language: str,
    location_id: int | None,
    step_free: bool,
) -> list[PublicGroup]:
    """The groups that pass the filters, in the given order, each with its next three meetings.
    A weekday or place filter asks that one of the group's meetings (not only the next three)
    falls on it; step-free asks it of the three shown."""
    found = []
    for group in groups:
        meetings = meetings_by_group.get(group.pk, [])
        if language and language not in group.languages:
            continue
        if weekday is not None and not any(m.starts_at.astimezone(zone).weekday() == weekday for m in meetings):
            continue
        if location_id and not any(m.room.location_id == location_id for m in meetings):
            continue
        entry = PublicGroup(group=group, next_meetings=meetings[:3])
        if step_free and not entry.step_free:
            continue
        found.append(entry)
    return found
