"""What every centre-scoped admin shares: access by staff role, Django's own admin log kept off
(the audit log records the same by id), and one audit entry per change list of personal data.

The apps' admins build on these; `centres.admin` registers the centres models themselves.
"""

from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.views.main import SEARCH_VAR
from django.db import models

from centres.models import Centre
from centres.selectors import staff_centre_ids, user_is_centre_admin, user_is_centre_staff
from centres.services.audit import audit_list_read, list_filters
from config.forms import LocalSplitDateTimeField

__all__ = ["AuditedChangelistMixin", "StaffAccessAdmin", "copy_saved", "request_is_centre_admin", "request_is_staff"]


def request_is_staff(request) -> bool:
    return user_is_centre_staff(user=request.user)


def request_is_centre_admin(request, centre_id: int | None = None) -> bool:
    return user_is_centre_admin(user=request.user, centre_id=centre_id)


def copy_saved(target: models.Model, saved: models.Model) -> None:
    """The admin keeps working with its own instance: give it what the service saved."""
    for field in saved._meta.concrete_fields:
        setattr(target, field.attname, getattr(saved, field.attname))
    target._state.adding = False


class StaffAccessAdmin(admin.ModelAdmin):
    """Any staff member of a centre may view, add, change and delete; the queryset is scoped."""

    formfield_overrides = {models.DateTimeField: {"form_class": LocalSplitDateTimeField}}

    def has_module_permission(self, request) -> bool:
        return request_is_staff(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return request_is_staff(request)

    def has_add_permission(self, request) -> bool:
        return request_is_staff(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return request_is_staff(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request_is_staff(request)

    def get_list_filter(self, request):
        # A centre filter only helps those who work for several centres.
        filters = list(super().get_list_filter(request))
        if request.user.is_superuser or Centre.objects.count() > 1:
            return filters
        return [name for name in filters if name != "centre"]

    # Django's own admin log keeps each object's display name (a person's name, even after an
    # erasure). The audit log (`AuditLogEntry`) records the same actions by id, so it stays off.
    def log_addition(self, request, obj, message):
        return None

    def log_change(self, request, obj, message):
        return None

    def log_deletions(self, request, queryset):
        return None


if TYPE_CHECKING:
    _ModelAdminBase = admin.ModelAdmin
else:
    _ModelAdminBase = object


class AuditedChangelistMixin(_ModelAdminBase):
    """A change list of personal data writes one audit entry per request (`audit_list_read`):
    its filters (the search box's term only as "present") and how many rows the page showed."""

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl") if request.method == "GET" else None
        if changelist is not None and response.status_code == 200:
            opts = self.model._meta
            audit_list_read(
                actor=request.user,
                model=self.model,
                list_name=f"admin:{opts.app_label}_{opts.model_name}_changelist",
                filters=list_filters(request.GET, kept=set(request.GET) - {SEARCH_VAR}),
                rows=changelist.result_list,
                centre_ids=staff_centre_ids(user=request.user),
            )
        return response

    def get_search_results(self, request, queryset, search_term):
        """The admin's autocomplete (a person picked for a membership or a consent) lists rows
        by a search term too: audited alike, with the page of rows it answers."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name == "autocomplete":
            size = AutocompleteJsonView.paginate_by
            page = int(request.GET["page"]) if request.GET.get("page", "").isdigit() else 1
            shown = (queryset.distinct() if may_have_duplicates else queryset).only("pk", "centre")
            if size is not None:  # Django's autocomplete answers a page at a time
                shown = shown[(page - 1) * size : page * size]
            audit_list_read(
                actor=request.user,
                model=self.model,
                list_name="admin:autocomplete",
                filters=list_filters(request.GET, kept={"app_label", "model_name", "field_name"}),
                rows=shown,
                centre_ids=staff_centre_ids(user=request.user),
            )
        return queryset, may_have_duplicates
