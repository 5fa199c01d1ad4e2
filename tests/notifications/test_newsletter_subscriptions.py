"""Newsletter subscriptions: double opt-in, one-click unsubscribe (RFC 8058), preferences."""

import re

import pytest
from django.test import Client

from centres.models import ConsentRecord, Person
from notifications.models import IssueChunk, NewsletterIssue, NewsletterList, OutgoingMail, Subscription
from notifications.selectors import confirmed_subscribers_between, subscriber_from_token
from notifications.services.newsletter_issues import issue_chunk_queue, issue_queue, issue_schedule
from notifications.services.newsletters import CONSENT_TEXT_VERSION, preferences_url, unsubscribe_url
from tests.factories import every, handle_mail_requests

pytestmark = pytest.mark.django_db


@pytest.fixture
def news(centre_a):
    return every(NewsletterList).create(centre=centre_a, name="Rundbrief")


def subscribe(client, news, email="neu@example.net", **extra):
    """The subscribe page, then the worker's half (it decides what to store and mail)."""
    response = client.post(
        "/centres/centre-a/newsletter/", {"email": email, "language": "de", "newsletters": [news.pk], **extra}
    )
    handle_mail_requests()
    return response


def confirmation_link(email="neu@example.net") -> str:
    body = every(OutgoingMail).get(kind="newsletter_confirmation", recipient=email).body_text
    url = re.search(r"http://\S+/newsletter/confirm/\S+/", body).group(0)
    return url[url.index("/newsletter/") :]


def test_subscribing_stores_a_pending_subscription_and_mails_a_confirmation_link(client, news):
    response = subscribe(client, news)
    assert "Please check your inbox" in response.content.decode()
    subscription = every(Subscription).get()
    assert (subscription.status, subscription.person.email) == ("pending", "neu@example.net")
    assert "/newsletter/confirm/" in confirmation_link()


def test_the_answer_is_the_same_for_known_and_unknown_addresses(client, news, person_a):
    known = subscribe(client, news, email=person_a.email).content.decode()
    unknown = subscribe(client, news, email="nobody@example.net").content.decode()
    strip = lambda page: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)  # noqa: E731
    assert strip(known) == strip(unknown)


def test_a_get_on_the_confirmation_link_only_asks(client, news):
    subscribe(client, news)
    page = client.get(confirmation_link()).content.decode()
    assert "Yes, subscribe me" in page
    assert every(Subscription).get().status == "pending"  # a link scanner subscribes nobody


def test_confirming_subscribes_and_records_the_consent(client, news):
    subscribe(client, news)
    page = client.post(confirmation_link())
    assert "you are subscribed" in page.content.decode()
    subscription = every(Subscription).get()
    consent = every(ConsentRecord).get(person=subscription.person, purpose="newsletter")
    assert (subscription.status, consent.source, consent.text_version) == (
        "confirmed",
        "confirmation_link",
        CONSENT_TEXT_VERSION,
    )
    assert consent.given_at.microsecond is not None


def test_an_unconfirmed_subscriber_is_never_mailed_an_issue(client, news, unscoped):
    subscribe(client, news)
    issue = every(NewsletterIssue).create(centre=news.centre, newsletter=news, title="Ausgabe")
    issue.texts.create(language="de", subject="Neues", body="Text")
    issue_schedule(issue=issue)
    issue_queue(issue=issue)
    assert [issue_chunk_queue(chunk.pk) for chunk in every(IssueChunk).filter(issue=issue)] == []
    assert not every(OutgoingMail).filter(newsletter_issue=issue).exists()
    assert every(OutgoingMail).filter(kind="newsletter_confirmation").count() == 1


def test_an_already_confirmed_address_gets_no_second_confirmation_mail(client, news):
    subscribe(client, news)
    client.post(confirmation_link())
    subscribe(client, news)
    assert every(OutgoingMail).filter(kind="newsletter_confirmation").count() == 1


def test_an_expired_or_forged_confirmation_link_does_nothing(client, news, monkeypatch):
    import time

    from django.core import signing

    subscribe(client, news)
    link = confirmation_link()
    assert client.get(link.replace("/confirm/", "/confirm/x")).status_code == 404
    later = time.time() + 8 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert client.get(link).status_code == 404
    assert every(Subscription).get().status == "pending"


def test_the_honeypot_subscribes_nobody(client, news):
    response = subscribe(client, news, website="http://spam.example")
    assert "Please check your inbox" in response.content.decode()
    assert not every(Subscription).exists()


@pytest.fixture
def subscriber(client, news):
    subscribe(client, news)
    client.post(confirmation_link())
    return every(Person).get(email="neu@example.net")


def test_list_unsubscribe_headers_follow_rfc_8058(subscriber, news, settings, unscoped):
    settings.SITE_URL = "https://kontakt.example.org"
    issue = every(NewsletterIssue).create(centre=news.centre, newsletter=news, title="Ausgabe")
    issue.texts.create(language="de", subject="Neues", body="Text")
    issue_schedule(issue=issue)
    assert issue_queue(issue=issue) == 1
    assert len(issue_chunk_queue(every(IssueChunk).get(issue=issue).pk)) == 1
    headers = every(OutgoingMail).select_related("content").get(newsletter_issue=issue).headers
    found = re.fullmatch(r"<https://kontakt\.example\.org/newsletter/unsubscribe/(\S+)/>", headers["List-Unsubscribe"])
    assert found
    assert subscriber_from_token(found[1]) == subscriber
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def unsubscribe_path(person) -> str:
    url = unsubscribe_url(person)
    return url[url.index("/newsletter/") :]


def test_a_get_on_the_unsubscribe_link_only_asks(client, subscriber):
    page = client.get(unsubscribe_path(subscriber)).content.decode()
    assert "Yes, unsubscribe me" in page
    assert every(Subscription).get().status == "confirmed"


def test_a_cookieless_one_click_post_unsubscribes_at_once(subscriber, unscoped):
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        unsubscribe_path(subscriber), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert every(Subscription).get().status == "unsubscribed"
    consent = every(ConsentRecord).get(person=subscriber, purpose="newsletter")
    assert consent.withdrawn_at is not None
    newsletter = every(Subscription).get().newsletter
    assert confirmed_subscribers_between(newsletter.pk, 0, 10**12) == []


def test_preferences_leave_one_newsletter_and_keep_another(client, subscriber, centre_a, news):
    other = every(NewsletterList).create(centre=centre_a, name="Ehrenamt")
    every(Subscription).create(centre=centre_a, newsletter=other, person=subscriber, status="confirmed")
    url = preferences_url(subscriber)
    path = url[url.index("/newsletter/") :]
    client.post(path, {"keep": [str(other.pk)]})
    statuses = dict(every(Subscription).filter(person=subscriber).values_list("newsletter__name", "status"))
    assert statuses == {"Rundbrief": "unsubscribed", "Ehrenamt": "confirmed"}


def test_an_overlong_address_is_a_form_error_not_a_500(client, news):
    email = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".org"
    response = subscribe(client, news, email=email)
    assert response.status_code == 200
    assert not every(Subscription).exists()


def test_subscriptions_are_limited_per_client_address_and_the_limited_ones_change_nothing(client, news):
    answers = [subscribe(client, news, email=f"flood{n}@example.net").status_code for n in range(12)]
    assert answers[:10] == [200] * 10
    assert answers[10:] == [429, 429]
    assert not every(Person).filter(email__in=["flood10@example.net", "flood11@example.net"]).exists()
    assert "Too many requests" in subscribe(client, news, email="late@example.net").content.decode()
