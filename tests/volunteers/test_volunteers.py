"""Volunteer starters: double opt-in sign-up, the pipeline, assignments, suggestions and logs."""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from centres.models import AuditLogEntry, ConsentRecord
from config.errors import ConflictError, DomainError
from meetings.models import Group, Meeting, Membership
from meetings.services import series as series_services
from notifications.models import OutgoingMail
from tests.factories import GroupFactory, PersonFactory, RoomFactory, TopicFactory, every, handle_mail_requests
from volunteers import services
from volunteers.models import RecruitmentNeed, SessionLog, StarterAssignment, Volunteer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


def make_volunteer(centre, *, status="active", email=None, languages=("de",), weekdays=(1,), evening=True, topics=()):
    person = PersonFactory(centre=centre, email=email or f"v{every(Volunteer).count()}@example.net")
    volunteer = every(Volunteer).create(
        centre=centre,
        person=person,
        status=status,
        languages=list(languages),
        weekdays=list(weekdays),
        evening=evening,
        confidentiality_signed_on=date(2026, 1, 5) if status == "active" else None,
    )
    volunteer.topics.set(topics)
    return volunteer


# --- sign-up ------------------------------------------------------------------------------------


def signup_data(**overrides):
    return {
        "name": "Vera Volunteer",
        "email": "vera@example.net",
        "language": "de",
        "languages": ["de", "en"],
        "weekdays": ["1", "3"],
        "evening": "on",
        "consent": "on",
        **overrides,
    }


def without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def confirmation_link() -> str:
    body = every(OutgoingMail).select_related("content").get(kind="system").body_text
    return re.search(r"https?://\S+/volunteer/confirm/\S+/", body)[0].split("://", 1)[1].split("/", 1)[1]


def sign_up(client, centre, **overrides):
    """The sign-up page, then the worker's half (it decides what to store and mail)."""
    response = client.post(f"/centres/{centre.slug}/volunteer/", signup_data(**overrides))
    handle_mail_requests()
    return response


def test_signing_up_sends_a_confirmation_and_the_answer_never_tells_if_known(client, centre_a):
    first = sign_up(client, centre_a)
    again = sign_up(client, centre_a)
    assert first.status_code == again.status_code == 200
    assert without_csrf(first) == without_csrf(again)
    volunteer = every(Volunteer).get()
    assert (volunteer.status, volunteer.email_confirmed_at, volunteer.weekdays) == ("applicant", None, [1, 3])
    assert every(OutgoingMail).filter(recipient="vera@example.net").count() == 2  # the link again


def test_the_confirmation_get_only_asks_and_the_post_confirms_with_consent(client, centre_a):
    sign_up(client, centre_a)
    link = "/" + confirmation_link()
    assert client.get(link).status_code == 200
    assert every(Volunteer).get().email_confirmed_at is None
    assert client.post(link).status_code == 200
    volunteer = every(Volunteer).get()
    assert volunteer.email_confirmed_at is not None
    consent = every(ConsentRecord).get(person=volunteer.person)
    assert (consent.purpose, consent.text_version, consent.source) == (
        "volunteering",
        services.CONSENT_TEXT_VERSION,
        "confirmation_link",
    )
    # A confirmed volunteer signing up again gets no mail, and the same answer.
    before = every(OutgoingMail).count()
    sign_up(client, centre_a)
    assert every(OutgoingMail).count() == before


def test_a_forged_confirmation_link_is_refused(client):
    assert client.post("/volunteer/confirm/not-a-token/").status_code == 404


def test_the_honeypot_stores_nothing_but_answers_the_same(client, centre_a):
    response = client.post(f"/centres/{centre_a.slug}/volunteer/", signup_data(website="http://spam.example"))
    assert response.status_code == 200
    assert not every(Volunteer).exists()
    assert b"check your inbox" in response.content.lower()


def test_sign_ups_are_rate_limited_per_address(client, centre_a, settings):
    for n in range(10):
        client.post(f"/centres/{centre_a.slug}/volunteer/", signup_data(email=f"v{n}@example.net"))
    response = client.post(f"/centres/{centre_a.slug}/volunteer/", signup_data(email="late@example.net"))
    assert response.status_code == 429
    assert not every(Volunteer).filter(person__email="late@example.net").exists()


def test_a_sign_up_without_a_time_of_day_names_the_problem(client, centre_a):
    response = client.post(f"/centres/{centre_a.slug}/volunteer/", signup_data(evening=""))
    assert response.status_code == 200
    assert "Tick the daytime, the evening or both." in response.content.decode()
    assert not every(Volunteer).exists()


# --- pipeline -----------------------------------------------------------------------------------


