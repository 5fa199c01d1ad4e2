"""Newsletter issues: write in Markdown per language, preview, test-send, schedule, pause,
resume, and send to every confirmed subscriber once, streaming them in chunks."""

from collections import Counter
from datetime import datetime

import markdown
import nh3
from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config.errors import ConflictError, DomainError
from notifications.member_links import link_url
from notifications.models import NewsletterIssue, NewsletterIssueText, OutgoingMail, merge_field
from notifications.newsletters import confirmed_subscriber_chunks, subscriber_token_for
from notifications.services import (
    NewMail,
    RenderedMail,
    idempotency_key,
    mail_content_create,
    mail_queue,
    mails_queue_bulk,
)

CHUNK = 1000


def issue_render(issue: NewsletterIssue, text: NewsletterIssueText) -> RenderedMail:
    """HTML from the Markdown body, sanitised (no scripts, no tracking pixels' attributes), and
    the Markdown itself as the text part; with a footer linking to preferences and unsubscribe."""
    html_body = nh3.clean(markdown.markdown(text.body, extensions=["extra"]), link_rel="noopener noreferrer")
    context = {
        "issue": issue,
        "centre": issue.centre,
        "body_html": html_body,
        "body_text": text.body,
        "unsubscribe_url": merge_field("unsubscribe_url"),
        "preferences_url": merge_field("preferences_url"),
    }
    with translation.override(text.language):
        html = render_to_string("notifications/newsletter/issue_body.html", context)
        plain = render_to_string("notifications/newsletter/issue_body.txt", context).strip() + "\n"
    return RenderedMail(subject=text.subject, text=plain, html=html)


def _text_for(issue: NewsletterIssue, language: str, texts: dict[str, NewsletterIssueText]) -> NewsletterIssueText:
    return texts.get(language) or texts.get(issue.centre.default_language) or next(iter(texts.values()))


def _texts(issue: NewsletterIssue) -> dict[str, NewsletterIssueText]:
    texts = {text.language: text for text in NewsletterIssueText.objects.filter(issue=issue)}
    if not texts:
        raise DomainError(_("Write the issue in at least one language first."), field="texts")
    return texts


def issue_test_send(*, issue: NewsletterIssue, email: str, language: str | None = None) -> OutgoingMail | None:
    """Send the issue to one address (the coordinator's own) to see it as subscribers will."""
    texts = _texts(issue)
    text = _text_for(issue, language or issue.centre.default_language, texts)
    site = settings.SITE_URL.rstrip("/") + "/"
    return mail_queue(
        centre=issue.centre,
        kind=OutgoingMail.Kind.NEWSLETTER,
        obj=f"issue-{issue.pk}-test-{timezone.now():%Y%m%d%H%M%S%f}",
        recipient=email,
        language=text.language,
        template="newsletter",
        context={"rendered": issue_render(issue, text)},
        # A test mail has no subscriber: its footer links lead to the site.
        merge_data={"unsubscribe_url": site, "preferences_url": site},
    )


@transaction.atomic
def issue_schedule(*, issue: NewsletterIssue, at: datetime | None = None) -> NewsletterIssue:
    """Send the issue at `at` (default: now, with the next run of the sending job)."""
    issue = NewsletterIssue.all_centres.select_for_update().get(pk=issue.pk)
    if issue.status not in (NewsletterIssue.Status.DRAFT, NewsletterIssue.Status.SCHEDULED):
        raise ConflictError(_("Only a draft can be scheduled."))
    _texts(issue)
    issue.status, issue.scheduled_at = NewsletterIssue.Status.SCHEDULED, at or timezone.now()
    issue.save(update_fields=["status", "scheduled_at"])
    return issue


@transaction.atomic
def issue_pause(*, issue: NewsletterIssue) -> NewsletterIssue:
    issue = NewsletterIssue.all_centres.select_for_update().get(pk=issue.pk)
    if issue.status not in (NewsletterIssue.Status.SCHEDULED, NewsletterIssue.Status.SENDING):
        raise ConflictError(_("Only a scheduled or sending issue can be paused."))
    issue.status = NewsletterIssue.Status.PAUSED
    issue.save(update_fields=["status"])
    return issue


