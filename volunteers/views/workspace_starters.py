"""A group's starters in the coordinators' workspace: who starts it, who would suit it (and why),
asking volunteers by mail, assigning, extending and ending a starter's time, and phasing them
out. Staff of the centre only; each POST action has its own view and says what it did; actions
that mail or end something show what will happen and ask first."""

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from centres.models import Centre
from centres.selectors import staff_centre_or_404
from config.api import signed_in_user
from config.errors import DomainError
from config.forms import IdChoiceField
from meetings.models import Group
from volunteers import selectors
from volunteers.models import StarterAssignment, StarterRequest, Volunteer
from volunteers.selectors import CRISIS_STATUSES, STARTER_STATUSES
from volunteers.services import assignments, phase_out, requests


class AssignForm(forms.Form):
    volunteer: "forms.ModelChoiceField[Volunteer]" = IdChoiceField(queryset=Volunteer.objects.none())
    planned_meetings = forms.IntegerField(label=gettext_lazy("Meetings planned"), min_value=1, max_value=52)

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        volunteer = self.fields["volunteer"]
        if isinstance(volunteer, forms.ModelChoiceField):
            volunteer.queryset = Volunteer.objects.filter(centre=centre)


class AskForm(forms.Form):
    limit = forms.IntegerField(label=gettext_lazy("How many volunteers to ask"), min_value=1, max_value=50, initial=3)
    matching_only = forms.BooleanField(
        label=gettext_lazy("Only those who match the topic or a language"), required=False, initial=True
    )


