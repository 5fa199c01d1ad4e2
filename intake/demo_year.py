"""Demo data of a year gone by, so that the year's figures have something to show: a year of
finished (and, as retention would have it, anonymised) enquiries, groups founded, paused, phased
out and ended with their dates and reasons, the meetings the groups held, starters' spells and
hours, newsletter subscribers who came and went, and the anonymous evaluation of the self-run
group. All dated back from today, so the demo looks the same whenever it is seeded. Written as
rows, not through the services: this is history, not something anyone does today. Idempotent."""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.utils import timezone

from centres.models import Centre, ConsentRecord, Person
from intake.models import Enquiry
from meetings.models import (
    EvaluationAnswer,
    EvaluationRound,
    Group,
    GroupStep,
    Meeting,
    MeetingSeries,
    Room,
    Topic,
)
from notifications.models import NewsletterList, Subscription, SuppressedAddress
from volunteers.models import SessionLog, StarterAssignment, Volunteer

# (name, topic, founded, starting, self-run, paused, closed, end reason) in days before today;
# None: the group did not take that step.
HISTORY: dict[str, list[tuple[str, str, int, int, int | None, int | None, int | None, str]]] = {
    "hannover-linden": [
        ("Neustart nach der Trennung", "Trennung und Scheidung", 300, 286, 150, None, None, ""),
        ("Angehörigenkreis Nord", "Angehörige psychisch erkrankter Menschen", 120, 105, None, None, None, ""),
        ("Montagsrunde Zuversicht", "Depression", 1100, 1080, 800, 90, None, ""),
        ("Trinkfrei am Abend", "Alkoholabhängigkeit", 1200, 1180, 900, None, 210, "too_few"),
        ("Trauerweg", "Trauer", 900, 880, 600, None, 60, "not_needed"),
    ],
    "aarhus": [
        ("Ny start efter skilsmissen", "Skilsmisse", 280, 266, 140, None, None, ""),
        ("Pårørendegruppen Syd", "Pårørende til mennesker med demens", 130, 115, None, None, None, ""),
        ("Stressfri torsdag", "Stress og udbrændthed", 1000, 980, 700, None, 120, "nobody_carries_on"),
    ],
}
# A free weekly slot in each centre's first room for the groups of the history (Saturdays).
HISTORY_SLOT = (5, time(10, 0), 120)
CHANNELS = [("web", 40), ("phone", 35), ("email", 15), ("in_person", 10)]
OUTCOMES = [("placed", 40), ("referred", 25), ("withdrawn", 15), ("closed", 20)]
ENQUIRIES_PER_MONTH = 13
READERS = 24
READER_NAME = {"de": "Leserin", "da": "Læser", "nl": "Lezer", "en": "Reader"}


def seed_year() -> dict[str, int]:
    made = {"enquiries": 0, "meetings": 0}
    for slug in HISTORY:
        centre = Centre.objects.filter(slug=slug).first()
        if centre is None or GroupStep.objects.filter(centre=centre, group__name=HISTORY[slug][0][0]).exists():
            continue
        rng = random.Random(slug)  # noqa: S311 - a demo, the same history at every seeding
        now = timezone.now()
        _backdate_demo_groups(centre, now)
        history = _history_groups(centre, now)
        made["enquiries"] += _enquiries(centre, rng, now)
        made["meetings"] += _past_meetings(centre, rng, now, history)
        _newsletter(centre, rng, now)
        if slug == "hannover-linden":
            _evaluation(centre, rng, now)
    return made


def _backdate_demo_groups(centre: Centre, now: datetime) -> None:
    """The groups the demo made today were founded two years ago; the self-run one was phased
    out 200 days ago."""
    founded = now - timedelta(days=730)
    for group in Group.objects.filter(centre=centre):
        Group.objects.filter(pk=group.pk).update(created_at=founded)
        GroupStep.objects.filter(group=group, status=Group.Status.FORMING).update(at=founded)
        GroupStep.objects.filter(group=group, status=Group.Status.STARTING).update(at=founded + timedelta(days=14))
        if group.status == Group.Status.SELF_RUN:
            phased_out = now - timedelta(days=200)
            Group.objects.filter(pk=group.pk).update(status_changed_at=phased_out)
            GroupStep.objects.filter(group=group, status=Group.Status.SELF_RUN).update(at=phased_out)


