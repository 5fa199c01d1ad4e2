"""Mail benchmarks (DESIGN.md §4) on the state-sized data set: the reminders for the next day
(~1,070 meetings × 40 members) and one issue of the state-wide newsletter (100,000 confirmed
subscribers), both queued by their periodic jobs and sent by real Celery worker processes over
Redis to a fake ESP on 127.0.0.1 (tests/notifications/fake_esp.py), through the ESP's batch path.

    make bench-mail                  # 2 worker processes, Postmark
    make bench-mail WORKERS="1 2 4"  # how throughput grows with worker processes
    make bench-mail ESP=mailgun      # another ESP's batch path: mailgun, sendgrid, brevo, amazon_ses, mailjet
    make bench-mail-esps             # each ESP in turn, 2 worker processes
"""

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
# The queueing side must know the ESP too: it sizes send tasks to the ESP's batch limit.
os.environ["EMAIL_ESP"] = os.environ.get("ESP") or "postmark"
os.environ.setdefault("ANYMAIL_POSTMARK_SERVER_TOKEN", "bench")

from tests.benchmarks import dataset
from tests.benchmarks.dataset import progress, setup_django
from tests.notifications.fake_esp import anymail_environ
from tests.scopes import every

ESP = os.environ["EMAIL_ESP"]
PHASES = os.environ.get("PHASES", "reminders newsletter").split()  # PHASES=newsletter: the newsletter only
WORKERS = [int(count) for count in os.environ.get("WORKERS", "2").split()]
ROOT = Path(__file__).resolve().parents[2]


