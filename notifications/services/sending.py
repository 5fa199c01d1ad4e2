"""Sending the outbox: claim queued rows (each by one worker), hand them to the ESP (Postmark's
batch API, `notifications.postmark`; the other ESPs' batch APIs, `notifications.batches`; or one
message at a time through anymail or a pooled SMTP connection), and write each row's
outcome: sent, queued again after a transient error (retried with back-off by the task), or
failed. A row in doubt (its worker died, or the ESP did not answer in time) is looked up at the
ESP before it is sent again; rows a dead worker left in `sending` are taken back by
`outbox_requeue_stuck`."""

import logging
import smtplib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import requests
from anymail.exceptions import AnymailAPIError, AnymailError, AnymailRecipientsRefused
from anymail.message import AnymailMessage
from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from centres.selectors import sms_numbers
from notifications import batches, lookups, postmark, smtp_pool
from notifications.models import MailContent, OutgoingMail, Subscription, SuppressedAddress
from notifications.selectors import suppressed_among
from notifications.services.outbox import consent_pair, queue_sending, withdrawn_pairs
from notifications.services.suppressions import address_suppress
from notifications.sms import Sms, SmsBackend, SmsError, sms_backend

logger = logging.getLogger(__name__)


MAX_ATTEMPTS = 8


def _claim(mail_ids: Sequence[int]) -> list[OutgoingMail]:
    """Move queued rows to `sending`, each by one worker only (locked, skipping rows another
    worker holds). Only claimed rows are ever handed to the ESP. The claimed rows come back with
    their shared content attached (one query for the batch)."""
    with transaction.atomic():
        rows = OutgoingMail.objects.filter(pk__in=list(mail_ids), status=OutgoingMail.Status.QUEUED)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        claimed = _drop_unwanted(list(rows.order_by("pk")))
        OutgoingMail.objects.filter(pk__in=[mail.pk for mail in claimed]).update(
            status=OutgoingMail.Status.SENDING, sending_since=timezone.now(), attempts=F("attempts") + 1
        )
    for mail in claimed:
        mail.attempts += 1
    return _with_contents(claimed)


def _drop_unwanted(claimed: list[OutgoingMail]) -> list[OutgoingMail]:
    """Whoever opted out since the row was made is not mailed (a suppressed address, or a
    newsletter subscription no longer confirmed): such rows become `suppressed`."""
    stopped = _no_longer_wanted(claimed)
    if stopped:
        OutgoingMail.objects.filter(pk__in=stopped).update(status=OutgoingMail.Status.SUPPRESSED, sending_since=None)
    return [mail for mail in claimed if mail.pk not in stopped]


def _with_contents(mails: list[OutgoingMail]) -> list[OutgoingMail]:
    """Attach each row's shared content, one query for the batch."""
    contents = MailContent.objects.in_bulk({mail.content_id for mail in mails})
    for mail in mails:
        mail.content = contents[mail.content_id]
    return mails


def _no_longer_wanted(mails: list[OutgoingMail]) -> set[int]:
    suppressed = suppressed_among({(mail.centre_id, mail.recipient.lower()) for mail in mails})
    stopped = {mail.pk for mail in mails if (mail.centre_id, mail.recipient.lower()) in suppressed}
    stopped |= {mail.pk for mail in mails if not mail.recipient}  # erased meanwhile
    newsletter_rows = [mail for mail in mails if mail.newsletter_issue_id and mail.person_id]
    if newsletter_rows:
        confirmed = set(
            Subscription.objects.filter(
                person_id__in={mail.person_id for mail in newsletter_rows},
                newsletter__issues__in={mail.newsletter_issue_id for mail in newsletter_rows},
                status=Subscription.Status.CONFIRMED,
            ).values_list("person_id", "newsletter__issues")
        )
        stopped |= {mail.pk for mail in newsletter_rows if (mail.person_id, mail.newsletter_issue_id) not in confirmed}
    withdrawn = withdrawn_pairs({consent_pair(mail.person_id, mail.kind) for mail in mails})
    stopped |= {mail.pk for mail in mails if consent_pair(mail.person_id, mail.kind) in withdrawn}
    # A text goes only to the number the person has now, while their SMS consent stands.
    texts = [mail for mail in mails if mail.channel == OutgoingMail.Channel.SMS]
    if texts:
        numbers = sms_numbers({mail.person_id for mail in texts if mail.person_id})
        stopped |= {mail.pk for mail in texts if not mail.person_id or numbers.get(mail.person_id) != mail.recipient}
    return stopped


