"""Volunteer starters: sign-up with double opt-in, the pipeline, starter assignments, suggestions,
session logs and the self-run checklist. Writes are described per function and audited."""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from centres.models import AuditLogEntry, Centre, ConsentRecord, Person, StaffRole
from centres.services.audit import audit_record
from centres.services.consents import consent_record
from centres.services.people import person_create
from config.errors import ConflictError, DomainError
from config.ratelimit import count_exceeds
from config.signed_links import signed_payload
from meetings.models import Group, Meeting, Membership, Topic
from meetings.services.groups import group_transition
from notifications.mail_requests import mail_request_store
from notifications.models import MailRequest, OutgoingMail
from notifications.services import mail_queue
from volunteers.models import ChecklistItem, SessionLog, StarterAssignment, StarterRequest, TrainingRecord, Volunteer

CONSENT_TEXT_VERSION = "volunteering-2026-11"
CONFIRM_SALT, CONFIRM_MAX_AGE = "kontakt.volunteer.confirm", 7 * 24 * 3600
STARTERS_PER_GROUP = 2

# --- sign-up --------------------------------------------------------------------------------------


def volunteer_signup_receive(
    *,
    centre: Centre,
    email: str,
    name: str,
    language: str,
    languages: list[str],
    topics: list[Topic],
    weekdays: list[int],
    daytime: bool,
    evening: bool,
    motivation: str = "",
    phone: str = "",
) -> None:
    """The sign-up page's half: store the offer for the worker (`volunteer_signup`), the same one
    row and one queued task for a known address as for a new one, so the answer's timing does not
    tell whether the address volunteers already. Stored, the offer is not lost with its task."""
    mail_request_store(
        kind=MailRequest.Kind.VOLUNTEER_SIGNUP,
        centre=centre,
        payload={
            "email": email,
            "name": name,
            "language": language,
            "languages": list(languages),
            "topic_ids": sorted(topic.pk for topic in topics),
            "weekdays": list(weekdays),
            "daytime": daytime,
            "evening": evening,
            "motivation": motivation,
            "phone": phone,
        },
    )


def volunteer_signup_from_request(centre: Centre, payload: dict) -> None:
    """The worker's half of a sign-up (a `MailRequest` handler)."""
    payload = dict(payload)
    topic_ids = payload.pop("topic_ids", [])
    volunteer_signup(centre=centre, topics=list(Topic.all_centres.filter(centre=centre, pk__in=topic_ids)), **payload)


@transaction.atomic
def volunteer_signup(
    *,
    centre: Centre,
    email: str,
    name: str,
    language: str,
    languages: list[str],
    topics: list[Topic],
    weekdays: list[int],
    daytime: bool,
    evening: bool,
    motivation: str = "",
    phone: str = "",
) -> None:
    """Someone offers to volunteer: store them as an applicant and mail a confirmation link. Run
    by the worker (`volunteer_signup_receive` stores the offer), so what it does for a known
    address is not seen in the page's answer: a confirmed volunteer gets no second mail, an
    unconfirmed one gets the link again. Writes the person (if new), the volunteer and a
    confirmation mail, marked sensitive (whoever holds its link gives consent)."""
    email = email.strip().lower()
    person = Person.all_centres.filter(centre=centre, email__iexact=email).first()
    if person is None:
        person = person_create(
            actor=None, centre=centre, display_name=name.strip()[:120], email=email, phone=phone, language=language
        )
    volunteer = Volunteer.all_centres.filter(person=person).first()
    if volunteer is not None and volunteer.email_confirmed_at:
        return
    if volunteer is None:
        volunteer = Volunteer.all_centres.create(
            centre=centre,
            person=person,
            languages=sorted(set(languages)),
            weekdays=sorted(set(weekdays)),
            daytime=daytime,
            evening=evening,
            motivation=motivation,
        )
        volunteer.topics.set([topic for topic in topics if topic.centre_id == centre.pk])
        audit_record(actor=None, centre=centre, action=AuditLogEntry.Action.CREATE, obj=volunteer)
    token = signing.dumps({"v": volunteer.pk}, salt=CONFIRM_SALT)
    mail_queue(
        centre=centre,
        kind=OutgoingMail.Kind.SYSTEM,
        obj=f"volunteer-confirm-{volunteer.pk}-{timezone.now():%Y%m%d%H%M%S%f}",
        recipient=email,
        language=language or centre.default_language,
        template="volunteer_confirmation",
        context={
            "centre": centre,
            "confirm_url": settings.SITE_URL.rstrip("/") + reverse("volunteer-confirm", args=[token]),
        },
        person=person,
        sensitive=True,
    )


