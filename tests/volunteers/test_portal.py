"""The volunteer portal: login by e-mailed link or password, my groups and meetings, logging a
session (with the member-name warning), hours per month, answering requests."""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from centres.models import Person, StaffRole
from centres.scoping import all_centres_scope
from config.celery import app
from meetings.models import ContactPerson, Group, Meeting, Membership
from notifications.models import OutgoingMail
from tests.factories import GroupFactory, PersonFactory, every
from tests.volunteers.conftest import make_volunteer, without_csrf
from volunteers.models import SessionLog, StarterAssignment, StarterRequest, Volunteer
from volunteers.selectors import REQUEST_MAX_AGE, portal_volunteer_ids
from volunteers.services.accounts import (
    LINKS_PER_ADDRESS_PER_HOUR,
    LOGIN_LINK_MAX_AGE,
    portal_login_token_use,
    portal_user_for,
)
from volunteers.services.assignments import assignment_create
from volunteers.services.checklist import checklist_items
from volunteers.services.requests import starter_requests_send

pytestmark = pytest.mark.django_db


def confirmed(volunteer: Volunteer) -> Volunteer:
    every(Volunteer).filter(pk=volunteer.pk).update(email_confirmed_at=timezone.now())
    volunteer.refresh_from_db()
    return volunteer


def login_link(email: str) -> str:
    mails = every(OutgoingMail).select_related("content").filter(recipient=email, kind="system")
    links = [re.search(r"https?://[^/]+(/volunteer/login/\S+/)", mail.body_text) for mail in mails]
    return [match[1] for match in links if match][-1]


