"""Pages and feeds of the meetings app: the public group finder and group pages, the room
planner and the iCalendar feeds."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from centres.models import LANGUAGE_CHOICES, Centre
from centres.selectors import staff_centre_or_404
from centres.services.audit import audit_list_read
from config.errors import ConflictError, DomainError
from config.forms import LocalDateTimeField
from config.local_time import local_time_problem
from meetings import caching, selectors
from meetings.booking import check_within_planning_range
from meetings.calendar import group_calendar_name, meetings_calendar
from meetings.intake.models import Enquiry
from meetings.models import Group, Location, Meeting, Membership, OpeningHours, Room, Topic
from meetings.services import meetings as meeting_changes
from meetings.services import series

FEED_PAST_DAYS = 30


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # Calendar programs poll; a few minutes of caching is fine, shared caches must not keep it.
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_safe
def group_feed(request: HttpRequest, public_id) -> HttpResponse:
    """The public feed of one publicly listed group: times, place, status. No member data."""
    group = selectors.public_group(public_id)
    if group is None:
        raise Http404
    since = timezone.now() - timedelta(days=FEED_PAST_DAYS)
    meetings = selectors.group_feed_meetings(group, since)
    return _ics(meetings_calendar(meetings, name=group_calendar_name(group)), "group.ics")


@require_safe
def person_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's private feed of all their groups, behind an unguessable, revocable token."""
    calendar_token = selectors.active_calendar_token(token)
    if calendar_token is None:
        raise Http404
    since = timezone.now() - timedelta(days=FEED_PAST_DAYS)
    meetings = selectors.person_feed_meetings(calendar_token, since)
    return _ics(meetings_calendar(meetings, name=_("My self-help groups"), with_notes=True), "meetings.ics")


WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


class SeriesForm(forms.Form):
    """Book a group's weekly (or every-other-week) meetings from the planner."""

    group = forms.ModelChoiceField(label=gettext_lazy("Group"), queryset=Group.objects.none())
    room = forms.ModelChoiceField(label=gettext_lazy("Room"), queryset=Room.objects.none())
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
        self.fields["group"].queryset = Group.objects.filter(centre=centre).exclude(status=Group.Status.CLOSED)
        self.fields["room"].queryset = Room.objects.filter(location__centre=centre).select_related("location")


