"""The outbox: the one way the platform sends e-mail.

`mail_queue` renders a mail in the recipient's language and stores it as a row; `mails_send`
(called by the Celery task) claims queued rows and hands them to the ESP through django-anymail.
Writes are described per function; nothing here sends inside a caller's transaction.
"""

import logging
import smtplib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

import requests
from anymail.exceptions import AnymailAPIError, AnymailError, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import timezone, translation

from centres.models import Centre, Person
from notifications import esp_batch
from notifications.models import OutgoingMail, SuppressedAddress, WebhookEvent

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
STUCK_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def mail_render(*, template: str, language: str, context: dict, time_zone: str | None = None) -> RenderedMail:
    """Render notifications/<template>/{subject.txt,body.txt,body.html} in `language`, with
    dates and times in `time_zone` (the centre's)."""
    with translation.override(language), timezone.override(time_zone or settings.TIME_ZONE):
        subject = " ".join(render_to_string(f"notifications/{template}/subject.txt", context).split())
        text = render_to_string(f"notifications/{template}/body.txt", context).strip() + "\n"
        html = render_to_string(f"notifications/{template}/body.html", context)
    return RenderedMail(subject=subject[:300], text=text, html=html)


def sender_for(centre: Centre) -> str:
    if centre.sender_email:
        name = (centre.sender_name or centre.name).replace('"', "")
        return f'"{name}" <{centre.sender_email}>'
    return settings.DEFAULT_FROM_EMAIL


def idempotency_key(kind: str, obj: str, recipient: str) -> str:
    """Unique per (kind, object, recipient): the same mail is stored once however often queued."""
    return f"{kind}:{obj}:{recipient.strip().lower()}"[:200]


def is_suppressed(*, centre_id: int, email: str) -> bool:
    return SuppressedAddress.all_centres.filter(centre_id=centre_id, email__iexact=email).exists()


def mail_queue(
    *,
    centre: Centre,
    kind: str,
    obj: str,
    recipient: str,
    language: str,
    template: str,
    context: dict,
    person: Person | None = None,
    calendar: str = "",
    headers: dict | None = None,
) -> OutgoingMail | None:
    """Store one mail and queue it for sending after the current transaction commits.

    Returns the new row, or None when a mail with the same idempotency key exists already.
    A suppressed address gets a row with status `suppressed` and is never sent to."""
    rendered = mail_render(template=template, language=language, context=context, time_zone=centre.time_zone)
    mail = OutgoingMail(
        centre=centre,
        kind=kind,
        idempotency_key=idempotency_key(kind, obj, recipient),
        person=person,
        recipient=recipient.strip(),
        language=language,
        from_email=sender_for(centre),
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        headers=headers or {},
        calendar=calendar,
    )
    if is_suppressed(centre_id=centre.pk, email=mail.recipient):
        mail.status = OutgoingMail.Status.SUPPRESSED
    try:
        with transaction.atomic():
            mail.save()
    except IntegrityError:
        return None
    if mail.status == OutgoingMail.Status.QUEUED:
        queue_sending([mail.pk])
    return mail


BULK_CHUNK = 1000


def mails_queue_bulk(mails: Sequence[OutgoingMail]) -> int:
    """Store many prepared rows at once (reminders, notices, newsletters), skipping keys already
    stored, and queue the new ones for sending after commit. Returns how many were new."""
    return sum(_queue_chunk(mails[start : start + BULK_CHUNK]) for start in range(0, len(mails), BULK_CHUNK))


