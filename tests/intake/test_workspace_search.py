"""The workspace's search: people, groups, enquiries and rooms of the staff member's own centre,
by name, each linked to where it is worked on; people found are an audited read."""

import pytest

from centres.models import AuditLogEntry
from intake.services.submission import enquiry_submit
from tests.factories import GroupFactory, MembershipFactory, PersonFactory, RoomFactory, every

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


@pytest.fixture
def coordinator(client, coordinator_a):
    client.force_login(coordinator_a)
    return client


def test_one_search_finds_people_groups_enquiries_and_rooms_of_the_own_centre(
    coordinator, centre_a, centre_b, coordinator_a
):
    group = GroupFactory(centre=centre_a, name="Lindenkreis")
    member = PersonFactory(centre=centre_a, display_name="Lina Linde", email="lina@example.net")
    MembershipFactory(group=group, person=member)
    enquiry = enquiry_submit(actor=None, centre=centre_a, name="Linus", phone="0511", language="de", consent=True)
    RoomFactory(location__centre=centre_a, name="Raum Linde")
    PersonFactory(centre=centre_b, display_name="Lind aus B")
    GroupFactory(centre=centre_b, name="Lindgruppe B")
    found = coordinator.get(f"/centres/{centre_a.slug}/workspace/search/?q=lin").content.decode()
    assert "Lina Linde" in found
    assert f"/centres/{centre_a.slug}/workspace/groups/{group.pk}/" in found
    assert f"/centres/{centre_a.slug}/intake/{enquiry.pk}/" in found
    assert "Raum Linde" in found
    assert "Lind aus B" not in found
    assert "Lindgruppe B" not in found
    read = every(AuditLogEntry).get(action="list", object_type="centres.person")
    assert (read.actor, read.row_count) == (coordinator_a, 2)


def test_a_search_says_when_it_is_too_short_or_finds_nothing(coordinator, centre_a):
    url = f"/centres/{centre_a.slug}/workspace/search/"
    assert "Type at least two letters." in coordinator.get(url + "?q=x").content.decode()
    assert "Nothing found for “zzz”." in coordinator.get(url + "?q=zzz").content.decode()
