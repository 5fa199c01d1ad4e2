"""Groups and their life cycle, memberships, locations and rooms, recurring series, materialised
meetings, closures and calendar tokens (a self-run group's contact persons and requests are in
`meetings.models.contacts`). Every row belongs to a centre and is tenant-scoped."""

import secrets
import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from centres.models import LANGUAGE_CHOICES, Centre, Person
from config.texts import in_language, validate_translations
from config.validators import validate_single_line
from meetings.models.categories import TopicCategory

# Re-exported: callers name the modes from meetings.models.
from meetings.models.venue import ROOM_BOUND, WITH_VIDEO, Mode, place_text, venue_constraint, venue_fields  # noqa: F401


class Topic(models.Model):
    """An entry of a centre's topic list. Topics the centre does not offer (the Danish centres do
    not found religious or political groups) are refused for new groups."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="topics", verbose_name=_("centre"))
    name = models.CharField(_("name"), max_length=120, validators=[validate_single_line])
    name_translations = models.JSONField(
        _("name in other languages"), default=dict, blank=True, validators=[validate_translations]
    )
    is_offered = models.BooleanField(_("offered"), default=True)
    category = models.ForeignKey(
        TopicCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="topics",
        verbose_name=_("category"),
        help_text=_("Where the topic counts in the federation's figures."),
    )
    refusal_message = models.CharField(
        _("refusal message"),
        max_length=300,
        blank=True,
        help_text=_("Shown when someone tries to found a group on a topic that is not offered."),
    )

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [models.UniqueConstraint(fields=["centre", "name"], name="topic_unique_name_per_centre")]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the visitor's language, or as written."""
        return in_language(self.name, self.name_translations)


class Location(models.Model):
    """A building where the centre lends rooms."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="locations", verbose_name=_("centre"))
    name = models.CharField(_("name"), max_length=120, validators=[validate_single_line])
    street = models.CharField(_("street and number"), max_length=200, blank=True, validators=[validate_single_line])
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True, validators=[validate_single_line])
    city = models.CharField(_("city"), max_length=100, blank=True, validators=[validate_single_line])
    directions = models.TextField(_("directions"), blank=True)
    # Entered by hand, or found from the postcode or town in the bundled place table.
    latitude = models.FloatField(
        _("latitude"), null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude"), null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["name"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self) -> str:
        return self.name

    @property
    def address(self) -> str:
        return ", ".join(part for part in (self.street, f"{self.postal_code} {self.city}".strip()) if part)


class Room(models.Model):
    """A room that can hold one live meeting at a time."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("centre"))
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="rooms", verbose_name=_("location"))
    name = models.CharField(_("name"), max_length=120, validators=[validate_single_line])
    capacity = models.PositiveSmallIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    step_free_access = models.BooleanField(_("step-free access"), default=False)
    accessible_toilet = models.BooleanField(_("accessible toilet"), default=False)
    hearing_loop = models.BooleanField(_("hearing loop"), default=False)
    equipment = models.JSONField(_("equipment"), default=list, blank=True, help_text=_("e.g. projector, kitchen"))
    is_active = models.BooleanField(_("active"), default=True)
    open_to_self_run = models.BooleanField(
        _("open to self-run groups"),
        default=False,
        help_text=_("A self-run group's contact person may move a meeting into this room's free time."),
    )

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["location__name", "name"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(fields=["location", "name"], name="room_unique_name_per_location"),
        ]

    def __str__(self) -> str:
        return f"{self.location.name} · {self.name}"


