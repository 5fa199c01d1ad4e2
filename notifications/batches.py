"""Batch sending through ESPs that send one content to many recipients with per-recipient merge
data: Mailgun (recipient-variables), SendGrid (personalizations), Brevo (messageVersions), Amazon
SES (SendBulkEmail, with a stored template Kontakt keeps in step) and Mailjet (the v3.1 Messages
array). django-anymail builds and sends each request (its batch sending: many `to`, with
`merge_data`, `merge_headers` and `merge_metadata`); this module decides what goes into one
request and reads each recipient's outcome from the ESP's answer.

An outbox row's content holds each recipient's own values as placeholders (`merge_field`); in a
batch, they become the ESP's merge syntax and the row's values its merge data, so the ESP puts
each recipient's own links in. Postmark takes complete messages instead (`notifications.postmark`).

What one request holds: rows of one content, each address once (the merge data is keyed by
address), at most the ESP's limit. Rows a batch cannot carry go one by one through anymail:
- a content whose text already holds the ESP's merge syntax (it would be read as a variable);
- merge values with characters an ESP's template language may escape (`&<>"'`);
- on Amazon SES, a calendar attachment (a template takes none through anymail).
"""

import contextlib
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import requests
from anymail.exceptions import AnymailAPIError, AnymailError
from anymail.message import AnymailMessage
from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend

from notifications.models import MailContent, OutgoingMail
from notifications.postmark import OUTBOX_METADATA, BatchOutcome, calendar_content_type

PLACEHOLDER = re.compile(r"https://__([A-Za-z0-9_]+)__")
UNSAFE_IN_TEMPLATES = re.compile(r"[&<>\"']")


@dataclass(frozen=True)
class MergeEsp:
    """How Kontakt sends a batch through one ESP."""

    name: str
    limit: int  # recipients per request
    field: Callable[[str], str]  # the ESP's syntax for merge field `name` in subject, text and headers
    marker: str  # text that would be read as merge syntax: such content goes one by one
    attachments: bool = True  # a batch can carry the calendar attachment
    esp_extra: dict | None = None
    keys_are_fields: bool = False  # the merge data's keys are the fields as they stand in the text


MERGE_ESPS = {
    "mailgun": MergeEsp("mailgun", 1000, lambda name: f"%recipient.{name}%", "%recipient."),
    # SendGrid's substitutions replace any string: the keys carry their own delimiters.
    "sendgrid": MergeEsp("sendgrid", 1000, lambda name: f"-kontakt-{name}-", "-kontakt-", keys_are_fields=True),
    "brevo": MergeEsp("brevo", 1000, lambda name: f"{{{{ params.{name} }}}}", "{{"),
    # Triple braces: Handlebars would escape a value's characters in the text part.
    "amazon_ses": MergeEsp("amazon_ses", 50, lambda name: f"{{{{{{{name}}}}}}}", "{{", attachments=False),
    "mailjet": MergeEsp(
        "mailjet", 50, lambda name: f"{{{{var:{name}}}}}", "{{", esp_extra={"Globals": {"TemplateLanguage": True}}
    ),
}
# Whole-request refusals that name bad input (an invalid address among many): each row of the
# request is then tried alone, so one bad row fails alone. Other 4xx (credentials) fail them all.
REFUSED_INPUT = {400, 422}
# Amazon SES results worth another try later; any other non-success status is final.
SES_TRANSIENT = {"TRANSIENT_FAILURE", "ACCOUNT_THROTTLED", "ACCOUNT_DAILY_QUOTA_EXCEEDED", "FAILED"}


# ESPs that take open and click tracking per message; at Brevo and Amazon SES it is a setting of
# the account (or configuration set), and anymail refuses the attributes (docs/operations.md).
PER_MESSAGE_TRACKING = {"postmark", "mailgun", "sendgrid", "mailjet"}


def no_tracking(message: AnymailMessage) -> None:
    """No open or click tracking, whatever the ESP account's defaults, where the API says so."""
    if settings.EMAIL_ESP in PER_MESSAGE_TRACKING:
        message.track_opens = False
        message.track_clicks = False


