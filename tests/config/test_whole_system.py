"""The whole system once, as an outsider meets it: gunicorn (platform/gunicorn.conf.py, DEBUG off)
and a Celery worker on Redis, against a PostgreSQL database the test migrates and seeds itself,
with mail going to a fake ESP. It sends hostile input of every kind issue 17 (section 5) found,
uses every signed link the mails carry, and then reads the logs of both processes:

- 0 answers with a 5xx status,
- 0 secret tokens (member, calendar, reset, portal, confirmation, unsubscribe, API) in any log line,
- 0 lost mails: every outbox row made is sent, or failed with its error; none waits or hangs.

Every check is collected before the one assertion, so a run names all that fail at once."""

import base64
import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from datetime import timedelta
from pathlib import Path

import environ
import psycopg
import pytest
import requests
from django.utils import timezone
from psycopg import sql

from meetings.member_links import member_token
from notifications.services.newsletters import subscriber_token_for
from tests.clock_ahead import CLOCK_VARIABLES
from tests.conftest import skip_or_fail
from tests.notifications.fake_esp import FakePostmark

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DEMO_PASSWORD = "kontakt-demo"  # centres.demo.DEMO_PASSWORD
WEBHOOK_AUTH = "Basic " + base64.b64encode(b"hook:secret").decode()
NESTED = "[" * 1000 + "]" * 1000
# Path prefixes of the links that act for someone: the segment after each is a secret.
SECRET_LINK = re.compile(
    r"/(?:m|m/absent|accounts/reset/[^/\s]+|volunteer/login|volunteer/confirm|volunteer/request|newsletter/confirm"
    r"|newsletter/unsubscribe|newsletter/preferences|calendar/people|staff/invitation|invitation)/([^/\s\"'<>]+?)(?:\.ics)?/?(?=[\s\"'<>]|$)"
)
CRLF_ENQUIRER = "crlf-enquiry@example.net"
ACCESS_STATUS = re.compile(r'"[A-Z]+ [^"]*" (\d{3}) ')

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


# --- the processes -------------------------------------------------------------------------------


class Process:
    """A child process whose output lines are collected as they come."""

    def __init__(self, name: str, args: list[str], env: dict[str, str]) -> None:
        self.name = name
        self.popen = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
        )
        self.lines: list[str] = []
        self.reader = threading.Thread(target=lambda: self.lines.extend(self.popen.stdout), daemon=True)
        self.reader.start()

    def wait_for(self, needle: str, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while needle not in "".join(self.lines):
            if time.monotonic() > deadline or self.popen.poll() is not None:
                raise AssertionError(f"{self.name} did not print {needle!r}:\n" + "".join(self.lines[-40:]))
            time.sleep(0.1)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)
        self.reader.join(timeout=5)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(args: list[str], env: dict[str, str], seconds: float = 120) -> str:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=seconds)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result.stdout + result.stderr


