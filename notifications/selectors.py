"""Reads of the notifications app: suppressed addresses, the outbox as staff see it, newsletter
subscribers (by token, and in slices for sending an issue) and an issue's figures.

Each runs in its caller's scope (a request's, a task's, or a passwordless page's own)."""

from collections import Counter
from collections.abc import Iterator

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower

from centres.models import Centre, Person
from config.signed_links import unsign
from notifications.models import NewsletterIssue, NewsletterList, OutgoingMail, Subscription, SuppressedAddress

# --- suppressed addresses ------------------------------------------------------------------------


def is_suppressed(*, centre_id: int | None, email: str) -> bool:
    """Whether the centre's mail no longer goes to `email` (a mail of no centre is never held)."""
    if centre_id is None:
        return False
    return SuppressedAddress.objects.filter(centre_id=centre_id, email__iexact=email).exists()


def suppressed_among(pairs: set[tuple[int | None, str]]) -> set[tuple[int | None, str]]:
    """The (centre id, lower-case address) pairs among `pairs` that are suppressed."""
    if not pairs:
        return set()
    rows = SuppressedAddress.objects.annotate(lower=Lower("email")).filter(
        centre_id__in={centre for centre, _email in pairs}, lower__in={email for _centre, email in pairs}
    )
    found: set[tuple[int | None, str]] = {(row.centre_id, row.lower) for row in rows}
    return found & pairs


# --- the outbox ----------------------------------------------------------------------------------


def outbox_list(
    *, centre: Centre | None = None, status: str | None = None, recipient: str = ""
) -> QuerySet[OutgoingMail]:
    """The outgoing mail in scope (of `centre` only, if given), newest first, with its content;
    of one status if `status` is one; to addresses containing `recipient` if given."""
    mails = OutgoingMail.objects.select_related("content").order_by("-created_at", "-id")
    if recipient:
        mails = mails.filter(recipient__icontains=recipient)
    if centre is not None:
        mails = mails.filter(centre=centre)
    if status in OutgoingMail.Status.values:
        mails = mails.filter(status=status)
    return mails


# --- newsletters ---------------------------------------------------------------------------------


def subscriber_from_token(token: str) -> Person | None:
    """The person of a subscriber's unsubscribe or preferences link (with their centre), or None
    for a forged token."""
    payload = unsign("newsletter.subscriber", token)
    person_id = payload.get("p") if isinstance(payload, dict) else None
    if not isinstance(person_id, int):
        return None
    return Person.objects.filter(pk=person_id).select_related("centre").first()


def subscriptions_current(person: Person) -> list[Subscription]:
    """The person's subscriptions not ended (pending or confirmed), with their newsletters."""
    return list(
        Subscription.objects.filter(person=person)
        .exclude(status=Subscription.Status.UNSUBSCRIBED)
        .select_related("newsletter")
    )


def newsletter_lists() -> QuerySet[NewsletterList]:
    """The newsletters in scope with their count of confirmed subscribers, by name."""
    return (
        NewsletterList.objects.select_related("centre")
        .annotate(
            confirmed_subscribers=Count("subscriptions", filter=Q(subscriptions__status=Subscription.Status.CONFIRMED))
        )
        .order_by("name", "pk")
    )


def _confirmed(newsletter_id: int) -> QuerySet[Subscription]:
    return Subscription.objects.filter(newsletter_id=newsletter_id, status=Subscription.Status.CONFIRMED)


def confirmed_subscriber_count(newsletter_id: int) -> int:
    """How many a send of the newsletter would reach now: its confirmed subscribers."""
    return _confirmed(newsletter_id).count()


def subscription_boundaries(newsletter: NewsletterList, *, size: int) -> Iterator[int]:
    """Subscription ids that cut the list's confirmed subscribers into slices of `size`: each
    yielded id is the last of a slice. Streams the ids (never all objects in memory)."""
    count, last = 0, None
    for last in _confirmed(newsletter.pk).order_by("pk").values_list("pk", flat=True).iterator(chunk_size=5000):
        count += 1
        if count % size == 0:
            yield last
    if last is not None and count % size:
        yield last


def confirmed_subscribers_between(newsletter_id: int, after_id: int, upto_id: int) -> list[tuple[int, str, str]]:
    """(person id, e-mail, language) of the confirmed subscribers in a slice of subscription ids:
    whoever unsubscribed since the slice was cut is left out."""
    return list(
        _confirmed(newsletter_id)
        .filter(pk__gt=after_id, pk__lte=upto_id)
        .exclude(person__email="")
        .order_by("pk")
        .values_list("person_id", "person__email", "person__language")
    )


# --- newsletter issues ---------------------------------------------------------------------------


def issues_recent(centre: Centre, *, limit: int = 30) -> QuerySet[NewsletterIssue]:
    """The centre's newest issues, with their newsletters."""
    return NewsletterIssue.objects.filter(centre=centre).select_related("newsletter").order_by("-created_at")[:limit]


def issue_figures(issue: NewsletterIssue) -> dict[str, int]:
    """Progress and outcome for coordinators: counts only."""
    return issues_figures([issue.pk])[issue.pk]


def issues_figures(issue_ids: list[int]) -> dict[int, dict[str, int]]:
    """`issue_figures` for several issues in two grouped queries."""
    mails = OutgoingMail.objects.filter(newsletter_issue_id__in=issue_ids).order_by()
    statuses: dict[int, Counter[str]] = {issue_id: Counter() for issue_id in issue_ids}
    deliveries: dict[int, Counter[str]] = {issue_id: Counter() for issue_id in issue_ids}
    for issue_id, status, count in mails.values_list("newsletter_issue_id", "status").annotate(Count("id")):
        statuses[issue_id][status] = count
    for issue_id, delivery, count in mails.values_list("newsletter_issue_id", "delivery").annotate(Count("id")):
        deliveries[issue_id][delivery] = count
    return {
        issue_id: {
            "queued": statuses[issue_id]["queued"] + statuses[issue_id]["sending"],
            "sent": statuses[issue_id]["sent"],
            "failed": statuses[issue_id]["failed"],
            "suppressed": statuses[issue_id]["suppressed"],
            "delivered": deliveries[issue_id]["delivered"],
            "bounced": deliveries[issue_id]["bounced"],
            "complained": deliveries[issue_id]["complained"],
            "unsubscribed": deliveries[issue_id]["unsubscribed"],
        }
        for issue_id in issue_ids
    }
