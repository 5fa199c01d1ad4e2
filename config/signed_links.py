"""Every signed link of Kontakt in one place: its purpose, salt and maximum age, how a token is
made and read, and the absolute URL it is sent as.

A token is Django's `signing.dumps` of a small payload under the purpose's salt, so a token made
for one purpose is refused for every other, and it expires after the purpose's maximum age (None:
valid until the state it names changes, e.g. an unsubscribe link). Salts never change: a changed
salt would void every link already in someone's inbox.
"""

import functools
import hashlib
import hmac
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import get_script_prefix, reverse
from django.utils.encoding import force_bytes

__all__ = ["PURPOSES", "BulkSigner", "Purpose", "absolute_url", "link_url", "sign", "signed_payload", "unsign"]


@dataclass(frozen=True)
class Purpose:
    salt: str
    max_age: timedelta | None


DAY = timedelta(days=1)

PURPOSES: dict[str, Purpose] = {
    "member.manage": Purpose("kontakt.member.manage", 60 * DAY),
    "member.absence": Purpose("kontakt.member.absence", 30 * DAY),
    # A group's contact person: their group's page, while they are its contact person.
    "contact.manage": Purpose("kontakt.contact.manage", 60 * DAY),
    "enquiry.confirm": Purpose("kontakt.enquiry.confirm", 7 * DAY),
    # A freed place offered to someone waiting: accept or decline while the offer stands.
    "place.offer": Purpose("kontakt.place.offer", 8 * DAY),
    # A group's evaluation round: one link for every member asked, while the round is open.
    "evaluation.answer": Purpose("kontakt.evaluation.answer", 35 * DAY),
    "volunteer.confirm": Purpose("kontakt.volunteer.confirm", 7 * DAY),
    "volunteer.login": Purpose("kontakt.volunteer.login", timedelta(minutes=20)),
    "volunteer.request": Purpose("kontakt.volunteer.request", 14 * DAY),
    "newsletter.confirm": Purpose("kontakt.newsletter.confirm", 7 * DAY),
    # An event's registration: confirm the address; then see or cancel it while it stands.
    "event.confirm": Purpose("kontakt.event.confirm", 7 * DAY),
    "event.registration": Purpose("kontakt.event.registration", None),
    # Unsubscribe and preferences: valid as long as the subscription is.
    "newsletter.subscriber": Purpose("kontakt.newsletter.subscriber", None),
    # The maximum age is a setting (STAFF_INVITATION_MAX_AGE_DAYS); see max_age().
    "staff.invitation": Purpose("kontakt.staff.invitation", None),
}


def max_age(purpose: str) -> timedelta | None:
    if purpose == "staff.invitation":
        return timedelta(days=settings.STAFF_INVITATION_MAX_AGE_DAYS)
    return PURPOSES[purpose].max_age


def sign(purpose: str, payload: dict[str, Any], *, compress: bool = False) -> str:
    """A token carrying `payload` for `purpose`."""
    return signing.dumps(payload, salt=PURPOSES[purpose].salt, compress=compress)


class BulkSigner:
    """Many tokens of one purpose, each the token `sign` makes in the same second (Django's
    TimestampSigner with SHA-256 under the purpose's salt), for a newsletter's tens of thousands
    of links: the HMAC key is derived once and the timestamp read once, not per token, and a
    payload of one number is written without a JSON round trip."""

    def __init__(self, purpose: str) -> None:
        salt = PURPOSES[purpose].salt
        key = hashlib.sha256(force_bytes(salt + "signer") + force_bytes(settings.SECRET_KEY)).digest()
        self._mac = hmac.new(key, digestmod=hashlib.sha256)
        self._stamp = signing.b62_encode(int(time.time()))

    def sign_number(self, name: str, value: int) -> str:
        """The token of `{name: value}`, e.g. {"p": 42}."""
        data = signing.b64_encode(f'{{"{name}":{int(value)}}}'.encode()).decode()
        signed = f"{data}:{self._stamp}"
        mac = self._mac.copy()
        mac.update(signed.encode())
        return f"{signed}:{signing.b64_encode(mac.digest()).decode()}"


def unsign(purpose: str, token: str) -> Any:
    """The payload `token` was signed with for `purpose`, or None for a forged, altered,
    expired or other-purpose token."""
    return signed_payload(token, salt=PURPOSES[purpose].salt, max_age=max_age(purpose))


def signed_payload(token: str, *, salt: str, max_age: int | timedelta | None = None) -> Any:
    """The payload the token was signed with under `salt`, or None if it is forged, altered or
    expired."""
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is one too
        return None


def absolute_url(url_name: str, *args: Any) -> str:
    """The absolute URL of a named route, on SITE_URL: what a mail links to."""
    return settings.SITE_URL.rstrip("/") + reverse(url_name, args=args)


TOKEN_SLOT = "TOKEN"  # noqa: S105 (where a link's token goes, not a secret)


def link_url(url_name: str, token: str) -> str:
    """The absolute URL of a token link. The URL is reversed once and the token put in, which
    matters when a reminder run makes tens of thousands of links."""
    return _url_pattern(url_name, settings.SITE_URL, get_script_prefix()).replace(TOKEN_SLOT, token)


@functools.lru_cache(maxsize=32)
def _url_pattern(url_name: str, site_url: str, _script_prefix: str) -> str:
    return site_url.rstrip("/") + reverse(url_name, args=[TOKEN_SLOT])
