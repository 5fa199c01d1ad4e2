"""Batch sending for ESPs whose API takes many different messages in one request.

django-anymail sends one message per request, or one body to many recipients with merge data.
Reminders and newsletter issues carry each recipient's own links in the body, so neither fits;
Postmark's batch endpoint takes up to 500 complete messages per request, and this module speaks
it. Every other ESP goes through anymail one message at a time (`services._send_one`)."""

import base64
from dataclasses import dataclass

import requests
from django.conf import settings

from notifications.models import OutgoingMail

POSTMARK_BATCH_LIMIT = 500
POSTMARK_PERMANENT_ERRORS = {300, 406}  # invalid address, inactive recipient (bounced or complained)


@dataclass
class BatchOutcome:
    sent: dict[int, str]  # row id -> ESP message id
    failed: dict[int, str]  # row id -> error, permanent
    retry: dict[int, str]  # row id -> error, transient


def batch_capable() -> bool:
    return settings.EMAIL_ESP == "postmark" and settings.OUTBOX_ESP_BATCH


def _postmark_message(mail: OutgoingMail) -> dict:
    message = {
        "From": mail.from_email,
        "To": mail.recipient,
        "Subject": mail.subject,
        "TextBody": mail.body_text,
        "TrackOpens": False,
        "TrackLinks": "None",
    }
    if mail.body_html:
        message["HtmlBody"] = mail.body_html
    if mail.headers:
        message["Headers"] = [{"Name": name, "Value": value} for name, value in mail.headers.items()]
    if mail.calendar:
        method = "CANCEL" if "METHOD:CANCEL" in mail.calendar else "REQUEST"
        message["Attachments"] = [
            {
                "Name": "meeting.ics",
                "Content": base64.b64encode(mail.calendar.encode()).decode(),
                "ContentType": f"text/calendar; charset=utf-8; method={method}",
            }
        ]
    return message


def postmark_send_batch(mails: list[OutgoingMail]) -> BatchOutcome:
    """One request for up to 500 rows; each row's own result from Postmark's answer."""
    outcome = BatchOutcome(sent={}, failed={}, retry={})
    options = settings.ANYMAIL
    url = options.get("POSTMARK_API_URL", "https://api.postmarkapp.com/").rstrip("/") + "/email/batch"
    try:
        response = requests.post(
            url,
            json=[_postmark_message(mail) for mail in mails],
            headers={
                "X-Postmark-Server-Token": options.get("POSTMARK_SERVER_TOKEN", ""),
                "Accept": "application/json",
            },
            timeout=float(options.get("REQUESTS_TIMEOUT", 30)),
        )
    except requests.exceptions.RequestException as error:
        outcome.retry = {mail.pk: f"{type(error).__name__}: {error}" for mail in mails}
        return outcome
    if response.status_code >= 500 or response.status_code == 429:
        outcome.retry = {mail.pk: f"ESP answered {response.status_code}" for mail in mails}
        return outcome
    try:
        results = response.json()
    except ValueError:
        results = None
    if response.status_code != 200 or not isinstance(results, list) or len(results) != len(mails):
        outcome.failed = {mail.pk: f"ESP answered {response.status_code}: {response.text[:500]}" for mail in mails}
        return outcome
    for mail, result in zip(mails, results, strict=True):
        code = result.get("ErrorCode", -1)
        if code == 0:
            outcome.sent[mail.pk] = str(result.get("MessageID", ""))
        elif code in POSTMARK_PERMANENT_ERRORS:
            outcome.failed[mail.pk] = f"ESP refused the recipient ({code}): {result.get('Message', '')}"
        else:
            outcome.retry[mail.pk] = f"ESP error {code}: {result.get('Message', '')}"
    return outcome
