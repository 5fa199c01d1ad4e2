"""An intake conversation's room booking belongs to its enquiry, which keeps its time and room:
the API refuses to cancel or move it, as the planner does, and the enquiry still reschedules it."""

from datetime import UTC, datetime

import pytest

from centres.scoping import centre_scope
from intake.models import Enquiry
from intake.services.queue import enquiry_conversation_schedule
from intake.services.submission import enquiry_submit
from meetings.models import Meeting
from tests.factories import RoomFactory, TopicFactory, every

pytestmark = pytest.mark.django_db
REFUSAL = "This is an intake conversation: change it on the enquiry's page."


@pytest.fixture
def conversation(centre_a, room_a, frozen_now) -> Meeting:
    """The room booked for an enquiry's intake conversation on Thursday 2026-12-03, 10:00."""
    frozen_now(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    with centre_scope(centre_a.pk):
        enquiry = enquiry_submit(
            actor=None,
            centre=centre_a,
            name="Xenia",
            email="xenia@example.net",
            language="de",
            topics=[TopicFactory(centre=centre_a)],
            consent=True,
        )
        enquiry_conversation_schedule(
            actor=None,
            enquiry=enquiry,
            kind="in_person",
            starts_at=datetime(2026, 12, 3, 9, 0, tzinfo=UTC),
            room=room_a,
        )
    return every(Enquiry).get(pk=enquiry.pk).conversation_meeting


def unchanged(booking: Meeting) -> tuple:
    """What a refused change must leave as it was: the booking, and its enquiry's time and link."""
    meeting = every(Meeting).get(pk=booking.pk)
    enquiry = every(Enquiry).get(conversation_meeting=booking)
    return (meeting.status, meeting.starts_at, meeting.room_id, meeting.sequence, enquiry.conversation_at)


def test_the_api_refuses_to_cancel_an_intake_conversation(api_a, conversation):
    before = unchanged(conversation)
    answer = api_a.post(f"/api/v1/meetings/{conversation.pk}/cancel/", {"note": "Raum gebraucht"})
    assert answer.status_code == 409
    assert answer.json()["error"]["message"] == REFUSAL
    assert unchanged(conversation) == before
    assert every(Meeting).get(pk=conversation.pk).status == "scheduled"


def test_the_api_refuses_to_move_an_intake_conversation(api_a, centre_a, conversation):
    before = unchanged(conversation)
    other_room = RoomFactory(location__centre=centre_a, name="Raum Eiche")
    answer = api_a.post(
        f"/api/v1/meetings/{conversation.pk}/move/",
        {"starts_at": "2026-12-04T09:00:00Z", "room": other_room.pk},
    )
    assert answer.status_code == 409
    assert answer.json()["error"]["message"] == REFUSAL
    assert unchanged(conversation) == before


def test_the_planner_still_refuses_to_move_or_cancel_it(client, coordinator_a, centre_a, conversation):
    client.force_login(coordinator_a)
    before = unchanged(conversation)
    url = f"/centres/{centre_a.slug}/planner/meetings/{conversation.pk}/"
    page = client.get(url).content.decode()
    assert "Open the enquiry" in page
    moved = client.post(url + "move/", {"starts_at": "2026-12-04T10:00", "room": conversation.room_id})
    cancelled = client.post(url + "cancel/", {"confirm": "yes"})
    assert (moved.status_code, cancelled.status_code) == (409, 409)
    assert REFUSAL.replace("'", "&#x27;") in moved.content.decode()
    assert unchanged(conversation) == before


def test_the_enquiry_still_moves_its_own_conversation(api_a, centre_a, room_a, conversation):
    enquiry = every(Enquiry).get(conversation_meeting=conversation)
    answer = api_a.post(
        f"/api/v1/enquiries/{enquiry.pk}/schedule-conversation/",
        {"kind": "in_person", "starts_at": "2026-12-04T09:00:00Z", "room": room_a.pk},
    )
    assert answer.status_code == 200
    assert every(Meeting).get(pk=conversation.pk).status == "cancelled"  # the old booking, by its enquiry
    new_booking = every(Enquiry).get(pk=enquiry.pk).conversation_meeting
    assert (new_booking.status, new_booking.starts_at) == ("scheduled", datetime(2026, 12, 4, 9, 0, tzinfo=UTC))
