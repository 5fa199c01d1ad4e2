"""Public pages of the centres app."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from centres import selectors
from centres.models import Centre


def home(request: HttpRequest) -> HttpResponse:
    """The front page: what Kontakt is and which contact points use it. No personal data."""
    return render(request, "centres/home.html", {"centres": selectors.public_centre_list()})


def _public_centre(slug: str) -> Centre:
    centre = Centre.all_centres.filter(slug=slug).first()
    if centre is None:
        raise Http404
    return centre


@require_GET
def centre_home(request: HttpRequest, slug: str) -> HttpResponse:
    """A contact point's own front page: what it offers and the ways in."""
    return render(request, "centres/centre_home.html", {"centre": _public_centre(slug)})


@require_GET
def privacy(request: HttpRequest, slug: str) -> HttpResponse:
    """The privacy notice: what the contact point stores, why, for how long, and people's rights."""
    return render(request, "centres/privacy.html", {"centre": _public_centre(slug)})
