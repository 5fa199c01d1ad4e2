"""A centre admin's rooms page in the workspace: each room's weekly opening hours, which the
planner draws as free time and every booking is checked against, and whether self-run groups'
contact persons may move meetings into it. Changing them leaves existing bookings alone and says
so."""

from datetime import time
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centres.selectors import admin_centre_or_403
from config.api import signed_in_user
from config.errors import DomainError
from meetings import selectors
from meetings.models import OpeningHours, Room
from meetings.services.places import opening_hours_set, room_update


class HoursForm(forms.Form):
    """One row per weekday: open or not, from and until."""

    open_to_self_run = forms.BooleanField(
        label=gettext_lazy("Open to self-run groups"),
        help_text=gettext_lazy("Their contact persons may move a meeting into this room's free time."),
        required=False,
    )

    def __init__(self, *args: Any, room: Room, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["open_to_self_run"].initial = room.open_to_self_run
        hours = {entry.weekday: entry for entry in room.opening_hours.all()}
        for weekday, label in OpeningHours.Weekday.choices:
            entry = hours.get(weekday)
            self.fields[f"open_{weekday}"] = forms.BooleanField(label=label, required=False, initial=entry is not None)
            self.fields[f"opens_{weekday}"] = forms.TimeField(
                label=_("opens"), required=False, initial=entry.opens if entry else time(9),
                widget=forms.TimeInput(attrs={"type": "time"}),
            )  # fmt: skip
            self.fields[f"closes_{weekday}"] = forms.TimeField(
                label=_("closes"), required=False, initial=entry.closes if entry else time(22),
                widget=forms.TimeInput(attrs={"type": "time"}),
            )  # fmt: skip

    def hours(self) -> list[tuple[int, time, time]]:
        chosen = []
        for weekday in range(7):
            if self.cleaned_data.get(f"open_{weekday}"):
                opens, closes = self.cleaned_data.get(f"opens_{weekday}"), self.cleaned_data.get(f"closes_{weekday}")
                if opens is None or closes is None:
                    raise DomainError(_("Give the opening and closing time of every open day."))
                chosen.append((weekday, opens, closes))
        return chosen

    def rows(self) -> list[tuple[Any, Any, Any]]:
        return [(self[f"open_{day}"], self[f"opens_{day}"], self[f"closes_{day}"]) for day in range(7)]


@login_required
def rooms(request: HttpRequest, slug: str) -> HttpResponse:
    """The centre's rooms with their opening hours."""
    centre = admin_centre_or_403(user=request.user, slug=slug)
    listed = selectors.planner_rooms(centre).prefetch_related("opening_hours").order_by("location__name", "name")
    return render(request, "meetings/workspace_rooms.html", {"centre": centre, "rooms": listed})


@login_required
def room_hours(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Set a room's opening hours; no day ticked means open at all times."""
    centre = admin_centre_or_403(user=request.user, slug=slug)
    room = selectors.planner_rooms(centre).prefetch_related("opening_hours").filter(pk=pk).first()
    if room is None:
        raise Http404
    form = HoursForm(request.POST or None, room=room)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            opening_hours_set(actor=signed_in_user(request), room=room, hours=form.hours())
            room_update(
                actor=signed_in_user(request), room=room, open_to_self_run=form.cleaned_data["open_to_self_run"]
            )
        except DomainError as problem:
            error = str(problem)
        else:
            messages.success(
                request,
                _("The settings of %(room)s are saved; meetings already booked stay as they are.")
                % {"room": room.name},
            )
            return redirect(reverse("workspace-rooms", args=[slug]))
    status = 400 if request.method == "POST" else 200
    context = {"centre": centre, "room": room, "form": form, "error": error}
    return render(request, "meetings/workspace_room_hours.html", context, status=status)
