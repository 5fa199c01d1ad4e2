""" "Still meeting?": who is asked and when (once a year, eight quiet weeks, too few members), the
one-click answers and what they do, and the dashboard when nobody answers or nobody can be asked."""

from datetime import UTC, date, datetime, timedelta

import pytest

from centres.scoping import centre_scope
from meetings.member_links import contact_token
from meetings.models import ContactPerson, Group, Meeting, Membership, StillMeetingCheck
from meetings.services import contacts
from meetings.tasks import still_meeting_checks
from notifications.models import OutgoingMail
from tests.factories import GroupFactory, MembershipFactory, PersonFactory, every

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)


def self_run(centre, *, since: timedelta, members: int = 4, contact: bool = True, name: str = "Mittwochsrunde"):
    group = GroupFactory(centre=centre, name=name, status=Group.Status.SELF_RUN, min_size=4)
    every(Group).filter(pk=group.pk).update(status_changed_at=NOW - since)
    made = [
        MembershipFactory(
            group=group,
            person=PersonFactory(centre=centre, email=f"{name.lower()}{number}@example.net", language="en"),
            joined_on=date(2025, 1, 1),
        )
        for number in range(members)
    ]
    if contact:
        with centre_scope(centre.pk):
            contacts.contact_person_record(actor=None, membership=made[0])
    group.refresh_from_db()
    return group


def held_meeting(group, room, when):
    return every(Meeting).create(
        centre=group.centre, group=group, room=room, starts_at=when, ends_at=when + timedelta(hours=2), uid=f"h-{when}"
    )


def asked(group) -> list[str]:
    return list(every(StillMeetingCheck).filter(group=group).values_list("trigger", flat=True))


def test_eight_quiet_weeks_ask_the_contact_person_once(centre_a, frozen_now):
    frozen_now(NOW)
    group = self_run(centre_a, since=timedelta(weeks=9))
    assert still_meeting_checks() == 1
    assert asked(group) == ["no_meetings"]
    mail = every(OutgoingMail).get(
        kind="system", recipient="mittwochsrunde0@example.net", sensitive=True, idempotency_key__contains="still"
    )
    assert "no meeting for eight weeks" in mail.body_text
    assert "Mittwochsrunde" not in mail.subject
    assert still_meeting_checks() == 0  # one open question per group


def test_a_group_that_meets_is_asked_once_a_year(centre_a, room_a, frozen_now):
    frozen_now(NOW)
    group = self_run(centre_a, since=timedelta(days=400))
    held_meeting(group, room_a, NOW - timedelta(days=7))
    still_meeting_checks()
    assert asked(group) == ["yearly"]


def test_a_young_group_that_meets_is_not_asked(centre_a, room_a, frozen_now):
    frozen_now(NOW)
    group = self_run(centre_a, since=timedelta(days=100))
    held_meeting(group, room_a, NOW - timedelta(days=7))
    assert still_meeting_checks() == 0


def test_fewer_members_than_the_minimum_asks(centre_a, room_a, frozen_now):
    frozen_now(NOW)
    group = self_run(centre_a, since=timedelta(days=100), members=2)
    held_meeting(group, room_a, NOW - timedelta(days=7))
    still_meeting_checks()
    assert asked(group) == ["too_few"]


def test_no_answer_in_four_weeks_and_no_contact_person_show_on_the_dashboard(
    client, centre_a, coordinator_a, frozen_now
):
    frozen_now(NOW)
    quiet = self_run(centre_a, since=timedelta(weeks=9), name="Stillerunde")
    self_run(centre_a, since=timedelta(weeks=9), contact=False, name="Ohnekontakt")
    still_meeting_checks()
    client.force_login(coordinator_a)
    dashboard = client.get(f"/centres/{centre_a.slug}/workspace/").content.decode()
    assert "Ohnekontakt" in dashboard
    assert "no contact person" in dashboard
    assert "Stillerunde" not in dashboard  # asked today: not overdue yet
    frozen_now(NOW + timedelta(weeks=4, days=1))
    client.force_login(coordinator_a)  # a new day's login
    dashboard = client.get(f"/centres/{centre_a.slug}/workspace/").content.decode()
    assert "Stillerunde" in dashboard
    assert "no answer to “Still meeting?”" in dashboard
    assert asked(quiet) == ["no_meetings"]


