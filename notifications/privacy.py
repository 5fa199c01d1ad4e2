"""What notifications holds of a person, and how long: registered with centres' privacy and
retention in `NotificationsConfig.ready`.

- Erasure: the person's mail stops and is anonymised, their subscriptions and the suppression of
  their address go.
- Retention: sent, failed and stopped mail is anonymised after the centre's mail period; ended
  and never-confirmed subscriptions are deleted; mail of no centre and undecided mail requests
  after the platform's periods.
- A withdrawn consent stops the mail it allowed.
"""

import logging
from datetime import datetime, timedelta

from django.db.models import Q
from django.db.models.functions import Lower
from django.dispatch import receiver
from django.utils import timezone

from centres.models import ConsentRecord, Person
from centres.phones import centre_region, sms_number
from centres.services.privacy import Actor, PersonRecords, person_records_register
from centres.services.retention import UNCONFIRMED_KEPT, RetentionRun, retention_steps_register
from centres.signals import consent_withdrawn
from notifications.models import MailRequest, OutgoingMail, Subscription, SuppressedAddress
from notifications.services.outbox import mails_anonymise

logger = logging.getLogger(__name__)

DONE = [OutgoingMail.Status.SENT, OutgoingMail.Status.FAILED, OutgoingMail.Status.SUPPRESSED]
# A mail of no centre (a password reset) is kept with its address and link this long: its link
# expired long before, and no centre sets a period for it.
PLATFORM_MAIL_KEPT = timedelta(days=30)
# A public page's request (`MailRequest`) is deleted once decided; one that failed every try
# holds what the visitor typed, and its mail would come far too late: gone after this.
MAIL_REQUEST_KEPT = timedelta(days=7)


def person_mail_erase(person: Person, actor: Actor) -> bool:
    """Stop and anonymise every mail to the person; end their subscriptions and forget the
    suppression of their address. Mail in flight is stopped too: if the worker's attempt fails,
    nothing is tried again."""
    theirs = Q(person=person)
    if person.email:
        theirs |= Q(recipient_lower=person.email.lower())
    mails = OutgoingMail.objects.alias(recipient_lower=Lower("recipient")).filter(theirs, centre=person.centre)
    pks = list(mails.values_list("pk", flat=True))
    OutgoingMail.objects.filter(
        pk__in=pks,
        status__in=[OutgoingMail.Status.QUEUED, OutgoingMail.Status.FAILED, OutgoingMail.Status.SENDING],
    ).update(status=OutgoingMail.Status.SUPPRESSED, sending_since=None)
    mails_anonymise(pks)
    Subscription.objects.filter(person_id=person.pk).delete()
    if person.email:
        SuppressedAddress.objects.filter(centre=person.centre, email__iexact=person.email).delete()
    number = sms_number(person.phone, region=centre_region(person.centre))
    if number:
        SuppressedAddress.objects.filter(centre=person.centre, email=number).delete()
    return False


def mail_retention(run: RetentionRun) -> None:
    done = OutgoingMail.objects.filter(
        centre=run.centre, created_at__lt=run.cutoff(run.centre.mail_retention_months), status__in=DONE
    ).exclude(recipient="")
    run.removed.mails += mails_anonymise(list(done.values_list("pk", flat=True)), drop_events=True)


def subscription_retention(run: RetentionRun) -> None:
    """Sign-ups never confirmed (their person is looked at afterwards: erased if the centre has
    nothing else for them) and subscriptions ended before the former members' period."""
    never_confirmed = Subscription.objects.filter(
        centre=run.centre, status=Subscription.Status.PENDING, requested_at__lt=run.now - UNCONFIRMED_KEPT
    )
    run.people_to_check |= set(never_confirmed.values_list("person_id", flat=True))
    ended = Subscription.objects.filter(
        centre=run.centre,
        status=Subscription.Status.UNSUBSCRIBED,
        unsubscribed_at__lt=run.cutoff(run.centre.former_member_retention_months),
    )
    run.removed.subscriptions += never_confirmed.delete()[0] + ended.delete()[0]


def platform_retention(now: datetime) -> int:
    """Anonymise sent, failed and stopped mails of no centre after PLATFORM_MAIL_KEPT, and delete
    mail requests older than MAIL_REQUEST_KEPT. Returns how many mails changed."""
    done = OutgoingMail.objects.filter(
        centre__isnull=True, created_at__lt=now - PLATFORM_MAIL_KEPT, status__in=DONE
    ).exclude(recipient="")
    mails = mails_anonymise(list(done.values_list("pk", flat=True)), drop_events=True)
    requests = MailRequest.objects.filter(created_at__lt=now - MAIL_REQUEST_KEPT).delete()[0]
    if requests:
        logger.warning("retention deleted %s mail requests never decided", requests)
    return mails


@receiver(consent_withdrawn, dispatch_uid="kontakt-notifications-consent-withdrawn")
def mail_stop_on_withdrawal(sender: type[ConsentRecord], consent: ConsentRecord, **kwargs: object) -> None:
    """A withdrawal takes effect at once, in its transaction: a newsletter consent ends every
    subscription at the centre; newsletter mail, or for a group membership consent reminders and
    change notices, or for an SMS consent their texts, still queued for the person are not sent."""
    person = consent.person
    if consent.purpose == ConsentRecord.Purpose.NEWSLETTER:
        Subscription.objects.filter(centre=consent.centre, person=person).exclude(
            status=Subscription.Status.UNSUBSCRIBED
        ).update(status=Subscription.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now())
        kinds = [OutgoingMail.Kind.NEWSLETTER, OutgoingMail.Kind.NEWSLETTER_CONFIRMATION]
    elif consent.purpose == ConsentRecord.Purpose.GROUP_MEMBERSHIP:
        kinds = [OutgoingMail.Kind.REMINDER, OutgoingMail.Kind.CHANGE_NOTICE]
    elif consent.purpose == ConsentRecord.Purpose.SMS:
        # Only the texts: their mail goes on. A text a worker claimed already is stopped too: the
        # worker claims each text again just before it sends it, and finds it suppressed.
        OutgoingMail.objects.filter(
            person=person,
            centre=consent.centre,
            channel=OutgoingMail.Channel.SMS,
            status__in=[OutgoingMail.Status.QUEUED, OutgoingMail.Status.SENDING],
        ).update(status=OutgoingMail.Status.SUPPRESSED, last_error="consent withdrawn", sending_since=None)
        return
    else:
        return
    theirs = Q(person=person) | Q(recipient__iexact=person.email) if person.email else Q(person=person)
    OutgoingMail.objects.filter(
        theirs, centre=consent.centre, status=OutgoingMail.Status.QUEUED, kind__in=kinds
    ).update(status=OutgoingMail.Status.SUPPRESSED, last_error="consent withdrawn")


def register() -> None:
    person_records_register(
        PersonRecords(
            app="notifications",
            order=10,
            models=("notifications.Subscription",),
            known_by=("notifications.Subscription",),
            erase=person_mail_erase,
        )
    )
    retention_steps_register(app="notifications", order=10, bulk=mail_retention, platform=platform_retention)
    retention_steps_register(app="notifications.subscriptions", order=30, bulk=subscription_retention)
