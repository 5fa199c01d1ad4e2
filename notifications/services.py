"""The outbox: the one way the platform sends e-mail.

`mail_queue` renders a mail in the recipient's language and stores it as a row; `mails_send`
(called by the Celery task) claims queued rows and hands them to the ESP through django-anymail.
Writes are described per function; nothing here sends inside a caller's transaction.
"""

import hashlib
import json
import logging
import smtplib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

import psycopg
import requests
from anymail.exceptions import AnymailAPIError, AnymailError, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat, Lower
from django.template.loader import render_to_string
from django.utils import timezone, translation
from kombu.exceptions import OperationalError as KombuOperationalError

from centres.models import Centre, ConsentRecord, Person
from centres.selectors import withdrawn_among
from notifications import esp_batch
from notifications.models import MailContent, OutgoingMail, Subscription, SuppressedAddress, WebhookEvent

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


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


def sender_for(centre: Centre | None) -> str:
    """The From of a centre's mail (the platform's for a mail of no centre). Names are single
    line where they are entered; a name stored before that rule still makes one header line."""
    if centre is not None and centre.sender_email:
        name = " ".join((centre.sender_name or centre.name).replace('"', "").split())
        return f'"{name}" <{centre.sender_email}>'
    return settings.DEFAULT_FROM_EMAIL


def idempotency_key(kind: str, obj: str, recipient: str) -> str:
    """Unique per (kind, object, recipient): the same mail is stored once however often queued."""
    return f"{kind}:{obj}:{recipient.strip().lower()}"[:200]


def is_suppressed(*, centre_id: int, email: str) -> bool:
    return SuppressedAddress.all_centres.filter(centre_id=centre_id, email__iexact=email).exists()


def mail_content_create(
    *, centre: Centre | None, language: str, rendered: RenderedMail, headers: dict | None = None, calendar: str = ""
) -> MailContent:
    """Store what many mails share (see MailContent). Writes one row."""
    return MailContent.all_centres.create(
        centre=centre,
        language=language,
        from_email=sender_for(centre),
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        headers=headers or {},
        calendar=calendar,
    )


def mail_queue(
    *,
    centre: Centre | None,
    kind: str,
    obj: str,
    recipient: str,
    language: str,
    template: str,
    context: dict,
    person: Person | None = None,
    calendar: str = "",
    headers: dict | None = None,
    merge_data: dict | None = None,
    sensitive: bool = False,
) -> OutgoingMail | None:
    """Store one mail and queue it for sending after the current transaction commits.

    Returns the new row, or None when a mail with the same idempotency key exists already.
    A suppressed address gets a row with status `suppressed` and is never sent to. `centre`
    None makes a mail of the platform, which no centre's staff see; `sensitive` marks a mail
    whose link acts for its recipient (login, reset, confirmation): staff never see its content."""
    key = idempotency_key(kind, obj, recipient)
    if OutgoingMail.all_centres.filter(idempotency_key=key).exists():
        return None
    time_zone = centre.time_zone if centre is not None else None
    rendered = mail_render(template=template, language=language, context=context, time_zone=time_zone)
    try:
        with transaction.atomic():
            content = mail_content_create(
                centre=centre, language=language, rendered=rendered, headers=headers, calendar=calendar
            )
            mail = OutgoingMail.all_centres.create(
                centre=centre,
                kind=kind,
                sensitive=sensitive,
                idempotency_key=key,
                person=person,
                recipient=recipient.strip(),
                language=language,
                content=content,
                merge_data=merge_data or {},
                status=(
                    OutgoingMail.Status.SUPPRESSED
                    if is_suppressed(centre_id=centre.pk if centre else None, email=recipient.strip())
                    or (person is not None and withdrawn_among({(person.pk, PURPOSE_OF_KIND.get(kind))}))
                    else OutgoingMail.Status.QUEUED
                ),
            )
    except IntegrityError:
        return None
    if mail.status == OutgoingMail.Status.QUEUED:
        queue_sending([mail.pk])
    return mail


@dataclass(frozen=True, slots=True)
class NewMail:
    """One recipient's row for `mails_queue_bulk`: who, and their merge data for the shared
    content."""

    centre_id: int
    kind: str
    key: str
    recipient: str
    language: str
    content_id: int
    person_id: int | None = None
    merge_data: dict | None = None
    newsletter_issue_id: int | None = None


BULK_CHUNK = 1000


