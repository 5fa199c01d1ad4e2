"""Retention: each kind of personal data is kept only as long as its centre says, then deleted
or anonymised. Run nightly (`centres.apply_retention`); a second run the same night finds nothing.

- finished enquiries, after `enquiry_retention_months`: anonymised (by `meetings.intake`'s job);
- sent, failed and stopped mail, after `mail_retention_months`: the address, links, error and
  text written for the recipient alone go, and so do the ESP's events about it;
- ended memberships (with their absences), ended subscriptions, and answered volunteer requests,
  after `former_member_retention_months`: deleted; then people the centre has nothing else for
  are erased;
- sign-ups never confirmed (newsletter subscriptions, volunteer applications), after
  UNCONFIRMED_KEPT: deleted, with the person if the centre has nothing else for them;
- retired volunteers, after `volunteer_retention_months`: erased (the hours they logged stay,
  anonymous);
- audit log entries, after `audit_retention_months`: deleted;
- staff invitations whose link expired: deleted (no account was made for them);
- mail of no centre (password resets), after PLATFORM_MAIL_KEPT: anonymised like a centre's;
  public pages' mail requests never decided, after MAIL_REQUEST_KEPT: deleted.
"""

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from centres.accounts import staff_invitations_expire
from centres.models import AuditLogEntry, Centre, Person
from centres.privacy import still_known

logger = logging.getLogger(__name__)

# Nobody proved that an unconfirmed address is theirs, and its link expired after a week: the
# centre has nothing to decide here, so one period serves every centre.
UNCONFIRMED_KEPT = timedelta(days=30)


@dataclass
class Removed:
    mails: int = 0
    memberships: int = 0
    absences: int = 0
    subscriptions: int = 0
    requests: int = 0
    people: int = 0
    volunteers: int = 0
    audit_entries: int = 0
    invitations: int = 0

    def add(self, other: "Removed") -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)


def months_before(moment: datetime, months: int) -> datetime:
    return moment - timedelta(days=round(months * 30.44))


def retention_apply(*, now: datetime | None = None) -> Removed:
    """Apply every centre's retention periods. The bulk deletions of a centre run in one
    transaction, each erasure in its own; a centre or a person that fails is logged by id and
    the rest still run. Returns what was removed, summed over the centres."""
    now = now or timezone.now()
    total = Removed()
    for centre in Centre.all_centres.order_by("pk"):
        try:
            removed = centre_retention_apply(centre, now=now)
        except Exception:
            logger.exception("retention failed centre=%s", centre.pk)
            continue
        if any(asdict(removed).values()):
            logger.info("retention centre=%s %s", centre.pk, " ".join(f"{k}={v}" for k, v in asdict(removed).items()))
        total.add(removed)
    total.mails += platform_retention_apply(now=now)
    return total


# A mail of no centre (a password reset) is kept with its address and link this long: its link
# expired long before, and no centre sets a period for it.
PLATFORM_MAIL_KEPT = timedelta(days=30)
# A public page's request (`MailRequest`) is deleted once decided; one that failed every try
# holds what the visitor typed, and its mail would come far too late: gone after this.
MAIL_REQUEST_KEPT = timedelta(days=7)


def platform_retention_apply(*, now: datetime) -> int:
    """Anonymise sent, failed and stopped mails of no centre after PLATFORM_MAIL_KEPT, and delete
    mail requests older than MAIL_REQUEST_KEPT (logged by count). Returns how many mails changed."""
    from notifications.models import MailRequest, OutgoingMail
    from notifications.services import mails_anonymise

    with transaction.atomic():
        done = OutgoingMail.all_centres.filter(
            centre__isnull=True,
            created_at__lt=now - PLATFORM_MAIL_KEPT,
            status__in=[OutgoingMail.Status.SENT, OutgoingMail.Status.FAILED, OutgoingMail.Status.SUPPRESSED],
        ).exclude(recipient="")
        mails = mails_anonymise(list(done.values_list("pk", flat=True)), drop_events=True)
        requests = MailRequest.all_centres.filter(created_at__lt=now - MAIL_REQUEST_KEPT).delete()[0]
    if requests:
        logger.warning("retention deleted %s mail requests never decided", requests)
    return mails


