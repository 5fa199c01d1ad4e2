"""Query budgets: every list endpoint of the API, and every list page, costs the same number of
queries for one item and for three. The endpoints come from the URL configuration, so a new list
endpoint without a maker here fails the suite."""

import itertools
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from centres.models import AuditLogEntry, ConsentRecord
from intake.models import Enquiry
from meetings import caching
from meetings.models import Closure, GroupRequest, Meeting, MeetingSeries, Membership
from notifications.models import NewsletterIssue, NewsletterIssueText, NewsletterList
from notifications.services.outbox import mail_queue
from tests.factories import (
    CentreFactory,
    GroupFactory,
    LocationFactory,
    PersonFactory,
    RoomFactory,
    StaffRoleFactory,
    TopicFactory,
    every,
)
from volunteers.models import RecruitmentNeed, SessionLog, StarterAssignment, Volunteer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]
counter = itertools.count()
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _n() -> int:
    return next(counter)


def person(centre):
    return PersonFactory(centre=centre)


def group(centre):
    return GroupFactory(centre=centre, topic=TopicFactory(centre=centre))


def meeting(centre, **values):
    room = RoomFactory(location__centre=centre)
    start = NOW + timedelta(days=1, hours=_n())
    return every(Meeting).create(
        centre=centre, room=room, starts_at=start, ends_at=start + timedelta(hours=1), uid=f"m-{uuid.uuid4()}", **values
    )


def volunteer(centre):
    return every(Volunteer).create(centre=centre, person=person(centre), status="active")


def assignment(centre):
    return every(StarterAssignment).create(
        centre=centre, volunteer=volunteer(centre), group=group(centre), starts_on=date(2026, 11, 1), planned_meetings=8
    )


def enquiry(centre, **values):
    made = every(Enquiry).create(
        centre=centre,
        person=person(centre),
        channel="web",
        language="de",
        created_at=NOW,
        status_changed_at=NOW,
        **values,
    )
    made.topics.set([TopicFactory(centre=centre)])
    return made


def issue(centre):
    newsletter = every(NewsletterList).create(centre=centre, name=f"List {_n()}")
    made = every(NewsletterIssue).create(centre=centre, newsletter=newsletter, title="T")
    NewsletterIssueText.objects.create(issue=made, language="de", subject="S", body="B")
    return made


def session_log(centre):
    made = assignment(centre)
    return every(SessionLog).create(
        centre=centre, assignment=made, meeting=meeting(centre, group=made.group), hours=Decimal("2")
    )


