"""The outbox in the admin: what was sent to whom, its status and error. Read-only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from centres.admin_base import StaffAccessAdmin
from notifications.models import (
    NewsletterIssue,
    NewsletterIssueText,
    NewsletterList,
    OutgoingMail,
    Subscription,
    SuppressedAddress,
)


@admin.register(OutgoingMail)
class OutgoingMailAdmin(StaffAccessAdmin):
    list_display = [
        "created_at", "kind", "shown_recipient", "shown_subject", "status", "attempts", "delivery", "sent_at"
    ]  # fmt: skip
    list_filter = ["status", "kind", "delivery", "centre"]
    search_fields = ["recipient", "content__subject", "esp_message_id"]
    list_select_related = ["content"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "centre",
        "kind",
        "shown_recipient",
        "language",
        "from_email",
        "shown_subject",
        "text",
        "status",
        "attempts",
        "in_doubt",
        "last_error",
        "esp_message_id",
        "delivery",
        "created_at",
        "sending_since",
        "sent_at",
    ]

    # A sensitive mail (a login, reset or confirmation link) shows no recipient, subject or text.
    @admin.display(description=_("recipient"))
    def shown_recipient(self, mail: OutgoingMail) -> str:
        return mail.shown_recipient

    @admin.display(description=_("subject"))
    def shown_subject(self, mail: OutgoingMail) -> str:
        return mail.shown_subject

    @admin.display(description=_("text"))
    def text(self, mail: OutgoingMail) -> str:
        return mail.shown_body_text

    exclude = ["idempotency_key", "person", "content", "merge_data", "sensitive", "recipient"]

    def get_search_results(self, request, queryset, search_term):
        # A search by address or subject would tell who got a sensitive mail: those rows don't match.
        if search_term:
            queryset = queryset.filter(sensitive=False)
        return super().get_search_results(request, queryset, search_term)

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


@admin.register(NewsletterList)
class NewsletterListAdmin(StaffAccessAdmin):
    list_display = ["name", "is_public", "volunteering_news", "centre"]
    list_filter = ["is_public", "centre"]
    search_fields = ["name"]


@admin.register(Subscription)
class SubscriptionAdmin(StaffAccessAdmin):
    list_display = ["person", "newsletter", "status", "requested_at", "confirmed_at", "unsubscribed_at"]
    list_filter = ["status", "newsletter"]
    search_fields = ["person__email", "person__display_name"]
    list_select_related = ["person", "newsletter"]
    readonly_fields = ["person", "newsletter", "status", "requested_at", "confirmed_at", "unsubscribed_at"]
    exclude = ["centre"]

    def has_add_permission(self, request) -> bool:
        return False  # only the subscriber's own confirmation makes a subscription

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class IssueTextInline(admin.StackedInline):
    model = NewsletterIssueText
    extra = 1


@admin.register(NewsletterIssue)
class NewsletterIssueAdmin(StaffAccessAdmin):
    list_display = ["title", "newsletter", "status", "scheduled_at", "finished_at"]
    list_filter = ["status", "newsletter"]
    search_fields = ["title"]
    readonly_fields = ["status", "scheduled_at", "started_at", "finished_at"]
    exclude = ["centre"]
    inlines = [IssueTextInline]

    def save_model(self, request, obj, form, change):
        obj.centre_id = obj.newsletter.centre_id  # an issue belongs to its newsletter's centre
        super().save_model(request, obj, form, change)
