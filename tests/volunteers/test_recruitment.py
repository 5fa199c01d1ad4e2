"""Recruitment: the daily job raises and resolves needs, asks matching volunteers directly for a
waiting group (in rounds, never the same person twice), and recruitment mailings go only to
confirmed subscribers of the volunteering news, with their unsubscribe link."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from centres.scoping import all_centres_scope
from meetings.models import Group
from notifications import tasks
from notifications.models import IssueChunk, NewsletterList, OutgoingMail, Subscription
from notifications.services.newsletter_issues import issues_send_due
from tests.factories import GroupFactory, PersonFactory, TopicFactory, every
from tests.volunteers.conftest import make_volunteer
from volunteers.models import RecruitmentNeed, StarterRequest
from volunteers.selectors import REQUEST_MAX_AGE, starter_suggestions
from volunteers.services.assignments import assignment_create
from volunteers.services.recruitment import (
    REQUEST_ROUND_DAYS,
    recruitment_mailing_draft,
    recruitment_needs_refresh,
    recruitment_run,
)
from volunteers.services.requests import starter_request_answer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


def open_keys(centre) -> set[str]:
    needs = every(RecruitmentNeed).filter(centre=centre, resolved_at__isnull=True)
    return set(needs.values_list("key", flat=True))


@pytest.fixture
def waiting_group(weekly_series, centre_a):
    """A starting group (German, Tuesdays 19:00) without starters; the centre wants one each."""
    group = weekly_series.group
    every(Group).filter(pk=group.pk).update(status="starting", languages=["de"])
    centre_a.starters_needed = 1
    centre_a.save(update_fields=["starters_needed"])
    group.refresh_from_db()
    return group


def test_needs_are_raised_for_a_waiting_group_an_uncovered_topic_and_language(waiting_group, centre_a):
    covered = waiting_group.topic
    lonely = TopicFactory(centre=centre_a, name="Trauer")
    TopicFactory(centre=centre_a, name="Nicht angeboten", is_offered=False)
    make_volunteer(centre_a, languages=["de"], topics=[covered])
    every(Group).filter(pk=waiting_group.pk).update(languages=["de", "da"])
    assert recruitment_needs_refresh(centre=centre_a) == (3, 0)
    assert open_keys(centre_a) == {f"group:{waiting_group.pk}", f"topic:{lonely.pk}", "language:da"}
    # Running again raises nothing new.
    assert recruitment_needs_refresh(centre=centre_a) == (0, 0)
    assert every(RecruitmentNeed).count() == 3


def test_a_need_is_resolved_once_it_is_met(waiting_group, centre_a):
    volunteer = make_volunteer(centre_a, topics=[waiting_group.topic])
    recruitment_needs_refresh(centre=centre_a)
    assert f"group:{waiting_group.pk}" in open_keys(centre_a)
    assignment_create(actor=None, group=waiting_group, volunteer=volunteer, starts_on=timezone.localdate())
    assert recruitment_needs_refresh(centre=centre_a) == (0, 1)
    assert f"group:{waiting_group.pk}" not in open_keys(centre_a)
    assert every(RecruitmentNeed).get(key=f"group:{waiting_group.pk}").resolved_at is not None


def test_the_job_asks_only_matching_volunteers_in_rounds_and_never_twice(waiting_group, centre_a, frozen_now):
    by_topic = make_volunteer(centre_a, languages=["en"], topics=[waiting_group.topic])
    by_language = make_volunteer(centre_a, languages=["de"])
    make_volunteer(centre_a, languages=["en"])  # neither the topic nor the language
    figures = recruitment_run()
    assert figures["requests"] == 2
    asked = set(every(StarterRequest).values_list("volunteer_id", flat=True))
    assert asked == {by_topic.pk, by_language.pk}
    mail = every(OutgoingMail).select_related("content").get(recipient=by_topic.person.email)
    assert "sucht eine Gruppenbegleitung" in mail.body_text  # the volunteer's language
    # The same day: nothing new while the two think about it.
    assert recruitment_run()["requests"] == 0
    for request in every(StarterRequest).all():
        starter_request_answer(request=request, accept=False)
    late = make_volunteer(centre_a, languages=["de"])
    # Everyone declined, but a round is at most every three days.
    assert recruitment_run()["requests"] == 0
    frozen_now(timezone.now() + timedelta(days=REQUEST_ROUND_DAYS, minutes=1))
    assert recruitment_run()["requests"] == 1
    assert every(StarterRequest).filter(status="pending").get().volunteer_id == late.pk


def test_unanswered_requests_expire_and_the_next_round_asks_others(waiting_group, centre_a, frozen_now):
    first = make_volunteer(centre_a, topics=[waiting_group.topic])
    recruitment_run()
    second = make_volunteer(centre_a, topics=[waiting_group.topic])
    frozen_now(timezone.now() + timedelta(seconds=REQUEST_MAX_AGE + 60))
    figures = recruitment_run()
    assert (figures["expired"], figures["requests"]) == (1, 1)
    assert every(StarterRequest).get(volunteer=first).status == "expired"
    assert every(StarterRequest).get(volunteer=second).status == "pending"


def test_the_job_stops_asking_once_the_group_has_its_starter(waiting_group, centre_a):
    volunteer = make_volunteer(centre_a, topics=[waiting_group.topic])
    make_volunteer(centre_a, topics=[waiting_group.topic])
    recruitment_run()
    request = every(StarterRequest).get(volunteer=volunteer)
    assert starter_request_answer(request=request, accept=True) == "accepted"
    # One starter is what this centre needs: the other request is filled, the need resolved.
    assert set(every(StarterRequest).values_list("status", flat=True)) == {"accepted", "filled"}
    recruitment_run()
    assert f"group:{waiting_group.pk}" not in open_keys(centre_a)


# --- recruitment mailings -------------------------------------------------------------------------


@pytest.fixture
def volunteering_news(centre_a):
    news = every(NewsletterList).create(centre=centre_a, name="Engagement", volunteering_news=True)
    general = every(NewsletterList).create(centre=centre_a, name="Rundbrief")
    for email, newsletter, status in [
        ("helfen@example.net", news, "confirmed"),
        ("vielleicht@example.net", news, "pending"),
        ("weg@example.net", news, "unsubscribed"),
        ("nur-rundbrief@example.net", general, "confirmed"),
    ]:
        person = PersonFactory(centre=centre_a, email=email, language="de")
        every(Subscription).create(centre=centre_a, newsletter=newsletter, person=person, status=status)
    return news


def test_a_recruitment_mailing_goes_only_to_confirmed_volunteering_news_subscribers(
    waiting_group, volunteering_news, centre_a, api_a
):
    recruitment_run()
    created = api_a.post("/api/v1/recruitment-needs/mailing/", {}, format="json")
    assert created.status_code == 201
    issue_id = created.json()["id"]
    preview = {row["language"]: row for row in api_a.get(f"/api/v1/newsletter-issues/{issue_id}/preview/").json()}
    assert sorted(preview) == ["da", "de", "en", "nl"]
    assert waiting_group.topic.name in preview["de"]["text"]
    assert f"/centres/{centre_a.slug}/volunteer/" in preview["de"]["html"]
    assert api_a.post(f"/api/v1/newsletter-issues/{issue_id}/schedule/", {}, format="json").status_code == 200
    issues_send_due()
    for chunk in every(IssueChunk).values_list("pk", flat=True):
        tasks.queue_issue_chunk.run(chunk)
    mails = list(every(OutgoingMail).select_related("content").filter(newsletter_issue_id=issue_id))
    assert [mail.recipient for mail in mails] == ["helfen@example.net"]
    assert "/newsletter/unsubscribe/" in mails[0].body_text
    # The subject is neutral: no group, no topic.
    assert waiting_group.topic.name not in mails[0].subject


def test_a_recruitment_mailing_needs_a_volunteering_list_and_an_open_need(centre_a, api_a):
    refused = api_a.post("/api/v1/recruitment-needs/mailing/", {}, format="json")
    assert refused.status_code == 409
    assert "volunteering news" in refused.json()["error"]["message"]
    every(NewsletterList).create(centre=centre_a, name="Engagement", volunteering_news=True)
    every(Group).filter(centre=centre_a).delete()
    nothing = api_a.post("/api/v1/recruitment-needs/mailing/", {}, format="json")
    assert nothing.status_code == 409
    assert "no open recruitment need" in nothing.json()["error"]["message"]


def test_coordinators_see_their_centres_needs_only(waiting_group, centre_a, centre_b, api_a):
    TopicFactory(centre=centre_b, name="Fremd")
    recruitment_run()
    with all_centres_scope():
        assert every(RecruitmentNeed).filter(centre=centre_b).exists()
    listed = api_a.get("/api/v1/recruitment-needs/?open=true").json()["results"]
    assert {need["centre"] for need in listed} == {centre_a.slug}
    assert f"group:{waiting_group.pk}" in {f"{n['kind']}:{n['group']}" for n in listed}


@pytest.mark.django_db(transaction=True)
def test_two_recruitment_jobs_at_once_raise_each_need_and_ask_each_volunteer_once(
    requires_postgres, waiting_group, centre_a
):
    """Two beat processes (or a retried task) running the job at the same moment."""
    for _ in range(3):
        make_volunteer(centre_a, topics=[waiting_group.topic])
    TopicFactory(centre=centre_a, name="Trauer")
    barrier, outcomes = threading.Barrier(2), []

    def run() -> None:
        barrier.wait()
        try:
            with all_centres_scope():
                outcomes.append(recruitment_run())
        except Exception as error:
            outcomes.append(f"error: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(figures["requests"] for figures in outcomes) == [0, 3]
    assert every(RecruitmentNeed).filter(resolved_at__isnull=True).count() == 2
    assert every(StarterRequest).count() == 3
    assert every(OutgoingMail).filter(kind="system").count() == 3


def test_an_active_volunteer_without_topics_does_not_hide_uncovered_topics(waiting_group, centre_a):
    lonely = TopicFactory(centre=centre_a, name="Trauer")
    make_volunteer(centre_a, topics=[])
    recruitment_needs_refresh(centre=centre_a)
    assert f"topic:{lonely.pk}" in open_keys(centre_a)


def test_a_round_asks_matching_volunteers_even_when_others_rank_higher(waiting_group, centre_a, monkeypatch):
    """A volunteer free at the group's time but sharing neither topic nor language may rank above
    a matching one who already starts a group; the round still asks the matching one."""
    monkeypatch.setattr("volunteers.services.recruitment.REQUESTS_PER_ROUND", 1)
    make_volunteer(centre_a, languages=["en"], weekdays=(1,), evening=True)  # score 2, no match
    matching = make_volunteer(centre_a, languages=["de"], weekdays=(4,), evening=False)  # 2 for the language
    assignment_create(
        actor=None, group=GroupFactory(centre=centre_a), volunteer=matching, starts_on=timezone.localdate()
    )  # and one less for the load
    ranked = starter_suggestions(waiting_group)
    assert ranked[0].volunteer != matching
    assert recruitment_run()["requests"] == 1
    assert every(StarterRequest).get().volunteer_id == matching.pk


def test_the_mailing_names_languages_as_each_language_writes_them(waiting_group, volunteering_news, centre_a):
    every(Group).filter(pk=waiting_group.pk).update(languages=["da"])
    recruitment_run()
    issue = recruitment_mailing_draft(actor=None, centre=centre_a)
    texts = {text.language: text.body for text in issue.texts.all()}
    assert "grupper på dansk" in texts["da"]
    assert "Gruppen auf Dänisch" in texts["de"]
