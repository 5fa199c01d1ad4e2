"""The reminder before an event, to everyone holding a place, once, about a day ahead; and what is
kept after it: names and addresses go some weeks after the event, the counts stay."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from centres.services.retention import UNCONFIRMED_KEPT, RetentionRun
from events.models import Registration
from events.services.mail import registration_mail
from notifications.models import OutgoingMail

REMIND_AHEAD = timedelta(hours=24)
# Attendance is recorded and questions answered in the weeks after an event; then the people go.
KEPT_AFTER_EVENT = timedelta(days=30)


def event_reminders_queue(now: datetime | None = None) -> int:
    """Queue the reminders of the events that begin within REMIND_AHEAD. Idempotent: each
    registration is reminded once (and the outbox refuses a second mail with the same key)."""
    now = now or timezone.now()
    due = Registration.objects.filter(
        status=Registration.Status.CONFIRMED,
        reminded_at__isnull=True,
        event__meeting__status="scheduled",
        event__meeting__starts_at__gt=now,
        event__meeting__starts_at__lte=now + REMIND_AHEAD,
    ).select_related("event__centre", "event__meeting__room__location", "person")
    queued = 0
    for registration in due:
        with transaction.atomic():
            registration_mail(
                registration,
                "reminder",
                obj=f"event-reminder-{registration.pk}-{registration.event.meeting.sequence}",
                kind=OutgoingMail.Kind.REMINDER,
            )
            Registration.objects.filter(pk=registration.pk).update(reminded_at=now)
        queued += 1
    return queued


def registration_retention(run: RetentionRun) -> None:
    """A centre's retention step: registrations of events over for KEPT_AFTER_EVENT lose their
    name, address and person (status and attendance stay for the counts); registrations never
    confirmed go after UNCONFIRMED_KEPT."""
    over = Registration.objects.filter(
        centre=run.centre, anonymised_at__isnull=True, event__meeting__ends_at__lt=run.now - KEPT_AFTER_EVENT
    )
    run.removed.registrations += over.update(name="", email="", person=None, anonymised_at=run.now)
    unconfirmed = Registration.objects.filter(
        centre=run.centre, status=Registration.Status.PENDING, created_at__lt=run.now - UNCONFIRMED_KEPT
    )
    run.removed.registrations += unconfirmed.delete()[0]
