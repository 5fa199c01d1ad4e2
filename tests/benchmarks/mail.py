"""Mail benchmarks (DESIGN.md §4): reminders for one day, queued, rendered and handed to the ESP
backend, and one newsletter issue to many subscribers, both through real Celery workers on Redis
and a fake Postmark on 127.0.0.1.

    make bench-mail                  # BENCH_DATABASE_URL and REDIS_URL (default 127.0.0.1)
    make bench-mail MEETINGS=1070 MEMBERS=40 SUBSCRIBERS=100000 WORKERS=2
"""

import json
import os
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
# The queueing side must know the ESP too: it sizes send tasks to the ESP's batch limit.
os.environ.setdefault("EMAIL_ESP", "postmark")
os.environ.setdefault("ANYMAIL_POSTMARK_SERVER_TOKEN", "bench")

from tests.benchmarks.meetings import progress, setup_django

MEETINGS = int(os.environ.get("MEETINGS", "1070"))
MEMBERS = int(os.environ.get("MEMBERS", "40"))
SUBSCRIBERS = int(os.environ.get("SUBSCRIBERS", "100000"))
WORKERS = int(os.environ.get("WORKERS", "2"))
ROOT = Path(__file__).resolve().parents[2]


def reset(centre_slug: str):
    from centres.models import Centre, Person
    from meetings.models import Group, Location, Meeting, MeetingSeries, Membership, Room, Topic
    from notifications.models import NewsletterIssue, NewsletterList, OutgoingMail, Subscription

    centre = Centre.all_centres.filter(slug=centre_slug).first()
    if centre is not None:
        OutgoingMail.all_centres.filter(centre=centre).delete()
        for model in (
            Subscription,
            NewsletterIssue,
            NewsletterList,
            Membership,
            Meeting,
            MeetingSeries,
            Group,
            Room,
            Location,
            Topic,
            Person,
        ):
            model.all_centres.filter(centre=centre).delete()
        centre.delete()
    return Centre.all_centres.create(name=f"Bench {centre_slug}", slug=centre_slug)