def _history_groups(centre: Centre, now: datetime) -> list[tuple[Group, datetime, datetime | None]]:
    """The groups of the history with their steps and starters; each with when it met, from
    its start to its pause or end (None: still meets)."""
    volunteers = list(Volunteer.objects.filter(centre=centre, status=Volunteer.Status.ACTIVE).order_by("pk"))
    made: list[tuple[Group, datetime, datetime | None]] = []
    for name, topic_name, *days, end_reason in HISTORY[centre.slug]:
        founded, starting, self_run, paused, closed = (now - timedelta(days=d) if d else None for d in days)
        topic = Topic.objects.get(centre=centre, name=topic_name)
        status = "closed" if closed else "paused" if paused else "self_run" if self_run else "starting"
        group = Group.objects.create(
            centre=centre, name=name, topic=topic, languages=[centre.default_language], status=status,
            end_reason=end_reason, status_changed_at=closed or paused or self_run or starting,
        )  # fmt: skip
        Group.objects.filter(pk=group.pk).update(created_at=founded)
        steps = [("", "forming", founded), ("forming", "starting", starting), ("starting", "self_run", self_run)]
        before_close = "paused" if paused else "self_run" if self_run else "starting"
        steps += [("self_run", "paused", paused), (before_close, "closed", closed)]
        GroupStep.objects.bulk_create(
            GroupStep(
                centre=centre, group=group, previous=previous, status=step, at=at,
                end_reason=end_reason if step == "closed" else "",
            )
            for previous, step, at in steps
            if at is not None
        )  # fmt: skip
        if volunteers and starting and starting > now - timedelta(days=400):
            StarterAssignment.objects.create(
                centre=centre, volunteer=volunteers[len(made) % len(volunteers)], group=group,
                starts_on=starting.date(), planned_meetings=10,
                status="ended" if self_run else "active", ended_on=self_run.date() if self_run else None,
            )  # fmt: skip
        made.append((group, starting or founded or now, closed or paused))
    return made


def _enquiries(centre: Centre, rng: random.Random, now: datetime) -> int:
    """About 13 finished enquiries a month for the past year, anonymised as retention leaves them:
    channel, topics, month, outcome and how soon the centre answered."""
    topics = list(Topic.objects.filter(centre=centre, is_offered=True))
    groups = {group.topic_id: group for group in Group.objects.filter(centre=centre).order_by("-pk")}
    zone = ZoneInfo(centre.time_zone)
    rows, chosen = [], []
    for _number in range(12 * ENQUIRIES_PER_MONTH):
        received = now - timedelta(days=rng.uniform(10, 365), hours=rng.uniform(0, 8))
        month = received.astimezone(zone).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        outcome = _weighted(rng, OUTCOMES)
        wanted = rng.sample(topics, k=2 if rng.random() < 0.1 else 1) if rng.random() > 0.08 else []
        finished = received + timedelta(days=rng.uniform(5, 40))
        rows.append(
            Enquiry(
                centre=centre, channel=_weighted(rng, CHANNELS), language=centre.default_language, status=outcome,
                created_at=month, status_changed_at=month, finished_at=finished, anonymised_at=now,
                first_contact_after=timedelta(hours=rng.uniform(1, 120)),
                conversation_at=month if outcome == "placed" or rng.random() < 0.3 else None,
                placed_group=groups.get(wanted[0].pk) if outcome == "placed" and wanted else None,
            )
        )  # fmt: skip
        chosen.append(wanted)
    made = Enquiry.objects.bulk_create(rows)
    links = Enquiry.topics.through
    links.objects.bulk_create(
        links(enquiry_id=enquiry.pk, topic_id=topic.pk)
        for enquiry, wanted in zip(made, chosen, strict=True)
        for topic in wanted
    )
    return len(made)


def _weighted(rng: random.Random, choices: list[tuple[str, int]]) -> str:
    return rng.choices([value for value, _w in choices], weights=[weight for _v, weight in choices])[0]


def _past_meetings(
    centre: Centre, rng: random.Random, now: datetime, history: list[tuple[Group, datetime, datetime | None]]
) -> int:
    """A year of the demo groups' meetings in their series' rooms and rhythms, and the history
    groups' on Saturdays in the first room; a few cancelled. Starters logged their sessions."""
    zone, today = ZoneInfo(centre.time_zone), timezone.localdate()
    first = today - timedelta(days=365)
    rows: list[Meeting] = []
    for series in MeetingSeries.objects.filter(centre=centre, room__isnull=False).select_related("group"):
        rule = rrulestr(series.rule, dtstart=datetime.combine(first, series.start_time))
        for start in rule.between(datetime.combine(first, time.min), datetime.combine(today, time.min)):
            rows.append(
                _meeting(centre, series.group, series.room, start.replace(tzinfo=zone), series.duration_minutes, rng)
            )
    room = Room.objects.filter(centre=centre, is_active=True).order_by("pk").first()
    weekday, start_time, minutes = HISTORY_SLOT
    for index, (group, since, until) in enumerate(history):
        day = max(since.date(), first) + timedelta(days=(weekday - max(since.date(), first).weekday()) % 7)
        while day < min((until or now).date(), today):
            start = datetime.combine(day, time(start_time.hour + 2 * (index % 3)), tzinfo=zone)
            rows.append(_meeting(centre, group, room, start, minutes, rng))
            day += timedelta(days=7)
    # Meetings the demo has already (a group's held statement, say) keep their room.
    taken: dict[int | None, list[tuple[datetime, datetime]]] = {}
    for room_id, starts_at, ends_at in Meeting.objects.filter(centre=centre, room__isnull=False).values_list(
        "room_id", "starts_at", "ends_at"
    ):
        taken.setdefault(room_id, []).append((starts_at, ends_at))
    free = []
    for row in rows:  # first come, first served, as the room planner would have it
        booked = taken.setdefault(row.room_id, [])
        if not any(row.starts_at < end and start < row.ends_at for start, end in booked):
            booked.append((row.starts_at, row.ends_at))
            free.append(row)
    made = Meeting.objects.bulk_create(free)
    _sessions(centre, made, [group for group, _since, _until in history])
    return len(made)


