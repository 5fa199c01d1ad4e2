"""Behaviour of the centre endpoints for their own centre's staff."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from centres.models import AuditLogEntry, Person, StaffRole
from centres.scoping import all_centres_scope
from centres.services.consents import consent_withdraw
from centres.services.people import person_create
from tests.conftest import token_client
from tests.factories import ConsentFactory, PersonFactory, StaffRoleFactory, UserFactory, every

pytestmark = pytest.mark.django_db


def test_create_person_defaults_to_the_only_centre_of_the_user(api_a, centre_a):
    response = api_a.post("/api/v1/people/", {"display_name": "Hanne", "email": "Hanne@Example.net"})
    assert response.status_code == 201
    body = response.json()
    assert (body["centre"], body["display_name"], body["email"], body["language"]) == (
        "centre-a",
        "Hanne",
        "hanne@example.net",
        "de",
    )
    assert every(Person).get(pk=body["id"]).centre == centre_a


def test_create_person_asks_which_centre_when_the_user_has_several(api_a, coordinator_a, centre_b):
    StaffRoleFactory(centre=centre_b, user=coordinator_a)
    response = api_a.post("/api/v1/people/", {"display_name": "Hanne"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"centre": ["Say which centre: you work for more than one."]}


def test_validation_errors_name_each_field(api_a, centre_a):
    response = api_a.post("/api/v1/people/", {"display_name": "", "email": "not-an-address", "language": "fr"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["status"], error["code"], error["message"]) == (400, "invalid", "The request contains invalid data.")
    assert sorted(error["fields"]) == ["display_name", "email", "language"]
    assert error["fields"]["email"] == ["Enter a valid email address."]
    assert every(Person).count() == 0


def test_duplicate_email_is_a_field_error(api_a, person_a):
    response = api_a.post("/api/v1/people/", {"display_name": "Twin", "email": "ALMA@example.net"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "email": ["A person with this e-mail address is already known to this centre."]
    }


def test_malformed_json_is_a_clear_400(api_a, centre_a):
    response = api_a.post("/api/v1/people/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("JSON parse error")


def test_person_cannot_move_to_another_centre_by_update(api_a, person_a, coordinator_a, centre_b):
    StaffRoleFactory(centre=centre_b, user=coordinator_a)
    response = api_a.patch(f"/api/v1/people/{person_a.pk}/", {"centre": "centre-b", "phone": "42"})
    assert response.status_code == 200
    person_a.refresh_from_db()
    assert (person_a.centre.slug, person_a.phone) == ("centre-a", "42")


def test_reading_a_person_is_audit_logged(api_a, person_a, coordinator_a):
    api_a.get(f"/api/v1/people/{person_a.pk}/")
    entry = every(AuditLogEntry).get(action="view")
    assert (entry.actor, entry.object_id) == (coordinator_a, str(person_a.pk))


def test_people_list_is_paginated(api_a, centre_a):
    PersonFactory.create_batch(5, centre=centre_a)
    response = api_a.get("/api/v1/people/", {"page_size": 2})
    body = response.json()
    assert (body["count"], len(body["results"])) == (5, 2)
    assert "page=2" in body["next"]


def test_people_search_and_language_filter(api_a, centre_a):
    PersonFactory(centre=centre_a, display_name="Karin", language="de")
    PersonFactory(centre=centre_a, display_name="Karen", language="en")
    PersonFactory(centre=centre_a, display_name="Olaf", language="en")
    response = api_a.get("/api/v1/people/", {"search": "kar", "language": "en"})
    assert [item["display_name"] for item in response.json()["results"]] == ["Karen"]


def test_consent_is_recorded_and_withdrawn_once(api_a, person_a):
    response = api_a.post(
        "/api/v1/consents/",
        {"person": person_a.pk, "purpose": "newsletter", "text_version": "2026-03", "source": "phone"},
    )
    assert response.status_code == 201
    consent_id = response.json()["id"]
    assert response.json()["is_active"] is True

    withdrawn = api_a.post(f"/api/v1/consents/{consent_id}/withdraw/")
    assert withdrawn.status_code == 200
    assert withdrawn.json()["is_active"] is False

    again = api_a.post(f"/api/v1/consents/{consent_id}/withdraw/")
    assert again.status_code == 409
    assert again.json()["error"] == {
        "status": 409,
        "code": "conflict",
        "message": "This consent was already withdrawn.",
    }


def test_consent_records_cannot_be_edited_or_deleted(api_a, person_a):
    consent = ConsentFactory(person=person_a)
    assert api_a.patch(f"/api/v1/consents/{consent.pk}/", {"text_version": "forged"}).status_code == 405
    assert api_a.delete(f"/api/v1/consents/{consent.pk}/").status_code == 405
    consent.refresh_from_db()
    assert consent.text_version == "2026-01"


def test_active_filter_on_consents(api_a, person_a):
    kept = ConsentFactory(person=person_a)
    with all_centres_scope():  # set-up, as a coordinator's request would do it
        consent_withdraw(actor=None, consent=ConsentFactory(person=person_a))
    response = api_a.get("/api/v1/consents/", {"active": "true"})
    assert [item["id"] for item in response.json()["results"]] == [kept.pk]


def test_coordinator_cannot_change_staff(api_a, centre_a, centre_admin_a):
    response = api_a.post(
        "/api/v1/staff-roles/", {"centre": "centre-a", "email": "x@example.org", "role": "coordinator"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Only a centre admin of this centre can change its staff."
    assert not every(StaffRole).filter(user__email="x@example.org").exists()


def test_coordinators_cannot_delete_people_but_centre_admins_can(api_a, api_admin_a, person_a):
    refused = api_a.delete(f"/api/v1/people/{person_a.pk}/")
    assert refused.status_code == 403
    assert every(Person).filter(pk=person_a.pk).exists()
    assert api_admin_a.delete(f"/api/v1/people/{person_a.pk}/").status_code == 204
    assert not every(Person).filter(pk=person_a.pk).exists()


def test_centre_admin_invites_changes_and_revokes_a_role(api_admin_a, centre_a, client):
    from tests.centres.test_accounts import invitation_path

    created = api_admin_a.post(
        "/api/v1/staff-roles/",
        {"centre": "centre-a", "email": "New@Example.org", "name": "Nina", "role": "coordinator"},
    )
    assert created.status_code == 202
    assert (created.json()["email"], created.json()["name"], created.json()["status"]) == (
        "new@example.org",
        "Nina",
        "invited",
    )
    client.post(
        invitation_path("new@example.org"),
        {"password1": "a-good-new-passphrase", "password2": "a-good-new-passphrase"},
    )
    role_id = every(StaffRole).get(user__email="new@example.org").pk
    changed = api_admin_a.patch(f"/api/v1/staff-roles/{role_id}/", {"role": "centre_admin"})
    assert changed.json()["role"] == "centre_admin"
    assert api_admin_a.delete(f"/api/v1/staff-roles/{role_id}/").status_code == 204
    assert not every(StaffRole).filter(pk=role_id).exists()


def test_last_centre_admin_cannot_remove_themself(api_admin_a, centre_admin_a):
    role = every(StaffRole).get(user=centre_admin_a)
    response = api_admin_a.delete(f"/api/v1/staff-roles/{role.pk}/")
    assert response.status_code == 409
    assert every(StaffRole).filter(pk=role.pk).exists()


def test_federation_admin_sees_counts_only(person_a, person_b, centre_admin_a):
    from centres.models import FederationRole

    federation_user = UserFactory()
    FederationRole.objects.create(user=federation_user)
    response = token_client(federation_user).get("/api/v1/federation/totals/")
    assert response.json() == [
        {"centre": "Kontaktstelle A", "slug": "centre-a", "people": 1, "staff": 1},
        {"centre": "Selvhjælpscenter B", "slug": "centre-b", "people": 1, "staff": 0},
    ]
    # ...and no people at all.
    assert token_client(federation_user).get("/api/v1/people/").status_code == 403


def test_federation_totals_are_closed_to_coordinators(api_a, person_a):
    response = api_a.get("/api/v1/federation/totals/")
    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "status": 403,
            "code": "permission_denied",
            "message": "You do not have permission to perform this action.",
        }
    }


def test_token_is_issued_for_valid_credentials(coordinator_a):
    from rest_framework.test import APIClient

    response = APIClient().post(
        "/api/v1/auth/token/", {"username": coordinator_a.username, "password": "correct-horse-battery"}
    )
    assert response.status_code == 200
    people = APIClient(HTTP_AUTHORIZATION=f"Token {response.json()['token']}").get("/api/v1/people/")
    assert people.status_code == 200


def test_token_endpoint_is_throttled(coordinator_a, settings):
    from rest_framework.test import APIClient

    client = APIClient()
    statuses = [
        client.post("/api/v1/auth/token/", {"username": f"nobody{n}", "password": "wrong"}).status_code
        for n in range(12)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10:] == [429, 429]
    throttled = client.post("/api/v1/auth/token/", {"username": "anyone", "password": "x"}).json()["error"]
    assert (throttled["code"], throttled["message"].split(".")[0]) == ("throttled", "Request was throttled")


def test_unknown_api_url_answers_in_the_error_format(api_a):
    response = api_a.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"error": {"status": 404, "code": "not_found", "message": "Not found."}}


def test_a_huge_id_in_a_filter_is_a_400(api_a, person_a):
    response = api_a.get("/api/v1/consents/", {"person": "99999999999999999999999"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["person"]


def test_a_non_numeric_id_in_the_url_is_a_404_with_a_message(api_a):
    response = api_a.get("/api/v1/people/abc/")
    assert response.status_code == 404
    assert response.json()["error"] == {"status": 404, "code": "not_found", "message": "Not found."}


@pytest.mark.parametrize(
    ("url", "factory"),
    [
        ("/api/v1/people/", lambda centre: PersonFactory(centre=centre)),
        ("/api/v1/consents/", lambda centre: ConsentFactory(person=PersonFactory(centre=centre))),
        ("/api/v1/staff-roles/", lambda centre: StaffRoleFactory(centre=centre)),
        ("/api/v1/audit-log/", lambda centre: person_create(actor=None, centre=centre, display_name="Audit")),
    ],
)
def test_list_endpoints_use_the_same_number_of_queries_for_1_and_3_items(api_admin_a, centre_a, url, factory):
    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = api_admin_a.get(url)
        assert response.status_code == 200
        return len(queries)

    factory(centre_a)
    one = queries_for_list()
    factory(centre_a)
    factory(centre_a)
    three = queries_for_list()
    assert one == three


def test_a_role_granted_without_naming_one_is_the_models_default(api_admin_a, centre_a):
    created = api_admin_a.post("/api/v1/staff-roles/", {"centre": "centre-a", "email": "plain@example.org"})
    assert created.status_code == 202
    assert created.json()["role"] == "coordinator"
