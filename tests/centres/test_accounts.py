"""Staff accounts: API tokens expire and rotate; a password change, a deactivation or the end of
a user's last role ends their sessions and tokens; a centre admin can sign out a colleague who
works for no one else; staff are invited, never looked up by address; one centre's erasure never
lifts another centre's user's lockouts."""

from datetime import datetime, timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from centres.models import AuditLogEntry, StaffInvitation, StaffRole, UserSession
from centres.services import accounts
from centres.services.privacy import person_erase
from centres.services.retention import retention_apply
from centres.services.staff import staff_role_revoke
from notifications.models import OutgoingMail
from tests.conftest import token_client
from tests.factories import PersonFactory, StaffRoleFactory, UserFactory, every
from volunteers.models import Volunteer
from volunteers.selectors import is_portal_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]

PASSWORD = "correct-horse-battery"  # the factories' password


def invitation_path(email: str) -> str:
    """The link of the newest invitation mailed to `email`, as its owner finds it in the mail."""
    mail = every(OutgoingMail).filter(recipient=email).latest("pk")
    url = mail.merge_data["secret_accept_url"]
    return url[url.index("/staff/invitation/") :]


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


# --- Tokens -------------------------------------------------------------------------------------


def test_a_token_older_than_its_lifetime_is_refused(coordinator_a, settings):
    client = token_client(coordinator_a)
    assert client.get("/api/v1/people/").status_code == 200
    Token.objects.filter(user=coordinator_a).update(
        created=timezone.now() - timedelta(hours=settings.API_TOKEN_MAX_AGE_HOURS, minutes=1)
    )
    response = client.get("/api/v1/people/")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == ("This token has expired. Ask for a new one at /api/v1/auth/token/.")


def test_asking_for_a_token_again_issues_a_new_one_and_ends_the_old(coordinator_a, settings):
    anonymous = APIClient()
    first = anonymous.post("/api/v1/auth/token/", {"username": coordinator_a.username, "password": PASSWORD})
    second = anonymous.post("/api/v1/auth/token/", {"username": coordinator_a.username, "password": PASSWORD})
    assert first.status_code == second.status_code == 200
    assert first.json()["token"] != second.json()["token"]
    issued = Token.objects.get(user=coordinator_a)
    expires_at = datetime.fromisoformat(second.json()["expires_at"])
    assert expires_at == issued.created + timedelta(hours=settings.API_TOKEN_MAX_AGE_HOURS)
    old = APIClient(HTTP_AUTHORIZATION=f"Token {first.json()['token']}")
    new = APIClient(HTTP_AUTHORIZATION=f"Token {second.json()['token']}")
    assert old.get("/api/v1/people/").status_code == 401
    assert new.get("/api/v1/people/").status_code == 200


def test_a_password_change_ends_every_token_and_session(coordinator_a, centre_a):
    api, browser = token_client(coordinator_a), logged_in(coordinator_a)
    assert browser.get(f"/centres/{centre_a.slug}/workspace/").status_code == 200
    coordinator_a.set_password("a-new-long-passphrase")
    coordinator_a.save()
    assert api.get("/api/v1/people/").status_code == 401
    assert browser.get(f"/centres/{centre_a.slug}/workspace/").status_code == 302
    assert not Token.objects.filter(user=coordinator_a).exists()
    assert not UserSession.objects.filter(user_id=coordinator_a.pk).exists()


def test_a_password_set_through_the_reset_link_ends_the_tokens(client, coordinator_a):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    api = token_client(coordinator_a)
    uid = urlsafe_base64_encode(force_bytes(coordinator_a.pk))
    form_page = client.get(f"/accounts/reset/{uid}/{default_token_generator.make_token(coordinator_a)}/", follow=True)
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-good-new-passphrase", "new_password2": "a-good-new-passphrase"},
    )
    assert done.status_code == 302
    assert api.get("/api/v1/people/").status_code == 401


def test_deactivating_a_user_ends_their_tokens_and_sessions(coordinator_a):
    token_client(coordinator_a)
    logged_in(coordinator_a)
    coordinator_a.is_active = False
    coordinator_a.save()
    assert not Token.objects.filter(user=coordinator_a).exists()
    assert not UserSession.objects.filter(user_id=coordinator_a.pk).exists()


def test_a_login_keeps_the_tokens(coordinator_a):
    """Only a changed password or a deactivation ends them: a login saves `last_login` alone."""
    token_client(coordinator_a)
    login = Client().post("/admin/login/", {"username": coordinator_a.username, "password": PASSWORD})
    assert login.status_code == 302
    assert Token.objects.filter(user=coordinator_a).exists()


