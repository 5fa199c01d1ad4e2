"""Public pages of the meetings app, open without a password: the group finder, a group's page
and the iCalendar feeds (a group's public feed, a person's feed behind its token). A visitor has
no scope of their own: each view finds the centre (by its slug, the group's public id or the
feed's token, across centres) and reads the rest in that centre's scope."""

from datetime import timedelta
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from centres.models import LANGUAGE_CHOICES, Centre
from centres.scoping import all_centres_scope, centre_scope
from meetings import caching, selectors
from meetings.calendar import group_calendar_name, meetings_calendar
from meetings.models import OpeningHours

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
    with all_centres_scope():
        group = selectors.public_group(public_id)
    if group is None:
        raise Http404
    since = timezone.now() - timedelta(days=FEED_PAST_DAYS)
    with centre_scope(group.centre_id):
        meetings = selectors.group_feed_meetings(group, since)
        return _ics(meetings_calendar(meetings, name=group_calendar_name(group)), "group.ics")


@require_safe
def person_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's private feed of all their groups, behind an unguessable, revocable token."""
    with all_centres_scope():
        calendar_token = selectors.active_calendar_token(token)
    if calendar_token is None:
        raise Http404
    since = timezone.now() - timedelta(days=FEED_PAST_DAYS)
    with centre_scope(calendar_token.centre_id):
        meetings = selectors.person_feed_meetings(calendar_token, since)
        calendar = meetings_calendar(meetings, name=_("My self-help groups"), with_notes=True)
    return _ics(calendar, "meetings.ics")


class GroupFinderForm(forms.Form):
    topic = forms.TypedChoiceField(label=gettext_lazy("Topic"), coerce=int, required=False, empty_value=None)
    weekday = forms.TypedChoiceField(label=gettext_lazy("Day"), coerce=int, required=False, empty_value=None)
    language = forms.ChoiceField(label=gettext_lazy("Language"), required=False)
    location = forms.TypedChoiceField(label=gettext_lazy("Place"), coerce=int, required=False, empty_value=None)
    step_free = forms.BooleanField(label=gettext_lazy("Step-free access"), required=False)
    online = forms.BooleanField(label=gettext_lazy("Online or hybrid"), required=False)

    def __init__(self, *args, centre: Centre, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        topics = selectors.offered_topics(centre)
        self._choices("topic", [("", _("Any topic"))] + [(t.pk, t.display_name) for t in topics])
        self._choices("weekday", [("", _("Any day")), *list(OpeningHours.Weekday.choices)])
        self._choices("language", [("", _("Any language")), *list(LANGUAGE_CHOICES)])
        places = selectors.centre_locations(centre)
        self._choices("location", [("", _("Any place"))] + [(p.pk, p.name) for p in places])

    def _choices(self, name: str, choices: list[tuple[Any, Any]]) -> None:
        field = self.fields[name]
        if isinstance(field, forms.ChoiceField):
            field.choices = choices


@require_safe
def group_finder(request: HttpRequest, slug: str) -> HttpResponse:
    """The public group finder of a centre: topic, day, language, place, step-free access.
    Groups only, never members; a bad filter value shows all groups with the field marked."""
    with all_centres_scope():
        centre = selectors.public_centre(slug)
    if centre is None:
        raise Http404
    with centre_scope(centre.pk):
        return _group_finder(request, centre)


def _group_finder(request: HttpRequest, centre: Centre) -> HttpResponse:
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
            online=bool(filters.get("online")),
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
    with all_centres_scope():
        group = selectors.public_group(public_id)
    if group is None or group.centre.slug != slug:
        raise Http404
    with centre_scope(group.centre_id):
        meetings = selectors.public_group_meetings(group)
    return render(request, "meetings/group_page.html", {"centre": group.centre, "group": group, "meetings": meetings})
