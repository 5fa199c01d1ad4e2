"""How each figure grew from SCALE=1 to 2 and 4: reads var/bench/x<SCALE>.json (`make bench-growth`).

Paths over all centres should grow in proportion to the data (ratio ≈ scale, "linear"); paths
over one centre should not grow at all (ratio ≈ 1), whatever the number of other centres.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PATHS = [
    # (label, key, unit, kind): "time" grows with work; "rate" should stay flat when work grows
    ("materialise 26 weeks (all centres)", "materialise_s", "s", "all"),
    ("materialise again, no change (all centres)", "rerun_s", "s", "all"),
    ("one week, all centres", "week_all_ms", "ms", "all"),
    ("one centre's week, API p95 (made)", "centre_week_p95_ms", "ms", "centre"),
    ("one centre's week, API p95 (cached)", "centre_week_warm_p95_ms", "ms", "centre"),
    ("one centre's group finder (made)", "finder_median_ms", "ms", "centre"),
    ("reminders for one day (all centres)", ("mail", "reminders_s"), "s", "all"),
    ("newsletter to 100,000 × scale", ("mail", "newsletter_s"), "s", "all"),
    ("worker peak memory", ("mail", "worker_peak_mb"), "MB", "flat"),
]


def value(figures: dict, key) -> float:
    if isinstance(key, tuple):
        mail = figures[key[0]]
        if key[1] == "reminders_s":
            return mail["reminders_queue_s"] + mail["reminders_send_s"]
        return mail[key[1]]
    return figures[key]


def main() -> None:
    runs = {}
    for scale in (1, 2, 4):
        path = ROOT / "var" / "bench" / f"x{scale}.json"
        if path.exists():
            runs[scale] = json.loads(path.read_text())
    if 1 not in runs or len(runs) < 2:
        sys.exit("Run make bench at SCALE=1 and at least one of 2 and 4 first (make bench-growth does all three).")
    scales = sorted(runs)
    print("\nGrowth (ratio to 1×; linear means ratio ≈ scale, flat means ≈ 1)\n")
    print("| path | expected | " + " | ".join(f"{s}×" for s in scales) + " | ratios |")
    print("|---|---|" + "---|" * len(scales) + "---|")
    for label, key, unit, kind in PATHS:
        base = value(runs[1], key)
        cells = " | ".join(f"{value(runs[s], key):,.2f} {unit}" for s in scales)
        ratios = ", ".join(f"{value(runs[s], key) / base:.2f}" for s in scales[1:])
        expected = {"all": "≤ linear", "centre": "flat", "flat": "flat"}[kind]
        print(f"| {label} | {expected} | {cells} | {ratios} |")
    sizes = ", ".join(
        f"{s}×: {runs[s]['size']['centres']} centres, {runs[s]['size']['people']:,} people, "
        f"{runs[s]['size']['meetings']:,} meetings"
        for s in scales
    )
    print(f"\nData sets: {sizes}")


if __name__ == "__main__":
    main()