def test_the_pipeline_runs_in_order_with_its_conditions(centre_a, coordinator_a):
    volunteer = make_volunteer(centre_a, status="applicant")
    with pytest.raises(ConflictError, match="cannot become active"):
        services.volunteer_transition(actor=coordinator_a, volunteer=volunteer, to="active")
    with pytest.raises(DomainError, match="date of the screening"):
        services.volunteer_transition(actor=coordinator_a, volunteer=volunteer, to="screened")
    services.volunteer_transition(actor=coordinator_a, volunteer=volunteer, to="screened", screened_on=date(2026, 2, 1))
    with pytest.raises(ConflictError, match="Record the training"):
        services.volunteer_transition(actor=coordinator_a, volunteer=volunteer, to="trained")
    services.training_record_add(
        actor=coordinator_a, volunteer=volunteer, course="Starter course", completed_on=date(2026, 3, 1)
    )
    services.volunteer_transition(actor=coordinator_a, volunteer=volunteer, to="trained")
    with pytest.raises(DomainError, match="confidentiality agreement"):
        services.volunteer_transition(actor=coordinator_a, volunteer=volunteer, to="active")
    services.volunteer_transition(
        actor=coordinator_a, volunteer=volunteer, to="active", confidentiality_signed_on=date(2026, 3, 2)
    )
    services.volunteer_transition(actor=coordinator_a, volunteer=volunteer, to="paused")
    services.volunteer_transition(actor=coordinator_a, volunteer=volunteer, to="active")
    services.volunteer_transition(actor=coordinator_a, volunteer=volunteer, to="retired")
    with pytest.raises(ConflictError):
        services.volunteer_transition(actor=coordinator_a, volunteer=volunteer, to="active")
    volunteer.refresh_from_db()
    assert volunteer.status == "retired"
    changes = (
        every(AuditLogEntry)
        .filter(action="update", object_type="volunteers.volunteer", object_id=str(volunteer.pk))
        .values_list("changed_fields", flat=True)
    )
    assert sum("status" in fields for fields in changes) == 6


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        ("applicant", {"screened", "retired"}),
        ("screened", {"trained", "retired"}),
        ("trained", {"active", "retired"}),
        ("active", {"paused", "retired"}),
        ("paused", {"active", "retired"}),
        ("retired", set()),
    ],
)
def test_every_transition_is_allowed_or_refused(centre_a, status, allowed):
    for target in Volunteer.Status.values:
        volunteer = make_volunteer(centre_a, status=status)
        volunteer.confidentiality_signed_on = date(2026, 1, 1)
        volunteer.save()
        services.training_record_add(actor=None, volunteer=volunteer, course="Kurs", completed_on=date(2026, 1, 2))
        try:
            services.volunteer_transition(actor=None, volunteer=volunteer, to=target, screened_on=date(2026, 1, 3))
        except ConflictError:
            assert target not in allowed
        else:
            assert target in allowed


def test_a_future_screening_date_is_refused(centre_a):
    volunteer = make_volunteer(centre_a, status="applicant")
    with pytest.raises(DomainError, match="future"):
        services.volunteer_transition(
            actor=None, volunteer=volunteer, to="screened", screened_on=timezone.localdate() + timedelta(days=2)
        )


# --- assignments --------------------------------------------------------------------------------


@pytest.fixture
def tuesday_group(weekly_series):
    return weekly_series.group


def test_a_group_gets_at_most_two_starters(centre_a, tuesday_group):
    first, second, third = (make_volunteer(centre_a) for _ in range(3))
    for volunteer in (first, second):
        services.assignment_create(actor=None, group=tuesday_group, volunteer=volunteer, starts_on=date(2026, 12, 1))
    with pytest.raises(ConflictError, match="at most two"):
        services.assignment_create(actor=None, group=tuesday_group, volunteer=third, starts_on=date(2026, 12, 1))
    assignment = every(StarterAssignment).get(volunteer=first)
    assert assignment.planned_meetings == centre_a.starter_planned_meetings == 8


def test_a_starter_is_not_assigned_to_meetings_that_overlap_their_other_group(
    centre_a, tuesday_group, room_a, frozen_now
):
    volunteer = make_volunteer(centre_a)
    services.assignment_create(actor=None, group=tuesday_group, volunteer=volunteer, starts_on=date(2026, 12, 1))
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
        services.assignment_create(actor=None, group=clashing, volunteer=volunteer, starts_on=date(2026, 12, 1))
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
    assert services.assignment_create(actor=None, group=free, volunteer=volunteer, starts_on=date(2026, 12, 3))


