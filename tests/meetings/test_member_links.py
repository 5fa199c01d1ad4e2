"""Members' signed links: no password, their own membership only, one purpose, limited time."""

import re
from datetime import UTC, datetime

import pytest
from django.core import signing

from meetings.member_links import member_token
from meetings.models import Absence, Membership
from notifications.models import OutgoingMail
from tests.factories import MembershipFactory, PersonFactory, every, queue_mail, reminders_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def dora(weekly_series, group_a, centre_a):
    person = PersonFactory(centre=centre_a, display_name="Dora", email="dora@example.net", language="de")
    return MembershipFactory(group=group_a, person=person, reminder_minutes=24 * 60)


def links_in_reminder(frozen_now):
    frozen_now(datetime(2026, 11, 30, 18, 0, tzinfo=UTC))
    reminders_job()
    text = every(OutgoingMail).get(kind="reminder").body_text
    return re.findall(r"http://\S+", text)


def path_of(url: str) -> str:
    return url[url.index("/m/") :]


def test_the_reminder_carries_the_members_own_links(dora, frozen_now):
    absence, manage = links_in_reminder(frozen_now)
    assert "/m/absent/" in absence
    assert "/m/" in manage


def test_i_cant_come_asks_on_get_and_counts_on_post(client, dora, frozen_now, centre_a, weekly_series):
    centre_a.email = "post@centre-a.example.org"
    centre_a.save()
    absence, _manage = links_in_reminder(frozen_now)
    page = client.get(path_of(absence))
    assert page.status_code == 200
    assert not every(Absence).exists()  # link scanners follow GETs
    client.post(path_of(absence))
    client.post(path_of(absence))
    assert every(Absence).count() == 1
    notice = every(OutgoingMail).get(kind="absence")
    assert notice.recipient == "post@centre-a.example.org"
    assert "Dora" not in notice.body_text
    assert "1" in notice.body_text


def test_reminder_settings_and_leaving(client, dora, frozen_now):
    _absence, manage = links_in_reminder(frozen_now)
    client.post(path_of(manage) + "reminders/", {"reminder_minutes": "off"})
    dora.refresh_from_db()
    assert dora.reminder_minutes is None
    assert "Do you really want to leave" in client.get(path_of(manage), {"leave": "1"}).content.decode()
    client.post(path_of(manage) + "leave/", {"confirm": "yes"})
    dora.refresh_from_db()
    assert dora.left_on is not None
    assert client.get(path_of(manage)).status_code == 404  # the link ends with the membership


def test_a_link_for_one_purpose_is_refused_for_another(client, dora):
    manage_token = member_token(purpose="manage", membership_id=dora.pk)
    assert client.get(f"/m/absent/{manage_token}/").status_code == 404


def test_a_forged_or_expired_link_is_refused(client, dora, monkeypatch):
    import time

    forged = signing.dumps({"m": dora.pk}, salt="something-else")
    assert client.get(f"/m/{forged}/").status_code == 404
    token = member_token(purpose="manage", membership_id=dora.pk)
    assert client.get(f"/m/{token}/").status_code == 200
    later = time.time() + 61 * 24 * 3600  # the link is valid 60 days
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert client.get(f"/m/{token}/").status_code == 404


def test_a_link_reaches_only_its_own_membership(client, dora, group_a, centre_a):
    other = MembershipFactory(group=group_a, person=PersonFactory(centre=centre_a, display_name="Zeno"))
    page = client.get(f"/m/{member_token(purpose='manage', membership_id=dora.pk)}/").content.decode()
    assert "Zeno" not in page
    client.post(
        f"/m/{member_token(purpose='manage', membership_id=dora.pk)}/",
        {"action": "reminders", "reminder_minutes": "120"},
    )
    other.refresh_from_db()
    assert other.reminder_minutes == 24 * 60
    assert every(Membership).get(pk=dora.pk).reminder_minutes == 120


def test_a_bad_reminder_choice_is_a_400(client, dora):
    response = client.post(
        f"/m/{member_token(purpose='manage', membership_id=dora.pk)}/", {"action": "reminders", "reminder_minutes": "7"}
    )
    assert response.status_code == 400


def test_a_non_ascii_digit_is_a_400_not_a_500(client, dora):
    response = client.post(
        f"/m/{member_token(purpose='manage', membership_id=dora.pk)}/", {"action": "reminders", "reminder_minutes": "²"}
    )
    assert response.status_code == 400


# --- a withdrawn consent stops mail queued later, until the member turns reminders on again ----


@pytest.fixture
def dora_withdrew(dora, centre_a):
    from centres.models import ConsentRecord

    every(ConsentRecord).create(
        centre=centre_a, person=dora.person, purpose="group_membership", text_version="v1",
        given_at=datetime(2026, 1, 1, tzinfo=UTC), withdrawn_at=datetime(2026, 11, 1, tzinfo=UTC), source="email",
    )  # fmt: skip
    return dora


def test_mail_queued_after_a_withdrawal_is_not_sent(dora_withdrew, centre_a, frozen_now):

    # The reminder job (reminders stay set, as by an import after the withdrawal) stores nothing.
    frozen_now(datetime(2026, 11, 30, 18, 0, tzinfo=UTC))
    reminders_job()
    assert not every(OutgoingMail).filter(kind="reminder").exists()
    # A change notice queued one by one is stored suppressed, never sent.
    notice = queue_mail(centre_a, "dora@example.net", "meeting-9", kind="change_notice", person=dora_withdrew.person)
    assert notice.status == "suppressed"


def test_a_row_queued_before_the_withdrawal_is_dropped_when_the_worker_takes_it(dora, centre_a, frozen_now, fake_esp):
    from centres.models import ConsentRecord
    from notifications.tasks import send_mails

    frozen_now(datetime(2026, 11, 30, 18, 0, tzinfo=UTC))
    reminders_job()
    reminder = every(OutgoingMail).get(kind="reminder")
    # Withdrawn behind the outbox's back (a row the withdrawal did not reach): the worker checks.
    every(ConsentRecord).create(
        centre=centre_a, person=dora.person, purpose="group_membership", text_version="v1", source="email",
        given_at=datetime(2026, 1, 1, tzinfo=UTC), withdrawn_at=datetime(2026, 11, 30, 17, 0, tzinfo=UTC),
    )  # fmt: skip
    send_mails([reminder.pk])
    reminder.refresh_from_db()
    assert reminder.status == "suppressed"
    assert fake_esp.recipients() == []


def test_turning_reminders_on_again_on_the_members_page_is_a_new_consent(client, dora_withdrew, frozen_now):
    from centres.models import ConsentRecord

    every(Membership).filter(pk=dora_withdrew.pk).update(reminder_minutes=None)
    page = client.get(f"/m/{member_token(purpose='manage', membership_id=dora_withdrew.pk)}/").content.decode()
    assert 'aria-describedby="reminder-consent"' in page  # the sentence saying what turning them on means
    client.post(f"/m/{member_token(purpose='manage', membership_id=dora_withdrew.pk)}/",
                {"action": "reminders", "reminder_minutes": "1440"})  # fmt: skip
    standing = every(ConsentRecord).get(person=dora_withdrew.person, withdrawn_at__isnull=True)
    assert (standing.purpose, standing.source) == ("group_membership", "web_form")
    frozen_now(datetime(2026, 11, 30, 18, 0, tzinfo=UTC))
    reminders_job()
    assert every(OutgoingMail).get(kind="reminder").recipient == "dora@example.net"
