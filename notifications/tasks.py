"""Celery tasks of the outbox, mail requests and newsletters: thin wrappers that take ids, open
their scope (every centre: the outbox is the platform's) and call a service. The meeting
reminders' task is `meetings.tasks.queue_due_reminders`."""

import logging

from celery import Task, shared_task
from django.conf import settings

from centres.scoping import all_centres_scope
from notifications.batches import ses_templates_prune
from notifications.models import OutgoingMail
from notifications.services.mail_requests import mail_request_handle
from notifications.services.newsletter_issues import issue_chunk_queue, issues_send_due
from notifications.services.outbox import outbox_flush, send_batch_size
from notifications.services.send_minutes import send_minute_add, send_minutes_prune
from notifications.services.sending import SendResult, mails_send, mails_send_claimed, outbox_requeue_stuck

logger = logging.getLogger(__name__)


@shared_task(name="notifications.send_mails", acks_late=True, bind=True)
def send_mails(self: Task, mail_ids: list[int]) -> dict[str, int]:
    """Send the queued rows among `mail_ids`. Safe to run twice: rows are claimed before sending."""
    with all_centres_scope():
        result = mails_send(mail_ids)
        lane = (self.request.delivery_info or {}).get("routing_key")
        _after_sending(result, bulk=lane == settings.BULK_QUEUE)
    return {"sent": result.sent, "retry": len(result.retry or []), "failed": result.failed}


@shared_task(name="notifications.queue_issue_chunk", acks_late=True)
def queue_issue_chunk(chunk_id: int) -> dict[str, int]:
    """Make one chunk of a newsletter issue's rows and send them in the same task (no second
    trip through the broker). Safe to run twice: a chunk is made once, rows are claimed before
    sending; rows this task made but could not send (it died) are taken back by `requeue_stuck`."""
    totals = {"made": 0, "sent": 0, "retry": 0, "failed": 0}
    with all_centres_scope():
        rows = issue_chunk_queue(chunk_id)
        totals["made"] = len(rows)
        size = send_batch_size()
        for start in range(0, len(rows), size):
            result = mails_send_claimed(rows[start : start + size])
            _after_sending(result, bulk=True)
            totals["sent"] += result.sent
            totals["retry"] += len(result.retry or [])
            totals["failed"] += result.failed
    return totals


def _after_sending(result: SendResult, *, bulk: bool) -> None:
    """Count the outcome for the metrics; rows that met a transient ESP error go again after a
    back-off (OUTBOX_RETRY_DELAYS), in the lane they came from."""
    send_minute_add(sent=result.sent, retried=len(result.retry or []), failed=result.failed)
    if result.retry:
        attempts = max(OutgoingMail.objects.filter(pk__in=result.retry).values_list("attempts", flat=True))
        delays = settings.OUTBOX_RETRY_DELAYS
        delay = delays[min(attempts, len(delays)) - 1]
        lane = settings.BULK_QUEUE if bulk else settings.MAIL_QUEUE
        send_mails.apply_async((result.retry,), countdown=delay, queue=lane)


@shared_task(name="notifications.flush_outbox")
def flush_outbox() -> int:
    """Periodic: re-queue the tasks of rows and mail requests that have waited too long (a lost
    task)."""
    with all_centres_scope():
        send_minutes_prune()
        return outbox_flush()


@shared_task(name="notifications.handle_mail_request", acks_late=True)
def handle_mail_request(request_id: int) -> bool:
    """Decide a request from a public page (reset, login link, sign-up, subscription) and queue
    what it leads to. Safe to run twice: the row is locked and deleted when handled."""
    with all_centres_scope():
        return mail_request_handle(request_id=request_id)


@shared_task(name="notifications.requeue_stuck")
def requeue_stuck() -> int:
    """Periodic: rows a dead worker left in `sending` go back to `queued`."""
    with all_centres_scope():
        return outbox_requeue_stuck()


@shared_task(name="notifications.prune_esp_templates")
def prune_esp_templates() -> int:
    """Periodic: the ESP templates Kontakt made for batches and no longer needs (Amazon SES)."""
    return ses_templates_prune()


@shared_task(name="notifications.send_due_newsletters")
def send_due_newsletters() -> int:
    """Periodic: start or continue the newsletter issues whose time has come. Idempotent."""
    with all_centres_scope():
        return issues_send_due()


# Registered under centres' name: tasks of that name may still wait in the broker at a deploy.
@shared_task(name="centres.send_password_reset")
def send_password_reset(user_ids: list[int], language: str | None = None) -> None:
    """Only for tasks queued before reset mails went through the outbox (`MailRequest`), still
    in the broker at a deploy: their mails become outbox rows like any other."""
    from notifications.account_mail import password_reset_mails_queue

    with all_centres_scope():
        password_reset_mails_queue(None, {"user_ids": user_ids, "language": language})
