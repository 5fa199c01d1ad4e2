"""Where a series or a meeting takes place: in a room, online, hybrid (a room and a video link) or
outdoors (a meeting point). Only room-bound ones book a room, so only they meet the room guard;
a video link is as private as the roster and is checked here like every other input."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from config.errors import DomainError
from meetings.booking import check_room_in_use
from meetings.models import ROOM_BOUND, WITH_VIDEO, Mode, Room

_url = URLValidator(schemes=["https", "http"])


@dataclass(frozen=True)
class Venue:
    mode: str
    room: Room | None
    video_link: str
    meeting_point: str


def venue_check(
    *, centre_id: int, mode: str, room: Room | None, video_link: str = "", meeting_point: str = ""
) -> Venue:
    """The venue, checked: a room-bound one needs a room of the centre that is in use; an online
    or hybrid one a web address for the video call; an outdoor one a meeting point. What the mode
    does not use is dropped."""
    if mode not in Mode.values:
        raise DomainError(_("Choose where it takes place."), field="mode")
    if mode in ROOM_BOUND:
        if room is None:
            raise DomainError(_("Choose the room."), field="room")
        if room.centre_id != centre_id:
            raise DomainError(_("The room belongs to another centre."), field="room")
        check_room_in_use(room)
    video_link = video_link.strip() if mode in WITH_VIDEO else ""
    if mode in WITH_VIDEO:
        try:
            if len(video_link) > 500:
                raise ValidationError("too long")
            _url(video_link)
        except ValidationError:
            raise DomainError(_("Give the video call's web address (https://…)."), field="video_link") from None
    meeting_point = " ".join(meeting_point.split()) if mode == Mode.OUTDOORS else ""
    if mode == Mode.OUTDOORS and not 1 <= len(meeting_point) <= 300:
        raise DomainError(_("Say where to meet (at most 300 characters)."), field="meeting_point")
    return Venue(
        mode=mode, room=room if mode in ROOM_BOUND else None, video_link=video_link, meeting_point=meeting_point
    )