def _message(mail: OutgoingMail, esp_connection: BaseEmailBackend) -> AnymailMessage:
    # AnymailMessage: Django's EmailMultiAlternatives with anymail's attributes declared.
    message = AnymailMessage(
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
        message.attach("meeting.ics", mail.calendar, postmark.calendar_content_type(mail.calendar))
    # No open or click tracking; the row id as metadata, so a row in doubt can be looked up at
    # the ESP (see `_settle_in_doubt`).
    batches.no_tracking(message)
    message.metadata = {postmark.OUTBOX_METADATA: str(mail.pk)}
    return message


def _is_transient(error: Exception) -> bool:
    if isinstance(error, AnymailRecipientsRefused):
        return False
    if isinstance(error, AnymailAPIError):
        status = batches.esp_status(error)
        return status is None or status >= 500 or status == 429
    if isinstance(error, requests.exceptions.RequestException | smtplib.SMTPServerDisconnected | ConnectionError):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):  # 4xx for every recipient: try later
        return all(400 <= code < 500 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):  # 421 service closing, 451 local error
        return 400 <= error.smtp_code < 500
    return isinstance(error, TimeoutError)


@dataclass
class SendResult:
    """What one run of sending did: rows sent, rows to retry after a back-off, rows failed."""

    sent: int = 0
    retry: list[int] = field(default_factory=list)
    failed: int = 0


def mails_send(mail_ids: Sequence[int]) -> SendResult:
    """Claim the queued rows among `mail_ids` and hand each to the ESP once.

    Writes each row's outcome: `sent` (with the ESP's message id), back to `queued` after a
    transient ESP error (returned in `retry`), or `failed` with the error after a permanent one or
    MAX_ATTEMPTS tries. Rows that are not queued (sent, in flight elsewhere) are left alone. A row
    in doubt (its worker died, or the ESP did not answer in time) is first looked up at the ESP,
    where the ESP can tell, and marked sent if the ESP has it."""
    result = SendResult(retry=[])
    claimed = _claim(mail_ids)
    if not claimed:
        return result
    _deliver(_settle_in_doubt(claimed, result), result)
    return result


def mails_send_claimed(rows: Sequence[OutgoingMail]) -> SendResult:
    """Send rows stored already claimed by this task, as `mails_store_claimed` returned them,
    with the same outcomes as `mails_send`. Rows the sweeper has taken back meanwhile are left
    alone, and whoever opted out since is not mailed; the rows themselves are not read again."""
    result = SendResult(retry=[])
    still_mine = set(
        OutgoingMail.objects.filter(
            pk__in=[row.pk for row in rows], status=OutgoingMail.Status.SENDING, attempts=1
        ).values_list("pk", flat=True)
    )
    _deliver(_with_contents(_drop_unwanted([row for row in rows if row.pk in still_mine])), result)
    return result


def _deliver(claimed: list[OutgoingMail], result: SendResult) -> None:
    """Hand claimed rows to the ESP: its batch API where Kontakt speaks it, else one message
    each over one kept-alive connection. A row that cannot make a mail fails first, whichever
    the path (see `_unsendable`)."""
    claimed = _fail_unsendable(claimed, result)
    # Mail first: a batch of mail must not wait in `sending` behind texts sent one by one.
    texts = [mail for mail in claimed if mail.channel == OutgoingMail.Channel.SMS]
    mails = [mail for mail in claimed if mail.channel != OutgoingMail.Channel.SMS]
    if mails and postmark.batch_capable():
        _send_batch(mails, result)
    elif mails and (esp := batches.merge_esp()):
        _send_merge_batches(mails, esp, result)
    elif mails:
        with smtp_pool.connection() if settings.EMAIL_ESP == "smtp" else get_connection() as esp_connection:
            for mail in mails:
                _send_one(mail, esp_connection, result)
    if texts:
        backend = sms_backend()
        for mail in texts:
            _send_text(mail, backend, result)


