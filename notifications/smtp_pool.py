"""One SMTP connection per worker process, kept open from one send task to the next.

SMTP has no batch API: each mail is its own transaction on the connection. What costs is opening
it (TCP, STARTTLS, AUTH), so a worker opens it once and reuses it for every task, for as long as
it stays healthy. Before reuse, a connection idle for a while is checked with NOOP and opened
again if the server has dropped it; a connection that failed while sending is closed by the
sender and opened again by the next mail.
"""

import smtplib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.mail import get_connection

# A connection unused this long is checked before reuse (servers drop idle ones after 1-5 min).
CHECK_AFTER_IDLE_SECONDS = 15.0

_pooled: Any = None  # the process's EmailBackend, made on first use
_last_used = 0.0


def _healthy(backend: Any) -> bool:
    if backend.connection is None:
        return False
    if time.monotonic() - _last_used < CHECK_AFTER_IDLE_SECONDS:
        return True
    try:
        return backend.connection.noop()[0] == 250
    except (smtplib.SMTPException, OSError):
        return False


@contextmanager
def connection() -> Iterator[Any]:
    """The process's SMTP connection, open; it stays open after the block."""
    global _pooled, _last_used
    if _pooled is None:
        _pooled = get_connection()
    backend = _pooled
    if not _healthy(backend):
        backend.close()
        backend.open()
    try:
        yield backend
    finally:
        _last_used = time.monotonic()


def close() -> None:
    """Close the process's connection (the tests between servers; a worker's connection is
    otherwise closed with its process)."""
    global _pooled
    if _pooled is not None:
        _pooled.close()
        _pooled = None
