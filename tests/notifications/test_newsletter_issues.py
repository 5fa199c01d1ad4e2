"""Newsletter issues: confirmed subscribers only, each once, in their language, RFC 8058 headers."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from notifications import tasks
from notifications.models import (
    IssueChunk,
    NewsletterIssue,
    NewsletterIssueText,
    NewsletterList,
    OutgoingMail,
    Subscription,
)
from notifications.selectors import issue_figures
from notifications.services import newsletter_issues
from notifications.services.newsletter_issues import (
    issue_chunk_queue,
    issue_pause,
    issue_render,
    issue_resume,
    issue_schedule,
    issue_test_send,
    issues_send_due,
)
from notifications.services.sending import mails_send, mails_send_claimed
from tests.factories import PersonFactory, every

# The tests call the outbox and newsletter services themselves, as set-up code would.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


@pytest.fixture
def news(centre_a):
    newsletter = every(NewsletterList).create(centre=centre_a, name="Rundbrief")
    for n in range(5):
        person = PersonFactory(centre=centre_a, email=f"leser{n}@example.net", language="da" if n == 4 else "de")
        every(Subscription).create(centre=centre_a, newsletter=newsletter, person=person, status="confirmed")
    waiting = PersonFactory(centre=centre_a, email="wartet@example.net")
    every(Subscription).create(centre=centre_a, newsletter=newsletter, person=waiting, status="pending")
    gone = PersonFactory(centre=centre_a, email="weg@example.net")
    every(Subscription).create(centre=centre_a, newsletter=newsletter, person=gone, status="unsubscribed")
    return newsletter


@pytest.fixture
def issue(news, centre_a):
    issue = every(NewsletterIssue).create(centre=centre_a, newsletter=news, title="Dezember")
    NewsletterIssueText.objects.create(
        issue=issue,
        language="de",
        subject="Neues aus der Kontaktstelle",
        body="# Hallo\n\nEin **neuer** Gesprächskreis.<script>alert(1)</script> <img src=x onerror=alert(1)>",
    )
    NewsletterIssueText.objects.create(issue=issue, language="da", subject="Nyt fra centret", body="Hej!")
    return issue


def run_chunk_tasks() -> int:
    """What the workers do with the queued chunk tasks (make the rows and send them); returns
    how many rows they made."""
    return sum(tasks.queue_issue_chunk.run(pk)["made"] for pk in every(IssueChunk).values_list("pk", flat=True))


def test_an_issue_goes_to_each_confirmed_subscriber_once_in_their_language(issue, fake_esp):
    issue_schedule(issue=issue)
    assert issues_send_due() == 1  # one chunk task
    assert run_chunk_tasks() == 5
    assert run_chunk_tasks() == 0
    assert issues_send_due() == 0
    mails_send(list(every(OutgoingMail).values_list("pk", flat=True)))
    subjects = {message["To"]: message["Subject"] for message in fake_esp.accepted}
    assert sorted(subjects) == [f"leser{n}@example.net" for n in range(5)]
    assert subjects["leser4@example.net"] == "Nyt fra centret"
    assert subjects["leser0@example.net"] == "Neues aus der Kontaktstelle"
    issue.refresh_from_db()
    assert issue.status == "sent"
    assert issue_figures(issue)["sent"] == 5


def test_every_issue_mail_carries_one_click_unsubscribe_headers(issue, fake_esp):
    issue_schedule(issue=issue)
    issues_send_due()
    run_chunk_tasks()
    mails_send(list(every(OutgoingMail).values_list("pk", flat=True)))
    headers = {header["Name"]: header["Value"] for header in fake_esp.accepted[0]["Headers"]}
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Unsubscribe"].startswith("<http")
    assert headers["List-Unsubscribe"].strip("<>") in fake_esp.accepted[0]["TextBody"]


def test_markdown_is_rendered_and_sanitised(issue):
    mail = issue_render(issue, issue.texts.get(language="de"))
    assert "<strong>neuer</strong>" in mail.html
    assert "<script" not in mail.html
    assert "onerror" not in mail.html


def test_a_scheduled_issue_waits_for_its_time(issue):
    issue_schedule(issue=issue, at=timezone.now() + timedelta(hours=2))
    assert issues_send_due() == 0
    assert issues_send_due(now=timezone.now() + timedelta(hours=3)) == 1
    assert run_chunk_tasks() == 5


def test_a_chunk_whose_task_was_lost_is_queued_again(issue):
    issue_schedule(issue=issue)
    assert issues_send_due() == 1
    assert issues_send_due() == 0  # queued a moment ago: not again yet
    later = timezone.now() + timedelta(seconds=settings.OUTBOX_STUCK_AFTER_SECONDS + 60)
    assert issues_send_due(now=later) == 1
    assert run_chunk_tasks() == 5
    issue.refresh_from_db()
    assert issue.status == "sending"
    issues_send_due()
    issue.refresh_from_db()
    assert issue.status == "sent"


def test_pausing_stops_between_chunks_and_resuming_finishes_without_repeats(issue, monkeypatch):
    monkeypatch.setattr(newsletter_issues, "CHUNK", 2)
    issue_schedule(issue=issue)
    assert issues_send_due() == 3
    first, *others = every(IssueChunk).order_by("after_id").values_list("pk", flat=True)
    assert len(issue_chunk_queue(first)) == 2
    issue_pause(issue=issue)
    assert [issue_chunk_queue(pk) for pk in others] == [[], []]  # they wait
    assert issues_send_due() == 0
    issue_resume(issue=issue)
    assert issues_send_due() == 2  # at once, not after the lost-task timeout
    assert run_chunk_tasks() == 3
    assert every(OutgoingMail).filter(newsletter_issue=issue).count() == 5
    assert issues_send_due() == 0
    issue.refresh_from_db()
    assert issue.status == "sent"


def test_a_test_send_goes_only_to_the_given_address(issue, fake_esp):
    mail = issue_test_send(issue=issue, email="koordination@example.org")
    mails_send([mail.pk])
    assert fake_esp.recipients() == ["koordination@example.org"]
    # Marked, so it is never taken for the real send (whose subject is unmarked, above).
    assert fake_esp.accepted[0]["Subject"] == "[Test] Neues aus der Kontaktstelle"


def test_an_issue_without_text_cannot_be_scheduled(news, centre_a):
    from config.errors import DomainError

    empty = every(NewsletterIssue).create(centre=centre_a, newsletter=news, title="Leer")
    with pytest.raises(DomainError, match="at least one language"):
        issue_schedule(issue=empty)


def test_someone_who_unsubscribes_after_the_rows_are_made_gets_no_issue(issue, fake_esp):
    from notifications.services.newsletters import subscriptions_end

    issue_schedule(issue=issue)
    issues_send_due()
    mail_ids = issue_chunk_queue(every(IssueChunk).get().pk)
    leaving = every(Subscription).select_related("person").get(person__email="leser0@example.net")
    subscriptions_end(person=leaving.person)
    assert mails_send_claimed(mail_ids).sent == 4
    assert "leser0@example.net" not in fake_esp.recipients()
    assert every(OutgoingMail).get(recipient="leser0@example.net").status == "suppressed"


def test_the_workspace_names_the_recipients_before_a_send_and_starts_it_on_the_click(
    client, coordinator_a, issue, centre_a, django_capture_on_commit_callbacks
):
    client.force_login(coordinator_a)
    url = f"/centres/{centre_a.slug}/workspace/newsletters/{issue.pk}/schedule/"
    asked = client.post(url, {"when-at": ""})
    assert "“Dezember” goes to 5 confirmed subscribers now." in asked.content.decode()
    assert "Yes, send to 5 subscribers" in asked.content.decode()
    issue.refresh_from_db()
    assert (issue.status, every(IssueChunk).count()) == ("draft", 0)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        sent = client.post(url, {"when-at": "", "confirm": "yes"})
    issue.refresh_from_db()
    # Started on the click: rendered, cut into chunks, and the chunks' tasks queued on commit.
    assert (issue.status, issue.started_at is not None) == ("sending", True)
    assert every(IssueChunk).filter(queued_at__isnull=False).count() == every(IssueChunk).count() == 1
    assert len(queued) == 1
    assert "Sending has started." in client.get(sent.url).content.decode()


def test_a_send_at_a_later_time_is_scheduled_not_started(client, coordinator_a, issue, centre_a):
    client.force_login(coordinator_a)
    url = f"/centres/{centre_a.slug}/workspace/newsletters/{issue.pk}/schedule/"
    later = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    client.post(url, {"when-at": later, "confirm": "yes"})
    issue.refresh_from_db()
    assert (issue.status, issue.started_at, every(IssueChunk).count()) == ("scheduled", None, 0)
