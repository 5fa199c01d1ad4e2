"""Meeting reminders: each member with reminders on gets one mail per meeting at their lead
time, in their language, with the meeting as an .ics (METHOD:REQUEST, the feed's UID).

Run by the periodic task `meetings.tasks.queue_due_reminders`, which sets the scope."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from django.db.models import Q, QuerySet
from django.utils import timezone

from meetings.calendar import meetings_calendar
from meetings.member_links import member_url
from meetings.models import Meeting, Membership
from notifications.models import MailContent, OutgoingMail, merge_field
from notifications.services.outbox import NewMail, idempotency_key, mail_render, mails_queue_bulk, sender_for

# Members choose up to two weeks' notice (MembershipSerializer caps reminder_minutes there).
LONGEST_LEAD = timedelta(days=14)


def reminder_context(meeting: Meeting) -> dict[str, Any]:
    """What a reminder (and a change notice, per meeting) says about the meeting."""
    group = meeting.group
    return {
        "meeting": meeting,
        "group_name": meeting.display_title,
        "discreet": bool(group is not None and group.discreet),
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "place": meeting.place,
        "address": meeting.room.location.address if meeting.room is not None else "",
        # Members' own mail: the video link of an online or hybrid meeting goes with it.
        "video_link": meeting.video_link,
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
    group_id: int | None
    lead: timedelta
    person_id: int
    email: str
    language: str


@dataclass(frozen=True, slots=True)
class _Due:
    meeting: Meeting
    member: _Member
    key: str

    @property
    def language(self) -> str:
        return self.member.language or self.meeting.centre.default_language


def reminders_queue_due(*, now: datetime | None = None) -> int:
    """Queue every reminder whose time has come for a meeting still ahead. Idempotent: a reminder
    is stored once per meeting time and member, so running twice (or two beats) adds nothing.

    Someone who joined after the reminder time still gets one while the meeting is ahead; a
    cancelled meeting gets none. Writes the shared contents and outbox rows, and queues their
    sending."""
    now = now or timezone.now()
    current = Membership.objects.filter(Q(left_on__isnull=True) | Q(left_on__gt=now.date())).exclude(
        reminder_minutes__isnull=True
    )
    # Members choose among a few lead times: per lead, only meetings within it are due.
    leads = {lead for lead in current.values_list("reminder_minutes", flat=True).distinct() if lead is not None}
    if not leads:
        return 0
    meetings = list(
        Meeting.objects.filter(
            status=Meeting.Status.SCHEDULED,
            group__isnull=False,
            starts_at__gt=now,
            starts_at__lte=now + min(LONGEST_LEAD, timedelta(minutes=max(leads))),
        ).select_related("group", "room__location", "centre")
    )
    if not meetings:
        return 0
    due = _due(meetings, _members_due(current, meetings, leads, now), now)
    # Most runs find most reminders queued already: skip them before rendering anything.
    stored = _keys_stored([reminder.key for reminder in due])
    due = [reminder for reminder in due if reminder.key not in stored]
    contents = _contents({(reminder.meeting, reminder.language) for reminder in due})
    return mails_queue_bulk(
        [
            NewMail(
                centre_id=reminder.meeting.centre_id,
                kind=OutgoingMail.Kind.REMINDER,
                key=reminder.key,
                person_id=reminder.member.person_id,
                recipient=reminder.member.email,
                language=reminder.language,
                content_id=contents[reminder.meeting.pk, reminder.language],
                merge_data=reminder_merge_data(reminder.member.membership_id, reminder.meeting.pk),
            )
            for reminder in due
        ]
    )


def _members_due(
    current: QuerySet[Membership], meetings: list[Meeting], leads: set[int], now: datetime
) -> dict[int | None, list[_Member]]:
    """The members with an address whose lead time has come for one of the meetings, by group."""
    due_groups = Q(pk__in=[])
    for lead in leads:
        groups = {meeting.group_id for meeting in meetings if meeting.starts_at - timedelta(minutes=lead) <= now}
        if groups:
            due_groups |= Q(reminder_minutes=lead, group_id__in=groups)
    members: dict[int | None, list[_Member]] = defaultdict(list)
    for pk, group_id, minutes, person_id, email, language in (
        current.filter(due_groups)
        .exclude(person__email="")
        .values_list("pk", "group_id", "reminder_minutes", "person_id", "person__email", "person__language")
    ):
        # `current` has no member without reminders: `minutes` is a number.
        member = _Member(pk, group_id, timedelta(minutes=cast(int, minutes)), person_id, email, language)
        members[member.group_id].append(member)
    return members


def _due(meetings: list[Meeting], members: dict[int | None, list[_Member]], now: datetime) -> list[_Due]:
    """Each (meeting, member) whose reminder time has come, with its idempotency key."""
    due = []
    for meeting in meetings:
        occurrence = f"meeting-{meeting.pk}-{meeting.starts_at:%Y%m%dT%H%M}"
        for member in members[meeting.group_id]:
            if meeting.starts_at - member.lead <= now:
                due.append(_Due(meeting, member, idempotency_key("reminder", occurrence, member.email)))
    return due


def _contents(needed: set[tuple[Meeting, str]]) -> dict[tuple[int, str], int]:
    """Render each meeting's reminder once per language, with its .ics, stored in one insert.
    Returns the content ids by (meeting id, language)."""
    calendars: dict[int, str] = {}
    contents: dict[tuple[int, str], MailContent] = {}
    for meeting, language in needed:
        if meeting.pk not in calendars:
            calendars[meeting.pk] = meetings_calendar(
                [meeting], name=meeting.display_title, with_notes=True, method="REQUEST"
            ).decode()
        rendered = mail_render(
            template="meetings/mail/reminder",
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
    MailContent.objects.bulk_create(contents.values(), batch_size=500)
    return {key: content.pk for key, content in contents.items()}


def _keys_stored(keys: list[str]) -> set[str]:
    stored: set[str] = set()
    for start in range(0, len(keys), 5000):
        stored.update(
            OutgoingMail.objects.filter(idempotency_key__in=keys[start : start + 5000]).values_list(
                "idempotency_key", flat=True
            )
        )
    return stored
