"""Demo data of the volunteers app: in each centre a volunteer in every state of the pipeline,
the active ones starting the centre's first group, a group in Hannover whose starter is phasing
out after six logged sessions, a portal login, and the recruitment needs. Idempotent, like
centres.demo; each centre's data is made in that centre's scope."""

import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from centres.demo import DEMO_PASSWORD
from centres.models import Centre, Person
from centres.scoping import all_centres_scope, centre_scope
from meetings.models import Group, Meeting, Room, Topic
from meetings.services import groups, series
from volunteers.models import SessionLog, StarterAssignment, Volunteer
from volunteers.services.accounts import portal_user_for
from volunteers.services.assignments import assignment_create
from volunteers.services.checklist import checklist_items
from volunteers.services.phase_out import phase_out_start
from volunteers.services.pipeline import training_record_add, volunteer_transition
from volunteers.services.recruitment import recruitment_needs_refresh
from volunteers.services.sessions import session_log_create

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


def _bring_to(volunteer: Volunteer, target: str, today: date) -> None:
    """Walk the pipeline to `target` through the services, as a coordinator would."""
    steps = [*PATH[: PATH.index(target) + 1]] if target in PATH else [*PATH, target]
    for step in steps:
        if step == "trained":
            training_record_add(
                actor=None, volunteer=volunteer, course="Starter-Grundkurs", completed_on=today - timedelta(days=40)
            )
        volunteer_transition(
            actor=None,
            volunteer=volunteer,
            to=step,
            screened_on=today - timedelta(days=60),
            confidentiality_signed_on=today - timedelta(days=35) if step == "active" else None,
        )


def seed_volunteers() -> dict[str, int]:
    today = timezone.localdate()
    with all_centres_scope():
        centres = {slug: Centre.objects.get(slug=slug) for slug in VOLUNTEERS}
    for slug, people in VOLUNTEERS.items():
        with centre_scope(centres[slug].pk):
            _seed_centre(centres[slug], people, today)
    with centre_scope(centres["hannover-linden"].pk):
        _seed_phase_out(centres["hannover-linden"], today)
    for centre in centres.values():
        with centre_scope(centre.pk):
            recruitment_needs_refresh(centre=centre)
    with all_centres_scope():
        return {
            "volunteers": Volunteer.objects.count(),
            "starter assignments": StarterAssignment.objects.count(),
            "session logs": SessionLog.objects.count(),
        }


def _seed_centre(centre: Centre, people: list[tuple[str, str, str]], today: date) -> None:
    """The centre's volunteers, each brought to their state, and the starters of its first
    starting group."""
    topics = list(Topic.objects.filter(centre=centre, is_offered=True)[:2])
    for name, email, status in people:
        if Volunteer.objects.filter(person__centre=centre, person__email=email).exists():
            continue
        person = Person.objects.filter(centre=centre, email=email).first() or Person.objects.create(
            centre=centre, display_name=name, email=email, language=centre.default_language
        )
        volunteer = Volunteer.objects.create(
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
    group = Group.objects.filter(centre=centre, status=Group.Status.STARTING).order_by("pk").first()
    if group is not None and not StarterAssignment.objects.filter(group=group).exists():
        for volunteer in Volunteer.objects.filter(centre=centre, status="active")[:2]:
            assignment_create(actor=None, group=group, volunteer=volunteer, starts_on=today)


def _seed_phase_out(centre: Centre, today: date) -> None:
    """A group that began six weeks ago: its starter (with a portal login) logged every meeting,
    the group reached each step of the self-run checklist, and the starter is now phasing out."""
    name, topic_name, room_name = PHASE_OUT_GROUP
    if Group.objects.filter(centre=centre, name=name).exists():
        return
    volunteer = Volunteer.objects.select_related("person").get(person__centre=centre, person__email=PORTAL_DEMO_EMAIL)
    user = portal_user_for(volunteer=volunteer)
    user.set_password(DEMO_PASSWORD)
    user.save()
    topic = Topic.objects.get(centre=centre, name=topic_name)
    room = Room.objects.get(location__centre=centre, name=room_name)
    group = groups.group_create(actor=None, centre=centre, name=name, topic=topic)
    groups.group_transition(actor=None, group=group, status=Group.Status.STARTING)
    monday = today - timedelta(days=today.weekday())
    held = _held_meetings(group, room, monday)
    series.series_create(
        actor=None,
        group=group,
        room=room,
        rule="FREQ=WEEKLY;BYDAY=MO",
        starts_on=monday + timedelta(weeks=1),
        start_time=time(18, 0),
        duration_minutes=90,
    )
    assignment = assignment_create(
        actor=None, group=group, volunteer=volunteer, starts_on=held[0].starts_at.date(), planned_meetings=8
    )
    # Jörg joined at the start; when the group chose him as its contact person, Karl logged it.
    joerg = groups.membership_add(
        actor=None,
        group=group,
        person=Person.objects.get(centre=centre, display_name="Jörg"),
        joined_on=held[0].starts_at.date(),
    )
    items = checklist_items(centre)
    for number, meeting in enumerate(held):
        reached = items[number : number + 1]
        session_log_create(
            actor=None,
            assignment=assignment,
            meeting=meeting,
            hours=Decimal("2.5"),
            checklist=reached,
            notes="",
            contact_membership=joerg if any(item.records_contact_person for item in reached) else None,
        )
    phase_out_start(
        actor=None,
        group=group,
        plan="Attends every other meeting for the last four weeks, then only on request.",
        until=today + timedelta(weeks=4),
    )


def _held_meetings(group: Group, room: Room, monday: date) -> list[Meeting]:
    """The group's Monday meetings of the six weeks before `monday`, written as held (bookings
    cannot be made in the past)."""
    zone = timezone.get_current_timezone()
    held = []
    for weeks_ago in range(6, 0, -1):
        starts_at = datetime.combine(monday - timedelta(weeks=weeks_ago), time(18, 0), tzinfo=zone)
        held.append(
            Meeting.objects.create(
                centre=group.centre,
                room=room,
                group=group,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=90),
                uid=f"meeting-{uuid.uuid4()}@kontakt",
            )
        )
    return held
