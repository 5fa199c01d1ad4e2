"""A request id in every log line a request causes, in the web process and in the tasks it
queues: the middleware takes a well-formed `X-Request-ID` from the proxy (or makes one), answers
with it, and keeps it in a context variable; Celery carries it in a message header; the logging
filter puts it on every record as `request_id` ("-" outside a request)."""

import contextvars
import logging
import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
HEADER = "request_id"  # the Celery message header that carries it
# What a proxy may send: letters, digits and dashes, 8 to 64 of them. Anything else is replaced,
# so a client cannot write into the logs.
WELL_FORMED = re.compile(r"[A-Za-z0-9-]{8,64}")


def new_request_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        sent = request.headers.get("X-Request-ID", "")
        request_id = sent if WELL_FORMED.fullmatch(sent) else new_request_id()
        # Kept until the response is closed (`request_finished`), so Django's own line about a
        # 404 or 500, written after the middleware, carries it too.
        REQUEST_ID.set(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


def request_id_forget(**_kwargs: object) -> None:
    """`request_finished`: lines after the request no longer name it."""
    REQUEST_ID.set("-")


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True
