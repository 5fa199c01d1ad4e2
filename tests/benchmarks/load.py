"""Load test on loopback: gunicorn serving the state-sized data set, wrk with 50 connections.

    make bench-load                 # LOAD_SECONDS=60 per path, LOAD_CLIENTS=50

Four paths, one after the other: the public group finder of a centre, a member's meetings page
(signed link), a centre's week in the API (the meetings of one week, token) and the room
planner's week in the API. Prints requests/s, p50/p95/p99 and errors
per path. Traffic goes only to 127.0.0.1; the run is bounded by LOAD_SECONDS per path. Needs wrk
(Debian's package `wrk`; the Makefile target installs it when apt is there).
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from tests.benchmarks import dataset, meetings
from tests.scopes import every

SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
CLIENTS = int(os.environ.get("LOAD_CLIENTS", "50"))
ROOT = Path(__file__).resolve().parents[2]
REPORT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT requests=%d seconds=%.3f p50=%d p95=%d p99=%d errors=%d\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), errors))
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def targets() -> list[tuple[str, str, dict]]:
    """The paths and what they need: a centre, a member's link, a coordinator's token, and a
    coordinator's session for the workspace pages."""
    from django.utils import timezone

    from centres.models import Centre, Person
    from meetings.member_links import member_token
    from meetings.models import Group, Membership

    centre = every(Centre).order_by("pk").first()
    group = every(Group).filter(centre=centre).order_by("pk").first()
    person, _ = every(Person).get_or_create(
        centre=centre, email="load-member@example.net", defaults={"display_name": "Load", "language": "de"}
    )
    membership = every(Membership).filter(group=group, person=person, left_on__isnull=True).first()
    if membership is None:
        membership = every(Membership).create(centre=centre, group=group, person=person, joined_on=timezone.localdate())
    token = meetings.centre_token(centre)
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    week = urlencode(
        {
            "starts_after": f"{monday.isoformat()}T00:00:00+01:00",
            "starts_before": f"{(monday + timedelta(days=7)).isoformat()}T00:00:00+01:00",
            "page_size": 200,
        }
    )
    auth = {"Authorization": f"Token {token.key}"}
    busiest = meetings.bench_centre()
    session = {"Cookie": f"sessionid={meetings.coordinator_client(busiest).cookies['sessionid'].value}"}
    return [
        ("group finder (public page)", f"/centres/{centre.slug}/groups/", {}),
        ("federation's finder, a word and a place", "/groups/?q=Trauer&place=30159&radius=50", {}),
        ("member's meetings (signed link)", f"/m/{member_token(purpose='manage', membership_id=membership.pk)}/", {}),
        ("centre's week (API)", f"/api/v1/meetings/?{week}", auth),
        ("room planner week (API)", f"/api/v1/planner/?centre={centre.slug}&week={monday.isoformat()}", auth),
        ("planner week (workspace page)", f"/centres/{busiest.slug}/planner/?week={monday.isoformat()}", session),
        ("intake queue (workspace page)", f"/centres/{busiest.slug}/intake/", session),
        ("group list (workspace page)", f"/centres/{busiest.slug}/workspace/groups/", session),
    ]


def serve(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "ENV_FILE": "",
        "STATIC_ROOT": str(ROOT / "var" / "bench-static"),
        # As in production (docker-compose.yml): the cache in Redis, shared by the web processes.
        "CACHE_URL": os.environ.get("LOAD_CACHE_URL", "redis://127.0.0.1:6379/1"),
    }
    # With DEBUG off the pages link to hashed static files: collect them first.
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    # The production configuration (platform/gunicorn.conf.py) with its defaults; LOAD_WORKERS
    # and LOAD_THREADS try others. Its access log goes where production sends it, here nowhere.
    env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
    for name in ("WORKERS", "THREADS"):
        if os.environ.get(f"LOAD_{name}"):
            env[f"GUNICORN_{name}"] = os.environ[f"LOAD_{name}"]
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--config", "platform/gunicorn.conf.py", "config.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(ROOT / "var" / "bench-load-gunicorn.log").open("w"),  # workers starting and recycled
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not start")


def run_wrk(url: str, headers: dict, script: Path) -> dict:
    command = ["wrk", "-t2", f"-c{CLIENTS}", f"-d{SECONDS}s", "--latency", "-s", str(script)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, timeout=SECONDS + 60).stdout
    found = re.search(r"RESULT requests=(\d+) seconds=([\d.]+) p50=(\d+) p95=(\d+) p99=(\d+) errors=(\d+)", output)
    if not found:
        sys.exit(f"wrk said:\n{output}")
    requests, seconds, p50, p95, p99, errors = found.groups()
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": int(requests) / float(seconds),
        "p50": int(p50) / 1000,
        "p95": int(p95) / 1000,
        "p99": int(p99) / 1000,
        "errors": int(errors) + (int(non_2xx[1]) if non_2xx else 0),
        "requests": int(requests),
    }


SECRET = "load-test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("The load test needs wrk: apt-get install wrk")
    # The member's link is signed here and checked by gunicorn: one key for both.
    os.environ["SECRET_KEY"] = SECRET
    dataset.setup_django()
    dataset.generate()
    meetings.ensure_meetings()
    paths = targets()
    port = free_port()
    server = serve(port)
    print(f"\nLoad: {CLIENTS} connections for {SECONDS} s per path, gunicorn on 127.0.0.1:{port}\n")
    print(f"{'path':<34} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'requests':>9}")
    try:
        with tempfile.TemporaryDirectory() as folder:
            script = Path(folder) / "report.lua"
            script.write_text(REPORT)
            for name, path, headers in paths:
                result = run_wrk(f"http://127.0.0.1:{port}{path}", headers, script)
                print(
                    f"{name:<34} {result['rps']:>8.0f} {result['p50']:>8.1f} {result['p95']:>8.1f} "
                    f"{result['p99']:>8.1f} {result['errors']:>7} {result['requests']:>9}"
                )
    finally:
        server.terminate()
        server.wait(timeout=30)
    print("\nTargets (DESIGN.md §4): 0 errors; p95 ≤ 100 ms for the API.")


if __name__ == "__main__":
    main()
