"""The public directory the group finder searches: one row per publicly listed group, built from
the group, its topic, its next meetings and their rooms (`meetings.services.directory`), so that a
search over a whole federation reads one indexed table. Only what a visitor may see is in it."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from centres.models import Centre
from meetings.models import Group, Location, Topic
from meetings.models.categories import TopicCategory


class Daypart(models.IntegerChoices):
    """Parts of the day a meeting starts in (a bit each, for the finder's filter)."""

    MORNING = 1, _("Morning (before 12:00)")
    AFTERNOON = 2, _("Afternoon (12:00 to 17:00)")
    EVENING = 4, _("Evening (from 17:00)")


class GroupListing(models.Model):
    """A public group as the finder searches it. Rebuilt per centre whenever the centre's
    calendar changed (and every few minutes for places and dates); never edited by hand.

    `slots` is the bit set of the weekdays and parts of the day the next eight weeks' meetings
    start in (bit 3 × weekday + part, Monday 0, morning 0), so "Monday evening" matches a
    Monday evening meeting only; empty for a discreet group the centre lists without times. `texts` is the group's
    searchable words per language; PostgreSQL's `search_vector` is made from them."""

    group = models.OneToOneField(
        Group, on_delete=models.CASCADE, primary_key=True, related_name="listing", verbose_name=_("group")
    )
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+", verbose_name=_("topic"))
    category = models.ForeignKey(
        TopicCategory, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("category")
    )
    name = models.CharField(_("public name"), max_length=120)
    languages = models.PositiveSmallIntegerField(_("languages (bits)"), default=0)
    age_band = models.CharField(_("age band"), max_length=10, blank=True, default="")
    slots = models.PositiveIntegerField(_("days and times (bits)"), default=0)
    step_free = models.BooleanField(_("step-free access"), default=False)
    hearing_loop = models.BooleanField(_("hearing loop"), default=False)
    online = models.BooleanField(_("online or hybrid"), default=False)
    newcomers = models.BooleanField(_("open to newcomers"), default=True)
    has_places = models.BooleanField(_("has places"), default=True)
    times_shown = models.BooleanField(_("times shown"), default=True)
    location = models.ForeignKey(
        Location, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("location")
    )
    town = models.CharField(_("town"), max_length=100, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    document = models.TextField(_("names"), blank=True, help_text=_("Names a visitor may type, for typo matching."))
    texts = models.JSONField(_("words per language"), default=dict)
    search_vector = SearchVectorField(null=True, blank=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        verbose_name = _("group listing")
        verbose_name_plural = _("group listings")
        indexes = [
            models.Index(fields=["centre", "name"], name="listing_centre_name_idx"),
            models.Index(fields=["latitude", "longitude"], name="listing_point_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class DirectoryBuild(models.Model):
    """When a centre's listings were last built, and from which calendar version."""

    centre = models.OneToOneField(
        Centre, on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name=_("centre")
    )
    version = models.BigIntegerField(_("calendar version"), default=0)
    built_at = models.DateTimeField(_("built at"))

    objects = ScopedManager(centre="centre")

    class Meta:
        verbose_name = _("directory build")
        verbose_name_plural = _("directory builds")

    def __str__(self) -> str:
        return f"{self.centre_id} @ {self.version}"


def slot_bit(weekday: int, part: int) -> int:
    """The bit of a weekday (Monday 0) and a part of the day (a `Daypart` value)."""
    return 1 << (3 * weekday + part.bit_length() - 1)


def slots_mask(weekday: int | None, part: int | None) -> int:
    """The bits a filter asks for: one weekday, one part of the day, or both."""
    days = range(7) if weekday is None else [weekday]
    parts = list(Daypart.values) if part is None else [part]
    return sum(slot_bit(day, each) for day in days for each in parts)
