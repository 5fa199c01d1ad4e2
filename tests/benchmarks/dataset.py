"""The state-sized benchmark data set (DESIGN.md §4), generated once per scale and reused.

At SCALE=1 it is one German state: 44 centres, ~900 rooms, 7,500 groups with weekly series,
300,000 group members (40 a group), 2,000 volunteers, and a state-wide newsletter with 100,000
confirmed subscribers. SCALE=n multiplies the number of centres, so every centre keeps its size:
a path that works on one centre must then cost the same at any scale, and a path over all
centres may grow only in proportion.

Each scale has its own PostgreSQL database (kontakt_bench, kontakt_bench_x2, ...), so the sets
are generated once and reused. The meetings themselves (26 weeks) are made by the benchmark's
materialisation, which it measures.
"""

import os
import sys
import time
from datetime import UTC, datetime
from datetime import time as clock

import django

from tests.scopes import every

SCALE = int(os.environ.get("SCALE", "1"))
CENTRES = 44 * SCALE
ROOMS = 900 * SCALE
GROUPS = 7500 * SCALE
MEMBERS_PER_GROUP = 40
VOLUNTEERS = 2000 * SCALE
SUBSCRIBERS = int(os.environ.get("SUBSCRIBERS", str(100_000 * SCALE)))
TOPICS = ["Depression", "Angst", "Sucht", "Trauer", "Trennung", "Diabetes", "Krebs", "Pflegende Angehörige"]
# Bump when the shape of the set changes: an older set is then made again.
VERSION = "4"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kontakt_bench"


def database_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    return url if SCALE == 1 else f"{url}_x{SCALE}"


def setup_django(migrate: bool = True) -> None:
    os.environ["DATABASE_URL"] = database_url()
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


def _admin_connection():
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    return psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"], dbname="postgres",
        autocommit=True,
    )  # fmt: skip


def ensure_database(fresh: bool = False) -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    name = settings.DATABASES["default"]["NAME"]
    connections.close_all()
    with _admin_connection() as admin:
        if fresh:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0)


class Progress:
    """A one-line progress bar with the rate and the time left."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.began, self.shown, self.last = label, max(total, 1), time.perf_counter(), -1.0, -1

    def __call__(self, done: int) -> None:
        now = time.perf_counter()
        if done < self.total and now - self.shown < 0.25:
            return
        self.shown = now
        width, elapsed = 30, now - self.began
        filled = int(width * done / self.total)
        if done >= self.total:
            left = f"{elapsed:.1f} s"
        elif done >= self.total / 10:  # an estimate only once there is something to go on
            left = f"{elapsed / done * (self.total - done):.0f} s left"
        else:
            left = ""
        bar = f"[{'#' * filled}{'.' * (width - filled)}]"
        sys.stdout.write(f"\r  {self.label:<30} {bar} {done:,}/{self.total:,} {left}   ")
        if done >= self.total:
            sys.stdout.write("\n")
        sys.stdout.flush()


def progress(label: str, done: int, total: int, _bars: dict = {}) -> None:  # noqa: B006 (one bar per label)
    bar = _bars.get(label)
    if bar is None or done <= bar.last or bar.total != max(total, 1):  # a new run under the same label
        bar = _bars[label] = Progress(label, total)
    bar.last = done
    bar(done)


def _stored_version() -> str | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text NOT NULL)")
        cursor.execute("SELECT value FROM bench_meta WHERE key = 'dataset'")
        row = cursor.fetchone()
    return row[0] if row else None


def _share(total: int, index: int, parts: int) -> int:
    """Item `index`'s share when `total` things are dealt out over `parts` as evenly as possible."""
    return total // parts + (1 if index < total % parts else 0)


def generate() -> None:
    """Make the data set unless this scale's database already holds it."""
    wanted = f"{VERSION}:{SCALE}:{SUBSCRIBERS}"
    if _stored_version() == wanted:
        print(f"  reusing the data set in {database_url().rsplit('/', 1)[1]}")
        return
    print(f"  generating the data set in {database_url().rsplit('/', 1)[1]} (once per scale)")
    ensure_database(fresh=True)
    began = time.perf_counter()
    _generate()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text NOT NULL)")
        cursor.execute("INSERT INTO bench_meta VALUES ('dataset', %s)", [wanted])
        cursor.execute("VACUUM ANALYZE")
    print(f"  generated in {time.perf_counter() - began:.0f} s")


