"""A group's starters in the workspace: suggestions with reasons, assigning, asking volunteers by
mail after seeing who would be asked, extending, ending after a confirmation, and phase-out."""

import pytest

from notifications.models import OutgoingMail
from tests.factories import every
from tests.volunteers.conftest import make_volunteer
from volunteers.models import StarterAssignment, StarterRequest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


@pytest.fixture
def coordinator(client, coordinator_a):
    client.force_login(coordinator_a)
    return client


def url(centre, group, tail="") -> str:
    return f"/centres/{centre.slug}/workspace/groups/{group.pk}/starters/{tail}"


def test_a_suggested_volunteer_is_made_a_starter_with_the_reason_shown(coordinator, centre_a, tuesday_group):
    volunteer = make_volunteer(centre_a, languages=("de",))
    volunteer.person.display_name = "Greta G."
    volunteer.person.save()
    shown = coordinator.get(url(centre_a, tuesday_group)).content.decode()
    assert "Make Greta G. a starter" in shown
    assert "speaks de" in shown
    answer = coordinator.post(
        url(centre_a, tuesday_group, "assign/"), {"volunteer": volunteer.pk, "planned_meetings": 6}
    )
    assignment = every(StarterAssignment).get()
    assert (assignment.volunteer, assignment.planned_meetings) == (volunteer, 6)
    assert "Greta G. starts “Dienstagsgruppe” for 6 meetings." in coordinator.get(answer.url).content.decode()
    again = coordinator.post(
        url(centre_a, tuesday_group, "assign/"), {"volunteer": volunteer.pk, "planned_meetings": 6}
    )
    assert again.status_code == 409
    assert "This volunteer already starts this group." in again.content.decode()


def test_asking_volunteers_names_them_first_and_mails_only_on_confirm(coordinator, centre_a, tuesday_group):
    for name in ("Ida", "Jan"):
        volunteer = make_volunteer(centre_a)
        volunteer.person.display_name = name
        volunteer.person.save()
    asked = coordinator.post(url(centre_a, tuesday_group, "requests/"), {"limit": 5, "matching_only": "on"})
    text = asked.content.decode()
    assert "2 volunteers get an e-mail asking them to start the group:" in text
    assert "Ida" in text
    assert not every(StarterRequest).exists()
    assert not every(OutgoingMail).exists()
    sent = coordinator.post(
        url(centre_a, tuesday_group, "requests/"), {"limit": 5, "matching_only": "on", "confirm": "yes"}
    )
    assert every(StarterRequest).count() == 2
    assert every(OutgoingMail).count() == 2
    assert "2 volunteers are asked by e-mail" in coordinator.get(sent.url).content.decode()
    bad = coordinator.post(url(centre_a, tuesday_group, "requests/"), {"limit": 500, "confirm": "yes"})
    assert bad.status_code == 400
    assert every(StarterRequest).count() == 2


def test_a_starter_is_extended_and_ended_after_a_confirmation(coordinator, centre_a, tuesday_group):
    volunteer = make_volunteer(centre_a)
    coordinator.post(url(centre_a, tuesday_group, "assign/"), {"volunteer": volunteer.pk, "planned_meetings": 6})
    assignment = every(StarterAssignment).get()
    extended = coordinator.post(url(centre_a, tuesday_group, f"{assignment.pk}/extend/"), {"meetings": 4})
    assert "for 10 meetings in all" in coordinator.get(extended.url).content.decode()
    refused = coordinator.post(url(centre_a, tuesday_group, f"{assignment.pk}/extend/"), {"meetings": "lots"})
    assert refused.status_code == 400
    asked = coordinator.get(url(centre_a, tuesday_group, f"{assignment.pk}/end/")).content.decode()
    assert "Yes, end it" in asked
    assignment.refresh_from_db()
    assert (assignment.planned_meetings, assignment.status) == (10, "active")
    coordinator.post(url(centre_a, tuesday_group, f"{assignment.pk}/end/"))
    assignment.refresh_from_db()
    assert assignment.status == "ended"


def test_phase_out_starts_with_a_plan_and_completes_to_self_run(coordinator, centre_a, two_meetings_in):
    group = two_meetings_in.group
    refused = coordinator.post(url(centre_a, group, "phase-out/"), {"plan": "", "until": "2026-12-31"})
    assert refused.status_code == 400
    started = coordinator.post(url(centre_a, group, "phase-out/"), {"plan": "Every other week", "until": "2026-12-31"})
    assert "1 starter is phasing out." in coordinator.get(started.url).content.decode()
    two_meetings_in.refresh_from_db()
    assert (two_meetings_in.status, two_meetings_in.phase_out_plan) == ("phasing_out", "Every other week")
    done = coordinator.post(url(centre_a, group, "phase-out/complete/"))
    group.refresh_from_db()
    two_meetings_in.refresh_from_db()
    assert (group.status, two_meetings_in.status) == ("self_run", "ended")
    assert "runs itself now" in coordinator.get(done.url).content.decode()


def test_a_recruitment_mailing_is_drafted_from_the_open_needs_and_sent_from_the_composer(
    coordinator, centre_a, tuesday_group, frozen_now
):
    from datetime import UTC, datetime

    from notifications.models import NewsletterIssue, NewsletterList
    from volunteers.models import RecruitmentNeed

    now = frozen_now(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    url = f"/centres/{centre_a.slug}/volunteers/"
    every(RecruitmentNeed).create(
        centre=centre_a, kind="group", key=f"group:{tuesday_group.pk}", group=tuesday_group, raised_at=now
    )
    listed = coordinator.get(url).content.decode()
    assert "A group needs a starter: Dienstagsgruppe" in listed
    refused = coordinator.post(url + "recruitment/")
    assert "no newsletter for volunteering news" in coordinator.get(refused.url).content.decode()
    assert not every(NewsletterIssue).exists()
    every(NewsletterList).create(centre=centre_a, name="Ehrenamt", volunteering_news=True)
    drafted = coordinator.post(url + "recruitment/")
    issue = every(NewsletterIssue).get()
    assert (issue.status, drafted.url) == ("draft", f"/centres/{centre_a.slug}/workspace/newsletters/{issue.pk}/")
    assert "The recruitment mailing is drafted" in coordinator.get(drafted.url).content.decode()
    assert not every(OutgoingMail).exists()


def test_a_self_run_groups_starters_page_offers_a_crisis_spell(client, coordinator_a, centre_a, group_a):
    from meetings.models import Group
    from tests.factories import every
    from tests.volunteers.conftest import make_volunteer

    every(Group).filter(pk=group_a.pk).update(status="self_run")
    make_volunteer(centre_a)
    client.force_login(coordinator_a)
    page = client.get(f"/centres/{centre_a.slug}/workspace/groups/{group_a.pk}/starters/").content.decode()
    assert "a short spell of at most 6 meetings" in page
    assert 'name="planned_meetings" value="6"' in page
    assert "Start the phase-out" not in page
    assert "See who would be asked" not in page
