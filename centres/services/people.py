"""People a centre knows: create, change, erase."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy

from centres.models import AuditLogEntry, Centre, ConsentRecord, Person
from centres.phones import centre_region, sms_number
from centres.services.audit import audit_record

PERSON_EDITABLE_FIELDS = ("display_name", "full_name", "email", "phone", "language")


EMAIL_TAKEN_MESSAGE = gettext_lazy("A person with this e-mail address is already known to this centre.")


def person_email_taken(*, centre: Centre, email: str, exclude_pk: int | None = None) -> bool:
    """Is the address already known to the centre (another person, any letter case)?"""
    if not email:
        return False
    clash = Person.objects.filter(centre=centre, email__iexact=email.strip())
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    return clash.exists()


def _ensure_email_free(*, centre: Centre, email: str, exclude_pk: int | None = None) -> None:
    if person_email_taken(centre=centre, email=email, exclude_pk=exclude_pk):
        raise ValidationError({"email": str(EMAIL_TAKEN_MESSAGE)})


def _save_person(person: Person) -> None:
    person.full_clean(exclude=["centre"], validate_constraints=False)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as error:
        if "person_unique_email_per_centre" not in str(error):
            raise
        # Two writers raced past the check above.
        raise ValidationError({"email": str(EMAIL_TAKEN_MESSAGE)}) from error


@transaction.atomic
def person_create(
    *,
    actor: AbstractBaseUser | None,
    centre: Centre,
    display_name: str,
    full_name: str = "",
    email: str = "",
    phone: str = "",
    language: str = "",
) -> Person:
    """Create a person known to `centre`. Writes the person and an audit entry."""
    person = Person(
        centre=centre,
        display_name=display_name.strip(),
        full_name=full_name.strip(),
        email=email.strip().lower(),
        phone=phone.strip(),
        language=language or centre.default_language,
    )
    _ensure_email_free(centre=centre, email=person.email)
    _save_person(person)
    audit_record(actor=actor, centre=centre, action=AuditLogEntry.Action.CREATE, obj=person)
    return person


@transaction.atomic
def person_update(*, actor: AbstractBaseUser | None, person: Person, **changes: Any) -> Person:
    """Change a person's contact details. Writes the person and an audit entry naming the fields;
    a new phone number ends their consent to texts, which was given for the old one."""
    unknown = set(changes) - set(PERSON_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"person_update cannot change {sorted(unknown)}")
    changed = []
    number_before = _text_number(person)
    for field, value in changes.items():
        value = value.strip() if isinstance(value, str) else value
        if field == "email":
            value = value.lower()
        if getattr(person, field) != value:
            setattr(person, field, value)
            changed.append(field)
    if not changed:
        return person
    if "email" in changed:
        _ensure_email_free(centre=person.centre, email=person.email, exclude_pk=person.pk)
    _save_person(person)
    audit_record(
        actor=actor, centre=person.centre, action=AuditLogEntry.Action.UPDATE, obj=person, changed_fields=changed
    )
    if "phone" in changed and number_before and _text_number(person) != number_before:
        # The consent to texts was given for that number: it ends with it.
        from centres.services.consents import consents_withdraw

        consents_withdraw(actor=actor, person=person, purpose=ConsentRecord.Purpose.SMS)
    return person


def _text_number(person: Person) -> str:
    return sms_number(person.phone, region=centre_region(person.centre))


def person_delete(*, actor: AbstractBaseUser | None, person: Person) -> None:
    """Erase a person (callers allow it to centre admins only): see `privacy.person_erase`."""
    from centres.services.privacy import person_erase

    person_erase(actor=actor, person=person)
