"""A member's private calendar links, their "I can't come", and the change log that versions a
centre's calendar caches. Every row but the change log belongs to a centre and is scoped."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from centres.models import Centre, Person
from meetings.models import new_calendar_token


class CalendarToken(models.Model):
    """The secret in a private calendar feed URL. Revoking it makes the URL dead.

    A token of one membership (the one a member's own page offers) shows that group only: whoever
    holds a member's link for one group learns nothing of the person's other groups. A token
    without a membership shows all the person's groups; staff issue it to the person."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="calendar_tokens", verbose_name=_("person")
    )
    membership = models.ForeignKey(
        "meetings.Membership",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_tokens",
        verbose_name=_("membership"),
        help_text=_("Empty: the feed shows all the person's groups."),
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_calendar_token, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        verbose_name = _("calendar link")
        verbose_name_plural = _("calendar links")

    def __str__(self) -> str:
        return f"{self.person} ({'revoked' if self.revoked_at else 'active'})"


class Absence(models.Model):
    """A member said "I can't come this time". Coordinators see how many, not who. (Its table
    keeps the name it had in notifications.)"""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="absences", verbose_name=_("meeting")
    )
    membership = models.ForeignKey(
        "meetings.Membership", on_delete=models.CASCADE, related_name="absences", verbose_name=_("membership")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        db_table = "notifications_absence"
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        constraints = [models.UniqueConstraint(fields=["meeting", "membership"], name="absence_once")]

    def __str__(self) -> str:
        return f"absence #{self.pk}"


class CalendarChange(models.Model):
    """A change to what a centre's calendar shows: a meeting, series, group, topic, room, place,
    opening hours or closure. Written in the same transaction as the change; the newest row's id
    is the centre's calendar version, which keys the caches of `meetings.caching`. Not scoped:
    it holds no data, only that something changed. Older rows are pruned by the nightly job."""

    id = models.BigAutoField(primary_key=True)
    # A plain number, not a foreign key: a centre being deleted still records its rows' deletion.
    centre_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["centre_id", "id"], name="calendarchange_centre_id")]

    def __str__(self) -> str:
        return f"centre {self.centre_id}, change {self.pk}"
