"""The volunteer portal: log in by e-mailed link or password, see my groups, upcoming meetings,
hours and open requests, log a session, set a password. A volunteer sees only their own data.

The portal's pages run in the scope of the centres the volunteer works for (`volunteer_required`);
the login pages find the login across centres, each in one visible block."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any, cast

from django import forms
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from centres.scoping import all_centres_scope, centre_scope
from centres.templatetags.kontakt import when
from config.api import signed_in_user
from config.errors import DomainError
from config.ratelimit import rate_limited
from meetings.models import Membership
from notifications.models import MailRequest
from notifications.services.mail_requests import mail_request_store
from volunteers import selectors
from volunteers.models import ChecklistItem, StarterRequest
from volunteers.selectors import (
    MeetingToLog,
    is_portal_user,
    linked_volunteers,
    portal_user_by_email,
    portal_volunteers,
)
from volunteers.services.accounts import portal_login_token_check, portal_login_token_use
from volunteers.services.requests import starter_request_answer
from volunteers.services.sessions import session_log_create

LOGIN_LINKS_PER_HOUR = 10

PortalView = Callable[..., HttpResponse]


def volunteer_required(view: PortalView) -> PortalView:
    """Portal pages need a portal login with at least one confirmed, not retired volunteer record;
    the view gets their ids and runs in the scope of their centres. Everyone else is sent to the
    portal login."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        with all_centres_scope():
            records = (
                list(linked_volunteers(user).values_list("pk", "centre_id"))
                if isinstance(user, User) and is_portal_user(user)
                else []
            )
        if not records:
            return redirect(reverse("volunteer-login") + "?" + urlencode({"next": request.path}))
        with centre_scope({centre_id for _pk, centre_id in records}):
            return view(request, [pk for pk, _centre_id in records], *args, **kwargs)

    return never_cache(wrapper)


def _portal_user(request: HttpRequest) -> User:
    """The login of a request `volunteer_required` let through."""
    return signed_in_user(request)


class LoginLinkForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Your e-mail address"), max_length=254)


class PasswordLoginForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Your e-mail address"), max_length=254)
    password = forms.CharField(label=gettext_lazy("Password"), strip=False, widget=forms.PasswordInput)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("volunteer-portal")


def _login_page(
    request: HttpRequest,
    *,
    link_form: LoginLinkForm | None = None,
    password_form: PasswordLoginForm | None = None,
    status: int = 200,
    limited: bool = False,
) -> HttpResponse:
    context = {
        "next": _next_url(request),
        "link_form": link_form or LoginLinkForm(prefix="link"),
        "password_form": password_form or PasswordLoginForm(prefix="password"),
    }
    if limited:
        context["limited"] = True
    return render(request, "volunteers/portal_login.html", context, status=status)


@never_cache
def portal_login(request: HttpRequest) -> HttpResponse:
    """Two ways in: a link by e-mail (the same answer whether or not the address is known), or
    the password a volunteer set in the portal. Each form posts to its own view; a post here
    (the form of an older page) goes to the view its `way` names."""
    if request.method == "POST" and request.POST.get("way") == "link":
        return portal_login_link_request(request)
    if request.method == "POST" and request.POST.get("way") == "password":
        return portal_login_password(request)
    return _login_page(request)


@never_cache
@require_POST
def portal_login_link_request(request: HttpRequest) -> HttpResponse:
    """Ask for a login link by e-mail: the same answer whether or not the address is known."""
    link_form = LoginLinkForm(request.POST, prefix="link")
    if rate_limited(request, scope="volunteer-login-link", limit=LOGIN_LINKS_PER_HOUR, seconds=3600):
        return _login_page(request, link_form=link_form, status=429, limited=True)
    if not link_form.is_valid():
        return _login_page(request, link_form=link_form)
    # One lookup and one stored request whatever the address; the worker does the rest, so the
    # answer takes as long for an unknown address as for a known one.
    with all_centres_scope():
        volunteer_id = portal_volunteers(link_form.cleaned_data["email"]).values_list("pk", flat=True).first()
        mail_request_store(kind=MailRequest.Kind.PORTAL_LOGIN_LINK, centre=None, payload={"volunteer_id": volunteer_id})
    return render(request, "volunteers/portal_login_sent.html")


