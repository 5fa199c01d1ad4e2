"""Faults around a real worker: Redis restarted mid-send, the worker's PostgreSQL connections
dropped during a job, two real beat processes at once. After each, every mail went out exactly
once and no row is left behind: the outbox in PostgreSQL is the source of truth."""

import os
import shelve
import signal
import socket
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import celery
import pytest
import redis
from celery.beat import ScheduleEntry
from django.db import connection, transaction
from django.utils import timezone

from config.celery import app
from meetings.models import Meeting
from notifications.models import OutgoingMail
from notifications.services.outbox import (
    NewMail,
    idempotency_key,
    mail_content_create,
    mail_render,
    mails_queue_bulk,
    outbox_flush,
)
from notifications.services.sending import outbox_requeue_stuck
from tests.clock_ahead import CLOCK_VARIABLES
from tests.factories import MembershipFactory, PersonFactory, every, queue_mail
from tests.notifications.test_worker import start_celery, start_worker, wait_ready, wait_until, worker_env

# The test queues and sweeps through the services, as set-up code; the workers and beats open
# their own scope.
pytestmark = pytest.mark.usefixtures("unscoped")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_redis(port: int, folder: Path) -> subprocess.Popen:
    """A Redis of this test's own, without persistence: restarted, it has lost every message."""
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=folder,
        # Redis keeps the machine's clock under `make test-future`: libfaketime cannot load into it,
        # and only its relative expiries matter here.
        env={key: value for key, value in os.environ.items() if key not in CLOCK_VARIABLES},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    with redis.Redis(port=port, socket_connect_timeout=1) as client:
        started = wait_until(lambda: _answers(client), 10)
    if not started:
        stop(process)
        pytest.fail("redis-server did not start")
    return process


def _answers(client: redis.Redis) -> bool:
    try:
        return client.ping()
    except redis.exceptions.ConnectionError:
        return False


