"""Demo data of the meetings app: topics, places, groups with members, weekly and monthly series,
a one-off information evening and the Christmas closure. Idempotent, like centres.demo."""

from datetime import time, timedelta

from django.utils import timezone

from centres.models import Centre, ConsentRecord, Person
from centres.scoping import all_centres_scope, centre_scope
from centres.services.consents import sms_consent_record
from meetings.member_links import contact_url
from meetings.models import (
    Closure,
    ContactPerson,
    Group,
    Location,
    Meeting,
    MeetingSeries,
    Membership,
    Mode,
    PhoneNotice,
    Room,
    Topic,
    TopicCategory,
)
from meetings.services import closures, contacts, groups, meetings, places, series

TOPICS = {
    "hannover-linden": [
        ("Depression", True),
        ("Angststörungen", True),
        ("Alkoholabhängigkeit", True),
        ("Trauer", True),
        ("Angehörige psychisch erkrankter Menschen", True),
        ("Trennung und Scheidung", True),
    ],
    "aarhus": [
        ("Sorg", True),
        ("Stress og udbrændthed", True),
        ("Skilsmisse", True),
        ("Pårørende til mennesker med demens", True),
        ("Religion", False),
        ("Politik", False),
    ],
}

# Where each demo topic counts in the federation's figures (the national theme categories).
TOPIC_CATEGORIES = {
    "Depression": "psychosocial",
    "Angststörungen": "psychosocial",
    "Alkoholabhängigkeit": "addiction",
    "Trauer": "psychosocial",
    "Angehörige psychisch erkrankter Menschen": "psychosocial",
    "Trennung und Scheidung": "social",
    "Sorg": "psychosocial",
    "Stress og udbrændthed": "psychosocial",
    "Skilsmisse": "social",
    "Pårørende til mennesker med demens": "chronic-illness-disability",
}

PLACES = {
    "hannover-linden": (
        {"name": "Haus der Selbsthilfe", "street": "Limmerstraße 12", "postal_code": "30451", "city": "Hannover"},
        [
            ("Raum Linde", 10, True, True, False, ["Flipchart"]),
            ("Raum Ahorn", 14, True, True, True, ["Beamer", "Küche"]),
            ("Kleiner Raum", 6, False, False, False, []),
        ],
    ),
    "aarhus": (
        {"name": "Selvhjælpshuset", "street": "Jægergårdsgade 40", "postal_code": "8000", "city": "Aarhus C"},
        [
            ("Mødelokale 1", 12, True, True, True, ["Whiteboard"]),
            ("Mødelokale 2", 8, True, False, False, []),
        ],
    ),
}

# (group name, topic, room index, rule, start time, minutes, member display names)
GROUPS = {
    "hannover-linden": [
        (
            "Dienstagsgruppe Lichtblick",
            "Depression",
            0,
            "FREQ=WEEKLY;BYDAY=TU",
            time(19, 0),
            120,
            ["Birgit S.", "Thomas"],
        ),
        ("Gesprächskreis Mut", "Angststörungen", 1, "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", time(18, 30), 90, ["Leyla"]),
        (
            "Trauercafé Linden",
            "Trauer",
            1,
            "FREQ=MONTHLY;BYDAY=-1FR",
            time(16, 0),
            120,
            ["Martin W.", "Ewa", "Heike B."],
        ),
    ],
    "aarhus": [
        ("Onsdagsgruppen", "Sorg", 0, "FREQ=WEEKLY;BYDAY=WE", time(19, 0), 120, ["Lene", "Søren K."]),
        (
            "Pårørendegruppen",
            "Pårørende til mennesker med demens",
            1,
            "FREQ=MONTHLY;BYDAY=1TU",
            time(17, 0),
            90,
            ["Karen", "Anouk"],
        ),
    ],
}


def _seed_topics(centre: Centre, slug: str) -> None:
    for name, offered in TOPICS[slug]:
        category = TopicCategory.objects.filter(scheme="national", code=TOPIC_CATEGORIES.get(name, "")).first()
        topic = Topic.objects.filter(centre=centre, name=name).first()
        if topic is None:
            places.topic_create(actor=None, centre=centre, name=name, is_offered=offered, category=category)
        elif topic.category_id is None and category is not None:
            places.topic_update(actor=None, topic=topic, category=category)


def _seed_rooms(centre: Centre, slug: str) -> list[Room]:
    """The centre's house and its rooms, open on weekdays 9–22 and Saturdays 10–16."""
    location_values, rooms = PLACES[slug]
    location = Location.objects.filter(centre=centre, name=location_values["name"]).first()
    if location is None:
        location = places.location_create(actor=None, centre=centre, **location_values)
    room_objects = []
    for name, capacity, step_free, toilet, loop, equipment in rooms:
        room = Room.objects.filter(location=location, name=name).first()
        if room is None:
            room = places.room_create(
                actor=None,
                location=location,
                name=name,
                capacity=capacity,
                step_free_access=step_free,
                accessible_toilet=toilet,
                hearing_loop=loop,
                equipment=equipment,
            )
            weekdays = [(day, time(9, 0), time(22, 0)) for day in range(5)] + [(5, time(10, 0), time(16, 0))]
            places.opening_hours_set(actor=None, room=room, hours=weekdays)
        room_objects.append(room)
    return room_objects


