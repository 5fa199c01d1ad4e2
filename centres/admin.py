"""Admin for centres, staff roles, people, consents and the audit log.

Access follows staff roles, not Django's model permissions: coordinators work with people and
consents of their centres, centre admins also manage staff. Querysets and foreign-key choices come
from the scoped default managers, so another centre's objects are neither listed nor reachable.
Writes go through `centres.services`, which audit-log them.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from centres import services
from centres.models import AuditLogEntry, Centre, ConsentRecord, FederationRole, Person, StaffRole
from centres.selectors import audit_log_list, centre_ids_with_role, user_is_centre_admin, user_is_centre_staff


def _is_staff(request) -> bool:
    return user_is_centre_staff(user=request.user)


def _is_centre_admin(request, centre_id: int | None = None) -> bool:
    return user_is_centre_admin(user=request.user, centre_id=centre_id)


def copy_saved(target: models.Model, saved: models.Model) -> None:
    """The admin keeps working with its own instance: give it what the service saved."""
    for field in saved._meta.concrete_fields:
        setattr(target, field.attname, getattr(saved, field.attname))
    target._state.adding = False


class StaffAccessAdmin(admin.ModelAdmin):
    """Any staff member of a centre may view, add, change and delete; the queryset is scoped."""

    def has_module_permission(self, request) -> bool:
        return _is_staff(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _is_staff(request)

    def has_add_permission(self, request) -> bool:
        return _is_staff(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return _is_staff(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return _is_staff(request)

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


@admin.register(Centre)
class CentreAdmin(StaffAccessAdmin):
    list_display = ["name", "slug", "city", "time_zone", "default_language"]
    search_fields = ["name", "slug", "city"]
    list_filter = ["default_language", "time_zone"]
    prepopulated_fields = {"slug": ["name"]}

    def get_readonly_fields(self, request, obj=None):
        return ["slug", "created_at"] if obj else ["created_at"]

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return _is_centre_admin(request, obj.pk if obj else None)

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            services.audit_record(actor=request.user, centre=obj, action=AuditLogEntry.Action.CREATE, obj=obj)
            return
        original = Centre.all_centres.get(pk=obj.pk)
        changes = {
            name: form.cleaned_data[name] for name in form.changed_data if name in services.CENTRE_EDITABLE_FIELDS
        }
        copy_saved(obj, services.centre_update(actor=request.user, centre=original, **changes))


class StaffRoleAddForm(forms.ModelForm):
    email = forms.EmailField(label=_("E-mail address"))
    name = forms.CharField(label=_("Name"), required=False, max_length=150)

    class Meta:
        model = StaffRole
        # The centre field is added by the admin per request, with the scoped choices; a model
        # choice field built here, at import, would have to query outside any scope.
        fields = ["role"]

    def clean(self):
        cleaned = super().clean()
        centre, email = cleaned.get("centre"), cleaned.get("email")
        if centre and email and StaffRole.all_centres.filter(centre=centre, user__email__iexact=email).exists():
            self.add_error("email", services.ROLE_EXISTS_MESSAGE)
        return cleaned


class StaffRoleChangeForm(forms.ModelForm):
    class Meta:
        model = StaffRole
        fields = ["role"]

    def clean_role(self):
        role = self.cleaned_data["role"]
        if role != StaffRole.Role.CENTRE_ADMIN and services.staff_role_is_last_admin(
            staff_role=StaffRole.all_centres.get(pk=self.instance.pk)
        ):
            raise ValidationError(services.LAST_ADMIN_MESSAGE)
        return role


@admin.register(StaffRole)
class StaffRoleAdmin(StaffAccessAdmin):
    list_display = ["user", "user_email", "role", "centre", "created_at"]
    list_filter = ["role", "centre"]
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name"]
    list_select_related = ["user", "centre"]

    @admin.display(description=_("e-mail address"), ordering="user__email")
    def user_email(self, obj: StaffRole) -> str:
        return obj.user.email

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = StaffRoleChangeForm if obj else StaffRoleAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["user", "centre", "role", "created_at"] if obj else ["email", "name", "centre", "role"]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "centre", "created_at"] if obj else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "centre" and not request.user.is_superuser:
            # New staff only for the centres where this user is a centre admin.
            admin_centres = centre_ids_with_role(user=request.user, role=StaffRole.Role.CENTRE_ADMIN)
            kwargs["queryset"] = Centre.objects.filter(id__in=admin_centres)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request) -> bool:
        return _is_centre_admin(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return _is_centre_admin(request, obj.centre_id if obj else None)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and services.staff_role_is_last_admin(staff_role=obj):
            return False
        return _is_centre_admin(request, obj.centre_id if obj else None)

    def save_model(self, request, obj, form, change):
        if change:
            original = StaffRole.all_centres.get(pk=obj.pk)
            saved = services.staff_role_change(actor=request.user, staff_role=original, role=obj.role)
        else:
            saved = services.staff_role_grant(
                actor=request.user,
                centre=obj.centre,
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                role=obj.role,
            )
        copy_saved(obj, saved)

    def get_actions(self, request):
        # One role at a time: a bulk delete could take a centre's last admins together.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request, obj):
        services.staff_role_revoke(actor=request.user, staff_role=obj)


class ConsentInline(admin.TabularInline):
    model = ConsentRecord
    fields = ["purpose", "text_version", "source", "given_at", "withdrawn_at"]
    readonly_fields = fields
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
        if centre is not None and services.person_email_taken(centre=centre, email=email, exclude_pk=self.instance.pk):
            raise ValidationError(services.EMAIL_TAKEN_MESSAGE)
        return email


@admin.register(Person)
class PersonAdmin(StaffAccessAdmin):
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
        return _is_centre_admin(request, obj.centre_id if obj else None)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            person = Person.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
            if person is not None:
                services.audit_record(
                    actor=request.user, centre=person.centre, action=AuditLogEntry.Action.VIEW, obj=person
                )
        return response

    def save_model(self, request, obj, form, change):
        if change:
            original = Person.all_centres.get(pk=obj.pk)
            changes = {
                name: form.cleaned_data[name] for name in form.changed_data if name in services.PERSON_EDITABLE_FIELDS
            }
            saved = services.person_update(actor=request.user, person=original, **changes)
        else:
            saved = services.person_create(
                actor=request.user,
                centre=obj.centre,
                **{name: form.cleaned_data[name] for name in services.PERSON_EDITABLE_FIELDS},
            )
        copy_saved(obj, saved)

    def delete_model(self, request, obj):
        services.person_delete(actor=request.user, person=obj)

    def delete_queryset(self, request, queryset):
        for person in queryset:
            services.person_delete(actor=request.user, person=person)


class ConsentForm(forms.ModelForm):
    class Meta:
        model = ConsentRecord
        # The person field comes from the admin per request, with the scoped choices.
        fields = ["purpose", "text_version", "source", "given_at"]

    def clean_given_at(self):
        given_at = self.cleaned_data["given_at"]
        if services.consent_given_in_future(given_at):
            raise ValidationError(services.CONSENT_FUTURE_MESSAGE)
        return given_at


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
        saved = services.consent_record(
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
            services.consent_withdraw(actor=request.user, consent=consent)
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
        return _is_centre_admin(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _is_centre_admin(request, obj.centre_id if obj else None)

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
