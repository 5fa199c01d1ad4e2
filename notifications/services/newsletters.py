"""Newsletter subscriptions: double opt-in, confirmation, preferences and one-click unsubscribe
(RFC 8058). An address is mailed an issue only once its owner has confirmed.

The links are `config.signed_links` tokens: "newsletter.confirm" (a week) for the confirmation,
"newsletter.subscriber" (valid as long as the subscription) for unsubscribe and preferences;
`notifications.selectors.subscriber_from_token` reads the latter. The public pages are
`notifications.views.public`."""

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centres.models import Centre, ConsentRecord, Person
from centres.services.consents import consent_record, consents_withdraw
from centres.services.people import person_create
from config.errors import DomainError
from config.signed_links import BulkSigner, absolute_url, link_url, sign, unsign
from notifications.models import MailRequest, NewsletterList, OutgoingMail, Subscription, SuppressedAddress
from notifications.services.mail_requests import mail_request_store
from notifications.services.outbox import mail_queue

CONSENT_TEXT_VERSION = "newsletter-2026-11"


def subscriber_token(person: Person) -> str:
    return subscriber_token_for(person.pk)


def subscriber_token_for(person_id: int) -> str:
    """The token of a subscriber's unsubscribe and preferences links."""
    return sign("newsletter.subscriber", {"p": person_id})


def subscriber_tokens() -> Callable[[int], str]:
    """`subscriber_token_for` for the many subscribers of one newsletter chunk: the same tokens,
    made at a fraction of the cost (config.signed_links.BulkSigner)."""
    signer = BulkSigner("newsletter.subscriber")
    return lambda person_id: signer.sign_number("p", person_id)


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
        payload={
            "email": email,
            "language": language,
            "newsletter_ids": sorted(newsletter.pk for newsletter in newsletters),
        },
    )


def subscription_request_from_request(centre: Centre | None, payload: dict[str, Any]) -> None:
    """The worker's half of a subscription (a `MailRequest` handler): only the centre's lists
    open for subscription."""
    if centre is None:
        raise ValueError("a newsletter subscription request names its centre")
    newsletters = NewsletterList.objects.filter(centre=centre, is_public=True, pk__in=payload["newsletter_ids"])
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
    person = Person.objects.filter(centre=centre, email__iexact=email).first()
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
        subscription, _created = Subscription.objects.get_or_create(
            newsletter=newsletter, person=person, defaults={"centre": centre}
        )
        if subscription.status != Subscription.Status.CONFIRMED:
            if subscription.status == Subscription.Status.UNSUBSCRIBED:
                subscription.status = Subscription.Status.PENDING
                subscription.save(update_fields=["status"])
            pending.append(subscription)
    if not pending:
        return
    token = sign("newsletter.confirm", {"s": sorted(subscription.pk for subscription in pending)})
    confirm_url = absolute_url("newsletter-confirm", token)
    mail_queue(
        centre=centre,
        kind=OutgoingMail.Kind.NEWSLETTER_CONFIRMATION,
        obj=f"confirm-{'-'.join(str(subscription.pk) for subscription in pending)}-{timezone.now():%Y%m%d%H%M}",
        recipient=email,
        language=language,
        template="notifications/mail/newsletter_confirmation",
        context={
            "centre": centre,
            "confirm_url": confirm_url,
            "newsletters": [subscription.newsletter for subscription in pending],
        },
        person=person,
        sensitive=True,
    )


@transaction.atomic
def subscription_import(
    *,
    actor: Any,
    centre: Centre,
    email: str,
    language: str,
    newsletter: NewsletterList,
    consent: tuple[Any, str, str] | None,
) -> str:
    """A subscriber from a centre's old list. With proof of consent (when, how, which text) they
    are subscribed and the consent recorded; without it they are asked by mail to confirm, as if
    they had used the form, and get no issue until they do. Someone who unsubscribed is never
    subscribed again this way. Returns "created", "changed" (a pending one confirmed by proof)
    or "unchanged"."""
    person = Person.objects.filter(centre=centre, email__iexact=email).first()
    existing = Subscription.objects.filter(newsletter=newsletter, person=person).first() if person else None
    said_no = person is not None and (
        Subscription.objects.filter(person=person, status=Subscription.Status.UNSUBSCRIBED).exists()
        or ConsentRecord.objects.filter(
            person=person, purpose=ConsentRecord.Purpose.NEWSLETTER, withdrawn_at__isnull=False
        ).exists()
    )
    if said_no or SuppressedAddress.objects.filter(centre=centre, email__iexact=email).exists():
        # An older proof does not outweigh a later "no", on any of the centre's lists.
        raise DomainError(_("This address unsubscribed from this newsletter; only its owner can subscribe again."))
    if existing is not None and existing.status == Subscription.Status.CONFIRMED:
        return "unchanged"
    if consent is None:
        if existing is not None:
            return "unchanged"  # asked already; the mail is not sent twice
        subscription_request(centre=centre, email=email, language=language, newsletters=[newsletter])
        return "created"
    if person is None:
        person = person_create(
            actor=actor, centre=centre, display_name=email.split("@")[0][:120], email=email, language=language
        )
    given_at, source, text_version = consent
    consent_record(
        actor=actor,
        person=person,
        purpose=ConsentRecord.Purpose.NEWSLETTER,
        text_version=text_version,
        source=source,
        given_at=given_at,
    )
    subscription = existing or Subscription(centre=centre, newsletter=newsletter, person=person)
    subscription.status, subscription.confirmed_at = Subscription.Status.CONFIRMED, given_at
    subscription.save()
    return "changed" if existing is not None else "created"


def confirmation_token_valid(token: str) -> bool:
    return unsign("newsletter.confirm", token) is not None


@transaction.atomic
def subscription_confirm(*, token: str) -> list[Subscription] | None:
    """The confirmation link: pending subscriptions become confirmed, with a consent record
    (time to the second, source, text version). None for a bad or expired link."""
    payload = unsign("newsletter.confirm", token)
    if payload is None:
        return None
    subscriptions = list(
        Subscription.objects.filter(pk__in=payload.get("s", [])).select_related("person__centre", "newsletter")
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
    active = Subscription.objects.filter(person=person).exclude(status=Subscription.Status.UNSUBSCRIBED)
    if newsletters is not None:
        active = active.filter(newsletter__in=newsletters)
    ended = active.update(status=Subscription.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now())
    still = Subscription.objects.filter(person=person).exclude(status=Subscription.Status.UNSUBSCRIBED)
    if not still.exists():
        # One consent stands per list confirmed, and withdrawing one ends them all: an unsubscribe
        # must never fail on a consent already withdrawn (RFC 8058 clients retry, people click twice).
        consents_withdraw(actor=None, person=person, purpose=ConsentRecord.Purpose.NEWSLETTER)
    return ended