def test_revoking_the_last_role_ends_tokens_and_sessions_and_deactivates_a_used_account(
    centre_a, centre_admin_a, coordinator_a
):
    api = token_client(coordinator_a)
    coordinator_a.last_login = timezone.now()
    coordinator_a.save(update_fields=["last_login"])
    staff_role_revoke(actor=centre_admin_a, staff_role=every(StaffRole).get(user=coordinator_a))
    coordinator_a.refresh_from_db()
    assert (coordinator_a.is_active, coordinator_a.is_staff, coordinator_a.has_usable_password()) == (
        False,
        False,
        False,
    )
    assert api.get("/api/v1/people/").status_code == 401


def test_revoking_the_last_role_of_a_never_used_account_removes_it(centre_a, centre_admin_a):
    role = StaffRoleFactory(centre=centre_a)
    staff_role_revoke(actor=centre_admin_a, staff_role=role)
    assert not get_user_model().objects.filter(pk=role.user_id).exists()


def test_revoking_a_role_keeps_the_sessions_of_a_user_who_works_for_another_centre(
    centre_a, centre_b, centre_admin_a, coordinator_a
):
    StaffRoleFactory(centre=centre_b, user=coordinator_a)
    api = token_client(coordinator_a)
    staff_role_revoke(actor=centre_admin_a, staff_role=every(StaffRole).get(user=coordinator_a, centre=centre_a))
    # Centre A's people are out of reach at once; centre B's work goes on with the same token.
    response = api.get("/api/v1/people/")
    assert response.status_code == 200
    assert {item["centre"] for item in response.json()["results"]} <= {"centre-b"}


# --- Signing a colleague out --------------------------------------------------------------------


def test_a_centre_admin_signs_a_colleague_out_everywhere(api_admin_a, centre_a, centre_admin_a, coordinator_a):
    api, browser = token_client(coordinator_a), logged_in(coordinator_a)
    role = every(StaffRole).get(user=coordinator_a)
    response = api_admin_a.post(f"/api/v1/staff-roles/{role.pk}/sign-out/")
    assert response.status_code == 200
    assert response.json() == {"ended": 2}  # one session, one token
    assert api.get("/api/v1/people/").status_code == 401
    assert browser.get(f"/centres/{centre_a.slug}/workspace/").status_code == 302
    entry = every(AuditLogEntry).get(action="sign_out")
    assert (entry.actor, entry.centre, entry.object_type, entry.object_id) == (
        centre_admin_a,
        centre_a,
        "centres.staffrole",
        str(role.pk),
    )


def test_a_centre_admin_cannot_sign_out_a_colleague_who_also_works_for_another_centre(
    api_admin_a, centre_b, coordinator_a
):
    StaffRoleFactory(centre=centre_b, user=coordinator_a)
    api = token_client(coordinator_a)
    role = every(StaffRole).get(user=coordinator_a, centre__slug="centre-a")
    response = api_admin_a.post(f"/api/v1/staff-roles/{role.pk}/sign-out/")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == (
        "Only a centre admin of every centre this user works for can sign them out; ask the platform's operators."
    )
    assert api.get("/api/v1/people/").status_code == 200
    assert not every(AuditLogEntry).filter(action="sign_out").exists()


def test_a_coordinator_cannot_sign_anyone_out(api_a, centre_admin_a):
    admin_api = token_client(centre_admin_a)
    role = every(StaffRole).get(user=centre_admin_a)
    assert api_a.post(f"/api/v1/staff-roles/{role.pk}/sign-out/").status_code == 403
    assert admin_api.get("/api/v1/people/").status_code == 200


def test_the_admin_signs_a_colleague_out_from_the_staff_list(client, centre_admin_a, coordinator_a):
    api = token_client(coordinator_a)
    client.force_login(centre_admin_a)
    role = every(StaffRole).get(user=coordinator_a)
    page = client.post(
        "/admin/centres/staffrole/",
        {"action": "sign_out_selected", "_selected_action": [role.pk]},
        follow=True,
    )
    # The admin shows messages with their first letter capitalised.
    assert f"{str(coordinator_a).capitalize()} is signed out everywhere." in page.content.decode()
    assert api.get("/api/v1/people/").status_code == 401


# --- Invitations --------------------------------------------------------------------------------


