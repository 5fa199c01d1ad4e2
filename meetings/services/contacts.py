"""A self-run group's contact persons: chosen by the group and recorded by staff or a starter,
given a passwordless page by mail, able to change their group's meetings within the same rules
and services as staff, and to ask the centre for what only staff may do. Every change they make
is audited as theirs (`audit_acting_as`), and members are told as when staff act."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centres.models import AuditLogEntry
from centres.services.audit import audit_acting_as, audit_record
from config.errors import ConflictError, DomainError
from meetings.booking import RoomClashError
from meetings.member_links import contact_url
from meetings.models import (
    ContactPerson,
    ContactShare,
    Group,
    GroupRequest,
    HeldStatement,
    Meeting,
    Membership,
    Room,
)
from meetings.models.contacts import MAX_CONTACT_PERSONS
from meetings.selectors.contacts import contact_rooms, meetings_held
from meetings.services import meetings as meeting_services
from meetings.services.groups import group_update
from notifications.models import OutgoingMail
from notifications.services.outbox import mail_queue

SHARE_TEXT_VERSION = "contact-share-2026-12"


def acting_label(contact: ContactPerson) -> str:
    """How the audit log names a contact person who acted on their page."""
    return f"contact-person:{contact.pk}"


@transaction.atomic
def contact_person_record(
    *, actor: AbstractBaseUser | None, membership: Membership, chosen_on: date | None = None
) -> ContactPerson:
    """Record that the group chose this member as a contact person (one or two per group), and
    mail them the link to their group's page. Writes the role and an audit entry; queues the mail
    when the member has an address. Refused for a former member, a closed group, a member who is
    contact person already, or a third one (409)."""
    group = Group.objects.select_for_update().get(pk=membership.group_id)
    if membership.left_on is not None:
        raise ConflictError(_("This person has left the group."))
    if group.status == Group.Status.CLOSED:
        raise ConflictError(_("The group is closed."))
    active = ContactPerson.objects.filter(group=group, ended_at__isnull=True)
    if active.filter(membership=membership).exists():
        raise ConflictError(_("This member is a contact person of the group already."))
    if active.count() >= MAX_CONTACT_PERSONS:
        raise ConflictError(_("A group has at most two contact persons: let one step down first."))
    chosen_on = chosen_on or timezone.localdate()
    if chosen_on > timezone.localdate() or chosen_on < membership.joined_on:
        raise DomainError(_("The day the group chose them lies between their joining and today."), field="chosen_on")
    contact = ContactPerson.objects.create(
        centre_id=group.centre_id, group=group, membership=membership, chosen_on=chosen_on
    )
    audit_record(actor=actor, centre=group.centre, action=AuditLogEntry.Action.CREATE, obj=contact)
    if membership.person.email:
        _link_mail(contact, template="meetings/mail/contact_chosen")
    return contact


@transaction.atomic
def contact_person_step_down(*, actor: AbstractBaseUser | None, contact: ContactPerson) -> ContactPerson:
    """End a contact person's role: their link stops working at once. Writes the role's end and
    an audit entry."""
    contact = ContactPerson.objects.select_for_update().select_related("centre").get(pk=contact.pk)
    if contact.ended_at is not None:
        raise ConflictError(_("This contact person has stepped down already."))
    contact.ended_at = timezone.now()
    contact.save(update_fields=["ended_at"])
    audit_record(
        actor=actor, centre=contact.centre, action=AuditLogEntry.Action.UPDATE, obj=contact, changed_fields=["ended_at"]
    )
    return contact


def contact_link_send(*, actor: AbstractBaseUser | None, contact: ContactPerson) -> OutgoingMail | None:
    """Mail a contact person a freshly signed link to their group's page (a lost or old link).
    Refused for a role that ended (409) or a member without an address (400)."""
    if contact.ended_at is not None:
        raise ConflictError(_("This contact person has stepped down; their link no longer works."))
    if not contact.membership.person.email:
        raise DomainError(_("This person has no e-mail address: the page's link can only be mailed."))
    audit_record(
        actor=actor,
        centre=contact.group.centre,
        action=AuditLogEntry.Action.UPDATE,
        obj=contact,
        changed_fields=["link"],
    )
    return _link_mail(contact, template="meetings/mail/contact_link")


def _link_mail(contact: ContactPerson, *, template: str) -> OutgoingMail | None:
    person, group = contact.membership.person, contact.group
    return mail_queue(
        centre=group.centre,
        kind=OutgoingMail.Kind.SYSTEM,
        # Each link mail is a mail of its own: a resend must not be taken for the first one.
        obj=f"contact-link-{contact.pk}-{timezone.now().timestamp():.0f}",
        recipient=person.email,
        language=person.language or group.centre.default_language,
        template=template,
        context={"centre": group.centre, "group": group, "contact_url": contact_url(contact_id=contact.pk)},
        person=person,
        sensitive=True,
    )


def _own_meeting(contact: ContactPerson, meeting: Meeting) -> None:
    if meeting.group_id != contact.group_id:
        raise DomainError(_("This meeting is not one of your group's."), field="meeting")


def contact_meeting_cancel(*, contact: ContactPerson, meeting: Meeting, note: str = "") -> Meeting:
    """Cancel one of the group's meetings, as staff would (`meeting_cancel`): members get the
    same notice. Audited as the contact person's."""
    _own_meeting(contact, meeting)
    with audit_acting_as(acting_label(contact)):
        return meeting_services.meeting_cancel(actor=None, meeting=meeting, note=note)


