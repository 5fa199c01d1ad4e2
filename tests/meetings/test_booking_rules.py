"""What a booking may be: closures leave meetings that already happened alone, a room open until
midnight takes a meeting ending then, a room out of use takes none."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from config.errors import DomainError
from meetings.services import closures, places
from meetings.services import meetings as meeting_changes
from tests.meetings.series_helpers import NOW, by_original_day, live, make_series

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


def test_closures_leave_meetings_that_already_happened_alone(weekly_series, centre_a, frozen_now):
    frozen_now(datetime(2026, 12, 10, 9, 0, tzinfo=UTC))
    _closure, cancelled = closures.closure_create(
        actor=None, centre=centre_a, starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 16), reason="Nachträglich"
    )
    assert cancelled == 1  # only 15 December is still ahead
    rows = by_original_day(weekly_series)
    assert rows[date(2026, 12, 1)].status == rows[date(2026, 12, 8)].status == "scheduled"


def test_a_room_open_until_midnight_takes_a_meeting_ending_at_midnight(group_a, room_a, frozen_now):
    frozen_now(NOW)
    places.opening_hours_set(actor=None, room=room_a, hours=[(1, time(9, 0), time(23, 59))])
    series = make_series(
        group_a, room_a, "FREQ=WEEKLY;BYDAY=TU;COUNT=2", date(2026, 12, 1), at=time(22, 0), minutes=120
    )
    assert len(live(None, series=series)) == 2


def test_rooms_out_of_use_take_no_bookings(centre_a, room_a, frozen_now):
    frozen_now(NOW)
    places.room_update(actor=None, room=room_a, is_active=False)
    with pytest.raises(DomainError, match="no longer in use"):
        meeting_changes.one_off_create(
            actor=None,
            centre=centre_a,
            room=room_a,
            title="X",
            starts_at=NOW + timedelta(days=1),
            ends_at=NOW + timedelta(days=1, hours=1),
        )
