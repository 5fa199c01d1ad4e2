"""A freed place goes to who is waiting. When a place frees up in a full group (a member leaves,
or the group's maximum rises), the person who has waited longest for the group's topic, in one
of its languages and its age band, is offered it by mail: accept or decline within seven days,
then the next is asked. One open offer per group at a time (a partial unique constraint, the
group row locked), so concurrent changes never offer one place twice. Whether offers go out at
once or after a coordinator's click is the centre's choice (`Centre.offer_places_at_once`)."""

import logging
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from centres.models import AuditLogEntry
from centres.scoping import all_centres_scope, centre_scope
from centres.services.audit import audit_record
from config.errors import ConflictError
from config.signed_links import link_url, sign
from intake.models import Enquiry, PlaceOffer
from intake.selectors import LIVE_GROUP_STATUSES, free_places
from intake.services.placement import enquiry_place
from meetings.models import Group
from meetings.selectors import group_next_meeting
from notifications.models import OutgoingMail
from notifications.services.outbox import mail_queue

logger = logging.getLogger(__name__)
OFFER_DAYS = 7
DONE_WITH = (PlaceOffer.Status.ACCEPTED, PlaceOffer.Status.DECLINED, PlaceOffer.Status.EXPIRED)


def longest_waiting(group: Group) -> Enquiry | None:
    """Who has waited longest for this group: waiting for its topic, in one of its languages (any,
    if it names none), in its age band (any, if either names none), with an address to offer it
    to, not offered this group before."""
    waiting = Enquiry.objects.filter(
        centre_id=group.centre_id,
        status=Enquiry.Status.WAITING,
        waiting_topic_id=group.topic_id,
        person__isnull=False,
        anonymised_at__isnull=True,
    ).exclude(person__email="")
    if group.languages:
        waiting = waiting.filter(language__in=group.languages)
    if group.age_band:
        waiting = waiting.filter(Q(age_band="") | Q(age_band=group.age_band))
    if not group.relatives_welcome:
        waiting = waiting.filter(is_relative=False)
    # Not whoever answered or let lapse an offer of this group, nor whoever holds an open offer
    # elsewhere (one place at a time), nor a member already.
    waiting = (
        waiting.exclude(offers__group=group, offers__status__in=DONE_WITH)
        .exclude(offers__status=PlaceOffer.Status.OPEN)
        .exclude(person__memberships__group=group, person__memberships__left_on__isnull=True)
    )
    return waiting.select_related("person").order_by("waiting_since", "created_at", "pk").first()


@transaction.atomic
def place_offer_next(*, group_id: int, actor: AbstractBaseUser | None = None) -> PlaceOffer | None:
    """Offer a free place of the group to whoever has waited longest, unless an offer is open or
    no place is free. Writes the offer and an audit entry; queues the mail."""
    group = Group.objects.select_for_update(of=("self",)).select_related("centre").get(pk=group_id)
    if group.status not in LIVE_GROUP_STATUSES or not group.accepts_newcomers or free_places(group) <= 0:
        return None
    if PlaceOffer.objects.filter(group=group, status=PlaceOffer.Status.OPEN).exists():
        return None
    enquiry = longest_waiting(group)
    if enquiry is None:
        return None
    now = timezone.now()
    try:
        with transaction.atomic():
            offer = PlaceOffer.objects.create(
                centre_id=group.centre_id,
                group=group,
                enquiry=enquiry,
                offered_at=now,
                expires_at=now + timedelta(days=OFFER_DAYS),
            )
    except IntegrityError:  # another offer was made at the same moment
        return None
    audit_record(actor=actor, centre=group.centre, action=AuditLogEntry.Action.CREATE, obj=offer)
    _offer_mail(offer, group, enquiry)
    return offer


