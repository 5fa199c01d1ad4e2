"""Signed links for members: no password, one person, one purpose, limited time.

A link carries the membership (and for "I can't come" the meeting) signed with
django.core.signing under a salt per purpose, so a link made for one purpose is refused for
another, and with a maximum age."""

import functools

from django.conf import settings
from django.core import signing
from django.urls import get_script_prefix, reverse

PURPOSES = {"manage": "kontakt.member.manage", "absence": "kontakt.member.absence"}
MAX_AGE = {"manage": 60 * 24 * 3600, "absence": 30 * 24 * 3600}


def member_token(*, purpose: str, membership_id: int, meeting_id: int | None = None) -> str:
    payload = {"m": membership_id} if meeting_id is None else {"m": membership_id, "t": meeting_id}
    return signing.dumps(payload, salt=PURPOSES[purpose])


def member_token_read(*, purpose: str, token: str) -> dict | None:
    """The signed payload, or None for a forged, expired or other-purpose token."""
    try:
        return signing.loads(token, salt=PURPOSES[purpose], max_age=MAX_AGE[purpose])
    except signing.BadSignature:
        return None


def member_url(*, purpose: str, membership_id: int, meeting_id: int | None = None) -> str:
    token = member_token(purpose=purpose, membership_id=membership_id, meeting_id=meeting_id)
    return link_url("member-page" if purpose == "manage" else "member-absence", token)


TOKEN_SLOT = "TOKEN"  # noqa: S105 (where a link's token goes, not a secret)


def link_url(url_name: str, token: str) -> str:
    """The absolute URL of a token link. The URL is reversed once and the token put in, which
    matters when a reminder run makes tens of thousands of links."""
    return _url_pattern(url_name, settings.SITE_URL, get_script_prefix()).replace(TOKEN_SLOT, token)


@functools.lru_cache(maxsize=32)
def _url_pattern(url_name: str, site_url: str, _script_prefix: str) -> str:
    return site_url.rstrip("/") + reverse(url_name, args=[TOKEN_SLOT])
