"""What meetings holds of a person, and how long: registered with centres' privacy and retention
in `MeetingsConfig.ready`.

- Erasure: the person's memberships (with their absences) and calendar links go.
- Retention: memberships ended before the centre's former-members period go, with their
  absences, and so do absences from meetings older than that.
- A withdrawn group-membership consent stops the person's reminders in every group.
"""

from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone

from centres.models import ConsentRecord, Person
from centres.services.privacy import Actor, PersonRecords, person_records_register
from centres.services.retention import RetentionRun, retention_steps_register
from centres.signals import consent_withdrawn
from meetings.models import Absence, CalendarToken, Membership


def person_meetings_erase(person: Person, actor: Actor) -> bool:
    Membership.objects.filter(person_id=person.pk).delete()
    CalendarToken.objects.filter(person_id=person.pk).delete()
    return False


def membership_retention(run: RetentionRun) -> None:
    left_cutoff = run.cutoff(run.centre.former_member_retention_months)
    ended = Membership.objects.filter(centre=run.centre, left_on__lt=timezone.localdate(left_cutoff))
    run.removed.absences += Absence.objects.filter(
        Q(membership__in=ended) | Q(centre=run.centre, meeting__starts_at__lt=left_cutoff)
    ).delete()[0]
    run.removed.memberships += ended.delete()[0]


@receiver(consent_withdrawn, dispatch_uid="kontakt-meetings-consent-withdrawn")
def reminders_stop_on_withdrawal(sender: type[ConsentRecord], consent: ConsentRecord, **kwargs: object) -> None:
    if consent.purpose == ConsentRecord.Purpose.GROUP_MEMBERSHIP:
        Membership.objects.filter(centre=consent.centre, person=consent.person).update(reminder_minutes=None)


def register() -> None:
    person_records_register(
        PersonRecords(
            app="meetings",
            order=30,
            models=("meetings.Membership", "meetings.CalendarToken"),
            known_by=("meetings.Membership",),
            erase=person_meetings_erase,
        )
    )
    retention_steps_register(app="meetings", order=20, bulk=membership_retention)
