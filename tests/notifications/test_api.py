"""The newsletter and outbox endpoints: a coordinator's flow, isolation, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import MailContent, NewsletterIssue, NewsletterList, OutgoingMail, Subscription
from tests.factories import PersonFactory, every

pytestmark = pytest.mark.django_db


@pytest.fixture
def news_a(centre_a):
    newsletter = every(NewsletterList).create(centre=centre_a, name="Rundbrief")
    person = PersonFactory(centre=centre_a, email="leser@example.net")
    every(Subscription).create(centre=centre_a, newsletter=newsletter, person=person, status="confirmed")
    return newsletter


@pytest.fixture
def news_b(centre_b):
    return every(NewsletterList).create(centre=centre_b, name="Nyhedsbrev")


def test_write_preview_schedule_and_follow_an_issue(api_a, news_a):
    created = api_a.post(
        "/api/v1/newsletter-issues/",
        {
            "newsletter": news_a.pk,
            "title": "Dezember",
            "texts": [{"language": "de", "subject": "Hallo", "body": "**Neu**"}],
        },
    )
    assert created.status_code == 201
    issue_id = created.json()["id"]
    preview = api_a.get(f"/api/v1/newsletter-issues/{issue_id}/preview/").json()
    assert "<strong>Neu</strong>" in preview[0]["html"]
    scheduled = api_a.post(f"/api/v1/newsletter-issues/{issue_id}/schedule/", {})
    assert scheduled.json()["status"] == "scheduled"
    paused = api_a.post(f"/api/v1/newsletter-issues/{issue_id}/pause/")
    assert paused.json()["status"] == "paused"
    assert api_a.post(f"/api/v1/newsletter-issues/{issue_id}/pause/").status_code == 409
    assert api_a.post(f"/api/v1/newsletter-issues/{issue_id}/resume/").json()["status"] == "scheduled"
    figures = api_a.get(f"/api/v1/newsletter-issues/{issue_id}/figures/").json()
    assert figures == {
        "queued": 0,
        "sent": 0,
        "failed": 0,
        "suppressed": 0,
        "delivered": 0,
        "bounced": 0,
        "complained": 0,
        "unsubscribed": 0,
    }


def test_two_texts_in_one_language_are_a_400(api_a, news_a):
    response = api_a.post(
        "/api/v1/newsletter-issues/",
        {
            "newsletter": news_a.pk,
            "title": "x",
            "texts": [{"language": "de", "subject": "a", "body": "a"}, {"language": "de", "subject": "b", "body": "b"}],
        },
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"texts": ["Give each language once."]}


def test_another_centres_newsletters_are_out_of_reach(api_a, news_a, news_b):
    assert [item["name"] for item in api_a.get("/api/v1/newsletters/").json()["results"]] == ["Rundbrief"]
    assert api_a.get(f"/api/v1/newsletters/{news_b.pk}/").status_code == 404
    response = api_a.post(
        "/api/v1/newsletter-issues/",
        {"newsletter": news_b.pk, "title": "x", "texts": [{"language": "da", "subject": "a", "body": "a"}]},
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["newsletter"]
    assert not every(NewsletterIssue).exists()


def test_the_outbox_shows_only_the_own_centre(api_a, centre_a, centre_b, unscoped):
    from notifications.services.outbox import mail_queue

    for centre in (centre_a, centre_b):
        mail_queue(
            centre=centre,
            kind="system",
            obj="x",
            recipient=f"{centre.slug}@example.net",
            language="de",
            template="meetings/mail/change_notice",
            context={"meetings": [], "all_cancelled": True, "centre": centre},
        )
    assert [item["recipient"] for item in api_a.get("/api/v1/outbox/").json()["results"]] == ["centre-a@example.net"]


@pytest.mark.parametrize("url", ["/api/v1/newsletters/", "/api/v1/newsletter-issues/", "/api/v1/outbox/"])
def test_list_endpoints_use_the_same_number_of_queries_for_1_and_3_items(api_a, centre_a, url):
    def make(n):
        newsletter = every(NewsletterList).create(centre=centre_a, name=f"Liste {n}")
        issue = every(NewsletterIssue).create(centre=centre_a, newsletter=newsletter, title=f"Ausgabe {n}")
        issue.texts.create(language="de", subject="s", body="b")
        content = every(MailContent).create(
            centre=centre_a, language="de", from_email="x@example.net", subject="s", body_text="b"
        )
        every(OutgoingMail).create(
            centre=centre_a,
            kind="system",
            idempotency_key=f"k{n}",
            recipient="a@example.net",
            language="de",
            content=content,
        )

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api_a.get(url).status_code == 200
        return len(queries)

    make(1)
    one = count()
    make(2)
    make(3)
    assert count() == one
