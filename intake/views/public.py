"""intake's public pages: a centre's enquiry form (someone looking for a group says what they look
for; the answer is the same whatever is entered, a honeypot and a rate limit keep bots out), and
the link that confirms an enquiry sent with an address the centre knew."""

from typing import Any, cast

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from centres.models import LANGUAGE_CHOICES, Centre
from centres.scoping import all_centres_scope, centre_scope
from config.errors import DomainError
from config.forms import IdChoiceField, IdMultipleChoiceField
from config.ratelimit import rate_limited
from config.signed_links import unsign
from config.validators import validate_single_line
from intake.services.partners import partner_by_code
from intake.services.submission import enquiry_confirm as enquiry_confirm_service
from intake.services.submission import enquiry_submit
from meetings.models import Group, Location, OpeningHours, Topic

ENQUIRIES_PER_HOUR = 10


class EnquiryForm(forms.Form):
    name = forms.CharField(label=_("Your name or a pseudonym"), max_length=120, validators=[validate_single_line])
    email = forms.EmailField(label=_("E-mail address"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    language = forms.ChoiceField(label=_("Language you would like to talk in"), choices=LANGUAGE_CHOICES)
    topics = IdMultipleChoiceField(
        label=_("What is it about?"),
        queryset=Topic.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    is_relative = forms.BooleanField(label=_("I am a relative or friend of someone affected"), required=False)
    age_band = forms.ChoiceField(
        label=_("Age (optional)"),
        choices=[("", _("I'd rather not say"))] + [c for c in Group.AgeBand.choices if c[0]],
        required=False,
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days that suit you"),
        choices=OpeningHours.Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    daytime = forms.BooleanField(label=_("Daytime suits me"), required=False)
    evening = forms.BooleanField(label=_("Evenings suit me"), required=False)
    location = IdChoiceField(
        label=_("Preferred place (optional)"),
        queryset=Location.objects.none(),
        required=False,
        empty_label=_("Any place"),
    )
    message = forms.CharField(
        label=_("Anything else you want to tell us (optional)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=3000,
        required=False,
    )
    consent = forms.BooleanField(
        label=_(
            "The contact point may store and use these details, including what I said about my health or "
            "situation, to find a group for me and to contact me about it. I can withdraw this at any time."
        ),
    )
    # The partner's code when the person came through a partner's link or flyer.
    ref = forms.CharField(required=False, max_length=16, widget=forms.HiddenInput)
    # A field people do not see and bots fill in.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topics = cast(IdMultipleChoiceField, self.fields["topics"])
        topics.queryset = Topic.objects.filter(centre=centre, is_offered=True)
        topics.label_from_instance = lambda topic: topic.display_name  # type: ignore[method-assign,assignment]
        cast(IdChoiceField, self.fields["location"]).queryset = Location.objects.filter(centre=centre)
        self.fields["language"].initial = centre.default_language

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if data is not None and not data.get("email") and not data.get("phone") and "email" not in self.errors:
            self.add_error("email", _("Give an e-mail address or a phone number, so that we can reach you."))
        return data


@never_cache
def enquiry(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask for a group. After sending, everyone sees the same thank-you page."""
    with all_centres_scope():
        centre = Centre.objects.filter(slug=slug).first()
    if centre is None:
        raise Http404
    initial: dict[str, Any] = {}
    if request.GET.get("topic", "").isdigit() and len(request.GET["topic"]) < 19:
        initial["topics"] = [int(request.GET["topic"])]  # from a group's "ask to join"
    initial["ref"] = request.GET.get("ref", "")[:16]
    with centre_scope(centre.pk):
        form = EnquiryForm(request.POST or None, centre=centre, initial=initial)
        context = {"centre": centre, "form": form}
        if request.method == "POST":
            if rate_limited(request, scope="enquiry", limit=ENQUIRIES_PER_HOUR, seconds=3600):
                return render(request, "intake/enquiry.html", {**context, "limited": True}, status=429)
            if form.is_valid():
                data = form.cleaned_data
                referred_by = partner_by_code(centre=centre, code=data.pop("ref"))
                if not data.pop("website"):
                    try:
                        fields = {**data, "topics": list(data["topics"]), "referred_by": referred_by}
                        enquiry_submit(actor=None, centre=centre, **fields)
                    except DomainError as error:
                        form.add_error(error.field if error.field in form.fields else None, str(error))
                if form.is_valid():
                    return render(request, "intake/enquiry_sent.html", {"centre": centre})
            return render(request, "intake/enquiry.html", context, status=400)
        return render(request, "intake/enquiry.html", context)


@never_cache
def enquiry_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the mail to a known address: the GET shows one button (mail scanners follow
    links), its POST confirms that the enquiry came from the address's owner."""
    if request.method != "POST":
        if unsign("enquiry.confirm", token) is None:
            return render(request, "notifications/member_link_invalid.html", status=404)
        return render(request, "intake/enquiry_confirm.html")
    with all_centres_scope():
        enquiry = enquiry_confirm_service(token=token)
    if enquiry is None:
        return render(request, "notifications/member_link_invalid.html", status=404)
    return render(request, "intake/enquiry_confirmed.html", {"centre": enquiry.centre})
