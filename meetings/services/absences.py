"""Absences: a member says "I can't come this time" through their signed link, and the centre
hears how many can't come, never who. Called by the member's page (`meetings.views.member`),
which opens the centre's scope."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import ConflictError
from meetings.models import Absence, Meeting, Membership
from notifications.models import OutgoingMail
from notifications.services.outbox import mail_queue


@transaction.atomic
def absence_record(*, membership: Membership, meeting: Meeting) -> int:
    """Note that the member can't come, once, and tell the centre how many can't (never who).
    Returns the number of absences for the meeting. Writes an Absence and queues a mail to the
    centre's contact address, if it has one."""
    if meeting.group_id != membership.group_id:
        raise ConflictError(_("This meeting is not one of your group's."))
    if meeting.status != Meeting.Status.SCHEDULED or meeting.starts_at <= timezone.now():
        raise ConflictError(_("This meeting is not ahead any more."))
    try:
        with transaction.atomic():
            Absence.objects.create(centre_id=membership.centre_id, meeting=meeting, membership=membership)
    except IntegrityError:
        pass  # said before: nothing new to tell
    count = Absence.objects.filter(meeting=meeting).count()
    centre = meeting.centre
    if centre.email:
        mail_queue(
            centre=centre,
            kind=OutgoingMail.Kind.ABSENCE,
            obj=f"meeting-{meeting.pk}-absences-{count}",
            recipient=centre.email,
            language=centre.default_language,
            template="meetings/mail/absence",
            context={"meeting": meeting, "count": count, "centre": centre},
        )
    return count
