"""Sign-up with double opt-in: the confirmation mail, the link (GET asks, POST confirms), the
honeypot and the rate limit."""

import re

import pytest

from centres.models import ConsentRecord
from notifications.models import OutgoingMail
from tests.factories import every, handle_mail_requests
from tests.volunteers.conftest import without_csrf
from volunteers.models import Volunteer
from volunteers.services.signup import CONSENT_TEXT_VERSION

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


def signup_data(**overrides):
    return {
        "name": "Vera Volunteer",
        "email": "vera@example.net",
        "language": "de",
        "languages": ["de", "en"],
        "weekdays": ["1", "3"],
        "evening": "on",
        "consent": "on",
        **overrides,
    }


def confirmation_link() -> str:
    body = every(OutgoingMail).select_related("content").get(kind="system").body_text
    return re.search(r"https?://\S+/volunteer/confirm/\S+/", body)[0].split("://", 1)[1].split("/", 1)[1]


def sign_up(client, centre, **overrides):
    """The sign-up page, then the worker's half (it decides what to store and mail)."""
    response = client.post(f"/centres/{centre.slug}/volunteer/", signup_data(**overrides))
    handle_mail_requests()
    return response


def test_signing_up_sends_a_confirmation_and_the_answer_never_tells_if_known(client, centre_a):
    first = sign_up(client, centre_a)
    again = sign_up(client, centre_a)
    assert first.status_code == again.status_code == 200
    assert without_csrf(first) == without_csrf(again)
    volunteer = every(Volunteer).get()
    assert (volunteer.status, volunteer.email_confirmed_at, volunteer.weekdays) == ("applicant", None, [1, 3])
    assert every(OutgoingMail).filter(recipient="vera@example.net").count() == 2  # the link again


def test_the_confirmation_get_only_asks_and_the_post_confirms_with_consent(client, centre_a):
    sign_up(client, centre_a)
    link = "/" + confirmation_link()
    assert client.get(link).status_code == 200
    assert every(Volunteer).get().email_confirmed_at is None
    assert client.post(link).status_code == 200
    volunteer = every(Volunteer).get()
    assert volunteer.email_confirmed_at is not None
    consent = every(ConsentRecord).get(person=volunteer.person)
    assert (consent.purpose, consent.text_version, consent.source) == (
        "volunteering",
        CONSENT_TEXT_VERSION,
        "confirmation_link",
    )
    # A confirmed volunteer signing up again gets no mail, and the same answer.
    before = every(OutgoingMail).count()
    sign_up(client, centre_a)
    assert every(OutgoingMail).count() == before


def test_a_forged_confirmation_link_is_refused(client):
    assert client.post("/volunteer/confirm/not-a-token/").status_code == 404


def test_the_honeypot_stores_nothing_but_answers_the_same(client, centre_a):
    response = client.post(f"/centres/{centre_a.slug}/volunteer/", signup_data(website="http://spam.example"))
    assert response.status_code == 200
    assert not every(Volunteer).exists()
    assert b"check your inbox" in response.content.lower()


def test_sign_ups_are_rate_limited_per_address(client, centre_a, settings):
    for n in range(10):
        client.post(f"/centres/{centre_a.slug}/volunteer/", signup_data(email=f"v{n}@example.net"))
    response = client.post(f"/centres/{centre_a.slug}/volunteer/", signup_data(email="late@example.net"))
    assert response.status_code == 429
    assert not every(Volunteer).filter(person__email="late@example.net").exists()


def test_a_sign_up_without_a_time_of_day_names_the_problem(client, centre_a):
    response = client.post(f"/centres/{centre_a.slug}/volunteer/", signup_data(evening=""))
    assert response.status_code == 200
    assert "Tick the daytime, the evening or both." in response.content.decode()
    assert not every(Volunteer).exists()
