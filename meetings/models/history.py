"""A group's life as steps with dates: founded, starting, self-run, paused, closed. The group
row keeps only its present status; the year's report counts the steps (founded, paused and
ended in a period, phased out and still meeting months later)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from centres.models import Centre


class GroupStep(models.Model):
    """One step of a group's life cycle: the status it went to, when, and (for a close) why it
    ended. Written by `group_create` and `group_transition` only. Holds nothing about members."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    group = models.ForeignKey("meetings.Group", on_delete=models.CASCADE, related_name="steps", verbose_name=_("group"))
    status = models.CharField(_("status"), max_length=20)
    previous = models.CharField(_("status before"), max_length=20, blank=True, default="")
    end_reason = models.CharField(_("why it ended"), max_length=20, blank=True, default="")
    at = models.DateTimeField(_("at"))

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("group step")
        verbose_name_plural = _("group steps")
        indexes = [
            models.Index(fields=["centre", "status", "at"], name="groupstep_centre_status_idx"),
            # A group's status at a moment: its last step by then.
            models.Index(fields=["group", "at"], name="groupstep_group_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.status} at {self.at:%Y-%m-%d}"
