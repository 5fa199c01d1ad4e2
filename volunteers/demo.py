"""Demo data of the volunteers app: in each centre a volunteer in every state of the pipeline,
the active ones starting the centre's first group, a group in Hannover whose starter is phasing
out after six logged sessions, a portal login, and the recruitment needs. Idempotent, like
centres.demo."""

import uuid
from datetime import datetime, time, timedelta

from django.utils import timezone

from centres.demo import DEMO_PASSWORD
from centres.models import Centre, Person
from meetings.models import Group, Meeting, MeetingSeries, Room, Topic
from meetings.services import groups, series
from volunteers import accounts, recruitment, services
from volunteers.models import SessionLog, StarterAssignment, Volunteer

# The portal login of the starter who is phasing out (password: the demo password).
PORTAL_DEMO_EMAIL = "karl.heine@example.org"
PHASE_OUT_GROUP = ("Gesprächskreis Neubeginn", "Trennung und Scheidung", "Kleiner Raum")

VOLUNTEERS = {
    "hannover-linden": [
        ("Petra Starthilfe", "petra.starthilfe@example.org", "applicant"),
        ("Jonas Berger", "jonas.berger@example.org", "screened"),
        ("Miriam Vogt", "miriam.vogt@example.org", "trained"),
        ("Karl Heine", "karl.heine@example.org", "active"),
        ("Sabine Ort", "sabine.ort@example.org", "active"),
        ("Uwe Lang", "uwe.lang@example.org", "paused"),
        ("Gisela Brandt", "gisela.brandt@example.org", "retired"),
    ],
    "aarhus": [
        ("Mette Holm", "mette.holm@example.org", "applicant"),
        ("Rasmus Kjær", "rasmus.kjaer@example.org", "screened"),
        ("Sofie Lund", "sofie.lund@example.org", "trained"),
        ("Anders Bech", "anders.bech@example.org", "active"),
        ("Lene Dahl", "lene.dahl@example.org", "paused"),
        ("Ole Friis", "ole.friis@example.org", "retired"),
    ],
}
PATH = ["screened", "trained", "active"]


def _bring_to(volunteer: Volunteer, target: str, today) -> None:
    """Walk the pipeline to `target` through the services, as a coordinator would."""
    steps = [*PATH[: PATH.index(target) + 1]] if target in PATH else [*PATH, target]
    for step in steps:
        if step == "trained":
            services.training_record_add(
                actor=None, volunteer=volunteer, course="Starter-Grundkurs", completed_on=today - timedelta(days=40)
            )
        services.volunteer_transition(
            actor=None,
            volunteer=volunteer,
            to=step,
            screened_on=today - timedelta(days=60),
            confidentiality_signed_on=today - timedelta(days=35) if step == "active" else None,
        )


def seed_volunteers() -> dict[str, int]:
    today = timezone.localdate()
    for slug, people in VOLUNTEERS.items():
        centre = Centre.all_centres.get(slug=slug)
        topics = list(Topic.all_centres.filter(centre=centre, is_offered=True)[:2])
        for name, email, status in people:
            if Volunteer.all_centres.filter(person__centre=centre, person__email=email).exists():
                continue
            person = Person.all_centres.filter(centre=centre, email=email).first() or Person.all_centres.create(
                centre=centre, display_name=name, email=email, language=centre.default_language
            )
            volunteer = Volunteer.all_centres.create(
                centre=centre,
                person=person,
                languages=[centre.default_language, "en"],
                weekdays=[1, 3],
                evening=True,
                motivation="",
                email_confirmed_at=timezone.now(),
            )
            volunteer.topics.set(topics)
            if status != "applicant":
                _bring_to(volunteer, status, today)
        group = Group.all_centres.filter(centre=centre, status=Group.Status.STARTING).order_by("pk").first()
        if group is not None and not StarterAssignment.all_centres.filter(group=group).exists():
            for volunteer in Volunteer.all_centres.filter(centre=centre, status="active")[:2]:
                services.assignment_create(actor=None, group=group, volunteer=volunteer, starts_on=today)
    _seed_phase_out(today)
    for centre in Centre.all_centres.filter(slug__in=VOLUNTEERS):
        recruitment.recruitment_needs_refresh(centre=centre)
    return {
        "volunteers": Volunteer.all_centres.count(),
        "starter assignments": StarterAssignment.all_centres.count(),
        "session logs": SessionLog.all_centres.count(),
    }


def _seed_phase_out(today) -> None:
    """A group that began six weeks ago: its starter logged every meeting, the group reached each
    step of the self-run checklist, and the starter is now phasing out. The meetings before the
    demo was made are written as held (bookings cannot be made in the past)."""
    centre = Centre.all_centres.get(slug="hannover-linden")
    name, topic_name, room_name = PHASE_OUT_GROUP
    if Group.all_centres.filter(centre=centre, name=name).exists():
        return
    volunteer = Volunteer.all_centres.select_related("person").get(
        person__centre=centre, person__email=PORTAL_DEMO_EMAIL
    )
    user = accounts.portal_user_for(volunteer=volunteer)
    user.set_password(DEMO_PASSWORD)
    user.save()
    topic = Topic.all_centres.get(centre=centre, name=topic_name)
    room = Room.all_centres.get(location__centre=centre, name=room_name)
    group = groups.group_create(actor=None, centre=centre, name=name, topic=topic)
    groups.group_transition(actor=None, group=group, status=Group.Status.STARTING)
    zone = timezone.get_current_timezone()
    monday = today - timedelta(days=today.weekday())
    held = []
    for weeks_ago in range(6, 0, -1):
        starts_at = datetime.combine(monday - timedelta(weeks=weeks_ago), time(18, 0), tzinfo=zone)
        held.append(
            Meeting.all_centres.create(
                centre=centre,
                room=room,
                group=group,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=90),
                uid=f"meeting-{uuid.uuid4()}@kontakt",
            )
        )
    if not MeetingSeries.all_centres.filter(group=group).exists():
        series.series_create(
            actor=None,
            group=group,
            room=room,
            rule="FREQ=WEEKLY;BYDAY=MO",
            starts_on=monday + timedelta(weeks=1),
            start_time=time(18, 0),
            duration_minutes=90,
        )
    assignment = services.assignment_create(
        actor=None, group=group, volunteer=volunteer, starts_on=held[0].starts_at.date(), planned_meetings=8
    )
    items = services.checklist_items(centre)
    for number, meeting in enumerate(held):
        services.session_log_create(
            actor=None,
            assignment=assignment,
            meeting=meeting,
            hours="2.5",
            checklist=items[number : number + 1],
            notes="",
        )
    services.phase_out_start(
        actor=None,
        group=group,
        plan="Attends every other meeting for the last four weeks, then only on request.",
        until=today + timedelta(weeks=4),
    )