def test_only_active_volunteers_start_forming_or_starting_groups(centre_a, tuesday_group):
    with pytest.raises(ConflictError, match="active volunteer"):
        services.assignment_create(
            actor=None,
            group=tuesday_group,
            volunteer=make_volunteer(centre_a, status="trained"),
            starts_on=date(2026, 12, 1),
        )
    every(Group).filter(pk=tuesday_group.pk).update(status="self_run")
    with pytest.raises(ConflictError, match="forming or starting"):
        services.assignment_create(
            actor=None, group=tuesday_group, volunteer=make_volunteer(centre_a), starts_on=date(2026, 12, 1)
        )


def test_a_volunteer_of_another_centre_cannot_start_the_group(centre_b, tuesday_group):
    with pytest.raises(DomainError, match="another centre"):
        services.assignment_create(
            actor=None, group=tuesday_group, volunteer=make_volunteer(centre_b), starts_on=date(2026, 12, 1)
        )


def test_a_volunteer_who_starts_a_group_cannot_be_paused(centre_a, tuesday_group):
    volunteer = make_volunteer(centre_a)
    assignment = services.assignment_create(
        actor=None, group=tuesday_group, volunteer=volunteer, starts_on=date(2026, 12, 1)
    )
    with pytest.raises(ConflictError, match="still starts a group"):
        services.volunteer_transition(actor=None, volunteer=volunteer, to="paused")
    services.assignment_end(actor=None, assignment=assignment)
    assert services.volunteer_transition(actor=None, volunteer=volunteer, to="paused").status == "paused"


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
    ranked = services.starter_suggestions(tuesday_group)
    assert [s.volunteer for s in ranked] == [best, busy, poor]
    assert ranked[0].score == 7
    assert "would start groups on this topic" in ranked[0].reasons
    assert "already starts 1 group(s)" in ranked[1].reasons
    assert ranked[2].score == 0


# --- session logs -------------------------------------------------------------------------------


@pytest.fixture
def started(centre_a, tuesday_group, frozen_now):
    volunteer = make_volunteer(centre_a)
    assignment = services.assignment_create(
        actor=None, group=tuesday_group, volunteer=volunteer, starts_on=date(2026, 12, 1)
    )
    member = PersonFactory(centre=centre_a, display_name="Hannelore", full_name="Hannelore Schmidt")
    every(Membership).create(centre=centre_a, group=tuesday_group, person=member, joined_on=date(2026, 11, 1))
    frozen_now(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))  # the first meeting is over
    meeting = every(Meeting).filter(group=tuesday_group).order_by("starts_at").first()
    return assignment, meeting


def test_a_note_naming_a_member_is_refused_with_a_warning_until_confirmed(started):
    assignment, meeting = started
    with pytest.raises(DomainError, match="may name a member") as refused:
        services.session_log_create(
            actor=None, assignment=assignment, meeting=meeting, hours=Decimal("2"), notes="hannelore spoke a lot"
        )
    assert refused.value.field == "notes"
    log = services.session_log_create(
        actor=None,
        assignment=assignment,
        meeting=meeting,
        hours=Decimal("2"),
        notes="We read Schmidt's essay on grief",
        names_checked=True,
    )
    assert log.notes.startswith("We read")


def test_a_log_ticks_checklist_steps_and_progress_follows(started, centre_a):
    assignment, meeting = started
    items = services.checklist_items(centre_a)
    assert len(items) == 5
    services.session_log_create(
        actor=None,
        assignment=assignment,
        meeting=meeting,
        hours=Decimal("2.5"),
        checklist=items[:2],
        notes="Good start",
    )
    progress = services.checklist_progress(assignment.group)
    assert [progress[item.pk] for item in items] == [True, True, False, False, False]
    with pytest.raises(ConflictError, match="logged already"):
        services.session_log_create(actor=None, assignment=assignment, meeting=meeting, hours=Decimal("1"))


def test_a_future_or_foreign_meeting_cannot_be_logged(started, group_b):
    assignment, meeting = started
    later = every(Meeting).filter(group=assignment.group).order_by("-starts_at").first()
    with pytest.raises(DomainError, match="not taken place"):
        services.session_log_create(actor=None, assignment=assignment, meeting=later, hours=Decimal("2"))
    with pytest.raises(DomainError, match=r"between 0\.25 and 12"):
        services.session_log_create(actor=None, assignment=assignment, meeting=meeting, hours=Decimal("30"))


