"""Dates, times and numbers read the same way in every language of the workspace: 24-hour times
and the day before the month in English too, ISO dates accepted from every date picker, and a
percentage written as each language writes it."""

import re
from datetime import date, datetime, time

import pytest
from django import forms
from django.utils import formats, translation

from meetings.models import OpeningHours
from tests.config.test_settings import settings_value
from tests.factories import every

LANGUAGES = ["en", "de", "da", "nl"]


def test_english_shows_24_hour_times_and_the_day_before_the_month():
    with translation.override("en"):
        assert formats.time_format(time(19, 1)) == "19:01"
        assert formats.date_format(date(2026, 12, 2), "SHORT_DATE_FORMAT") == "02/12/2026"
        assert formats.date_format(date(2026, 12, 2)) == "2 December 2026"
        assert formats.date_format(datetime(2026, 12, 2, 7, 5), "SHORT_DATETIME_FORMAT") == "02/12/2026 07:05"
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_language_shows_a_12_hour_clock(language):
    with translation.override(language):
        shown = formats.date_format(datetime(2026, 12, 2, 19, 1), "DATETIME_FORMAT")
    assert "19" in shown
    assert not re.search(r"[ap]\.?m\.?", shown, re.IGNORECASE)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_date_and_a_time_from_a_picker_are_read_in_every_language(language):
    # Browsers' date and time inputs send ISO 8601 whatever the page's language.
    with translation.override(language):
        assert forms.DateField().clean("2026-12-02") == date(2026, 12, 2)
        assert forms.TimeField().clean("19:01") == time(19, 1)


def test_english_reads_a_typed_date_day_first():
    with translation.override("en"):
        assert forms.DateField().clean("02/12/2026") == date(2026, 12, 2)


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "pattern"), [("en", r"\d+%"), ("de", r"\d+\xa0%"), ("nl", r"\d+%")])
def test_the_planners_occupancy_is_written_as_the_language_writes_a_percentage(
    client, coordinator_a, weekly_series, room_a, language, pattern
):
    for weekday in range(7):  # opening hours give the room an occupancy
        every(OpeningHours).create(centre=room_a.centre, room=room_a, weekday=weekday, opens=time(8), closes=time(22))
    client.force_login(coordinator_a)
    page = client.get("/centres/centre-a/planner/", {"week": "2026-12-09"}, HTTP_ACCEPT_LANGUAGE=language)
    occupancy = re.findall(r"<small>[^<:]+: ([^<]+)</small>", page.content.decode())
    assert occupancy
    assert all(re.fullmatch(pattern, shown) for shown in occupancy), occupancy


def test_links_in_development_follow_the_port_make_run_serves():
    env = {"DEBUG": "true", "WEB_PORT": "8123"}
    assert settings_value("SITE_URL", env) == "http://127.0.0.1:8123"
    assert settings_value("SITE_URL", {**env, "SITE_URL": "https://kontakt.example.org"}) == (
        "https://kontakt.example.org"
    )
