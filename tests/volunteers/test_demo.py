"""The volunteers demo data: a volunteer in every state, a group mid-phase-out, idempotent."""

import pytest

from tests.factories import every
from volunteers.models import RecruitmentNeed, SessionLog, StarterAssignment, Volunteer
from volunteers.selectors import checklist_progress

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


def test_the_demo_has_a_volunteer_in_every_state(settings):
    from django.core.management import call_command

    from intake.demo_year import HISTORY

    settings.DEBUG = True
    call_command("seed_demo")
    for slug in ("hannover-linden", "aarhus"):
        states = set(every(Volunteer).filter(centre__slug=slug).values_list("status", flat=True))
        assert states == set(Volunteer.Status.values)
    # Today's starters (the year gone by adds the spells of its own groups: intake/demo_year.py).
    history = [name for groups in HISTORY.values() for name, *_rest in groups]
    assert every(StarterAssignment).filter(status="active").exclude(group__name__in=history).count() == 3
    # A group mid-phase-out: its starter logged six sessions and reached the whole checklist.
    phasing = every(StarterAssignment).select_related("group", "volunteer__person").get(status="phasing_out")
    assert phasing.group.name == "Gesprächskreis Neubeginn"
    assert phasing.session_logs.count() == 6
    assert all(checklist_progress(phasing.group).values())
    assert every(RecruitmentNeed).filter(key=f"group:{phasing.group_id}").exists() is False
    # Its starter can log in to the portal with the demo password.
    assert phasing.volunteer.user.check_password("kontakt-demo")
    # Running it again changes nothing.
    call_command("seed_demo")
    assert every(SessionLog).exclude(assignment__group__name__in=history).count() == 6
