"""Admin for centres, staff roles, people, consents and the audit log.

Access follows staff roles, not Django's model permissions: coordinators work with people and
consents of their centres, centre admins also manage staff. Querysets and foreign-key choices come
from the scoped default managers, so another centre's objects are neither listed nor reachable.
Writes go through `centres.services`, which audit-log them.
"""

import contextlib

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from centres.admin_base import AuditedChangelistMixin, StaffAccessAdmin, copy_saved, request_is_centre_admin
from centres.models import AuditLogEntry, Centre, ConsentRecord, FederationRole, Person, StaffInvitation, StaffRole
from centres.selectors import (
    audit_log_list,
    centre_ids_with_role,
)
from centres.services import accounts
from centres.services.audit import audit_record
from centres.services.centre import CENTRE_EDITABLE_FIELDS, centre_update
from centres.services.consents import (
    CONSENT_FUTURE_MESSAGE,
    CONSENT_SOURCE_MESSAGE,
    STAFF_CONSENT_SOURCES,
    consent_given_in_future,
    consent_record,
    consent_withdraw,
)
from centres.services.people import (
    EMAIL_TAKEN_MESSAGE,
    PERSON_EDITABLE_FIELDS,
    person_create,
    person_delete,
    person_email_taken,
    person_update,
)
from centres.services.staff import (
    LAST_ADMIN_MESSAGE,
    ROLE_EXISTS_MESSAGE,
    staff_role_change,
    staff_role_is_last_admin,
    staff_role_revoke,
)
from config.errors import ConflictError, PermissionDeniedError


@admin.register(Centre)
class CentreAdmin(StaffAccessAdmin):
    list_display = ["name", "slug", "city", "time_zone", "default_language"]
    search_fields = ["name", "slug", "city"]
    list_filter = ["default_language", "time_zone"]

    def get_prepopulated_fields(self, request, obj=None):
        # Only while the slug can be typed: once it is read-only (it is in every link), the admin
        # cannot prepopulate it and the change page failed with a 500.
        return {} if obj else {"slug": ["name"]}

    def get_readonly_fields(self, request, obj=None):
        return ["slug", "created_at"] if obj else ["created_at"]

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return request_is_centre_admin(request, obj.pk if obj else None)

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            audit_record(actor=request.user, centre=obj, action=AuditLogEntry.Action.CREATE, obj=obj)
            return
        original = Centre.objects.get(pk=obj.pk)
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in CENTRE_EDITABLE_FIELDS}
        copy_saved(obj, centre_update(actor=request.user, centre=original, **changes))


class StaffInvitationForm(forms.ModelForm):
    class Meta:
        model = StaffInvitation
        # The centre field is added by the admin per request, with the scoped choices; a model
        # choice field built here, at import, would have to query outside any scope.
        fields = ["email", "name", "role"]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        centre, email = cleaned.get("centre"), cleaned.get("email")
        if centre and email and StaffRole.objects.filter(centre=centre, user__email__iexact=email).exists():
            self.add_error("email", ROLE_EXISTS_MESSAGE)
        elif centre and email and StaffInvitation.objects.filter(centre=centre, email__iexact=email).exists():
            self.add_error("email", accounts.INVITATION_EXISTS_MESSAGE)
        return cleaned


class StaffRoleChangeForm(forms.ModelForm):
    class Meta:
        model = StaffRole
        fields = ["role"]

    def clean_role(self):
        role = self.cleaned_data["role"]
        if role != StaffRole.Role.CENTRE_ADMIN and staff_role_is_last_admin(
            staff_role=StaffRole.objects.get(pk=self.instance.pk)
        ):
            raise ValidationError(LAST_ADMIN_MESSAGE)
        return role


