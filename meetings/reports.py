"""The year's figures on groups, meetings and rooms: for a set of centres and a period, counts
only. Each figure has the queryset behind it (the list a coordinator opens from the figure), and
the counts are that queryset grouped, so a figure and its list always agree."""

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Avg, Count, DurationField, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncMonth

from config.periods import Period
from meetings.models import (
    Closure,
    EvaluationAnswer,
    EvaluationRound,
    Group,
    GroupStep,
    Meeting,
    OpeningHours,
    Room,
)

CLOSED = Group.Status.CLOSED


def groups_supported(centre_ids: list[int], period: Period) -> QuerySet[Group]:
    """Groups that existed at some time in the period: founded before its end and not closed
    before its start (a closed group never opens again)."""
    return Group.objects.filter(centre_id__in=centre_ids, created_at__lt=period.until).exclude(
        status=CLOSED, status_changed_at__lt=period.since
    )


def groups_founded(centre_ids: list[int], period: Period) -> QuerySet[Group]:
    return Group.objects.filter(centre_id__in=centre_ids, created_at__gte=period.since, created_at__lt=period.until)


def groups_stepped(centre_ids: list[int], period: Period, status: str) -> QuerySet[Group]:
    """Groups that went to `status` in the period (paused, say), each once however often."""
    steps = GroupStep.objects.filter(
        centre_id__in=centre_ids, status=status, at__gte=period.since, at__lt=period.until
    ).values("group_id")
    return Group.objects.filter(centre_id__in=centre_ids, pk__in=steps)


def groups_ended(centre_ids: list[int], period: Period) -> QuerySet[Group]:
    return Group.objects.filter(
        centre_id__in=centre_ids, status=CLOSED, status_changed_at__gte=period.since, status_changed_at__lt=period.until
    )


def by_category_and_age(groups: QuerySet[Group]) -> dict[str, dict[Any, int]]:
    """The groups counted by topic category (None: not mapped) and by age band ("" any age)."""
    counts: dict[str, dict[Any, int]] = {"category": defaultdict(int), "age_band": defaultdict(int)}
    for category, age_band, number in (
        groups.order_by().values_list("topic__category_id", "age_band").annotate(number=Count("id", distinct=True))
    ):
        counts["category"][category] += number
        counts["age_band"][age_band] += number
    return counts


def end_reasons(groups: QuerySet[Group]) -> dict[str, int]:
    return dict(groups.order_by().values_list("end_reason").annotate(number=Count("id")))


def group_status_at(moment: Any) -> Subquery:
    """The status the row's group (`group_id`) had at `moment` (an expression): its last step by
    then. NULL for a group whose steps were never kept."""
    return Subquery(
        GroupStep.objects.filter(group_id=OuterRef("group_id"), at__lte=moment)
        .order_by("-at", "-id")
        .values("status")[:1]
    )


# A group in one of these meets no more, whatever its series still holds.
NOT_MEETING = (Group.Status.PAUSED, Group.Status.CLOSED)


def paused_spells(centre_ids: list[int], period: Period) -> list[tuple[int, datetime, datetime | None]]:
    """(group, from, until) of every spell a group of these centres was paused that touches the
    period; until None: paused still. From the steps of the groups ever paused, one query."""
    ever_paused = GroupStep.objects.filter(centre_id__in=centre_ids, status=Group.Status.PAUSED).values("group_id")
    steps = GroupStep.objects.filter(group_id__in=ever_paused).order_by("group_id", "at", "id")
    spells: list[tuple[int, datetime, datetime | None]] = []
    rows = list(steps.values_list("group_id", "status", "at"))
    for index, (group_id, status, at) in enumerate(rows):
        if status != Group.Status.PAUSED:
            continue
        following = rows[index + 1] if index + 1 < len(rows) else None
        until = following[2] if following is not None and following[0] == group_id else None
        spells.append((group_id, at, until))
    return [
        (group_id, start, until)
        for group_id, start, until in spells
        if start < period.until and (until is None or until > period.since)
    ]


def meetings_held(centre_ids: list[int], period: Period, now: datetime) -> QuerySet[Meeting]:
    """Group meetings that took place in the period: not cancelled, over by `now`, and not while
    their group was paused (a paused group's series goes on in the calendar). A closed group's
    later meetings are cancelled when it closes."""
    held = Meeting.objects.filter(
        centre_id__in=centre_ids,
        group__isnull=False,
        status=Meeting.Status.SCHEDULED,
        starts_at__gte=period.since,
        starts_at__lt=period.until,
        ends_at__lte=now,
    )
    paused = Q()
    for group_id, start, until in paused_spells(centre_ids, period):
        paused |= Q(group_id=group_id, starts_at__gte=start, **({"starts_at__lt": until} if until else {}))
    return held.exclude(paused) if paused else held


def by_month(queryset: QuerySet[Any], field: str, period: Period) -> dict[str, int]:
    """`queryset` counted per month of `field` ("YYYY-MM"), months in the period's zone."""
    rows = (
        queryset.order_by()
        .annotate(month=TruncMonth(field, tzinfo=period.zone))
        .values_list("month")
        .annotate(number=Count("id", distinct=True))
    )
    return {f"{month:%Y-%m}": number for month, number in rows}


