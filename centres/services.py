"""Writes of centres, staff roles, people and consents. Each service owns its transaction and
writes an audit log entry that names the object, never its personal content."""

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centres.models import AuditLogEntry, Centre, ConsentRecord, Person, StaffRole
from config.errors import ConflictError

LAST_ADMIN_MESSAGE = gettext_lazy("A centre needs at least one centre admin; appoint another one first.")
ROLE_EXISTS_MESSAGE = gettext_lazy("This user already has a role at this centre.")


PERSON_EDITABLE_FIELDS = ("display_name", "full_name", "email", "phone", "language")
CENTRE_EDITABLE_FIELDS = (
    "name",
    "time_zone",
    "default_language",
    "sender_name",
    "sender_email",
    "email",
    "phone",
    "website",
    "street",
    "postal_code",
    "city",
    "country",
    "starter_planned_meetings",
    "starters_needed",
    "founding_group_size",
    "enquiry_retention_months",
    "mail_retention_months",
    "former_member_retention_months",
    "volunteer_retention_months",
    "audit_retention_months",
)


def audit_record(
    *,
    actor: AbstractBaseUser | None,
    centre: Centre,
    action: str,
    obj: models.Model,
    changed_fields: Iterable[str] = (),
) -> AuditLogEntry:
    """Write one audit log line. Field names are kept, values never are."""
    return AuditLogEntry.all_centres.create(
        centre=centre,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        changed_fields=sorted(changed_fields),
    )


EMAIL_TAKEN_MESSAGE = gettext_lazy("A person with this e-mail address is already known to this centre.")


def person_email_taken(*, centre: Centre, email: str, exclude_pk: int | None = None) -> bool:
    """Is the address already known to the centre (another person, any letter case)?"""
    if not email:
        return False
    clash = Person.all_centres.filter(centre=centre, email__iexact=email.strip())
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
    """Change a person's contact details. Writes the person and an audit entry naming the fields."""
    unknown = set(changes) - set(PERSON_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"person_update cannot change {sorted(unknown)}")
    changed = []
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
    return person


def person_delete(*, actor: AbstractBaseUser | None, person: Person) -> None:
    """Erase a person (callers allow it to centre admins only): see `privacy.person_erase`."""
    from centres.privacy import person_erase

    person_erase(actor=actor, person=person)


CONSENT_FUTURE_MESSAGE = gettext_lazy("Consent cannot be given in the future.")


def consent_given_in_future(given_at: datetime | None) -> bool:
    # A few minutes of grace for clocks that run slightly ahead.
    return given_at is not None and given_at > timezone.now() + timedelta(minutes=5)


@transaction.atomic
def consent_record(
    *,
    actor: AbstractBaseUser | None,
    person: Person,
    purpose: str,
    text_version: str,
    source: str,
    given_at: datetime | None = None,
) -> ConsentRecord:
    """Record that `person` consented to `purpose`; the centre is the person's own."""
    now = timezone.now()
    if consent_given_in_future(given_at):
        raise ValidationError({"given_at": str(CONSENT_FUTURE_MESSAGE)})
    consent = ConsentRecord(
        centre=person.centre,
        person=person,
        purpose=purpose,
        text_version=text_version.strip(),
        source=source,
        given_at=given_at or now,
    )
    consent.full_clean(exclude=["centre", "person"])
    consent.save()
    audit_record(actor=actor, centre=person.centre, action=AuditLogEntry.Action.CREATE, obj=consent)
    return consent


@transaction.atomic
def consent_withdraw(*, actor: AbstractBaseUser | None, consent: ConsentRecord) -> ConsentRecord:
    """Mark a consent as withdrawn now. It takes effect at once; a second withdrawal is a conflict."""
    consent = ConsentRecord.all_centres.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise ConflictError(_("This consent was already withdrawn."))
    consent.withdrawn_at = max(timezone.now(), consent.given_at)
    consent.save(update_fields=["withdrawn_at"])
    _stop_what_the_consent_allowed(consent)
    audit_record(actor=actor, centre=consent.centre, action=AuditLogEntry.Action.WITHDRAW, obj=consent)
    return consent


def _stop_what_the_consent_allowed(consent: ConsentRecord) -> None:
    """A withdrawal takes effect at once, in the same transaction:

    - newsletter: every subscription at the centre ends, and newsletter mails still queued for
      the person are not sent;
    - group membership: reminders stop for all their groups, and reminders and change notices
      still queued for them are not sent.

    Health data and volunteering are recorded withdrawn for the coordinator to act on (an
    enquiry or a volunteer record is then closed or erased by hand)."""
    from meetings.models import Membership
    from notifications.models import OutgoingMail, Subscription

    person = consent.person
    if consent.purpose == ConsentRecord.Purpose.NEWSLETTER:
        Subscription.all_centres.filter(centre=consent.centre, person=person).exclude(
            status=Subscription.Status.UNSUBSCRIBED
        ).update(status=Subscription.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now())
        # One consent is given per list confirmed; withdrawn, the purpose ends for all of them.
        ConsentRecord.all_centres.filter(
            centre=consent.centre, person=person, purpose=consent.purpose, withdrawn_at__isnull=True
        ).update(withdrawn_at=consent.withdrawn_at)
        kinds = [OutgoingMail.Kind.NEWSLETTER, OutgoingMail.Kind.NEWSLETTER_CONFIRMATION]
    elif consent.purpose == ConsentRecord.Purpose.GROUP_MEMBERSHIP:
        Membership.all_centres.filter(centre=consent.centre, person=person).update(reminder_minutes=None)
        kinds = [OutgoingMail.Kind.REMINDER, OutgoingMail.Kind.CHANGE_NOTICE]
    else:
        return
    theirs = Q(person=person) | Q(recipient__iexact=person.email) if person.email else Q(person=person)
    OutgoingMail.all_centres.filter(
        theirs, centre=consent.centre, status=OutgoingMail.Status.QUEUED, kind__in=kinds
    ).update(status=OutgoingMail.Status.SUPPRESSED, last_error="consent withdrawn")