# What one more item of each list is; `staff` is the centre admin who reads the list.
MAKERS = {
    "centre-list": lambda centre, staff: StaffRoleFactory(centre=CentreFactory(), user=staff, role="centre_admin"),
    "person-list": lambda centre, staff: person(centre),
    "consent-list": lambda centre, staff: every(ConsentRecord).create(
        centre=centre, person=person(centre), purpose="newsletter", text_version="v1", given_at=NOW, source="web_form"
    ),
    "staffrole-list": lambda centre, staff: StaffRoleFactory(centre=centre),
    "auditlogentry-list": lambda centre, staff: every(AuditLogEntry).create(
        centre=centre, actor=staff, action="view", object_type="centres.person", object_id=str(_n())
    ),
    "topic-list": lambda centre, staff: TopicFactory(centre=centre),
    "location-list": lambda centre, staff: LocationFactory(centre=centre),
    "room-list": lambda centre, staff: RoomFactory(location__centre=centre),
    "group-list": lambda centre, staff: group(centre),
    "membership-list": lambda centre, staff: every(Membership).create(
        centre=centre, group=group(centre), person=person(centre), joined_on=date(2026, 1, 1)
    ),
    "series-list": lambda centre, staff: every(MeetingSeries).create(
        centre=centre,
        group=group(centre),
        room=RoomFactory(location__centre=centre),
        rule="FREQ=WEEKLY;BYDAY=TU",
        starts_on=date(2026, 12, 1),
        start_time=datetime(2026, 1, 1, 19).time(),
        duration_minutes=90,
        time_zone=centre.time_zone,
    ),
    "meeting-list": lambda centre, staff: meeting(centre, group=group(centre)),
    "closure-list": lambda centre, staff: every(Closure).create(
        centre=centre, starts_on=date(2026, 12, 24), ends_on=date(2026, 12, 26), reason=f"Closed {_n()}"
    ),
    "planner-list": lambda centre, staff: meeting(centre, title="Booked"),
    "enquiry-list": lambda centre, staff: enquiry(centre),
    "waitinglist-list": lambda centre, staff: enquiry(
        centre, status="waiting", waiting_topic=TopicFactory(centre=centre), waiting_since=date(2026, 11, 1)
    ),
    "newsletter-list": lambda centre, staff: every(NewsletterList).create(centre=centre, name=f"List {_n()}"),
    "newsletterissue-list": lambda centre, staff: issue(centre),
    "outgoingmail-list": lambda centre, staff: mail_queue(
        centre=centre,
        kind="system",
        obj=f"budget-{_n()}",
        recipient=f"r{_n()}@example.net",
        language="de",
        template="intake/mail/enquiry_received",
        context={"centre": centre},
    ),
    "volunteer-list": lambda centre, staff: volunteer(centre),
    "starterassignment-list": lambda centre, staff: assignment(centre),
    "sessionlog-list": lambda centre, staff: session_log(centre),
    "recruitmentneed-list": lambda centre, staff: every(RecruitmentNeed).create(
        centre=centre, kind="topic", key=f"topic:{_n()}", topic=TopicFactory(centre=centre), raised_at=NOW
    ),
}
QUERY = {"planner-list": "?week=2026-11-30"}


def list_routes() -> dict[str, str]:
    """Every endpoint under /api/v1/ that lists with GET: its name and path."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and getattr(pattern.callback, "actions", {}).get("get") == "list":
                yield pattern.name, prefix + str(pattern.pattern)

    routes = {}
    for name, path in walk(get_resolver().url_patterns):
        if path.startswith("api/v1/") and "(?P<format>" not in path:
            routes[name] = "/" + path.replace("^", "").replace("$", "")
    return routes


def test_every_list_endpoint_has_a_query_budget():
    assert set(list_routes()) - set(MAKERS) == set()


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_a_list_costs_the_same_for_one_item_and_three(name, api_admin_a, centre_admin_a, centre_a, frozen_now):
    frozen_now(NOW)
    path = list_routes()[name] + QUERY.get(name, "")

    def count() -> int:
        caching.clear()  # calendar answers are cached (meetings.caching): measure them being made
        with CaptureQueriesContext(connection) as queries:
            answer = api_admin_a.get(path)
        assert answer.status_code == 200, (path, answer.content[:300])
        return len(queries)

    MAKERS[name](centre_a, centre_admin_a)
    api_admin_a.get(path)  # anything made once per centre on first use
    one = count()
    MAKERS[name](centre_a, centre_admin_a)
    MAKERS[name](centre_a, centre_admin_a)
    assert count() == one, f"{path} queries per item"
    assert timezone.now() == NOW


def group_request(centre):
    return every(GroupRequest).create(centre=centre, group=group(centre), kind="other", message="Bitte")


def phone_notice(centre, *, told=False):
    """A member to tell by phone about a cancelled meeting (ticked as told, with `told`)."""
    from meetings.models import PhoneNotice
    from tests.factories import MembershipFactory, PersonFactory

    member = MembershipFactory(group=group(centre), person=PersonFactory(centre=centre, email="", phone="0511 1234"))
    later = meeting(centre, group=member.group)
    return every(PhoneNotice).create(
        centre=centre,
        membership=member,
        change=f"test-{member.pk}",
        meeting=later,
        until=later.ends_at,
        told_at=NOW if told else None,
    )


def dashboard_items(centre, staff):
    """What the dashboard shows: a meeting today, an enquiry, a group waiting for starters, a
    starting group whose starter could phase out, a newsletter going out, an event coming up."""
    meeting(centre, title="Today")
    event(centre)
    enquiry(centre)
    waiting = group(centre)
    every(RecruitmentNeed).create(centre=centre, kind="group", key=f"group:{waiting.pk}", group=waiting, raised_at=NOW)
    started = assignment(centre)
    started.group.status = "starting"
    started.group.save(update_fields=["status"])
    group_request(centre)
    phone_notice(centre)
    sending = issue(centre)
    sending.status = "sending"
    sending.save(update_fields=["status"])


def year_items(centre):
    """One more of what the year's report counts: an enquiry, a group, a meeting held, hours."""
    enquiry(centre)
    made = session_log(centre)
    every(Meeting).filter(pk=made.meeting_id).update(
        starts_at=NOW - timedelta(days=3 + _n()), ends_at=NOW - timedelta(days=2)
    )


