"""A centre admin's page for the self-run checklist: the steps every new group reaches with its
starters, one per line, in order (`checklist_set`); and the same for the checklist of a crisis
spell, when starters return to a self-run group for a few meetings."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centres.selectors import admin_centre_or_403
from config.api import signed_in_user
from config.errors import DomainError
from meetings.models import LANGUAGE_CHOICES
from volunteers.models import ChecklistItem
from volunteers.services.checklist import checklist_items, checklist_set


class ChecklistForm(forms.Form):
    steps = forms.CharField(
        label=gettext_lazy("Steps"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("One step per line, in order. A step taken out stays in past session logs."),
    )

    def __init__(self, *args: Any, items: list[ChecklistItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, language in LANGUAGE_CHOICES:
            self.fields[f"steps_{code}"] = forms.CharField(
                label=_("Steps in %(language)s") % {"language": language},
                widget=forms.Textarea(attrs={"rows": 6, "lang": code}),
                required=False,
                help_text=_("Line by line in the same order; an empty line shows the step as written."),
                initial="\n".join(item.text_translations.get(code, "") for item in items).rstrip("\n"),
            )

    def translations(self) -> dict[str, list[str]]:
        return {code: self.cleaned_data.get(f"steps_{code}", "").splitlines() for code, _name in LANGUAGE_CHOICES}


@login_required
def checklist(request: HttpRequest, slug: str) -> HttpResponse:
    """The self-run checklist, or (`?list=crisis`) the checklist of a crisis spell."""
    centre = admin_centre_or_403(user=request.user, slug=slug)
    crisis = request.GET.get("list") == "crisis"
    here = reverse("workspace-checklist", args=[slug]) + ("?list=crisis" if crisis else "")
    items = checklist_items(centre, crisis=crisis)
    form = ChecklistForm(request.POST or None, items=items, initial={"steps": "\n".join(item.text for item in items)})
    error = ""
    if request.method == "POST" and form.is_valid():
        if not form.has_changed():
            messages.info(request, _("Nothing changed."))
            return redirect(here)
        try:
            kept = checklist_set(
                actor=signed_in_user(request),
                centre=centre,
                texts=form.cleaned_data["steps"].splitlines(),
                crisis=crisis,
                translations=form.translations(),
            )
        except DomainError as problem:
            error = str(problem)
        else:
            messages.success(request, _("The checklist has %(count)d steps now.") % {"count": len(kept)})
            return redirect(here)
    status = 400 if request.method == "POST" else 200
    context = {"centre": centre, "form": form, "error": error, "crisis": crisis}
    return render(request, "volunteers/workspace_checklist.html", context, status=status)
