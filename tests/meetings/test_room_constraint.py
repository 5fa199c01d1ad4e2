"""No double booking, guaranteed by PostgreSQL's exclusion constraint under concurrency."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from centres.scoping import centre_scope
from config.errors import ConflictError
from meetings.models import Meeting
from meetings.services import meetings as meeting_changes
from meetings.services import series as services
from tests.factories import every

pytestmark = pytest.mark.usefixtures("unscoped")


def test_the_database_refuses_an_overlapping_live_meeting(requires_postgres, room_a, centre_a):
    start = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)
    every(Meeting).create(
        centre=centre_a, room=room_a, title="A", starts_at=start, ends_at=start + timedelta(hours=2), uid="a@test"
    )
    with pytest.raises(IntegrityError, match="meeting_room_no_overlap"), transaction.atomic():
        every(Meeting).create(
            centre=centre_a,
            room=room_a,
            title="B",
            starts_at=start + timedelta(hours=1),
            ends_at=start + timedelta(hours=3),
            uid="b@test",
        )
    # Touching ends and cancelled meetings do not count.
    every(Meeting).create(
        centre=centre_a,
        room=room_a,
        title="C",
        starts_at=start + timedelta(hours=2),
        ends_at=start + timedelta(hours=3),
        uid="c@test",
    )
    every(Meeting).create(
        centre=centre_a,
        room=room_a,
        title="D",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        uid="d@test",
        status="cancelled",
    )
    assert every(Meeting).filter(room=room_a).count() == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_of_one_slot_give_exactly_one_success(requires_postgres, room_a, centre_a, frozen_now):
    frozen_now(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    start = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)
    attempts, barrier = 10, threading.Barrier(10)
    outcomes: list[str] = []

    def book(n: int) -> None:
        barrier.wait()
        try:
            with centre_scope(centre_a.pk):  # each thread is its own request
                meeting_changes.one_off_create(
                    actor=None,
                    centre=centre_a,
                    room=room_a,
                    title=f"Booking {n}",
                    starts_at=start,
                    ends_at=start + timedelta(hours=1),
                )
            outcomes.append("booked")
        except ConflictError:
            outcomes.append("conflict")
        except Exception as error:
            outcomes.append(f"error: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(n,)) for n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked"] + ["conflict"] * (attempts - 1)
    assert every(Meeting).filter(room=room_a, status="scheduled").count() == 1


def test_bulk_copy_writes_the_same_meetings_as_insert(
    requires_postgres, group_a, room_a, centre_a, frozen_now, monkeypatch
):
    from datetime import date, time

    from meetings.services import closures, materialise

    frozen_now(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    monkeypatch.setattr(materialise, "COPY_THRESHOLD", 1)
    closures.closure_create(
        actor=None, centre=centre_a, starts_on=date(2026, 12, 22), ends_on=date(2026, 12, 22), reason="Fest"
    )
    series = services.series_create(
        actor=None,
        group=group_a,
        room=room_a,
        rule="FREQ=WEEKLY;BYDAY=TU",
        starts_on=date(2026, 12, 1),
        start_time=time(19, 0),
        duration_minutes=120,
    )
    rows = list(every(Meeting).filter(series=series).order_by("starts_at"))
    assert len(rows) == 26
    assert rows[0].uid == f"series-{series.pk}-20261201T180000Z@kontakt"
    assert [(row.status, row.cancel_reason, row.closure is not None) for row in rows[3:4]] == [
        ("cancelled", "closure", True)
    ]
    assert all(row.updated_at is not None and row.group_id == group_a.pk for row in rows)
