"""Property tests of series edits and closures: whatever coordinators do, rooms never hold two
live meetings at once, an occurrence never has two live meetings, and closed days stay closed."""

import itertools
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.errors import DomainError
from meetings.booking import closure_on, closures_for_rooms
from meetings.models import Closure, Meeting, MeetingSeries
from meetings.services import closures
from meetings.services import meetings as meeting_changes
from meetings.services import series as services
from meetings.week_plan import free_intervals
from tests.factories import GroupFactory, RoomFactory, every

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")

days = st.integers(min_value=1, max_value=120).map(lambda n: date(2026, 11, 30) + timedelta(days=n))
hours = st.sampled_from([time(9, 0), time(14, 0), time(18, 0), time(19, 0), time(20, 30)])
operations = st.lists(
    st.one_of(
        st.tuples(st.just("whole"), hours, st.sampled_from(["TU", "WE", "TU,TH"]), st.integers(0, 1)),
        st.tuples(st.just("split"), days, hours, st.integers(0, 1)),
        st.tuples(st.just("close"), days, st.integers(0, 10), st.integers(0, 2)),
        st.tuples(st.just("lift"), st.integers(0, 5)),
        st.tuples(st.just("cancel"), st.integers(0, 40)),
        st.tuples(st.just("move"), st.integers(0, 40), st.integers(-3, 3)),
    ),
    min_size=1,
    max_size=8,
)


def check_invariants(centre) -> None:
    live = list(every(Meeting).filter(centre=centre, status="scheduled").order_by("room_id", "starts_at"))
    by_room = defaultdict(list)
    for meeting in live:
        by_room[meeting.room_id].append(meeting)
    for meetings in by_room.values():
        for earlier, later in itertools.pairwise(meetings):
            assert earlier.ends_at <= later.starts_at, (earlier, later)
    occurrences = [(m.group_id, m.original_starts_at) for m in live if m.series_id]
    assert len(occurrences) == len(set(occurrences))
    rooms = {meeting.room for meeting in live}
    closed = closures_for_rooms(rooms, date(2026, 11, 30), date(2027, 12, 31))
    for meeting in live:
        if meeting.starts_at >= NOW:
            assert closure_on(closed[meeting.room_id], meeting.starts_at.astimezone(BERLIN).date()) is None


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=operations)
def test_series_edits_and_closures_keep_the_invariants(centre_a, frozen_now, steps):
    frozen_now(NOW)
    every(Meeting).filter(centre=centre_a).delete()
    every(MeetingSeries).filter(centre=centre_a).delete()
    every(Closure).filter(centre=centre_a).delete()
    rooms = [RoomFactory(location__centre=centre_a) for _ in range(2)]
    group, neighbour = GroupFactory(centre=centre_a), GroupFactory(centre=centre_a)
    services.series_create(
        actor=None,
        group=group,
        room=rooms[0],
        rule="FREQ=WEEKLY;BYDAY=TU",
        starts_on=date(2026, 12, 1),
        start_time=time(19, 0),
        duration_minutes=90,
    )
    services.series_create(
        actor=None,
        group=neighbour,
        room=rooms[1],
        rule="FREQ=WEEKLY;BYDAY=WE",
        starts_on=date(2026, 12, 2),
        start_time=time(18, 0),
        duration_minutes=120,
    )
    for step in steps:
        kind = step[0]
        current = every(MeetingSeries).filter(group=group).order_by("-starts_on").first()
        try:
            if kind == "whole":
                _kind, at, byday, room = step
                services.series_update(
                    actor=None, series=current, start_time=at, rule=f"FREQ=WEEKLY;BYDAY={byday}", room=rooms[room]
                )
            elif kind == "split":
                _kind, day, at, room = step
                services.series_update(actor=None, series=current, effective_from=day, start_time=at, room=rooms[room])
            elif kind == "close":
                _kind, day, length, where = step
                closures.closure_create(
                    actor=None,
                    centre=centre_a,
                    starts_on=day,
                    ends_on=day + timedelta(days=length),
                    reason="x",
                    room=rooms[where] if where < 2 else None,
                )
            elif kind == "lift":
                existing = list(every(Closure).filter(centre=centre_a).order_by("pk"))
                if existing:
                    closures.closure_delete(actor=None, closure=existing[step[1] % len(existing)])
            else:
                meetings = list(every(Meeting).filter(group=group, status="scheduled").order_by("starts_at"))
                if not meetings:
                    continue
                meeting = meetings[step[1] % len(meetings)]
                if kind == "cancel":
                    meeting_changes.meeting_cancel(actor=None, meeting=meeting)
                else:
                    meeting_changes.meeting_move(
                        actor=None, meeting=meeting, starts_at=meeting.starts_at + timedelta(days=step[2])
                    )
        except DomainError:
            pass  # refused (a clash, a closed day, the past): the invariants must hold all the same
        check_invariants(centre_a)


def test_free_intervals_are_the_gaps_between_bookings():
    day = date(2026, 12, 1)
    booked = [
        (datetime(2026, 12, 1, 18, 0, tzinfo=UTC), datetime(2026, 12, 1, 20, 0, tzinfo=UTC)),
        (datetime(2026, 12, 1, 8, 0, tzinfo=UTC), datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),
    ]
    assert free_intervals(time(9, 0), time(21, 0), booked, day, BERLIN) == [(time(10, 0), time(19, 0))]
    assert free_intervals(time(9, 0), time(21, 0), [], day, BERLIN) == [(time(9, 0), time(21, 0))]
