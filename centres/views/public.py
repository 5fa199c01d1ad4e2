"""Public pages of the centres app."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_safe

from centres import selectors
from centres.forms import InvitationPasswordForm, StaffPasswordResetForm
from centres.models import Centre
from centres.scoping import all_centres_scope
from centres.services import accounts
from centres.services.retention import UNCONFIRMED_KEPT
from centres.structured import centre_data
from config.errors import DomainError
from config.ratelimit import rate_limited


def home(request: HttpRequest) -> HttpResponse:
    """The front page: what Kontakt is and which contact points use it. No personal data."""
    return render(request, "centres/home.html", {"centres": selectors.public_centre_list()})


def _public_centre(slug: str) -> Centre:
    with all_centres_scope():  # a centre's public page, for everyone
        centre = Centre.objects.filter(slug=slug).first()
    if centre is None:
        raise Http404
    return centre


@require_safe
def centre_home(request: HttpRequest, slug: str) -> HttpResponse:
    """A contact point's own front page: what it offers and the ways in."""
    centre = _public_centre(slug)
    return render(request, "centres/centre_home.html", {"centre": centre, "structured": centre_data(request, centre)})


@require_safe
def privacy(request: HttpRequest, slug: str) -> HttpResponse:
    """The privacy notice: what the contact point stores, why, for how long, and people's rights."""
    context = {"centre": _public_centre(slug), "unconfirmed_days": UNCONFIRMED_KEPT.days}
    return render(request, "centres/privacy.html", context)


RESETS_PER_HOUR = 5


class StaffPasswordResetView(auth_views.PasswordResetView):
    """Django's password reset for staff, with the mail sent by the worker (the answer takes the
    same time for any address) and at most RESETS_PER_HOUR requests an hour per client address."""

    form_class = StaffPasswordResetForm

    def form_valid(self, form):
        if rate_limited(self.request, scope="password-reset", limit=RESETS_PER_HOUR, seconds=3600):
            form.add_error("email", _("Too many requests from your network in the last hour. Please try again later."))
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)


def _invited_staff_account(request: HttpRequest, email: str) -> User | None:
    """The staff account the invitation's page is opened with, if it is one of the invited address."""
    user = request.user
    if isinstance(user, User) and accounts.user_is_staff_account(user) and user.email.casefold() == email.casefold():
        return user
    return None


@sensitive_post_parameters("password1", "password2")
def staff_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation's link: the invited address's owner joins the centre, with the staff account
    they are logged in with (of the same address) or a new account with a password they set.
    A used, withdrawn, expired or forged link is a 404 that tells nothing else."""
    invitation = accounts.staff_invitation_for_token(token)
    if invitation is None:
        return render(request, "centres/staff_invitation_invalid.html", status=404)
    account = _invited_staff_account(request, invitation.email)
    form = InvitationPasswordForm(email=invitation.email, name=invitation.name)
    error, status = "", 200
    if request.method == "POST":
        try:
            if account is not None and request.POST.get("action") == "join":
                staff_role = accounts.staff_invitation_accept(token=token, user=account)
            else:
                form = InvitationPasswordForm(request.POST, email=invitation.email, name=invitation.name)
                if not form.is_valid():
                    raise DomainError(str(_("Check the password.")))
                staff_role = accounts.staff_invitation_accept(token=token, password=form.cleaned_data["password1"])
        except DomainError as problem:
            error, status = problem.message, problem.status_code
        else:
            context = {"centre": staff_role.centre, "username": staff_role.user.get_username()}
            return render(request, "centres/staff_invitation_accepted.html", context)
    own_account = account is not None
    context = {"centre": invitation.centre, "invitation": invitation, "own_account": own_account, "form": form}
    return render(request, "centres/staff_invitation.html", {**context, "error": error}, status=status)
