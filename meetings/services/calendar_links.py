"""Private calendar feed links: an unguessable token per person, revocable at any time."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from centres.models import AuditLogEntry, Person
from centres.services.audit import audit_record
from meetings.models import CalendarToken, Membership


@transaction.atomic
def calendar_link_issue(
    *, actor: AbstractBaseUser | None, person: Person, membership: Membership | None = None
) -> CalendarToken:
    """Give the person a new feed link, of all their groups or, with `membership`, of that one
    group only; the link they had for the same feed stops working, their other links do not."""
    if membership is not None and membership.person_id != person.pk:
        raise ValueError("The membership is not the person's.")
    CalendarToken.objects.filter(person=person, membership=membership, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    token = CalendarToken.objects.create(centre_id=person.centre_id, person=person, membership=membership)
    audit_record(actor=actor, centre=person.centre, action=AuditLogEntry.Action.CREATE, obj=token)
    return token


def membership_calendar_link(*, actor: AbstractBaseUser | None, membership: Membership) -> CalendarToken:
    """The membership's own feed link, issued the first time it is asked for."""
    token = CalendarToken.objects.filter(membership=membership, revoked_at__isnull=True).first()
    return token or calendar_link_issue(actor=actor, person=membership.person, membership=membership)


@transaction.atomic
def calendar_link_revoke(*, actor: AbstractBaseUser | None, token: CalendarToken) -> None:
    """Make a feed link dead. Revoking twice is harmless."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, centre=token.centre, action=AuditLogEntry.Action.DELETE, obj=token)
