"""Registering for an event. From the public page (no account): the address confirms first, then
the person holds a place or joins the waiting list, in the order they confirmed. A cancelled place
goes to the first who waits, under the event's lock, so each freed place goes to exactly one person.
A coordinator may register someone directly (a call, a volunteer), and records who attended."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centres.models import LANGUAGE_CHOICES, AuditLogEntry, Person
from centres.services.audit import audit_record
from config.errors import ConflictError, DomainError
from config.signed_links import absolute_url, unsign
from events.models import Event, Registration
from events.selectors import event_lock, is_open, taken_places
from events.services.mail import confirm_token, registration_mail


def _check(event: Event, *, name: str, email: str, language: str) -> None:
    if not is_open(event):
        raise ConflictError(_("Registration for this event has closed."))
    if not name:
        raise DomainError(_("Give a name or a pseudonym."), field="name")
    if language not in dict(LANGUAGE_CHOICES):
        raise DomainError(_("Choose one of the offered languages."), field="language")
    if len(email) > 254 or (email and "@" not in email):
        raise DomainError(_("Enter a valid e-mail address."), field="email")


def _active(event: Event, email: str) -> Registration | None:
    return (
        Registration.objects.filter(event=event, email__iexact=email)
        .exclude(status=Registration.Status.CANCELLED)
        .first()
    )


@transaction.atomic
def registration_request(*, event: Event, name: str, email: str, language: str, consent: bool) -> None:
    """Someone registers on the event's page. The address is asked to confirm (nothing is held
    until then); an address already registered gets its registration's link again instead. The
    answer on the page is the same either way, so the page tells no one who registered."""
    name, email = name.strip(), email.strip().lower()
    _check(event, name=name, email=email, language=language)
    if not email:
        raise DomainError(_("Give the e-mail address we should send the confirmation to."), field="email")
    if not consent:
        raise DomainError(_("We can only register you with this consent."), field="consent")
    hour = timezone.now().strftime("%Y%m%d%H")  # the same mail at most once an hour
    registration = _active(event, email)
    if registration is None:
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    centre=event.centre,
                    event=event,
                    name=name[:120],
                    email=email,
                    language=language,
                    created_at=timezone.now(),
                )
        except IntegrityError:  # the same address sent twice at the same moment
            registration = _active(event, email)
            if registration is None:
                raise
            return
    registration.event = event
    if registration.status == Registration.Status.PENDING:
        registration_mail(
            registration,
            "confirm",
            obj=f"event-confirm-{registration.pk}-{hour}",
            confirm_url=absolute_url("event-confirm", confirm_token(registration)),
        )
    else:
        registration_mail(registration, "already", obj=f"event-already-{registration.pk}-{hour}")


def _join_queue(event: Event, registration: Registration, now: datetime) -> None:
    """Under the event's lock: a place if one is free and nobody waits, else the waiting list."""
    nobody_waits = not Registration.objects.filter(event=event, status=Registration.Status.WAITING).exists()
    registration.queued_at = now
    if nobody_waits and taken_places(event) < event.places:
        registration.status, registration.placed_at = Registration.Status.CONFIRMED, now
    else:
        registration.status = Registration.Status.WAITING
    registration.save(update_fields=["status", "queued_at", "placed_at", "person"])


def waiting_position(registration: Registration) -> int:
    ahead = Registration.objects.filter(event_id=registration.event_id, status=Registration.Status.WAITING).filter(
        queued_at__lt=registration.queued_at
    )
    return ahead.count() + 1


def _announce(registration: Registration) -> None:
    if registration.status == Registration.Status.CONFIRMED:
        registration_mail(registration, "placed", obj=f"event-placed-{registration.pk}")
    else:
        registration_mail(
            registration, "waiting", obj=f"event-waiting-{registration.pk}", position=waiting_position(registration)
        )


@transaction.atomic
def registration_confirm(*, token: str) -> Registration | None:
    """The link in the confirmation mail: the address is the registrant's, so the registration
    joins the queue (a place, or the waiting list). A second click changes nothing; a closed event
    leaves it pending. None for a forged or expired link, or a registration that is gone."""
    payload = unsign("event.confirm", token)
    if payload is None or not isinstance(payload.get("r"), int):
        return None
    found = Registration.objects.filter(pk=payload["r"], anonymised_at__isnull=True).values_list("event_id", flat=True)
    if not found:
        return None
    event = event_lock(found[0])
    registration = Registration.objects.select_for_update().get(pk=payload["r"])
    registration.event = event
    if registration.status != Registration.Status.PENDING or not is_open(event):
        return registration
    # The address proved to be theirs: a person the centre knows by it (a volunteer) is linked.
    registration.person = Person.objects.filter(centre=event.centre, email__iexact=registration.email).first()
    _join_queue(event, registration, timezone.now())
    audit_record(
        actor=None,
        centre=event.centre,
        action=AuditLogEntry.Action.UPDATE,
        obj=registration,
        changed_fields=["status"],
    )
    _announce(registration)
    return registration