def centre_retention_apply(centre: Centre, *, now: datetime) -> Removed:
    from meetings.models import Membership
    from notifications.models import Absence, OutgoingMail, Subscription
    from notifications.services import mails_anonymise
    from volunteers.models import StarterRequest, Volunteer

    removed = Removed()
    with transaction.atomic():
        mail_cutoff = months_before(now, centre.mail_retention_months)
        done = OutgoingMail.all_centres.filter(
            centre=centre,
            created_at__lt=mail_cutoff,
            status__in=[OutgoingMail.Status.SENT, OutgoingMail.Status.FAILED, OutgoingMail.Status.SUPPRESSED],
        ).exclude(recipient="")
        removed.mails = mails_anonymise(list(done.values_list("pk", flat=True)), drop_events=True)

        left_cutoff = months_before(now, centre.former_member_retention_months)
        ended = Membership.all_centres.filter(centre=centre, left_on__lt=timezone.localdate(left_cutoff))
        removed.absences = Absence.all_centres.filter(
            Q(membership__in=ended) | Q(centre=centre, meeting__starts_at__lt=left_cutoff)
        ).delete()[0]
        removed.memberships = ended.delete()[0]
        never_confirmed = Subscription.all_centres.filter(
            centre=centre, status=Subscription.Status.PENDING, requested_at__lt=now - UNCONFIRMED_KEPT
        )
        unconfirmed_people = set(never_confirmed.values_list("person_id", flat=True))
        removed.subscriptions = (
            never_confirmed.delete()[0]
            + Subscription.all_centres.filter(
                centre=centre, status=Subscription.Status.UNSUBSCRIBED, unsubscribed_at__lt=left_cutoff
            ).delete()[0]
        )
        removed.requests = (
            StarterRequest.all_centres.filter(centre=centre, created_at__lt=left_cutoff)
            .exclude(status=StarterRequest.Status.PENDING)
            .delete()[0]
        )
        audit_cutoff = months_before(now, centre.audit_retention_months)
        removed.audit_entries = AuditLogEntry.all_centres.filter(centre=centre, at__lt=audit_cutoff).delete()[0]
        removed.invitations = staff_invitations_expire(centre=centre, now=now)

    # Retired volunteers: their volunteering goes; the person too if the centre has nothing
    # else for them (a member of a group keeps their membership). An erased record keeps no
    # date of its own, so it is not found again.
    volunteer_cutoff = months_before(now, centre.volunteer_retention_months)
    retired = Volunteer.all_centres.filter(
        centre=centre, status=Volunteer.Status.RETIRED, status_changed_at__lt=volunteer_cutoff
    )
    for volunteer_id in retired.values_list("pk", flat=True):
        removed.volunteers += _erase_one(_retired_volunteer_erase, volunteer_id)

    # Sign-ups never confirmed: the volunteering goes, and the person too if the centre has
    # nothing else for them (as for a subscriber whose only subscription was never confirmed).
    unconfirmed = Volunteer.all_centres.filter(centre=centre, created_at__lt=now - UNCONFIRMED_KEPT).filter(
        UNCONFIRMED_VOLUNTEER
    )
    for volunteer_id in unconfirmed.values_list("pk", flat=True):
        removed.volunteers += _erase_one(_unconfirmed_volunteer_erase, volunteer_id)
    for person_id in sorted(unconfirmed_people):
        removed.people += _erase_one(_lone_person_erase, person_id)

    # Someone the centre has nothing else for: no membership, subscription, volunteering or
    # enquiry, and untouched since the cutoff.
    alone = Person.all_centres.filter(centre=centre, created_at__lt=left_cutoff, updated_at__lt=left_cutoff).exclude(
        still_known()
    )
    for person_id in alone.values_list("pk", flat=True):
        removed.people += _erase_one(_lone_person_erase, person_id)
    return removed


def _erase_one(erase, pk: int) -> int:
    """One erasure in its own transaction; 0 if it failed (logged by id) or another run (a
    second beat) did it first."""
    try:
        with transaction.atomic():
            return erase(pk)
    except Exception:
        logger.exception("retention failed for %s id=%s", erase.__name__, pk)
        return 0


def _retired_volunteer_erase(volunteer_id: int) -> int:
    from volunteers.models import Volunteer

    volunteer = Volunteer.all_centres.select_for_update(of=("self",)).filter(pk=volunteer_id).first()
    if volunteer is None or volunteer.status_changed_at is None:
        return 0
    return _volunteering_or_person_erase(volunteer)


# An applicant whose address was never confirmed: a coordinator who screened them took them on.
UNCONFIRMED_VOLUNTEER = Q(status="applicant", email_confirmed_at__isnull=True)


def _unconfirmed_volunteer_erase(volunteer_id: int) -> int:
    from volunteers.models import Volunteer

    # Checked again under the lock: a confirmation clicked meanwhile keeps the volunteer.
    volunteer = (
        Volunteer.all_centres.select_for_update(of=("self",)).filter(UNCONFIRMED_VOLUNTEER, pk=volunteer_id).first()
    )
    if volunteer is None:
        return 0
    return _volunteering_or_person_erase(volunteer)


def _volunteering_or_person_erase(volunteer) -> int:
    """Only the volunteering of a person the centre still knows otherwise; the whole person else."""
    from centres.privacy import person_erase, volunteering_erase

    if Person.all_centres.filter(still_known(volunteering=False), pk=volunteer.person_id).exists():
        volunteering_erase(actor=None, volunteer=volunteer)
    else:
        person_erase(actor=None, person=volunteer.person)
    return 1


def _lone_person_erase(person_id: int) -> int:
    from centres.privacy import person_erase

    person = Person.all_centres.filter(pk=person_id).exclude(still_known()).first()
    if person is None:
        return 0
    person_erase(actor=None, person=person)
    return 1
