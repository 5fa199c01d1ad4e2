"""Members without e-mail: reminders and change notices as texts to those who agreed to them
(one segment where it fits, the group's name never for a discreet group, their page's link),
and a "tell by phone" list on the dashboard for members with neither, with a tick when told."""

from datetime import UTC, datetime, timedelta

import pytest

from centres.models import ConsentRecord
from centres.scoping import all_centres_scope
from meetings.models import Group, PhoneNotice
from meetings.services import meetings as meeting_changes
from meetings.services.notices import change_notices_queue
from notifications.models import OutgoingMail
from notifications.sms import sms_segments
from tests.factories import (
    ConsentFactory,
    MembershipFactory,
    PersonFactory,
    StaffRoleFactory,
    UserFactory,
    every,
    reminders_job,
)
from tests.meetings.member_mail import first_meeting

pytestmark = pytest.mark.django_db

MOBILE = "+491712345678"


def member(group, name, *, email="", phone="", texts=False, reminder_minutes=24 * 60):
    person = PersonFactory(centre=group.centre, display_name=name, email=email, phone=phone, language="de")
    if texts:
        ConsentFactory(person=person, purpose=ConsentRecord.Purpose.SMS)
    return MembershipFactory(group=group, person=person, reminder_minutes=reminder_minutes)


def rows(**filters):
    return list(every(OutgoingMail).filter(**filters).order_by("channel", "recipient"))


def test_a_member_who_agreed_to_texts_gets_the_reminder_as_a_text_once(weekly_series, group_a, frozen_now):
    membership = member(group_a, "Paul", phone="0171 2345678", texts=True)
    member(group_a, "Ute", phone="0160 1112223")  # a mobile, but no consent to texts
    frozen_now(datetime(2026, 11, 30, 18, 0, tzinfo=UTC))  # 24 h before Tue 19:00 Berlin
    assert reminders_job() == 1
    assert reminders_job() == 0
    [text] = rows(kind="reminder")
    assert (text.channel, text.recipient, text.person_id) == ("sms", MOBILE, membership.person_id)
    body = text.body_text
    assert body.startswith("Erinnerung: Dienstagsgruppe, Di 1.12. 19:00")
    assert text.merge_data["manage_url"] in body
    assert "/m/" in body
    assert sms_segments(body) == 1
    assert text.from_email == "Kontakt"


def test_a_discreet_groups_text_never_names_the_group(weekly_series, group_a, frozen_now):
    every(Group).filter(pk=group_a.pk).update(discreet=True)
    member(group_a, "Paul", phone="0171 2345678", texts=True)
    frozen_now(datetime(2026, 11, 30, 18, 0, tzinfo=UTC))
    reminders_job()
    [text] = rows(kind="reminder")
    assert "Dienstagsgruppe" not in text.body_text
    assert text.body_text.startswith("Erinnerung: Ihre Gruppe trifft sich Di 1.12. um 19:00")


def test_a_member_with_both_gets_a_mail_and_a_text(weekly_series, group_a, frozen_now):
    member(group_a, "Paul", email="paul@example.net", phone="0171 2345678", texts=True)
    frozen_now(datetime(2026, 11, 30, 18, 0, tzinfo=UTC))
    assert reminders_job() == 2
    assert [(row.channel, row.recipient) for row in rows(kind="reminder")] == [
        ("email", "paul@example.net"),
        ("sms", MOBILE),
    ]


def test_a_cancellation_reaches_each_member_by_mail_text_or_the_phone_list(weekly_series, group_a):
    member(group_a, "Dora", email="dora@example.net")
    member(group_a, "Paul", phone="0171 2345678", texts=True)
    martin = member(group_a, "Martin", phone="0511 123456")  # a landline: no texts
    member(group_a, "Ute", phone="0160 1112223")  # no consent to texts
    meeting = first_meeting(weekly_series)
    with all_centres_scope():
        meeting_changes.meeting_cancel(actor=None, meeting=meeting)
        meeting.refresh_from_db()
        # The same change told again (a retried request): nothing more is stored.
        assert change_notices_queue(meeting_ids=[meeting.pk], change=f"meeting-{meeting.pk}-r{meeting.sequence}") == 0
    assert [(row.channel, row.recipient) for row in rows(kind="change_notice")] == [
        ("email", "dora@example.net"),
        ("sms", MOBILE),
    ]
    text = rows(channel="sms")[0]
    assert text.body_text.startswith("Abgesagt: Dienstagsgruppe am Di 1.12. 19:00")
    notices = every(PhoneNotice).order_by("membership__person__display_name")
    assert [(n.membership.person.display_name, n.meeting_id, n.cancelled) for n in notices] == [
        ("Martin", meeting.pk, True),
        ("Ute", meeting.pk, True),
    ]
    assert notices[0].membership_id == martin.pk


