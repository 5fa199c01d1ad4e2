"""A pytest plugin for `make test-future`: refuses to run the suite unless this process's clock
really is the given number of days ahead of the machine's, so a run that claims to test the
future cannot quietly test today (libfaketime missing, or LD_PRELOAD dropped on the way).

`make test-future` loads it with `-p tests.clock_ahead` and sets KONTAKT_CLOCK_AHEAD_DAYS and
KONTAKT_REAL_TIME (the machine's clock in epoch seconds, read outside libfaketime)."""

import os
import time
from datetime import UTC, datetime

import pytest

# libfaketime shifts by whole days; allow for a slow start and a leap day either way.
TOLERANCE_SECONDS = 2 * 86400
# What carries libfaketime into a process: tests that start the worker, beat or gunicorn with a
# clean environment pass these on, so every process of the test lives at the same time.
CLOCK_VARIABLES = ("LD_PRELOAD", "FAKETIME")


def clock_shift() -> tuple[int, float]:
    """The days the clock should be ahead, and the seconds it is ahead of KONTAKT_REAL_TIME."""
    try:
        days = int(os.environ["KONTAKT_CLOCK_AHEAD_DAYS"])
        real = float(os.environ["KONTAKT_REAL_TIME"])
    except (KeyError, ValueError) as error:
        raise pytest.UsageError(
            "tests.clock_ahead needs KONTAKT_CLOCK_AHEAD_DAYS and KONTAKT_REAL_TIME (epoch seconds read "
            f"outside libfaketime): {error!r}; run it through `make test-future`"
        ) from error
    return days, time.time() - real


def pytest_configure(config):
    days, ahead = clock_shift()
    if abs(ahead - days * 86400) > TOLERANCE_SECONDS:
        raise pytest.UsageError(
            f"the clock should be {days} days ahead of the machine's, but it is {ahead / 86400:.1f} days ahead: "
            "libfaketime is not in effect (is the `faketime` package installed?)"
        )


def pytest_report_header(config):
    days, ahead = clock_shift()
    now = datetime.now(UTC)
    return f"clock: {now:%Y-%m-%d %H:%M} UTC, {ahead / 86400:.1f} days ahead of the machine's (asked: {days})"
