"""The planner's booking form: a group's meetings (or an event) as a rhythm in plain words, or
one meeting, and where they take place: in a room, online, hybrid or outdoors."""

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centres.models import Centre
from config.forms import IdChoiceField
from meetings import selectors
from meetings.models import ROOM_BOUND, WITH_VIDEO, Group, Mode, OpeningHours, Room
from meetings.recurrence import Rhythm, rule_from_rhythm

# A single meeting is previewed and checked as a rule with one date.
ONCE = "FREQ=DAILY;COUNT=1"


class SeriesForm(forms.Form):
    """A group's meetings, booked from the planner: a rhythm in plain words, or one meeting."""

    group: "forms.ModelChoiceField[Group]" = IdChoiceField(
        label=gettext_lazy("Group"), queryset=Group.objects.none(), required=False
    )
    title = forms.CharField(
        label=gettext_lazy("Or an event's title (a single meeting without a group)"), max_length=120, required=False
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("Takes place"),
        choices=Mode.choices,
        initial=Mode.ROOM,
        widget=forms.RadioSelect,
        required=False,  # a form from before the choice books a room
    )
    room: "forms.ModelChoiceField[Room]" = IdChoiceField(
        label=gettext_lazy("Room"), queryset=Room.objects.none(), required=False
    )
    video_link = forms.URLField(
        label=gettext_lazy("Video link (online or hybrid)"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=gettext_lazy("Reaches members only by their own mails, page and calendar; never a public page."),
    )
    meeting_point = forms.CharField(label=gettext_lazy("Meeting point (outdoors)"), max_length=300, required=False)
    repeat = forms.ChoiceField(
        label=gettext_lazy("How often"),
        choices=[
            ("weekly", gettext_lazy("Every few weeks, on set weekdays")),
            ("monthly", gettext_lazy("Every few months, on the nth weekday")),
            ("once", gettext_lazy("Once")),
        ],
        widget=forms.RadioSelect,
        initial="weekly",
    )
    every = forms.IntegerField(
        label=gettext_lazy("Every … weeks or months"), min_value=1, max_value=12, initial=1, required=False
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("On (weekly)"),
        coerce=int,
        choices=OpeningHours.Weekday.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    position = forms.TypedChoiceField(
        label=gettext_lazy("Which (monthly)"),
        coerce=int,
        choices=[
            (1, gettext_lazy("first")),
            (2, gettext_lazy("second")),
            (3, gettext_lazy("third")),
            (4, gettext_lazy("fourth")),
            (-1, gettext_lazy("last")),
        ],
        initial=1,
        required=False,
    )
    monthly_weekday = forms.TypedChoiceField(
        label=gettext_lazy("Weekday (monthly)"), coerce=int, choices=OpeningHours.Weekday.choices, required=False
    )
    starts_on = forms.DateField(label=gettext_lazy("First date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=gettext_lazy("Start time"), widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(label=gettext_lazy("Minutes"), min_value=15, max_value=720, initial=120)
    ends = forms.ChoiceField(
        label=gettext_lazy("Until"),
        choices=[
            ("never", gettext_lazy("No end")),
            ("until", gettext_lazy("Until a date")),
            ("count", gettext_lazy("A number of meetings")),
        ],
        widget=forms.RadioSelect,
        initial="never",
    )
    until = forms.DateField(
        label=gettext_lazy("Last date"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )
    count = forms.IntegerField(label=gettext_lazy("Number of meetings"), min_value=1, max_value=200, required=False)

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group, room = self.fields["group"], self.fields["room"]
        if isinstance(group, forms.ModelChoiceField) and isinstance(room, forms.ModelChoiceField):
            group.queryset = selectors.plannable_groups(centre)
            room.queryset = selectors.planner_rooms(centre)
        self.rule = ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        once = data.get("repeat") == "once"
        mode = data["mode"] = data.get("mode") or Mode.ROOM
        if mode in ROOM_BOUND and not data.get("room"):
            self.add_error("room", _("Choose the room."))
        if mode in WITH_VIDEO and not data.get("video_link"):
            self.add_error("video_link", _("Give the video call's web address (https://…)."))
        if mode == Mode.OUTDOORS and not data.get("meeting_point", "").strip():
            self.add_error("meeting_point", _("Say where to meet (at most 300 characters)."))
        if not data.get("group") and not (once and data.get("title", "").strip()):
            self.add_error("group", _("Choose the group (a single meeting may have an event's title instead)."))
        if once:
            self.rule = ONCE
        elif not self.errors:
            self.rule = self._rule(data)
        return data

    def _rule(self, data: dict[str, Any]) -> str:
        """The rhythm asked for, as an RFC 5545 rule the services take."""
        monthly = data["repeat"] == "monthly"
        weekdays = (data.get("monthly_weekday"),) if monthly else tuple(data.get("weekdays") or ())
        if None in weekdays or not weekdays:
            self.add_error("monthly_weekday" if monthly else "weekdays", _("Choose the weekday."))
            return ""
        until = data.get("until") if data["ends"] == "until" else None
        count = data.get("count") if data["ends"] == "count" else None
        if data["ends"] == "until" and (until is None or until < data["starts_on"]):
            self.add_error("until", _("Give a last date on or after the first date."))
        if data["ends"] == "count" and count is None:
            self.add_error("count", _("Say how many meetings."))
        rhythm = Rhythm(monthly, data.get("every") or 1, weekdays, data.get("position") or 1, until, count)
        return rule_from_rhythm(rhythm)