def _queue_chunk(mails: Sequence[OutgoingMail]) -> int:
    if not mails:
        return 0
    keys = [mail.idempotency_key for mail in mails]
    existing = set(OutgoingMail.all_centres.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
    suppressed = _suppressed_among({(mail.centre_id, mail.recipient.lower()) for mail in mails})
    fresh = []
    for mail in mails:
        if mail.idempotency_key in existing:
            continue
        existing.add(mail.idempotency_key)
        if (mail.centre_id, mail.recipient.lower()) in suppressed:
            mail.status = OutgoingMail.Status.SUPPRESSED
        fresh.append(mail)
    try:
        with transaction.atomic():
            # On PostgreSQL the new rows come back with their ids: no second query.
            OutgoingMail.all_centres.bulk_create(fresh)
        queued_ids = [mail.pk for mail in fresh if mail.status == OutgoingMail.Status.QUEUED]
        if None in queued_ids:
            raise LookupError  # a database that does not return ids
    except (IntegrityError, LookupError):
        # Another process stored some of these keys meanwhile (two beats): keep theirs.
        OutgoingMail.all_centres.bulk_create(fresh, ignore_conflicts=True)
        queued_ids = list(
            OutgoingMail.all_centres.filter(
                idempotency_key__in=[mail.idempotency_key for mail in fresh], status=OutgoingMail.Status.QUEUED
            ).values_list("pk", flat=True)
        )
    queue_sending(queued_ids)
    return len(fresh)


def _suppressed_among(pairs: set[tuple[int, str]]) -> set[tuple[int, str]]:
    if not pairs:
        return set()
    rows = SuppressedAddress.all_centres.annotate(lower=Lower("email")).filter(
        centre_id__in={centre for centre, _email in pairs}, lower__in={email for _centre, email in pairs}
    )
    return {(row.centre_id, row.lower) for row in rows} & pairs


def send_batch_size() -> int:
    """Rows per send task: an ESP batch where the ESP takes one, else a modest number."""
    return esp_batch.POSTMARK_BATCH_LIMIT if esp_batch.batch_capable() else 50


def queue_sending(mail_ids: Iterable[int]) -> None:
    """Queue send tasks for the rows once the transaction commits, in batches."""
    from notifications.tasks import send_mails

    ids = list(mail_ids)
    size = send_batch_size()
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        transaction.on_commit(lambda batch=batch: send_mails.delay(batch))


def _claim(mail_ids: Sequence[int]) -> list[OutgoingMail]:
    """Move queued rows to `sending`, each by one worker only (locked, skipping rows another
    worker holds). Only claimed rows are ever handed to the ESP."""
    with transaction.atomic():
        rows = OutgoingMail.all_centres.filter(pk__in=list(mail_ids), status=OutgoingMail.Status.QUEUED)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        claimed = list(rows.order_by("pk"))
        # Whoever opted out since the row was made is not mailed: a suppressed address, or a
        # newsletter subscription no longer confirmed.
        stopped = _no_longer_wanted(claimed)
        if stopped:
            OutgoingMail.all_centres.filter(pk__in=stopped).update(status=OutgoingMail.Status.SUPPRESSED)
            claimed = [mail for mail in claimed if mail.pk not in stopped]
        OutgoingMail.all_centres.filter(pk__in=[mail.pk for mail in claimed]).update(
            status=OutgoingMail.Status.SENDING, sending_since=timezone.now(), attempts=F("attempts") + 1
        )
    for mail in claimed:
        mail.attempts += 1
    return claimed


def _no_longer_wanted(mails: list[OutgoingMail]) -> set[int]:
    from notifications.models import Subscription

    suppressed = _suppressed_among({(mail.centre_id, mail.recipient.lower()) for mail in mails})
    stopped = {mail.pk for mail in mails if (mail.centre_id, mail.recipient.lower()) in suppressed}
    newsletter_rows = [mail for mail in mails if mail.newsletter_issue_id and mail.person_id]
    if newsletter_rows:
        confirmed = set(
            Subscription.all_centres.filter(
                person_id__in={mail.person_id for mail in newsletter_rows},
                newsletter__issues__in={mail.newsletter_issue_id for mail in newsletter_rows},
                status=Subscription.Status.CONFIRMED,
            ).values_list("person_id", "newsletter__issues")
        )
        stopped |= {mail.pk for mail in newsletter_rows if (mail.person_id, mail.newsletter_issue_id) not in confirmed}
    return stopped


def _message(mail: OutgoingMail, esp_connection) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.body_text,
        from_email=mail.from_email,
        to=[mail.recipient],
        headers=mail.headers,
        connection=esp_connection,
    )
    if mail.body_html:
        message.attach_alternative(mail.body_html, "text/html")
    if mail.calendar:
        method = "CANCEL" if "METHOD:CANCEL" in mail.calendar else "REQUEST"
        message.attach("meeting.ics", mail.calendar, f"text/calendar; charset=utf-8; method={method}")
    # No open or click tracking, whatever the ESP account's defaults.
    message.track_opens = False
    message.track_clicks = False
    return message


