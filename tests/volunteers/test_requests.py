"""Direct requests to volunteers to start a group: the first to accept gets the place, the
others hear it is filled, and two acceptances at once never make a third starter."""

import re
import threading
from datetime import date

import pytest
from django.db import connection

from centres.scoping import all_centres_scope
from notifications.models import OutgoingMail
from tests.factories import every
from tests.volunteers.conftest import make_volunteer
from volunteers.models import StarterAssignment, StarterRequest
from volunteers.services.assignments import assignment_create
from volunteers.services.requests import starter_request_answer, starter_requests_send


def answer_path(volunteer) -> str:
    mails = every(OutgoingMail).select_related("content").filter(recipient=volunteer.person.email)
    found = [re.search(r"https?://[^/]+/(volunteer/request/\S+/)", mail.body_text) for mail in mails]
    (path,) = [match[1] for match in found if match]
    return "/" + path


@pytest.fixture
def asked(centre_a, weekly_series):
    group = weekly_series.group
    with all_centres_scope():
        volunteers = [make_volunteer(centre_a, topics=[group.topic]) for _ in range(3)]
        requests = starter_requests_send(actor=None, group=group, limit=3)
    return group, volunteers, requests


@pytest.mark.django_db
def test_the_best_suited_are_asked_by_mail_and_a_get_only_asks(client, asked):
    group, volunteers, requests = asked
    assert {request.volunteer for request in requests} == set(volunteers)
    page = client.get(answer_path(volunteers[0]))
    assert page.status_code == 200
    assert "Yes, I will start it" in page.content.decode()
    with all_centres_scope():
        assert not every(StarterAssignment).filter(group=group).exists()
        # Asking again does not ask the same people twice.
        assert starter_requests_send(actor=None, group=group, limit=3) == []


@pytest.mark.django_db
def test_accepting_gives_the_place_and_when_full_the_others_hear_it_is_filled(client, asked):
    group, volunteers, _requests = asked
    first, second, third = volunteers
    assert "starter now" in client.post(answer_path(first), {"answer": "accept"}).content.decode()
    assert "starter now" in client.post(answer_path(second), {"answer": "accept"}).content.decode()
    late = client.post(answer_path(third), {"answer": "accept"}).content.decode()
    assert "Another volunteer was quicker" in late
    with all_centres_scope():
        assert set(every(StarterAssignment).filter(group=group).values_list("volunteer_id", flat=True)) == {
            first.pk,
            second.pk,
        }
        filled = every(OutgoingMail).select_related("content").filter(recipient=third.person.email)
        assert any("request-filled" in mail.idempotency_key for mail in filled)
        assert every(StarterRequest).get(volunteer=third).status == "filled"


@pytest.mark.django_db
def test_a_decline_is_noted_and_an_answer_counts_once(client, asked):
    _group, volunteers, _requests = asked
    path = answer_path(volunteers[0])
    assert client.post(path, {"answer": "decline"}).status_code == 200
    client.post(path, {"answer": "accept"})  # too late: declined stays declined
    with all_centres_scope():
        assert every(StarterRequest).get(volunteer=volunteers[0]).status == "declined"
        assert not every(StarterAssignment).exists()
    assert client.post(path, {"answer": "maybe"}).status_code == 400


@pytest.mark.django_db
def test_a_forged_request_link_is_refused(client):
    assert client.get("/volunteer/request/forged/").status_code == 404
    assert client.post("/volunteer/request/forged/", {"answer": "accept"}).status_code == 404


@pytest.mark.django_db
def test_a_full_group_asks_nobody(centre_a, weekly_series):
    group = weekly_series.group
    with all_centres_scope():
        for _ in range(2):
            assignment_create(actor=None, group=group, volunteer=make_volunteer(centre_a), starts_on=date(2026, 12, 1))
        make_volunteer(centre_a)
        from config.errors import ConflictError

        with pytest.raises(ConflictError, match="the starters it needs already"):
            starter_requests_send(actor=None, group=group)


@pytest.mark.django_db(transaction=True)
def test_three_volunteers_accepting_the_last_place_at_once_give_one_starter(requires_postgres, centre_a, weekly_series):
    group = weekly_series.group
    with all_centres_scope():
        assignment_create(actor=None, group=group, volunteer=make_volunteer(centre_a), starts_on=date(2026, 12, 1))
        for _ in range(3):
            make_volunteer(centre_a, topics=[group.topic])
        requests = starter_requests_send(actor=None, group=group, limit=3)
    barrier, outcomes = threading.Barrier(len(requests)), []

    def accept(request) -> None:
        barrier.wait()
        try:
            with all_centres_scope():
                outcomes.append(starter_request_answer(request=request, accept=True))
        except Exception as error:
            outcomes.append(f"error: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(request,)) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["accepted", "filled", "filled"]
    with all_centres_scope():
        assert every(StarterAssignment).filter(group=group).count() == 2
