"""Signed links: read the payload of a token that Django's signing made for one purpose (salt)."""

from django.core import signing


def signed_payload(token: str, *, salt: str, max_age: int | None = None):
    """The payload the token was signed with, or None for a forged, altered or expired token."""
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is one too
        return None
