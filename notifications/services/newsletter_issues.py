"""Newsletter issues: write in Markdown per language, preview, test-send, schedule, pause,
resume, and send to every confirmed subscriber once, streaming them in chunks."""

from datetime import datetime, timedelta

import markdown
import nh3
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config.errors import ConflictError, DomainError
from config.signed_links import link_url
from notifications.models import (
    IssueChunk,
    NewsletterIssue,
    NewsletterIssueText,
    NewsletterList,
    OutgoingMail,
    merge_field,
)
from notifications.selectors import confirmed_subscribers_between, subscription_boundaries
from notifications.services.newsletters import subscriber_tokens
from notifications.services.outbox import (
    NewMail,
    RenderedMail,
    idempotency_key,
    mail_content_create,
    mail_queue,
    mails_store_claimed,
)

# What an issue's HTML may hold: nh3's safe defaults without images, the one element that
# loads from elsewhere when a mail is opened (a tracking pixel). No attribute that loads
# anything (style, background, srcset, poster) is allowed either; links load only when clicked.
ISSUE_TAGS = nh3.ALLOWED_TAGS - {"img"}
ISSUE_ATTRIBUTES = {tag: names for tag, names in nh3.ALLOWED_ATTRIBUTES.items() if tag in ISSUE_TAGS}


def issue_html(markdown_text: str) -> str:
    """An issue's body as sanitised HTML: no scripts and nothing that loads from another server."""
    return nh3.clean(
        markdown.markdown(markdown_text, extensions=["extra"]),
        tags=ISSUE_TAGS,
        attributes=ISSUE_ATTRIBUTES,
        link_rel="noopener noreferrer",
    )


def issue_render(issue: NewsletterIssue, text: NewsletterIssueText) -> RenderedMail:
    """HTML from the Markdown body, sanitised (`issue_html`: no scripts, no remote images), and
    the Markdown itself as the text part; with a footer linking to preferences and unsubscribe."""
    html_body = issue_html(text.body)
    context = {
        "issue": issue,
        "centre": issue.centre,
        "body_html": html_body,
        "body_text": text.body,
        "language": text.language,
        "unsubscribe_url": merge_field("unsubscribe_url"),
        "preferences_url": merge_field("preferences_url"),
    }
    with translation.override(text.language):
        html = render_to_string("notifications/mail/newsletter/issue_body.html", context)
        plain = render_to_string("notifications/mail/newsletter/issue_body.txt", context).strip() + "\n"
    return RenderedMail(subject=text.subject, text=plain, html=html)


def _text_for(issue: NewsletterIssue, language: str, texts: dict[str, NewsletterIssueText]) -> NewsletterIssueText:
    return texts.get(language) or texts.get(issue.centre.default_language) or next(iter(texts.values()))


def _texts(issue: NewsletterIssue) -> dict[str, NewsletterIssueText]:
    texts = {text.language: text for text in NewsletterIssueText.objects.filter(issue=issue)}
    if not texts:
        raise DomainError(_("Write the issue in at least one language first."), field="texts")
    return texts


def issue_test_send(*, issue: NewsletterIssue, email: str, language: str | None = None) -> OutgoingMail | None:
    """Send the issue to one address (the coordinator's own) to see it as subscribers will,
    with "[Test]" before its subject."""
    texts = _texts(issue)
    text = _text_for(issue, language or issue.centre.default_language, texts)
    site = settings.SITE_URL.rstrip("/") + "/"
    return mail_queue(
        centre=issue.centre,
        kind=OutgoingMail.Kind.NEWSLETTER,
        obj=f"issue-{issue.pk}-test-{timezone.now():%Y%m%d%H%M%S%f}",
        recipient=email,
        language=text.language,
        template="notifications/mail/newsletter",
        # Marked "[Test]" in its subject, so it is never taken for the real send.
        context={"rendered": issue_render(issue, text), "test": True},
        # A test mail has no subscriber: its footer links lead to the site.
        merge_data={"unsubscribe_url": site, "preferences_url": site},
    )


def check_issue_time(at: datetime | None) -> None:
    """Raise DomainError unless `at` is empty (now) or within the next year."""
    if at is not None and not (
        2000 <= at.year <= 2100 and timezone.now() - timedelta(days=1) <= at <= timezone.now() + timedelta(days=366)
    ):
        raise DomainError(_("Choose a time within the next year."), field="at")


