"""An enquiry arrives: through the public form or API (`actor` None), or recorded by a coordinator
from a call, a mail or a visit. On the public form an address the centre knew proves nothing about
who sent it: that enquiry belongs to no one until the address confirms it (`enquiry_confirm`)."""

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centres.models import LANGUAGE_CHOICES, AuditLogEntry, Centre, ConsentRecord, Person
from centres.services.audit import audit_record
from centres.services.consents import consent_record
from centres.services.people import person_create
from centres.services.retention import UNCONFIRMED_KEPT
from config.errors import DomainError
from config.signed_links import absolute_url, sign, unsign
from intake.models import Enquiry, ReferralPartner
from intake.selectors import person_by_address
from meetings.models import Group, Location, Topic
from notifications.models import OutgoingMail
from notifications.services.outbox import mail_queue

CONSENT_TEXT_VERSION = "health-data-2026-11"
CONSENT_SOURCES = {
    Enquiry.Channel.WEB: ConsentRecord.Source.WEB_FORM,
    Enquiry.Channel.EMAIL: ConsentRecord.Source.EMAIL,
    Enquiry.Channel.PHONE: ConsentRecord.Source.PHONE,
    Enquiry.Channel.IN_PERSON: ConsentRecord.Source.IN_PERSON,
}


def _check_contact(*, name: str, email: str, phone: str, consent: bool, channel: str) -> None:
    if not name:
        raise DomainError(_("Give a name or a pseudonym."), field="name")
    if not email and not phone:
        raise DomainError(_("Give an e-mail address or a phone number, so that we can reach you."), field="email")
    if not consent:
        raise DomainError(_("We can only take the enquiry with this consent."), field="consent")
    if channel not in Enquiry.Channel.values:
        raise DomainError(_("Unknown channel."), field="channel")


def _check_wishes(
    centre: Centre,
    *,
    language: str,
    topics: Sequence[Topic],
    age_band: str,
    weekdays: Sequence[int],
    location: Location | None,
) -> None:
    if language not in dict(LANGUAGE_CHOICES):
        raise DomainError(_("Choose one of the offered languages."), field="language")
    if any(topic.centre_id != centre.pk or not topic.is_offered for topic in topics):
        raise DomainError(_("Choose topics this contact point offers."), field="topics")
    if age_band not in Group.AgeBand.values:
        raise DomainError(_("Choose one of the age bands."), field="age_band")
    if any(not isinstance(day, int) or not 0 <= day <= 6 for day in weekdays):
        raise DomainError(_("Weekdays are numbered 0 (Monday) to 6 (Sunday)."), field="weekdays")
    if location is not None and location.centre_id != centre.pk:
        raise DomainError(_("Choose a place of this contact point."), field="location")


@transaction.atomic
def enquiry_submit(
    *,
    actor: AbstractBaseUser | None,
    centre: Centre,
    name: str,
    email: str = "",
    phone: str = "",
    language: str,
    topics: Sequence[Topic] = (),
    age_band: str = "",
    weekdays: Sequence[int] = (),
    daytime: bool = False,
    evening: bool = False,
    location: Location | None = None,
    is_relative: bool = False,
    message: str = "",
    channel: str = Enquiry.Channel.WEB,
    referred_by: ReferralPartner | None = None,
    consent: bool,
) -> Enquiry:
    """Someone asks for a group: through the public form (`actor` None) or on the phone, by mail
    or in person, recorded by a coordinator. Needs an address or a phone number and the consent to
    process health-related data, which is recorded with its text version. A known address is
    reused without changing the person's details. On the public form a known address proves
    nothing about who sent it: the enquiry then belongs to no one and changes nothing the person
    consented to until the address confirms it (`enquiry_confirm`). The public answer is the same
    either way. `referred_by`: the partner the person came through (another centre's is ignored).
    Writes the person, consent, enquiry, audit entry and acknowledgement (or request to confirm)."""
    email, phone, name = email.strip().lower(), phone.strip(), name.strip()
    _check_contact(name=name, email=email, phone=phone, consent=consent, channel=channel)
    _check_wishes(centre, language=language, topics=topics, age_band=age_band, weekdays=weekdays, location=location)
    wishes = {
        "channel": channel,
        "language": language,
        "age_band": age_band,
        "weekdays": sorted(set(weekdays)),
        "daytime": daytime,
        "evening": evening,
        "location": location,
        "is_relative": is_relative,
        "message": message.strip(),
        "referred_by": referred_by if referred_by is not None and referred_by.centre_id == centre.pk else None,
    }
    person, person_created = _person_for(
        actor=actor, centre=centre, name=name, email=email, phone=phone, language=language
    )
    if actor is None and not person_created:
        return _enquiry_hold(centre=centre, known=person, topics=topics, wishes=wishes)
    health_data = consent_record(
        actor=actor,
        person=person,
        purpose=ConsentRecord.Purpose.HEALTH_DATA,
        text_version=CONSENT_TEXT_VERSION,
        source=CONSENT_SOURCES[Enquiry.Channel(channel)],
    )
    owner = {"person": person, "person_created": person_created, "consent": health_data}
    enquiry = _enquiry_store(actor=actor, centre=centre, topics=topics, wishes=wishes, **owner)
    if email and actor is None:
        _acknowledge(enquiry, email=email, person=person)
    return enquiry


