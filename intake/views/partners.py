"""Referral partners: the public referral link (`/r/<code>/`, what a partner's QR code opens), and
the coordinators' pages to keep partners and print their flyers."""

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from centres.models import LANGUAGE_CHOICES, Centre
from centres.scoping import all_centres_scope
from centres.selectors import staff_centre_or_404
from config.api import signed_in_user
from config.errors import DomainError
from config.signed_links import absolute_url
from intake.flyer import flyer_pdf
from intake.models import ReferralPartner
from intake.services.partners import PARTNER_FIELDS, partner_create, partner_update
from meetings.models import Group, Topic

COUNTED_DAYS = 365


@require_safe
def referral(request: HttpRequest, code: str) -> HttpResponse:
    """A partner's link: on to its centre's enquiry form, the partner noted (and the topic
    chosen, when the flyer named one). A retired or unknown code is a 404."""
    code = code.lower()  # typed from a flyer, perhaps in capitals
    if not (code.isascii() and code.isalnum() and len(code) <= 16):
        raise Http404
    with all_centres_scope():
        partner = ReferralPartner.objects.filter(code=code, is_active=True).select_related("centre").first()
    if partner is None:
        raise Http404
    query = {"ref": partner.code}
    topic = request.GET.get("t", "")
    if topic.isdigit() and len(topic) < 19:
        query["topic"] = topic
    return redirect(reverse("enquiry", args=[partner.centre.slug]) + "?" + urlencode(query))


class PartnerForm(forms.ModelForm):
    class Meta:
        model = ReferralPartner
        fields = list(PARTNER_FIELDS)


class FlyerForm(forms.Form):
    about = forms.ChoiceField(label=gettext_lazy("About"))
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=LANGUAGE_CHOICES)

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topics = [
            (f"t{topic.pk}", topic.display_name) for topic in Topic.objects.filter(centre=centre, is_offered=True)
        ]
        groups = [
            (f"g{group.pk}", group.name)
            for group in Group.objects.filter(
                centre=centre, publicly_listed=True, status__in=["forming", "starting", "self_run"]
            )
        ]
        field = self.fields["about"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(_("Topics"), topics), (_("Groups"), groups)]
        self.fields["language"].initial = centre.default_language


def _page(request: HttpRequest, centre: Centre, form: PartnerForm, status: int = 200) -> HttpResponse:
    since = timezone.now() - timedelta(days=COUNTED_DAYS)
    partners = ReferralPartner.objects.filter(centre=centre).annotate(
        referred=Count("enquiries", filter=Q(enquiries__created_at__gte=since))
    )
    context = {
        "centre": centre,
        "partners": [(partner, absolute_url("referral", partner.code)) for partner in partners],
        "form": form,
        "flyer_form": FlyerForm(centre=centre),
    }
    return render(request, "intake/partners.html", context, status=status)


@login_required
def partners(request: HttpRequest, slug: str) -> HttpResponse:
    """The centre's partners with their links and referrals in the last year; a form adds one."""
    centre = staff_centre_or_404(user=request.user, slug=slug)
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            partner = partner_create(actor=signed_in_user(request), centre=centre, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("%(name)s added; its link and flyers are ready below.") % {"name": partner})
            return redirect(reverse("workspace-partners", args=[slug]) + f"#partner-{partner.pk}")
    return _page(request, centre, form, status=400 if request.method == "POST" else 200)


def _partner(request: HttpRequest, slug: str, pk: int) -> tuple[Centre, ReferralPartner]:
    centre = staff_centre_or_404(user=request.user, slug=slug)
    partner = ReferralPartner.objects.filter(centre=centre, pk=pk).first()
    if partner is None:
        raise Http404
    return centre, partner


@login_required
def partner_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Change a partner, or stop its link (a partner that closed, a flyer withdrawn)."""
    centre, partner = _partner(request, slug, pk)
    form = PartnerForm(request.POST or None, instance=ReferralPartner.objects.get(pk=partner.pk))
    if request.method == "POST" and form.is_valid():
        try:
            partner_update(actor=signed_in_user(request), partner=partner, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("%(name)s saved.") % {"name": partner})
            return redirect(reverse("workspace-partners", args=[slug]) + f"#partner-{partner.pk}")
    status = 400 if request.method == "POST" else 200
    context = {"centre": centre, "partner": partner, "form": form}
    return render(request, "intake/partner_edit.html", context, status=status)


@login_required
@require_safe
def partner_flyer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The partner's A5 flyer (PDF) for a topic or a group, in the language asked."""
    centre, partner = _partner(request, slug, pk)
    form = FlyerForm(request.GET, centre=centre)
    if not form.is_valid():
        messages.error(request, _("Choose a topic or a group and a language for the flyer."))
        return redirect(reverse("workspace-partners", args=[slug]) + f"#partner-{partner.pk}")
    kind, key = form.cleaned_data["about"][0], int(form.cleaned_data["about"][1:])
    if kind == "g":
        group = Group.objects.select_related("topic").get(centre=centre, pk=key)
        subject, topic_id = group.name, group.topic_id
    else:
        topic = Topic.objects.get(centre=centre, pk=key)
        subject, topic_id = topic.display_name, topic.pk
    url = absolute_url("referral", partner.code) + f"?t={topic_id}"
    body = flyer_pdf(
        centre=centre, subject=subject, url=url, language=form.cleaned_data["language"], partner_name=partner.name
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="flyer-{partner.code}.pdf"'
    return response