@transaction.atomic
def issue_schedule(*, issue: NewsletterIssue, at: datetime | None = None) -> NewsletterIssue:
    """Send the issue at `at` (default: now, with the next run of the sending job)."""
    check_issue_time(at)
    issue = NewsletterIssue.objects.select_for_update().get(pk=issue.pk)
    if issue.status not in (NewsletterIssue.Status.DRAFT, NewsletterIssue.Status.SCHEDULED):
        raise ConflictError(_("Only a draft can be scheduled."))
    _texts(issue)
    issue.status, issue.scheduled_at = NewsletterIssue.Status.SCHEDULED, at or timezone.now()
    issue.save(update_fields=["status", "scheduled_at"])
    return issue


def issue_send_now(*, issue: NewsletterIssue) -> int:
    """Schedule the issue for now and start it at once: its first chunks are queued when this
    returns (after commit), not at the sending job's next run, so progress shows straight away.
    Returns the chunk tasks queued."""
    with transaction.atomic():
        issue = issue_schedule(issue=issue)
        return issue_queue(issue=issue)


@transaction.atomic
def issue_create(*, newsletter: NewsletterList, title: str, texts: list[dict[str, str]]) -> NewsletterIssue:
    """A draft issue of `newsletter` with its texts (language, subject, Markdown body), each
    language once. Writes the issue and its texts."""
    languages = [text["language"] for text in texts]
    if not texts:
        raise DomainError(_("Write the issue in at least one language."), field="texts")
    if len(languages) != len(set(languages)):
        raise DomainError(_("Give each language once."), field="texts")
    if not title.strip():
        raise DomainError(_("Give the issue a title."), field="title")
    issue = NewsletterIssue.objects.create(centre=newsletter.centre, newsletter=newsletter, title=title.strip())
    NewsletterIssueText.objects.bulk_create([NewsletterIssueText(issue=issue, **text) for text in texts])
    return issue


@transaction.atomic
def issue_text_set(*, issue: NewsletterIssue, language: str, subject: str, body: str) -> NewsletterIssueText:
    """Write or rewrite a draft's text in one language. Writes the text."""
    issue = NewsletterIssue.objects.select_for_update().get(pk=issue.pk)
    if issue.status != NewsletterIssue.Status.DRAFT:
        raise ConflictError(_("Only a draft can be changed."))
    if not subject.strip() or not body.strip():
        raise DomainError(_("Write a subject and a text."), field="body")
    text, _created = NewsletterIssueText.objects.update_or_create(
        issue=issue, language=language, defaults={"subject": subject.strip(), "body": body}
    )
    return text


@transaction.atomic
def issue_pause(*, issue: NewsletterIssue) -> NewsletterIssue:
    issue = NewsletterIssue.objects.select_for_update().get(pk=issue.pk)
    if issue.status not in (NewsletterIssue.Status.SCHEDULED, NewsletterIssue.Status.SENDING):
        raise ConflictError(_("Only a scheduled or sending issue can be paused."))
    issue.status = NewsletterIssue.Status.PAUSED
    issue.save(update_fields=["status"])
    return issue


@transaction.atomic
def issue_resume(*, issue: NewsletterIssue) -> NewsletterIssue:
    issue = NewsletterIssue.objects.select_for_update().get(pk=issue.pk)
    if issue.status != NewsletterIssue.Status.PAUSED:
        raise ConflictError(_("Only a paused issue can be resumed."))
    issue.status = NewsletterIssue.Status.SENDING if issue.started_at else NewsletterIssue.Status.SCHEDULED
    issue.save(update_fields=["status"])
    # The chunks left wait for no timeout: the next run of the job queues them.
    IssueChunk.objects.filter(issue=issue, done_at__isnull=True).update(queued_at=None)
    return issue


def issue_queue(*, issue: NewsletterIssue, now: datetime | None = None) -> int:
    """Move a due issue on; idempotent, run by the periodic job.

    The first run renders the issue once per language and cuts its confirmed subscribers into
    chunks of CHUNK (a snapshot: who confirms later gets the next issue). Every run queues a task
    for each chunk not done and not queued in the last OUTBOX_STUCK_AFTER_SECONDS (a task lost with a
    restart), and marks the issue sent once every chunk is done. A paused issue queues nothing.
    Returns how many chunk tasks it queued."""
    now = now or timezone.now()
    with transaction.atomic():
        issue = NewsletterIssue.objects.select_for_update().select_related("centre").get(pk=issue.pk)
        if issue.status not in (NewsletterIssue.Status.SCHEDULED, NewsletterIssue.Status.SENDING):
            return 0
        if not issue.started_at:
            _issue_start(issue, now)
        chunks = IssueChunk.objects.filter(issue=issue, done_at__isnull=True)
        if not chunks.exists():
            issue.status, issue.finished_at = NewsletterIssue.Status.SENT, now
            issue.save(update_fields=["status", "finished_at"])
            return 0
        due = list(
            chunks.filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - _stuck_after())).values_list(
                "pk", flat=True
            )
        )
        IssueChunk.objects.filter(pk__in=due).update(queued_at=now)
        transaction.on_commit(lambda: _queue_chunk_tasks(due))
    return len(due)


