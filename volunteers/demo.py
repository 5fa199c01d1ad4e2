"""Demo data of the volunteers app: in each centre a volunteer in every state of the pipeline,
and the active ones starting the centre's first group. Idempotent, like centres.demo."""

from datetime import timedelta

from django.utils import timezone

from centres.models import Centre, Person
from meetings.models import Group, Topic
from volunteers import services
from volunteers.models import StarterAssignment, Volunteer

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
    return {
        "volunteers": Volunteer.all_centres.count(),
        "starter assignments": StarterAssignment.all_centres.count(),
    }
