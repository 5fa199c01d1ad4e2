"""Heavy read-only reports may read from a read replica: with DATABASE_REPLICA_URL set, the reads
made inside `replica_reads()` (the year report and the federation's figures, with their
downloads) go to the `replica` database; everything else, and every write, goes to `default`.
Without a replica the context changes nothing.

Only the figures are computed there: who may see them (the user, their role) is read from
`default` before, so a role given a moment ago is never refused for replication lag. A replica
is never migrated: it copies `default`."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings

REPLICA = "replica"
_reading_from_replica: ContextVar[bool] = ContextVar("reading_from_replica", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    token = _reading_from_replica.set(True)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if _reading_from_replica.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, first: Any, second: Any, **hints: Any) -> bool | None:
        return True  # the same rows, whichever copy they were read from

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA
