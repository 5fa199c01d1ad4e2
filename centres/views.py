"""Public pages of the centres app."""

from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from centres import selectors
from centres.forms import StaffPasswordResetForm
from centres.models import Centre
from config.ratelimit import rate_limited


def home(request: HttpRequest) -> HttpResponse:
    """The front page: what Kontakt is and which contact points use it. No personal data."""
    return render(request, "centres/home.html", {"centres": selectors.public_centre_list()})


def _public_centre(slug: str) -> Centre:
    centre = Centre.all_centres.filter(slug=slug).first()
    if centre is None:
        raise Http404
    return centre


@require_safe
def centre_home(request: HttpRequest, slug: str) -> HttpResponse:
    """A contact point's own front page: what it offers and the ways in."""
    return render(request, "centres/centre_home.html", {"centre": _public_centre(slug)})


@require_safe
def privacy(request: HttpRequest, slug: str) -> HttpResponse:
    """The privacy notice: what the contact point stores, why, for how long, and people's rights."""
    return render(request, "centres/privacy.html", {"centre": _public_centre(slug)})


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
