"""A request id in every log line a request causes, carried into its tasks; JSON lines that
still mask every token; Sentry reports scrubbed of personal data."""

import io
import json
import logging
from types import SimpleNamespace

import pytest
from django.conf import settings

from config.celery import _carry_request_id, _drop_request_id, _take_request_id
from config.log_filters import MaskSecretsFilter, json_formatter
from config.request_id import REQUEST_ID, RequestIdFilter
from config.sentry import scrub

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    """The production handler (LOG_FORMAT=json), on django.request."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    formatter = settings.LOGGING["formatters"]["json"]
    handler.setFormatter(json_formatter(fmt=formatter["fmt"], rename_fields=formatter["rename_fields"]))
    handler.addFilter(RequestIdFilter())
    handler.addFilter(MaskSecretsFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


def test_every_answer_names_its_request_and_a_proxys_id_is_kept_only_when_well_formed(client):
    first, second = client.get("/"), client.get("/")
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert client.get("/", HTTP_X_REQUEST_ID="lb-7f3a9c21-0001")["X-Request-ID"] == "lb-7f3a9c21-0001"
    forged = client.get("/", HTTP_X_REQUEST_ID="x\nINFO fake line")["X-Request-ID"]
    assert "\n" not in forged
    assert len(forged) == 32


def test_a_log_line_is_json_with_the_request_id_and_no_token(client, json_lines):
    answer = client.get("/m/a-secret-member-token-value/extra/")
    assert answer.status_code == 404
    lines = json_lines()
    assert lines, "Django logs the 404"
    line = lines[-1]
    assert line["request_id"] == answer["X-Request-ID"]
    assert line["level"] == "WARNING"
    assert "a-secret-member-token-value" not in json.dumps(line)


def test_a_task_queued_in_a_request_logs_with_its_id():
    token = REQUEST_ID.set("req-1234567890")
    headers: dict = {}
    _carry_request_id(headers=headers)
    REQUEST_ID.reset(token)
    assert headers == {"request_id": "req-1234567890"}
    # The worker, with the message's headers on the task's request.
    _take_request_id(task=SimpleNamespace(request=SimpleNamespace(request_id="req-1234567890")))
    record = logging.LogRecord("celery.task", logging.INFO, __file__, 1, "sent", None, None)
    RequestIdFilter().filter(record)
    assert record.request_id == "req-1234567890"
    _drop_request_id()
    assert REQUEST_ID.get() == "-"
    # A header that is not an id is not written into the logs.
    _take_request_id(task=SimpleNamespace(request=SimpleNamespace(request_id="bad\nline")))
    assert REQUEST_ID.get() == "-"
    headers = {}
    _carry_request_id(headers=headers)  # outside a request nothing is added
    assert headers == {}


def test_a_sentry_report_leaves_without_personal_data_or_tokens():
    event = {
        "user": {"email": "anna@example.net", "ip_address": "10.0.0.1"},
        "request": {
            "url": "https://kontakt.example/m/secret-member-token-abc/",
            "data": {"email": "rosa@example.net"},
            "cookies": {"sessionid": "abc"},
            "headers": {"Authorization": "Token x"},
            "query_string": "email=rosa@example.net",
        },
        "message": "Could not reach rosa@example.net at +49 511 555 0142",
        "exception": {"values": [{"value": "GET /events/registration/eyJyIjo1fQ:1v:xyz/ failed"}]},
        "breadcrumbs": {"values": [{"message": "mail to ben@example.net"}]},
    }
    text = json.dumps(scrub(event))
    for personal in ("anna@", "rosa@", "ben@", "555 0142", "sessionid", "Token x", "secret-member-token", "eyJyIjo1fQ"):
        assert personal not in text, personal
    assert "[email]" in text
    assert "/m/***/" in text
