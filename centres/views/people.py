"""A person's page in the workspace: who they are to the centre, everything held about them as
one file for them (GDPR Art. 15 and 20), and, for centre admins, erasing them (Art. 17, asked
first, cannot be undone). Reading, exporting and erasing are audited."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from centres.models import AuditLogEntry, Centre, ConsentRecord, Person
from centres.phones import readable
from centres.selectors import sms_numbers, staff_centre_or_404, user_is_centre_admin
from centres.services import privacy
from centres.services.audit import audit_record
from centres.services.consents import STAFF_CONSENT_SOURCES, consents_withdraw, sms_consent_record
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
    return _render(request, centre, person)


def _render(
    request: HttpRequest,
    centre: Centre,
    person: Person,
    *,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = signed_in_user(request)
    texts = ConsentRecord.objects.filter(person=person, purpose=ConsentRecord.Purpose.SMS, withdrawn_at__isnull=True)
    context = {
        "centre": centre,
        "person": person,
        "may_erase": user_is_centre_admin(user=actor, centre_id=centre.pk),
        "sms_consent": texts.first(),
        "sms_number": readable(sms_numbers([person.pk]).get(person.pk, "")),
        # Most agree on the phone: that source first.
        "sms_sources": sorted(
            ((value, label) for value, label in ConsentRecord.Source.choices if value in STAFF_CONSENT_SOURCES),
            key=lambda choice: choice[0] != ConsentRecord.Source.PHONE,
        ),
        "sms_errors": errors or {},
        "sms_form": request.POST if errors else {},
    }
    return render(request, "centres/person.html", context, status=status)


@login_required
@require_POST
def person_texts(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Start texts to the person (their mobile number and the consent they gave, as staff heard
    it) or stop them (`stop=yes`, withdrawing the consent)."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    person = _person_or_404(centre, pk)
    actor = signed_in_user(request)
    if request.POST.get("stop") == "yes":
        consents_withdraw(actor=actor, person=person, purpose=ConsentRecord.Purpose.SMS)
        messages.success(request, _("Texts stopped: their reminders and notices go by e-mail only, or by a call."))
        return redirect(reverse("workspace-person", args=[slug, pk]))
    errors: dict[str, list[str]] = {}
    source = request.POST.get("source", "")
    if source not in STAFF_CONSENT_SOURCES:
        errors["source"] = [_("Choose how they agreed.")]
    if request.POST.get("agreed") != "yes":
        errors["agreed"] = [_("Record texts only when the person agreed to them.")]
    if not errors:
        try:
            sms_consent_record(actor=actor, person=person, phone=request.POST.get("phone", ""), source=source)
        except ValidationError as problem:
            errors = problem.message_dict
    if errors:
        return _render(request, centre, person, errors=errors, status=400)
    messages.success(request, _("Texts start: their reminders and change notices now also go to this number."))
    return redirect(reverse("workspace-person", args=[slug, pk]))


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
