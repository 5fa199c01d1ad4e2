"""The volunteer portal: log in by e-mailed link or password, see my groups, upcoming meetings,
hours and open requests, log a session, set a password. A volunteer sees only their own data."""

from collections.abc import Callable
from decimal import Decimal
from functools import wraps

from django import forms
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from centres.scoping import all_centres_scope
from centres.templatetags.kontakt import when
from config.errors import DomainError
from config.ratelimit import rate_limited
from notifications.mail_requests import mail_request_store
from notifications.models import MailRequest
from volunteers import accounts, selectors, services
from volunteers.models import ChecklistItem, StarterRequest

LOGIN_LINKS_PER_HOUR = 10


def volunteer_required(view: Callable) -> Callable:
    """Portal pages need a portal login with at least one confirmed, not retired volunteer record;
    the view gets their ids. Everyone else is sent to the portal login."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        with all_centres_scope():
            volunteer_ids = selectors.portal_volunteer_ids(request.user)
            if not volunteer_ids or not accounts.is_portal_user(request.user):
                return redirect(reverse("volunteer-login") + "?" + urlencode({"next": request.path}))
            return view(request, volunteer_ids, *args, **kwargs)

    return never_cache(wrapper)


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


@never_cache
def portal_login(request: HttpRequest) -> HttpResponse:
    """Two ways in: a link by e-mail (the same answer whether or not the address is known), or
    the password a volunteer set in the portal (lock-out after repeated failures, by django-axes)."""
    link_form, password_form = LoginLinkForm(prefix="link"), PasswordLoginForm(prefix="password")
    context: dict = {"next": _next_url(request)}
    status = 200
    if request.method == "POST" and request.POST.get("way") == "link":
        link_form = LoginLinkForm(request.POST, prefix="link")
        if rate_limited(request, scope="volunteer-login-link", limit=LOGIN_LINKS_PER_HOUR, seconds=3600):
            context["limited"], status = True, 429
        elif link_form.is_valid():
            # One lookup and one stored request whatever the address; the worker does the rest,
            # so the answer takes as long for an unknown address as for a known one.
            with all_centres_scope():
                volunteer_id = (
                    accounts.portal_volunteers(link_form.cleaned_data["email"]).values_list("pk", flat=True).first()
                )
                mail_request_store(
                    kind=MailRequest.Kind.PORTAL_LOGIN_LINK, centre=None, payload={"volunteer_id": volunteer_id}
                )
            return render(request, "volunteers/portal_login_sent.html")
    elif request.method == "POST" and request.POST.get("way") == "password":
        password_form = PasswordLoginForm(request.POST, prefix="password")
        status = 400
        if password_form.is_valid():
            email = password_form.cleaned_data["email"]
            with all_centres_scope():
                user = accounts.portal_user_by_email(email)
            # An unknown address is tried too, so it costs the same and counts towards the lock-out.
            username = user.get_username() if user else email
            authenticated = authenticate(request, username=username, password=password_form.cleaned_data["password"])
            # A locked-out attempt gets django-axes' lock-out page (429) from its middleware.
            if authenticated is None or user is None or authenticated.pk != user.pk:
                password_form.add_error(None, _("The e-mail address or the password is wrong."))
            else:
                login(request, authenticated)
                return redirect(context["next"])
    context.update(link_form=link_form, password_form=password_form)
    return render(request, "volunteers/portal_login.html", context, status=status)


@never_cache
def portal_login_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the login mail: a GET shows one button (mail scanners follow links), its POST
    logs in. A link works once and for 20 minutes."""
    with all_centres_scope():
        if request.method != "POST":
            valid = accounts.portal_login_token_check(token) is not None
            return render(
                request,
                "volunteers/portal_login_link.html" if valid else "volunteers/portal_link_invalid.html",
                status=200 if valid else 404,
            )
        user = accounts.portal_login_token_use(token)
    if user is None:
        return render(request, "volunteers/portal_link_invalid.html", status=404)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("volunteer-portal")


@require_POST
def portal_logout(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("volunteer-login")


@volunteer_required
def portal_home(request: HttpRequest, volunteer_ids: list[int]) -> HttpResponse:
    assignments = selectors.my_assignments(volunteer_ids)
    checklists = selectors.my_checklists(assignments)
    for assignment in assignments:
        assignment.checklist = checklists[assignment.group_id]
    return render(
        request,
        "volunteers/portal_home.html",
        {
            "assignments": assignments,
            "meetings": selectors.my_upcoming_meetings(assignments),
            "to_log": len(selectors.meetings_to_log(assignments)),
            "hours": selectors.my_hours_by_month(volunteer_ids),
            "requests": selectors.my_open_requests(volunteer_ids),
            "logs": selectors.my_session_logs(volunteer_ids)[:10],
            "has_password": request.user.has_usable_password(),
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

    def __init__(self, *args, meetings: list, items: dict[int, ChecklistItem], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.meetings = {f"{meeting.assignment_id}-{meeting.pk}": meeting for meeting in meetings}
        self.fields["meeting"].choices = [
            (key, f"{meeting.group.name} · {when(meeting.starts_at)}") for key, meeting in self.meetings.items()
        ]
        self.fields["checklist"].choices = [(str(pk), item.text) for pk, item in items.items()]


@volunteer_required
def portal_log_session(request: HttpRequest, volunteer_ids: list[int]) -> HttpResponse:
    """Log a meeting attended: hours, checklist steps reached, private notes. A note naming a
    member is refused with the names shown, until the volunteer removes them or confirms."""
    assignments = selectors.my_assignments(volunteer_ids)
    meetings = selectors.meetings_to_log(assignments)
    checklists = selectors.my_checklists(assignments)
    items = {step.item.pk: step.item for steps in checklists.values() for step in steps}
    form = SessionLogForm(request.POST or None, meetings=meetings, items=items)
    status = 200
    if request.method == "POST" and form.is_valid():
        meeting = form.meetings[form.cleaned_data["meeting"]]
        assignment = next(a for a in assignments if a.pk == meeting.assignment_id)
        with all_centres_scope():
            try:
                services.session_log_create(
                    actor=request.user,
                    assignment=assignment,
                    meeting=meeting,
                    hours=form.cleaned_data["hours"],
                    checklist=[items[int(pk)] for pk in form.cleaned_data["checklist"]],
                    notes=form.cleaned_data["notes"],
                    names_checked=form.cleaned_data["names_checked"],
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
    starter_request = StarterRequest.all_centres.filter(pk=pk, volunteer_id__in=volunteer_ids).first()
    answer = request.POST.get("answer")
    if starter_request is None:
        raise Http404
    if answer not in ("accept", "decline"):
        return render(request, "volunteers/request.html", {"request_obj": starter_request}, status=400)
    status = services.starter_request_answer(request=starter_request, accept=answer == "accept")
    return render(request, "volunteers/request.html", {"answered": True, "status": status, "in_portal": True})


@volunteer_required
def portal_password(request: HttpRequest, volunteer_ids: list[int]) -> HttpResponse:
    """Set a password (after a link login) or change it."""
    form_class = PasswordChangeForm if request.user.has_usable_password() else SetPasswordForm
    form = form_class(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        return redirect(reverse("volunteer-portal") + "?password=1")
    return render(request, "volunteers/portal_password.html", {"form": form}, status=400 if form.errors else 200)
