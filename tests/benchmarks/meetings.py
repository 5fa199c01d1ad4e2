"""Benchmarks of the meetings paths at the scale of one German state (DESIGN.md §4).

    make bench                      # PostgreSQL from BENCH_DATABASE_URL, default
                                    # postgres://postgres@127.0.0.1:5432/kontakt_bench

Generates (or reuses) 44 centres, ~900 rooms and 7,500 groups with weekly series, then prints
one table of figures with their targets. It measures; it asserts nothing about time.
"""

import multiprocessing
import os
import statistics
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from datetime import time as clock

import django

SCALE = int(os.environ.get("SCALE", "1"))
CENTRES, ROOMS, GROUPS = 44, 900 * SCALE, 7500 * SCALE
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kontakt_bench"


def setup_django(migrate: bool = True) -> None:
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ["ENV_FILE"] = ""
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("The benchmarks run on PostgreSQL: set BENCH_DATABASE_URL.")
    if migrate:
        ensure_database()


def ensure_database() -> None:
    import psycopg
    from django.conf import settings
    from django.core.management import call_command

    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"],
        dbname="postgres",
        autocommit=True,
    ) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{db["NAME"]}"')
    call_command("migrate", verbosity=0)


def progress(label: str, done: int, total: int) -> None:
    if done < total and done % max(total // 10, 1):
        return
    width = 30
    filled = int(width * done / max(total, 1))
    sys.stdout.write(f"\r  {label:<28} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done >= total:
        sys.stdout.write("\n")
    sys.stdout.flush()


def generate() -> None:
    """The data set, built with bulk inserts; skipped when it is already there."""
    from django.contrib.auth import get_user_model

    from centres.models import Centre, StaffRole
    from meetings.models import Group, Location, MeetingSeries, Room, Topic

    if Group.all_centres.count() == GROUPS and Centre.all_centres.count() == CENTRES:
        print(f"  reusing the data set ({CENTRES} centres, {ROOMS} rooms, {GROUPS} groups)")
        return
    print("  generating the data set")
    for model in (MeetingSeries, Group, Room, Location, Topic):
        model.all_centres.all().delete()
    StaffRole.all_centres.all().delete()
    Centre.all_centres.all().delete()
    centres = Centre.all_centres.bulk_create(
        [
            Centre(name=f"Kontaktstelle {n:02d}", slug=f"kontaktstelle-{n:02d}", city=f"Stadt {n}")
            for n in range(CENTRES)
        ]
    )
    progress("centres", CENTRES, CENTRES)
    user, _ = get_user_model().objects.get_or_create(username="bench-coordinator", defaults={"is_staff": True})
    StaffRole.all_centres.bulk_create([StaffRole(centre=centre, user=user, role="coordinator") for centre in centres])
    topics = Topic.all_centres.bulk_create([Topic(centre=centre, name="Depression") for centre in centres])
    locations = Location.all_centres.bulk_create(
        [Location(centre=centre, name="Haus der Selbsthilfe") for centre in centres]
    )
    rooms = Room.all_centres.bulk_create(
        [
            Room(centre=centres[n % CENTRES], location=locations[n % CENTRES], name=f"Raum {n}", capacity=12)
            for n in range(ROOMS)
        ],
        batch_size=2000,
    )
    progress("rooms", ROOMS, ROOMS)
    rooms_by_centre = {}
    for room in rooms:
        rooms_by_centre.setdefault(room.centre_id, []).append(room)
    groups, series = [], []
    slots = [
        (day, start)
        for day in ["MO", "TU", "WE", "TH", "FR", "SA"]
        for start in (clock(9), clock(11), clock(14), clock(16, 30), clock(19))
    ]
    today = datetime.now(UTC).date()
    for n in range(GROUPS):
        centre = centres[n % CENTRES]
        groups.append(
            Group(centre=centre, topic=topics[n % CENTRES], name=f"Gruppe {n}", languages=["de"], status="self_run")
        )
    groups = Group.all_centres.bulk_create(groups, batch_size=2000)
    progress("groups", GROUPS, GROUPS)
    per_centre_index: dict[int, int] = {}
    for group in groups:
        index = per_centre_index.get(group.centre_id, 0)
        per_centre_index[group.centre_id] = index + 1
        centre_rooms = rooms_by_centre[group.centre_id]
        day, start = slots[(index // len(centre_rooms)) % len(slots)]
        series.append(
            MeetingSeries(
                centre_id=group.centre_id,
                group=group,
                room=centre_rooms[index % len(centre_rooms)],
                rule=f"FREQ=WEEKLY;BYDAY={day}",
                starts_on=today,
                start_time=start,
                duration_minutes=90,
                time_zone="Europe/Berlin",
            )
        )
    MeetingSeries.all_centres.bulk_create(series, batch_size=2000)
    progress("series", GROUPS, GROUPS)


def _extend_one(centre_id: int) -> int:
    from django.db import connection

    from centres.models import Centre
    from meetings.services.series import horizon_extend

    try:
        return horizon_extend(centre=Centre.all_centres.get(pk=centre_id)).created
    finally:
        connection.close()


def _worker_setup() -> None:
    setup_django(migrate=False)


def materialise(workers: int) -> tuple[float, int]:
    """Extend every centre's horizon as the nightly job does: one task per centre, here on
    `workers` processes (the Celery workers in production)."""
    from django.db import connections

    from centres.models import Centre

    centre_ids = list(Centre.all_centres.order_by("pk").values_list("pk", flat=True))
    connections.close_all()
    started, created = time.perf_counter(), 0
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_setup) as pool:
        for done, count in enumerate(pool.map(_extend_one, centre_ids), start=1):
            created += count
            progress(f"materialise ({workers} processes)", done, len(centre_ids))
    return time.perf_counter() - started, created


def reset_meetings() -> None:
    from django.db import connection

    from meetings.models import MeetingSeries

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE meetings_meeting")
    MeetingSeries.all_centres.update(materialised_until=None)


def analyse() -> None:
    """What autovacuum does soon after a large insert (fresh statistics, visibility map), done
    now so that it does not run in the middle of the timings below."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE meetings_meeting")


def week_across_centres() -> tuple[float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from centres.scoping import all_centres_scope
    from meetings.selectors import meeting_overview_between

    start = datetime.now(UTC) + timedelta(days=14)
    timings = []
    for _ in range(7):
        with all_centres_scope(), CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            rows = list(meeting_overview_between(start, start + timedelta(days=7)))
            timings.append(time.perf_counter() - began)
    return statistics.median(timings), len(rows), len(queries)


def centre_week_api() -> tuple[float, float, int, int]:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.authtoken.models import Token

    from centres.models import Centre, StaffRole

    centre = Centre.all_centres.order_by("pk").first()
    role = StaffRole.all_centres.filter(centre=centre).select_related("user").first()
    # A user of one centre only, so the scope is that centre.
    StaffRole.all_centres.filter(user=role.user).exclude(centre=centre).delete()
    token, _ = Token.objects.get_or_create(user=role.user)
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    start = datetime.now(UTC) + timedelta(days=14)
    params = {
        "starts_after": start.isoformat(),
        "starts_before": (start + timedelta(days=7)).isoformat(),
        "page_size": 200,
    }
    client.get("/api/v1/meetings/", params)  # warm up
    timings = []
    for _ in range(200):
        reset_queries()
        began = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/meetings/", params)
        timings.append(time.perf_counter() - began)
    assert response.status_code == 200, response.content[:300]
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    return statistics.median(timings), p95, response.json()["count"], len(queries)


def concurrent_bookings(attempts: int = 50) -> tuple[int, int, int]:
    from django.db import connection

    from config.errors import ConflictError
    from meetings.models import Meeting, Room
    from meetings.services.meetings import one_off_create

    room = Room.all_centres.select_related("centre").order_by("pk").first()
    start = (datetime.now(UTC) + timedelta(days=400)).replace(hour=3, minute=0, second=0, microsecond=0)
    Meeting.all_centres.filter(
        room=room, starts_at__gte=start - timedelta(hours=1), starts_at__lt=start + timedelta(hours=2)
    ).delete()
    barrier, outcomes = threading.Barrier(attempts), []

    def book(n: int) -> None:
        barrier.wait()
        try:
            one_off_create(
                actor=None,
                centre=room.centre,
                room=room,
                title=f"Versuch {n}",
                starts_at=start,
                ends_at=start + timedelta(hours=1),
            )
            outcomes.append("ok")
        except ConflictError:
            outcomes.append("conflict")
        except Exception:
            outcomes.append("error")
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(n,)) for n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    Meeting.all_centres.filter(room=room, starts_at=start).delete()
    return outcomes.count("ok"), outcomes.count("conflict"), outcomes.count("error")


def main() -> None:
    setup_django()
    print(f"Kontakt benchmarks, scale {SCALE}× ({CENTRES} centres, {ROOMS} rooms, {GROUPS} groups)")
    generate()
    reset_meetings()
    first, created = materialise(workers=2)
    again, created_again = materialise(workers=2)
    analyse()
    week_ms, week_rows, week_queries = week_across_centres()
    api_median, api_p95, api_rows, api_queries = centre_week_api()
    ok, conflicts, errors = concurrent_bookings()
    rows = [
        ("materialise 26 weeks, 2 processes", f"{first:.1f} s ({created:,} meetings)", "≤ 15 s"),
        ("materialise again, no change", f"{again:.2f} s ({created_again} new)", "≤ 3 s"),
        (
            "one week, all centres",
            f"{week_ms * 1000:.0f} ms ({week_rows:,} meetings, {week_queries} queries)",
            "≤ 150 ms",
        ),
        (
            "one centre's week, API",
            f"p95 {api_p95 * 1000:.1f} ms, median {api_median * 1000:.1f} ms "
            f"({api_rows} meetings, {api_queries} queries)",
            "p95 ≤ 30 ms",
        ),
        ("50 concurrent bookings", f"{ok} booked, {conflicts} conflicts, {errors} errors", "1 / 49 / 0"),
    ]
    print()
    print(f"| {'what':<34} | {'measured':<62} | {'target':<12} |")
    print(f"|{'-' * 36}|{'-' * 64}|{'-' * 14}|")
    for what, measured, target in rows:
        print(f"| {what:<34} | {measured:<62} | {target:<12} |")


if __name__ == "__main__":
    main()
