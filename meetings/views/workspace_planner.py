"""The room planner (behind a staff login): rooms × days for a week, a day or a month, filtered
by location, features and size; free time links to a booking form filled in for it; the series
editor (every n weeks on some weekdays, monthly on the nth or last weekday, a single meeting;
an end date, a number of meetings or none) previews its first dates with closures and clashes
before it books; a clash is answered beside the form with free alternatives; a room's week
prints for its door."""

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from centres.models import Centre
from centres.selectors import staff_centre_or_404
from config.api import signed_in_user
from config.errors import DomainError
from config.forms import IdChoiceField
from meetings import caching, selectors
from meetings.booking import check_within_planning_range
from meetings.models import ROOM_BOUND, Location, Meeting, Room
from meetings.selectors import planner as planner_selectors
from meetings.selectors import workspace as workspace_selectors
from meetings.services import meetings as meeting_changes
from meetings.services import series
from meetings.views.series_form import ONCE, SeriesForm

PREVIEW_DATES = 10


class FilterForm(forms.Form):
    location: "forms.ModelChoiceField[Location]" = IdChoiceField(
        label=gettext_lazy("Location"),
        queryset=Location.objects.none(),
        required=False,
        empty_label=gettext_lazy("All locations"),
    )
    capacity = forms.IntegerField(label=gettext_lazy("Seats at least"), min_value=1, max_value=500, required=False)
    step_free_access = forms.BooleanField(label=gettext_lazy("Step-free"), required=False)
    hearing_loop = forms.BooleanField(label=gettext_lazy("Hearing loop"), required=False)

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        location = self.fields["location"]
        if isinstance(location, forms.ModelChoiceField):
            location.queryset = Location.objects.filter(centre=centre)

    def room_filter(self) -> planner_selectors.RoomFilter:
        if not self.is_valid():
            return planner_selectors.RoomFilter()
        data = self.cleaned_data
        return planner_selectors.RoomFilter(
            data["location"], data["step_free_access"], data["hearing_loop"], data["capacity"] or 1
        )


def _day(request: HttpRequest, key: str) -> date:
    """A date the planner is asked to show, if it is one within the planning range; else today."""
    try:
        day = date.fromisoformat(request.GET[key]) if key in request.GET else None
        if day is not None:
            check_within_planning_range(day, field=key)
    except (ValueError, DomainError):
        day = None  # a mistyped date shows today
    return day or timezone.localdate()


def _click_to_book(request: HttpRequest) -> dict[str, Any]:
    """The booking form filled in for the free time a coordinator clicked (`book_room`,
    `book_day`, `book_time`)."""
    try:
        day = date.fromisoformat(request.GET["book_day"])
        start = time.fromisoformat(request.GET["book_time"])
        room = int(request.GET["book_room"])
    except (KeyError, ValueError):
        return {}
    return {
        "room": room,
        "starts_on": day,
        "start_time": start,
        "weekdays": [day.weekday()],
        "monthly_weekday": day.weekday(),
    }


def _book(request: HttpRequest, centre: Centre, form: SeriesForm) -> HttpResponse:
    data = form.cleaned_data
    if form.rule == ONCE:
        starts_at = timezone.make_aware(
            datetime.combine(data["starts_on"], data["start_time"]), ZoneInfo(centre.time_zone)
        )
        meeting = meeting_changes.one_off_create(
            actor=signed_in_user(request),
            centre=centre,
            room=data["room"],
            mode=data["mode"],
            video_link=data["video_link"],
            meeting_point=data["meeting_point"],
            group=data["group"],
            title=data["title"],
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=data["duration_minutes"]),
        )
        return _booked(request, centre, meeting, _("The meeting is booked: %(when)s in %(room)s."))
    booked = series.series_create(
        actor=signed_in_user(request),
        group=data["group"],
        room=data["room"],
        mode=data["mode"],
        video_link=data["video_link"],
        meeting_point=data["meeting_point"],
        rule=form.rule,
        starts_on=data["starts_on"],
        start_time=data["start_time"],
        duration_minutes=data["duration_minutes"],
    )
    first = workspace_selectors.series_first_meeting(booked)
    if first is None:  # every date fell on a closure
        messages.warning(request, _("The series is booked, but none of its dates takes place yet."))
        return redirect(reverse("room-planner", args=[centre.slug]) + f"?week={booked.starts_on}")
    return _booked(request, centre, first, _("The series is booked. First meeting: %(when)s in %(room)s."))


def _booked(request: HttpRequest, centre: Centre, first: Meeting, message: str) -> HttpResponse:
    """Back to the planner on the week of the (first) meeting, which the message names."""
    starts = timezone.localtime(first.starts_at, ZoneInfo(centre.time_zone))
    messages.success(
        request,
        message
        % {
            "when": date_format(starts, "l j F, H:i"),
            "room": first.room.name if first.room is not None else first.place,
        },
    )
    return redirect(reverse("room-planner", args=[centre.slug]) + f"?week={starts.date()}")


