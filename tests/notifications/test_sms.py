"""Texts go through the outbox with a mail's guarantees: stored once, sent once through the SMS
gateway under outages, timeouts and dead workers, never to a number without SMS consent, and a
number the gateway refuses for good is suppressed."""

from datetime import UTC, datetime

import pytest

from centres.models import ConsentRecord, Person
from centres.phones import sms_number
from notifications.models import OutgoingMail, SuppressedAddress
from notifications.services.sending import MAX_ATTEMPTS, mails_send, outbox_requeue_stuck
from notifications.sms import GSM7_BASIC, sms_fit, sms_segments
from tests.factories import every, queue_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]

NUMBER = "+491712345678"  # what "0171 2345678" is in a German centre


# --- how long a text is --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("Grüße aus Århus: Straße, Æbler, ØÅ" + "a" * 126, 1),  # German and Danish letters are GSM-7
        ("€" * 80, 1),  # two septets each: 160
        ("€" * 81, 2),
        ("Idee\u00ebn" + "a" * 64, 1),  # a Dutch ë makes it UCS-2: 70 fit one segment
        ("Idee\u00ebn" + "a" * 65, 2),
    ],
)
def test_segments_count_as_the_networks_count_them(text, segments):
    assert sms_segments(text) == segments


def test_the_fullest_text_that_fits_one_segment_is_chosen():
    link = "https://kontakt.example/m/" + "x" * 70
    named = (
        "Reminder: Gesprächskreis Angehörige von Menschen mit Demenz, Tue 8.12. 18:00. Details: https://__manage_url__"
    )
    plain = "Reminder: your group meets Tue 8.12. at 18:00. Details: https://__manage_url__"
    assert sms_fit([named, plain], link=link) == plain  # the name would make it two segments
    assert sms_fit([named.replace("Angehörige von Menschen mit Demenz", "Trauer"), plain], link=link).startswith(
        "Reminder: Gesprächskreis Trauer"
    )
    assert all(char in GSM7_BASIC for char in "äöüÄÖÜßæøåÆØÅ")


@pytest.mark.parametrize(
    ("phone", "region", "number"),
    [
        ("0171 2345678", "DE", "+491712345678"),
        ("+45 20 12 34 56", "DE", "+4520123456"),
        ("06 12345678", "NL", "+31612345678"),
        ("0511 123456", "DE", ""),  # a landline cannot get texts
        ("call me", "DE", ""),
        ("", "DE", ""),
    ],
)
def test_only_mobile_numbers_become_text_numbers(phone, region, number):
    assert sms_number(phone, region=region) == number


# --- sending -------------------------------------------------------------------------------------


def test_a_text_is_sent_once_with_the_centres_sender_and_the_members_link(centre_a, fake_infobip):
    centre_a.sms_sender = "Kontakt04"
    centre_a.save()
    text = queue_text(centre_a, obj="abc")
    assert (text.channel, text.recipient, text.status) == ("sms", NUMBER, "queued")
    first, second = mails_send([text.pk]), mails_send([text.pk])
    text.refresh_from_db()
    assert (first.sent, second.sent, text.status) == (1, 0, "sent")
    [sent] = fake_infobip.accepted
    assert (sent["from"], sent["to"], sent["text"]) == (
        "Kontakt04",
        "491712345678",
        "Treffen fällt aus: https://kontakt.example/m/abc/",
    )
    assert text.esp_message_id == sent["messageId"]
    assert fake_infobip.api_keys == ["App test-key"]


def test_the_same_text_is_stored_once(centre_a):
    text = queue_text(centre_a, obj="once")
    from notifications.services.outbox import NewMail, mails_queue_bulk

    again = NewMail(
        centre_id=centre_a.pk,
        kind=text.kind,
        key=text.idempotency_key,
        person_id=text.person_id,
        recipient=text.recipient,
        language="de",
        content_id=text.content_id,
        channel="sms",
    )
    assert mails_queue_bulk([again]) == 0
    assert every(OutgoingMail).count() == 1


def test_a_gateway_outage_is_retried_and_the_text_goes_out_once(centre_a, fake_infobip):
    text = queue_text(centre_a)
    fake_infobip.fail_next = 2
    results = [mails_send([text.pk]) for _ in range(3)]
    text.refresh_from_db()
    assert [(result.sent, len(result.retry)) for result in results] == [(0, 1), (0, 1), (1, 0)]
    assert (text.status, text.attempts) == ("sent", 3)
    assert fake_infobip.accepted_by_number == {"491712345678": 1}


def test_a_text_whose_answer_timed_out_is_looked_up_and_not_sent_again(centre_a, fake_infobip):
    fake_infobip.answer_delay = 1.5  # takes the text, answers after the 1 s timeout
    text = queue_text(centre_a)
    assert mails_send([text.pk]).retry == [text.pk]
    text.refresh_from_db()
    assert (text.status, text.in_doubt) == ("queued", True)
    fake_infobip.answer_delay = 0
    assert mails_send([text.pk]).sent == 1
    text.refresh_from_db()
    assert (text.status, text.in_doubt) == ("sent", False)
    assert fake_infobip.accepted_by_number == {"491712345678": 1}


def test_a_text_that_timed_out_before_the_gateway_took_it_is_sent(centre_a, fake_infobip):
    fake_infobip.delay = 1.5  # nothing taken before the timeout
    text = queue_text(centre_a)
    assert mails_send([text.pk]).retry == [text.pk]
    fake_infobip.delay = 0
    assert mails_send([text.pk]).sent == 1
    assert fake_infobip.accepted_by_number == {"491712345678": 1}


