"""Celery tasks of intake: thin wrappers that open their scope and call a service."""

from celery import shared_task

from centres.scoping import all_centres_scope
from intake.services.founding import founding_suggestions_notify
from intake.services.offers import place_offers_expire
from intake.services.retention import enquiries_anonymise_due, enquiries_unconfirmed_delete


# The name is the one the task had when intake lived inside meetings: queued messages and the
# beat schedule (config.celery) name it, so it stays.
@shared_task(name="meetings.intake_daily")
def intake_daily() -> dict[str, int]:
    """Daily: anonymise finished enquiries past their centre's retention period, delete those
    whose address never confirmed them, and tell coordinators which waiting lists could found a
    group. Every centre's, so across centres."""
    with all_centres_scope():
        return {
            "anonymised": enquiries_anonymise_due(),
            "unconfirmed_deleted": enquiries_unconfirmed_delete(),
            "founding_mails": founding_suggestions_notify(),
        }


@shared_task(name="intake.place_offers_expire")
def place_offers_expire_task() -> int:
    """Hourly: open place offers past their seven days expire; each place goes to the next."""
    return place_offers_expire()
