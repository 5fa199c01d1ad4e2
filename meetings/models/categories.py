"""The category lists the platform keeps for every centre (the national theme categories, an
insurers' condition list, a directory's categories): each centre maps its own topics to one, so
that figures summed over centres add up."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from config.texts import in_language, validate_translations
from config.validators import validate_single_line


class TopicCategory(models.Model):
    """A category of a list the platform keeps for every centre (the national theme categories,
    an insurers' condition list, a directory's categories), so that centres' figures add up:
    each centre maps its own topics to it. Kept by the platform operator."""

    scheme = models.CharField(
        _("list"), max_length=40, default="national", help_text=_("Which list the category belongs to.")
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=120, validators=[validate_single_line])
    name_translations = models.JSONField(
        _("name in other languages"), default=dict, blank=True, validators=[validate_translations]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["scheme", "position", "name"]
        verbose_name = _("topic category")
        verbose_name_plural = _("topic categories")
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="topic_category_once_per_list")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return in_language(self.name, self.name_translations)
