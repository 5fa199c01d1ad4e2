"""Reads of centres, staff roles, people, consents and the audit log."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from centres.models import AuditLogEntry, Centre, ConsentRecord, FederationRole, Person, StaffRole
from centres.phones import centre_region, sms_number
from centres.scoping import all_centres_scope

# A consent is withdrawn when the person recorded consent to the purpose and withdrew every such
# record; a person with no record at all (added by staff, from a paper form) is not affected. The
# mail a consent allows is then not sent (`notifications.services`). One rule in two forms, held to
# the same answers by tests/meetings/test_reminder_consent.py: for rows, and for (person, purpose).


def consent_withdrawn(purpose: str, person: str = "person") -> "ExpressionWrapper[Q]":
    """For annotating rows that refer to a person (through `person`): the rule for `purpose`."""
    # Bound to the outer row's person, so the subquery needs no centre scope of its own.
    with all_centres_scope():
        records = ConsentRecord.objects.filter(person=OuterRef(person), purpose=purpose)
    return ExpressionWrapper(
        Exists(records) & ~Exists(records.filter(withdrawn_at__isnull=True)), output_field=BooleanField()
    )


def withdrawn_among(pairs: set[tuple[int | None, str | None]]) -> set[tuple[int, str]]:
    """The (person, purpose) pairs whose consent is withdrawn, read in one query."""
    pairs = {(person_id, purpose) for person_id, purpose in pairs if person_id and purpose}
    if not pairs:
        return set()
    standing: dict[tuple[int, str], bool] = {}
    # By person ids, which are unique across centres: the caller's rows decide which centres.
    with all_centres_scope():
        records = ConsentRecord.objects.all()
    rows = records.filter(
        person_id__in={person for person, _purpose in pairs}, purpose__in={purpose for _person, purpose in pairs}
    ).values_list("person_id", "purpose", "withdrawn_at")
    for person_id, purpose, withdrawn_at in rows:
        standing[(person_id, purpose)] = standing.get((person_id, purpose), False) or withdrawn_at is None
    return {pair for pair, stands in standing.items() if not stands} & pairs


def sms_numbers(person_ids: "Iterable[int] | QuerySet[Any]") -> dict[int, str]:
    """The number each of these people may get text messages at: only people with a standing SMS
    consent and a phone that is a mobile number (E.164). Two queries whatever the count; pass a
    query of person ids (`.values("person_id")`) for many people, so they stay in the database."""
    ids = person_ids if isinstance(person_ids, QuerySet) else set(person_ids)
    if settings.SMS_BACKEND == "off" or (not isinstance(ids, QuerySet) and not ids):
        # No gateway: nobody gets texts, so those without e-mail are on the list to phone.
        return {}
    # By person ids, which are unique across centres: the caller's rows decide which centres.
    with all_centres_scope():
        consenting = set(
            ConsentRecord.objects.filter(
                person_id__in=ids, purpose=ConsentRecord.Purpose.SMS, withdrawn_at__isnull=True
            ).values_list("person_id", flat=True)
        )
        people = Person.objects.filter(pk__in=consenting).exclude(phone="").select_related("centre")
        people = people.only("phone", "centre__country", "centre__time_zone")
        numbers = {person.pk: sms_number(person.phone, region=centre_region(person.centre)) for person in people}
    return {pk: number for pk, number in numbers.items() if number}


def person_withdrew(person_id: int, purpose: str) -> bool:
    return bool(withdrawn_among({(person_id, purpose)}))


def user_staff_roles(user: User) -> QuerySet[StaffRole]:
    """A user's roles at every centre. Deliberately across centres: the roles decide the scope,
    and an account, its sessions and its tokens are the user's at every centre."""
    with all_centres_scope():
        return StaffRole.objects.filter(user=user)


def staff_centre_ids(*, user: User | AnonymousUser) -> list[int]:
    """The centres a user works for (any role). Deliberately unscoped: it decides the scope."""
    if not user.is_authenticated or not user.is_active:
        return []
    # No ordering: the model's default one would join the centre and the user for nothing.
    return list(user_staff_roles(user).order_by().values_list("centre_id", flat=True))