def contact_meeting_reinstate(*, contact: ContactPerson, meeting: Meeting) -> Meeting:
    """Reinstate a cancelled meeting of the group (`meeting_reinstate`), if its room is free."""
    _own_meeting(contact, meeting)
    with audit_acting_as(acting_label(contact)):
        return _neutral_clash(meeting_services.meeting_reinstate, actor=None, meeting=meeting)


def contact_meeting_move(
    *, contact: ContactPerson, meeting: Meeting, starts_at: datetime, room: Room | None
) -> Meeting:
    """Move one of the group's meetings into a free slot of one of `contact_rooms` (the group's
    rooms and those the centre opens to self-run groups), by `meeting_move`: the same opening
    hours, closures and clash checks as for staff, and the same notice to members. A meeting in
    no room (online, outdoors) moves in time only."""
    _own_meeting(contact, meeting)
    if meeting.room is None:
        room = None
    elif room is None or room.pk not in {allowed.pk for allowed in contact_rooms(contact)}:
        raise DomainError(_("Choose one of the rooms offered."), field="room")
    with audit_acting_as(acting_label(contact)):
        return _neutral_clash(
            meeting_services.meeting_move, actor=None, meeting=meeting, starts_at=starts_at, room=room
        )


def contact_meeting_annotate(*, contact: ContactPerson, meeting: Meeting, note: str) -> Meeting:
    """Set the note members see with one meeting of the group ("we meet at the café")."""
    _own_meeting(contact, meeting)
    if len(note) > 300:
        raise DomainError(_("A note has at most 300 characters."), field="note")
    with audit_acting_as(acting_label(contact)):
        return meeting_services.meeting_annotate(actor=None, meeting=meeting, note=note)


def _neutral_clash(change: Callable[..., Meeting], **arguments: Any) -> Meeting:
    """Run a meeting change; a clash is told without the meeting in the way, which belongs to
    another group the contact person may not know of."""
    try:
        return change(**arguments)
    except RoomClashError as error:
        raise ConflictError(_("The room is taken at that time: choose another time or room.")) from error


REQUEST_KINDS = {GroupRequest.Kind.ROOM_CHANGE, GroupRequest.Kind.NEW_SERIES, GroupRequest.Kind.OTHER}


@transaction.atomic
def group_request_create(*, contact: ContactPerson, kind: str, message: str) -> GroupRequest:
    """A contact person asks the centre for another room, a new series or something else; the
    request lands in the coordinators' queue. A group has at most 10 open requests."""
    if kind not in REQUEST_KINDS:
        raise DomainError(_("Choose what you are asking for."), field="kind")
    message = message.strip()
    if not message or len(message) > 2000:
        raise DomainError(_("Say what you need, in at most 2000 characters."), field="message")
    return _request_open(contact, kind=kind, message=message)


@transaction.atomic
def group_description_propose(*, contact: ContactPerson, description: str) -> GroupRequest:
    """A contact person proposes a new public description; it is public once a coordinator
    approves it. A newer proposal replaces an open older one."""
    description = description.strip()
    if not description or len(description) > 2000:
        raise DomainError(_("Write the description, in at most 2000 characters."), field="description")
    GroupRequest.objects.filter(
        group_id=contact.group_id, kind=GroupRequest.Kind.DESCRIPTION, status=GroupRequest.Status.OPEN
    ).update(status=GroupRequest.Status.DECLINED, answer=_("Replaced by a newer proposal."), answered_at=timezone.now())
    return _request_open(contact, kind=GroupRequest.Kind.DESCRIPTION, message=description)


