"""Registering for an event without an account: the address confirms first, then a place or the
waiting list; a cancelled place goes to the first who waits; nothing public tells who registered."""

import re

import pytest

from events.models import Event, Registration
from tests.events.conftest import link_in, mails_to
from tests.factories import every

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


def _without_csrf(answer) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", answer.content.decode())


def register(client, event, name: str, email: str, **extra):
    page = f"/centres/{event.centre.slug}/events/{event.public_id}/"
    return client.post(page, {"name": name, "email": email, "consent": "on", **extra})


def confirm(client, email: str):
    path = link_in(mails_to(email, "event-confirm")[-1], "/events/confirm/")
    assert client.get(path).status_code == 200
    return client.post(path)


def test_a_visitor_registers_confirms_and_holds_a_place(client, make_event, centre_a):
    event = make_event(places=2)
    listing = client.get(f"/centres/{centre_a.slug}/events/").content.decode()
    assert event.title in listing
    assert "2 places are free" in listing
    sent = register(client, event, "Rosa", "Rosa@Example.net")
    assert sent.status_code == 200
    assert "Check your e-mail" in sent.content.decode()
    registration = every(Registration).get(event=event)
    assert (registration.status, registration.email) == ("pending", "rosa@example.net")
    mail = mails_to("rosa@example.net", "event-confirm")[0]
    assert mail.sensitive
    assert event.title not in mail.content.subject
    assert centre_a.name in mail.content.subject
    path = link_in(mail, "/events/confirm/")
    assert client.get(path).status_code == 200  # a mail scanner's GET changes nothing
    registration.refresh_from_db()
    assert registration.status == "pending"
    answer = client.post(path).content.decode()
    assert "You have a place" in answer
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    assert registration.placed_at is not None
    placed = mails_to("rosa@example.net", "event-placed")[0]
    assert "BEGIN:VEVENT" in placed.content.calendar
    assert event.meeting.uid in placed.content.calendar
    client.post(path)  # a second click changes nothing
    assert every(Registration).filter(event=event, status="confirmed").count() == 1
    assert len(mails_to("rosa@example.net", "event-placed")) == 1
    assert "1 place is free" in client.get(f"/centres/{centre_a.slug}/events/").content.decode()


def test_the_answer_is_the_same_for_a_known_address_and_nothing_is_held_twice(client, make_event):
    event = make_event(places=5)
    register(client, event, "Rosa", "rosa@example.net")
    confirm(client, "rosa@example.net")
    first = register(client, event, "Jemand", "someone@example.net")
    again = register(client, event, "Rosa B.", "ROSA@example.net")
    assert first.status_code == again.status_code == 200
    assert _without_csrf(first) == _without_csrf(again)
    assert every(Registration).filter(event=event, email="rosa@example.net").count() == 1
    already = mails_to("rosa@example.net", "event-already")
    assert len(already) == 1
    assert "/events/registration/" in already[0].content.body_text


def test_a_full_event_puts_people_on_the_waiting_list_and_a_cancelled_place_moves_the_first_up(client, make_event):
    event = make_event(places=1)
    for name in ("anna", "ben", "cem"):
        register(client, event, name.title(), f"{name}@example.net")
        confirm(client, f"{name}@example.net")
    statuses = dict(every(Registration).filter(event=event).values_list("name", "status"))
    assert statuses == {"Anna": "confirmed", "Ben": "waiting", "Cem": "waiting"}
    waiting_mail = mails_to("cem@example.net", "event-waiting")[0]
    assert "number 2 on the waiting list" in waiting_mail.content.body_text
    # Anna cancels from her own page, after a question.
    own_page = link_in(mails_to("anna@example.net", "event-placed")[0], "/events/registration/")
    asked = client.get(own_page + "?cancel=1").content.decode()
    assert "Yes, cancel my registration" in asked
    assert every(Registration).get(name="Anna").status == "confirmed"
    done = client.post(own_page, {"cancel": "yes"}).content.decode()
    assert "Your registration is cancelled" in done
    statuses = dict(every(Registration).filter(event=event).values_list("name", "status"))
    assert statuses == {"Anna": "cancelled", "Ben": "confirmed", "Cem": "waiting"}
    moved_up = mails_to("ben@example.net", "event-moved-up")
    assert len(moved_up) == 1
    assert "BEGIN:VEVENT" in moved_up[0].content.calendar
    assert not mails_to("cem@example.net", "event-moved-up")
    client.post(own_page, {"cancel": "yes"})  # twice: nothing more moves
    assert every(Registration).get(name="Cem").status == "waiting"