def ask_for_link(client, email: str):
    """Ask for a login link; the worker's task runs when the request's transaction commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/volunteer/login/", {"way": "link", "link-email": email})


@pytest.fixture(autouse=True)
def eager_tasks():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def vera(centre_a):
    with all_centres_scope():
        return confirmed(make_volunteer(centre_a, email="vera@example.net"))


@pytest.fixture
def portal(client, vera):
    """Vera logged in to the portal by link."""
    ask_for_link(client, vera.person.email)
    client.post(login_link(vera.person.email))
    return client


# --- login ----------------------------------------------------------------------------------------


def test_a_login_link_logs_in_once_and_the_answer_never_tells_if_known(client, vera):
    known = ask_for_link(client, "vera@example.net")
    unknown = ask_for_link(client, "nobody@example.net")
    assert without_csrf(known) == without_csrf(unknown)
    assert "If the address belongs to a confirmed volunteer" in known.content.decode()
    assert not every(OutgoingMail).filter(recipient="nobody@example.net").exists()
    link = login_link("vera@example.net")
    assert "Log in now" in client.get(link).content.decode()
    assert client.get("/volunteer/").status_code == 302  # the GET alone logs nobody in
    assert client.post(link).url == "/volunteer/"
    assert "My groups" in client.get("/volunteer/").content.decode()
    client.post("/volunteer/logout/")
    # Used once: the same link no longer works.
    assert client.post(link).status_code == 404
    assert client.get("/volunteer/").status_code == 302


def test_an_unconfirmed_or_retired_volunteer_gets_no_link(client, centre_a):
    with all_centres_scope():
        make_volunteer(centre_a, email="new@example.net")
        confirmed(make_volunteer(centre_a, status="retired", email="old@example.net"))
    ask_for_link(client, "new@example.net")
    ask_for_link(client, "old@example.net")
    assert not every(OutgoingMail).filter(kind="system").exists()


def test_a_forged_or_expired_link_does_not_log_in(client, vera, monkeypatch):
    assert client.post("/volunteer/login/forged/").status_code == 404
    ask_for_link(client, vera.person.email)
    link = login_link(vera.person.email)
    later = __import__("time").time() + LOGIN_LINK_MAX_AGE + 1
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    assert client.post(link).status_code == 404
    assert client.get("/volunteer/").status_code == 302


def test_a_magic_link_never_opens_a_staff_login(client, vera, centre_a):
    with all_centres_scope():
        user = portal_user_for(volunteer=vera)
    StaffRole.objects.create(user=user, centre=centre_a, role=StaffRole.Role.COORDINATOR)
    ask_for_link(client, vera.person.email)
    assert not every(OutgoingMail).filter(recipient=vera.person.email).exists()


def test_password_login_after_setting_one_and_wrong_passwords_lock_out(portal, client, vera, settings):
    page = portal.post(
        "/volunteer/password/", {"new_password1": "quiet harbour lamp", "new_password2": "quiet harbour lamp"}
    )
    assert page.url == "/volunteer/?password=1"
    portal.post("/volunteer/logout/")
    fields = {"way": "password", "password-email": "VERA@example.net", "password-password": "quiet harbour lamp"}
    assert client.post("/volunteer/login/", fields).url == "/volunteer/"
    client.post("/volunteer/logout/")
    wrong = client.post("/volunteer/login/", {**fields, "password-password": "nope"})
    assert (wrong.status_code, "password is wrong" in wrong.content.decode()) == (400, True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/volunteer/login/", {**fields, "password-password": "nope"})
    locked = client.post("/volunteer/login/", fields)
    assert (locked.status_code, "Too many failed attempts" in locked.content.decode()) == (429, True)
    assert client.get("/volunteer/").status_code == 302


def test_a_staff_user_is_not_let_into_the_portal(client, coordinator_a):
    client.force_login(coordinator_a)
    assert client.get("/volunteer/").url == "/volunteer/login/?next=%2Fvolunteer%2F"


# --- the portal -----------------------------------------------------------------------------------


@pytest.fixture
def starting(vera, weekly_series, centre_a, frozen_now):
    """Vera starts the Tuesday group from 2026-12-01; now is after its first two meetings."""
    group = weekly_series.group
    with all_centres_scope():
        every(Group).filter(pk=group.pk).update(status="starting")
        assignment = assignment_create(actor=None, group=group, volunteer=vera, starts_on=date(2026, 12, 1))
        member = PersonFactory(centre=centre_a, display_name="Hannelore", full_name="Hannelore Schmidt")
        every(Membership).create(centre=centre_a, group=group, person=member, joined_on=date(2026, 11, 1))
    frozen_now(datetime(2026, 12, 9, 9, 0, tzinfo=UTC))
    return assignment


def log_form_key(page) -> str:
    return re.search(r'<option value="(\d+-\d+)"', page.content.decode())[1]


def test_the_portal_shows_my_groups_meetings_and_checklist(starting, portal):
    page = portal.get("/volunteer/").content.decode()
    assert starting.group.name in page
    with all_centres_scope():
        assert checklist_items(starting.centre)[0].text in page
    assert "15 December 2026, 19:00" in page  # 24-hour and the day first, as in every language
    assert "2 meetings are waiting for your log" in page


def test_logging_a_session_in_the_portal_warns_about_a_members_name(starting, portal):
    form = portal.get("/volunteer/log/")
    key = log_form_key(form)
    with all_centres_scope():
        item = checklist_items(starting.centre)[1]
    data = {"meeting": key, "hours": "2.5", "checklist": [str(item.pk)], "notes": "Hannelore spoke a lot."}
    warned = portal.post("/volunteer/log/", data)
    assert warned.status_code == 400
    assert "may name a member of the group" in warned.content.decode()
    assert "“Hannelore”" not in warned.content.decode()  # which name matched is not said (no name oracle)
    assert not every(SessionLog).exists()
    saved = portal.post("/volunteer/log/", {**data, "notes": "One member spoke a lot."})
    assert saved.url == "/volunteer/?logged=1"
    with all_centres_scope():
        log = every(SessionLog).get()
        assert (log.hours, log.assignment_id, list(log.checklist.all())) == (Decimal("2.50"), starting.pk, [item])
    home = portal.get("/volunteer/").content.decode()
    assert "1 meeting is waiting for your log" in home
    assert "2026-12" in home
    assert "2.50" in home


def test_another_volunteers_meeting_cannot_be_logged_or_seen(starting, portal, centre_a):
    with all_centres_scope():
        other = confirmed(make_volunteer(centre_a, email="otto@example.net"))
        second = assignment_create(actor=None, group=starting.group, volunteer=other, starts_on=date(2026, 12, 1))
        meeting = every(Meeting).filter(group=starting.group).order_by("starts_at").first()
    forged = portal.post("/volunteer/log/", {"meeting": f"{second.pk}-{meeting.pk}", "hours": "2"})
    assert forged.status_code == 400
    assert not every(SessionLog).exists()


def test_a_request_is_answered_in_the_portal_and_only_by_its_volunteer(weekly_series, portal, vera, centre_a):
    group = weekly_series.group
    with all_centres_scope():
        vera.topics.set([group.topic])
        other = confirmed(make_volunteer(centre_a, email="otto@example.net", topics=[group.topic]))
        mine, theirs = sorted(
            starter_requests_send(actor=None, group=group, limit=2), key=lambda r: r.volunteer_id != vera.pk
        )
    assert other.pk == theirs.volunteer_id
    assert "needs a starter" in portal.get("/volunteer/").content.decode()
    assert portal.post(f"/volunteer/requests/{theirs.pk}/", {"answer": "accept"}).status_code == 404
    answered = portal.post(f"/volunteer/requests/{mine.pk}/", {"answer": "accept"})
    assert "starter now" in answered.content.decode()
    with all_centres_scope():
        assert every(StarterRequest).get(pk=theirs.pk).status == "pending"
        assert every(StarterAssignment).get(group=group).volunteer_id == vera.pk


def test_one_login_serves_the_same_address_at_two_centres(client, vera, centre_b):
    with all_centres_scope():
        there = confirmed(make_volunteer(centre_b, email="vera@example.net"))
    ask_for_link(client, "vera@example.net")
    client.post(login_link("vera@example.net"))
    with all_centres_scope():
        assert every(Volunteer).get(pk=there.pk).user_id == every(Volunteer).get(pk=vera.pk).user_id
    assert get_user_model().objects.filter(volunteers__isnull=False).distinct().count() == 1


# --- the portal API -------------------------------------------------------------------------------


def test_the_portal_api_logs_a_session_and_reports_hours(starting, portal):
    to_log = portal.get("/api/v1/portal/meetings-to-log/").json()
    assert [meeting["assignment"] for meeting in to_log] == [starting.pk, starting.pk]
    oldest = to_log[-1]
    payload = {"assignment": starting.pk, "meeting": oldest["id"], "hours": "2.00", "notes": "Hannelore Schmidt cried"}
    warned = portal.post("/api/v1/portal/session-logs/", payload, content_type="application/json")
    assert warned.status_code == 400
    warning = warned.json()["error"]["fields"]["notes"][0]
    assert "may name a member" in warning
    assert "Hannelore" not in warning
    created = portal.post(
        "/api/v1/portal/session-logs/", {**payload, "notes": "calm evening"}, content_type="application/json"
    )
    assert created.status_code == 201
    assert (created.json()["meeting"], created.json()["hours"]) == (oldest["id"], "2.00")
    again = portal.post("/api/v1/portal/session-logs/", payload, content_type="application/json")
    assert again.status_code == 400
    assert again.json()["error"]["fields"] == {"meeting": [again.json()["error"]["message"]]}
    assert portal.get("/api/v1/portal/hours/").json() == [{"month": "2026-12", "sessions": 1, "hours": "2.00"}]
    assignments = portal.get("/api/v1/portal/assignments/").json()
    assert [(a["id"], a["status"], len(a["checklist"])) for a in assignments] == [(starting.pk, "active", 5)]
    upcoming = portal.get("/api/v1/portal/meetings/").json()
    assert upcoming[0]["starts_at"] == "2026-12-15T19:00:00+01:00"


def test_the_portal_api_refuses_others_assignments_and_bad_input(starting, portal, centre_a):
    with all_centres_scope():
        other = confirmed(make_volunteer(centre_a, email="otto@example.net"))
        theirs = assignment_create(actor=None, group=starting.group, volunteer=other, starts_on=date(2026, 12, 1))
    meeting = portal.get("/api/v1/portal/meetings-to-log/").json()[0]["id"]
    foreign = portal.post(
        "/api/v1/portal/session-logs/",
        {"assignment": theirs.pk, "meeting": meeting, "hours": "2"},
        content_type="application/json",
    )
    assert (foreign.status_code, list(foreign.json()["error"]["fields"])) == (400, ["assignment"])
    bad = portal.post(
        "/api/v1/portal/session-logs/",
        {"assignment": starting.pk, "meeting": meeting, "hours": "99", "checklist": [2**62]},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "hours" in bad.json()["error"]["fields"]
    assert portal.post("/api/v1/portal/requests/99999999/answer/", {"answer": "accept"}).status_code == 404
    assert not every(SessionLog).exists()


def test_the_portal_api_is_closed_to_staff_and_anonymous(client, coordinator_a, api_a):
    assert client.get("/api/v1/portal/assignments/").status_code in (401, 403)
    assert api_a.get("/api/v1/portal/assignments/").status_code == 403


def test_the_portal_does_not_query_per_group(portal, vera, centre_a):
    """Pages and lists of the portal cost the same with one group and with three."""

    def add_group_with_request():
        with all_centres_scope():
            group = GroupFactory(centre=centre_a)
            assignment_create(actor=None, group=group, volunteer=vera, starts_on=date(2026, 12, 1))
            other = GroupFactory(centre=centre_a)
            every(StarterRequest).create(centre=centre_a, group=other, volunteer=vera)

    def counts() -> list[int]:
        result = []
        for path in ["/volunteer/", "/volunteer/log/", *(f"/api/v1/portal/{name}/" for name in PORTAL_LISTS)]:
            with CaptureQueriesContext(connection) as queries:
                assert portal.get(path).status_code == 200
            result.append(len(queries))
        return result

    add_group_with_request()
    counts()  # the first visit makes the centre's default checklist
    one = counts()
    add_group_with_request()
    add_group_with_request()
    assert counts() == one


PORTAL_LISTS = ["assignments", "meetings", "meetings-to-log", "session-logs", "hours", "requests"]


# --- review findings: address changes, staff views, timing, races, stale requests ------------------


def test_a_changed_address_no_longer_opens_the_old_login(client, vera, centre_b):
    """Vera volunteers at two centres under one address; centre B changes its record's address.
    A link to the new address must not open Vera's login (which reaches centre A's data)."""
    with all_centres_scope():
        there = confirmed(make_volunteer(centre_b, email="vera@example.net"))
    ask_for_link(client, "vera@example.net")
    client.post(login_link("vera@example.net"))
    client.post("/volunteer/logout/")
    every(Person).filter(pk=there.person_id).update(email="someone.else@example.net")
    ask_for_link(client, "someone.else@example.net")
    client.post(login_link("someone.else@example.net"))
    with all_centres_scope():
        vera_login = every(Volunteer).get(pk=vera.pk).user
        other_login = every(Volunteer).get(pk=there.pk).user
        assert other_login.pk != vera_login.pk
        assert other_login.email == "someone.else@example.net"
        # The old login reaches only the record still at its address.
        assert portal_volunteer_ids(vera_login) == [vera.pk]


def test_staff_never_see_a_login_link_in_the_outbox(client, vera, centre_a, coordinator_a):
    ask_for_link(client, vera.person.email)
    link = login_link(vera.person.email)
    client.force_login(coordinator_a)
    for page in (f"/centres/{centre_a.slug}/outbox/", f"/admin/notifications/outgoingmail/{mail_id(vera)}/change/"):
        shown = client.get(page).content.decode()
        assert "[hidden: this mail holds a personal link]" in shown
        assert link not in shown
        assert link.split("/")[-2][:20] not in shown


def mail_id(volunteer) -> int:
    return every(OutgoingMail).get(recipient=volunteer.person.email, kind="system").pk


def test_asking_for_a_link_costs_the_same_for_known_and_unknown_addresses(client, vera):
    measured = []
    for email in ("vera@example.net", "nobody@example.net"):
        with CaptureQueriesContext(connection) as queries, TestCase.captureOnCommitCallbacks() as callbacks:
            client.post("/volunteer/login/", {"way": "link", "link-email": email})
        measured.append((len(queries), len(callbacks)))
    assert measured[0] == measured[1]
    assert measured[0][1] == 1  # the worker's task, for both


def test_an_address_gets_at_most_five_links_an_hour(client, vera):
    for _ in range(LINKS_PER_ADDRESS_PER_HOUR + 3):
        ask_for_link(client, vera.person.email)
    assert every(OutgoingMail).filter(recipient=vera.person.email).count() == LINKS_PER_ADDRESS_PER_HOUR


def test_a_link_is_spent_by_the_first_use(client, vera):
    ask_for_link(client, vera.person.email)
    token = login_link(vera.person.email).split("/")[-2]
    with all_centres_scope():
        assert portal_login_token_use(token) is not None
        assert portal_login_token_use(token) is None
    assert client.post(login_link(vera.person.email)).status_code == 404


def test_a_request_older_than_its_link_cannot_be_accepted_in_the_portal(weekly_series, portal, vera):
    group = weekly_series.group
    with all_centres_scope():
        vera.topics.set([group.topic])
        (request,) = starter_requests_send(actor=None, group=group, limit=1)
        long_ago = timezone.now() - timedelta(seconds=REQUEST_MAX_AGE + 60)
        every(StarterRequest).filter(pk=request.pk).update(created_at=long_ago)
    answered = portal.post(f"/volunteer/requests/{request.pk}/", {"answer": "accept"})
    assert "no longer open" in answered.content.decode()
    with all_centres_scope():
        assert every(StarterRequest).get(pk=request.pk).status == "expired"
        assert not every(StarterAssignment).filter(group=group).exists()


def test_the_portals_forms_point_only_at_ids_they_have(portal, starting):
    from tests.html_references import broken_references

    for path in ("/volunteer/", "/volunteer/log/", "/volunteer/password/"):
        response = portal.get(path)
        assert response.status_code == 200, path
        assert broken_references(response.content.decode()) == [], path


def test_ticking_the_contact_person_step_records_whom_the_group_chose(starting, portal):
    with all_centres_scope():
        step = next(item for item in checklist_items(starting.centre) if item.records_contact_person)
        hannelore = every(Membership).get(group=starting.group)
        every(Person).filter(pk=hannelore.person_id).update(email="hannelore@example.net")
    form = portal.get("/volunteer/log/")
    assert f"{starting.group.name} · Hannelore" in form.content.decode()
    data = {"meeting": log_form_key(form), "hours": "2", "checklist": [str(step.pk)], "notes": ""}
    refused = portal.post("/volunteer/log/", data)
    assert refused.status_code == 400
    assert "Say whom the group chose as its contact person." in refused.content.decode()
    assert not every(SessionLog).exists()
    saved = portal.post("/volunteer/log/", {**data, "contact_person": str(hannelore.pk)})
    assert saved.url == "/volunteer/?logged=1"
    with all_centres_scope():
        contact = every(ContactPerson).get()
        assert contact.membership_id == hannelore.pk
        assert every(OutgoingMail).filter(recipient="hannelore@example.net", sensitive=True).count() == 1
    # Once chosen, the portal no longer lists the group's members.
    assert "Hannelore" not in portal.get("/volunteer/log/").content.decode()


def test_a_member_of_another_group_cannot_be_recorded(starting, portal, centre_a):
    with all_centres_scope():
        elsewhere = GroupFactory(centre=centre_a, name="Andere")
        outsider = every(Membership).create(
            centre=centre_a, group=elsewhere, person=PersonFactory(centre=centre_a), joined_on=date(2026, 11, 1)
        )
    with all_centres_scope():
        step = next(item for item in checklist_items(starting.centre) if item.records_contact_person)
    form = portal.get("/volunteer/log/")
    data = {
        "meeting": log_form_key(form),
        "hours": "2",
        "checklist": [str(step.pk)],
        "contact_person": str(outsider.pk),
    }
    assert portal.post("/volunteer/log/", data).status_code == 400
    assert not every(ContactPerson).exists()


def test_a_crisis_spell_logs_against_its_own_checklist(vera, weekly_series, centre_a, frozen_now, portal):
    group = weekly_series.group
    with all_centres_scope():
        every(Group).filter(pk=group.pk).update(status="self_run")
        spell = assignment_create(actor=None, group=group, volunteer=vera, starts_on=date(2026, 12, 1))
    frozen_now(datetime(2026, 12, 9, 9, 0, tzinfo=UTC))
    assert spell.is_crisis
    home = portal.get("/volunteer/").content.decode()
    with all_centres_scope():
        assert checklist_items(centre_a, crisis=True)[0].text in home
    with all_centres_scope():
        assert checklist_items(centre_a)[0].text not in home  # the self-run checklist is not this one's
