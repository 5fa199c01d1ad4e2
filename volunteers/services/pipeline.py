"""The volunteer pipeline: applicant, screened, trained, active, paused, retired, and the training
records that lead there."""

from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centres.models import AuditLogEntry
from centres.services.audit import audit_record
from config.errors import ConflictError, DomainError
from volunteers.models import TrainingRecord, Volunteer
from volunteers.selectors import volunteer_open_assignments

Status = Volunteer.Status
# The next states of each state (`retired` is for good).
TRANSITIONS: dict[str, set[str]] = {
    Status.APPLICANT: {Status.SCREENED, Status.RETIRED},
    Status.SCREENED: {Status.TRAINED, Status.RETIRED},
    Status.TRAINED: {Status.ACTIVE, Status.RETIRED},
    Status.ACTIVE: {Status.PAUSED, Status.RETIRED},
    Status.PAUSED: {Status.ACTIVE, Status.RETIRED},
    Status.RETIRED: set(),
}


@transaction.atomic
def volunteer_transition(
    *,
    actor: AbstractBaseUser | None,
    volunteer: Volunteer,
    to: str,
    screened_on: date | None = None,
    confidentiality_signed_on: date | None = None,
) -> Volunteer:
    """Move a volunteer along the pipeline. Screening needs the conversation's date, `trained` a
    training record, `active` a signed confidentiality agreement; a volunteer who still starts a
    group cannot be paused or retired. Writes the volunteer and an audit entry."""
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if to not in Status.values:
        raise DomainError(_("Unknown status."), field="to")
    if to not in TRANSITIONS[volunteer.status]:
        raise ConflictError(
            _("A volunteer who is %(current)s cannot become %(to)s.")
            % {"current": Status(volunteer.status).label.lower(), "to": Status(to).label.lower()}
        )
    today = timezone.localdate()
    changed = ["status", "status_changed_at"]
    if to == Status.SCREENED:
        if screened_on is None:
            raise DomainError(_("Give the date of the screening conversation."), field="screened_on")
        if screened_on > today:
            raise DomainError(_("The screening conversation cannot be in the future."), field="screened_on")
        volunteer.screened_on = screened_on
        changed.append("screened_on")
    if to == Status.TRAINED and not TrainingRecord.objects.filter(volunteer=volunteer).exists():
        raise ConflictError(_("Record the training first."))
    if confidentiality_signed_on is not None:
        if confidentiality_signed_on > today:
            raise DomainError(_("The agreement cannot be signed in the future."), field="confidentiality_signed_on")
        volunteer.confidentiality_signed_on = confidentiality_signed_on
        changed.append("confidentiality_signed_on")
    if to == Status.ACTIVE and volunteer.confidentiality_signed_on is None:
        raise DomainError(
            _("A volunteer becomes active only with a signed confidentiality agreement."),
            field="confidentiality_signed_on",
        )
    if to in (Status.PAUSED, Status.RETIRED) and volunteer_open_assignments(volunteer).exists():
        raise ConflictError(_("This volunteer still starts a group: end or hand over the assignment first."))
    volunteer.status, volunteer.status_changed_at = to, timezone.now()
    volunteer.save(update_fields=changed)
    audit_record(
        actor=actor, centre=volunteer.centre, action=AuditLogEntry.Action.UPDATE, obj=volunteer, changed_fields=changed
    )
    return volunteer


@transaction.atomic
def training_record_add(
    *, actor: AbstractBaseUser | None, volunteer: Volunteer, course: str, completed_on: date
) -> TrainingRecord:
    """Record a course the volunteer completed (needed before `trained`). Writes the record and an
    audit entry."""
    if completed_on > timezone.localdate():
        raise DomainError(_("A course cannot be completed in the future."), field="completed_on")
    if not course.strip():
        raise DomainError(_("Name the course."), field="course")
    record = TrainingRecord.objects.create(
        centre_id=volunteer.centre_id, volunteer=volunteer, course=course.strip(), completed_on=completed_on
    )
    audit_record(actor=actor, centre=volunteer.centre, action=AuditLogEntry.Action.CREATE, obj=record)
    return record
