"""Reports on intake for coordinators and funders: enquiries per month by channel, topic and
outcome, and waiting times. Counts only, never a person."""

import statistics
from datetime import date, datetime, time, timedelta

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from meetings.intake.models import Enquiry


def _range(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    return datetime.combine(start, time.min, tzinfo=zone), until


def enquiries_by_month(*, centre_ids: list[int], start: date, end: date) -> list[dict]:
    """Enquiries received from `start` to `end` (inclusive) per month, channel, topic and current
    outcome. An enquiry about two topics counts once under each; one without a topic under none.
    Anonymised enquiries still count; one still waiting for its address to confirm it does not
    (unconfirmed, it is deleted, and a month's count must not shrink)."""
    since, until = _range(start, end)
    rows = (
        Enquiry.all_centres.filter(centre_id__in=centre_ids, created_at__gte=since, created_at__lt=until)
        .exclude(awaiting_confirmation=True)
        .annotate(month=TruncMonth("created_at", tzinfo=timezone.get_current_timezone()))
        .values("month", "centre__slug", "channel", "topics__name", "status")
        .annotate(enquiries=Count("id", distinct=True))
        .order_by("month", "centre__slug", "channel", "topics__name", "status")
    )
    return [
        {
            "month": row["month"].strftime("%Y-%m"),
            "centre": row["centre__slug"],
            "channel": row["channel"],
            "topic": row["topics__name"] or "",
            "outcome": row["status"],
            "enquiries": row["enquiries"],
        }
        for row in rows
    ]


def waiting_times(*, centre_ids: list[int], start: date, end: date) -> dict:
    """Days from enquiry to placement for people placed from `start` to `end`, and how long the
    people waiting now have waited."""
    since, until = _range(start, end)
    placed = [
        (finished - created).days
        for created, finished in Enquiry.all_centres.filter(
            centre_id__in=centre_ids, status=Enquiry.Status.PLACED, finished_at__gte=since, finished_at__lt=until
        ).values_list("created_at", "finished_at")
    ]
    today = timezone.localdate()
    waiting = [
        (today - waiting_since).days
        for waiting_since in Enquiry.all_centres.filter(
            centre_id__in=centre_ids, status=Enquiry.Status.WAITING, waiting_since__isnull=False
        ).values_list("waiting_since", flat=True)
    ]
    return {
        "placed": len(placed),
        "days_to_placement_median": statistics.median(placed) if placed else None,
        "days_to_placement_mean": round(statistics.fmean(placed), 1) if placed else None,
        "waiting_now": len(waiting),
        "longest_wait_days": max(waiting) if waiting else None,
    }