@pytest.fixture
def system_database():
    """A new PostgreSQL database beside the test database (dropped afterwards): the system
    migrates it itself."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        skip_or_fail("this test needs PostgreSQL (set DATABASE_URL)")
    config = environ.Env.db_url_config(url)
    name = f"{config['NAME'][:30]}_system_{uuid.uuid4().hex[:8]}"
    server = {
        "host": config.get("HOST") or "127.0.0.1",
        "port": config.get("PORT") or 5432,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    parts = urllib.parse.urlsplit(url)
    yield parts._replace(path=f"/{name}").geturl(), {"dbname": name, **server}
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def system(system_database, redis_url, tmp_path):
    """gunicorn and a worker on a migrated, seeded database; yields (base URL, database
    connection, fake ESP, processes)."""
    database_url, connect_args = system_database
    fake_esp = FakePostmark()
    port = free_port()
    env = {
        key: os.environ[key] for key in ("PATH", "HOME", "LANG", "SECRET_KEY", *CLOCK_VARIABLES) if key in os.environ
    }
    env.update(
        ENV_FILE="",
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        STATIC_ROOT=str(tmp_path / "static"),
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        # Its own key prefix: the rate limits of earlier runs must not count (5 resets an hour).
        CACHE_URL=f"{redis_url}?key_prefix=system-{uuid.uuid4().hex[:8]}",
        EMAIL_ESP="postmark",
        ANYMAIL_POSTMARK_SERVER_TOKEN="test-token",
        ANYMAIL_POSTMARK_API_URL=fake_esp.url,
        ANYMAIL_WEBHOOK_SECRET="hook:secret",
        SITE_URL=f"http://127.0.0.1:{port}",
        OUTBOX_RETRY_DELAYS="1,1,1,1",
        GUNICORN_WORKERS="2",
    )
    python = str(BIN / "python")
    static = subprocess.Popen(
        [python, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # Tasks other tests left in this Redis database belong to other databases: gone before the
    # seed queues its own.
    timings = {"start": time.monotonic()}
    run([str(BIN / "celery"), "-A", "config", "purge", "--force"], env, seconds=60)
    run([python, "manage.py", "migrate", "--no-input", "-v0"], env, seconds=240)
    timings["migrated"] = time.monotonic()
    run([python, "manage.py", "seed_demo", "--force", "-v0"], env, seconds=120)
    assert static.wait(timeout=120) == 0, static.stderr.read()
    timings["seeded"] = time.monotonic()
    processes = [
        Process(
            "gunicorn",
            [
                str(BIN / "gunicorn"),
                "--config",
                "platform/gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
                "config.wsgi",
            ],
            env,
        ),
        Process(
            "worker",
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "worker",
                "--loglevel=INFO",
                "--concurrency=1",
                "--hostname=system@test",
                "--without-mingle",
                "--without-gossip",
            ],
            env,
        ),
    ]
    try:
        processes[0].wait_for("Booting worker", 60)
        processes[1].wait_for("system@test ready.", 60)
        timings["running"] = time.monotonic()
        with psycopg.connect(autocommit=True, **connect_args) as database:
            yield f"http://127.0.0.1:{port}", database, fake_esp, processes, timings
    finally:
        for process in processes:
            process.stop()
        fake_esp.stop()


# --- what the test does over HTTP ----------------------------------------------------------------


class Outsider:
    """A browser-like client that records every answer's status."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()
        self.answers: list[tuple[str, str, int]] = []

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        kwargs.setdefault("allow_redirects", False)
        response = self.session.request(method, self.base + path, **kwargs)
        self.answers.append((method, path, response.status_code))
        return response

    def form(self, path: str, data: dict, *, page: str | None = None) -> requests.Response:
        """POST a form the way a browser does: GET its page first for the CSRF token."""
        html = self.request("GET", page or path).text
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        return self.request("POST", path, data={**data, "csrfmiddlewaretoken": found[1] if found else ""})


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return bool(condition())


def mail_links(fake_esp: FakePostmark, recipient: str) -> list[str]:
    bodies = [
        (message.get("TextBody") or "") + (message.get("HtmlBody") or "")
        for message in list(fake_esp.accepted)
        if message["To"].endswith(recipient)
    ]
    return re.findall(r"https?://[^\s\"'<>]+", "\n".join(bodies))


def link_path(links: list[str], part: str) -> str | None:
    paths = [urllib.parse.urlsplit(link).path for link in links if part in link]
    return paths[-1] if paths else None


def one(database: psycopg.Connection, query: str, *params):
    return database.execute(query, params).fetchone()


# --- the test ------------------------------------------------------------------------------------


