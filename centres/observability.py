"""What an operator sees of a running installation: readiness (`/readyz/`: the database, Redis,
the broker and beat) and the Prometheus metrics (`/metrics/`).

- Every scheduled job records its last success (`JobRun`, from Celery's `task_success`), and a
  heartbeat job runs every minute, so "beat seen within its period" is a row's age.
- Apps above centres add their metrics with `metrics_collector_register` in their
  `AppConfig.ready` (notifications: the outbox and the ESP's webhook events). Each collector
  reads the database at scrape time, so every process (web or worker) answers the same.
- No metric carries a person, an address or a token: labels are states, kinds, jobs and views.
"""

import logging
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

from centres.models import JobRun

logger = logging.getLogger(__name__)

HEARTBEAT = "centres.heartbeat"
HEARTBEAT_EVERY = 60.0  # seconds, as the beat schedule runs it
# Beat is silent when its heartbeat is older than this: three periods, so one slow run is no alarm.
BEAT_SILENT_AFTER = timedelta(seconds=3 * HEARTBEAT_EVERY)

Collector = Callable[[], Iterable[Metric]]
_collectors: dict[str, Collector] = {}


def metrics_collector_register(name: str, collector: Collector) -> None:
    """Called by an app's `AppConfig.ready`; the same name again replaces it."""
    _collectors[name] = collector


def scheduled_jobs() -> set[str]:
    from config.celery import app

    return {entry["task"] for entry in app.conf.beat_schedule.values()}


def job_succeeded(sender: Any = None, **_kwargs: Any) -> None:
    """Celery's `task_success`: a scheduled job finished; its row says when."""
    name = getattr(sender, "name", "")
    if name in scheduled_jobs():
        JobRun.objects.update_or_create(name=name, defaults={"last_success_at": timezone.now()})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_redis() -> str:
    if not settings.REDIS_URL:
        return "not used"
    import redis

    redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2).ping()
    return "ok"


def _check_broker() -> None:
    from kombu import Connection

    with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as broker:
        broker.ensure_connection(max_retries=1)


def _check_beat() -> str:
    run = JobRun.objects.filter(name=HEARTBEAT).first()
    if run is None:
        raise LookupError("not seen yet")
    if timezone.now() - run.last_success_at > BEAT_SILENT_AFTER:
        raise LookupError("silent")
    return "ok"


def readiness() -> tuple[bool, dict[str, str]]:
    """Each dependency as "ok" (or "not used") or a one-word failure, and whether all are fine.
    The failure's details go to the log (they name hosts, never people)."""
    checks: dict[str, Callable[[], Any]] = {
        "database": _check_database,
        "redis": _check_redis,
        "broker": _check_broker,
        "beat": _check_beat,
    }
    found: dict[str, str] = {}
    for name, check in checks.items():
        try:
            found[name] = check() or "ok"
        except LookupError as error:
            found[name] = str(error)
        except Exception as error:  # any failure of a dependency means "not ready"
            logger.warning("readiness: %s failed: %s", name, type(error).__name__)
            found[name] = "unreachable"
    return all(value in ("ok", "not used") for value in found.values()), found


def job_metrics() -> Iterable[Metric]:
    last = GaugeMetricFamily(
        "kontakt_job_last_success_timestamp_seconds",
        "When each scheduled job last finished without an error (Unix time).",
        labels=["job"],
    )
    for name, at in JobRun.objects.values_list("name", "last_success_at"):
        last.add_metric([name], at.timestamp())
    yield last


class _Collected:
    """The registered collectors as one prometheus_client collector."""

    def collect(self) -> Iterable[Metric]:
        yield from job_metrics()
        for name, collector in sorted(_collectors.items()):
            try:
                yield from collector()
            except Exception:  # one failing collector leaves the others' metrics standing
                logger.exception("metrics: collector %s failed", name)


COLLECTED = _Collected()
