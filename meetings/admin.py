"""Admin for topics, places, groups, rosters, series, meetings and closures.

Lists and choices come from the scoped managers (only the user's centres). Writes that have
rules (booking, life cycle, closures) go through the services; the admin is for looking things
up and for simple corrections, the planner and the API for planning."""

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from centres.admin_base import AuditedChangelistMixin, StaffAccessAdmin, copy_saved
from config.errors import DomainError
from meetings.models import (
    CalendarToken,
    Closure,
    Group,
    Location,
    Meeting,
    MeetingSeries,
    Membership,
    OpeningHours,
    Room,
    Topic,
    TopicCategory,
)
from meetings.services import closures, groups, places


@admin.register(TopicCategory)
class TopicCategoryAdmin(admin.ModelAdmin):
    """The shared category lists: the platform operator's (superusers') to keep."""

    list_display = ["name", "scheme", "code", "position"]
    list_filter = ["scheme"]
    search_fields = ["name", "code"]


@admin.register(Topic)
class TopicAdmin(StaffAccessAdmin):
    list_display = ["name", "is_offered", "centre"]
    list_filter = ["is_offered", "centre"]
    search_fields = ["name"]


@admin.register(Location)
class LocationAdmin(StaffAccessAdmin):
    list_display = ["name", "street", "city", "centre"]
    list_filter = ["centre"]
    search_fields = ["name", "street", "city"]


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    fields = ["weekday", "opens", "closes"]
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Room)
class RoomAdmin(StaffAccessAdmin):
    list_display = [
        "name",
        "location",
        "capacity",
        "step_free_access",
        "accessible_toilet",
        "hearing_loop",
        "is_active",
    ]
    list_filter = ["is_active", "step_free_access", "accessible_toilet", "hearing_loop", "centre"]
    search_fields = ["name", "location__name"]
    list_select_related = ["location"]
    inlines = [OpeningHoursInline]

    def get_readonly_fields(self, request, obj=None):
        # A room stays in its location (and centre): its meetings belong there.
        return ["location"] if obj else []

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in places.ROOM_FIELDS if name in form.cleaned_data}
        if change:
            saved = places.room_update(actor=request.user, room=Room.objects.get(pk=obj.pk), **values)
        else:
            saved = places.room_create(actor=request.user, location=obj.location, **values)
        copy_saved(obj, saved)


MEMBERSHIP_INLINE_FIELDS = ("person", "role", "joined_on", "left_on", "reminder_minutes")


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = MEMBERSHIP_INLINE_FIELDS
    readonly_fields = MEMBERSHIP_INLINE_FIELDS
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class GroupForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = [name for name in groups.GROUP_FIELDS if name != "topic"]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        topic = cleaned.get("topic")
        if topic is not None:
            centre = self.instance.centre if self.instance.pk else topic.centre
            if self.instance.pk is None or topic.pk != self.instance.topic_id:
                try:
                    groups.check_topic(topic, centre)
                except DomainError as error:
                    self.add_error("topic", error.message)
        try:
            groups.check_languages(cleaned.get("languages"))
        except DomainError as error:
            self.add_error("languages", error.message)
        return cleaned


