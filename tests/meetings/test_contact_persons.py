"""A self-run group's contact person: recorded by a coordinator, a page by a signed link that
works only while they are one, changes within the same rules and services as staff (members are
told, every change audited as theirs), and never the roster beyond what members chose to share."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from centres.models import AuditLogEntry
from centres.scoping import centre_scope
from meetings.member_links import contact_token, member_token
from meetings.models import ContactPerson, ContactShare, Group, GroupRequest, Meeting
from meetings.services import contacts, groups
from notifications.models import OutgoingMail
from tests.factories import GroupFactory, MembershipFactory, PersonFactory, RoomFactory, every

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(weekly_series, group_a, centre_a):
    """Three members of group A: Gerda (to be contact person), Hanno and Ilse (no e-mail)."""
    made = {}
    for name, email in (("Gerda", "gerda@example.net"), ("Hanno", "hanno@example.net"), ("Ilse", "")):
        person = PersonFactory(centre=centre_a, display_name=name, full_name=f"{name} Tester", email=email)
        made[name] = MembershipFactory(group=group_a, person=person, joined_on=date(2026, 1, 5))
    return made


@pytest.fixture
def gerda(members, centre_a):
    with centre_scope(centre_a.pk):
        return contacts.contact_person_record(actor=None, membership=members["Gerda"])


def page_path(contact) -> str:
    return f"/g/{contact_token(contact_id=contact.pk)}/"


def next_meeting(group) -> Meeting:
    return every(Meeting).filter(group=group, status="scheduled").order_by("starts_at").first()


def test_a_coordinator_records_the_contact_person_who_gets_the_link(client, coordinator_a, members, group_a):
    client.force_login(coordinator_a)
    answer = client.post(
        f"/centres/{group_a.centre.slug}/workspace/groups/{group_a.pk}/contacts/",
        {"membership": members["Gerda"].pk},
        follow=True,
    )
    assert "Gerda is now a contact person of the group" in answer.content.decode()
    contact = every(ContactPerson).get()
    assert contact.membership == members["Gerda"]
    mail = every(OutgoingMail).get(recipient="gerda@example.net")
    assert mail.sensitive  # staff never read the link in the outbox
    assert "Dienstagsgruppe" not in mail.subject  # the subject names the centre, never the group
    link = re.search(r"http://\S+/g/(\S+)/", mail.body_text)
    assert link is not None
    assert client.get(f"/g/{link.group(1)}/").status_code == 200


def test_a_group_has_at_most_two_contact_persons_and_only_current_members(members, centre_a):
    with centre_scope(centre_a.pk):
        contacts.contact_person_record(actor=None, membership=members["Gerda"])
        contacts.contact_person_record(actor=None, membership=members["Hanno"])
        with pytest.raises(contacts.ConflictError, match="at most two"):
            contacts.contact_person_record(actor=None, membership=members["Ilse"])
        groups.membership_end(actor=None, membership=members["Hanno"])
        with pytest.raises(contacts.ConflictError, match="left the group"):
            contacts.contact_person_record(actor=None, membership=members["Hanno"])
    assert every(ContactPerson).filter(ended_at__isnull=True).count() == 1


def test_the_page_shows_the_group_its_size_and_meetings_never_the_roster(client, gerda, members):
    page = client.get(page_path(gerda)).content.decode()
    assert "Dienstagsgruppe" in page
    assert "3 members" in page
    assert "Move the meeting" in page
    for name in ("Hanno", "Ilse", "hanno@example.net"):
        assert name not in page


def test_a_member_shares_a_contact_with_the_group_and_withdraws_it(client, gerda, members):
    hanno_page = f"/m/{member_token(purpose='manage', membership_id=members['Hanno'].pk)}/"
    assert "Share a contact with your group" in client.get(hanno_page).content.decode()
    client.post(hanno_page + "share/", {"first_name": "Hanno", "reach_by": "0151 234567"})
    page = client.get(page_path(gerda)).content.decode()
    assert "Hanno · 0151 234567" in page
    assert "Ilse" not in page  # who did not share stays unseen
    answer = client.post(hanno_page + "share/", {"withdraw": "yes"}).content.decode()
    assert "no longer sees it" in answer
    assert not every(ContactShare).exists()
    assert "Hanno" not in client.get(page_path(gerda)).content.decode()
    assert every(AuditLogEntry).filter(object_type="meetings.contactshare", action="withdraw").count() == 1


def test_sharing_needs_a_first_name_and_a_contact(client, gerda, members):
    hanno_page = f"/m/{member_token(purpose='manage', membership_id=members['Hanno'].pk)}/"
    answer = client.post(hanno_page + "share/", {"first_name": "Hanno", "reach_by": " "})
    assert answer.status_code == 400
    assert "Give a phone number or an address" in answer.content.decode()
    assert not every(ContactShare).exists()


def test_cancelling_tells_the_members_and_is_audited_as_the_contact_persons(client, gerda, members, group_a):
    meeting = next_meeting(group_a)
    confirm = client.get(f"{page_path(gerda)}meetings/{meeting.pk}/cancel/").content.decode()
    assert "3 members are told" in confirm
    assert every(Meeting).get(pk=meeting.pk).status == "scheduled"  # asking changes nothing
    answer = client.post(f"{page_path(gerda)}meetings/{meeting.pk}/cancel/", {"note": "Ferien"}, follow=True)
    assert "The meeting is cancelled" in answer.content.decode()
    meeting.refresh_from_db()
    assert (meeting.status, meeting.note) == ("cancelled", "Ferien")
    notices = every(OutgoingMail).filter(kind="change_notice")
    assert sorted(notices.values_list("recipient", flat=True)) == ["gerda@example.net", "hanno@example.net"]
    entry = every(AuditLogEntry).get(object_type="meetings.meeting", object_id=str(meeting.pk))
    assert (entry.actor_id, entry.acting_as) == (None, f"contact-person:{gerda.pk}")
    client.post(f"{page_path(gerda)}meetings/{meeting.pk}/reinstate/")
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"


def test_a_contact_person_cannot_reach_another_groups_meeting(client, gerda, centre_a, room_a):
    other = GroupFactory(centre=centre_a, name="Donnerstagsrunde", topic=gerda.group.topic)
    with centre_scope(centre_a.pk):
        start = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
        meeting = Meeting.objects.create(
            centre=centre_a, group=other, room=room_a, starts_at=start, ends_at=start + timedelta(hours=2), uid="x@k"
        )
    for action in ("cancel", "move", "note"):
        answer = client.post(f"{page_path(gerda)}meetings/{meeting.pk}/{action}/", {"note": "weg"})
        assert answer.status_code == 404
    meeting.refresh_from_db()
    assert (meeting.status, meeting.note) == ("scheduled", "")


def test_moving_into_a_clash_is_refused_without_naming_the_other_group(client, gerda, centre_a, room_a, group_a):
    other = GroupFactory(centre=centre_a, name="Donnerstagsrunde", topic=gerda.group.topic)
    start = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)  # Thursday 18:00 in Berlin
    with centre_scope(centre_a.pk):
        Meeting.objects.create(
            centre=centre_a, group=other, room=room_a, starts_at=start, ends_at=start + timedelta(hours=2), uid="y@k"
        )
    meeting = next_meeting(group_a)
    answer = client.post(
        f"{page_path(gerda)}meetings/{meeting.pk}/move/", {"starts_at": "2026-12-03T18:30", "room": room_a.pk}
    )
    assert answer.status_code == 409
    text = answer.content.decode()
    assert "The room is taken at that time" in text
    assert "Donnerstagsrunde" not in text
    assert every(Meeting).get(pk=meeting.pk).starts_at == meeting.starts_at


def test_moving_only_into_rooms_the_centre_offers(client, gerda, centre_a, room_a, group_a):
    closed_room = RoomFactory(location=room_a.location, name="Büro")
    open_room = RoomFactory(location=room_a.location, name="Saal", open_to_self_run=True)
    meeting = next_meeting(group_a)
    refused = client.post(
        f"{page_path(gerda)}meetings/{meeting.pk}/move/", {"starts_at": "2026-12-02T19:00", "room": closed_room.pk}
    )
    assert refused.status_code == 400
    assert every(Meeting).get(pk=meeting.pk).room_id == room_a.pk
    moved = client.post(
        f"{page_path(gerda)}meetings/{meeting.pk}/move/",
        {"starts_at": "2026-12-02T19:00", "room": open_room.pk},
        follow=True,
    )
    assert "Moved to" in moved.content.decode()
    meeting.refresh_from_db()
    assert (meeting.room_id, meeting.starts_at) == (open_room.pk, datetime(2026, 12, 2, 18, 0, tzinfo=UTC))
    assert every(OutgoingMail).filter(kind="change_notice").count() == 2


@pytest.mark.parametrize("ending", ["step_down", "leave", "close"])
def test_the_link_stops_working_when_the_role_ends(client, gerda, members, group_a, centre_a, ending):
    path = page_path(gerda)
    assert client.get(path).status_code == 200
    with centre_scope(centre_a.pk):
        if ending == "step_down":
            contacts.contact_person_step_down(actor=None, contact=gerda)
        elif ending == "leave":
            groups.membership_end(actor=None, membership=members["Gerda"])
        else:
            groups.group_transition(actor=None, group=group_a, status=Group.Status.CLOSED, reason="Aufgelöst")
    assert client.get(path).status_code == 404
    meeting = every(Meeting).filter(group=group_a).first()
    assert client.post(f"{path}meetings/{meeting.pk}/cancel/").status_code == 404


def test_a_forged_or_member_token_opens_no_contact_page(client, gerda, members):
    member_link = member_token(purpose="manage", membership_id=members["Gerda"].pk)
    assert client.get(f"/g/{member_link}/").status_code == 404
    assert client.get("/g/forged.value/").status_code == 404


def test_requests_land_in_the_queue_and_a_description_is_public_once_approved(client, gerda, coordinator_a, group_a):
    client.post(page_path(gerda) + "requests/", {"kind": "room_change", "message": "Ein Raum mit Aufzug, bitte."})
    client.post(page_path(gerda) + "description/", {"description": "Wir treffen uns dienstags."})
    assert every(GroupRequest).filter(status="open").count() == 2
    group_a.refresh_from_db()
    assert group_a.description != "Wir treffen uns dienstags."  # not public before review
    client.force_login(coordinator_a)
    queue = client.get(f"/centres/{group_a.centre.slug}/workspace/group-requests/").content.decode()
    assert "Ein Raum mit Aufzug, bitte." in queue
    proposal = every(GroupRequest).get(kind="description")
    client.post(f"/centres/{group_a.centre.slug}/workspace/group-requests/{proposal.pk}/answer/", {"outcome": "done"})
    group_a.refresh_from_db()
    assert group_a.description == "Wir treffen uns dienstags."
    room = every(GroupRequest).get(kind="room_change")
    client.post(
        f"/centres/{group_a.centre.slug}/workspace/group-requests/{room.pk}/answer/",
        {"outcome": "declined", "answer": "Leider keiner frei."},
    )
    client.logout()
    assert "Leider keiner frei." in client.get(page_path(gerda)).content.decode()


def test_a_request_without_a_message_changes_nothing(client, gerda):
    answer = client.post(page_path(gerda) + "requests/", {"kind": "room_change", "message": ""})
    assert answer.status_code == 400
    assert not every(GroupRequest).exists()


def test_a_coordinator_of_another_centre_cannot_answer_a_request(client, gerda, coordinator_a, centre_b):
    from tests.factories import StaffRoleFactory

    client.post(page_path(gerda) + "requests/", {"kind": "other", "message": "Bitte Flyer."})
    request = every(GroupRequest).get()
    outsider = StaffRoleFactory(centre=centre_b).user
    client.force_login(outsider)
    answer = client.post(f"/centres/{centre_b.slug}/workspace/group-requests/{request.pk}/answer/", {"outcome": "done"})
    assert answer.status_code == 404
    assert every(GroupRequest).get().status == "open"


def test_the_contact_page_costs_the_same_for_one_share_and_meeting_and_three(client, gerda, members, group_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page_path(gerda)).status_code == 200
        return len(queries)

    def share(membership) -> None:
        every(ContactShare).create(
            centre=group_a.centre, membership=membership, first_name="X", reach_by="1", text_version="t"
        )

    every(Meeting).filter(group=group_a).exclude(pk=next_meeting(group_a).pk).delete()
    share(members["Hanno"])
    one = count()
    share(members["Ilse"])
    share(members["Gerda"])
    start = next_meeting(group_a).starts_at
    for week in (1, 2):
        every(Meeting).create(
            centre=group_a.centre,
            group=group_a,
            room=next_meeting(group_a).room,
            starts_at=start + timedelta(weeks=week),
            ends_at=start + timedelta(weeks=week, hours=2),
            uid=f"extra-{week}@k",
        )
    assert count() == one


# --- meetings held, for the grant ----------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    """The text of an fpdf2 PDF: its page streams, inflated."""
    import zlib

    assert content.startswith(b"%PDF-")
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S)
    text = []
    for stream in streams:
        try:
            text.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            text.append(stream.decode("latin-1"))
    return "\n".join(text)


@pytest.fixture
def held(gerda, group_a, centre_a, frozen_now):
    """Three Tuesdays have passed (1, 8 and 15 December 2026); the one of the 8th was cancelled."""
    cancelled = every(Meeting).get(group=group_a, starts_at__date=date(2026, 12, 8))
    with centre_scope(centre_a.pk):
        contacts.contact_meeting_cancel(contact=gerda, meeting=cancelled)
    frozen_now(datetime(2026, 12, 20, 9, 0, tzinfo=UTC))
    return gerda


def test_the_contact_person_sees_the_meetings_held_and_gets_a_draft_statement(client, held, members):
    page = client.get(page_path(held) + "held/?year=2026").content.decode()
    assert "2 meetings held" in page
    assert "1 December 2026" in page
    assert "15 December 2026" in page
    assert "8 December 2026" not in page  # cancelled
    answer = client.get(page_path(held) + "held/2026.pdf")
    assert answer["Content-Type"] == "application/pdf"
    text = pdf_text(answer.content)
    assert "Statement of meetings held" in text
    assert "2 meetings held in 2026." in text
    assert "not yet signed off" in text
    for name in ("Gerda", "Hanno", "Ilse"):
        assert name not in text


def test_a_coordinator_signs_off_the_year_and_the_pdf_says_so(client, held, coordinator_a, group_a):
    client.force_login(coordinator_a)
    base = f"/centres/{group_a.centre.slug}/workspace/groups/{group_a.pk}/held/"
    assert "Sign off 2 meetings for 2026" in client.get(base).content.decode()
    answer = client.post(base + "sign-off/", {"year": "2026"}, follow=True)
    assert "Signed off: 2 meetings held in 2026." in answer.content.decode()
    text = pdf_text(client.get(base + "2026.pdf").content)
    assert f"Signed off by {group_a.centre.name}" in text
    assert "2 meetings held." in text
    client.logout()
    assert "Signed off by the contact point" in client.get(page_path(held) + "held/?year=2026").content.decode()


def test_the_statement_is_in_the_visitors_language(client, held):
    text = pdf_text(client.get(page_path(held) + "held/2026.pdf", HTTP_ACCEPT_LANGUAGE="de").content)
    assert "2026" in text
    assert "Statement of meetings held" not in text


@pytest.mark.parametrize("year", ["1999", "2031", "abcd", "20266"])
def test_a_year_the_group_cannot_have_is_refused(client, held, year):
    assert client.get(page_path(held) + f"held/?year={year}").status_code == 404


def test_a_coordinator_of_another_centre_gets_no_statement(client, held, group_a, centre_b):
    from tests.factories import StaffRoleFactory

    client.force_login(StaffRoleFactory(centre=centre_b).user)
    for path in ("held/", "held/2026.pdf"):
        assert client.get(f"/centres/{centre_b.slug}/workspace/groups/{group_a.pk}/{path}").status_code == 404
    assert (
        client.post(
            f"/centres/{centre_b.slug}/workspace/groups/{group_a.pk}/held/sign-off/", {"year": "2026"}
        ).status_code
        == 404
    )


def test_what_a_member_shared_goes_when_they_leave_or_the_group_closes(gerda, members, group_a, centre_a):
    for name in ("Hanno", "Ilse"):
        every(ContactShare).create(
            centre=centre_a, membership=members[name], first_name=name, reach_by="1", text_version="t"
        )
    with centre_scope(centre_a.pk):
        groups.membership_end(actor=None, membership=members["Hanno"])
    assert list(every(ContactShare).values_list("first_name", flat=True)) == ["Ilse"]
    with centre_scope(centre_a.pk):
        groups.group_transition(actor=None, group=group_a, status="closed", reason="Aus", end_reason="other")
    assert not every(ContactShare).exists()


def test_an_approved_description_replaces_the_old_translations(client, gerda, coordinator_a, group_a):
    every(Group).filter(pk=group_a.pk).update(description="Alt", description_translations={"en": "Old"})
    client.post(page_path(gerda) + "description/", {"description": "Neu beschrieben."})
    assert "Neu beschrieben." in client.get(page_path(gerda)).content.decode()  # the form shows what waits
    proposal = every(GroupRequest).get(kind="description")
    client.force_login(coordinator_a)
    client.post(f"/centres/{group_a.centre.slug}/workspace/group-requests/{proposal.pk}/answer/", {"outcome": "done"})
    group_a.refresh_from_db()
    assert (group_a.description, group_a.description_translations) == ("Neu beschrieben.", {})
