"""Mail someone waits for never queues behind bulk mail: a 100,000-recipient newsletter and a
meeting cancellation start at the same moment, two real worker processes on Redis and PostgreSQL
send both, and the cancellation notices are out within 10 s while the newsletter is still going.

With one queue for everything the notices wait behind the newsletter's hundred chunk tasks
(about 20 s of sending on two processes): the `mail` lane and the workers' queue order
(settings.CELERY_TASK_QUEUES) are what this test holds."""

import json
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta

import pytest
import redis
from django.db import connection, transaction
from django.utils import timezone

from centres.models import Person
from meetings.models import Meeting
from meetings.services.meetings import meeting_cancel
from notifications.models import NewsletterList, OutgoingMail, Subscription
from notifications.services.newsletter_issues import issue_create, issue_send_now
from tests.factories import MembershipFactory, PersonFactory, every
from tests.notifications.test_worker import ROOT, start_celery, wait_until, worker_env

pytestmark = pytest.mark.usefixtures("unscoped")

SUBSCRIBERS = 100_000
MEMBERS = 12
WITHIN = 10.0  # seconds, from the cancellation to its last notice sent


def copies(template, count: int, **replace: str) -> None:
    """`count` copies of one row, made in the database (`replace`: column -> SQL over `n`)."""
    table = template._meta.db_table
    columns = [field.column for field in template._meta.concrete_fields if not field.primary_key]
    values = [replace.get(column, f'"{column}"') for column in columns]
    names = ", ".join(f'"{column}"' for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({names}) "  # noqa: S608 (names from the model)
            f"SELECT {', '.join(values)} FROM {table}, generate_series(1, %s) AS n WHERE id = %s",
            [count, template.pk],
        )


def newsletter_with_subscribers(centre, count: int = SUBSCRIBERS) -> NewsletterList:
    newsletter = every(NewsletterList).create(centre=centre, name="Rundbrief")
    first = PersonFactory(centre=centre, email="reader0@example.net")
    copies(first, count - 1, email="'reader' || n || '@example.net'")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {Subscription._meta.db_table}
                    (centre_id, newsletter_id, person_id, status, requested_at, confirmed_at)
                SELECT %s, %s, id, 'confirmed', now(), now() FROM {Person._meta.db_table}
                WHERE centre_id = %s AND email LIKE 'reader%%'""",  # noqa: S608 (names from the models)
            [centre.pk, newsletter.pk, centre.pk],
        )
        cursor.execute(f"ANALYZE {Person._meta.db_table}; ANALYZE {Subscription._meta.db_table}")
    return newsletter


def start_fake_esp() -> tuple[subprocess.Popen, str]:
    """The fake Postmark in a process of its own, as in the mail benchmark: 100,000 messages
    through a server in this interpreter would slow the test's own polling."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.notifications.fake_esp"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    return process, process.stdout.readline().strip()


def esp_stats(url: str) -> dict:
    return json.loads(urllib.request.urlopen(url + "stats", timeout=10).read())  # noqa: S310 (loopback)


def sent(kind: str) -> int:
    return every(OutgoingMail).filter(kind=kind, status="sent").count()


@pytest.mark.django_db(transaction=True)
def test_cancellation_notices_go_out_within_10_s_while_a_100000_recipient_newsletter_is_sending(
    requires_postgres, redis_url, centre_a, group_a, room_a
):
    starts_at = timezone.now() + timedelta(days=2)  # real time: the workers do not share a frozen clock
    meeting = every(Meeting).create(
        centre=centre_a,
        group=group_a,
        room=room_a,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        uid="priority@kontakt",
    )
    for n in range(MEMBERS):
        MembershipFactory(group=group_a, person=PersonFactory(centre=centre_a, email=f"member{n}@example.net"))
    newsletter = newsletter_with_subscribers(centre_a)
    issue = issue_create(
        newsletter=newsletter, title="Winter", texts=[{"language": "de", "subject": "Neues", "body": "# Hallo"}]
    )
    redis.Redis.from_url(redis_url).flushdb()  # no task left over from another test
    esp, esp_url = start_fake_esp()
    workers = []
    try:
        env = worker_env(redis_url, esp_url)
        for name in ("one", "two"):  # two worker processes, each taking every lane
            arguments = ("worker", "--concurrency=1", f"--hostname={name}@test", "--without-mingle", "--without-gossip")
            workers.append(start_celery(env, *arguments))
        for name, (_, lines) in zip(("one", "two"), workers, strict=True):
            assert wait_until(lambda lines=lines, name=name: f"{name}@test ready." in "".join(lines), 60), "".join(
                lines
            )
        issue_send_now(issue=issue)  # a coordinator's "Send now": its chunk tasks are queued on return
        with transaction.atomic():  # and at the same moment another cancels a meeting
            meeting_cancel(actor=None, meeting=meeting)
        cancelled_at = time.monotonic()
        assert wait_until(lambda: sent("change_notice") == MEMBERS, 60), [lines for _, lines in workers]
        took = time.monotonic() - cancelled_at
        newsletter_sent = sent("newsletter")
    finally:
        for process, _ in workers:
            process.terminate()
        for process, _ in workers:
            process.wait(timeout=60)
        stats = esp_stats(esp_url)
        esp.terminate()
        esp.wait(timeout=10)
    print(f"notices sent {took:.2f} s after the cancellation; {newsletter_sent} newsletter mails by then")  # noqa: T201 (the figure in the README)
    assert took <= WITHIN, f"the notices took {took:.1f} s"
    assert 0 < newsletter_sent < SUBSCRIBERS, "the newsletter was sending at the same time, not before or after"
    assert stats["duplicates"] == 0
