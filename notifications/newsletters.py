"""Newsletter subscriptions: double opt-in, confirmation, preferences and one-click unsubscribe
(RFC 8058). An address is mailed an issue only once its owner has confirmed."""

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from centres.models import Centre, ConsentRecord, Person
from centres.services.consents import consent_record, consents_withdraw
from centres.services.people import person_create
from config.signed_links import signed_payload
from notifications.mail_requests import mail_request_store
from notifications.member_links import link_url
from notifications.models import MailRequest, NewsletterList, OutgoingMail, Subscription
from notifications.services import mail_queue

CONSENT_TEXT_VERSION = "newsletter-2026-11"
CONFIRM_SALT, CONFIRM_MAX_AGE = "kontakt.newsletter.confirm", 7 * 24 * 3600
SUBSCRIBER_SALT = "kontakt.newsletter.subscriber"  # unsubscribe and preferences: valid until used


def subscriber_token(person: Person) -> str:
    return subscriber_token_for(person.pk)


def subscriber_token_for(person_id: int) -> str:
    return signing.dumps({"p": person_id}, salt=SUBSCRIBER_SALT)


def subscriber_from_token(token: str) -> Person | None:
    try:
        payload = signing.loads(token, salt=SUBSCRIBER_SALT)
    except signing.BadSignature:
        return None
    return Person.all_centres.filter(pk=payload.get("p")).select_related("centre").first()


def unsubscribe_url(person: Person) -> str:
    return link_url("newsletter-unsubscribe", subscriber_token(person))


def preferences_url(person: Person) -> str:
    return link_url("newsletter-preferences", subscriber_token(person))


def subscription_request_receive(
    *, centre: Centre, email: str, language: str, newsletters: list[NewsletterList]
) -> None:
    """The subscribe page's half: store the request for the worker (`subscription_request`),
    the same one row and one queued task for a known address as for a new one, so the answer's
    timing does not tell whether the address is subscribed. Stored, it is not lost with its task."""
    mail_request_store(
        kind=MailRequest.Kind.NEWSLETTER_SUBSCRIPTION,
        centre=centre,
        payload={"email": email, "language": language, "newsletter_ids": sorted(n.pk for n in newsletters)},
    )


def subscription_request_from_request(centre: Centre, payload: dict) -> None:
    """The worker's half of a subscription (a `MailRequest` handler): only the centre's lists
    open for subscription."""
    newsletters = NewsletterList.all_centres.filter(centre=centre, is_public=True, pk__in=payload["newsletter_ids"])
    subscription_request(
        centre=centre, email=payload["email"], language=payload["language"], newsletters=list(newsletters)
    )


@transaction.atomic
def subscription_request(*, centre: Centre, email: str, language: str, newsletters: list[NewsletterList]) -> None:
    """Someone asks to subscribe: store pending subscriptions and mail a confirmation link. Run
    by the worker (`subscription_request_receive` stores the request), so what it does for a
    known address is not seen in the page's answer; an address already confirmed for all asked
    lists gets no mail. Writes the person (if new), pending subscriptions and a confirmation
    mail, marked sensitive (whoever holds its link gives consent)."""
    email = email.strip().lower()
    person = Person.all_centres.filter(centre=centre, email__iexact=email).first()
    if person is None:
        person = person_create(
            actor=None,
            centre=centre,
            display_name=email.split("@")[0][:120] or "subscriber",
            email=email,
            language=language,
        )
    pending = []
    for newsletter in newsletters:
        subscription, _created = Subscription.all_centres.get_or_create(
            newsletter=newsletter, person=person, defaults={"centre": centre}
        )
        if subscription.status != Subscription.Status.CONFIRMED:
            if subscription.status == Subscription.Status.UNSUBSCRIBED:
                subscription.status = Subscription.Status.PENDING
                subscription.save(update_fields=["status"])
            pending.append(subscription)
    if not pending:
        return
    token = signing.dumps({"s": sorted(s.pk for s in pending)}, salt=CONFIRM_SALT)
    confirm_url = settings.SITE_URL.rstrip("/") + reverse("newsletter-confirm", args=[token])
    mail_queue(
        centre=centre,
        kind=OutgoingMail.Kind.NEWSLETTER_CONFIRMATION,
        obj=f"confirm-{'-'.join(str(s.pk) for s in pending)}-{timezone.now():%Y%m%d%H%M}",
        recipient=email,
        language=language,
        template="newsletter_confirmation",
        context={"centre": centre, "confirm_url": confirm_url, "newsletters": [s.newsletter for s in pending]},
        person=person,
        sensitive=True,
    )


def confirmation_token_valid(token: str) -> bool:
    return signed_payload(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE) is not None


@transaction.atomic
def subscription_confirm(*, token: str) -> list[Subscription] | None:
    """The confirmation link: pending subscriptions become confirmed, with a consent record
    (time to the second, source, text version). None for a bad or expired link."""
    try:
        payload = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return None
    subscriptions = list(
        Subscription.all_centres.filter(pk__in=payload.get("s", [])).select_related("person__centre", "newsletter")
    )
    confirmed = []
    for subscription in subscriptions:
        if subscription.status == Subscription.Status.PENDING:
            subscription.status = Subscription.Status.CONFIRMED
            subscription.confirmed_at = timezone.now()
            subscription.save(update_fields=["status", "confirmed_at"])
            consent_record(
                actor=None,
                person=subscription.person,
                purpose=ConsentRecord.Purpose.NEWSLETTER,
                text_version=CONSENT_TEXT_VERSION,
                source=ConsentRecord.Source.CONFIRMATION_LINK,
            )
        confirmed.append(subscription)
    return confirmed


@transaction.atomic
def subscriptions_end(*, person: Person, newsletters: list[NewsletterList] | None = None) -> int:
    """Unsubscribe the person from the given newsletters (all by default), at once. Their
    newsletter consents are withdrawn when no subscription is left. Returns how many ended."""
    active = Subscription.all_centres.filter(person=person).exclude(status=Subscription.Status.UNSUBSCRIBED)
    if newsletters is not None:
        active = active.filter(newsletter__in=newsletters)
    ended = active.update(status=Subscription.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now())
    still = Subscription.all_centres.filter(person=person).exclude(status=Subscription.Status.UNSUBSCRIBED)
    if not still.exists():
        # One consent stands per list confirmed, and withdrawing one ends them all: an unsubscribe
        # must never fail on a consent already withdrawn (RFC 8058 clients retry, people click twice).
        consents_withdraw(actor=None, person=person, purpose=ConsentRecord.Purpose.NEWSLETTER)
    return ended


def _confirmed(newsletter_id: int):
    return Subscription.all_centres.filter(newsletter_id=newsletter_id, status=Subscription.Status.CONFIRMED)


def subscription_boundaries(newsletter: NewsletterList, *, size: int):
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