def make_reminder_day(centre, now):
    from centres.models import Person
    from meetings.models import Group, Location, Meeting, Membership, Room, Topic

    topic = Topic.all_centres.create(centre=centre, name="Bench")
    location = Location.all_centres.create(centre=centre, name="Haus")
    rooms = Room.all_centres.bulk_create(
        [Room(centre=centre, location=location, name=f"R{n}", capacity=50) for n in range(MEETINGS)]
    )
    groups = Group.all_centres.bulk_create(
        [Group(centre=centre, topic=topic, name=f"Gruppe {n}", languages=["de"]) for n in range(MEETINGS)]
    )
    start = now + timedelta(hours=12)
    Meeting.all_centres.bulk_create(
        [
            Meeting(
                centre=centre,
                room=room,
                group=group,
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                uid=f"bench-{centre.pk}-{n}@kontakt",
            )
            for n, (room, group) in enumerate(zip(rooms, groups, strict=True))
        ],
        batch_size=2000,
    )
    people = Person.all_centres.bulk_create(
        [
            Person(centre=centre, display_name=f"P{n}", email=f"p{n}@example.net", language="de")
            for n in range(MEETINGS * MEMBERS)
        ],
        batch_size=5000,
    )
    Membership.all_centres.bulk_create(
        [
            Membership(centre=centre, group=groups[n // MEMBERS], person=person, joined_on=now.date())
            for n, person in enumerate(people)
        ],
        batch_size=5000,
    )


def analyze() -> None:
    """Planner statistics for the data just made, as a live database has them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def start_workers(fake_url: str) -> subprocess.Popen:
    from django.conf import settings

    db = settings.DATABASES["default"]
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update(
        ENV_FILE="",
        DEBUG="true",
        REDIS_URL=os.environ["REDIS_URL"],
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        EMAIL_ESP="postmark",
        ANYMAIL_POSTMARK_SERVER_TOKEN="bench",
        ANYMAIL_POSTMARK_API_URL=fake_url,
        LOG_LEVEL="WARNING",
    )
    return subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "config",
            "worker",
            "--loglevel=WARNING",
            f"--concurrency={WORKERS}",
            "--without-mingle",
            "--without-gossip",
            "-n",
            "bench@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(ROOT / "var" / "bench-mail-worker.log").open("w"),  # warnings and errors only
    )


def start_fake_esp() -> subprocess.Popen:
    """The fake Postmark in a process of its own, so that it does not share the benchmark's
    interpreter lock with the queueing it measures."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.notifications.fake_esp"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )


def cpu_seconds() -> dict[str, float]:
    """CPU time used so far: the whole machine's busy time ("machine", from /proc/stat) and each
    kind of running process (user + system, from /proc/<pid>/stat)."""
    ticks = os.sysconf("SC_CLK_TCK")
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    totals: dict[str, float] = {"machine": (sum(values) - values[3] - values[4]) / ticks}  # less idle, iowait
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        totals[name] = totals.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return totals


def cpu_used(before: dict[str, float], after: dict[str, float], wall: float) -> str:
    """How busy the two cores were during a phase, and the largest users among processes still
    running (a database connection closed meanwhile takes its CPU time with it)."""
    busy = (after["machine"] - before["machine"]) / wall
    used = sorted(((after[name] - before.get(name, 0.0), name) for name in after if name != "machine"), reverse=True)
    top = ", ".join(f"{name} {seconds / wall:.2f}" for seconds, name in used[:4] if seconds > 0.05 * wall)
    return f"{busy:.2f} busy ({top})"


def peak_rss_mb(pid: int) -> float:
    """Largest resident set among the worker's processes (the pool children do the sending)."""
    total = 0.0
    for child in [
        pid,
        *map(int, subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()),
    ]:
        try:
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total = max(total, int(line.split()[1]) / 1024)
        except FileNotFoundError:
            continue
    return total


def wait_sent(centre, total: int, label: str) -> float:
    from notifications.models import OutgoingMail

    began = time.perf_counter()
    while True:
        sent = OutgoingMail.all_centres.filter(centre=centre, status="sent").count()
        progress(label, sent, total)
        if sent >= total:
            return time.perf_counter() - began
        if time.perf_counter() - began > 1800:
            raise SystemExit(f"{label}: only {sent} of {total} sent after 30 minutes")
        time.sleep(0.5)


def main() -> None:
    setup_django()
    from django.utils import timezone

    from centres.models import Person
    from centres.scoping import all_centres_scope
    from notifications import issues
    from notifications.models import NewsletterIssue, NewsletterIssueText, NewsletterList, Subscription
    from notifications.reminders import reminders_queue_due

    esp = start_fake_esp()
    esp_url = esp.stdout.readline().strip()
    workers = start_workers(esp_url)
    rows = []
    try:
        with all_centres_scope():
            now = timezone.now()
            centre = reset("bench-reminders")
            make_reminder_day(centre, now)
            analyze()
            began = time.perf_counter()
            queued = reminders_queue_due(now=now + timedelta(hours=11))
            queue_seconds = time.perf_counter() - began
            send_seconds = wait_sent(centre, queued, f"reminders ({WORKERS} workers)")
            rows.append(
                (
                    "reminders: queue + render",
                    f"{queued / queue_seconds:,.0f} mails/s ({queued:,} in {queue_seconds:.1f} s)",
                    "",
                )
            )
            rows.append(
                (
                    "reminders: handed to the ESP",
                    f"{queued / (queue_seconds + send_seconds):,.0f} mails/s end to end",
                    "≥ 3,000 mails/s",
                )
            )

            centre = reset("bench-newsletter")
            newsletter = NewsletterList.all_centres.create(centre=centre, name="Rundbrief")
            people = Person.all_centres.bulk_create(
                [
                    Person(centre=centre, display_name=f"S{n}", email=f"s{n}@example.net", language="de")
                    for n in range(SUBSCRIBERS)
                ],
                batch_size=5000,
            )
            Subscription.all_centres.bulk_create(
                [
                    Subscription(centre=centre, newsletter=newsletter, person=person, status="confirmed")
                    for person in people
                ],
                batch_size=5000,
            )
            analyze()
            issue = NewsletterIssue.all_centres.create(centre=centre, newsletter=newsletter, title="Bench")
            NewsletterIssueText.objects.create(issue=issue, language="de", subject="Neues", body="# Hallo\n\nText.")
            issues.issue_schedule(issue=issue)
            cpu_before = cpu_seconds()
            began = time.perf_counter()
            chunks = issues.issues_send_due()  # renders the issue, cuts it into chunks, queues their tasks
            fan_out_seconds = time.perf_counter() - began
            send_seconds = wait_sent(centre, SUBSCRIBERS, f"newsletter ({WORKERS} workers)")
            cpu = cpu_used(cpu_before, cpu_seconds(), fan_out_seconds + send_seconds)
            rows.append(
                (
                    "newsletter: started",
                    f"{chunks} chunk tasks queued in {fan_out_seconds:.2f} s",
                    "",
                )
            )
            rows.append(
                (
                    "newsletter: handed to the ESP",
                    f"{SUBSCRIBERS / (fan_out_seconds + send_seconds):,.0f} recipients/s end to end "
                    f"({SUBSCRIBERS:,} in {fan_out_seconds + send_seconds:.1f} s)",
                    "≥ 10,000 /s",
                )
            )
            rows.append(("newsletter: cores used", cpu, "of 2"))
            rows.append(("worker peak memory", f"{peak_rss_mb(workers.pid):.0f} MB RSS", "< 300 MB"))
            stats = json.loads(urllib.request.urlopen(esp_url + "stats", timeout=10).read())  # noqa: S310 (loopback)
            rows.append(("ESP requests", f"{stats['requests']:,} for {stats['accepted']:,} mails", ""))
            rows.append(("mails accepted twice", f"{stats['duplicates']:,}", "0"))
    finally:
        workers.terminate()
        workers.wait(timeout=60)
        esp.terminate()
        esp.wait(timeout=10)
    print()
    print(f"| {'what':<32} | {'measured':<58} | {'target':<16} |")
    print(f"|{'-' * 34}|{'-' * 60}|{'-' * 18}|")
    for what, measured, target in rows:
        print(f"| {what:<32} | {measured:<58} | {target:<16} |")


if __name__ == "__main__":
    main()
