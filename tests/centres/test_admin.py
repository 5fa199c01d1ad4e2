"""The admin keeps each centre's data to itself and routes writes through the services."""

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext

from centres.models import AuditLogEntry, ConsentRecord, Person, StaffInvitation, StaffRole
from centres.services.people import person_create, person_update
from tests.factories import ConsentFactory, PersonFactory, StaffRoleFactory, every

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_a(client, coordinator_a):
    client.force_login(coordinator_a)
    return client


@pytest.fixture
def centre_admin_client_a(client, centre_admin_a):
    client.force_login(centre_admin_a)
    return client


def test_people_changelist_shows_only_own_centre(admin_client_a, person_a, person_b):
    page = admin_client_a.get("/admin/centres/person/").content.decode()
    assert "Alma A." in page
    assert "Bodil B." not in page


def test_changelist_search_does_not_reach_another_centre(admin_client_a, person_a, person_b):
    page = admin_client_a.get("/admin/centres/person/", {"q": "bodil"}).content.decode()
    assert "Bodil" not in page.replace('value="bodil"', "")
    assert "0 people" in page


@pytest.mark.parametrize("suffix", ["change/", "delete/", "history/"])
def test_another_centres_person_cannot_be_opened(centre_admin_client_a, person_b, suffix):
    response = centre_admin_client_a.get(f"/admin/centres/person/{person_b.pk}/{suffix}", follow=True)
    page = response.content.decode()
    assert "Bodil" not in page
    assert "doesn’t exist" in page


def test_another_centres_person_cannot_be_deleted(admin_client_a, person_b):
    admin_client_a.post(f"/admin/centres/person/{person_b.pk}/delete/", {"post": "yes"})
    assert every(Person).filter(pk=person_b.pk).exists()


def test_bulk_delete_ignores_ids_of_another_centre(centre_admin_client_a, person_a, person_b):
    centre_admin_client_a.post(
        "/admin/centres/person/",
        {"action": "delete_selected", "_selected_action": [person_a.pk, person_b.pk], "post": "yes"},
    )
    assert list(every(Person).values_list("display_name", flat=True)) == ["Bodil B."]


