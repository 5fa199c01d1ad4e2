"""One booking opened from the room planner (behind a staff login): move it, cancel it,
reinstate it. The planner itself is in `workspace_planner`, the groups' pages in
`workspace_groups`, closures in `workspace_closures`."""

from datetime import datetime, tzinfo
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

from centres.selectors import staff_centre_or_404
from config.errors import DomainError
from config.forms import LocalDateTimeField
from config.local_time import local_time_problem
from config.undo import offer_undo
from meetings import selectors
from meetings.booking import booking_owner, check_within_planning_range
from meetings.models import Meeting, Mode, Room
from meetings.selectors import workspace as workspace_selectors
from meetings.services import meetings as meeting_changes
from meetings.services import series as series_changes
from meetings.services import venues


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


class MoveForm(forms.Form):
    starts_at = LocalDateTimeField(
        label=gettext_lazy("New start"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    room: "forms.ModelChoiceField[Room]" = forms.ModelChoiceField(
        label=gettext_lazy("Room"), queryset=Room.objects.none(), required=False
    )


class VenueForm(forms.Form):
    """Where one meeting, or its whole series from now on, takes place."""

    scope = forms.ChoiceField(
        label=gettext_lazy("For"),
        choices=[("meeting", gettext_lazy("This meeting")), ("series", gettext_lazy("The whole series from now on"))],
        initial="meeting",
        widget=forms.RadioSelect,
    )
    mode = forms.ChoiceField(label=gettext_lazy("Takes place"), choices=Mode.choices, widget=forms.RadioSelect)
    room: "forms.ModelChoiceField[Room]" = forms.ModelChoiceField(
        label=gettext_lazy("Room"), queryset=Room.objects.none(), required=False
    )
    video_link = forms.URLField(label=gettext_lazy("Video link"), max_length=500, required=False, assume_scheme="https")
    meeting_point = forms.CharField(label=gettext_lazy("Meeting point"), max_length=300, required=False)


def _told(meeting: Meeting) -> int:
    """How many members a change of the meeting reaches, by mail, text or a call (none for a room booking)."""
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
        # An intake conversation's booking belongs to its enquiry, an event's to the event.
        self.owner = booking_owner(meeting)
        self.proposed: dict[str, Any] | None = None

    def move_form(self, data: QueryDict | None = None, proposal: QueryDict | None = None) -> MoveForm:
        """The move form: filled with the meeting's time and room, or with the `move_to` time
        and `room` a drag in the planner proposed (nothing moves until the form is sent)."""
        initial: dict[str, Any] = {
            "starts_at": timezone.localtime(self.meeting.starts_at, self.zone).strftime("%Y-%m-%dT%H:%M"),
            "room": self.meeting.room,
        }
        form = MoveForm(data, initial=initial)
        _queryset(form, "room", selectors.planner_rooms(self.centre))
        if proposal is not None and "move_to" in proposal:
            proposed = MoveForm({"starts_at": proposal.get("move_to"), "room": proposal.get("room")})
            _queryset(proposed, "room", selectors.planner_rooms(self.centre))
            if proposed.is_valid():
                form.initial = {**initial, "starts_at": proposal["move_to"], "room": proposed.cleaned_data["room"]}
                self.proposed = proposed.cleaned_data
        return form

    def venue_form(self, data: QueryDict | None = None) -> VenueForm:
        meeting = self.meeting
        initial = {name: getattr(meeting, name) for name in ("mode", "room", "video_link", "meeting_point")}
        form = VenueForm(data, initial=initial)
        _queryset(form, "room", selectors.planner_rooms(self.centre))
        return form

    def check_not_owned(self) -> None:
        """Refused (409) before the form is read: the owner's page (an enquiry, an event) changes this booking."""
        meeting_changes.meeting_check_not_owned(self.meeting)

    def render(
        self,
        request: HttpRequest,
        *,
        move_form: MoveForm | None = None,
        confirm_cancel: bool = False,
        error: str = "",
        status: int = 200,
        **extra: Any,
    ) -> HttpResponse:
        return render(
            request,
            "meetings/planner_meeting.html",
            {
                "centre": self.centre,
                "meeting": self.meeting,
                "move_form": move_form or self.move_form(proposal=request.GET),
                "proposed": self.proposed,
                "confirm_cancel": confirm_cancel or request.GET.get("cancel") == "1",
                "owner": self.owner,
                "error": error,
                "now": timezone.now(),
                "told": _told(self.meeting),
                "series_form": extra.pop("series_form", None) or _series_change_form(self),
                "venue_form": extra.pop("venue_form", None) or self.venue_form(),
                **extra,
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
                    ngettext("%(count)d member is told.", "%(count)d members are told.", told) % {"count": told},
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
        booking.check_not_owned()
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
    offer_undo(request, url=reverse("planner-meeting-reinstate", args=[slug, pk]), label=_("Undo: it takes place"))
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
        room = form.cleaned_data["room"] if booking.meeting.room is not None else None
        if (starts_at, room or booking.meeting.room) == (booking.meeting.starts_at, booking.meeting.room):
            messages.info(request, _("Nothing changed: the meeting keeps its time and room."))
            return redirect(reverse("planner-meeting", args=[slug, pk]))
        meeting = meeting_changes.meeting_move(
            actor=_actor(request),
            meeting=booking.meeting,
            starts_at=starts_at,
            ends_at=starts_at + (booking.meeting.ends_at - booking.meeting.starts_at),
            room=room,
        )
    except DomainError as problem:
        return booking.render(request, move_form=form, error=str(problem), status=problem.status_code)
    when = date_format(timezone.localtime(meeting.starts_at, booking.zone), "l j F, H:i")
    return booking.changed(
        request,
        meeting,
        _("Moved to %(when)s in %(room)s.")
        % {"when": when, "room": meeting.room.name if meeting.room is not None else meeting.place},
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


class SeriesChangeForm(forms.Form):
    """Change the series a meeting belongs to: from this meeting on, or all of it."""

    scope = forms.ChoiceField(
        label=gettext_lazy("Which meetings"),
        choices=[
            ("following", gettext_lazy("This meeting and the following ones")),
            ("all", gettext_lazy("All meetings of the series still ahead")),
        ],
        widget=forms.RadioSelect,
        initial="following",
    )
    start_time = forms.TimeField(label=gettext_lazy("Start time"), widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(label=gettext_lazy("Minutes"), min_value=15, max_value=720)
    room: "forms.ModelChoiceField[Room]" = forms.ModelChoiceField(
        label=gettext_lazy("Room"), queryset=Room.objects.none()
    )


def _series_change_form(booking: _Booking, data: QueryDict | None = None) -> SeriesChangeForm:
    series = booking.meeting.series
    initial: dict[str, Any] = {}
    if series is not None:
        initial = {"start_time": series.start_time, "duration_minutes": series.duration_minutes, "room": series.room}
    form = SeriesChangeForm(data, initial=initial, prefix="series")
    _queryset(form, "room", selectors.planner_rooms(booking.centre))
    return form


@login_required
@require_POST
def planner_meeting_series(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Change the meeting's series (time, length, room) from this meeting on or as a whole. The
    first POST says what will change and how many members are told; the second
    (`confirm=yes`) changes it."""
    booking = _Booking(request, slug, pk)
    series_row = booking.meeting.series
    form = _series_change_form(booking, request.POST)
    if series_row is None:
        raise Http404
    if not form.is_valid():
        return booking.render(request, series_form=form, error=str(_("Check the form.")), status=400)
    data = form.cleaned_data
    if not form.has_changed() and data["scope"] == "following":
        messages.info(request, _("Nothing changed: the series keeps its time, length and room."))
        return redirect(reverse("planner-meeting", args=[slug, pk]))
    if request.POST.get("confirm") != "yes":
        return booking.render(request, series_form=form, confirm_series=data)
    from_day = timezone.localtime(booking.meeting.starts_at, booking.zone).date()
    try:
        report = series_changes.series_update(
            actor=_actor(request),
            series=series_row,
            effective_from=from_day if data["scope"] == "following" else None,
            start_time=data["start_time"],
            duration_minutes=data["duration_minutes"],
            room=data["room"],
        )
    except DomainError as problem:
        return booking.render(request, series_form=form, error=str(problem), status=problem.status_code)
    changed = ngettext("%(count)d meeting changed.", "%(count)d meetings changed.", len(report.changed_ids)) % {
        "count": len(report.changed_ids)
    }
    return booking.changed(request, booking.meeting, changed)


PLANNER_MEETING_ACTIONS = {"cancel": planner_meeting_cancel, "move": planner_meeting_move}


@login_required
@require_POST
def planner_meeting_venue(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Change where the meeting (or its whole series from now on) takes place: a room, online,
    hybrid or outdoors. A room is checked like a move; members are told, a new video link too."""
    booking = _Booking(request, slug, pk)
    form = booking.venue_form(request.POST)
    if not form.is_valid():
        return booking.render(request, venue_form=form, error=str(_("Check the form.")), status=400)
    data = form.cleaned_data
    venue = {name: data[name] for name in ("mode", "room", "video_link", "meeting_point")}
    try:
        if data["scope"] == "series" and booking.meeting.series is not None:
            changed = venues.series_venue_set(actor=_actor(request), series=booking.meeting.series, **venue)
            done = ngettext(
                "From now on the series takes place like this: %(mode)s. %(count)d meeting changed.",
                "From now on the series takes place like this: %(mode)s. %(count)d meetings changed.",
                changed,
            ) % {"mode": Mode(data["mode"]).label, "count": changed}
        else:
            venues.meeting_venue_set(actor=_actor(request), meeting=booking.meeting, **venue)
            done = _("Saved where the meeting takes place.")
    except DomainError as problem:
        return booking.render(request, venue_form=form, error=str(problem), status=problem.status_code)
    booking.meeting.refresh_from_db()
    return booking.changed(request, booking.meeting, done)
