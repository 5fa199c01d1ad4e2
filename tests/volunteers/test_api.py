"""The volunteers API: coordinators of the centre only, the pipeline through one action, clear
errors, and the two-starter limit holding when coordinators assign at the same moment."""

import threading
from datetime import UTC, date, datetime

import pytest
from django.db import connection

from centres.scoping import all_centres_scope
from config.errors import ConflictError
from tests.conftest import token_client
from tests.factories import every
from tests.volunteers.conftest import make_volunteer
from volunteers.models import StarterAssignment, Volunteer
from volunteers.services.assignments import assignment_create
from volunteers.services.sessions import session_log_create


@pytest.mark.django_db
def test_coordinators_see_only_their_centres_volunteers(api_a, centre_a, centre_b, anonymous_api):
    with all_centres_scope():
        mine = make_volunteer(centre_a, status="applicant")
        make_volunteer(centre_b, status="applicant")
    results = api_a.get("/api/v1/volunteers/").json()["results"]
    assert [item["id"] for item in results] == [mine.pk]
    assert anonymous_api.get("/api/v1/volunteers/").status_code in (401, 403)


@pytest.mark.django_db
def test_another_centres_volunteer_is_not_found(api_a, centre_b):
    with all_centres_scope():
        theirs = make_volunteer(centre_b, status="applicant")
    assert api_a.get(f"/api/v1/volunteers/{theirs.pk}/").status_code == 404
    response = api_a.post(f"/api/v1/volunteers/{theirs.pk}/transition/", {"to": "retired"}, format="json")
    assert response.status_code == 404
    with all_centres_scope():
        assert every(Volunteer).get(pk=theirs.pk).status == "applicant"


