"""Demo data of the meetings app: topics, places, groups with members, weekly and monthly series,
a one-off information evening and the Christmas closure. Idempotent, like centres.demo."""

from datetime import time, timedelta

from django.utils import timezone

from centres.models import Centre, Person
from meetings.models import Closure, Group, Location, Meeting, MeetingSeries, Membership, Room, Topic
from meetings.services import closures, groups, places, series

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
        ("Trauercafé Linden", "Trauer", 1, "FREQ=MONTHLY;BYDAY=-1FR", time(16, 0), 120, ["Martin W.", "Ewa"]),
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


def seed_meetings() -> dict[str, int]:
    counts = {"groups": 0, "series": 0, "meetings": 0}
    for slug, topic_list in TOPICS.items():
        centre = Centre.all_centres.get(slug=slug)
        for name, offered in topic_list:
            if not Topic.all_centres.filter(centre=centre, name=name).exists():
                places.topic_create(actor=None, centre=centre, name=name, is_offered=offered)
        location_values, rooms = PLACES[slug]
        location = Location.all_centres.filter(centre=centre, name=location_values["name"]).first()
        if location is None:
            location = places.location_create(actor=None, centre=centre, **location_values)
        room_objects = []
        for name, capacity, step_free, toilet, loop, equipment in rooms:
            room = Room.all_centres.filter(location=location, name=name).first()
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
        today = timezone.localdate()
        for name, topic_name, room_index, rule, start, minutes, members in GROUPS[slug]:
            group = Group.all_centres.filter(centre=centre, name=name).first()
            if group is None:
                topic = Topic.all_centres.get(centre=centre, name=topic_name)
                group = groups.group_create(actor=None, centre=centre, name=name, topic=topic)
                groups.group_transition(actor=None, group=group, status=Group.Status.STARTING)
            for display_name in members:
                person = Person.all_centres.get(centre=centre, display_name=display_name)
                if not Membership.all_centres.filter(group=group, person=person, left_on__isnull=True).exists():
                    groups.membership_add(actor=None, group=group, person=person)
            if not MeetingSeries.all_centres.filter(group=group).exists():
                series.series_create(
                    actor=None,
                    group=group,
                    room=room_objects[room_index],
                    rule=rule,
                    starts_on=today,
                    start_time=start,
                    duration_minutes=minutes,
                )
        christmas = today.replace(month=12, day=24)
        if christmas < today:
            christmas = christmas.replace(year=today.year + 1)
        if not Closure.all_centres.filter(centre=centre, starts_on=christmas).exists():
            closures.closure_create(
                actor=None,
                centre=centre,
                starts_on=christmas,
                ends_on=christmas + timedelta(days=8),
                reason="Weihnachtspause" if slug == "hannover-linden" else "Juleferie",
            )
        counts["groups"] += Group.all_centres.filter(centre=centre).count()
        counts["series"] += MeetingSeries.all_centres.filter(centre=centre).count()
        counts["meetings"] += Meeting.all_centres.filter(centre=centre).count()
    return counts
