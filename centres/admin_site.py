"""The admin site: open to centre staff, each seeing only the centres they work for."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from centres.selectors import user_is_centre_staff


class KontaktAdminSite(admin.AdminSite):
    site_header = _("Kontakt administration")
    site_title = _("Kontakt")
    index_title = _("Centre administration")

    def has_permission(self, request: HttpRequest) -> bool:
        return user_is_centre_staff(user=request.user)
