"""Groups, their life cycle and memberships. Rosters are personal data: every change is audited."""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from centres.models import AuditLogEntry, Centre, Person
from centres.services.audit import audit_record, fields_apply
from config.errors import ConflictError, DomainError
from meetings.caching import calendar_changed
from meetings.models import (
    LANGUAGE_CODES,
    ContactPerson,
    ContactShare,
    EvaluationRound,
    Group,
    GroupStep,
    Meeting,
    MeetingSeries,
    Membership,
    StillMeetingCheck,
    Topic,
)
from meetings.services.evaluation import evaluation_round_open
from meetings.services.notices import change_notices_queue
from meetings.services.series import series_end

# The fields of a group its coordinators set, here as in the admin and the API.
GROUP_FIELDS = (
    "name",
    "topic",
    "description",
    "description_translations",
    "languages",
    "age_band",
    "relatives_welcome",
    "min_size",
    "max_size",
    "discreet",
    "publicly_listed",
    "accepts_newcomers",
)

# Which life-cycle steps a group may take.
TRANSITIONS: dict[str, set[str]] = {
    Group.Status.FORMING: {Group.Status.STARTING, Group.Status.CLOSED},
    Group.Status.STARTING: {Group.Status.SELF_RUN, Group.Status.PAUSED, Group.Status.CLOSED},
    Group.Status.SELF_RUN: {Group.Status.PAUSED, Group.Status.CLOSED},
    Group.Status.PAUSED: {Group.Status.STARTING, Group.Status.SELF_RUN, Group.Status.CLOSED},
    Group.Status.CLOSED: set(),
}


# What apps above meetings do when a place in a full group frees up (intake offers it to whoever
# has waited longest): each receives the group's id after the change commits.
_place_freed_receivers: list[Callable[[int], object]] = []


def place_freed_register(receiver: Callable[[int], object]) -> None:
    """Called in an app's `AppConfig.ready`; registering the same receiver again changes nothing."""
    if receiver not in _place_freed_receivers:
        _place_freed_receivers.append(receiver)


def _place_freed(group_id: int) -> None:
    def tell() -> None:
        for receiver in _place_freed_receivers:
            receiver(group_id)

    transaction.on_commit(tell)


def _members_now(group: Group) -> int:
    return Membership.objects.filter(group=group, left_on__isnull=True).count()


def check_topic(topic: Topic, centre: Centre) -> None:
    """Raise DomainError if groups on this topic cannot be founded at the centre."""
    if topic.centre_id != centre.pk:
        raise DomainError(_("The topic belongs to another centre."), field="topic")
    if not topic.is_offered:
        message = topic.refusal_message or _("This centre does not found groups on the topic “%(topic)s”.") % {
            "topic": topic.name
        }
        raise DomainError(message, field="topic")


def check_languages(languages: object) -> None:
    """Raise DomainError unless `languages` is a list of the platform's language codes."""
    if not isinstance(languages, list) or not all(isinstance(code, str) for code in languages):
        raise DomainError(_('Give the languages as a list of codes, e.g. ["de"].'), field="languages")
    unknown = [code for code in languages if code not in LANGUAGE_CODES]
    if unknown:
        raise DomainError(_("Unknown language code(s): %(codes)s.") % {"codes": ", ".join(unknown)}, field="languages")


def _check_group(group: Group) -> None:
    """Refuse a group its rules do not allow, as a DomainError naming the field (never a bare
    ValidationError, which a page would answer with a 500). No language ticked: the centre's."""
    if not group.languages:
        group.languages = [group.centre.default_language]
    check_languages(group.languages)
    if group.min_size > group.max_size:
        raise DomainError(_("The minimum size cannot be larger than the maximum size."), field="min_size")
    try:
        group.full_clean(exclude=["centre", "topic"])
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(" ".join(messages), field=field) from error


@transaction.atomic
def group_create(*, actor: AbstractBaseUser | None, centre: Centre, name: str, topic: Topic, **values: Any) -> Group:
    """Found a group (status `forming`). Refuses topics the centre does not offer."""
    check_topic(topic, centre)
    unknown = set(values) - set(GROUP_FIELDS)
    if unknown:
        raise ValueError(f"group_create cannot set {sorted(unknown)}")
    group = Group(centre=centre, name=name.strip(), topic=topic, **values)
    _check_group(group)
    group.save()
    GroupStep.objects.create(centre=centre, group=group, status=group.status, at=group.created_at)
    audit_record(actor=actor, centre=centre, action=AuditLogEntry.Action.CREATE, obj=group)
    return group


@transaction.atomic
def group_update(*, actor: AbstractBaseUser | None, group: Group, **changes: Any) -> Group:
    if "topic" in changes and set(changes) <= set(GROUP_FIELDS) and changes["topic"].pk != group.topic_id:
        check_topic(changes["topic"], group.centre)
    old_max = group.max_size
    changed = fields_apply(group, changes, allowed=GROUP_FIELDS)
    if changed:
        _check_group(group)
        group.save()
        if group.max_size > old_max and _members_now(group) < group.max_size:
            _place_freed(group.pk)
        audit_record(
            actor=actor, centre=group.centre, action=AuditLogEntry.Action.UPDATE, obj=group, changed_fields=changed
        )
    return group


