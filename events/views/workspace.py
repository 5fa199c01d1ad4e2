"""The coordinators' events: the list, planning a new one, and one event's page with its
registrations, waiting list, invitation link, attendance, and the changes (details, time and
room, cancelling), each of which tells the people registered what changed."""

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from centres.models import Centre
from centres.selectors import staff_centre_or_404
from config.api import signed_in_user
from config.errors import DomainError
from config.signed_links import absolute_url
from events import selectors
from events.forms import AddRegistrationForm, EventDetailsForm, EventForm, WhenForm
from events.models import Event, Registration
from events.services import attendance as attendance_service
from events.services import events as event_service
from events.services import registrations as registration_service

PER_PAGE = 25
# The attendance form's answers; anything else leaves the registration as it is.
ATTENDED: dict[str, bool | None] = {"yes": True, "no": False, "": None}


def _form_error(form: Any, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error))


@login_required
def events(request: HttpRequest, slug: str) -> HttpResponse:
    """Events to come first (soonest first), then those past (latest first), with their places."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    now = timezone.now()
    all_events = selectors.with_counts(Event.objects.filter(centre=centre).select_related("meeting__room__location"))
    coming = list(all_events.filter(meeting__ends_at__gte=now).order_by("meeting__starts_at", "pk"))
    past = Paginator(all_events.filter(meeting__ends_at__lt=now).order_by("-meeting__starts_at", "-pk"), PER_PAGE)
    context = {"centre": centre, "coming": coming, "past": past.get_page(request.GET.get("page"))}
    return render(request, "events/workspace_events.html", context)


@login_required
def event_new(request: HttpRequest, slug: str) -> HttpResponse:
    centre = staff_centre_or_404(user=request.user, slug=slug)
    form = EventForm(request.POST or None, centre=centre)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = event_service.event_create(
                actor=signed_in_user(request),
                centre=centre,
                **{name: data[name] for name in ("kind", "audience", "title", "description", "places")},
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                room=data["room"],
                mode=data["mode"],
                video_link=data["video_link"],
                meeting_point=data["meeting_point"],
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("%(title)s is planned and open for registration.") % {"title": event.title})
            return redirect("workspace-event", slug, event.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "events/workspace_event_new.html", {"centre": centre, "form": form}, status=status)


def _event(request: HttpRequest, slug: str, pk: int) -> tuple[Centre, Event]:
    centre = staff_centre_or_404(user=request.user, slug=slug)
    event = (
        selectors.with_counts(Event.objects.filter(centre=centre, pk=pk))
        .select_related("centre", "meeting__room__location")
        .first()
    )
    if event is None:
        raise Http404
    return centre, event


def _detail(request: HttpRequest, centre: Centre, event: Event, status: int = 200, **forms: Any) -> HttpResponse:
    registrations = list(
        Registration.objects.filter(event=event).select_related("person__volunteer").order_by("queued_at", "pk")
    )
    by_status: dict[str, list[Registration]] = {value: [] for value in Registration.Status.values}
    for registration in registrations:
        by_status[registration.status].append(registration)
    meeting = event.meeting
    when = {
        "starts_on": timezone.localtime(meeting.starts_at, ZoneInfo(centre.time_zone)).date(),
        "start_time": timezone.localtime(meeting.starts_at, ZoneInfo(centre.time_zone)).time(),
        "duration_minutes": int((meeting.ends_at - meeting.starts_at).total_seconds() // 60),
        "room": meeting.room,
    }
    context = {
        "centre": centre,
        "event": event,
        "open": selectors.is_open(event),
        "begun": meeting.starts_at <= timezone.now(),
        "cancelled": meeting.status == meeting.Status.CANCELLED,
        "confirmed": by_status[Registration.Status.CONFIRMED],
        "waiting": by_status[Registration.Status.WAITING],
        "pending": by_status[Registration.Status.PENDING],
        "cancelled_registrations": by_status[Registration.Status.CANCELLED],
        "not_held": len(by_status[Registration.Status.PENDING]) + len(by_status[Registration.Status.CANCELLED]),
        "invitation_url": absolute_url("event-invitation", event.invitation_code),
        "public_url": absolute_url("event-page", centre.slug, event.public_id),
        "details_form": forms.get("details_form")
        or EventDetailsForm(initial={name: getattr(event, name) for name in event_service.EVENT_FIELDS}),
        "when_form": forms.get("when_form") or WhenForm(initial=when, centre=centre),
        "add_form": forms.get("add_form") or AddRegistrationForm(centre=centre),
    }
    return render(request, "events/workspace_event.html", context, status=status)


@login_required
def event_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    centre, event = _event(request, slug, pk)
    return _detail(request, centre, event)


@login_required
@require_POST
def event_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Change what the event is and its places (more places move people up)."""
    centre, event = _event(request, slug, pk)
    form = EventDetailsForm(request.POST)
    if form.is_valid():
        try:
            event_service.event_update(actor=signed_in_user(request), event=event, **form.cleaned_data)
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("workspace-event", slug, pk)
    return _detail(request, centre, event, status=400, details_form=form)


