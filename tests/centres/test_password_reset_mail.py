"""A password reset mail is an outbox row like every other mail: a lost task or a Redis flush
loses none, it is sent once, and no staff view shows its link."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from notifications.models import MailRequest, OutgoingMail
from notifications.services.outbox import outbox_flush
from notifications.services.webhooks import webhook_event_record
from tests.factories import UserFactory, eager_tasks, every

# The tests run the outbox flush and record webhook events through the services, as set-up code.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]

HIDDEN = "[hidden: this mail holds a personal link]"


@pytest.fixture
def leitung(db):
    """An account of no centre (a platform admin), with a password."""
    user = UserFactory(username="leitung", email="leitung@example.org", is_staff=True, is_superuser=True)
    user.set_password("an-old-passphrase")
    user.save()
    return user


def reset_link(message) -> str:
    link = next(line for line in message.body.splitlines() if "/accounts/reset/" in line).strip()
    return link[link.index("/accounts/reset/") :]


def test_a_reset_whose_task_was_lost_is_sent_by_the_flush_once(client, leitung):
    with TestCase.captureOnCommitCallbacks() as dropped:  # the broker lost the task (a Redis flush)
        response = client.post("/admin/password_reset/", {"email": "leitung@example.org"})
    assert response["Location"] == "/accounts/password_reset/done/"
    assert len(dropped) == 1
    assert mail.outbox == []
    assert every(MailRequest).get().payload == {"user_ids": [leitung.pk], "language": "en"}
    with eager_tasks(), TestCase.captureOnCommitCallbacks(execute=True):
        outbox_flush(older_than=timedelta(0))
    assert [message.to for message in mail.outbox] == [["leitung@example.org"]]
    # The lost task turns up after all, and the flush runs again: still one mail.
    with eager_tasks(), TestCase.captureOnCommitCallbacks(execute=True):
        for callback in dropped:
            callback()
        outbox_flush(older_than=timedelta(0))
    assert len(mail.outbox) == 1
    row = every(OutgoingMail).get()
    assert (row.centre_id, row.sensitive, row.status, row.recipient) == (None, True, "sent", "leitung@example.org")
    # The link sets a new password.
    form_page = client.get(reset_link(mail.outbox[0]), follow=True)
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-good-new-passphrase", "new_password2": "a-good-new-passphrase"},
    )
    assert done["Location"] == "/accounts/reset/done/"
    leitung.refresh_from_db()
    assert leitung.check_password("a-good-new-passphrase")


def test_a_reset_mail_for_an_unknown_address_writes_no_mail(client, db):
    with eager_tasks(), TestCase.captureOnCommitCallbacks(execute=True):
        client.post("/admin/password_reset/", {"email": "nobody@example.org"})
    assert mail.outbox == []
    assert not every(OutgoingMail).exists()
    assert not every(MailRequest).exists()  # decided and gone


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, db):
    with eager_tasks(), TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/admin/password_reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []


def test_a_password_reset_costs_the_same_for_known_and_unknown_addresses(client, centre_admin_a):
    """The request never sends: for any address it makes one lookup and queues one task, which
    carries user ids, never the address. So its time does not tell whether an account exists."""
    centre_admin_a.email = "admin.a@example.org"
    centre_admin_a.save(update_fields=["email"])
    costs = {}
    for address in ("admin.a@example.org", "nobody@example.org"):
        with CaptureQueriesContext(connection) as queries, TestCase.captureOnCommitCallbacks() as queued:
            answer = client.post("/admin/password_reset/", {"email": address})
        costs[address] = (answer.status_code, answer["Location"], len(queries), len(queued))
    assert costs["admin.a@example.org"] == costs["nobody@example.org"]
    assert costs["nobody@example.org"][3] == 1
    assert mail.outbox == []  # nothing sent during the request


def test_password_resets_are_limited_per_client_address(client, db):
    answers = [client.post("/admin/password_reset/", {"email": f"x{n}@example.org"}).status_code for n in range(7)]
    assert answers[:5] == [302] * 5
    assert answers[5:] == [429, 429]
    assert "Too many requests" in client.post("/admin/password_reset/", {"email": "y@example.org"}).content.decode()


def test_no_staff_view_shows_a_reset_mail(client, leitung, coordinator_a, centre_a):
    with eager_tasks(), TestCase.captureOnCommitCallbacks(execute=True):
        client.post("/admin/password_reset/", {"email": "leitung@example.org"})
    token = reset_link(mail.outbox[0]).split("/")[-2]
    row = every(OutgoingMail).get()
    # A centre's staff do not see a mail of the platform at all.
    client.force_login(coordinator_a)
    assert "leitung@example.org" not in client.get(f"/centres/{centre_a.slug}/outbox/").content.decode()
    # The platform admin sees that it went, not what it said.
    client.force_login(leitung)
    for page in ("/admin/notifications/outgoingmail/", f"/admin/notifications/outgoingmail/{row.pk}/change/"):
        shown = client.get(page).content.decode()
        assert HIDDEN in shown
        assert token not in shown
        assert "leitung@example.org" not in shown


def test_retention_keeps_a_reset_mail_and_an_undecided_request_only_a_while(client, leitung):
    from django.utils import timezone

    from centres.services.retention import retention_apply

    with eager_tasks(), TestCase.captureOnCommitCallbacks(execute=True):
        client.post("/admin/password_reset/", {"email": "leitung@example.org"})
    stuck = every(MailRequest).create(kind="password_reset", payload={"user_ids": "not ids"}, attempts=5)
    month_ago = timezone.now() - timedelta(days=31)
    every(OutgoingMail).update(created_at=month_ago)
    every(MailRequest).filter(pk=stuck.pk).update(created_at=month_ago)
    assert retention_apply().mails == 1
    row = every(OutgoingMail).select_related("content").get()
    assert (row.recipient, row.merge_data, row.status, row.content.body_text) == ("", {}, "sent", "")
    assert not every(MailRequest).exists()


def test_a_bounced_reset_mail_is_noted_and_suppresses_no_centres_mail(client, leitung):
    from notifications.models import SuppressedAddress

    with eager_tasks(), TestCase.captureOnCommitCallbacks(execute=True):
        client.post("/admin/password_reset/", {"email": "leitung@example.org"})
    every(OutgoingMail).update(esp_message_id="esp-1")
    recorded = webhook_event_record(
        esp="postmark", event_id="e-1", event_type="bounced", message_id="esp-1", recipient="leitung@example.org"
    )
    assert recorded is True
    assert every(OutgoingMail).get().delivery == "bounced"
    assert not every(SuppressedAddress).exists()