class OpeningHours(models.Model):
    """When a room may be booked on one weekday. A room without any rows is open at all times."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="opening_hours", verbose_name=_("room"))
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["room", "weekday"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.UniqueConstraint(fields=["room", "weekday"], name="openinghours_one_per_weekday"),
            models.CheckConstraint(condition=models.Q(opens__lt=models.F("closes")), name="openinghours_opens_first"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Group(models.Model):
    """A self-help group. Its name is the neutral public display name; members are in rosters."""

    class Status(models.TextChoices):
        FORMING = "forming", _("Forming")
        STARTING = "starting", _("Starting")
        SELF_RUN = "self_run", _("Self-run")
        PAUSED = "paused", _("Paused")
        CLOSED = "closed", pgettext_lazy("group status", "Closed")

    class EndReason(models.TextChoices):
        NONE = "", _("Not ended")
        TOO_FEW = "too_few", _("Too few members")
        NOBODY_CARRIES_ON = "nobody_carries_on", _("Nobody to carry it on")
        NOT_NEEDED = "not_needed", _("The members no longer need it")
        MERGED = "merged", _("Merged with another group")
        NO_ROOM = "no_room", _("No room or time that suits")
        OTHER = "other", _("Another reason")

    class AgeBand(models.TextChoices):
        ANY = "", _("Any age")
        YOUNG = "18-35", _("18 to 35")
        MIDDLE = "35-60", _("35 to 60")
        OLDER = "60+", _("60 and over")

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="groups", verbose_name=_("centre"))
    name = models.CharField(
        _("public name"),
        max_length=120,
        help_text=_("Neutral: it appears in calendars."),
        validators=[validate_single_line],
    )
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="groups", verbose_name=_("topic"))
    description = models.TextField(_("description"), blank=True)
    description_translations = models.JSONField(
        _("description in other languages"), default=dict, blank=True, validators=[validate_translations]
    )
    languages = models.JSONField(_("languages"), default=list, help_text=_('Language codes, e.g. ["de", "en"].'))
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices, blank=True, default="")
    relatives_welcome = models.BooleanField(_("relatives welcome"), default=False)
    min_size = models.PositiveSmallIntegerField(_("minimum size"), default=4, validators=[MinValueValidator(2)])
    max_size = models.PositiveSmallIntegerField(
        _("maximum size"), default=8, validators=[MinValueValidator(2), MaxValueValidator(40)]
    )
    discreet = models.BooleanField(
        _("discreet"), default=False, help_text=_("No topic words in e-mail subjects or calendar entries.")
    )
    publicly_listed = models.BooleanField(_("publicly listed"), default=True)
    accepts_newcomers = models.BooleanField(_("accepts newcomers"), default=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.FORMING)
    status_reason = models.CharField(
        _("reason for the status"),
        max_length=300,
        blank=True,
        help_text=_("Why the group took its last step (about the group, never about a member)."),
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    # Why a closed group ended (the reason's free text is `status_reason`): counted by the reports.
    end_reason = models.CharField(_("why it ended"), max_length=20, choices=EndReason.choices, blank=True, default="")
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        constraints = [
            models.CheckConstraint(condition=models.Q(min_size__lte=models.F("max_size")), name="group_sizes_ordered"),
        ]
        indexes = [models.Index(fields=["centre", "status"], name="group_centre_status_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def display_description(self) -> str:
        """The public description in the visitor's language, or as written."""
        return in_language(self.description, self.description_translations)


