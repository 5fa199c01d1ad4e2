"""Tenants (centres), their staff, the people they know, consent records and the audit log.

Every model that holds personal data carries a `centre` and a scoped default manager: a query
outside `centres.scoping.centre_scope(...)` raises instead of returning another centre's rows.
"""

import functools
import re
import zoneinfo

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from config.validators import validate_single_line

LANGUAGE_CHOICES = [(code, name) for code, name in settings.LANGUAGES]


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_sms_sender(value: str) -> None:
    """An alphanumeric sender ID, as SMS networks take it: 3 to 11 ASCII letters or digits."""
    if not (3 <= len(value) <= 11 and value.isascii() and value.isalnum()) or value.isdigit():
        raise ValidationError(
            _("An SMS sender is 3 to 11 letters or digits, at least one a letter, without spaces or accents.")
        )


# An origin a partner's page is served from: https, a host name (optionally "*." for its
# subdomains) and a port; no path. What a CSP `frame-ancestors` source may name, and no more.
ORIGIN = re.compile(
    r"^https://(\*\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+(:\d{1,5})?$"
)
MAX_FRAME_ORIGINS = 20


def frame_origin_list(value: str) -> list[str]:
    """The origins of a text with one per line (blank lines and surrounding spaces ignored)."""
    return [line.strip().rstrip("/").lower() for line in (value or "").splitlines() if line.strip()]


def validate_frame_origins(value: str) -> None:
    origins = frame_origin_list(value)
    wrong = [origin for origin in origins if not ORIGIN.match(origin)]
    if wrong:
        raise ValidationError(
            _("%(origins)s: give each website as https:// and its host name only, e.g. https://www.example.org."),
            params={"origins": ", ".join(wrong[:3])},
        )
    if len(origins) > MAX_FRAME_ORIGINS:
        raise ValidationError(_("At most %(count)s websites."), params={"count": MAX_FRAME_ORIGINS})


def _luminance(colour: str) -> float:
    def channel(hex_digits: str) -> float:
        value = int(hex_digits, 16) / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(colour[index : index + 2]) for index in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def validate_colour(value: str) -> None:
    """A colour white text stays readable on (WCAG AA, contrast at least 4.5:1): buttons carry it."""
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise ValidationError(_("Give the colour as # and six hex digits, e.g. #1f6f8b."))
    if 1.05 / (_luminance(value) + 0.05) < 4.5:
        raise ValidationError(_("%(colour)s is too light for white text on buttons: choose a darker one."),
                              params={"colour": value})  # fmt: skip


def validate_time_zone(value: str) -> None:
    if value not in _time_zones():
        raise ValidationError(_("%(value)s is not a known IANA time zone."), params={"value": value})


class DiscreetListing(models.TextChoices):
    WITH_TIMES = "times", _("Like any group, with times and place")
    WITHOUT_TIMES = "ask", _("Without times or place: visitors ask the centre")
    HIDDEN = "hidden", _("Not at all")


