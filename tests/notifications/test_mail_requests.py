"""Requests from public pages (sign-up, subscription) go through a stored `MailRequest`: the page
does the same work for any address, a lost task loses nothing, and the confirmation mails they
lead to are sensitive: no staff view of the outbox shows their links."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from centres.models import ConsentRecord
from notifications.models import MailRequest, NewsletterList, OutgoingMail, Subscription
from notifications.services.mail_requests import MAX_ATTEMPTS, mail_request_handle, mail_requests_requeue
from notifications.services.outbox import outbox_flush
from tests.factories import PersonFactory, eager_tasks, every, handle_mail_requests
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db

HIDDEN = "[hidden: this mail holds a personal link]"


@pytest.fixture
def news(centre_a):
    return every(NewsletterList).create(centre=centre_a, name="Rundbrief")


def subscribe_page(client, news, email):
    return client.post("/centres/centre-a/newsletter/", {"email": email, "language": "de", "newsletters": [news.pk]})


def signup_page(client, centre, email):
    data = {"name": "Vera Volunteer", "email": email, "language": "de", "languages": ["de"], "weekdays": ["1"],
            "evening": "on", "consent": "on"}  # fmt: skip
    return client.post(f"/centres/{centre.slug}/volunteer/", data)


def without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def cost(post) -> tuple:
    """What the page does for one address: its answer, its queries and the work it queues."""
    with CaptureQueriesContext(connection) as queries, TestCase.captureOnCommitCallbacks() as queued:
        response = post()
    return response.status_code, without_csrf(response), len(queries), len(queued)


# --- the same work for a known and an unknown address ---------------------------------------------


def test_subscribing_costs_the_same_for_a_subscribed_and_an_unknown_address(client, news, centre_a):
    known = PersonFactory(centre=centre_a, email="known@example.net")
    every(Subscription).create(centre=centre_a, newsletter=news, person=known, status="confirmed")
    for_known = cost(lambda: subscribe_page(client, news, "known@example.net"))
    for_unknown = cost(lambda: subscribe_page(client, news, "nobody@example.net"))
    assert for_known == for_unknown
    assert for_known[3] == 1  # one queued task, for both
    # Both wait as one stored request each; nothing is decided in the page.
    assert every(MailRequest).filter(kind="newsletter_subscription").count() == 2
    assert not every(OutgoingMail).exists()


def test_signing_up_costs_the_same_for_a_volunteer_and_an_unknown_address(client, centre_a):
    known = PersonFactory(centre=centre_a, email="known@example.net")
    every(Volunteer).create(centre=centre_a, person=known, email_confirmed_at=timezone.now())
    for_known = cost(lambda: signup_page(client, centre_a, "known@example.net"))
    for_unknown = cost(lambda: signup_page(client, centre_a, "nobody@example.net"))
    assert for_known == for_unknown
    assert for_known[3] == 1
    assert every(Volunteer).count() == 1  # the worker has not run yet


def test_the_worker_decides_what_each_request_leads_to(client, news, centre_a):
    known = PersonFactory(centre=centre_a, email="known@example.net")
    every(Subscription).create(centre=centre_a, newsletter=news, person=known, status="confirmed")
    subscribe_page(client, news, "known@example.net")
    subscribe_page(client, news, "new@example.net")
    assert handle_mail_requests() == 2
    # The subscribed address gets no second confirmation; the new one gets its link.
    assert list(every(OutgoingMail).values_list("recipient", "kind")) == [
        ("new@example.net", "newsletter_confirmation")
    ]
    assert not every(MailRequest).exists()


# --- nothing is lost with a task ------------------------------------------------------------------


def test_a_sign_up_whose_task_was_lost_is_mailed_by_the_flush_once(client, centre_a, unscoped):
    with TestCase.captureOnCommitCallbacks() as dropped:  # the broker lost the task
        signup_page(client, centre_a, "vera@example.net")
    assert len(dropped) == 1
    assert mail.outbox == []
    with eager_tasks(), TestCase.captureOnCommitCallbacks(execute=True):
        outbox_flush(older_than=timedelta(0))
    assert [message.to for message in mail.outbox] == [["vera@example.net"]]
    # The lost task turns up after all, and the flush runs again: still one mail.
    with eager_tasks(), TestCase.captureOnCommitCallbacks(execute=True):
        for callback in dropped:
            callback()
        outbox_flush(older_than=timedelta(0))
    assert len(mail.outbox) == 1
    assert every(Volunteer).get().person.email == "vera@example.net"


def test_a_request_that_fails_is_kept_with_its_error_and_tried_again(centre_a, unscoped):
    # A payload the handler cannot use (a defect, not the visitor's input) fails the same each time.
    request = every(MailRequest).create(kind="password_reset", payload={"user_ids": "not ids"})
    assert mail_request_handle(request_id=request.pk) is False
    request.refresh_from_db()
    assert (request.attempts, request.last_error) == (1, "ValueError")
    every(MailRequest).filter(pk=request.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert mail_requests_requeue() == 1
    # After MAX_ATTEMPTS it waits for a person, and the flush stops queuing it.
    every(MailRequest).filter(pk=request.pk).update(attempts=MAX_ATTEMPTS)
    assert mail_requests_requeue() == 0
    assert mail_request_handle(request_id=request.pk) is False


# --- confirmation links are as secret as login links ----------------------------------------------


@pytest.fixture
def confirmation_mails(client, news, centre_a):
    """A newsletter and a volunteer confirmation, each with its link; returns the links' tokens."""
    subscribe_page(client, news, "neu@example.net")
    signup_page(client, centre_a, "vera@example.net")
    handle_mail_requests()
    tokens = []
    for row in every(OutgoingMail).select_related("content").order_by("pk"):
        tokens.append(re.search(r"/(?:newsletter|volunteer)/confirm/([^/\s]+)/", row.body_text)[1])
    assert len(tokens) == 2
    return tokens


