"""Phase-out: when a group is due, the coordinators' notice, the plan, the override, the end, and
an extension that calls it off."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from config.errors import ConflictError, DomainError
from meetings.models import Group
from notifications.models import OutgoingMail
from tests.factories import every
from volunteers.models import StarterAssignment
from volunteers.selectors import phase_outs_due
from volunteers.services.assignments import assignment_extend
from volunteers.services.checklist import checklist_items
from volunteers.services.phase_out import phase_out_complete, phase_out_notify_due, phase_out_start
from volunteers.services.pipeline import volunteer_transition
from volunteers.services.sessions import session_log_create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


def test_a_group_is_due_for_phase_out_after_its_planned_meetings_and_coordinators_hear_once(
    two_meetings_in, coordinator_a
):
    due = phase_outs_due()
    assert [item.group for item in due] == [two_meetings_in.group]
    assert due[0].reasons == ["the 2 planned meetings have taken place"]
    assert phase_out_notify_due() == 1
    assert phase_out_notify_due() == 0  # the same day: nothing new
    mail = every(OutgoingMail).select_related("content").get(recipient=coordinator_a.email)
    assert two_meetings_in.group.name in mail.body_text


def test_a_group_is_not_due_before_its_planned_meetings(two_meetings_in, frozen_now):
    frozen_now(datetime(2026, 12, 3, 9, 0, tzinfo=UTC))  # one meeting held
    assert phase_outs_due() == []
    assert phase_out_notify_due() == 0


def test_a_complete_checklist_makes_a_group_due(started, centre_a):
    assignment, meeting = started
    every(Group).filter(pk=assignment.group_id).update(status="starting")
    assert phase_outs_due() == []
    session_log_create(
        actor=None,
        assignment=assignment,
        meeting=meeting,
        hours=Decimal("2"),
        checklist=checklist_items(centre_a),
    )
    assert phase_outs_due()[0].reasons == ["the self-run checklist is complete"]


def test_phase_out_plan_then_the_group_runs_itself_and_the_starter_is_free(two_meetings_in, coordinator_a):
    group = two_meetings_in.group
    with pytest.raises(DomainError, match="plan"):
        phase_out_start(actor=coordinator_a, group=group, plan=" ", until=date(2026, 12, 30))
    phase_out_start(
        actor=coordinator_a, group=group, plan="Every other meeting until the end of the year", until=date(2026, 12, 30)
    )
    two_meetings_in.refresh_from_db()
    assert (two_meetings_in.status, two_meetings_in.phase_out_until) == ("phasing_out", date(2026, 12, 30))
    assert phase_outs_due() == []  # phasing out already
    phase_out_complete(actor=coordinator_a, group=group)
    group.refresh_from_db()
    two_meetings_in.refresh_from_db()
    assert (group.status, two_meetings_in.status) == ("self_run", "ended")
    paused = volunteer_transition(actor=coordinator_a, volunteer=two_meetings_in.volunteer, to="paused")
    assert paused.status == "paused"


def test_phase_out_before_time_needs_the_coordinators_override(two_meetings_in, frozen_now):
    frozen_now(datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    group = two_meetings_in.group
    with pytest.raises(ConflictError, match="Neither"):
        phase_out_start(actor=None, group=group, plan="Step back", until=date(2026, 12, 20))
    phase_out_start(actor=None, group=group, plan="Step back", until=date(2026, 12, 20), override=True)
    assert every(StarterAssignment).get(pk=two_meetings_in.pk).status == "phasing_out"


def test_extending_an_assignment_puts_it_back_to_active_with_more_meetings(two_meetings_in):
    phase_out_start(actor=None, group=two_meetings_in.group, plan="Step back", until=date(2026, 12, 20))
    extended = assignment_extend(actor=None, assignment=two_meetings_in, meetings=4)
    assert (extended.status, extended.planned_meetings, extended.phase_out_plan) == ("active", 6, "")
    assert phase_outs_due() == []
    with pytest.raises(DomainError, match="1 to 52"):
        assignment_extend(actor=None, assignment=two_meetings_in, meetings=0)
