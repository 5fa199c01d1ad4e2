"""Change notices: when meetings are cancelled, moved, change room, or a series or closure
changes them, each affected member hears at once, one mail per member per change however many
of their meetings it touches, with the updated events attached (METHOD:CANCEL or REQUEST).

Called by the meetings services that make such changes, in their scope."""

from collections import defaultdict
from collections.abc import Iterable

from django.utils import timezone

from centres.models import Centre
from meetings.calendar import meetings_calendar
from meetings.models import Meeting, Membership
from meetings.selectors import notice_memberships
from meetings.services.reminders import reminder_context
from notifications.models import OutgoingMail
from notifications.services.outbox import NewMail, idempotency_key, mail_content_create, mail_render, mails_queue_bulk


def change_notices_queue(*, meeting_ids: Iterable[int], change: str) -> int:
    """Queue one notice per member of the groups of the changed meetings that are still ahead.

    `change` names the change uniquely (e.g. "cancel-<id>-<revision>", "closure-<id>"); it is part
    of the idempotency key, so the same change never notifies twice. Writes the shared contents
    and outbox rows, and queues their sending."""
    now = timezone.now()
    meetings = list(
        Meeting.objects.filter(pk__in=list(meeting_ids), group__isnull=False, ends_at__gt=now)
        .select_related("group", "room__location", "centre")
        .order_by("starts_at")
    )
    if not meetings:
        return 0
    by_group: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        if meeting.group_id is not None:  # always, as asked above
            by_group[meeting.group_id].append(meeting)
    members: dict[int, list[Membership]] = defaultdict(list)
    for membership in notice_memberships(by_group, today=now.date()).select_related("person"):
        members[membership.person_id].append(membership)
    rows: list[NewMail] = []
    contents: dict[tuple[tuple[int, ...], str], int] = {}
    for memberships in members.values():
        person = memberships[0].person
        affected = [meeting for membership in memberships for meeting in by_group[membership.group_id]]
        centre = affected[0].centre
        language = person.language or centre.default_language
        # Members of the same groups get the same notice: rendered once per set and language.
        shared = (tuple(meeting.pk for meeting in affected), language)
        if shared not in contents:
            contents[shared] = _notice_content(affected, centre, language)
        rows.append(
            NewMail(
                centre_id=centre.pk,
                kind=OutgoingMail.Kind.CHANGE_NOTICE,
                key=idempotency_key("change", change, person.email),
                person_id=person.pk,
                recipient=person.email,
                language=language,
                content_id=contents[shared],
            )
        )
    return mails_queue_bulk(rows)


def _notice_content(affected: list[Meeting], centre: Centre, language: str) -> int:
    """Render and store the notice about `affected` in `language`, with their events attached.
    Returns the content's id."""
    all_cancelled = all(meeting.status == Meeting.Status.CANCELLED for meeting in affected)
    rendered = mail_render(
        template="meetings/mail/change_notice",
        language=language,
        context={
            "meetings": [reminder_context(meeting) for meeting in affected],
            "discreet": any(meeting.group is not None and meeting.group.discreet for meeting in affected),
            "all_cancelled": all_cancelled,
            "centre": centre,
        },
        time_zone=centre.time_zone,
    )
    calendar = meetings_calendar(
        affected, name=centre.name, with_notes=True, method="CANCEL" if all_cancelled else "REQUEST"
    ).decode()
    return mail_content_create(centre=centre, language=language, rendered=rendered, calendar=calendar).pk