def _unsendable(mail: OutgoingMail) -> str:
    """Why this row can never make a mail, or "": a header with a line break (a sender name
    stored before names were single line) ends the header early, so Django refuses the message
    (BadHeaderError) and an ESP's API would refuse it too. Retrying can't help. A text has no
    headers: its sender ID and number were checked when they were entered."""
    if mail.channel == OutgoingMail.Channel.SMS or _plainly_sendable(mail):
        return ""
    try:
        headers = {"From": mail.from_email, "To": mail.recipient, "Subject": mail.subject, **mail.headers}
    except Exception as error:  # a defect in the stored content: the same on every try
        return f"This mail could not be built: {type(error).__name__}: {error}"
    broken = sorted(name for name, value in headers.items() if "\n" in f"{name}{value}" or "\r" in f"{name}{value}")
    if broken:
        return (
            f"The mail header {', '.join(broken)} holds a line break, so no mail can be made of it "
            "(for From: correct the centre's sender name, then queue the mail again)."
        )
    return ""


def _plainly_sendable(mail: OutgoingMail) -> bool:
    """No line break anywhere a header could take one from: the common case, told without
    merging each header of each row."""
    content = mail.content
    shared = [content.from_email, content.subject, mail.recipient, *content.headers, *content.headers.values()]
    texts = [*shared, *(mail.merge_data or {}).values()]
    return all(isinstance(text, str) and "\n" not in text and "\r" not in text for text in texts)


def _fail_unsendable(claimed: list[OutgoingMail], result: SendResult) -> list[OutgoingMail]:
    """Rows that can never make a mail fail at once with the reason; returns the others."""
    sendable = []
    for mail in claimed:
        reason = _unsendable(mail)
        if not reason:
            sendable.append(mail)
            continue
        _mark_outcome([mail], status=OutgoingMail.Status.FAILED, error=reason)
        result.failed += 1
        logger.warning("mail %s cannot be sent: its content or headers are invalid", mail.pk)
    return sendable


def _settle_in_doubt(claimed: list[OutgoingMail], result: SendResult) -> list[OutgoingMail]:
    """Rows in doubt that the ESP reports as taken are marked sent, not sent again. Returns the
    rows still to send. Where the ESP cannot be asked, a row in doubt is sent again: at least
    once, never lost."""
    texts = sms_backend()
    doubtful = [
        mail
        for mail in claimed
        if mail.in_doubt
        and (texts.lookup_capable if mail.channel == OutgoingMail.Channel.SMS else lookups.lookup_capable())
    ]
    if not doubtful:
        return claimed
    found, settled = {}, set()
    for mail in doubtful:
        try:
            if mail.channel == OutgoingMail.Channel.SMS:
                message_id = texts.lookup(sms_ref(mail))
            else:
                message_id = lookups.esp_lookup(mail)
        except lookups.LookupUnavailable:
            continue  # this account cannot be asked: sent again, at least once
        except requests.exceptions.RequestException as error:
            # The ESP cannot tell now: try again later rather than risk a second copy.
            error_text = f"The ESP could not say whether it has this mail: {type(error).__name__}: {error}"
            if mail.attempts >= MAX_ATTEMPTS:
                _mark_outcome([mail], status=OutgoingMail.Status.FAILED, error=error_text, in_doubt=True)
                result.failed += 1
            else:
                _mark_outcome([mail], status=OutgoingMail.Status.QUEUED, error=error_text, in_doubt=True)
                result.retry.append(mail.pk)
            settled.add(mail.pk)
            continue
        if message_id is not None:
            found[mail.pk] = message_id
    _mark_sent(found)
    result.sent += len(found)
    return [mail for mail in claimed if mail.pk not in found and mail.pk not in settled]


