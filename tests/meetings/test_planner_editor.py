"""The planner as a planning tool: the series editor's rhythms (monthly on the last weekday, an
end by count or date, a single meeting), its preview, a clash answered with free alternatives,
click-to-book, the room filter, day and month views, and the door sign."""

import pytest
from django.utils import timezone

from meetings.models import Closure, Group, Meeting, MeetingSeries
from tests.factories import GroupFactory, MembershipFactory, PersonFactory, RoomFactory, every

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


@pytest.fixture
def coordinator(client, coordinator_a):
    client.force_login(coordinator_a)
    return client


def editor(group, room, **overrides) -> dict:
    return {
        "series-group": group.pk if group else "",
        "series-room": room.pk,
        "series-repeat": "weekly",
        "series-every": 1,
        "series-weekdays": [2],
        "series-starts_on": "2026-12-02",
        "series-start_time": "10:00",
        "series-duration_minutes": 90,
        "series-ends": "never",
        **overrides,
    }


def test_monthly_on_the_last_friday_for_three_meetings(coordinator, centre_a, weekly_series, room_a):
    group = GroupFactory(centre=centre_a, name="Freitagsrunde")
    form = editor(group, room_a, **{"series-repeat": "monthly", "series-position": -1, "series-monthly_weekday": 4})
    answer = coordinator.post(f"/centres/{centre_a.slug}/planner/", {**form, "series-ends": "count", "series-count": 3})
    series = every(MeetingSeries).get(group=group)
    assert series.rule == "FREQ=MONTHLY;BYDAY=-1FR;COUNT=3;INTERVAL=1"
    starts = [m.starts_at.date().isoformat() for m in every(Meeting).filter(series=series).order_by("starts_at")]
    assert starts == ["2026-12-25", "2027-01-29", "2027-02-26"]
    assert answer.url.endswith("?week=2026-12-25")
    shown = coordinator.get(answer.url).content.decode()
    assert "The series is booked. First meeting: Friday 25 December, 10:00 in Raum Linde." in shown


def test_the_preview_lists_the_first_dates_with_closures_and_books_nothing(
    coordinator, centre_a, weekly_series, room_a
):
    every(Closure).create(centre=centre_a, starts_on="2026-12-09", ends_on="2026-12-09", reason="Putztag")
    group = GroupFactory(centre=centre_a)
    answer = coordinator.post(f"/centres/{centre_a.slug}/planner/", {**editor(group, room_a), "preview": "1"})
    text = answer.content.decode()
    assert "The first 10 dates" in text
    assert "Wednesday, 9 December 2026, 10:00–11:30 — closed: Putztag" in text
    assert "Wednesday, 2 December 2026, 10:00–11:30</li>" in text
    assert not every(MeetingSeries).filter(group=group).exists()


def test_an_end_date_ends_the_series(coordinator, centre_a, weekly_series, room_a):
    group = GroupFactory(centre=centre_a)
    form = {**editor(group, room_a), "series-ends": "until", "series-until": "2026-12-16"}
    coordinator.post(f"/centres/{centre_a.slug}/planner/", form)
    dates = sorted(m.starts_at.date().isoformat() for m in every(Meeting).filter(group=group))
    assert dates == ["2026-12-02", "2026-12-09", "2026-12-16"]


def test_a_clash_names_the_meeting_and_offers_free_alternatives(coordinator, centre_a, weekly_series, room_a):
    RoomFactory(location=room_a.location, name="Raum Eiche", capacity=room_a.capacity)
    group = GroupFactory(centre=centre_a)
    form = editor(group, room_a, **{"series-weekdays": [1], "series-start_time": "19:30"})
    answer = coordinator.post(f"/centres/{centre_a.slug}/planner/", form)
    text = answer.content.decode()
    assert answer.status_code == 409
    assert "taken by Dienstagsgruppe" in text
    assert "Raum Eiche at 19:30: see the dates" in text
    assert "Raum Linde at 17:30: see the dates" in text  # the same room two hours earlier is free
    assert text.index('id="error-summary"') > text.index('id="book-heading"')  # beside the form
    assert not every(MeetingSeries).filter(group=group).exists()


def test_a_single_event_without_a_group_is_booked_once(coordinator, centre_a, room_a, weekly_series):
    form = editor(
        None, room_a, **{"series-repeat": "once", "series-title": "Infoabend", "series-starts_on": "2026-12-03"}
    )
    answer = coordinator.post(f"/centres/{centre_a.slug}/planner/", form)
    (event,) = every(Meeting).filter(title="Infoabend")
    assert (event.group, event.series, event.status) == (None, None, "scheduled")
    assert (
        "The meeting is booked: Thursday 3 December, 10:00 in Raum Linde."
        in coordinator.get(answer.url).content.decode()
    )


def test_the_editor_refuses_an_incomplete_rhythm_by_name(coordinator, centre_a, room_a, weekly_series, group_a):
    url = f"/centres/{centre_a.slug}/planner/"
    cases = {
        "Choose the weekday.": editor(group_a, room_a, **{"series-weekdays": []}),
        "Give a last date on or after the first date.": {
            **editor(group_a, room_a),
            "series-ends": "until",
            "series-until": "2026-11-01",
        },
        "Say how many meetings.": {**editor(group_a, room_a), "series-ends": "count"},
        "Choose the group": editor(None, room_a),
    }
    for message, form in cases.items():
        answer = coordinator.post(url, form)
        assert answer.status_code == 400, message
        assert message in answer.content.decode()
    assert every(MeetingSeries).count() == 1


