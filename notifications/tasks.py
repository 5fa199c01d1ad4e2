"""Celery tasks of the outbox: thin wrappers that take ids and call a service."""

import logging

from celery import shared_task
from django.conf import settings

from centres.scoping import all_centres_scope
from notifications import services

logger = logging.getLogger(__name__)


@shared_task(name="notifications.send_mails", acks_late=True)
def send_mails(mail_ids: list[int]) -> dict:
    """Send the queued rows among `mail_ids`. Safe to run twice: rows are claimed before sending."""
    with all_centres_scope():
        result = services.mails_send(mail_ids)
    _retry_later(result)
    return {"sent": result.sent, "retry": len(result.retry or []), "failed": result.failed}


@shared_task(name="notifications.queue_issue_chunk", acks_late=True)
def queue_issue_chunk(chunk_id: int) -> dict:
    """Make one chunk of a newsletter issue's rows and send them in the same task (no second
    trip through the broker). Safe to run twice: a chunk is made once, rows are claimed before
    sending; rows this task made but could not send (it died) are taken back by `requeue_stuck`."""
    from notifications.issues import issue_chunk_queue

    totals = {"made": 0, "sent": 0, "retry": 0, "failed": 0}
    with all_centres_scope():
        mail_ids = issue_chunk_queue(chunk_id)
        totals["made"] = len(mail_ids)
        size = services.send_batch_size()
        for start in range(0, len(mail_ids), size):
            result = services.mails_send_claimed(mail_ids[start : start + size])
            _retry_later(result)
            totals["sent"] += result.sent
            totals["retry"] += len(result.retry or [])
            totals["failed"] += result.failed
    return totals


def _retry_later(result: services.SendResult) -> None:
    """Rows that met a transient ESP error go again after a back-off (OUTBOX_RETRY_DELAYS)."""
    if result.retry:
        from notifications.models import OutgoingMail

        attempts = max(OutgoingMail.all_centres.filter(pk__in=result.retry).values_list("attempts", flat=True))
        delays = settings.OUTBOX_RETRY_DELAYS
        delay = delays[min(attempts, len(delays)) - 1]
        send_mails.apply_async((result.retry,), countdown=delay)


@shared_task(name="notifications.flush_outbox")
def flush_outbox() -> int:
    """Periodic: re-queue the tasks of rows and mail requests that have waited too long (a lost
    task)."""
    with all_centres_scope():
        return services.outbox_flush()


@shared_task(name="notifications.handle_mail_request", acks_late=True)
def handle_mail_request(request_id: int) -> bool:
    """Decide a request from a public page (reset, login link, sign-up, subscription) and queue
    what it leads to. Safe to run twice: the row is locked and deleted when handled."""
    from notifications.mail_requests import mail_request_handle

    with all_centres_scope():
        return mail_request_handle(request_id=request_id)


@shared_task(name="notifications.requeue_stuck")
def requeue_stuck() -> int:
    """Periodic: rows a dead worker left in `sending` go back to `queued`."""
    with all_centres_scope():
        return services.outbox_requeue_stuck()


@shared_task(name="notifications.queue_due_reminders")
def queue_due_reminders() -> int:
    """Periodic: queue the meeting reminders that are due. Idempotent."""
    from notifications.reminders import reminders_queue_due

    with all_centres_scope():
        return reminders_queue_due()


@shared_task(name="notifications.send_due_newsletters")
def send_due_newsletters() -> int:
    """Periodic: start or continue the newsletter issues whose time has come. Idempotent."""
    from notifications.issues import issues_send_due

    with all_centres_scope():
        return issues_send_due()
