"""Public newsletter pages: subscribe, confirm, preferences and one-click unsubscribe.

No login: the subscribe page names its centre, the other pages are reached by signed links. Each
view opens its scope itself: the centre's once it is known."""

from typing import Any, cast

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from centres.models import LANGUAGE_CHOICES, Centre
from centres.scoping import all_centres_scope, centre_scope
from config.forms import IdMultipleChoiceField
from config.ratelimit import rate_limited
from notifications.models import NewsletterList
from notifications.selectors import subscriber_from_token, subscriptions_current
from notifications.services.newsletters import (
    confirmation_token_valid,
    subscription_confirm,
    subscription_request_receive,
    subscriptions_end,
)

# Subscriptions asked from one client address in an hour; more get a 429 and change nothing.
SUBSCRIBES_PER_HOUR = 10
# The page shared by every link that does not work (also the member's and the portal's).
LINK_INVALID = "notifications/member_link_invalid.html"


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)
    language = forms.ChoiceField(label=_("Language of the newsletter"), choices=LANGUAGE_CHOICES)
    newsletters = IdMultipleChoiceField(
        label=_("Newsletters"), queryset=NewsletterList.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    # A field people do not see and bots fill in.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        newsletters = cast(IdMultipleChoiceField, self.fields["newsletters"])
        newsletters.queryset = NewsletterList.objects.filter(centre=centre, is_public=True)
        self.fields["language"].initial = centre.default_language


@never_cache
def subscribe(request: HttpRequest, slug: str) -> HttpResponse:
    """Subscribe with double opt-in. The answer is the same whether or not the address is known."""
    with all_centres_scope():
        centre = Centre.objects.filter(slug=slug).first()
    if centre is None:
        raise Http404
    with centre_scope(centre.pk):
        form = SubscribeForm(request.POST or None, centre=centre)
        if request.method == "POST" and rate_limited(
            request, scope="newsletter-subscribe", limit=SUBSCRIBES_PER_HOUR, seconds=3600
        ):
            context = {"centre": centre, "form": form, "limited": True}
            return render(request, "notifications/newsletter_subscribe.html", context, status=429)
        if request.method == "POST" and form.is_valid():
            if not form.cleaned_data["website"]:
                subscription_request_receive(
                    centre=centre,
                    email=form.cleaned_data["email"],
                    language=form.cleaned_data["language"],
                    newsletters=list(form.cleaned_data["newsletters"]),
                )
            return render(request, "notifications/newsletter_check_inbox.html", {"centre": centre})
        return render(request, "notifications/newsletter_subscribe.html", {"centre": centre, "form": form})


@never_cache
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The confirmation link from the e-mail: the GET shows one button, its POST confirms. A
    mail scanner that follows links must not subscribe anyone."""
    if request.method != "POST":
        if not confirmation_token_valid(token):
            return render(request, LINK_INVALID, status=404)
        return render(request, "notifications/newsletter_confirm.html")
    # The token names subscriptions, not their centre: read across centres.
    with all_centres_scope():
        confirmed = subscription_confirm(token=token)
    if confirmed is None:
        return render(request, LINK_INVALID, status=404)
    return render(request, "notifications/newsletter_confirmed.html", {"subscriptions": confirmed})


@csrf_exempt  # RFC 8058: mail programs POST without cookies or a form token
@never_cache
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One-click unsubscribe. A POST unsubscribes (RFC 8058, or the button below); a GET only
    asks, because link scanners follow every link in a mail."""
    with all_centres_scope():
        person = subscriber_from_token(token)
    if person is None:
        return render(request, LINK_INVALID, status=404)
    if request.method == "POST":
        with centre_scope(person.centre_id):
            subscriptions_end(person=person)
        return render(request, "notifications/newsletter_unsubscribed.html", {"centre": person.centre})
    return render(request, "notifications/newsletter_unsubscribe.html", {"centre": person.centre})


@never_cache
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    """A subscriber's own page: which newsletters, and leaving some or all."""
    with all_centres_scope():
        person = subscriber_from_token(token)
    if person is None:
        return render(request, LINK_INVALID, status=404)
    with centre_scope(person.centre_id):
        subscriptions = subscriptions_current(person)
        saved = False
        if request.method == "POST":
            keep = set(request.POST.getlist("keep"))
            leaving = [
                subscription.newsletter for subscription in subscriptions if str(subscription.newsletter_id) not in keep
            ]
            if leaving:
                subscriptions_end(person=person, newsletters=leaving)
            subscriptions = [subscription for subscription in subscriptions if subscription.newsletter not in leaving]
            saved = True
    return render(
        request,
        "notifications/newsletter_preferences.html",
        {"centre": person.centre, "subscriptions": subscriptions, "saved": saved},
    )