@admin.register(Group)
class GroupAdmin(StaffAccessAdmin):
    form = GroupForm
    fields = [*groups.GROUP_FIELDS, "status", "public_id", "created_at"]
    list_display = ["name", "topic", "status", "publicly_listed", "accepts_newcomers", "centre"]
    list_filter = ["status", "publicly_listed", "discreet", "centre"]
    search_fields = ["name", "topic__name"]
    list_select_related = ["topic", "centre"]
    readonly_fields = ["status", "public_id", "created_at"]
    inlines = [MembershipInline]
    actions = ["close_groups"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        values = {name: form.cleaned_data[name] for name in groups.GROUP_FIELDS if name in form.cleaned_data}
        values.pop("name"), values.pop("topic")
        saved = groups.group_create(
            actor=request.user, centre=obj.topic.centre, name=obj.name, topic=obj.topic, **values
        )
        obj.pk, obj.centre_id, obj.public_id, obj.created_at = (
            saved.pk,
            saved.centre_id,
            saved.public_id,
            saved.created_at,
        )
        obj._state.adding = False

    @admin.action(description=_("Close the selected groups"))
    def close_groups(self, request, queryset):
        for group in queryset.exclude(status=Group.Status.CLOSED):
            groups.group_transition(actor=request.user, group=group, status=Group.Status.CLOSED)


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role", "joined_on", "reminder_minutes"]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        group, person = cleaned.get("group"), cleaned.get("person")
        if group is not None and person is not None:
            if person.centre_id != group.centre_id:
                self.add_error("person", _("The person belongs to another centre."))
            elif Membership.objects.filter(group=group, person=person, left_on__isnull=True).exists():
                self.add_error("person", _("This person is already a member of the group."))
        return cleaned


@admin.register(Membership)
class MembershipAdmin(AuditedChangelistMixin, StaffAccessAdmin):
    form = MembershipForm
    list_display = ["person", "group", "role", "joined_on", "left_on", "reminder_minutes"]
    list_filter = ["role", ("left_on", admin.EmptyFieldListFilter)]
    search_fields = ["person__display_name", "group__name"]
    list_select_related = ["person", "group"]
    autocomplete_fields = ["person", "group"]

    def get_fields(self, request, obj=None):
        return (
            ["group", "person", "role", "joined_on", "left_on", "reminder_minutes"]
            if obj
            else [
                "group",
                "person",
                "role",
                "joined_on",
                "reminder_minutes",
            ]
        )

    def get_readonly_fields(self, request, obj=None):
        return ["group", "person", "joined_on", "left_on"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            saved = groups.membership_update(
                actor=request.user,
                membership=Membership.objects.select_related("group__centre").get(pk=obj.pk),
                role=form.cleaned_data["role"],
                reminder_minutes=form.cleaned_data["reminder_minutes"],
            )
        else:
            saved = groups.membership_add(
                actor=request.user,
                group=obj.group,
                person=obj.person,
                role=obj.role,
                joined_on=obj.joined_on,
                reminder_minutes=obj.reminder_minutes,
            )
        copy_saved(obj, saved)


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(StaffAccessAdmin):
    list_display = ["group", "rule", "start_time", "duration_minutes", "room", "starts_on", "materialised_until"]
    search_fields = ["group__name", "room__name"]
    list_select_related = ["group", "room"]
    readonly_fields = [
        "group",
        "room",
        "rule",
        "starts_on",
        "start_time",
        "duration_minutes",
        "time_zone",
        "materialised_until",
    ]

    def has_add_permission(self, request) -> bool:
        return False  # series are planned through the API and the room planner, which check the rooms

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(StaffAccessAdmin):
    list_display = ["starts_at", "ends_at", "display_title", "room", "status", "cancel_reason", "is_changed"]
    list_filter = ["status", "cancel_reason", "is_changed", "centre"]
    search_fields = ["group__name", "title", "room__name"]
    list_select_related = ["group", "room", "room__location"]
    date_hierarchy = "starts_at"
    readonly_fields = [
        "uid",
        "series",
        "group",
        "room",
        "title",
        "starts_at",
        "ends_at",
        "original_starts_at",
        "status",
        "cancel_reason",
        "closure",
        "note",
        "is_changed",
        "sequence",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ClosureForm(forms.ModelForm):
    class Meta:
        model = Closure
        fields = ["reason", "starts_on", "ends_on"]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        values: dict[str, Any] = {name: cleaned.get(name) for name in closures.CLOSURE_FIELDS}
        if None in (values["centre"], values["starts_on"], values["ends_on"], values["reason"]):
            return cleaned  # the field errors say what is missing
        try:
            closures.validate_closure(**values)
        except DomainError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
        return cleaned


@admin.register(Closure)
class ClosureAdmin(StaffAccessAdmin):
    form = ClosureForm
    fields = list(closures.CLOSURE_FIELDS)
    list_display = ["reason", "starts_on", "ends_on", "location", "room", "centre"]
    list_filter = ["centre"]
    search_fields = ["reason"]
    list_select_related = ["location", "room", "centre"]

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        saved, _cancelled = closures.closure_create(
            actor=request.user,
            centre=obj.centre,
            starts_on=obj.starts_on,
            ends_on=obj.ends_on,
            reason=obj.reason,
            location=obj.location,
            room=obj.room,
        )
        obj.pk = saved.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        closures.closure_delete(actor=request.user, closure=obj)

    def delete_queryset(self, request, queryset):
        for closure in queryset:
            closures.closure_delete(actor=request.user, closure=closure)


@admin.register(CalendarToken)
class CalendarTokenAdmin(StaffAccessAdmin):
    list_display = ["person", "created_at", "revoked_at"]
    search_fields = ["person__display_name"]
    list_select_related = ["person"]
    readonly_fields = ["person", "created_at", "revoked_at"]
    exclude = ["token"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
