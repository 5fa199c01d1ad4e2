"""The outbox: the one way the platform sends e-mail.

`mail_render` renders an app's mail template folder (`<app>/mail/<name>/`) in the recipient's
language; `mail_queue` stores one mail as a row and queues its sending after the transaction
commits; `mails_queue_bulk` and `mails_store_claimed` store many rows that share one rendered
`MailContent`. `outbox_flush` is the safety net for send tasks lost with the broker;
`mails_anonymise` keeps of a mail only its kind, dates and outcome. Sending itself:
`notifications.services.sending`."""

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import psycopg
from celery import Task
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, Value
from django.db.models.base import ModelState
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as KombuOperationalError

from centres.models import Centre, ConsentRecord, Person
from centres.selectors import withdrawn_among
from config.errors import ConflictError
from notifications import postmark
from notifications.batches import batch_limit
from notifications.models import MailContent, OutgoingMail, SuppressedAddress, WebhookEvent
from notifications.selectors import is_suppressed, suppressed_among
from notifications.services.mail_requests import mail_requests_requeue
from notifications.sms import SMS_LINK, sms_fit

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def mail_render(*, template: str, language: str, context: dict[str, Any], time_zone: str | None = None) -> RenderedMail:
    """Render the mail template folder `template`, "<app>/mail/<name>" (its subject.txt,
    body.txt and body.html, under the app that sends the mail), in `language`, with dates and
    times in `time_zone` (the centre's)."""
    with translation.override(language), timezone.override(time_zone or settings.TIME_ZONE):
        subject = " ".join(render_to_string(f"{template}/subject.txt", context).split())
        text = render_to_string(f"{template}/body.txt", context).strip() + "\n"
        html = render_to_string(f"{template}/body.html", context)
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


def mail_content_create(
    *,
    centre: Centre | None,
    language: str,
    rendered: RenderedMail,
    headers: dict[str, str] | None = None,
    calendar: str = "",
) -> MailContent:
    """Store what many mails share (see MailContent). Writes one row."""
    return MailContent.objects.create(
        centre=centre,
        language=language,
        from_email=sender_for(centre),
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        headers=headers or {},
        calendar=calendar,
    )


# Characters a member's link may grow by with a longer membership id (eight more digits).
LINK_ROOM = 12


def sms_sender_for(centre: Centre | None) -> str:
    """The sender ID a centre's texts show."""
    return (centre.sms_sender if centre is not None else "") or settings.SMS_SENDER


def sms_content_create(
    *, centre: Centre, language: str, template: str, context: dict[str, Any], link: str, named: bool
) -> MailContent:
    """Store a text shared by many rows: `template` ("<app>/sms/<name>.txt") rendered in
    `language` at the fullest `detail` (2: the group's name and place, 1: its name, 0: neither)
    that still fits one segment with a link as long as `link` (each row's own link is its merge
    data). Where not `named` (a discreet group) only detail 0. Writes one row."""

    def render(detail: int) -> str:
        with translation.override(language), timezone.override(centre.time_zone):
            text = render_to_string(template, {**context, "detail": detail, "link": SMS_LINK})
        return " ".join(text.split())

    variants = [render(2), render(1), render(0)] if named else [render(0)]
    return MailContent.objects.create(
        centre=centre,
        language=language,
        from_email=sms_sender_for(centre),
        subject="",
        # Each row's link is as long as `link` or, for a membership with a longer id, a little
        # longer: measured with room to spare, every row's text fits.
        body_text=sms_fit(variants, link=link + "x" * LINK_ROOM),
    )