class Run:
    """One pass of hostile input: what was sent, which tokens exist, what went wrong."""

    def __init__(self, base: str, database: psycopg.Connection, fake_esp: FakePostmark) -> None:
        self.base, self.database, self.fake_esp = base, database, fake_esp
        self.web = Outsider(base)
        self.problems: list[str] = []
        self.tokens: set[str] = set()
        self.centre_id = one(database, "SELECT id FROM centres_centre WHERE slug = 'hannover-linden'")[0]
        self.group_id, self.group_public_id, self.room_id = one(
            database,
            "SELECT g.id, g.public_id, s.room_id FROM meetings_group g JOIN meetings_meetingseries s "
            "ON s.group_id = g.id WHERE g.centre_id = %s AND NOT g.discreet AND g.publicly_listed "
            "ORDER BY g.id LIMIT 1",
            self.centre_id,
        )
        # An API token for a coordinator (a secret too: it must not reach a log either).
        answer = self.web.request("POST", "/api/v1/auth/token/", json={"username": "anna", "password": DEMO_PASSWORD})
        self.expect("API token for anna", answer, 200)
        api_token = answer.json().get("token", "") if answer.status_code == 200 else ""
        self.tokens.add(api_token)
        self.api = {"Authorization": f"Token {api_token}"}

    def expect(self, what: str, response: requests.Response, *statuses: int) -> None:
        if response.status_code not in statuses:
            expected = " or ".join(map(str, statuses))
            self.problems.append(f"{what}: answered {response.status_code}, expected {expected}")

    def api_call(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.web.request(method, path, headers={**self.api, **kwargs.pop("headers", {})}, **kwargs)


def send_hostile_api_input(run: Run) -> None:
    """Nested JSON, a DST-gap start, a 256-character username, a line break in a group name, the
    BYSETPOS rule that made dateutil search for seconds."""
    json_body = {"Content-Type": "application/json"}
    run.expect(
        "nested JSON, token endpoint",
        run.web.request("POST", "/api/v1/auth/token/", data=NESTED, headers=json_body),
        400,
    )
    run.expect(
        "nested JSON, meetings API", run.api_call("POST", "/api/v1/meetings/", data=NESTED, headers=json_body), 400
    )
    # Europe/Berlin skips 02:00-03:00 on 2027-03-28.
    gap = {"group": run.group_id, "room": run.room_id, "starts_at": "2027-03-28T02:30:00"}
    gap["ends_at"] = "2027-03-28T04:00:00"
    run.expect("meeting in the DST gap", run.api_call("POST", "/api/v1/meetings/", json=gap), 400)
    answer = run.web.request("POST", "/api/v1/auth/token/", json={"username": "u" * 256, "password": "x"})
    run.expect("256-character username", answer, 400)
    answer = run.api_call("PATCH", f"/api/v1/groups/{run.group_id}/", json={"name": "Gruppe\nZwei"})
    run.expect("group name with a line break", answer, 400)
    run.expect("group feed after that", run.web.request("GET", f"/calendar/groups/{run.group_public_id}.ics"), 200)
    preview = {"room": run.room_id, "rule": "FREQ=DAILY;BYSETPOS=2", "start_time": "19:00", "duration_minutes": 60}
    preview["starts_on"] = str(timezone.localdate() + timedelta(days=7))
    before = time.monotonic()
    run.expect("BYSETPOS rule preview", run.api_call("POST", "/api/v1/series/preview/", json=preview), 400)
    if time.monotonic() - before > 2:
        run.problems.append(f"the BYSETPOS rule preview held a web worker {time.monotonic() - before:.1f} s")


def store(run: Run, query: str, *params) -> None:
    """Write a value as an older version would have stored it; a database constraint that
    refuses it is as good (the value can then never be met)."""
    with contextlib.suppress(psycopg.errors.IntegrityError):
        run.database.execute(query, params)


def send_hostile_stored_values(run: Run) -> None:
    """Values stored before they were checked: a line break in a group's name (its feed), and a
    CR/LF in a centre's sender name (a mail from that centre: an enquiry's acknowledgement)."""
    stored_id, stored_public_id = one(
        run.database,
        "SELECT id, public_id FROM meetings_group WHERE centre_id = %s AND id <> %s AND NOT discreet "
        "AND publicly_listed ORDER BY id LIMIT 1",
        run.centre_id,
        run.group_id,
    )
    store(run, "UPDATE meetings_group SET name = %s WHERE id = %s", "Alt\r\nX-INJECTED:1", stored_id)
    feed = run.web.request("GET", f"/calendar/groups/{stored_public_id}.ics")
    run.expect("feed of a group with a stored line break", feed, 200)
    if "\r\nX-INJECTED" in feed.text:
        run.problems.append("a stored line break in a group name injected a line into its feed")
    aarhus = one(run.database, "SELECT id FROM centres_centre WHERE slug = 'aarhus'")[0]
    store(run, "UPDATE centres_centre SET sender_name = %s WHERE id = %s", "Aarhus\r\nBcc: x@example.org", aarhus)
    topic = one(run.database, "SELECT id FROM meetings_topic WHERE centre_id = %s ORDER BY id LIMIT 1", aarhus)
    enquiry = {
        "name": "Ukendt",
        "email": CRLF_ENQUIRER,
        "language": "da",
        "consent": "on",
        "topics": [topic[0]] if topic else [],
        "message": "Hej",
        "evening": "on",
    }
    run.expect("enquiry to the centre with a CR/LF sender", run.web.form("/centres/aarhus/enquiry/", enquiry), 200, 302)


def open_admin_and_webhooks(run: Run) -> None:
    """The centre's change page in the admin (superuser and centre admin); malformed JSON with
    valid basic auth on the ESP's webhook, and the webhook of an ESP not in use."""
    for username in ("admin", "leitung"):
        admin = Outsider(run.base)
        login = admin.form("/admin/login/?next=/admin/", {"username": username, "password": DEMO_PASSWORD})
        run.expect(f"admin login as {username}", login, 302)
        page = admin.request("GET", f"/admin/centres/centre/{run.centre_id}/change/")
        run.expect(f"centre change page as {username}", page, 200)
        run.web.answers += admin.answers
    hook = {"Content-Type": "application/json", "Authorization": WEBHOOK_AUTH}
    for what, esp, body, status in (
        ("malformed webhook JSON", "postmark", "{not json", 400),
        ("nested webhook JSON", "postmark", NESTED, 400),
        ("webhook of an ESP not in use", "mailgun", "{}", 404),
    ):
        run.expect(what, run.web.request("POST", f"/anymail/{esp}/tracking/", data=body, headers=hook), status)


def use_mailed_links(run: Run) -> None:
    """Subscribe to two lists, ask for a password reset and a portal link; then use each link
    the mails bring, and unsubscribe from both lists in one click."""
    public_lists = "SELECT id FROM notifications_newsletterlist WHERE centre_id = %s AND is_public ORDER BY id"
    lists = [row[0] for row in run.database.execute(public_lists, (run.centre_id,))]
    subscriber, staff = "two-lists@example.net", "leitung@hannover-linden.example.org"
    volunteer = one(
        run.database,
        "SELECT p.email FROM volunteers_volunteer v JOIN centres_person p ON p.id = v.person_id WHERE v.centre_id = %s "
        "AND v.email_confirmed_at IS NOT NULL AND v.status IN ('active', 'trained', 'screened') ORDER BY v.id LIMIT 1",
        run.centre_id,
    )[0]
    subscribe = {"email": subscriber, "language": "de", "newsletters": lists}
    run.expect("subscribe to two lists", run.web.form("/centres/hannover-linden/newsletter/", subscribe), 200)
    run.expect("password reset request", run.web.form("/admin/password_reset/", {"email": staff}), 302)
    run.expect("portal link request", run.web.form("/volunteer/login/", {"way": "link", "link-email": volunteer}), 200)
    asked = ((staff, "/accounts/reset/", "password reset"), (volunteer, "/volunteer/login/", "portal login"))
    asked += ((subscriber, "/newsletter/confirm/", "newsletter confirmation"),)
    # One wait for the worker to send all three.
    wait_until(lambda: all(link_path(mail_links(run.fake_esp, to), part) for to, part, _what in asked), 20)
    for recipient, part, what in asked:
        link = link_path(mail_links(run.fake_esp, recipient), part)
        if link is None:
            run.problems.append(f"no {what} mail arrived")
        elif part == "/newsletter/confirm/":
            run.expect("confirm two lists", run.web.form(link, {}), 200)
        else:
            run.expect(f"{what} link", run.web.request("GET", link), 200, 302)
    person = one(run.database, "SELECT id FROM centres_person WHERE email = %s", subscriber)
    if len(lists) < 2 or person is None:
        run.problems.append(f"no subscriber to two lists (lists: {len(lists)})")
        return
    unsubscribe = f"/newsletter/unsubscribe/{subscriber_token_for(person[0])}/"
    run.tokens.add(unsubscribe.split("/")[3])
    run.expect(
        "one-click unsubscribe from two lists",
        run.web.request("POST", unsubscribe, data={"List-Unsubscribe": "One-Click"}),
        200,
    )
    still = one(
        run.database,
        "SELECT count(*) FROM notifications_subscription WHERE person_id = %s AND status IN ('pending', 'confirmed')",
        person[0],
    )[0]
    if still:
        run.problems.append(f"after the one-click unsubscribe {still} subscriptions are still on")


def use_member_links(run: Run) -> None:
    """A member's page and private feed, and a forged member link (whose 404 is logged)."""
    membership, person = one(
        run.database,
        "SELECT id, person_id FROM meetings_membership WHERE centre_id = %s AND left_on IS NULL ORDER BY id LIMIT 1",
        run.centre_id,
    )
    member, forged = member_token(purpose="manage", membership_id=membership), "forged" + uuid.uuid4().hex
    run.tokens.update({member, forged})
    run.expect("member page", run.web.request("GET", f"/m/{member}/"), 200)
    run.expect("forged member link", run.web.request("GET", f"/m/{forged}/"), 404)
    answer = run.api_call("POST", "/api/v1/calendar-links/", json={"person": person})
    run.expect("private calendar link", answer, 201)
    if answer.status_code == 201:
        feed = urllib.parse.urlsplit(answer.json()["url"]).path
        run.tokens.add(feed.rsplit("/", 1)[1].removesuffix(".ics"))
        run.expect("private calendar feed", run.web.request("GET", feed), 200)


def check_mail(run: Run) -> int:
    """Every outbox row made is sent, or failed with its error; no row or mail request waits.
    Returns how many rows were made."""

    def unsettled() -> list[tuple]:
        rows = run.database.execute(
            "SELECT id, kind, status, last_error FROM notifications_outgoingmail WHERE status IN ('queued', 'sending')"
        ).fetchall()
        if one(run.database, "SELECT to_regclass('notifications_mailrequest')")[0]:
            rows += run.database.execute(
                "SELECT id, kind, 'a waiting request', last_error FROM notifications_mailrequest"
            ).fetchall()
        return rows

    wait_until(lambda: not unsettled(), 15)
    run.problems += [f"mail {row[0]} ({row[1]}) is still {row[2]} {row[3] or ''}".strip() for row in unsettled()]
    run.problems += [
        f"mail {row[0]} ({row[1]}) failed without an error"
        for row in run.database.execute(
            "SELECT id, kind FROM notifications_outgoingmail WHERE status = 'failed' AND last_error = ''"
        ).fetchall()
    ]
    if not one(run.database, "SELECT count(*) FROM notifications_outgoingmail WHERE recipient = %s", CRLF_ENQUIRER)[0]:
        run.problems.append("the enquiry to the centre with a CR/LF sender name made no acknowledgement")
    for message in list(run.fake_esp.accepted):
        headers = [message.get("From") or "", message.get("Subject") or ""]
        headers += [header.get("Value") or "" for header in message.get("Headers") or []]
        if any("\r" in value or "\n" in value for value in headers):
            run.problems.append(f"a mail to the ESP has a header of more than one line: {headers[0][:60]!r}")
    made = one(run.database, "SELECT count(*) FROM notifications_outgoingmail")[0]
    if made == 0 or not run.fake_esp.accepted:
        run.problems.append(f"no mail went out ({made} outbox rows, {len(run.fake_esp.accepted)} accepted)")
    return made


def check_logs(run: Run, processes: list[Process]) -> tuple[int, int]:
    """No 5xx answer, no token and no error in any line of gunicorn's and the worker's logs.
    Returns how many tokens were looked for in how many lines."""
    for message in list(run.fake_esp.accepted):  # every secret link the mails carried, used or not
        text = (message.get("TextBody") or "") + (message.get("HtmlBody") or "")
        run.tokens.update(match[1] for match in SECRET_LINK.finditer(text))
    for process in processes:
        process.stop()
    lines = [(process.name, line.strip()) for process in processes for line in process.lines]
    statuses = [
        (line, found[1]) for name, line in lines if name == "gunicorn" and (found := ACCESS_STATUS.search(line))
    ]
    run.problems += [f"5xx in the access log: {line}" for line, status in statuses if status.startswith("5")]
    run.problems += [f"5xx: {method} {path[:60]} {status}" for method, path, status in run.web.answers if status >= 500]
    secrets = {token for token in run.tokens if len(token) >= 16}
    run.problems += [
        f"a token in the {name} log: {line[:160]}" for name, line in lines if any(token in line for token in secrets)
    ]
    run.problems += [
        f"{name} logged an error: {line[:160]}"
        for name, line in lines
        if "Traceback" in line or " ERROR " in line or " CRITICAL " in line
    ]
    if len(statuses) < len(run.web.answers):
        run.problems.append(f"the access log has {len(statuses)} lines for {len(run.web.answers)} requests")
    return len(secrets), len(lines)


def test_hostile_input_gives_no_5xx_no_token_in_a_log_and_loses_no_mail(system, capsys):
    base, database, fake_esp, processes, timings = system
    started = time.monotonic()
    run = Run(base, database, fake_esp)
    send_hostile_api_input(run)
    send_hostile_stored_values(run)
    open_admin_and_webhooks(run)
    use_mailed_links(run)
    use_member_links(run)
    made = check_mail(run)
    secrets, lines = check_logs(run, processes)
    summary = (
        f"\nwhole system: {len(run.web.answers)} requests, {secrets} tokens looked for in {lines} log lines, "
        f"{made} outbox rows, {len(fake_esp.accepted)} mails accepted; {time.monotonic() - started:.1f} s "
        f"(set-up: migrate {timings['migrated'] - timings['start']:.1f} s, seed and static "
        f"{timings['seeded'] - timings['migrated']:.1f} s, start {timings['running'] - timings['seeded']:.1f} s)\n"
    )
    with capsys.disabled():
        sys.stdout.write(summary)
    assert run.problems == [], "\n".join(run.problems)
