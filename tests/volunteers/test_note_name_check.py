"""The session-log note check is no name oracle: it never says which name matched, and a
volunteer gets only a few answers an hour (issue 17, §3)."""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from config.errors import ConflictError, DomainError
from meetings.models import Meeting, Membership
from meetings.services import series as series_services
from tests.factories import GroupFactory, PersonFactory, RoomFactory, every
from volunteers.models import SessionLog, Volunteer
from volunteers.services.assignments import assignment_create
from volunteers.services.sessions import NOTE_CHECK_LIMIT, NoteCheckPausedError, session_log_create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


@pytest.fixture
def logging_starter(centre_a, frozen_now):
    """A starter of a weekly group whose first six meetings (from next Tuesday) are over; the
    group has a member Hannelore Schäfer."""
    today = timezone.localdate()
    first_tuesday = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
    frozen_now(datetime.combine(first_tuesday - timedelta(days=1), time(9, 0), tzinfo=UTC))
    group = GroupFactory(centre=centre_a, name="Dienstagsgruppe")
    series_services.series_create(
        actor=None,
        group=group,
        room=RoomFactory(location__centre=centre_a),
        rule="FREQ=WEEKLY;BYDAY=TU",
        starts_on=first_tuesday,
        start_time=time(19, 0),
        duration_minutes=120,
    )
    person = PersonFactory(centre=centre_a, email="starter@example.net")
    volunteer = every(Volunteer).create(
        centre=centre_a, person=person, status="active", languages=["de"], weekdays=[1], evening=True,
        confidentiality_signed_on=first_tuesday - timedelta(days=30),
    )  # fmt: skip
    assignment = assignment_create(actor=None, group=group, volunteer=volunteer, starts_on=first_tuesday)
    member = PersonFactory(centre=centre_a, display_name="Hannelore", full_name="Hannelore Schäfer")
    every(Membership).create(centre=centre_a, group=group, person=member, joined_on=first_tuesday)
    frozen_now(datetime.combine(first_tuesday + timedelta(weeks=5, days=1), time(9, 0), tzinfo=UTC))
    meetings = list(every(Meeting).filter(group=group).order_by("starts_at")[:6])
    return assignment, meetings


def log(assignment, meeting, notes, **more):
    return session_log_create(
        actor=None, assignment=assignment, meeting=meeting, hours=Decimal("2"), notes=notes, **more
    )


def test_a_flagged_note_does_not_say_which_name_matched(logging_starter):
    assignment, meetings = logging_starter

    with pytest.raises(DomainError) as refused:
        log(assignment, meetings[0], "Frau Schäfer erzählte viel")

    assert refused.value.field == "notes"
    assert "may name a member" in refused.value.message
    assert "Schäfer" not in refused.value.message
    assert "Hannelore" not in refused.value.message


def test_the_name_check_answers_only_a_few_times_an_hour(logging_starter):
    assignment, meetings = logging_starter
    for _attempt in range(NOTE_CHECK_LIMIT):
        with pytest.raises(DomainError, match="may name a member"):
            log(assignment, meetings[0], "Schäfer")

    # The check is paused: a note with a name and one without get the same answer.
    for notes in ("Schäfer", "Müller", "We talked about sleep"):
        with pytest.raises(NoteCheckPausedError) as paused:
            log(assignment, meetings[0], notes)
        assert paused.value.status_code == 429
        assert "Save the log without notes" in paused.value.message
    assert not every(SessionLog).exists()
    # Logging without notes, or with notes the starter confirms, still works.
    assert log(assignment, meetings[0], "").notes == ""
    assert log(assignment, meetings[1], "We read Schäfer's essay", names_checked=True).notes.startswith("We read")


def test_the_pause_ends_when_its_window_is_over(logging_starter, monkeypatch, frozen_now):
    import time as clock

    monkeypatch.setattr("volunteers.services.sessions.NOTE_CHECK_SECONDS", 1)  # an hour in production
    assignment, meetings = logging_starter
    for _attempt in range(NOTE_CHECK_LIMIT):
        with pytest.raises(DomainError):
            log(assignment, meetings[0], "Schäfer")
    with pytest.raises(NoteCheckPausedError):
        log(assignment, meetings[0], "A calm evening")

    # The window ends by the cache's clock: Redis keeps the real time, the in-process cache the
    # process clock (which this test has frozen).
    clock.sleep(1.2)
    frozen_now(timezone.now() + timedelta(seconds=2))

    assert log(assignment, meetings[0], "A calm evening").notes == "A calm evening"


def test_a_logged_meeting_is_no_free_way_to_ask_the_check(logging_starter):
    assignment, meetings = logging_starter
    log(assignment, meetings[0], "A calm evening")

    with pytest.raises(ConflictError, match="logged already"):
        log(assignment, meetings[0], "Schäfer")
    with pytest.raises(ConflictError, match="logged already"):
        log(assignment, meetings[0], "Müller")
