"""Placing the person of an enquiry into a group: the membership starts (so reminders follow),
the enquiry is placed, and a welcome mail brings the member page and calendar link."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from centres.models import AuditLogEntry, Person
from centres.services.audit import audit_record
from config.errors import ConflictError, DomainError
from intake.models import Enquiry
from intake.selectors import LIVE_GROUP_STATUSES, free_places
from intake.services.queue import enquiry_locked, enquiry_status_set
from meetings.models import Group, Membership
from meetings.selectors import group_next_meeting
from meetings.services.calendar_links import membership_calendar_link, membership_links_mail
from meetings.services.groups import membership_add

Status = Enquiry.Status


def _check_placement(enquiry: Enquiry, group: Group, *, override: bool) -> Person:
    """The enquiry's person, if they may be placed into the group."""
    if group.centre_id != enquiry.centre_id:
        raise DomainError(_("This group belongs to another centre."), field="group")
    if enquiry.status not in (Status.CONVERSATION_HELD, Status.WAITING):
        raise ConflictError(_("A person is placed after the intake conversation."))
    if enquiry.person is None:
        raise ConflictError(_("This enquiry has no person any more."))
    if group.status not in LIVE_GROUP_STATUSES:
        raise ConflictError(_("This group does not take anyone at the moment."))
    if not free_places(group) and not override:
        raise ConflictError(_("The group is full. A coordinator can place someone over its size with override."))
    if not group.accepts_newcomers and not override:
        raise ConflictError(_("The group takes no newcomers. A coordinator can override this."))
    return enquiry.person


@transaction.atomic
def enquiry_place(
    *, actor: AbstractBaseUser | None, enquiry: Enquiry, group: Group, override: bool = False
) -> Membership:
    """Place the person into `group`: the membership starts, so reminders follow, and a welcome
    mail brings their member page and calendar link. The group row is locked, so two coordinators
    placing two people into the last place at once cannot both succeed; a full group or one closed
    to newcomers takes someone only with `override`, which the audit log records. Writes the
    membership, the enquiry, audit entries and the welcome mail."""
    enquiry = enquiry_locked(enquiry)
    group = Group.objects.select_for_update(of=("self",)).select_related("centre").get(pk=group.pk)
    _check_placement(enquiry, group, override=override)
    person = enquiry.person
    assert person is not None  # checked above
    role = Membership.Role.RELATIVE if enquiry.is_relative else Membership.Role.MEMBER
    membership = membership_add(actor=actor, group=group, person=person, role=role)
    if override:
        audit_record(
            actor=actor,
            centre=group.centre,
            action=AuditLogEntry.Action.UPDATE,
            obj=membership,
            changed_fields=["placed_with_override"],
        )
    enquiry.placed_group = group
    enquiry_status_set(enquiry, Status.PLACED, actor=actor, fields=["placed_group"])
    _welcome(membership, group, person, actor=actor)
    return membership


def _welcome(membership: Membership, group: Group, person: Person, *, actor: AbstractBaseUser | None) -> None:
    if not person.email:
        return
    # The welcome is about this one group: its feed link shows this group only.
    token = membership_calendar_link(actor=actor, membership=membership)
    membership_links_mail(
        membership,
        token,
        obj=f"welcome-{membership.pk}",
        template="intake/mail/group_welcome",
        context={"first": group_next_meeting(group)},
        sensitive=False,
    )
