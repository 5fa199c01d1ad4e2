"""An enquiry moves along the intake queue: new → contacted → conversation scheduled →
conversation held → placed, waiting, referred, withdrawn or closed (see TRANSITIONS). Here are the
transitions, the staff notes, the intake conversation (by phone, or in a room booked like any
meeting) and the waiting list; placing is `placement`'s."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centres.models import AuditLogEntry, StaffRole
from centres.services.audit import audit_record
from config.errors import ConflictError, DomainError
from intake.models import FINISHED, Enquiry, EnquiryNote
from meetings.booking import check_within_planning_range
from meetings.models import Meeting, Room, Topic
from meetings.services.meetings import meeting_cancel, one_off_create

Status = Enquiry.Status
# Placing and waiting have their own services; scheduling the conversation too.
TRANSITIONS = {
    Status.NEW: {Status.CONTACTED, Status.REFERRED, Status.WITHDRAWN, Status.CLOSED},
    Status.CONTACTED: {Status.REFERRED, Status.WITHDRAWN, Status.CLOSED},
    Status.CONVERSATION_SCHEDULED: {Status.CONTACTED, Status.CONVERSATION_HELD, Status.WITHDRAWN, Status.CLOSED},
    Status.CONVERSATION_HELD: {Status.REFERRED, Status.WITHDRAWN, Status.CLOSED},
    Status.WAITING: {Status.REFERRED, Status.WITHDRAWN, Status.CLOSED},
    Status.PLACED: set(),
    Status.REFERRED: {Status.CLOSED},
    Status.WITHDRAWN: set(),
    Status.CLOSED: set(),
}
CONVERSATION_MINUTES = 45
AWAITING_MESSAGE = gettext_lazy(
    "This enquiry came with an e-mail address the centre already knew and waits until that address confirms "
    "it: until then it belongs to no one and cannot be worked on."
)
SCHEDULABLE = (Status.NEW, Status.CONTACTED, Status.CONVERSATION_SCHEDULED)


def enquiry_locked(enquiry: Enquiry) -> Enquiry:
    """The enquiry again, its row locked for the transaction; refused if it is anonymised or still
    waits for its address to confirm it."""
    enquiry = Enquiry.objects.select_for_update(of=("self",)).select_related("centre", "person").get(pk=enquiry.pk)
    if enquiry.anonymised_at:
        raise ConflictError(_("This enquiry is anonymised."))
    if enquiry.awaiting_confirmation:
        raise ConflictError(str(AWAITING_MESSAGE))
    return enquiry


# The steps that answer the person (closing spam or a withdrawal answers no one).
ANSWERED = frozenset(
    {
        Enquiry.Status.CONTACTED,
        Enquiry.Status.CONVERSATION_SCHEDULED,
        Enquiry.Status.CONVERSATION_HELD,
        Enquiry.Status.PLACED,
        Enquiry.Status.WAITING,
        Enquiry.Status.REFERRED,
    }
)


def enquiry_status_set(
    enquiry: Enquiry, status: str, *, actor: AbstractBaseUser | None, fields: Iterable[str] = ()
) -> Enquiry:
    """Save the enquiry in its new status (with `fields` changed alongside) and audit it."""
    enquiry.status, enquiry.status_changed_at = status, timezone.now()
    changed = ["status", "status_changed_at", *fields]
    if status in ANSWERED and enquiry.first_contact_after is None:
        enquiry.first_contact_after = max(enquiry.status_changed_at - enquiry.created_at, timedelta(0))
        changed.append("first_contact_after")
    if status in FINISHED and enquiry.finished_at is None:
        # Referred, then closed: the retention period still runs from the first outcome.
        enquiry.finished_at = enquiry.status_changed_at
        changed.append("finished_at")
    enquiry.save(update_fields=changed)
    audit_record(
        actor=actor, centre=enquiry.centre, action=AuditLogEntry.Action.UPDATE, obj=enquiry, changed_fields=changed
    )
    return enquiry


def _cancel_conversation_booking(enquiry: Enquiry, *, actor: AbstractBaseUser | None) -> None:
    meeting = enquiry.conversation_meeting
    if meeting and meeting.status == Meeting.Status.SCHEDULED and meeting.ends_at > timezone.now():
        # The enquiry owns this booking (`intake.apps`): the planner and the API may not cancel it.
        meeting_cancel(actor=actor, meeting=meeting, by_owner=True)


@transaction.atomic
def enquiry_transition(*, actor: AbstractBaseUser | None, enquiry: Enquiry, to: str, referred_to: str = "") -> Enquiry:
    """Move an enquiry along the intake queue (see TRANSITIONS). Referring needs where to; a
    conversation not held any more (back to contacted, withdrawn, closed) frees its room.
    Writes the enquiry and an audit entry."""
    enquiry = enquiry_locked(enquiry)
    if to not in Status.values:
        raise DomainError(_("Unknown status."), field="to")
    if to not in TRANSITIONS.get(Status(enquiry.status), set()):
        raise ConflictError(
            _("An enquiry cannot go from “%(from)s” to “%(to)s”.")
            % {"from": Status(enquiry.status).label, "to": Status(to).label if to in Status.values else to}
        )
    fields = []
    if to == Status.REFERRED:
        if not referred_to.strip():
            raise DomainError(_("Say where the person was referred to."), field="referred_to")
        enquiry.referred_to = referred_to.strip()[:200]
        fields.append("referred_to")
    if enquiry.status == Status.CONVERSATION_SCHEDULED and to != Status.CONVERSATION_HELD:
        _cancel_conversation_booking(enquiry, actor=actor)
        if to == Status.CONTACTED:
            enquiry.conversation_kind, enquiry.conversation_at, enquiry.conversation_meeting = "", None, None
            fields += ["conversation_kind", "conversation_at", "conversation_meeting"]
    return enquiry_status_set(enquiry, to, actor=actor, fields=fields)


@transaction.atomic
def enquiry_note_add(*, actor: AbstractBaseUser | None, enquiry: Enquiry, text: str) -> EnquiryNote:
    """A staff note on the enquiry. Writes the note and an audit entry (never the text)."""
    enquiry = enquiry_locked(enquiry)
    if not text.strip():
        raise DomainError(_("Write the note first."), field="text")
    note = EnquiryNote.objects.create(
        centre=enquiry.centre, enquiry=enquiry, author_id=actor.pk if actor is not None else None, text=text.strip()
    )
    audit_record(actor=actor, centre=enquiry.centre, action=AuditLogEntry.Action.CREATE, obj=note)
    return note


@transaction.atomic
def enquiry_assign(*, actor: AbstractBaseUser | None, enquiry: Enquiry, assignee: AbstractBaseUser | None) -> Enquiry:
    """Say who looks after the enquiry (None: nobody yet): a member of the centre's staff.
    Writes the enquiry and an audit entry."""
    enquiry = enquiry_locked(enquiry)
    if assignee is not None and not StaffRole.objects.filter(centre_id=enquiry.centre_id, user_id=assignee.pk).exists():
        raise DomainError(_("Only the centre's staff can take on an enquiry."), field="assignee")
    enquiry.assignee_id = assignee.pk if assignee is not None else None
    enquiry.save(update_fields=["assignee"])
    audit_record(
        actor=actor, centre=enquiry.centre, action=AuditLogEntry.Action.UPDATE, obj=enquiry, changed_fields=["assignee"]
    )
    return enquiry


def _check_conversation(enquiry: Enquiry, *, kind: str, starts_at: datetime, minutes: int) -> None:
    if enquiry.status not in SCHEDULABLE:
        raise ConflictError(_("The intake conversation is scheduled before the outcome, not after."))
    if kind not in Enquiry.ConversationKind.values:
        raise DomainError(_("Choose by phone or in person."), field="kind")
    if not 15 <= minutes <= 180:
        raise DomainError(_("A conversation takes between 15 and 180 minutes."), field="minutes")
    check_within_planning_range(starts_at.date(), field="starts_at")
    if kind == Enquiry.ConversationKind.IN_PERSON and starts_at < timezone.now():
        # A phone call may be recorded afterwards; a room cannot be booked in the past.
        raise DomainError(_("A conversation in a room cannot be booked in the past."), field="starts_at")


def _conversation_book(
    *, actor: AbstractBaseUser | None, enquiry: Enquiry, room: Room | None, starts_at: datetime, minutes: int
) -> Meeting:
    if room is None:
        raise DomainError(_("Choose the room for the conversation."), field="room")
    if room.centre_id != enquiry.centre_id:
        raise DomainError(_("The room belongs to another centre."), field="room")
    with translation.override(enquiry.centre.default_language):
        title = _("Intake conversation")
    return one_off_create(
        actor=actor,
        centre=enquiry.centre,
        room=room,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
    )


@transaction.atomic
def enquiry_conversation_schedule(
    *,
    actor: AbstractBaseUser | None,
    enquiry: Enquiry,
    kind: str,
    starts_at: datetime,
    minutes: int = CONVERSATION_MINUTES,
    room: Room | None = None,
) -> Enquiry:
    """Schedule (or move) the intake conversation: by phone at a time, or in person in a room,
    booked like any meeting so it cannot clash. The booking's title is neutral and names nobody.
    A booking made before is cancelled. Writes the enquiry, the booking and audit entries."""
    enquiry = enquiry_locked(enquiry)
    _check_conversation(enquiry, kind=kind, starts_at=starts_at, minutes=minutes)
    # The old booking goes first, so the conversation can move to an overlapping slot in the
    # same room; if the new booking fails, the transaction brings the old one back.
    _cancel_conversation_booking(enquiry, actor=actor)
    booking = None
    if kind == Enquiry.ConversationKind.IN_PERSON:
        booking = _conversation_book(actor=actor, enquiry=enquiry, room=room, starts_at=starts_at, minutes=minutes)
    enquiry.conversation_kind, enquiry.conversation_at, enquiry.conversation_meeting = kind, starts_at, booking
    return enquiry_status_set(
        enquiry,
        Status.CONVERSATION_SCHEDULED,
        actor=actor,
        fields=["conversation_kind", "conversation_at", "conversation_meeting"],
    )


@transaction.atomic
def enquiry_wait(*, actor: AbstractBaseUser | None, enquiry: Enquiry, topic: Topic | None = None) -> Enquiry:
    """After the conversation no group fits: the person waits for a group on `topic` (the
    enquiry's only topic if not given) in their language. Writes the enquiry and an audit entry."""
    enquiry = enquiry_locked(enquiry)
    if enquiry.status != Status.CONVERSATION_HELD:
        raise ConflictError(_("An enquiry goes onto a waiting list after the intake conversation."))
    if topic is None:
        topics = list(enquiry.topics.all())
        if len(topics) != 1:
            raise DomainError(_("Say which topic the person waits for."), field="topic")
        topic = topics[0]
    if topic.centre_id != enquiry.centre_id:
        raise DomainError(_("Choose a topic of this contact point."), field="topic")
    enquiry.waiting_topic, enquiry.waiting_since = topic, timezone.localdate()
    return enquiry_status_set(enquiry, Status.WAITING, actor=actor, fields=["waiting_topic", "waiting_since"])
