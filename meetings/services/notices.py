"""Change notices: when meetings are cancelled, moved, change room, or a series or closure
changes them, each affected member hears at once, one notice per member per change however many
of their meetings it touches: a mail with the updated events attached (METHOD:CANCEL or
REQUEST), a text to a number they agreed to get texts at, or, with neither, a line on the
coordinators' "tell by phone" list.

Called by the meetings services that make such changes, in their scope."""

from collections import defaultdict
from collections.abc import Iterable

from django.utils import timezone

from centres.models import Centre, ConsentRecord
from centres.selectors import sms_numbers, withdrawn_among
from meetings.calendar import meetings_calendar
from meetings.member_links import member_url
from meetings.models import Meeting, Membership, PhoneNotice
from meetings.selectors import notice_memberships
from meetings.services.reminders import reminder_context
from notifications.models import OutgoingMail
from notifications.selectors import suppressed_among
from notifications.services.outbox import (
    NewMail,
    idempotency_key,
    mail_content_create,
    mail_render,
    mails_queue_bulk,
    sms_content_create,
)


def change_notices_queue(*, meeting_ids: Iterable[int], change: str) -> int:
    """Tell every member of the groups of the changed meetings that are still ahead: one notice
    per member, by mail to an address and by text to a number they agreed to get texts at; a
    member with neither is listed for the coordinators to phone (`PhoneNotice`).

    `change` names the change uniquely (e.g. "cancel-<id>-<revision>", "closure-<id>"); it is part
    of the idempotency key, so the same change never notifies twice. Writes the shared contents,
    outbox rows and phone notices, and queues the sending. Returns how many rows were new."""
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
    numbers = sms_numbers(members)
    to_phone = _unreachable(members, numbers)
    mails: dict[tuple[tuple[int, ...], str], int] = {}
    texts: dict[tuple[tuple[int, ...], str], int] = {}
    rows: list[NewMail] = []
    phone: list[PhoneNotice] = []
    for person_id, memberships in members.items():
        person = memberships[0].person
        affected = [meeting for membership in memberships for meeting in by_group[membership.group_id]]
        centre = affected[0].centre
        language = person.language or centre.default_language
        # Members of the same groups get the same notice: rendered once per set and language.
        shared = (tuple(meeting.pk for meeting in affected), language)
        if person.email:
            if shared not in mails:
                mails[shared] = _notice_content(affected, centre, language)
            rows.append(_row(centre, change, person.email, person_id, language, mails[shared]))
        if person_id in numbers:
            link = member_url(purpose="manage", membership_id=memberships[0].pk)
            if shared not in texts:
                texts[shared] = _notice_text(affected, centre, language, link)
            rows.append(
                _row(centre, change, numbers[person_id], person_id, language, texts[shared], {"manage_url": link})
            )
        if person_id in to_phone:
            phone.append(_phone_notice(memberships[0], affected, change))
    _phone_notices_store(phone)
    return mails_queue_bulk(rows)


def _row(
    centre: Centre,
    change: str,
    recipient: str,
    person_id: int,
    language: str,
    content_id: int,
    merge_data: dict[str, str] | None = None,
) -> NewMail:
    return NewMail(
        centre_id=centre.pk,
        kind=OutgoingMail.Kind.CHANGE_NOTICE,
        key=idempotency_key("change", change, recipient),
        person_id=person_id,
        recipient=recipient,
        language=language,
        content_id=content_id,
        merge_data=merge_data,
        channel=OutgoingMail.Channel.EMAIL if merge_data is None else OutgoingMail.Channel.SMS,
    )


def _unreachable(members: dict[int, list[Membership]], numbers: dict[int, str]) -> set[int]:
    """The people who hear of the change neither by mail nor by text: no address or a suppressed
    one, and no number they get texts at or a suppressed one. Not those who withdrew their
    consent to their group's mail: they asked to hear nothing."""
    people = {person_id: memberships[0].person for person_id, memberships in members.items()}
    addresses = {person_id: person.email.lower() for person_id, person in people.items() if person.email}
    suppressed = suppressed_among(
        {(people[person_id].centre_id, address) for person_id, address in addresses.items()}
        | {(people[person_id].centre_id, number) for person_id, number in numbers.items()}
    )
    withdrawn = withdrawn_among({(person_id, ConsentRecord.Purpose.GROUP_MEMBERSHIP) for person_id in people})
    return {
        person_id
        for person_id, person in people.items()
        if not _reachable(person.centre_id, addresses.get(person_id), suppressed)
        and not _reachable(person.centre_id, numbers.get(person_id), suppressed)
        and (person_id, ConsentRecord.Purpose.GROUP_MEMBERSHIP) not in withdrawn
    }


def _reachable(centre_id: int, address: str | None, suppressed: set[tuple[int | None, str]]) -> bool:
    return bool(address) and (centre_id, address) not in suppressed


def _phone_notice(membership: Membership, affected: list[Meeting], change: str) -> PhoneNotice:
    return PhoneNotice(
        centre_id=membership.centre_id,
        membership=membership,
        change=change[:200],
        meeting=affected[0],
        meeting_count=min(len(affected), 32000),
        cancelled=all(meeting.status == Meeting.Status.CANCELLED for meeting in affected),
        until=max(meeting.ends_at for meeting in affected),
    )


def _phone_notices_store(notices: list[PhoneNotice]) -> None:
    """Store the new lines of the list to phone; a line not yet ticked about the same member and
    meeting (a cancellation, then its undo) is replaced, so the list says only what is news."""
    if not notices:
        return
    PhoneNotice.objects.filter(
        told_at__isnull=True,
        membership_id__in={notice.membership_id for notice in notices},
        meeting_id__in={notice.meeting_id for notice in notices},
    ).exclude(change=notices[0].change).delete()
    PhoneNotice.objects.bulk_create(notices, ignore_conflicts=True)


def _notice_text(affected: list[Meeting], centre: Centre, language: str, link: str) -> int:
    """The text about `affected` in `language`: it names the group only where no group of it is
    discreet and the text still fits one segment."""
    content = sms_content_create(
        centre=centre,
        language=language,
        template="meetings/sms/change_notice.txt",
        context={
            "first": reminder_context(affected[0]),
            "count": len(affected),
            "all_cancelled": all(meeting.status == Meeting.Status.CANCELLED for meeting in affected),
        },
        link=link,
        named=not any(meeting.group is not None and meeting.group.discreet for meeting in affected),
    )
    return content.pk


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
