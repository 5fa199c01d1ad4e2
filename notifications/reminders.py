"""Meeting reminders: each member with reminders on gets one mail per meeting at their lead
time, in their language, with the meeting as an .ics (METHOD:REQUEST, the feed's UID)."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from meetings.calendar import meetings_calendar
from meetings.models import Meeting, Membership
from notifications.member_links import member_url
from notifications.models import OutgoingMail
from notifications.services import idempotency_key, mail_render, mails_queue_bulk, sender_for

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
        # Rendered once per meeting and language; each member's own links go in afterwards.
        "absence_url": ABSENCE_URL,
        "manage_url": MANAGE_URL,
    }


ABSENCE_URL = "https://__absence_url__"
MANAGE_URL = "https://__manage_url__"


def personalise(text: str, membership: Membership, meeting: Meeting) -> str:
    """Put the member's signed links into a mail rendered for everyone."""
    return text.replace(
        ABSENCE_URL, member_url(purpose="absence", membership_id=membership.pk, meeting_id=meeting.pk)
    ).replace(MANAGE_URL, member_url(purpose="manage", membership_id=membership.pk))


def reminders_queue_due(*, now: datetime | None = None) -> int:
    """Queue every reminder whose time has come for a meeting still ahead. Idempotent: a reminder
    is stored once per meeting time and member, so running twice (or two beats) adds nothing.

    Someone who joined after the reminder time still gets one while the meeting is ahead; a
    cancelled meeting gets none. Writes outbox rows and queues their sending."""
    now = now or timezone.now()
    meetings = list(
        Meeting.all_centres.filter(
            status=Meeting.Status.SCHEDULED,
            group__isnull=False,
            starts_at__gt=now,
            starts_at__lte=now + LONGEST_LEAD,
        ).select_related("group", "room__location", "centre")
    )
    if not meetings:
        return 0
    memberships = defaultdict(list)
    for membership in (
        Membership.all_centres.filter(group_id__in={meeting.group_id for meeting in meetings})
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=now.date()))
        .exclude(reminder_minutes__isnull=True)
        .exclude(person__email="")
        .select_related("person")
    ):
        memberships[membership.group_id].append(membership)
    rows = []
    for meeting in meetings:
        rendered, calendar = {}, None
        for membership in memberships[meeting.group_id]:
            if meeting.starts_at - timedelta(minutes=membership.reminder_minutes) > now:
                continue
            person = membership.person
            language = person.language or meeting.centre.default_language
            if language not in rendered:
                rendered[language] = mail_render(
                    template="reminder",
                    language=language,
                    context=reminder_context(meeting),
                    time_zone=meeting.centre.time_zone,
                )
            if calendar is None:
                calendar = meetings_calendar([meeting], name=meeting.display_title, with_notes=True, method="REQUEST")
            mail = rendered[language]
            rows.append(
                OutgoingMail(
                    centre_id=meeting.centre_id,
                    kind=OutgoingMail.Kind.REMINDER,
                    idempotency_key=idempotency_key(
                        "reminder", f"meeting-{meeting.pk}-{meeting.starts_at:%Y%m%dT%H%M}", person.email
                    ),
                    person=person,
                    recipient=person.email,
                    language=language,
                    from_email=sender_for(meeting.centre),
                    subject=mail.subject,
                    body_text=personalise(mail.text, membership, meeting),
                    body_html=personalise(mail.html, membership, meeting),
                    calendar=calendar.decode(),
                )
            )
    return mails_queue_bulk(rows)
