"""Private calendar feed links: an unguessable token per person, revocable at any time; and the
mails that bring a member their links."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centres.models import AuditLogEntry, Person
from centres.services.audit import audit_record
from config.errors import ConflictError, DomainError
from config.signed_links import absolute_url
from meetings.member_links import member_url
from meetings.models import CalendarToken, Membership
from notifications.models import OutgoingMail
from notifications.services.outbox import mail_queue


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


@transaction.atomic
def membership_links_resend(*, actor: AbstractBaseUser | None, membership: Membership) -> OutgoingMail | None:
    """Send a member who lost their links fresh ones: a new feed link of this group (the old one
    stops working, in case it went astray) and a newly signed link to their member page. Writes
    the new feed link and audit entries; queues one mail. Refused for a member who left (409) or
    has no e-mail address (400)."""
    if membership.left_on is not None and membership.left_on <= timezone.localdate():
        raise ConflictError(_("This person has left the group; their links no longer work."))
    person = membership.person
    if not person.email:
        raise DomainError(_("This person has no e-mail address: give them the centre's phone number instead."))
    token = calendar_link_issue(actor=actor, person=person, membership=membership)
    # Each resend is a new mail: the key names the new feed link.
    return membership_links_mail(
        membership, token, obj=f"member-links-{membership.pk}-{token.pk}", template="meetings/mail/member_links"
    )


def membership_links_mail(
    membership: Membership,
    token: CalendarToken,
    *,
    obj: str,
    template: str,
    context: dict[str, Any] | None = None,
    sensitive: bool = True,
) -> OutgoingMail | None:
    """Queue a mail to the member that carries their member page's link and the feed link
    `token` of this group (the welcome, a resend), rendered from `template` with `context`."""
    group, person = membership.group, membership.person
    return mail_queue(
        centre=group.centre,
        kind=OutgoingMail.Kind.SYSTEM,
        obj=obj,
        recipient=person.email,
        language=person.language or group.centre.default_language,
        template=template,
        context={
            "centre": group.centre,
            "group": group,
            "member_url": member_url(purpose="manage", membership_id=membership.pk),
            "calendar_url": absolute_url("person-feed", token.token),
            **(context or {}),
        },
        person=person,
        sensitive=sensitive,
    )
