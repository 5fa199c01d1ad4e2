"""The intake queue in the workspace: a coordinator records a phone or walk-in enquiry, and finds
enquiries by name, address or phone, the oldest or the newest first."""

from datetime import UTC, datetime, timedelta

import pytest

from centres.models import ConsentRecord, Person
from intake.models import Enquiry
from intake.services.submission import enquiry_submit
from notifications.models import OutgoingMail
from tests.factories import TopicFactory, every

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


@pytest.fixture
def coordinator(client, coordinator_a):
    client.force_login(coordinator_a)
    return client


def test_a_phone_enquiry_is_recorded_with_its_channel_and_consent(coordinator, centre_a, coordinator_a):
    topic = TopicFactory(centre=centre_a, name="Angst")
    answer = coordinator.post(
        f"/centres/{centre_a.slug}/intake/new/",
        {
            "channel": "phone",
            "name": "Dora D.",
            "phone": "+49 511 123",
            "language": "de",
            "topics": [topic.pk],
            "consent": "on",
        },
    )
    enquiry = every(Enquiry).get()
    assert answer.url == f"/centres/{centre_a.slug}/intake/{enquiry.pk}/"
    assert (enquiry.channel, enquiry.status, enquiry.person.display_name) == ("phone", "new", "Dora D.")
    assert list(enquiry.topics.all()) == [topic]
    assert every(ConsentRecord).filter(person=enquiry.person).exists()
    assert "The enquiry is recorded and in the queue." in coordinator.get(answer.url).content.decode()


def test_a_recorded_enquiry_needs_a_way_to_reach_them_and_their_consent(coordinator, centre_a):
    url = f"/centres/{centre_a.slug}/intake/new/"
    for bad in (
        {"channel": "phone", "name": "Dora D.", "language": "de", "consent": "on"},
        {"channel": "phone", "name": "Dora D.", "phone": "0511", "language": "de"},
        {"channel": "web", "name": "Dora D.", "phone": "0511", "language": "de", "consent": "on"},
    ):
        answer = coordinator.post(url, bad)
        assert answer.status_code == 400
        assert 'id="error-summary"' in answer.content.decode()
    assert not every(Enquiry).exists()
    assert not every(Person).exists()


def test_the_queue_searches_and_sorts(coordinator, centre_a, frozen_now):
    frozen_now(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    enquiry_submit(actor=None, centre=centre_a, name="Erik E.", phone="0511 1", language="de", consent=True)
    frozen_now(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    enquiry_submit(
        actor=None, centre=centre_a, name="Frieda F.", email="frieda@example.net", language="de", consent=True
    )
    frozen_now(datetime(2026, 11, 30, 9, 0, tzinfo=UTC) + timedelta(days=1))
    url = f"/centres/{centre_a.slug}/intake/"
    oldest = coordinator.get(url).content.decode()
    assert oldest.index("Erik E.") < oldest.index("Frieda F.")
    assert "4\xa0weeks" in oldest
    newest = coordinator.get(url + "?sort=newest").content.decode()
    assert newest.index("Frieda F.") < newest.index("Erik E.")
    found = coordinator.get(url + "?q=frieda@").content.decode()
    assert "Frieda F." in found
    assert "Erik E." not in found
    assert "No enquiry matches" in coordinator.get(url + "?q=nobody").content.decode()


def test_placing_says_who_gets_the_welcome_and_asks_first(coordinator, centre_a, group_a):
    enquiry = enquiry_submit(
        actor=None, centre=centre_a, name="Gitte G.", email="gitte@example.net", language="de", consent=True
    )
    every(Enquiry).filter(pk=enquiry.pk).update(status="conversation_held")  # the conversation was held
    url = f"/centres/{centre_a.slug}/intake/{enquiry.pk}/"
    shown = coordinator.get(url).content.decode()
    assert "Mark as contacted" not in shown  # done already; the next steps are named as actions
    mails_before = every(OutgoingMail).filter(recipient="gitte@example.net").count()
    asked = coordinator.post(url + "place/", {"group": group_a.pk, "override": "on"})
    assert "A welcome e-mail with the next meeting, their member link and calendar link goes to gitte@example.net." in (
        asked.content.decode()
    )
    assert every(Enquiry).get(pk=enquiry.pk).status == "conversation_held"
    assert every(OutgoingMail).filter(recipient="gitte@example.net").count() == mails_before
    placed = coordinator.post(url + "place/", {"group": group_a.pk, "override": "on", "confirm": "yes"})
    assert every(Enquiry).get(pk=enquiry.pk).status == "placed"
    assert "the welcome e-mail with their links is on its way" in coordinator.get(placed.url).content.decode()
    assert every(OutgoingMail).filter(recipient="gitte@example.net").count() == mails_before + 1


def test_an_enquiry_is_taken_on_by_a_colleague_and_the_queue_shows_only_mine(
    coordinator, centre_a, centre_b, coordinator_a
):
    from tests.factories import StaffRoleFactory

    mine = enquiry_submit(actor=None, centre=centre_a, name="Mira M.", phone="0511 9", language="de", consent=True)
    other = enquiry_submit(actor=None, centre=centre_a, name="Otto O.", phone="0511 8", language="de", consent=True)
    colleague = StaffRoleFactory(centre=centre_a).user
    outsider = StaffRoleFactory(centre=centre_b).user
    url = f"/centres/{centre_a.slug}/intake/"
    taken = coordinator.post(f"{url}{mine.pk}/assign/", {"assignee": coordinator_a.pk})
    assert f"{coordinator_a.username} looks after this enquiry." in coordinator.get(taken.url).content.decode()
    coordinator.post(f"{url}{other.pk}/assign/", {"assignee": colleague.pk})
    refused = coordinator.post(f"{url}{other.pk}/assign/", {"assignee": outsider.pk})
    assert refused.status_code == 400
    assert "Only the centre&#x27;s staff can take on an enquiry." in refused.content.decode()
    assert every(Enquiry).get(pk=other.pk).assignee == colleague
    only_mine = coordinator.get(url + "?mine=1").content.decode()
    assert "Mira M." in only_mine
    assert "Otto O." not in only_mine
    coordinator.post(f"{url}{mine.pk}/assign/", {"assignee": ""})
    assert every(Enquiry).get(pk=mine.pk).assignee is None
