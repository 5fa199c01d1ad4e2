"""The centre's year: every figure against a small data set whose answers were counted by hand
(in the comments), the list behind a figure, the exports, and refusals. The clock is frozen for
the whole test, so every row is stamped by the same clock the report reads."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from intake.models import Enquiry
from meetings.models import Closure, Meeting, OpeningHours, TopicCategory
from meetings.services.groups import group_create, group_transition
from notifications.models import NewsletterIssue, NewsletterList, Subscription, SuppressedAddress
from tests.factories import CentreFactory, PersonFactory, RoomFactory, StaffRoleFactory, TopicFactory, every
from volunteers.models import SessionLog, StarterAssignment, Volunteer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)
YEAR = "?year=2026"


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=BERLIN)


@pytest.fixture
def year(centre_a, centre_b, frozen_now):
    """The hand-counted year 2026 of centre A (and a little of 2025, and of centre B)."""
    psychosocial = TopicCategory.objects.get(code="psychosocial")
    addiction_category = TopicCategory.objects.get(code="addiction")
    grief = TopicFactory(centre=centre_a, name="Trauer", category=psychosocial)
    addiction = TopicFactory(centre=centre_a, name="Sucht", category=addiction_category)
    room = RoomFactory(location__centre=centre_a, location__name="Haus", name="Linde")
    every(OpeningHours).create(centre=centre_a, room=room, weekday=1, opens=time(10), closes=time(14))  # Tuesdays
    # The house shuts for Christmas (two Tuesdays of 2026); another room's closure changes nothing here.
    every(Closure).create(
        centre=centre_a,
        location=room.location,
        starts_on=date(2026, 12, 21),
        ends_on=date(2027, 1, 3),
        reason="Weihnachten",
    )
    other = RoomFactory(location__centre=centre_a, name="Ahorn")
    every(Closure).create(
        centre=centre_a, room=other, starts_on=date(2026, 6, 1), ends_on=date(2026, 6, 30), reason="Umbau"
    )

    def enquiry(created, channel, topics, status, **values):
        made = every(Enquiry).create(
            centre=values.pop("centre", centre_a),
            person=PersonFactory(centre=centre_a),
            channel=channel,
            language="de",
            status=status,
            created_at=created,
            status_changed_at=created,
            **values,
        )
        made.topics.set(topics)
        return made

    # Enquiries received in 2026: 1 web, 2 phone, 1 e-mail.
    enquiry(at(date(2026, 1, 10)), "web", [grief], "placed", finished_at=at(date(2026, 2, 1)),
            first_contact_after=timedelta(days=1), conversation_at=at(date(2026, 1, 20)))  # fmt: skip
    enquiry(at(date(2026, 1, 20)), "phone", [grief], "waiting", waiting_topic=grief, waiting_since=date(2026, 3, 1),
            first_contact_after=timedelta(days=3), conversation_at=at(date(2026, 1, 25)))  # fmt: skip
    enquiry(at(date(2026, 3, 5)), "phone", [grief, addiction], "referred", finished_at=at(date(2026, 3, 20)),
            first_contact_after=timedelta(hours=12))  # fmt: skip
    enquiry(at(date(2026, 3, 6)), "email", [], "new")
    # Not counted in 2026: the year before, one waiting for its address, another centre's.
    enquiry(at(date(2025, 6, 1)), "in_person", [addiction], "closed", finished_at=at(date(2025, 7, 1)))
    enquiry(at(date(2026, 4, 1)), "web", [grief], "new", awaiting_confirmation=True)
    enquiry(at(date(2026, 4, 2)), "web", [], "new", centre=centre_b)

    def steps(name, topic, *moves, **values):
        """Found the group on the first day, then take each (day, status, end reason) step."""
        frozen_now(at(moves[0]))
        group = group_create(actor=None, centre=centre_a, name=name, topic=topic, **values)
        for day, status, *why in moves[1:]:
            frozen_now(at(day))
            group_transition(actor=None, group=group, status=status, end_reason=(why or [""])[0])
        return group

    g1 = steps("G1", grief, date(2025, 5, 1), (date(2025, 6, 1), "starting"), (date(2025, 12, 1), "self_run"))
    g2 = steps("G2", addiction, date(2026, 2, 1), (date(2026, 2, 15), "starting"), (date(2026, 4, 1), "self_run"),
               age_band="18-35")  # fmt: skip
    g3 = steps("G3", grief, date(2026, 3, 1), (date(2026, 3, 10), "starting"), (date(2026, 5, 1), "self_run"),
               (date(2026, 8, 1), "paused"), age_band="60+")  # fmt: skip
    steps("G4", addiction, date(2024, 1, 1), (date(2025, 11, 1), "closed", "not_needed"))
    steps("G5", grief, date(2025, 3, 1), (date(2025, 4, 1), "starting"), (date(2026, 6, 1), "closed", "too_few"))
    frozen_now(NOW)

    def meeting(group, day, hour, minutes, status="scheduled", title=""):
        start = at(day, hour)
        return every(Meeting).create(
            centre=centre_a, group=group, room=room, title=title, status=status, starts_at=start,
            ends_at=start + timedelta(minutes=minutes), uid=f"m-{group and group.pk}-{day}-{hour}",
        )  # fmt: skip

    meeting(g1, date(2026, 1, 13), 10, 120)  # held
    meeting(g1, date(2026, 1, 20), 10, 120, status="cancelled")
    g3_meeting = meeting(g3, date(2026, 3, 17), 18, 90)  # held
    meeting(g2, date(2026, 9, 15), 10, 120)  # held: G2 still met 6 months after its phase-out
    meeting(g2, date(2026, 12, 20), 10, 120)  # booked, not yet held
    meeting(g3, date(2026, 10, 20), 10, 90)  # booked while G3 was paused: its series went on, it did not meet
    meeting(None, date(2026, 3, 3), 10, 60, title="Infoabend")  # a booking, not a group meeting
    meeting(g1, date(2025, 1, 14), 10, 120)  # the year before

    volunteer = every(Volunteer).create(centre=centre_a, person=PersonFactory(centre=centre_a), status="active")

    def assignment(group, starts_on, **values):
        return every(StarterAssignment).create(
            centre=centre_a, volunteer=volunteer, group=group, starts_on=starts_on, planned_meetings=8, **values
        )

    assignment(g2, date(2026, 2, 15), status="ended", ended_on=date(2026, 4, 1))
    g3_start = assignment(g3, date(2026, 3, 10), status="ended", ended_on=date(2026, 5, 1))
    assignment(g1, date(2026, 7, 1), is_crisis=True)
    assignment(g1, date(2025, 6, 1), status="ended", ended_on=date(2025, 12, 1))
    every(SessionLog).create(centre=centre_a, assignment=g3_start, meeting=g3_meeting, hours=Decimal("1.5"))

    newsletter = every(NewsletterList).create(centre=centre_a, name="Rundbrief")

    def subscription(confirmed=None, unsubscribed=None, status="confirmed"):
        person = PersonFactory(centre=centre_a)
        every(Subscription).create(
            centre=centre_a, newsletter=newsletter, person=person, status=status,
            confirmed_at=confirmed, unsubscribed_at=unsubscribed,
        )  # fmt: skip
        return person

    subscription(at(date(2025, 5, 1)))
    subscription(at(date(2026, 2, 1)), at(date(2026, 6, 1)), status="unsubscribed")
    bounced = subscription(at(date(2026, 3, 1)))
    subscription(status="pending")
    frozen_now(at(date(2026, 10, 1)))
    every(SuppressedAddress).create(centre=centre_a, email=bounced.email, reason="bounced")
    every(SuppressedAddress).create(centre=centre_a, email="stranger@example.net", reason="bounced")
    frozen_now(NOW)
    every(NewsletterIssue).create(
        centre=centre_a, newsletter=newsletter, title="Frühjahr", status="sent", started_at=at(date(2026, 4, 1))
    )
    every(NewsletterIssue).create(centre=centre_a, newsletter=newsletter, title="Entwurf")
    return {"room": room, "grief": grief, "addiction": addiction}


@pytest.fixture
def coordinator(client, coordinator_a):
    client.force_login(coordinator_a)
    return client


def sections(client, centre, query=YEAR):
    answer = client.get(f"/centres/{centre.slug}/workspace/reports/{query}")
    assert answer.status_code == 200
    return {section.key: section for section in answer.context["sections"]}


def figures(section):
    return {label: cell.value for label, cell in section.figures}


def table(section, key):
    found = next(table for table in section.tables if table.key == key)
    return {label: [cell.value for cell in cells] for label, cells in found.rows}


def test_the_enquiries_of_the_year(coordinator, centre_a, year):
    enquiries = sections(coordinator, centre_a)["enquiries"]
    assert figures(enquiries) == {
        "Enquiries received": 4,
        "Days to first contact (median)": 1.0,  # of 1 day, 3 days and 12 hours
        "Answered within two days": "50 %",  # 1 day and 12 hours, of those three and the one still new
        "Waiting for a first answer": 1,
        "Intake conversations held": 2,
        "Placed in a group": 1,
        "Referred elsewhere": 1,
    }
    assert table(enquiries, "enquiries-channel") == {"Web form": [1], "E-mail": [1], "Phone": [2]}
    assert table(enquiries, "enquiries-topic") == {"Trauer": [3], "Sucht": [1], "No topic": [1]}
    assert table(enquiries, "enquiries-category") == {"Psychosocial topics": [3], "Addiction": [1], "No category": [1]}
    assert table(enquiries, "enquiries-outcome") == {
        "New": [1],
        "Placed in a group": [1],
        "On a waiting list": [1],
        "Referred elsewhere": [1],
    }
    chart = next(t for t in enquiries.tables if t.key == "enquiries-channel").chart
    assert chart.months[0] == "2026-01"
    assert len(chart.months) == 12
    assert dict(chart.series)["Phone"][:3] == [1, 0, 1]
    assert chart.before[5] == 1  # June 2025: the one enquiry of the year before


def test_waiting_lists_groups_meetings_rooms(coordinator, centre_a, year):
    report = sections(coordinator, centre_a)
    assert figures(report["waiting"]) == {"People waiting": 1, "Days waited (median)": 289, "Longest wait in days": 289}
    groups = report["groups"]
    assert figures(groups) == {"Supported": 4, "Founded": 2, "Paused": 1, "Ended": 1}  # G1 G2 G3 G5; G2 G3; G3; G5
    assert table(groups, "groups-category") == {"Psychosocial topics": [3, 1, 1, 1], "Addiction": [1, 1, 0, 0]}
    assert table(groups, "groups-age_band") == {
        "Any age": [2, 0, 0, 1],
        "18 to 35": [1, 1, 0, 0],
        "60 and over": [1, 1, 1, 0],
    }
    assert table(groups, "groups-ended") == {"Too few members": [1]}
    meetings = report["meetings"]
    # Held: 13 Jan, 17 Mar, 15 Sep (not 20 Oct: G3 was paused). Booked in the room: those,
    # 3 Mar (1 h), 20 Oct (1.5 h) and 20 Dec (2 h) = 10 h; open 4 h on each of 2026's 52 Tuesdays
    # less the two of the Christmas closure = 200 h; 10 / 200 = 5 %.
    assert figures(meetings) == {"Group meetings held": 3, "Hours booked in rooms": 10.0}
    months = table(meetings, "meetings-month")
    assert (months["2026-01"], months["2026-03"], months["2026-09"], months["2026-02"]) == ([1], [1], [1], [0])
    rooms = table(meetings, "rooms")
    assert rooms["Haus, Linde"] == [6, 10.0, 200.0, "5 %"]


def test_starters_hours_and_newsletter(coordinator, centre_a, year):
    report = sections(coordinator, centre_a)
    assert figures(report["starters"]) == {
        "Starts with a new group": 2,
        "Crisis spells with self-run groups": 1,
        "Groups phased out to run themselves": 2,  # G2 in April, G3 in May
        # G2 met in September; G3 met in October, but while paused (its series went on)
        "Still meeting 6 months after the phase-out": "1 of 2 (50 %)",
        "Still meeting 12 months after the phase-out": "–",  # not yet a year on
        "Volunteer hours": Decimal("1.5"),
        "Sessions logged": 1,
        "Volunteers who logged sessions": 1,
    }
    assert figures(report["newsletter"]) == {
        "Subscriptions at the end of the period": 2,
        "Newly confirmed": 2,
        "Unsubscribed": 1,
        "Addresses that bounced": 1,
        "Issues sent": 1,
    }


def test_a_quarter_counts_only_its_months(coordinator, centre_a, year):
    report = sections(coordinator, centre_a, "?year=2026&quarter=1")
    assert figures(report["enquiries"])["Enquiries received"] == 4
    assert figures(report["groups"])["Founded"] == 2
    assert figures(report["meetings"])["Group meetings held"] == 2
    assert figures(report["starters"])["Groups phased out to run themselves"] == 0
    custom = sections(coordinator, centre_a, "?start=2026-03-01&end=2026-03-31")
    assert figures(custom["enquiries"])["Enquiries received"] == 2


def lines(client, centre, link):
    answer = client.get(f"/centres/{centre.slug}/workspace/reports/list/?year=2026&{link}")
    assert answer.status_code == 200, answer.content.decode()
    return [line.text for line in answer.context["lines"]]


def test_each_figure_opens_the_list_behind_it(coordinator, centre_a, year):
    report = sections(coordinator, centre_a)
    every_link = [
        (cell.value, cell.link)
        for section in report.values()
        for cells in [[c for _l, c in section.figures]]
        + [cells for t in section.tables for _l, cells in t.rows]
        + [t.total or [] for t in section.tables]
        for cell in cells
        if cell.link and isinstance(cell.value, int)
    ]
    assert len(every_link) > 30
    for value, link in every_link:
        answer = coordinator.get(f"/centres/{centre_a.slug}/workspace/reports/list/?year=2026&{link}")
        assert answer.status_code == 200, link
        assert answer.context["page"].paginator.count == value, link
    phone = lines(coordinator, centre_a, "figure=enquiries&channel=phone")
    assert len(phone) == 2
    assert all(text.startswith("Enquiry #") for text in phone)
    assert lines(coordinator, centre_a, "figure=groups-ended&reason=too_few") == ["G5"]
    assert lines(coordinator, centre_a, "figure=meetings-held&month=2026-09") == ["G2"]


@pytest.mark.parametrize(
    "query",
    [
        "figure=nonsense",
        "figure=enquiries&colour=red",
        "figure=enquiries&topic=abc",
        "figure=enquiries&month=2031-01",
        "figure=placed&month=2026-01",
        "figure=enquiries&month=January",
        "figure=enquiries&year=1",
        "figure=enquiries&channel=%00",
        "figure=enquiries&channel=xyz",
        "figure=enquiries&outcome=%00",
        "figure=enquiries&topic=99999999999999999999999",
        "figure=enquiries&topic=-1",
        "figure=enquiries&month=2026-1",
        "figure=groups-ended&reason=bored",
        "figure=groups-supported&age_band=%00",
    ],
)
def test_a_list_link_not_made_by_the_report_is_refused(coordinator, centre_a, year, query):
    answer = coordinator.get(f"/centres/{centre_a.slug}/workspace/reports/list/?year=2026&{query}")
    assert answer.status_code == 400
    assert "lines" not in answer.context


def test_another_centres_staff_see_nothing(client, centre_a, year):
    outsider = StaffRoleFactory(centre=CentreFactory()).user
    client.force_login(outsider)
    assert client.get(f"/centres/{centre_a.slug}/workspace/reports/{YEAR}").status_code == 404
    assert client.get(f"/centres/{centre_a.slug}/workspace/reports/list/?year=2026&figure=enquiries").status_code == 404


def test_the_report_downloads_as_csv_xlsx_and_pdf(coordinator, centre_a, year):
    year["grief"].name = "=HYPERLINK(1)"
    year["grief"].save()
    url = f"/centres/{centre_a.slug}/workspace/reports/{YEAR}"
    csv = coordinator.get(url + "&download=csv&table=enquiries-topic")
    assert csv["Content-Disposition"] == 'attachment; filename="enquiries-topic-centre-a-2026-01-01_2026-12-31.csv"'
    assert csv.content.decode().splitlines() == ["Topic,Enquiries", "'=HYPERLINK(1),3", "Sucht,1", "No topic,1"]
    workbook = load_workbook(BytesIO(coordinator.get(url + "&download=xlsx").content))
    summary = workbook.worksheets[0]
    assert summary["A1"].value == "Kontaktstelle A"
    topics = next(sheet for sheet in workbook.worksheets if sheet.title.endswith("By topic"))
    assert [[cell.value for cell in row] for row in topics.iter_rows()] == [
        ["Topic", "Enquiries"],
        ["=HYPERLINK(1)", 3],
        ["Sucht", 1],
        ["No topic", 1],
    ]
    assert topics["A2"].data_type == "s"  # text, not a formula
    pdf = coordinator.get(url + "&download=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert len(pdf.content) > 5000
    assert coordinator.get(url + "&download=csv&table=nope").status_code == 400


def test_the_page_shows_charts_with_words_and_a_wrong_period_by_name(coordinator, centre_a, year):
    page = coordinator.get(f"/centres/{centre_a.slug}/workspace/reports/{YEAR}").content.decode()
    assert page.count('src="data:image/svg+xml;base64,') == 3
    assert "Enquiries per month, by channel: 4 in all, most in Jan (2)." in page
    wrong = coordinator.get(f"/centres/{centre_a.slug}/workspace/reports/?start=2026-12-01&end=2026-01-01")
    assert wrong.status_code == 400
    assert "The end comes before the start." in wrong.content.decode()
    half = coordinator.get(f"/centres/{centre_a.slug}/workspace/reports/?start=2026-12-01")
    assert half.status_code == 400
    assert "Give both days, or neither for a year." in half.content.decode()


def test_every_step_of_a_group_is_kept_with_its_date(centre_a, frozen_now):
    from meetings.models import GroupStep

    topic = TopicFactory(centre=centre_a)
    frozen_now(at(date(2026, 2, 1)))
    group = group_create(actor=None, centre=centre_a, name="Abendrunde", topic=topic)
    for day, status in ((date(2026, 2, 10), "starting"), (date(2026, 4, 1), "self_run"), (date(2026, 6, 1), "paused")):
        frozen_now(at(day))
        group_transition(actor=None, group=group, status=status)
    frozen_now(at(date(2026, 7, 1)))
    group_transition(actor=None, group=group, status="closed", end_reason="merged")
    steps = every(GroupStep).filter(group=group)
    assert [(s.previous, s.status, s.end_reason, s.at.astimezone(BERLIN).date()) for s in steps] == [
        ("", "forming", "", date(2026, 2, 1)),
        ("forming", "starting", "", date(2026, 2, 10)),
        ("starting", "self_run", "", date(2026, 4, 1)),
        ("self_run", "paused", "", date(2026, 6, 1)),
        ("paused", "closed", "merged", date(2026, 7, 1)),
    ]


def test_the_first_answer_to_an_enquiry_is_timed_once_and_outlives_anonymisation(centre_a, frozen_now):
    from intake.services.queue import enquiry_transition
    from intake.services.retention import enquiry_anonymise

    frozen_now(at(date(2026, 3, 2), 9))
    enquiry = every(Enquiry).create(
        centre=centre_a, person=PersonFactory(centre=centre_a), channel="phone", language="de",
        created_at=at(date(2026, 3, 2), 9), status_changed_at=at(date(2026, 3, 2), 9),
        conversation_at=at(date(2026, 3, 20), 15),
    )  # fmt: skip
    frozen_now(at(date(2026, 3, 4), 15))
    enquiry_transition(actor=None, enquiry=enquiry, to="contacted")
    frozen_now(at(date(2026, 3, 9), 15))
    enquiry_transition(actor=None, enquiry=enquiry, to="closed")
    enquiry.refresh_from_db()
    assert enquiry.first_contact_after == timedelta(days=2, hours=6)  # the first answer, not the last
    enquiry_anonymise(actor=None, enquiry=enquiry)
    enquiry.refresh_from_db()
    assert enquiry.first_contact_after == timedelta(days=2, hours=6)
    assert enquiry.conversation_at == at(date(2026, 3, 1), 0)  # only its month is left
    assert enquiry.person_id is None


def test_the_first_year_a_report_may_cover_has_no_year_before(coordinator, centre_a):
    report = sections(coordinator, centre_a, "?year=2000")
    chart = next(t for t in report["enquiries"].tables if t.key == "enquiries-channel").chart
    assert chart.before is None


def test_who_subscribed_again_counts_at_the_end_of_the_period(coordinator, centre_a, frozen_now):
    newsletter = every(NewsletterList).create(centre=centre_a, name="Rundbrief")
    person = PersonFactory(centre=centre_a)
    frozen_now(NOW)
    # Confirmed in March, left in May, confirmed again in July: the old unsubscribe stays recorded.
    every(Subscription).create(
        centre=centre_a, newsletter=newsletter, person=person, status="confirmed",
        confirmed_at=at(date(2026, 7, 1)), unsubscribed_at=at(date(2026, 5, 1)),
    )  # fmt: skip
    reach = figures(sections(coordinator, centre_a)["newsletter"])
    assert reach["Subscriptions at the end of the period"] == 1
    assert reach["Unsubscribed"] == 1


def test_a_group_meets_again_once_its_pause_ends(coordinator, centre_a, frozen_now):
    topic = TopicFactory(centre=centre_a)
    room = RoomFactory(location__centre=centre_a)
    frozen_now(at(date(2026, 2, 1)))
    group = group_create(actor=None, centre=centre_a, name="Pausenkreis", topic=topic)
    for day, status in ((date(2026, 2, 2), "starting"), (date(2026, 8, 1), "paused"), (date(2026, 9, 1), "starting")):
        frozen_now(at(day))
        group_transition(actor=None, group=group, status=status)
    frozen_now(NOW)
    for day in (date(2026, 7, 28), date(2026, 8, 11), date(2026, 9, 15)):  # before, during, after
        every(Meeting).create(
            centre=centre_a, group=group, room=room, starts_at=at(day), ends_at=at(day, 12), uid=f"p-{day}"
        )
    report = sections(coordinator, centre_a)
    assert figures(report["meetings"])["Group meetings held"] == 2
    held = lines(coordinator, centre_a, "figure=meetings-held")
    assert held == ["Pausenkreis", "Pausenkreis"]