def confirmation_token_valid(token: str) -> bool:
    return signed_payload(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE) is not None


@transaction.atomic
def volunteer_confirm(*, token: str) -> Volunteer | None:
    """The link from the confirmation mail: the address is confirmed and the consent recorded
    (once). Returns None for a forged or expired link."""
    try:
        payload = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return None
    volunteer = (
        Volunteer.all_centres.select_for_update(of=("self",))
        .select_related("person", "centre")
        .filter(pk=payload.get("v"))
        .first()
    )
    if volunteer is None:
        return None
    if not volunteer.email_confirmed_at:
        volunteer.email_confirmed_at = timezone.now()
        volunteer.save(update_fields=["email_confirmed_at"])
        consent_record(
            actor=None,
            person=volunteer.person,
            purpose=ConsentRecord.Purpose.VOLUNTEERING,
            text_version=CONSENT_TEXT_VERSION,
            source=ConsentRecord.Source.CONFIRMATION_LINK,
        )
    return volunteer


# --- pipeline -------------------------------------------------------------------------------------

S = Volunteer.Status
TRANSITIONS = {
    S.APPLICANT: {S.SCREENED, S.RETIRED},
    S.SCREENED: {S.TRAINED, S.RETIRED},
    S.TRAINED: {S.ACTIVE, S.RETIRED},
    S.ACTIVE: {S.PAUSED, S.RETIRED},
    S.PAUSED: {S.ACTIVE, S.RETIRED},
    S.RETIRED: set(),
}


@transaction.atomic
def volunteer_transition(
    *,
    actor: AbstractBaseUser | None,
    volunteer: Volunteer,
    to: str,
    screened_on: date | None = None,
    confidentiality_signed_on: date | None = None,
) -> Volunteer:
    """Move a volunteer along the pipeline. Screening needs the conversation's date, `trained` a
    training record, `active` a signed confidentiality agreement; a volunteer who still starts a
    group cannot be paused or retired. Writes the volunteer and an audit entry."""
    volunteer = Volunteer.all_centres.select_for_update().get(pk=volunteer.pk)
    if to not in S.values:
        raise DomainError(_("Unknown status."), field="to")
    if to not in TRANSITIONS[volunteer.status]:
        raise ConflictError(
            _("A volunteer who is %(current)s cannot become %(to)s.")
            % {"current": S(volunteer.status).label.lower(), "to": S(to).label.lower()}
        )
    today = timezone.localdate()
    changed = ["status", "status_changed_at"]
    if to == S.SCREENED:
        if screened_on is None:
            raise DomainError(_("Give the date of the screening conversation."), field="screened_on")
        if screened_on > today:
            raise DomainError(_("The screening conversation cannot be in the future."), field="screened_on")
        volunteer.screened_on = screened_on
        changed.append("screened_on")
    if to == S.TRAINED and not TrainingRecord.all_centres.filter(volunteer=volunteer).exists():
        raise ConflictError(_("Record the training first."))
    if confidentiality_signed_on is not None:
        if confidentiality_signed_on > today:
            raise DomainError(_("The agreement cannot be signed in the future."), field="confidentiality_signed_on")
        volunteer.confidentiality_signed_on = confidentiality_signed_on
        changed.append("confidentiality_signed_on")
    if to == S.ACTIVE and volunteer.confidentiality_signed_on is None:
        raise DomainError(
            _("A volunteer becomes active only with a signed confidentiality agreement."),
            field="confidentiality_signed_on",
        )
    if to in (S.PAUSED, S.RETIRED) and _open_assignments(volunteer).exists():
        raise ConflictError(_("This volunteer still starts a group: end or hand over the assignment first."))
    volunteer.status, volunteer.status_changed_at = to, timezone.now()
    volunteer.save(update_fields=changed)
    audit_record(
        actor=actor, centre=volunteer.centre, action=AuditLogEntry.Action.UPDATE, obj=volunteer, changed_fields=changed
    )
    return volunteer