def mail_queue(
    *,
    centre: Centre | None,
    kind: str,
    obj: str,
    recipient: str,
    language: str,
    template: str,
    context: dict[str, Any],
    person: Person | None = None,
    calendar: str = "",
    headers: dict[str, str] | None = None,
    merge_data: dict[str, str] | None = None,
    sensitive: bool = False,
) -> OutgoingMail | None:
    """Store one mail and queue it for sending after the current transaction commits.

    Returns the new row, or None when a mail with the same idempotency key exists already.
    A suppressed address gets a row with status `suppressed` and is never sent to. `centre`
    None makes a mail of the platform, which no centre's staff see; `sensitive` marks a mail
    whose link acts for its recipient (login, reset, confirmation): staff never see its content."""
    key = idempotency_key(kind, obj, recipient)
    if OutgoingMail.objects.filter(idempotency_key=key).exists():
        return None
    time_zone = centre.time_zone if centre is not None else None
    rendered = mail_render(template=template, language=language, context=context, time_zone=time_zone)
    try:
        with transaction.atomic():
            content = mail_content_create(
                centre=centre, language=language, rendered=rendered, headers=headers, calendar=calendar
            )
            mail = OutgoingMail.objects.create(
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
                    or (person is not None and withdrawn_among({consent_pair(person.pk, kind)}))
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
    merge_data: dict[str, str] | None = None
    newsletter_issue_id: int | None = None
    channel: str = OutgoingMail.Channel.EMAIL


BULK_CHUNK = 1000


def mails_queue_bulk(mails: Sequence[NewMail]) -> int:
    """Store many rows at once (reminders, notices), skipping idempotency keys already stored
    and marking suppressed addresses, and queue the new rows for sending after commit. Returns
    how many rows were new."""
    made = 0
    for start in range(0, len(mails), BULK_CHUNK):
        stored = _store_chunk(mails[start : start + BULK_CHUNK])
        queue_sending([pk for pk, status, _key in stored if status == OutgoingMail.Status.QUEUED])
        made += len(stored)
    return made


def mails_store_claimed(mails: Sequence[NewMail]) -> list[OutgoingMail]:
    """Like `mails_queue_bulk`, for a task that sends the rows itself right after its transaction
    commits: the rows are stored already claimed (`sending`, first attempt), which saves claiming
    them, and come back as they are stored, so that sending need not read them again. Send them
    with `mails_send_claimed`; if the task dies first, the sweeper takes them back like any row a
    dead worker left. Returns the new rows to send."""
    claimed: list[OutgoingMail] = []
    for start in range(0, len(mails), BULK_CHUNK):
        chunk = mails[start : start + BULK_CHUNK]
        by_key = {mail.key: mail for mail in chunk}
        now = timezone.now()
        for pk, status, key in _store_chunk(chunk, claimed=True, now=now):
            if status == OutgoingMail.Status.SENDING:
                claimed.append(_stored_row(pk, by_key[key], now))
    return claimed


def _stored_row(pk: int, mail: NewMail, now: datetime) -> OutgoingMail:
    """The row as `mails_store_claimed` stored it, without reading it back. Made from the
    instance's fields directly: Django's model __init__ would cost six times as much, which at
    a newsletter's 100,000 rows is a tenth of the worker's time."""
    row = OutgoingMail.__new__(OutgoingMail)
    row._state = ModelState()
    row._state.adding, row._state.db = False, "default"
    row.__dict__.update(
        id=pk,
        centre_id=mail.centre_id,
        kind=mail.kind,
        channel=mail.channel,
        sensitive=False,
        idempotency_key=mail.key,
        person_id=mail.person_id,
        recipient=mail.recipient.strip(),
        language=mail.language,
        content_id=mail.content_id,
        merge_data=mail.merge_data or {},
        status=OutgoingMail.Status.SENDING,
        attempts=1,
        in_doubt=False,
        last_error="",
        esp_message_id="",
        delivery="",
        newsletter_issue_id=mail.newsletter_issue_id,
        created_at=now,
        sending_since=now,
        sent_at=None,
    )
    return row


def _store_chunk(
    mails: Sequence[NewMail], *, claimed: bool = False, now: datetime | None = None
) -> list[tuple[int, str, str]]:
    """Store the rows whose key is new, made at `now`; returns (id, status, idempotency key) of each."""
    withdrawn = withdrawn_pairs({consent_pair(mail.person_id, mail.kind) for mail in mails})
    if withdrawn:
        mails = [mail for mail in mails if consent_pair(mail.person_id, mail.kind) not in withdrawn]
    if not mails:
        return []
    now = now or timezone.now()
    if connection.vendor == "postgresql":
        return _insert_postgres(mails, now, claimed=claimed)
    return _insert_portable(mails, now, claimed=claimed)


def _insert_postgres(mails: Sequence[NewMail], now: datetime, *, claimed: bool = False) -> list[tuple[int, str, str]]:
    """One statement for the whole chunk: the rows come in as arrays, suppressed addresses are
    marked by a join on the (centre, lower(email)) index, and keys stored already (by an earlier
    run or another beat at the same moment) are skipped by ON CONFLICT."""
    table, suppressed = OutgoingMail._meta.db_table, SuppressedAddress._meta.db_table
    # Only table names from the models are formatted in; every value is a parameter.
    sql = f"""
        INSERT INTO {table} (centre_id, kind, idempotency_key, person_id, recipient, language, content_id,
                             merge_data, newsletter_issue_id, channel, status, attempts, in_doubt, last_error,
                             esp_message_id, delivery, created_at, sending_since)
        SELECT v.centre_id, v.kind, v.key, v.person_id, v.recipient, v.language, v.content_id,
               v.merge_data, v.issue_id, v.channel,
               CASE WHEN EXISTS (SELECT 1 FROM {suppressed} s
                                 WHERE s.centre_id = v.centre_id AND lower(s.email) = lower(v.recipient))
                    THEN 'suppressed' ELSE %s END,
               %s, false, '', '', '', %s, %s
        FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::bigint[], %s::text[], %s::text[], %s::bigint[],
                    %s::jsonb[], %s::bigint[], %s::text[])
             AS v(centre_id, kind, key, person_id, recipient, language, content_id, merge_data, issue_id, channel)
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING id, status, idempotency_key
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
        [mail.channel for mail in mails],
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


def _insert_portable(mails: Sequence[NewMail], now: datetime, *, claimed: bool = False) -> list[tuple[int, str, str]]:
    keys = [mail.key for mail in mails]
    existing = set(OutgoingMail.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
    suppressed = suppressed_among({(mail.centre_id, mail.recipient.strip().lower()) for mail in mails})
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
                channel=mail.channel,
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
    OutgoingMail.objects.bulk_create(fresh, ignore_conflicts=True)
    stored = OutgoingMail.objects.filter(
        idempotency_key__in=[mail.idempotency_key for mail in fresh], created_at__gte=now
    )
    # Made at `now`, as on PostgreSQL (auto_now_add stamped them a moment later).
    stored.update(created_at=now)
    return list(stored.values_list("pk", "status", "idempotency_key"))


# Mail that a consent allows: withdrawn, it is not sent, whenever it was queued.
PURPOSE_OF_KIND: dict[str, str] = {
    OutgoingMail.Kind.REMINDER: ConsentRecord.Purpose.GROUP_MEMBERSHIP,
    OutgoingMail.Kind.CHANGE_NOTICE: ConsentRecord.Purpose.GROUP_MEMBERSHIP,
    OutgoingMail.Kind.EVALUATION: ConsentRecord.Purpose.GROUP_MEMBERSHIP,
    OutgoingMail.Kind.NEWSLETTER: ConsentRecord.Purpose.NEWSLETTER,
}


def consent_pair(person_id: int | None, kind: str) -> tuple[int | None, str | None]:
    """(person, consent purpose) of a mail: what `withdrawn_pairs` looks up."""
    return (person_id, PURPOSE_OF_KIND.get(kind))


def withdrawn_pairs(pairs: set[tuple[int | None, str | None]]) -> set[tuple[int | None, str | None]]:
    """The pairs among `pairs` whose consent is withdrawn: their mail is not sent."""
    return set(withdrawn_among(pairs))


# Mail sent to a list at once, in the `bulk` lane; everything else is mail someone waits for.
BULK_KINDS = frozenset({OutgoingMail.Kind.NEWSLETTER})


def send_batch_size() -> int:
    """Rows per send task: an ESP batch where the ESP takes one (at least 500 rows, which an ESP
    with a smaller limit takes in several requests), else a modest number."""
    if postmark.batch_capable():
        return postmark.POSTMARK_BATCH_LIMIT
    limit = batch_limit()
    return max(limit, 500) if limit else 50


def queue_sending(mail_ids: Iterable[int], *, bulk: bool = False) -> None:
    """Queue send tasks for the rows once the transaction commits, in batches: in the `mail`
    lane, or the `bulk` lane for newsletters (settings.CELERY_TASK_QUEUES)."""
    from notifications.tasks import send_mails

    ids = list(mail_ids)
    size = send_batch_size()
    queue = settings.BULK_QUEUE if bulk else settings.MAIL_QUEUE
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        transaction.on_commit(partial(_send_later, send_mails, batch, queue))


def _send_later(task: Task, batch: list[int], queue: str) -> None:
    """With the broker down, the rows wait in the outbox for the periodic flush, and whoever
    queued them (a page, an API call) still gets their answer."""
    try:
        task.apply_async((batch,), queue=queue)
    except KombuOperationalError:
        logger.warning("broker unreachable; %s mails wait for the outbox flush", len(batch))


@transaction.atomic
def mail_retry(*, mail: OutgoingMail) -> OutgoingMail:
    """Send a failed mail again (a coordinator's "Try again" in the outbox): it goes back to the
    queue and a send task is queued on commit. A row in doubt is first looked up at the ESP when
    it is sent, as always, so it is not delivered twice. Refused (409) for any other status."""
    mail = OutgoingMail.objects.select_for_update().get(pk=mail.pk)
    if mail.status != OutgoingMail.Status.FAILED:
        raise ConflictError(_("Only a failed mail can be sent again."))
    mail.status = OutgoingMail.Status.QUEUED
    mail.save(update_fields=["status"])
    queue_sending([mail.pk])
    return mail


def outbox_flush(*, older_than: timedelta = timedelta(minutes=2), limit: int = 5000) -> int:
    """Safety net: queue send tasks for rows still `queued` after `older_than` (a task lost with a
    broker restart), and the tasks of mail requests still waiting (`mail_requests_requeue`).
    Sending claims rows and handling deletes requests, so what is queued twice is still sent
    once. Returns how many rows and requests were queued."""
    rows = list(
        OutgoingMail.objects.filter(
            status=OutgoingMail.Status.QUEUED, created_at__lt=timezone.now() - older_than
        ).values_list("pk", "kind")[:limit]
    )
    queue_sending([pk for pk, kind in rows if kind not in BULK_KINDS])
    queue_sending([pk for pk, kind in rows if kind in BULK_KINDS], bulk=True)
    return len(rows) + mail_requests_requeue(older_than=older_than, limit=limit)


def mails_anonymise(pks: Sequence[int], *, drop_events: bool = False) -> int:
    """Keep of these mails only their kind, dates and outcome: no address, person, links or
    error text. Text rendered for these mails alone (a portal link, an acknowledgement) is
    emptied; text shared with other mails (a reminder, a newsletter) stays. With `drop_events`,
    the ESP's events about them go too. Returns how many rows were changed."""
    pks, changed = list(pks), 0
    for start in range(0, len(pks), BULK_CHUNK):
        chunk = pks[start : start + BULK_CHUNK]
        mails = OutgoingMail.objects.filter(pk__in=chunk)
        contents = set(mails.values_list("content_id", flat=True))
        shared = OutgoingMail.objects.filter(content_id__in=contents).exclude(pk__in=chunk)
        own = contents - set(shared.values_list("content_id", flat=True))
        MailContent.objects.filter(pk__in=own).update(subject="", body_text="", body_html="", headers={}, calendar="")
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