def _generate() -> None:
    from django.contrib.auth import get_user_model

    from centres.models import Centre, Person, StaffRole
    from meetings.models import Group, Location, MeetingSeries, Membership, Room, Topic
    from notifications.models import NewsletterList, Subscription
    from volunteers.models import Volunteer

    today = datetime.now(UTC).date()
    # Seven days, five times a day: a room holds up to 35 groups a week; a centre has ~8 per room.
    slots = [(day, start) for day in ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
             for start in (clock(9), clock(11), clock(14), clock(16, 30), clock(19))]  # fmt: skip
    coordinator, _ = get_user_model().objects.get_or_create(username="bench-coordinator", defaults={"is_staff": True})
    bar = Progress("centres, groups, members", GROUPS)
    made = 0
    for index in range(CENTRES):
        centre = every(Centre).create(
            name=f"Kontaktstelle {index + 1:03d}", slug=f"kontaktstelle-{index + 1:03d}", city=f"Stadt {index + 1}"
        )
        every(StaffRole).create(centre=centre, user=coordinator, role=StaffRole.Role.COORDINATOR)
        topics = every(Topic).bulk_create([Topic(centre=centre, name=name) for name in TOPICS])
        locations = every(Location).bulk_create([Location(centre=centre, name=f"Haus {n + 1}") for n in range(2)])
        rooms = every(Room).bulk_create(
            [
                Room(
                    centre=centre,
                    location=locations[n % 2],
                    name=f"Raum {n + 1}",
                    capacity=14,
                    step_free_access=n % 2 == 0,
                )
                for n in range(_share(ROOMS, index, CENTRES))
            ]
        )
        group_count = _share(GROUPS, index, CENTRES)
        groups = every(Group).bulk_create(
            [
                Group(
                    centre=centre,
                    topic=topics[n % len(topics)],
                    name=f"Gruppe {n + 1}",
                    languages=["de"] if n % 10 else ["de", "en"],
                    status=Group.Status.SELF_RUN,
                    max_size=MEMBERS_PER_GROUP,
                )
                for n in range(group_count)
            ]
        )
        every(MeetingSeries).bulk_create(
            [
                MeetingSeries(
                    centre=centre,
                    group=group,
                    # Slot n mod 35, so every day of the week is as full as the others; room
                    # (n div 35): two groups share a room and slot only 35 × rooms groups apart.
                    room=rooms[(n // len(slots)) % len(rooms)],
                    rule=f"FREQ=WEEKLY;BYDAY={slots[n % len(slots)][0]}",
                    starts_on=today,
                    start_time=slots[n % len(slots)][1],
                    duration_minutes=90,
                    time_zone="Europe/Berlin",
                )
                for n, group in enumerate(groups)
            ]
        )
        people = every(Person).bulk_create(
            [
                Person(centre=centre, display_name=f"M{index}-{n}", email=f"m{index}-{n}@example.net", language="de")
                for n in range(group_count * MEMBERS_PER_GROUP)
            ],
            batch_size=5000,
        )
        every(Membership).bulk_create(
            [
                Membership(centre=centre, group=groups[n // MEMBERS_PER_GROUP], person=person, joined_on=today)
                for n, person in enumerate(people)
            ],
            batch_size=5000,
        )
        helpers = every(Person).bulk_create(
            [
                Person(centre=centre, display_name=f"V{index}-{n}", email=f"v{index}-{n}@example.net", language="de")
                for n in range(_share(VOLUNTEERS, index, CENTRES))
            ]
        )
        every(Volunteer).bulk_create(
            [
                Volunteer(
                    centre=centre,
                    person=person,
                    status=Volunteer.Status.ACTIVE if n % 4 else Volunteer.Status.APPLICANT,
                    languages=["de"],
                    weekdays=[n % 7],
                    evening=True,
                )
                for n, person in enumerate(helpers)
            ]
        )
        every(NewsletterList).create(centre=centre, name="Rundbrief")
        made += group_count
        bar(made)
    # The state-wide newsletter, held by the last centre so that the first centre, used by the
    # per-centre figures, is an ordinary one.
    centre = every(Centre).order_by("-pk").first()
    state_list = every(NewsletterList).create(centre=centre, name="Landesrundbrief")
    bar = Progress("newsletter subscribers", SUBSCRIBERS)
    for first in range(0, SUBSCRIBERS, 10_000):
        count = min(10_000, SUBSCRIBERS - first)
        readers = every(Person).bulk_create(
            [
                Person(centre=centre, display_name=f"S{n}", email=f"s{n}@example.org", language="de")
                for n in range(first, first + count)
            ],
            batch_size=5000,
        )
        every(Subscription).bulk_create(
            [
                Subscription(centre=centre, newsletter=state_list, person=person, status="confirmed")
                for person in readers
            ],
            batch_size=5000,
        )
        bar(first + count)


def counts() -> dict[str, int]:
    from centres.models import Centre, Person
    from meetings.models import Group, Meeting, Membership, Room
    from notifications.models import Subscription
    from volunteers.models import Volunteer

    return {
        "centres": every(Centre).count(),
        "rooms": every(Room).count(),
        "groups": every(Group).count(),
        "people": every(Person).count(),
        "members": every(Membership).count(),
        "volunteers": every(Volunteer).count(),
        "subscribers": every(Subscription).filter(status="confirmed").count(),
        "meetings": every(Meeting).count(),
    }
