"""Consents: record, withdraw, and stop what a withdrawn consent allowed."""

from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centres.models import AuditLogEntry, ConsentRecord, Person
from centres.phones import centre_region, sms_number
from centres.services.audit import audit_record
from centres.services.people import person_update
from centres.signals import consent_withdrawn
from config.errors import ConflictError

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
    consent = ConsentRecord.objects.select_for_update().get(pk=consent.pk)
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
        ConsentRecord.objects.select_for_update()
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

    The apps that hold those act on `consent_withdrawn`. Health data and volunteering are
    recorded withdrawn for the coordinator to act on (an enquiry or a volunteer record is then
    closed or erased by hand)."""
    if consent.purpose == ConsentRecord.Purpose.NEWSLETTER:
        # One consent is given per list confirmed; withdrawn, the purpose ends for all of them.
        ConsentRecord.objects.filter(
            centre=consent.centre, person=consent.person, purpose=consent.purpose, withdrawn_at__isnull=True
        ).update(withdrawn_at=consent.withdrawn_at)
    consent_withdrawn.send(sender=ConsentRecord, consent=consent)


SMS_CONSENT_VERSION = "staff-sms-2026-12"
NOT_A_MOBILE_MESSAGE = gettext_lazy(
    "This is not a mobile number that can get texts. Write it with its country code, e.g. +49 171 2345678."
)


@transaction.atomic
def sms_consent_record(*, actor: AbstractBaseUser | None, person: Person, phone: str, source: str) -> ConsentRecord:
    """Record that `person` agreed to get texts about their meetings at `phone` (a mobile number,
    which becomes their phone number). A consent that stands already is kept, not doubled.
    Refused with a ValidationError naming the field for a number that cannot get texts."""
    if not sms_number(phone, region=centre_region(person.centre)):
        raise ValidationError({"phone": str(NOT_A_MOBILE_MESSAGE)})
    person_update(actor=actor, person=person, phone=phone)
    standing = ConsentRecord.objects.filter(
        person=person, purpose=ConsentRecord.Purpose.SMS, withdrawn_at__isnull=True
    ).first()
    if standing is not None:
        return standing
    return consent_record(
        actor=actor, person=person, purpose=ConsentRecord.Purpose.SMS, text_version=SMS_CONSENT_VERSION, source=source
    )