def _is_transient(error: Exception) -> bool:
    if isinstance(error, AnymailRecipientsRefused):
        return False
    if isinstance(error, AnymailAPIError):
        status = getattr(error, "status_code", None)
        return status is None or status >= 500 or status == 429
    if isinstance(error, requests.exceptions.RequestException | smtplib.SMTPServerDisconnected | ConnectionError):
        return True
    return isinstance(error, TimeoutError)


@dataclass
class SendResult:
    sent: int = 0
    retry: list[int] | None = None
    failed: int = 0


def mails_send(mail_ids: Sequence[int]) -> SendResult:
    """Claim the queued rows among `mail_ids` and hand each to the ESP once.

    Writes each row's outcome: `sent` (with the ESP's message id), back to `queued` after a
    transient ESP error (returned in `retry`), or `failed` with the error after a permanent one or
    MAX_ATTEMPTS tries. Rows that are not queued (sent, in flight elsewhere) are left alone."""
    result = SendResult(retry=[])
    claimed = _claim(mail_ids)
    if not claimed:
        return result
    if esp_batch.batch_capable():
        _send_batch(claimed, result)
        return result
    # One connection (one HTTP session, kept alive) for the whole batch of rows.
    esp_connection = get_connection()
    with esp_connection:
        for mail in claimed:
            _send_one(mail, esp_connection, result)
    return result


def _send_batch(claimed: list[OutgoingMail], result: "SendResult") -> None:
    """Hand the rows to the ESP's batch API and write all outcomes in a few queries."""
    now = timezone.now()
    for start in range(0, len(claimed), esp_batch.POSTMARK_BATCH_LIMIT):
        chunk = claimed[start : start + esp_batch.POSTMARK_BATCH_LIMIT]
        outcome = esp_batch.postmark_send_batch(chunk)
        by_id = {mail.pk: mail for mail in chunk}
        sent = []
        for pk, message_id in outcome.sent.items():
            mail = by_id[pk]
            mail.status, mail.sent_at, mail.esp_message_id = OutgoingMail.Status.SENT, now, message_id
            mail.last_error, mail.sending_since = "", None
            sent.append(mail)
        finished = []
        for pk, error in [*outcome.failed.items(), *outcome.retry.items()]:
            mail = by_id[pk]
            retry = pk in outcome.retry and mail.attempts < MAX_ATTEMPTS
            mail.status = OutgoingMail.Status.QUEUED if retry else OutgoingMail.Status.FAILED
            mail.last_error, mail.sending_since = error[:2000], None
            finished.append(mail)
            if retry:
                result.retry.append(pk)
            else:
                result.failed += 1
        OutgoingMail.all_centres.bulk_update(
            sent, ["status", "sent_at", "esp_message_id", "last_error", "sending_since"]
        )
        OutgoingMail.all_centres.bulk_update(finished, ["status", "last_error", "sending_since"])
        result.sent += len(sent)
        if finished:
            logger.warning("%s of %s mails not sent in this batch", len(finished), len(chunk))


def _send_one(mail: OutgoingMail, esp_connection, result: "SendResult") -> None:
    """Hand one claimed row to the ESP and write its outcome. The row is claimed again just
    before: if a slow batch let the sweeper hand it to another worker, this one leaves it."""
    mine = OutgoingMail.all_centres.filter(pk=mail.pk, status=OutgoingMail.Status.SENDING, attempts=mail.attempts)
    if not mine.update(sending_since=timezone.now()):
        return
    try:
        message = _message(mail, esp_connection)
        message.send()
    except (AnymailError, requests.exceptions.RequestException, smtplib.SMTPException, OSError) as error:
        retry = _is_transient(error) and mail.attempts < MAX_ATTEMPTS
        mine.update(
            status=OutgoingMail.Status.QUEUED if retry else OutgoingMail.Status.FAILED,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            sending_since=None,
        )
        if retry:
            result.retry.append(mail.pk)
        else:
            result.failed += 1
        logger.warning("mail %s not sent (attempt %s, %s)", mail.pk, mail.attempts, type(error).__name__)
        return
    status = getattr(message, "anymail_status", None)
    if status is not None and status.status and status.status <= {"rejected", "invalid", "failed"}:
        # The ESP took the request but refused the recipient (e.g. inactive after a bounce).
        mine.update(
            status=OutgoingMail.Status.FAILED,
            last_error=f"The ESP refused the recipient ({', '.join(sorted(status.status))}).",
            sending_since=None,
        )
        result.failed += 1
        return
    mine.update(
        status=OutgoingMail.Status.SENT,
        sent_at=timezone.now(),
        esp_message_id=(status.message_id or "") if status and isinstance(status.message_id, str) else "",
        last_error="",
        sending_since=None,
    )
    result.sent += 1


