"""Limits count per client: one IPv4 address, or one IPv6 /64 network (a client picks any address
of its /64 at will); and they never take a form down: with Redis unreachable, every public form,
login and the token endpoint answer as usual (the limit fails open, a warning is logged)."""

import logging

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory, TestCase

from config.cache_backends import cache_from_url
from config.client_ip import client_network
from notifications.models import NewsletterList, OutgoingMail
from tests.factories import TopicFactory, every

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("address", "counted_as"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::"),
        ("2001:db8:1:2::1", "2001:db8:1:2::"),
        ("2001:db8:1:3::1", "2001:db8:1:3::"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("::1", "::"),
        ("not an address", "not an address"),
    ],
)
def test_a_client_is_counted_as_its_ipv4_address_or_its_ipv6_64(address, counted_as):
    assert client_network(RequestFactory().get("/", REMOTE_ADDR=address)) == counted_as


def test_the_forwarded_address_is_counted_per_64_too(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="2001:db8:9:9:1:2:3:4")
    assert client_network(request) == "2001:db8:9:9::"


def test_behind_one_proxy_the_address_it_saw_is_the_client(rf, settings):
    from config.client_ip import client_ip

    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    assert client_ip(request) == "203.0.113.9"
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"


def reset_request(client, address: str):
    return client.post("/admin/password_reset/", {"email": "someone@example.org"}, REMOTE_ADDR=address)


def test_the_password_reset_limit_holds_across_one_ipv6_64(client):
    from centres.views.public import RESETS_PER_HOUR

    statuses = [reset_request(client, f"2001:db8:1:2::{n + 1:x}").status_code for n in range(RESETS_PER_HOUR)]
    assert statuses == [302] * RESETS_PER_HOUR
    refused = reset_request(client, "2001:db8:1:2:ffff:ffff:ffff:ffff")
    assert refused.status_code == 429
    assert "Too many requests from your network" in refused.content.decode()
    # The next /64 and any IPv4 client are someone else.
    assert reset_request(client, "2001:db8:1:3::1").status_code == 302
    assert reset_request(client, "203.0.113.9").status_code == 302


def test_an_ipv4_mapped_address_counts_as_its_ipv4_address(client):
    from centres.views.public import RESETS_PER_HOUR

    for _ in range(RESETS_PER_HOUR):
        reset_request(client, "203.0.113.9")
    assert reset_request(client, "::ffff:203.0.113.9").status_code == 429


def test_the_token_endpoint_throttle_holds_across_one_ipv6_64(client, settings):
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login"] == "10/min"
    statuses = [
        client.post(
            "/api/v1/auth/token/", {"username": f"u{n}", "password": "x"}, REMOTE_ADDR=f"2001:db8:5:6::{n + 1:x}"
        ).status_code
        for n in range(11)
    ]
    assert statuses == [400] * 10 + [429]
    other = client.post("/api/v1/auth/token/", {"username": "u", "password": "x"}, REMOTE_ADDR="2001:db8:5:7::1")
    assert other.status_code == 400


def test_forged_forwarded_for_headers_do_not_escape_the_login_throttle(db):
    from rest_framework.test import APIClient

    client = APIClient()
    statuses = [
        client.post(
            "/api/v1/auth/token/", {"username": "x", "password": "y"}, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"
        ).status_code
        for n in range(12)
    ]
    assert statuses[-1] == 429


