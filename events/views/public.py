"""events' public pages: a centre's events, an event's page with its registration form (public
events by their address, invite-only ones by their invitation link), the link that confirms an
address, a registration's own page (see it, cancel it), and the public events as iCalendar.

Every registration answer is the same whatever was entered, so no page tells who registered."""

import re
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from centres.models import Centre
from centres.scoping import all_centres_scope, centre_scope
from config.errors import DomainError
from config.ratelimit import rate_limited
from config.signed_links import unsign
from events import selectors
from events.forms import RegistrationForm
from events.models import Event, Registration
from events.services.registrations import (
    registration_by_token,
    registration_cancel,
    registration_confirm,
    registration_request,
    waiting_position,
)
from events.structured import event_data
from meetings.calendar import meetings_calendar

REGISTRATIONS_PER_HOUR = 10
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")
FEED_PAST_DAYS = 30


def _centre(slug: str) -> Centre:
    with all_centres_scope():
        centre = Centre.objects.filter(slug=slug).first()
    if centre is None:
        raise Http404
    return centre


@require_safe
def events_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A centre's public events still to come."""
    centre = _centre(slug)
    with centre_scope(centre.pk):
        events = list(selectors.public_events(centre))
    for event in events:
        event.free = max(0, event.places - event.taken)  # type: ignore[attr-defined]
        event.open = selectors.is_open(event)  # type: ignore[attr-defined]
    return render(request, "events/events.html", {"centre": centre, "events": events})


def _event_page(request: HttpRequest, event: Event, *, invited: bool) -> HttpResponse:
    """The event and its registration form; a POST registers (rate-limited, with a honeypot)."""
    centre = event.centre
    form = RegistrationForm(request.POST or None)
    context: dict[str, Any] = {
        "centre": centre,
        "event": event,
        "form": form,
        "open": selectors.is_open(event),
        "free": max(0, event.places - event.taken),  # type: ignore[attr-defined]
        "invited": invited,
        "structured": event_data(request, event) if not invited else None,
    }
    if request.method != "POST":
        return render(request, "events/event.html", context)
    if rate_limited(request, scope="event-registration", limit=REGISTRATIONS_PER_HOUR, seconds=3600):
        return render(request, "events/event.html", {**context, "limited": True}, status=429)
    if form.is_valid():
        data = form.cleaned_data
        if not data["website"]:
            try:
                with centre_scope(centre.pk):
                    registration_request(
                        event=event,
                        name=data["name"],
                        email=data["email"],
                        language=request.LANGUAGE_CODE,
                        consent=data["consent"],
                    )
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
        if form.is_valid():
            return render(request, "events/registration_sent.html", {"centre": centre, "event": event})
    return render(request, "events/event.html", context, status=400)


@never_cache
def event_page(request: HttpRequest, slug: str, public_id: UUID) -> HttpResponse:
    centre = _centre(slug)
    with centre_scope(centre.pk):
        event = selectors.public_event(centre, public_id)
    if event is None:
        raise Http404
    return _event_page(request, event, invited=False)


@never_cache
def event_invitation(request: HttpRequest, invite_token: str) -> HttpResponse:
    """An invitation link: the event's page for whoever has it, listed nowhere."""
    with all_centres_scope():
        event = selectors.invited_event(invite_token)
    if event is None:
        return render(request, "notifications/member_link_invalid.html", status=404)
    return _event_page(request, event, invited=True)


@never_cache
def event_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the confirmation mail: the GET shows one button (mail scanners follow links),
    its POST confirms the address, and the registration gets a place or joins the waiting list."""
    if request.method != "POST":
        if unsign("event.confirm", token) is None:
            return render(request, "notifications/member_link_invalid.html", status=404)
        return render(request, "events/confirm.html")
    with all_centres_scope():
        registration = registration_confirm(token=token)
    if registration is None:
        return render(request, "notifications/member_link_invalid.html", status=404)
    return _registration_page(request, registration, token=None)


def _registration_page(
    request: HttpRequest, registration: Registration, *, token: str | None, status: int = 200, **extra: Any
) -> HttpResponse:
    event = registration.event
    with all_centres_scope():
        position = waiting_position(registration) if registration.status == Registration.Status.WAITING else None
    context = {
        "centre": event.centre,
        "event": event,
        "registration": registration,
        "position": position,
        "open": selectors.is_open(event),
        "token": token,
        **extra,
    }
    return render(request, "events/registration.html", context, status=status)


@never_cache
def event_registration(request: HttpRequest, token: str) -> HttpResponse:
    """A registration's own page, from every mail: where it stands, and cancelling it (after a
    question: the place goes to the next person waiting)."""
    with all_centres_scope():
        registration = registration_by_token(token)
    if registration is None:
        return render(request, "notifications/member_link_invalid.html", status=404)
    if request.method == "POST" and request.POST.get("cancel") == "yes":
        try:
            with all_centres_scope():
                registration = registration_cancel(actor=None, registration=registration)
        except DomainError as error:
            return _registration_page(request, registration, token=token, error=str(error), status=409)
        return _registration_page(request, registration, token=token, cancelled_now=True)
    asking = request.GET.get("cancel") == "1" and registration.status != Registration.Status.CANCELLED
    return _registration_page(request, registration, token=token, asking=asking)


@require_safe
def events_feed(request: HttpRequest) -> HttpResponse:
    """The public events of every centre (or of `?centre=<slug>`) as iCalendar: title, time,
    place and status; never a video link or a registration."""
    since = timezone.now() - timedelta(days=FEED_PAST_DAYS)
    with all_centres_scope():
        events = Event.objects.filter(audience=Event.Audience.PUBLIC, meeting__ends_at__gte=since)
        slug = request.GET.get("centre", "")
        if slug:
            if not SLUG.fullmatch(slug) or not Centre.objects.filter(slug=slug).exists():
                raise Http404
            events = events.filter(centre__slug=slug)
        meetings = [
            event.meeting
            for event in events.select_related("meeting__centre", "meeting__room__location").order_by(
                "meeting__starts_at", "pk"
            )
        ]
        body = meetings_calendar(meetings, name="Kontakt")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="events.ics"'
    response["Access-Control-Allow-Origin"] = "*"
    return response
