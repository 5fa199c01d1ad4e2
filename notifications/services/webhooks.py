"""ESP tracking events (delivered, bounced, complained, unsubscribed): each recorded once, noted on
its mail, and for a hard bounce, a complaint or an unsubscribe the address is suppressed for the
mail's centre (`notifications.services.suppressions`). The webhook's view is
`notifications.views.webhooks`; anymail's signal reaches `notifications.receivers`."""

import hashlib

from django.db import IntegrityError, transaction

from notifications.models import OutgoingMail, SuppressedAddress, WebhookEvent
from notifications.services.suppressions import address_suppress

SUPPRESSING_EVENTS = {
    "bounced": SuppressedAddress.Reason.BOUNCED,
    "complained": SuppressedAddress.Reason.COMPLAINED,
    "unsubscribed": SuppressedAddress.Reason.UNSUBSCRIBED,
}


DELIVERY_EVENTS = {
    "delivered": OutgoingMail.Delivery.DELIVERED,
    "bounced": OutgoingMail.Delivery.BOUNCED,
    "complained": OutgoingMail.Delivery.COMPLAINED,
    "unsubscribed": OutgoingMail.Delivery.UNSUBSCRIBED,
}


def stored_event_id(event_id: str) -> str:
    """How an ESP event's id is stored: as it is, or digested if it holds an e-mail address (it
    still tells a replayed event, and names no one)."""
    if "@" not in event_id:
        return event_id[:200]
    return "sha256:" + hashlib.sha256(event_id.strip().lower().encode()).hexdigest()


@transaction.atomic
def webhook_event_record(*, esp: str, event_id: str, event_type: str, message_id: str, recipient: str) -> bool:
    """Apply one ESP tracking event once: note the delivery on the mail, and suppress the address
    for the mail's centre after a hard bounce, a complaint or an unsubscribe. Returns False for an
    event seen before (ESPs redeliver webhooks)."""
    # Without the ESP's own id, the event is known by what it says.
    event_id = stored_event_id(event_id or f"{message_id}:{event_type}:{recipient}")
    try:
        with transaction.atomic():
            WebhookEvent.objects.create(esp=esp, event_id=event_id, event_type=event_type, message_id=message_id)
    except IntegrityError:
        return False
    if event_type not in DELIVERY_EVENTS or not message_id:
        return True
    mails = list(OutgoingMail.objects.filter(esp_message_id=message_id))
    if recipient and len(mails) > 1:
        # Mailgun gives the rows of one batch request one message id: the event is the recipient's.
        mails = [mail for mail in mails if mail.recipient.lower() == recipient.lower()]
    OutgoingMail.objects.filter(pk__in=[mail.pk for mail in mails]).update(delivery=DELIVERY_EVENTS[event_type])
    if event_type in SUPPRESSING_EVENTS:
        for mail in mails:
            if not mail.recipient or mail.centre_id is None:
                # Anonymised (its person erased): nothing to keep. Of no centre (a password
                # reset): no centre's mail to stop; the delivery above is noted all the same.
                continue
            address_suppress(
                centre_id=mail.centre_id, email=recipient or mail.recipient, reason=SUPPRESSING_EVENTS[event_type]
            )
    return True