def rooms_booked(centre_ids: list[int], period: Period) -> QuerySet[Meeting]:
    """Every booking in a room in the period that was not cancelled: groups, conversations and
    events alike."""
    return Meeting.objects.filter(
        centre_id__in=centre_ids,
        room__isnull=False,
        starts_at__gte=period.since,
        starts_at__lt=period.until,
    ).exclude(status=Meeting.Status.CANCELLED)


def room_use(centre_ids: list[int], period: Period) -> list[dict[str, Any]]:
    """Per room: bookings, hours booked, the opening hours the period had (less the days a closure
    kept it shut), and occupancy (booked of open hours; None for a room without opening hours).
    Four queries, the bookings summed in the database."""
    booked = {
        room_id: (bookings, length or timedelta())
        for room_id, bookings, length in rooms_booked(centre_ids, period)
        .order_by()
        .values_list("room_id")
        .annotate(bookings=Count("id"), length=Sum(F("ends_at") - F("starts_at"), output_field=DurationField()))
    }
    weekdays = _weekday_counts(period)
    daily: dict[int, dict[int, float]] = defaultdict(dict)  # room -> weekday -> hours open
    for room_id, weekday, opens, closes in OpeningHours.objects.filter(centre_id__in=centre_ids).values_list(
        "room_id", "weekday", "opens", "closes"
    ):
        daily[room_id][weekday] = max(closes.hour * 60 + closes.minute - opens.hour * 60 - opens.minute, 0) / 60
    closures = list(
        Closure.objects.filter(
            centre_id__in=centre_ids, starts_on__lte=period.end, ends_on__gte=period.start
        ).values_list("centre_id", "location_id", "room_id", "starts_on", "ends_on")
    )
    rooms = Room.objects.filter(centre_id__in=centre_ids).filter(Q(is_active=True) | Q(pk__in=list(booked)))
    result = []
    for room in rooms.select_related("location").order_by("location__name", "name"):
        bookings, length = booked.get(room.pk, (0, timedelta()))
        hours = length.total_seconds() / 3600
        week = daily.get(room.pk, {})
        closed = _closed_days(room, closures, period)
        available = sum(week.get(d, 0.0) * weekdays[d] for d in range(7)) - sum(
            week.get(d.weekday(), 0.0) for d in closed
        )
        result.append(
            {
                "room": room,
                "bookings": bookings,
                "hours": round(hours, 1),
                "open_hours": round(available, 1),
                "occupancy": round(100 * hours / available) if available else None,
            }
        )
    return result


def _closed_days(room: Room, closures: list[tuple[int, Any, Any, date, date]], period: Period) -> set[date]:
    """The days of the period a closure of the whole centre, the room's building or the room
    itself kept the room shut."""
    days: set[date] = set()
    for centre_id, location_id, room_id, starts_on, ends_on in closures:
        if (
            centre_id != room.centre_id
            or (room_id and room_id != room.pk)
            or (location_id and location_id != room.location_id)
        ):
            continue
        day = max(starts_on, period.start)
        while day <= min(ends_on, period.end):
            days.add(day)
            day += timedelta(days=1)
    return days


def _weekday_counts(period: Period) -> list[int]:
    """How many Mondays … Sundays the period has."""
    days = (period.end - period.start).days + 1
    counts = [days // 7] * 7
    for offset in range(days % 7):
        counts[(period.start.weekday() + offset) % 7] += 1
    return counts


def evaluation_results(centre_ids: list[int], period: Period, threshold: int, today: date) -> dict[Any, dict[str, Any]]:
    """The anonymous evaluation's answers per (centre, topic category), from the rounds asked in
    the period that have closed and that each had at least `threshold` answers: how many, the
    mean WHO-5 score (0–100) and the share who would recommend the group. A round still open or
    with fewer answers counts nowhere, so no two periods, and no two days, differ by a few answers.
    A mean or share every answer agrees on (all 0, all 100) is None: it would tell each answer."""
    rounds = (
        EvaluationRound.objects.filter(
            centre_id__in=centre_ids, held_on__gte=period.start, held_on__lte=period.end, closes_on__lt=today
        )
        .annotate(answered=Count("answers"))
        .filter(answered__gte=threshold)
        .values("pk")
    )
    rows = (
        EvaluationAnswer.objects.filter(round__in=rounds)
        .order_by()
        .values_list("centre_id", "round__group__topic__category")
        .annotate(
            answers=Count("id"),
            score=Avg(F("cheerful") + F("calm") + F("active") + F("rested") + F("interested")),
            recommend=Count("id", filter=Q(recommend=EvaluationAnswer.Recommend.YES)),
        )
    )
    return {
        (centre, category): {
            "answers": answers,
            "who5": round(4 * float(score)) if 0 < score < 25 else None,
            "recommend": round(100 * recommend / answers) if 0 < recommend < answers else None,
        }
        for centre, category, answers, score, recommend in rows
    }
