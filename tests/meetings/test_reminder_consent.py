"""Staff see when a member gets no reminders because they withdrew their consent to group
membership: on the roster in the API and the workspace, and on the enquiry before placing."""

from datetime import date

import pytest

from centres.models import ConsentRecord, Person
from centres.selectors import consent_withdrawn, person_withdrew
from intake.models import Enquiry
from intake.services.submission import enquiry_submit
from meetings.models import Membership
from tests.conftest import token_client
from tests.factories import PersonFactory, TopicFactory, every

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]

GROUP = ConsentRecord.Purpose.GROUP_MEMBERSHIP


def consent(person, purpose=GROUP, *, withdrawn: bool = False) -> ConsentRecord:
    return every(ConsentRecord).create(
        centre=person.centre,
        person=person,
        purpose=purpose,
        text_version="v1",
        given_at="2026-01-01T10:00:00Z",
        withdrawn_at="2026-02-01T10:00:00Z" if withdrawn else None,
        source="email",
    )


# Each case: the person's consent records as (purpose, withdrawn), and whether reminders are withheld.
CASES = {
    "no record (added from a paper form)": ([], False),
    "given": ([(GROUP, False)], False),
    "withdrawn": ([(GROUP, True)], True),
    "withdrawn twice": ([(GROUP, True), (GROUP, True)], True),
    "withdrawn, then given again": ([(GROUP, True), (GROUP, False)], False),
    "only the newsletter withdrawn": ([(ConsentRecord.Purpose.NEWSLETTER, True)], False),
}


@pytest.mark.parametrize(("records", "withheld"), CASES.values(), ids=CASES.keys())
def test_what_staff_are_shown_is_what_the_mail_obeys(centre_a, records, withheld):
    """The roster's flag (a query expression) and the outbox's check (`withdrawn_among`, through
    `person_withdrew`) apply one rule in two forms; they must never disagree."""
    person = PersonFactory(centre=centre_a)
    for purpose, withdrawn in records:
        consent(person, purpose, withdrawn=withdrawn)
    assert person_withdrew(person.pk, GROUP) is withheld
    flagged = every(Person).filter(pk=person.pk).values_list(consent_withdrawn(GROUP, person="pk"), flat=True)
    assert flagged.get() is withheld


def test_the_api_roster_flags_members_whose_reminders_are_withheld(api_a, centre_a, group_a):
    kept, withdrew = PersonFactory(centre=centre_a), PersonFactory(centre=centre_a)
    consent(kept)
    record = consent(withdrew, withdrawn=True)
    for person in (kept, withdrew):
        every(Membership).create(centre=centre_a, group=group_a, person=person, joined_on=date(2026, 1, 1))
    roster = api_a.get("/api/v1/memberships/", {"group": group_a.pk}).json()["results"]
    assert {row["person"]: row["reminders_withheld"] for row in roster} == {kept.pk: False, withdrew.pk: True}

    # Placing the person again says so in the answer, before any reminder is due.
    membership = every(Membership).get(person=withdrew)
    assert api_a.post(f"/api/v1/memberships/{membership.pk}/end/", {}, format="json").status_code == 200
    again = api_a.post(
        "/api/v1/memberships/", {"group": group_a.pk, "person": withdrew.pk, "joined_on": "2026-03-01"}, format="json"
    )
    assert again.status_code == 201, again.content
    assert again.json()["reminders_withheld"] is True

    # A new consent, recorded by staff, lifts it.
    given = api_a.post(
        "/api/v1/consents/",
        {"person": withdrew.pk, "purpose": GROUP, "text_version": "v2", "source": "in_person"},
        format="json",
    )
    assert given.status_code == 201, given.content
    assert record.pk != given.json()["id"]
    assert api_a.get(f"/api/v1/memberships/{again.json()['id']}/").json()["reminders_withheld"] is False


def test_the_flag_is_of_the_centre_that_holds_the_membership(api_a, centre_a, centre_admin_b, group_a):
    """Another centre's staff never learn of the person, flag or not."""
    person = PersonFactory(centre=centre_a)
    consent(person, withdrawn=True)
    membership = every(Membership).create(centre=centre_a, group=group_a, person=person, joined_on=date(2026, 1, 1))
    outsider = token_client(centre_admin_b)
    assert outsider.get(f"/api/v1/memberships/{membership.pk}/").status_code == 404
    assert outsider.get("/api/v1/memberships/").json()["results"] == []


def test_the_workspace_roster_marks_withheld_reminders(client, coordinator_a, centre_a, group_a):
    client.force_login(coordinator_a)
    kept = PersonFactory(centre=centre_a, display_name="Bettina Behalten")
    withdrew = PersonFactory(centre=centre_a, display_name="Wanda Widerruf")
    consent(withdrew, withdrawn=True)
    for person in (kept, withdrew):
        every(Membership).create(centre=centre_a, group=group_a, person=person, joined_on=date(2026, 1, 1))
    page = client.get(f"/centres/{centre_a.slug}/workspace/groups/{group_a.pk}/").content.decode()
    rows = {line for line in page.split("<li>") if "Bettina" in line or "Wanda" in line}
    assert [("consent withdrawn: no reminders" in row) for row in sorted(rows)] == [False, True]


def test_the_enquiry_warns_before_placing_a_person_who_withdrew(client, coordinator_a, centre_a, group_a):
    client.force_login(coordinator_a)
    topic = TopicFactory(centre=centre_a, name="Trauer")
    group_a.topic = topic
    group_a.save(update_fields=["topic"])
    enquiry = enquiry_submit(
        actor=None,
        centre=centre_a,
        name="Someone",
        email="someone@example.net",
        language="de",
        topics=[topic],
        consent=True,
        channel=Enquiry.Channel.PHONE,
    )
    every(Enquiry).filter(pk=enquiry.pk).update(status=Enquiry.Status.CONVERSATION_HELD)
    url = f"/centres/{centre_a.slug}/intake/{enquiry.pk}/"
    warning = "has withdrawn their consent to group membership"
    page = client.get(url).content.decode()
    assert "Place in Dienstagsgruppe" in page
    assert warning not in page
    consent(enquiry.person, withdrawn=True)
    assert warning in client.get(url).content.decode()