def test_a_text_whose_worker_died_after_the_gateway_took_it_is_not_sent_again(centre_a, fake_infobip):
    text = queue_text(centre_a)
    assert mails_send([text.pk]).sent == 1
    # As if the worker had died after the gateway's answer, before writing it down.
    every(OutgoingMail).filter(pk=text.pk).update(
        status="sending", sending_since=datetime(2026, 1, 1, tzinfo=UTC), esp_message_id=""
    )
    assert outbox_requeue_stuck() == 1
    assert mails_send([text.pk]).sent == 1
    text.refresh_from_db()
    assert (text.status, text.in_doubt, text.esp_message_id) == ("sent", False, fake_infobip.accepted[0]["messageId"])
    assert fake_infobip.accepted_by_number == {"491712345678": 1}


def test_a_text_in_doubt_waits_while_the_gateway_cannot_tell(centre_a, fake_infobip):
    text = queue_text(centre_a)
    every(OutgoingMail).filter(pk=text.pk).update(in_doubt=True)
    fake_infobip.logs_down = True
    result = mails_send([text.pk])
    text.refresh_from_db()
    assert (result.retry, text.status, text.in_doubt) == ([text.pk], "queued", True)
    assert fake_infobip.accepted == []


def test_after_eight_failed_attempts_a_text_is_failed(centre_a, fake_infobip):
    text = queue_text(centre_a)
    fake_infobip.fail_next = MAX_ATTEMPTS
    for _ in range(MAX_ATTEMPTS):
        mails_send([text.pk])
    text.refresh_from_db()
    assert (text.status, text.attempts) == ("failed", MAX_ATTEMPTS)
    assert "500" in text.last_error


def test_a_number_the_gateway_refuses_fails_and_is_suppressed_for_the_centre(centre_a, centre_b, fake_infobip):
    fake_infobip.reject_numbers = {"491712345678"}
    text = queue_text(centre_a, obj="first")
    result = mails_send([text.pk])
    text.refresh_from_db()
    assert (result.failed, text.status) == (1, "failed")
    assert "REJECTED_DESTINATION" in text.last_error
    assert list(every(SuppressedAddress).values_list("centre", "email", "reason")) == [
        (centre_a.pk, NUMBER, "unreachable")
    ]
    # The next text to that number at this centre is never tried; another centre's still is.
    assert queue_text(centre_a, obj="second").status == "suppressed"
    assert queue_text(centre_b, obj="third").status == "queued"


def test_a_text_is_never_sent_without_a_standing_sms_consent(centre_a, fake_infobip):
    text = queue_text(centre_a)
    every(ConsentRecord).filter(person_id=text.person_id).update(withdrawn_at=datetime.now(UTC))
    mails_send([text.pk])
    text.refresh_from_db()
    assert text.status == "suppressed"
    assert fake_infobip.accepted == []


def test_a_text_goes_only_to_the_number_the_person_has_now(centre_a, fake_infobip):
    text = queue_text(centre_a)
    every(Person).filter(pk=text.person_id).update(phone="0160 9876543")
    mails_send([text.pk])
    text.refresh_from_db()
    assert text.status == "suppressed"
    assert fake_infobip.accepted == []


def test_withdrawing_sms_consent_stops_queued_texts_but_not_mail(centre_a):
    from centres.services.consents import consents_withdraw
    from tests.factories import queue_mail

    text = queue_text(centre_a)
    person = text.person
    person.email = "alma@example.net"
    person.save()
    mail = queue_mail(centre_a, person=person, kind="change_notice")
    consents_withdraw(actor=None, person=person, purpose=ConsentRecord.Purpose.SMS)
    text.refresh_from_db()
    mail.refresh_from_db()
    assert (text.status, mail.status) == ("suppressed", "queued")


def test_erasing_a_person_forgets_the_suppression_of_their_number(centre_a, fake_infobip):
    from centres.services.privacy import person_erase

    fake_infobip.reject_numbers = {"491712345678"}
    text = queue_text(centre_a)
    mails_send([text.pk])
    assert every(SuppressedAddress).filter(email=NUMBER).exists()
    person_erase(actor=None, person=text.person)
    assert not every(SuppressedAddress).exists()
    text.refresh_from_db()
    assert (text.recipient, text.person_id) == ("", None)


def test_a_text_claimed_before_its_consent_was_withdrawn_is_not_sent(centre_a, fake_infobip):
    from centres.services.consents import consents_withdraw
    from notifications.services.sending import SendResult, _claim, _send_text
    from notifications.sms import sms_backend

    text = queue_text(centre_a)
    [claimed] = _claim([text.pk])
    consents_withdraw(actor=None, person=text.person, purpose=ConsentRecord.Purpose.SMS)
    _send_text(claimed, sms_backend(), SendResult(retry=[]))
    text.refresh_from_db()
    assert text.status == "suppressed"
    assert fake_infobip.accepted == []


def test_an_unreadable_answer_from_the_logs_leaves_the_text_waiting(centre_a, fake_infobip, monkeypatch):
    text = queue_text(centre_a)
    every(OutgoingMail).filter(pk=text.pk).update(in_doubt=True)
    monkeypatch.setattr(fake_infobip, "logs", lambda handler, query: fake_infobip.respond(handler, 200, ["odd"]))
    result = mails_send([text.pk])
    text.refresh_from_db()
    assert (result.retry, text.status, text.in_doubt) == ([text.pk], "queued", True)
    assert fake_infobip.accepted == []


@pytest.mark.parametrize("sender", ["12345", "ab", "Kontakt Süd", "Selbsthilfe12"])
def test_a_centre_sms_sender_that_networks_would_refuse_is_refused(centre_a, sender):
    from django.core.exceptions import ValidationError

    centre_a.sms_sender = sender
    with pytest.raises(ValidationError, match="SMS sender"):
        centre_a.full_clean()
