"""A freed place goes to who is waiting: the longest-waiting person for the group's topic (and
language, age band) is offered it by mail, accepts or declines within seven days, then the next;
at once or after a coordinator's click, as the centre chooses; exactly one open offer per group,
also when members leave at the same moment."""

import re
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test import TestCase

from centres.scoping import all_centres_scope, centre_scope
from intake.models import Enquiry, PlaceOffer
from intake.services.offers import place_offers_expire
from meetings.models import Group, Membership
from meetings.services import groups
from notifications.models import OutgoingMail
from tests.factories import GroupFactory, MembershipFactory, PersonFactory, every

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def full_group(centre_a, frozen_now):
    """A group of 3 at its maximum of 3, and three people waiting for its topic."""
    frozen_now(NOW)
    centre_a.offer_places_at_once = True
    centre_a.save(update_fields=["offer_places_at_once"])
    group = GroupFactory(centre=centre_a, name="Kreis", min_size=2, max_size=3, languages=["de"], status="self_run")
    for number in range(3):
        MembershipFactory(group=group, person=PersonFactory(centre=centre_a, email=f"m{number}@example.net"))
    return group


def waiting(group, name: str, since: date, **values) -> Enquiry:
    person = PersonFactory(centre=group.centre, display_name=name, email=f"{name.lower()}@example.net")
    return every(Enquiry).create(
        centre=group.centre,
        person=person,
        channel="phone",
        language=values.pop("language", "de"),
        status="waiting",
        waiting_topic=group.topic,
        waiting_since=since,
        created_at=NOW - timedelta(days=100),
        status_changed_at=NOW,
        **values,
    )


def leave(membership) -> None:
    with centre_scope(membership.centre_id), TestCase.captureOnCommitCallbacks(execute=True):
        groups.membership_end(actor=None, membership=membership)


def offer_path(person_email: str) -> str:
    mail = every(OutgoingMail).filter(recipient=person_email, idempotency_key__contains="place-offer").get()
    return re.search(r"https?://[^/]+(/offer/\S+/)", mail.body_text)[1]


def test_a_freed_place_is_offered_to_who_waited_longest(client, full_group):
    waiting(full_group, "Later", date(2026, 10, 1))
    first = waiting(full_group, "Longest", date(2026, 6, 1))
    waiting(full_group, "English", date(2026, 1, 1), language="en")  # the group meets in German
    leave(every(Membership).filter(group=full_group).first())
    offer = every(PlaceOffer).get()
    assert (offer.enquiry_id, offer.status, offer.expires_at) == (first.pk, "open", NOW + timedelta(days=7))
    mail = every(OutgoingMail).get(recipient="longest@example.net")
    assert mail.sensitive
    assert "Kreis" not in mail.subject
    page = client.get(offer_path("longest@example.net")).content.decode()
    assert "Yes, I would like the place" in page
    assert every(PlaceOffer).get().status == "open"  # a GET answers nothing


def test_accepting_places_them_and_declining_offers_the_next(client, full_group):
    waiting(full_group, "Longest", date(2026, 6, 1))
    waiting(full_group, "Next", date(2026, 8, 1))
    members = list(every(Membership).filter(group=full_group))
    leave(members[0])
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(offer_path("longest@example.net"), {"answer": "no"})
    assert every(PlaceOffer).get(enquiry__person__display_name="Longest").status == "declined"
    nxt = every(PlaceOffer).get(status="open")
    assert nxt.enquiry.person.display_name == "Next"
    with TestCase.captureOnCommitCallbacks(execute=True):
        answer = client.post(offer_path("next@example.net"), {"answer": "yes"})
    assert "Welcome to “Kreis”" in answer.content.decode()
    assert every(Membership).filter(group=full_group, left_on__isnull=True, person__display_name="Next").exists()
    assert every(Enquiry).get(person__display_name="Next").status == "placed"
    assert every(OutgoingMail).filter(recipient="next@example.net", idempotency_key__contains="welcome").exists()
    # The group is full again: nobody else is offered anything, and an answer counts once.
    assert not every(PlaceOffer).filter(status="open").exists()
    assert client.post(offer_path("next@example.net"), {"answer": "no"}).status_code == 409


def test_an_unanswered_offer_expires_after_seven_days_and_goes_to_the_next(full_group, frozen_now):
    waiting(full_group, "Longest", date(2026, 6, 1))
    waiting(full_group, "Next", date(2026, 8, 1))
    leave(every(Membership).filter(group=full_group).first())
    frozen_now(NOW + timedelta(days=6))
    assert place_offers_expire() == 0
    frozen_now(NOW + timedelta(days=7, minutes=1))
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert place_offers_expire() == 1
    assert every(PlaceOffer).get(enquiry__person__display_name="Longest").status == "expired"
    assert every(PlaceOffer).get(status="open").enquiry.person.display_name == "Next"


