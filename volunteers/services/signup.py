"""Sign-up with double opt-in: the public page stores the offer, the worker makes the applicant
and mails a confirmation link, and the link confirms the address and records the consent."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from centres.models import AuditLogEntry, Centre, ConsentRecord, Person
from centres.services.audit import audit_record
from centres.services.consents import consent_record
from centres.services.people import person_create
from config.signed_links import link_url, sign, unsign
from meetings.models import Topic
from notifications.models import MailRequest, OutgoingMail
from notifications.services.mail_requests import mail_request_store
from notifications.services.outbox import mail_queue
from volunteers.models import Volunteer

CONSENT_TEXT_VERSION = "volunteering-2026-11"


def volunteer_signup_receive(
    *,
    centre: Centre,
    email: str,
    name: str,
    language: str,
    languages: list[str],
    topics: list[Topic],
    weekdays: list[int],
    daytime: bool,
    evening: bool,
    motivation: str = "",
    phone: str = "",
) -> None:
    """The sign-up page's half: store the offer for the worker (`volunteer_signup`), the same one
    row and one queued task for a known address as for a new one, so the answer's timing does not
    tell whether the address volunteers already. Stored, the offer is not lost with its task."""
    mail_request_store(
        kind=MailRequest.Kind.VOLUNTEER_SIGNUP,
        centre=centre,
        payload={
            "email": email,
            "name": name,
            "language": language,
            "languages": list(languages),
            "topic_ids": sorted(topic.pk for topic in topics),
            "weekdays": list(weekdays),
            "daytime": daytime,
            "evening": evening,
            "motivation": motivation,
            "phone": phone,
        },
    )


def volunteer_signup_from_request(centre: Centre | None, payload: dict[str, Any]) -> None:
    """The worker's half of a sign-up (a `MailRequest` handler; a sign-up always has its centre)."""
    assert centre is not None  # stored with its centre by `volunteer_signup_receive`
    payload = dict(payload)
    topic_ids = payload.pop("topic_ids", [])
    volunteer_signup(centre=centre, topics=list(Topic.objects.filter(centre=centre, pk__in=topic_ids)), **payload)


@transaction.atomic
def volunteer_signup(
    *,
    centre: Centre,
    email: str,
    name: str,
    language: str,
    languages: list[str],
    topics: list[Topic],
    weekdays: list[int],
    daytime: bool,
    evening: bool,
    motivation: str = "",
    phone: str = "",
) -> None:
    """Someone offers to volunteer: store them as an applicant and mail a confirmation link. Run
    by the worker (`volunteer_signup_receive` stores the offer), so what it does for a known
    address is not seen in the page's answer: a confirmed volunteer gets no second mail, an
    unconfirmed one gets the link again. Writes the person (if new), the volunteer and a
    confirmation mail, marked sensitive (whoever holds its link gives consent)."""
    email = email.strip().lower()
    person = Person.objects.filter(centre=centre, email__iexact=email).first()
    if person is None:
        person = person_create(
            actor=None, centre=centre, display_name=name.strip()[:120], email=email, phone=phone, language=language
        )
    volunteer = Volunteer.objects.filter(person=person).first()
    if volunteer is not None and volunteer.email_confirmed_at:
        return
    if volunteer is None:
        volunteer = Volunteer.objects.create(
            centre=centre,
            person=person,
            languages=sorted(set(languages)),
            weekdays=sorted(set(weekdays)),
            daytime=daytime,
            evening=evening,
            motivation=motivation,
        )
        volunteer.topics.set([topic for topic in topics if topic.centre_id == centre.pk])
        audit_record(actor=None, centre=centre, action=AuditLogEntry.Action.CREATE, obj=volunteer)
    token = sign("volunteer.confirm", {"v": volunteer.pk})
    mail_queue(
        centre=centre,
        kind=OutgoingMail.Kind.SYSTEM,
        obj=f"volunteer-confirm-{volunteer.pk}-{timezone.now():%Y%m%d%H%M%S%f}",
        recipient=email,
        language=language or centre.default_language,
        template="volunteers/mail/volunteer_confirmation",
        context={
            "centre": centre,
            "confirm_url": link_url("volunteer-confirm", token),
        },
        person=person,
        sensitive=True,
    )


@transaction.atomic
def volunteer_confirm(*, token: str) -> Volunteer | None:
    """The link from the confirmation mail: the address is confirmed and the consent recorded
    (once). Returns None for a forged or expired link."""
    payload = unsign("volunteer.confirm", token)
    if payload is None:
        return None
    volunteer = (
        Volunteer.objects.select_for_update(of=("self",))
        .select_related("person", "centre")
        .filter(pk=payload.get("v"))
        .first()
    )
    if volunteer is None:
        return None
    if not volunteer.email_confirmed_at:
        volunteer.email_confirmed_at = timezone.now()
        volunteer.save(update_fields=["email_confirmed_at"])
        consent_record(
            actor=None,
            person=volunteer.person,
            purpose=ConsentRecord.Purpose.VOLUNTEERING,
            text_version=CONSENT_TEXT_VERSION,
            source=ConsentRecord.Source.CONFIRMATION_LINK,
        )
    return volunteer
