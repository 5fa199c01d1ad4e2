"""Short-lived caches of what a centre's calendar shows: the week in the API, the room planner
and the group finder's list.

Every change to a centre's calendar adds a `CalendarChange` row in the same transaction, from the
model signals below or, for bulk writes that send no signals, from the service that writes
(`calendar_changed`). The newest row's id is the centre's calendar *version* and part of every
cache key. A reader that sees a new version therefore sees the data of that change too (one
commit), so an answer cached under a version is never older than the version says; an answer
cached under an old version is simply never asked for again and expires. The version comes from
the database, not from the cache, so this holds with a cache per process (locmem) as with Redis.

Not seen: rows loaded with `loaddata` (raw saves) and data migrations, which send no signals;
answers made before them live out their few minutes. Such a migration should call
`calendar_changed` for the centres it touches.
"""

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import caches
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import get_language
from django_scopes import get_scope
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from centres.models import Centre

API_SECONDS = 300
# Part of every key: bump it when what is cached changes shape, so that a deploy never reads
# entries that the previous release left in a shared cache.
KEY_FORMAT = 1
FINDER_SECONDS = 60  # the finder also depends on the clock (the next meeting), so briefly


def calendar_changed(centre_ids: Iterable[int] | int) -> None:
    """Record that these centres' calendars changed: once inside the writer's transaction, and
    once more right after it commits.

    The second row is what makes the version safe on PostgreSQL, where ids are handed out at
    insert, not at commit: a transaction that began its change earlier can commit after one
    that began later, and its own row (the smaller id) would then not move the version. The row
    written after commit always gets an id newer than every answer read before the commit. The
    first row lets the writer's own transaction (and a test, which never commits) see the
    change. A change rolled back writes neither."""
    from meetings.models import CalendarChange

    ids = sorted({centre_ids} if isinstance(centre_ids, int) else {centre_id for centre_id in centre_ids if centre_id})
    if not ids:
        return

    def record() -> None:
        CalendarChange.objects.bulk_create([CalendarChange(centre_id=centre_id) for centre_id in ids])

    record()
    if connection.in_atomic_block:
        transaction.on_commit(record, robust=True)


def calendar_version(centre_ids: Iterable[int] | None) -> int:
    """The newest change among these centres (None: all centres), in one indexed query. Plain
    SQL: it runs on every cached answer, and building the ORM's aggregate cost more than it."""
    from meetings.models import CalendarChange

    table = CalendarChange._meta.db_table
    with connection.cursor() as cursor:
        if centre_ids is None:
            cursor.execute(f"SELECT MAX(id) FROM {table}")  # noqa: S608 (the model's own table name)
        else:
            ids = list(centre_ids) or [0]
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(f"SELECT MAX(id) FROM {table} WHERE centre_id IN ({marks})", ids)  # noqa: S608
        return cursor.fetchone()[0] or 0


def scope_centre_ids() -> list[int] | None:
    """The centres the active tenant scope sees; None when the scope is off (all centres)."""
    scope = get_scope()
    if not scope.get("_enabled", False):
        return None
    return sorted(scope.get("centre") or [])


def cached(name: str, centre_ids: Iterable[int] | None, parts: Iterable[Any], compute: Callable[[], Any], *,
           seconds: int = API_SECONDS, store: str = "calendar") -> Any:  # fmt: skip
    """`compute()`, or its answer from the cache for the same centres, calendar version,
    language and `parts`. Only the caller's own centres are part of the key, so an answer for
    one set of centres never serves another."""
    ids = None if centre_ids is None else sorted(set(centre_ids))
    version = calendar_version(ids)
    described = repr(("all" if ids is None else ids, get_language() or "", *parts))
    # Hashed: a query string may be long and hold any character; the version stays readable.
    key = f"calendar{KEY_FORMAT}:{name}:{version}:{hashlib.sha256(described.encode()).hexdigest()}"
    cache = caches[store]
    value = cache.get(key)
    if value is None:
        value = compute()
        if value is not None:  # None: nothing to keep (an error answer)
            cache.set(key, value, seconds)
    return value


def cached_json(request, name: str, centre_ids: Iterable[int] | None, parts: Iterable[Any],
                respond: Callable[[], Response]) -> HttpResponseBase:  # fmt: skip
    """For an API view: `respond()`'s answer, or the same answer from the cache already rendered
    as JSON, so that an unchanged week costs neither serialising nor encoding. Only a 200 is
    kept; errors and other formats (the browsable API) are answered as usual."""
    made: list[Response] = []

    def render() -> bytes | None:
        response = respond()
        made.append(response)
        return JSONRenderer().render(response.data) if response.status_code == 200 else None

    body = cached(name, centre_ids, parts, render)
    if made:
        return made[0]
    if getattr(request.accepted_renderer, "format", "json") != "json":
        return Response(json.loads(body))
    return HttpResponse(body, content_type="application/json")


def clear() -> None:
    """Forget every cached calendar answer of this process (benchmarks and tests measuring the
    making of answers)."""
    for store in ("calendar", "calendar-public"):
        caches[store].clear()


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
