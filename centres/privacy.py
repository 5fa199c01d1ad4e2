"""A person's rights over their data: access and portability (GDPR Art. 15 and 20, `person_export`)
and erasure (Art. 17, `person_erase`)."""

from typing import Any

from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation

import meetings.intake.models  # noqa: F401 (the enquiry models, wherever the export runs)
from centres.models import Person

# Values that open something (links, feeds, sessions) are the centre's secrets, not the
# person's data: their presence is exported, not their value.
SECRET_FIELDS = {"token", "merge_data", "password", "key"}
DEPTH = 2  # the person's rows, and the rows that hang from those (an enquiry's topics)
# Left out, for a coordinator to review before handing over: staff notes on an enquiry may name
# other people (GDPR Art. 15(4)).
REVIEWED_BY_HAND = {"meetings.EnquiryNote"}


def _rows(model: type[models.Model], filters: dict) -> list[dict[str, Any]]:
    manager = getattr(model, "all_centres", model._default_manager)
    rows = []
    for row in manager.filter(**filters).order_by("pk").values():
        rows.append({name: ("(hidden)" if name in SECRET_FIELDS and value else value) for name, value in row.items()})
    return rows


def _related(model: type[models.Model], pks: list[int], depth: int) -> dict[str, list[dict]]:
    """Every row that points at these rows of `model`, by model label, and their own rows below."""
    found: dict[str, list[dict]] = {}
    if depth == 0 or not pks:
        return found
    # Hidden relations too (related_name="+"): the outbox and most tenant rows are declared so.
    relations = [
        field
        for field in model._meta.get_fields(include_hidden=True)
        if field.auto_created and not field.concrete and (field.one_to_many or field.one_to_one)
    ]
    for relation in relations:
        if not relation.related_model._meta.managed or relation.related_model._meta.label in REVIEWED_BY_HAND:
            continue
        related = relation.related_model
        rows = _rows(related, {f"{relation.field.name}__in": pks})
        if not rows:
            continue
        found.setdefault(related._meta.label, []).extend(rows)
        for label, below in _related(related, [row["id"] for row in rows], depth - 1).items():
            found.setdefault(label, []).extend(below)
    return found


def person_export(person: Person) -> dict[str, Any]:
    """Everything the centre holds that points at this person, as plain JSON-ready data: the
    person, then every row that refers to them (memberships, consents, enquiries, subscriptions,
    the volunteer record, mails) and the rows that hang from those, by kind."""
    records = {}
    for label, rows in sorted(_related(Person, [person.pk], DEPTH).items()):
        # A row reached twice (an enquiry through the person and through its consent) once.
        records[label] = list({row["id"]: row for row in rows}.values())
    return {
        "format": "kontakt-person-export/1",
        "centre": person.centre.slug,
        "person": _rows(Person, {"pk": person.pk})[0],
        "records": records,
        "left_out": sorted(REVIEWED_BY_HAND),
    }


def person_erase(*, actor, person: Person) -> bool:
    """Erase a person (GDPR Art. 17), in one transaction. Returns True if the row itself is gone,
    False if an anonymous shell stays because the centre's volunteering records need it.

    - Mail stops: their mails not yet sent are suppressed, and every mail to them keeps only
      its kind, dates and status: no address, no links, no error text, no text written for
      them alone (ESP events never hold an address: `stored_event_id`). A suppression of their
      address goes too, and so do login lockouts under it.
    - Their enquiries are anonymised (the counts keep channel, topics and month).
    - Their memberships, consents, subscriptions and calendar links go; so does what their
      volunteering holds (`volunteering_erase`).
    - A volunteer who started groups keeps an anonymous record, so that the session logs and
      the hours reported to funders still add up; everything else about them is deleted.
    - The audit log holds ids, actions and field names only, never values: it keeps its entries,
      which now point at nobody, and one more says who erased whom (by id) and when."""
    from centres.models import AuditLogEntry, ConsentRecord
    from centres.services.audit import audit_record
    from meetings.intake.models import Enquiry
    from meetings.intake.services import enquiry_anonymise
    from meetings.models import CalendarToken, Membership
    from notifications.models import Subscription, SuppressedAddress
    from volunteers.models import Volunteer

    with transaction.atomic():
        # Only the person's row is locked: the centre's other writes go on meanwhile.
        person = Person.all_centres.select_for_update(of=("self",)).select_related("centre").get(pk=person.pk)
        centre, pk, email = person.centre, person.pk, person.email
        _erase_mail(person)
        _erase_traces(person)
        for enquiry in Enquiry.all_centres.filter(person=person):
            enquiry_anonymise(actor=actor, enquiry=enquiry, delete_lone_person=False)
        for model in (Membership, ConsentRecord, Subscription, CalendarToken):
            model.all_centres.filter(person_id=pk).delete()
        volunteer = Volunteer.all_centres.filter(person_id=pk).first()
        kept = volunteer is not None and not volunteering_erase(actor=actor, volunteer=volunteer)
        if kept:
            with translation.override(centre.default_language):
                person.display_name = str(translation.gettext("Erased person"))
            person.full_name = person.email = person.phone = ""
            person.save()
        else:
            Person.all_centres.filter(pk=pk).delete()
        if email:
            SuppressedAddress.all_centres.filter(centre=centre, email__iexact=email).delete()
        person.pk = pk
        audit_record(actor=actor, centre=centre, action=AuditLogEntry.Action.DELETE, obj=person)
    return not kept


