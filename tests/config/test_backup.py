"""Backups and restore (README): a `pg_dump -Fc` of the database restored with `pg_restore` into
a new database holds the same rows, and its outbox sends a queued mail."""

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from centres.models import Centre, Person
from centres.scoping import all_centres_scope
from notifications.models import OutgoingMail
from tests.conftest import skip_or_fail
from tests.factories import GroupFactory, PersonFactory, RoomFactory, every, queue_mail

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def libpq_env(settings_dict: dict) -> dict[str, str]:
    """The server and login of Django's connection, as pg_dump, pg_restore and psql read them."""
    env = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return env


def connect(settings_dict: dict, dbname: str) -> psycopg.Connection:
    return psycopg.connect(
        dbname=dbname,
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        autocommit=True,
    )


def row_counts(database: psycopg.Connection, tables: list[str]) -> dict[str, int]:
    return {
        table: database.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]
        for table in tables
    }


def mail_status(database: psycopg.Connection, pk: int) -> str:
    return database.execute("SELECT status FROM notifications_outgoingmail WHERE id = %s", [pk]).fetchone()[0]


@pytest.fixture
def restored_name():
    """A new database's name, and the database dropped afterwards whatever happened."""
    if connection.vendor != "postgresql":
        skip_or_fail("this test needs PostgreSQL (set DATABASE_URL)")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        skip_or_fail("this test needs pg_dump and pg_restore (the PostgreSQL client programs)")
    settings_dict = connection.settings_dict
    name = f"{settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    yield name
    with connect(settings_dict, "postgres") as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_a_dump_restored_into_a_new_database_has_the_same_rows_and_a_working_outbox(restored_name, tmp_path):
    with all_centres_scope():
        centre = every(Centre).create(slug="backup-centre", name="Kontaktstelle Sicherung")
        person = PersonFactory(centre=centre, display_name="Berta Backup", email="berta@example.net")
        GroupFactory.create_batch(3, centre=centre)
        RoomFactory(location__centre=centre, name="Raum Eiche")
        mail = queue_mail(centre, recipient="berta@example.net", obj="backup-1", person=person)
    assert mail.status == "queued"

    settings_dict = connection.settings_dict
    env = libpq_env(settings_dict)
    dump = tmp_path / "kontakt.dump"
    # The README's commands.
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", settings_dict["NAME"]],
        env=env, check=True, timeout=120,
    )  # fmt: skip
    subprocess.run(["createdb", restored_name], env=env, check=True, timeout=60)
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored_name}", str(dump)],
        env=env, check=True, timeout=120,
    )  # fmt: skip

    tables = connection.introspection.table_names()
    with connect(settings_dict, settings_dict["NAME"]) as original, connect(settings_dict, restored_name) as restored:
        assert row_counts(restored, tables) == row_counts(original, tables)
        assert restored.execute(
            "SELECT name, time_zone FROM centres_centre WHERE slug = 'backup-centre'"
        ).fetchone() == ("Kontaktstelle Sicherung", centre.time_zone)
        assert restored.execute(
            "SELECT display_name, email FROM centres_person WHERE id = %s", [person.pk]
        ).fetchone() == ("Berta Backup", "berta@example.net")
        assert mail_status(restored, mail.pk) == "queued"
        # The sequences came along: a new row gets a fresh id, not one of the copied rows'.
        assert restored.execute("SELECT nextval('centres_person_id_seq')").fetchone()[0] > person.pk
        # The room booking constraint (btree_gist) came along too.
        assert restored.execute("SELECT count(*) FROM pg_extension WHERE extname = 'btree_gist'").fetchone()[0] == 1

    # The outbox of the restored database: the periodic flush sends the queued mail (a process
    # of its own, as a restored installation would run it; mail to the console).
    url = "postgres://{user}{password}@{host}:{port}/{name}".format(
        user=settings_dict.get("USER") or "",
        password=f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else "",
        host=settings_dict.get("HOST") or "127.0.0.1",
        port=settings_dict.get("PORT") or 5432,
        name=restored_name,
    )
    script = (
        "import django; django.setup()\n"
        "from datetime import timedelta\n"
        "from centres.scoping import all_centres_scope\n"
        "from notifications.services.outbox import outbox_flush\n"
        "with all_centres_scope():\n"
        "    print('queued', outbox_flush(older_than=timedelta(0)))\n"
    )
    process_env = {
        **os.environ,
        "DATABASE_URL": url,
        "EMAIL_ESP": "console",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=process_env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "queued 1" in result.stdout
    assert "To: berta@example.net" in result.stdout  # the console backend printed the mail
    with connect(settings_dict, restored_name) as restored:
        assert mail_status(restored, mail.pk) == "sent"
    # The original database was not touched by the restored installation.
    assert every(OutgoingMail).get(pk=mail.pk).status == "queued"
    assert every(Person).filter(pk=person.pk).exists()
