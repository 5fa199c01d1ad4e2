"""Two centres: every centre endpoint keeps each centre's data to itself."""

import pytest

from centres.models import AuditLogEntry, ConsentRecord, Person, StaffRole
from centres.scoping import all_centres_scope
from tests.conftest import token_client
from tests.factories import ConsentFactory, every

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(person_a, person_b, centre_admin_a, centre_admin_b, coordinator_a):
    """Each centre with a person, a consent, staff, and audit entries."""
    from centres.services.people import person_update

    consent_a = ConsentFactory(person=person_a)
    consent_b = ConsentFactory(person=person_b)
    person_update(actor=centre_admin_b, person=person_b, phone="+45 1")
    person_update(actor=centre_admin_a, person=person_a, phone="+49 1")
    return {
        "person_a": person_a,
        "person_b": person_b,
        "consent_a": consent_a,
        "consent_b": consent_b,
        "role_b": every(StaffRole).get(user=centre_admin_b),
        "audit_b": every(AuditLogEntry).get(centre=person_b.centre),
    }


def names(response):
    return sorted(item.get("display_name") or item.get("slug") or item["id"] for item in response.json()["results"])


def test_people_list_shows_only_own_centre(api_a, world):
    response = api_a.get("/api/v1/people/")
    assert [item["display_name"] for item in response.json()["results"]] == ["Alma A."]


def test_people_list_filtered_by_another_centre_is_empty(api_a, world):
    response = api_a.get("/api/v1/people/", {"centre": "centre-b"})
    assert response.json()["results"] == []


def test_people_search_does_not_find_another_centres_person(api_a, world):
    response = api_a.get("/api/v1/people/", {"search": "Bodil"})
    assert response.json()["count"] == 0


@pytest.mark.parametrize(
    ("method", "payload"),
    [("get", None), ("patch", {"phone": "000"}), ("put", {"display_name": "X", "language": "de"}), ("delete", None)],
)
def test_another_centres_person_is_not_found(api_a, world, method, payload):
    person_b = world["person_b"]
    response = getattr(api_a, method)(f"/api/v1/people/{person_b.pk}/", payload)
    assert response.status_code == 404
    assert response.json() == {
        "error": {"status": 404, "code": "not_found", "message": "No Person matches the given query."}
    }
    person_b.refresh_from_db()
    assert (person_b.display_name, person_b.phone) == ("Bodil B.", "+45 1")


def test_person_cannot_be_created_in_another_centre(api_a, world):
    response = api_a.post("/api/v1/people/", {"centre": "centre-b", "display_name": "Intruder"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"centre": ["Object with slug=centre-b does not exist."]}
    assert not every(Person).filter(display_name="Intruder").exists()


def test_consents_list_shows_only_own_centre(api_a, world):
    response = api_a.get("/api/v1/consents/")
    assert [item["id"] for item in response.json()["results"]] == [world["consent_a"].pk]


def test_another_centres_consent_cannot_be_read_or_withdrawn(api_a, world):
    consent_b = world["consent_b"]
    assert api_a.get(f"/api/v1/consents/{consent_b.pk}/").status_code == 404
    assert api_a.post(f"/api/v1/consents/{consent_b.pk}/withdraw/").status_code == 404
    consent_b.refresh_from_db()
    assert consent_b.withdrawn_at is None


def test_consent_cannot_point_at_another_centres_person(api_a, world):
    response = api_a.post(
        "/api/v1/consents/",
        {"person": world["person_b"].pk, "purpose": "newsletter", "text_version": "v1", "source": "email"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "person": [f'Invalid pk "{world["person_b"].pk}" - object does not exist.']
    }
    assert every(ConsentRecord).filter(person=world["person_b"]).count() == 1


def test_staff_roles_list_shows_only_own_centre(api_a, world):
    response = api_a.get("/api/v1/staff-roles/")
    assert {item["centre"] for item in response.json()["results"]} == {"centre-a"}


@pytest.mark.parametrize(("method", "payload"), [("get", None), ("patch", {"role": "coordinator"}), ("delete", None)])
def test_another_centres_staff_role_is_not_found(api_admin_a, world, method, payload):
    role_b = world["role_b"]
    response = getattr(api_admin_a, method)(f"/api/v1/staff-roles/{role_b.pk}/", payload)
    assert response.status_code == 404
    role_b.refresh_from_db()
    assert role_b.role == "centre_admin"


def test_staff_role_cannot_be_granted_in_another_centre(api_admin_a, world):
    response = api_admin_a.post(
        "/api/v1/staff-roles/", {"centre": "centre-b", "email": "spy@example.org", "role": "centre_admin"}
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["centre"]
    assert not every(StaffRole).filter(user__email="spy@example.org").exists()


def test_centres_list_shows_only_own_centre(api_a, world):
    response = api_a.get("/api/v1/centres/")
    assert [item["slug"] for item in response.json()["results"]] == ["centre-a"]
    assert api_a.get("/api/v1/centres/centre-b/").status_code == 404


def test_audit_log_shows_only_own_centre(api_admin_a, world):
    response = api_admin_a.get("/api/v1/audit-log/")
    assert {item["centre"] for item in response.json()["results"]} == {"centre-a"}
    assert api_admin_a.get(f"/api/v1/audit-log/{world['audit_b'].pk}/").status_code == 404


def test_a_user_of_both_centres_sees_both(world, coordinator_a, centre_b):
    from centres.services.staff import staff_role_grant
    from tests.conftest import token_client

    with all_centres_scope():
        staff_role_grant(actor=None, centre=centre_b, user=coordinator_a, role="coordinator")
    response = token_client(coordinator_a).get("/api/v1/people/")
    assert [item["display_name"] for item in response.json()["results"]] == ["Alma A.", "Bodil B."]


def test_token_user_of_centre_b_sees_the_same_isolation(centre_admin_b, person_a, person_b):
    response = token_client(centre_admin_b).get("/api/v1/people/")
    assert [item["display_name"] for item in response.json()["results"]] == ["Bodil B."]


@pytest.mark.parametrize(
    "url", ["/api/v1/people/", "/api/v1/consents/", "/api/v1/staff-roles/", "/api/v1/centres/", "/api/v1/audit-log/"]
)
def test_anonymous_callers_get_nothing(anonymous_api, world, url):
    response = anonymous_api.get(url)
    assert response.status_code == 401
    assert "results" not in response.json()


@pytest.mark.parametrize("url", ["/api/v1/people/", "/api/v1/consents/", "/api/v1/centres/"])
def test_a_logged_in_user_without_a_role_gets_nothing(world, user, url):
    from tests.conftest import token_client

    response = token_client(user).get(url)
    assert response.status_code == 403
    assert "results" not in response.json()
