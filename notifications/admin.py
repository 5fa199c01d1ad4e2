"""The outbox in the admin: what was sent to whom, its status and error. Read-only."""

from django.contrib import admin

from centres.admin import StaffAccessAdmin
from notifications.models import OutgoingMail, SuppressedAddress


@admin.register(OutgoingMail)
class OutgoingMailAdmin(StaffAccessAdmin):
    list_display = ["created_at", "kind", "recipient", "subject", "status", "attempts", "delivery", "sent_at"]
    list_filter = ["status", "kind", "delivery", "centre"]
    search_fields = ["recipient", "subject", "esp_message_id"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "centre",
        "kind",
        "recipient",
        "language",
        "from_email",
        "subject",
        "body_text",
        "status",
        "attempts",
        "last_error",
        "esp_message_id",
        "delivery",
        "created_at",
        "sending_since",
        "sent_at",
    ]
    exclude = ["idempotency_key", "person", "body_html", "headers", "calendar"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SuppressedAddress)
class SuppressedAddressAdmin(StaffAccessAdmin):
    list_display = ["email", "reason", "created_at", "centre"]
    list_filter = ["reason", "centre"]
    search_fields = ["email"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
