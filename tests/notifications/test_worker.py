"""A real Celery worker process, on the real Redis and PostgreSQL, sends the outbox once."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, transaction

from notifications import services
from notifications.models import OutgoingMail

ROOT = Path(__file__).resolve().parents[2]


def start_worker(env: dict[str, str]) -> tuple[subprocess.Popen, list[str]]:
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "config",
            "worker",
            "--loglevel=INFO",
            "--concurrency=2",
            "--hostname=outbox@test",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env={**base, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True).start()
    return process, lines


@pytest.mark.django_db(transaction=True)
def test_a_worker_sends_every_queued_mail_once_through_the_esp(requires_postgres, redis_url, centre_a, fake_postmark):
    fake_esp = fake_postmark
    database = connection.settings_dict
    host = f"{database['HOST']}:{database['PORT'] or 5432}"
    env = {
        "ENV_FILE": "",
        "DEBUG": "true",
        "DATABASE_URL": f"postgres://{database['USER']}@{host}/{database['NAME']}",
        "OUTBOX_RETRY_DELAYS": "1,1,2,2",
        "REDIS_URL": redis_url,
        "EMAIL_ESP": "postmark",
        "ANYMAIL_POSTMARK_SERVER_TOKEN": "test-token",
        "ANYMAIL_POSTMARK_API_URL": fake_esp.url,
    }
    worker, lines = start_worker(env)
    try:
        deadline = time.monotonic() + 60
        while "outbox@test ready." not in "".join(lines) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert "outbox@test ready." in "".join(lines), "".join(lines)
        fake_esp.fail_rate = 0.3  # the ESP fails 30% of requests; retries must still send each once
        with transaction.atomic():
            for n in range(20):
                services.mail_queue(
                    centre=centre_a,
                    kind="system",
                    obj=f"worker-{n}",
                    recipient=f"member{n}@example.net",
                    language="de",
                    template="change_notice",
                    context={"meetings": [], "all_cancelled": True, "discreet": False, "centre": centre_a},
                )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and OutgoingMail.all_centres.exclude(status="sent").exists():
            time.sleep(0.5)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert sorted(fake_esp.recipients()) == sorted(f"member{n}@example.net" for n in range(20))
    assert set(OutgoingMail.all_centres.values_list("status", flat=True)) == {"sent"}
