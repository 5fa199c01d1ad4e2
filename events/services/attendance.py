"""Who came: recorded by a coordinator once the event has begun, for those who held a place.
A volunteer who attended a volunteer training gets it in their training record (and loses it
again if the tick was a mistake)."""

from collections.abc import Mapping
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centres.models import AuditLogEntry
from centres.services.audit import audit_record
from config.errors import ConflictError
from events.models import Event, Registration
from events.selectors import event_lock
from meetings.models import Meeting
from volunteers.models import TrainingRecord, Volunteer


def _training_record(event: Event, registration: Registration) -> None:
    """Keep the volunteer's training record in step with the tick."""
    volunteer = (
        Volunteer.objects.filter(centre=event.centre, person_id=registration.person_id).first()
        if registration.person_id
        else None
    )
    if registration.attended and volunteer is not None and registration.training_record_id is None:
        day = timezone.localtime(event.meeting.starts_at, ZoneInfo(event.centre.time_zone)).date()
        record = TrainingRecord.objects.create(
            centre=event.centre, volunteer=volunteer, course=event.title, completed_on=day
        )
        registration.training_record = record
        registration.save(update_fields=["training_record"])
    elif not registration.attended and registration.training_record_id is not None:
        record_id = registration.training_record_id
        registration.training_record = None
        registration.save(update_fields=["training_record"])
        TrainingRecord.objects.filter(pk=record_id).delete()


@transaction.atomic
def attendance_record(*, actor: AbstractBaseUser | None, event: Event, attended: Mapping[int, bool | None]) -> int:
    """Record who came (True), who did not (False) and who is not known (None), by registration
    id, for registrations that held a place. Returns how many changed."""
    event = event_lock(event.pk)
    if event.meeting.starts_at > timezone.now():
        raise ConflictError(_("Attendance is recorded once the event has begun."))
    if event.meeting.status == Meeting.Status.CANCELLED:
        raise ConflictError(_("The event was cancelled: nobody came."))
    registrations = Registration.objects.select_for_update().filter(
        event=event, status=Registration.Status.CONFIRMED, pk__in=list(attended)
    )
    changed = 0
    for registration in registrations:
        value = attended[registration.pk]
        if registration.attended == value:
            continue
        registration.attended = value
        registration.save(update_fields=["attended"])
        if event.kind == Event.Kind.VOLUNTEER_TRAINING:
            _training_record(event, registration)
        changed += 1
    if changed:
        audit_record(
            actor=actor,
            centre=event.centre,
            action=AuditLogEntry.Action.UPDATE,
            obj=event,
            changed_fields=["attendance"],
        )
    return changed