@admin.register(StaffRole)
class StaffRoleAdmin(StaffAccessAdmin):
    list_display = ["user", "user_email", "role", "centre", "created_at"]
    list_filter = ["role", "centre"]
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name"]
    list_select_related = ["user", "centre"]
    form = StaffRoleChangeForm
    actions = ["sign_out_selected"]

    @admin.display(description=_("e-mail address"), ordering="user__email")
    def user_email(self, obj: StaffRole) -> str:
        return obj.user.email

    def get_fields(self, request, obj=None):
        return ["user", "centre", "role", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "centre", "created_at"]

    def has_add_permission(self, request) -> bool:
        # New staff are invited (StaffInvitationAdmin): a role appears once its owner accepts.
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return request_is_centre_admin(request, obj.centre_id if obj else None)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and staff_role_is_last_admin(staff_role=obj):
            return False
        return request_is_centre_admin(request, obj.centre_id if obj else None)

    def save_model(self, request, obj, form, change):
        original = StaffRole.objects.get(pk=obj.pk)
        copy_saved(obj, staff_role_change(actor=request.user, staff_role=original, role=obj.role))

    def get_actions(self, request):
        # One role at a time: a bulk delete could take a centre's last admins together.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        if not request_is_centre_admin(request):
            actions.pop("sign_out_selected", None)
        return actions

    def delete_model(self, request, obj):
        staff_role_revoke(actor=request.user, staff_role=obj)

    @admin.action(description=_("Sign out everywhere (end their sessions and API tokens)"))
    def sign_out_selected(self, request, queryset):
        for staff_role in queryset.select_related("user"):
            try:
                accounts.staff_sign_out(actor=request.user, staff_role=staff_role)
            except PermissionDeniedError as refused:
                self.message_user(request, f"{staff_role.user}: {refused.message}", messages.ERROR)
            else:
                message = _("%(user)s is signed out everywhere.") % {"user": staff_role.user}
                self.message_user(request, message, messages.SUCCESS)