def _offer_mail(offer: PlaceOffer, group: Group, enquiry: Enquiry) -> None:
    person = enquiry.person
    assert person is not None  # only people with an address are offered a place
    mail_queue(
        centre=group.centre,
        kind=OutgoingMail.Kind.SYSTEM,
        obj=f"place-offer-{offer.pk}",
        recipient=person.email,
        language=person.language or enquiry.language or group.centre.default_language,
        template="intake/mail/place_offer",
        context={
            "centre": group.centre,
            "group": group,
            "first": group_next_meeting(group),
            "expires_at": offer.expires_at,
            "offer_url": link_url("place-offer", sign("place.offer", {"o": offer.pk})),
        },
        person=person,
        sensitive=True,
    )


def place_freed(group_id: int) -> None:
    """A place freed up (`meetings.services.groups.place_freed_register`): offer it at once if the
    centre chose so; otherwise the group's page offers the coordinator the click."""
    with all_centres_scope():
        centre_id = Group.objects.filter(pk=group_id).values_list("centre_id", flat=True).first()
    if centre_id is None:
        return
    with centre_scope(centre_id):
        group = Group.objects.select_related("centre").get(pk=group_id)
        if not group.centre.offer_places_at_once:
            return
        try:
            place_offer_next(group_id=group_id)
        except Exception:  # the change that freed the place is done; a coordinator can still offer it
            logger.exception("offering a freed place failed group=%s", group_id)


@transaction.atomic
def place_offer_answer(*, offer: PlaceOffer, accept: bool) -> PlaceOffer:
    """The person accepts (they are placed, as a coordinator would place them: the welcome mail
    follows) or declines; either way the next person waiting is offered any place still free.
    Where the placement cannot be made any more (the place was taken, the enquiry closed), the
    offer is withdrawn and the next person asked; the answer's status says so. An answered or
    expired offer is refused (409)."""
    offer = PlaceOffer.objects.select_for_update().select_related("enquiry", "group").get(pk=offer.pk)
    if offer.status != PlaceOffer.Status.OPEN:
        raise ConflictError(_("This offer has been answered already."))
    if offer.expires_at <= timezone.now():
        raise ConflictError(_("This offer has expired; the place went to the next person waiting."))
    offer.answered_at = timezone.now()
    if accept:
        try:
            with transaction.atomic():
                enquiry_place(actor=None, enquiry=offer.enquiry, group=offer.group)
        except ConflictError:
            offer.status = PlaceOffer.Status.WITHDRAWN
        else:
            offer.status = PlaceOffer.Status.ACCEPTED
    else:
        offer.status = PlaceOffer.Status.DECLINED
    offer.save(update_fields=["status", "answered_at"])
    audit_record(
        actor=None, centre=offer.group.centre, action=AuditLogEntry.Action.UPDATE, obj=offer, changed_fields=["status"]
    )
    _offer_next_on_commit(offer.centre_id, offer.group_id)
    return offer


def _offer_next_on_commit(centre_id: int, group_id: int) -> None:
    """Once this transaction commits, offer the group's free place to the next person waiting,
    in the group's centre's scope."""

    def offer_next() -> None:
        with centre_scope(centre_id):
            place_offer_next(group_id=group_id)

    transaction.on_commit(offer_next)


def place_offers_expire() -> int:
    """Periodic: open offers past their seven days expire, and each group's place goes to the
    next person waiting. Returns how many expired."""
    expired = 0
    with all_centres_scope():
        due = list(
            PlaceOffer.objects.filter(status=PlaceOffer.Status.OPEN, expires_at__lte=timezone.now()).values_list(
                "pk", "group_id", "centre_id"
            )
        )
    for offer_id, group_id, centre_id in due:
        with centre_scope(centre_id), transaction.atomic():
            if PlaceOffer.objects.filter(pk=offer_id, status=PlaceOffer.Status.OPEN).update(
                status=PlaceOffer.Status.EXPIRED
            ):
                expired += 1
                _offer_next_on_commit(centre_id, group_id)
    return expired
