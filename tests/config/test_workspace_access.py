"""Every coordinator page is for the staff of its own centre: anonymous visitors are sent to log
in, staff of another centre and volunteers get a 404 and see nothing."""

import pytest
from django.urls import reverse

from intake.models import Enquiry
from notifications.models import NewsletterIssue, NewsletterList
from tests.factories import GroupFactory, PersonFactory, StaffRoleFactory, every
from volunteers.models import Volunteer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


@pytest.fixture
def pages(centre_a, weekly_series):
    """One of each workspace page of centre A, holding a recognisable name."""
    person = PersonFactory(centre=centre_a, display_name="Geheime Person", email="geheim@example.net")
    volunteer = every(Volunteer).create(centre=centre_a, person=person)
    enquiry = every(Enquiry).create(
        centre=centre_a,
        person=person,
        channel="web",
        language="de",
        created_at=weekly_series.created_at,
        status_changed_at=weekly_series.created_at,
    )
    newsletter = every(NewsletterList).create(centre=centre_a, name="Rundbrief")
    issue = every(NewsletterIssue).create(centre=centre_a, newsletter=newsletter, title="Geheime Ausgabe")
    group = GroupFactory(centre=centre_a, name="Geheime Gruppe")
    meeting = weekly_series.meetings.first()
    slug = centre_a.slug
    return [
        reverse("workspace", args=[slug]),
        reverse("room-planner", args=[slug]),
        reverse("planner-meeting", args=[slug, meeting.pk]),
        reverse("workspace-intake", args=[slug]),
        reverse("workspace-enquiry", args=[slug, enquiry.pk]),
        reverse("workspace-groups", args=[slug]),
        reverse("workspace-group", args=[slug, group.pk]),
        reverse("workspace-volunteers", args=[slug]),
        reverse("workspace-volunteer", args=[slug, volunteer.pk]),
        reverse("workspace-newsletters", args=[slug]),
        reverse("workspace-issue", args=[slug, issue.pk]),
        reverse("workspace-issue-progress", args=[slug, issue.pk]),
        reverse("outbox", args=[slug]),
    ]


def test_the_centres_own_coordinator_opens_every_page(client, coordinator_a, pages):
    client.force_login(coordinator_a)
    for path in pages:
        assert client.get(path).status_code == 200, path


def test_anonymous_visitors_are_sent_to_log_in(client, pages):
    for path in pages:
        answer = client.get(path)
        assert answer.status_code == 302, path
        assert answer.url.startswith("/workspace/login/"), path


def test_staff_of_another_centre_get_404_and_no_data(client, centre_b, pages):
    client.force_login(StaffRoleFactory(centre=centre_b).user)
    for path in pages:
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert b"Geheim" not in answer.content, path


def test_posts_from_another_centre_change_nothing(client, centre_b, pages):
    client.force_login(StaffRoleFactory(centre=centre_b).user)
    for path in pages:
        assert client.post(path, {"action": "transition", "to": "contacted"}).status_code == 404, path
    assert set(every(Enquiry).values_list("status", flat=True)) == {"new"}
