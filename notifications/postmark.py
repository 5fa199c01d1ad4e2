"""Batch sending for ESPs whose API takes many different messages in one request.

django-anymail sends one message per request, or one body to many recipients with merge data.
Postmark's batch endpoint takes up to 500 complete messages per request, and this module speaks
it: the worker assembles each recipient's message from the shared content and the row's merge
data. The other ESPs' batch APIs go through anymail (`notifications.batches`).

Every message carries its outbox row id as metadata, so a row in doubt (its worker died after
the request left, or the answer timed out) can be looked up at Postmark before it is sent again.
"""

import base64
from dataclasses import dataclass, field

import requests
from django.conf import settings

from notifications.models import OutgoingMail

POSTMARK_BATCH_LIMIT = 500
POSTMARK_PERMANENT_ERRORS = {300, 406}  # invalid address, inactive recipient (bounced or complained)
OUTBOX_METADATA = "kontakt-outbox"


@dataclass
class BatchOutcome:
    sent: dict[int, str] = field(default_factory=dict)  # row id -> ESP message id
    failed: dict[int, str] = field(default_factory=dict)  # row id -> error, permanent
    retry: dict[int, str] = field(default_factory=dict)  # row id -> error, transient
    in_doubt: set[int] = field(default_factory=set)  # rows of `retry` the ESP may have taken
    refused: bool = False  # the ESP refused the request as a whole for its input: try each row alone


def batch_capable() -> bool:
    return settings.EMAIL_ESP == "postmark" and settings.OUTBOX_ESP_BATCH


def calendar_content_type(calendar: str) -> str:
    method = "CANCEL" if "METHOD:CANCEL" in calendar else "REQUEST"
    return f"text/calendar; charset=utf-8; method={method}"


def _postmark_api(path: str) -> tuple[str, dict, float]:
    options = settings.ANYMAIL
    url = options.get("POSTMARK_API_URL", "https://api.postmarkapp.com/").rstrip("/") + path
    headers = {"X-Postmark-Server-Token": options.get("POSTMARK_SERVER_TOKEN", ""), "Accept": "application/json"}
    return url, headers, float(options.get("REQUESTS_TIMEOUT", 30))


def _postmark_message(mail: OutgoingMail, attachments: dict[int, list]) -> dict:
    content = mail.content
    message = {
        "From": content.from_email,
        "To": mail.recipient,
        "Subject": mail.subject,
        "TextBody": mail.body_text,
        "TrackOpens": False,
        "TrackLinks": "None",
        "Metadata": {OUTBOX_METADATA: str(mail.pk)},
    }
    if content.body_html:
        message["HtmlBody"] = mail.body_html
    if content.headers:
        message["Headers"] = [{"Name": name, "Value": value} for name, value in mail.headers.items()]
    if content.calendar:
        if content.pk not in attachments:  # encoded once per content, not per recipient
            attachments[content.pk] = [
                {
                    "Name": "meeting.ics",
                    "Content": base64.b64encode(content.calendar.encode()).decode(),
                    "ContentType": calendar_content_type(content.calendar),
                }
            ]
        message["Attachments"] = attachments[content.pk]
    return message


def postmark_send_batch(mails: list[OutgoingMail]) -> BatchOutcome:
    """One request for up to 500 rows; each row's own result from Postmark's answer."""
    outcome = BatchOutcome()
    url, headers, timeout = _postmark_api("/email/batch")
    attachments: dict[int, list] = {}
    messages, built = [], []
    for mail in mails:
        try:
            messages.append(_postmark_message(mail, attachments))
        except Exception as error:  # a row that can't make a message fails alone, not the batch
            outcome.failed[mail.pk] = f"This mail could not be built: {type(error).__name__}: {error}"
            continue
        built.append(mail)
    mails = built
    if not mails:
        return outcome
    try:
        response = requests.post(url, json=messages, headers=headers, timeout=timeout)
    except requests.exceptions.RequestException as error:
        outcome.retry = {mail.pk: f"{type(error).__name__}: {error}" for mail in mails}
        if not isinstance(error, requests.exceptions.ConnectionError | requests.exceptions.ConnectTimeout):
            # The request may have arrived (no answer in time): look the rows up before resending.
            outcome.in_doubt = set(outcome.retry)
        return outcome
    if response.status_code >= 500 or response.status_code == 429:
        outcome.retry = {mail.pk: f"ESP answered {response.status_code}" for mail in mails}
        return outcome
    try:
        results = response.json()
    except ValueError:
        results = None
    if response.status_code != 200 or not isinstance(results, list) or len(results) != len(mails):
        outcome.failed.update(
            {mail.pk: f"ESP answered {response.status_code}: {response.text[:500]}" for mail in mails}
        )
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


def postmark_lookup(mail_id: int) -> str | None:
    """The Postmark message id of the outbox row, if Postmark took a message for it; None if
    not. Uses Postmark's outbound message search by metadata. Raises RequestException when
    Postmark cannot be asked or does not answer clearly."""
    url, headers, timeout = _postmark_api("/messages/outbound")
    search: dict[str, str | int] = {"count": 1, "offset": 0, f"metadata_{OUTBOX_METADATA}": str(mail_id)}
    response = requests.get(
        url,
        params=search,
        headers=headers,
        timeout=timeout,
    )
    if response.status_code != 200:
        raise requests.exceptions.HTTPError(f"ESP answered {response.status_code} to a message search")
    try:
        messages = response.json().get("Messages") or []
    except (ValueError, AttributeError) as error:
        raise requests.exceptions.InvalidJSONError("ESP sent an unreadable message search answer") from error
    return str(messages[0].get("MessageID", "")) if messages else None
