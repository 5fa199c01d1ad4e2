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
    if result.retry:
        from notifications.models import OutgoingMail

        attempts = max(OutgoingMail.all_centres.filter(pk__in=result.retry).values_list("attempts", flat=True))
        delays = settings.OUTBOX_RETRY_DELAYS
        delay = delays[min(attempts, len(delays)) - 1]
        send_mails.apply_async((result.retry,), countdown=delay)
    return {"sent": result.sent, "retry": len(result.retry or []), "failed": result.failed}


@shared_task(name="notifications.flush_outbox")
def flush_outbox() -> int:
    """Periodic: re-queue send tasks for rows that have waited too long (a lost task)."""
    with all_centres_scope():
        return services.outbox_flush()


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
