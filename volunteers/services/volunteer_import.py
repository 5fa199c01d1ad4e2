"""Volunteers who come with a centre that moves in (imports' "volunteers" file). A volunteer with
proof of consent (its date, source and text: often the signed agreement) is taken in at the
status the file gives, walked there through the pipeline's own rules (a screening date, a
training record, a signed confidentiality agreement); one without proof comes in as an applicant
and nothing more is assumed. Either way the address is confirmed by its owner, by the link of a
sign-up's mail, before the portal opens for it; someone who withdrew their consent is refused."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from centres.models import AuditLogEntry, Centre, ConsentRecord, Person
from centres.services.audit import audit_record
from centres.services.consents import consent_record
from centres.services.people import person_create
from config.errors import DomainError
from volunteers.models import TrainingRecord, Volunteer
from volunteers.services.pipeline import training_record_add, volunteer_transition
from volunteers.services.signup import volunteer_signup

Status = Volunteer.Status
# The way from applicant to each status, one allowed step at a time.
PATH = {
    Status.APPLICANT: [],
    Status.SCREENED: [Status.SCREENED],
    Status.TRAINED: [Status.SCREENED, Status.TRAINED],
    Status.ACTIVE: [Status.SCREENED, Status.TRAINED, Status.ACTIVE],
    Status.PAUSED: [Status.SCREENED, Status.TRAINED, Status.ACTIVE, Status.PAUSED],
    Status.RETIRED: [Status.RETIRED],
}


@dataclass
class VolunteerRow:
    name: str
    email: str
    phone: str
    language: str
    languages: list[str]
    status: str
    screened_on: date | None
    confidentiality_signed_on: date | None
    course: str
    completed_on: date | None
    consent: tuple[Any, str, str] | None


def _training(actor: AbstractBaseUser | None, volunteer: Volunteer, row: VolunteerRow) -> bool:
    if not row.course or row.completed_on is None:
        return False
    if TrainingRecord.objects.filter(volunteer=volunteer, course__iexact=row.course).exists():
        return False
    training_record_add(actor=actor, volunteer=volunteer, course=row.course, completed_on=row.completed_on)
    return True


@transaction.atomic
def volunteer_import(*, actor: AbstractBaseUser | None, centre: Centre, row: VolunteerRow) -> str:
    """Returns "created", "changed" (a training record added to a volunteer known already) or
    "unchanged". A status the pipeline does not allow from here is refused with its reason."""
    person = Person.objects.filter(centre=centre, email__iexact=row.email).first()
    volunteer = Volunteer.objects.filter(person=person).first() if person else None
    if (
        person is not None
        and ConsentRecord.objects.filter(
            person=person, purpose=ConsentRecord.Purpose.VOLUNTEERING, withdrawn_at__isnull=False
        ).exists()
    ):
        raise DomainError(_("This person withdrew their consent; only they can give it again."))
    if volunteer is not None:
        if volunteer.status != row.status:
            raise DomainError(_("This volunteer is known here with another status; change it in the workspace."))
        return "changed" if _training(actor, volunteer, row) else "unchanged"
    if row.consent is None:
        if row.status != Status.APPLICANT:
            raise DomainError(
                _(
                    "A status beyond applicant needs the volunteer's consent (its date, source and text); "
                    "without it, import them as an applicant and they are asked by mail."
                )
            )
        volunteer_signup(
            centre=centre, email=row.email, name=row.name, language=row.language or centre.default_language,
            languages=row.languages, topics=[], weekdays=[], daytime=False, evening=False, phone=row.phone,
        )  # fmt: skip
        return "created"
    if person is None:
        person = person_create(
            actor=actor, centre=centre, display_name=row.name, email=row.email, phone=row.phone, language=row.language
        )
    given_at, source, text_version = row.consent
    consent_record(
        actor=actor,
        person=person,
        purpose=ConsentRecord.Purpose.VOLUNTEERING,
        text_version=text_version,
        source=source,
        given_at=given_at,
    )
    volunteer = Volunteer.objects.create(centre=centre, person=person, languages=sorted(set(row.languages)))
    audit_record(actor=actor, centre=centre, action=AuditLogEntry.Action.CREATE, obj=volunteer)
    _training(actor, volunteer, row)
    for step in PATH[Status(row.status)]:
        volunteer_transition(
            actor=actor,
            volunteer=volunteer,
            to=step,
            screened_on=row.screened_on if step == Status.SCREENED else None,
            confidentiality_signed_on=row.confidentiality_signed_on if step == Status.ACTIVE else None,
        )
    # The address is the centre's word, not yet the volunteer's: the portal opens once they
    # confirm it by the link, as after a sign-up.
    volunteer_signup(
        centre=centre, email=row.email, name=row.name, language=row.language or centre.default_language,
        languages=row.languages, topics=[], weekdays=[], daytime=False, evening=False, phone=row.phone,
    )  # fmt: skip
    return "created"