def _meeting(
    centre: Centre, group: Group, room: Room | None, start: datetime, minutes: int, rng: random.Random
) -> Meeting:
    cancelled = rng.random() < 0.04
    return Meeting(
        centre=centre, group=group, room=room, starts_at=start, ends_at=start + timedelta(minutes=minutes),
        status=Meeting.Status.CANCELLED if cancelled else Meeting.Status.SCHEDULED,
        cancel_reason=Meeting.CancelReason.CANCELLED if cancelled else "",
        uid=f"demo-history-{group.pk}-{start:%Y%m%d%H%M}@kontakt",
    )  # fmt: skip


def _sessions(centre: Centre, meetings: list[Meeting], groups: list[Group]) -> None:
    """Each starter of the history's groups logged the meetings of their spell: two hours and a
    quarter each (today's starters have logged their own)."""
    spells = StarterAssignment.objects.filter(centre=centre, is_crisis=False, group__in=groups)
    logs = [
        SessionLog(centre=centre, assignment=spell, meeting=meeting, hours=Decimal("2.25"))
        for spell in spells
        for meeting in meetings
        if meeting.group_id == spell.group_id
        and meeting.status == Meeting.Status.SCHEDULED
        and spell.starts_on <= meeting.starts_at.date() <= (spell.ended_on or date.max)
    ]
    SessionLog.objects.bulk_create(logs)


def _newsletter(centre: Centre, rng: random.Random, now: datetime) -> None:
    """Readers of the centre's newsletter who confirmed over the past two years, each with the
    consent their confirmation gave; one in five left again, and one address bounced."""
    newsletter = NewsletterList.objects.filter(centre=centre, volunteering_news=False).order_by("pk").first()
    if newsletter is None:
        return
    for number in range(1, READERS + 1):
        confirmed = now - timedelta(days=rng.uniform(10, 700))
        left = confirmed + timedelta(days=rng.uniform(5, 200)) if number % 5 == 0 else None
        left = left if left and left < now else None
        person = Person.objects.create(
            centre=centre, display_name=f"{READER_NAME[centre.default_language]} {number}",
            email=f"reader{number}.{centre.slug}@example.net", language=centre.default_language,
        )  # fmt: skip
        ConsentRecord.objects.create(
            centre=centre, person=person, purpose=ConsentRecord.Purpose.NEWSLETTER, text_version="demo",
            given_at=confirmed, source=ConsentRecord.Source.WEB_FORM, withdrawn_at=left,
        )  # fmt: skip
        Subscription.objects.create(
            centre=centre, newsletter=newsletter, person=person,
            status=Subscription.Status.UNSUBSCRIBED if left else Subscription.Status.CONFIRMED,
            confirmed_at=confirmed, unsubscribed_at=left,
        )  # fmt: skip
        if number == READERS:
            SuppressedAddress.objects.create(centre=centre, email=person.email, reason=SuppressedAddress.Reason.BOUNCED)


def _evaluation(centre: Centre, rng: random.Random, now: datetime) -> None:
    """The centre asks its groups; the self-run group was asked at its phase-out and six months
    later, and enough members answered each time for the results to show."""
    Centre.objects.filter(pk=centre.pk).update(evaluation_enabled=True)
    group = Group.objects.filter(centre=centre, status=Group.Status.SELF_RUN).order_by("pk").first()
    if group is None:
        return
    for occasion, days, answers in (("phase_out", 200, 6), ("six_months", 18, 5)):
        held_on = (now - timedelta(days=days)).date()
        round_ = EvaluationRound.objects.create(
            centre=centre, group=group, occasion=occasion, held_on=held_on,
            closes_on=held_on + timedelta(weeks=4), invited=answers + 2,
        )  # fmt: skip
        EvaluationAnswer.objects.bulk_create(
            EvaluationAnswer(
                centre=centre, round=round_, recommend=rng.choice(["yes", "yes", "yes", "not_sure"]),
                **{item: rng.randint(2, 5) for item in ("cheerful", "calm", "active", "rested", "interested")},
            )
            for _ in range(answers)
        )  # fmt: skip
