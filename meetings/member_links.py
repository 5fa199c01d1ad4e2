"""Signed links for members and contact persons: no password, one person, one purpose, limited
time.

A link carries the membership (and for "I can't come" the meeting), signed under its purpose in
`config.signed_links` ("member.manage": the member's page, "member.absence": "I can't come"), so a
link made for one purpose is refused for another, and it expires with the purpose's maximum age.
A contact person's link ("contact.manage") names their contact role, not the membership: when
they step down, the link stops working even within its age.
"""

from dataclasses import dataclass
from typing import Literal

from config.signed_links import link_url, sign, unsign

MemberPurpose = Literal["manage", "absence"]

# The page each purpose's link opens (`meetings.views.member`).
URL_NAMES: dict[str, str] = {"manage": "member-page", "absence": "member-absence"}


def member_token(*, purpose: MemberPurpose, membership_id: int, meeting_id: int | None = None) -> str:
    payload = {"m": membership_id} if meeting_id is None else {"m": membership_id, "t": meeting_id}
    return sign(f"member.{purpose}", payload)


@dataclass(frozen=True)
class MemberLink:
    """What a member's link names: their membership, and for "I can't come" the meeting."""

    membership_id: int
    meeting_id: int | None = None


def member_token_read(*, purpose: MemberPurpose, token: str) -> MemberLink | None:
    """What the token names, or None for a forged, expired or other-purpose token."""
    payload = unsign(f"member.{purpose}", token)
    membership_id = payload.get("m") if isinstance(payload, dict) else None
    if not isinstance(membership_id, int):
        return None
    meeting_id = payload.get("t")
    return MemberLink(membership_id, meeting_id if isinstance(meeting_id, int) else None)


def member_url(*, purpose: MemberPurpose, membership_id: int, meeting_id: int | None = None) -> str:
    """The absolute URL of a member's link, as a mail carries it."""
    token = member_token(purpose=purpose, membership_id=membership_id, meeting_id=meeting_id)
    return link_url(URL_NAMES[purpose], token)


def contact_token(*, contact_id: int) -> str:
    return sign("contact.manage", {"c": contact_id})


def contact_token_read(token: str) -> int | None:
    """The contact role the token names, or None for a forged, expired or other-purpose token."""
    payload = unsign("contact.manage", token)
    contact_id = payload.get("c") if isinstance(payload, dict) else None
    return contact_id if isinstance(contact_id, int) else None


def contact_url(*, contact_id: int) -> str:
    """The absolute URL of a contact person's link to their group's page."""
    return link_url("contact-page", contact_token(contact_id=contact_id))
