"""Session logs: a starter logs a meeting attended (hours, checklist steps reached, private
notes), and a note that may name a member of the group is held back."""

from collections.abc import Sequence
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centres.models import AuditLogEntry
from centres.services.audit import audit_record
from config.errors import ConflictError, DomainError
from config.ratelimit import count_exceeds
from meetings.models import Meeting, Membership
from meetings.services.contacts import contact_person_record
from volunteers.models import ChecklistItem, SessionLog, StarterAssignment
from volunteers.selectors import names_in_note

# After this many notes held back within NOTE_CHECK_SECONDS, the name check pauses.
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
    checklist: Sequence[ChecklistItem] = (),
    notes: str = "",
    names_checked: bool = False,
    contact_membership: Membership | None = None,
) -> SessionLog:
    """Log a meeting the starter attended. Notes must not name members: a note that contains a
    member's name is refused with a warning unless the starter confirms (`names_checked`) that
    the word is not a member's name. `contact_membership`, whom the group chose as its contact
    person (with the checklist step that records it), is recorded unless it is one already
    (`contact_person_record`, which mails them their page's link). Writes the log and an audit
    entry (never the notes)."""
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
    if contact_membership is not None and (
        contact_membership.group_id != assignment.group_id or contact_membership.left_on is not None
    ):
        raise DomainError(_("Choose one of the group's members."), field="contact_person")
    if SessionLog.objects.filter(assignment=assignment, meeting=meeting).exists():
        # Before the name check: a logged meeting must not become a free way to ask it.
        raise ConflictError(_("This meeting is logged already."))
    _note_names_check(
        volunteer_id=assignment.volunteer_id, group_id=assignment.group_id, notes=notes, names_checked=names_checked
    )
    try:
        with transaction.atomic():
            log = SessionLog.objects.create(
                centre_id=assignment.centre_id, assignment=assignment, meeting=meeting, hours=hours, notes=notes.strip()
            )
    except IntegrityError as error:  # the same meeting sent twice at once, or logged before
        raise ConflictError(_("This meeting is logged already.")) from error
    log.checklist.set(checklist)
    audit_record(actor=actor, centre=assignment.centre, action=AuditLogEntry.Action.CREATE, obj=log)
    if contact_membership is not None and not contact_membership.contact_roles.filter(ended_at__isnull=True).exists():
        contact_person_record(actor=actor, membership=contact_membership)
    return log
