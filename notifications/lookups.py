"""Asking the ESP whether it took the mail of an outbox row in doubt (its worker died after the
request left, or the answer timed out), by the row id every message carries as metadata.

- Postmark: its outbound message search by metadata (`notifications.postmark`).
- Mailgun: its events API, the `accepted` events for the row's address since the row was made,
  whose user-variables hold the row id.
- SendGrid: its Email Activity API, queried by the row id in the message's custom args (an add-on
  of the SendGrid account; without it SendGrid answers 4xx, and the row waits, as below).

Each raises `requests.RequestException` when the ESP cannot be asked now or gives no clear
answer: the row then waits and is asked about again, rather than risk a second copy. An account
without the search (SendGrid's add-on missing: a 4xx) raises `LookupUnavailable`: the row is sent
again, as with Brevo, Amazon SES and Mailjet, which have no such search (at least once)."""

from datetime import timedelta
from email.utils import format_datetime, parseaddr

import requests
from django.conf import settings

from notifications.models import OutgoingMail
from notifications.postmark import OUTBOX_METADATA, postmark_lookup

LOOKUP_ESPS = {"postmark", "mailgun", "sendgrid"}


class LookupUnavailable(Exception):  # noqa: N818 (not an error of Kontakt: the account lacks the search)
    """The ESP refuses the search itself (4xx): this account cannot be asked."""


def lookup_capable() -> bool:
    return settings.EMAIL_ESP in LOOKUP_ESPS


def esp_lookup(mail: OutgoingMail) -> str | None:
    """The ESP's message id for the row's mail, if the ESP took it; None if it did not."""
    if settings.EMAIL_ESP == "mailgun":
        return _mailgun_lookup(mail)
    if settings.EMAIL_ESP == "sendgrid":
        return _sendgrid_lookup(mail)
    return postmark_lookup(mail.pk)


def _answer(response: requests.Response, what: str) -> dict:
    if 400 <= response.status_code < 500 and response.status_code != 429:
        raise LookupUnavailable(f"ESP answered {response.status_code} to {what}")
    if response.status_code != 200:
        raise requests.exceptions.HTTPError(f"ESP answered {response.status_code} to {what}")
    try:
        answer = response.json()
    except ValueError as error:
        raise requests.exceptions.InvalidJSONError(f"ESP sent an unreadable answer to {what}") from error
    if not isinstance(answer, dict):
        raise requests.exceptions.InvalidJSONError(f"ESP sent an unreadable answer to {what}")
    return answer


def _mailgun_lookup(mail: OutgoingMail) -> str | None:
    options = settings.ANYMAIL
    api = options.get("MAILGUN_API_URL", "https://api.mailgun.net/v3").rstrip("/")
    domain = options.get("MAILGUN_SENDER_DOMAIN") or parseaddr(mail.from_email)[1].rpartition("@")[2]
    url = f"{api}/{domain}/events"
    params: dict[str, str | int] = {
        "event": "accepted",
        "recipient": mail.recipient,
        "begin": format_datetime(mail.created_at - timedelta(minutes=1)),
        "ascending": "yes",
        "limit": 300,
    }
    auth = ("api", options.get("MAILGUN_API_KEY", ""))
    timeout = float(options.get("REQUESTS_TIMEOUT", 30))
    for _page in range(20):  # 6,000 acceptances for one address since the row was made: enough
        answer = _answer(requests.get(url, params=params, auth=auth, timeout=timeout), "an events search")
        items = answer.get("items") or []
        for item in items:
            if str((item.get("user-variables") or {}).get(OUTBOX_METADATA)) == str(mail.pk):
                message_id = ((item.get("message") or {}).get("headers") or {}).get("message-id", "")
                return f"<{message_id}>" if message_id else ""
        following = (answer.get("paging") or {}).get("next")
        if not items or not following:
            return None
        url, params = following, {}
    raise requests.exceptions.HTTPError("Too many events to search for one row")


def _sendgrid_lookup(mail: OutgoingMail) -> str | None:
    options = settings.ANYMAIL
    api = options.get("SENDGRID_API_URL", "https://api.sendgrid.com/v3/").rstrip("/")
    response = requests.get(
        f"{api}/messages",
        params={"query": f"unique_args['{OUTBOX_METADATA}']=\"{mail.pk}\"", "limit": "1"},
        headers={"Authorization": f"Bearer {options.get('SENDGRID_API_KEY', '')}"},
        timeout=float(options.get("REQUESTS_TIMEOUT", 30)),
    )
    messages = _answer(response, "an activity search").get("messages") or []
    return str(messages[0].get("msg_id", "")) if messages else None
