"""notifications' metrics, registered with centres' observability in `NotificationsConfig.ready`:
the outbox by state and kind, the age of the oldest mail waiting to go out, sends and ESP errors in
the last whole minute, and the ESP's webhook events by type. Counts and ages only: never an address."""

from collections.abc import Iterable

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from centres.observability import metrics_collector_register
from notifications.models import OutgoingMail, WebhookEvent
from notifications.services.send_minutes import send_minute_last


def outbox_metrics() -> Iterable[Metric]:
    from centres.scoping import all_centres_scope

    with all_centres_scope():
        mails = GaugeMetricFamily(
            "kontakt_outbox_mails", "Mails in the outbox, by state and kind.", labels=["status", "kind"]
        )
        for status, kind, number in (
            OutgoingMail.objects.order_by().values_list("status", "kind").annotate(number=Count("id"))
        ):
            mails.add_metric([status, kind], number)
        yield mails
        oldest = OutgoingMail.objects.filter(status=OutgoingMail.Status.QUEUED).aggregate(at=Min("created_at"))["at"]
        yield GaugeMetricFamily(
            "kontakt_outbox_oldest_queued_seconds",
            "How long the oldest mail still queued has waited (0 when none waits).",
            value=(timezone.now() - oldest).total_seconds() if oldest else 0.0,
        )
    last = send_minute_last()
    yield GaugeMetricFamily(
        "kontakt_mails_sent_per_minute", "Mails the ESP took in the last whole minute.", value=last.sent
    )
    errors = GaugeMetricFamily(
        "kontakt_mail_esp_errors_per_minute",
        "Mails the ESP turned away in the last whole minute: to be tried again, or failed for good.",
        labels=["outcome"],
    )
    errors.add_metric(["retry"], last.retried)
    errors.add_metric(["failed"], last.failed)
    yield errors
    events = CounterMetricFamily(
        "kontakt_webhook_events", "Tracking events received from the ESP, by type.", labels=["esp", "type"]
    )
    for esp, kind, number in WebhookEvent.objects.order_by().values_list("esp", "event_type").annotate(n=Count("id")):
        events.add_metric([esp, kind], number)
    yield events


def register() -> None:
    metrics_collector_register("notifications", outbox_metrics)
