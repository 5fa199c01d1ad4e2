"""`make test-future` (tests/clock_ahead.py) refuses to run when the clock did not move: a run
that claims to test next year must not quietly test today."""

import time

import pytest

from tests import clock_ahead


def test_a_clock_that_did_not_move_stops_the_run(monkeypatch):
    monkeypatch.setenv("KONTAKT_CLOCK_AHEAD_DAYS", "365")
    monkeypatch.setenv("KONTAKT_REAL_TIME", str(time.time()))
    with pytest.raises(pytest.UsageError, match=r"should be 365 days ahead of the machine's, but it is 0\.0 days"):
        clock_ahead.pytest_configure(None)


def test_a_clock_a_year_ahead_lets_the_run_start(monkeypatch):
    monkeypatch.setenv("KONTAKT_CLOCK_AHEAD_DAYS", "365")
    monkeypatch.setenv("KONTAKT_REAL_TIME", str(time.time() - 365 * 86400))
    clock_ahead.pytest_configure(None)
    assert "365.0 days ahead of the machine's (asked: 365)" in clock_ahead.pytest_report_header(None)


def test_a_run_without_the_machines_time_is_refused(monkeypatch):
    monkeypatch.setenv("KONTAKT_CLOCK_AHEAD_DAYS", "365")
    monkeypatch.delenv("KONTAKT_REAL_TIME", raising=False)
    with pytest.raises(pytest.UsageError, match="make test-future"):
        clock_ahead.pytest_configure(None)
