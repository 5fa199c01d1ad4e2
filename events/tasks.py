"""events' periodic job: the reminders before events (hourly, from the beat schedule)."""

from celery import shared_task

from centres.scoping import all_centres_scope
from events.services.reminders import event_reminders_queue


@shared_task(name="events.reminders")
def event_reminders() -> int:
    """Queue the reminders of events in the next day; idempotent."""
    with all_centres_scope():
        return event_reminders_queue()