def stop(process: subprocess.Popen) -> None:
    """Stop a process started in its own group, and everything it started; kill it if it hangs."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture
def publish_to(monkeypatch):
    """Send this process's tasks to another broker. Celery reads CELERY_BROKER_URL from the
    environment before its settings, but keeps its connection pools: those are dropped too."""

    def drop_pools() -> None:
        app._pool = None
        app.amqp._producer_pool = None

    def use(url: str) -> None:
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        drop_pools()

    yield use
    drop_pools()  # made again at the next use, after monkeypatch has restored the environment


def queue_mails(centre, count: int, name: str) -> list[str]:
    recipients = [f"{name}{n}@example.net" for n in range(count)]
    with transaction.atomic():
        for n, recipient in enumerate(recipients):
            queue_mail(centre, recipient, f"{name}-{n}")
    return recipients


def sweep() -> None:
    """What the beat does every few minutes: rows a worker left in `sending` go back in doubt,
    and rows whose send task was lost are queued again."""
    with transaction.atomic():
        outbox_requeue_stuck()
        outbox_flush(older_than=timedelta(0))


def statuses() -> dict[str, int]:
    return {
        status: every(OutgoingMail).filter(status=status).count()
        for status in every(OutgoingMail).values_list("status", flat=True).distinct()
    }


def assert_each_sent_once(fake_esp, recipients: list[str]) -> None:
    assert fake_esp.accepted_by_recipient == dict.fromkeys(recipients, 1)
    assert statuses() == {"sent": len(recipients)}
    assert not every(OutgoingMail).filter(in_doubt=True).exists()


@pytest.mark.django_db(transaction=True)
def test_redis_restarted_mid_send_loses_no_mail_and_doubles_none(
    requires_postgres, redis_url, centre_a, fake_postmark, settings, publish_to, tmp_path
):
    """Redis without persistence is killed while the worker sends, and started again empty: the
    queued send tasks are gone. The worker reconnects by itself, and the sweep finds the rows
    still `queued` (or `sending`) in PostgreSQL and sends each once."""
    fake_esp = fake_postmark
    fake_esp.delay = 0.3  # each request takes a while: the sending is under way when Redis dies
    settings.OUTBOX_STUCK_AFTER_SECONDS = 2  # well above one send, so the sweep takes no row still in flight
    port = free_port()
    broker_url = f"redis://127.0.0.1:{port}/0"
    broker = start_redis(port, tmp_path)
    worker = None
    try:
        publish_to(broker_url)
        worker, lines = start_worker(worker_env(broker_url, fake_esp.url))
        wait_ready(lines)
        recipients = queue_mails(centre_a, 20, "redis")
        assert wait_until(lambda: fake_esp.accepted_count >= 3, 30), "".join(lines)
        os.killpg(broker.pid, signal.SIGKILL)
        broker.wait(timeout=10)
        assert fake_esp.accepted_count < len(recipients), "the worker sent everything before Redis died"
        time.sleep(1)  # down long enough for the worker to notice and retry
        broker = start_redis(port, tmp_path)
        # The worker retries its broker connection with a growing pause; on a busy machine the
        # next try can come late. It returns as soon as the worker is back.
        assert wait_until(lambda: "".join(lines).count("Connected to redis") >= 2, 90), "".join(lines)
        assert every(OutgoingMail).filter(status="queued").exists()  # their send tasks went with Redis
        time.sleep(2.5)  # rows left in `sending` are now older than OUTBOX_STUCK_AFTER_SECONDS
        sweep()
        assert wait_until(lambda: not every(OutgoingMail).exclude(status="sent").exists(), 60), "".join(lines)
    finally:
        if worker is not None:
            stop(worker)
        stop(broker)
    assert_each_sent_once(fake_esp, recipients)


def queue_batch(centre, count: int, name: str) -> list[str]:
    """`count` mails of one content in one send task, as reminders and notices are queued."""
    recipients = [f"{name}{n}@example.net" for n in range(count)]
    context = {"meetings": [], "all_cancelled": True, "discreet": False, "centre": centre}
    with transaction.atomic():
        rendered = mail_render(template="meetings/mail/change_notice", language="de", context=context)
        content = mail_content_create(centre=centre, language="de", rendered=rendered)
        mails_queue_bulk(
            [
                NewMail(
                    centre_id=centre.pk,
                    kind="system",
                    key=idempotency_key("system", name, recipient),
                    recipient=recipient,
                    language="de",
                    content_id=content.pk,
                )
                for recipient in recipients
            ]
        )
    return recipients


def terminate_backends(application_name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
               WHERE datname = current_database() AND application_name = %s AND pid <> pg_backend_pid()""",
            [application_name],
        )
        return cursor.fetchone()[0]


@pytest.mark.parametrize(
    ("esp", "batch"),
    [("postmark", True), ("postmark", False), ("mailgun", True), ("sendgrid", True)],
    ids=["postmark-batch", "postmark-anymail", "mailgun", "sendgrid"],
)
@pytest.mark.django_db(transaction=True)
def test_the_workers_database_connection_dropped_mid_batch_loses_no_mail_and_doubles_none(
    requires_postgres, redis_url, centre_a, fake_postmark, settings, esp, batch
):
    """PostgreSQL ends the worker's connections while the ESP holds the batch: the task dies
    with an OperationalError before it can write the outcome, and its rows stay `sending`. The
    sweeper takes them back in doubt; the ESP is asked before anything is sent again (each ESP
    that can be asked: notifications/lookups.py)."""
    fake_esp = fake_postmark
    fake_esp.answer_delay = 2  # takes the mails at once, answers after the connection is gone
    settings.OUTBOX_STUCK_AFTER_SECONDS = 1
    env = worker_env(redis_url, fake_esp.url, esp=esp, OUTBOX_ESP_BATCH="true" if batch else "false")
    env["DATABASE_URL"] += "?application_name=kontakt-worker-test"  # to end the worker's connections only
    worker, lines = start_worker(env, concurrency=1)
    try:
        wait_ready(lines)
        recipients = queue_batch(centre_a, 12, "postgres")
        assert wait_until(lambda: fake_esp.accepted_count > 0, 30), "".join(lines)
        assert terminate_backends("kontakt-worker-test") >= 1
        fake_esp.answer_delay = 0
        assert wait_until(lambda: "raised unexpected: OperationalError" in "".join(lines), 30), "".join(lines)
        assert statuses() == {"sending": 12}
        time.sleep(1.5)  # the rows in `sending` are now older than OUTBOX_STUCK_AFTER_SECONDS
        sweep()
        assert wait_until(lambda: not every(OutgoingMail).exclude(status="sent").exists(), 30), "".join(lines)
    finally:
        stop(worker)
    assert_each_sent_once(fake_esp, recipients)


