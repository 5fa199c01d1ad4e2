"""Demo data of intake: in each centre an enquiry in every state of the intake queue, made
through the services as coordinators would. Idempotent, like centres.demo."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from centres.models import Centre
from config.errors import DomainError
from meetings.intake import services
from meetings.intake.models import Enquiry
from meetings.models import Group, Room, Topic

E = Enquiry.Status
# (name, e-mail, phone, topic, channel, state, relative)
ENQUIRIES = {
    "hannover-linden": [
        ("Renate K.", "renate.k@example.net", "", "Depression", "web", E.NEW, False),
        ("Paul", "", "+49 511 555 0190", "Angststörungen", "phone", E.CONTACTED, False),
        (
            "Familie Özdemir",
            "oezdemir@example.net",
            "",
            "Angehörige psychisch erkrankter Menschen",
            "web",
            E.CONVERSATION_SCHEDULED,
            True,
        ),
        ("Sven", "sven.h@example.net", "", "Trauer", "email", E.CONVERSATION_HELD, False),
        ("Ines M.", "ines.m@example.net", "", "Depression", "in_person", E.PLACED, False),
        ("Heike", "heike.w@example.net", "", "Alkoholabhängigkeit", "web", E.WAITING, False),
        ("Mario", "", "+49 170 555 0133", "Alkoholabhängigkeit", "phone", E.REFERRED, False),
        ("Dana", "dana.r@example.net", "", "Trennung und Scheidung", "web", E.WITHDRAWN, False),
        ("Olaf", "olaf.b@example.net", "", "Trauer", "web", E.CLOSED, False),
    ],
    "aarhus": [
        ("Mads", "mads.j@example.net", "", "Sorg", "web", E.NEW, False),
        ("Signe", "", "+45 20 55 01 90", "Stress og udbrændthed", "phone", E.CONTACTED, False),
        (
            "Birthe L.",
            "birthe.l@example.net",
            "",
            "Pårørende til mennesker med demens",
            "web",
            E.CONVERSATION_SCHEDULED,
            True,
        ),
        ("Kasper", "kasper.n@example.net", "", "Skilsmisse", "email", E.CONVERSATION_HELD, False),
        ("Ida", "ida.v@example.net", "", "Sorg", "in_person", E.PLACED, False),
        ("Jonas", "jonas.p@example.net", "", "Skilsmisse", "web", E.WAITING, False),
        ("Emil", "", "+45 86 55 01 33", "Stress og udbrændthed", "phone", E.REFERRED, False),
        ("Nanna", "nanna.k@example.net", "", "Sorg", "web", E.WITHDRAWN, False),
        ("Troels", "troels.a@example.net", "", "Skilsmisse", "web", E.CLOSED, False),
    ],
}
REFERRED_TO = {"hannover-linden": "Suchtberatung der Diakonie", "aarhus": "Stressklinikken"}


def seed_enquiries() -> dict[str, int]:
    for slug, rows in ENQUIRIES.items():
        centre = Centre.all_centres.get(slug=slug)
        if Enquiry.all_centres.filter(centre=centre).exists():
            continue
        room = Room.all_centres.filter(location__centre=centre).order_by("pk").first()
        for number, (name, email, phone, topic_name, channel, state, relative) in enumerate(rows):
            topic = Topic.all_centres.get(centre=centre, name=topic_name)
            enquiry = services.enquiry_submit(
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
    return {"enquiries": Enquiry.all_centres.count()}


def _bring_to(enquiry: Enquiry, state: str, *, room: Room, topic: Topic, number: int) -> None:
    if state == E.NEW:
        return
    if state in (E.CONTACTED, E.REFERRED):
        services.enquiry_transition(actor=None, enquiry=enquiry, to=E.CONTACTED)
        if state == E.REFERRED:
            services.enquiry_transition(
                actor=None, enquiry=enquiry, to=E.REFERRED, referred_to=REFERRED_TO[enquiry.centre.slug]
            )
        return
    if state in (E.WITHDRAWN, E.CLOSED):
        services.enquiry_transition(actor=None, enquiry=enquiry, to=state)
        return
    # A conversation on a weekday morning from next week on, each at its own hour, on the first
    # day the room is open (not in the Christmas closure, say).
    kind = "in_person" if state == E.CONVERSATION_SCHEDULED else "phone"
    day = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday() + 1)
    for _attempt in range(30):
        starts_at = datetime.combine(day, time(9 + number, 0), tzinfo=timezone.get_current_timezone())
        try:
            with transaction.atomic():
                services.enquiry_conversation_schedule(
                    actor=None, enquiry=enquiry, kind=kind, starts_at=starts_at, room=room
                )
            break
        except DomainError:
            day += timedelta(days=1 if day.weekday() < 4 else 7 - day.weekday())
    if state == E.CONVERSATION_SCHEDULED:
        return
    services.enquiry_transition(actor=None, enquiry=enquiry, to=E.CONVERSATION_HELD)
    if state == E.PLACED:
        group = Group.all_centres.filter(centre=enquiry.centre, topic=topic).order_by("pk").first()
        services.enquiry_place(actor=None, enquiry=enquiry, group=group)
    elif state == E.WAITING:
        services.enquiry_wait(actor=None, enquiry=enquiry, topic=topic)
