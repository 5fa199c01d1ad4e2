"""The Celery application. Workers and beat start with `celery -A config worker|beat`."""

import logging
import os
from typing import Any

from celery import Celery, signals
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("kontakt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic job of the platform, each idempotent so that a second beat or a re-run is
# harmless. The feature issues add their jobs here, one line and one comment each.
app.conf.beat_schedule = {
    # Beat's heartbeat: its recorded success tells /readyz/ and the metrics that beat and a worker run.
    "heartbeat": {"task": "centres.heartbeat", "schedule": 60.0},
    # Rebuild the public directory of centres whose calendar changed or whose listings aged; idempotent.
    "directory-refresh": {"task": "meetings.directory_refresh", "schedule": crontab(minute="*/5")},
    # Materialise every series up to the rolling horizon (MEETING_HORIZON_WEEKS); a re-run adds nothing.
    "extend-meeting-horizon": {"task": "meetings.extend_horizon_all", "schedule": crontab(hour=2, minute=30)},
    # Queue the meeting reminders that are due; stored once per meeting and member, so idempotent.
    "queue-due-reminders": {"task": "notifications.queue_due_reminders", "schedule": 120.0},
    # Safety net for send tasks lost with a broker restart; rows are claimed, so never sent twice.
    "flush-outbox": {"task": "notifications.flush_outbox", "schedule": 60.0},
    # Start or continue newsletter issues that are due; rows are made once per subscriber.
    "send-due-newsletters": {"task": "notifications.send_due_newsletters", "schedule": 60.0},
    # Rows a dead worker left in "sending" go back to the queue (or fail after 8 attempts).
    "requeue-stuck-mail": {"task": "notifications.requeue_stuck", "schedule": 300.0},
    # Tell coordinators which groups are ready for phase-out; one mail a day each, so idempotent.
    "phase-outs-due": {"task": "volunteers.notify_phase_outs_due", "schedule": crontab(hour=7, minute=0)},
    # Raise recruitment needs and ask matching volunteers for waiting groups; a round at most
    # every three days per group, so a second run the same day sends nothing.
    "recruit-starters": {"task": "volunteers.recruit", "schedule": crontab(hour=7, minute=15)},
    # Ask self-run groups' contact persons "Still meeting?" where due; one open question per group.
    "still-meeting": {"task": "meetings.still_meeting_checks", "schedule": crontab(hour=7, minute=30)},
    # The anonymous evaluation six months after a phase-out, where a centre has it on; once per group.
    "evaluations-due": {"task": "meetings.evaluations_due", "schedule": crontab(hour=7, minute=45)},
    # Place offers nobody answered in seven days expire, and the place goes to the next waiting.
    "place-offers-expire": {"task": "intake.place_offers_expire", "schedule": crontab(minute=20)},
    # The reminders of events in the next day; each registration is reminded once.
    "event-reminders": {"task": "events.reminders", "schedule": crontab(minute=10)},
    # Retention of finished enquiries, and "enough people wait to found a group" mails (once a day).
    "intake-daily": {"task": "meetings.intake_daily", "schedule": crontab(hour=3, minute=30)},
    # The templates Amazon SES batches were sent with, after three days (nothing on other ESPs).
    "prune-esp-templates": {"task": "notifications.prune_esp_templates", "schedule": crontab(hour=4, minute=15)},
    # Every other kind of personal data past its centre's retention period; a re-run finds nothing.
    "apply-retention": {"task": "centres.apply_retention", "schedule": crontab(hour=3, minute=45)},
}


def _prepare_filesystem_broker() -> None:
    """The filesystem transport expects its folders to exist before the first message."""
    from django.conf import settings

    if app.conf.broker_url.startswith("filesystem://"):
        (settings.BROKER_FOLDER / "control").mkdir(parents=True, exist_ok=True)


@app.on_after_configure.connect
def _on_after_configure(sender: Celery, **kwargs: object) -> None:
    _prepare_filesystem_broker()


# No secret in a worker's log (config/log_filters.py). Tasks take ids, but the argument text a
# message carries is shown by the worker's log records, events and monitors: it is masked when
# sent. The handlers Celery adds itself (the task logger's) get the mask filter Django's have.
@signals.before_task_publish.connect
def _mask_task_arguments(headers: dict | None = None, **kwargs: object) -> None:
    from config.log_filters import mask_secrets

    for key in ("argsrepr", "kwargsrepr"):
        if headers and isinstance(headers.get(key), str):
            headers[key] = mask_secrets(headers[key])


@signals.before_task_publish.connect
def _carry_request_id(headers: dict | None = None, **kwargs: object) -> None:
    """A task queued while a request is answered logs with that request's id."""
    from config.request_id import HEADER, REQUEST_ID

    if headers is not None and REQUEST_ID.get() != "-":
        headers.setdefault(HEADER, REQUEST_ID.get())


@signals.task_prerun.connect
def _take_request_id(task: Any = None, **kwargs: object) -> None:
    from config.request_id import HEADER, REQUEST_ID, WELL_FORMED

    sent = getattr(task.request, HEADER, None) if task is not None else None
    REQUEST_ID.set(sent if isinstance(sent, str) and WELL_FORMED.fullmatch(sent) else "-")


@signals.task_postrun.connect
def _drop_request_id(**kwargs: object) -> None:
    from config.request_id import REQUEST_ID

    REQUEST_ID.set("-")


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _mask_celery_log_handlers(logger: logging.Logger, **kwargs: object) -> None:
    from config.log_filters import MaskSecretsFilter
    from config.request_id import RequestIdFilter

    for handler in logger.handlers:
        if not any(isinstance(existing, MaskSecretsFilter) for existing in handler.filters):
            handler.addFilter(MaskSecretsFilter())
        if not any(isinstance(existing, RequestIdFilter) for existing in handler.filters):
            handler.addFilter(RequestIdFilter())
