"""What an operator sees: /healthz/ and /readyz/ (database, Redis, broker, beat), and the
Prometheus metrics behind a token, each moving when what it measures moves."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from centres.models import JobRun
from centres.tasks import heartbeat
from notifications.tasks import send_mails
from tests.factories import queue_mail

pytestmark = pytest.mark.django_db

TOKEN = "metrics-secret-for-tests"


def ready(client):
    answer = client.get("/readyz/")
    return answer.status_code, answer.json()


def test_ready_once_beat_has_been_seen_and_not_when_it_falls_silent(client, frozen_now):
    frozen_now(timezone.now())
    status, checks = ready(client)
    assert (status, checks["beat"], checks["database"], checks["broker"]) == (503, "not seen yet", "ok", "ok")
    heartbeat.apply()  # as beat runs it, every minute
    status, checks = ready(client)
    assert (status, checks["status"], checks["beat"]) == (200, "ok", "ok")
    assert checks["redis"] in ("ok", "not used")
    frozen_now(timezone.now() + timedelta(minutes=4))
    status, checks = ready(client)
    assert (status, checks["beat"]) == (503, "silent")


def test_an_unreachable_redis_makes_it_not_ready_and_says_which(client, settings):
    heartbeat.apply()
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    status, checks = ready(client)
    assert (status, checks["redis"], checks["beat"]) == (503, "unreachable", "ok")


def test_only_scheduled_jobs_are_recorded():
    heartbeat.apply()
    assert list(JobRun.objects.values_list("name", flat=True)) == ["centres.heartbeat"]
    before = JobRun.objects.get().last_success_at
    heartbeat.apply()
    assert JobRun.objects.get().last_success_at >= before


def scrape(client) -> str:
    answer = client.get("/metrics/", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert answer.status_code == 200
    return answer.content.decode()


def value(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{key}="{label}"' for key, label in sorted(labels.items()))
    pattern = rf"^{re.escape(name)}{{{re.escape(wanted)}}} (\S+)$" if labels else rf"^{re.escape(name)} (\S+)$"
    found = re.search(pattern, text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def test_the_metrics_need_their_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics/").status_code == 404
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics/").status_code == 401
    assert client.get("/metrics/", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


def test_each_metric_moves_when_it_should(client, settings, centre_a, frozen_now):
    settings.METRICS_TOKEN = TOKEN
    frozen_now(timezone.now())
    text = scrape(client)
    assert value(text, "kontakt_outbox_mails", status="queued", kind="system") == 0
    assert value(text, "kontakt_outbox_oldest_queued_seconds") == 0
    mail = queue_mail(centre_a, recipient="alma@example.net", obj="m-1")
    frozen_now(timezone.now() + timedelta(minutes=11))  # an operator's alert: oldest queued > 10 min
    text = scrape(client)
    assert value(text, "kontakt_outbox_mails", status="queued", kind="system") == 1
    assert value(text, "kontakt_outbox_oldest_queued_seconds") >= 660
    assert "alma@example.net" not in text
    send_mails.apply(([mail.pk],))  # the worker sends it (to the test backend)
    text = scrape(client)
    assert value(text, "kontakt_outbox_mails", status="sent", kind="system") == 1
    assert value(text, "kontakt_outbox_oldest_queued_seconds") == 0
    heartbeat.apply()
    text = scrape(client)
    assert value(text, "kontakt_job_last_success_timestamp_seconds", job="centres.heartbeat") == pytest.approx(
        timezone.now().timestamp(), abs=5
    )
    before = value(text, "kontakt_request_seconds_count", view="home")
    client.get("/")
    assert value(scrape(client), "kontakt_request_seconds_count", view="home") == before + 1


def test_a_token_link_is_timed_by_its_view_name_never_its_path(client, settings):
    settings.METRICS_TOKEN = TOKEN
    client.get("/m/a-secret-member-token/")
    text = scrape(client)
    assert "a-secret-member-token" not in text
    assert value(text, "kontakt_request_seconds_count", view="member-page") >= 1


def test_sends_and_esp_errors_per_minute_count_every_outcome_of_the_last_whole_minute(
    client, settings, centre_a, frozen_now
):
    from tests.notifications.fake_esp import FakePostmark

    settings.METRICS_TOKEN = TOKEN
    esp = FakePostmark()
    settings.EMAIL_ESP, settings.OUTBOX_ESP_BATCH = "postmark", True
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "test-token", "POSTMARK_API_URL": esp.url, "REQUESTS_TIMEOUT": 2}
    try:
        start = timezone.now().replace(second=5, microsecond=0)
        frozen_now(start)
        mails = [queue_mail(centre_a, recipient=f"{name}@example.net", obj=name).pk for name in ("alma", "bea")]
        esp.reject_recipients = {"bea@example.net"}
        esp.fail_next = 1
        send_mails.apply((mails,))  # the ESP answers 500: both to be tried again
        send_mails.apply((mails,))  # alma's is taken, bea's refused for good
        assert value(scrape(client), "kontakt_mails_sent_per_minute") == 0  # this minute is not whole yet
        frozen_now(start + timedelta(minutes=1))
        text = scrape(client)
        assert value(text, "kontakt_mails_sent_per_minute") == 1
        assert value(text, "kontakt_mail_esp_errors_per_minute", outcome="retry") == 2
        assert value(text, "kontakt_mail_esp_errors_per_minute", outcome="failed") == 1
        frozen_now(start + timedelta(minutes=2))
        assert value(scrape(client), "kontakt_mails_sent_per_minute") == 0
    finally:
        esp.stop()