def mails_queue_bulk(mails: Sequence[NewMail]) -> int:
    """Store many rows at once (reminders, notices), skipping idempotency keys already stored
    and marking suppressed addresses, and queue the new rows for sending after commit. Returns
    how many rows were new."""
    made = 0
    for start in range(0, len(mails), BULK_CHUNK):
        stored = _store_chunk(mails[start : start + BULK_CHUNK])
        queue_sending([pk for pk, status in stored if status == OutgoingMail.Status.QUEUED])
        made += len(stored)
    return made


def mails_store_claimed(mails: Sequence[NewMail]) -> list[int]:
    """Like `mails_queue_bulk`, for a task that sends the rows itself right after its transaction
    commits: the rows are stored already claimed (`sending`, first attempt), which saves claiming
    them. Send them with `mails_send_claimed`; if the task dies first, the sweeper takes them
    back like any row a dead worker left. Returns the ids of the new rows to send."""
    claimed = []
    for start in range(0, len(mails), BULK_CHUNK):
        stored = _store_chunk(mails[start : start + BULK_CHUNK], claimed=True)
        claimed.extend(pk for pk, status in stored if status == OutgoingMail.Status.SENDING)
    return claimed


def _store_chunk(mails: Sequence[NewMail], *, claimed: bool = False) -> list[tuple[int, str]]:
    withdrawn = withdrawn_among({(mail.person_id, PURPOSE_OF_KIND.get(mail.kind)) for mail in mails})
    if withdrawn:
        mails = [mail for mail in mails if (mail.person_id, PURPOSE_OF_KIND.get(mail.kind)) not in withdrawn]
    if not mails:
        return []
    now = timezone.now()
    if connection.vendor == "postgresql":
        return _insert_postgres(mails, now, claimed=claimed)
    return _insert_portable(mails, now, claimed=claimed)


def _insert_postgres(mails: Sequence[NewMail], now, *, claimed: bool = False) -> list[tuple[int, str]]:
    """One statement for the whole chunk: the rows come in as arrays, suppressed addresses are
    marked by a join on the (centre, lower(email)) index, and keys stored already (by an earlier
    run or another beat at the same moment) are skipped by ON CONFLICT."""
    table, suppressed = OutgoingMail._meta.db_table, SuppressedAddress._meta.db_table
    # Only table names from the models are formatted in; every value is a parameter.
    sql = f"""
        INSERT INTO {table} (centre_id, kind, idempotency_key, person_id, recipient, language, content_id,
                             merge_data, newsletter_issue_id, status, attempts, in_doubt, last_error,
                             esp_message_id, delivery, created_at, sending_since)
        SELECT v.centre_id, v.kind, v.key, v.person_id, v.recipient, v.language, v.content_id,
               v.merge_data, v.issue_id,
               CASE WHEN EXISTS (SELECT 1 FROM {suppressed} s
                                 WHERE s.centre_id = v.centre_id AND lower(s.email) = lower(v.recipient))
                    THEN 'suppressed' ELSE %s END,
               %s, false, '', '', '', %s, %s
        FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::bigint[], %s::text[], %s::text[], %s::bigint[],
                    %s::jsonb[], %s::bigint[])
             AS v(centre_id, kind, key, person_id, recipient, language, content_id, merge_data, issue_id)
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING id, status
    """  # noqa: S608
    columns = (
        [mail.centre_id for mail in mails],
        [mail.kind for mail in mails],
        [mail.key for mail in mails],
        [mail.person_id for mail in mails],
        [mail.recipient.strip() for mail in mails],
        [mail.language for mail in mails],
        [mail.content_id for mail in mails],
        [json.dumps(mail.merge_data or {}) for mail in mails],
        [mail.newsletter_issue_id for mail in mails],
    )
    with transaction.atomic():
        connection.ensure_connection()
        # A plain psycopg cursor binds the arrays on the server; Django's client-side cursor
        # would quote them into the SQL text, which costs more than the insert itself.
        with psycopg.Cursor(connection.connection) as cursor:
            if claimed:
                fresh = [OutgoingMail.Status.SENDING, 1, now, now]
            else:
                fresh = [OutgoingMail.Status.QUEUED, 0, now, None]
            cursor.execute(sql, [*fresh, *columns])
            return cursor.fetchall()


