"""Each ESP's batch path (notifications.batches): one content to many recipients in the ESP's own
merge syntax, against a fake of its API that enforces its limit and does the merging as the ESP
would. What a recipient gets must be what Kontakt would have sent them alone."""

import base64

import pytest

from notifications import batches
from notifications.models import MailContent, OutgoingMail
from notifications.services.outbox import NewMail, idempotency_key, mails_queue_bulk
from notifications.services.sending import mails_send
from notifications.services.webhooks import webhook_event_record
from tests.factories import every, queue_mail
from tests.notifications.fake_esp import LIMITS, FakeEsp, anymail_options

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]

MERGE_PATHS = ["mailgun", "sendgrid", "brevo", "amazon_ses", "mailjet"]


def _content(centre, *, calendar: str = "", text: str = "") -> MailContent:
    return MailContent.objects.create(
        centre=centre,
        language="de",
        from_email="Kontaktstelle A <noreply@kontakt.localhost>",
        subject="Neues aus der Kontaktstelle",
        body_text=text or "Hallo,\n\nIhre Seite: https://__own_url__\n",
        body_html='<p>Ihre <a href="https://__own_url__">Seite</a></p>',
        headers={
            "List-Unsubscribe": "<https://__own_url__/stop>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        calendar=calendar,
    )


def _rows(centre, content, addresses: list[str]) -> list[OutgoingMail]:
    mails_queue_bulk(
        [
            NewMail(
                centre_id=centre.pk,
                kind=OutgoingMail.Kind.NEWSLETTER,
                key=idempotency_key("test", f"content-{content.pk}-{number}", address),
                recipient=address,
                language="de",
                content_id=content.pk,
                merge_data={"own_url": f"https://kontakt.example/p/{number}-{address.split('@')[0]}"},
            )
            for number, address in enumerate(addresses)
        ]
    )
    return list(every(OutgoingMail).filter(content=content).order_by("pk"))


@pytest.mark.parametrize("fake_esp", MERGE_PATHS, indirect=True)
def test_a_batch_fills_the_esps_limit_and_each_recipient_gets_their_own_links(centre_a, fake_esp, settings):
    limit = LIMITS[settings.EMAIL_ESP]
    assert batches.merge_esp().limit == limit
    content = _content(centre_a)
    rows = _rows(centre_a, content, [f"leser{n}@example.net" for n in range(limit + 2)])
    result = mails_send([row.pk for row in rows])
    assert (result.sent, result.failed, result.retry) == (limit + 2, 0, [])
    assert fake_esp.batch_sizes == [limit, 2]  # the ESP's limit, then the rest
    by_recipient = {message["To"]: message for message in fake_esp.accepted}
    assert len(by_recipient) == limit + 2
    for row in every(OutgoingMail).filter(content=content):
        message, own = by_recipient[row.recipient], row.merge_data["own_url"]
        headers = {header["Name"]: header["Value"] for header in message["Headers"]}
        assert message["TextBody"] == f"Hallo,\n\nIhre Seite: {own}\n"
        assert f'href="{own}"' in message["HtmlBody"]
        assert message["Subject"] == "Neues aus der Kontaktstelle"
        assert headers["List-Unsubscribe"] == f"<{own}/stop>"
        assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["Metadata"]["kontakt-outbox"] == str(row.pk)
        assert (row.status, row.esp_message_id) == ("sent", message["MessageID"])


@pytest.mark.parametrize("fake_esp", MERGE_PATHS, indirect=True)
def test_one_refused_address_fails_alone_and_the_others_are_sent_once(centre_a, fake_esp):
    fake_esp.reject_recipients = {"kaputt@example.net"}
    content = _content(centre_a)
    rows = _rows(centre_a, content, ["eins@example.net", "kaputt@example.net", "zwei@example.net"])
    result = mails_send([row.pk for row in rows])
    statuses = dict(every(OutgoingMail).filter(content=content).values_list("recipient", "status"))
    assert statuses == {"eins@example.net": "sent", "kaputt@example.net": "failed", "zwei@example.net": "sent"}
    assert (result.sent, result.failed) == (2, 1)
    assert sorted(fake_esp.recipients()) == ["eins@example.net", "zwei@example.net"]
    failed = every(OutgoingMail).get(recipient="kaputt@example.net")
    assert "refused" in failed.last_error.lower() or "rejected" in failed.last_error.lower()


@pytest.mark.parametrize("fake_esp", MERGE_PATHS, indirect=True)
def test_an_esp_outage_queues_the_batch_again_and_it_goes_out_once(centre_a, fake_esp):
    content = _content(centre_a)
    rows = _rows(centre_a, content, [f"leser{n}@example.net" for n in range(5)])
    fake_esp.fail_next = 1
    first = mails_send([row.pk for row in rows])
    assert (first.sent, sorted(first.retry)) == (0, [row.pk for row in rows])
    assert set(every(OutgoingMail).filter(content=content).values_list("status", flat=True)) == {"queued"}
    second = mails_send([row.pk for row in rows])
    assert second.sent == 5
    assert sorted(fake_esp.recipients()) == sorted(row.recipient for row in rows)


@pytest.mark.parametrize("fake_esp", MERGE_PATHS, indirect=True)
def test_two_rows_to_one_address_go_in_two_requests_and_both_arrive(centre_a, fake_esp):
    """An ESP's merge data is keyed by address: one request holds each address once."""
    content = _content(centre_a)
    rows = _rows(centre_a, content, ["familie@example.net", "familie@example.net", "andere@example.net"])
    assert mails_send([row.pk for row in rows]).sent == 3
    texts = sorted(message["TextBody"] for message in fake_esp.accepted if message["To"] == "familie@example.net")
    assert texts == sorted(f"Hallo,\n\nIhre Seite: {row.merge_data['own_url']}\n" for row in rows[:2])


@pytest.mark.parametrize("fake_esp", ["mailgun", "sendgrid", "brevo", "mailjet"], indirect=True)
def test_a_calendar_rides_along_in_the_batch(centre_a, fake_esp):
    calendar = "BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\nEND:VCALENDAR\r\n"
    content = _content(centre_a, calendar=calendar)
    rows = _rows(centre_a, content, ["eins@example.net", "zwei@example.net"])
    assert mails_send([row.pk for row in rows]).sent == 2
    assert fake_esp.batch_sizes == [2]
    for message in fake_esp.accepted:
        (attachment,) = message["Attachments"]
        assert attachment["ContentType"].startswith("text/calendar")
        assert base64.b64decode(attachment["Content"]).decode() == calendar


@pytest.mark.parametrize("fake_esp", ["amazon_ses"], indirect=True)
def test_ses_sends_a_calendar_mail_one_by_one_as_its_templates_take_no_attachment(centre_a, fake_esp):
    content = _content(centre_a, calendar="BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n")
    rows = _rows(centre_a, content, ["eins@example.net", "zwei@example.net"])
    assert mails_send([row.pk for row in rows]).sent == 2
    assert fake_esp.batch_sizes == [1, 1]
    assert all(message["Attachments"][0]["Name"] == "meeting.ics" for message in fake_esp.accepted)


@pytest.mark.parametrize("fake_esp", ["mailgun", "brevo", "mailjet"], indirect=True)
def test_text_that_holds_the_esps_merge_syntax_is_sent_one_by_one(centre_a, fake_esp, settings):
    marker = batches.MERGE_ESPS[settings.EMAIL_ESP].marker
    content = _content(centre_a, text=f"Schreiben Sie {marker}x ins Feld.\nhttps://__own_url__\n")
    rows = _rows(centre_a, content, ["eins@example.net", "zwei@example.net"])
    assert mails_send([row.pk for row in rows]).sent == 2
    assert fake_esp.batch_sizes == [1, 1]


@pytest.mark.parametrize("fake_esp", ["amazon_ses"], indirect=True)
def test_ses_keeps_one_template_per_content_and_makes_it_again_when_it_was_deleted(centre_a, fake_esp):
    content = _content(centre_a)
    rows = _rows(centre_a, content, [f"leser{n}@example.net" for n in range(4)])
    mails_send([row.pk for row in rows[:2]])
    mails_send([row.pk for row in rows[2:]])
    (name,) = fake_esp.templates
    assert name.startswith("kontakt-")
    assert "https://__" not in str(fake_esp.templates[name])  # the fields are the template's own
    fake_esp.templates.clear()  # deleted at SES (by hand, or an old one pruned)
    other = _rows(centre_a, content, ["neu1@example.net", "neu2@example.net"])
    assert mails_send([row.pk for row in other[-2:]]).sent == 2
    assert list(fake_esp.templates) == [name]


@pytest.mark.parametrize("fake_esp", ["amazon_ses"], indirect=True)
def test_the_daily_prune_deletes_kontakts_templates_older_than_three_days_and_no_others(centre_a, fake_esp):
    import time

    from notifications.tasks import prune_esp_templates

    old, new = (_content(centre_a, text=f"{label}: https://__own_url__") for label in ("alt", "neu"))
    for content in (old, new):
        mails_send([row.pk for row in _rows(centre_a, content, ["eins@example.net", "zwei@example.net"])])
    fake_esp.templates["their-own"] = {"Subject": "s", "Text": "t"}
    old_name = next(name for name, template in fake_esp.templates.items() if template["Text"].startswith("alt"))
    for name in (old_name, "their-own"):
        fake_esp.template_created[name] = time.time() - (batches.SES_TEMPLATE_DAYS + 1) * 86400
    assert prune_esp_templates.run() == 1
    assert old_name not in fake_esp.templates
    assert len(fake_esp.templates) == 2  # the new one, and one Kontakt did not make
    again = _rows(centre_a, old, ["drei@example.net", "vier@example.net"])  # a late retry of old content
    assert mails_send([row.pk for row in again[-2:]]).sent == 2
    assert old_name in fake_esp.templates


def test_the_prune_touches_no_other_esp(settings):
    settings.EMAIL_ESP = "mailgun"
    assert batches.ses_templates_prune() == 0


def test_a_webhook_event_for_a_shared_message_id_marks_only_its_recipients_row(centre_a):
    """Mailgun gives every recipient of a request one message id."""
    content = _content(centre_a)
    rows = _rows(centre_a, content, ["eins@example.net", "zwei@example.net"])
    every(OutgoingMail).filter(content=content).update(status="sent", esp_message_id="<shared@mailgun>")
    webhook_event_record(
        esp="mailgun", event_id="e1", event_type="bounced", message_id="<shared@mailgun>", recipient="ZWEI@example.net"
    )
    deliveries = dict(every(OutgoingMail).filter(content=content).values_list("recipient", "delivery"))
    assert deliveries == {"eins@example.net": "", "zwei@example.net": "bounced"}
    assert [row.recipient for row in rows] == ["eins@example.net", "zwei@example.net"]


def test_settings_name_every_esp_the_fake_speaks(settings):
    assert set(LIMITS) <= set(settings.ESP_BACKENDS)
    assert set(batches.MERGE_ESPS) == set(LIMITS) - {"postmark"}


@pytest.mark.parametrize("fake_esp", ["brevo", "amazon_ses", "mailjet"], indirect=True)
def test_a_request_in_doubt_at_an_esp_that_cannot_be_asked_is_sent_again_never_lost(centre_a, fake_esp, settings):
    """No search by metadata at these ESPs: a batch whose answer timed out goes again (at least
    once). Postmark, Mailgun and SendGrid are asked instead (below and test_outbox.py)."""
    settings.ANYMAIL = anymail_options(settings.EMAIL_ESP, fake_esp.url, timeout=0.3)
    content = _content(centre_a)
    rows = _rows(centre_a, content, ["eins@example.net", "zwei@example.net"])
    fake_esp.answer_delay = 0.6
    first = mails_send([row.pk for row in rows])
    assert (first.sent, len(first.retry)) == (0, 2)
    assert set(every(OutgoingMail).filter(content=content).values_list("in_doubt", flat=True)) == {True}
    fake_esp.answer_delay = 0
    assert mails_send([row.pk for row in rows]).sent == 2
    assert set(every(OutgoingMail).filter(content=content).values_list("status", flat=True)) == {"sent"}
    assert sorted(fake_esp.recipients()) == sorted(["eins@example.net", "zwei@example.net"] * 2)


@pytest.mark.parametrize("fake_esp", ["mailgun", "sendgrid"], indirect=True)
def test_a_batch_in_doubt_is_looked_up_at_the_esp_and_not_sent_again(centre_a, fake_esp, settings):
    settings.ANYMAIL = anymail_options(settings.EMAIL_ESP, fake_esp.url, timeout=0.3)
    content = _content(centre_a)
    rows = _rows(centre_a, content, ["eins@example.net", "zwei@example.net", "drei@example.net"])
    fake_esp.answer_delay = 0.6  # the ESP takes the batch but answers too late
    assert mails_send([row.pk for row in rows]).retry
    fake_esp.answer_delay = 0
    assert mails_send([row.pk for row in rows]).sent == 3
    assert sorted(fake_esp.recipients()) == ["drei@example.net", "eins@example.net", "zwei@example.net"]
    stored = dict(every(OutgoingMail).filter(content=content).values_list("recipient", "esp_message_id"))
    assert stored == {message["To"]: message["MessageID"] for message in fake_esp.accepted}


@pytest.mark.parametrize("fake_esp", ["sendgrid"], indirect=True)
def test_a_sendgrid_account_without_the_activity_api_sends_a_row_in_doubt_again(centre_a, fake_esp):
    """Rather than wait forever for a search the account does not have: at least once."""
    fake_esp.activity_api = False
    mail = queue_mail(centre_a)
    every(OutgoingMail).filter(pk=mail.pk).update(status="queued", in_doubt=True)
    assert mails_send([mail.pk]).sent == 1
    assert fake_esp.recipients() == ["alma@example.net"]


def test_the_fake_refuses_more_than_an_esps_limit():
    """The limit tests above can fail: the fake enforces each limit as the ESP does."""
    import requests

    fake = FakeEsp()
    try:
        messages = [{"From": "a@b.c", "To": f"x{n}@example.net", "Subject": "s", "TextBody": "t"} for n in range(501)]
        assert requests.post(fake.url + "email/batch", json=messages, timeout=5).status_code == 400
        assert requests.post(fake.url + "email/batch", json=messages[:500], timeout=5).status_code == 200
    finally:
        fake.stop()


@pytest.mark.parametrize("fake_esp", ["mailgun"], indirect=True)
def test_a_lookup_names_no_address_in_the_logs_even_at_debug(centre_a, fake_esp, settings, caplog):
    """Mailgun's events search carries the recipient's address in its URL; the HTTP client's
    DEBUG line with that URL must not reach a log."""
    import logging.config

    from config.log_filters import logging_config

    logging.config.dictConfig(logging_config(log_format="plain", level="DEBUG"))
    for name in ("urllib3", "urllib3.connectionpool"):  # as in a worker that imports them after
        logging.getLogger(name).disabled = False
    logging.getLogger().addHandler(caplog.handler)  # dictConfig replaced the root's handlers
    try:
        mail = queue_mail(centre_a)
        every(OutgoingMail).filter(pk=mail.pk).update(status="queued", in_doubt=True)
        with caplog.at_level(logging.DEBUG):
            mails_send([mail.pk])
        assert "alma@example.net" not in caplog.text
        assert "alma%40example.net" not in caplog.text
    finally:
        logging.config.dictConfig(settings.LOGGING)