def test_staff_never_see_a_confirmation_link(client, confirmation_mails, centre_a, coordinator_a, api_a):
    assert set(every(OutgoingMail).values_list("sensitive", flat=True)) == {True}
    client.force_login(coordinator_a)
    pages = [client.get(f"/centres/{centre_a.slug}/outbox/").content.decode()]
    pages += [
        client.get(f"/admin/notifications/outgoingmail/{pk}/change/").content.decode()
        for pk in every(OutgoingMail).values_list("pk", flat=True)
    ]
    pages.append(client.get("/admin/notifications/outgoingmail/").content.decode())
    # Nor does a search by the address tell that a sensitive mail went to it.
    searched = client.get("/admin/notifications/outgoingmail/", {"q": "neu@example.net"}).content.decode()
    assert "0 results" in searched
    listed = api_a.get("/api/v1/outbox/").json()["results"]
    pages.append(str(listed))
    for shown in pages:
        assert HIDDEN in shown
        for token in confirmation_mails:
            assert token[:20] not in shown
    # What staff still see: kind, status and time.
    assert sorted((item["kind"], item["status"], item["recipient"], item["subject"]) for item in listed) == [
        ("newsletter_confirmation", "queued", HIDDEN, HIDDEN),
        ("system", "queued", HIDDEN, HIDDEN),
    ]


def test_staff_never_see_a_members_own_links_in_any_mail(client, centre_a, coordinator_a, unscoped):
    """Merge data is the recipient's own links (a member's page, an unsubscribe): they act in
    the member's name, so the outbox shows the mail without them."""
    from notifications.models import merge_field
    from notifications.services.outbox import mail_queue

    mail_queue(
        centre=centre_a,
        kind="reminder",
        obj="meeting-1",
        recipient="dora@example.net",
        language="de",
        template="volunteers/mail/volunteer_login_link",  # any template with a link in it
        context={"centre": centre_a, "login_url": merge_field("manage_url"), "minutes": 20},
        merge_data={"manage_url": "https://kontakt.example.org/m/dora-own-page-token/"},
    )
    client.force_login(coordinator_a)
    shown = client.get(f"/centres/{centre_a.slug}/outbox/").content.decode()
    assert "dora@example.net" in shown  # not a sensitive mail: recipient and text are shown
    assert "[a personal login link, hidden]" in shown
    assert "dora-own-page-token" not in shown


def test_a_confirmation_records_the_link_as_its_source(client, confirmation_mails):
    newsletter_token, volunteer_token = confirmation_mails
    client.post(f"/newsletter/confirm/{newsletter_token}/")
    client.post(f"/volunteer/confirm/{volunteer_token}/")
    assert sorted(every(ConsentRecord).values_list("purpose", "source")) == [
        ("newsletter", "confirmation_link"),
        ("volunteering", "confirmation_link"),
    ]


@pytest.mark.parametrize("source", ["confirmation_link", "web_form"])
def test_staff_cannot_record_a_consent_the_person_gives_themselves(api_a, person_a, source):
    response = api_a.post(
        "/api/v1/consents/", {"person": person_a.pk, "purpose": "newsletter", "text_version": "v1", "source": source}
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["source"] == [
        "Staff can record consent given by e-mail, by phone, in person or on paper. Consent through the web form "
        "or a confirmation link is recorded when the person gives it."
    ]
    assert not every(ConsentRecord).filter(person=person_a).exists()


@pytest.mark.django_db(transaction=True)
def test_a_redis_flush_loses_no_reset_and_no_login_link(requires_postgres, redis_url, client, fake_postmark):
    """As found in the trial: the reset and the login link are asked for, Redis is flushed before
    a worker takes their tasks, and a worker starts. The outbox flush queues them again; each
    mail goes out once, through the outbox."""
    import redis

    from centres.scoping import all_centres_scope
    from tests.factories import CentreFactory, UserFactory
    from tests.notifications.test_worker import start_worker, wait_ready, wait_until, worker_env

    user = UserFactory(username="leitung", email="leitung@example.org")
    user.set_password("an-old-passphrase")
    user.save()
    centre = CentreFactory(slug="centre-r")
    every(Volunteer).create(
        centre=centre, person=PersonFactory(centre=centre, email="vera@example.net"), email_confirmed_at=timezone.now()
    )
    broker = redis.Redis.from_url(redis_url)
    broker.flushdb()  # this test's own Redis database: nothing else of the run is in it
    assert client.post("/admin/password_reset/", {"email": "leitung@example.org"}).status_code == 302
    assert client.post("/volunteer/login/", {"way": "link", "link-email": "vera@example.net"}).status_code == 200
    assert broker.llen("mail") == 2  # the two tasks wait in Redis, in the lane of mail someone waits for
    broker.flushdb()  # ... and are lost
    assert every(MailRequest).count() == 2
    worker, lines = start_worker(worker_env(redis_url, fake_postmark.url))
    try:
        wait_ready(lines)
        with all_centres_scope():
            outbox_flush(older_than=timedelta(0))
        assert wait_until(lambda: fake_postmark.accepted_count == 2, 60), "".join(lines)
        with all_centres_scope():
            outbox_flush(older_than=timedelta(0))  # a second flush finds nothing to send
        assert not wait_until(lambda: fake_postmark.accepted_count > 2, 3)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert sorted(fake_postmark.recipients()) == ["leitung@example.org", "vera@example.net"]
    assert sorted(every(OutgoingMail).values_list("status", "sensitive")) == [("sent", True), ("sent", True)]
    assert not every(MailRequest).exists()