def centre_ids_with_role(*, user: User, role: str) -> list[int]:
    if not user.is_authenticated or not user.is_active:
        return []
    return list(user_staff_roles(user).filter(role=role).values_list("centre_id", flat=True))


def user_has_staff_access(*, user: User) -> bool:
    return user.is_authenticated and user.is_active and user_staff_roles(user).exists()


def user_is_centre_staff(*, user: User | AnonymousUser) -> bool:
    """May use the staff side at all: a role at some centre, or the platform's superuser."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user_has_staff_access(user=user)


def user_is_centre_admin(*, user: User | AnonymousUser, centre_id: int | None = None) -> bool:
    """Centre admin of that centre (or, without a centre, of any centre); superusers always."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    admin_centres = centre_ids_with_role(user=user, role=StaffRole.Role.CENTRE_ADMIN)
    return bool(admin_centres) if centre_id is None else centre_id in admin_centres


def user_is_federation_admin(*, user: User | AnonymousUser) -> bool:
    return user.is_authenticated and user.is_active and FederationRole.objects.filter(user=user).exists()


def centre_list() -> QuerySet[Centre]:
    return Centre.objects.all()


def person_list() -> QuerySet[Person]:
    return Person.objects.select_related("centre")


def staff_role_list() -> QuerySet[StaffRole]:
    return StaffRole.objects.select_related("centre", "user")


def consent_list() -> QuerySet[ConsentRecord]:
    return ConsentRecord.objects.select_related("centre", "person")


def audit_log_list(*, user: User) -> QuerySet[AuditLogEntry]:
    """The audit log of the centres where `user` is a centre admin (all for superusers)."""
    entries = AuditLogEntry.objects.select_related("centre", "actor")
    if user.is_superuser:
        return entries
    return entries.filter(centre_id__in=centre_ids_with_role(user=user, role=StaffRole.Role.CENTRE_ADMIN))


def public_centre_list() -> QuerySet[Centre]:
    """Centres as the public sees them: name and contact details of the contact point only."""
    with all_centres_scope():  # the public list of centres, for everyone
        return Centre.objects.all()


def federation_totals() -> list[dict[str, Any]]:
    """Counts per centre across the federation. Counts only: no person appears in the result."""
    with all_centres_scope():  # the federation's totals, no personal data
        centres = Centre.objects.all()
    centres = centres.annotate(
        people_count=Count("people", distinct=True),
        staff_count=Count("staff_roles", distinct=True),
    ).order_by("name")
    return [
        {"centre": centre.name, "slug": centre.slug, "people": centre.people_count, "staff": centre.staff_count}
        for centre in centres
    ]


def people_named(centre: Centre, search: str, *, limit: int = 20) -> list[Person]:
    """People of the centre whose name or address contains `search`, by name (the workspace's
    search and a roster's "find someone")."""
    return list(
        Person.objects.filter(centre=centre)
        .filter(Q(display_name__icontains=search) | Q(full_name__icontains=search) | Q(email__icontains=search))
        .order_by("display_name")[:limit]
    )


def admin_centre_or_403(*, user: User | AnonymousUser, slug: str) -> Centre:
    """The centre of a centre admin's workspace page: 404 for anyone not on its staff, 403 for a
    coordinator (who knows the centre, but may not change its settings or staff)."""
    centre = staff_centre_or_404(user=user, slug=slug)
    if not user_is_centre_admin(user=user, centre_id=centre.pk):
        raise PermissionDenied(_("Only the centre's admins change its settings and staff."))
    return centre


def staff_centre_or_404(*, user: User | AnonymousUser, slug: str) -> Centre:
    """The centre of a workspace page, for its own staff only: anyone else (staff of another
    centre included) gets a 404, never a hint that the centre or the page exists for others."""
    if not user_is_centre_staff(user=user):
        raise Http404
    centre = Centre.objects.filter(slug=slug).first()  # scoped: only the user's own centres
    if centre is None:
        raise Http404
    return centre
