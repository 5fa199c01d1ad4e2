"""Starter assignments: a volunteer starts a group (at most two per group, never at overlapping
meetings), is given more meetings, or ends; `phase_out` ends them when the group runs itself."""

from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centres.models import AuditLogEntry
from centres.services.audit import audit_record
from config.errors import ConflictError, DomainError
from meetings.models import Group, Meeting
from volunteers.models import StarterAssignment, Volunteer
from volunteers.selectors import (
    CRISIS_STATUSES,
    STARTER_STATUSES,
    STARTERS_PER_GROUP,
    assignment_meetings,
    volunteer_open_assignments,
)


def _overlapping(mine: list[Meeting], theirs: list[Meeting]) -> Meeting | None:
    for meeting in mine:
        for other in theirs:
            if meeting.starts_at < other.ends_at and other.starts_at < meeting.ends_at:
                return meeting
    return None


@transaction.atomic
def assignment_create(
    *,
    actor: AbstractBaseUser | None,
    group: Group,
    volunteer: Volunteer,
    starts_on: date,
    planned_meetings: int | None = None,
) -> StarterAssignment:
    """Make `volunteer` a starter of `group`. At most two starters per group (the group row is
    locked, so two coordinators at once cannot make it three); only active volunteers; never to
    meetings that overlap the volunteer's other assignments. A self-run (or paused) group in a
    crisis gets starters back for a short spell (`is_crisis`): at most the centre's
    `crisis_starter_meetings`. Writes the assignment and an audit entry."""
    # Only the group's and the volunteer's rows are locked, not their centre's.
    group = Group.objects.select_for_update(of=("self",)).select_related("centre").get(pk=group.pk)
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if volunteer.centre_id != group.centre_id:
        raise DomainError(_("This volunteer belongs to another centre."), field="volunteer")
    if volunteer.status != Volunteer.Status.ACTIVE:
        raise ConflictError(_("Only an active volunteer can start a group."))
    if group.status not in STARTER_STATUSES:
        raise ConflictError(_("A closed group gets no starters."))
    crisis = group.status in CRISIS_STATUSES
    starters = StarterAssignment.objects.filter(group=group).exclude(status=StarterAssignment.Status.ENDED)
    if starters.filter(volunteer=volunteer).exists():
        raise ConflictError(_("This volunteer already starts this group."))
    if starters.count() >= STARTERS_PER_GROUP:
        raise ConflictError(_("A group has at most two starters."))
    limit = group.centre.crisis_starter_meetings if crisis else 52
    count = planned_meetings or (limit if crisis else group.centre.starter_planned_meetings)
    if not 1 <= count <= limit:
        message = (
            _("A crisis spell with a self-run group lasts at most %(count)d meetings.")
            if crisis
            else _("Plan between 1 and %(count)d meetings.")
        )
        raise DomainError(message % {"count": limit}, field="planned_meetings")
    mine = assignment_meetings(group.pk, starts_on, count)
    for other in volunteer_open_assignments(volunteer).select_related("group"):
        clash = _overlapping(mine, assignment_meetings(other.group_id, other.starts_on, other.planned_meetings))
        if clash is not None:
            raise ConflictError(
                _("On %(when)s this volunteer is with another group they start.")
                % {"when": timezone.localtime(clash.starts_at).strftime("%Y-%m-%d %H:%M")}
            )
    try:
        with transaction.atomic():
            assignment = StarterAssignment.objects.create(
                centre=group.centre,
                group=group,
                volunteer=volunteer,
                starts_on=starts_on,
                planned_meetings=count,
                is_crisis=crisis,
            )
    except IntegrityError as error:
        raise ConflictError(_("This volunteer already starts this group.")) from error
    audit_record(actor=actor, centre=group.centre, action=AuditLogEntry.Action.CREATE, obj=assignment)
    return assignment


@transaction.atomic
def assignment_end(*, actor: AbstractBaseUser | None, assignment: StarterAssignment) -> StarterAssignment:
    """End an assignment: the volunteer is free again. Writes the assignment and an audit entry."""
    assignment = StarterAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.status == StarterAssignment.Status.ENDED:
        raise ConflictError(_("This assignment has ended already."))
    assignment.status, assignment.ended_on = StarterAssignment.Status.ENDED, timezone.localdate()
    assignment.save(update_fields=["status", "ended_on"])
    audit_record(
        actor=actor,
        centre=assignment.centre,
        action=AuditLogEntry.Action.UPDATE,
        obj=assignment,
        changed_fields=["status", "ended_on"],
    )
    return assignment


@transaction.atomic
def assignment_extend(
    *, actor: AbstractBaseUser | None, assignment: StarterAssignment, meetings: int
) -> StarterAssignment:
    """The coordinator extends a starter's time with the group by `meetings` more meetings (a
    phase-out already begun goes back to active). Writes the assignment and an audit entry."""
    assignment = StarterAssignment.objects.select_for_update().select_related("centre").get(pk=assignment.pk)
    if assignment.status == StarterAssignment.Status.ENDED:
        raise ConflictError(_("This assignment has ended already."))
    if assignment.is_crisis and assignment.planned_meetings + meetings > assignment.centre.crisis_starter_meetings:
        raise DomainError(
            _("A crisis spell with a self-run group lasts at most %(count)d meetings.")
            % {"count": assignment.centre.crisis_starter_meetings},
            field="meetings",
        )
    if not 1 <= meetings <= 52 or assignment.planned_meetings + meetings > 104:
        raise DomainError(_("Extend by 1 to 52 meetings."), field="meetings")
    assignment.planned_meetings += meetings
    assignment.status = StarterAssignment.Status.ACTIVE
    assignment.phase_out_plan, assignment.phase_out_until = "", None
    assignment.save(update_fields=["planned_meetings", "status", "phase_out_plan", "phase_out_until"])
    audit_record(
        actor=actor,
        centre=assignment.centre,
        action=AuditLogEntry.Action.UPDATE,
        obj=assignment,
        changed_fields=["planned_meetings", "status"],
    )
    return assignment