@never_cache
@require_POST
def portal_login_password(request: HttpRequest) -> HttpResponse:
    """Log in with the password a volunteer set in the portal (lock-out after repeated failures,
    by django-axes)."""
    password_form = PasswordLoginForm(request.POST, prefix="password")
    if password_form.is_valid():
        email = password_form.cleaned_data["email"]
        with all_centres_scope():
            user = portal_user_by_email(email)
        # An unknown address is tried too, so it costs the same and counts towards the lock-out.
        username = user.get_username() if user else email
        authenticated = authenticate(request, username=username, password=password_form.cleaned_data["password"])
        # A locked-out attempt gets django-axes' lock-out page (429) from its middleware.
        if authenticated is None or user is None or authenticated.pk != user.pk:
            password_form.add_error(None, _("The e-mail address or the password is wrong."))
        else:
            login(request, authenticated)
            return redirect(_next_url(request))
    return _login_page(request, password_form=password_form, status=400)


@never_cache
def portal_login_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the login mail: a GET shows one button (mail scanners follow links), its POST
    logs in. A link works once and for 20 minutes."""
    with all_centres_scope():
        if request.method != "POST":
            valid = portal_login_token_check(token) is not None
            return render(
                request,
                "volunteers/portal_login_link.html" if valid else "volunteers/portal_link_invalid.html",
                status=200 if valid else 404,
            )
        user = portal_login_token_use(token)
    if user is None:
        return render(request, "volunteers/portal_link_invalid.html", status=404)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("volunteer-portal")


@require_POST
def portal_logout(request: HttpRequest) -> HttpResponse:
    """Log out of the portal."""
    logout(request)
    return redirect("volunteer-login")


@volunteer_required
def portal_home(request: HttpRequest, volunteer_ids: list[int]) -> HttpResponse:
    """The volunteer's groups with their checklists, upcoming meetings, hours, requests and logs."""
    assignments = selectors.my_assignments(volunteer_ids)
    checklists = selectors.my_checklists(assignments)
    return render(
        request,
        "volunteers/portal_home.html",
        {
            # Each assignment with its group's self-run checklist.
            "assignments": [(assignment, checklists[assignment.group_id]) for assignment in assignments],
            "meetings": selectors.my_upcoming_meetings(assignments),
            "to_log": len(selectors.meetings_to_log(assignments)),
            "hours": selectors.my_hours_by_month(volunteer_ids),
            "requests": selectors.my_open_requests(volunteer_ids),
            "logs": selectors.my_session_logs(volunteer_ids)[:10],
            "has_password": _portal_user(request).has_usable_password(),
        },
    )


