"""Volunteers in the admin: read and follow; pipeline changes go through the API's services."""

from django.contrib import admin

from centres.admin_base import StaffAccessAdmin
from volunteers.models import (
    ChecklistItem,
    RecruitmentNeed,
    SessionLog,
    StarterAssignment,
    StarterRequest,
    TrainingRecord,
    Volunteer,
)


class ReadOnlyAdmin(StaffAccessAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Volunteer)
class VolunteerAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "status", "email_confirmed_at", "screened_on", "confidentiality_signed_on", "centre"]
    list_filter = ["status", "centre"]
    search_fields = ["person__display_name", "person__email"]


@admin.register(StarterAssignment)
class StarterAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "group", "starts_on", "planned_meetings", "status", "centre"]
    list_filter = ["status", "centre"]


@admin.register(TrainingRecord)
class TrainingRecordAdmin(ReadOnlyAdmin):
    list_display = ["course", "completed_on", "centre"]


@admin.register(SessionLog)
class SessionLogAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "meeting", "hours", "created_at", "centre"]
    exclude = ["notes"]  # private notes stay with the coordinator's own view


@admin.register(ChecklistItem)
class ChecklistItemAdmin(ReadOnlyAdmin):
    list_display = ["text", "position", "is_active", "centre"]


@admin.register(StarterRequest)
class StarterRequestAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "group", "status", "created_at", "answered_at", "centre"]
    list_filter = ["status", "centre"]


@admin.register(RecruitmentNeed)
class RecruitmentNeedAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kind", "group", "topic", "language", "raised_at", "resolved_at", "centre"]
    list_filter = ["kind", "centre"]
