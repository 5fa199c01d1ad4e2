"""No secret token reaches a log: Django's request warnings, gunicorn's access and error logs and
Celery's task lines all mask the token of every route that carries one (config.log_filters)."""

import contextlib
import io
import logging
import re
import runpy
import uuid
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client, RequestFactory, override_settings
from django.urls import URLPattern, get_resolver, resolve
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from gunicorn.config import Config

from centres.scoping import all_centres_scope
from config.celery import app
from config.log_filters import MaskSecretsFilter, is_secret_parameter, mask_secrets, secret_routes
from meetings.member_links import member_url
from tests.factories import MembershipFactory

ROOT = Path(__file__).resolve().parents[2]
SECRET = "S3cretT0kenValue_abc.def:ghi-jkl"
PARAMETER = re.compile(r"<(?:(?P<kind>[^>:]+):)?(?P<name>[^>]+)>")
SAMPLES = {"int": "7", "slug": "a-centre", "uuid": str(uuid.UUID(int=7)), "path": "x", "str": "x"}


def token_routes() -> list[tuple[str, str]]:
    """(route name, path with SECRET in every secret parameter) for every route with a secret,
    read from the URLconf as the redaction registry is."""
    found = []

    def walk(patterns, prefix: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if not isinstance(entry, URLPattern):
                walk(entry.url_patterns, route)
            elif any(is_secret_parameter(match["name"]) for match in PARAMETER.finditer(route)):
                path = PARAMETER.sub(
                    lambda match: SECRET if is_secret_parameter(match["name"]) else SAMPLES[match["kind"] or "str"],
                    route,
                )
                found.append((entry.name, "/" + path))

    walk(get_resolver().url_patterns, "")
    return found


TOKEN_ROUTES = token_routes()


@pytest.fixture
def log_output():
    """What the project's log handler writes (settings.LOGGING's "console"), from here on."""
    (handler,) = [handler for handler in logging.getLogger().handlers if handler.name == "console"]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


def test_the_registry_covers_every_route_that_carries_a_token():
    names = {name for name, _path in TOKEN_ROUTES}
    assert {
        "member-page",
        "member-absence",
        "newsletter-confirm",
        "newsletter-unsubscribe",
        "newsletter-preferences",
        "volunteer-confirm",
        "volunteer-request",
        "volunteer-login-link",
        "password_reset_confirm",
        "person-feed",
    } <= names
    for name, path in TOKEN_ROUTES:
        assert resolve(path.split("?")[0]).url_name == name
        masked = mask_secrets(f'"GET {path} HTTP/1.1" 404')
        assert SECRET not in masked, name
        assert "***" in masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Not Found: /m/abc.def:ghi/", "Not Found: /m/***/"),
        ("/m/absent/abc:def/", "/m/absent/***/"),
        ("/accounts/reset/MQ/set-password/", "/accounts/reset/***/***/"),
        ("GET /calendar/people/tok_en-1.ics", "GET /calendar/people/***.ics"),
        (
            "https://kontakt.example/sub/volunteer/login/ab:cd/?next=1",
            "https://kontakt.example/sub/volunteer/login/***/?next=1",
        ),
        ("redirected to /newsletter/confirm/abc:def", "redirected to /newsletter/confirm/***"),
        ("/centres/a-centre/groups/", "/centres/a-centre/groups/"),
    ],
)
def test_a_token_is_masked_wherever_its_path_appears(text, masked):
    assert mask_secrets(text) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("/share/a-group/abc:def/", "/share/a-group/***/"),
        ("/legacy/0123abcd/2/", "/legacy/***/2/"),
        ("/invite/abc:def/7/", "/invite/***/7/"),
        ("/da/letters/abc:def/", "/da/letters/***/"),
        ("/letters/abc:def/", "/letters/***/"),
    ],
)
def test_a_new_token_route_of_any_shape_is_covered_without_a_new_rule(text, masked):
    """A parameter named token or *_token, in a path or regex route, an include or i18n_patterns."""
    with urlconf("tests.config.log_urls"):
        assert mask_secrets(f"Not Found: {text}") == f"Not Found: {masked}"


def test_without_a_readable_urlconf_long_path_segments_are_masked():
    """Fail closed: a URLconf that does not import (every request answers 500 and is logged)."""
    with urlconf("tests.config.no_such_urlconf"):
        assert mask_secrets(f"Internal Server Error: /m/{SECRET}/") == "Internal Server Error: /m/***/"
        assert mask_secrets("Not Found: /centres/a-centre/") == "Not Found: /centres/a-centre/"


@contextlib.contextmanager
def urlconf(module: str):
    """The registry read from another URLconf, and from the project's again afterwards."""
    try:
        with override_settings(ROOT_URLCONF=module):
            secret_routes.cache_clear()
            yield
    finally:
        secret_routes.cache_clear()


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), TOKEN_ROUTES, ids=[name for name, _path in TOKEN_ROUTES])
def test_a_request_with_an_unknown_token_logs_no_token(name, path, log_output, caplog):
    """404s are logged by django.request, CSRF refusals by django.security: neither names the token."""
    Client().get(path)
    Client().get(path.rstrip("/"))  # answered with a redirect, or a 404
    Client(enforce_csrf_checks=True).post(path)
    written = log_output.getvalue()
    assert SECRET not in written
    assert SECRET.rpartition(":")[2] not in written
    assert SECRET not in caplog.text
    assert "***" in written  # something was logged, masked


