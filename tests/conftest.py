"""Fixtures shared by every test: two centres with their staff, API clients, service guards."""

import contextlib
import os
from datetime import UTC, date, datetime, time

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from centres.models import StaffRole
from centres.scoping import all_centres_scope, centre_scope
from meetings.services import series as series_services
from tests.factories import (
    CentreFactory,
    GroupFactory,
    PersonFactory,
    RoomFactory,
    StaffRoleFactory,
    UserFactory,
    every,
)

# CI sets this: a test that needs PostgreSQL or Redis must then run, never skip.
SERVICES_REQUIRED = os.environ.get("KONTAKT_REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str) -> None:
    if SERVICES_REQUIRED:
        pytest.fail(f"{reason}, but KONTAKT_REQUIRE_SERVICES=1 says it must be available here")
    pytest.skip(reason)


def pytest_configure(config):
    from django.conf import settings

    if SERVICES_REQUIRED and (settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"):
        raise pytest.UsageError("KONTAKT_REQUIRE_SERVICES=1 but DATABASE_URL does not point at PostgreSQL")
    if SERVICES_REQUIRED and not os.environ.get("REDIS_URL"):
        raise pytest.UsageError("KONTAKT_REQUIRE_SERVICES=1 but REDIS_URL is not set")

    # WhiteNoise warns about a missing static root; tests never collect static files into it.
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs `collectstatic`; pages under test only need the URLs.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashers take ~0.3 s a password by design; tests make many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    """A request with Accept-Language activates its language in the test's thread (as it does for
    each request in production); the next test starts in the default language again."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Throttles and lockouts count in the cache; every test starts from zero.
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def _texts_kept(settings):
    """Texts go to the memory backend in tests (not printed), from an empty list."""
    from notifications.sms import MemoryBackend

    settings.SMS_BACKEND = "memory"
    MemoryBackend.sent.clear()
    yield MemoryBackend.sent
    MemoryBackend.sent.clear()


@pytest.fixture
def texts_sent(_texts_kept):
    """The texts handed to the SMS backend in this test."""
    return _texts_kept


@pytest.fixture
def fake_infobip(settings):
    """A fake Infobip gateway on 127.0.0.1, as the SMS backend."""
    from tests.notifications.fake_sms import FakeInfobip

    gateway = FakeInfobip()
    settings.SMS_BACKEND = "infobip"
    settings.SMS_INFOBIP_BASE_URL = gateway.url
    settings.SMS_INFOBIP_API_KEY = "test-key"
    settings.SMS_TIMEOUT = 1.0
    yield gateway
    gateway.stop()


@pytest.fixture
def requires_postgres(db):
    if connection.vendor != "postgresql":
        skip_or_fail("this test needs PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        skip_or_fail("this test needs Redis (set REDIS_URL)")
    return url


@pytest.fixture
def unscoped(db):
    """Run the test body with every centre visible, as set-up code does."""
    with all_centres_scope():
        yield


@pytest.fixture
def centre_a(db):
    return CentreFactory(slug="centre-a", name="Kontaktstelle A", default_language="de")


@pytest.fixture
def centre_b(db):
    return CentreFactory(
        slug="centre-b", name="Selvhjælpscenter B", time_zone="Europe/Copenhagen", default_language="da"
    )


@pytest.fixture
def coordinator_a(centre_a):
    return StaffRoleFactory(centre=centre_a, role=StaffRole.Role.COORDINATOR).user


@pytest.fixture
def centre_admin_a(centre_a):
    return StaffRoleFactory(centre=centre_a, role=StaffRole.Role.CENTRE_ADMIN).user


@pytest.fixture
def centre_admin_b(centre_b):
    return StaffRoleFactory(centre=centre_b, role=StaffRole.Role.CENTRE_ADMIN).user


@pytest.fixture
def person_a(centre_a):
    return PersonFactory(centre=centre_a, display_name="Alma A.", email="alma@example.net")


@pytest.fixture
def person_b(centre_b):
    return PersonFactory(centre=centre_b, display_name="Bodil B.", email="bodil@example.net")


def token_client(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api_a(coordinator_a) -> APIClient:
    """Coordinator of centre A, authenticated by API token."""
    return token_client(coordinator_a)


@pytest.fixture
def api_admin_a(centre_admin_a) -> APIClient:
    return token_client(centre_admin_a)


@pytest.fixture
def anonymous_api() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def in_centre():
    """`with in_centre(centre):` runs queries in that centre's scope."""

    def scoped(centre):
        return centre_scope(centre.pk)

    return scoped


# --- meetings --------------------------------------------------------------------------------


@pytest.fixture
def room_a(centre_a):
    return RoomFactory(location__centre=centre_a, name="Raum Linde")


@pytest.fixture
def room_b(centre_b):
    return RoomFactory(location__centre=centre_b, name="Mødelokale 1")


@pytest.fixture
def group_a(centre_a):
    return GroupFactory(centre=centre_a, name="Dienstagsgruppe")


@pytest.fixture
def group_b(centre_b):
    return GroupFactory(centre=centre_b, name="Onsdagsgruppen")


@pytest.fixture
def frozen_now(time_machine):
    """Freeze "now" (and so "today") at the given instant: `frozen_now(datetime(...))`; call again
    to move on. The whole process clock stops there (datetime, date.today, time.time), not only
    Django's `timezone.now`: libraries stamp rows and tokens by their own clock (django-axes'
    lockout clean-up, signing, password-reset tokens), and a row stamped by the frozen clock but
    judged by the real one ages with the calendar, so the test would pass or fail by the day it runs.
    """

    def freeze(instant: datetime) -> datetime:
        time_machine.move_to(instant, tick=False)
        return instant

    return freeze


@pytest.fixture
def weekly_series(group_a, room_a, frozen_now):
    """A weekly Tuesday 19:00–21:00 series in room A from Tuesday 2026-12-01, now = 2026-11-30."""
    frozen_now(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    with centre_scope(group_a.centre_id):  # set-up, as a coordinator of centre A would book it
        return series_services.series_create(
            actor=None,
            group=group_a,
            room=room_a,
            rule="FREQ=WEEKLY;BYDAY=TU",
            starts_on=date(2026, 12, 1),
            start_time=time(19, 0),
            duration_minutes=120,
        )


@contextlib.contextmanager
def _issued_secrets():
    """Every secret made while the block runs, as it is made: signed link tokens (members,
    newsletter, volunteers, portal logins, invitations), Django's password reset tokens, private
    calendar feed tokens and API tokens."""
    from django.contrib.auth.tokens import PasswordResetTokenGenerator
    from django.core import signing
    from django.db.models.signals import post_init, post_save
    from rest_framework.authtoken.models import Token

    from meetings.models import CalendarToken

    issued: set[str] = set()
    dumps, make_token = signing.dumps, PasswordResetTokenGenerator.make_token
    secret_fields = {CalendarToken: "token", Token: "key"}

    def spy_dumps(*args, **kwargs):
        issued.add(token := dumps(*args, **kwargs))
        return token

    def spy_make_token(self, user):
        issued.add(token := make_token(self, user))
        return token

    def remember(sender, instance, **kwargs):
        if value := instance.__dict__.get(secret_fields[sender]):
            issued.add(value)

    signing.dumps, PasswordResetTokenGenerator.make_token = spy_dumps, spy_make_token
    for model in secret_fields:
        post_init.connect(remember, sender=model, weak=False)
        post_save.connect(remember, sender=model, weak=False)
    try:
        yield issued
    finally:
        signing.dumps, PasswordResetTokenGenerator.make_token = dumps, make_token
        for model in secret_fields:
            post_init.disconnect(remember, sender=model)
            post_save.disconnect(remember, sender=model)


@pytest.fixture(autouse=True)
def _no_personal_data_in_logs(request, caplog):
    """Every test: nothing the code logs (at INFO and above, where production logs) may name a
    person, user or mail recipient of the test, nor carry a secret made during the test (a link's
    token or its signature, a password reset token, a feed or API token). Names are checked after
    the test, against those in the database then and every one made or loaded on the way, so that
    someone deleted or anonymised during the test is checked too. Records are checked as every log
    handler writes them: masked by `config.log_filters`."""
    import logging

    from config.log_filters import mask_record

    caplog.set_level(logging.INFO)
    marker = request.node.get_closest_marker("django_db")
    uses_db = marker is not None or bool({"db", "transactional_db"} & set(request.fixturenames))
    if uses_db:
        # Asked for here, so that the check below runs before the test's database is rolled back.
        transactional = "transactional_db" in request.fixturenames or bool(marker and marker.kwargs.get("transaction"))
        request.getfixturevalue("transactional_db" if transactional else "db")

    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_init

    from centres.models import Person
    from notifications.models import OutgoingMail

    # The fields that name someone.
    naming = {
        Person: ("display_name", "full_name", "email"),
        get_user_model(): ("email",),
        OutgoingMail: ("recipient",),
    }
    names: set[str] = set()

    def remember(sender, instance, **kwargs):
        # Read from the instance itself: a deferred field is not fetched, so no query is added.
        names.update(value for field in naming[sender] if (value := instance.__dict__.get(field)))

    for model in naming:
        post_init.connect(remember, sender=model, weak=False)
    with _issued_secrets() as issued:
        yield
    for model in naming:
        post_init.disconnect(remember, sender=model)
    # In teardown `caplog.records` holds only the teardown's own records: read the test's.
    records = caplog.get_records("setup") + caplog.get_records("call")
    if not records:
        return
    for record in records:
        mask_record(record)
    # The message and any traceback, as the log handler would write them.
    text = "\n".join(logging.Formatter().format(record) for record in records)
    # A token, and the signature or hash that is its secret part ("payload:time:signature").
    pieces = {piece for secret in issued for piece in (secret, secret.rpartition(":")[2], secret.rpartition("-")[2])}
    leaked = sorted(piece[:12] + "…" for piece in pieces if len(piece) >= 16 and piece in text)
    assert leaked == [], f"the logs carry secrets made in this test: {leaked[:5]}"
    if not uses_db:
        return
    # Those in the database now, also those written there by queryset updates, never loaded.
    with contextlib.suppress(Exception):  # the test's database is gone (a test that tears it down itself)
        for model, fields in naming.items():
            rows = every(model).values_list(*fields)
            names.update(value for row in rows for value in row if value)
    text = text.casefold()
    named = sorted(value for value in names if len(value) > 4 and value.casefold() in text)
    assert named == [], f"the logs name people or their addresses: {named[:5]}"