def clear_outbox() -> None:
    """Forget every mail sent before, so that the jobs find everything due again."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE notifications_outgoingmail, notifications_mailcontent, notifications_newsletterissue CASCADE"
        )
        cursor.execute("ANALYZE notifications_outgoingmail")


def start_workers(fake_url: str, workers: int) -> subprocess.Popen:
    from django.conf import settings

    db = settings.DATABASES["default"]
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update(
        ENV_FILE="",
        DEBUG="true",
        REDIS_URL=os.environ["REDIS_URL"],
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        EMAIL_ESP=ESP,
        # OUTBOX_ESP_BATCH=false: one message per request through anymail, the path before batches.
        OUTBOX_ESP_BATCH=os.environ.get("OUTBOX_ESP_BATCH", "true"),
        LOG_LEVEL="WARNING",
    )
    env.update(anymail_environ(ESP, fake_url, timeout=30))
    (ROOT / "var").mkdir(exist_ok=True)
    return subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "config",
            "worker",
            "--loglevel=WARNING",
            f"--concurrency={workers}",
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


def wait_sent(total: int, label: str) -> float:
    from notifications.models import OutgoingMail

    began = time.perf_counter()
    while True:
        sent = every(OutgoingMail).filter(status="sent").count()
        progress(label, sent, total)
        if sent >= total:
            return time.perf_counter() - began
        if time.perf_counter() - began > 1800:
            raise SystemExit(f"{label}: only {sent} of {total} sent after 30 minutes")
        time.sleep(0.5)


def wait_all_sent(kind: str, label: str) -> tuple[int, float]:
    """Wait until the workers have stored and sent every mail of `kind` (the per-centre tasks
    store them, so the total is known only once the rows stop growing: two seconds without a
    new one, after the first has come). Returns how many, and when the last was sent."""
    from notifications.models import OutgoingMail

    began, last, done_at = time.perf_counter(), -1, 0.0
    while True:
        rows = every(OutgoingMail).filter(kind=kind)
        total, sent = rows.count(), rows.filter(status="sent").count()
        progress(label, sent, max(total, 1))
        if total != last or sent != total or not total:
            last, done_at = total, 0.0
        elif not done_at:
            done_at = time.perf_counter()
        if done_at and time.perf_counter() - done_at > 2.0:
            return total, done_at
        if time.perf_counter() - began > 1800:
            raise SystemExit(f"{label}: only {sent} of {total} sent after 30 minutes")
        time.sleep(0.1)


def measure(workers: int, esp_url: str) -> dict:
    """Reminders for the next day, then one newsletter issue, with `workers` worker processes."""
    from centres.scoping import all_centres_scope
    from meetings.tasks import queue_due_reminders
    from notifications.models import NewsletterIssue, NewsletterIssueText, NewsletterList
    from notifications.services.newsletter_issues import issue_schedule, issues_send_due

    figures: dict = {"workers": workers, "esp": ESP}
    clear_outbox()
    pool = start_workers(esp_url, workers)
    before = json.loads(urllib.request.urlopen(esp_url + "stats", timeout=10).read())  # noqa: S310 (loopback)
    try:
        with all_centres_scope():
            if "reminders" in PHASES:
                began = time.perf_counter()
                figures["reminder_tasks"] = queue_due_reminders()  # the job as beat runs it: a task per centre
                figures["reminders_queue_s"] = time.perf_counter() - began
                queued, done_at = wait_all_sent("reminder", f"reminders, {workers} worker(s)")
                figures["reminders"] = queued
                figures["reminders_send_s"] = done_at - began - figures["reminders_queue_s"]
                figures["reminders_per_s"] = queued / (done_at - began)
            else:
                figures.update(
                    reminder_tasks=0, reminders_queue_s=0, reminders=0, reminders_send_s=0, reminders_per_s=0
                )

            clear_outbox()
            state_list = every(NewsletterList).get(name="Landesrundbrief")
            issue = every(NewsletterIssue).create(centre=state_list.centre, newsletter=state_list, title="Bench")
            NewsletterIssueText.objects.create(issue=issue, language="de", subject="Neues", body="# Hallo\n\nText.")
            issue_schedule(issue=issue)
            cpu_before = cpu_seconds()
            began = time.perf_counter()
            figures["chunks"] = issues_send_due()  # renders, cuts into chunks, queues their tasks
            fan_out = time.perf_counter() - began
            recipients = state_list.subscriptions.filter(status="confirmed").count()
            sent_s = wait_sent(recipients, f"newsletter, {workers} worker(s)")
            figures["newsletter"] = recipients
            figures["newsletter_s"] = fan_out + sent_s
            figures["newsletter_per_s"] = recipients / (fan_out + sent_s)
            figures["newsletter_cpu"] = cpu_used(cpu_before, cpu_seconds(), fan_out + sent_s)
            figures["worker_peak_mb"] = peak_rss_mb(pool.pid)
    finally:
        pool.terminate()
        pool.wait(timeout=60)
    after = json.loads(urllib.request.urlopen(esp_url + "stats", timeout=10).read())  # noqa: S310 (loopback)
    figures["esp_requests"] = after["requests"] - before["requests"]
    figures["esp_accepted"] = after["accepted"] - before["accepted"]
    figures["duplicates"] = after["duplicates"] - before["duplicates"]
    return figures


def run(worker_counts: list[int]) -> list[dict]:
    results = []
    for workers in worker_counts:
        # A fresh fake ESP per run: it counts a message accepted twice within its own lifetime,
        # and every run sends the same mails again.
        esp = start_fake_esp()
        try:
            results.append(measure(workers, esp.stdout.readline().strip()))
        finally:
            esp.terminate()
            esp.wait(timeout=10)
    return results


def main() -> None:
    from tests.benchmarks.meetings import ensure_meetings

    setup_django()
    dataset.generate()
    ensure_meetings()
    results = run(WORKERS)
    print()
    print(
        "| ESP | worker processes | reminders/s (end to end) | newsletter recipients/s | cores busy (newsletter) "
        "| worker peak RSS | ESP requests | duplicates |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['esp']} | {r['workers']} | {r['reminders_per_s']:,.0f} ({r['reminders']:,} in "
            f"{r['reminders_queue_s'] + r['reminders_send_s']:.1f} s, stored by {r['reminder_tasks']} centre "
            f"tasks) | {r['newsletter_per_s']:,.0f} "
            f"({r['newsletter']:,} in {r['newsletter_s']:.1f} s) | {r['newsletter_cpu']} | "
            f"{r['worker_peak_mb']:.0f} MB | {r['esp_requests']:,} | {r['duplicates']} |"
        )
    print("\nTargets (DESIGN.md §4): ≥ 3,000 reminders/s and ≥ 10,000 recipients/s with 2 worker processes, < 300 MB.")


if __name__ == "__main__":
    main()
