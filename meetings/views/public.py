"""Public pages of the meetings app, open without a password: the group finder, a group's page
and the iCalendar feeds (a group's public feed, a person's feed behind its token). A visitor has
no scope of their own: each view finds the centre (by its slug, the group's public id or the
feed's token, across centres) and reads the rest in that centre's scope."""

from datetime import timedelta
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from centres.scoping import all_centres_scope, centre_scope
from meetings import selectors
from meetings.calendar import group_calendar_name, meetings_calendar
from meetings.finder import shown_in_public, times_shown_in_public
from meetings.structured import group_data

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
    if group is None or not times_shown_in_public(group):
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


def public_group_context(request: HttpRequest, slug: str, public_id) -> dict[str, Any]:
    """What a group's public page shows (here and in a partner's frame): the group, as its
    centre lists it, and its next meetings unless their times are kept to the centre."""
    with all_centres_scope():
        group = selectors.public_group(public_id)
    if group is None or group.centre.slug != slug or not shown_in_public(group):
        raise Http404
    times_shown = times_shown_in_public(group)
    with centre_scope(group.centre_id):
        meetings = selectors.public_group_meetings(group) if times_shown else []
    return {
        "centre": group.centre,
        "group": group,
        "meetings": meetings,
        "times_shown": times_shown,
        "structured": group_data(request, group, times_shown=times_shown, meetings=meetings),
    }


@require_safe
def group_page(request: HttpRequest, slug: str, public_id) -> HttpResponse:
    """A group's public page: its neutral description, next meetings and places, how to join."""
    context = public_group_context(request, slug, public_id)
    return render(request, "meetings/group_page.html", context)


@require_safe
def robots(request: HttpRequest) -> HttpResponse:
    """Search engines: the public pages and their sitemap; never the workspace, the API, the
    admin, the frames for partner sites or the pages behind a personal link."""
    lines = ["User-agent: *"]
    lines += [
        f"Disallow: {path}"
        for path in (
            "/workspace/",
            "/api/",
            "/admin/",
            "/embed/",
            "/m/",
            "/g/",
            "/evaluation/",
            "/calendar/",
            "/volunteer/",
        )
    ]
    lines.append("Disallow: /centres/*/workspace/")
    lines.append(f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