@transaction.atomic
def centre_update(*, actor: AbstractBaseUser | None, centre: Centre, **changes: Any) -> Centre:
    """Change a centre's details (not its slug, which appears in public links)."""
    unknown = set(changes) - set(CENTRE_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"centre_update cannot change {sorted(unknown)}")
    changed = [field for field, value in changes.items() if getattr(centre, field) != value]
    for field in changed:
        setattr(centre, field, changes[field])
    if changed:
        centre.full_clean()
        centre.save()
        audit_record(actor=actor, centre=centre, action=AuditLogEntry.Action.UPDATE, obj=centre, changed_fields=changed)
    return centre


def _sync_is_staff(user: AbstractBaseUser) -> None:
    """Staff roles open the admin: a user is `is_staff` exactly while they hold a role."""
    has_role = StaffRole.all_centres.filter(user=user).exists()
    if not user.is_superuser and user.is_staff != has_role:
        user.is_staff = has_role
        user.save(update_fields=["is_staff"])


@transaction.atomic
def staff_role_grant(
    *, actor: AbstractBaseUser | None, centre: Centre, email: str, role: str, name: str = ""
) -> StaffRole:
    """Give the user with `email` a role at `centre`, creating an account without a password if
    none exists (they set one through password reset). A user has one role per centre."""
    user_model = get_user_model()
    email = email.strip().lower()
    user = user_model.objects.filter(email__iexact=email).order_by("pk").first()
    if user is None:
        user = user_model(username=_free_username(email), email=email, first_name=name.strip()[:150])
        user.set_unusable_password()
        user.save()
    Centre.all_centres.select_for_update().get(pk=centre.pk)
    if StaffRole.all_centres.filter(centre=centre, user=user).exists():
        raise ConflictError(str(ROLE_EXISTS_MESSAGE))
    staff_role = StaffRole(centre=centre, user=user, role=role)
    staff_role.full_clean(exclude=["centre", "user"])
    staff_role.save()
    _sync_is_staff(user)
    audit_record(actor=actor, centre=centre, action=AuditLogEntry.Action.CREATE, obj=staff_role)
    return staff_role


def _free_username(email: str) -> str:
    """The e-mail address as username where it fits and is free, else a generated one."""
    user_model = get_user_model()
    if len(email) <= 150 and not user_model.objects.filter(username__iexact=email).exists():
        return email
    return f"staff-{uuid.uuid4().hex[:12]}"


def staff_role_is_last_admin(*, staff_role: StaffRole) -> bool:
    """Would the centre be left without a centre admin if this role went or were demoted?"""
    others = StaffRole.all_centres.filter(centre=staff_role.centre, role=StaffRole.Role.CENTRE_ADMIN).exclude(
        pk=staff_role.pk
    )
    return staff_role.role == StaffRole.Role.CENTRE_ADMIN and not others.exists()


def _ensure_an_admin_remains(*, staff_role: StaffRole) -> None:
    if staff_role_is_last_admin(staff_role=staff_role):
        raise ConflictError(str(LAST_ADMIN_MESSAGE))


@transaction.atomic
def staff_role_change(*, actor: AbstractBaseUser | None, staff_role: StaffRole, role: str) -> StaffRole:
    """Change the role a user holds at a centre. The last centre admin cannot be demoted."""
    # Lock the centre: two admins demoting each other at once must not both succeed.
    Centre.all_centres.select_for_update().get(pk=staff_role.centre_id)
    staff_role = StaffRole.all_centres.select_related("centre", "user").get(pk=staff_role.pk)
    if staff_role.role == role:
        return staff_role
    if role != StaffRole.Role.CENTRE_ADMIN:
        _ensure_an_admin_remains(staff_role=staff_role)
    staff_role.role = role
    staff_role.full_clean(exclude=["centre", "user"])
    staff_role.save(update_fields=["role"])
    audit_record(
        actor=actor,
        centre=staff_role.centre,
        action=AuditLogEntry.Action.UPDATE,
        obj=staff_role,
        changed_fields=["role"],
    )
    return staff_role


@transaction.atomic
def staff_role_revoke(*, actor: AbstractBaseUser | None, staff_role: StaffRole) -> None:
    """Remove a user's role at a centre. The last centre admin cannot be removed."""
    Centre.all_centres.select_for_update().get(pk=staff_role.centre_id)
    staff_role = StaffRole.all_centres.select_related("centre", "user").get(pk=staff_role.pk)
    _ensure_an_admin_remains(staff_role=staff_role)
    centre, user, pk = staff_role.centre, staff_role.user, staff_role.pk
    staff_role.delete()
    staff_role.pk = pk
    _sync_is_staff(user)
    audit_record(actor=actor, centre=centre, action=AuditLogEntry.Action.DELETE, obj=staff_role)
