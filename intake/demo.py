"""Demo data of intake: in each centre an enquiry in every state of the intake queue, made
through the services as coordinators would. Idempotent, like centres.demo, which runs it in its
scope across centres."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from centres.models import Centre
from config.errors import DomainError
from intake.models import Enquiry
from intake.services.placement import enquiry_place
from intake.services.queue import enquiry_conversation_schedule, enquiry_transition, enquiry_wait
from intake.services.submission import enquiry_submit
from meetings.models import Group, Room, Topic

Status = Enquiry.Status
# (name, e-mail, phone, topic, channel, state, relative)
ENQUIRIES = {
    "hannover-linden": [
        ("Renate K.", "renate.k@example.net", "", "Depression", "web", Status.NEW, False),
        ("Paul", "", "+49 511 555 0190", "Angststörungen", "phone", Status.CONTACTED, False),
        (
            "Familie Özdemir",
            "oezdemir@example.net",
            "",
            "Angehörige psychisch erkrankter Menschen",
            "web",
            Status.CONVERSATION_SCHEDULED,
            True,
        ),
        ("Sven", "sven.h@example.net", "", "Trauer", "email", Status.CONVERSATION_HELD, False),
        ("Ines M.", "ines.m@example.net", "", "Depression", "in_person", Status.PLACED, False),
        ("Heike", "heike.w@example.net", "", "Alkoholabhängigkeit", "web", Status.WAITING, False),
        ("Mario", "", "+49 170 555 0133", "Alkoholabhängigkeit", "phone", Status.REFERRED, False),
        ("Dana", "dana.r@example.net", "", "Trennung und Scheidung", "web", Status.WITHDRAWN, False),
        ("Olaf", "olaf.b@example.net", "", "Trauer", "web", Status.CLOSED, False),
    ],
    "aarhus": [
        ("Mads", "mads.j@example.net", "", "Sorg", "web", Status.NEW, False),
        ("Signe", "", "+45 20 55 01 90", "Stress og udbrændthed", "phone", Status.CONTACTED, False),
        (
            "Birthe L.",
            "birthe.l@example.net",
            "",
            "Pårørende til mennesker med demens",
            "web",
            Status.CONVERSATION_SCHEDULED,
            True,
        ),
        ("Kasper", "kasper.n@example.net", "", "Skilsmisse", "email", Status.CONVERSATION_HELD, False),
        ("Ida", "ida.v@example.net", "", "Sorg", "in_person", Status.PLACED, False),
        ("Jonas", "jonas.p@example.net", "", "Skilsmisse", "web", Status.WAITING, False),
        ("Emil", "", "+45 86 55 01 33", "Stress og udbrændthed", "phone", Status.REFERRED, False),
        ("Nanna", "nanna.k@example.net", "", "Sorg", "web", Status.WITHDRAWN, False),
        ("Troels", "troels.a@example.net", "", "Skilsmisse", "web", Status.CLOSED, False),
    ],
}
REFERRED_TO = {"hannover-linden": "Suchtberatung der Diakonie", "aarhus": "Stressklinikken"}


def seed_enquiries() -> dict[str, int]:
    for slug, rows in ENQUIRIES.items():
        centre = Centre.objects.get(slug=slug)
        if Enquiry.objects.filter(centre=centre).exists():
            continue
        room = Room.objects.filter(location__centre=centre).order_by("pk").first()
        for number, (name, email, phone, topic_name, channel, state, relative) in enumerate(rows):
            topic = Topic.objects.get(centre=centre, name=topic_name)
            enquiry = enquiry_submit(
                actor=None,
                centre=centre,
                name=name,
                email=email,
                phone=phone,
                language=centre.default_language,
                topics=[topic],
                weekdays=[1, 2, 3],
                evening=True,
                is_relative=relative,
                message="",
                channel=channel,
                consent=True,
            )
            _bring_to(enquiry, state, room=room, topic=topic, number=number)
    return {"enquiries": Enquiry.objects.count()}


def _bring_to(enquiry: Enquiry, state: str, *, room: Room | None, topic: Topic, number: int) -> None:
    if state == Status.NEW:
        return
    if state in (Status.CONTACTED, Status.REFERRED):
        enquiry_transition(actor=None, enquiry=enquiry, to=Status.CONTACTED)
        if state == Status.REFERRED:
            referred_to = REFERRED_TO[enquiry.centre.slug]
            enquiry_transition(actor=None, enquiry=enquiry, to=Status.REFERRED, referred_to=referred_to)
        return
    if state in (Status.WITHDRAWN, Status.CLOSED):
        enquiry_transition(actor=None, enquiry=enquiry, to=state)
        return
    # A conversation on a weekday morning from next week on, each at its own hour, on the first
    # day the room is open (not in the Christmas closure, say).
    kind = "in_person" if state == Status.CONVERSATION_SCHEDULED else "phone"
    day = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday() + 1)
    for _attempt in range(30):
        starts_at = datetime.combine(day, time(9 + number, 0), tzinfo=timezone.get_current_timezone())
        try:
            with transaction.atomic():
                enquiry_conversation_schedule(actor=None, enquiry=enquiry, kind=kind, starts_at=starts_at, room=room)
            break
        except DomainError:
            day += timedelta(days=1 if day.weekday() < 4 else 7 - day.weekday())
    if state == Status.CONVERSATION_SCHEDULED:
        return
    enquiry_transition(actor=None, enquiry=enquiry, to=Status.CONVERSATION_HELD)
    if state == Status.PLACED:
        group = Group.objects.filter(centre=enquiry.centre, topic=topic).order_by("pk").first()
        if group is not None:  # the demo has a group on every topic it places people for
            enquiry_place(actor=None, enquiry=enquiry, group=group)
    elif state == Status.WAITING:
        enquiry_wait(actor=None, enquiry=enquiry, topic=topic)
