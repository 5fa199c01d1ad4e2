"""Writes of centres, staff roles, people and consents. Each service owns its transaction and
writes an audit log entry that names the object, never its personal content."""

import uuid
from collections.abc import Iterable, Mapping
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


# What a list read records of a filter whose value could name someone (a search term, an address).
FILTER_PRESENT = "present"
# Paging and ordering, of the API ("page", "ordering") and of the admin ("p", "o").
LIST_PAGING = frozenset({"page", "page_size", "ordering", "o", "p"})


def list_filters(query: Mapping[str, str], *, kept: Iterable[str]) -> dict[str, str]:
    """The filters of a list request for its audit entry: the value of those in `kept` (choices,
    ids, dates, paging), only "present" for any other (a search term may be a name)."""
    kept = set(kept) | LIST_PAGING
    return {
        name: (str(query[name])[:100] if name in kept else FILTER_PRESENT)
        for name in sorted(query)
        if str(query[name]).strip()
    }


def audit_list_read(
    *,
    actor: AbstractBaseUser | None,
    model: type[models.Model],
    list_name: str,
    filters: Mapping[str, str],
    rows: Iterable[models.Model],
    centre_ids: Iterable[int] = (),
) -> list[AuditLogEntry]:
    """Record that `actor` read a list: one entry per centre the list covered (`centre_ids`, the
    user's centres, and those of the rows shown), each with the list's name (as object id), its
    filters and how many of that centre's rows it showed. No row's values. Writes the entries in
    one query."""
    shown: dict[int, int] = {}
    for row in rows:
        shown[row.centre_id] = shown.get(row.centre_id, 0) + 1
    entries = [
        AuditLogEntry(
            centre_id=centre_id,
            actor=actor if actor is not None and actor.is_authenticated else None,
            action=AuditLogEntry.Action.LIST,
            object_type=model._meta.label_lower,
            object_id=list_name[:40],
            filters=dict(filters),
            row_count=shown.get(centre_id, 0),
        )
        for centre_id in sorted(set(centre_ids) | set(shown))
    ]
    return AuditLogEntry.all_centres.bulk_create(entries)


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
# What staff can witness and record. A web form and a confirmation link record themselves: a
# consent staff enter with either source would claim the person did what they did not.
STAFF_CONSENT_SOURCES = frozenset(
    {
        ConsentRecord.Source.EMAIL,
        ConsentRecord.Source.PHONE,
        ConsentRecord.Source.IN_PERSON,
        ConsentRecord.Source.PAPER,
    }
)
CONSENT_SOURCE_MESSAGE = gettext_lazy(
    "Staff can record consent given by e-mail, by phone, in person or on paper. Consent through the "
    "web form or a confirmation link is recorded when the person gives it."
)


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
    if actor is not None and source == ConsentRecord.Source.CONFIRMATION_LINK:
        raise ValidationError({"source": str(CONSENT_SOURCE_MESSAGE)})
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
    """Mark a consent as withdrawn now. It takes effect at once; a second withdrawal is a conflict,
    because staff asked to withdraw this one record. A person ending a purpose (an unsubscribe)
    uses `consents_withdraw`, for which a consent already withdrawn is no error."""
    consent = ConsentRecord.all_centres.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise ConflictError(_("This consent was already withdrawn."))
    _withdraw(consent, actor=actor)
    return consent


@transaction.atomic
def consents_withdraw(*, actor: AbstractBaseUser | None, person: Person, purpose: str) -> int:
    """Withdraw every consent `person` gave to `purpose` that still stands, at once. Consents
    already withdrawn stay as they are: asking twice, or two requests at once (a mail program's
    one-click POST and the person's own click), is never an error. Writes the consents, what
    their withdrawal stops (see `_stop_what_the_consent_allowed`) and an audit entry for each.
    Returns how many were standing."""
    # The lock makes a second request wait, then find nothing standing.
    standing = list(
        ConsentRecord.all_centres.select_for_update()
        .filter(person=person, purpose=purpose, withdrawn_at__isnull=True)
        .order_by("pk")
    )
    for consent in standing:
        # A newsletter consent ends its siblings too: those are withdrawn already.
        consent.refresh_from_db(fields=["withdrawn_at"])
        if consent.withdrawn_at is None:
            _withdraw(consent, actor=actor)
        else:
            audit_record(actor=actor, centre=consent.centre, action=AuditLogEntry.Action.WITHDRAW, obj=consent)
    return len(standing)


def _withdraw(consent: ConsentRecord, *, actor: AbstractBaseUser | None) -> None:
    consent.withdrawn_at = max(timezone.now(), consent.given_at)
    consent.save(update_fields=["withdrawn_at"])
    _stop_what_the_consent_allowed(consent)
    audit_record(actor=actor, centre=consent.centre, action=AuditLogEntry.Action.WITHDRAW, obj=consent)


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
def staff_role_grant(*, actor: AbstractBaseUser | None, centre: Centre, user: AbstractBaseUser, role: str) -> StaffRole:
    """Give `user` a role at `centre`: for an account whose owner asked for it (accepting an
    invitation, `centres.accounts`) or that the platform made (the demo). Staff are added by
    invitation, never by looking an address up. A user has one role per centre."""
    Centre.all_centres.select_for_update().get(pk=centre.pk)
    if StaffRole.all_centres.filter(centre=centre, user=user).exists():
        raise ConflictError(str(ROLE_EXISTS_MESSAGE))
    staff_role = StaffRole(centre=centre, user=user, role=role)
    staff_role.full_clean(exclude=["centre", "user"])
    staff_role.save()
    _sync_is_staff(user)
    audit_record(actor=actor, centre=centre, action=AuditLogEntry.Action.CREATE, obj=staff_role)
    return staff_role


def username_for_new_account(email: str) -> str:
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
    if not StaffRole.all_centres.filter(user=user).exists():
        _staff_account_retire(user)


def _staff_account_retire(user: AbstractBaseUser) -> None:
    """After a user's last role: their sessions and API tokens end. An account that serves
    nothing else (no volunteering, no federation role, not an operator) goes if it was never
    used, and is deactivated otherwise, so the audit log still names who did what. A user who
    still works for another centre keeps their sessions: their scope is read from their roles
    on every request, so this centre's data is closed to them at once anyway."""
    from centres.accounts import user_access_revoke

    user_access_revoke(user_id=user.pk)
    # Unscoped: a volunteer record at any centre keeps the login (it opens the portal).
    if user.is_superuser or hasattr(user, "federation_role") or user.volunteers(manager="all_centres").exists():
        return
    if user.last_login is None:
        get_user_model().objects.filter(pk=user.pk).delete()
    elif user.is_active:
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["is_active", "password"])
