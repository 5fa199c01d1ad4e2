"""Heavy reports from a read replica (DATABASE_REPLICA_URL, config/db_router.py), against a second
PostgreSQL database: a copy of the test database made when the centre had three enquiries, while
the primary has gone on to five. The year report read through the web answers from the replica
(three); the rest of the request (the login, the centre, the role) and every write use the primary.
A process of its own runs the request, as the router's settings are read at start-up."""

import os
import subprocess
import time
from datetime import timedelta

import psycopg
import pytest
from django.db import connection, connections
from django.utils import timezone
from psycopg import sql

from centres.models import AuditLogEntry
from intake.models import Enquiry
from tests.config.test_whole_system import BIN, ROOT
from tests.factories import every

pytestmark = pytest.mark.usefixtures("unscoped")

REQUEST = """
import sys
import django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
from centres.models import AuditLogEntry
client = Client()
client.force_login(get_user_model().objects.get(pk=int(sys.argv[1])))
answer = client.get(sys.argv[2])
print("STATUS", answer.status_code)
from centres.scoping import all_centres_scope
with all_centres_scope():
    print("AUDIT", AuditLogEntry.objects.count())
print(answer.content.decode())
"""


def enquiries(centre, count: int) -> None:
    day = timezone.now() - timedelta(hours=1)
    for _ in range(count):
        every(Enquiry).create(centre=centre, channel="phone", language="de", created_at=day, status_changed_at=day)


@pytest.fixture
def replica_of_the_test_database(requires_postgres):
    """`CREATE DATABASE … TEMPLATE` the test database: a replica frozen at this moment."""
    settings_dict = connection.settings_dict
    server = {
        "host": settings_dict["HOST"] or "127.0.0.1",
        "port": settings_dict["PORT"] or 5432,
        "user": settings_dict["USER"] or None,
    }
    name = f"{settings_dict['NAME'][:40]}_replica"
    connections.close_all()  # a template must have no other session
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        # Sessions earlier tests' threads and processes left open on the test database (idle).
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [settings_dict["NAME"]],
        )
        for attempt in range(20):  # a closing session may linger for a moment
            try:
                admin.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                        sql.Identifier(name), sql.Identifier(settings_dict["NAME"])
                    )
                )
                break
            except psycopg.errors.ObjectInUse:
                if attempt == 19:
                    raise
                time.sleep(0.25)
    yield f"postgres://{server['user'] or ''}@{server['host']}:{server['port']}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def python_says(code: str, env: dict[str, str], *arguments: str) -> str:
    """What `python -c code arguments…` prints, in a process of its own with only `env`."""
    result = subprocess.run(
        [str(BIN / "python"), "-c", code, *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def request_as(user, path: str, replica_url: str) -> tuple[int, int, str]:
    settings_dict = connection.settings_dict
    host = f"{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}"
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update(
        ENV_FILE="",
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="true",  # static files without a collected manifest; nothing else here depends on it
        SECRET_KEY="test-only-secret-key-that-is-long-enough-for-django-checks-0123456789",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"postgres://{settings_dict['USER'] or ''}@{host}/{settings_dict['NAME']}",
        DATABASE_REPLICA_URL=replica_url,
    )
    status, audit, body = python_says(REQUEST, env, str(user.pk), path).split("\n", 2)
    return int(status.split()[1]), int(audit.split()[1]), body


@pytest.mark.django_db(transaction=True)
def test_the_year_report_reads_the_replica_and_everything_else_the_primary(centre_a, coordinator_a, request):
    enquiries(centre_a, 3)
    replica_url = request.getfixturevalue("replica_of_the_test_database")
    enquiries(centre_a, 2)  # the primary moves on; the replica has not caught up
    year = timezone.localdate().year
    report = f"/centres/{centre_a.slug}/workspace/reports/?year={year}&download=csv&table=enquiries-channel"
    status, _, body = request_as(coordinator_a, report, replica_url)
    assert status == 200
    assert body.strip().splitlines()[1:] == ["Phone,3", "Total,3"], body
    # The list behind a figure is read where the workspace reads (the primary), and audited there.
    audits_before = AuditLogEntry.objects.count()
    figures = f"/centres/{centre_a.slug}/workspace/reports/list/?figure=enquiries&year={year}"
    status, audits, body = request_as(coordinator_a, figures, replica_url)
    assert status == 200
    assert body.count("Enquiry #") == 5
    assert audits == audits_before + 1
