"""Public volunteer pages, for anyone holding the page or the link: sign up, confirm the address
(the GET asks, the POST confirms), and answer a request to start a group. Each opens its scope:
the centre of the page once it is known."""

from typing import Any, cast

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from centres.models import LANGUAGE_CHOICES, Centre
from centres.scoping import all_centres_scope, centre_scope
from config.forms import IdMultipleChoiceField
from config.ratelimit import rate_limited
from config.signed_links import unsign
from config.validators import validate_single_line
from meetings.models import Topic
from volunteers.models import Volunteer
from volunteers.selectors import starter_request_from_token
from volunteers.services.requests import starter_request_answer
from volunteers.services.signup import volunteer_confirm, volunteer_signup_receive

SIGNUPS_PER_HOUR = 10


class SignupForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=120, validators=[validate_single_line])
    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)
    phone = forms.CharField(label=_("Phone (optional)"), max_length=40, required=False)
    language = forms.ChoiceField(label=_("Language for our mails"), choices=LANGUAGE_CHOICES)
    languages = forms.MultipleChoiceField(
        label=_("Languages you could run a group in"), choices=LANGUAGE_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    topics = IdMultipleChoiceField(
        label=_("Topics you would start groups on"),
        queryset=Topic.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays you are free"),
        choices=Volunteer.Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    daytime = forms.BooleanField(label=_("I am free in the daytime"), required=False)
    evening = forms.BooleanField(label=_("I am free in the evening"), required=False)
    motivation = forms.CharField(
        label=_("Why would you like to help? (optional)"), widget=forms.Textarea, max_length=3000, required=False
    )
    consent = forms.BooleanField(
        label=_("The contact point may store these details to contact me about volunteering."),
    )
    # A field people do not see and bots fill in.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topics = cast(IdMultipleChoiceField, self.fields["topics"])
        topics.queryset = Topic.objects.filter(centre=centre, is_offered=True)
        self.fields["language"].initial = centre.default_language

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if data is not None and not data.get("daytime") and not data.get("evening") and not self.errors:
            raise forms.ValidationError(_("Tick the daytime, the evening or both."))
        return data


@never_cache
def signup(request: HttpRequest, slug: str) -> HttpResponse:
    """Offer to volunteer, with double opt-in. The answer is the same whether or not the address
    is known; a honeypot and a rate limit per address keep bots out."""
    with all_centres_scope():
        centre = Centre.objects.filter(slug=slug).first()
    if centre is None:
        raise Http404
    with centre_scope(centre.pk):
        form = SignupForm(request.POST or None, centre=centre)
        if request.method != "POST":
            return render(request, "volunteers/signup.html", {"centre": centre, "form": form})
        if rate_limited(request, scope="volunteer-signup", limit=SIGNUPS_PER_HOUR, seconds=3600):
            return render(
                request, "volunteers/signup.html", {"centre": centre, "form": form, "limited": True}, status=429
            )
        if not form.is_valid():
            return render(request, "volunteers/signup.html", {"centre": centre, "form": form})
        if not form.cleaned_data["website"]:
            data = form.cleaned_data
            volunteer_signup_receive(
                centre=centre,
                email=data["email"],
                name=data["name"],
                phone=data["phone"],
                language=data["language"],
                languages=data["languages"],
                topics=list(data["topics"]),
                weekdays=data["weekdays"],
                daytime=data["daytime"],
                evening=data["evening"],
                motivation=data["motivation"],
            )
        return render(request, "volunteers/check_inbox.html", {"centre": centre})


@never_cache
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the confirmation mail: a GET shows one button (mail scanners follow links),
    its POST confirms."""
    if request.method != "POST":
        if unsign("volunteer.confirm", token) is None:
            return render(request, "notifications/member_link_invalid.html", status=404)
        return render(request, "volunteers/confirm.html")
    with all_centres_scope():
        volunteer = volunteer_confirm(token=token)
    if volunteer is None:
        return render(request, "notifications/member_link_invalid.html", status=404)
    return render(request, "volunteers/confirmed.html", {"centre": volunteer.centre})


@never_cache
def request_answer(request: HttpRequest, token: str) -> HttpResponse:
    """A request to start a group: the GET shows two buttons (mail scanners follow links), the
    POST answers. Only the volunteer asked holds the link."""
    with all_centres_scope():
        starter_request = starter_request_from_token(token)
    if starter_request is None:
        return render(request, "notifications/member_link_invalid.html", status=404)
    with centre_scope(starter_request.centre_id):
        if request.method == "POST":
            answer = request.POST.get("answer")
            if answer not in ("accept", "decline"):
                return render(request, "volunteers/request.html", {"request_obj": starter_request}, status=400)
            status = starter_request_answer(request=starter_request, accept=answer == "accept")
            return render(request, "volunteers/request.html", {"answered": True, "status": status})
        if starter_request.status != starter_request.Status.PENDING:
            return render(request, "volunteers/request.html", {"answered": True, "status": starter_request.status})
        return render(request, "volunteers/request.html", {"request_obj": starter_request})
