"""The anonymous evaluation: asked at a phase-out and six months later where the centre has it on,
one link for everyone in the round, answers without any trace of who gave them, at most as many
as were asked, and results only where enough answers hide each one."""

from datetime import UTC, datetime, timedelta

import pytest

from centres.models import ConsentRecord
from meetings.models import EvaluationAnswer, EvaluationRound, GroupStep, TopicCategory
from meetings.services.evaluation import evaluation_answer, evaluations_six_months_due
from meetings.services.groups import group_transition
from notifications.models import OutgoingMail
from tests.factories import GroupFactory, MembershipFactory, PersonFactory, TopicFactory, every

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
ANSWERS = {"cheerful": 3, "calm": 4, "active": 2, "rested": 1, "interested": 5, "recommend": "yes"}


@pytest.fixture
def group(centre_a, frozen_now):
    """A group about to be phased out, in a centre that asks: two members with an address, one
    without, one who left."""
    frozen_now(NOW)
    centre_a.evaluation_enabled = True
    centre_a.save()
    category = TopicCategory.objects.get(code="addiction")
    made = GroupFactory(centre=centre_a, name="Abendrunde", topic=TopicFactory(centre=centre_a, category=category))
    MembershipFactory(group=made, person=PersonFactory(centre=centre_a, email="a@example.net"))
    MembershipFactory(group=made, person=PersonFactory(centre=centre_a, email="b@example.net"))
    MembershipFactory(group=made, person=PersonFactory(centre=centre_a, email=""))
    MembershipFactory(group=made, person=PersonFactory(centre=centre_a, email="gone@example.net"), left_on=NOW.date())
    return made


def phase_out(group):
    group_transition(actor=None, group=group, status="self_run")
    return every(EvaluationRound).get(group=group)


def link_of(mail):
    return next(word for word in mail.content.body_text.split() if "/evaluation/" in word)


def test_a_phase_out_asks_the_present_members_with_one_link(group):
    round_ = phase_out(group)
    assert (round_.occasion, round_.held_on, round_.invited) == ("phase_out", NOW.date(), 2)
    assert round_.closes_on == NOW.date() + timedelta(weeks=4)
    mails = list(every(OutgoingMail).filter(kind="evaluation").order_by("recipient"))
    assert [mail.recipient for mail in mails] == ["a@example.net", "b@example.net"]
    assert link_of(mails[0]) == link_of(mails[1])  # nobody's link is their own
    assert "Abendrunde" not in mails[0].content.subject
    assert all(mail.sensitive for mail in mails)  # staff never see the link in the outbox


def test_a_discreet_groups_name_stays_out_of_the_mail(group):
    group.discreet = True
    group.save()
    phase_out(group)
    mail = every(OutgoingMail).filter(kind="evaluation").first()
    assert "Abendrunde" not in mail.content.body_text
    assert "Abendrunde" not in mail.content.body_html
    assert "Ihre Gruppe läuft jetzt selbstständig." in mail.content.body_text  # the member reads German


def test_one_connection_sends_at_most_three_answers_a_day(group):
    from django.test import Client

    round_ = phase_out(group)
    round_.invited = 10
    round_.save()
    path = link_of(every(OutgoingMail).filter(kind="evaluation").first())
    path = path[path.index("/evaluation/") :]
    answers = [Client().post(path, ANSWERS).status_code for _ in range(4)]  # four browsers, one address
    assert answers == [200, 200, 200, 429]
    assert every(EvaluationAnswer).count() == 3


def test_a_centre_that_has_not_switched_it_on_asks_nobody(group):
    group.centre.evaluation_enabled = False
    group.centre.save()
    group_transition(actor=None, group=group, status="self_run")
    assert not every(EvaluationRound).exists()
    assert not every(OutgoingMail).filter(kind="evaluation").exists()


def test_a_member_who_withdrew_consent_to_group_mail_is_not_mailed(group):
    member = every(group.memberships.model).get(group=group, person__email="a@example.net").person
    every(ConsentRecord).create(
        centre=group.centre, person=member, purpose="group_membership", text_version="v1", given_at=NOW,
        source="web_form", withdrawn_at=NOW,
    )  # fmt: skip
    phase_out(group)
    assert every(OutgoingMail).get(recipient="a@example.net", kind="evaluation").status == "suppressed"


def test_an_answer_keeps_nothing_of_who_gave_it(client, group):
    phase_out(group)
    url = link_of(every(OutgoingMail).filter(kind="evaluation").first())
    path = url[url.index("/evaluation/") :]
    page = client.get(path)
    assert page.status_code == 200
    assert "I have felt cheerful and in good spirits" in page.content.decode()
    assert "Abendrunde" not in page.content.decode()  # a forwarded link shows no group
    answered = client.post(path, ANSWERS)
    assert answered.status_code == 200
    assert "Your answers are in, without your name." in answered.content.decode()
    answer = every(EvaluationAnswer).get()
    assert answer.who5 == 4 * (3 + 4 + 2 + 1 + 5)
    # The class of leaks: no field of an answer may point to a person, a membership or a moment.
    fields = {field.name for field in EvaluationAnswer._meta.concrete_fields}
    assert fields == {"id", "centre", "round", "cheerful", "calm", "active", "rested", "interested", "recommend"}
    again = client.get(path)
    assert "You have answered already." in again.content.decode()
    assert client.post(path, ANSWERS).status_code == 200
    assert every(EvaluationAnswer).count() == 1  # the same browser is not counted twice