def _preview(centre: Centre, form: SeriesForm) -> list[Any]:
    data = form.cleaned_data
    return selectors.series_preview(
        room=data["room"] if data["mode"] in ROOM_BOUND else None,
        time_zone=centre.time_zone,
        rule=form.rule,
        starts_on=data["starts_on"],
        start_time=data["start_time"],
        duration_minutes=data["duration_minutes"],
    )[:PREVIEW_DATES]


def _alternatives(centre: Centre, form: SeriesForm) -> list[planner_selectors.Alternative]:
    data = form.cleaned_data
    return planner_selectors.booking_alternatives(
        centre=centre,
        room=data["room"],
        rule=form.rule,
        starts_on=data["starts_on"],
        start_time=data["start_time"],
        duration_minutes=data["duration_minutes"],
    )


def _booking_answer(request: HttpRequest, centre: Centre, form: SeriesForm) -> tuple[HttpResponse | None, dict]:
    """A valid booking form's answer: the preview, the booking, or the clash with alternatives."""
    try:
        if "preview" in request.POST:
            return None, {"preview": _preview(centre, form)}
        return _book(request, centre, form), {}
    except DomainError as problem:
        extra: dict[str, Any] = {"error": str(problem), "status": problem.status_code}
        if problem.status_code == 409 and form.cleaned_data["mode"] in ROOM_BOUND:
            extra["preview"] = _preview(centre, form)
            extra["alternatives"] = _alternatives(centre, form)
        return None, extra