def test_the_login_lockout_holds_across_one_ipv6_64(client, coordinator_a, settings):
    def attempt(address: str, password: str):
        data = {"username": coordinator_a.username, "password": password}
        return client.post("/admin/login/?next=/admin/", data, REMOTE_ADDR=address)

    statuses = [attempt(f"2001:db8:7:8::{n + 1}", "wrong-password").status_code for n in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert attempt("2001:db8:7:8:1234::99", "correct-horse-battery").status_code == 429
    assert "_auth_user_id" not in client.session
    # From another network the right password still works.
    assert attempt("2001:db8:7:9::1", "correct-horse-battery").status_code == 302


# --- Redis down ----------------------------------------------------------------------------------


@pytest.fixture
def redis_down(settings, caplog):
    """The shared cache configured as production configures it (CACHE_URL=redis://...), pointing
    at a port where nothing listens."""
    settings.CACHES = {**settings.CACHES, "default": cache_from_url("redis://127.0.0.1:1/0")}
    caplog.set_level(logging.WARNING, logger="config.cache_backends")
    import config.cache_backends

    config.cache_backends._last_warning = float("-inf")
    return caplog


def mail_on_its_way(recipient: str) -> bool:
    """The mail is in the outbox, or its request waits for the worker (a page may store one
    request for any address and leave the deciding to the worker): either way nothing is lost."""
    from notifications import models

    if every(OutgoingMail).filter(recipient=recipient).exists():
        return True
    requests = getattr(models, "MailRequest", None)
    return requests is not None and every(requests).exists()


def test_a_redis_cache_url_gives_the_fail_soft_cache_with_its_key_prefix():
    assert cache_from_url("redis://redis:6379/1?key_prefix=kontakt-a") == {
        "BACKEND": "config.cache_backends.FailSoftRedisCache",
        "LOCATION": "redis://redis:6379/1",
        "KEY_PREFIX": "kontakt-a",
        "OPTIONS": {},
    }
    assert cache_from_url("locmemcache://")["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def cache_warnings(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "config.cache_backends"]


def test_with_redis_down_the_password_reset_still_answers_and_warns(client, redis_down):
    response = reset_request(client, "203.0.113.9")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    assert cache_warnings(redis_down) == ["cache unreachable (ConnectionError on add): answering as a miss"]


def test_with_redis_down_the_token_endpoint_still_gives_a_token(client, coordinator_a, redis_down):
    response = client.post(
        "/api/v1/auth/token/", {"username": coordinator_a.username, "password": "correct-horse-battery"}
    )
    assert response.status_code == 200
    assert len(response.json()["token"]) >= 20
    wrong = client.post("/api/v1/auth/token/", {"username": coordinator_a.username, "password": "nope"})
    assert wrong.status_code == 400


def test_with_redis_down_an_enquiry_is_taken_and_acknowledged(client, centre_a, redis_down, unscoped):
    from intake.models import Enquiry

    topic = TopicFactory(centre=centre_a, name="Trauer")
    data = {
        "name": "Zacharias Geheim",
        "email": "zacharias@example.net",
        "language": "de",
        "topics": [str(topic.pk)],
        "weekdays": ["1"],
        "evening": "on",
        "message": "Hallo",
        "consent": "on",
    }
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(f"/centres/{centre_a.slug}/enquiry/", data)
    assert response.status_code == 200
    assert every(Enquiry).count() == 1
    assert every(OutgoingMail).filter(recipient="zacharias@example.net").exists()  # nothing lost


def test_with_redis_down_the_enquiry_api_takes_an_enquiry(anonymous_api, centre_a, redis_down, unscoped):
    topic = TopicFactory(centre=centre_a, name="Trauer")
    payload = {"name": "Z.", "email": "z@example.net", "language": "de", "topics": [topic.pk], "consent": True}
    response = anonymous_api.post(f"/api/v1/centres/{centre_a.slug}/enquiries/", payload, format="json")
    assert response.status_code == 202


def test_with_redis_down_subscribing_to_a_newsletter_works(client, centre_a, redis_down, unscoped):
    news = every(NewsletterList).create(centre=centre_a, name="Rundbrief")
    data = {"email": "neu@example.net", "language": "de", "newsletters": [news.pk]}
    response = client.post(f"/centres/{centre_a.slug}/newsletter/", data)
    assert response.status_code == 200
    assert "Please check your inbox" in response.content.decode()
    assert mail_on_its_way("neu@example.net")


def test_with_redis_down_a_volunteer_still_gets_a_portal_link(client, centre_a, redis_down, unscoped):
    from django.utils import timezone

    from tests.volunteers.conftest import make_volunteer
    from volunteers.models import Volunteer
    from volunteers.services.accounts import _link_allowed

    volunteer = make_volunteer(centre_a, email="vera@example.net")
    every(Volunteer).filter(pk=volunteer.pk).update(email_confirmed_at=timezone.now())
    response = client.post("/volunteer/login/", {"way": "link", "link-email": "vera@example.net"})
    assert response.status_code == 200
    # The worker's part: the link is mailed, not refused as over the per-address limit.
    assert _link_allowed("vera@example.net")


def test_with_redis_down_the_calendar_api_answers(api_a, group_a, redis_down):
    response = api_a.get("/api/v1/meetings/")
    assert response.status_code == 200


def test_with_redis_down_the_admin_login_works(client, coordinator_a, redis_down):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": coordinator_a.username, "password": "correct-horse-battery"}
    )
    assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_user_factory_password_is_the_one_these_tests_use(coordinator_a):
    assert get_user_model().objects.get(pk=coordinator_a.pk).check_password("correct-horse-battery")