def _mark_sent(message_ids: dict[int, str]) -> None:
    """Rows the ESP took, with its message ids: one statement on PostgreSQL."""
    if not message_ids:
        return
    now = timezone.now()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"""UPDATE {OutgoingMail._meta.db_table} AS m
                    SET status = 'sent', sent_at = %s, esp_message_id = v.message_id, last_error = '',
                        sending_since = NULL, in_doubt = false
                    FROM unnest(%s::bigint[], %s::text[]) AS v(id, message_id)
                    WHERE m.id = v.id""",  # noqa: S608 (the table name only)
                [now, list(message_ids), [value[:200] for value in message_ids.values()]],
            )
        return
    rows = [
        OutgoingMail(
            pk=pk,
            status=OutgoingMail.Status.SENT,
            sent_at=now,
            esp_message_id=value[:200],
            last_error="",
            sending_since=None,
            in_doubt=False,
        )
        for pk, value in message_ids.items()
    ]
    OutgoingMail.objects.bulk_update(
        rows, ["status", "sent_at", "esp_message_id", "last_error", "sending_since", "in_doubt"]
    )


def _mark_outcome(mails: list[OutgoingMail], *, status: str, error: str, in_doubt: bool = False) -> None:
    OutgoingMail.objects.filter(pk__in=[mail.pk for mail in mails]).update(
        status=status, last_error=error[:2000], sending_since=None, in_doubt=in_doubt
    )


def _send_batch(claimed: list[OutgoingMail], result: SendResult) -> None:
    """Hand the rows to Postmark's batch API and write all outcomes in a few queries."""
    for start in range(0, len(claimed), postmark.POSTMARK_BATCH_LIMIT):
        chunk = claimed[start : start + postmark.POSTMARK_BATCH_LIMIT]
        _record(chunk, postmark.postmark_send_batch(chunk), result)


def _send_merge_batches(mails: list[OutgoingMail], esp: batches.MergeEsp, result: SendResult) -> None:
    """Hand the rows to an ESP that merges one content for many recipients, a request per
    content and at most its limit; rows a batch cannot carry, and the rows of a request the ESP
    refused as a whole for its input (one bad address among many), go one by one."""
    alone: list[OutgoingMail] = []
    batchable: list[OutgoingMail] = []
    for mail in mails:
        (batchable if batches.batchable(mail, esp) else alone).append(mail)
    connection = batches.esp_connection()
    with connection:
        for batch in batches.requests_of(batchable, esp):
            if len(batch) == 1:  # a whole message is as good, and anymail bursts Mailjet's badly
                alone.extend(batch)
                continue
            outcome = batches.send_merge_batch(batch, esp, connection)
            if outcome.refused:
                alone.extend(batch)
            else:
                _record(batch, outcome, result)
        for mail in alone:
            _send_one(mail, connection, result)


def _record(chunk: list[OutgoingMail], outcome: postmark.BatchOutcome, result: SendResult) -> None:
    """Write the outcome of one batch request: sent rows with their ids, the others queued
    again (transient) or failed, rows with the same outcome in one update."""
    _mark_sent(outcome.sent)
    result.sent += len(outcome.sent)
    by_id = {mail.pk: mail for mail in chunk}
    unsent = [*outcome.failed.items(), *outcome.retry.items()]
    outcomes = defaultdict(list)
    for pk, error in unsent:
        retry = pk in outcome.retry and by_id[pk].attempts < MAX_ATTEMPTS
        status = OutgoingMail.Status.QUEUED if retry else OutgoingMail.Status.FAILED
        outcomes[status, error, retry and pk in outcome.in_doubt].append(by_id[pk])
        if retry:
            result.retry.append(pk)
        else:
            result.failed += 1
    for (status, error, in_doubt), mails in outcomes.items():
        _mark_outcome(mails, status=status, error=error, in_doubt=in_doubt)
    if unsent:
        logger.warning("%s of %s mails not sent in this batch", len(unsent), len(chunk))


