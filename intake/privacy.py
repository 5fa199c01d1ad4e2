"""What intake holds of a person: registered with centres' privacy in `IntakeConfig.ready`.

- Erasure: the person's enquiries are anonymised (the counts keep channel, topics and month);
  their staff notes go with them.
- Export: staff notes on an enquiry may name other people, so they are left out of an export
  for a coordinator to review by hand (GDPR Art. 15(4)).
- An enquiry keeps its person known to the centre (retention does not erase them).
- Finished enquiries are anonymised after the centre's period by intake's own daily job
  (`intake.tasks.intake_daily`), not by the retention run.
"""

from centres.models import Person
from centres.services.privacy import Actor, PersonRecords, person_records_register
from intake.models import Enquiry
from intake.services.retention import enquiry_anonymise


def person_enquiries_anonymise(person: Person, actor: Actor) -> bool:
    for enquiry in Enquiry.objects.filter(person=person):
        enquiry_anonymise(actor=actor, enquiry=enquiry, delete_lone_person=False)
    return False


def register() -> None:
    # After notifications (10), which erases the person's mail, and before meetings (30): the
    # order the erasure ran in when it was one function.
    person_records_register(
        PersonRecords(
            app="intake",
            order=20,
            models=("intake.Enquiry",),
            known_by=("intake.Enquiry",),
            reviewed_by_hand=("intake.EnquiryNote",),
            erase=person_enquiries_anonymise,
        )
    )
