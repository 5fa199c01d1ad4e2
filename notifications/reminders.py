"""Meeting reminders: each member with reminders on gets one mail per meeting at their lead
time, in their language, with the meeting as an .ics (METHOD:REQUEST, the feed's UID)."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from meetings.calendar import meetings_calendar
from meetings.models import Meeting, Membership
from notifications.member_links import member_url
from notifications.models import OutgoingMail, merge_field
from notifications.services import NewMail, idempotency_key, mail_content_create, mail_render, mails_queue_bulk

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


def reminder_merge_data(membership: Membership, meeting: Meeting) -> dict[str, str]:
    """The member's own signed links for the shared reminder content."""
    return {
        "absence_url": member_url(purpose="absence", membership_id=membership.pk, meeting_id=meeting.pk),
        "manage_url": member_url(purpose="manage", membership_id=membership.pk),
    }


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
    due = []  # (meeting, membership, idempotency key)
    for meeting in meetings:
        for membership in memberships[meeting.group_id]:
            if meeting.starts_at - timedelta(minutes=membership.reminder_minutes) <= now:
                key = idempotency_key(
                    "reminder", f"meeting-{meeting.pk}-{meeting.starts_at:%Y%m%dT%H%M}", membership.person.email
                )
                due.append((meeting, membership, key))
    # Most runs find most reminders queued already: skip them before rendering anything.
    queued = _keys_stored([key for _meeting, _membership, key in due])
    rows, contents, calendars = [], {}, {}
    for meeting, membership, key in due:
        if key in queued:
            continue
        person = membership.person
        language = person.language or meeting.centre.default_language
        if (meeting.pk, language) not in contents:
            if meeting.pk not in calendars:
                calendars[meeting.pk] = meetings_calendar(
                    [meeting], name=meeting.display_title, with_notes=True, method="REQUEST"
                ).decode()
            contents[meeting.pk, language] = mail_content_create(
                centre=meeting.centre,
                language=language,
                rendered=mail_render(
                    template="reminder",
                    language=language,
                    context=reminder_context(meeting),
                    time_zone=meeting.centre.time_zone,
                ),
                calendar=calendars[meeting.pk],
            ).pk
        rows.append(
            NewMail(
                centre_id=meeting.centre_id,
                kind=OutgoingMail.Kind.REMINDER,
                key=key,
                person_id=person.pk,
                recipient=person.email,
                language=language,
                content_id=contents[meeting.pk, language],
                merge_data=reminder_merge_data(membership, meeting),
            )
        )
    return mails_queue_bulk(rows)


def _keys_stored(keys: list[str]) -> set[str]:
    stored = set()
    for start in range(0, len(keys), 5000):
        stored.update(
            OutgoingMail.all_centres.filter(idempotency_key__in=keys[start : start + 5000]).values_list(
                "idempotency_key", flat=True
            )
        )
    return stored
