"""Every mail to someone registered for an event, through the outbox. Each carries the link to
the registration's own page (see or cancel it), which acts for its recipient: the mails are
sensitive, and their subjects name only the centre, as an event's topic may be private."""

from typing import Any

from django.utils.translation import override

from config.signed_links import absolute_url, sign
from events.models import Event, Registration
from meetings.calendar import meetings_calendar
from notifications.models import OutgoingMail
from notifications.services.outbox import mail_queue


def registration_token(registration: Registration) -> str:
    """The link to a registration's page: valid while the registration is (its state decides)."""
    return sign("event.registration", {"r": registration.pk})


def confirm_token(registration: Registration) -> str:
    return sign("event.confirm", {"r": registration.pk})


def event_context(event: Event) -> dict[str, Any]:
    meeting = event.meeting
    return {
        "centre": event.centre,
        "event": event,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "place": meeting.place,
        "address": meeting.room.location.address if meeting.room is not None else "",
        "video_link": meeting.video_link,
    }


def registration_mail(
    registration: Registration, template: str, *, obj: str, kind: str = OutgoingMail.Kind.SYSTEM, **extra: Any
) -> OutgoingMail | None:
    """Queue `events/mail/<template>` to the registration's address (none without one). A mail
    about a place held carries the event as a calendar entry."""
    if not registration.email:
        return None
    event = registration.event
    context = {
        **event_context(event),
        "registration": registration,
        "manage_url": absolute_url("event-registration", registration_token(registration)),
        **extra,
    }
    calendar = ""
    # A place held: the event as a calendar entry; the event cancelled: the entry withdrawn.
    method = "CANCEL" if template == "cancelled" else "REQUEST"
    if registration.status == Registration.Status.CONFIRMED:
        with override(registration.language):
            calendar = meetings_calendar(
                [event.meeting], name=event.centre.name, with_notes=True, method=method
            ).decode()
    return mail_queue(
        centre=event.centre,
        kind=kind,
        obj=obj,
        recipient=registration.email,
        language=registration.language,
        template=f"events/mail/{template}",
        context=context,
        person=registration.person,
        calendar=calendar,
        sensitive=True,
    )