def _seed_groups(centre: Centre, slug: str, rooms: list[Room]) -> None:
    """Each group (starting), its members and its series from today."""
    today = timezone.localdate()
    for name, topic_name, room_index, rule, start, minutes, members in GROUPS[slug]:
        group = Group.objects.filter(centre=centre, name=name).first()
        if group is None:
            topic = Topic.objects.get(centre=centre, name=topic_name)
            group = groups.group_create(actor=None, centre=centre, name=name, topic=topic)
            groups.group_transition(actor=None, group=group, status=Group.Status.STARTING)
        for display_name in members:
            person = Person.objects.get(centre=centre, display_name=display_name)
            if not Membership.objects.filter(group=group, person=person, left_on__isnull=True).exists():
                groups.membership_add(actor=None, group=group, person=person)
        if not MeetingSeries.objects.filter(group=group).exists():
            series.series_create(
                actor=None,
                group=group,
                room=rooms[room_index],
                rule=rule,
                starts_on=today,
                start_time=start,
                duration_minutes=minutes,
            )


def _seed_christmas(centre: Centre, slug: str) -> None:
    """The Christmas closure: the next 24 December and the eight days after it."""
    today = timezone.localdate()
    christmas = today.replace(month=12, day=24)
    if christmas < today:
        christmas = christmas.replace(year=today.year + 1)
    if not Closure.objects.filter(centre=centre, starts_on=christmas).exists():
        closures.closure_create(
            actor=None,
            centre=centre,
            starts_on=christmas,
            ends_on=christmas + timedelta(days=8),
            reason="Weihnachtspause" if slug == "hannover-linden" else "Juleferie",
        )


# A group that meets online: its video link reaches only its members.
ONLINE_GROUP = ("hannover-linden", "Online-Trauerkreis", "Trauer", "https://video.example.org/trauerkreis-linden")


def _seed_online(centre: Centre, slug: str) -> None:
    """A group that meets online every Wednesday evening, with Ewa as its member."""
    centre_slug, name, topic_name, link = ONLINE_GROUP
    if slug != centre_slug or Group.objects.filter(centre=centre, name=name).exists():
        return
    topic = Topic.objects.get(centre=centre, name=topic_name)
    group = groups.group_create(actor=None, centre=centre, name=name, topic=topic, languages=["de", "en"])
    groups.group_transition(actor=None, group=group, status=Group.Status.STARTING)
    groups.membership_add(actor=None, group=group, person=Person.objects.get(centre=centre, display_name="Ewa"))
    series.series_create(
        actor=None,
        group=group,
        room=None,
        mode=Mode.ONLINE,
        video_link=link,
        rule="FREQ=WEEKLY;BYDAY=WE",
        starts_on=timezone.localdate(),
        start_time=time(20, 0),
        duration_minutes=90,
    )


# The self-run group of the demo and the member it chose as its contact person.
SELF_RUN_GROUP = ("hannover-linden", "Dienstagsgruppe Lichtblick", "Thomas")


def _seed_self_run(centre: Centre, slug: str) -> None:
    """One group runs itself: its starters are gone, Thomas speaks for it as contact person."""
    centre_slug, name, contact_name = SELF_RUN_GROUP
    group = Group.objects.filter(centre=centre, name=name).first()
    if slug != centre_slug or group is None or group.status == Group.Status.SELF_RUN:
        return
    groups.group_transition(actor=None, group=group, status=Group.Status.SELF_RUN, reason="Runs itself")
    membership = Membership.objects.get(group=group, person__display_name=contact_name, left_on__isnull=True)
    contacts.contact_person_record(actor=None, membership=membership)


def contact_person_demo_links() -> list[tuple[str, str]]:
    centre_slug, name, contact_name = SELF_RUN_GROUP
    contact = ContactPerson.objects.filter(
        group__centre__slug=centre_slug, group__name=name, ended_at__isnull=True
    ).first()
    if contact is None:
        return []
    return [(f"{name}, its contact person {contact_name}", contact_url(contact_id=contact.pk))]


# Members without e-mail: Heike agreed to texts on the phone; Martin has a landline only. When
# their group's next meeting is cancelled (by the Christmas closure where it falls within the
# planned weeks, else here), Heike gets a text and Martin is on the dashboard's list to phone.
NO_EMAIL = ("hannover-linden", "Trauercafé Linden", "Heike B.")


def _seed_texts(centre: Centre, slug: str) -> None:
    centre_slug, _group, texted = NO_EMAIL
    if slug != centre_slug:
        return
    person = Person.objects.get(centre=centre, display_name=texted)
    if not ConsentRecord.objects.filter(person=person, purpose=ConsentRecord.Purpose.SMS).exists():
        sms_consent_record(actor=None, person=person, phone=person.phone, source=ConsentRecord.Source.PHONE)


def _seed_phone_list(centre: Centre, slug: str) -> None:
    centre_slug, name, _texted = NO_EMAIL
    group = Group.objects.filter(centre=centre, name=name).first()
    if slug != centre_slug or group is None or PhoneNotice.objects.filter(centre=centre).exists():
        return
    upcoming = Meeting.objects.filter(group=group, status=Meeting.Status.SCHEDULED, starts_at__gt=timezone.now())
    meeting = upcoming.order_by("starts_at").first()
    if meeting is not None:
        meetings.meeting_cancel(actor=None, meeting=meeting, note="Der Raum wird gestrichen.")


def seed_meetings() -> dict[str, int]:
    counts = {"groups": 0, "series": 0, "meetings": 0}
    for slug in TOPICS:
        with all_centres_scope():
            centre = Centre.objects.get(slug=slug)
        with centre_scope(centre.pk):
            _seed_topics(centre, slug)
            _seed_groups(centre, slug, _seed_rooms(centre, slug))
            _seed_texts(centre, slug)
            _seed_christmas(centre, slug)
            _seed_phone_list(centre, slug)
            _seed_self_run(centre, slug)
            _seed_online(centre, slug)
            counts["groups"] += Group.objects.filter(centre=centre).count()
            counts["series"] += MeetingSeries.objects.filter(centre=centre).count()
            counts["meetings"] += Meeting.objects.filter(centre=centre).count()
    return counts
