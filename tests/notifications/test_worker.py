"""A real Celery worker process, on the real Redis and PostgreSQL, sends the outbox once."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction

from notifications.models import OutgoingMail
from notifications.services.outbox import outbox_flush
from notifications.services.sending import outbox_requeue_stuck
from tests.clock_ahead import CLOCK_VARIABLES
from tests.factories import every, queue_mail, queue_text
from tests.notifications.fake_esp import anymail_environ

ROOT = Path(__file__).resolve().parents[2]
# The test queues and sweeps through the services, as set-up code; the workers open their own scope.
pytestmark = pytest.mark.usefixtures("unscoped")


def start_celery(env: dict[str, str], *arguments: str) -> tuple[subprocess.Popen, list[str]]:
    """A real Celery process (`celery -A config ...`) with only `env` and the basics in its
    environment; returns it and the lines it prints, collected as they come."""
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", *CLOCK_VARIABLES) if key in os.environ}
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("celery")), "-A", "config", *arguments, "--loglevel=INFO"],
        cwd=ROOT,
        env={**base, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, so a test can kill -9 it whole
    )
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True).start()
    return process, lines


def start_worker(env: dict[str, str], *, concurrency: int = 2) -> tuple[subprocess.Popen, list[str]]:
    return start_celery(
        env, "worker", f"--concurrency={concurrency}", "--hostname=outbox@test", "--without-mingle", "--without-gossip"
    )


def worker_env(redis_url: str, esp_url: str, *, esp: str = "postmark", **more: str) -> dict[str, str]:
    """A worker's environment, sending to the fake at `esp_url` as `esp`."""
    database = connection.settings_dict
    host = f"{database['HOST']}:{database['PORT'] or 5432}"
    return {
        "ENV_FILE": "",
        "DEBUG": "true",
        "DATABASE_URL": f"postgres://{database['USER']}@{host}/{database['NAME']}",
        "OUTBOX_RETRY_DELAYS": "1,1,2,2",
        "REDIS_URL": redis_url,
        "EMAIL_ESP": esp,
        **anymail_environ(esp, esp_url, timeout=10),
        **more,
    }


def wait_ready(lines: list[str]) -> None:
    deadline = time.monotonic() + 60
    while "outbox@test ready." not in "".join(lines) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "outbox@test ready." in "".join(lines), "".join(lines)


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def kill_while_held_then_send_the_rest(env: dict[str, str], queue, *, held, release) -> None:
    """Start a worker, `queue` rows, kill -9 the worker once `held()` (the ESP or gateway has
    taken something and not yet answered); then, with `release`'s answer delay lifted, a new
    worker sweeps the rows back in doubt and sends what is left."""
    worker, lines = start_worker(env, concurrency=1)
    try:
        wait_ready(lines)
        with transaction.atomic():
            queue()
        assert wait_until(held, 60), "".join(lines)
        os.killpg(worker.pid, signal.SIGKILL)  # mid-request: the row says `sending`
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    in_flight = every(OutgoingMail).filter(status="sending").count()
    assert in_flight >= 1
    release.answer_delay = 0
    worker, lines = start_worker(env, concurrency=1)
    try:
        wait_ready(lines)
        time.sleep(1.5)  # the rows in `sending` are now older than OUTBOX_STUCK_AFTER_SECONDS
        with transaction.atomic():
            assert outbox_requeue_stuck() == in_flight
            # The killed worker's unacknowledged tasks return only after Redis's visibility
            # timeout; the periodic flush queues their rows again meanwhile.
            outbox_flush(older_than=timedelta(0))
        assert wait_until(lambda: not every(OutgoingMail).exclude(status="sent").exists(), 90), "".join(lines)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_a_worker_sends_every_queued_mail_once_through_the_esp(requires_postgres, redis_url, centre_a, fake_postmark):
    fake_esp = fake_postmark
    worker, lines = start_worker(worker_env(redis_url, fake_esp.url))
    try:
        wait_ready(lines)
        fake_esp.fail_rate = 0.3  # the ESP fails 30% of requests; retries must still send each once
        with transaction.atomic():
            for n in range(20):
                queue_mail(centre_a, f"member{n}@example.net", f"worker-{n}")
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and every(OutgoingMail).exclude(status="sent").exists():
            time.sleep(0.5)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert sorted(fake_esp.recipients()) == sorted(f"member{n}@example.net" for n in range(20))
    assert set(every(OutgoingMail).values_list("status", flat=True)) == {"sent"}


@pytest.mark.parametrize("batch", [True, False], ids=["batch", "anymail"])
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_and_a_new_one_send_every_mail_exactly_once(
    requires_postgres, redis_url, centre_a, fake_postmark, settings, batch
):
    """kill -9 while the ESP has taken the mails but not yet answered: the rows stay in
    `sending`, the sweeper takes them back in doubt, and the next worker asks the ESP before
    sending, so nobody gets a mail twice and nobody gets none."""
    fake_esp = fake_postmark
    fake_esp.answer_delay = 30  # takes the mails at once, answers only after the kill
    settings.OUTBOX_STUCK_AFTER_SECONDS = 1
    env = worker_env(redis_url, fake_esp.url, OUTBOX_ESP_BATCH="true" if batch else "false")

    def queue() -> None:
        for n in range(12):
            queue_mail(centre_a, f"member{n}@example.net", f"kill-{n}")

    kill_while_held_then_send_the_rest(env, queue, held=lambda: fake_esp.accepted_count > 0, release=fake_esp)
    assert fake_esp.accepted_by_recipient == {f"member{n}@example.net": 1 for n in range(12)}
    assert not every(OutgoingMail).filter(in_doubt=True).exists()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_the_sms_gateway_holds_texts_and_a_new_one_send_each_text_once(
    requires_postgres, redis_url, centre_a, fake_infobip, fake_postmark, settings
):
    """The mail test above, for texts: kill -9 while the gateway has taken texts but not answered;
    the next worker looks each one up in the gateway's logs before sending, so every number gets
    its text once."""
    fake_infobip.answer_delay = 30
    settings.OUTBOX_STUCK_AFTER_SECONDS = 1
    env = worker_env(
        redis_url,
        fake_postmark.url,
        SMS_BACKEND="infobip",
        SMS_INFOBIP_BASE_URL=fake_infobip.url,
        SMS_INFOBIP_API_KEY="test-key",
        SMS_TIMEOUT="60",
    )

    def queue() -> None:
        for n in range(8):
            queue_text(centre_a, phone=f"0171 23456{n:02d}", obj=f"kill-{n}")

    kill_while_held_then_send_the_rest(env, queue, held=lambda: len(fake_infobip.accepted) > 0, release=fake_infobip)
    assert fake_infobip.accepted_by_number == {f"4917123456{n:02d}": 1 for n in range(8)}
    assert set(every(OutgoingMail).values_list("channel", flat=True)) == {"sms"}