def answer_page(group) -> str:
    contact = every(ContactPerson).get(group=group, ended_at__isnull=True)
    return f"/g/{contact_token(contact_id=contact.pk)}/still/"


def test_one_click_says_the_group_goes_on(client, centre_a, frozen_now):
    frozen_now(NOW)
    group = self_run(centre_a, since=timedelta(weeks=9))
    still_meeting_checks()
    url = answer_page(group)
    assert "Yes, we go on" in client.get(url).content.decode()
    assert every(StillMeetingCheck).get().answer == ""  # a GET answers nothing
    client.post(url, {"answer": "goes_on"})
    check = every(StillMeetingCheck).get()
    assert (check.answer, check.answered_at) == ("goes_on", NOW)
    assert every(Group).get(pk=group.pk).status == "self_run"
    assert "No question is open" in client.get(url).content.decode()


def test_the_group_pauses(client, centre_a, frozen_now):
    frozen_now(NOW)
    group = self_run(centre_a, since=timedelta(weeks=9))
    still_meeting_checks()
    client.post(answer_page(group), {"answer": "pauses", "note": "Sommerpause"})
    assert every(Group).filter(pk=group.pk).values_list("status", "status_reason").get() == ("paused", "Sommerpause")


def test_the_group_ends_with_a_reason_and_its_link_stops(client, centre_a, room_a, frozen_now):
    frozen_now(NOW)
    group = self_run(centre_a, since=timedelta(weeks=9))
    later = held_meeting(group, room_a, NOW + timedelta(days=3))
    still_meeting_checks()
    url = answer_page(group)
    refused = client.post(url, {"answer": "ends"})
    assert refused.status_code == 400
    assert "Choose why the group ends." in refused.content.decode()
    assert every(Group).get(pk=group.pk).status == "self_run"
    ended = client.post(url, {"answer": "ends", "end_reason": "too_few", "note": "Zu wenige"})
    assert "Your group has ended" in ended.content.decode()
    group.refresh_from_db()
    assert (group.status, group.end_reason, group.status_reason) == ("closed", "too_few", "Zu wenige")
    later.refresh_from_db()
    assert later.status == "cancelled"
    notices = every(OutgoingMail).filter(kind="change_notice").values_list("recipient", flat=True)
    assert len(notices) == 4
    assert client.get(url).status_code == 404


def test_an_answer_needs_an_open_question_and_a_known_answer(client, centre_a, frozen_now):
    frozen_now(NOW)
    group = self_run(centre_a, since=timedelta(days=10))
    url = answer_page(group)
    assert client.post(url, {"answer": "goes_on"}).status_code == 200  # nothing open: the page says so
    assert not every(StillMeetingCheck).exists()
    every(StillMeetingCheck).create(centre=centre_a, group=group, trigger="yearly", asked_at=NOW)
    assert client.post(url, {"answer": "maybe"}).status_code == 400
    assert every(StillMeetingCheck).get().answer == ""


def test_every_contact_person_with_an_address_is_asked(centre_a, frozen_now):
    frozen_now(NOW)
    group = self_run(centre_a, since=timedelta(weeks=9))
    second = every(Membership).filter(group=group).exclude(contact_roles__isnull=False).first()
    with centre_scope(centre_a.pk):
        contacts.contact_person_record(actor=None, membership=second)
    still_meeting_checks()
    asked_mails = every(OutgoingMail).filter(idempotency_key__contains="still")
    assert sorted(asked_mails.values_list("recipient", flat=True)) == sorted(
        ["mittwochsrunde0@example.net", second.person.email]
    )
    assert every(StillMeetingCheck).count() == 1  # one question, asked of both


def test_a_step_staff_take_answers_the_open_question(client, centre_a, coordinator_a, frozen_now):
    frozen_now(NOW)
    group = self_run(centre_a, since=timedelta(weeks=9))
    still_meeting_checks()
    with centre_scope(centre_a.pk):
        from meetings.services import groups

        groups.group_transition(actor=None, group=group, status="paused", reason="Sommer")
    assert every(StillMeetingCheck).get().answered_at == NOW
    frozen_now(NOW + timedelta(weeks=5))
    client.force_login(coordinator_a)
    assert "Mittwochsrunde" not in client.get(f"/centres/{centre_a.slug}/workspace/").content.decode()