CHUNK = 1000


def _stuck_after() -> timedelta:
    """A chunk task queued this long ago and not done was lost, like a row left in `sending`."""
    return timedelta(seconds=settings.OUTBOX_STUCK_AFTER_SECONDS)


# RFC 8058 one-click unsubscribe: each recipient's own HTTPS URL, which a POST alone unsubscribes.
LIST_UNSUBSCRIBE_HEADERS = {
    "List-Unsubscribe": f"<{merge_field('unsubscribe_url')}>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
}


def _issue_start(issue: NewsletterIssue, now: datetime) -> None:
    issue.status, issue.started_at = NewsletterIssue.Status.SENDING, now
    issue.contents = {
        language: mail_content_create(
            centre=issue.centre, language=language, rendered=issue_render(issue, text), headers=LIST_UNSUBSCRIBE_HEADERS
        ).pk
        for language, text in _texts(issue).items()
    }
    issue.save(update_fields=["status", "started_at", "contents"])
    chunks, after = [], 0
    for upto in subscription_boundaries(issue.newsletter, size=CHUNK):
        chunks.append(IssueChunk(centre_id=issue.centre_id, issue=issue, after_id=after, upto_id=upto))
        after = upto
    IssueChunk.objects.bulk_create(chunks, batch_size=1000)


def _queue_chunk_tasks(chunk_ids: list[int]) -> None:
    from notifications.tasks import queue_issue_chunk

    for chunk_id in chunk_ids:
        queue_issue_chunk.delay(chunk_id)


def issue_chunk_queue(chunk_id: int) -> list[OutgoingMail]:
    """Make the outbox rows of one chunk: one per subscriber still confirmed, in their language,
    with their own unsubscribe and preferences links as merge data. The rows and the chunk's
    `done` mark are written in one transaction, so a chunk is made once, whichever worker runs
    it; a chunk of a paused issue waits. The rows are stored claimed by the calling task, which
    sends them right after (`services.mails_send_claimed`). Returns the rows."""
    with transaction.atomic():
        chunk = (
            # Only the chunk's row is locked: the workers making other chunks share the issue.
            IssueChunk.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("issue")
            .filter(pk=chunk_id, done_at__isnull=True, issue__status=NewsletterIssue.Status.SENDING)
            .first()
        )
        if chunk is None:
            return []
        issue = chunk.issue
        texts = {text.language: text for text in NewsletterIssueText.objects.filter(issue=issue)}
        rows, token_for = [], subscriber_tokens()
        for person_id, email, person_language in confirmed_subscribers_between(
            issue.newsletter_id, chunk.after_id, chunk.upto_id
        ):
            language = _text_for(issue, person_language, texts).language
            token = token_for(person_id)
            rows.append(
                NewMail(
                    centre_id=issue.centre_id,
                    kind=OutgoingMail.Kind.NEWSLETTER,
                    key=idempotency_key("newsletter", f"issue-{issue.pk}", email),
                    newsletter_issue_id=issue.pk,
                    person_id=person_id,
                    recipient=email,
                    language=language,
                    content_id=issue.contents[language],
                    merge_data={
                        "unsubscribe_url": link_url("newsletter-unsubscribe", token),
                        "preferences_url": link_url("newsletter-preferences", token),
                    },
                )
            )
        claimed = mails_store_claimed(rows)
        chunk.done_at = timezone.now()
        chunk.save(update_fields=["done_at"])
    return claimed


def issues_send_due(*, now: datetime | None = None) -> int:
    """Periodic: start or move on every issue whose time has come. Returns chunk tasks queued."""
    now = now or timezone.now()
    due = NewsletterIssue.objects.filter(
        status__in=[NewsletterIssue.Status.SCHEDULED, NewsletterIssue.Status.SENDING], scheduled_at__lte=now
    )
    return sum(issue_queue(issue=issue, now=now) for issue in due)