@admin.register(StaffInvitation)
class StaffInvitationAdmin(StaffAccessAdmin):
    """Invitations not yet accepted. Inviting looks at no account; deleting one withdraws it."""

    form = StaffInvitationForm
    list_display = ["email", "name", "role", "centre", "created_at", "expires_at"]
    list_filter = ["role", "centre"]
    search_fields = ["email", "name"]
    list_select_related = ["centre"]

    def get_fields(self, request, obj=None):
        return ["email", "name", "centre", "role"] + (["created_at", "expires_at"] if obj else [])

    def get_readonly_fields(self, request, obj=None):
        return ["email", "name", "centre", "role", "created_at", "expires_at"] if obj else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "centre" and not request.user.is_superuser:
            # Invitations only to the centres where this user is a centre admin.
            admin_centres = centre_ids_with_role(user=request.user, role=StaffRole.Role.CENTRE_ADMIN)
            kwargs["queryset"] = Centre.objects.filter(id__in=admin_centres)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request) -> bool:
        return request_is_centre_admin(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return request_is_centre_admin(request, obj.centre_id if obj else None)

    def has_add_permission(self, request) -> bool:
        return request_is_centre_admin(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return request_is_centre_admin(request, obj.centre_id if obj else None)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(centre_id__in=centre_ids_with_role(user=request.user, role=StaffRole.Role.CENTRE_ADMIN))

    def save_model(self, request, obj, form, change):
        saved = accounts.staff_invite(
            actor=request.user, centre=obj.centre, email=obj.email, role=obj.role, name=obj.name
        )
        copy_saved(obj, saved)

    def delete_model(self, request, obj):
        accounts.staff_invitation_revoke(actor=request.user, invitation=obj)

    def delete_queryset(self, request, queryset):
        for invitation in queryset:
            accounts.staff_invitation_revoke(actor=request.user, invitation=invitation)


CONSENT_INLINE_FIELDS = ("purpose", "text_version", "source", "given_at", "withdrawn_at")


class ConsentInline(admin.TabularInline):
    model = ConsentRecord
    fields = CONSENT_INLINE_FIELDS
    readonly_fields = CONSENT_INLINE_FIELDS
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["display_name", "full_name", "email", "phone", "language"]

    def clean_email(self):
        email = self.cleaned_data["email"]
        centre = self.instance.centre if self.instance.pk else self.cleaned_data.get("centre")
        if centre is not None and person_email_taken(centre=centre, email=email, exclude_pk=self.instance.pk):
            raise ValidationError(EMAIL_TAKEN_MESSAGE)
        return email


@admin.register(Person)
class PersonAdmin(AuditedChangelistMixin, StaffAccessAdmin):
    form = PersonForm
    list_display = ["display_name", "email", "language", "centre", "updated_at"]
    list_filter = ["centre", "language"]
    search_fields = ["display_name", "full_name", "email", "phone"]
    list_select_related = ["centre"]
    inlines = [ConsentInline]

    def get_readonly_fields(self, request, obj=None):
        return ["centre", "created_at", "updated_at"] if obj else []

    def get_fields(self, request, obj=None):
        return ["centre", "display_name", "full_name", "email", "phone", "language"] + (
            ["created_at", "updated_at"] if obj else []
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting a person erases their consent records too: a centre admin's decision.
        return request_is_centre_admin(request, obj.centre_id if obj else None)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            person = Person.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
            if person is not None:
                audit_record(actor=request.user, centre=person.centre, action=AuditLogEntry.Action.VIEW, obj=person)
        return response

    def save_model(self, request, obj, form, change):
        if change:
            original = Person.objects.get(pk=obj.pk)
            changes = {name: form.cleaned_data[name] for name in form.changed_data if name in PERSON_EDITABLE_FIELDS}
            saved = person_update(actor=request.user, person=original, **changes)
        else:
            saved = person_create(
                actor=request.user,
                centre=obj.centre,
                **{name: form.cleaned_data[name] for name in PERSON_EDITABLE_FIELDS},
            )
        copy_saved(obj, saved)

    def delete_model(self, request, obj):
        person_delete(actor=request.user, person=obj)

    def delete_queryset(self, request, queryset):
        for person in queryset:
            person_delete(actor=request.user, person=person)


class ConsentForm(forms.ModelForm):
    class Meta:
        model = ConsentRecord
        # The person field comes from the admin per request, with the scoped choices.
        fields = ["purpose", "text_version", "source", "given_at"]

    def clean_given_at(self):
        given_at = self.cleaned_data["given_at"]
        if consent_given_in_future(given_at):
            raise ValidationError(CONSENT_FUTURE_MESSAGE)
        return given_at

    def clean_source(self):
        source = self.cleaned_data["source"]
        if source not in STAFF_CONSENT_SOURCES:
            raise ValidationError(CONSENT_SOURCE_MESSAGE)
        return source


@admin.register(ConsentRecord)
class ConsentRecordAdmin(StaffAccessAdmin):
    form = ConsentForm
    list_display = ["person", "purpose", "text_version", "source", "given_at", "withdrawn_at", "centre"]
    list_filter = ["purpose", "source", ("withdrawn_at", admin.EmptyFieldListFilter), "centre"]
    search_fields = ["person__display_name", "person__email", "text_version"]
    list_select_related = ["person", "centre"]
    autocomplete_fields = ["person"]
    actions = ["withdraw_selected"]

    def get_fields(self, request, obj=None):
        return ["person", "purpose", "text_version", "source", "given_at", "withdrawn_at"]

    def get_readonly_fields(self, request, obj=None):
        # Consent records are evidence: once written they are only ever withdrawn.
        return self.get_fields(request, obj) if obj else ["withdrawn_at"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        saved = consent_record(
            actor=request.user,
            person=obj.person,
            purpose=obj.purpose,
            text_version=obj.text_version,
            source=obj.source,
            given_at=obj.given_at,
        )
        copy_saved(obj, saved)

    @admin.action(description=_("Withdraw the selected consents"))
    def withdraw_selected(self, request, queryset):
        withdrawn = 0
        for consent in queryset.filter(withdrawn_at__isnull=True):
            # Withdrawn since the list was read (by a sibling: a person's newsletter consents end
            # together; or by a colleague) is no error: it is withdrawn, which is what was asked.
            with contextlib.suppress(ConflictError):
                consent_withdraw(actor=request.user, consent=consent)
            withdrawn += 1
        message = ngettext("%(count)d consent withdrawn.", "%(count)d consents withdrawn.", withdrawn)
        self.message_user(request, message % {"count": withdrawn}, messages.SUCCESS)


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id", "centre"]
    list_filter = ["action", "object_type", "centre"]
    search_fields = ["object_id", "actor__username"]
    list_select_related = ["actor", "centre"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        return audit_log_list(user=request.user)

    def has_module_permission(self, request) -> bool:
        return request_is_centre_admin(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return request_is_centre_admin(request, obj.centre_id if obj else None)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FederationRole)
class FederationRoleAdmin(admin.ModelAdmin):
    """Only the platform's superusers appoint federation admins."""

    list_display = ["user", "created_at"]
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["user"]
