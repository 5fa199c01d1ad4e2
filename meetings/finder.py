"""The public group finder's entries: a publicly listed group with its next meetings and where
they are, and the finder's filters (day, language, place, step-free access) applied to them.
Pure: `selectors.public_groups` reads the rows and filters them here."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from meetings.models import WITH_VIDEO, Group, Mode, Room, place_text

PUBLIC_GROUP_STATUSES = (Group.Status.FORMING, Group.Status.STARTING, Group.Status.SELF_RUN)


@dataclass(frozen=True, slots=True)
class PublicMeeting:
    """A meeting as the finder shows it: when, and in which room (shared, with its place) or
    online or outdoors. Never its video link."""

    starts_at: datetime
    room: Room | None
    mode: str = Mode.ROOM
    meeting_point: str = ""

    @property
    def place(self) -> str:
        return place_text(self.mode, self.room.location.name if self.room is not None else "", self.meeting_point)

    @property
    def step_free(self) -> bool:
        """Online, nobody climbs a step; outdoors, nobody can promise there is none."""
        return self.room.step_free_access if self.room is not None else self.mode == Mode.ONLINE


@dataclass
class PublicGroup:
    group: Group
    next_meetings: list[PublicMeeting]

    @property
    def step_free(self) -> bool:
        return bool(self.next_meetings) and all(m.step_free for m in self.next_meetings)

    @property
    def hearing_loop(self) -> bool:
        return bool(self.next_meetings) and all(m.room is not None and m.room.hearing_loop for m in self.next_meetings)

    @property
    def meets_in_a_room(self) -> bool:
        """Whether its step-free access is a room's to tell (an online group has no steps)."""
        return any(m.room is not None for m in self.next_meetings)

    @property
    def meets_online(self) -> bool:
        """Whether its next meetings can be joined by video (online or hybrid)."""
        return any(m.mode in WITH_VIDEO for m in self.next_meetings)


def finder_entries(
    groups: list[Group],
    meetings_by_group: dict[int, list[PublicMeeting]],
    zone: ZoneInfo,
    *,
    weekday: int | None,
    language: str,
    location_id: int | None,
    step_free: bool,
    online: bool = False,
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
        if location_id and not any(m.room is not None and m.room.location_id == location_id for m in meetings):
            continue
        entry = PublicGroup(group=group, next_meetings=meetings[:3])
        if step_free and not entry.step_free:
            continue
        if online and not entry.meets_online:
            continue
        found.append(entry)
    return found
