"""Property tests: a series' meetings are its rule's occurrences, through cancellations, moves and
notes; and whatever is booked, moved or reinstated, a room never holds two live meetings at once.

Hypothesis runs each test body many times inside one test transaction, so every example first
deletes the rows the previous one made in its rooms.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from config.errors import ConflictError, DomainError
from config.local_time import local_time_problem
from meetings.booking import RoomClashError, RoomUnavailableError, horizon_end, local_today
from meetings.models import Closure, Meeting, MeetingSeries, OpeningHours
from meetings.recurrence import SEARCH_WINDOW, local_occurrences, occurrence_starts
from meetings.services.meetings import meeting_annotate, meeting_cancel, meeting_move, meeting_reinstate, one_off_create
from meetings.services.series import series_create
from tests.factories import RoomFactory, every

pytestmark = pytest.mark.usefixtures("unscoped")

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Berlin
BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

# Hypothesis' example database would be a new directory in the project; failures print the example.
property_settings = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    database=None,
)


def weekly_rule(days: list[str], interval: int) -> str:
    return f"FREQ=WEEKLY;BYDAY={','.join(sorted(days, key=WEEKDAYS.index))};INTERVAL={interval}"


def monthly_rule(ordinal: int, day: str) -> str:
    return f"FREQ=MONTHLY;BYDAY={ordinal}{day}"


def with_count(rule: str, count: int | None) -> str:
    return rule if count is None else f"{rule};COUNT={count}"


rules = st.builds(
    with_count,
    st.one_of(
        st.builds(
            weekly_rule, st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=3, unique=True), st.integers(1, 3)
        ),
        st.builds(monthly_rule, st.sampled_from([1, 2, 3, 4, -1]), st.sampled_from(WEEKDAYS)),
    ),
    st.none() | st.integers(1, 30),
)
local_start_times = st.builds(time, st.integers(0, 23), st.integers(0, 59))
edits = st.lists(
    st.tuples(
        st.sampled_from(["cancel", "move", "annotate"]),
        st.integers(0, 10_000),  # which meeting: taken modulo their number
        st.sampled_from([-7, -3, -2, -1, 1, 2, 3, 7, 14]),  # whole days to move by
    ),
    min_size=1,
    max_size=12,
)


def overlaps(first_start, first_end, second_start, second_end) -> bool:
    return first_start < second_end and second_start < first_end


@pytest.fixture
def empty_room(centre_a):
    return RoomFactory(location__centre=centre_a, name="Raum Hypothese")


@property_settings
@given(
    rule=rules,
    starts_on=st.dates(date(2026, 9, 1), date(2027, 3, 31)),
    start_time=local_start_times,
    duration_minutes=st.integers(15, 12 * 60),
    edit_plan=edits,
)
@example(  # Tuesdays from 1 December: moves onto a taken Tuesday, then onto a freed one, into the past
    rule="FREQ=WEEKLY;BYDAY=TU",
    starts_on=date(2026, 12, 1),
    start_time=time(19, 0),
    duration_minutes=120,
    edit_plan=[
        ("move", 1, 7),
        ("cancel", 2, 1),
        ("move", 1, 7),
        ("cancel", 2, 1),
        ("move", 3, -7),
        ("annotate", 0, 1),
        ("move", 0, -1),
        ("move", 0, -1),
    ],
)
@example(  # the last Sunday of March 2027 at 02:30, a wall-clock time that does not exist that day: refused
    rule="FREQ=MONTHLY;BYDAY=-1SU;COUNT=30",
    starts_on=date(2026, 10, 1),
    start_time=time(2, 30),
    duration_minutes=60,
    edit_plan=[("move", 4, 7), ("cancel", 4, 1), ("move", 3, 1)],
)
def test_series_meetings_are_the_rule_occurrences_through_edits(
    frozen_now, group_a, empty_room, rule, starts_on, start_time, duration_minutes, edit_plan
):
    frozen_now(NOW)
    every(MeetingSeries).filter(room=empty_room).delete()
    every(Meeting).filter(room=empty_room).delete()
    today = local_today("Europe/Berlin")
    expected_starts = occurrence_starts(
        rule, starts_on, start_time, "Europe/Berlin", max(starts_on, today), horizon_end(today)
    )
    first = max(starts_on, today)
    skipped_or_doubled = [
        problem
        for local in local_occurrences(rule, starts_on, start_time, first, first + SEARCH_WINDOW)
        if (problem := local_time_problem(local, BERLIN))
    ]
    if skipped_or_doubled:
        # A start the clocks skip or repeat on one of its dates is refused, naming that night.
        with pytest.raises(DomainError) as refused:
            series_create(
                actor=None,
                group=group_a,
                room=empty_room,
                rule=rule,
                starts_on=starts_on,
                start_time=start_time,
                duration_minutes=duration_minutes,
            )
        assert (refused.value.field, refused.value.message) == ("start_time", skipped_or_doubled[0])
        assert not every(MeetingSeries).filter(room=empty_room).exists()
        return

    series = series_create(
        actor=None,
        group=group_a,
        room=empty_room,
        rule=rule,
        starts_on=starts_on,
        start_time=start_time,
        duration_minutes=duration_minutes,
    )

    meetings = list(every(Meeting).filter(series=series).order_by("starts_at"))
    assert [meeting.starts_at for meeting in meetings] == expected_starts
    assert {meeting.status for meeting in meetings} <= {Meeting.Status.SCHEDULED}
    duration = timedelta(minutes=duration_minutes)
    assert all(meeting.ends_at - meeting.starts_at == duration for meeting in meetings)

    # Model: every occurrence is live at its rule time, until cancelled or moved.
    live = {meeting.pk: meeting.starts_at for meeting in meetings}
    identity = {meeting.pk: (meeting.uid, meeting.original_starts_at) for meeting in meetings}
    for number, (action, which, days) in enumerate(edit_plan if meetings else []):
        meeting = every(Meeting).get(pk=meetings[which % len(meetings)].pk)
        if action == "annotate":
            meeting_annotate(actor=None, meeting=meeting, note=f"Gast {number}")
        elif action == "cancel":
            if meeting.pk not in live or meeting.ends_at <= NOW:
                with pytest.raises(ConflictError):
                    meeting_cancel(actor=None, meeting=meeting)
            else:
                meeting_cancel(actor=None, meeting=meeting)
                del live[meeting.pk]
        else:
            # Whole days on the local wall clock: a 19:00 meeting stays at 19:00 across DST.
            new_start = (meeting.starts_at.astimezone(BERLIN) + timedelta(days=days)).astimezone(UTC)
            taken = any(
                overlaps(new_start, new_start + duration, start, start + duration)
                for pk, start in live.items()
                if pk != meeting.pk
            )
            if meeting.pk not in live:
                with pytest.raises(ConflictError):
                    meeting_move(actor=None, meeting=meeting, starts_at=new_start)
            elif new_start < NOW:
                with pytest.raises(DomainError) as refusal:
                    meeting_move(actor=None, meeting=meeting, starts_at=new_start)
                assert refusal.value.field == "starts_at"  # "cannot be moved into the past"
            elif taken:
                with pytest.raises(RoomClashError):
                    meeting_move(actor=None, meeting=meeting, starts_at=new_start)
            else:
                meeting_move(actor=None, meeting=meeting, starts_at=new_start)
                live[meeting.pk] = new_start

    rows = every(Meeting).filter(series=series)
    assert {meeting.pk: meeting.starts_at for meeting in rows.filter(status=Meeting.Status.SCHEDULED)} == live
    assert {meeting.pk: (meeting.uid, meeting.original_starts_at) for meeting in rows} == identity


# --- No double booking ---------------------------------------------------------------------------

ROOM_COUNT = 3
CLOSED_DAY = date(2026, 12, 2)  # the last room is closed that Wednesday
OPENS, CLOSES = time(9, 0), time(21, 0)  # ... and open Monday to Saturday 09:00–21:00 only


@pytest.fixture
def booking_rooms(centre_a):
    rooms = [RoomFactory(location__centre=centre_a, name=f"Raum {number}") for number in range(ROOM_COUNT)]
    limited = rooms[-1]
    for weekday in range(6):
        every(OpeningHours).create(centre=centre_a, room=limited, weekday=weekday, opens=OPENS, closes=CLOSES)
    every(Closure).create(
        centre=centre_a, room=limited, starts_on=CLOSED_DAY, ends_on=CLOSED_DAY, reason="Wasserschaden"
    )
    return rooms


def room_unavailable(room_index: int, starts_at: datetime, ends_at: datetime) -> bool:
    if room_index != ROOM_COUNT - 1:
        return False
    local_start, local_end = starts_at.astimezone(BERLIN), ends_at.astimezone(BERLIN)
    return (
        local_start.weekday() == 6
        or local_start.date() != local_end.date()
        or not (local_start.time() >= OPENS and local_end.time() <= CLOSES)
        or local_start.date() == CLOSED_DAY
    )


# Slots in five-minute steps over the 60 hours after "now" (so that bookings often collide), 15
# minutes to 8 hours long.
slot_starts = st.integers(0, 60 * 12).map(lambda steps: NOW + timedelta(minutes=5 * steps))
slot_lengths = st.integers(3, 96).map(lambda steps: timedelta(minutes=5 * steps))
bookings = st.lists(st.tuples(st.integers(0, ROOM_COUNT - 1), slot_starts, slot_lengths), min_size=5, max_size=30)


def assert_no_live_overlap(rooms) -> None:
    live = list(every(Meeting).filter(room__in=rooms, status=Meeting.Status.SCHEDULED).order_by("room_id", "starts_at"))
    clashes = [
        (first.pk, second.pk)
        for index, first in enumerate(live)
        for second in live[index + 1 :]
        if first.room_id == second.room_id
        and overlaps(first.starts_at, first.ends_at, second.starts_at, second.ends_at)
    ]
    assert clashes == []


@property_settings
@given(plan=bookings)
def test_random_bookings_never_overlap_in_a_room(frozen_now, centre_a, booking_rooms, plan):
    frozen_now(NOW)
    every(Meeting).filter(room__in=booking_rooms).delete()

    booked = 0
    for room_index, starts_at, length in plan:
        try:
            one_off_create(
                actor=None,
                centre=centre_a,
                room=booking_rooms[room_index],
                title="Infoabend",
                starts_at=starts_at,
                ends_at=starts_at + length,
            )
        except (RoomClashError, RoomUnavailableError, ConflictError):
            continue
        booked += 1

    assert_no_live_overlap(booking_rooms)
    assert every(Meeting).filter(room__in=booking_rooms).count() == booked


operations = st.lists(
    st.one_of(
        st.tuples(st.just("book"), st.integers(0, ROOM_COUNT - 1), slot_starts, slot_lengths),
        st.tuples(st.just("cancel"), st.integers(0, 10_000)),
        st.tuples(st.just("reinstate"), st.integers(0, 10_000)),
        st.tuples(st.just("move"), st.integers(0, 10_000), st.integers(0, ROOM_COUNT - 1), slot_starts),
    ),
    min_size=5,
    max_size=30,
)


class BookingModel:
    """The test's own model of the rooms: meeting id -> [room index, start, end, live]. Each
    operation runs on the services and must be refused exactly when the model says so."""

    def __init__(self, centre, rooms):
        self.centre, self.rooms = centre, rooms
        self.meetings: dict[int, list] = {}

    def taken(self, room_index, starts_at, ends_at, ignore=None) -> bool:
        return any(
            live and room == room_index and pk != ignore and overlaps(starts_at, ends_at, start, end)
            for pk, (room, start, end, live) in self.meetings.items()
        )

    def apply(self, operation) -> None:
        if operation[0] == "book":
            self.book(*operation[1:])
        elif self.meetings:
            pk = sorted(self.meetings)[operation[1] % len(self.meetings)]
            {"cancel": self.cancel, "reinstate": self.reinstate, "move": self.move}[operation[0]](pk, *operation[2:])

    def book(self, room_index, starts_at, length) -> None:
        ends_at = starts_at + length

        def book():
            return one_off_create(
                actor=None,
                centre=self.centre,
                room=self.rooms[room_index],
                title="Infoabend",
                starts_at=starts_at,
                ends_at=ends_at,
            )

        if room_unavailable(room_index, starts_at, ends_at):
            with pytest.raises(RoomUnavailableError):
                book()
        elif self.taken(room_index, starts_at, ends_at):
            with pytest.raises(RoomClashError):
                book()
        else:
            self.meetings[book().pk] = [room_index, starts_at, ends_at, True]

    def cancel(self, pk) -> None:
        meeting = every(Meeting).get(pk=pk)
        if not self.meetings[pk][3]:
            with pytest.raises(ConflictError):
                meeting_cancel(actor=None, meeting=meeting)
        else:
            meeting_cancel(actor=None, meeting=meeting)
            self.meetings[pk][3] = False

    def reinstate(self, pk) -> None:
        room_index, starts_at, ends_at, live = self.meetings[pk]
        meeting = every(Meeting).get(pk=pk)
        if live:
            with pytest.raises(ConflictError):
                meeting_reinstate(actor=None, meeting=meeting)
        elif self.taken(room_index, starts_at, ends_at, ignore=pk):
            with pytest.raises(RoomClashError):
                meeting_reinstate(actor=None, meeting=meeting)
        else:
            meeting_reinstate(actor=None, meeting=meeting)
            self.meetings[pk][3] = True

    def move(self, pk, new_room_index, new_start) -> None:
        _room_index, starts_at, ends_at, live = self.meetings[pk]
        new_end = new_start + (ends_at - starts_at)
        meeting = every(Meeting).get(pk=pk)

        def move():
            return meeting_move(actor=None, meeting=meeting, starts_at=new_start, room=self.rooms[new_room_index])

        if not live:
            with pytest.raises(ConflictError):
                move()
        elif room_unavailable(new_room_index, new_start, new_end):
            with pytest.raises(RoomUnavailableError):
                move()
        elif self.taken(new_room_index, new_start, new_end, ignore=pk):
            with pytest.raises(RoomClashError):
                move()
        else:
            move()
            self.meetings[pk] = [new_room_index, new_start, new_end, True]


@property_settings
@given(plan=operations)
@example(  # a freed slot is taken; reinstating clashes until the other meeting moves away
    plan=[
        ("book", 0, NOW + timedelta(hours=1), timedelta(hours=2)),
        ("cancel", 0),
        ("book", 0, NOW + timedelta(hours=2), timedelta(hours=1)),
        ("reinstate", 0),
        ("move", 1, 0, NOW + timedelta(hours=1)),
        ("reinstate", 0),
        ("move", 1, 0, NOW + timedelta(hours=3)),  # ends where the other one starts: no overlap
        ("reinstate", 0),
        ("move", 1, 0, NOW + timedelta(hours=2)),
        ("move", 1, 1, NOW + timedelta(hours=2)),
    ]
)
def test_bookings_moves_and_reinstatements_are_refused_exactly_when_the_room_is_taken(
    frozen_now, centre_a, booking_rooms, plan
):
    frozen_now(NOW)
    every(Meeting).filter(room__in=booking_rooms).delete()
    rooms = BookingModel(centre_a, booking_rooms)
    for operation in plan:
        rooms.apply(operation)
    model = rooms.meetings

    assert_no_live_overlap(booking_rooms)
    rows = every(Meeting).filter(room__in=booking_rooms)
    room_index_of = {room.pk: index for index, room in enumerate(booking_rooms)}
    assert {
        meeting.pk: [room_index_of[meeting.room_id], meeting.starts_at, meeting.ends_at, meeting.is_live]
        for meeting in rows
    } == model
