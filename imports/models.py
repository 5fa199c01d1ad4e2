"""What the imports keep: how a centre's spreadsheets name their columns, so the next file of the
same kind is mapped as the last one was, and a file for the hours between its upload and its import."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from centres.models import Centre


class ImportMapping(models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    kind = models.CharField(_("kind"), max_length=30)
    columns = models.JSONField(_("columns"), default=dict, help_text=_("Each heading (lower case) to a field."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        verbose_name = _("import column mapping")
        verbose_name_plural = _("import column mappings")
        constraints = [models.UniqueConstraint(fields=["centre", "kind"], name="import_mapping_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class ImportUpload(models.Model):
    """A file between its upload and its import: kept only for the dry run and the apply that
    follow (deleted when applied, and by the retention job a day after at the latest), since a
    list of subscribers or members is personal data."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    kind = models.CharField(_("kind"), max_length=30)
    filename = models.CharField(_("file name"), max_length=200)
    content = models.BinaryField(_("content"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # A large file is checked or imported by a worker: what was asked, how far it is, what came out.
    action = models.CharField(_("action"), max_length=10, blank=True)
    mapping = models.JSONField(_("columns"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=10, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    state_changed_at = models.DateTimeField(_("state changed at"), null=True, blank=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked or imported by"),
    )

    objects = ScopedManager(centre="centre")

    class Meta:
        verbose_name = _("uploaded file")
        verbose_name_plural = _("uploaded files")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
