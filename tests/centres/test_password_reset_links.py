"""A password reset link opens an account: it works once, for an hour, and only while the
account's password, address and last login are what they were when it was made."""

from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

pytestmark = pytest.mark.django_db

INVALID = "The password reset link was invalid"
NEW_PASSWORD = "quiet harbour lamp 42"


def reset_link(user) -> str:
    return f"/accounts/reset/{urlsafe_base64_encode(force_bytes(user.pk))}/{default_token_generator.make_token(user)}/"


def opens(client, link: str) -> bool:
    """Whether the link leads to the form that sets a new password."""
    answer = client.get(link, follow=True)
    return (
        answer.status_code == 200
        and INVALID not in answer.content.decode()
        and "new_password1" in answer.content.decode()
    )


def set_password(client, link: str) -> str:
    answer = client.get(link)
    return client.post(answer.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}).url


def test_a_reset_link_sets_a_password_once(client, centre_admin_a):
    link = reset_link(centre_admin_a)
    assert set_password(client, link) == "/accounts/reset/done/"
    centre_admin_a.refresh_from_db()
    assert centre_admin_a.check_password(NEW_PASSWORD)
    assert INVALID in client.get(link, follow=True).content.decode()


def test_a_reset_link_expires_after_an_hour(client, centre_admin_a, settings, monkeypatch):
    assert settings.PASSWORD_RESET_TIMEOUT == 3600
    made_at = default_token_generator._now() - timedelta(minutes=61)
    monkeypatch.setattr(default_token_generator, "_now", lambda: made_at)
    old_link = reset_link(centre_admin_a)
    monkeypatch.setattr(default_token_generator, "_now", lambda: made_at + timedelta(minutes=2))
    recent_link = reset_link(centre_admin_a)
    monkeypatch.undo()
    assert not opens(client, old_link)
    assert opens(client, recent_link)


def test_a_password_change_voids_a_reset_link(client, centre_admin_a):
    link = reset_link(centre_admin_a)
    centre_admin_a.set_password("another long password 7")
    centre_admin_a.save()
    assert not opens(client, link)


def test_an_address_change_voids_a_reset_link(client, centre_admin_a):
    link = reset_link(centre_admin_a)
    centre_admin_a.email = "moved@example.org"
    centre_admin_a.save()
    assert not opens(client, link)


def test_a_login_voids_a_reset_link(client, centre_admin_a):
    link = reset_link(centre_admin_a)
    client.force_login(centre_admin_a)  # sets last_login
    client.logout()
    assert not opens(client, link)
