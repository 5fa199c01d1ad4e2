"""What volunteers holds of a person, and how long: registered with centres' privacy and
retention in `VolunteersConfig.ready`.

- Erasure (`volunteering_erase`): motivation, availability, trainings, requests and the portal
  login if it serves no one else go. A volunteer who started groups keeps an anonymous record,
  its open assignments ended, so the hours reported to funders still add up and the groups get a
  new starter; otherwise the record goes.
- Retention: answered starter requests after the former-members period; retired volunteers after
  `volunteer_retention_months`, and sign-ups never confirmed after UNCONFIRMED_KEPT, are erased
  (the whole person if the centre has nothing else for them).
"""

from django.db.models import Q
from django.utils import timezone

from centres.models import Person
from centres.services.privacy import (
    Actor,
    PersonRecords,
    login_erase_unless_used,
    person_erase,
    person_records_register,
    still_known,
)
from centres.services.retention import UNCONFIRMED_KEPT, RetentionRun, erase_one, retention_steps_register
from volunteers.models import StarterAssignment, StarterRequest, TrainingRecord, Volunteer

# An applicant whose address was never confirmed: a coordinator who screened them took them on.
UNCONFIRMED_VOLUNTEER = Q(status=Volunteer.Status.APPLICANT, email_confirmed_at__isnull=True)


def volunteering_erase(*, actor: Actor, volunteer: Volunteer) -> bool:
    """Erase what a person's volunteering holds (retention of a retired volunteer who is still
    a member, say, or part of `person_erase`). Returns True if the record is gone."""
    login = volunteer.user
    TrainingRecord.objects.filter(volunteer=volunteer).delete()
    StarterRequest.objects.filter(volunteer=volunteer).delete()
    assignments = StarterAssignment.objects.filter(volunteer=volunteer)
    kept = assignments.exists()
    if kept:
        assignments.exclude(status=StarterAssignment.Status.ENDED).update(
            status=StarterAssignment.Status.ENDED, ended_on=timezone.localdate()
        )
        volunteer.status, volunteer.user, volunteer.motivation = Volunteer.Status.RETIRED, None, ""
        volunteer.languages, volunteer.weekdays, volunteer.email_confirmed_at = [], [], None
        # The record keeps no date of its own, so retention does not find it again.
        volunteer.screened_on = volunteer.confidentiality_signed_on = volunteer.status_changed_at = None
        volunteer.save()
        volunteer.topics.clear()
    else:
        Volunteer.objects.filter(pk=volunteer.pk).delete()
    login_erase_unless_used(login)
    return not kept


def person_volunteering_erase(person: Person, actor: Actor) -> bool:
    volunteer = Volunteer.objects.filter(person_id=person.pk).first()
    return volunteer is not None and not volunteering_erase(actor=actor, volunteer=volunteer)


def request_retention(run: RetentionRun) -> None:
    left_cutoff = run.cutoff(run.centre.former_member_retention_months)
    answered = StarterRequest.objects.filter(centre=run.centre, created_at__lt=left_cutoff).exclude(
        status=StarterRequest.Status.PENDING
    )
    run.removed.requests += answered.delete()[0]


def volunteer_retention(run: RetentionRun) -> None:
    """Retired volunteers after the centre's period, then sign-ups never confirmed: their
    volunteering goes, and the person too if the centre has nothing else for them (a member of a
    group keeps their membership). An erased record keeps no date of its own, so it is not found
    again."""
    retired = Volunteer.objects.filter(
        centre=run.centre,
        status=Volunteer.Status.RETIRED,
        status_changed_at__lt=run.cutoff(run.centre.volunteer_retention_months),
    )
    for volunteer_id in retired.values_list("pk", flat=True):
        run.removed.volunteers += erase_one(_retired_volunteer_erase, volunteer_id)
    unconfirmed = Volunteer.objects.filter(
        UNCONFIRMED_VOLUNTEER, centre=run.centre, created_at__lt=run.now - UNCONFIRMED_KEPT
    )
    for volunteer_id in unconfirmed.values_list("pk", flat=True):
        run.removed.volunteers += erase_one(_unconfirmed_volunteer_erase, volunteer_id)


def _retired_volunteer_erase(volunteer_id: int) -> int:
    volunteer = Volunteer.objects.select_for_update(of=("self",)).filter(pk=volunteer_id).first()
    if volunteer is None or volunteer.status_changed_at is None:
        return 0
    return _volunteering_or_person_erase(volunteer)


def _unconfirmed_volunteer_erase(volunteer_id: int) -> int:
    # Checked again under the lock: a confirmation clicked meanwhile keeps the volunteer.
    volunteer = Volunteer.objects.select_for_update(of=("self",)).filter(UNCONFIRMED_VOLUNTEER, pk=volunteer_id).first()
    if volunteer is None:
        return 0
    return _volunteering_or_person_erase(volunteer)


def _volunteering_or_person_erase(volunteer: Volunteer) -> int:
    """Only the volunteering of a person the centre still knows otherwise; the whole person else."""
    if Person.objects.filter(still_known(volunteering=False), pk=volunteer.person_id).exists():
        volunteering_erase(actor=None, volunteer=volunteer)
    else:
        person_erase(actor=None, person=volunteer.person)
    return 1


def register() -> None:
    person_records_register(
        PersonRecords(
            app="volunteers",
            order=50,
            models=("volunteers.Volunteer",),
            known_by=("volunteers.Volunteer",),
            volunteering=True,
            erase=person_volunteering_erase,
        )
    )
    retention_steps_register(app="volunteers", order=40, bulk=request_retention, erasures=volunteer_retention)
