"""Scale-out: two web processes behind one address and three workers sharing the work, all of them
talking to PostgreSQL through PgBouncer in transaction mode (DATABASE_POOL_MODE=transaction).

- A coordinator logs in, reads pages and sends a newsletter through one address whose
  connections go to the two web processes in turn: the CSRF token one process gave is taken by
  the other, and the session one made is known to both (nothing is kept in a process).
- Three worker processes share the newsletter's 20,000 recipients: each runs some of its
  chunks, every recipient gets it once, and nothing waits or fails.
- PgBouncer hands a server connection to a client for one transaction only: server-side cursors
  and prepared statements would fail here, so the setting turns both off."""

import contextlib
import json
import os
import re
import shutil
import socket
import tempfile
import threading
import urllib.request
from pathlib import Path

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from notifications.models import OutgoingMail
from notifications.services.newsletter_issues import issue_create
from tests.clock_ahead import CLOCK_VARIABLES
from tests.config.test_replica import python_says
from tests.config.test_whole_system import BIN, Process, free_port, run, wait_until
from tests.conftest import skip_or_fail
from tests.factories import every
from tests.notifications.test_priorities import newsletter_with_subscribers, start_fake_esp

pytestmark = pytest.mark.usefixtures("unscoped")

SUBSCRIBERS = 20_000


@pytest.fixture
def pgbouncer(requires_postgres):
    """PgBouncer in transaction mode in front of the test's PostgreSQL, with fewer server
    connections than clients, so that clients really share them."""
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not os.path.exists(binary):
        skip_or_fail("this test needs PgBouncer (Debian: apt-get install pgbouncer)")
    database = connection.settings_dict
    folder = Path(tempfile.mkdtemp(prefix="kontakt-pgbouncer-"))
    folder.chmod(0o755)  # PgBouncer will not run as root: it drops to the postgres user
    port = free_port()
    ini = folder / "pgbouncer.ini"
    ini.write_text(
        "[databases]\n"
        f"* = host={database['HOST'] or '127.0.0.1'} port={database['PORT'] or 5432} user={database['USER']}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        "auth_type = any\npool_mode = transaction\ndefault_pool_size = 3\nmax_client_conn = 200\n"
        "ignore_startup_parameters = extra_float_digits,options\n"
    )
    ini.chmod(0o644)
    arguments = [binary, *(["-u", "postgres"] if os.geteuid() == 0 else []), str(ini)]
    bouncer = Process("pgbouncer", arguments, dict(os.environ))
    try:
        assert wait_until(lambda: _answers(port), 20), "".join(bouncer.lines)
        user = database["USER"] or ""
        yield f"postgres://{user}@127.0.0.1:{port}/{database['NAME']}", bouncer
    finally:
        bouncer.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


class RoundRobin:
    """One address in front of several web processes: each new connection goes to the next."""

    def __init__(self, backends: list[int]) -> None:
        self.backends, self.turn, self.served = backends, 0, dict.fromkeys(backends, 0)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            backend = self.backends[self.turn % len(self.backends)]
            self.turn += 1
            self.served[backend] += 1
            upstream = socket.create_connection(("127.0.0.1", backend))
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pipe, args=(source, target), daemon=True).start()

    @staticmethod
    def pipe(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.server.close()


def environment(database_url: str, redis_url: str, esp_url: str, static: Path, site: str) -> dict[str, str]:
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", *CLOCK_VARIABLES) if key in os.environ}
    env.update(
        ENV_FILE="",
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        SECRET_KEY="scale-out-test-secret-key-that-is-long-enough-0123456789abcdef",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        STATIC_ROOT=str(static),
        DATABASE_URL=database_url,
        DATABASE_POOL_MODE="transaction",
        REDIS_URL=redis_url,
        CACHE_URL=f"{redis_url}?key_prefix=scale-out",
        EMAIL_ESP="postmark",
        ANYMAIL_POSTMARK_SERVER_TOKEN="test-token",
        ANYMAIL_POSTMARK_API_URL=esp_url,
        SITE_URL=site,
        GUNICORN_WORKERS="1",
    )
    return env


class Browser:
    """Every request on a new connection (`Connection: close`), so the address spreads them."""

    def __init__(self, base: str) -> None:
        self.base, self.session = base, requests.Session()
        self.session.headers["Connection"] = "close"

    def get(self, path: str) -> requests.Response:
        return self.session.get(self.base + path, timeout=30, allow_redirects=False)

    def post(self, path: str, data: dict, *, page: str) -> requests.Response:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(page).text)
        assert token, f"no form on {page}"
        return self.session.post(
            self.base + path, data={**data, "csrfmiddlewaretoken": token[1]}, timeout=30, allow_redirects=False
        )


def chunks_run_by(worker: Process) -> int:
    return len(re.findall(r"Task notifications\.queue_issue_chunk\[[^\]]+\] succeeded", "".join(worker.lines)))


