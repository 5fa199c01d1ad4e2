"""Lists of people, enquiries and memberships are audited like a single read: one entry per
request and centre, naming who, which list, which filters and how many rows, and no personal
value (a search term is recorded as present, never as typed)."""

import json

import pytest
from django.test import Client
from django.utils import timezone

from centres.models import AuditLogEntry
from intake.models import Enquiry
from tests.conftest import token_client
from tests.factories import MembershipFactory, PersonFactory, StaffRoleFactory, every

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


def list_entries():
    return list(
        every(AuditLogEntry)
        .filter(action="list")
        .order_by("centre__slug")
        .values("centre__slug", "actor", "object_type", "object_id", "filters", "row_count")
    )


def enquiry(centre, person):
    now = timezone.now()
    return every(Enquiry).create(
        centre=centre, person=person, channel="web", language="de", created_at=now, status_changed_at=now
    )


def test_listing_people_in_the_api_is_audited_without_the_search_term(api_a, coordinator_a, centre_a):
    PersonFactory(centre=centre_a, display_name="Alma Adler", language="de")
    PersonFactory(centre=centre_a, display_name="Bert Adler", language="de")
    response = api_a.get("/api/v1/people/", {"search": "Adler", "language": "de", "ordering": "display_name"})
    assert response.json()["count"] == 2
    assert list_entries() == [
        {
            "centre__slug": "centre-a",
            "actor": coordinator_a.pk,
            "object_type": "centres.person",
            "object_id": "person-list",
            "filters": {"language": "de", "ordering": "display_name", "search": "present"},
            "row_count": 2,
        }
    ]
    assert "Adler" not in json.dumps(list_entries())


def test_a_list_over_two_centres_writes_one_entry_per_centre_with_its_own_count(
    coordinator_a, centre_a, centre_b, person_a, person_b
):
    StaffRoleFactory(centre=centre_b, user=coordinator_a)
    PersonFactory(centre=centre_b)
    token_client(coordinator_a).get("/api/v1/people/")
    assert [(entry["centre__slug"], entry["row_count"]) for entry in list_entries()] == [
        ("centre-a", 1),
        ("centre-b", 2),
    ]


def test_a_search_that_finds_no_one_is_audited_too(api_a, coordinator_a, person_a):
    api_a.get("/api/v1/people/", {"search": "nobody@example.org"})
    assert [(entry["filters"], entry["row_count"]) for entry in list_entries()] == [({"search": "present"}, 0)]


def test_reading_a_page_audits_only_the_rows_it_shows(api_a, centre_a):
    for _ in range(3):
        PersonFactory(centre=centre_a)
    api_a.get("/api/v1/people/", {"page_size": 2, "page": 2})
    assert [(entry["filters"], entry["row_count"]) for entry in list_entries()] == [
        ({"page": "2", "page_size": "2"}, 1)
    ]


def test_listing_enquiries_in_the_api_is_audited(api_a, centre_a, person_a):
    enquiry(centre_a, person_a)
    api_a.get("/api/v1/enquiries/", {"status": "new", "search": "alma"})
    assert [(e["object_type"], e["object_id"], e["filters"], e["row_count"]) for e in list_entries()] == [
        ("intake.enquiry", "enquiry-list", {"search": "present", "status": "new"}, 1)
    ]


def test_listing_memberships_in_the_api_is_audited(api_a, group_a):
    MembershipFactory(group=group_a)
    api_a.get("/api/v1/memberships/", {"group": group_a.pk})
    assert [(e["object_type"], e["object_id"], e["filters"], e["row_count"]) for e in list_entries()] == [
        ("meetings.membership", "membership-list", {"group": str(group_a.pk)}, 1)
    ]


def test_the_workspace_intake_queue_is_audited(client, coordinator_a, centre_a, person_a):
    enquiry(centre_a, person_a)
    client.force_login(coordinator_a)
    page = client.get(f"/centres/{centre_a.slug}/intake/", {"status": "new"})
    assert "Alma A." in page.content.decode()
    assert [(e["object_type"], e["object_id"], e["filters"], e["row_count"]) for e in list_entries()] == [
        ("intake.enquiry", "workspace-intake", {"status": "new"}, 1)
    ]


def test_a_groups_roster_in_the_workspace_is_audited(client, coordinator_a, centre_a, group_a):
    MembershipFactory(group=group_a)
    MembershipFactory(group=group_a)
    client.force_login(coordinator_a)
    client.get(f"/centres/{centre_a.slug}/workspace/groups/{group_a.pk}/")
    assert [(e["object_type"], e["object_id"], e["filters"], e["row_count"]) for e in list_entries()] == [
        ("meetings.membership", "workspace-group", {"group": str(group_a.pk)}, 2)
    ]


def test_the_admins_people_list_is_audited_without_the_search_term(coordinator_a, person_a):
    client = Client()
    client.force_login(coordinator_a)
    page = client.get("/admin/centres/person/", {"q": "alma@example.net", "language__exact": "de"})
    assert "Alma A." in page.content.decode()
    assert [(e["object_id"], e["filters"], e["row_count"]) for e in list_entries()] == [
        ("admin:centres_person_changelist", {"language__exact": "de", "q": "present"}, 1)
    ]
    assert "alma" not in json.dumps(list_entries())


def test_the_admins_membership_list_is_audited(coordinator_a, group_a):
    MembershipFactory(group=group_a)
    client = Client()
    client.force_login(coordinator_a)
    client.get("/admin/meetings/membership/")
    assert [(e["object_type"], e["row_count"]) for e in list_entries()] == [("meetings.membership", 1)]


def test_the_audit_log_api_shows_a_list_reads_filters_and_count(api_a, api_admin_a, person_a):
    api_a.get("/api/v1/people/", {"search": "Alma"})
    entry = next(item for item in api_admin_a.get("/api/v1/audit-log/").json()["results"] if item["action"] == "list")
    assert (entry["object_id"], entry["filters"], entry["row_count"]) == ("person-list", {"search": "present"}, 1)


def test_the_admins_person_autocomplete_is_audited_without_the_term(coordinator_a, person_a):
    client = Client()
    client.force_login(coordinator_a)
    found = client.get(
        "/admin/autocomplete/",
        {"term": "Alma", "app_label": "meetings", "model_name": "membership", "field_name": "person"},
    )
    assert [item["text"] for item in found.json()["results"]] == ["Alma A."]
    assert [(e["object_id"], e["filters"], e["row_count"]) for e in list_entries()] == [
        (
            "admin:autocomplete",
            {"app_label": "meetings", "field_name": "person", "model_name": "membership", "term": "present"},
            1,
        )
    ]