def test_an_invitation_only_event_is_reached_only_through_its_link(client, make_event, centre_a):
    event = make_event(places=3, audience=Event.Audience.INVITED, title="Schulung Gruppenbegleitung")
    assert event.title not in client.get(f"/centres/{centre_a.slug}/events/").content.decode()
    assert client.get(f"/centres/{centre_a.slug}/events/{event.public_id}/").status_code == 404
    assert event.title not in client.get("/open-data/v1/events.ics").content.decode()
    invited = client.get(f"/events/invitation/{event.invitation_code}/")
    assert invited.status_code == 200
    assert 'name="robots" content="noindex"' in invited.content.decode()
    client.post(
        f"/events/invitation/{event.invitation_code}/", {"name": "Vera", "email": "vera@example.net", "consent": "on"}
    )
    confirm(client, "vera@example.net")
    assert every(Registration).get(event=event).status == "confirmed"
    assert client.get("/events/invitation/" + "x" * 24 + "/").status_code == 404


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"consent": ""}, "consent"),
        ({"email": "not-an-address"}, "email"),
        ({"name": ""}, "name"),
        ({"name": "two\nlines"}, "name"),
    ],
)
def test_bad_input_names_the_problem_and_registers_no_one(client, make_event, fields, problem):
    event = make_event()
    answer = register(client, event, **{"name": "Rosa", "email": "rosa@example.net", **fields})
    assert answer.status_code == 400
    assert f'id="id_{problem}"' in answer.content.decode()
    assert "errorlist" in answer.content.decode()
    assert not every(Registration).filter(event=event).exists()


def test_a_bot_filling_the_hidden_field_gets_the_same_answer_and_registers_no_one(client, make_event):
    event = make_event()
    answer = register(client, event, "Bot", "bot@example.net", website="http://spam.example")
    assert answer.status_code == 200
    assert "Check your e-mail" in answer.content.decode()
    assert not every(Registration).filter(event=event).exists()


def test_links_that_are_forged_or_from_another_purpose_are_refused(client, make_event):
    event = make_event()
    register(client, event, "Rosa", "rosa@example.net")
    path = link_in(mails_to("rosa@example.net", "event-confirm")[0], "/events/confirm/")
    token = path.split("/")[3]
    assert client.post(f"/events/confirm/{token[:-2]}xx/").status_code == 404
    assert client.get(f"/events/registration/{token}/").status_code == 404  # a confirm link is no page link
    assert every(Registration).get(event=event).status == "pending"


def test_a_cancelled_event_takes_no_registration_and_a_late_confirmation_holds_nothing(client, make_event):
    from events.services.events import event_cancel

    event = make_event()
    register(client, event, "Rosa", "rosa@example.net")
    event_cancel(actor=None, event=event)
    assert (
        "This event is cancelled"
        in client.get(f"/centres/{event.centre.slug}/events/{event.public_id}/").content.decode()
    )
    refused = register(client, event, "Ben", "ben@example.net")
    assert refused.status_code == 400
    assert "This event is cancelled" in refused.content.decode()
    assert not every(Registration).filter(email="ben@example.net").exists()
    confirm(client, "rosa@example.net")
    assert every(Registration).get(event=event).status == "pending"


def test_the_links_of_registrations_and_invitations_never_reach_a_log(make_event):
    from config.log_filters import mask_secrets

    event = make_event(audience=Event.Audience.INVITED)
    lines = {
        f"GET /events/invitation/{event.invitation_code}/ 200": "/events/invitation/***/",
        "POST /events/confirm/eyJyIjo1fQ:1v:abc/ 200": "/events/confirm/***/",
        "GET /events/registration/eyJyIjo1fQ:1v:xyz/?cancel=1 200": "/events/registration/***/",
    }
    for line, masked in lines.items():
        assert masked in mask_secrets(line)
        assert event.invitation_code not in mask_secrets(line)
        assert "eyJyIjo1fQ" not in mask_secrets(line)