@pytest.mark.django_db
def test_an_error_on_a_token_route_reports_no_token(log_output, monkeypatch):
    """The 500 report: its path, the exception's text and the traceback."""

    def broken(*, purpose: str, token: str):
        raise RuntimeError("cannot read /m/" + token + "/")

    monkeypatch.setattr("meetings.views.member.member_token_read", broken)
    answer = Client(raise_request_exception=False).get(f"/m/{SECRET}/")
    written = log_output.getvalue()
    assert answer.status_code == 500
    assert "Internal Server Error: /m/***/" in written
    assert "RuntimeError: cannot read /m/***/" in written
    assert SECRET not in written


@pytest.mark.django_db
def test_a_link_that_opens_its_page_leaves_no_token_in_any_log(client, centre_a, centre_admin_a, log_output, caplog):
    with all_centres_scope():
        membership = MembershipFactory(group__centre=centre_a)
    links = [
        member_url(purpose="manage", membership_id=membership.pk),
        f"/accounts/reset/{urlsafe_base64_encode(force_bytes(centre_admin_a.pk))}/"
        f"{default_token_generator.make_token(centre_admin_a)}/",
    ]
    lines = io.StringIO()
    logger = gunicorn_logger(lines)
    for link in links:
        path = "/" + link.split("/", 3)[3] if link.startswith("http") else link
        response = client.get(path)
        assert response.status_code in (200, 302), path
        logger.access(*gunicorn_request(path, response))
        token = path.rstrip("/").rsplit("/", 1)[1]
        assert token not in lines.getvalue() + log_output.getvalue() + caplog.text
    assert lines.getvalue().count("***") >= 2


# --- gunicorn -------------------------------------------------------------------------------------

# Every atom that can hold a path or a credential, beyond the deployed format.
WIDE_FORMAT = '%(h)s "%(r)s" %(U)s %(q)s "%(f)s" %({raw_uri}e)s %({authorization}i)s %({location}o)s %(s)s'


def gunicorn_logger(stream: io.StringIO, access_log_format: str | None = None):
    """gunicorn's logger as platform/gunicorn.conf.py configures it, writing to `stream`."""
    settings = runpy.run_path(str(ROOT / "platform" / "gunicorn.conf.py"))
    config = Config()
    for name in ("accesslog", "access_log_format", "logger_class"):
        config.set(name, settings[name])
    if access_log_format:
        config.set("access_log_format", access_log_format)
    logger = config.logger_class(config)
    for log in (logger.access_log, logger.error_log):
        for handler in log.handlers:
            if getattr(handler, "_gunicorn", False):
                handler.setStream(stream)
    return logger


@pytest.fixture(autouse=True)
def _drop_gunicorn_handlers():
    yield
    for name in ("gunicorn.access", "gunicorn.error"):
        log = logging.getLogger(name)
        for handler in [handler for handler in log.handlers if getattr(handler, "_gunicorn", False)]:
            log.removeHandler(handler)


def gunicorn_request(path: str, response=None, query: str = "", headers: dict | None = None):
    environ = RequestFactory().get(path).environ
    raw_uri = path + ("?" + query if query else "")
    environ.update(
        RAW_URI=raw_uri, QUERY_STRING=query, SERVER_PROTOCOL="HTTP/1.1", HTTP_REFERER=f"https://kontakt.example{path}"
    )
    headers = {"Referer": environ["HTTP_REFERER"], **(headers or {})}
    status = f"{response.status_code} X" if response else "404 Not Found"
    response_headers = list(response.items()) if response else [("Location", f"https://kontakt.example{path}")]
    resp = SimpleNamespace(status=status, sent=123, headers=response_headers)
    req = SimpleNamespace(headers=list(headers.items()))
    return resp, req, environ, timedelta(milliseconds=12)


def test_gunicorns_access_log_masks_tokens_in_every_atom_and_drops_credentials():
    stream = io.StringIO()
    logger = gunicorn_logger(stream, WIDE_FORMAT)
    reset = f"/accounts/reset/MQ/{SECRET}/"
    logger.access(*gunicorn_request(reset, query="next=/m/x/", headers={"Authorization": "Token apitoken1234567890"}))
    line = stream.getvalue()
    assert SECRET not in line
    assert "apitoken1234567890" not in line
    assert "next=" not in line
    assert (
        '"GET /accounts/reset/***/***/ HTTP/1.1" /accounts/reset/***/***/ - "https://kontakt.example/accounts/reset/***/***/"'
        in line
    )


