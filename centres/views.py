"""Public pages of the centres app."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from centres import selectors


def home(request: HttpRequest) -> HttpResponse:
    """The front page: what Kontakt is and which contact points use it. No personal data."""
    return render(request, "centres/home.html", {"centres": selectors.public_centre_list()})
