"""Celery tasks of the meetings app: thin wrappers that take ids and call a service."""

import logging

from celery import shared_task
from django.utils import timezone

from centres.models import Centre
from centres.scoping import all_centres_scope, centre_scope
from meetings.caching import prune_changes
from meetings.models import Group
from meetings.services.directory import REBUILD_AFTER, directory_refresh_stale
from meetings.services.evaluation import evaluations_six_months_due
from meetings.services.materialise import horizon_extend
from meetings.services.reminders import reminder_centres_due, reminders_queue_due
from meetings.services.still_meeting import still_meeting_checks_start

logger = logging.getLogger(__name__)


@shared_task(name="meetings.directory_refresh")
def directory_refresh() -> None:
    """Periodic: rebuild the public directory of every centre whose calendar changed or whose
    listings are older than a few minutes (places fill, dates move on)."""
    rebuilt = directory_refresh_stale(None, older_than=REBUILD_AFTER)
    logger.info("directory refreshed centres=%s", rebuilt)


@shared_task(name="meetings.extend_horizon_all")
def extend_horizon_all() -> None:
    """Periodic: queue the horizon extension of every centre, one task each."""
    with all_centres_scope():
        centre_ids = list(Centre.objects.values_list("id", flat=True))
    for centre_id in centre_ids:
        extend_horizon.delay(centre_id)


@shared_task(name="meetings.extend_horizon", acks_late=True)
def extend_horizon(centre_id: int) -> None:
    """Materialise the centre's series up to the rolling horizon. Idempotent."""
    with centre_scope(centre_id):
        centre = Centre.objects.filter(pk=centre_id).first()
        if centre is None:
            return
        result = horizon_extend(centre=centre)
    prune_changes(centre.pk)  # nightly: the calendar cache needs only the newest change row
    logger.info(
        "horizon extended centre=%s series=%s meetings=%s clashes=%s",
        centre_id,
        result.series,
        result.created,
        result.clashes,
    )


@shared_task(name="meetings.still_meeting_checks")
def still_meeting_checks() -> int:
    """Daily: ask the contact persons of the self-run groups that are due "Still meeting?". One
    open question per group, so a second run the same day asks nobody."""
    with all_centres_scope():
        centre_ids = list(
            Group.objects.filter(status=Group.Status.SELF_RUN).order_by().values_list("centre_id", flat=True).distinct()
        )
    asked = 0
    for centre_id in centre_ids:
        with centre_scope(centre_id):
            asked += still_meeting_checks_start(centre=Centre.objects.get(pk=centre_id))
    logger.info("still meeting questions asked=%s", asked)
    return asked


@shared_task(name="meetings.evaluations_due")
def evaluations_due() -> int:
    """Daily: ask the members of groups phased out six months ago for the anonymous evaluation
    (where their centre has it on). A round once per group and occasion, so a re-run asks nobody."""
    with all_centres_scope():
        opened = evaluations_six_months_due(today=timezone.localdate())
    logger.info("evaluation rounds opened=%s", opened)
    return opened


# Registered under its old name from when reminders lived in notifications: the beat schedule
# (config/celery.py) and tasks still in the broker at a deploy name it so.
@shared_task(name="notifications.queue_due_reminders")
def queue_due_reminders() -> int:
    """Periodic: queue one task per centre with a meeting close enough for a reminder, so the
    reminders of many centres are stored by as many workers as there are. Returns how many."""
    with all_centres_scope():
        centre_ids = reminder_centres_due()
    for centre_id in centre_ids:
        queue_centre_reminders.delay(centre_id)
    return len(centre_ids)


@shared_task(name="meetings.queue_centre_reminders", acks_late=True)
def queue_centre_reminders(centre_id: int) -> int:
    """Queue the centre's meeting reminders that are due. Idempotent: each is stored once."""
    with centre_scope(centre_id):
        return reminders_queue_due(centre_id=centre_id)