def test_gunicorns_deployed_access_format_masks_the_token():
    stream = io.StringIO()
    gunicorn_logger(stream).access(*gunicorn_request(f"/volunteer/login/{SECRET}/"))
    assert stream.getvalue().startswith('127.0.0.1 "GET /volunteer/login/***/" 404 123 0.012000s')


def test_gunicorns_error_log_masks_the_token():
    stream = io.StringIO()
    logger = gunicorn_logger(stream)
    try:
        raise ValueError(f"bad link /m/{SECRET}/")
    except ValueError:
        logger.exception("Error handling request %s", f"/m/{SECRET}/?page=2")
    written = stream.getvalue()
    assert "Error handling request /m/***/?page=2" in written
    assert "ValueError: bad link /m/***/" in written
    assert SECRET not in written


# --- every handler ------------------------------------------------------------------------------


def test_every_log_handler_of_the_project_masks_secrets():
    """A handler without the filter would write what the others mask (pytest's own are left out)."""
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in logging.root.manager.loggerDict)]
    handlers = {handler for log in loggers for handler in log.handlers}
    ours = [
        handler
        for handler in handlers
        if not type(handler).__module__.startswith("_pytest") and not isinstance(handler, logging.NullHandler)
    ]
    assert ours
    assert [handler for handler in ours if not any(isinstance(f, MaskSecretsFilter) for f in handler.filters)] == []


# --- Celery ---------------------------------------------------------------------------------------


def test_tasks_take_ids_never_tokens_or_addresses():
    """A task's arguments travel through the broker and appear in worker logs and monitors."""
    import inspect

    allowed = {"language"}
    for name, task in app.tasks.items():
        if name.startswith(("celery.", "tests.")):  # Celery's own, and the tests' (log_tasks.py) echo links on purpose
            continue
        for parameter in inspect.signature(task.run).parameters:
            assert parameter.endswith(("_id", "_ids")) or parameter in allowed, (name, parameter)


def test_a_tasks_argument_text_is_masked_when_sent(tmp_path):
    """The argsrepr a message carries (shown by the worker's log records, events and monitors)."""
    import json

    from celery import Celery

    folder = str(tmp_path)
    client = Celery(
        broker="filesystem://",
        broker_transport_options={"data_folder_in": folder, "data_folder_out": folder, "store_processed": False},
    )
    client.send_task("tests.echo_link", args=[f"https://kontakt.example/m/{SECRET}/"], kwargs={"next": f"/m/{SECRET}/"})
    (message_file,) = tmp_path.glob("*.msg")
    headers = json.loads(message_file.read_text())["headers"]
    assert headers["argsrepr"] == "['https://kontakt.example/m/***/']"
    assert headers["kwargsrepr"] == "{'next': '/m/***/'}"


def test_a_workers_task_lines_show_no_token(tmp_path):
    """A real worker: its received, success and failure lines, the traceback, and the task
    logger Celery sets up itself."""
    from celery import Celery

    from tests.config.test_celery import Process

    folder = tmp_path / "broker"
    (folder / "control").mkdir(parents=True)
    client = Celery(
        broker="filesystem://",
        broker_transport_options={
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "store_processed": False,
        },
    )
    link = f"https://kontakt.example/volunteer/login/{SECRET}/"
    client.send_task("tests.echo_link", args=[link])
    client.send_task("tests.fail_with_link", args=[link])
    worker = Process(
        ["worker", "--loglevel=INFO", "--concurrency=1", "--hostname=logs@test", "--include=tests.config.log_tasks"],
        {
            "BROKER_FOLDER": str(folder),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "CELERY_BEAT_SCHEDULE_FILENAME": str(tmp_path / "beat"),
        },
    )
    try:
        worker.wait_for("ValueError")
        worker.wait_for("task logger says")
    finally:
        worker.stop()
    output = "".join(worker.lines)
    assert "received" in output
    assert "succeeded" in output
    assert "https://kontakt.example/volunteer/login/***/" in output
    assert SECRET not in output
    assert SECRET.rpartition(":")[2] not in output


@pytest.mark.django_db
def test_what_a_visitor_searches_for_in_the_finder_reaches_no_log(log_output, caplog):
    """Words typed into the group finder may be a diagnosis and a home town: the finder and the
    access log keep neither, whether the search is understood, refused or not found."""
    words, place = "Borderline-Angehörige", "Quedlinburg-Süd"
    for query in (f"q={words}&place={place}", f"q={words * 9}", f"q={words}&page=0&place={place * 3}"):
        Client().get(f"/groups/?{query}")
        Client().get(f"/centres/nowhere/groups/?{query}")  # a 404, which django.request logs
        Client().post(f"/groups/?{query}")  # a 405, logged too
        stream = io.StringIO()
        gunicorn_logger(stream, WIDE_FORMAT).access(*gunicorn_request("/groups/", query=query))
        for written in (log_output.getvalue(), caplog.text, stream.getvalue()):
            assert "Borderline" not in written
            assert "Quedlinburg" not in written
    assert "/centres/nowhere/groups/" in log_output.getvalue()  # the 404 was logged, without its query