@transaction.atomic
def training_record_add(
    *, actor: AbstractBaseUser | None, volunteer: Volunteer, course: str, completed_on: date
) -> TrainingRecord:
    if completed_on > timezone.localdate():
        raise DomainError(_("A course cannot be completed in the future."), field="completed_on")
    if not course.strip():
        raise DomainError(_("Name the course."), field="course")
    record = TrainingRecord.all_centres.create(
        centre_id=volunteer.centre_id, volunteer=volunteer, course=course.strip(), completed_on=completed_on
    )
    audit_record(actor=actor, centre=volunteer.centre, action=AuditLogEntry.Action.CREATE, obj=record)
    return record


def _open_assignments(volunteer: Volunteer):
    return StarterAssignment.all_centres.filter(volunteer=volunteer).exclude(status=StarterAssignment.Status.ENDED)


# --- assignments ----------------------------------------------------------------------------------


def assignment_meetings(group_id: int, starts_on: date, count: int) -> list[Meeting]:
    """The meetings a starter is planned for: the group's first `count` live meetings from
    `starts_on`."""
    return list(
        Meeting.all_centres.filter(
            group_id=group_id, status=Meeting.Status.SCHEDULED, starts_at__date__gte=starts_on
        ).order_by("starts_at")[:count]
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
    meetings that overlap the volunteer's other assignments. Writes the assignment and an audit
    entry."""
    # Only the group's and the volunteer's rows are locked, not their centre's.
    group = Group.all_centres.select_for_update(of=("self",)).select_related("centre").get(pk=group.pk)
    volunteer = Volunteer.all_centres.select_for_update().get(pk=volunteer.pk)
    if volunteer.centre_id != group.centre_id:
        raise DomainError(_("This volunteer belongs to another centre."), field="volunteer")
    if volunteer.status != S.ACTIVE:
        raise ConflictError(_("Only an active volunteer can start a group."))
    if group.status not in (Group.Status.FORMING, Group.Status.STARTING):
        raise ConflictError(_("Only a forming or starting group gets starters."))
    starters = StarterAssignment.all_centres.filter(group=group).exclude(status=StarterAssignment.Status.ENDED)
    if starters.filter(volunteer=volunteer).exists():
        raise ConflictError(_("This volunteer already starts this group."))
    if starters.count() >= STARTERS_PER_GROUP:
        raise ConflictError(_("A group has at most two starters."))
    count = planned_meetings or group.centre.starter_planned_meetings
    if not 1 <= count <= 52:
        raise DomainError(_("Plan between 1 and 52 meetings."), field="planned_meetings")
    mine = assignment_meetings(group.pk, starts_on, count)
    for other in _open_assignments(volunteer).select_related("group"):
        clash = _overlapping(mine, assignment_meetings(other.group_id, other.starts_on, other.planned_meetings))
        if clash is not None:
            raise ConflictError(
                _("On %(when)s this volunteer is with another group they start.")
                % {"when": timezone.localtime(clash.starts_at).strftime("%Y-%m-%d %H:%M")}
            )
    try:
        with transaction.atomic():
            assignment = StarterAssignment.all_centres.create(
                centre=group.centre, group=group, volunteer=volunteer, starts_on=starts_on, planned_meetings=count
            )
    except IntegrityError as error:
        raise ConflictError(_("This volunteer already starts this group.")) from error
    audit_record(actor=actor, centre=group.centre, action=AuditLogEntry.Action.CREATE, obj=assignment)
    return assignment


@transaction.atomic
def assignment_end(*, actor: AbstractBaseUser | None, assignment: StarterAssignment) -> StarterAssignment:
    """End an assignment: the volunteer is free again. Writes the assignment and an audit entry."""
    assignment = StarterAssignment.all_centres.select_for_update().get(pk=assignment.pk)
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


@dataclass
class Suggestion:
    volunteer: Volunteer
    score: int
    reasons: list[str] = field(default_factory=list)
    # Would start groups on the group's topic, or speaks one of its languages.
    matches: bool = False


def starter_suggestions(group: Group, *, limit: int | None = 10) -> list[Suggestion]:
    """Active volunteers ranked for `group`: topic (+3), a shared language (+2), free on the
    group's weekday (+1) at its time of day (+1), minus one per group they already start. Each
    suggestion says why."""
    meetings = list(
        Meeting.all_centres.filter(group=group, status=Meeting.Status.SCHEDULED, starts_at__gte=timezone.now())
        .select_related("centre")
        .order_by("starts_at")[:4]
    )
    weekdays = {timezone.localtime(meeting.starts_at).weekday() for meeting in meetings}
    evening = any(timezone.localtime(meeting.starts_at).hour >= 17 for meeting in meetings)
    daytime = any(timezone.localtime(meeting.starts_at).hour < 17 for meeting in meetings)
    already = set(
        StarterAssignment.all_centres.filter(group=group)
        .exclude(status=StarterAssignment.Status.ENDED)
        .values_list("volunteer_id", flat=True)
    )
    suggestions = []
    volunteers = (
        Volunteer.all_centres.filter(centre_id=group.centre_id, status=S.ACTIVE)
        .exclude(pk__in=already)
        .select_related("person")
        .prefetch_related("topics")
    )
    loads = {}
    for volunteer_id in (
        StarterAssignment.all_centres.filter(centre_id=group.centre_id, volunteer__status=S.ACTIVE)
        .exclude(status=StarterAssignment.Status.ENDED)
        .values_list("volunteer_id", flat=True)
    ):
        loads[volunteer_id] = loads.get(volunteer_id, 0) + 1
    for volunteer in volunteers:
        suggestion = Suggestion(volunteer=volunteer, score=0)
        if any(topic.pk == group.topic_id for topic in volunteer.topics.all()):
            suggestion.score += 3
            suggestion.matches = True
            suggestion.reasons.append(str(REASONS["topic"]))
        shared = sorted(set(volunteer.languages) & set(group.languages))
        if shared:
            suggestion.score += 2
            suggestion.matches = True
            suggestion.reasons.append(str(REASONS["language"]) % {"languages": ", ".join(shared)})
        if weekdays and weekdays <= set(volunteer.weekdays):
            suggestion.score += 1
            suggestion.reasons.append(str(REASONS["weekday"]))
        if (evening and volunteer.evening) or (daytime and volunteer.daytime):
            suggestion.score += 1
            suggestion.reasons.append(str(REASONS["time"]))
        load = loads.get(volunteer.pk, 0)
        if load:
            suggestion.score -= load
            suggestion.reasons.append(str(REASONS["load"]) % {"count": load})
        suggestions.append(suggestion)
    suggestions.sort(key=lambda item: (-item.score, item.volunteer.pk))
    return suggestions[:limit]


REASONS = {
    "topic": gettext_lazy("would start groups on this topic"),
    "language": gettext_lazy("speaks %(languages)s"),
    "weekday": gettext_lazy("free on the group's weekday"),
    "time": gettext_lazy("free at the group's time of day"),
    "load": gettext_lazy("already starts %(count)s group(s)"),
}


# --- checklist and session logs -------------------------------------------------------------------

DEFAULT_CHECKLIST = [
    gettext_lazy("Values and frame of self-help explained"),
    gettext_lazy("Group rules agreed"),
    gettext_lazy("A contact person chosen among the members"),
    gettext_lazy("The group plans its own content"),
    gettext_lazy("Talk time shared fairly"),
]


def checklist_items(centre: Centre) -> list[ChecklistItem]:
    """The centre's self-run checklist, made from the defaults (in the centre's language) the
    first time it is needed."""
    items = list(ChecklistItem.all_centres.filter(centre=centre, is_active=True))
    if not items and not ChecklistItem.all_centres.filter(centre=centre).exists():
        with translation.override(centre.default_language):
            ChecklistItem.all_centres.bulk_create(
                [
                    ChecklistItem(centre=centre, text=str(text), position=position)
                    for position, text in enumerate(DEFAULT_CHECKLIST)
                ]
            )
        items = list(ChecklistItem.all_centres.filter(centre=centre, is_active=True))
    return items


def checklist_reached(group_ids: list[int]) -> dict[int, set[int]]:
    """The checklist items each group's starters have logged as reached, by group id: one query
    for any number of groups."""
    reached: dict[int, set[int]] = {}
    for group_id, item_id in SessionLog.checklist.through.objects.filter(
        sessionlog__assignment__group_id__in=group_ids
    ).values_list("sessionlog__assignment__group_id", "checklistitem_id"):
        reached.setdefault(group_id, set()).add(item_id)
    return reached


def checklist_progress(group: Group) -> dict[int, bool]:
    """Which of the centre's checklist items the group has reached, from its starters' logs."""
    reached = checklist_reached([group.pk]).get(group.pk, set())
    return {item.pk: item.pk in reached for item in checklist_items(group.centre)}


def names_in_note(note: str, group_id: int) -> list[str]:
    """Names of the group's members that appear in `note` (whole words, any case)."""
    names = set()
    for display_name, full_name in Membership.all_centres.filter(group_id=group_id, left_on__isnull=True).values_list(
        "person__display_name", "person__full_name"
    ):
        for name in (display_name, full_name):
            if name and len(name.strip()) >= 3:
                names.add(name.strip())
                names.update(part for part in name.split() if len(part) >= 3)
    return sorted(name for name in names if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", note, flags=re.IGNORECASE))


NOTE_CHECK_LIMIT = 5
NOTE_CHECK_SECONDS = 3600


class NoteCheckPausedError(DomainError):
    """Too many of a volunteer's notes were held back lately: the name check answers no more
    for a while."""

    status_code = 429
    code = "throttled"


def _note_names_check(*, volunteer_id: int, group_id: int, notes: str, names_checked: bool) -> None:
    """Hold back a note that may name a member of the group without saying which word matched:
    naming it would let a volunteer test any surname against the roster. Even the bare yes is an
    answer, so each held-back note counts for the volunteer, and after NOTE_CHECK_LIMIT within
    NOTE_CHECK_SECONDS the check answers nothing until the window is over. A note the starter
    confirms (`names_checked`) is saved unchecked: that tells nothing either way."""
    if not notes or names_checked:
        return
    key = f"note-name-check:{volunteer_id}"
    if (cache.get(key) or 0) >= NOTE_CHECK_LIMIT:
        raise NoteCheckPausedError(
            _("Too many notes were held back in the last hour. Save the log without notes, or try again later."),
            field="notes",
        )
    if names_in_note(notes, group_id):
        count_exceeds(key, limit=NOTE_CHECK_LIMIT, seconds=NOTE_CHECK_SECONDS)
        raise DomainError(
            _(
                "This note may name a member of the group. Notes must not name members: remove the name, "
                "or confirm that the note names no member."
            ),
            field="notes",
        )


@transaction.atomic
def session_log_create(
    *,
    actor: AbstractBaseUser | None,
    assignment: StarterAssignment,
    meeting: Meeting,
    hours: Decimal,
    checklist: list[ChecklistItem] = (),
    notes: str = "",
    names_checked: bool = False,
) -> SessionLog:
    """Log a meeting the starter attended. Notes must not name members: a note that contains a
    member's name is refused with a warning unless the starter confirms (`names_checked`) that
    the word is not a member's name. Writes the log and an audit entry (never the notes)."""
    if assignment.status == StarterAssignment.Status.ENDED:
        raise ConflictError(_("This assignment has ended."))
    if meeting.group_id != assignment.group_id:
        raise DomainError(_("This meeting is not one of the group's."), field="meeting")
    if meeting.status == Meeting.Status.CANCELLED:
        raise DomainError(_("This meeting was cancelled."), field="meeting")
    if meeting.starts_at > timezone.now():
        raise DomainError(_("This meeting has not taken place yet."), field="meeting")
    if not Decimal("0.25") <= Decimal(hours) <= Decimal("12"):
        raise DomainError(_("Give between 0.25 and 12 hours."), field="hours")
    if any(item.centre_id != assignment.centre_id for item in checklist):
        raise DomainError(_("Unknown checklist item."), field="checklist")
    if SessionLog.all_centres.filter(assignment=assignment, meeting=meeting).exists():
        # Before the name check: a logged meeting must not become a free way to ask it.
        raise ConflictError(_("This meeting is logged already."))
    _note_names_check(
        volunteer_id=assignment.volunteer_id, group_id=assignment.group_id, notes=notes, names_checked=names_checked
    )
    try:
        with transaction.atomic():
            log = SessionLog.all_centres.create(
                centre_id=assignment.centre_id, assignment=assignment, meeting=meeting, hours=hours, notes=notes.strip()
            )
    except IntegrityError as error:  # the same meeting sent twice at once, or logged before
        raise ConflictError(_("This meeting is logged already.")) from error
    log.checklist.set(checklist)
    audit_record(actor=actor, centre=assignment.centre, action=AuditLogEntry.Action.CREATE, obj=log)
    return log


# --- phase-out ------------------------------------------------------------------------------------


@dataclass
class PhaseOutDue:
    group: Group
    reasons: list[str]


def phase_out_reasons(group: Group) -> list[str]:
    """Why the group's starters may phase out now: the self-run checklist is complete, or an
    active starter's planned meetings have taken place. Empty if neither."""
    checklist_items(group.centre)  # the centre's default checklist, made on first use
    active = StarterAssignment.all_centres.filter(group=group, status=StarterAssignment.Status.ACTIVE)
    return _phase_out_reasons_by_group(active).get(group.pk, (group, []))[1]


def phase_outs_due(centre_ids: list[int] | None = None) -> list[PhaseOutDue]:
    """Starting groups whose active starters may phase out (see `phase_out_reasons`)."""
    assignments = StarterAssignment.all_centres.filter(
        status=StarterAssignment.Status.ACTIVE, group__status=Group.Status.STARTING
    )
    if centre_ids is not None:
        assignments = assignments.filter(centre_id__in=centre_ids)
    return [
        PhaseOutDue(group=group, reasons=reasons)
        for group, reasons in _phase_out_reasons_by_group(assignments).values()
        if reasons
    ]


def _phase_out_reasons_by_group(assignments) -> dict[int, tuple[Group, list[str]]]:
    """The phase-out reasons of the groups of `assignments` (active ones), in three queries
    whatever their number: the assignments with the meetings held since each began, the
    centres' checklist items, and the steps the groups reached."""
    held = (
        Meeting.all_centres.filter(
            group_id=OuterRef("group_id"),
            status=Meeting.Status.SCHEDULED,
            starts_at__lt=timezone.now(),
            starts_at__date__gte=OuterRef("starts_on"),
        )
        .order_by()
        .values("group_id")
        .annotate(count=Count("id"))
        .values("count")
    )
    assignments = list(
        assignments.annotate(held=Coalesce(Subquery(held), 0))
        .select_related("group__centre")
        .order_by("group__name", "group_id", "pk")
    )
    groups = {assignment.group_id: assignment.group for assignment in assignments}
    items: dict[int, set[int]] = {}
    for centre_id, item_id in ChecklistItem.all_centres.filter(
        centre_id__in={group.centre_id for group in groups.values()}, is_active=True
    ).values_list("centre_id", "pk"):
        items.setdefault(centre_id, set()).add(item_id)
    reached = checklist_reached(list(groups))
    found = {}
    for group_id, group in groups.items():
        reasons = []
        wanted = items.get(group.centre_id, set())
        if wanted and wanted <= reached.get(group_id, set()):
            reasons.append(str(gettext_lazy("the self-run checklist is complete")))
        done = next((a for a in assignments if a.group_id == group_id and a.held >= a.planned_meetings), None)
        if done is not None:
            reasons.append(
                ngettext(
                    "the planned meeting has taken place",
                    "the %(count)s planned meetings have taken place",
                    done.planned_meetings,
                )
                % {"count": done.planned_meetings}
            )
        found[group_id] = (group, reasons)
    return found


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
        for role in StaffRole.all_centres.filter(centre=centre, user__is_active=True).select_related("user"):
            email = role.user.email
            if not email:
                continue
            mail = mail_queue(
                centre=centre,
                kind=OutgoingMail.Kind.SYSTEM,
                obj=f"phase-out-due-{centre.pk}-{today:%Y%m%d}",
                recipient=email,
                language=centre.default_language,
                template="phase_out_due",
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
    group = Group.all_centres.select_for_update(of=("self",)).select_related("centre").get(pk=group.pk)
    if until < timezone.localdate():
        raise DomainError(_("The phase-out cannot end in the past."), field="until")
    if not plan.strip():
        raise DomainError(_("Describe the phase-out plan."), field="plan")
    if not override and not phase_out_reasons(group):
        raise ConflictError(_("Neither is the checklist complete nor have the planned meetings taken place."))
    assignments = list(
        StarterAssignment.all_centres.select_for_update().filter(group=group, status=StarterAssignment.Status.ACTIVE)
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
        StarterAssignment.all_centres.select_for_update()
        .filter(group=group)
        .exclude(status=StarterAssignment.Status.ENDED)
    )
    if not open_assignments:
        raise ConflictError(_("This group has no starters to phase out."))
    for assignment in open_assignments:
        assignment_end(actor=actor, assignment=assignment)
    return group_transition(actor=actor, group=group, status=Group.Status.SELF_RUN)


@transaction.atomic
def assignment_extend(
    *, actor: AbstractBaseUser | None, assignment: StarterAssignment, meetings: int
) -> StarterAssignment:
    """The coordinator extends a starter's time with the group by `meetings` more meetings (a
    phase-out already begun goes back to active). Writes the assignment and an audit entry."""
    assignment = StarterAssignment.all_centres.select_for_update().get(pk=assignment.pk)
    if assignment.status == StarterAssignment.Status.ENDED:
        raise ConflictError(_("This assignment has ended already."))
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


# --- recruitment: direct requests -----------------------------------------------------------------

REQUEST_SALT, REQUEST_MAX_AGE = "kontakt.volunteer.request", 14 * 24 * 3600
RS = StarterRequest.Status


def open_starter_places(group: Group) -> int:
    """Places requests may fill: up to the centre's starters per new group."""
    taken = StarterAssignment.all_centres.filter(group=group).exclude(status=StarterAssignment.Status.ENDED).count()
    return max(0, min(group.centre.starters_needed, STARTERS_PER_GROUP) - taken)


def _request_url(request: StarterRequest) -> str:
    token = signing.dumps({"r": request.pk}, salt=REQUEST_SALT)
    return settings.SITE_URL.rstrip("/") + reverse("volunteer-request", args=[token])


def starter_requests_send(
    *, actor: AbstractBaseUser | None, group: Group, limit: int = 5, matching_only: bool = False
) -> list[StarterRequest]:
    """Ask the best-suited active volunteers (`starter_suggestions`) to start `group`, each by
    mail with a link to accept or decline. Volunteers still thinking, or who declined or let this
    group's request expire, are not asked again; with `matching_only`, only volunteers who would
    start groups on its topic or speak one of its languages are asked. Writes the requests, their
    mails and an audit entry each."""
    if not 1 <= limit <= 50:
        raise DomainError(_("Ask between 1 and 50 volunteers at a time."), field="limit")
    with transaction.atomic():
        group = Group.all_centres.select_for_update(of=("self",)).select_related("centre", "topic").get(pk=group.pk)
        if group.status not in (Group.Status.FORMING, Group.Status.STARTING):
            raise ConflictError(_("Only a forming or starting group gets starters."))
        if not open_starter_places(group):
            raise ConflictError(_("This group has the starters it needs already."))
        asked = set(
            StarterRequest.all_centres.filter(
                group=group,
                status__in=[RS.PENDING, RS.DECLINED, RS.EXPIRED],
            ).values_list("volunteer_id", flat=True)
        )
        chosen = [
            s.volunteer
            for s in starter_suggestions(group, limit=None)
            if s.volunteer.pk not in asked and (s.matches or not matching_only)
        ]
        requests = []
        first = (
            Meeting.all_centres.filter(group=group, status=Meeting.Status.SCHEDULED, starts_at__gte=timezone.now())
            .order_by("starts_at")
            .first()
        )
        for volunteer in chosen[:limit]:
            request = StarterRequest.all_centres.create(centre=group.centre, group=group, volunteer=volunteer)
            audit_record(actor=actor, centre=group.centre, action=AuditLogEntry.Action.CREATE, obj=request)
            person = volunteer.person
            mail_queue(
                centre=group.centre,
                kind=OutgoingMail.Kind.SYSTEM,
                obj=f"starter-request-{request.pk}",
                recipient=person.email,
                language=person.language or group.centre.default_language,
                template="starter_request",
                context={
                    "centre": group.centre,
                    "topic": "" if group.discreet else group.topic.name,
                    "first": first,
                    "answer_url": _request_url(request),
                },
                person=person,
            )
            requests.append(request)
    return requests


def starter_request_from_token(token: str) -> StarterRequest | None:
    try:
        payload = signing.loads(token, salt=REQUEST_SALT, max_age=REQUEST_MAX_AGE)
    except signing.BadSignature:
        return None
    return (
        StarterRequest.all_centres.select_related("group__centre", "group__topic", "volunteer__person")
        .filter(pk=payload.get("r"))
        .first()
    )


@transaction.atomic
def starter_request_answer(*, request: StarterRequest, accept: bool) -> str:
    """The volunteer's answer. The group row is locked, so when several accept the last place at
    once exactly one gets it; the others, and everyone still asked once the group is full, are
    told it is filled. Returns the request's new status (or its status if answered before)."""
    group = Group.all_centres.select_for_update(of=("self",)).select_related("centre").get(pk=request.group_id)
    request = StarterRequest.all_centres.select_for_update().get(pk=request.pk)
    if request.status != StarterRequest.Status.PENDING:
        return request.status
    request.answered_at = timezone.now()
    too_late = request.created_at < request.answered_at - timedelta(seconds=REQUEST_MAX_AGE)
    if too_late or group.status not in (Group.Status.FORMING, Group.Status.STARTING):
        # Asked too long ago, or the group no longer takes starters: the request is void.
        request.status = StarterRequest.Status.EXPIRED
    elif not accept:
        request.status = StarterRequest.Status.DECLINED
    elif not open_starter_places(group):
        request.status = StarterRequest.Status.FILLED
    else:
        try:
            with transaction.atomic():
                assignment_create(actor=None, group=group, volunteer=request.volunteer, starts_on=timezone.localdate())
        except DomainError:
            # No longer possible for this volunteer (paused since, a clash with another group):
            # the place stays free for the others.
            request.status = StarterRequest.Status.DECLINED
        else:
            request.status = StarterRequest.Status.ACCEPTED
    request.save(update_fields=["status", "answered_at"])
    if request.status == StarterRequest.Status.ACCEPTED and not open_starter_places(group):
        _tell_the_others_it_is_filled(group)
    return request.status


def _tell_the_others_it_is_filled(group: Group) -> None:
    waiting = list(
        StarterRequest.all_centres.select_for_update()
        .filter(group=group, status=StarterRequest.Status.PENDING)
        .select_related("volunteer__person", "centre")
    )
    for request in waiting:
        request.status, request.answered_at = StarterRequest.Status.FILLED, timezone.now()
        request.save(update_fields=["status", "answered_at"])
        person = request.volunteer.person
        mail_queue(
            centre=request.centre,
            kind=OutgoingMail.Kind.SYSTEM,
            obj=f"starter-request-filled-{request.pk}",
            recipient=person.email,
            language=person.language or request.centre.default_language,
            template="starter_request_filled",
            context={"centre": request.centre},
            person=person,
        )