def _request_open(contact: ContactPerson, *, kind: str, message: str) -> GroupRequest:
    Group.objects.select_for_update().filter(pk=contact.group_id).first()
    if GroupRequest.objects.filter(group_id=contact.group_id, status=GroupRequest.Status.OPEN).count() >= 10:
        raise ConflictError(_("Your group has 10 open requests: wait for the centre to answer them."))
    request = GroupRequest.objects.create(
        centre_id=contact.centre_id, group_id=contact.group_id, contact=contact, kind=kind, message=message
    )
    with audit_acting_as(acting_label(contact)):
        audit_record(actor=None, centre=contact.centre, action=AuditLogEntry.Action.CREATE, obj=request)
    return request


@transaction.atomic
def group_request_answer(
    *, actor: AbstractBaseUser | None, request: GroupRequest, done: bool, answer: str = ""
) -> GroupRequest:
    """A coordinator marks a group's request done or declines it, with an answer the contact
    person reads on their page. Approving a description publishes it (`group_update`)."""
    request = GroupRequest.objects.select_for_update().select_related("group__centre").get(pk=request.pk)
    if request.status != GroupRequest.Status.OPEN:
        raise ConflictError(_("This request has been answered already."))
    if len(answer) > 300:
        raise DomainError(_("An answer has at most 300 characters."), field="answer")
    if done and request.kind == GroupRequest.Kind.DESCRIPTION:
        # The translations described the old text: the new one is shown in every language until
        # coordinators translate it again.
        group_update(actor=actor, group=request.group, description=request.message, description_translations={})
    request.status = GroupRequest.Status.DONE if done else GroupRequest.Status.DECLINED
    request.answer, request.answered_at = answer.strip(), timezone.now()
    request.answered_by_id = actor.pk if actor is not None and actor.is_authenticated else None
    request.save(update_fields=["status", "answer", "answered_at", "answered_by"])
    audit_record(
        actor=actor,
        centre=request.group.centre,
        action=AuditLogEntry.Action.UPDATE,
        obj=request,
        changed_fields=["status", "answer"],
    )
    return request


@transaction.atomic
def contact_share_set(*, membership: Membership, first_name: str, reach_by: str) -> ContactShare:
    """A member shares a first name and one way to reach them with their group's contact
    persons: a consent of its own, given on their page. Writes the share and an audit entry."""
    first_name, reach_by = first_name.strip(), reach_by.strip()
    if not first_name or len(first_name) > 60 or "\n" in first_name:
        raise DomainError(_("Give a first name (at most 60 characters)."), field="first_name")
    if not reach_by or len(reach_by) > 120 or "\n" in reach_by:
        raise DomainError(_("Give a phone number or an address (at most 120 characters)."), field="reach_by")
    # The membership's row is locked, so a form sent twice at once writes one share.
    Membership.objects.select_for_update().filter(pk=membership.pk).first()
    share, _created = ContactShare.objects.update_or_create(
        membership=membership,
        defaults={
            "centre_id": membership.centre_id,
            "first_name": first_name,
            "reach_by": reach_by,
            "text_version": SHARE_TEXT_VERSION,
        },
    )
    audit_record(actor=None, centre=membership.group.centre, action=AuditLogEntry.Action.UPDATE, obj=share)
    return share


@transaction.atomic
def contact_share_withdraw(*, membership: Membership) -> bool:
    """Withdraw what the member shared with their group: the row is deleted, and an audit line
    says the consent was withdrawn. False if nothing was shared."""
    share = ContactShare.objects.filter(membership=membership).first()
    if share is None:
        return False
    audit_record(actor=None, centre=membership.group.centre, action=AuditLogEntry.Action.WITHDRAW, obj=share)
    share.delete()
    return True


@transaction.atomic
def held_statement_sign_off(*, actor: AbstractBaseUser, group: Group, year: int) -> HeldStatement:
    """A coordinator signs off the statement of the meetings the group held in the year (as many
    as are held by now), for the group's grant; signing off again replaces the earlier sign-off.
    Refused for a year not yet begun. Writes the statement and an audit entry."""
    if year > timezone.localdate().year or year < 2000:
        raise DomainError(_("Choose a year that has begun."), field="year")
    name = (actor.get_full_name() if hasattr(actor, "get_full_name") else "") or actor.get_username()
    Group.objects.select_for_update().filter(pk=group.pk).first()  # one sign-off at a time
    statement, _created = HeldStatement.objects.update_or_create(
        group=group,
        year=year,
        defaults={
            "centre_id": group.centre_id,
            "meetings_held": len(meetings_held(group, year)),
            "signed_off_by_id": actor.pk,
            "signer_name": name[:150],
            "signed_off_at": timezone.now(),
        },
    )
    audit_record(actor=actor, centre=group.centre, action=AuditLogEntry.Action.UPDATE, obj=statement)
    return statement
