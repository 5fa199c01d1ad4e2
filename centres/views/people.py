"""A person's page in the workspace: who they are to the centre, everything held about them as
one file for them (GDPR Art. 15 and 20), and, for centre admins, erasing them (Art. 17, asked
first, cannot be undone). Reading, exporting and erasing are audited."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from centres.models import AuditLogEntry, Centre, Person
from centres.selectors import staff_centre_or_404, user_is_centre_admin
from centres.services import privacy
from centres.services.audit import audit_record
from centres.services.people import person_delete
from config.api import signed_in_user


def _person_or_404(centre: Centre, pk: int) -> Person:
    person = Person.objects.filter(centre=centre, pk=pk).first()
    if person is None:
        raise Http404
    return person


@login_required
def person_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The person's details; `?download=1` gives everything held about them as JSON."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    person = _person_or_404(centre, pk)
    actor = signed_in_user(request)
    if request.GET.get("download") == "1":
        audit_record(actor=actor, centre=centre, action=AuditLogEntry.Action.EXPORT, obj=person)
        response = HttpResponse(
            json.dumps(privacy.person_export(person), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="person-{person.pk}.json"'
        return response
    audit_record(actor=actor, centre=centre, action=AuditLogEntry.Action.VIEW, obj=person)
    context = {"centre": centre, "person": person, "may_erase": user_is_centre_admin(user=actor, centre_id=centre.pk)}
    return render(request, "centres/person.html", context)


@login_required
def person_erase(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Erase the person and their records (centre admins; a GET asks first)."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    person = _person_or_404(centre, pk)
    actor = signed_in_user(request)
    if not user_is_centre_admin(user=actor, centre_id=centre.pk):
        return render(request, "centres/person.html", {"centre": centre, "person": person}, status=403)
    if request.method != "POST":
        return render(request, "centres/person.html", {"centre": centre, "person": person, "confirm_erase": True})
    person_delete(actor=actor, person=person)
    messages.success(request, _("The person is erased: their mail stopped, their records are gone or anonymous."))
    return redirect(reverse("workspace-search", args=[slug]))
