"""The year's figures on the newsletters: how many people they reach, who came and went, and
which addresses bounced. Counts only."""

from typing import Any

from django.db.models import F, Q, QuerySet

from centres.models import Person
from config.periods import Period
from notifications.models import NewsletterIssue, Subscription, SuppressedAddress


def subscribed_at_end(centre_ids: list[int], period: Period) -> QuerySet[Subscription]:
    """Subscriptions confirmed before the period's end and not ended before it (an unsubscribe
    older than the last confirmation was undone by subscribing again)."""
    return Subscription.objects.filter(centre_id__in=centre_ids, confirmed_at__lt=period.until).filter(
        Q(unsubscribed_at__isnull=True)
        | Q(unsubscribed_at__gte=period.until)
        | Q(unsubscribed_at__lt=F("confirmed_at"))
    )


def confirmed_in(centre_ids: list[int], period: Period) -> QuerySet[Subscription]:
    return Subscription.objects.filter(
        centre_id__in=centre_ids, confirmed_at__gte=period.since, confirmed_at__lt=period.until
    )


def unsubscribed_in(centre_ids: list[int], period: Period) -> QuerySet[Subscription]:
    return Subscription.objects.filter(
        centre_id__in=centre_ids, unsubscribed_at__gte=period.since, unsubscribed_at__lt=period.until
    )


def bounced_in(centre_ids: list[int], period: Period) -> QuerySet[SuppressedAddress]:
    """Subscribers' addresses that bounced or complained in the period."""
    subscribers = Person.objects.filter(subscriptions__centre_id__in=centre_ids).values("email")
    return SuppressedAddress.objects.filter(
        centre_id__in=centre_ids,
        reason__in=[SuppressedAddress.Reason.BOUNCED, SuppressedAddress.Reason.COMPLAINED],
        created_at__gte=period.since,
        created_at__lt=period.until,
        email__in=subscribers,
    )


def issues_sent(centre_ids: list[int], period: Period) -> QuerySet[NewsletterIssue]:
    return NewsletterIssue.objects.filter(
        centre_id__in=centre_ids, started_at__gte=period.since, started_at__lt=period.until
    ).exclude(status=NewsletterIssue.Status.DRAFT)


def reach(centre_ids: list[int], period: Period) -> dict[str, Any]:
    """The five newsletter figures, one query each."""
    return {
        "subscribers": subscribed_at_end(centre_ids, period).count(),
        "confirmed": confirmed_in(centre_ids, period).count(),
        "unsubscribed": unsubscribed_in(centre_ids, period).count(),
        "bounced": bounced_in(centre_ids, period).count(),
        "issues": issues_sent(centre_ids, period).count(),
    }