def test_a_raised_maximum_offers_the_new_place(full_group):
    waiting(full_group, "Longest", date(2026, 6, 1))
    from django.test import TestCase

    with centre_scope(full_group.centre_id), TestCase.captureOnCommitCallbacks(execute=True):
        groups.group_update(actor=None, group=full_group, max_size=4)
    assert every(PlaceOffer).get().enquiry.person.display_name == "Longest"


def test_without_offers_at_once_a_coordinator_clicks(client, full_group, coordinator_a, centre_a):
    centre_a.offer_places_at_once = False
    centre_a.save(update_fields=["offer_places_at_once"])
    waiting(full_group, "Longest", date(2026, 6, 1))
    leave(every(Membership).filter(group=full_group).first())
    assert not every(PlaceOffer).exists()
    client.force_login(coordinator_a)
    url = f"/centres/{centre_a.slug}/workspace/groups/{full_group.pk}/places/"
    page = client.get(url).content.decode()
    assert "1 place is free." in page
    assert "Offer the place to Longest" in page
    answer = client.post(url + "offer/", follow=True).content.decode()
    assert "The place is offered to Longest by e-mail" in answer
    assert every(PlaceOffer).get().status == "open"
    client.post(url + "offer/")
    assert every(PlaceOffer).count() == 1  # one open offer at a time


def test_a_forged_offer_link_is_refused(client):
    assert client.get("/offer/forged.value/").status_code == 404


def test_a_coordinator_of_another_centre_cannot_offer(client, full_group, centre_b):
    from tests.factories import StaffRoleFactory

    waiting(full_group, "Longest", date(2026, 6, 1))
    client.force_login(StaffRoleFactory(centre=centre_b).user)
    assert client.post(f"/centres/{centre_b.slug}/workspace/groups/{full_group.pk}/places/offer/").status_code == 404
    assert not every(PlaceOffer).exists()


@pytest.mark.django_db(transaction=True)
def test_members_leaving_at_once_offer_one_place_at_a_time(requires_postgres, centre_a, frozen_now):
    frozen_now(NOW)
    with all_centres_scope():
        centre_a.offer_places_at_once = True
        centre_a.save(update_fields=["offer_places_at_once"])
        group = GroupFactory(centre=centre_a, min_size=2, max_size=3, languages=[], status="self_run")
        members = [
            MembershipFactory(group=group, person=PersonFactory(centre=centre_a, email=f"m{n}@example.net"))
            for n in range(3)
        ]
        for number in range(3):
            waiting(group, f"Wartend{number}", date(2026, 6, 1) + timedelta(days=number))
    barrier, errors = threading.Barrier(len(members)), []

    def leave_now(membership) -> None:
        barrier.wait()
        try:
            with centre_scope(centre_a.pk):
                groups.membership_end(actor=None, membership=membership)
        except Exception as error:
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=leave_now, args=(membership,)) for membership in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with all_centres_scope():
        assert every(Membership).filter(group=group, left_on__isnull=True).count() == 0
        offers = list(every(PlaceOffer).filter(group=group).values_list("status", "enquiry__person__display_name"))
        assert offers == [("open", "Wartend0")]
        assert every(Group).get(pk=group.pk).max_size == 3


def test_an_offer_that_can_no_longer_be_given_is_withdrawn_and_goes_to_the_next(client, full_group):
    gone = waiting(full_group, "Longest", date(2026, 6, 1))
    waiting(full_group, "Next", date(2026, 8, 1))
    leave(every(Membership).filter(group=full_group).first())
    every(Enquiry).filter(pk=gone.pk).update(status="withdrawn")  # they stopped looking meanwhile
    with TestCase.captureOnCommitCallbacks(execute=True):
        answer = client.post(offer_path("longest@example.net"), {"answer": "yes"})
    assert "the place cannot be given any more" in answer.content.decode()
    assert every(PlaceOffer).get(enquiry=gone).status == "withdrawn"
    assert every(PlaceOffer).get(status="open").enquiry.person.display_name == "Next"
    assert not every(Membership).filter(group=full_group, person__display_name="Longest").exists()


def test_whoever_holds_an_open_offer_is_not_offered_a_second_place(full_group, centre_a):
    longest = waiting(full_group, "Longest", date(2026, 6, 1))
    leave(every(Membership).filter(group=full_group).first())
    other = GroupFactory(
        centre=centre_a, topic=full_group.topic, min_size=2, max_size=2, languages=["de"], status="self_run"
    )
    for _number in range(2):
        MembershipFactory(group=other, person=PersonFactory(centre=centre_a))
    leave(every(Membership).filter(group=other).first())
    assert list(every(PlaceOffer).values_list("group_id", "enquiry_id")) == [(full_group.pk, longest.pk)]
