"""What events hold of a person: registered with centres' privacy in `EventsConfig.ready`.

- Erasure: the person's registrations lose their name, address and person; status and
  attendance stay for the counts. A training record stays with the volunteer's (erased there).
- Export: registrations linked to the person (by a confirmed address or a coordinator).
- Retention: names and addresses go some weeks after the event; registrations never
  confirmed go with other unconfirmed sign-ups (`events.services.reminders.registration_retention`).
- A registration keeps no one known to the centre.
"""

from django.utils import timezone

from centres.models import Person
from centres.services.privacy import Actor, PersonRecords, person_records_register
from centres.services.retention import retention_steps_register
from events.models import Registration
from events.services.reminders import registration_retention


def person_registrations_anonymise(person: Person, actor: Actor) -> bool:
    Registration.objects.filter(person=person).update(name="", email="", person=None, anonymised_at=timezone.now())
    # A registration by the same address that was never linked to the person is theirs too.
    if person.email:
        Registration.objects.filter(centre=person.centre_id, email__iexact=person.email).update(
            name="", email="", anonymised_at=timezone.now()
        )
    return False


def register() -> None:
    # After intake (20), before meetings (30).
    person_records_register(
        PersonRecords(app="events", order=25, models=("events.Registration",), erase=person_registrations_anonymise)
    )
    retention_steps_register(app="events", order=25, bulk=registration_retention)