def merge_esp() -> MergeEsp | None:
    return MERGE_ESPS.get(settings.EMAIL_ESP) if settings.OUTBOX_ESP_BATCH else None


def batch_limit() -> int | None:
    """Rows per request of the configured ESP's batch path, None without one."""
    esp = merge_esp()
    return esp.limit if esp else None


def placeholders(content: MailContent) -> list[str]:
    texts = [content.subject, content.body_text, content.body_html, *content.headers.values()]
    return sorted({name for text in texts for name in PLACEHOLDER.findall(text)})


def batchable(mail: OutgoingMail, esp: MergeEsp) -> bool:
    content = mail.content
    if content.calendar and not esp.attachments:
        return False
    if any(UNSAFE_IN_TEMPLATES.search(str(value)) for value in (mail.merge_data or {}).values()):
        return False
    texts = [content.subject, content.body_text, content.body_html, *content.headers.values()]
    return not any(esp.marker in text for text in texts)


def requests_of(mails: list[OutgoingMail], esp: MergeEsp) -> Iterator[list[OutgoingMail]]:
    """The rows in requests: one content each, each address once, at most the ESP's limit."""
    open_batches: dict[int, list[tuple[list[OutgoingMail], set[str]]]] = {}
    for mail in mails:
        address = mail.recipient.lower()
        batches = open_batches.setdefault(mail.content_id, [])
        for batch, addresses in batches:
            if len(batch) < esp.limit and address not in addresses:
                batch.append(mail)
                addresses.add(address)
                break
        else:
            batches.append(([mail], {address}))
    for batches in open_batches.values():
        for batch, _addresses in batches:
            yield batch


def _converted(text: str, esp: MergeEsp) -> str:
    return PLACEHOLDER.sub(lambda match: esp.field(match.group(1)), text)


def _merge_values(mail: OutgoingMail, names: list[str], esp: MergeEsp) -> dict[str, str]:
    """The row's value of each of the content's fields; a field it has no value for stays as
    its placeholder, as `OutgoingMail.merged` leaves it."""
    own = mail.merge_data or {}
    key = esp.field if esp.keys_are_fields else str
    return {key(name): str(own.get(name, f"https://__{name}__")) for name in names}


def _ses_template(content: MailContent, esp: MergeEsp) -> str:
    """The name of the SES template holding `content`, made if SES does not have it yet. The
    name is a digest of what the template holds, so a name always means the same text: a new
    content is a new template, and the template of a content never needs updating."""
    subject, text, html = (_converted(value, esp) for value in (content.subject, content.body_text, content.body_html))
    digest = hashlib.sha256(json.dumps([subject, text, html]).encode()).hexdigest()[:32]
    name = f"kontakt-{digest}"
    if name in _ses_templates_made:
        return name
    client = ses_client()
    template = {"Subject": subject, "Text": text, **({"Html": html} if html else {})}
    with contextlib.suppress(client.exceptions.AlreadyExistsException):  # made by another worker
        client.create_email_template(TemplateName=name, TemplateContent=template)
    _ses_templates_made.add(name)
    return name


_ses_templates_made: set[str] = set()
# A template older than this is deleted by the daily prune: SES keeps at most 10,000-20,000 per
# account, and every content sent in a batch (each day's reminders too) makes one. A row retried
# later than this makes its template again.
SES_TEMPLATE_DAYS = 3


def ses_templates_prune(*, now: datetime | None = None) -> int:
    """Delete Kontakt's SES templates older than SES_TEMPLATE_DAYS (only those named
    `kontakt-`); nothing on any other ESP. Returns how many were deleted."""
    if settings.EMAIL_ESP != "amazon_ses" or not settings.OUTBOX_ESP_BATCH:
        return 0
    cutoff = (now or datetime.now(UTC)) - timedelta(days=SES_TEMPLATE_DAYS)
    client, deleted, token = ses_client(), 0, None
    while True:
        page = client.list_email_templates(PageSize=100, **({"NextToken": token} if token else {}))
        for template in page.get("TemplatesMetadata", []):
            name = template["TemplateName"]
            if name.startswith("kontakt-") and template["CreatedTimestamp"] < cutoff:
                with contextlib.suppress(client.exceptions.NotFoundException):  # another run took it
                    client.delete_email_template(TemplateName=name)
                    deleted += 1
                _ses_templates_made.discard(name)
        token = page.get("NextToken")
        if not token:
            return deleted


