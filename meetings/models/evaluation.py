"""The anonymous evaluation a centre can switch on: at a group's phase-out and six months later,
its members are asked the WHO-5 well-being questions and whether they would recommend the group.
One link per round, the same for every member asked, so no answer can be traced to whoever got
the mail; an answer keeps only the group, the round's date and what was ticked."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from centres.models import Centre


class EvaluationRound(models.Model):
    """One group asked once: when, on what occasion, how many members were asked (the most
    answers it takes) and until when it stays open."""

    class Occasion(models.TextChoices):
        PHASE_OUT = "phase_out", _("At the phase-out")
        SIX_MONTHS = "six_months", _("Six months later")

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    group = models.ForeignKey(
        "meetings.Group", on_delete=models.CASCADE, related_name="evaluation_rounds", verbose_name=_("group")
    )
    occasion = models.CharField(_("occasion"), max_length=20, choices=Occasion.choices)
    held_on = models.DateField(_("asked on"))
    closes_on = models.DateField(_("open until"))
    invited = models.PositiveSmallIntegerField(_("members asked"), default=0)

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["-held_on", "id"]
        verbose_name = _("evaluation round")
        verbose_name_plural = _("evaluation rounds")
        constraints = [
            models.UniqueConstraint(fields=["group", "occasion", "held_on"], name="evaluation_round_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.occasion} {self.held_on}"


class EvaluationAnswer(models.Model):
    """One filled-in questionnaire: the five WHO-5 answers (0 at no time … 5 all of the time) and
    the recommendation. No person, no membership, no time of answering: only the round (its group
    and date)."""

    class Recommend(models.TextChoices):
        YES = "yes", _("Yes")
        NOT_SURE = "not_sure", _("Not sure")
        NO = "no", _("No")

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    round = models.ForeignKey(
        EvaluationRound, on_delete=models.CASCADE, related_name="answers", verbose_name=_("round")
    )
    cheerful = models.PositiveSmallIntegerField(validators=[MaxValueValidator(5)])
    calm = models.PositiveSmallIntegerField(validators=[MaxValueValidator(5)])
    active = models.PositiveSmallIntegerField(validators=[MaxValueValidator(5)])
    rested = models.PositiveSmallIntegerField(validators=[MaxValueValidator(5)])
    interested = models.PositiveSmallIntegerField(validators=[MaxValueValidator(5)])
    recommend = models.CharField(_("would recommend the group"), max_length=10, choices=Recommend.choices)

    objects = ScopedManager(centre="centre")

    class Meta:
        # Not by id: the order answers came in is not kept anywhere it is shown.
        ordering = ["round"]
        verbose_name = _("evaluation answer")
        verbose_name_plural = _("evaluation answers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cheerful__lte=5, calm__lte=5, active__lte=5, rested__lte=5, interested__lte=5),
                name="evaluation_answer_who5_range",
            ),
        ]

    def __str__(self) -> str:
        return f"answer to {self.round}"

    @property
    def who5(self) -> int:
        """The WHO-5 score, 0 (worst) to 100 (best): the raw sum times four."""
        return 4 * (self.cheerful + self.calm + self.active + self.rested + self.interested)


WHO5_ITEMS = ("cheerful", "calm", "active", "rested", "interested")