@pytest.mark.django_db(transaction=True)
def test_two_web_processes_and_three_workers_behind_pgbouncer_share_the_work(
    pgbouncer, redis_url, centre_a, coordinator_a, tmp_path
):
    database_url, _ = pgbouncer
    # The web processes check passwords with the production hashers, not the tests' fast one.
    hasher = PBKDF2PasswordHasher()
    coordinator_a.password = hasher.encode("a-long-passphrase-for-scale", hasher.salt())
    coordinator_a.save(update_fields=["password"])
    newsletter = newsletter_with_subscribers(centre_a, SUBSCRIBERS)
    issue = issue_create(
        newsletter=newsletter, title="Winter", texts=[{"language": "de", "subject": "Neues", "body": "# Hallo"}]
    )
    esp, esp_url = start_fake_esp()
    web_ports = [free_port(), free_port()]
    address = RoundRobin(web_ports)
    env = environment(database_url, redis_url, esp_url, tmp_path / "static", f"http://127.0.0.1:{address.port}")
    run([str(BIN / "python"), "manage.py", "collectstatic", "--no-input", "-v0"], env)
    run([str(BIN / "celery"), "-A", "config", "purge", "--force"], env, seconds=60)
    gunicorn = [str(BIN / "gunicorn"), "--config", "platform/gunicorn.conf.py", "config.wsgi"]
    processes = [
        Process(f"web{n}", [*gunicorn, "--bind", f"127.0.0.1:{port}"], env) for n, port in enumerate(web_ports)
    ]
    worker = [str(BIN / "celery"), "-A", "config", "worker", "--loglevel=INFO", "--concurrency=1"]
    workers = [
        Process(name, [*worker, f"--hostname={name}@test", "--without-mingle", "--without-gossip"], env)
        for name in ("one", "two", "three")
    ]
    processes += workers
    try:
        for process in processes[:2]:
            process.wait_for("Booting worker", 60)
        for process in workers:
            process.wait_for(f"{process.name}@test ready.", 60)
        browser = Browser(f"http://127.0.0.1:{address.port}")
        login = {"username": coordinator_a.username, "password": "a-long-passphrase-for-scale"}
        answer = browser.post("/workspace/login/", login, page="/workspace/login/")
        assert answer.status_code == 302, re.findall(r"<li>(.*?)</li>", answer.text)
        workspace = f"/centres/{centre_a.slug}/workspace/"
        for _ in range(4):  # each process in turn knows the session the other made
            page = browser.get(workspace)
            assert page.status_code == 200
            assert coordinator_a.username in page.text
        issue_page = f"/centres/{centre_a.slug}/workspace/newsletters/{issue.pk}/"
        answer = browser.post(f"{issue_page}schedule/", {"when-at": "", "confirm": "yes"}, page=issue_page)
        assert answer.status_code == 302, answer.text[:500]
        assert wait_until(lambda: every(OutgoingMail).filter(status="sent").count() == SUBSCRIBERS, 180), [
            "".join(process.lines[-20:]) for process in workers
        ]
    finally:
        address.close()
        for process in processes:
            process.stop()
        stats = json.loads(urllib.request.urlopen(esp_url + "stats", timeout=10).read())  # noqa: S310 (loopback)
        esp.terminate()
        esp.wait(timeout=10)
    assert min(address.served.values()) >= 4, address.served  # both web processes answered
    assert (stats["accepted"], stats["recipients"], stats["duplicates"]) == (SUBSCRIBERS, SUBSCRIBERS, 0)
    assert set(every(OutgoingMail).values_list("status", flat=True)) == {"sent"}
    shares = {process.name: chunks_run_by(process) for process in workers}
    assert all(shares.values()), f"a worker had no share of the newsletter: {shares}"
    assert sum(shares.values()) >= SUBSCRIBERS // 1000
    for process in processes:
        assert "Traceback" not in "".join(process.lines), f"{process.name}:\n" + "".join(process.lines[-40:])


ITERATE_WHILE_ANOTHER_HOLDS_THE_SERVER = """
import os
import django
import psycopg
django.setup()
from centres.models import Person
from centres.scoping import all_centres_scope
with all_centres_scope():
    rows = Person.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=2)
    first = [next(rows)]  # outside a transaction: Django keeps a cursor open WITH HOLD
    other = psycopg.connect(os.environ["DATABASE_URL"].replace("postgres://", "postgresql://"))
    other.execute("SELECT 1")  # another client's transaction, on the server connection just freed
    try:
        print("READ", len(first + list(rows)))
    except Exception as error:
        print("FAILED", type(error).__name__, error)
    other.close()
"""


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", ["session", "transaction"])
def test_behind_pgbouncer_in_transaction_mode_no_server_side_cursor_is_left_open(pgbouncer, centre_a, mode):
    """Why DATABASE_POOL_MODE=transaction exists: Django's `.iterator()` outside a transaction
    keeps a server-side cursor open across transactions; PgBouncer may then send the next FETCH
    to another server connection, where no such cursor is. With the setting, no cursor is kept."""
    from tests.factories import PersonFactory

    database_url, _ = pgbouncer
    for n in range(6):
        PersonFactory(centre=centre_a, email=f"row{n}@example.net")
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update(
        ENV_FILE="",
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="true",
        DATABASE_URL=database_url,
        DATABASE_POOL_MODE=mode,
    )
    said = python_says(ITERATE_WHILE_ANOTHER_HOLDS_THE_SERVER, env)
    if mode == "transaction":
        assert said.strip() == "READ 6"
    else:  # a pooler in session mode would be fine; this shows what the setting prevents
        assert "FAILED" in said, said
        assert "does not exist" in said, said
