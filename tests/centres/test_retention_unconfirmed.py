"""Sign-ups never confirmed (newsletter subscriptions, volunteer applications) are deleted by the
nightly retention job once they are older than `UNCONFIRMED_KEPT` (30 days), whatever the
centre's other periods say; younger ones, and confirmed ones, stay. Every date is set relative to
the real clock, and the job runs with the real "now", as it does at night."""

from datetime import timedelta

import pytest
from django.utils import timezone

from centres.models import Person
from centres.services.retention import UNCONFIRMED_KEPT, retention_apply
from meetings.models import Membership
from notifications.models import NewsletterList, OutgoingMail, Subscription
from tests.centres.test_privacy import everything_stored
from tests.factories import GroupFactory, PersonFactory, every, queue_mail
from volunteers.models import Volunteer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]

OLDER = UNCONFIRMED_KEPT + timedelta(days=1)
YOUNGER = UNCONFIRMED_KEPT - timedelta(days=1)


@pytest.fixture
def long_periods(centre_a):
    # The centre keeps ended memberships and subscriptions for years: that must not matter here.
    centre_a.former_member_retention_months = centre_a.volunteer_retention_months = 36
    centre_a.save()
    return centre_a


def subscriber(centre, name: str, status: str, age: timedelta) -> Person:
    newsletter = every(NewsletterList).get_or_create(centre=centre, name="Rundbrief")[0]
    person = PersonFactory(centre=centre, display_name=name, email=f"{name}@example.net")
    subscription = every(Subscription).create(centre=centre, newsletter=newsletter, person=person, status=status)
    every(Subscription).filter(pk=subscription.pk).update(requested_at=timezone.now() - age)
    # The confirmation mail that went to the address.
    queue_mail(centre, person.email, f"confirm-{name}", person=person)
    return person


def volunteer(centre, name: str, age: timedelta, **values) -> Volunteer:
    person = PersonFactory(centre=centre, display_name=name, email=f"{name}@example.net")
    made = every(Volunteer).create(centre=centre, person=person, motivation=f"Motivation {name}", **values)
    every(Volunteer).filter(pk=made.pk).update(created_at=timezone.now() - age)
    queue_mail(centre, person.email, f"volunteer-confirm-{name}", person=person)
    return made


def test_a_subscription_never_confirmed_goes_after_30_days_with_its_person(long_periods):
    old = subscriber(long_periods, "unbestaetigt", "pending", OLDER)
    young = subscriber(long_periods, "frisch", "pending", YOUNGER)
    confirmed = subscriber(long_periods, "bestaetigt", "confirmed", OLDER)

    removed = retention_apply()

    assert (removed.subscriptions, removed.people) == (1, 1)
    stored = everything_stored()
    assert "unbestaetigt" not in stored  # name, address and the confirmation mail's recipient
    assert not every(Person).filter(pk=old.pk).exists()
    assert every(Subscription).get(person=young).status == "pending"
    assert every(Subscription).get(person=confirmed).status == "confirmed"
    assert every(OutgoingMail).filter(recipient="frisch@example.net").exists()


def test_an_unconfirmed_subscriber_who_is_also_a_member_keeps_the_membership(long_periods):
    member = subscriber(long_periods, "mitglied", "pending", OLDER)
    every(Membership).create(
        centre=long_periods, group=GroupFactory(centre=long_periods), person=member, joined_on=timezone.localdate()
    )
    retention_apply()
    assert not every(Subscription).filter(person=member).exists()
    assert every(Person).get(pk=member.pk).email == "mitglied@example.net"


def test_a_volunteer_sign_up_never_confirmed_goes_after_30_days(long_periods):
    old = volunteer(long_periods, "nie-bestaetigt", OLDER)
    young = volunteer(long_periods, "gerade", YOUNGER)
    confirmed = volunteer(long_periods, "bestaetigte", OLDER, email_confirmed_at=timezone.now() - OLDER)
    # Screened in a conversation: a coordinator took them on, e-mail confirmed or not.
    screened = volunteer(long_periods, "im-gespraech", OLDER, status="screened")

    removed = retention_apply()

    assert removed.volunteers == 1
    assert "nie-bestaetigt" not in everything_stored()  # name, address, motivation, mail recipient
    assert not every(Person).filter(pk=old.person_id).exists()
    assert set(every(Volunteer).values_list("pk", flat=True)) == {young.pk, confirmed.pk, screened.pk}
    assert retention_apply().volunteers == 0  # a second run finds nothing


def test_an_unconfirmed_volunteer_who_is_a_member_loses_only_the_volunteering(long_periods):
    applicant = volunteer(long_periods, "auch-mitglied", OLDER)
    group = GroupFactory(centre=long_periods)
    every(Membership).create(centre=long_periods, group=group, person=applicant.person, joined_on=timezone.localdate())
    retention_apply()
    assert not every(Volunteer).filter(pk=applicant.pk).exists()
    assert every(Person).get(pk=applicant.person_id).email == "auch-mitglied@example.net"
    assert "motivation auch-mitglied" not in everything_stored()


def test_the_privacy_notice_names_the_period(client, centre_a):
    page = client.get(f"/centres/{centre_a.slug}/privacy/").content.decode()
    assert "whose e-mail address is not confirmed is deleted after 30 days" in page
