"""A password reset mail is an outbox row like every other mail: a lost task or a Redis flush
loses none, it is sent once, and no staff view shows its link."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import TestCase

from notifications import services
from notifications.models import MailRequest, OutgoingMail
from tests.factories import UserFactory, eager_tasks, every

pytestmark = pytest.mark.django_db

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
        services.outbox_flush(older_than=timedelta(0))
    assert [message.to for message in mail.outbox] == [["leitung@example.org"]]
    # The lost task turns up after all, and the flush runs again: still one mail.
    with eager_tasks(), TestCase.captureOnCommitCallbacks(execute=True):
        for callback in dropped:
            callback()
        services.outbox_flush(older_than=timedelta(0))
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

    from centres.retention import retention_apply

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
    recorded = services.webhook_event_record(
        esp="postmark", event_id="e-1", event_type="bounced", message_id="esp-1", recipient="leitung@example.org"
    )
    assert recorded is True
    assert every(OutgoingMail).get().delivery == "bounced"
    assert not every(SuppressedAddress).exists()