def test_a_moved_meeting_lists_the_member_as_changed(weekly_series, group_a):
    member(group_a, "Martin", phone="0511 123456")
    meeting = first_meeting(weekly_series)
    with all_centres_scope():
        meeting_changes.meeting_move(actor=None, meeting=meeting, starts_at=meeting.starts_at + timedelta(days=1))
    [notice] = every(PhoneNotice)
    assert (notice.cancelled, notice.meeting_id) == (False, meeting.pk)


# --- the dashboard's list and its tick -----------------------------------------------------------


@pytest.fixture
def to_phone(weekly_series, group_a):
    member(group_a, "Martin", phone="0511 123456")
    with all_centres_scope():
        meeting_changes.meeting_cancel(actor=None, meeting=first_meeting(weekly_series))
    return every(PhoneNotice).get()


def test_the_dashboard_lists_whom_to_phone_and_a_tick_takes_them_off(client, coordinator_a, centre_a, to_phone):
    client.force_login(coordinator_a)
    dashboard = client.get(f"/centres/{centre_a.slug}/workspace/").content.decode()
    assert "Tell by phone" in dashboard
    assert "Martin" in dashboard
    assert "0511 123456" in dashboard
    told = client.post(
        f"/centres/{centre_a.slug}/workspace/tell-by-phone/{to_phone.pk}/told/",
        {"told": "yes", "back": "dashboard"},
        follow=True,
    )
    page = told.content.decode()
    assert "Ticked: Martin was told." in page
    assert "Undo: not told yet" in page
    to_phone.refresh_from_db()
    assert to_phone.told_at is not None
    assert to_phone.told_by_id == coordinator_a.pk
    assert "0511 123456" not in client.get(f"/centres/{centre_a.slug}/workspace/").content.decode()
    listing = client.get(f"/centres/{centre_a.slug}/workspace/tell-by-phone/").content.decode()
    assert "Told in the last two weeks" in listing
    assert "Martin" in listing
    client.post(f"/centres/{centre_a.slug}/workspace/tell-by-phone/{to_phone.pk}/told/", {"told": "no"})
    to_phone.refresh_from_db()
    assert to_phone.told_at is None


def test_a_bad_tick_changes_nothing_and_another_centre_cannot_tick(client, centre_a, centre_b, to_phone):
    staff_b = UserFactory()
    StaffRoleFactory(user=staff_b, centre=centre_b)
    client.force_login(staff_b)
    assert (
        client.post(
            f"/centres/{centre_b.slug}/workspace/tell-by-phone/{to_phone.pk}/told/", {"told": "yes"}
        ).status_code
        == 404
    )
    assert client.get(f"/centres/{centre_a.slug}/workspace/tell-by-phone/").status_code == 404
    to_phone.refresh_from_db()
    assert to_phone.told_at is None


def test_the_list_is_empty_with_a_word_on_what_will_show(client, coordinator_a, centre_a):
    client.force_login(coordinator_a)
    page = client.get(f"/centres/{centre_a.slug}/workspace/tell-by-phone/").content.decode()
    assert "Nobody to phone." in page


# --- consent to texts, by staff and by the member ------------------------------------------------


def test_staff_start_texts_only_for_a_mobile_number_the_person_agreed_to(client, coordinator_a, centre_a):
    person = PersonFactory(centre=centre_a, display_name="Paul", email="", phone="0511 123456")
    client.force_login(coordinator_a)
    url = f"/centres/{centre_a.slug}/workspace/people/{person.pk}/texts/"
    landline = client.post(url, {"phone": "0511 123456", "source": "phone", "agreed": "yes"})
    assert landline.status_code == 400
    assert "This is not a mobile number that can get texts." in landline.content.decode()
    unasked = client.post(url, {"phone": "0171 2345678", "source": "phone"})
    assert unasked.status_code == 400
    assert "Record texts only when the person agreed to them." in unasked.content.decode()
    assert not every(ConsentRecord).filter(person=person).exists()
    person.refresh_from_db()
    assert person.phone == "0511 123456"
    started = client.post(url, {"phone": "0171 2345678", "source": "phone", "agreed": "yes"}, follow=True)
    assert "Texts start" in started.content.decode()
    assert "+49 171 2345678" in started.content.decode()
    person.refresh_from_db()
    consent = every(ConsentRecord).get(person=person)
    assert (person.phone, consent.purpose, consent.source, consent.withdrawn_at) == (
        "0171 2345678",
        "sms",
        "phone",
        None,
    )
    stopped = client.post(url, {"stop": "yes"}, follow=True)
    assert "Texts stopped" in stopped.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None