@login_required
def room_planner(request: HttpRequest, slug: str) -> HttpResponse:
    """Coordinators' week view: rooms × days with bookings, closures and utilisation; book a
    weekly series here (a clash is refused and named); each booking opens to move or cancel."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    form = SeriesForm(request.POST or None, centre=centre, prefix="series")
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            rule = f"FREQ=WEEKLY;INTERVAL={data['every']};BYDAY={WEEKDAY_CODES[data['weekday']]}"
            try:
                series.series_create(
                    actor=request.user,
                    group=data["group"],
                    room=data["room"],
                    rule=rule,
                    starts_on=data["starts_on"],
                    start_time=data["start_time"],
                    duration_minutes=data["duration_minutes"],
                )
            except DomainError as problem:
                error, status = str(problem), problem.status_code
            else:
                return redirect(reverse("room-planner", args=[slug]) + f"?week={data['starts_on']}&booked=1")
        else:
            status = 400
    try:
        day = date.fromisoformat(request.GET["week"]) if "week" in request.GET else None
        if day is not None:
            check_within_planning_range(day, field="week")
    except (ValueError, DomainError):
        day = None  # a mistyped week shows this week
    day = day or timezone.localdate()
    plan = selectors.room_week_plan(centre=centre, monday=day)
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
    room = forms.ModelChoiceField(label=gettext_lazy("Room"), queryset=Room.objects.none())


@login_required
def planner_meeting(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One booking from the planner: move it (time or room, the length stays) or cancel it (a
    second button confirms). Members get a change notice either way."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    meeting = Meeting.objects.filter(centre=centre, pk=pk).select_related("room__location", "group").first()
    if meeting is None:
        raise Http404
    zone = ZoneInfo(centre.time_zone)
    # An intake conversation's booking belongs to its enquiry, which keeps its time and room.
    conversation = Enquiry.objects.filter(conversation_meeting=meeting).first() if meeting.group_id is None else None
    move_form = MoveForm(
        request.POST if request.POST.get("action") == "move" else None,
        initial={
            "starts_at": timezone.localtime(meeting.starts_at, zone).strftime("%Y-%m-%dT%H:%M"),
            "room": meeting.room,
        },
    )
    move_form.fields["room"].queryset = Room.objects.filter(location__centre=centre).select_related("location")
    error, status = "", 200
    if request.method == "POST":
        try:
            if conversation is None and request.POST.get("action") == "cancel" and request.POST.get("confirm") == "yes":
                meeting = meeting_changes.meeting_cancel(
                    actor=request.user, meeting=meeting, note=request.POST.get("note", "")[:300]
                )
            elif conversation is not None:
                raise ConflictError(str(_("This is an intake conversation: change it on the enquiry's page.")))
            elif request.POST.get("action") == "move" and move_form.is_valid():
                starts_at = move_form.cleaned_data["starts_at"].replace(tzinfo=None)
                check_within_planning_range(starts_at.date(), field="starts_at")
                # The form read the time in the installation's zone; the meeting's is the centre's.
                problem = local_time_problem(starts_at, zone)
                if problem:
                    raise DomainError(problem, field="starts_at")
                starts_at = timezone.make_aware(starts_at, zone)
                meeting = meeting_changes.meeting_move(
                    actor=request.user,
                    meeting=meeting,
                    starts_at=starts_at,
                    ends_at=starts_at + (meeting.ends_at - meeting.starts_at),
                    room=move_form.cleaned_data["room"],
                )
            else:
                raise DomainError(str(_("Check the form.")))
        except DomainError as problem:
            error, status = str(problem), problem.status_code
        else:
            monday = timezone.localtime(meeting.starts_at, zone).date()
            return redirect(reverse("room-planner", args=[slug]) + f"?week={monday}&changed=1")
    return render(
        request,
        "meetings/planner_meeting.html",
        {
            "centre": centre,
            "meeting": meeting,
            "move_form": move_form,
            "confirm_cancel": request.GET.get("cancel") == "1",
            "conversation": conversation,
            "error": error,
        },
        status=status,
    )


class GroupFinderForm(forms.Form):
    topic = forms.TypedChoiceField(label=gettext_lazy("Topic"), coerce=int, required=False, empty_value=None)
    weekday = forms.TypedChoiceField(label=gettext_lazy("Day"), coerce=int, required=False, empty_value=None)
    language = forms.ChoiceField(label=gettext_lazy("Language"), required=False)
    location = forms.TypedChoiceField(label=gettext_lazy("Place"), coerce=int, required=False, empty_value=None)
    step_free = forms.BooleanField(label=gettext_lazy("Step-free access"), required=False)

    def __init__(self, *args, centre: Centre, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        topics = Topic.all_centres.filter(centre=centre, is_offered=True).order_by("name")
        self.fields["topic"].choices = [("", _("Any topic"))] + [(t.pk, t.name) for t in topics]
        self.fields["weekday"].choices = [("", _("Any day")), *list(OpeningHours.Weekday.choices)]
        self.fields["language"].choices = [("", _("Any language")), *list(LANGUAGE_CHOICES)]
        places = Location.all_centres.filter(centre=centre).order_by("name")
        self.fields["location"].choices = [("", _("Any place"))] + [(p.pk, p.name) for p in places]


@require_safe
def group_finder(request: HttpRequest, slug: str) -> HttpResponse:
    """The public group finder of a centre: topic, day, language, place, step-free access.
    Groups only, never members; a bad filter value shows all groups with the field marked."""
    centre = Centre.all_centres.filter(slug=slug).first()
    if centre is None:
        raise Http404
    form = GroupFinderForm(request.GET or None, centre=centre)
    filters = form.cleaned_data if form.is_valid() else {}

    def results() -> str:
        groups = selectors.public_groups(
            centre,
            topic_id=filters.get("topic"),
            weekday=filters.get("weekday"),
            language=filters.get("language") or "",
            location_id=filters.get("location"),
            step_free=bool(filters.get("step_free")),
        )
        return render_to_string("meetings/_finder_results.html", {"centre": centre, "groups": groups})

    # The list is the same for every visitor: kept per centre, calendar version, language and filters.
    html = caching.cached(
        "finder",
        [centre.pk],
        sorted(filters.items()),
        results,
        seconds=caching.FINDER_SECONDS,
        store="calendar-public",
    )
    return render(
        request, "meetings/group_finder.html", {"centre": centre, "form": form, "results": html}
    )  # a SafeString, pickled as one


@require_safe
def group_page(request: HttpRequest, slug: str, public_id) -> HttpResponse:
    """A group's public page: its neutral description, next meetings and places, how to join."""
    group = selectors.public_group(public_id)
    if group is None or group.centre.slug != slug:
        raise Http404
    meetings = selectors.public_group_meetings(group)
    return render(request, "meetings/group_page.html", {"centre": group.centre, "group": group, "meetings": meetings})


@login_required
def workspace_groups(request: HttpRequest, slug: str) -> HttpResponse:
    """The centre's groups with their state, size and starters, for coordinators."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    groups = (
        Group.objects.filter(centre=centre)
        .select_related("topic")
        .annotate(members=Count("memberships", filter=Q(memberships__left_on__isnull=True)))
        .order_by("status", "name")
    )
    return render(request, "meetings/workspace_groups.html", {"centre": centre, "groups": groups})


@login_required
def workspace_group(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One group's roster (members and relatives, since when), starters and next meetings."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    group = Group.objects.filter(centre=centre, pk=pk).select_related("topic").first()
    if group is None:
        raise Http404
    members = list(
        selectors.membership_list().filter(group=group, left_on__isnull=True).order_by("person__display_name")
    )
    # The roster is a list of memberships: read, it is audited (the group's id as its filter).
    audit_list_read(
        actor=request.user,
        model=Membership,
        list_name="workspace-group",
        filters={"group": str(group.pk)},
        rows=members,
        centre_ids=[centre.pk],
    )
    return render(
        request,
        "meetings/workspace_group.html",
        {
            "centre": centre,
            "group": group,
            "members": members,
            "starters": group.starter_assignments.exclude(status="ended").select_related("volunteer__person"),
            "meetings": selectors.public_group_meetings(group, count=8),
        },
    )
