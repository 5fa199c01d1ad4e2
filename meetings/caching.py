"""Short-lived caches of what a centre's calendar shows: the week in the API, the room planner
and the group finder's list.

Every change to a centre's calendar adds a `CalendarChange` row in the same transaction, from the
model signals below or, for bulk writes that send no signals, from the service that writes
(`calendar_changed`). The newest row's id is the centre's calendar *version* and part of every
cache key. A reader that sees a new version therefore sees the data of that change too (one
commit), so an answer cached under a version is never older than the version says; an answer
cached under an old version is simply never asked for again and expires. The version comes from
the database, not from the cache, so this holds with a cache per process (locmem) as with Redis.
"""

import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.db.models import Max
from django.db.models.signals import post_delete, post_save
from django.utils.translation import get_language
from django_scopes import get_scope

from centres.models import Centre

API_SECONDS = 300
FINDER_SECONDS = 60  # the finder also depends on the clock (the next meeting), so briefly


def calendar_changed(centre_ids: Iterable[int] | int) -> None:
    """Record that these centres' calendars changed (inside the writer's transaction)."""
    from meetings.models import CalendarChange

    ids = {centre_ids} if isinstance(centre_ids, int) else set(centre_ids)
    CalendarChange.objects.bulk_create([CalendarChange(centre_id=centre_id) for centre_id in sorted(ids) if centre_id])


def calendar_version(centre_ids: Iterable[int] | None) -> int:
    """The newest change among these centres (None: all centres), in one indexed query."""
    from meetings.models import CalendarChange

    changes = CalendarChange.objects.all()
    if centre_ids is not None:
        changes = changes.filter(centre_id__in=list(centre_ids))
    return changes.aggregate(newest=Max("id"))["newest"] or 0


def scope_centre_ids() -> list[int] | None:
    """The centres the active tenant scope sees; None when the scope is off (all centres)."""
    scope = get_scope()
    if not scope.get("_enabled", False):
        return None
    return sorted(scope.get("centre") or [])


def cached(name: str, centre_ids: Iterable[int] | None, parts: Iterable[Any], compute: Callable[[], Any], *,
           seconds: int = API_SECONDS) -> Any:  # fmt: skip
    """`compute()`, or its answer from the cache for the same centres, calendar version,
    language and `parts`. Only the caller's own centres are part of the key, so an answer for
    one set of centres never serves another."""
    ids = None if centre_ids is None else sorted(set(centre_ids))
    version = calendar_version(ids)
    described = repr(("all" if ids is None else ids, get_language() or "", *parts))
    # Hashed: a query string may be long and hold any character; the version stays readable.
    key = f"calendar:{name}:{version}:{hashlib.sha256(described.encode()).hexdigest()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        if value is not None:  # None: nothing to keep (an error answer)
            cache.set(key, value, seconds)
    return value


def prune_changes(centre_id: int) -> int:
    """Keep only the centre's newest change row: the version stays, the table stays small."""
    from meetings.models import CalendarChange

    newest = calendar_version([centre_id])
    deleted, _ = CalendarChange.objects.filter(centre_id=centre_id, id__lt=newest).delete()
    return deleted


def _changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):  # loading fixtures
        return
    centre_id = instance.pk if sender is Centre else getattr(instance, "centre_id", None)
    if centre_id is None:
        return
    calendar_changed(centre_id)


def connect() -> None:
    """Called from the app's `ready()`: every model whose rows the cached answers show."""
    from meetings.models import Closure, Group, Location, Meeting, MeetingSeries, OpeningHours, Room, Topic

    for model in (Centre, Closure, Group, Location, Meeting, MeetingSeries, OpeningHours, Room, Topic):
        post_save.connect(_changed, sender=model, dispatch_uid=f"calendar-changed-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"calendar-changed-delete-{model.__name__}")