class Membership(models.Model):
    """A person in a group. Visible to the centre's coordinators only."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        RELATIVE = "relative", _("Relative")

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("group"))
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    reminder_minutes = models.PositiveIntegerField(
        _("reminder lead time (minutes)"),
        null=True,
        blank=True,
        default=24 * 60,
        help_text=_("Empty: no reminders."),
    )

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["group", "joined_on", "id"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "person"], condition=models.Q(left_on__isnull=True), name="membership_one_active"
            ),
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True) | models.Q(left_on__gte=models.F("joined_on")),
                name="membership_leaves_after_joining",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.group}"


class MeetingSeries(models.Model):
    """A group's rhythm: an RFC 5545 rule from a first date, at a local time, in a room (or
    online, hybrid or outdoors)."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="series", verbose_name=_("group"))
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="series", verbose_name=_("room")
    )
    mode, video_link, meeting_point = venue_fields().values()
    rule = models.CharField(_("recurrence rule"), max_length=300, help_text=_("e.g. FREQ=WEEKLY;BYDAY=TU"))
    starts_on = models.DateField(_("first date"))
    start_time = models.TimeField(_("local start time"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(15), MaxValueValidator(12 * 60)]
    )
    time_zone = models.CharField(_("time zone"), max_length=64)
    materialised_until = models.DateField(_("materialised until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["group", "starts_on"]
        verbose_name = _("meeting series")
        verbose_name_plural = pgettext_lazy("plural", "meeting series")
        constraints = [venue_constraint("series_room_bound_has_room")]

    def __str__(self) -> str:
        return f"{self.group} · {self.rule} {self.start_time:%H:%M}"


class Closure(models.Model):
    """A holiday or closure: the whole centre, one location or one room, for whole days."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="closures", verbose_name=_("centre"))
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="closures", verbose_name=_("location")
    )
    room = models.ForeignKey(
        Room, on_delete=models.CASCADE, null=True, blank=True, related_name="closures", verbose_name=_("room")
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=200, validators=[validate_single_line])
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_on__lte=models.F("ends_on")), name="closure_dates_ordered"
            ),
            models.CheckConstraint(
                condition=models.Q(location__isnull=True) | models.Q(room__isnull=True),
                name="closure_location_or_room",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reason} ({self.starts_on}–{self.ends_on})"


class Meeting(models.Model):
    """One meeting: an occurrence of a series, or a one-off event. It keeps its own state."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    class CancelReason(models.TextChoices):
        NONE = "", _("Not cancelled")
        CANCELLED = "cancelled", _("Cancelled")
        CLOSURE = "closure", _("Closure")
        CLASH = "clash", _("Room taken")
        SERIES_CHANGED = "series_changed", _("No longer in the series")

    # No plain foreign-key indexes: the composite indexes and the unique occurrence constraint
    # below start with the same columns, and every index slows the nightly materialisation.
    centre = models.ForeignKey(
        Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"), db_index=False
    )
    series = models.ForeignKey(
        MeetingSeries,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("series"),
        db_index=False,
    )
    group = models.ForeignKey(
        Group,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("group"),
        db_index=False,
    )
    room = models.ForeignKey(
        Room,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("room"),
        db_index=False,
    )
    mode, video_link, meeting_point = venue_fields().values()
    title = models.CharField(
        _("title"), max_length=200, blank=True, help_text=_("For one-off meetings."), validators=[validate_single_line]
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    original_starts_at = models.DateTimeField(
        _("originally starts at"), null=True, blank=True, help_text=_("The occurrence of the series it stands for.")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = models.CharField(
        _("cancellation reason"), max_length=20, choices=CancelReason.choices, blank=True, default=""
    )
    closure = models.ForeignKey(
        Closure, on_delete=models.SET_NULL, null=True, blank=True, related_name="meetings", verbose_name=_("closure")
    )
    note = models.CharField(_("note"), max_length=300, blank=True, help_text=_("e.g. expert guest"))
    is_changed = models.BooleanField(
        _("changed by hand"), default=False, help_text=_("Moved, cancelled or annotated: kept when the series changes.")
    )
    sequence = models.PositiveIntegerField(_("revision"), default=0)
    uid = models.CharField(_("calendar UID"), max_length=100, unique=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")), name="meeting_ends_after_start"
            ),
            models.UniqueConstraint(fields=["series", "original_starts_at"], name="meeting_one_per_occurrence"),
            models.CheckConstraint(
                condition=models.Q(series__isnull=True) | models.Q(group__isnull=False),
                name="meeting_of_series_has_group",
            ),
            venue_constraint("meeting_room_bound_has_room"),
            # On PostgreSQL, migration 0002 adds an exclusion constraint: no two scheduled
            # meetings overlap in one room.
        ]
        indexes = [
            models.Index(fields=["room", "starts_at"], name="meeting_room_start_idx"),
            models.Index(fields=["centre", "starts_at"], name="meeting_centre_start_idx"),
            models.Index(fields=["group", "starts_at"], name="meeting_group_start_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.display_title} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def display_title(self) -> str:
        """Meetings of a group carry only the group's neutral name."""
        return self.title or (self.group.name if self.group is not None else "")

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.SCHEDULED

    @property
    def place(self) -> str:
        """Where it takes place as anyone may read it: the room and its building, "Online", or
        the meeting point. Never the video link."""
        room = f"{self.room.location.name}, {self.room.name}" if self.room is not None else ""
        return place_text(self.mode, room, self.meeting_point)


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


LANGUAGE_CODES = [code for code, _name in LANGUAGE_CHOICES]

# The models of calendar links and changes, and of self-run groups, in their own modules,
# registered with the app from here.
from meetings.models.calendar import Absence, CalendarChange, CalendarToken  # noqa: E402, F401
from meetings.models.contacts import (  # noqa: E402, F401
    ContactPerson,
    ContactShare,
    GroupRequest,
    HeldStatement,
    StillMeetingCheck,
)
from meetings.models.directory import DirectoryBuild, GroupListing  # noqa: E402, F401
from meetings.models.evaluation import EvaluationAnswer, EvaluationRound  # noqa: E402, F401
from meetings.models.history import GroupStep  # noqa: E402, F401
from meetings.models.phone import PhoneNotice  # noqa: E402, F401
