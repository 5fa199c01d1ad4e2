"""Meeting reminders: each member with reminders on gets one mail per meeting at their lead
time, in their language, with the meeting as an .ics (METHOD:REQUEST, the feed's UID)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from meetings.calendar import meetings_calendar
from meetings.models import Meeting, Membership
from notifications.member_links import member_url
from notifications.models import MailContent, OutgoingMail, merge_field
from notifications.services import NewMail, idempotency_key, mail_render, mails_queue_bulk, sender_for

# Members choose up to two weeks' notice (MembershipSerializer caps reminder_minutes there).
LONGEST_LEAD = timedelta(days=14)


def reminder_context(meeting: Meeting) -> dict:
    location = meeting.room.location
    return {
        "meeting": meeting,
        "group_name": meeting.display_title,
        "discreet": bool(meeting.group_id and meeting.group.discreet),
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "place": f"{location.name}, {meeting.room.name}",
        "address": location.address,
        "note": meeting.note,
        "centre": meeting.centre,
        # Rendered once per meeting and language; each member's own links are merge data.
        "absence_url": merge_field("absence_url"),
        "manage_url": merge_field("manage_url"),
    }


def reminder_merge_data(membership_id: int, meeting_id: int) -> dict[str, str]:
    """The member's own signed links for the shared reminder content."""
    return {
        "absence_url": member_url(purpose="absence", membership_id=membership_id, meeting_id=meeting_id),
        "manage_url": member_url(purpose="manage", membership_id=membership_id),
    }


@dataclass(frozen=True, slots=True)
class _Member:
    membership_id: int
    group_id: int
    lead: timedelta
    person_id: int
    email: str
    language: str


def reminders_queue_due(*, now: datetime | None = None) -> int:
    """Queue every reminder whose time has come for a meeting still ahead. Idempotent: a reminder
    is stored once per meeting time and member, so running twice (or two beats) adds nothing.

    Someone who joined after the reminder time still gets one while the meeting is ahead; a
    cancelled meeting gets none. Writes the shared contents and outbox rows, and queues their
    sending."""
    now = now or timezone.now()
    current = Membership.all_centres.filter(Q(left_on__isnull=True) | Q(left_on__gt=now.date())).exclude(
        reminder_minutes__isnull=True
    )
    # Members choose among a few lead times: per lead, only meetings within it are due.
    leads = set(current.values_list("reminder_minutes", flat=True).distinct())
    if not leads:
        return 0
    meetings = list(
        Meeting.all_centres.filter(
            status=Meeting.Status.SCHEDULED,
            group__isnull=False,
            starts_at__gt=now,
            starts_at__lte=now + min(LONGEST_LEAD, timedelta(minutes=max(leads))),
        ).select_related("group", "room__location", "centre")
    )
    if not meetings:
        return 0
    due_groups = Q(pk__in=[])
    for lead in leads:
        groups = {meeting.group_id for meeting in meetings if meeting.starts_at - timedelta(minutes=lead) <= now}
        if groups:
            due_groups |= Q(reminder_minutes=lead, group_id__in=groups)
    members = defaultdict(list)
    for row in (
        current.filter(due_groups)
        .exclude(person__email="")
        .values_list("pk", "group_id", "reminder_minutes", "person_id", "person__email", "person__language")
    ):
        member = _Member(row[0], row[1], timedelta(minutes=row[2]), row[3], row[4], row[5])
        members[member.group_id].append(member)
    due = []  # (meeting, member, idempotency key)
    for meeting in meetings:
        occurrence = f"meeting-{meeting.pk}-{meeting.starts_at:%Y%m%dT%H%M}"
        for member in members[meeting.group_id]:
            if meeting.starts_at - member.lead <= now:
                due.append((meeting, member, idempotency_key("reminder", occurrence, member.email)))
    # Most runs find most reminders queued already: skip them before rendering anything.
    stored = _keys_stored([key for _meeting, _member, key in due])
    due = [(meeting, member, key) for meeting, member, key in due if key not in stored]
    contents = _contents(
        {(meeting, member.language or meeting.centre.default_language) for meeting, member, _key in due}
    )
    return mails_queue_bulk(
        [
            NewMail(
                centre_id=meeting.centre_id,
                kind=OutgoingMail.Kind.REMINDER,
                key=key,
                person_id=member.person_id,
                recipient=member.email,
                language=member.language or meeting.centre.default_language,
                content_id=contents[meeting.pk, member.language or meeting.centre.default_language],
                merge_data=reminder_merge_data(member.membership_id, meeting.pk),
            )
            for meeting, member, key in due
        ]
    )


def _contents(needed: set[tuple[Meeting, str]]) -> dict[tuple[int, str], int]:
    """Render each meeting's reminder once per language, with its .ics, stored in one insert.
    Returns the content ids by (meeting id, language)."""
    calendars, contents = {}, {}
    for meeting, language in needed:
        if meeting.pk not in calendars:
            calendars[meeting.pk] = meetings_calendar(
                [meeting], name=meeting.display_title, with_notes=True, method="REQUEST"
            ).decode()
        rendered = mail_render(
            template="reminder",
            language=language,
            context=reminder_context(meeting),
            time_zone=meeting.centre.time_zone,
        )
        contents[meeting.pk, language] = MailContent(
            centre_id=meeting.centre_id,
            language=language,
            from_email=sender_for(meeting.centre),
            subject=rendered.subject,
            body_text=rendered.text,
            body_html=rendered.html,
            calendar=calendars[meeting.pk],
        )
    MailContent.all_centres.bulk_create(contents.values(), batch_size=500)
    return {key: content.pk for key, content in contents.items()}


def _keys_stored(keys: list[str]) -> set[str]:
    stored = set()
    for start in range(0, len(keys), 5000):
        stored.update(
            OutgoingMail.all_centres.filter(idempotency_key__in=keys[start : start + 5000]).values_list(
                "idempotency_key", flat=True
            )
        )
    return stored
