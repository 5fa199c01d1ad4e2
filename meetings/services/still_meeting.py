""" "Still meeting?": once a year, and when a self-run group has had no meeting for eight weeks or
has fewer members than its minimum, its contact person is asked by mail whether the group goes
on, pauses or ends; their one answer on their page takes the group there. A question unanswered
for four weeks puts the group on the coordinators' dashboard (`still_meeting_overdue`)."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from centres.models import AuditLogEntry, Centre
from centres.services.audit import audit_acting_as, audit_record
from config.errors import ConflictError, DomainError
from meetings.member_links import contact_url
from meetings.models import ContactPerson, Group, Meeting, StillMeetingCheck
from meetings.services.contacts import acting_label
from meetings.services.groups import group_transition
from notifications.models import OutgoingMail
from notifications.services.outbox import mail_queue

YEAR = timedelta(days=365)
QUIET = timedelta(weeks=8)
ANSWER_WITHIN = timedelta(weeks=4)


def _trigger(group: Group, now_: datetime) -> str | None:
    """Why the group is to be asked now, or None. A trigger asks at most once in eight weeks.
    `group` carries the annotations of `still_meeting_checks_start`."""
    since = group.status_changed_at or group.created_at
    last_asked: datetime | None = getattr(group, "last_asked", None)
    last_held: datetime | None = getattr(group, "last_held", None)
    if last_asked is not None and now_ - last_asked < QUIET:
        return None
    if now_ - since >= QUIET and (last_held is None or now_ - last_held >= QUIET):
        return StillMeetingCheck.Trigger.NO_MEETINGS
    if getattr(group, "members", 0) < group.min_size:
        return StillMeetingCheck.Trigger.TOO_FEW
    if now_ - (last_asked or since) >= YEAR:
        return StillMeetingCheck.Trigger.YEARLY
    return None


def still_meeting_checks_start(*, centre: Centre) -> int:
    """Ask the contact person of each of the centre's self-run groups that is due (see the module),
    one open question per group. Writes the questions and queues one mail each; a second run the
    same day asks nobody again. Returns how many were asked."""
    now_ = timezone.now()
    due = (
        Group.objects.filter(centre=centre, status=Group.Status.SELF_RUN)
        .filter(Exists(ContactPerson.objects.filter(group=OuterRef("pk"), ended_at__isnull=True)))
        .exclude(Exists(StillMeetingCheck.objects.filter(group=OuterRef("pk"), answered_at__isnull=True)))
        .annotate(
            last_asked=Max("still_meeting_checks__asked_at"),
            last_held=Max(
                "meetings__starts_at",
                filter=Q(meetings__status=Meeting.Status.SCHEDULED, meetings__ends_at__lte=now_),
            ),
            members=Count("memberships", filter=Q(memberships__left_on__isnull=True), distinct=True),
        )
        .select_related("centre")
    )
    asked = 0
    for group in due:
        trigger = _trigger(group, now_)
        if trigger is not None and _ask(group, trigger, now_):
            asked += 1
    return asked


@transaction.atomic
def _ask(group: Group, trigger: str, now_: datetime) -> bool:
    contacts = list(
        ContactPerson.objects.filter(group=group, ended_at__isnull=True)
        .select_related("membership__person")
        .order_by("chosen_on", "pk")
    )
    if not contacts:
        return False
    try:
        with transaction.atomic():
            check = StillMeetingCheck.objects.create(
                centre_id=group.centre_id, group=group, contact=contacts[0], trigger=trigger, asked_at=now_
            )
    except IntegrityError:  # another run asked at the same moment
        return False
    # Each contact person with an address is asked; the first answer counts for the group.
    for contact in contacts:
        person = contact.membership.person
        if not person.email:
            continue
        mail_queue(
            centre=group.centre,
            kind=OutgoingMail.Kind.SYSTEM,
            obj=f"still-meeting-{check.pk}-{contact.pk}",
            recipient=person.email,
            language=person.language or group.centre.default_language,
            template="meetings/mail/still_meeting",
            context={
                "centre": group.centre,
                "group": group,
                "trigger": trigger,
                "answer_url": contact_url(contact_id=contact.pk) + "still/",
            },
            person=person,
            sensitive=True,
        )
    return True


@transaction.atomic
def still_meeting_answer(
    *, contact: ContactPerson, answer: str, end_reason: str = "", note: str = ""
) -> StillMeetingCheck:
    """The contact person answers the open question: the group goes on, pauses (it is paused) or
    ends (it is closed, with why: its later meetings are cancelled and the members told). Audited
    as the contact person's."""
    check = StillMeetingCheck.objects.select_for_update().filter(group=contact.group, answered_at__isnull=True).first()
    if check is None:
        raise ConflictError(_("There is no open question: your group's answer is in already."))
    if answer not in (StillMeetingCheck.Answer.GOES_ON, StillMeetingCheck.Answer.PAUSES, StillMeetingCheck.Answer.ENDS):
        raise DomainError(_("Choose one of the answers."), field="answer")
    if answer == StillMeetingCheck.Answer.ENDS and end_reason not in Group.EndReason.values[1:]:
        raise DomainError(_("Choose why the group ends."), field="end_reason")
    with audit_acting_as(acting_label(contact)):
        if answer == StillMeetingCheck.Answer.PAUSES and contact.group.status != Group.Status.PAUSED:
            group_transition(actor=None, group=contact.group, status=Group.Status.PAUSED, reason=note)
        elif answer == StillMeetingCheck.Answer.ENDS:
            group_transition(
                actor=None, group=contact.group, status=Group.Status.CLOSED, reason=note, end_reason=end_reason
            )
        check.answer, check.answered_at = answer, timezone.now()
        check.save(update_fields=["answer", "answered_at"])
        audit_record(
            actor=None,
            centre=contact.group.centre,
            action=AuditLogEntry.Action.UPDATE,
            obj=check,
            changed_fields=["answer"],
        )
    return check
