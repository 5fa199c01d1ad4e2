"""Starter assignments: at most two per group, never overlapping meetings, only active volunteers
of the centre; suggestions ranked by fit and load."""

from datetime import date, datetime

import pytest

from config.errors import ConflictError, DomainError
from meetings.models import Group
from meetings.services import series as series_services
from tests.factories import GroupFactory, RoomFactory, TopicFactory, every
from tests.volunteers.conftest import make_volunteer
from volunteers.models import StarterAssignment
from volunteers.selectors import starter_suggestions
from volunteers.services.assignments import assignment_create, assignment_end, assignment_extend
from volunteers.services.pipeline import volunteer_transition

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


def test_a_group_gets_at_most_two_starters(centre_a, tuesday_group):
    first, second, third = (make_volunteer(centre_a) for _ in range(3))
    for volunteer in (first, second):
        assignment_create(actor=None, group=tuesday_group, volunteer=volunteer, starts_on=date(2026, 12, 1))
    with pytest.raises(ConflictError, match="at most two"):
        assignment_create(actor=None, group=tuesday_group, volunteer=third, starts_on=date(2026, 12, 1))
    assignment = every(StarterAssignment).get(volunteer=first)
    assert assignment.planned_meetings == centre_a.starter_planned_meetings == 8


def test_a_starter_is_not_assigned_to_meetings_that_overlap_their_other_group(
    centre_a, tuesday_group, room_a, frozen_now
):
    volunteer = make_volunteer(centre_a)
    assignment_create(actor=None, group=tuesday_group, volunteer=volunteer, starts_on=date(2026, 12, 1))
    other_room = RoomFactory(location=room_a.location, name="Raum Eiche")
    clashing = GroupFactory(centre=centre_a, name="Zweite Gruppe")
    series_services.series_create(
        actor=None,
        group=clashing,
        room=other_room,
        rule="FREQ=WEEKLY;BYDAY=TU",
        starts_on=date(2026, 12, 1),
        start_time=datetime(2026, 1, 1, 20, 0).time(),
        duration_minutes=60,
    )
    with pytest.raises(ConflictError, match="with another group"):
        assignment_create(actor=None, group=clashing, volunteer=volunteer, starts_on=date(2026, 12, 1))
    free = GroupFactory(centre=centre_a, name="Donnerstagsgruppe")
    series_services.series_create(
        actor=None,
        group=free,
        room=other_room,
        rule="FREQ=WEEKLY;BYDAY=TH",
        starts_on=date(2026, 12, 3),
        start_time=datetime(2026, 1, 1, 19, 0).time(),
        duration_minutes=120,
    )
    assert assignment_create(actor=None, group=free, volunteer=volunteer, starts_on=date(2026, 12, 3))


def test_only_active_volunteers_start_groups_and_never_a_closed_one(centre_a, tuesday_group):
    with pytest.raises(ConflictError, match="active volunteer"):
        assignment_create(
            actor=None,
            group=tuesday_group,
            volunteer=make_volunteer(centre_a, status="trained"),
            starts_on=date(2026, 12, 1),
        )
    every(Group).filter(pk=tuesday_group.pk).update(status="closed")
    with pytest.raises(ConflictError, match="A closed group gets no starters"):
        assignment_create(
            actor=None, group=tuesday_group, volunteer=make_volunteer(centre_a), starts_on=date(2026, 12, 1)
        )
    assert not every(StarterAssignment).exists()


@pytest.mark.parametrize("status", ["self_run", "paused"])
def test_a_self_run_group_in_a_crisis_gets_starters_for_a_short_spell(centre_a, tuesday_group, status):
    every(Group).filter(pk=tuesday_group.pk).update(status=status)
    with pytest.raises(DomainError, match="at most 6 meetings"):
        assignment_create(
            actor=None,
            group=tuesday_group,
            volunteer=make_volunteer(centre_a),
            starts_on=date(2026, 12, 1),
            planned_meetings=7,
        )
    spell = assignment_create(
        actor=None, group=tuesday_group, volunteer=make_volunteer(centre_a), starts_on=date(2026, 12, 1)
    )
    assert (spell.is_crisis, spell.planned_meetings) == (True, 6)
    with pytest.raises(DomainError, match="at most 6 meetings"):
        assignment_extend(actor=None, assignment=spell, meetings=1)


def test_the_centre_sets_how_long_a_crisis_spell_lasts(centre_a, tuesday_group):
    centre_a.crisis_starter_meetings = 3
    centre_a.save(update_fields=["crisis_starter_meetings"])
    every(Group).filter(pk=tuesday_group.pk).update(status="self_run")
    spell = assignment_create(
        actor=None, group=tuesday_group, volunteer=make_volunteer(centre_a), starts_on=date(2026, 12, 1)
    )
    assert spell.planned_meetings == 3
    start = assignment_create(
        actor=None,
        group=GroupFactory(centre=centre_a, topic=tuesday_group.topic),
        volunteer=make_volunteer(centre_a),
        starts_on=date(2026, 12, 1),
    )
    assert (start.is_crisis, start.planned_meetings) == (False, 8)


def test_a_volunteer_of_another_centre_cannot_start_the_group(centre_b, tuesday_group):
    with pytest.raises(DomainError, match="another centre"):
        assignment_create(
            actor=None, group=tuesday_group, volunteer=make_volunteer(centre_b), starts_on=date(2026, 12, 1)
        )


def test_a_volunteer_who_starts_a_group_cannot_be_paused(centre_a, tuesday_group):
    volunteer = make_volunteer(centre_a)
    assignment = assignment_create(actor=None, group=tuesday_group, volunteer=volunteer, starts_on=date(2026, 12, 1))
    with pytest.raises(ConflictError, match="still starts a group"):
        volunteer_transition(actor=None, volunteer=volunteer, to="paused")
    assignment_end(actor=None, assignment=assignment)
    assert volunteer_transition(actor=None, volunteer=volunteer, to="paused").status == "paused"


def test_suggestions_rank_by_fit_and_load_and_say_why(centre_a, tuesday_group):
    tuesday_group.languages = ["de"]
    tuesday_group.save()
    best = make_volunteer(centre_a, topics=[tuesday_group.topic], languages=("de",), weekdays=(1,))
    busy = make_volunteer(centre_a, topics=[tuesday_group.topic], languages=("de",), weekdays=(1,))
    busy_group = GroupFactory(centre=centre_a, name="Andere")
    every(StarterAssignment).create(
        centre=centre_a, volunteer=busy, group=busy_group, starts_on=date(2027, 6, 1), planned_meetings=8
    )
    poor = make_volunteer(
        centre_a, topics=[TopicFactory(centre=centre_a, name="Trauer")], languages=("da",), weekdays=(4,), evening=False
    )
    make_volunteer(centre_a, status="paused")
    ranked = starter_suggestions(tuesday_group)
    assert [s.volunteer for s in ranked] == [best, busy, poor]
    assert ranked[0].score == 7
    assert "would start groups on this topic" in ranked[0].reasons
    assert "already starts 1 group(s)" in ranked[1].reasons
    assert ranked[2].score == 0