@login_required
@require_POST
def event_move(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Move the event to another time or room; everyone registered is told."""
    centre, event = _event(request, slug, pk)
    form = WhenForm(request.POST, centre=centre)
    if form.is_valid():
        data = form.cleaned_data
        try:
            event_service.event_move(
                actor=signed_in_user(request),
                event=event,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                room=data["room"],
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Moved. Everyone registered has been told."))
            return redirect("workspace-event", slug, pk)
    return _detail(request, centre, event, status=400, when_form=form)


@login_required
def event_cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The GET asks (who will be told); the POST cancels the event and frees its room."""
    centre, event = _event(request, slug, pk)
    if request.method == "POST":
        try:
            event_service.event_cancel(actor=signed_in_user(request), event=event)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("The event is cancelled and its room is free. Everyone registered has been told.")
            )
        return redirect("workspace-event", slug, pk)
    told = event.taken + event.waiting  # type: ignore[attr-defined]
    return render(request, "events/workspace_event_cancel.html", {"centre": centre, "event": event, "told": told})


@login_required
@require_POST
def registration_new(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A coordinator registers someone: a place if one is free, else the waiting list."""
    centre, event = _event(request, slug, pk)
    form = AddRegistrationForm(request.POST, centre=centre)
    if form.is_valid():
        data = form.cleaned_data
        try:
            registration = registration_service.registration_add(actor=signed_in_user(request), event=event, **data)
        except DomainError as error:
            _form_error(form, error)
        else:
            text = (
                _("%(name)s has a place.")
                if registration.status == Registration.Status.CONFIRMED
                else _("The event is full: %(name)s is on the waiting list.")
            )
            messages.success(request, text % {"name": registration.name})
            return redirect(reverse("workspace-event", args=[slug, pk]) + "#registrations")
    return _detail(request, centre, event, status=400, add_form=form)


@login_required
def registration_cancel(request: HttpRequest, slug: str, pk: int, registration: int) -> HttpResponse:
    """The GET asks; the POST cancels someone's registration (they are told) and gives the place
    to the first who waits."""
    centre, event = _event(request, slug, pk)
    found = Registration.objects.filter(event=event, pk=registration).first()
    if found is None:
        raise Http404
    if request.method == "POST":
        try:
            registration_service.registration_cancel(actor=signed_in_user(request), registration=found)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The registration of %(name)s is cancelled.") % {"name": found.name})
        return redirect(reverse("workspace-event", args=[slug, pk]) + "#registrations")
    context = {"centre": centre, "event": event, "registration": found}
    return render(request, "events/workspace_registration_cancel.html", context)


@login_required
@require_POST
def attendance(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Who came, ticked on the list of those who held a place."""
    _centre, event = _event(request, slug, pk)
    marks: dict[int, bool | None] = {}
    for key, value in request.POST.items():
        if key.startswith("attended-") and key[9:].isdigit() and len(key) < 30 and value in ATTENDED:
            marks[int(key[9:])] = ATTENDED[str(value)]
    try:
        changed = attendance_service.attendance_record(actor=signed_in_user(request), event=event, attended=marks)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Attendance saved (%(count)d changed).") % {"count": changed})
    return redirect(reverse("workspace-event", args=[slug, pk]) + "#attendance")