def ses_client():
    import boto3
    from botocore.config import Config

    options = settings.ANYMAIL
    session = boto3.session.Session(**options.get("AMAZON_SES_SESSION_PARAMS", {}))
    params = dict(options.get("AMAZON_SES_CLIENT_PARAMS", {}))
    if isinstance(params.get("config"), dict):  # as anymail takes it
        params["config"] = Config(**params["config"])
    return session.client("sesv2", **params)


def _message(batch: list[OutgoingMail], esp: MergeEsp, connection: BaseEmailBackend) -> AnymailMessage:
    content = batch[0].content
    names = placeholders(content)
    static_headers = {name: value for name, value in content.headers.items() if not PLACEHOLDER.search(value)}
    merged_headers = {name: value for name, value in content.headers.items() if PLACEHOLDER.search(value)}
    message = AnymailMessage(
        from_email=content.from_email, to=[mail.recipient for mail in batch], headers=static_headers
    )
    message.connection = connection
    if esp.name == "amazon_ses":
        message.template_id = _ses_template(content, esp)
    else:
        message.subject = _converted(content.subject, esp)
        message.body = _converted(content.body_text, esp)
        if content.body_html:
            message.attach_alternative(_converted(content.body_html, esp), "text/html")
    if content.calendar:
        message.attach("meeting.ics", content.calendar, calendar_content_type(content.calendar))
    message.merge_data = {mail.recipient: _merge_values(mail, names, esp) for mail in batch}
    # Headers with a recipient's own value (List-Unsubscribe) are set for each recipient whole.
    if merged_headers:
        message.merge_headers = {
            mail.recipient: {name: mail.merged(value) for name, value in merged_headers.items()} for mail in batch
        }
    message.merge_metadata = {mail.recipient: {OUTBOX_METADATA: str(mail.pk)} for mail in batch}
    no_tracking(message)
    if esp.esp_extra:
        message.esp_extra = esp.esp_extra
    return message


def send_merge_batch(batch: list[OutgoingMail], esp: MergeEsp, connection: BaseEmailBackend) -> BatchOutcome:
    """One request for the rows of `batch` (one content, distinct addresses); each row's outcome
    from the ESP's answer. `BatchOutcome.refused` set: the ESP refused the request as a whole for
    its input, so each row should be tried alone."""
    outcome = BatchOutcome()
    try:
        message = _message(batch, esp, connection)
        try:
            message.send()
        except AnymailAPIError as error:
            if not _ses_template_gone(error):
                raise
            _ses_templates_made.clear()  # deleted at SES meanwhile: made again, sent once more
            message = _message(batch, esp, connection)
            message.send()
    except AnymailAPIError as error:
        _request_failed(batch, error, outcome)
        return outcome
    except (AnymailError, requests.exceptions.RequestException, OSError) as error:
        _all(batch, outcome.retry, f"{type(error).__name__}: {error}")
        return outcome
    _read_statuses(batch, message, esp, outcome)
    return outcome


def _ses_template_gone(error: AnymailAPIError) -> bool:
    response = getattr(error.__cause__ or error.__context__, "response", None)
    return isinstance(response, dict) and response.get("Error", {}).get("Code") == "NotFoundException"


def _all(batch: list[OutgoingMail], into: dict[int, str], error: str) -> None:
    into.update(dict.fromkeys((mail.pk for mail in batch), error[:2000]))


def maybe_delivered(error: BaseException) -> bool:
    """After a timeout waiting for the answer, the ESP may have taken the mail: requests' read
    timeout, or botocore's (Amazon SES), whether raised or wrapped by anymail."""
    for raised in (error, error.__cause__, error.__context__):
        if isinstance(raised, requests.exceptions.ReadTimeout | TimeoutError):
            return True
        if type(raised).__name__ == "ReadTimeoutError" and type(raised).__module__.startswith("botocore"):
            return True
    return False


