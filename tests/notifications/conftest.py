import pytest

from tests.notifications.fake_esp import FakePostmark


@pytest.fixture
def fake_postmark(settings):
    """A fake Postmark on 127.0.0.1, reached through its batch API."""
    esp = FakePostmark()
    settings.EMAIL_ESP = "postmark"
    settings.OUTBOX_ESP_BATCH = True
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "test-token", "POSTMARK_API_URL": esp.url, "REQUESTS_TIMEOUT": 2}
    yield esp
    esp.stop()


@pytest.fixture(params=["batch", "anymail"])
def fake_esp(request, fake_postmark, settings):
    """The fake Postmark through its batch API and, in a second run of each test, through anymail
    one message at a time (the path of every ESP without a batch API here)."""
    settings.OUTBOX_ESP_BATCH = request.param == "batch"
    return fake_postmark


@pytest.fixture
def weekly_series_for_notices(group_a, centre_a, frozen_now):
    """The meetings' weekly series (Tuesdays 19:00 from 2026-12-01, now 2026-11-30 09:00 UTC)."""
    from datetime import UTC, date, datetime, time

    from centres.scoping import centre_scope
    from meetings.services.series import series_create
    from tests.factories import RoomFactory

    frozen_now(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    room = RoomFactory(location__centre=centre_a, name="Raum Linde")
    with centre_scope(centre_a.pk):  # set-up, as a coordinator of centre A would book it
        return series_create(
            actor=None,
            group=group_a,
            room=room,
            rule="FREQ=WEEKLY;BYDAY=TU",
            starts_on=date(2026, 12, 1),
            start_time=time(19, 0),
            duration_minutes=120,
        )