def test_person_cannot_be_added_to_another_centre(admin_client_a, centre_b):
    response = admin_client_a.post(
        "/admin/centres/person/add/",
        {
            "centre": centre_b.pk,
            "display_name": "Intruder",
            "language": "da",
            "consents-TOTAL_FORMS": "0",
            "consents-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not every(Person).filter(display_name="Intruder").exists()


def test_person_added_in_the_admin_is_audit_logged(admin_client_a, centre_a, coordinator_a):
    response = admin_client_a.post(
        "/admin/centres/person/add/",
        {
            "centre": centre_a.pk,
            "display_name": "Neu",
            "email": "neu@example.net",
            "language": "de",
            "consents-TOTAL_FORMS": "0",
            "consents-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    person = every(Person).get(display_name="Neu")
    assert every(AuditLogEntry).filter(actor=coordinator_a, action="create", object_id=str(person.pk)).exists()


def test_person_edited_in_the_admin_records_the_changed_fields(admin_client_a, person_a):
    admin_client_a.post(
        f"/admin/centres/person/{person_a.pk}/change/",
        {
            "display_name": "Alma",
            "email": person_a.email,
            "phone": "",
            "full_name": "",
            "language": "de",
            "consents-TOTAL_FORMS": "0",
            "consents-INITIAL_FORMS": "0",
        },
    )
    person_a.refresh_from_db()
    assert person_a.display_name == "Alma"
    assert every(AuditLogEntry).get(action="update").changed_fields == ["display_name"]


def test_consent_cannot_point_at_another_centres_person(admin_client_a, person_b):
    response = admin_client_a.post(
        "/admin/centres/consentrecord/add/",
        {
            "person": person_b.pk,
            "purpose": "newsletter",
            "text_version": "v1",
            "source": "paper",
            "given_at_0": "2026-01-01",
            "given_at_1": "10:00:00",
        },
    )
    assert "Select a valid choice" in response.content.decode()
    assert not every(ConsentRecord).exists()


def test_consents_are_withdrawn_not_deleted(admin_client_a, person_a):
    consent = ConsentFactory(person=person_a)
    admin_client_a.post(
        "/admin/centres/consentrecord/", {"action": "withdraw_selected", "_selected_action": [consent.pk]}
    )
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    response = admin_client_a.get(f"/admin/centres/consentrecord/{consent.pk}/delete/")
    assert response.status_code == 403


def test_coordinator_cannot_add_staff_or_see_the_audit_log(admin_client_a, person_a, coordinator_a):

    person_update(actor=coordinator_a, person=person_a, phone="1")
    assert admin_client_a.get("/admin/centres/staffrole/add/").status_code == 403
    response = admin_client_a.get("/admin/centres/auditlogentry/")
    assert response.status_code == 403
    assert "centres.person" not in response.content.decode()
    index = admin_client_a.get("/admin/").content.decode()
    assert "/admin/centres/person/" in index
    assert "/admin/centres/auditlogentry/" not in index


def test_centre_admin_can_only_pick_own_centre_for_new_staff(centre_admin_client_a, centre_b):
    response = centre_admin_client_a.post(
        "/admin/centres/staffinvitation/add/",
        {"email": "spy@example.org", "centre": centre_b.pk, "role": "centre_admin"},
    )
    assert "Select a valid choice" in response.content.decode()
    assert not every(StaffInvitation).filter(email="spy@example.org").exists()


def test_centre_admin_invites_a_coordinator(centre_admin_client_a, centre_a):
    response = centre_admin_client_a.post(
        "/admin/centres/staffinvitation/add/",
        {"email": "Kim@Example.org", "name": "Kim", "centre": centre_a.pk, "role": "coordinator"},
    )
    assert response.status_code == 302
    invitation = every(StaffInvitation).get(email="kim@example.org")
    assert (invitation.centre, invitation.role, invitation.name) == (centre_a, "coordinator", "Kim")
    # The role exists once Kim accepts (tests/centres/test_accounts.py).
    assert not every(StaffRole).filter(user__email="kim@example.org").exists()


def test_audit_log_in_admin_shows_only_own_centre(centre_admin_client_a, person_a, person_b):

    person_update(actor=None, person=person_a, phone="1")
    person_update(actor=None, person=person_b, phone="2")
    page = centre_admin_client_a.get("/admin/centres/auditlogentry/").content.decode()
    assert f">{person_a.pk}<" in page or f"{person_a.pk}</td>" in page
    assert "Selvhjælpscenter B" not in page


def test_centres_changelist_shows_only_own_centre(admin_client_a, centre_a, centre_b):
    page = admin_client_a.get("/admin/centres/centre/").content.decode()
    assert "Kontaktstelle A" in page
    assert "Selvhjælpscenter B" not in page


def test_users_without_a_role_cannot_enter_the_admin(client, user):
    user.is_staff = True
    user.save()
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_user_admin_is_closed_to_centre_staff(centre_admin_client_a, centre_admin_b):
    response = centre_admin_client_a.get("/admin/auth/user/")
    assert response.status_code == 403
    assert centre_admin_b.username not in response.content.decode()


def test_admin_refuses_an_email_of_another_person_with_a_form_error(centre_admin_client_a, person_a):
    other = PersonFactory(centre=person_a.centre, email="other@example.net")
    response = centre_admin_client_a.post(
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


def test_admin_refuses_consent_given_in_the_future_with_a_form_error(centre_admin_client_a, person_a):
    response = centre_admin_client_a.post(
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


def test_staff_roles_have_no_bulk_delete(centre_admin_client_a):
    page = centre_admin_client_a.get("/admin/centres/staffrole/").content.decode()
    assert "delete_selected" not in page


def test_admin_keeps_no_names_in_djangos_own_log_and_audits_views(centre_admin_client_a, person_a, centre_admin_a):
    centre_admin_client_a.get(f"/admin/centres/person/{person_a.pk}/change/")
    centre_admin_client_a.post(f"/admin/centres/person/{person_a.pk}/delete/", {"post": "yes"})
    assert not LogEntry.objects.exists()
    actions = list(every(AuditLogEntry).filter(object_id=str(person_a.pk)).values_list("action", flat=True))
    assert sorted(actions) == ["delete", "view"]


@pytest.mark.parametrize(
    ("model", "make"),
    [
        ("person", lambda centre: PersonFactory(centre=centre)),
        ("consentrecord", lambda centre: ConsentFactory(person=PersonFactory(centre=centre))),
        ("staffrole", lambda centre: StaffRoleFactory(centre=centre)),
        ("auditlogentry", lambda centre: person_create(actor=None, centre=centre, display_name="Audit")),
    ],
)
def test_admin_lists_use_the_same_number_of_queries_for_1_and_3_items(centre_admin_client_a, centre_a, model, make):
    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = centre_admin_client_a.get(f"/admin/centres/{model}/")
        assert response.status_code == 200
        return len(queries)

    make(centre_a)
    one = queries_for_list()
    make(centre_a)
    make(centre_a)
    assert queries_for_list() == one


@pytest.fixture
def objects_of_b(person_b, centre_admin_b):
    """One object of centre B for every admin model that holds centre data."""

    consent = ConsentFactory(person=person_b)
    person_update(actor=centre_admin_b, person=person_b, phone="+45 2")
    return {
        "centre": person_b.centre,
        "person": person_b,
        "consentrecord": consent,
        "staffrole": every(StaffRole).get(user=centre_admin_b),
        "auditlogentry": every(AuditLogEntry).get(centre=person_b.centre),
    }


@pytest.mark.parametrize("model", ["centre", "person", "consentrecord", "staffrole", "auditlogentry"])
@pytest.mark.parametrize("page", ["change/", "delete/", "history/"])
def test_no_admin_page_opens_an_object_of_another_centre(centre_admin_client_a, objects_of_b, model, page):
    obj = objects_of_b[model]
    response = centre_admin_client_a.get(f"/admin/centres/{model}/{obj.pk}/{page}", follow=True)
    content = response.content.decode()
    assert response.status_code in (200, 403)
    assert "Bodil" not in content
    assert "Selvhjælpscenter B" not in content
    assert "+45 2" not in content


@pytest.mark.parametrize("model", ["centre", "person", "consentrecord", "staffrole", "auditlogentry"])
def test_no_admin_list_shows_another_centre(centre_admin_client_a, objects_of_b, person_a, model):
    response = centre_admin_client_a.get(f"/admin/centres/{model}/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "Bodil" not in content
    assert "Selvhjælpscenter B" not in content


def test_no_admin_post_changes_an_object_of_another_centre(centre_admin_client_a, objects_of_b):
    role_b = objects_of_b["staffrole"]
    centre_admin_client_a.post(f"/admin/centres/staffrole/{role_b.pk}/change/", {"role": "coordinator"})
    centre_admin_client_a.post(f"/admin/centres/centre/{role_b.centre_id}/change/", {"name": "Taken over"})
    role_b.refresh_from_db()
    role_b.centre.refresh_from_db()
    assert (role_b.role, role_b.centre.name) == ("centre_admin", "Selvhjælpscenter B")
