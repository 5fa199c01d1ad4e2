"""A person's rights over their data: access and portability (GDPR Art. 15 and 20, `person_export`)
and erasure (Art. 17, `person_erase`).

centres knows only its own rows of a person. Every app above it that holds rows of a person
registers them here, in its `AppConfig.ready`, with `person_records_register`: which of its models
name a person, which of those keep a person "still known" to a centre (for retention), and how
its rows are erased. Erasure runs the apps' erasers in the order of their `order` (lowest first),
all in the erasure's one transaction.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser, User
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import translation

from centres.models import AuditLogEntry, ConsentRecord, Person
from centres.scoping import all_centres_scope
from centres.services.audit import audit_record

# Values that open something (links, feeds, sessions) are the centre's secrets, not the
# person's data: their presence is exported, not their value.
SECRET_FIELDS = {"token", "merge_data", "password", "key"}
DEPTH = 2  # the person's rows, and the rows that hang from those (an enquiry's topics)

Actor = AbstractBaseUser | None


@dataclass(frozen=True)
class PersonRecords:
    """What one app holds of a person.

    `models`: labels ("app.Model") of the app's models with a `person` foreign key; the admin's
    change history of their rows is unnamed on erasure. `known_by`: those of them whose rows keep a
    person known to the centre (retention erases a person known by nothing); with `volunteering`,
    they count only when volunteering counts. `reviewed_by_hand`: models left out of an export for
    a coordinator to review (they may name other people, GDPR Art. 15(4)). `erase(person, actor)`
    removes or anonymises the app's rows of the person and returns True if the person's row must
    stay as an anonymous shell (because records that must add up point at it).
    """

    app: str
    order: int
    models: tuple[str, ...] = ()
    known_by: tuple[str, ...] = ()
    volunteering: bool = False
    reviewed_by_hand: tuple[str, ...] = ()
    erase: Callable[[Person, Actor], bool] | None = None


_registry: dict[str, PersonRecords] = {}


def person_records_register(records: PersonRecords) -> None:
    """Called by each app's `AppConfig.ready`; registering the same app again replaces it."""
    _registry[records.app] = records


def person_records() -> list[PersonRecords]:
    """The registered apps' records, in erasure order."""
    return sorted(_registry.values(), key=lambda records: (records.order, records.app))


def _reviewed_by_hand() -> set[str]:
    return {label for records in person_records() for label in records.reviewed_by_hand}


def _rows(model: type[models.Model], filters: dict[str, Any]) -> list[dict[str, Any]]:
    # An export reads one person's rows wherever they are: the filters name the person.
    with all_centres_scope():
        found = model._default_manager.filter(**filters).order_by("pk").values()
    rows = []
    for row in found:
        rows.append({name: ("(hidden)" if name in SECRET_FIELDS and value else value) for name, value in row.items()})
    return rows


def _related(model: type[models.Model], pks: list[int], depth: int) -> dict[str, list[dict[str, Any]]]:
    """Every row that points at these rows of `model`, by model label, and their own rows below."""
    found: dict[str, list[dict[str, Any]]] = {}
    if depth == 0 or not pks:
        return found
    reviewed = _reviewed_by_hand()
    # Hidden relations too (related_name="+"): the outbox and most tenant rows are declared so.
    relations = [
        field
        for field in model._meta.get_fields(include_hidden=True)
        if field.auto_created and not field.concrete and (field.one_to_many or field.one_to_one)
    ]
    for relation in relations:
        related = relation.related_model
        if not isinstance(related, type) or not related._meta.managed or related._meta.label in reviewed:
            continue
        rows = _rows(related, {f"{relation.field.name}__in": pks})  # type: ignore[union-attr]
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
        "left_out": sorted(_reviewed_by_hand()),
    }


def person_erase(*, actor: Actor, person: Person) -> bool:
    """Erase a person (GDPR Art. 17), in one transaction. Returns True if the row itself is gone,
    False if an anonymous shell stays because the centre's volunteering records need it.

    What each app erases is its own (see the `erase` of each registered `PersonRecords`):

    - Mail stops: their mails not yet sent are suppressed, and every mail to them keeps only
      its kind, dates and status: no address, no links, no error text, no text written for
      them alone (ESP events never hold an address). A suppression of their address goes too,
      and so do login lockouts under it.
    - Their enquiries are anonymised (the counts keep channel, topics and month).
    - Their memberships, consents, subscriptions and calendar links go; so does what their
      volunteering holds.
    - A volunteer who started groups keeps an anonymous record, so that the session logs and
      the hours reported to funders still add up; everything else about them is deleted.
    - The audit log holds ids, actions and field names only, never values: it keeps its entries,
      which now point at nobody, and one more says who erased whom (by id) and when."""
    with transaction.atomic():
        # Only the person's row is locked: the centre's other writes go on meanwhile.
        person = Person.objects.select_for_update(of=("self",)).select_related("centre").get(pk=person.pk)
        centre, pk = person.centre, person.pk
        _erase_traces(person)
        kept = False
        for records in person_records():
            if records.erase is not None:
                kept = records.erase(person, actor) or kept
        ConsentRecord.objects.filter(person_id=pk).delete()
        if kept:
            with translation.override(centre.default_language):
                person.display_name = str(translation.gettext("Erased person"))
            person.full_name = person.email = person.phone = ""
            person.save()
        else:
            Person.objects.filter(pk=pk).delete()
        person.pk = pk
        audit_record(actor=actor, centre=centre, action=AuditLogEntry.Action.DELETE, obj=person)
    return not kept


def login_erase_unless_used(login: User | None) -> None:
    """Erase a portal login that serves no one any more (no volunteer record, no staff role, at
    any centre: an erasure asked in one centre must not miss another centre's use of it)."""
    from centres.models import StaffRole

    if login is None:
        return
    with all_centres_scope():
        still_used = StaffRole.objects.filter(user=login).exists()
    if not still_used and not login_serves_a_record(login):
        _erase_login(login)


def login_serves_a_record(login: User) -> bool:
    """Does a record of a registered app at any centre use this login (a volunteer record opens
    the portal with it)?"""
    with all_centres_scope():
        return any(apps.get_model(label)._default_manager.filter(user=login).exists() for label in _login_holders())


def _login_holders() -> list[str]:
    return [
        label
        for records in person_records()
        for label in records.models
        if any(field.name == "user" for field in apps.get_model(label)._meta.concrete_fields)
    ]


def _erase_login(login: User) -> None:
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
    _unname_in_admin_log(Person, [person.pk])
    labels = ["centres.ConsentRecord"] + [label for records in person_records() for label in records.models]
    for label in labels:
        model = apps.get_model(label)
        with all_centres_scope():
            pks = list(model._default_manager.filter(person=person).values_list("pk", flat=True))
        _unname_in_admin_log(model, pks)
    _forget_lockouts(person.email)


def _unname_in_admin_log(model: type[models.Model], pks: Iterable[object]) -> None:
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
    subscription or an enquiry (and, unless `volunteering` is False, a volunteer record): the
    `known_by` models of the registered apps."""
    known = Q()
    for records in person_records():
        if records.volunteering and not volunteering:
            continue
        for label in records.known_by:
            model = apps.get_model(label)
            # Bound to the outer person row, so the subquery needs no centre scope of its own.
            with all_centres_scope():
                theirs = model._default_manager.filter(person=OuterRef("pk"))
            known |= Q(Exists(theirs))
    return known