def test_a_round_takes_no_more_answers_than_it_asked_and_closes(client, group, frozen_now):
    round_ = phase_out(group)
    evaluation_answer(round_=round_, answers=ANSWERS)
    evaluation_answer(round_=round_, answers=ANSWERS)
    path = link_of(every(OutgoingMail).filter(kind="evaluation").first())
    path = path[path.index("/evaluation/") :]
    full = client.post(path, ANSWERS)
    assert full.status_code == 409, full.content.decode()[-3000:]
    assert "Every answer this questionnaire was sent out for is in." in full.content.decode()
    assert every(EvaluationAnswer).count() == 2
    frozen_now(NOW + timedelta(weeks=4, days=1))
    assert client.get(path).status_code in (404, 410)


@pytest.mark.parametrize(
    "wrong",
    [{"cheerful": "7"}, {"calm": ""}, {"recommend": "maybe"}, {"active": "-1"}, {"rested": "2.5"}],
)
def test_a_wrong_answer_is_refused_by_name_and_stores_nothing(client, group, wrong):
    phase_out(group)
    path = link_of(every(OutgoingMail).filter(kind="evaluation").first())
    answer = client.post(path[path.index("/evaluation/") :], {**ANSWERS, **wrong})
    assert answer.status_code == 400
    assert "Please check the form" in answer.content.decode()
    assert not every(EvaluationAnswer).exists()


def test_a_forged_link_is_refused(client):
    assert client.get("/evaluation/not-a-token/").status_code == 404


def test_six_months_after_the_phase_out_the_members_are_asked_again_once(group, frozen_now):
    phase_out(group)
    step = every(GroupStep).get(group=group, status="self_run")
    due = step.at.date() + timedelta(days=182)
    frozen_now(datetime.combine(due, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9))
    assert evaluations_six_months_due(today=due - timedelta(days=1)) == 0  # not yet
    assert evaluations_six_months_due(today=due) == 1
    assert evaluations_six_months_due(today=due) == 0
    assert evaluations_six_months_due(today=due + timedelta(days=2)) == 0
    rounds = every(EvaluationRound).filter(group=group).order_by("held_on")
    assert [(r.occasion, r.held_on) for r in rounds] == [("phase_out", NOW.date()), ("six_months", due)]


def test_results_count_only_closed_rounds_that_each_had_enough_answers(client, group, coordinator_a):
    round_ = phase_out(group)
    round_.invited = 10
    round_.save()
    for recommend in ("yes", "yes", "no", "not_sure"):
        evaluation_answer(round_=round_, answers={**ANSWERS, "recommend": recommend})
    client.force_login(coordinator_a)
    url = f"/centres/{group.centre.slug}/workspace/reports/?year=2026"

    def evaluation():
        sections = {section.key: section for section in client.get(url).context["sections"]}
        section = sections["evaluation"]
        rows = [(label, [cell.value for cell in cells]) for label, cells in section.tables[0].rows]
        return {label: cell.value for label, cell in section.figures}, rows

    assert evaluation() == ({"Groups asked": 1, "Members asked": 10, "Answers counted": 0}, [])
    evaluation_answer(round_=round_, answers={**ANSWERS, "cheerful": 5, "recommend": "yes"})
    assert evaluation()[1] == []  # five answers, but the round is open: each new one would show
    every(EvaluationRound).filter(pk=round_.pk).update(closes_on=NOW.date() - timedelta(days=1))
    # WHO-5: four at 4 × 15 = 60, one at 4 × 17 = 68; mean 61.6 → 62. Recommend: 3 of 5 = 60 %.
    assert evaluation()[1] == [("Addiction", [5, 62, "60 %"])]
    # A closed round of another group with one answer counts nowhere: no period differs by it.
    other = GroupFactory(centre=group.centre, topic=group.topic)
    thin = every(EvaluationRound).create(
        centre=group.centre, group=other, occasion="phase_out", held_on=NOW.date(), closes_on=NOW.date(), invited=6
    )
    every(EvaluationAnswer).create(centre=group.centre, round=thin, **{**ANSWERS, "recommend": "no"})
    every(EvaluationRound).filter(pk=thin.pk).update(closes_on=NOW.date() - timedelta(days=1))
    figures, rows = evaluation()
    assert rows == [("Addiction", [5, 62, "60 %"])]
    assert figures == {"Groups asked": 2, "Members asked": 16, "Answers counted": 5}


def test_a_figure_everyone_answered_alike_is_not_shown(client, group, coordinator_a):
    round_ = phase_out(group)
    round_.invited = 5
    round_.save()
    for _ in range(5):
        evaluation_answer(round_=round_, answers=ANSWERS)  # all "yes"
    every(EvaluationRound).filter(pk=round_.pk).update(closes_on=NOW.date() - timedelta(days=1))
    client.force_login(coordinator_a)
    sections = client.get(f"/centres/{group.centre.slug}/workspace/reports/?year=2026").context["sections"]
    table = next(section for section in sections if section.key == "evaluation").tables[0]
    assert [[cell.value for cell in cells] for _label, cells in table.rows] == [[5, 60, "–"]]
