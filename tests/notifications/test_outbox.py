"""The outbox: stored once, sent once, retried only when the ESP fails for a while."""

import base64
from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from notifications.models import OutgoingMail, SuppressedAddress, WebhookEvent
from notifications.services.outbox import mail_queue
from notifications.services.sending import MAX_ATTEMPTS, SendResult, _claim, _send_one, mails_send, outbox_requeue_stuck
from tests.factories import every, queue_mail
from tests.notifications.fake_esp import anymail_options

# The tests call the outbox and newsletter services themselves, as set-up code would.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]
# Postmark's webhooks are Postmark's; a row in doubt is looked up where the ESP can be asked
# (notifications/lookups.py); test_esp_batches.py has what the others do with a row in doubt.
POSTMARK_PATHS = ["postmark-batch", "postmark-anymail"]
LOOKUP_PATHS = [*POSTMARK_PATHS, "mailgun", "sendgrid"]


def test_the_same_mail_is_stored_once(centre_a):
    first = queue_mail(centre_a)
    assert first is not None
    assert queue_mail(centre_a) is None
    assert queue_mail(centre_a, recipient="ALMA@example.net") is None
    assert every(OutgoingMail).count() == 1


def test_mail_is_rendered_in_the_recipients_language(centre_a):
    german = queue_mail(centre_a, language="de", obj="de")
    danish = queue_mail(centre_a, language="da", obj="da")
    assert german.subject == "Abgesagt: ein Treffen Ihrer Gruppe"
    assert danish.subject.startswith("Aflyst")
    assert german.from_email == "Kontakt <noreply@kontakt.localhost>" or "Kontaktstelle A" in german.from_email


def test_a_suppressed_address_is_never_sent_to(centre_a, fake_esp):
    every(SuppressedAddress).create(centre=centre_a, email="alma@example.net", reason="bounced")
    mail = queue_mail(centre_a)
    assert mail.status == "suppressed"
    mails_send([mail.pk])
    assert fake_esp.accepted == []


def test_a_queued_mail_is_sent_once_even_when_sending_runs_twice(centre_a, fake_esp):
    mail = queue_mail(centre_a)
    first = mails_send([mail.pk])
    second = mails_send([mail.pk])
    mail.refresh_from_db()
    assert (first.sent, second.sent) == (1, 0)
    assert fake_esp.recipients() == ["alma@example.net"]
    assert (mail.status, mail.attempts, mail.esp_message_id) == ("sent", 1, fake_esp.accepted[0]["MessageID"])


def test_an_esp_outage_is_retried_and_the_mail_goes_out_once(centre_a, fake_esp):
    mail = queue_mail(centre_a)
    fake_esp.fail_next = 2
    results = [mails_send([mail.pk]) for _ in range(3)]
    mail.refresh_from_db()
    assert [(result.sent, len(result.retry)) for result in results] == [(0, 1), (0, 1), (1, 0)]
    assert (mail.status, mail.attempts) == ("sent", 3)
    assert fake_esp.recipients() == ["alma@example.net"]


def test_a_timeout_is_transient(centre_a, fake_esp, settings):
    settings.ANYMAIL = anymail_options(settings.EMAIL_ESP, fake_esp.url, timeout=0.2)
    fake_esp.delay = 0.5
    mail = queue_mail(centre_a)
    result = mails_send([mail.pk])
    mail.refresh_from_db()
    assert (result.retry, mail.status) == ([mail.pk], "queued")
    assert "Timeout" in mail.last_error or "timed out" in mail.last_error


def test_a_permanent_refusal_fails_at_once_and_shows_the_error(centre_a, fake_esp):
    fake_esp.reject_recipients = {"alma@example.net"}
    mail = queue_mail(centre_a)
    result = mails_send([mail.pk])
    mail.refresh_from_db()
    assert (result.failed, mail.status, mail.attempts) == (1, "failed", 1)
    assert "refused" in mail.last_error.lower() or "rejected" in mail.last_error.lower()


def test_after_eight_failed_attempts_a_mail_is_failed(centre_a, fake_esp):
    mail = queue_mail(centre_a)
    fake_esp.fail_next = 20
    for _ in range(10):
        mails_send([mail.pk])
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == ("failed", MAX_ATTEMPTS)
    assert "500" in mail.last_error
    assert fake_esp.accepted == []