def test_a_free_slot_opens_the_form_filled_in_for_it(coordinator, centre_a, weekly_series, room_a):
    week = coordinator.get(f"/centres/{centre_a.slug}/planner/?week=2026-12-01").content.decode()
    link = f"book_room={room_a.pk}&amp;book_day=2026-12-01&amp;book_time=08:00"
    assert link in week
    filled = coordinator.get(
        f"/centres/{centre_a.slug}/planner/?week=2026-12-01&book_room={room_a.pk}&book_day=2026-12-01&book_time=08:00"
    ).content.decode()
    assert f'<option value="{room_a.pk}" selected>' in filled
    assert 'name="series-starts_on" value="2026-12-01"' in filled
    assert 'name="series-weekdays" value="1" id="id_series-weekdays_1" checked' in filled


def test_the_room_filter_and_the_day_and_month_views(coordinator, centre_a, weekly_series, room_a):
    RoomFactory(location__centre=centre_a, name="Saal", capacity=40, hearing_loop=True)
    url = f"/centres/{centre_a.slug}/planner/"
    looped = coordinator.get(url + "?week=2026-12-01&hearing_loop=on").content.decode()
    assert "Saal<br>" in looped  # the rows' headers: only the room with a hearing loop
    assert "Raum Linde<br>" not in looped
    day = coordinator.get(url + "?view=day&day=2026-12-01").content.decode()
    assert day.count('<th scope="col"><a href') == 1
    assert "Dienstagsgruppe" in day
    month = coordinator.get(url + "?view=month&month=2026-12-01").content.decode()
    assert month.count("1 meeting<") == 5  # the five Tuesdays of December 2026


def test_the_door_sign_shows_times_and_public_names_only(coordinator, centre_a, weekly_series, room_a, centre_b):
    every(Group).filter(pk=weekly_series.group_id).update(discreet=True)
    MembershipFactory(group=weekly_series.group, person=PersonFactory(centre=centre_a, display_name="Hilde H."))
    sign = coordinator.get(
        f"/centres/{centre_a.slug}/planner/rooms/{room_a.pk}/print/?week=2026-12-01"
    ).content.decode()
    assert "19:00–21:00 · Reserved" in sign
    assert "Dienstagsgruppe" not in sign
    assert "Hilde" not in sign
    foreign = RoomFactory(location__centre=centre_b)
    assert coordinator.get(f"/centres/{centre_a.slug}/planner/rooms/{foreign.pk}/print/").status_code == 404


def test_a_dragged_booking_opens_its_move_filled_in_and_moves_nothing(coordinator, centre_a, weekly_series, room_a):
    meeting = every(Meeting).filter(series=weekly_series).order_by("starts_at").first()
    MembershipFactory(group=weekly_series.group, person=PersonFactory(centre=centre_a, email="m@example.net"))
    url = f"/centres/{centre_a.slug}/planner/meetings/{meeting.pk}/"
    shown = coordinator.get(url + f"?move_to=2026-12-03T18:00&room={room_a.pk}").content.decode()
    assert "Move it to Thursday 3 December, 18:00 in Raum Linde? 1 member will be told." in shown
    assert 'value="2026-12-03T18:00"' in shown
    before = (meeting.starts_at, meeting.sequence)
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.sequence) == before
    ignored = coordinator.get(url + "?move_to=not-a-time&room=999999").content.decode()
    assert "Move it to" not in ignored


def test_a_series_changes_from_one_meeting_on_after_saying_what_changes(coordinator, centre_a, weekly_series, room_a):
    MembershipFactory(group=weekly_series.group, person=PersonFactory(centre=centre_a, email="m@example.net"))
    meetings = list(every(Meeting).filter(series=weekly_series).order_by("starts_at"))
    third = meetings[2]
    url = f"/centres/{centre_a.slug}/planner/meetings/{third.pk}/"
    form = {
        "series-scope": "following",
        "series-start_time": "18:00",
        "series-duration_minutes": 120,
        "series-room": room_a.pk,
    }
    asked = coordinator.post(url + "series/", form).content.decode()
    assert "From 15 December 2026 on," in asked
    assert "the meetings start at 18:00, last 120 minutes and take place in Raum Linde." in asked
    assert "1 member will be told." in asked
    assert every(Meeting).get(pk=third.pk).starts_at == third.starts_at
    changed = coordinator.post(url + "series/", {**form, "confirm": "yes"})
    assert "meetings changed. 1 member is told." in coordinator.get(changed.url).content.decode()
    times = [
        timezone.localtime(m.starts_at).strftime("%d %H:%M")
        for m in every(Meeting).filter(group=weekly_series.group, status="scheduled").order_by("starts_at")[:4]
    ]
    assert times == ["01 19:00", "08 19:00", "15 18:00", "22 18:00"]


def test_the_kept_grid_shows_a_change_at_once(coordinator, centre_a, weekly_series, room_a):
    url = f"/centres/{centre_a.slug}/planner/?week=2026-12-01"
    assert "Infoabend" not in coordinator.get(url).content.decode()
    form = editor(
        None, room_a, **{"series-repeat": "once", "series-title": "Infoabend", "series-starts_on": "2026-12-03"}
    )
    coordinator.post(f"/centres/{centre_a.slug}/planner/", form)
    assert "Infoabend" in coordinator.get(url).content.decode()
    german = coordinator.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "frei 08:00–22:00" in german  # the grid is kept per language
    assert "free 08:00–22:00" not in german