def _send_one(mail: OutgoingMail, esp_connection: BaseEmailBackend, result: SendResult) -> None:
    """Hand one claimed row to the ESP and write its outcome. The row is claimed again just
    before: if a slow batch let the sweeper hand it to another worker, this one leaves it."""
    mine = OutgoingMail.objects.filter(pk=mail.pk, status=OutgoingMail.Status.SENDING, attempts=mail.attempts)
    if not mine.update(sending_since=timezone.now()):
        return
    try:
        message = _message(mail, esp_connection)
        message.send()
    except (AnymailError, requests.exceptions.RequestException, smtplib.SMTPException, OSError) as error:
        if isinstance(error, smtplib.SMTPServerDisconnected | OSError):
            esp_connection.close()  # the next mail opens a new one
        retry = _is_transient(error) and mail.attempts < MAX_ATTEMPTS
        refused = "" if _is_transient(error) else "The ESP refused the mail: "
        mine.update(
            status=OutgoingMail.Status.QUEUED if retry else OutgoingMail.Status.FAILED,
            last_error=f"{refused}{type(error).__name__}: {error}"[:2000],
            sending_since=None,
            in_doubt=retry and batches.maybe_delivered(error),
        )
        if retry:
            result.retry.append(mail.pk)
        else:
            result.failed += 1
        logger.warning("mail %s not sent (attempt %s, %s)", mail.pk, mail.attempts, type(error).__name__)
        return
    except Exception as error:
        # Anything else (bad data Django refuses while building the message, a defect) would
        # leave the row in `sending` with no error; it fails, with the error, and is not retried.
        mine.update(
            status=OutgoingMail.Status.FAILED,
            last_error=f"This mail could not be built or sent: {type(error).__name__}: {error}"[:2000],
            sending_since=None,
            in_doubt=False,
        )
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
            in_doubt=False,
        )
        result.failed += 1
        return
    mine.update(
        status=OutgoingMail.Status.SENT,
        sent_at=timezone.now(),
        esp_message_id=(status.message_id or "") if status and isinstance(status.message_id, str) else "",
        last_error="",
        sending_since=None,
        in_doubt=False,
    )
    result.sent += 1


def sms_ref(mail: OutgoingMail) -> str:
    """The text's own reference at the gateway: its row, and when the row was made (ids start
    again in a new database; a gateway account outlives it)."""
    return f"kontakt-{mail.pk}-{int(mail.created_at.timestamp())}"


def _send_text(mail: OutgoingMail, backend: SmsBackend, result: SendResult) -> None:
    """Hand one claimed text to the SMS gateway and write its outcome, as `_send_one` does for a
    mail. A number the gateway refuses for good is suppressed for the centre."""
    mine = OutgoingMail.objects.filter(pk=mail.pk, status=OutgoingMail.Status.SENDING, attempts=mail.attempts)
    if not mine.update(sending_since=timezone.now()):
        return
    try:
        message_id = backend.send(
            Sms(ref=sms_ref(mail), sender=mail.from_email, to=mail.recipient, text=mail.body_text)
        )
    except SmsError as error:
        retry = error.transient and mail.attempts < MAX_ATTEMPTS
        mine.update(
            status=OutgoingMail.Status.QUEUED if retry else OutgoingMail.Status.FAILED,
            last_error=str(error)[:2000],
            sending_since=None,
            in_doubt=retry and error.maybe_sent,
        )
        if error.number_refused and mail.centre_id is not None:
            address_suppress(
                centre_id=mail.centre_id, email=mail.recipient, reason=SuppressedAddress.Reason.UNREACHABLE
            )
        if retry:
            result.retry.append(mail.pk)
        else:
            result.failed += 1
        logger.warning("text %s not sent (attempt %s, %s)", mail.pk, mail.attempts, "transient" if retry else "failed")
        return
    mine.update(
        status=OutgoingMail.Status.SENT,
        sent_at=timezone.now(),
        esp_message_id=message_id,
        last_error="",
        sending_since=None,
        in_doubt=False,
    )
    result.sent += 1


def outbox_requeue_stuck(*, now: datetime | None = None) -> int:
    """Rows left in `sending` by a worker that died go back to `queued` (or `failed` after
    MAX_ATTEMPTS). Returns how many were re-queued."""
    now = now or timezone.now()
    stuck_after = timedelta(seconds=settings.OUTBOX_STUCK_AFTER_SECONDS)
    stuck = OutgoingMail.objects.filter(status=OutgoingMail.Status.SENDING, sending_since__lt=now - stuck_after)
    stuck.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=OutgoingMail.Status.FAILED, last_error="The worker stopped while sending.", sending_since=None
    )
    ids = list(stuck.values_list("pk", flat=True))
    # The worker may have died after the ESP took the mail: in doubt, looked up before sending.
    OutgoingMail.objects.filter(pk__in=ids).update(status=OutgoingMail.Status.QUEUED, sending_since=None, in_doubt=True)
    queue_sending(ids)
    return len(ids)
