"""Coordinators' pages of the meetings app (behind a staff login): the room planner (book a
weekly series) and one booking from the planner (move it, cancel it, reinstate it). The groups'
pages are in `workspace_groups`."""

from datetime import date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from centres.models import Centre
from centres.selectors import staff_centre_or_404
from config.errors import DomainError
from config.forms import LocalDateTimeField
from config.local_time import local_time_problem
from meetings import selectors
from meetings.booking import booking_owner, check_within_planning_range
from meetings.models import Group, Meeting, MeetingSeries, OpeningHours, Room
from meetings.selectors import workspace as workspace_selectors
from meetings.services import meetings as meeting_changes
from meetings.services import series

WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def _actor(request: HttpRequest) -> AbstractBaseUser:
    """The signed-in coordinator (login_required lets no one else in), as services take it."""
    if not isinstance(request.user, AbstractBaseUser):
        raise PermissionDenied
    return request.user


def _queryset(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    """The rows a form's choice field offers: the centre's, known only once the form is made."""
    field = form.fields[name]
    if isinstance(field, forms.ModelChoiceField):
        field.queryset = queryset


class SeriesForm(forms.Form):
    """Book a group's weekly (or every-other-week) meetings from the planner."""

    group: "forms.ModelChoiceField[Group]" = forms.ModelChoiceField(
        label=gettext_lazy("Group"), queryset=Group.objects.none()
    )
    room: "forms.ModelChoiceField[Room]" = forms.ModelChoiceField(
        label=gettext_lazy("Room"), queryset=Room.objects.none()
    )
    weekday = forms.TypedChoiceField(label=gettext_lazy("Weekday"), coerce=int, choices=OpeningHours.Weekday.choices)
    every = forms.TypedChoiceField(
        label=gettext_lazy("Every"),
        coerce=int,
        choices=[(1, gettext_lazy("week")), (2, gettext_lazy("second week"))],
    )
    starts_on = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=gettext_lazy("Start time"), widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(label=gettext_lazy("Minutes"), min_value=15, max_value=720, initial=120)

    def __init__(self, *args, centre: Centre, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _queryset(self, "group", selectors.plannable_groups(centre))
        _queryset(self, "room", selectors.planner_rooms(centre))


def _planner_week(request: HttpRequest) -> date:
    """The week the planner shows: `?week=` if it is a date within the planning range, else this week."""
    try:
        day = date.fromisoformat(request.GET["week"]) if "week" in request.GET else None
        if day is not None:
            check_within_planning_range(day, field="week")
    except (ValueError, DomainError):
        day = None  # a mistyped week shows this week
    return day or timezone.localdate()


def _series_book(request: HttpRequest, form: SeriesForm) -> MeetingSeries:
    data = form.cleaned_data
    rule = f"FREQ=WEEKLY;INTERVAL={data['every']};BYDAY={WEEKDAY_CODES[data['weekday']]}"
    return series.series_create(
        actor=_actor(request),
        group=data["group"],
        room=data["room"],
        rule=rule,
        starts_on=data["starts_on"],
        start_time=data["start_time"],
        duration_minutes=data["duration_minutes"],
    )


def _series_booked(request: HttpRequest, slug: str, booked: MeetingSeries) -> HttpResponse:
    """Back to the planner on the week of the first meeting, which the message names."""
    first = workspace_selectors.series_first_meeting(booked)
    if first is None:  # every date fell on a closure or outside the horizon
        messages.warning(request, _("The series is booked, but none of its dates takes place yet."))
        return redirect(reverse("room-planner", args=[slug]) + f"?week={booked.starts_on}")
    starts = timezone.localtime(first.starts_at, ZoneInfo(booked.time_zone))
    messages.success(
        request,
        _("The series is booked. First meeting: %(when)s in %(room)s.")
        % {"when": date_format(starts, "l j F, H:i"), "room": first.room.name},
    )
    return redirect(reverse("room-planner", args=[slug]) + f"?week={starts.date()}")


@login_required
def room_planner(request: HttpRequest, slug: str) -> HttpResponse:
    """Coordinators' week view: rooms × days with bookings, closures and utilisation; book a
    weekly series here (a clash is refused and named); each booking opens to move or cancel."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    form = SeriesForm(request.POST or None, centre=centre, prefix="series")
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            try:
                booked = _series_book(request, form)
            except DomainError as problem:
                error, status = str(problem), problem.status_code
            else:
                return _series_booked(request, slug, booked)
        else:
            status = 400
    plan = selectors.room_week_plan(centre=centre, monday=_planner_week(request))
    return render(
        request,
        "meetings/room_planner.html",
        {"plan": plan, "centre": centre, "form": form, "error": error},
        status=status,
    )


class MoveForm(forms.Form):
    starts_at = LocalDateTimeField(
        label=gettext_lazy("New start"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    room: "forms.ModelChoiceField[Room]" = forms.ModelChoiceField(
        label=gettext_lazy("Room"), queryset=Room.objects.none()
    )


def _told(meeting: Meeting) -> int:
    """How many members a change of the meeting reaches by e-mail (none for a room booking)."""
    return workspace_selectors.group_notice_recipients(meeting.group) if meeting.group is not None else 0


class _Booking:
    """One booking opened from the planner, with what its page and its actions need."""

    def __init__(self, request: HttpRequest, slug: str, pk: int) -> None:
        self.centre = staff_centre_or_404(user=request.user, slug=slug)
        meeting = selectors.planner_meeting(self.centre, pk)
        if meeting is None:
            raise Http404
        self.meeting: Meeting = meeting
        self.zone: tzinfo = ZoneInfo(self.centre.time_zone)
        # An intake conversation's booking belongs to its enquiry, which keeps its time and room.
        self.conversation = booking_owner(meeting)

    def move_form(self, data: QueryDict | None = None) -> MoveForm:
        form = MoveForm(
            data,
            initial={
                "starts_at": timezone.localtime(self.meeting.starts_at, self.zone).strftime("%Y-%m-%dT%H:%M"),
                "room": self.meeting.room,
            },
        )
        _queryset(form, "room", selectors.planner_rooms(self.centre))
        return form

    def check_not_a_conversation(self) -> None:
        """Refused (409) before the form is read: the enquiry's page changes this booking."""
        meeting_changes.meeting_check_not_owned(self.meeting)

    def render(
        self,
        request: HttpRequest,
        *,
        move_form: MoveForm | None = None,
        confirm_cancel: bool = False,
        error: str = "",
        status: int = 200,
    ) -> HttpResponse:
        return render(
            request,
            "meetings/planner_meeting.html",
            {
                "centre": self.centre,
                "meeting": self.meeting,
                "move_form": move_form or self.move_form(),
                "confirm_cancel": confirm_cancel or request.GET.get("cancel") == "1",
                "conversation": self.conversation,
                "error": error,
                "now": timezone.now(),
                "told": _told(self.meeting),
            },
            status=status,
        )

    def changed(self, request: HttpRequest, meeting: Meeting, done: str) -> HttpResponse:
        """Back to the planner, on the week the (moved or cancelled) meeting is now in, saying
        what was done and how many members are told."""
        told = _told(meeting)
        messages.success(
            request,
            " ".join(
                [
                    done,
                    ngettext("%(count)d member is told by e-mail.", "%(count)d members are told by e-mail.", told)
                    % {"count": told},
                ]
            ),
        )
        day = timezone.localtime(meeting.starts_at, self.zone).date()
        return redirect(reverse("room-planner", args=[self.centre.slug]) + f"?week={day}")


@login_required
def planner_meeting(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One booking from the planner: move it (time or room, the length stays) or cancel it (a
    second button confirms). A POST here names its action (`action=move|cancel`), as the page's
    forms once posted here; each action has its own view and URL."""
    if request.method == "POST":
        action = PLANNER_MEETING_ACTIONS.get(request.POST.get("action", ""), _planner_meeting_unknown)
        return action(request, slug, pk)
    return _Booking(request, slug, pk).render(request)


def _planner_meeting_unknown(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    booking = _Booking(request, slug, pk)
    try:
        booking.check_not_a_conversation()
        raise DomainError(str(_("Check the form.")))
    except DomainError as problem:
        return booking.render(request, error=str(problem), status=problem.status_code)


@login_required
@require_POST
def planner_meeting_cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Cancel the booking once the second button confirmed it; members get a change notice."""
    booking = _Booking(request, slug, pk)
    try:
        if request.POST.get("confirm") != "yes":
            raise DomainError(str(_("Check the form.")))
        meeting = meeting_changes.meeting_cancel(
            actor=_actor(request), meeting=booking.meeting, note=request.POST.get("note", "")[:300]
        )
    except DomainError as problem:
        # The confirmation stays open, as it did when this form posted to the page's own URL.
        return booking.render(request, confirm_cancel=True, error=str(problem), status=problem.status_code)
    return booking.changed(request, meeting, _("Cancelled."))


def _move_start(booking: _Booking, form: MoveForm) -> datetime:
    """The new start, read in the centre's zone; a time outside the planning range or in a DST
    gap or fold is refused."""
    starts_at = form.cleaned_data["starts_at"].replace(tzinfo=None)
    check_within_planning_range(starts_at.date(), field="starts_at")
    # The form read the time in the installation's zone; the meeting's is the centre's.
    problem = local_time_problem(starts_at, booking.zone)
    if problem:
        raise DomainError(problem, field="starts_at")
    return timezone.make_aware(starts_at, booking.zone)


@login_required
@require_POST
def planner_meeting_move(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Move the booking to another time or room; its length stays. Members get a change notice."""
    booking = _Booking(request, slug, pk)
    form = booking.move_form(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(str(_("Check the form.")))
        starts_at = _move_start(booking, form)
        if (starts_at, form.cleaned_data["room"]) == (booking.meeting.starts_at, booking.meeting.room):
            messages.info(request, _("Nothing changed: the meeting keeps its time and room."))
            return redirect(reverse("planner-meeting", args=[slug, pk]))
        meeting = meeting_changes.meeting_move(
            actor=_actor(request),
            meeting=booking.meeting,
            starts_at=starts_at,
            ends_at=starts_at + (booking.meeting.ends_at - booking.meeting.starts_at),
            room=form.cleaned_data["room"],
        )
    except DomainError as problem:
        return booking.render(request, move_form=form, error=str(problem), status=problem.status_code)
    when = date_format(timezone.localtime(meeting.starts_at, booking.zone), "l j F, H:i")
    return booking.changed(
        request, meeting, _("Moved to %(when)s in %(room)s.") % {"when": when, "room": meeting.room.name}
    )


@login_required
@require_POST
def planner_meeting_reinstate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A cancelled meeting takes place after all (if its room is still free); members are told."""
    booking = _Booking(request, slug, pk)
    try:
        meeting = meeting_changes.meeting_reinstate(actor=_actor(request), meeting=booking.meeting)
    except DomainError as problem:
        return booking.render(request, error=str(problem), status=problem.status_code)
    return booking.changed(request, meeting, _("The meeting takes place again."))


PLANNER_MEETING_ACTIONS = {"cancel": planner_meeting_cancel, "move": planner_meeting_move}
