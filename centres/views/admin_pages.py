"""A centre admin's pages in the workspace: the centre's settings (details, sender, time zone,
starters and founding, retention periods) and its staff (invite, change a role, remove a role,
withdraw an invitation). Coordinators see them as not theirs (403); everyone else gets 404.
Every change goes through a service and the answer says what happened."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centres.models import Centre, StaffInvitation, StaffRole
from centres.selectors import admin_centre_or_403
from centres.services.accounts import staff_invitation_revoke, staff_invite, staff_sign_out
from centres.services.centre import CENTRE_EDITABLE_FIELDS, centre_update
from centres.services.staff import staff_role_change, staff_role_revoke
from config.api import signed_in_user
from config.errors import DomainError


def _admin_centre(request: HttpRequest, slug: str) -> Centre:
    return admin_centre_or_403(user=request.user, slug=slug)


class SettingsForm(forms.Form):
    """The centre's own settings, one field per editable column of the centre."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in CENTRE_EDITABLE_FIELDS:
            model_field = Centre._meta.get_field(name)
            if isinstance(model_field, models.Field):
                field = model_field.formfield(assume_scheme="https") if name == "website" else model_field.formfield()
                if field is not None:
                    self.fields[name] = field


@login_required
def centre_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """Change the centre's settings; the answer names what changed, or says nothing did."""
    centre = _admin_centre(request, slug)
    initial = {name: getattr(centre, name) for name in CENTRE_EDITABLE_FIELDS}
    form = SettingsForm(request.POST or None, initial=initial)
    error = ""
    if request.method == "POST" and form.is_valid():
        if not form.has_changed():
            messages.info(request, _("Nothing changed."))
            return redirect(reverse("workspace-settings", args=[slug]))
        try:
            centre_update(actor=signed_in_user(request), centre=centre, **form.cleaned_data)
        except (DomainError, ValidationError) as problem:
            error = " ".join(problem.messages) if isinstance(problem, ValidationError) else str(problem)
        else:
            changed = ", ".join(str(form.fields[name].label) for name in form.changed_data)
            messages.success(request, _("Saved: %(fields)s.") % {"fields": changed})
            return redirect(reverse("workspace-settings", args=[slug]))
    status = 400 if request.method == "POST" else 200
    context = {"centre": centre, "form": form, "error": error}
    return render(request, "centres/workspace_settings.html", context, status=status)


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address"))
    name = forms.CharField(label=gettext_lazy("Name (optional)"), max_length=150, required=False)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=StaffRole.Role.choices)


def _staff_page(request: HttpRequest, centre: Centre, *, status: int = 200, **extra: Any) -> HttpResponse:
    context = {
        "centre": centre,
        "roles": StaffRole.objects.filter(centre=centre).select_related("user").order_by("user__username"),
        "invitations": StaffInvitation.objects.filter(centre=centre, expires_at__gt=timezone.now()).order_by("email"),
        "role_choices": StaffRole.Role.choices,
        "form": extra.pop("form", None) or InviteForm(),
        **extra,
    }
    return render(request, "centres/workspace_staff.html", context, status=status)


def _to_staff(slug: str) -> HttpResponse:
    return redirect(reverse("workspace-staff", args=[slug]))


@login_required
def centre_staff(request: HttpRequest, slug: str) -> HttpResponse:
    """The centre's staff and open invitations; POST invites someone (the link goes by mail)."""
    centre = _admin_centre(request, slug)
    if request.method != "POST":
        return _staff_page(request, centre)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _staff_page(request, centre, form=form, status=400)
    try:
        staff_invite(actor=signed_in_user(request), centre=centre, **form.cleaned_data)
    except DomainError as problem:
        return _staff_page(request, centre, form=form, error=str(problem), status=problem.status_code)
    messages.success(
        request, _("The invitation is on its way to %(email)s.") % {"email": form.cleaned_data["email"].lower()}
    )
    return _to_staff(slug)


def _role_or_404(centre: Centre, pk: int) -> StaffRole:
    staff_role = StaffRole.objects.filter(centre=centre, pk=pk).select_related("user").first()
    if staff_role is None:
        raise Http404
    return staff_role


@login_required
def centre_staff_role(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Change someone's role (POST `role`), sign them out everywhere (`sign_out`: a lost laptop),
    or remove the role (`remove`, asked first on a GET)."""
    centre = _admin_centre(request, slug)
    staff_role = _role_or_404(centre, pk)
    if request.method != "POST":
        return _staff_page(request, centre, confirm_remove=staff_role)
    name = staff_role.user.get_username()
    role = request.POST.get("role", "")
    try:
        if "sign_out" in request.POST:
            ended = staff_sign_out(actor=signed_in_user(request), staff_role=staff_role)
            done = _("%(name)s is signed out everywhere (%(count)d sessions and tokens ended).") % {
                "name": name,
                "count": ended,
            }
        elif "remove" in request.POST:
            staff_role_revoke(actor=signed_in_user(request), staff_role=staff_role)
            done = _("%(name)s no longer works for the centre; their sessions have ended.") % {"name": name}
        elif role not in StaffRole.Role.values:
            raise DomainError(_("Choose a role."))
        elif role == staff_role.role:
            messages.info(request, _("Nothing changed."))
            return _to_staff(slug)
        else:
            staff_role_change(actor=signed_in_user(request), staff_role=staff_role, role=role)
            done = _("%(name)s is now %(role)s.") % {"name": name, "role": StaffRole.Role(role).label}
    except DomainError as problem:
        return _staff_page(request, centre, error=str(problem), status=problem.status_code)
    messages.success(request, done)
    return _to_staff(slug)


@login_required
def centre_invitation_withdraw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Withdraw an open invitation (its link stops working); a GET asks first."""
    centre = _admin_centre(request, slug)
    invitation = StaffInvitation.objects.filter(centre=centre, pk=pk).first()
    if invitation is None:
        raise Http404
    if request.method != "POST":
        return _staff_page(request, centre, confirm_withdraw=invitation)
    staff_invitation_revoke(actor=signed_in_user(request), invitation=invitation)
    messages.success(request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email})
    return _to_staff(slug)
