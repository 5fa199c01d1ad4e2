"""Configuration from the environment, checked in fresh processes as a deployment would start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import every

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "kontakt.example.org",
}


def run_django(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    # A clean environment: only what a server would have, plus the variables under test.
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    base["DJANGO_SETTINGS_MODULE"] = "config.settings"
    base["ENV_FILE"] = ""  # a developer's .env must not leak into what is checked here
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def settings_value(name: str, env: dict[str, str]) -> str:
    code = f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    result = run_django(["-c", code], env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_check_deploy_is_clean_with_production_settings():
    result = run_django(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (1 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_django(["manage.py", "check"], {"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_unknown_email_esp_is_named_in_the_error():
    result = run_django(["manage.py", "check"], {**PRODUCTION, "EMAIL_ESP": "carrier-pigeon"})
    assert result.returncode != 0
    assert "EMAIL_ESP='carrier-pigeon' is not one of" in result.stderr


def test_defaults_need_no_servers():
    env = {"DEBUG": "true"}
    assert settings_value("DATABASES['default']['ENGINE']", env) == "django.db.backends.sqlite3"
    assert settings_value("CELERY_BROKER_URL", env) == "filesystem://"
    assert settings_value("EMAIL_BACKEND", env) == "django.core.mail.backends.console.EmailBackend"
    assert settings_value("TIME_ZONE", env) == "Europe/Berlin"


def test_redis_url_becomes_the_celery_broker():
    env = {"DEBUG": "true", "REDIS_URL": "redis://127.0.0.1:6379/3"}
    assert settings_value("CELERY_BROKER_URL", env) == "redis://127.0.0.1:6379/3"


def test_database_url_selects_postgresql():
    env = {"DEBUG": "true", "DATABASE_URL": "postgres://kontakt:secret@db.internal:5432/kontakt"}
    assert settings_value("DATABASES['default']['ENGINE']", env) == "django.db.backends.postgresql"
    assert settings_value("DATABASES['default']['HOST']", env) == "db.internal"


@pytest.mark.parametrize(
    ("esp", "backend"),
    [
        ("postmark", "anymail.backends.postmark.EmailBackend"),
        ("mailgun", "anymail.backends.mailgun.EmailBackend"),
        ("brevo", "anymail.backends.brevo.EmailBackend"),
        ("amazon_ses", "anymail.backends.amazon_ses.EmailBackend"),
        ("mailjet", "anymail.backends.mailjet.EmailBackend"),
    ],
)
def test_email_esp_selects_the_anymail_backend(esp, backend):
    assert settings_value("EMAIL_BACKEND", {"DEBUG": "true", "EMAIL_ESP": esp}) == backend


def test_anymail_variables_are_passed_to_anymail():
    env = {"DEBUG": "true", "EMAIL_ESP": "postmark", "ANYMAIL_POSTMARK_SERVER_TOKEN": "token-123"}
    assert settings_value("ANYMAIL", env) == "{'POSTMARK_SERVER_TOKEN': 'token-123'}"


def test_production_cookies_and_hsts_are_secure():
    values = [settings_value(name, PRODUCTION) for name in ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE")]
    assert values == ["True", "True"]
    assert settings_value("SECURE_HSTS_SECONDS", PRODUCTION) == "31536000"


def test_the_api_refuses_a_number_for_a_text_or_yes_no_field(api_a, room_a):
    """DRF alone would store {"name": 0} as "0"; the API takes only the JSON type it documents."""
    answer = api_a.patch(f"/api/v1/rooms/{room_a.pk}/", {"name": 0, "is_active": 1}, format="json")
    assert answer.status_code == 400
    assert set(answer.json()["error"]["fields"]) == {"name", "is_active"}
    room_a.refresh_from_db()
    assert room_a.name == "Raum Linde"
    assert api_a.patch(f"/api/v1/rooms/{room_a.pk}/", {"name": "Raum Eiche"}, format="json").status_code == 200


def test_a_time_offset_postgresql_cannot_hold_is_read_as_the_same_moment(api_admin_a, centre_a):
    """Python reads offsets up to ±23:59, PostgreSQL only ±15:59: a filter with a wider one is
    the same moment in local time, not a database error."""
    from centres.models import AuditLogEntry

    entry = every(AuditLogEntry).create(centre=centre_a, action="view", object_type="centres.person", object_id="1")
    every(AuditLogEntry).filter(pk=entry.pk).update(at="2026-11-20T12:00:00Z")
    before = api_admin_a.get("/api/v1/audit-log/", {"since": "2026-11-20T00:00:00-17:20"})  # 17:20 UTC
    after = api_admin_a.get("/api/v1/audit-log/", {"since": "2026-11-19T20:00:00-17:20"})  # 13:20 UTC the 20th
    assert (before.status_code, after.status_code) == (200, 200)
    assert [item["id"] for item in before.json()["results"]] == []
    assert [item["id"] for item in after.json()["results"]] == []
    earlier = api_admin_a.get("/api/v1/audit-log/", {"since": "2026-11-19T18:00:00-17:20"})  # 11:20 UTC
    assert [item["id"] for item in earlier.json()["results"]] == [entry.pk]


def test_anymail_variables_are_typed_as_anymail_expects_them():
    from config.anymail_settings import anymail_from_environ

    options = anymail_from_environ(
        {
            "ANYMAIL_REQUESTS_TIMEOUT": "30",
            "ANYMAIL_MAILJET_API_KEY": "0123456789",  # digits, still a key: text
            "ANYMAIL_IGNORE_RECIPIENT_STATUS": "true",
            "ANYMAIL_AMAZON_SES_CLIENT_PARAMS": '{"region_name": "eu-central-1"}',
            "POSTMARK_SERVER_TOKEN": "not ours",
        }
    )
    assert options == {
        "REQUESTS_TIMEOUT": 30.0,
        "MAILJET_API_KEY": "0123456789",
        "IGNORE_RECIPIENT_STATUS": True,
        "AMAZON_SES_CLIENT_PARAMS": {"region_name": "eu-central-1"},
    }


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ANYMAIL_REQUESTS_TIMEOUT", "half a minute"),
        ("ANYMAIL_IGNORE_UNSUPPORTED_FEATURES", "perhaps"),
        ("ANYMAIL_AMAZON_SES_CLIENT_PARAMS", '{"region_name": '),
    ],
)
def test_an_anymail_variable_that_cannot_be_read_is_refused_by_name(variable, value):
    from django.core.exceptions import ImproperlyConfigured

    from config.anymail_settings import anymail_from_environ

    with pytest.raises(ImproperlyConfigured, match=variable):
        anymail_from_environ({variable: value})
