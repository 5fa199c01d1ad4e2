"""Bad input and races found in review: each gets a clear answer and changes nothing."""

import threading

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from centres.models import AuditLogEntry, Person, StaffRole
from centres.services.staff import staff_role_change, staff_role_grant
from config.errors import ConflictError
from tests.conftest import token_client
from tests.factories import PersonFactory, StaffRoleFactory, UserFactory, eager_tasks, every

pytestmark = pytest.mark.django_db


def accept(client, email):
    from tests.centres.test_accounts import invitation_path

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


def test_a_huge_id_in_a_filter_is_a_400(api_a, person_a):
    response = api_a.get("/api/v1/consents/", {"person": "99999999999999999999999"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["person"]


def test_a_non_numeric_id_in_the_url_is_a_404_with_a_message(api_a):
    response = api_a.get("/api/v1/people/abc/")
    assert response.status_code == 404
    assert response.json()["error"] == {"status": 404, "code": "not_found", "message": "Not found."}


def test_coordinators_cannot_delete_people_but_centre_admins_can(api_a, api_admin_a, person_a):
    refused = api_a.delete(f"/api/v1/people/{person_a.pk}/")
    assert refused.status_code == 403
    assert every(Person).filter(pk=person_a.pk).exists()
    assert api_admin_a.delete(f"/api/v1/people/{person_a.pk}/").status_code == 204
    assert not every(Person).filter(pk=person_a.pk).exists()


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


def test_behind_one_proxy_the_address_it_saw_is_the_client(rf, settings):
    from config.client_ip import client_ip

    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    assert client_ip(request) == "203.0.113.9"
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"


def test_health_check_answers_by_address_over_http_in_production_settings(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["kontakt.example.org"]
    response = client.get("/healthz/", HTTP_HOST="172.18.0.5:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_staff_without_a_password_set_their_first_one_through_the_reset_link(client, centre_a, settings):
    # An account made before invitations set a password (or whose password was unset).
    user = UserFactory(username="new.staff@example.org", email="new.staff@example.org")
    user.set_unusable_password()
    user.save()
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


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, db):
    with eager_tasks(), TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/admin/password_reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []


def test_a_password_reset_costs_the_same_for_known_and_unknown_addresses(client, centre_admin_a):
    """The request never sends: for any address it makes one lookup and queues one task, which
    carries user ids, never the address. So its time does not tell whether an account exists."""
    centre_admin_a.email = "admin.a@example.org"
    centre_admin_a.save(update_fields=["email"])
    costs = {}
    for address in ("admin.a@example.org", "nobody@example.org"):
        with CaptureQueriesContext(connection) as queries, TestCase.captureOnCommitCallbacks() as queued:
            answer = client.post("/admin/password_reset/", {"email": address})
        costs[address] = (answer.status_code, answer["Location"], len(queries), len(queued))
    assert costs["admin.a@example.org"] == costs["nobody@example.org"]
    assert costs["nobody@example.org"][3] == 1
    assert mail.outbox == []  # nothing sent during the request


def test_password_resets_are_limited_per_client_address(client, db):
    answers = [client.post("/admin/password_reset/", {"email": f"x{n}@example.org"}).status_code for n in range(7)]
    assert answers[:5] == [302] * 5
    assert answers[5:] == [429, 429]
    assert "Too many requests" in client.post("/admin/password_reset/", {"email": "y@example.org"}).content.decode()


@pytest.fixture
def admin_client_a(client, centre_admin_a):
    client.force_login(centre_admin_a)
    return client


def test_admin_refuses_an_email_of_another_person_with_a_form_error(admin_client_a, person_a):
    other = PersonFactory(centre=person_a.centre, email="other@example.net")
    response = admin_client_a.post(
        f"/admin/centres/person/{other.pk}/change/",
        {
            "display_name": other.display_name,
            "email": "ALMA@example.net",
            "language": "de",
            "consents-TOTAL_FORMS": "0",
            "consents-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "already known to this centre" in response.content.decode()
    other.refresh_from_db()
    assert other.email == "other@example.net"


def test_admin_refuses_consent_given_in_the_future_with_a_form_error(admin_client_a, person_a):
    response = admin_client_a.post(
        "/admin/centres/consentrecord/add/",
        {
            "person": person_a.pk,
            "purpose": "newsletter",
            "text_version": "v1",
            "source": "paper",
            "given_at_0": "2999-01-01",
            "given_at_1": "10:00:00",
        },
    )
    assert response.status_code == 200
    assert "Consent cannot be given in the future." in response.content.decode()


def test_staff_roles_have_no_bulk_delete(admin_client_a):
    page = admin_client_a.get("/admin/centres/staffrole/").content.decode()
    assert "delete_selected" not in page


def test_admin_keeps_no_names_in_djangos_own_log_and_audits_views(admin_client_a, person_a, centre_admin_a):
    admin_client_a.get(f"/admin/centres/person/{person_a.pk}/change/")
    admin_client_a.post(f"/admin/centres/person/{person_a.pk}/delete/", {"post": "yes"})
    assert not LogEntry.objects.exists()
    actions = list(every(AuditLogEntry).filter(object_id=str(person_a.pk)).values_list("action", flat=True))
    assert sorted(actions) == ["delete", "view"]


@pytest.mark.django_db(transaction=True)
def test_two_admins_demoting_each_other_at_once_leave_one_admin(requires_postgres, centre_a):
    first = StaffRoleFactory(centre=centre_a, role="centre_admin")
    second = StaffRoleFactory(centre=centre_a, role="centre_admin")
    barrier, errors = threading.Barrier(2), []

    def demote(role):
        barrier.wait()
        try:
            staff_role_change(actor=None, staff_role=role, role="coordinator")
        except ConflictError as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=demote, args=(role,)) for role in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(errors) == 1
    assert every(StaffRole).filter(centre=centre_a, role="centre_admin").count() == 1


def test_token_user_of_centre_b_sees_the_same_isolation(centre_admin_b, person_a, person_b):
    response = token_client(centre_admin_b).get("/api/v1/people/")
    assert [item["display_name"] for item in response.json()["results"]] == ["Bodil B."]
