"""The audit log: one line per change (field names, never values) and per list read, and the one
way an update applies its fields (`fields_apply`)."""

import contextlib
import contextvars
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

from django.contrib.auth.models import AbstractBaseUser
from django.db import models

from centres.models import AuditLogEntry, Centre


def _actor_id(actor: AbstractBaseUser | None) -> int | None:
    """Who acted, as the entry stores it: no one for a task or an anonymous request."""
    return actor.pk if actor is not None and actor.is_authenticated else None


_acting_as: contextvars.ContextVar[str] = contextvars.ContextVar("audit_acting_as", default="")


@contextlib.contextmanager
def audit_acting_as(label: str) -> Iterator[None]:
    """Within the block, every audit line names `label` as who acted (a group's contact person
    on their own page, where no staff user is signed in), whichever service writes the line."""
    token = _acting_as.set(label)
    try:
        yield
    finally:
        _acting_as.reset(token)


def audit_record(
    *,
    actor: AbstractBaseUser | None,
    centre: Centre,
    action: str,
    obj: models.Model,
    changed_fields: Iterable[str] = (),
) -> AuditLogEntry:
    """Write one audit log line. Field names are kept, values never are."""
    return AuditLogEntry.objects.create(
        centre=centre,
        actor_id=_actor_id(actor),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        changed_fields=sorted(changed_fields),
        acting_as=_acting_as.get(),
    )


def fields_apply(obj: models.Model, changes: Mapping[str, Any], *, allowed: Iterable[str]) -> list[str]:
    """Set on `obj` the `changes` whose value differs, and return their names (for the audit
    entry). A name outside `allowed` is a programming error and changes nothing."""
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)} of a {obj._meta.model_name}")
    changed = [name for name, value in changes.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, changes[name])
    return changed


# What a list read records of a filter whose value could name someone (a search term, an address).
FILTER_PRESENT = "present"


# Paging and ordering, of the API ("page", "ordering") and of the admin ("p", "o").
LIST_PAGING = frozenset({"page", "page_size", "ordering", "o", "p"})


def list_filters(query: Mapping[str, str], *, kept: Iterable[str]) -> dict[str, str]:
    """The filters of a list request for its audit entry: the value of those in `kept` (choices,
    ids, dates, paging), only "present" for any other (a search term may be a name)."""
    kept = set(kept) | LIST_PAGING
    return {
        name: (str(query[name])[:100] if name in kept else FILTER_PRESENT)
        for name in sorted(query)
        if str(query[name]).strip()
    }


class CentreRow(Protocol):
    """A row of a list read: it belongs to one centre."""

    @property
    def centre_id(self) -> int: ...


def audit_list_read(
    *,
    actor: AbstractBaseUser | None,
    model: type[models.Model],
    list_name: str,
    filters: Mapping[str, str],
    rows: Iterable[CentreRow],
    centre_ids: Iterable[int] = (),
) -> list[AuditLogEntry]:
    """Record that `actor` read a list: one entry per centre the list covered (`centre_ids`, the
    user's centres, and those of the rows shown), each with the list's name (as object id), its
    filters and how many of that centre's rows it showed. No row's values. Writes the entries in
    one query."""
    shown: dict[int, int] = {}
    for row in rows:
        shown[row.centre_id] = shown.get(row.centre_id, 0) + 1
    entries = [
        AuditLogEntry(
            centre_id=centre_id,
            actor_id=_actor_id(actor),
            action=AuditLogEntry.Action.LIST,
            object_type=model._meta.label_lower,
            object_id=list_name[:40],
            filters=dict(filters),
            row_count=shown.get(centre_id, 0),
        )
        for centre_id in sorted(set(centre_ids) | set(shown))
    ]
    return AuditLogEntry.objects.bulk_create(entries)
