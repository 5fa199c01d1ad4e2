"""The coordinators' pages for volunteers: the list by pipeline state with the open recruitment
needs (drafted into a mailing from there), and one volunteer with the
next steps of the pipeline, training records, assignments and session logs (notes included).
Staff of the centre only; every change goes through a service."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from centres.models import Centre
from centres.selectors import staff_centre_or_404
from config.api import signed_in_user
from config.errors import DomainError
from volunteers.models import SessionLog, Volunteer
from volunteers.selectors import open_needs
from volunteers.services.pipeline import TRANSITIONS, training_record_add, volunteer_transition
from volunteers.services.recruitment import recruitment_mailing_draft


@login_required
def volunteer_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The centre's volunteers, by pipeline state (`?status=`)."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    status = request.GET.get("status", "")
    volunteers = Volunteer.objects.filter(centre=centre).select_related("person").order_by("person__display_name")
    if status in Volunteer.Status.values:
        volunteers = volunteers.filter(status=status)
    context = {"centre": centre, "volunteers": volunteers, "status": status, "statuses": Volunteer.Status.choices}
    return render(request, "volunteers/workspace_list.html", {**context, "needs": list(open_needs([centre.pk]))})


@login_required
@require_POST
def recruitment_draft(request: HttpRequest, slug: str) -> HttpResponse:
    """Draft a recruitment mailing from the open needs; it opens in the composer, to be checked,
    test-sent and sent like any issue (nothing is sent here)."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    try:
        issue = recruitment_mailing_draft(actor=signed_in_user(request), centre=centre)
    except DomainError as problem:
        messages.error(request, str(problem))
        return redirect(reverse("workspace-volunteers", args=[slug]))
    messages.success(request, _("The recruitment mailing is drafted: check it, send yourself a test, then send it."))
    return redirect(reverse("workspace-issue", args=[slug, issue.pk]))


class TransitionForm(forms.Form):
    screened_on = forms.DateField(
        label=_("Screening conversation on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    confidentiality_signed_on = forms.DateField(
        label=_("Confidentiality agreement signed on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    confirm_retire = forms.BooleanField(label=_("Yes, retire this volunteer (this cannot be undone)"), required=False)


class TrainingForm(forms.Form):
    course = forms.CharField(label=_("Course"), max_length=200)
    completed_on = forms.DateField(label=_("Completed on"), widget=forms.DateInput(attrs={"type": "date"}))


def _staff_volunteer_or_404(request: HttpRequest, slug: str, pk: int) -> tuple[Centre, Volunteer]:
    centre = staff_centre_or_404(user=request.user, slug=slug)
    volunteer = (
        Volunteer.objects.filter(centre=centre, pk=pk).select_related("person").prefetch_related("topics").first()
    )
    if volunteer is None:
        raise Http404
    return centre, volunteer


def _detail_page(
    request: HttpRequest,
    centre: Centre,
    volunteer: Volunteer,
    *,
    transition_form: TransitionForm | None = None,
    training_form: TrainingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "volunteers/workspace_detail.html",
        {
            "centre": centre,
            "volunteer": volunteer,
            "next_steps": [
                (step, label) for step, label in Volunteer.Status.choices if step in TRANSITIONS[volunteer.status]
            ],
            "transition_form": transition_form or TransitionForm(prefix="step"),
            "training_form": training_form or TrainingForm(prefix="training"),
            "trainings": volunteer.trainings.all(),
            "assignments": volunteer.assignments.select_related("group"),
            "logs": SessionLog.objects.filter(assignment__volunteer=volunteer)
            .select_related("meeting", "assignment__group")
            .order_by("-meeting__starts_at")[:20],
        },
        status=status,
    )


def _saved(slug: str, pk: int) -> HttpResponse:
    return redirect(reverse("workspace-volunteer", args=[slug, pk]) + "?saved=1")


@login_required
def volunteer_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One volunteer: the next steps of the pipeline, training, groups and session logs. Each form
    posts to its own view; a post here (the form of an older page) goes to the one it fills in."""
    if request.method == "POST":
        action = volunteer_transition_submit if "to" in request.POST else volunteer_training_submit
        return action(request, slug, pk)
    centre, volunteer = _staff_volunteer_or_404(request, slug, pk)
    return _detail_page(request, centre, volunteer)


@login_required
@require_POST
def volunteer_transition_submit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Move the volunteer to the next step the button names (`to`)."""
    centre, volunteer = _staff_volunteer_or_404(request, slug, pk)
    form = TransitionForm(request.POST, prefix="step")
    to = request.POST.get("to", "")
    if form.is_valid():
        data = form.cleaned_data
        try:
            if to == Volunteer.Status.RETIRED and not data["confirm_retire"]:
                raise DomainError(str(_("Tick the box to confirm retiring.")), field="confirm_retire")
            volunteer_transition(
                actor=signed_in_user(request),
                volunteer=volunteer,
                to=to,
                screened_on=data["screened_on"],
                confidentiality_signed_on=data["confidentiality_signed_on"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            return _saved(slug, pk)
    return _detail_page(request, centre, volunteer, transition_form=form, status=400)


@login_required
@require_POST
def volunteer_training_submit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Record a course the volunteer completed."""
    centre, volunteer = _staff_volunteer_or_404(request, slug, pk)
    form = TrainingForm(request.POST, prefix="training")
    if form.is_valid():
        try:
            training_record_add(actor=signed_in_user(request), volunteer=volunteer, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            return _saved(slug, pk)
    return _detail_page(request, centre, volunteer, training_form=form, status=400)
