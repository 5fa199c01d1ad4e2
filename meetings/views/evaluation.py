"""The anonymous evaluation's page: the link in the mail every member of a round got. No login,
no name: the WHO-5 questions and "would you recommend the group", stored without anything that
points to whoever answered. A second answer from the same browser is turned away kindly."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from centres.scoping import all_centres_scope, centre_scope
from config.errors import ConflictError, DomainError
from config.ratelimit import rate_limited
from meetings.models import EvaluationAnswer
from meetings.services.evaluation import evaluation_answer, evaluation_round_read
from meetings.views.member import LINK_INVALID

SCALE = [
    (5, gettext_lazy("All of the time")),
    (4, gettext_lazy("Most of the time")),
    (3, gettext_lazy("More than half of the time")),
    (2, gettext_lazy("Less than half of the time")),
    (1, gettext_lazy("Some of the time")),
    (0, gettext_lazy("At no time")),
]
# The WHO-5 Well-Being Index (WHO Regional Office for Europe, 1998), free to use: its five
# statements, each about the last two weeks.
QUESTIONS = {
    "cheerful": gettext_lazy("I have felt cheerful and in good spirits"),
    "calm": gettext_lazy("I have felt calm and relaxed"),
    "active": gettext_lazy("I have felt active and vigorous"),
    "rested": gettext_lazy("I woke up feeling fresh and rested"),
    "interested": gettext_lazy("My daily life has been filled with things that interest me"),
}


class EvaluationForm(forms.Form):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name, question in QUESTIONS.items():
            self.fields[name] = forms.TypedChoiceField(
                label=question, choices=SCALE, coerce=int, widget=forms.RadioSelect
            )
        self.fields["recommend"] = forms.ChoiceField(
            label=gettext_lazy("Would you recommend the group to someone in a situation like yours?"),
            choices=EvaluationAnswer.Recommend.choices,
            widget=forms.RadioSelect,
        )


# Answers one client may send to one round a day: a household that shares a computer, not more.
ANSWERS_PER_CLIENT = 3


def _cookie(round_id: int) -> str:
    return f"evaluated-{round_id}"


@never_cache
def evaluation_page(request: HttpRequest, token: str) -> HttpResponse:
    with all_centres_scope():
        round_ = evaluation_round_read(token)
    if round_ is None:
        return render(request, LINK_INVALID, status=404)
    with centre_scope(round_.centre_id):
        context = {"centre": round_.centre, "round": round_}
        if request.get_signed_cookie(_cookie(round_.pk), default="", salt="evaluation") == "1":
            return render(request, "meetings/evaluation.html", {**context, "done": True, "again": True})
        if timezone.localdate() > round_.closes_on:
            return render(request, "meetings/evaluation.html", {**context, "closed": True}, status=410)
        form = EvaluationForm(request.POST if request.method == "POST" else None)
        if request.method != "POST":
            return render(request, "meetings/evaluation.html", {**context, "form": form})
        if rate_limited(request, scope=f"evaluation-{round_.pk}", limit=ANSWERS_PER_CLIENT, seconds=86400):
            return render(request, "meetings/evaluation.html", {**context, "limited": True}, status=429)
        if not form.is_valid():
            return render(request, "meetings/evaluation.html", {**context, "form": form}, status=400)
        try:
            evaluation_answer(round_=round_, answers=form.cleaned_data)
        except ConflictError as problem:  # closed or full (a DomainError too: caught first)
            return render(request, "meetings/evaluation.html", {**context, "full": problem.message}, status=409)
        except DomainError as problem:
            form.add_error(None, problem.message)
            return render(request, "meetings/evaluation.html", {**context, "form": form}, status=400)
        answered = render(request, "meetings/evaluation.html", {**context, "done": True})
        answered.set_signed_cookie(
            _cookie(round_.pk), "1", salt="evaluation", max_age=60 * 86400, secure=request.is_secure(),
            httponly=True, samesite="Lax",
        )  # fmt: skip
        return answered