def test_calendar_attachments_reach_the_esp_as_text_calendar(centre_a, fake_esp, weekly_series_for_notices):
    from meetings.calendar import meetings_calendar
    from meetings.models import Meeting

    meeting = every(Meeting).filter(series=weekly_series_for_notices).first()
    mail = mail_queue(
        centre=centre_a,
        kind=OutgoingMail.Kind.REMINDER,
        obj="ics",
        recipient="alma@example.net",
        language="de",
        template="meetings/mail/change_notice",
        context={"meetings": [], "all_cancelled": False, "discreet": False, "centre": centre_a},
        calendar=meetings_calendar([meeting], name="x", method="REQUEST").decode(),
    )
    mails_send([mail.pk])
    attachment = fake_esp.accepted[0]["Attachments"][0]
    assert attachment["ContentType"].startswith("text/calendar")
    calendar = Calendar.from_ical(base64.b64decode(attachment["Content"]))
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(calendar.walk("VEVENT")[0]["UID"]) == meeting.uid


# Brevo and Amazon SES set tracking for the account (or configuration set), not per message.
@pytest.mark.parametrize(
    "fake_esp", ["postmark-batch", "postmark-anymail", "mailgun", "sendgrid", "mailjet"], indirect=True
)
def test_no_open_or_click_tracking_is_asked_for(centre_a, fake_esp):
    mail = queue_mail(centre_a)
    mails_send([mail.pk])
    message = fake_esp.accepted[0]
    assert message.get("TrackOpens") is False
    assert message.get("TrackLinks") == "None"


def test_rows_left_in_sending_by_a_dead_worker_go_back_to_the_queue(centre_a):
    mail = queue_mail(centre_a)
    every(OutgoingMail).filter(pk=mail.pk).update(
        status="sending", sending_since=datetime(2026, 1, 1, tzinfo=UTC), attempts=1
    )
    assert outbox_requeue_stuck() == 1
    mail.refresh_from_db()
    assert mail.status == "queued"


@pytest.mark.parametrize("fake_esp", LOOKUP_PATHS, indirect=True)
def test_a_row_whose_worker_died_after_the_esp_took_it_is_not_sent_again(centre_a, fake_esp):
    mail = queue_mail(centre_a)
    assert mails_send([mail.pk]).sent == 1
    message_id = every(OutgoingMail).get(pk=mail.pk).esp_message_id
    # As if the worker had died after the ESP's answer, before writing it down.
    every(OutgoingMail).filter(pk=mail.pk).update(
        status="sending", sending_since=datetime(2026, 1, 1, tzinfo=UTC), esp_message_id=""
    )
    assert outbox_requeue_stuck() == 1
    assert every(OutgoingMail).get(pk=mail.pk).in_doubt
    result = mails_send([mail.pk])
    mail.refresh_from_db()
    assert (result.sent, mail.status, mail.esp_message_id, mail.in_doubt) == (1, "sent", message_id, False)
    assert fake_esp.recipients() == ["alma@example.net"]  # looked up at the ESP, not sent twice


def test_a_row_in_doubt_that_never_reached_the_esp_is_sent(centre_a, fake_esp):
    mail = queue_mail(centre_a)
    every(OutgoingMail).filter(pk=mail.pk).update(
        status="sending", sending_since=datetime(2026, 1, 1, tzinfo=UTC), attempts=1
    )
    outbox_requeue_stuck()
    assert mails_send([mail.pk]).sent == 1
    assert fake_esp.recipients() == ["alma@example.net"]


@pytest.mark.parametrize("fake_esp", LOOKUP_PATHS, indirect=True)
def test_a_mail_whose_answer_timed_out_is_looked_up_before_it_is_sent_again(centre_a, fake_esp, settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "REQUESTS_TIMEOUT": 0.3}
    fake_esp.answer_delay = 0.6  # the ESP takes the mail but answers too late
    mail = queue_mail(centre_a)
    assert mails_send([mail.pk]).retry == [mail.pk]
    mail.refresh_from_db()
    assert (mail.status, mail.in_doubt) == ("queued", True)
    fake_esp.answer_delay = 0
    assert mails_send([mail.pk]).sent == 1
    assert fake_esp.recipients() == ["alma@example.net"]