class PhaseOutForm(forms.Form):
    plan = forms.CharField(
        label=gettext_lazy("Plan"),
        max_length=300,
        help_text=gettext_lazy("e.g. “Every other meeting, then only on request.”"),
    )
    until = forms.DateField(label=gettext_lazy("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    override = forms.BooleanField(
        label=gettext_lazy("Start now, although neither the checklist nor the planned meetings are done"),
        required=False,
    )


class _GroupStarters:
    """The group whose starters the page shows, of the staff member's centre."""

    def __init__(self, request: HttpRequest, slug: str, pk: int) -> None:
        self.centre = staff_centre_or_404(user=request.user, slug=slug)
        group = Group.objects.filter(centre=self.centre, pk=pk).select_related("centre", "topic").first()
        if group is None:
            raise Http404
        self.group = group

    def page(self, request: HttpRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
        group = self.group
        gets_starters = group.status in STARTER_STATUSES
        crisis = group.status in CRISIS_STATUSES
        context = {
            "centre": self.centre,
            "group": group,
            "assignments": StarterAssignment.objects.filter(group=group)
            .exclude(status=StarterAssignment.Status.ENDED)
            .select_related("volunteer__person"),
            "open_requests": StarterRequest.objects.filter(group=group, status=StarterRequest.Status.PENDING)
            .select_related("volunteer__person")
            .order_by("created_at"),
            "open_places": selectors.open_starter_places(group) if gets_starters else 0,
            "suggestions": selectors.starter_suggestions(group, limit=10) if gets_starters else [],
            "planned_default": self.centre.crisis_starter_meetings if crisis else self.centre.starter_planned_meetings,
            "crisis": crisis,
            "phase_out_reasons": phase_out.phase_out_reasons(group),
            "ask_form": extra.pop("ask_form", None) or AskForm(),
            "phase_out_form": extra.pop("phase_out_form", None)
            or PhaseOutForm(initial={"until": timezone.localdate() + timedelta(weeks=6)}),
            **extra,
        }
        return render(request, "volunteers/group_starters.html", context, status=status)

    def back(self) -> HttpResponse:
        return redirect(reverse("workspace-group-starters", args=[self.centre.slug, self.group.pk]))


@login_required
def group_starters(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _GroupStarters(request, slug, pk).page(request)


@login_required
@require_POST
def group_starter_assign(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Make a volunteer a starter of the group from its first meeting on."""
    page = _GroupStarters(request, slug, pk)
    form = AssignForm(request.POST, centre=page.centre)
    try:
        if not form.is_valid():
            raise DomainError(_("Choose a volunteer and between 1 and 52 meetings."))
        assignment = assignments.assignment_create(
            actor=signed_in_user(request),
            group=page.group,
            volunteer=form.cleaned_data["volunteer"],
            starts_on=timezone.localdate(),
            planned_meetings=form.cleaned_data["planned_meetings"],
        )
    except DomainError as problem:
        return page.page(request, error=str(problem), status=problem.status_code)
    messages.success(
        request,
        _("%(name)s starts “%(group)s” for %(count)d meetings.")
        % {
            "name": assignment.volunteer.person.display_name,
            "group": page.group.name,
            "count": assignment.planned_meetings,
        },
    )
    return page.back()


def _assignment_or_404(page: _GroupStarters, assignment_pk: int) -> StarterAssignment:
    assignment = (
        StarterAssignment.objects.filter(group=page.group, pk=assignment_pk).select_related("volunteer__person").first()
    )
    if assignment is None:
        raise Http404
    return assignment


@login_required
@require_POST
def group_starter_extend(request: HttpRequest, slug: str, pk: int, assignment_pk: int) -> HttpResponse:
    """A starter stays for more meetings (a phase-out already begun goes back to active)."""
    page = _GroupStarters(request, slug, pk)
    assignment = _assignment_or_404(page, assignment_pk)
    try:
        more = int(request.POST.get("meetings", ""))
    except ValueError:
        more = 0
    try:
        assignment = assignments.assignment_extend(actor=signed_in_user(request), assignment=assignment, meetings=more)
    except DomainError as problem:
        return page.page(request, error=str(problem), status=problem.status_code)
    messages.success(
        request,
        _("%(name)s now starts the group for %(count)d meetings in all.")
        % {"name": assignment.volunteer.person.display_name, "count": assignment.planned_meetings},
    )
    return page.back()


@login_required
def group_starter_end(request: HttpRequest, slug: str, pk: int, assignment_pk: int) -> HttpResponse:
    """End a starter's time with the group: the page asks first."""
    page = _GroupStarters(request, slug, pk)
    assignment = _assignment_or_404(page, assignment_pk)
    if request.method != "POST":
        return page.page(request, confirm_end=assignment)
    try:
        assignments.assignment_end(actor=signed_in_user(request), assignment=assignment)
    except DomainError as problem:
        return page.page(request, error=str(problem), status=problem.status_code)
    messages.success(
        request,
        _("%(name)s no longer starts “%(group)s” and is free for another group.")
        % {"name": assignment.volunteer.person.display_name, "group": page.group.name},
    )
    return page.back()


@login_required
@require_POST
def group_starter_requests(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Ask volunteers by mail to start the group. The first POST names who would be asked; the
    second (`confirm=yes`) sends."""
    page = _GroupStarters(request, slug, pk)
    form = AskForm(request.POST)
    if not form.is_valid():
        return page.page(request, ask_form=form, status=400)
    limit, matching_only = form.cleaned_data["limit"], form.cleaned_data["matching_only"]
    if request.POST.get("confirm") != "yes":
        chosen = selectors.starter_request_candidates(page.group, limit=limit, matching_only=matching_only)
        return page.page(request, ask_form=form, confirm_ask=chosen)
    try:
        sent = requests.starter_requests_send(
            actor=signed_in_user(request), group=page.group, limit=limit, matching_only=matching_only
        )
    except DomainError as problem:
        return page.page(request, ask_form=form, error=str(problem), status=problem.status_code)
    messages.success(
        request,
        ngettext(
            "%(count)d volunteer is asked by e-mail; the answer appears here.",
            "%(count)d volunteers are asked by e-mail; their answers appear here.",
            len(sent),
        )
        % {"count": len(sent)}
        if sent
        else _("Nobody was asked: every suitable volunteer has been asked already."),
    )
    return page.back()


@login_required
@require_POST
def group_phase_out_start(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Begin phasing the starters out, with a plan and an end date."""
    page = _GroupStarters(request, slug, pk)
    form = PhaseOutForm(request.POST)
    if not form.is_valid():
        return page.page(request, phase_out_form=form, status=400)
    try:
        phased = phase_out.phase_out_start(actor=signed_in_user(request), group=page.group, **form.cleaned_data)
    except DomainError as problem:
        return page.page(request, phase_out_form=form, error=str(problem), status=problem.status_code)
    messages.success(
        request,
        ngettext("%(count)d starter is phasing out.", "%(count)d starters are phasing out.", len(phased))
        % {"count": len(phased)},
    )
    return page.back()


@login_required
def group_phase_out_complete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The starters' work is done and the group runs itself: the page asks first."""
    page = _GroupStarters(request, slug, pk)
    if request.method != "POST":
        return page.page(request, confirm_complete=True)
    try:
        group = phase_out.phase_out_complete(actor=signed_in_user(request), group=page.group)
    except DomainError as problem:
        return page.page(request, error=str(problem), status=problem.status_code)
    messages.success(request, _("“%(group)s” runs itself now; its starters are free.") % {"group": group.name})
    return redirect(reverse("workspace-group", args=[slug, group.pk]))