class SessionLogForm(forms.Form):
    meeting = forms.ChoiceField(label=gettext_lazy("Which meeting"))
    hours = forms.DecimalField(
        label=gettext_lazy("Hours, including travel"),
        min_value=Decimal("0.25"),
        max_value=Decimal("12"),
        decimal_places=2,
        initial=Decimal("2"),
    )
    checklist = forms.MultipleChoiceField(
        label=gettext_lazy("What the group has reached"), widget=forms.CheckboxSelectMultiple, required=False
    )
    notes = forms.CharField(
        label=gettext_lazy("Private notes for the contact point (optional)"),
        help_text=gettext_lazy("Never write members' names."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=3000,
        required=False,
    )
    names_checked = forms.BooleanField(
        label=gettext_lazy("I checked: the words shown are not members' names."), required=False
    )
    contact_person = forms.ChoiceField(
        label=gettext_lazy("The contact person the group chose"),
        help_text=gettext_lazy("Only when you tick that step: they get a link to the group's page by e-mail."),
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        meetings: list[MeetingToLog],
        items: dict[int, ChecklistItem],
        members: dict[int, list[Membership]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.members = {membership.pk: membership for group in (members or {}).values() for membership in group}
        cast(forms.ChoiceField, self.fields["contact_person"]).choices = [("", "—")] + [
            (str(membership.pk), f"{membership.group.name} · {membership.person.display_name}")
            for membership in self.members.values()
        ]
        self.meetings = {f"{meeting.assignment_id}-{meeting.pk}": meeting for meeting in meetings}
        cast(forms.ChoiceField, self.fields["meeting"]).choices = [
            (key, f"{meeting.group.name if meeting.group else ''} · {when(meeting.starts_at)}")
            for key, meeting in self.meetings.items()
        ]
        cast(forms.ChoiceField, self.fields["checklist"]).choices = [
            (str(pk), item.display_text) for pk, item in items.items()
        ]


@volunteer_required
def portal_log_session(request: HttpRequest, volunteer_ids: list[int]) -> HttpResponse:
    """Log a meeting attended: hours, checklist steps reached, private notes. A note naming a
    member is refused with the names shown, until the volunteer removes them or confirms."""
    assignments = selectors.my_assignments(volunteer_ids)
    meetings = selectors.meetings_to_log(assignments)
    checklists = selectors.my_checklists(assignments)
    items = {step.item.pk: step.item for steps in checklists.values() for step in steps}
    members = selectors.my_groups_members(assignments)
    form = SessionLogForm(request.POST or None, meetings=meetings, items=items, members=members)
    status = 200
    if request.method == "POST" and form.is_valid():
        meeting = form.meetings[form.cleaned_data["meeting"]]
        assignment = next(a for a in assignments if a.pk == meeting.assignment_id)
        ticked = [items[int(pk)] for pk in form.cleaned_data["checklist"]]
        try:
            contact_step = any(item.records_contact_person for item in ticked)
            if contact_step and members.get(assignment.group_id) and not form.cleaned_data["contact_person"]:
                raise DomainError(_("Say whom the group chose as its contact person."), field="contact_person")
            session_log_create(
                actor=_portal_user(request),
                assignment=assignment,
                meeting=meeting,
                hours=form.cleaned_data["hours"],
                checklist=ticked,
                notes=form.cleaned_data["notes"],
                names_checked=form.cleaned_data["names_checked"],
                # Recorded only with the step that records it, as the form's help says.
                contact_membership=(
                    form.members.get(int(form.cleaned_data["contact_person"] or 0)) if contact_step else None
                ),
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, ValidationError(str(error)))
        else:
            return redirect(reverse("volunteer-portal") + "?logged=1")
    if request.method == "POST" and form.errors:
        status = 400
    return render(
        request,
        "volunteers/portal_log.html",
        {"form": form, "has_meetings": bool(meetings), "names_warning": "notes" in form.errors},
        status=status,
    )


@volunteer_required
@require_POST
def portal_request_answer(request: HttpRequest, volunteer_ids: list[int], pk: int) -> HttpResponse:
    """Accept or decline a request to start a group, from the portal."""
    starter_request = StarterRequest.objects.filter(pk=pk, volunteer_id__in=volunteer_ids).first()
    answer = request.POST.get("answer")
    if starter_request is None:
        raise Http404
    if answer not in ("accept", "decline"):
        return render(request, "volunteers/request.html", {"request_obj": starter_request}, status=400)
    status = starter_request_answer(request=starter_request, accept=answer == "accept")
    return render(request, "volunteers/request.html", {"answered": True, "status": status, "in_portal": True})


@volunteer_required
def portal_password(request: HttpRequest, volunteer_ids: list[int]) -> HttpResponse:
    """Set a password (after a link login) or change it."""
    user = _portal_user(request)
    form: SetPasswordForm[User] = (
        PasswordChangeForm(user, request.POST or None)
        if user.has_usable_password()
        else SetPasswordForm(user, request.POST or None)
    )
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        return redirect(reverse("volunteer-portal") + "?password=1")
    return render(request, "volunteers/portal_password.html", {"form": form}, status=400 if form.errors else 200)
