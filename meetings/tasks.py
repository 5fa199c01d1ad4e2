"""Celery tasks of the meetings app: thin wrappers that take ids and call a service."""

import logging

from celery import shared_task

from centres.models import Centre
from centres.scoping import all_centres_scope, centre_scope
from meetings.caching import prune_changes
from meetings.services.series import horizon_extend

logger = logging.getLogger(__name__)


@shared_task(name="meetings.extend_horizon_all")
def extend_horizon_all() -> None:
    """Periodic: queue the horizon extension of every centre, one task each."""
    for centre_id in Centre.all_centres.values_list("id", flat=True):
        extend_horizon.delay(centre_id)


@shared_task(name="meetings.extend_horizon", acks_late=True)
def extend_horizon(centre_id: int) -> None:
    """Materialise the centre's series up to the rolling horizon. Idempotent."""
    centre = Centre.all_centres.filter(pk=centre_id).first()
    if centre is None:
        return
    with centre_scope(centre.pk):
        result = horizon_extend(centre=centre)
    prune_changes(centre.pk)  # nightly: the calendar cache needs only the newest change row
    logger.info(
        "horizon extended centre=%s series=%s meetings=%s clashes=%s",
        centre_id,
        result.series,
        result.created,
        result.clashes,
    )


@shared_task(name="meetings.intake_daily")
def intake_daily() -> dict[str, int]:
    """Daily: anonymise finished enquiries past their centre's retention period, delete those
    whose address never confirmed them, and tell coordinators which waiting lists could found a
    group."""
    from meetings.intake.services import (
        enquiries_anonymise_due,
        enquiries_unconfirmed_delete,
        founding_suggestions_notify,
    )

    with all_centres_scope():
        return {
            "anonymised": enquiries_anonymise_due(),
            "unconfirmed_deleted": enquiries_unconfirmed_delete(),
            "founding_mails": founding_suggestions_notify(),
        }