def test_an_invitation_answers_the_same_for_known_and_unknown_addresses(api_admin_a, centre_b):
    known = StaffRoleFactory(centre=centre_b, user=UserFactory(email="anna@example.org", first_name="Anna")).user

    def invite(email):
        with CaptureQueriesContext(connection) as queries:
            response = api_admin_a.post("/api/v1/staff-roles/", {"centre": "centre-a", "email": email})
        body = response.json()
        return response.status_code, len(queries), {k: v for k, v in body.items() if k not in ("id", "email")}

    status_known, queries_known, body_known = invite(known.email)
    status_unknown, queries_unknown, body_unknown = invite("nobody@example.org")
    assert status_known == status_unknown == 202
    assert queries_known == queries_unknown
    assert {k: v for k, v in body_known.items() if not k.endswith("_at")} == {
        "centre": "centre-a",
        "name": "",
        "role": "coordinator",
        "status": "invited",
    }
    assert body_known.keys() == body_unknown.keys()
    # Anna's account is unchanged: no role at centre A until she accepts.
    assert list(every(StaffRole).filter(user=known).values_list("centre__slug", flat=True)) == ["centre-b"]


def test_an_invitation_to_a_volunteers_address_leaves_their_portal_login_alone(api_admin_a, centre_a):
    login = get_user_model().objects.create_user(username="volunteer-x", email="vera@example.net")
    every(Volunteer).create(
        centre=centre_a,
        person=PersonFactory(centre=centre_a, email="vera@example.net"),
        status="active",
        user=login,
        email_confirmed_at=timezone.now(),
    )
    assert (
        api_admin_a.post("/api/v1/staff-roles/", {"centre": "centre-a", "email": "vera@example.net"}).status_code == 202
    )
    login.refresh_from_db()
    assert is_portal_user(login)
    # Accepting makes a staff account of its own: the portal login stays a portal login.
    client = logged_in(login)
    page = client.get(invitation_path("vera@example.net"))
    assert "Join with the account I am logged in with" not in page.content.decode()
    done = client.post(
        invitation_path("vera@example.net"),
        {"action": "create", "password1": "a-good-new-passphrase", "password2": "a-good-new-passphrase"},
    )
    assert done.status_code == 200
    login.refresh_from_db()
    assert is_portal_user(login)
    staff = every(StaffRole).get(centre=centre_a, user__email="vera@example.net").user
    assert staff != login


def test_accepting_makes_an_account_with_the_password_and_the_link_works_once(client, api_admin_a, centre_a):
    api_admin_a.post(
        "/api/v1/staff-roles/",
        {"centre": "centre-a", "email": "New@Example.org", "name": "Nina", "role": "centre_admin"},
    )
    assert not get_user_model().objects.filter(email="new@example.org").exists()
    path = invitation_path("new@example.org")
    page = client.get(path)
    assert "Join the team of Kontaktstelle A" in page.content.decode()
    done = client.post(path, {"password1": "a-good-new-passphrase", "password2": "a-good-new-passphrase"})
    assert "Your username: new@example.org" in done.content.decode()
    role = every(StaffRole).get(centre=centre_a, user__email="new@example.org")
    assert (role.role, role.user.first_name, role.user.is_staff) == ("centre_admin", "Nina", True)
    login = Client().post("/admin/login/", {"username": "new@example.org", "password": "a-good-new-passphrase"})
    assert login.status_code == 302
    assert not every(StaffInvitation).exists()
    again = client.get(path)
    assert again.status_code == 404
    assert "This invitation link is not valid" in again.content.decode()


def test_a_weak_or_mismatched_password_is_a_form_error_and_makes_nothing(client, api_admin_a):
    api_admin_a.post("/api/v1/staff-roles/", {"centre": "centre-a", "email": "new@example.org"})
    path = invitation_path("new@example.org")
    differ = client.post(path, {"password1": "a-good-new-passphrase", "password2": "another-passphrase"})
    weak = client.post(path, {"password1": "123", "password2": "123"})
    assert differ.status_code == weak.status_code == 400
    assert "The two passwords differ." in differ.content.decode()
    assert "This password is too short" in weak.content.decode()
    assert not get_user_model().objects.filter(email="new@example.org").exists()
    assert every(StaffInvitation).count() == 1


def test_staff_of_another_centre_accept_with_their_own_account(api_admin_a, centre_a, centre_admin_b):
    api_admin_a.post("/api/v1/staff-roles/", {"centre": "centre-a", "email": centre_admin_b.email.upper()})
    client = logged_in(centre_admin_b)
    path = invitation_path(centre_admin_b.email.lower())
    assert "Join with the account I am logged in with" in client.get(path).content.decode()
    client.post(path, {"action": "join"})
    assert set(every(StaffRole).filter(user=centre_admin_b).values_list("centre__slug", flat=True)) == {
        "centre-a",
        "centre-b",
    }