def schedule_file_with_reminders_overdue(path: Path) -> None:
    """A beat's schedule file as a beat leaves it whose reminder job last ran an hour ago (it
    was down a while): started, the beat sends that job at once instead of after its interval."""
    name = "queue-due-reminders"
    job = app.conf.beat_schedule[name]
    with shelve.open(str(path)) as store:  # noqa: S301 (written here, read by the beat: the format celery uses)
        store["entries"] = {
            name: ScheduleEntry(
                name=name,
                task=job["task"],
                schedule=job["schedule"],
                last_run_at=app.now() - timedelta(hours=1),
                app=app,
            )
        }
        store.update({"__version__": celery.__version__, "tz": app.conf.timezone, "utc_enabled": app.conf.enable_utc})


def succeeded(lines: list[str], task: str) -> int:
    return sum(1 for line in "".join(lines).splitlines() if f"Task {task}[" in line and " succeeded in " in line)


def start_beat(env: dict[str, str], schedule: Path) -> tuple[subprocess.Popen, list[str]]:
    return start_celery(env, "beat", f"--schedule={schedule}")


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_queue_and_send_each_reminder_once(
    requires_postgres, redis_url, centre_a, group_a, room_a, fake_postmark, tmp_path
):
    """Two real beat processes (a second one started by mistake, or two during a deploy) both
    send the reminder job at the same moment; a worker runs both. Each member gets one reminder:
    the outbox stores a reminder once per meeting and member (its idempotency key)."""
    fake_esp = fake_postmark
    starts_at = timezone.now() + timedelta(hours=1)  # real time: the beats and the worker do not share a frozen clock
    every(Meeting).create(
        centre=centre_a,
        group=group_a,
        room=room_a,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        uid="two-beats@kontakt",
    )
    recipients = [f"beat{n}@example.net" for n in range(20)]
    for recipient in recipients:
        MembershipFactory(
            group=group_a, person=PersonFactory(centre=centre_a, email=recipient), reminder_minutes=24 * 60
        )
    env = worker_env(redis_url, fake_esp.url)
    processes = []
    try:
        worker, worker_lines = start_worker(env)
        processes.append(worker)
        wait_ready(worker_lines)
        beats = []
        for n in (1, 2):
            schedule = tmp_path / f"beat{n}-schedule"
            schedule_file_with_reminders_overdue(schedule)
            beat, lines = start_beat(env, schedule)
            processes.append(beat)
            beats.append(lines)
        for lines in beats:
            assert wait_until(lambda lines=lines: "Sending due task queue-due-reminders" in "".join(lines), 30), (
                "".join(lines)
            )
        assert wait_until(lambda: succeeded(worker_lines, "notifications.queue_due_reminders") == 2, 30), "".join(
            worker_lines
        )
        # Each run queued the centre's own task; both ran, and the second stored nothing new.
        assert wait_until(lambda: succeeded(worker_lines, "meetings.queue_centre_reminders") == 2, 30), "".join(
            worker_lines
        )
        sent = every(OutgoingMail).filter(kind="reminder", status="sent")
        assert wait_until(lambda: sent.count() == len(recipients), 30), "".join(worker_lines)
    finally:
        for process in processes:
            stop(process)
    assert every(OutgoingMail).filter(kind="reminder").count() == len(recipients)
    assert_each_sent_once(fake_esp, recipients)
