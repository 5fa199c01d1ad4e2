"""What the public sees of groups and their meetings: which groups are public, and a meeting as
the finder and a group's page show it (when and where, never a video link)."""

from dataclasses import dataclass
from datetime import datetime

from centres.models import DiscreetListing
from meetings.models import Group, Mode, Room, place_text

PUBLIC_GROUP_STATUSES = (Group.Status.FORMING, Group.Status.STARTING, Group.Status.SELF_RUN)


def shown_in_public(group: Group) -> bool:
    """Whether the public may find the group at all: a discreet one only if its centre lists them."""
    return not (group.discreet and group.centre.discreet_groups_listed == DiscreetListing.HIDDEN)


def times_shown_in_public(group: Group) -> bool:
    """Whether the public may see when and where the group meets: a discreet one only if its
    centre shows them like any group; otherwise visitors ask the centre."""
    return not group.discreet or group.centre.discreet_groups_listed == DiscreetListing.WITH_TIMES


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