def test_a_withdrawn_or_expired_invitation_leaves_no_account_and_no_working_link(
    client, api_admin_a, centre_admin_a, centre_a
):
    api_admin_a.post("/api/v1/staff-roles/", {"centre": "centre-a", "email": "gone@example.org"})
    api_admin_a.post("/api/v1/staff-roles/", {"centre": "centre-a", "email": "late@example.org"})
    withdrawn, expired = invitation_path("gone@example.org"), invitation_path("late@example.org")
    accounts.staff_invitation_revoke(
        actor=centre_admin_a, invitation=every(StaffInvitation).get(email="gone@example.org")
    )
    every(StaffInvitation).filter(email="late@example.org").update(expires_at=timezone.now())
    assert client.get(withdrawn).status_code == client.get(expired).status_code == 404
    refused = client.post(expired, {"password1": "a-good-new-passphrase", "password2": "a-good-new-passphrase"})
    assert refused.status_code == 404
    assert retention_apply().invitations == 1
    assert not every(StaffInvitation).exists()
    assert not get_user_model().objects.filter(email__in=["gone@example.org", "late@example.org"]).exists()


def test_the_admin_invites_instead_of_adding_a_role(client, centre_admin_a, centre_a):
    client.force_login(centre_admin_a)
    assert client.get("/admin/centres/staffrole/add/").status_code == 403
    response = client.post(
        "/admin/centres/staffinvitation/add/",
        {"email": "Kim@Example.org", "name": "Kim", "centre": centre_a.pk, "role": "coordinator"},
    )
    assert response.status_code == 302
    invitation = every(StaffInvitation).get()
    assert (invitation.email, invitation.centre, invitation.invited_by) == ("kim@example.org", centre_a, centre_admin_a)
    assert not get_user_model().objects.filter(email__iexact="kim@example.org").exists()


def test_the_invitation_link_is_hidden_from_staff_in_the_outbox(api_admin_a):
    api_admin_a.post("/api/v1/staff-roles/", {"centre": "centre-a", "email": "new@example.org"})
    path = invitation_path("new@example.org")
    outbox = api_admin_a.get("/api/v1/outbox/").content.decode()
    assert "new@example.org" in outbox
    assert path not in outbox


def accept(client, email):
    passphrase = "a-good-new-passphrase"
    client.post(invitation_path(email), {"password1": passphrase, "password2": passphrase})
    return every(StaffRole).get(user__email=email)


def test_accepting_an_invitation_when_the_address_is_someones_username_creates_a_separate_account(
    client, centre_a, api_admin_a
):
    UserFactory(username="kim@example.org", email="other@example.org")
    api_admin_a.post("/api/v1/staff-roles/", {"centre": "centre-a", "email": "kim@example.org"})
    role = accept(client, "kim@example.org")
    assert role.user.email == "kim@example.org"
    assert role.user.username.startswith("staff-")


def test_inviting_a_very_long_address_works(client, centre_a, api_admin_a):
    email = "a" * 60 + "@" + "b" * 60 + "." + "c" * 60 + ".example.org"
    assert len(email) > 150
    response = api_admin_a.post("/api/v1/staff-roles/", {"centre": "centre-a", "email": email, "role": "coordinator"})
    assert response.status_code == 202
    assert accept(client, email).user.email == email


# --- One centre's erasure and another centre's users --------------------------------------------


def test_erasing_a_person_keeps_the_lockouts_of_another_centres_user(centre_a, centre_b):
    StaffRoleFactory(centre=centre_a, user=UserFactory(username="anna", email="anna@example.org"))
    AccessAttempt.objects.create(username="anna@example.org", ip_address="10.0.0.1", failures_since_start=5)
    person_erase(actor=None, person=PersonFactory(centre=centre_b, email="anna@example.org"))
    assert AccessAttempt.objects.filter(username="anna@example.org").exists()


def test_erasing_a_person_forgets_the_lockouts_under_an_address_no_account_has(centre_b):
    AccessAttempt.objects.create(username="bo@example.org", ip_address="10.0.0.1", failures_since_start=5)
    person_erase(actor=None, person=PersonFactory(centre=centre_b, email="bo@example.org"))
    assert not AccessAttempt.objects.filter(username="bo@example.org").exists()


def test_erasing_a_volunteer_whose_login_is_an_operators_keeps_its_lockouts(centre_b):
    login = UserFactory(username="staff-login", email="vera@example.org", is_superuser=True)
    volunteer = every(Volunteer).create(
        centre=centre_b, person=PersonFactory(centre=centre_b, email="other@example.org"), status="active", user=login
    )
    AccessAttempt.objects.create(username="staff-login", ip_address="10.0.0.1", failures_since_start=5)
    person_erase(actor=None, person=volunteer.person)
    assert AccessAttempt.objects.filter(username="staff-login").exists()
    assert get_user_model().objects.filter(pk=login.pk).exists()
