"""Benchmarks of the meetings paths (DESIGN.md §4), on the data set of `tests.benchmarks.dataset`.
Run through `make bench` (tests/benchmarks/run.py), which prints them with the rest."""

import gc
import multiprocessing
import statistics
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta

from tests.benchmarks.dataset import progress, setup_django
from tests.scopes import every


def _extend_one(centre_id: int) -> int:
    from django.db import connection

    from centres.models import Centre
    from centres.scoping import centre_scope
    from meetings.services.materialise import horizon_extend

    try:
        with centre_scope(centre_id):  # as the nightly task runs it
            return horizon_extend(centre=every(Centre).get(pk=centre_id)).created
    finally:
        connection.close()


def _worker_setup() -> None:
    setup_django(migrate=False)


def materialise(workers: int) -> tuple[float, int]:
    """Extend every centre's horizon as the nightly job does: one task per centre, here on
    `workers` processes (the Celery workers in production)."""
    from django.db import connections

    from centres.models import Centre

    centre_ids = list(every(Centre).order_by("pk").values_list("pk", flat=True))
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
        cursor.execute("TRUNCATE meetings_meeting CASCADE")  # and what refers to meetings
    every(MeetingSeries).update(materialised_until=None)


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


def _timed(client, path: str, params: dict, *, cold: bool, runs: int = 200) -> dict:
    """Median and p95 of `runs` requests, and the queries of the last one. `cold`: the calendar
    cache is emptied before each request, so every answer is made from the database."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from meetings import caching

    client.get(path, params)  # warm up the connection and templates
    timings = []
    for _ in range(runs):
        if cold:
            caching.clear()
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            response = client.get(path, params)
            timings.append(time.perf_counter() - began)
    assert response.status_code == 200, response.content[:300]
    timings.sort()
    return {
        "median_ms": statistics.median(timings) * 1000,
        "p95_ms": timings[int(len(timings) * 0.95) - 1] * 1000,
        "queries": len(queries),
        "response": response,
    }


def centre_week_api() -> dict:
    """One centre's week in the API: made from the database (cold) and from the cache (warm)."""
    from django.test import Client

    from centres.models import Centre

    centre = every(Centre).order_by("pk").first()
    client = Client(HTTP_AUTHORIZATION=f"Token {centre_token(centre).key}")
    start = datetime.now(UTC) + timedelta(days=14)
    params = {
        "starts_after": start.isoformat(),
        "starts_before": (start + timedelta(days=7)).isoformat(),
        "page_size": 200,
    }
    cold = _timed(client, "/api/v1/meetings/", params, cold=True)
    warm = _timed(client, "/api/v1/meetings/", params, cold=False)
    rows = cold.pop("response").json()["count"]
    warm.pop("response")
    return {"cold": cold, "warm": warm, "rows": rows}


def group_finder() -> dict:
    """One centre's public group finder, made from the database each time."""
    from django.test import Client

    from centres.models import Centre

    centre = every(Centre).order_by("pk").first()
    figures = _timed(Client(), f"/centres/{centre.slug}/groups/", {}, cold=True, runs=50)
    figures.pop("response")
    return figures


def bench_centre():
    """The centre the workspace pages are measured on: the one with the most rooms (about 20 at
    SCALE=1), the first by id among equals."""
    from django.db.models import Count

    from centres.models import Centre

    return every(Centre).annotate(room_count=Count("rooms")).order_by("-room_count", "pk").first()


def coordinator_client(centre):
    """A browser-like client logged in as the bench coordinator of `centre` (a session row the
    load test's server shares)."""
    from django.test import Client

    client = Client()
    client.force_login(centre_token(centre).user)
    return client


def workspace_pages() -> dict:
    """The coordinators' busiest pages on the centre with the most rooms, each made fresh (the
    calendar cache emptied before every request): the planner's week, the intake queue and the
    group list. Median, p95 and queries of each, with the loaded application frozen for the
    garbage collector as the web server freezes it."""
    from django.utils import timezone

    centre = bench_centre()
    client = coordinator_client(centre)
    monday = timezone.localdate() + timedelta(days=14)
    paths = {
        "planner_week": (f"/centres/{centre.slug}/planner/", {"week": monday.isoformat()}),
        "intake_queue": (f"/centres/{centre.slug}/intake/", {}),
        "group_list": (f"/centres/{centre.slug}/workspace/groups/", {}),
    }
    figures = {"centre": centre.slug, "rooms": centre.room_count}
    for path, params in paths.values():
        client.get(path, params)  # the templates and the code each page loads, as a server has them
    # As gunicorn runs the application (platform/gunicorn.conf.py): what it loaded is frozen, so
    # a full collection does not scan it during a request.
    gc.freeze()
    for name, (path, params) in paths.items():
        timed = _timed(client, path, params, cold=True, runs=100)
        timed.pop("response")
        figures[name] = timed
    return figures


def centre_token(centre):
    """The API token of a coordinator of this one centre, so that the scope is that centre."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from centres.models import StaffRole

    user, _ = get_user_model().objects.get_or_create(username=f"bench-{centre.slug}", defaults={"is_staff": True})
    every(StaffRole).get_or_create(centre=centre, user=user, defaults={"role": StaffRole.Role.COORDINATOR})
    return Token.objects.get_or_create(user=user)[0]


def concurrent_bookings(attempts: int = 50) -> tuple[int, int, int]:
    from django.db import connection

    from centres.scoping import centre_scope
    from config.errors import ConflictError
    from meetings.models import Meeting, Room
    from meetings.services.meetings import one_off_create

    room = every(Room).select_related("centre").order_by("pk").first()
    start = (datetime.now(UTC) + timedelta(days=400)).replace(hour=3, minute=0, second=0, microsecond=0)
    every(Meeting).filter(
        room=room, starts_at__gte=start - timedelta(hours=1), starts_at__lt=start + timedelta(hours=2)
    ).delete()
    barrier, outcomes = threading.Barrier(attempts), []

    def book(n: int) -> None:
        barrier.wait()
        try:
            with centre_scope(room.centre_id):  # each thread is a coordinator's request
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
    every(Meeting).filter(room=room, starts_at=start).delete()
    return outcomes.count("ok"), outcomes.count("conflict"), outcomes.count("error")


def ensure_meetings() -> None:
    """Materialise the meetings once when a benchmark needs them but `make bench` has not run."""
    from meetings.models import Meeting

    if not every(Meeting).exists():
        materialise(workers=2)
        analyse()
