"""Coordinators' closures page: holidays and closures of the whole centre, a location or a room.
Making one shows first what it will cancel and asks to confirm; lifting one asks too, and says
how many meetings came back."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, ngettext

from centres.models import Centre
from centres.selectors import staff_centre_or_404
from config.api import signed_in_user
from config.errors import DomainError
from config.forms import IdChoiceField
from config.undo import offer_undo
from meetings import selectors
from meetings.models import Closure, Location, Room
from meetings.selectors import workspace as workspace_selectors
from meetings.services import closures as closure_changes


class ClosureForm(forms.Form):
    starts_on = forms.DateField(label=gettext_lazy("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=gettext_lazy("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    location: "forms.ModelChoiceField[Location]" = IdChoiceField(
        label=gettext_lazy("Only this location"),
        queryset=Location.objects.none(),
        required=False,
        empty_label=gettext_lazy("The whole centre"),
    )
    room: "forms.ModelChoiceField[Room]" = IdChoiceField(
        label=gettext_lazy("Only this room"), queryset=Room.objects.none(), required=False, empty_label="—"
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=200,
        help_text=gettext_lazy("Shown with the cancelled meetings, e.g. “Christmas holidays”."),
    )

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.centre = centre
        location, room = self.fields["location"], self.fields["room"]
        if isinstance(location, forms.ModelChoiceField) and isinstance(room, forms.ModelChoiceField):
            location.queryset = Location.objects.filter(centre=centre)
            room.queryset = selectors.planner_rooms(centre)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if {"starts_on", "ends_on", "reason"} <= set(data):
            try:
                closure_changes.validate_closure(centre=self.centre, **_closure_values(data))
            except DomainError as problem:
                self.add_error(problem.field if problem.field in self.fields else None, str(problem))
        return data


def _closure_values(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data.get(name) for name in ("starts_on", "ends_on", "reason", "location", "room")}


def _page(request: HttpRequest, centre: Centre, form: ClosureForm, status: int = 200, **extra: Any) -> HttpResponse:
    context = {"centre": centre, "form": form, "closures": workspace_selectors.workspace_closures(centre), **extra}
    return render(request, "meetings/workspace_closures.html", context, status=status)


@login_required
def closures(request: HttpRequest, slug: str) -> HttpResponse:
    """The centre's closures, and a form for a new one: the first POST shows what it would
    cancel, the second (`confirm=yes`) makes it."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    form = ClosureForm(request.POST or None, centre=centre)
    if request.method != "POST":
        return _page(request, centre, form)
    if not form.is_valid():
        return _page(request, centre, form, status=400)
    values = _closure_values(form.cleaned_data)
    if request.POST.get("confirm") != "yes":
        effects = workspace_selectors.closure_effects(Closure(centre=centre, **values))
        return _page(request, centre, form, confirm=True, effects=effects)
    try:
        closure, cancelled = closure_changes.closure_create(actor=signed_in_user(request), centre=centre, **values)
    except DomainError as problem:
        return _page(request, centre, form, status=problem.status_code, error=str(problem))
    delete = reverse("workspace-closure-delete", args=[slug, closure.pk])
    offer_undo(request, url=delete, label=gettext("Undo: lift the closure again"))
    messages.success(
        request,
        ngettext(
            "Closed: %(reason)s. %(count)d meeting is cancelled and its members are told.",
            "Closed: %(reason)s. %(count)d meetings are cancelled and their members are told.",
            cancelled,
        )
        % {"reason": closure.reason, "count": cancelled},
    )
    return redirect(reverse("workspace-closures", args=[slug]))


@login_required
def closure_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Lift a closure: the page asks first; meetings it cancelled come back where their room is
    still free, and their members are told."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    closure = workspace_selectors.workspace_closures(centre).filter(pk=pk).first()
    if closure is None:
        raise Http404
    if request.method != "POST":
        return render(request, "meetings/workspace_closure_delete.html", {"centre": centre, "closure": closure})
    try:
        restored = closure_changes.closure_delete(actor=signed_in_user(request), closure=closure)
    except DomainError as problem:
        context = {"centre": centre, "closure": closure, "error": str(problem)}
        return render(request, "meetings/workspace_closure_delete.html", context, status=problem.status_code)
    messages.success(
        request,
        ngettext(
            "The closure is lifted; %(count)d meeting takes place again and its members are told.",
            "The closure is lifted; %(count)d meetings take place again and their members are told.",
            restored,
        )
        % {"count": restored},
    )
    return redirect(reverse("workspace-closures", args=[slug]))
