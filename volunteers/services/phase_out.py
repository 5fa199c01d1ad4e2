"""Phase-out: when a group's starters may step back (the checklist is complete or the planned
meetings took place), the coordinators' daily notice, the phase-out plan, and its end, when the
group runs itself."""

from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centres.models import AuditLogEntry, StaffRole
from centres.services.audit import audit_record
from config.errors import ConflictError, DomainError
from meetings.models import Group
from meetings.services.groups import group_transition
from notifications.models import OutgoingMail
from notifications.services.outbox import mail_queue
from volunteers.models import StarterAssignment
from volunteers.selectors import PhaseOutDue, phase_out_reasons_by_group, phase_outs_due
from volunteers.services.assignments import assignment_end
from volunteers.services.checklist import checklist_items


def phase_out_reasons(group: Group) -> list[str]:
    """Why the group's starters may phase out now: the self-run checklist is complete, or an
    active starter's planned meetings have taken place. Empty if neither."""
    checklist_items(group.centre)  # the centre's default checklist, made on first use
    active = StarterAssignment.objects.filter(group=group, status=StarterAssignment.Status.ACTIVE)
    return phase_out_reasons_by_group(active).get(group.pk, (group, []))[1]


def phase_out_notify_due(*, today: date | None = None) -> int:
    """Daily job: tell each centre's coordinators which groups are due for phase-out, one mail a
    day per coordinator (idempotent: a second run the same day sends nothing). Returns how many
    mails were queued."""
    today = today or timezone.localdate()
    by_centre: dict[int, list[PhaseOutDue]] = {}
    for item in phase_outs_due():
        by_centre.setdefault(item.group.centre_id, []).append(item)
    queued = 0
    for items in by_centre.values():
        centre = items[0].group.centre
        for role in StaffRole.objects.filter(centre=centre, user__is_active=True).select_related("user"):
            email = role.user.email
            if not email:
                continue
            mail = mail_queue(
                centre=centre,
                kind=OutgoingMail.Kind.SYSTEM,
                obj=f"phase-out-due-{centre.pk}-{today:%Y%m%d}",
                recipient=email,
                language=centre.default_language,
                template="volunteers/mail/phase_out_due",
                context={"centre": centre, "items": items},
            )
            queued += mail is not None
    return queued


@transaction.atomic
def phase_out_start(
    *, actor: AbstractBaseUser | None, group: Group, plan: str, until: date, override: bool = False
) -> list[StarterAssignment]:
    """Begin phasing out the group's starters with a plan (e.g. every other meeting until
    `until`). Needs a reason (`phase_out_reasons`) unless the coordinator overrides. Writes the
    assignments and audit entries."""
    group = Group.objects.select_for_update(of=("self",)).select_related("centre").get(pk=group.pk)
    if until < timezone.localdate():
        raise DomainError(_("The phase-out cannot end in the past."), field="until")
    if not plan.strip():
        raise DomainError(_("Describe the phase-out plan."), field="plan")
    if not override and not phase_out_reasons(group):
        raise ConflictError(_("Neither is the checklist complete nor have the planned meetings taken place."))
    assignments = list(
        StarterAssignment.objects.select_for_update().filter(group=group, status=StarterAssignment.Status.ACTIVE)
    )
    if not assignments:
        raise ConflictError(_("This group has no active starters."))
    for assignment in assignments:
        assignment.status = StarterAssignment.Status.PHASING_OUT
        assignment.phase_out_plan, assignment.phase_out_until = plan.strip(), until
        assignment.save(update_fields=["status", "phase_out_plan", "phase_out_until"])
        audit_record(
            actor=actor,
            centre=group.centre,
            action=AuditLogEntry.Action.UPDATE,
            obj=assignment,
            changed_fields=["status", "phase_out_plan", "phase_out_until"],
        )
    return assignments


@transaction.atomic
def phase_out_complete(*, actor: AbstractBaseUser | None, group: Group) -> Group:
    """The starters' work is done: their assignments end, they are free again, and the group
    runs itself. Writes the assignments, the group and audit entries."""
    open_assignments = list(
        StarterAssignment.objects.select_for_update().filter(group=group).exclude(status=StarterAssignment.Status.ENDED)
    )
    if not open_assignments:
        raise ConflictError(_("This group has no starters to phase out."))
    for assignment in open_assignments:
        assignment_end(actor=actor, assignment=assignment)
    return group_transition(actor=actor, group=group, status=Group.Status.SELF_RUN)
