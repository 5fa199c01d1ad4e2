"""A self-run group's contact persons, what they ask the centre for, and what members chose to
share with them. Every row belongs to a centre and is tenant-scoped."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from centres.models import Centre

# A group speaks through one or two contact persons.
MAX_CONTACT_PERSONS = 2


class ContactPerson(models.Model):
    """A member the group chose to speak for it. Their link to the group's page names this row,
    so stepping down (or leaving the group) ends the row and the link with it; being chosen again
    makes a new row and a new link."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    group = models.ForeignKey(
        "meetings.Group", on_delete=models.CASCADE, related_name="contact_persons", verbose_name=_("group")
    )
    membership = models.ForeignKey(
        "meetings.Membership", on_delete=models.CASCADE, related_name="contact_roles", verbose_name=_("membership")
    )
    chosen_on = models.DateField(_("chosen on"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("stepped down at"), null=True, blank=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["group", "chosen_on", "id"]
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        constraints = [
            models.UniqueConstraint(
                fields=["membership"], condition=models.Q(ended_at__isnull=True), name="contactperson_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"contact person #{self.pk} of group #{self.group_id}"


class ContactShare(models.Model):
    """A member's consent, of its own, to show their group's contact persons a first name and one
    way to reach them. Withdrawing it deletes the row: nothing of it stays behind."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    membership = models.OneToOneField(
        "meetings.Membership", on_delete=models.CASCADE, related_name="contact_share", verbose_name=_("membership")
    )
    first_name = models.CharField(_("first name"), max_length=60)
    reach_by = models.CharField(_("how to reach me"), max_length=120, help_text=_("A phone number or an address."))
    text_version = models.CharField(_("text version"), max_length=50)
    given_at = models.DateTimeField(_("given at"), auto_now_add=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        verbose_name = _("shared with the group")
        verbose_name_plural = _("shared with the group")

    def __str__(self) -> str:
        return f"share #{self.pk}"


class GroupRequest(models.Model):
    """What a group's contact person asks of the centre: another room, a new series, a new public
    description (published once a coordinator approves it), or something else. Coordinators
    answer it from their queue."""

    class Kind(models.TextChoices):
        ROOM_CHANGE = "room_change", _("Another room")
        NEW_SERIES = "new_series", _("A new series of meetings")
        DESCRIPTION = "description", _("A new public description")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", pgettext_lazy("request status", "Done")
        DECLINED = "declined", pgettext_lazy("request status", "Declined")

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    group = models.ForeignKey(
        "meetings.Group", on_delete=models.CASCADE, related_name="requests", verbose_name=_("group")
    )
    contact = models.ForeignKey(
        ContactPerson,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("asked by"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    message = models.TextField(_("message"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    answer = models.CharField(_("answer"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("request from a group")
        verbose_name_plural = _("requests from groups")
        indexes = [models.Index(fields=["centre", "status"], name="grouprequest_centre_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · group #{self.group_id}"


class HeldStatement(models.Model):
    """The centre's sign-off of the meetings a group held in one year, for the group's grant: how
    many it confirmed, who signed it off and when. Until then the PDF statement is a draft."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    group = models.ForeignKey(
        "meetings.Group", on_delete=models.CASCADE, related_name="held_statements", verbose_name=_("group")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    meetings_held = models.PositiveSmallIntegerField(_("meetings held"))
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("signed off by"),
    )
    signer_name = models.CharField(_("name on the statement"), max_length=150)
    signed_off_at = models.DateTimeField(_("signed off at"))

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["group", "-year"]
        verbose_name = _("statement of meetings held")
        verbose_name_plural = _("statements of meetings held")
        constraints = [models.UniqueConstraint(fields=["group", "year"], name="heldstatement_one_per_year")]

    def __str__(self) -> str:
        return f"{self.year} · group #{self.group_id}"


class StillMeetingCheck(models.Model):
    """ "Still meeting?": the question a self-run group's contact person is mailed once a year, and
    when the group has had no meeting for eight weeks or has fewer members than its minimum. One
    open question per group; unanswered after four weeks, the group shows on the dashboard."""

    class Trigger(models.TextChoices):
        YEARLY = "yearly", _("Once a year")
        NO_MEETINGS = "no_meetings", _("No meeting for eight weeks")
        TOO_FEW = "too_few", _("Fewer members than its minimum")

    class Answer(models.TextChoices):
        NONE = "", _("No answer yet")
        GOES_ON = "goes_on", _("The group goes on")
        PAUSES = "pauses", _("The group pauses")
        ENDS = "ends", _("The group ends")

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    group = models.ForeignKey(
        "meetings.Group", on_delete=models.CASCADE, related_name="still_meeting_checks", verbose_name=_("group")
    )
    contact = models.ForeignKey(
        ContactPerson, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("asked")
    )
    trigger = models.CharField(_("why asked"), max_length=20, choices=Trigger.choices)
    asked_at = models.DateTimeField(_("asked at"))
    answer = models.CharField(_("answer"), max_length=20, choices=Answer.choices, blank=True, default="")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["-asked_at", "-id"]
        verbose_name = _("still meeting? question")
        verbose_name_plural = _("still meeting? questions")
        constraints = [
            models.UniqueConstraint(
                fields=["group"], condition=models.Q(answered_at__isnull=True), name="stillmeeting_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} · group #{self.group_id}"