def volunteering_erase(*, actor, volunteer) -> bool:
    """Erase what a person's volunteering holds (retention of a retired volunteer who is still
    a member, say, or part of `person_erase`): motivation, availability, trainings, requests,
    their portal login if it serves no one else. A volunteer who started groups keeps an
    anonymous record, its open assignments ended, so the hours still add up and the groups get
    a new starter; otherwise the record goes. Returns True if the record is gone."""

    from centres.models import StaffRole
    from volunteers.models import StarterAssignment, StarterRequest, TrainingRecord, Volunteer

    login = volunteer.user
    TrainingRecord.all_centres.filter(volunteer=volunteer).delete()
    StarterRequest.all_centres.filter(volunteer=volunteer).delete()
    assignments = StarterAssignment.all_centres.filter(volunteer=volunteer)
    kept = assignments.exists()
    if kept:
        assignments.exclude(status=StarterAssignment.Status.ENDED).update(
            status=StarterAssignment.Status.ENDED, ended_on=timezone.localdate()
        )
        volunteer.status, volunteer.user, volunteer.motivation = Volunteer.Status.RETIRED, None, ""
        volunteer.languages, volunteer.weekdays, volunteer.email_confirmed_at = [], [], None
        # The record keeps no date of its own, so retention does not find it again.
        volunteer.screened_on = volunteer.confidentiality_signed_on = volunteer.status_changed_at = None
        volunteer.save()
        volunteer.topics.clear()
    else:
        Volunteer.all_centres.filter(pk=volunteer.pk).delete()
    # The login may serve this address at other centres too: only then it stays. (Unscoped: an
    # erasure asked in one centre must not miss another centre's volunteer.)
    if login is not None and not (
        Volunteer.all_centres.filter(user=login).exists() or StaffRole.all_centres.filter(user=login).exists()
    ):
        _erase_login(login)
    return not kept


def _erase_login(login) -> None:
    from django.contrib.auth import get_user_model

    users = get_user_model()
    # A staff or operator login is never erased with a volunteer record, and keeps its traces.
    if users.objects.filter(pk=login.pk, is_staff=False, is_superuser=False).delete()[0]:
        _unname_in_admin_log(users, [login.pk])
        _forget_lockouts(login.username, login.email)


def _erase_traces(person: Person) -> None:
    """What the admin's change history and the login lockouts hold of the person: the admin
    names each row it changed (a person, their memberships, consents, volunteer record); the
    lockout records the address tried as a username."""
    from centres.models import ConsentRecord
    from meetings.intake.models import Enquiry
    from meetings.models import CalendarToken, Membership
    from notifications.models import Subscription
    from volunteers.models import Volunteer

    _unname_in_admin_log(Person, [person.pk])
    for model in (Membership, ConsentRecord, Subscription, CalendarToken, Volunteer, Enquiry):
        _unname_in_admin_log(model, model.all_centres.filter(person=person).values_list("pk", flat=True))
    _forget_lockouts(person.email)


def _unname_in_admin_log(model, pks) -> None:
    """The admin's change history names each row it changed: it keeps the entries, unnamed."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in=[str(pk) for pk in pks]
    ).update(object_repr=f"#{model._meta.model_name}")


def _forget_lockouts(*usernames: str) -> None:
    """Login attempts and lockouts (django-axes) under these names, in any case, unless a name
    is still the username or address of an account: lockouts are matched by name alone, and
    that account may be another centre's staff member or volunteer, whose protection against
    password guessing one centre's erasure must not lift."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth import get_user_model

    accounts = get_user_model()._default_manager
    names = Q()
    for username in filter(None, usernames):
        if not accounts.filter(Q(username__iexact=username) | Q(email__iexact=username)).exists():
            names |= Q(username__iexact=username)
    if names:
        for model in (AccessAttempt, AccessLog, AccessFailureLog):
            model.objects.filter(names).delete()


def still_known(*, volunteering: bool = True) -> Q:
    """For filtering people: the centre still has something of theirs, a membership, a
    subscription or an enquiry (and, unless `volunteering` is False, a volunteer record)."""
    from meetings.intake.models import Enquiry
    from meetings.models import Membership
    from notifications.models import Subscription
    from volunteers.models import Volunteer

    kinds = [Membership, Subscription, Enquiry] + ([Volunteer] if volunteering else [])
    known = Q()
    for model in kinds:
        known |= Q(Exists(model.all_centres.filter(person=OuterRef("pk"))))
    return known


def _erase_mail(person: Person) -> None:
    from django.db.models.functions import Lower

    from notifications.models import OutgoingMail
    from notifications.services import mails_anonymise

    theirs = Q(person=person)
    if person.email:
        theirs |= Q(recipient_lower=person.email.lower())
    mails = OutgoingMail.all_centres.alias(recipient_lower=Lower("recipient")).filter(theirs, centre=person.centre)
    pks = list(mails.values_list("pk", flat=True))
    # Mail in flight is stopped too: if the worker's attempt fails, nothing is tried again.
    OutgoingMail.all_centres.filter(
        pk__in=pks,
        status__in=[OutgoingMail.Status.QUEUED, OutgoingMail.Status.FAILED, OutgoingMail.Status.SENDING],
    ).update(status=OutgoingMail.Status.SUPPRESSED, sending_since=None)
    mails_anonymise(pks)
