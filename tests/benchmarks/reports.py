"""The year's figures on the state-sized data set: one centre's year report made fresh, and the
federation's year over every centre, with their query counts.

    python -m tests.benchmarks.reports     # on its own (the data set and meetings are made if missing)

`prepare()` gives the data set a year to count, after the meetings benchmark has materialised the
coming 26 weeks: the same 26 weeks a half-year back (so about 196,000 meetings were held in the
year), a year of enquiries (as many per centre as a German contact point gets, ~1,250, each with a
topic), the groups' steps (founded over three years, phased out over the last two, one in fifty paused for
two months), starters' spells with their session logs, and the newsletter's confirmation dates. Made with set-based SQL
and bulk inserts; again on every run, since the meetings benchmark empties the meetings table
(and, by cascade, what refers to it).
"""

import random
import statistics
import time
from datetime import timedelta
from decimal import Decimal

from tests.benchmarks import dataset
from tests.scopes import every

ENQUIRIES_PER_CENTRE = 1250
CHANNELS = ["web"] * 4 + ["phone"] * 4 + ["email"] * 2 + ["in_person"]
OUTCOMES = ["placed"] * 4 + ["referred"] * 2 + ["withdrawn", "closed", "closed", "waiting"]


def _sql(statement: str, params: list | None = None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.rowcount


def _past_meetings() -> int:
    """The coming 26 weeks' meetings copied 26 weeks back: a half-year already held."""
    from meetings.models import Meeting

    if every(Meeting).filter(starts_at__lt=_now() - timedelta(days=7)).exists():
        return 0
    columns = [field.column for field in Meeting._meta.concrete_fields if field.column != "id"]
    # Shifted in local time, so a meeting keeps its slot across a change of summer time; the
    # copies end before today, where the materialised meetings begin (26 weeks less a day).
    back = "(({0} AT TIME ZONE 'Europe/Berlin') - interval '182 days') AT TIME ZONE 'Europe/Berlin'"
    shifted = {
        "starts_at": back.format("starts_at"),
        "ends_at": back.format("ends_at"),
        "original_starts_at": back.format("original_starts_at"),
        "uid": "uid || '-past'",
    }
    select = ", ".join(shifted.get(column, column) for column in columns)
    tomorrow = "(date_trunc('day', now() AT TIME ZONE 'Europe/Berlin') + interval '1 day') AT TIME ZONE 'Europe/Berlin'"
    return _sql(
        f"INSERT INTO meetings_meeting ({', '.join(columns)}) SELECT {select} FROM meetings_meeting "
        f"WHERE starts_at >= {tomorrow} AND starts_at < {tomorrow} + interval '181 days'"
    )


def _now():
    from django.utils import timezone

    return timezone.now()


def _group_history() -> None:
    """Founded 0–999 days ago, starting two weeks later, self-run 200 days after founding."""
    from meetings.models import GroupStep

    if every(GroupStep).exists():
        return
    _sql("UPDATE meetings_group SET created_at = now() - (id %% 1000) * interval '1 day'")
    for status, previous, after in (("forming", "", 0), ("starting", "forming", 14), ("self_run", "starting", 200)):
        _sql(
            "INSERT INTO meetings_groupstep (centre_id, group_id, status, previous, end_reason, at) "
            "SELECT centre_id, id, %s, %s, '', created_at + %s * interval '1 day' FROM meetings_group "
            "WHERE created_at + %s * interval '1 day' < now()",
            [status, previous, after, after],
        )


def _pauses() -> None:
    """One group in fifty paused for two months in the last year (its series went on in the
    calendar, so its meetings then must not count as held)."""
    from meetings.models import GroupStep

    if every(GroupStep).filter(status="paused").exists():
        return
    for status, previous, days_ago in (("paused", "self_run", 150), ("self_run", "paused", 90)):
        _sql(
            "INSERT INTO meetings_groupstep (centre_id, group_id, status, previous, end_reason, at) "
            "SELECT centre_id, id, %s, %s, '', now() - %s * interval '1 day' FROM meetings_group "
            "WHERE id %% 50 = 0",
            [status, previous, days_ago],
        )


def _starters() -> None:
    """A starter for each group founded in the last 400 days, ended at its phase-out, and a
    session logged for each of its group's meetings held in the spell (two hours each)."""
    from meetings.models import Group
    from volunteers.models import StarterAssignment, Volunteer

    if every(StarterAssignment).exists():
        return
    first_volunteer = dict(
        every(Volunteer).order_by("centre_id", "pk").distinct("centre_id").values_list("centre_id", "pk")
    )
    today = _now().date()
    spells = []
    for group_id, centre_id, created_at in every(Group).values_list("pk", "centre_id", "created_at"):
        founded = created_at.date()
        if founded < today - timedelta(days=400):
            continue
        phased_out = founded + timedelta(days=200)
        spells.append(
            StarterAssignment(
                centre_id=centre_id, volunteer_id=first_volunteer[centre_id], group_id=group_id,
                starts_on=founded + timedelta(days=14), planned_meetings=10,
                status="ended" if phased_out < today else "active", ended_on=phased_out if phased_out < today else None,
            )
        )  # fmt: skip
    every(StarterAssignment).bulk_create(spells, batch_size=5000)
    _sql(
        "INSERT INTO volunteers_sessionlog (centre_id, assignment_id, meeting_id, hours, notes, created_at) "
        "SELECT a.centre_id, a.id, m.id, %s, '', now() FROM volunteers_starterassignment a "
        "JOIN meetings_meeting m ON m.group_id = a.group_id AND m.starts_at < now() "
        "AND m.starts_at::date >= a.starts_on AND (a.ended_on IS NULL OR m.starts_at::date <= a.ended_on)",
        [Decimal("2.0")],
    )


def _enquiries() -> int:
    """A year of enquiries per centre, each about one of its topics."""
    from centres.models import Centre
    from intake.models import Enquiry
    from meetings.models import Topic

    if every(Enquiry).count() >= ENQUIRIES_PER_CENTRE * dataset.CENTRES:
        return 0
    rng = random.Random(7)
    now = _now()
    topics: dict[int, list[int]] = {}
    for topic_id, centre_id in every(Topic).values_list("pk", "centre_id"):
        topics.setdefault(centre_id, []).append(topic_id)
    made = 0
    for centre_id in every(Centre).values_list("pk", flat=True):
        rows, chosen = [], []
        for _ in range(ENQUIRIES_PER_CENTRE):
            received = now - timedelta(days=rng.uniform(0, 365))
            outcome = rng.choice(OUTCOMES)
            rows.append(
                Enquiry(
                    centre_id=centre_id, channel=rng.choice(CHANNELS), language="de", status=outcome,
                    created_at=received, status_changed_at=received,
                    finished_at=None if outcome == "waiting" else received + timedelta(days=rng.uniform(3, 40)),
                    first_contact_after=timedelta(hours=rng.uniform(1, 120)),
                    conversation_at=received + timedelta(days=7) if outcome in ("placed", "waiting") else None,
                    waiting_since=(received + timedelta(days=10)).date() if outcome == "waiting" else None,
                )
            )  # fmt: skip
            chosen.append(rng.choice(topics[centre_id]))
        created = every(Enquiry).bulk_create(rows, batch_size=5000)
        links = Enquiry.topics.through
        links.objects.bulk_create(
            [links(enquiry_id=e.pk, topic_id=t) for e, t in zip(created, chosen, strict=True)], batch_size=5000
        )
        made += len(created)
    return made


def prepare() -> dict:
    began = time.perf_counter()
    held = _past_meetings()
    _group_history()
    _pauses()
    _starters()
    enquiries = _enquiries()
    _sql("UPDATE notifications_subscription SET confirmed_at = now() - (id %% 700) * interval '1 day' "
         "WHERE status = 'confirmed' AND confirmed_at IS NULL")  # fmt: skip
    _sql("VACUUM ANALYZE")
    return {"held_added": held, "enquiries_added": enquiries, "prepare_s": time.perf_counter() - began}


def _timings(run, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    run()  # warm up
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            run()
            timings.append(time.perf_counter() - began)
    timings.sort()
    return {
        "median_ms": statistics.median(timings) * 1000,
        "p95_ms": timings[max(int(len(timings) * 0.95) - 1, 0)] * 1000,
        "queries": len(queries),
    }


def _year():
    from config.periods import Period

    today = _now().date()
    from zoneinfo import ZoneInfo

    return Period(today - timedelta(days=364), today, ZoneInfo("Europe/Berlin"))


def centre_year(runs: int = 40) -> dict:
    """One centre's year: the figures made fresh (nothing cached), and the page as a coordinator
    opens it (its charts drawn once, then from the cache while the figures stay the same)."""
    from centres.scoping import centre_scope
    from intake.year.figures import year_report
    from intake.year.sources import Scope
    from tests.benchmarks.meetings import bench_centre, coordinator_client

    centre = bench_centre()
    period = _year()
    with centre_scope(centre.pk):
        figures = _timings(lambda: year_report(Scope((centre.pk,), period, _now())), runs)
    client = coordinator_client(centre)
    path = f"/centres/{centre.slug}/workspace/reports/"
    params = {"start": period.start.isoformat(), "end": period.end.isoformat()}

    def page() -> None:
        answer = client.get(path, params)
        assert answer.status_code == 200, answer.content[:300]

    return {"centre": centre.slug, "figures": figures, "page": _timings(page, runs // 2)}


def federation_year(runs: int = 8) -> dict:
    from centres.models import Centre
    from centres.scoping import all_centres_scope
    from intake.year.federation import federation_report
    from intake.year.sources import Scope

    period = _year()
    with all_centres_scope():
        centres = list(Centre.objects.order_by("name"))
        scope = Scope(tuple(centre.pk for centre in centres), period, _now())
        return {"centres": len(centres), **_timings(lambda: federation_report(scope, centres), runs)}


def counts() -> dict:
    from intake.models import Enquiry
    from meetings.models import Meeting

    return {
        "enquiries": every(Enquiry).count(),
        "held": every(Meeting).filter(starts_at__lt=_now(), starts_at__gte=_now() - timedelta(days=365)).count(),
    }


def main() -> None:
    from tests.benchmarks import meetings

    dataset.setup_django()
    dataset.generate()
    meetings.ensure_meetings()
    prepared = prepare()
    size = counts()
    print(
        f"  prepared in {prepared['prepare_s']:.0f} s: {size['enquiries']:,} enquiries, {size['held']:,} meetings held"
    )
    year = centre_year()
    federation = federation_year()
    print(
        f"one centre's year, figures made   p95 {year['figures']['p95_ms']:.0f} ms, median "
        f"{year['figures']['median_ms']:.0f} ms ({year['figures']['queries']} queries)   target p95 ≤ 300 ms"
    )
    print(f"one centre's year, the page       p95 {year['page']['p95_ms']:.0f} ms ({year['page']['queries']} queries)")
    print(f"the federation's year, {federation['centres']} centres  p95 {federation['p95_ms']:.0f} ms, median "
          f"{federation['median_ms']:.0f} ms ({federation['queries']} queries)   target ≤ 2 s")  # fmt: skip


if __name__ == "__main__":
    main()