def outbox_requeue_stuck(*, now=None) -> int:
    """Rows left in `sending` by a worker that died go back to `queued` (or `failed` after
    MAX_ATTEMPTS). Returns how many were re-queued."""
    now = now or timezone.now()
    stuck = OutgoingMail.all_centres.filter(status=OutgoingMail.Status.SENDING, sending_since__lt=now - STUCK_AFTER)
    stuck.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=OutgoingMail.Status.FAILED, last_error="The worker stopped while sending.", sending_since=None
    )
    ids = list(stuck.values_list("pk", flat=True))
    OutgoingMail.all_centres.filter(pk__in=ids).update(status=OutgoingMail.Status.QUEUED, sending_since=None)
    queue_sending(ids)
    return len(ids)


def outbox_flush(*, older_than: timedelta = timedelta(minutes=2), limit: int = 5000) -> int:
    """Safety net: queue send tasks for rows still `queued` after `older_than` (a task lost with a
    broker restart). Sending claims rows, so a row queued twice is still sent once."""
    ids = list(
        OutgoingMail.all_centres.filter(
            status=OutgoingMail.Status.QUEUED, created_at__lt=timezone.now() - older_than
        ).values_list("pk", flat=True)[:limit]
    )
    queue_sending(ids)
    return len(ids)


# --- ESP webhooks --------------------------------------------------------------------------------

SUPPRESSING_EVENTS = {
    "bounced": SuppressedAddress.Reason.BOUNCED,
    "complained": SuppressedAddress.Reason.COMPLAINED,
    "unsubscribed": SuppressedAddress.Reason.UNSUBSCRIBED,
}
DELIVERY_EVENTS = {
    "delivered": OutgoingMail.Delivery.DELIVERED,
    "bounced": OutgoingMail.Delivery.BOUNCED,
    "complained": OutgoingMail.Delivery.COMPLAINED,
    "unsubscribed": OutgoingMail.Delivery.UNSUBSCRIBED,
}


@transaction.atomic
def webhook_event_record(*, esp: str, event_id: str, event_type: str, message_id: str, recipient: str) -> bool:
    """Apply one ESP tracking event once: note the delivery on the mail, and suppress the address
    for the mail's centre after a hard bounce, a complaint or an unsubscribe. Returns False for an
    event seen before (ESPs redeliver webhooks)."""
    if not event_id:
        event_id = f"{message_id}:{event_type}:{recipient}"
    try:
        with transaction.atomic():
            WebhookEvent.objects.create(esp=esp, event_id=event_id[:200], event_type=event_type, message_id=message_id)
    except IntegrityError:
        return False
    if event_type not in DELIVERY_EVENTS or not message_id:
        return True
    mails = list(OutgoingMail.all_centres.filter(esp_message_id=message_id))
    OutgoingMail.all_centres.filter(pk__in=[mail.pk for mail in mails]).update(delivery=DELIVERY_EVENTS[event_type])
    if event_type in SUPPRESSING_EVENTS:
        for mail in mails:
            address = recipient or mail.recipient
            if not is_suppressed(centre_id=mail.centre_id, email=address):
                SuppressedAddress.all_centres.create(
                    centre_id=mail.centre_id, email=address.lower(), reason=SUPPRESSING_EVENTS[event_type]
                )
    return True