def esp_status(error: AnymailAPIError) -> int | None:
    """The HTTP status of the ESP's refusal: anymail's for the requests-based ESPs, the AWS
    error's for Amazon SES (anymail wraps boto3's ClientError without one); None when the ESP
    gave none (no answer)."""
    status = getattr(error, "status_code", None)
    if status is None:
        response = getattr(error.__cause__ or error.__context__, "response", None)
        if isinstance(response, dict):
            status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return status


def _request_failed(batch: list[OutgoingMail], error: AnymailAPIError, outcome: BatchOutcome) -> None:
    status = esp_status(error)
    described = f"{type(error).__name__}: {error}"
    results = _ses_results(getattr(error, "response", None))
    if results is not None and len(results) == len(batch):  # SES: every entry the same non-success
        for mail, result in zip(batch, results, strict=True):
            _ses_outcome(mail, result, "", outcome)
        return
    if status is None or status >= 500 or status == 429:
        _all(batch, outcome.retry, described)
        if maybe_delivered(error):
            outcome.in_doubt.update(mail.pk for mail in batch)
        return
    if status in REFUSED_INPUT and len(batch) > 1:
        outcome.refused = True
        return
    _all(batch, outcome.failed, f"The ESP refused the mail ({status}): {described}")


def _ses_results(response) -> list | None:
    if isinstance(response, dict) and isinstance(response.get("BulkEmailEntryResults"), list):
        return response["BulkEmailEntryResults"]
    return None


def _ses_outcome(mail: OutgoingMail, result: dict, message_id: str, outcome: BatchOutcome) -> None:
    status = result.get("Status", "")
    if status == "SUCCESS":
        outcome.sent[mail.pk] = result.get("MessageId") or message_id
    elif status in SES_TRANSIENT:
        outcome.retry[mail.pk] = f"ESP error {status}: {result.get('Error', '')}"[:2000]
    else:
        outcome.failed[mail.pk] = f"ESP refused the recipient ({status}): {result.get('Error', '')}"[:2000]


def _read_statuses(batch: list[OutgoingMail], message: AnymailMessage, esp: MergeEsp, outcome: BatchOutcome) -> None:
    status = message.anymail_status
    raw = status.esp_response
    if esp.name == "amazon_ses" and (results := _ses_results(raw)) is not None and len(results) == len(batch):
        for mail, result in zip(batch, results, strict=True):
            _ses_outcome(mail, result, "", outcome)
        return
    errors = _mailjet_errors(raw, batch) if esp.name == "mailjet" else {}
    for mail in batch:
        recipient = status.recipients.get(mail.recipient)
        if recipient is not None and recipient.status in {"queued", "sent", "unknown"} and recipient.message_id:
            outcome.sent[mail.pk] = str(recipient.message_id)
        elif mail.pk in errors and errors[mail.pk][0]:
            outcome.retry[mail.pk] = errors[mail.pk][1]
        else:
            reason = errors.get(mail.pk, (False, recipient.status if recipient else "no answer"))[1]
            outcome.failed[mail.pk] = f"The ESP refused the recipient: {reason}"[:2000]


def _mailjet_errors(raw, batch: list[OutgoingMail]) -> dict[int, tuple[bool, str]]:
    """Mailjet answers each message of the Messages array (in order): for one refused, whether
    another try may help (a 5xx or 429 of its own) and the error."""
    try:
        results = raw.json()["Messages"]
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}
    found = {}
    for mail, result in zip(batch, results, strict=False):
        if result.get("Status") == "success":
            continue
        error = (result.get("Errors") or [{}])[0]
        code = int(error.get("StatusCode") or 400)
        found[mail.pk] = (
            code >= 500 or code == 429,
            f"{error.get('ErrorCode', code)}: {error.get('ErrorMessage', '')}",
        )
    return found


def esp_connection() -> BaseEmailBackend:
    """The anymail connection of the batch path: every recipient's outcome is read here, so
    anymail must not raise when it refuses all of them."""
    return get_connection(ignore_recipient_status=True)
