"""Keeping less: a finished enquiry is anonymised after its centre's retention period (counts
remain), and one whose address never confirmed it is deleted after UNCONFIRMED_KEPT. Run daily by
`intake.tasks.intake_daily`; erasing a person anonymises their enquiries too (`intake.privacy`)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from centres.models import AuditLogEntry, Centre, ConsentRecord, Person
from centres.services.audit import audit_record
from centres.services.privacy import person_erase, still_known
from centres.services.retention import UNCONFIRMED_KEPT
from config.dates import months_before
from intake.models import Enquiry, EnquiryNote
from notifications.models import MailContent, OutgoingMail

Status = Enquiry.Status


def _mails_about_delete(enquiry_id: int, *, names: tuple[str, ...]) -> None:
    """The system mails sent about the enquiry (each ties an address to it), with their contents."""
    keys = Q()
    for name in names:
        keys |= Q(idempotency_key__startswith=f"{OutgoingMail.Kind.SYSTEM}:{name}-{enquiry_id}:")
    mails = OutgoingMail.objects.filter(keys)
    content_ids = list(mails.values_list("content_id", flat=True))
    mails.delete()
    MailContent.objects.filter(pk__in=content_ids, mails__isnull=True).delete()


def _personal_fields_clear(enquiry: Enquiry) -> None:
    enquiry.person, enquiry.person_created, enquiry.consent = None, False, None
    enquiry.message = enquiry.referred_to = enquiry.age_band = ""
    enquiry.location, enquiry.weekdays, enquiry.is_relative, enquiry.daytime, enquiry.evening = (
        None,
        [],
        False,
        False,
        False,
    )
    enquiry.waiting_topic, enquiry.waiting_since = None, None
    # Dates only to the month, which is all the counts need (a conversation held counts in the
    # year's report under its month).
    zone = ZoneInfo(enquiry.centre.time_zone)  # the months the centre's report reads
    enquiry.created_at = enquiry.status_changed_at = _month(enquiry.created_at, zone)
    held = _month(enquiry.conversation_at, zone) if enquiry.conversation_at else None
    enquiry.conversation_kind, enquiry.conversation_at, enquiry.conversation_meeting = "", held, None


def _month(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


@transaction.atomic
def enquiry_anonymise(*, actor: AbstractBaseUser | None, enquiry: Enquiry, delete_lone_person: bool = True) -> Enquiry:
    """Remove everything personal from a finished enquiry: the link to the person (deleted too
    if the enquiry was all the centre knew of them), the free text, wishes that could identify,
    the referral and the notes. Channel, topics, dates and outcome remain for the counts.
    Writes the enquiry, deletes notes (and perhaps the person), and an audit entry."""
    enquiry = Enquiry.objects.select_for_update(of=("self",)).select_related("centre").get(pk=enquiry.pk)
    if enquiry.anonymised_at:
        return enquiry
    person_id, person_created, consent_id = enquiry.person_id, enquiry.person_created, enquiry.consent_id
    EnquiryNote.objects.filter(enquiry=enquiry).delete()
    # The acknowledgement (or the request to confirm) tied the address to this enquiry; its
    # consent record, to the moment.
    _mails_about_delete(enquiry.pk, names=("enquiry-received", "enquiry-confirm"))
    if consent_id:
        ConsentRecord.objects.filter(pk=consent_id).delete()
    _personal_fields_clear(enquiry)
    enquiry.anonymised_at = timezone.now()
    enquiry.save()
    audit_record(
        actor=actor,
        centre=enquiry.centre,
        action=AuditLogEntry.Action.UPDATE,
        obj=enquiry,
        changed_fields=["anonymised_at"],
    )
    if person_id is not None and person_created and delete_lone_person:
        _delete_if_only_an_enquirer(actor, person_id)
    return enquiry


def _delete_if_only_an_enquirer(actor: AbstractBaseUser | None, person_id: int) -> None:
    person = Person.objects.filter(pk=person_id).exclude(still_known()).first()
    if person is not None:
        person_erase(actor=actor, person=person)  # everything else they left: mail, lockouts


def enquiries_anonymise_due(*, now: datetime | None = None) -> int:
    """Periodic: anonymise referred, closed and withdrawn enquiries finished longer ago than their
    centre's retention period, in the centres of the caller's scope. Returns how many were
    anonymised; a second run finds none."""
    now = now or timezone.now()
    done = 0
    for centre in Centre.objects.all():
        due = Enquiry.objects.filter(
            Q(status=Status.CLOSED) | Q(status=Status.WITHDRAWN) | Q(status=Status.REFERRED),
            centre=centre,
            anonymised_at__isnull=True,
            finished_at__lt=months_before(now, centre.enquiry_retention_months),
        ).values_list("pk", flat=True)
        for enquiry_id in list(due):
            enquiry_anonymise(actor=None, enquiry=Enquiry(pk=enquiry_id))
            done += 1
    return done


def enquiries_unconfirmed_delete(*, now: datetime | None = None) -> int:
    """Periodic: enquiries whose address never confirmed them go after UNCONFIRMED_KEPT, with
    the mails that asked (they tie the address to the enquiry). Returns how many went."""
    now = now or timezone.now()
    done = 0
    for enquiry_id in Enquiry.objects.filter(
        awaiting_confirmation=True, created_at__lt=now - UNCONFIRMED_KEPT
    ).values_list("pk", flat=True):
        with transaction.atomic():
            # Under the lock: a confirmation clicked meanwhile keeps the enquiry.
            enquiry = (
                Enquiry.objects.select_for_update(of=("self",))
                .select_related("centre")
                .filter(pk=enquiry_id, awaiting_confirmation=True)
                .first()
            )
            if enquiry is None:
                continue
            audit_record(actor=None, centre=enquiry.centre, action=AuditLogEntry.Action.DELETE, obj=enquiry)
            _mails_about_delete(enquiry.pk, names=("enquiry-confirm",))
            enquiry.delete()
            done += 1
    return done
