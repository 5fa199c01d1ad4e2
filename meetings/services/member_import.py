"""Members who come with a centre that moves in (imports' "members" file): the person is found by
their address (or their name and number) or made, and put into the group. Consent comes with
proof or not at all: with its date, source and text it is recorded and reminders are on; without,
reminders stay off and the member gets one mail with their own page, where turning reminders on
is their consent. Nobody is mailed a reminder they did not agree to."""

from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from centres.models import ConsentRecord, Person
from centres.services.consents import consent_record
from centres.services.people import person_create
from config.errors import DomainError
from meetings.member_links import member_url
from meetings.models import Group, Membership
from meetings.services.groups import membership_add
from notifications.models import OutgoingMail
from notifications.services.outbox import mail_queue

DEFAULT_REMINDER = 24 * 60


def _person(group: Group, actor: AbstractBaseUser | None, values: dict[str, str]) -> tuple[Person, bool]:
    """The person a row names, and whether they are known here already: by their address, or
    their name and number; someone with neither is known only as a member of this very group of
    that name (two people may share a first name and an initial)."""
    people = Person.objects.filter(centre=group.centre)
    if values["email"]:
        found = people.filter(email__iexact=values["email"]).first()
    elif values["phone"]:
        found = people.filter(display_name=values["display_name"], phone=values["phone"]).first()
    else:
        found = people.filter(display_name=values["display_name"], email="", phone="", memberships__group=group).first()
    if found is not None:
        return found, True
    return person_create(actor=actor, centre=group.centre, **values), False


@transaction.atomic
def membership_import(
    *,
    actor: AbstractBaseUser | None,
    group: Group,
    person_values: dict[str, str],
    joined_on: date | None,
    consent: tuple[Any, str, str] | None,
) -> str:
    """Returns "created" or "unchanged" (the person is or was in the group). Someone who withdrew
    their consent is refused: an older proof does not outweigh a later "no"."""
    person, known = _person(group, actor, person_values)
    if known and Membership.objects.filter(group=group, person=person).exists():
        return "unchanged"  # in the group, or left it since: an old file does not bring them back
    if (
        known
        and ConsentRecord.objects.filter(
            person=person, purpose=ConsentRecord.Purpose.GROUP_MEMBERSHIP, withdrawn_at__isnull=False
        ).exists()
    ):
        raise DomainError(_("This person withdrew their consent; only they can give it again."))
    if consent is not None:
        given_at, source, text_version = consent
        consent_record(
            actor=actor,
            person=person,
            purpose=ConsentRecord.Purpose.GROUP_MEMBERSHIP,
            text_version=text_version,
            source=source,
            given_at=given_at,
        )
    membership = membership_add(
        actor=actor,
        group=group,
        person=person,
        joined_on=joined_on,
        reminder_minutes=DEFAULT_REMINDER if consent is not None else None,
    )
    if consent is None and person.email:
        mail_queue(
            centre=group.centre,
            kind=OutgoingMail.Kind.SYSTEM,
            obj=f"consent-request-{membership.pk}",
            recipient=person.email,
            language=person.language or group.centre.default_language,
            template="meetings/mail/consent_request",
            context={
                "centre": group.centre,
                "group": group,
                "manage_url": member_url(purpose="manage", membership_id=membership.pk),
            },
            person=person,
            sensitive=True,
        )
    return "created"
