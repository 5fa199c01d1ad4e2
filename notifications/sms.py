"""Text messages: how long one is (segments), and the gateways that send them.

A text is an outbox row like a mail (`OutgoingMail.channel` "sms"); the outbox claims, retries
and suppresses it as it does a mail (`notifications.services.sending`). This module only speaks
to the gateway chosen by `SMS_BACKEND`:

- "off" (the default without DEBUG): no texts; members without e-mail are on the list to phone;
- "console" (the default with DEBUG): prints each text, as Django's console mail backend prints mail;
- "memory": keeps them in `MemoryBackend.sent` (tests);
- "infobip": Infobip's SMS API (a European gateway with a plain JSON API). Each message carries
  its row's reference as Infobip's `messageId`, so a row in doubt (its worker died, or the answer
  timed out) is looked up in Infobip's message logs before it is sent again.
"""

import math
import sys
import threading
from dataclasses import dataclass
from typing import Any, ClassVar

import requests
from django.conf import settings

# GSM 03.38: the characters one 7-bit septet carries, and those its extension table carries in
# two. A text of only these fits 160 in one segment, 153 per segment when it is split; anything
# else (an emoji, a Dutch "ë") makes the whole text UCS-2: 70, or 67 per segment.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")


def sms_segments(text: str) -> int:
    """How many SMS segments `text` takes."""
    if all(char in GSM7_BASIC or char in GSM7_EXTENDED for char in text):
        septets = sum(2 if char in GSM7_EXTENDED else 1 for char in text)
        return 1 if septets <= 160 else math.ceil(septets / 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else math.ceil(units / 67)


def sms_fit(variants: list[str], *, link: str) -> str:
    """The first of `variants` (fullest first) that fits one segment once `link` is put in for
    the placeholder each holds; the shortest one where none does."""
    for text in variants:
        if sms_segments(text.replace(SMS_LINK, link)) == 1:
            return text
    return min(variants, key=lambda text: len(text.replace(SMS_LINK, link)))


# Where a text's link goes; the same placeholder form as mail merge fields.
SMS_LINK = "https://__manage_url__"


@dataclass(frozen=True)
class Sms:
    ref: str  # the row's own reference, unique per row: the gateway's message id where it takes one
    sender: str
    to: str  # E.164
    text: str


class SmsError(Exception):
    """The gateway did not take the text. `transient`: worth another try; `maybe_sent`: the
    gateway may have taken it (look it up before sending again); `number_refused`: the gateway
    refused the number itself, for good."""

    def __init__(self, message: str, *, transient: bool, maybe_sent: bool = False, number_refused: bool = False):
        super().__init__(message)
        self.transient = transient
        self.maybe_sent = maybe_sent
        self.number_refused = number_refused


class SmsBackend:
    lookup_capable: ClassVar[bool] = False

    def send(self, sms: Sms) -> str:
        """Hand `sms` to the gateway; returns its message id, or raises SmsError."""
        raise NotImplementedError

    def lookup(self, ref: str) -> str | None:
        """The gateway's message id of the text sent with `ref`, or None if it has none. Raises
        requests' errors when the gateway cannot tell now."""
        return None


class ConsoleBackend(SmsBackend):
    lock = threading.Lock()

    def send(self, sms: Sms) -> str:
        with self.lock:
            sys.stdout.write(f"SMS from {sms.sender} to {sms.to}\n{sms.text}\n{'-' * 40}\n")
            sys.stdout.flush()
        return sms.ref


class MemoryBackend(SmsBackend):
    sent: ClassVar[list[Sms]] = []

    def send(self, sms: Sms) -> str:
        self.sent.append(sms)
        return sms.ref


# Infobip's statuses in the group REJECTED that are about the number, not the account: another
# try to that number can never succeed.
INFOBIP_NUMBER_REFUSED = {"REJECTED_DESTINATION", "REJECTED_PREFIX_MISSING", "REJECTED_NETWORK"}


class InfobipBackend(SmsBackend):
    lookup_capable = True

    def __init__(self) -> None:
        self.base = settings.SMS_INFOBIP_BASE_URL.rstrip("/")
        self.timeout = settings.SMS_TIMEOUT
        self.headers = {"Authorization": f"App {settings.SMS_INFOBIP_API_KEY}", "Accept": "application/json"}

    def send(self, sms: Sms) -> str:
        body: dict[str, Any] = {
            "messages": [
                {
                    "from": sms.sender,
                    "destinations": [{"to": sms.to.lstrip("+"), "messageId": sms.ref}],
                    "text": sms.text,
                }
            ]
        }
        try:
            response = requests.post(
                f"{self.base}/sms/2/text/advanced", json=body, headers=self.headers, timeout=self.timeout
            )
        except requests.exceptions.ConnectTimeout as error:
            raise SmsError(f"The SMS gateway could not be reached: {type(error).__name__}", transient=True) from error
        except requests.exceptions.RequestException as error:
            # The request may have left: a read timeout, a connection dropped before the answer.
            raise SmsError(
                f"The SMS gateway did not answer: {type(error).__name__}", transient=True, maybe_sent=True
            ) from error
        if response.status_code >= 500 or response.status_code == 429:
            raise SmsError(
                f"The SMS gateway answered {response.status_code}.",
                transient=True,
                maybe_sent=response.status_code >= 500,
            )
        if response.status_code >= 400:
            raise SmsError(
                f"The SMS gateway refused the text ({response.status_code}: {_error_text(response)}).", transient=False
            )
        try:
            message = response.json()["messages"][0]
            status = message.get("status") or {}
            message_id = str(message.get("messageId") or sms.ref)
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as error:
            raise SmsError("The SMS gateway's answer could not be read.", transient=True, maybe_sent=True) from error
        if status.get("groupName") in {"REJECTED", "UNDELIVERABLE"}:
            name = str(status.get("name", ""))
            raise SmsError(
                f"The SMS gateway refused the text ({name or status.get('groupName')}).",
                transient=False,
                number_refused=name in INFOBIP_NUMBER_REFUSED,
            )
        return message_id[:200]

    def lookup(self, ref: str) -> str | None:
        response = requests.get(
            f"{self.base}/sms/1/logs", params={"messageId": ref}, headers=self.headers, timeout=self.timeout
        )
        response.raise_for_status()
        try:
            results = response.json().get("results") or []
            return str(results[0].get("messageId") or ref) if results else None
        except (ValueError, AttributeError, TypeError, KeyError, IndexError) as error:
            # An answer that is not the logs' JSON cannot tell either.
            raise requests.exceptions.InvalidJSONError("The SMS gateway's logs could not be read.") from error


def _error_text(response: requests.Response) -> str:
    try:
        return str(response.json()["requestError"]["serviceException"]["text"])[:300]
    except (ValueError, KeyError, TypeError):
        return "no reason given"


class OffBackend(SmsBackend):
    """No gateway: no text is ever queued (`centres.selectors.sms_numbers` finds no numbers); one
    queued before the gateway was switched off fails, so it is seen in the outbox."""

    def send(self, sms: Sms) -> str:
        raise SmsError("No SMS gateway is set up (SMS_BACKEND=off).", transient=False)


BACKENDS: dict[str, type[SmsBackend]] = {
    "off": OffBackend,
    "console": ConsoleBackend,
    "memory": MemoryBackend,
    "infobip": InfobipBackend,
}


def sms_backend() -> SmsBackend:
    return BACKENDS[settings.SMS_BACKEND]()
