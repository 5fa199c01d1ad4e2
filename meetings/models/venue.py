"""Where a series or a meeting takes place: its mode (in a room, online, hybrid, outdoors), the
fields that say so, and the words anyone may read for it (never the video link)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from config.validators import validate_single_line


class Mode(models.TextChoices):
    """Where a meeting takes place. Only a room-bound one (in a room, or hybrid) books a room."""

    ROOM = "room", _("In a room")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("In a room and online")
    OUTDOORS = "outdoors", _("Outdoors")


ROOM_BOUND = (Mode.ROOM, Mode.HYBRID)
WITH_VIDEO = (Mode.ONLINE, Mode.HYBRID)


def place_text(mode: str, room: str, meeting_point: str) -> str:
    """Where a meeting takes place as anyone may read it: the room (as the caller names it),
    "Online", or the meeting point. Never the video link."""
    if mode == Mode.ONLINE:
        return str(_("Online"))
    if mode == Mode.OUTDOORS:
        return meeting_point or str(_("Outdoors"))
    return str(_("%(place)s and online") % {"place": room}) if mode == Mode.HYBRID else room


def venue_fields() -> dict[str, models.Field]:
    """How a series or a meeting takes place: the mode, a video link (private: it reaches members
    only by their own channels, never a public page or feed) and an outdoor meeting point."""
    return {
        "mode": models.CharField(_("takes place"), max_length=10, choices=Mode.choices, default=Mode.ROOM),
        "video_link": models.URLField(_("video link"), max_length=500, blank=True),
        "meeting_point": models.CharField(
            _("meeting point"), max_length=300, blank=True, validators=[validate_single_line]
        ),
    }


def venue_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=~models.Q(mode__in=ROOM_BOUND) | models.Q(room__isnull=False), name=name)