def event(centre):
    """An event with a place taken and someone waiting."""
    from events.services.events import event_create
    from events.services.registrations import registration_add

    start = NOW + timedelta(days=2, hours=_n())
    made = event_create(
        actor=None,
        centre=centre,
        kind="information",
        audience="public",
        title=f"Infoabend {_n()}",
        places=1,
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
        room=RoomFactory(location__centre=centre),
    )
    for _ in range(2):
        registration_add(actor=None, event=made, name="Gast", email=f"gast{_n()}@example.net", language="de")
    return made


QUERIES = {"room-planner": "?week=2026-11-30", "workspace-report-list": "?year=2026&figure=enquiries"}

PAGES = {
    "workspace": dashboard_items,
    "workspace-intake": lambda centre, staff: enquiry(centre),
    "workspace-volunteers": lambda centre, staff: volunteer(centre),
    "workspace-groups": lambda centre, staff: group(centre),
    "workspace-newsletters": lambda centre, staff: issue(centre),
    "outbox": MAKERS["outgoingmail-list"],
    "room-planner": MAKERS["planner-list"],
    "group-finder": lambda centre, staff: meeting(centre, group=group(centre)),
    "group-directory": lambda centre, staff: meeting(centre, group=group(centre)),
    "workspace-closures": MAKERS["closure-list"],
    "workspace-staff": MAKERS["staffrole-list"],
    "workspace-reports": lambda centre, staff: year_items(centre),
    "workspace-report-list": lambda centre, staff: enquiry(centre),
    "workspace-group-requests": lambda centre, staff: group_request(centre),
    "workspace-phone-notices": lambda centre, staff: [phone_notice(centre), phone_notice(centre, told=True)],
    "workspace-events": lambda centre, staff: event(centre),
    "events": lambda centre, staff: event(centre),
}

INSTALLATION_PAGES = {"group-directory"}  # pages of the whole installation, not of one centre


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_list_page_costs_the_same_for_one_item_and_three(name, client, centre_admin_a, centre_a, frozen_now):
    from django.urls import reverse

    frozen_now(NOW)
    client.force_login(centre_admin_a)
    path = reverse(name, args=[] if name in INSTALLATION_PAGES else [centre_a.slug]) + QUERIES.get(name, "")

    def count() -> int:
        caching.clear()
        with CaptureQueriesContext(connection) as queries:
            answer = client.get(path)
        assert answer.status_code == 200, path
        return len(queries)

    PAGES[name](centre_a, centre_admin_a)
    client.get(path)
    one = count()
    PAGES[name](centre_a, centre_admin_a)
    PAGES[name](centre_a, centre_admin_a)
    client.get(path)  # once after a change, a page may rebuild what it reads (the finder's directory)
    assert count() == one, f"{path} queries per item"