@transaction.atomic
def group_transition(
    *, actor: AbstractBaseUser | None, group: Group, status: str, reason: str = "", end_reason: str = ""
) -> Group:
    """Move a group along its life cycle, with the reason for the step (kept on the group until its
    next step); refuses steps the life cycle does not allow (409). Closing records why the group
    ended (`end_reason`, one of `Group.EndReason`; "other" when none is given), ends the group's
    series and cancels its later meetings, whose members get a change notice."""
    group = Group.objects.select_for_update(of=("self",)).select_related("centre").get(pk=group.pk)
    if status not in Group.Status.values:
        raise DomainError(_("Unknown status “%(status)s”.") % {"status": status}, field="status")
    if status not in TRANSITIONS[group.status]:
        raise ConflictError(
            _("A group cannot go from “%(old)s” to “%(new)s”.")
            % {"old": group.get_status_display(), "new": Group.Status(status).label}
        )
    if status == Group.Status.CLOSED and end_reason not in Group.EndReason.values:
        raise DomainError(_("Choose why the group ended."), field="end_reason")
    previous = group.status
    group.status, group.status_reason, group.status_changed_at = status, reason.strip()[:300], timezone.now()
    group.end_reason = (end_reason or Group.EndReason.OTHER) if status == Group.Status.CLOSED else ""
    group.save(update_fields=["status", "status_reason", "status_changed_at", "end_reason"])
    GroupStep.objects.create(
        centre_id=group.centre_id,
        group=group,
        status=status,
        previous=previous,
        end_reason=group.end_reason,
        at=group.status_changed_at,
    )
    if previous == Group.Status.STARTING and status == Group.Status.SELF_RUN:
        evaluation_round_open(group=group, occasion=EvaluationRound.Occasion.PHASE_OUT, today=timezone.localdate())
    if status == Group.Status.CLOSED:
        _release_rooms(actor=actor, group=group)
        ContactPerson.objects.filter(group=group, ended_at__isnull=True).update(ended_at=timezone.now())
        ContactShare.objects.filter(membership__group=group).delete()
    # A step taken answers any open "Still meeting?" question: there is nothing left to ask.
    StillMeetingCheck.objects.filter(group=group, answered_at__isnull=True).update(answered_at=timezone.now())
    audit_record(
        actor=actor,
        centre=group.centre,
        action=AuditLogEntry.Action.UPDATE,
        obj=group,
        changed_fields=["status", "status_reason", *(["end_reason"] if group.end_reason else [])],
    )
    return group


def _release_rooms(*, actor: AbstractBaseUser | None, group: Group) -> None:
    """A closed group meets no more: its series end today and its later meetings are cancelled,
    so the rooms are free again and calendars show the cancellations."""
    for series in MeetingSeries.objects.filter(group=group):
        series_end(actor=actor, series=series)
    one_offs = list(
        Meeting.objects.filter(
            group=group, series__isnull=True, status=Meeting.Status.SCHEDULED, starts_at__gte=timezone.now()
        ).values_list("pk", flat=True)
    )
    Meeting.objects.filter(pk__in=one_offs).update(
        status=Meeting.Status.CANCELLED, cancel_reason=Meeting.CancelReason.CANCELLED, sequence=F("sequence") + 1
    )
    calendar_changed(group.centre_id)  # a bulk update sends no signals
    change_notices_queue(meeting_ids=one_offs, change=f"group-closed-{group.pk}")


@transaction.atomic
def membership_add(
    *,
    actor: AbstractBaseUser | None,
    group: Group,
    person: Person,
    role: str = Membership.Role.MEMBER,
    joined_on: date | None = None,
    reminder_minutes: int | None = 24 * 60,
) -> Membership:
    """Put a person into a group. One active membership per person and group."""
    if person.centre_id != group.centre_id:
        raise DomainError(_("The person belongs to another centre."), field="person")
    if group.status == Group.Status.CLOSED:
        raise ConflictError(_("The group is closed."))
    membership = Membership(
        centre_id=group.centre_id,
        group=group,
        person=person,
        role=role,
        joined_on=joined_on or timezone.localdate(),
        reminder_minutes=reminder_minutes,
    )
    membership.full_clean(exclude=["centre", "group", "person"], validate_constraints=False)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as error:
        raise ConflictError(_("This person is already a member of the group.")) from error
    audit_record(actor=actor, centre=group.centre, action=AuditLogEntry.Action.CREATE, obj=membership)
    return membership


@transaction.atomic
def membership_update(*, actor: AbstractBaseUser | None, membership: Membership, **changes: Any) -> Membership:
    """Change role or reminder lead time (None: no reminders)."""
    changed = fields_apply(membership, changes, allowed=("role", "reminder_minutes"))
    if changed:
        membership.full_clean(exclude=["centre", "group", "person"], validate_constraints=False)
        membership.save()
        audit_record(
            actor=actor,
            centre=membership.group.centre,
            action=AuditLogEntry.Action.UPDATE,
            obj=membership,
            changed_fields=changed,
        )
    return membership


@transaction.atomic
def membership_end(
    *, actor: AbstractBaseUser | None, membership: Membership, left_on: date | None = None
) -> Membership:
    """A person leaves a group; the row stays (dated) for the centre's statistics. A place freed
    in a full group goes to the apps that offer it (`place_freed_register`)."""
    if membership.left_on is not None:
        raise ConflictError(_("This person has already left the group."))
    left_on = left_on or timezone.localdate()
    if left_on < membership.joined_on:
        raise DomainError(_("Leaving cannot be before joining."), field="left_on")
    was_full = _members_now(membership.group) >= membership.group.max_size
    membership.left_on = left_on
    membership.save(update_fields=["left_on"])
    if was_full:
        _place_freed(membership.group_id)
    # A contact person who leaves stops being one: their link to the group's page dies with it;
    # what they shared with the group goes, as they can no longer withdraw it themselves.
    ContactPerson.objects.filter(membership=membership, ended_at__isnull=True).update(ended_at=timezone.now())
    ContactShare.objects.filter(membership=membership).delete()
    audit_record(
        actor=actor,
        centre=membership.group.centre,
        action=AuditLogEntry.Action.UPDATE,
        obj=membership,
        changed_fields=["left_on"],
    )
    return membership
