"""Members the centre tells by phone: when their meeting is cancelled or moved and they have
neither an e-mail address nor a number they agreed to get texts at, a row lists them on the
coordinators' dashboard until someone ticks that they were told."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from centres.models import Centre


class PhoneNotice(models.Model):
    """One member to phone about one change (the change notice's key), with its first meeting."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    membership = models.ForeignKey(
        "meetings.Membership", on_delete=models.CASCADE, related_name="phone_notices", verbose_name=_("membership")
    )
    change = models.CharField(_("change"), max_length=200)
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="phone_notices", verbose_name=_("meeting")
    )
    meeting_count = models.PositiveSmallIntegerField(_("meetings changed"), default=1)
    cancelled = models.BooleanField(
        _("cancelled"), default=False, help_text=_("Every meeting of the change is cancelled.")
    )
    until = models.DateTimeField(_("news until"), help_text=_("When the last meeting of the change ends."))
    created_at = models.DateTimeField(_("listed at"), auto_now_add=True)
    told_at = models.DateTimeField(_("told at"), null=True, blank=True)
    told_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("told by"),
    )

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("member to tell by phone")
        verbose_name_plural = _("members to tell by phone")
        constraints = [models.UniqueConstraint(fields=["membership", "change"], name="phone_notice_once_per_change")]
        indexes = [
            models.Index(
                fields=["centre", "created_at"], name="phone_notice_open_idx", condition=models.Q(told_at=None)
            )
        ]

    def __str__(self) -> str:
        return f"phone notice #{self.pk}"