@pytest.mark.parametrize("fake_esp", LOOKUP_PATHS, indirect=True)
def test_a_row_in_doubt_waits_while_the_esp_cannot_be_asked(centre_a, fake_esp):
    mail = queue_mail(centre_a)
    every(OutgoingMail).filter(pk=mail.pk).update(status="queued", in_doubt=True)
    fake_esp.stop()  # nobody answers on its port now
    result = mails_send([mail.pk])
    mail.refresh_from_db()
    assert (result.retry, mail.status, mail.in_doubt) == ([mail.pk], "queued", True)
    assert fake_esp.recipients() == []


# --- webhooks -----------------------------------------------------------------------------------


def postmark_bounce(message_id: str, event_id: int = 42, kind: str = "HardBounce") -> dict:
    return {
        "RecordType": "Bounce",
        "ID": event_id,
        "Type": kind,
        "TypeCode": 1,
        "MessageID": message_id,
        "Email": "alma@example.net",
        "BouncedAt": "2026-12-01T10:00:00Z",
        "Description": "The server was unable to deliver your message",
    }


@pytest.fixture
def webhook_settings(settings):
    settings.ANYMAIL = {**getattr(settings, "ANYMAIL", {}), "WEBHOOK_SECRET": "hook:secret"}


def post_webhook(client, payload, auth="hook:secret"):
    headers = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(auth.encode()).decode()} if auth else {}
    return client.post("/anymail/postmark/tracking/", payload, content_type="application/json", **headers)


@pytest.mark.parametrize("fake_esp", POSTMARK_PATHS, indirect=True)
def test_a_hard_bounce_suppresses_the_address_for_the_centre(client, centre_a, centre_b, fake_esp, webhook_settings):
    mail = queue_mail(centre_a)
    mails_send([mail.pk])
    mail.refresh_from_db()
    response = post_webhook(client, postmark_bounce(mail.esp_message_id))
    assert response.status_code == 200
    mail.refresh_from_db()
    assert mail.delivery == "bounced"
    assert list(every(SuppressedAddress).values_list("centre__slug", "email", "reason")) == [
        ("centre-a", "alma@example.net", "bounced")
    ]
    assert queue_mail(centre_a, obj="later").status == "suppressed"
    assert queue_mail(centre_b, obj="other-centre").status == "queued"


@pytest.mark.parametrize("fake_esp", POSTMARK_PATHS, indirect=True)
def test_a_redelivered_webhook_event_is_applied_once(client, centre_a, fake_esp, webhook_settings):
    mail = queue_mail(centre_a)
    mails_send([mail.pk])
    mail.refresh_from_db()
    for _ in range(3):
        post_webhook(client, postmark_bounce(mail.esp_message_id))
    assert WebhookEvent.objects.count() == 1
    assert every(SuppressedAddress).count() == 1


@pytest.mark.parametrize("fake_esp", POSTMARK_PATHS, indirect=True)
@pytest.mark.parametrize("auth", [None, "hook:wrong"])
def test_webhooks_without_the_secret_change_nothing(client, centre_a, fake_esp, webhook_settings, auth):
    mail = queue_mail(centre_a)
    mails_send([mail.pk])
    mail.refresh_from_db()
    response = post_webhook(client, postmark_bounce(mail.esp_message_id), auth=auth)
    assert response.status_code in (400, 401, 403)
    assert not every(SuppressedAddress).exists()
    assert not WebhookEvent.objects.exists()


def test_the_batch_api_sends_many_mails_in_one_request_and_reports_each(centre_a, fake_postmark):
    fake_esp = fake_postmark
    fake_esp.reject_recipients = {"r7@example.net"}
    mails = [queue_mail(centre_a, recipient=f"r{n}@example.net", obj=f"batch-{n}") for n in range(120)]
    result = mails_send([mail.pk for mail in mails])
    assert (result.sent, result.failed, fake_esp.requests) == (119, 1, 1)
    statuses = dict(every(OutgoingMail).values_list("recipient", "status"))
    assert statuses["r7@example.net"] == "failed"
    assert sum(status == "sent" for status in statuses.values()) == 119


def test_a_row_handed_to_another_worker_by_the_sweeper_is_not_sent_again(centre_a, fake_esp, settings):
    settings.OUTBOX_ESP_BATCH = False
    first, second = queue_mail(centre_a, obj="slow-1"), queue_mail(centre_a, recipient="r2@example.net", obj="slow-2")
    claimed = _claim([first.pk, second.pk])
    # While this worker is busy, the sweeper gives the second row to another worker, which sends it.
    every(OutgoingMail).filter(pk=second.pk).update(status="queued")
    mails_send([second.pk])
    result = SendResult(retry=[])
    from django.core.mail import get_connection

    with get_connection() as connection:
        for mail in claimed:
            _send_one(mail, connection, result)
    assert sorted(fake_esp.recipients()) == ["alma@example.net", "r2@example.net"]


