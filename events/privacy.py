"""What events hold of a person: registered with centres' privacy in `EventsConfig.ready`.

- Erasure: the person's registrations for events still ahead are cancelled (their places go to
  whoever waits); then all lose their name, address and person; status and attendance stay for
  the counts. A training record stays with the volunteer's (erased there).
- Export: registrations linked to the person (by a confirmed address or a coordinator).
- Retention: names and addresses go some weeks after the event; registrations never
  confirmed go with other unconfirmed sign-ups (`events.services.reminders.registration_retention`).
- A registration keeps no one known to the centre.
"""

from django.db.models import Q
from django.utils import timezone

from centres.models import Person
from centres.services.privacy import Actor, PersonRecords, person_records_register
from centres.services.retention import retention_steps_register
from events.models import Registration
from events.services.registrations import registration_cancel
from events.services.reminders import registration_retention


def person_registrations_anonymise(person: Person, actor: Actor) -> bool:
    """The person's registrations (linked to them, or by their address): those for events still
    ahead are cancelled first, without a mail, so their places go to whoever waits; then every
    one loses its name, address and person."""
    theirs = Q(person=person)
    if person.email:  # a registration by the same address that was never linked is theirs too
        theirs |= Q(centre=person.centre_id, email__iexact=person.email)
    ahead = Registration.objects.filter(theirs, event__meeting__starts_at__gt=timezone.now()).exclude(
        status=Registration.Status.CANCELLED
    )
    for registration in ahead:
        registration_cancel(actor=actor, registration=registration, tell=False)
    Registration.objects.filter(theirs).update(name="", email="", person=None, anonymised_at=timezone.now())
    return False


def register() -> None:
    # After intake (20), before meetings (30).
    person_records_register(
        PersonRecords(app="events", order=25, models=("events.Registration",), erase=person_registrations_anonymise)
    )
    retention_steps_register(app="events", order=25, bulk=registration_retention)
