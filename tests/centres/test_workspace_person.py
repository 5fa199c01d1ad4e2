"""A person's page in the workspace: the file of everything held about them, and erasure by a
centre admin after a confirmation; each step audited, and other centres' people out of reach."""

import json

import pytest

from centres.models import AuditLogEntry, Person
from tests.factories import GroupFactory, MembershipFactory, PersonFactory, every

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


def test_staff_download_what_is_held_about_a_person(client, coordinator_a, centre_a, person_a, person_b):
    MembershipFactory(group=GroupFactory(centre=centre_a), person=person_a)
    client.force_login(coordinator_a)
    url = f"/centres/{centre_a.slug}/workspace/people/{person_a.pk}/"
    page = client.get(url).content.decode()
    assert "alma@example.net" in page
    assert "Erase this person" not in page  # a coordinator may not
    download = client.get(url + "?download=1")
    assert download["Content-Disposition"] == f'attachment; filename="person-{person_a.pk}.json"'
    exported = json.loads(download.content)
    assert exported["person"]["email"] == "alma@example.net"
    assert [row["person_id"] for row in exported["records"]["meetings.Membership"]] == [person_a.pk]
    actions = set(every(AuditLogEntry).filter(object_id=str(person_a.pk)).values_list("action", flat=True))
    assert {"view", "export"} <= actions
    assert client.get(f"/centres/{centre_a.slug}/workspace/people/{person_b.pk}/").status_code == 404
    assert client.post(url + "erase/").status_code == 403
    assert every(Person).filter(pk=person_a.pk).exists()


def test_a_centre_admin_erases_a_person_after_confirming(client, centre_admin_a, centre_a):
    person = PersonFactory(centre=centre_a, display_name="Ella Erase", email="ella@example.net")
    client.force_login(centre_admin_a)
    url = f"/centres/{centre_a.slug}/workspace/people/{person.pk}/erase/"
    assert "This cannot be undone." in client.get(url).content.decode()
    assert every(Person).filter(pk=person.pk).exists()
    erased = client.post(url)
    assert not every(Person).filter(pk=person.pk).exists()
    assert "The person is erased" in client.get(erased.url).content.decode()