def test_an_address_suppressed_after_queueing_is_not_mailed(centre_a, fake_esp):
    mail = queue_mail(centre_a)
    every(SuppressedAddress).create(centre=centre_a, email="ALMA@example.net", reason="complained")
    mails_send([mail.pk])
    mail.refresh_from_db()
    assert (mail.status, fake_esp.accepted) == ("suppressed", [])


def test_a_broker_down_when_mail_is_queued_leaves_the_row_for_the_flush(
    centre_a, monkeypatch, django_capture_on_commit_callbacks
):
    """The send task cannot be queued (Redis is down): the caller still gets its answer, and
    the row waits, queued, for the periodic flush."""
    from kombu.exceptions import OperationalError

    from notifications import tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.send_mails, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        mail = queue_mail(centre_a, "x@example.net", "broker-down")
    assert len(callbacks) == 1
    mail.refresh_from_db()
    assert mail.status == "queued"


def test_a_coordinator_sends_a_failed_mail_again_from_the_outbox(
    client, coordinator_a, centre_a, centre_b, django_capture_on_commit_callbacks
):
    failed = queue_mail(centre_a, recipient="fehler@example.net", obj="retry-1")
    every(OutgoingMail).filter(pk=failed.pk).update(status="failed", last_error="ESP said no", attempts=3)
    sent = queue_mail(centre_a, recipient="ok@example.net", obj="retry-2")
    every(OutgoingMail).filter(pk=sent.pk).update(status="sent")
    foreign = queue_mail(centre_b, recipient="b@example.net", obj="retry-3")
    every(OutgoingMail).filter(pk=foreign.pk).update(status="failed")
    client.force_login(coordinator_a)
    outbox = client.get(f"/centres/{centre_a.slug}/outbox/?q=fehler").content.decode()
    assert "Try sending it again" in outbox
    assert "ok@example.net" not in outbox
    with django_capture_on_commit_callbacks(execute=False) as queued:
        answer = client.post(f"/centres/{centre_a.slug}/outbox/{failed.pk}/retry/")
    assert every(OutgoingMail).get(pk=failed.pk).status == "queued"
    assert len(queued) == 1
    assert "The mail to fehler@example.net is queued again." in client.get(answer.url).content.decode()
    refused = client.post(f"/centres/{centre_a.slug}/outbox/{sent.pk}/retry/")
    assert "Only a failed mail can be sent again." in client.get(refused.url).content.decode()
    assert every(OutgoingMail).get(pk=sent.pk).status == "sent"
    assert client.post(f"/centres/{centre_a.slug}/outbox/{foreign.pk}/retry/").status_code == 404
    assert every(OutgoingMail).get(pk=foreign.pk).status == "failed"


def test_rows_stored_claimed_come_back_as_the_database_holds_them(centre_a):
    """`mails_store_claimed` builds its rows without reading them back: every field must be
    what was stored, or sending from memory would send something else."""
    from notifications.models import MailContent
    from notifications.services.outbox import NewMail, mails_store_claimed

    content = MailContent.objects.create(centre=centre_a, language="de", from_email="a@b.c", subject="s", body_text="t")
    rows = mails_store_claimed(
        [
            NewMail(
                centre_id=centre_a.pk,
                kind=OutgoingMail.Kind.NEWSLETTER,
                key=f"test:k{n}:leser{n}@example.net",
                recipient=f" leser{n}@example.net ",
                language="de",
                content_id=content.pk,
                merge_data={"own_url": f"https://kontakt.example/{n}"},
            )
            for n in range(3)
        ]
    )
    fields = [field.attname for field in OutgoingMail._meta.concrete_fields]
    stored = {row.pk: row for row in every(OutgoingMail).filter(pk__in=[row.pk for row in rows])}
    assert len(stored) == 3
    for row in rows:
        assert {name: getattr(row, name) for name in fields} == {name: getattr(stored[row.pk], name) for name in fields}
        assert row.content == content  # the foreign key works on the built row
