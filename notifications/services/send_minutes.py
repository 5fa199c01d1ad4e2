"""The per-minute tally of sending behind the metrics "sends and ESP errors per minute": each
sending task adds its outcome to its minute's row in one statement, so a tally costs one query per
batch, not per mail, and counts the work of every worker on every machine alike."""

from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from notifications.models import SendMinute

KEPT = timedelta(days=1)


def send_minute_add(*, sent: int, retried: int, failed: int, now: datetime | None = None) -> None:
    """Add one task's outcome to its minute (an upsert both PostgreSQL and SQLite understand)."""
    if not (sent or retried or failed):
        return
    minute = (now or timezone.now()).replace(second=0, microsecond=0)
    table = SendMinute._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {table} (minute, sent, retried, failed) VALUES (%s, %s, %s, %s)
                ON CONFLICT (minute) DO UPDATE SET sent = {table}.sent + excluded.sent,
                    retried = {table}.retried + excluded.retried, failed = {table}.failed + excluded.failed""",  # noqa: S608 (the table name only)
            [connection.ops.adapt_datetimefield_value(minute), sent, retried, failed],
        )


def send_minute_last(now: datetime | None = None) -> SendMinute:
    """The last whole minute (an unsaved row of zeros when nothing was sent in it)."""
    minute = (now or timezone.now()).replace(second=0, microsecond=0) - timedelta(minutes=1)
    return SendMinute.objects.filter(minute=minute).first() or SendMinute(minute=minute)


def send_minutes_prune(now: datetime | None = None) -> int:
    return SendMinute.objects.filter(minute__lt=(now or timezone.now()) - KEPT).delete()[0]
