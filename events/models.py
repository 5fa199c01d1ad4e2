"""Events with registration. An event is a room booking (a one-off `meetings.Meeting`, which the
room planner shows like any booking and which this app owns) with a kind, an audience and a number
of places; people register without an account, confirm their address, and hold a place or wait
for one. Every row belongs to a centre and is scoped."""

import secrets
import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from centres.models import LANGUAGE_CHOICES, Centre, Person
from config.validators import validate_single_line

MAX_PLACES = 1000


def new_invitation_code() -> str:
    return secrets.token_urlsafe(18)


class Event(models.Model):
    """An evening, course or training people register for. Public events are listed on the
    centre's pages and in the open data's events feed; an invite-only one is reached only through
    its invitation link."""

    class Kind(models.TextChoices):
        INFORMATION = "information", _("Information evening")
        FOUNDING = "founding", _("Group-founding evening")
        CONTACT_COURSE = "contact_course", _("Course for contact persons")
        VOLUNTEER_TRAINING = "volunteer_training", _("Volunteer training")

    class Audience(models.TextChoices):
        PUBLIC = "public", _("Public: listed on the website")
        INVITED = "invited", _("Invitation only: reached through its link")

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    audience = models.CharField(_("who may register"), max_length=10, choices=Audience.choices)
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    description = models.TextField(_("description"), blank=True, max_length=3000)
    places = models.PositiveSmallIntegerField(
        _("places"), validators=[MinValueValidator(1), MaxValueValidator(MAX_PLACES)]
    )
    # The booking: its time, room (or online / outdoors) and status. Owned by the event.
    meeting = models.OneToOneField(
        "meetings.Meeting", on_delete=models.PROTECT, related_name="event", verbose_name=_("booking")
    )
    invitation_code = models.CharField(
        _("invitation code"), max_length=32, unique=True, default=new_invitation_code, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["meeting__starts_at", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return self.title


class Registration(models.Model):
    """Someone's registration for an event: pending until the address confirms it, then with a
    place or on the waiting list (in the order they confirmed), or cancelled. Name and address
    are kept until 30 days after the event (`events.services.reminders`); the counts stay."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the address to confirm")
        CONFIRMED = "confirmed", _("Has a place")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("event"))
    name = models.CharField(_("name"), max_length=120, blank=True, validators=[validate_single_line])
    email = models.EmailField(_("e-mail address"), blank=True)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    # The centre's person with the confirmed address (a volunteer, a member), if there is one.
    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_registrations",
        verbose_name=_("person"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("registered at"))
    # When the registration joined the queue for a place: its confirmation (or a coordinator's entry).
    queued_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    placed_at = models.DateTimeField(_("place given at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    training_record = models.OneToOneField(
        "volunteers.TrainingRecord",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("training record"),
    )
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["queued_at", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            # One registration per address and event that is not cancelled.
            models.UniqueConstraint(
                "event",
                models.functions.Lower("email"),
                condition=~models.Q(status="cancelled") & ~models.Q(email=""),
                name="registration_once_per_address",
            ),
        ]
        indexes = [models.Index(fields=["event", "status", "queued_at"], name="registration_queue_idx")]

    def __str__(self) -> str:
        return self.name or str(_("Anonymised registration"))
