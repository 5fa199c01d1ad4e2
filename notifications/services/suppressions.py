"""Suppressed addresses: an address a centre's mail no longer goes to (a hard bounce, a spam
complaint or an unsubscribe the ESP reported). The outbox marks mail to such an address
`suppressed` when it is stored and again when it is claimed (`notifications.selectors`
`is_suppressed`, `suppressed_among`); an erasure forgets the suppression with the person."""

from notifications.models import SuppressedAddress
from notifications.selectors import is_suppressed


def address_suppress(*, centre_id: int, email: str, reason: str) -> bool:
    """Stop every mail of the centre to `email` from now on. Returns False if it was suppressed
    already. Writes one row."""
    if is_suppressed(centre_id=centre_id, email=email):
        return False
    SuppressedAddress.objects.create(centre_id=centre_id, email=email.lower(), reason=reason)
    return True