def test_the_demo_has_a_volunteer_in_every_state(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo")
    for slug in ("hannover-linden", "aarhus"):
        states = set(every(Volunteer).filter(centre__slug=slug).values_list("status", flat=True))
        assert states == set(Volunteer.Status.values)
    assert every(StarterAssignment).filter(status="active").count() == 3
    # A group mid-phase-out: its starter logged six sessions and reached the whole checklist.
    phasing = every(StarterAssignment).select_related("group", "volunteer__person").get(status="phasing_out")
    assert phasing.group.name == "Gesprächskreis Neubeginn"
    assert phasing.session_logs.count() == 6
    assert all(services.checklist_progress(phasing.group).values())
    assert every(RecruitmentNeed).filter(key=f"group:{phasing.group_id}").exists() is False
    # Its starter can log in to the portal with the demo password.
    assert phasing.volunteer.user.check_password("kontakt-demo")
    # Running it again changes nothing.
    call_command("seed_demo")
    assert every(SessionLog).count() == 6


# --- phase-out ----------------------------------------------------------------------------------


@pytest.fixture
def two_meetings_in(centre_a, tuesday_group, frozen_now, coordinator_a):
    """A starter planned for 2 meetings; now is after the second one."""
    volunteer = make_volunteer(centre_a)
    assignment = services.assignment_create(
        actor=None, group=tuesday_group, volunteer=volunteer, starts_on=date(2026, 12, 1), planned_meetings=2
    )
    every(Group).filter(pk=tuesday_group.pk).update(status="starting")
    frozen_now(datetime(2026, 12, 9, 9, 0, tzinfo=UTC))
    return assignment


def test_a_group_is_due_for_phase_out_after_its_planned_meetings_and_coordinators_hear_once(
    two_meetings_in, coordinator_a
):
    due = services.phase_outs_due()
    assert [item.group for item in due] == [two_meetings_in.group]
    assert due[0].reasons == ["the 2 planned meetings have taken place"]
    assert services.phase_out_notify_due() == 1
    assert services.phase_out_notify_due() == 0  # the same day: nothing new
    mail = every(OutgoingMail).select_related("content").get(recipient=coordinator_a.email)
    assert two_meetings_in.group.name in mail.body_text


def test_a_group_is_not_due_before_its_planned_meetings(two_meetings_in, frozen_now):
    frozen_now(datetime(2026, 12, 3, 9, 0, tzinfo=UTC))  # one meeting held
    assert services.phase_outs_due() == []
    assert services.phase_out_notify_due() == 0


def test_a_complete_checklist_makes_a_group_due(started, centre_a):
    assignment, meeting = started
    every(Group).filter(pk=assignment.group_id).update(status="starting")
    assert services.phase_outs_due() == []
    services.session_log_create(
        actor=None,
        assignment=assignment,
        meeting=meeting,
        hours=Decimal("2"),
        checklist=services.checklist_items(centre_a),
    )
    assert services.phase_outs_due()[0].reasons == ["the self-run checklist is complete"]


def test_phase_out_plan_then_the_group_runs_itself_and_the_starter_is_free(two_meetings_in, coordinator_a):
    group = two_meetings_in.group
    with pytest.raises(DomainError, match="plan"):
        services.phase_out_start(actor=coordinator_a, group=group, plan=" ", until=date(2026, 12, 30))
    services.phase_out_start(
        actor=coordinator_a, group=group, plan="Every other meeting until the end of the year", until=date(2026, 12, 30)
    )
    two_meetings_in.refresh_from_db()
    assert (two_meetings_in.status, two_meetings_in.phase_out_until) == ("phasing_out", date(2026, 12, 30))
    assert services.phase_outs_due() == []  # phasing out already
    services.phase_out_complete(actor=coordinator_a, group=group)
    group.refresh_from_db()
    two_meetings_in.refresh_from_db()
    assert (group.status, two_meetings_in.status) == ("self_run", "ended")
    paused = services.volunteer_transition(actor=coordinator_a, volunteer=two_meetings_in.volunteer, to="paused")
    assert paused.status == "paused"


def test_phase_out_before_time_needs_the_coordinators_override(two_meetings_in, frozen_now):
    frozen_now(datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    group = two_meetings_in.group
    with pytest.raises(ConflictError, match="Neither"):
        services.phase_out_start(actor=None, group=group, plan="Step back", until=date(2026, 12, 20))
    services.phase_out_start(actor=None, group=group, plan="Step back", until=date(2026, 12, 20), override=True)
    assert every(StarterAssignment).get(pk=two_meetings_in.pk).status == "phasing_out"


def test_extending_an_assignment_puts_it_back_to_active_with_more_meetings(two_meetings_in):
    services.phase_out_start(actor=None, group=two_meetings_in.group, plan="Step back", until=date(2026, 12, 20))
    extended = services.assignment_extend(actor=None, assignment=two_meetings_in, meetings=4)
    assert (extended.status, extended.planned_meetings, extended.phase_out_plan) == ("active", 6, "")
    assert services.phase_outs_due() == []
    with pytest.raises(DomainError, match="1 to 52"):
        services.assignment_extend(actor=None, assignment=two_meetings_in, meetings=0)