@transaction.atomic
def issue_resume(*, issue: NewsletterIssue) -> NewsletterIssue:
    issue = NewsletterIssue.all_centres.select_for_update().get(pk=issue.pk)
    if issue.status != NewsletterIssue.Status.PAUSED:
        raise ConflictError(_("Only a paused issue can be resumed."))
    issue.status = NewsletterIssue.Status.SENDING if issue.started_at else NewsletterIssue.Status.SCHEDULED
    issue.save(update_fields=["status"])
    return issue


def issue_queue(*, issue: NewsletterIssue) -> int:
    """Create the outbox rows of an issue: one per confirmed subscriber, streamed in chunks, each
    with its own unsubscribe link and RFC 8058 headers. Resumable and idempotent: rows already
    made are skipped, and a pause stops it between chunks. Returns how many rows it made."""
    with transaction.atomic():
        issue = NewsletterIssue.all_centres.select_for_update().select_related("centre").get(pk=issue.pk)
        if issue.status not in (NewsletterIssue.Status.SCHEDULED, NewsletterIssue.Status.SENDING):
            return 0
        issue.status = NewsletterIssue.Status.SENDING
        issue.started_at = issue.started_at or timezone.now()
        issue.save(update_fields=["status", "started_at"])
    texts = _texts(issue)
    contents = {
        language: mail_content_create(
            centre=issue.centre,
            language=language,
            rendered=issue_render(issue, text),
            headers=LIST_UNSUBSCRIBE_HEADERS,
        ).pk
        for language, text in texts.items()
    }
    made = 0
    for chunk in confirmed_subscriber_chunks(issue.newsletter, size=CHUNK):
        made += _queue_chunk(issue, chunk, texts, contents)
        if NewsletterIssue.all_centres.filter(pk=issue.pk, status=NewsletterIssue.Status.PAUSED).exists():
            return made
    NewsletterIssue.all_centres.filter(pk=issue.pk, status=NewsletterIssue.Status.SENDING).update(
        status=NewsletterIssue.Status.SENT, finished_at=timezone.now()
    )
    return made


# RFC 8058 one-click unsubscribe: each recipient's own HTTPS URL, which a POST alone unsubscribes.
LIST_UNSUBSCRIBE_HEADERS = {
    "List-Unsubscribe": f"<{merge_field('unsubscribe_url')}>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
}


def _queue_chunk(issue, subscribers, texts, contents) -> int:
    """Rows for one chunk of subscribers: (person id, e-mail, language) each."""
    rows = []
    for person_id, email, person_language in subscribers:
        language = _text_for(issue, person_language, texts).language
        token = subscriber_token_for(person_id)
        rows.append(
            NewMail(
                centre_id=issue.centre_id,
                kind=OutgoingMail.Kind.NEWSLETTER,
                key=idempotency_key("newsletter", f"issue-{issue.pk}", email),
                newsletter_issue_id=issue.pk,
                person_id=person_id,
                recipient=email,
                language=language,
                content_id=contents[language],
                merge_data={
                    "unsubscribe_url": link_url("newsletter-unsubscribe", token),
                    "preferences_url": link_url("newsletter-preferences", token),
                },
            )
        )
    return mails_queue_bulk(rows)


def issues_send_due(*, now: datetime | None = None) -> int:
    """Periodic: start (or continue) every issue whose time has come. Returns rows made."""
    now = now or timezone.now()
    due = NewsletterIssue.all_centres.filter(
        status__in=[NewsletterIssue.Status.SCHEDULED, NewsletterIssue.Status.SENDING], scheduled_at__lte=now
    )
    return sum(issue_queue(issue=issue) for issue in due)


def issue_figures(issue: NewsletterIssue) -> dict[str, int]:
    """Progress and outcome for coordinators: counts only."""
    statuses = Counter(OutgoingMail.all_centres.filter(newsletter_issue=issue).values_list("status", flat=True))
    deliveries = Counter(OutgoingMail.all_centres.filter(newsletter_issue=issue).values_list("delivery", flat=True))
    return {
        "queued": statuses["queued"] + statuses["sending"],
        "sent": statuses["sent"],
        "failed": statuses["failed"],
        "suppressed": statuses["suppressed"],
        "delivered": deliveries["delivered"],
        "bounced": deliveries["bounced"],
        "complained": deliveries["complained"],
        "unsubscribed": deliveries["unsubscribed"],
    }
