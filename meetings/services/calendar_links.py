"""Private calendar feed links: an unguessable token per person, revocable at any time."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from centres.models import AuditLogEntry, Person
from centres.services import audit_record
from meetings.models import CalendarToken


@transaction.atomic
def calendar_link_issue(*, actor: AbstractBaseUser | None, person: Person) -> CalendarToken:
    """Give the person a new feed link; any link they had stops working."""
    CalendarToken.all_centres.filter(person=person, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token = CalendarToken.all_centres.create(centre_id=person.centre_id, person=person)
    audit_record(actor=actor, centre=person.centre, action=AuditLogEntry.Action.CREATE, obj=token)
    return token


@transaction.atomic
def calendar_link_revoke(*, actor: AbstractBaseUser | None, token: CalendarToken) -> None:
    """Make a feed link dead. Revoking twice is harmless."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, centre=token.centre, action=AuditLogEntry.Action.DELETE, obj=token)