class Centre(models.Model):
    """A contact point: the tenant every person, group and mail belongs to."""

    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Berlin", validators=[validate_time_zone]
    )
    default_language = models.CharField(_("default language"), max_length=8, choices=LANGUAGE_CHOICES, default="de")
    sender_name = models.CharField(_("sender name"), max_length=200, blank=True, validators=[validate_single_line])
    sender_email = models.EmailField(_("sender e-mail address"), blank=True)
    sms_sender = models.CharField(
        _("SMS sender"),
        max_length=11,
        blank=True,
        validators=[validate_sms_sender],
        help_text=_("The name a text message shows as its sender: 3 to 11 letters or digits, no spaces."),
    )
    email = models.EmailField(_("contact e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True, validators=[validate_single_line])
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True, validators=[validate_single_line])
    city = models.CharField(_("city"), max_length=100, blank=True, validators=[validate_single_line])
    country = models.CharField(_("country code"), max_length=2, blank=True, help_text=_("ISO 3166, e.g. DE"))
    starter_planned_meetings = models.PositiveSmallIntegerField(
        _("meetings planned per starter"),
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text=_("How many of a new group's first meetings its starters attend, unless set otherwise."),
    )
    crisis_starter_meetings = models.PositiveSmallIntegerField(
        _("meetings of a crisis spell"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("At most how many meetings starters attend when they return to a self-run group in a crisis."),
    )
    offer_places_at_once = models.BooleanField(
        _("offer freed places at once"),
        default=False,
        help_text=_(
            "When a place frees up in a full group, offer it by e-mail at once to whoever has waited longest; "
            "otherwise a coordinator sends the offer with one click."
        ),
    )
    evaluation_enabled = models.BooleanField(
        _("ask groups for an anonymous evaluation"),
        default=False,
        help_text=_(
            "At a group's phase-out and six months later, its members get a short anonymous questionnaire "
            "(well-being and whether they would recommend the group)."
        ),
    )
    discreet_groups_listed = models.CharField(
        _("discreet groups in the public finder"),
        max_length=10,
        choices=DiscreetListing.choices,
        default=DiscreetListing.WITHOUT_TIMES,
        help_text=_("How the public finder and the open data show a publicly listed discreet group."),
    )
    frame_origins = models.TextField(
        _("websites that may show the group finder"),
        blank=True,
        validators=[validate_frame_origins],
        help_text=_(
            "One per line, e.g. https://www.example.org. Only these may show the finder and the group pages "
            "in a frame; every other site is refused."
        ),
    )
    brand_colour = models.CharField(
        _("colour of the embedded finder"),
        max_length=7,
        blank=True,
        validators=[validate_colour],
        help_text=_("Links and buttons of the embedded finder in your colour, e.g. #1f6f8b."),
    )
    starters_needed = models.PositiveSmallIntegerField(
        _("starters per new group"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(2)],
        help_text=_("How many starters a new group should have; fewer raise a recruitment need."),
    )
    founding_group_size = models.PositiveSmallIntegerField(
        _("people waiting to found a group"),
        default=4,
        validators=[MinValueValidator(2), MaxValueValidator(30)],
        help_text=_("When this many wait for the same topic and language, coordinators are told to found a group."),
    )
    enquiry_retention_months = models.PositiveSmallIntegerField(
        _("keep finished enquiries for (months)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("Closed and withdrawn enquiries are anonymised after this; only counts remain."),
    )
    # How long each other kind of personal data is kept (`centres.services.retention`, nightly).
    mail_retention_months = models.PositiveSmallIntegerField(
        _("keep e-mail addresses in sent mail for (months)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("Then a sent mail keeps only its kind, dates and outcome; the ESP's events about it go."),
    )
    former_member_retention_months = models.PositiveSmallIntegerField(
        _("keep people who left for (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_(
            "Ended memberships and subscriptions, absences and past requests go after this; so does a "
            "person the centre then has nothing else for."
        ),
    )
    volunteer_retention_months = models.PositiveSmallIntegerField(
        _("keep retired volunteers for (months)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Then a retired volunteer is erased; the hours they logged stay, anonymous."),
    )
    audit_retention_months = models.PositiveSmallIntegerField(
        _("keep the audit log for (months)"),
        default=36,
        validators=[MinValueValidator(12), MaxValueValidator(120)],
        help_text=_("Entries hold ids and field names only; older ones are deleted."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # The tenant scopes itself: staff see the centres they work for, nothing else.
    objects = ScopedManager(centre="id")

    class Meta:
        ordering = ["name"]
        verbose_name = _("centre")
        verbose_name_plural = _("centres")

    def __str__(self) -> str:
        return self.name


class StaffRole(models.Model):
    """A user's role at one centre. Coordinators work with people; centre admins also manage staff."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        CENTRE_ADMIN = "centre_admin", _("Centre admin")

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="staff_roles", verbose_name=_("centre"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.COORDINATOR)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["centre", "user__username"]
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [models.UniqueConstraint(fields=["centre", "user"], name="staffrole_one_role_per_centre")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.centre}"


class FederationRole(models.Model):
    """A federation admin sees totals across all centres: counts only, never personal data."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="federation_role", verbose_name=_("user")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("federation role")
        verbose_name_plural = _("federation roles")

    def __str__(self) -> str:
        return str(self.user)


class Person(models.Model):
    """A human known to one centre, whether member, volunteer, subscriber or several at once."""

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="people", verbose_name=_("centre"))
    display_name = models.CharField(
        _("display name"),
        max_length=120,
        help_text=_("The name or pseudonym the person wants to be called by."),
        validators=[validate_single_line],
    )
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["display_name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                "centre",
                Lower("email"),
                condition=~models.Q(email=""),
                name="person_unique_email_per_centre",
                violation_error_message=_("A person with this e-mail address is already known to this centre."),
            ),
            models.CheckConstraint(condition=~models.Q(display_name=""), name="person_display_name_not_empty"),
        ]
        indexes = [models.Index(fields=["centre", "display_name"], name="person_centre_name_idx")]

    def __str__(self) -> str:
        return self.display_name


class ConsentRecord(models.Model):
    """Evidence that a person agreed to one purpose, with the exact text version they saw."""

    class Purpose(models.TextChoices):
        HEALTH_DATA = "health_data", _("Processing of health-related data")
        GROUP_MEMBERSHIP = "group_membership", _("Group membership and meeting reminders")
        NEWSLETTER = "newsletter", _("Newsletter")
        VOLUNTEERING = "volunteering", _("Volunteering")
        # Texts about their meetings to their mobile number: a consent of its own, never assumed.
        SMS = "sms", _("Meeting texts (SMS)")

    class Source(models.TextChoices):
        WEB_FORM = "web_form", _("Web form")
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone")
        IN_PERSON = "in_person", _("In person")
        PAPER = "paper", _("Signed on paper")
        # The double opt-in: the person clicked the link mailed to their address. Only the
        # confirmation pages record it; staff never hold that link.
        CONFIRMATION_LINK = "confirmation_link", _("Confirmed by the link in an e-mail")

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="consents", verbose_name=_("centre"))
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents", verbose_name=_("person"))
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    text_version = models.CharField(
        _("text version"), max_length=50, help_text=_("Which version of the consent text the person agreed to.")
    )
    given_at = models.DateTimeField(_("given at"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["-given_at", "-id"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True) | models.Q(withdrawn_at__gte=models.F("given_at")),
                name="consent_withdrawn_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.text_version})"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class AuditLogEntry(models.Model):
    """One staff action on personal data: who, what, which object, when. Never the content."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")
        VIEW = "view", _("Viewed")
        WITHDRAW = "withdraw", _("Consent withdrawn")
        EXPORT = "export", _("Exported")
        LIST = "list", _("Listed")
        SIGN_OUT = "sign_out", _("Signed out everywhere")

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="audit_log", verbose_name=_("centre"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100, help_text=_("app_label.model"))
    object_id = models.CharField(_("object id"), max_length=40)
    changed_fields = models.JSONField(_("changed fields"), default=list, blank=True, help_text=_("Names only."))
    # Who acted when no staff user did: a group's contact person on their page ("contact-person:12").
    acting_as = models.CharField(_("acting as"), max_length=60, blank=True, default="")
    # A list read: its filters (a value that could name someone, like a search term, is kept as
    # "present") and how many rows it showed of this centre.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows shown"), null=True, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


class StaffInvitation(models.Model):
    """An invitation to work for a centre, mailed to an address as a signed single-use link
    (`centres.services.accounts`). It changes no account until the address's owner accepts; only then is
    an account made (for an address with no staff account) or given the role. Accepting, revoking
    or expiring deletes the row."""

    centre = models.ForeignKey(
        Centre, on_delete=models.CASCADE, related_name="staff_invitations", verbose_name=_("centre")
    )
    email = models.EmailField(_("e-mail address"))
    name = models.CharField(_("name"), max_length=150, blank=True)
    role = models.CharField(
        _("role"), max_length=20, choices=StaffRole.Role.choices, default=StaffRole.Role.COORDINATOR
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    # The SHA-256 of the link's secret: the link itself is stored nowhere but in the mail.
    key_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("staff invitation")
        verbose_name_plural = _("staff invitations")
        constraints = [
            models.UniqueConstraint("centre", Lower("email"), name="staffinvitation_one_per_address_and_centre"),
        ]

    def __str__(self) -> str:
        return f"{self.email} · {self.get_role_display()} · {self.centre}"


class UserSession(AbstractBaseSession):
    """A browser session (the session engine `centres.sessions`) that knows its user, so that
    all of one user's sessions can be ended at once: on a password change, a deactivation, the
    end of their last role, or at a centre admin's request."""

    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    # Not `Meta(AbstractBaseSession.Meta)`: that holds only `abstract` and these two names, which
    # its stubs type as plain str where Django gives translated text.
    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    @classmethod
    def get_session_store_class(cls):
        from centres.sessions import SessionStore

        return SessionStore


class JobRun(models.Model):
    """When a scheduled job last finished without an error, one row per job (its task name):
    what `/readyz/` reads to tell that beat and a worker are alive, and what the metrics show
    an operator. Belongs to the platform, not to a centre."""

    name = models.CharField(_("job"), max_length=100, unique=True)
    last_success_at = models.DateTimeField(_("last success at"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")

    def __str__(self) -> str:
        return self.name