@login_required
def room_planner(request: HttpRequest, slug: str) -> HttpResponse:
    """The planner: `view=week` (default), `day` or `month`, filtered by the room filter; its
    booking form previews (`preview`) or books, and answers a clash with alternatives."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    form = SeriesForm(request.POST or None, centre=centre, prefix="series", initial=_click_to_book(request))
    extra: dict[str, Any] = {}
    if request.method == "POST":
        if not form.is_valid():
            extra["status"] = 400
        else:
            answer, extra = _booking_answer(request, centre, form)
            if answer is not None:
                return answer
    filters = FilterForm(request.GET, centre=centre)
    context = {"centre": centre, "form": form, "filters": filters, **_plan(request, centre, filters), **extra}
    context["group_choices"] = list(selectors.plannable_groups(centre).values_list("pk", "name"))
    context["room_choices"] = [(room.pk, str(room)) for room in selectors.planner_rooms(centre)]
    context["group_selected"] = str(form["group"].value() or "")
    context["room_selected"] = str(form["room"].value() or "")
    context["resubmit"] = _resubmit(request.POST) if extra.get("alternatives") else []
    return render(request, "meetings/room_planner.html", context, status=context.pop("status", 200))


def _plan(request: HttpRequest, centre: Centre, filters: FilterForm) -> dict[str, Any]:
    rooms = filters.room_filter().rooms(centre)
    view = request.GET.get("view", "week")
    query = QueryDict(mutable=True)
    for key in filters.fields:
        if request.GET.get(key):
            query[key] = request.GET[key]
    if view == "month":
        first = _day(request, "month").replace(day=1)
        return {
            "view": "month",
            "month": first,
            "weeks": planner_selectors.month_overview(centre=centre, first=first, rooms=rooms),
            "previous": (first - timedelta(days=1)).replace(day=1),
            "next": (first + timedelta(days=32)).replace(day=1),
            "filter_query": query.urlencode(),
        }
    view = "day" if view == "day" else "week"
    first = _day(request, view)
    count = 1 if view == "day" else 7
    if count == 7:
        first -= timedelta(days=first.weekday())
    days = [first + timedelta(days=offset) for offset in range(count)]

    def grid() -> tuple[str, bool]:
        plan = selectors.room_week_plan(centre=centre, monday=first, day_count=count, only=rooms)
        return str(_grid_rows(plan, centre, view, query.urlencode())), bool(plan.rooms)

    # The grid is kept under the centre's calendar version (meetings.caching): any booking,
    # closure or room change makes a new one; an unchanged week is not drawn twice.
    rows, has_rooms = caching.cached("planner-page", [centre.pk], (view, first, query.urlencode()), grid)
    return {
        "view": view,
        "plan": {"days": days, "rooms": has_rooms},
        "grid_rows": mark_safe(rows),  # noqa: S308 - made by _grid_rows, every value escaped
        "previous": first - timedelta(days=count),
        "next": first + timedelta(days=count),
        "filter_query": query.urlencode(),
    }


def _grid_rows(plan: Any, centre: Centre, view: str, filter_query: str) -> SafeString:
    """The planner's table body, written in Python: a week of twenty rooms has hundreds of
    bookings and free stretches, and the template language took most of a page's time over
    them. Every value is escaped by `format_html`."""
    zone = ZoneInfo(centre.time_zone)
    shown = f"view=day&day={plan.days[0]}" if view == "day" else f"week={plan.days[0]}"
    meeting_url = reverse("planner-meeting", args=[centre.slug, 0]).removesuffix("0/")
    print_url = reverse("room-planner-print", args=[centre.slug, 0]).removesuffix("0/print/")
    weekdays = {day: date_format(day, "l") for day in plan.days}
    labels = {"free": _("free"), "closed": _("Closed"), "cancelled": _("cancelled"), "changed": _("changed")}
    rows = []
    for room_week in plan.rooms:
        room = room_week.room
        cells = [
            _grid_cell(
                cell,
                room,
                zone,
                meeting_url,
                labels,
                weekdays,
                f"?{shown}&book_room={room.pk}",
                f"&{filter_query}" if filter_query else "",
            )
            for cell in room_week.cells
        ]
        rows.append(
            format_html(
                '<tr><th scope="row">{}</th>{}</tr>',
                _grid_room(room_week, f"{print_url}{room.pk}/print/?week={plan.days[0]}"),
                mark_safe("".join(cells)),  # noqa: S308 - each cell is built by format_html
            )
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - each row is built by format_html


def _grid_room(room_week: Any, print_href: str) -> SafeString:
    room = room_week.room
    facts = [
        room.location.name,
        ngettext("%(count)d seat", "%(count)d seats", room.capacity) % {"count": room.capacity},
    ]
    if room.step_free_access:
        facts.append(_("step-free"))
    if room.hearing_loop:
        facts.append(_("hearing loop"))
    booked = ""
    if room_week.open_minutes:
        percent = round(100 * room_week.booked_minutes / room_week.open_minutes)
        shown = pgettext("a percentage", "%(percent)s%%") % {"percent": percent}
        booked = format_html("<br><small>{}: {}</small>", _("Booked"), shown)
    return format_html(
        '{}<br><small>{}</small>{}<br><small><a href="{}">{}</a></small>',
        room.name,
        " · ".join(str(fact) for fact in facts),
        booked,
        print_href,
        _("Print %(room)s's week") % {"room": room.name},
    )


def _grid_cell(
    cell: Any, room: Room, zone: ZoneInfo, meeting_url: str, labels: dict, weekdays: dict, book: str, filters: str
) -> str:
    parts = []
    if cell.closure is not None:
        parts.append(format_html('<span class="closure">{}: {}</span>', labels["closed"], cell.closure.reason))
    for meeting in cell.meetings:
        starts, ends = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
        url = f"{meeting_url}{meeting.pk}/"
        drag: str = ""
        note: str = ""
        if meeting.status == Meeting.Status.CANCELLED:
            state, note = "cancelled", format_html(" <em>({})</em>", labels["cancelled"])
        else:
            state = "changed" if meeting.is_changed else ""
            drag = format_html(' draggable="true" data-meeting-url="{}" data-start="{}"', url, f"{starts:%H:%M}")
            note = format_html(" <em>({})</em>", labels["changed"]) if state else ""
        parts.append(
            format_html(
                '<div class="booking {}"{}>{}–{} <a href="{}">{}</a>{}</div>',
                state,
                drag,
                f"{starts:%H:%M}",
                f"{ends:%H:%M}",
                url,
                meeting.display_title,
                note,
            )
        )
    for begin_time, end_time in cell.free:
        begin, end = f"{begin_time:%H:%M}", f"{end_time:%H:%M}"
        parts.append(
            format_html(
                '<a class="free" data-time="{}" href="{}&amp;book_day={}&amp;book_time={}{}#book-heading">'
                '<span class="visually-hidden">{}, {}: </span>{} {}–{}</a>',
                begin,
                book,
                cell.day,
                begin,
                filters,
                room.name,
                weekdays[cell.day],
                labels["free"],
                begin,
                end,
            )
        )
    return format_html(
        '<td data-room="{}" data-day="{}"{}>{}</td>',
        room.pk,
        cell.day,
        mark_safe(' class="closed"') if cell.closure is not None else "",
        mark_safe("".join(parts)),  # noqa: S308 - each part is built by format_html
    )


def _resubmit(data: QueryDict) -> list[tuple[str, str]]:
    """The booking form's fields as sent, but room and time, for an alternative's button."""
    kept = []
    for key, values in data.lists():
        if key not in ("series-room", "series-start_time", "csrfmiddlewaretoken", "preview"):
            kept += [(key, value) for value in values]
    return kept


@login_required
def planner_print(request: HttpRequest, slug: str, room_pk: int) -> HttpResponse:
    """One room's week for its door (A4): times and neutral names, a discreet group's as
    "Reserved"; no one's name, no notes."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    rooms = selectors.planner_rooms(centre).filter(pk=room_pk)
    if not rooms.exists():
        raise Http404
    plan = selectors.room_week_plan(centre=centre, monday=_day(request, "week"), only=rooms)
    return render(request, "meetings/planner_print.html", {"centre": centre, "plan": plan, "room_week": plan.rooms[0]})