def fill_places(event: Event) -> list[Registration]:
    """Under the event's lock: give every free place to the first who waits, and tell them."""
    if not is_open(event):
        return []
    free = event.places - taken_places(event)
    if free <= 0:
        return []
    now = timezone.now()
    moved_up = list(
        Registration.objects.select_for_update()
        .filter(event=event, status=Registration.Status.WAITING)
        .order_by("queued_at", "pk")[:free]
    )
    for registration in moved_up:
        registration.event = event
        registration.status, registration.placed_at = Registration.Status.CONFIRMED, now
        registration.save(update_fields=["status", "placed_at"])
        registration_mail(registration, "moved_up", obj=f"event-moved-up-{registration.pk}")
    return moved_up


@transaction.atomic
def registration_cancel(
    *, actor: AbstractBaseUser | None, registration: Registration, tell: bool = True
) -> Registration:
    """Cancel a registration (the person through their link, or a coordinator; without `tell`,
    an erasure, which mails no one). Its place goes to the first who waits. A second cancel
    changes nothing."""
    event = event_lock(registration.event_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    registration.event = event
    if registration.status == Registration.Status.CANCELLED:
        return registration
    if event.meeting.starts_at <= timezone.now():
        raise ConflictError(_("The event has begun: a registration cannot be cancelled any more."))
    held_place = registration.status == Registration.Status.CONFIRMED
    was_pending = registration.status == Registration.Status.PENDING
    registration.status, registration.cancelled_at = Registration.Status.CANCELLED, timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    audit_record(
        actor=actor,
        centre=event.centre,
        action=AuditLogEntry.Action.UPDATE,
        obj=registration,
        changed_fields=["status"],
    )
    if tell and not was_pending:
        registration_mail(registration, "cancelled_registration", obj=f"event-cancelled-{registration.pk}")
    if held_place:
        fill_places(event)
    return registration


@transaction.atomic
def registration_add(
    *,
    actor: AbstractBaseUser | None,
    event: Event,
    name: str,
    email: str = "",
    language: str,
    person: Person | None = None,
) -> Registration:
    """A coordinator registers someone (on the phone, a volunteer for a training): no confirmation,
    a place if one is free, else the waiting list. With an address, the person is told."""
    event = event_lock(event.pk)
    name, email = name.strip(), email.strip().lower()
    if person is not None:
        if person.centre_id != event.centre_id:
            raise DomainError(_("Choose a person of this contact point."), field="person")
        name, email = name or person.display_name, email or person.email
    _check(event, name=name, email=email, language=language)
    existing = _active(event, email) if email else None
    if person is not None and existing is None:
        existing = (
            Registration.objects.filter(event=event, person=person)
            .exclude(status=Registration.Status.CANCELLED)
            .first()
        )
    if existing is not None and existing.status != Registration.Status.PENDING:
        raise ConflictError(_("%(name)s is registered for this event already.") % {"name": existing.name or name})
    if existing is not None:
        # Registered on the website but never confirmed: the coordinator vouches for them now.
        registration = existing
    else:
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    centre=event.centre,
                    event=event,
                    name=name[:120],
                    email=email,
                    language=language,
                    created_at=timezone.now(),
                )
        except IntegrityError as error:  # the same address registered on the website this moment
            raise ConflictError(_("%(name)s is registered for this event already.") % {"name": name}) from error
    registration.event = event
    registration.person = person or (
        Person.objects.filter(centre=event.centre, email__iexact=email).first() if email else None
    )
    _join_queue(event, registration, timezone.now())
    audit_record(actor=actor, centre=event.centre, action=AuditLogEntry.Action.CREATE, obj=registration)
    _announce(registration)
    return registration


def registration_by_token(token: str) -> Registration | None:
    """The registration a registration link names, while it is kept."""
    payload = unsign("event.registration", token)
    if payload is None or not isinstance(payload.get("r"), int):
        return None
    return (
        Registration.objects.filter(pk=payload["r"], anonymised_at__isnull=True)
        .select_related("centre", "event__meeting__room__location", "event__centre")
        .first()
    )
