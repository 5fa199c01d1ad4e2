"""The forms of events' pages: a registration (public), and a coordinator's event, move and
added registration."""

from datetime import datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centres.models import LANGUAGE_CHOICES, Centre, Person
from config.forms import IdChoiceField
from config.local_time import local_time_problem
from config.validators import validate_single_line
from events.models import MAX_PLACES, Event
from meetings.models import ROOM_BOUND, WITH_VIDEO, Mode, Room
from meetings.selectors import planner_rooms


class RegistrationForm(forms.Form):
    name = forms.CharField(label=_("Your name or a pseudonym"), max_length=120, validators=[validate_single_line])
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("We send a link to confirm it; your place is held once you click it."),
    )
    consent = forms.BooleanField(
        label=_(
            "The contact point may keep my name and address to manage my registration and to tell me of "
            "changes. It deletes them a few weeks after the event."
        ),
    )
    # A field people do not see and bots fill in.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))


def _rooms(form: forms.Form, centre: Centre) -> None:
    cast(IdChoiceField, form.fields["room"]).queryset = planner_rooms(centre)


class WhenForm(forms.Form):
    """When the event takes place, read in the centre's zone."""

    starts_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(label=_("Minutes"), min_value=15, max_value=720, initial=120)
    room: "forms.ModelChoiceField[Room]" = IdChoiceField(label=_("Room"), queryset=Room.objects.none(), required=False)

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.centre = centre
        _rooms(self, centre)

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if data is not None and data.get("starts_on") and data.get("start_time"):
            naive = datetime.combine(data["starts_on"], data["start_time"])
            zone = ZoneInfo(self.centre.time_zone)
            problem = local_time_problem(naive, zone)
            if problem:
                self.add_error("start_time", problem)
            else:
                data["starts_at"] = timezone.make_aware(naive, zone)
                data["ends_at"] = data["starts_at"] + timedelta(minutes=data.get("duration_minutes") or 120)
        return data


class EventDetailsForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Event.Kind.choices)
    audience = forms.ChoiceField(
        label=_("Who may register"), choices=Event.Audience.choices, widget=forms.RadioSelect, initial="public"
    )
    title = forms.CharField(label=_("Title"), max_length=200, validators=[validate_single_line])
    description = forms.CharField(
        label=_("What happens (shown on the event's page)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=3000,
        required=False,
    )
    places = forms.IntegerField(label=_("Places"), min_value=1, max_value=MAX_PLACES, initial=20)


class EventForm(EventDetailsForm, WhenForm):
    """A new event: what it is, when and where."""

    mode = forms.ChoiceField(label=_("Takes place"), choices=Mode.choices, initial=Mode.ROOM, widget=forms.RadioSelect)
    video_link = forms.URLField(
        label=_("Video link (online or hybrid)"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("Sent only to people with a place; never on a public page."),
    )
    meeting_point = forms.CharField(label=_("Meeting point (outdoors)"), max_length=300, required=False)

    field_order = [
        "kind",
        "title",
        "description",
        "audience",
        "places",
        "starts_on",
        "start_time",
        "duration_minutes",
        "mode",
        "room",
        "video_link",
        "meeting_point",
    ]

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if data is None:
            return data
        mode = data.get("mode") or Mode.ROOM
        if mode in ROOM_BOUND and not data.get("room"):
            self.add_error("room", _("Choose the room."))
        if mode not in ROOM_BOUND:
            data["room"] = None
        if mode in WITH_VIDEO and not data.get("video_link"):
            self.add_error("video_link", _("Give the video call's web address (https://…)."))
        if mode == Mode.OUTDOORS and not data.get("meeting_point", "").strip():
            self.add_error("meeting_point", _("Say where to meet (at most 300 characters)."))
        return data


class AddRegistrationForm(forms.Form):
    person: "forms.ModelChoiceField[Person]" = IdChoiceField(
        label=_("A volunteer of the contact point"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("Someone else"),
    )
    name = forms.CharField(label=_("Name"), max_length=120, required=False, validators=[validate_single_line])
    email = forms.EmailField(
        label=_("E-mail address (optional)"),
        max_length=254,
        required=False,
        help_text=_("With an address, the person gets the confirmation, the reminder and any change."),
    )
    language = forms.ChoiceField(label=_("Language of the mails"), choices=LANGUAGE_CHOICES)

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(IdChoiceField, self.fields["person"])
        field.queryset = Person.objects.filter(centre=centre, volunteer__isnull=False).order_by("display_name")
        field.label_from_instance = lambda person: person.display_name  # type: ignore[method-assign,assignment]
        self.fields["language"].initial = centre.default_language

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if data is not None and not data.get("person") and not (data.get("name") or "").strip():
            self.add_error("name", _("Give a name, or choose a volunteer."))
        return data
