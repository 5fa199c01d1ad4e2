"""Meeting reminders: each member with reminders on gets one mail per meeting at their lead
time, in their language, with the meeting as an .ics (METHOD:REQUEST, the feed's UID); and a
text, when they agreed to get texts at a mobile number.

Run by the periodic task `meetings.tasks.queue_due_reminders`, which sets the scope."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from django.db.models import Q, QuerySet
from django.utils import timezone

from centres.selectors import sms_numbers
from meetings.calendar import meetings_calendar
from meetings.member_links import member_url
from meetings.models import Meeting, Membership
from notifications.models import MailContent, OutgoingMail, merge_field
from notifications.services.outbox import (
    NewMail,
    idempotency_key,
    mail_render,
    mails_queue_bulk,
    sender_for,
    sms_content_create,
)

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
    number: str = ""  # where they agreed to get texts


@dataclass(frozen=True, slots=True)
class _Due:
    meeting: Meeting
    member: _Member
    key: str
    channel: str = OutgoingMail.Channel.EMAIL

    @property
    def recipient(self) -> str:
        return self.member.number if self.channel == OutgoingMail.Channel.SMS else self.member.email

    @property
    def language(self) -> str:
        return self.member.language or self.meeting.centre.default_language


def reminder_centres_due(*, now: datetime | None = None) -> list[int]:
    """The centres with a meeting close enough for a reminder: the periodic job queues one task
    for each (`reminders_queue_due(centre_id=...)`), so the work spreads over the workers."""
    now = now or timezone.now()
    return list(
        Meeting.objects.filter(
            status=Meeting.Status.SCHEDULED, group__isnull=False, starts_at__gt=now, starts_at__lte=now + LONGEST_LEAD
        )
        .order_by("centre_id")
        .values_list("centre_id", flat=True)
        .distinct()
    )


def reminders_queue_due(*, now: datetime | None = None, centre_id: int | None = None) -> int:
    """Queue every reminder whose time has come for a meeting still ahead, of one centre or of
    all. Idempotent: a reminder is stored once per meeting time and member, so running twice (or
    two beats) adds nothing.

    Someone who joined after the reminder time still gets one while the meeting is ahead; a
    cancelled meeting gets none. Writes the shared contents and outbox rows, and queues their
    sending."""
    now = now or timezone.now()
    current = Membership.objects.filter(Q(left_on__isnull=True) | Q(left_on__gt=now.date())).exclude(
        reminder_minutes__isnull=True
    )
    if centre_id is not None:
        current = current.filter(centre_id=centre_id)
    # Members choose among a few lead times: per lead, only meetings within it are due.
    leads = {lead for lead in current.values_list("reminder_minutes", flat=True).distinct() if lead is not None}
    if not leads:
        return 0
    ahead = Meeting.objects.filter(
        status=Meeting.Status.SCHEDULED,
        group__isnull=False,
        starts_at__gt=now,
        starts_at__lte=now + min(LONGEST_LEAD, timedelta(minutes=max(leads))),
    ).select_related("group", "room__location", "centre")
    if centre_id is not None:
        ahead = ahead.filter(centre_id=centre_id)
    meetings = list(ahead)
    if not meetings:
        return 0
    due = _due(meetings, _members_due(current, meetings, leads, now), now)
    # Most runs find most reminders queued already: skip them before rendering anything.
    stored = _keys_stored([reminder.key for reminder in due])
    due = [reminder for reminder in due if reminder.key not in stored]
    mails = [reminder for reminder in due if reminder.channel == OutgoingMail.Channel.EMAIL]
    contents = _contents({(reminder.meeting, reminder.language) for reminder in mails})
    rows = [
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
        for reminder in mails
    ]
    return mails_queue_bulk(
        rows + _texts([reminder for reminder in due if reminder.channel == OutgoingMail.Channel.SMS])
    )


def _texts(due: list[_Due]) -> list[NewMail]:
    """The rows of the reminders due by text: one shared text per meeting and language, the
    member page's link as each row's merge data."""
    texts: dict[tuple[int, str], int] = {}
    rows = []
    for reminder in due:
        link = member_url(purpose="manage", membership_id=reminder.member.membership_id)
        meeting = reminder.meeting
        if (meeting.pk, reminder.language) not in texts:
            texts[meeting.pk, reminder.language] = sms_content_create(
                centre=meeting.centre,
                language=reminder.language,
                template="meetings/sms/reminder.txt",
                context=reminder_context(meeting),
                link=link,
                named=not (meeting.group is not None and meeting.group.discreet),
            ).pk
        rows.append(
            NewMail(
                centre_id=meeting.centre_id,
                kind=OutgoingMail.Kind.REMINDER,
                key=reminder.key,
                person_id=reminder.member.person_id,
                recipient=reminder.member.number,
                language=reminder.language,
                content_id=texts[meeting.pk, reminder.language],
                merge_data={"manage_url": link},
                channel=OutgoingMail.Channel.SMS,
            )
        )
    return rows


def _members_due(
    current: QuerySet[Membership], meetings: list[Meeting], leads: set[int], now: datetime
) -> dict[int | None, list[_Member]]:
    """The members whose lead time has come for one of the meetings, by group: those with an
    address, or a number they agreed to get texts at."""
    due_groups = Q(pk__in=[])
    for lead in leads:
        groups = {meeting.group_id for meeting in meetings if meeting.starts_at - timedelta(minutes=lead) <= now}
        if groups:
            due_groups |= Q(reminder_minutes=lead, group_id__in=groups)
    due = current.filter(due_groups)
    rows = list(due.values_list("pk", "group_id", "reminder_minutes", "person_id", "person__email", "person__language"))
    # Tens of thousands may be due: the few who get texts are found in the database.
    numbers = sms_numbers(due.values("person_id")) if rows else {}
    members: dict[int | None, list[_Member]] = defaultdict(list)
    for pk, group_id, minutes, person_id, email, language in rows:
        number = numbers.get(person_id, "")
        if email or number:
            # `current` has no member without reminders: `minutes` is a number.
            ahead = timedelta(minutes=cast(int, minutes))
            members[group_id].append(_Member(pk, group_id, ahead, person_id, email, language, number))
    return members


def _due(meetings: list[Meeting], members: dict[int | None, list[_Member]], now: datetime) -> list[_Due]:
    """Each (meeting, member) whose reminder time has come, with its idempotency key."""
    due = []
    for meeting in meetings:
        occurrence = f"meeting-{meeting.pk}-{meeting.starts_at:%Y%m%dT%H%M}"
        for member in members[meeting.group_id]:
            if meeting.starts_at - member.lead > now:
                continue
            if member.email:
                due.append(_Due(meeting, member, idempotency_key("reminder", occurrence, member.email)))
            if member.number:
                key = idempotency_key("reminder", occurrence, member.number)
                due.append(_Due(meeting, member, key, OutgoingMail.Channel.SMS))
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
