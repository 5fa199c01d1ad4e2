"""The sitemap of the public pages, one address per language (`?lang=`) with its alternates:
the finder, each centre's pages and each publicly listed group's page (as its centre lists it).
Never a page behind a link of a member, contact person or volunteer."""

from typing import Any

from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils.translation import get_language

from centres.models import Centre
from centres.scoping import all_centres_scope
from meetings.models import GroupListing
from meetings.services.directory import directory_refresh_stale


class InEveryLanguage(Sitemap):
    i18n = True
    alternates = True
    x_default = True

    def location(self, item: Any) -> str:
        return f"{self.path(item)}?lang={get_language()}"

    def path(self, item: Any) -> str:
        raise NotImplementedError


class StaticPages(InEveryLanguage):
    changefreq = "weekly"

    def items(self) -> list[str]:
        return ["home", "group-directory", "open-data"]

    def path(self, item: str) -> str:
        return reverse(item)


class CentrePages(InEveryLanguage):
    changefreq = "weekly"

    def items(self) -> list[tuple[str, str]]:
        with all_centres_scope():
            slugs = list(Centre.objects.order_by("slug").values_list("slug", flat=True))
        return [(name, slug) for slug in slugs for name in ("centre-home", "group-finder")]

    def path(self, item: tuple[str, str]) -> str:
        return reverse(item[0], args=[item[1]])


class GroupPages(InEveryLanguage):
    """Every group the directory lists (it leaves out what its centre hides)."""

    changefreq = "daily"

    def items(self) -> list[tuple[str, Any]]:
        directory_refresh_stale(None)
        with all_centres_scope():
            return list(
                GroupListing.objects.order_by("centre__slug", "name", "pk").values_list(
                    "centre__slug", "group__public_id"
                )
            )

    def path(self, item: tuple[str, Any]) -> str:
        return reverse("group-page", args=[item[0], item[1]])


# Apps above meetings add their pages in their AppConfig.ready (events: its public events).
SITEMAPS: dict[str, type[Sitemap]] = {"pages": StaticPages, "centres": CentrePages, "groups": GroupPages}