def _person_for(
    *, actor: AbstractBaseUser | None, centre: Centre, name: str, email: str, phone: str, language: str
) -> tuple[Person, bool]:
    """The person with this address, or a new one (and whether it is new)."""
    person = person_by_address(centre=centre, email=email)
    if person is not None:
        return person, False
    try:
        with transaction.atomic():
            person = person_create(
                actor=actor, centre=centre, display_name=name[:120], email=email, phone=phone, language=language
            )
    except (IntegrityError, DomainError):
        # The same new address sent twice at the same moment: the other request made the person.
        person = person_by_address(centre=centre, email=email)
        if person is None:
            raise
        return person, False
    return person, True


def _enquiry_store(
    *, actor: AbstractBaseUser | None, centre: Centre, topics: Sequence[Topic], wishes: dict[str, Any], **owner: Any
) -> Enquiry:
    now = timezone.now()
    enquiry = Enquiry.objects.create(centre=centre, created_at=now, status_changed_at=now, **wishes, **owner)
    enquiry.topics.set(topics)
    audit_record(actor=actor, centre=centre, action=AuditLogEntry.Action.CREATE, obj=enquiry)
    return enquiry


def _acknowledge(enquiry: Enquiry, *, email: str, person: Person) -> None:
    """The neutral answer to an enquiry from the public form: it reached the centre."""
    mail_queue(
        centre=enquiry.centre,
        kind=OutgoingMail.Kind.SYSTEM,
        obj=f"enquiry-received-{enquiry.pk}",
        recipient=email,
        language=enquiry.language,
        template="intake/mail/enquiry_received",
        context={"centre": enquiry.centre},
        person=person,
    )


# --- an enquiry from a known address waits for that address -----------------------------------------


def _enquiry_hold(*, centre: Centre, known: Person, topics: Sequence[Topic], wishes: dict[str, Any]) -> Enquiry:
    """The public form with an address the centre knew: anyone can type anyone's address, so the
    enquiry is stored for no one (staff see it, marked as waiting) and the address is asked to
    confirm it. The consent ticked on the form is recorded only then, for the person it is then
    known to come from. The link is as secret as a login link: the mail is sensitive."""
    enquiry = _enquiry_store(actor=None, centre=centre, topics=topics, wishes=wishes, awaiting_confirmation=True)
    token = sign("enquiry.confirm", {"e": enquiry.pk, "p": known.pk, "v": CONSENT_TEXT_VERSION})
    mail_queue(
        centre=centre,
        kind=OutgoingMail.Kind.SYSTEM,
        obj=f"enquiry-confirm-{enquiry.pk}",
        recipient=known.email,
        language=known.language or wishes["language"],
        template="intake/mail/enquiry_confirm",
        context={
            "centre": centre,
            "confirm_url": absolute_url("enquiry-confirm", token),
            "days": UNCONFIRMED_KEPT.days,
        },
        person=known,
        sensitive=True,
    )
    return enquiry


@transaction.atomic
def enquiry_confirm(*, token: str) -> Enquiry | None:
    """The link from the mail `_enquiry_hold` sent: the address showed that the enquiry came from
    its owner, so it becomes theirs, with their consent to process health-related data recorded
    now (ticked on the web form, in the text version shown there, and confirmed by the link). A
    second click changes nothing.
    None for a forged or expired link, or when the enquiry or the person is gone. Writes the
    enquiry, the consent and audit entries."""
    payload = unsign("enquiry.confirm", token)
    if payload is None:
        return None
    enquiry = (
        Enquiry.objects.select_for_update(of=("self",))
        .select_related("centre")
        .filter(pk=payload.get("e"), anonymised_at__isnull=True)
        .first()
    )
    if enquiry is None or not enquiry.awaiting_confirmation:
        return enquiry if enquiry is not None and enquiry.person_id == payload.get("p") else None
    # An erased person leaves no row, or a shell without an address.
    person = Person.objects.filter(centre=enquiry.centre, pk=payload.get("p")).exclude(email="").first()
    if person is None:
        return None
    enquiry.consent = consent_record(
        actor=None,
        person=person,
        purpose=ConsentRecord.Purpose.HEALTH_DATA,
        text_version=payload.get("v") or CONSENT_TEXT_VERSION,
        source=ConsentRecord.Source.CONFIRMATION_LINK,
    )
    enquiry.person, enquiry.awaiting_confirmation = person, False
    enquiry.save(update_fields=["person", "consent", "awaiting_confirmation"])
    audit_record(
        actor=None,
        centre=enquiry.centre,
        action=AuditLogEntry.Action.UPDATE,
        obj=enquiry,
        changed_fields=["person", "consent", "awaiting_confirmation"],
    )
    return enquiry
