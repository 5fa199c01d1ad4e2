"""The coordinators' pages for volunteers: the list by pipeline state, and one volunteer with the
next steps of the pipeline, training records, assignments and session logs (notes included).
Staff of the centre only; every change goes through a service."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from centres.selectors import staff_centre_or_404
from config.errors import DomainError
from volunteers import services
from volunteers.models import SessionLog, Volunteer


@login_required
def volunteer_list(request: HttpRequest, slug: str) -> HttpResponse:
    centre = staff_centre_or_404(user=request.user, slug=slug)
    status = request.GET.get("status", "")
    volunteers = Volunteer.objects.filter(centre=centre).select_related("person").order_by("person__display_name")
    if status in Volunteer.Status.values:
        volunteers = volunteers.filter(status=status)
    return render(
        request,
        "volunteers/workspace_list.html",
        {"centre": centre, "volunteers": volunteers, "status": status, "statuses": Volunteer.Status.choices},
    )


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


@login_required
def volunteer_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    centre = staff_centre_or_404(user=request.user, slug=slug)
    volunteer = (
        Volunteer.objects.filter(centre=centre, pk=pk).select_related("person").prefetch_related("topics").first()
    )
    if volunteer is None:
        raise Http404
    transition_form, training_form = TransitionForm(prefix="step"), TrainingForm(prefix="training")
    status = 200
    if request.method == "POST":
        try:
            if "to" in request.POST:
                transition_form = TransitionForm(request.POST, prefix="step")
                to = request.POST["to"]
                if transition_form.is_valid():
                    data = transition_form.cleaned_data
                    if to == Volunteer.Status.RETIRED and not data["confirm_retire"]:
                        raise DomainError(str(_("Tick the box to confirm retiring.")), field="confirm_retire")
                    services.volunteer_transition(
                        actor=request.user,
                        volunteer=volunteer,
                        to=to,
                        screened_on=data["screened_on"],
                        confidentiality_signed_on=data["confidentiality_signed_on"],
                    )
                    return redirect(reverse("workspace-volunteer", args=[slug, pk]) + "?saved=1")
            else:
                training_form = TrainingForm(request.POST, prefix="training")
                if training_form.is_valid():
                    services.training_record_add(actor=request.user, volunteer=volunteer, **training_form.cleaned_data)
                    return redirect(reverse("workspace-volunteer", args=[slug, pk]) + "?saved=1")
        except DomainError as error:
            target = transition_form if "to" in request.POST else training_form
            target.add_error(error.field if error.field in target.fields else None, str(error))
        status = 400
    return render(
        request,
        "volunteers/workspace_detail.html",
        {
            "centre": centre,
            "volunteer": volunteer,
            "next_steps": [
                (step, label)
                for step, label in Volunteer.Status.choices
                if step in services.TRANSITIONS[volunteer.status]
            ],
            "transition_form": transition_form,
            "training_form": training_form,
            "trainings": volunteer.trainings.all(),
            "assignments": volunteer.assignments.select_related("group"),
            "logs": SessionLog.objects.filter(assignment__volunteer=volunteer)
            .select_related("meeting", "assignment__group")
            .order_by("-meeting__starts_at")[:20],
        },
        status=status,
    )
