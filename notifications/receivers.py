"""django-anymail's tracking webhooks arrive as a signal; the receiver only hands each event to
the service that records it (the integration point anymail offers, not a business flow)."""

import logging

from anymail.signals import tracking
from django.conf import settings
from django.dispatch import receiver

from centres.scoping import all_centres_scope
from notifications.services.webhooks import webhook_event_record

logger = logging.getLogger(__name__)


@receiver(tracking, dispatch_uid="kontakt-esp-tracking")
def handle_tracking_event(sender, event, esp_name, **kwargs) -> None:
    if not settings.ANYMAIL.get("WEBHOOK_SECRET"):
        # Without the shared secret anyone could post events and suppress addresses.
        logger.warning("ESP webhook ignored: ANYMAIL_WEBHOOK_SECRET is not set")
        return
    with all_centres_scope():
        webhook_event_record(
            esp=esp_name,
            event_id=event.event_id or "",
            event_type=event.event_type or "",
            message_id=event.message_id or "",
            recipient=event.recipient or "",
        )