def test_a_member_turns_texts_on_and_off_on_their_own_page(client, group_a):
    from meetings.member_links import member_url

    membership = member(group_a, "Paul", email="paul@example.net", phone="0171 2345678")
    page = member_url(purpose="manage", membership_id=membership.pk)
    shown = client.get(page).content.decode()
    assert "number ending in 5678" in shown
    assert "0171" not in shown
    token = page.rstrip("/").rsplit("/", 1)[1]
    on = client.post(f"/m/{token}/texts/", {"texts": "on"}).content.decode()
    assert "Saved: you now also get texts." in on
    consent = every(ConsentRecord).get(person=membership.person, purpose="sms")
    assert (consent.source, consent.withdrawn_at) == ("web_form", None)
    client.post(f"/m/{token}/texts/", {"texts": "off"})
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert client.post(f"/m/{token}/texts/", {"texts": "maybe"}).status_code == 400


def test_a_member_without_a_mobile_number_is_not_offered_texts(client, group_a):
    from meetings.member_links import member_url

    membership = member(group_a, "Martin", email="martin@example.net", phone="0511 123456")
    page = client.get(member_url(purpose="manage", membership_id=membership.pk)).content.decode()
    assert "Texts to your mobile" not in page


# --- what the review of this change found ----------------------------------------------------------


def test_a_new_phone_number_ends_the_consent_to_texts(group_a):
    from centres.services.people import person_update

    membership = member(group_a, "Paul", phone="0171 2345678", texts=True)
    with all_centres_scope():
        person_update(actor=None, person=membership.person, phone="0171 2345678 ")  # the same number
        assert every(ConsentRecord).get(person=membership.person).withdrawn_at is None
        person_update(actor=None, person=membership.person, phone="0160 9999999")
    assert every(ConsentRecord).get(person=membership.person).withdrawn_at is not None


def test_a_member_whose_address_and_number_are_suppressed_is_listed_to_phone(weekly_series, group_a):
    from notifications.models import SuppressedAddress

    bounced = member(group_a, "Berta", email="berta@example.net")
    refused = member(group_a, "Paul", phone="0171 2345678", texts=True)
    member(group_a, "Dora", email="dora@example.net")
    every(SuppressedAddress).create(centre=group_a.centre, email="berta@example.net", reason="bounced")
    every(SuppressedAddress).create(centre=group_a.centre, email=MOBILE, reason="unreachable")
    with all_centres_scope():
        meeting_changes.meeting_cancel(actor=None, meeting=first_meeting(weekly_series))
    assert sorted(every(PhoneNotice).values_list("membership", flat=True)) == sorted([bounced.pk, refused.pk])


def test_a_member_who_withdrew_consent_to_group_mail_is_not_listed_to_phone(weekly_series, group_a):
    withdrawn = member(group_a, "Martin", phone="0511 123456")
    ConsentFactory(person=withdrawn.person, purpose="group_membership", withdrawn_at=datetime.now(UTC))
    with all_centres_scope():
        meeting_changes.meeting_cancel(actor=None, meeting=first_meeting(weekly_series))
    assert not every(PhoneNotice).exists()


def test_a_cancellation_undone_replaces_its_line_on_the_list(weekly_series, group_a):
    member(group_a, "Martin", phone="0511 123456")
    meeting = first_meeting(weekly_series)
    with all_centres_scope():
        meeting_changes.meeting_cancel(actor=None, meeting=meeting)
        meeting.refresh_from_db()
        meeting_changes.meeting_reinstate(actor=None, meeting=meeting)
    [notice] = every(PhoneNotice)
    assert (notice.meeting_id, notice.cancelled) == (meeting.pk, False)


def test_without_a_gateway_members_without_e_mail_are_listed_to_phone(weekly_series, group_a, settings):
    settings.SMS_BACKEND = "off"
    paul = member(group_a, "Paul", phone="0171 2345678", texts=True)
    with all_centres_scope():
        meeting_changes.meeting_cancel(actor=None, meeting=first_meeting(weekly_series))
    assert not every(OutgoingMail).filter(channel="sms").exists()
    assert list(every(PhoneNotice).values_list("membership", flat=True)) == [paul.pk]
