import pytest

from tests.notifications.fake_esp import FakeEsp, anymail_options


def _use(settings, esp: FakeEsp, name: str, *, batch: bool) -> None:
    settings.EMAIL_ESP = name
    settings.OUTBOX_ESP_BATCH = batch
    settings.EMAIL_BACKEND = settings.ESP_BACKENDS[name]
    settings.ANYMAIL = anymail_options(name, esp.url)


@pytest.fixture
def fake_postmark(settings):
    """A fake Postmark on 127.0.0.1, reached through its batch API."""
    esp = FakeEsp()
    _use(settings, esp, "postmark", batch=True)
    yield esp
    esp.stop()


# Every way a mail leaves: Postmark's batch API and anymail one message at a time (the path of
# SMTP and of an ESP with batches turned off), and each other ESP's batch path.
ESP_PATHS = ["postmark-batch", "postmark-anymail", "mailgun", "sendgrid", "brevo", "amazon_ses", "mailjet"]


@pytest.fixture(params=ESP_PATHS)
def fake_esp(request, settings):
    """The fake ESP, reached by one of the paths in ESP_PATHS (each test runs once per path)."""
    esp = FakeEsp()
    name = request.param.split("-")[0]
    _use(settings, esp, name, batch=not request.param.endswith("-anymail"))
    yield esp
    esp.stop()


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
