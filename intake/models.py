"""Intake and placement: enquiries from people looking for a group, the coordinator's notes on
them, the intake conversation and the outcome. Every row belongs to a centre and is scoped.

These models began in the meetings app: their tables keep the names they had there
(`db_table`), so moving them to this app moved no data."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from centres.models import LANGUAGE_CHOICES, Centre, Person
from config.validators import validate_single_line


def new_referral_code() -> str:
    """Eight letters and digits a person can type from a printed flyer (no 0/O or 1/l/I)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class ReferralPartner(models.Model):
    """A practice, clinic or counselling service that sends people to the centre. Its referral
    link and flyer name it, so an enquiry made through them records who referred; the partner
    learns nothing about the people it refers."""

    class Kind(models.TextChoices):
        PRACTICE = "practice", _("Doctor's or therapist's practice")
        CLINIC = "clinic", _("Clinic or hospital")
        COUNSELLING = "counselling", _("Counselling service")
        SOCIAL = "social", _("Social service or authority")
        OTHER = "other", _("Other partner")

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True, validators=[validate_single_line])
    contact_email = models.EmailField(_("contact e-mail address"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    code = models.CharField(_("referral code"), max_length=16, unique=True, default=new_referral_code, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("referral partner")
        verbose_name_plural = _("referral partners")
        constraints = [
            models.UniqueConstraint(fields=["centre", "name"], name="referralpartner_name_once_per_centre"),
        ]

    def __str__(self) -> str:
        return self.name


class Enquiry(models.Model):
    """Someone asking for a self-help group, from the first contact to the outcome. The wishes
    are kept for matching; after the centre's retention period a closed or withdrawn enquiry is
    anonymised and only its counts remain."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        CONVERSATION_SCHEDULED = "conversation_scheduled", _("Intake conversation scheduled")
        CONVERSATION_HELD = "conversation_held", _("Intake conversation held")
        PLACED = "placed", _("Placed in a group")
        WAITING = "waiting", _("On a waiting list")
        REFERRED = "referred", _("Referred elsewhere")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        CLOSED = "closed", pgettext_lazy("enquiry status", "Closed")

    class Channel(models.TextChoices):
        WEB = "web", _("Web form")
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone")
        IN_PERSON = "in_person", _("In person")

    class ConversationKind(models.TextChoices):
        PHONE = "phone", _("By phone")
        IN_PERSON = "in_person", _("In person")

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enquiries",
        verbose_name=_("person"),
        help_text=_("Empty once the enquiry is anonymised."),
    )
    # Whether the enquiry brought the person to the centre: only then may retention delete them.
    person_created = models.BooleanField(_("person new with this enquiry"), default=False)
    # Sent from the public form with an address the centre knew already: nothing shows it came
    # from that person, so it belongs to no one (no person, no consent) until the address
    # confirms it (`services.enquiry_confirm`); unconfirmed, it is deleted after 30 days.
    awaiting_confirmation = models.BooleanField(
        _("waiting for the e-mail address to confirm"),
        default=False,
        help_text=_("The enquiry used an address the centre knew; it counts only once that address confirms it."),
    )
    consent = models.ForeignKey(
        "centres.ConsentRecord",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent to process health-related data"),
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    # Who sent the person (a partner's link or flyer): counted by the year report; kept on anonymising.
    referred_by = models.ForeignKey(
        ReferralPartner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enquiries",
        verbose_name=_("referred by"),
    )
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.NEW)
    language = models.CharField(_("preferred language"), max_length=8, choices=LANGUAGE_CHOICES)
    topics = models.ManyToManyField(
        "meetings.Topic",
        blank=True,
        related_name="enquiries",
        verbose_name=_("topics"),
        db_table="meetings_enquiry_topics",
    )
    age_band = models.CharField(_("age band"), max_length=10, blank=True, default="")
    weekdays = models.JSONField(
        _("preferred weekdays"), default=list, blank=True, help_text=_("0 = Monday … 6 = Sunday.")
    )
    daytime = models.BooleanField(_("daytime suits"), default=False)
    evening = models.BooleanField(_("evening suits"), default=False)
    location = models.ForeignKey(
        "meetings.Location",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("preferred location"),
    )
    is_relative = models.BooleanField(_("asks as a relative"), default=False)
    message = models.TextField(_("message"), blank=True)
    # The intake conversation: by phone at a time, or in person in a booked room.
    conversation_kind = models.CharField(
        _("conversation"), max_length=20, choices=ConversationKind.choices, blank=True, default=""
    )
    conversation_at = models.DateTimeField(_("conversation at"), null=True, blank=True)
    conversation_meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("room booking for the conversation"),
    )
    # The outcome.
    waiting_topic = models.ForeignKey(
        "meetings.Topic",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="waiting_enquiries",
        verbose_name=_("waiting for a group on"),
    )
    waiting_since = models.DateField(_("waiting since"), null=True, blank=True)
    placed_group = models.ForeignKey(
        "meetings.Group",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("placed in"),
    )
    referred_to = models.CharField(_("referred to"), max_length=200, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("taken on by"),
        help_text=_("The coordinator who looks after this enquiry."),
    )
    created_at = models.DateTimeField(_("received at"))
    status_changed_at = models.DateTimeField(_("status changed at"))
    # How long after it came the centre first answered (left "new"): kept through anonymisation,
    # since a duration names no one, for the report's time to first contact.
    first_contact_after = models.DurationField(_("first contact after"), null=True, blank=True)
    finished_at = models.DateTimeField(
        _("finished at"), null=True, blank=True, help_text=_("When it was placed, referred, withdrawn or closed.")
    )
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        db_table = "meetings_enquiry"
        ordering = ["created_at", "id"]
        verbose_name = _("enquiry")
        verbose_name_plural = _("enquiries")
        indexes = [
            models.Index(fields=["centre", "status", "created_at"], name="enquiry_queue_idx"),
            models.Index(fields=["centre", "status", "waiting_topic", "language"], name="enquiry_waiting_idx"),
        ]

    def __str__(self) -> str:
        return f"enquiry #{self.pk}"


# Where an enquiry ends: the outcomes after which it waits only for its retention period.
FINISHED = frozenset({Enquiry.Status.PLACED, Enquiry.Status.REFERRED, Enquiry.Status.WITHDRAWN, Enquiry.Status.CLOSED})


class EnquiryNote(models.Model):
    """A coordinator's note on an enquiry: staff only, never shown to anyone else, and deleted
    when the enquiry is anonymised."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="notes", verbose_name=_("enquiry"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("author")
    )
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        db_table = "meetings_enquirynote"
        ordering = ["created_at", "id"]
        verbose_name = _("enquiry note")
        verbose_name_plural = _("enquiry notes")

    def __str__(self) -> str:
        return f"note #{self.pk}"


class PlaceOffer(models.Model):
    """A freed place in a group, offered to the person who has waited longest for its topic (and
    language and age band): they accept or decline by the link in their mail within seven days,
    then it goes to the next. One open offer per group at a time."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", pgettext_lazy("offer status", "Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    group = models.ForeignKey(
        "meetings.Group", on_delete=models.CASCADE, related_name="place_offers", verbose_name=_("group")
    )
    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="offers", verbose_name=_("enquiry"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    offered_at = models.DateTimeField(_("offered at"))
    expires_at = models.DateTimeField(_("expires at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["-offered_at", "-id"]
        verbose_name = _("place offer")
        verbose_name_plural = _("place offers")
        constraints = [
            models.UniqueConstraint(fields=["group"], condition=models.Q(status="open"), name="placeoffer_one_open"),
        ]

    def __str__(self) -> str:
        return f"offer #{self.pk}"