@pytest.mark.django_db
def test_the_pipeline_through_the_api_with_clear_errors(api_a, centre_a):
    with all_centres_scope():
        volunteer = make_volunteer(centre_a, status="applicant")
    url = f"/api/v1/volunteers/{volunteer.pk}/"
    refused = api_a.post(url + "transition/", {"to": "screened"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"] == {"screened_on": ["Give the date of the screening conversation."]}
    assert api_a.post(url + "transition/", {"to": "flying"}, format="json").status_code == 400
    done = api_a.post(url + "transition/", {"to": "screened", "screened_on": "2026-02-01"}, format="json")
    assert (done.status_code, done.json()["status"]) == (200, "screened")
    assert (
        api_a.post(url + "trainings/", {"course": "Starter", "completed_on": "2026-03-01"}, format="json").status_code
        == 201
    )
    assert api_a.post(url + "transition/", {"to": "trained"}, format="json").json()["status"] == "trained"
    skipped = api_a.post(url + "transition/", {"to": "retired"}, format="json")
    assert skipped.json()["status"] == "retired"
    again = api_a.post(url + "transition/", {"to": "active"}, format="json")
    assert again.status_code == 409


@pytest.mark.django_db
def test_assignments_and_suggestions_through_the_api(api_a, centre_a, weekly_series):
    group = weekly_series.group
    with all_centres_scope():
        first, second, third = (make_volunteer(centre_a, topics=[group.topic]) for _ in range(3))
    suggested = api_a.get(f"/api/v1/volunteers/suggestions/?group={group.pk}").json()
    assert {item["volunteer"] for item in suggested} == {first.pk, second.pk, third.pk}
    assert "would start groups on this topic" in suggested[0]["reasons"]
    for volunteer in (first, second):
        made = api_a.post(
            "/api/v1/starter-assignments/",
            {"group": group.pk, "volunteer": volunteer.pk, "starts_on": "2026-12-01"},
            format="json",
        )
        assert made.status_code == 201, made.json()
    third_try = api_a.post(
        "/api/v1/starter-assignments/",
        {"group": group.pk, "volunteer": third.pk, "starts_on": "2026-12-01"},
        format="json",
    )
    assert third_try.status_code == 409
    assert "at most two" in third_try.json()["error"]["message"]
    assert api_a.get("/api/v1/volunteers/suggestions/?group=abc").status_code == 400


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_assigning_the_last_place_at_once_give_one_starter(requires_postgres, centre_a, weekly_series):
    group = weekly_series.group
    with all_centres_scope():
        first = make_volunteer(centre_a)
        assignment_create(actor=None, group=group, volunteer=first, starts_on=date(2026, 12, 1))
        racers = [make_volunteer(centre_a) for _ in range(4)]
    barrier, outcomes = threading.Barrier(len(racers)), []

    def assign(volunteer) -> None:
        barrier.wait()
        try:
            with all_centres_scope():
                assignment_create(actor=None, group=group, volunteer=volunteer, starts_on=date(2026, 12, 1))
            outcomes.append("assigned")
        except ConflictError:
            outcomes.append("refused")
        except Exception as error:
            outcomes.append(f"error: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=assign, args=(volunteer,)) for volunteer in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["assigned"] + ["refused"] * 3
    with all_centres_scope():
        assert every(StarterAssignment).filter(group=group).count() == 2


@pytest.mark.django_db
def test_phase_out_through_the_api(api_a, centre_a, centre_b, weekly_series, frozen_now):
    group = weekly_series.group
    with all_centres_scope():
        volunteer = make_volunteer(centre_a)
        assignment_create(actor=None, group=group, volunteer=volunteer, starts_on=date(2026, 12, 1), planned_meetings=1)
        group.status = "starting"
        group.save()
        other = make_volunteer(centre_b)  # another centre's due group must not show
    frozen_now(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    due = api_a.get("/api/v1/starter-assignments/phase-outs-due/").json()
    assert due == [{"group": group.pk, "name": group.name, "reasons": ["the planned meeting has taken place"]}]
    bad = api_a.post(
        "/api/v1/starter-assignments/phase-out/", {"group": group.pk, "plan": "", "until": "2026-12-20"}, format="json"
    )
    assert bad.status_code == 400
    started = api_a.post(
        "/api/v1/starter-assignments/phase-out/",
        {"group": group.pk, "plan": "Every other meeting", "until": "2026-12-20"},
        format="json",
    )
    assert [item["status"] for item in started.json()] == ["phasing_out"]
    done = api_a.post("/api/v1/starter-assignments/phase-out-complete/", {"group": group.pk}, format="json")
    assert [item["status"] for item in done.json()] == ["ended"]
    with all_centres_scope():
        group.refresh_from_db()
        assert group.status == "self_run"
        assert other.status == "active"


@pytest.mark.django_db
def test_hours_per_volunteer_group_and_month_as_json_and_csv(
    coordinator_a, centre_a, centre_b, weekly_series, frozen_now
):
    from decimal import Decimal

    from meetings.models import Meeting

    group = weekly_series.group
    with all_centres_scope():
        volunteer = make_volunteer(centre_a)
        volunteer.person.display_name = "=Vera"  # a name that a spreadsheet would run as a formula
        volunteer.person.save()
        assignment = assignment_create(actor=None, group=group, volunteer=volunteer, starts_on=date(2026, 12, 1))
        frozen_now(datetime(2027, 1, 10, 9, 0, tzinfo=UTC))
        meetings = list(every(Meeting).filter(group=group).order_by("starts_at")[:6])  # Dec 1 .. Jan 5
        for meeting in meetings:
            session_log_create(actor=None, assignment=assignment, meeting=meeting, hours=Decimal("2.5"))
    api_a = token_client(coordinator_a)  # signed in on 10 January: a token lasts a day
    rows = api_a.get("/api/v1/volunteer-reports/hours/?start=2026-12-01&end=2027-01-31").json()
    assert [(row["month"], row["sessions"], row["hours"]) for row in rows] == [
        ("2026-12", 5, "12.50"),
        ("2027-01", 1, "2.50"),
    ]
    csv_response = api_a.get("/api/v1/volunteer-reports/hours-csv/?start=2026-12-01&end=2027-01-31")
    assert csv_response["Content-Type"].startswith("text/csv")
    lines = csv_response.content.decode().splitlines()
    assert lines[0] == "month,centre,volunteer,volunteer_name,group,group_name,sessions,hours"
    assert lines[1].startswith(f"2026-12,centre-a,{volunteer.pk},'=Vera,")
    bad = api_a.get("/api/v1/volunteer-reports/hours/?start=2027-01-31&end=2026-12-01")
    assert bad.status_code == 400
    summary = api_a.get("/api/v1/volunteer-reports/summary/").json()
    assert summary == {
        "active_volunteers": 1,
        "active_starters": 1,
        "groups_waiting_for_starters": 0,
        "phase_outs_this_quarter": 0,
    }
    with all_centres_scope():
        make_volunteer(centre_b)
    assert api_a.get("/api/v1/volunteer-reports/summary/").json()["active_volunteers"] == 1
