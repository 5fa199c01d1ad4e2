"""Requests from public pages that may lead to a mail (see `MailRequest`): stored by the page,
decided by a worker, queued again by the outbox flush when their task was lost.

Apps register the handler of their kind in `AppConfig.ready` (`mail_request_handler_register`);
a handler runs inside the transaction that deletes the row, so what it writes (a person, an
outbox row) and the row's end commit together: a request is handled once, whatever the broker
does.
"""

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from centres.models import Centre
from notifications.models import MailRequest

logger = logging.getLogger(__name__)

# A request that failed this often (a defect in its handler) is left for a person to look at.
MAX_ATTEMPTS = 5

Handler = Callable[[Centre | None, dict[str, Any]], None]
_handlers: dict[str, Handler] = {}


def mail_request_handler_register(*, kind: str, handler: Handler) -> None:
    """Say which function decides requests of `kind`: it gets the centre (None for a password
    reset) and the payload, and writes what the request leads to."""
    _handlers[kind] = handler


def mail_request_store(*, kind: str, centre: Centre | None, payload: dict[str, Any]) -> None:
    """Store one request and queue its task after the current transaction commits. Writes one
    row, the same for every address: the page's answer tells nothing about accounts. The payload
    holds ids and the form's values, never a token."""
    request = MailRequest.objects.create(kind=kind, centre=centre, payload=payload)
    transaction.on_commit(lambda: _handle_later([request.pk]))


def _handle_later(request_ids: list[int]) -> None:
    """With the broker down, the rows wait for the outbox flush; the page still answers."""
    from notifications.tasks import handle_mail_request

    try:
        for request_id in request_ids:
            handle_mail_request.delay(request_id)
    except KombuOperationalError:
        logger.warning("broker unreachable; %s mail requests wait for the outbox flush", len(request_ids))


def mail_request_handle(*, request_id: int) -> bool:
    """Decide one request: lock its row (skipping one another worker holds), run its kind's
    handler and delete the row, in one transaction. A handler that raises leaves the row with
    one more attempt and the error's type, for the flush to try again. Returns whether this call
    handled it (False: handled already, or held by another worker)."""
    try:
        with transaction.atomic():
            rows = MailRequest.objects.filter(pk=request_id, attempts__lt=MAX_ATTEMPTS)
            if connection.features.has_select_for_update_skip_locked:
                rows = rows.select_for_update(skip_locked=True)
            # No select_related: a row can't be locked FOR UPDATE through an outer join.
            request = rows.first()
            if request is None:
                return False
            _handlers[request.kind](request.centre, request.payload)
            request.delete()
    except Exception as error:
        # Only the type: the message of an error about the payload may quote what was typed.
        MailRequest.objects.filter(pk=request_id).update(
            attempts=F("attempts") + 1, last_error=type(error).__name__[:200]
        )
        logger.error("mail request %s failed: %s", request_id, type(error).__name__)
        return False
    return True


def mail_requests_requeue(*, older_than: timedelta = timedelta(minutes=2), limit: int = 5000) -> int:
    """Queue the task again for requests still waiting after `older_than` (their task was lost
    with a broker restart or a dead worker). Handling locks and deletes the row, so a request
    queued twice is still handled once. Returns how many were queued."""
    ids = list(
        MailRequest.objects.filter(created_at__lt=timezone.now() - older_than, attempts__lt=MAX_ATTEMPTS).values_list(
            "pk", flat=True
        )[:limit]
    )
    if ids:
        transaction.on_commit(lambda: _handle_later(ids))
    return len(ids)
