"""A password reset link opens an account: it works once, for an hour, and only while the
account's password, address and last login are what they were when it was made."""

from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import TestCase
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from centres.scoping import all_centres_scope
from centres.services.staff import staff_role_grant
from tests.factories import UserFactory, eager_tasks

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


def test_staff_without_a_password_set_their_first_one_through_the_reset_link(client, centre_a, settings):
    # An account made before invitations set a password (or whose password was unset).
    user = UserFactory(username="new.staff@example.org", email="new.staff@example.org")
    user.set_unusable_password()
    user.save()
    with all_centres_scope():
        staff_role_grant(actor=None, centre=centre_a, user=user, role="coordinator")
    with eager_tasks(), TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/admin/password_reset/", {"email": "new.staff@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line).strip()
    path = link[link.index("/accounts/reset/") :]
    form_page = client.get(path, follow=True)
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_password_url, {"new_password1": "a-good-new-passphrase", "new_password2": "a-good-new-passphrase"}
    )
    assert done.status_code == 302
    client.logout()
    login = client.post(
        "/admin/login/?next=/admin/", {"username": "new.staff@example.org", "password": "a-good-new-passphrase"}
    )
    assert login.status_code == 302
    assert login["Location"] == "/admin/"