def _insert_portable(mails: Sequence[NewMail], now, *, claimed: bool = False) -> list[tuple[int, str]]:
    keys = [mail.key for mail in mails]
    existing = set(OutgoingMail.all_centres.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
    suppressed = _suppressed_among({(mail.centre_id, mail.recipient.strip().lower()) for mail in mails})
    fresh = []
    for mail in mails:
        if mail.key in existing:
            continue
        existing.add(mail.key)
        recipient = mail.recipient.strip()
        fresh.append(
            OutgoingMail(
                centre_id=mail.centre_id,
                kind=mail.kind,
                idempotency_key=mail.key,
                person_id=mail.person_id,
                recipient=recipient,
                language=mail.language,
                content_id=mail.content_id,
                merge_data=mail.merge_data or {},
                newsletter_issue_id=mail.newsletter_issue_id,
                status=(
                    OutgoingMail.Status.SUPPRESSED
                    if (mail.centre_id, recipient.lower()) in suppressed
                    else OutgoingMail.Status.SENDING
                    if claimed
                    else OutgoingMail.Status.QUEUED
                ),
                attempts=1 if claimed else 0,
                sending_since=now if claimed else None,
            )
        )
    # Another process may store some of these keys meanwhile: keep theirs.
    OutgoingMail.all_centres.bulk_create(fresh, ignore_conflicts=True)
    stored = OutgoingMail.all_centres.filter(
        idempotency_key__in=[mail.idempotency_key for mail in fresh], created_at__gte=now
    ).values_list("pk", "status")
    return list(stored)


def _suppressed_among(pairs: set[tuple[int, str]]) -> set[tuple[int, str]]:
    if not pairs:
        return set()
    rows = SuppressedAddress.all_centres.annotate(lower=Lower("email")).filter(
        centre_id__in={centre for centre, _email in pairs}, lower__in={email for _centre, email in pairs}
    )
    return {(row.centre_id, row.lower) for row in rows} & pairs


# Mail that a consent allows: withdrawn, it is not sent, whenever it was queued.
PURPOSE_OF_KIND = {
    OutgoingMail.Kind.REMINDER: ConsentRecord.Purpose.GROUP_MEMBERSHIP,
    OutgoingMail.Kind.CHANGE_NOTICE: ConsentRecord.Purpose.GROUP_MEMBERSHIP,
    OutgoingMail.Kind.NEWSLETTER: ConsentRecord.Purpose.NEWSLETTER,
}


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
        transaction.on_commit(lambda batch=batch: _send_later(send_mails, batch))


def _send_later(task, batch: list[int]) -> None:
    """With the broker down, the rows wait in the outbox for the periodic flush, and whoever
    queued them (a page, an API call) still gets their answer."""
    try:
        task.delay(batch)
    except KombuOperationalError:
        logger.warning("broker unreachable; %s mails wait for the outbox flush", len(batch))


def _claim(mail_ids: Sequence[int]) -> list[OutgoingMail]:
    """Move queued rows to `sending`, each by one worker only (locked, skipping rows another
    worker holds). Only claimed rows are ever handed to the ESP. The claimed rows come back with
    their shared content attached (one query for the batch)."""
    with transaction.atomic():
        rows = OutgoingMail.all_centres.filter(pk__in=list(mail_ids), status=OutgoingMail.Status.QUEUED)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        claimed = _drop_unwanted(list(rows.order_by("pk")))
        OutgoingMail.all_centres.filter(pk__in=[mail.pk for mail in claimed]).update(
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
        OutgoingMail.all_centres.filter(pk__in=stopped).update(
            status=OutgoingMail.Status.SUPPRESSED, sending_since=None
        )
    return [mail for mail in claimed if mail.pk not in stopped]


def _with_contents(mails: list[OutgoingMail]) -> list[OutgoingMail]:
    """Attach each row's shared content, one query for the batch."""
    contents = MailContent.all_centres.in_bulk({mail.content_id for mail in mails})
    for mail in mails:
        mail.content = contents[mail.content_id]
    return mails


def _no_longer_wanted(mails: list[OutgoingMail]) -> set[int]:
    suppressed = _suppressed_among({(mail.centre_id, mail.recipient.lower()) for mail in mails})
    stopped = {mail.pk for mail in mails if (mail.centre_id, mail.recipient.lower()) in suppressed}
    stopped |= {mail.pk for mail in mails if not mail.recipient}  # erased meanwhile
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
    withdrawn = withdrawn_among({(mail.person_id, PURPOSE_OF_KIND.get(mail.kind)) for mail in mails})
    stopped |= {mail.pk for mail in mails if (mail.person_id, PURPOSE_OF_KIND.get(mail.kind)) in withdrawn}
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
        message.attach("meeting.ics", mail.calendar, esp_batch.calendar_content_type(mail.calendar))
    # No open or click tracking, whatever the ESP account's defaults; the row id as metadata, so
    # a row in doubt can be looked up at the ESP (see `_settle_in_doubt`).
    message.track_opens = False
    message.track_clicks = False
    message.metadata = {esp_batch.OUTBOX_METADATA: str(mail.pk)}
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


def _maybe_delivered(error: Exception) -> bool:
    """After a timeout waiting for the answer the ESP may have taken the mail."""
    return isinstance(error, requests.exceptions.ReadTimeout | TimeoutError) or isinstance(
        getattr(error, "__cause__", None), requests.exceptions.ReadTimeout
    )


@dataclass
class SendResult:
    sent: int = 0
    retry: list[int] | None = None
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


def mails_send_claimed(mail_ids: Sequence[int]) -> SendResult:
    """Send rows stored already claimed by this task (`mails_store_claimed`), with the same
    outcomes as `mails_send`. Rows the sweeper has taken back meanwhile are left alone."""
    result = SendResult(retry=[])
    claimed = OutgoingMail.all_centres.filter(pk__in=list(mail_ids), status=OutgoingMail.Status.SENDING, attempts=1)
    _deliver(_with_contents(_drop_unwanted(list(claimed))), result)
    return result


def _deliver(claimed: list[OutgoingMail], result: SendResult) -> None:
    """Hand claimed rows to the ESP: its batch API where Kontakt speaks it, else one message
    each over one kept-alive connection. A row that cannot make a mail fails first, whichever
    the path (see `_unsendable`)."""
    claimed = _fail_unsendable(claimed, result)
    if not claimed:
        return
    if esp_batch.batch_capable():
        _send_batch(claimed, result)
        return
    esp_connection = get_connection()
    with esp_connection:
        for mail in claimed:
            _send_one(mail, esp_connection, result)


def _unsendable(mail: OutgoingMail) -> str:
    """Why this row can never make a mail, or "": a header with a line break (a sender name
    stored before names were single line) ends the header early, so Django refuses the message
    (BadHeaderError) and an ESP's API would refuse it too. Retrying can't help."""
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
    doubtful = [mail for mail in claimed if mail.in_doubt]
    if not doubtful or not esp_batch.lookup_capable():
        return claimed
    found, settled = {}, set()
    for mail in doubtful:
        try:
            message_id = esp_batch.postmark_lookup(mail.pk)
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
    OutgoingMail.all_centres.bulk_update(
        rows, ["status", "sent_at", "esp_message_id", "last_error", "sending_since", "in_doubt"]
    )


def _mark_outcome(mails: list[OutgoingMail], *, status: str, error: str, in_doubt: bool = False) -> None:
    OutgoingMail.all_centres.filter(pk__in=[mail.pk for mail in mails]).update(
        status=status, last_error=error[:2000], sending_since=None, in_doubt=in_doubt
    )


def _send_batch(claimed: list[OutgoingMail], result: SendResult) -> None:
    """Hand the rows to the ESP's batch API and write all outcomes in a few queries."""
    for start in range(0, len(claimed), esp_batch.POSTMARK_BATCH_LIMIT):
        chunk = claimed[start : start + esp_batch.POSTMARK_BATCH_LIMIT]
        outcome = esp_batch.postmark_send_batch(chunk)
        _mark_sent(outcome.sent)
        result.sent += len(outcome.sent)
        by_id = {mail.pk: mail for mail in chunk}
        unsent = [*outcome.failed.items(), *outcome.retry.items()]
        # Rows with the same outcome (a whole batch refused with one error) in one update.
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


def _send_one(mail: OutgoingMail, esp_connection, result: SendResult) -> None:
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
            in_doubt=retry and _maybe_delivered(error),
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


def outbox_requeue_stuck(*, now=None) -> int:
    """Rows left in `sending` by a worker that died go back to `queued` (or `failed` after
    MAX_ATTEMPTS). Returns how many were re-queued."""
    now = now or timezone.now()
    stuck_after = timedelta(seconds=settings.OUTBOX_STUCK_AFTER_SECONDS)
    stuck = OutgoingMail.all_centres.filter(status=OutgoingMail.Status.SENDING, sending_since__lt=now - stuck_after)
    stuck.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=OutgoingMail.Status.FAILED, last_error="The worker stopped while sending.", sending_since=None
    )
    ids = list(stuck.values_list("pk", flat=True))
    # The worker may have died after the ESP took the mail: in doubt, looked up before sending.
    OutgoingMail.all_centres.filter(pk__in=ids).update(
        status=OutgoingMail.Status.QUEUED, sending_since=None, in_doubt=True
    )
    queue_sending(ids)
    return len(ids)


def outbox_flush(*, older_than: timedelta = timedelta(minutes=2), limit: int = 5000) -> int:
    """Safety net: queue send tasks for rows still `queued` after `older_than` (a task lost with a
    broker restart), and the tasks of mail requests still waiting (`mail_requests_requeue`).
    Sending claims rows and handling deletes requests, so what is queued twice is still sent
    once. Returns how many rows and requests were queued."""
    from notifications.mail_requests import mail_requests_requeue

    ids = list(
        OutgoingMail.all_centres.filter(
            status=OutgoingMail.Status.QUEUED, created_at__lt=timezone.now() - older_than
        ).values_list("pk", flat=True)[:limit]
    )
    queue_sending(ids)
    return len(ids) + mail_requests_requeue(older_than=older_than, limit=limit)


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


def mails_anonymise(pks: Sequence[int], *, drop_events: bool = False) -> int:
    """Keep of these mails only their kind, dates and outcome: no address, person, links or
    error text. Text rendered for these mails alone (a portal link, an acknowledgement) is
    emptied; text shared with other mails (a reminder, a newsletter) stays. With `drop_events`,
    the ESP's events about them go too. Returns how many rows were changed."""
    pks, changed = list(pks), 0
    for start in range(0, len(pks), BULK_CHUNK):
        chunk = pks[start : start + BULK_CHUNK]
        mails = OutgoingMail.all_centres.filter(pk__in=chunk)
        contents = set(mails.values_list("content_id", flat=True))
        shared = OutgoingMail.all_centres.filter(content_id__in=contents).exclude(pk__in=chunk)
        own = contents - set(shared.values_list("content_id", flat=True))
        MailContent.all_centres.filter(pk__in=own).update(
            subject="", body_text="", body_html="", headers={}, calendar=""
        )
        if drop_events:
            message_ids = [message_id for message_id in mails.values_list("esp_message_id", flat=True) if message_id]
            WebhookEvent.objects.filter(message_id__in=message_ids).delete()
        # The key held the address: each row gets one of its own (it will never be queued again).
        changed += mails.update(
            person=None,
            recipient="",
            merge_data={},
            last_error="",
            idempotency_key=Concat(Value("erased:"), Cast("pk", output_field=CharField())),
        )
    return changed


def stored_event_id(event_id: str) -> str:
    """How an ESP event's id is stored: as it is, or digested if it holds an e-mail address (it
    still tells a replayed event, and names no one)."""
    if "@" not in event_id:
        return event_id[:200]
    return "sha256:" + hashlib.sha256(event_id.strip().lower().encode()).hexdigest()


@transaction.atomic
def webhook_event_record(*, esp: str, event_id: str, event_type: str, message_id: str, recipient: str) -> bool:
    """Apply one ESP tracking event once: note the delivery on the mail, and suppress the address
    for the mail's centre after a hard bounce, a complaint or an unsubscribe. Returns False for an
    event seen before (ESPs redeliver webhooks)."""
    # Without the ESP's own id, the event is known by what it says.
    event_id = stored_event_id(event_id or f"{message_id}:{event_type}:{recipient}")
    try:
        with transaction.atomic():
            WebhookEvent.objects.create(esp=esp, event_id=event_id, event_type=event_type, message_id=message_id)
    except IntegrityError:
        return False
    if event_type not in DELIVERY_EVENTS or not message_id:
        return True
    mails = list(OutgoingMail.all_centres.filter(esp_message_id=message_id))
    OutgoingMail.all_centres.filter(pk__in=[mail.pk for mail in mails]).update(delivery=DELIVERY_EVENTS[event_type])
    if event_type in SUPPRESSING_EVENTS:
        for mail in mails:
            if not mail.recipient or mail.centre_id is None:
                # Anonymised (its person erased): nothing to keep. Of no centre (a password
                # reset): no centre's mail to stop; the delivery above is noted all the same.
                continue
            address = recipient or mail.recipient
            if not is_suppressed(centre_id=mail.centre_id, email=address):
                SuppressedAddress.all_centres.create(
                    centre_id=mail.centre_id, email=address.lower(), reason=SUPPRESSING_EVENTS[event_type]
                )
    return True
