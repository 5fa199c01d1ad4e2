"""`make bench`: every figure of DESIGN.md §4 on the state-sized data set, in one table.

    make bench                 # BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/kontakt_bench
    make bench SCALE=4         # four times the centres (and so everything else), in kontakt_bench_x4
    make bench-growth          # SCALE=1, 2 and 4, then how each figure grew

Generates the data set once per scale (tests/benchmarks/dataset.py), then measures the meetings
paths, the year's figures (one centre's and the federation's), the reminders and a newsletter
with two Celery worker processes over Redis. It prints
figures and stores them in var/bench/x<SCALE>.json; it asserts nothing about time, because the
machines are shared and noisy.
"""

import json
import platform
import time
from pathlib import Path

from tests.benchmarks import dataset, finder, mail, meetings, reports

ROOT = Path(__file__).resolve().parents[2]


def machine() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    import os

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {memory:.0f} GiB, PostgreSQL {postgres}, Python {platform.python_version()}"


def main() -> None:
    dataset.setup_django()
    print(f"Kontakt benchmarks, scale {dataset.SCALE}× — {machine()}")
    dataset.generate()
    began = time.perf_counter()
    meetings.reset_meetings()
    first, created = meetings.materialise(workers=2)
    again, created_again = meetings.materialise(workers=2)
    meetings.analyse()
    size = dataset.counts()
    week_s, week_rows, week_queries = meetings.week_across_centres()
    api = meetings.centre_week_api()
    finder_one = meetings.group_finder()
    directory = finder.prepare()  # real towns and points, descriptions; the directory built
    federation_finder = finder.searches()
    pages = meetings.workspace_pages()
    booked, conflicts, errors = meetings.concurrent_bookings()
    reports.prepare()  # a year to count: meetings held, enquiries, the groups' steps
    year = reports.centre_year()
    federation = reports.federation_year()
    (mails,) = mail.run([2])
    figures = {
        "scale": dataset.SCALE,
        "size": size,
        "materialise_s": first,
        "materialised": created,
        "rerun_s": again,
        "rerun_created": created_again,
        "week_all_ms": week_s * 1000,
        "week_all_rows": week_rows,
        "week_all_queries": week_queries,
        "centre_week_p95_ms": api["cold"]["p95_ms"],
        "centre_week_median_ms": api["cold"]["median_ms"],
        "centre_week_queries": api["cold"]["queries"],
        "centre_week_warm_p95_ms": api["warm"]["p95_ms"],
        "centre_week_warm_queries": api["warm"]["queries"],
        "centre_week_rows": api["rows"],
        "finder_median_ms": finder_one["median_ms"],
        "finder_queries": finder_one["queries"],
        "directory_build_s": directory["build_s"],
        "federation_finder_p95_ms": federation_finder["p95_ms"],
        "federation_finder_median_ms": federation_finder["median_ms"],
        "workspace_pages": pages,
        "bookings": [booked, conflicts, errors],
        "centre_year": year,
        "federation_year": federation,
        "mail": mails,
    }
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"x{dataset.SCALE}.json").write_text(json.dumps(figures, indent=2))

    rows = [
        ("data set", f"{size['centres']} centres, {size['rooms']:,} rooms, {size['groups']:,} groups, "
         f"{size['people']:,} people ({size['members']:,} members), {size['volunteers']:,} volunteers, "
         f"{size['subscribers']:,} subscribers", ""),
        ("materialise 26 weeks, 2 processes", f"{first:.1f} s ({created:,} meetings)", "≤ 15 s"),
        ("materialise again, no change", f"{again:.2f} s ({created_again} new)", "≤ 3 s"),
        ("one week, all centres", f"{week_s * 1000:.0f} ms ({week_rows:,} meetings, {week_queries} query)", "≤ 150 ms"),
        ("one centre's week, API, made", f"p95 {api['cold']['p95_ms']:.1f} ms, median {api['cold']['median_ms']:.1f}"
         f" ms ({api['rows']} meetings, {api['cold']['queries']} queries)", "p95 ≤ 30 ms"),
        ("  the same, from the cache", f"p95 {api['warm']['p95_ms']:.1f} ms ({api['warm']['queries']} queries)", ""),
        ("one centre's group finder, made",
         f"median {finder_one['median_ms']:.1f} ms ({finder_one['queries']} queries)", ""),
        ("the federation's finder, 9 searches", f"p95 {federation_finder['p95_ms']:.1f} ms, median "
         f"{federation_finder['median_ms']:.1f} ms ({directory['listings']:,} groups)", "p95 ≤ 100 ms"),
        *[
            (f"workspace: {label}, made", f"p95 {pages[key]['p95_ms']:.1f} ms, median {pages[key]['median_ms']:.1f} ms"
             f" ({pages[key]['queries']} queries; {pages['rooms']} rooms)", "p95 ≤ 150 ms")
            for key, label in (("planner_week", "planner week"), ("intake_queue", "intake queue"),
                               ("group_list", "group list"))
        ],
        ("one centre's year report, made", f"p95 {year['figures']['p95_ms']:.0f} ms, median "
         f"{year['figures']['median_ms']:.0f} ms ({year['figures']['queries']} queries)", "p95 ≤ 300 ms"),
        ("  the page, charts from the cache",
         f"p95 {year['page']['p95_ms']:.0f} ms ({year['page']['queries']} queries)", ""),
        (f"the federation's year, {federation['centres']} centres", f"p95 {federation['p95_ms']:.0f} ms, median "
         f"{federation['median_ms']:.0f} ms ({federation['queries']} queries)", "≤ 2 s"),
        ("reminders for one day, 2 workers", f"{mails['reminders_per_s']:,.0f} mails/s ({mails['reminders']:,} in "
         f"{mails['reminders_queue_s'] + mails['reminders_send_s']:.1f} s)", "≥ 3,000 /s"),
        ("newsletter, 2 workers", f"{mails['newsletter_per_s']:,.0f} recipients/s ({mails['newsletter']:,} in "
         f"{mails['newsletter_s']:.1f} s)", "≥ 10,000 /s"),
        ("worker peak memory", f"{mails['worker_peak_mb']:.0f} MB RSS", "< 300 MB"),
        ("mails accepted twice by the ESP", f"{mails['duplicates']}", "0"),
        ("50 concurrent bookings, one slot", f"{booked} booked, {conflicts} conflicts, {errors} errors", "1 / 49 / 0"),
    ]  # fmt: skip
    print()
    print(f"| {'what':<34} | {'measured':<70} | {'target':<11} |")
    print(f"|{'-' * 36}|{'-' * 72}|{'-' * 13}|")
    for what, measured, target in rows:
        print(f"| {what:<34} | {measured:<70} | {target:<11} |")
    print(f"\nMeasured in {time.perf_counter() - began:.0f} s; figures in var/bench/x{dataset.SCALE}.json")


if __name__ == "__main__":
    main()
