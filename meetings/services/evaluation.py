"""The anonymous evaluation: a round of questions to a group's members at its phase-out and six
months later (where the centre has switched it on), and the answers, stored with no trace of who
gave them. Every member of a round gets the same link; a round takes at most as many answers as
members were asked, and closes after four weeks."""

from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import ConflictError, DomainError
from config.signed_links import link_url, sign, unsign
from meetings.models import EvaluationAnswer, EvaluationRound, Group, GroupStep, Membership
from meetings.models.evaluation import WHO5_ITEMS
from notifications.models import OutgoingMail
from notifications.services.outbox import mail_queue

OPEN_FOR = timedelta(weeks=4)
SIX_MONTHS = timedelta(days=182)


def evaluation_url(round_: EvaluationRound) -> str:
    return link_url("evaluation-answer", sign("evaluation.answer", {"r": round_.pk}))


def evaluation_round_read(token: str) -> EvaluationRound | None:
    """The round a link names, or None for a forged or expired one."""
    payload = unsign("evaluation.answer", token)
    round_id = payload.get("r") if isinstance(payload, dict) else None
    if not isinstance(round_id, int):
        return None
    return EvaluationRound.objects.select_related("centre").filter(pk=round_id).first()


def evaluation_round_open(*, group: Group, occasion: str, today: date) -> EvaluationRound | None:
    """Ask the group's present members (those with an address) once for `occasion` today.
    None where the centre has not switched evaluations on, nobody can be asked, or the round was
    opened already. Writes the round and queues one mail per member."""
    if not group.centre.evaluation_enabled:
        return None
    members = list(
        Membership.objects.filter(group=group, left_on__isnull=True)
        .exclude(person__email="")
        .select_related("person")
        .order_by("pk")
    )
    if not members:
        return None
    try:
        # The round and its mails together: a round no one was asked about is never left behind.
        with transaction.atomic():
            round_ = EvaluationRound.objects.create(
                centre_id=group.centre_id,
                group=group,
                occasion=occasion,
                held_on=today,
                closes_on=today + OPEN_FOR,
                invited=len(members),
            )
            _ask(round_, group, occasion, members)
    except IntegrityError:
        return None
    return round_


def _ask(round_: EvaluationRound, group: Group, occasion: str, members: list[Membership]) -> None:
    context = {
        "centre": group.centre,
        "group_name": "" if group.discreet else group.name,  # a discreet group's name stays out of mail
        "occasion": occasion,
        "answer_url": evaluation_url(round_),
    }
    for membership in members:
        person = membership.person
        mail_queue(
            centre=group.centre,
            kind=OutgoingMail.Kind.EVALUATION,
            obj=f"evaluation-{round_.pk}",
            recipient=person.email,
            language=person.language or group.centre.default_language,
            template="meetings/mail/evaluation",
            context=context,
            person=person,
            sensitive=True,  # the link answers for the group: staff never see it in the outbox
        )


def evaluations_six_months_due(*, today: date) -> int:
    """Open the six-month rounds of groups phased out six months ago (within the last week, so a
    missed day catches up) that still run. Returns how many rounds were opened."""
    since = today - SIX_MONTHS
    steps = GroupStep.objects.filter(
        status=Group.Status.SELF_RUN,
        previous=Group.Status.STARTING,
        at__date__gt=since - timedelta(days=7),
        at__date__lte=since,
        centre__evaluation_enabled=True,
    ).select_related("group__centre")
    opened = 0
    for step in steps:
        group = step.group
        asked = EvaluationRound.objects.filter(
            group=group, occasion=EvaluationRound.Occasion.SIX_MONTHS, held_on__gt=step.at.date()
        ).exists()
        if asked or group.status == Group.Status.CLOSED:
            continue
        opened += bool(evaluation_round_open(group=group, occasion=EvaluationRound.Occasion.SIX_MONTHS, today=today))
    return opened


def evaluation_answer(
    *, round_: EvaluationRound, answers: dict[str, Any], today: date | None = None
) -> EvaluationAnswer:
    """Store one questionnaire: the five WHO-5 answers (0–5) and the recommendation. Refused
    (409) once the round has closed or has as many answers as members were asked; (400) for an
    answer out of range. Writes one row, nothing about who answered."""
    today = today or timezone.localdate()
    for item in WHO5_ITEMS:
        if not isinstance(answers.get(item), int) or not 0 <= answers[item] <= 5:
            raise DomainError(_("Choose one answer for each question."), field=item)
    if answers.get("recommend") not in EvaluationAnswer.Recommend.values:
        raise DomainError(_("Choose one answer for each question."), field="recommend")
    with transaction.atomic():
        locked = EvaluationRound.objects.select_for_update().get(pk=round_.pk)
        if today > locked.closes_on:
            raise ConflictError(_("This questionnaire has closed. Thank you all the same."))
        if EvaluationAnswer.objects.filter(round=locked).count() >= locked.invited:
            raise ConflictError(_("Every answer this questionnaire was sent out for is in. Thank you all the same."))
        return EvaluationAnswer.objects.create(
            centre_id=locked.centre_id,
            round=locked,
            recommend=answers["recommend"],
            **{item: answers[item] for item in WHO5_ITEMS},
        )
